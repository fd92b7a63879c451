//! Queries as users type them: exact titles, junk, syntax, repetition.

use std::collections::HashMap;

use searchrec_engine::{Engine, EngineError, SearchRequest};
use searchrec_shelf::{ShelfConfig, ShelfEngine};

use crate::fixture::{Listing, build, catalog, ids, world, world_input};

fn world_engine(config: &ShelfConfig) -> ShelfEngine {
    ShelfEngine::build("shelf", config, world_input()).expect("the engine builds")
}

#[test]
fn an_exact_title_finds_its_item_first() {
    let catalog = &world().observable.catalog;
    let mut copies: HashMap<&str, usize> = HashMap::new();
    for item in &catalog.items {
        *copies.entry(item.title.as_str()).or_default() += 1;
    }
    let engine = world_engine(&ShelfConfig::default());
    let mut checked = 0;
    for item in catalog.items.iter().filter(|item| copies[item.title.as_str()] == 1) {
        let hits = engine.search(&SearchRequest::new(&item.title, 10)).unwrap();
        assert_eq!(hits.first().map(|h| h.item), Some(item.id), "query {:?}: {:?}", item.title, ids(&hits));
        checked += 1;
    }
    assert!(checked > catalog.len() / 2, "only {checked} titles are unique");
}

#[test]
fn query_syntax_and_junk_never_error() {
    let engine = build(&ShelfConfig::default(), &catalog(&[Listing::new("red mug", "Acme")]));
    let texts = [
        "\"red mug",
        "red:mug",
        "title:red",
        "(red",
        "red)",
        "red AND mug",
        "NOT red",
        "-red",
        "+red",
        "red*",
        "red~",
        "red^2",
        "[red TO mug]",
        "{red}",
        "red\\",
        "/red/",
        "red && mug || !kettle",
        "\"\"",
        "'",
        "`",
        "red\u{0}mug",
        "😀red",
        "RED MUG",
        "ｒｅｄ",
        "réd",
        "red\tmug\n",
    ];
    for text in texts {
        let result = engine.search(&SearchRequest::new(text, 10));
        assert!(result.is_ok(), "{text:?}: {result:?}");
    }
    // Punctuation is a separator, never an operator: these all find the mug.
    for text in ["\"red mug\"", "title:red", "(red)", "-red", "red AND kettle", "réd"] {
        assert_eq!(ids(&engine.search(&SearchRequest::new(text, 10)).unwrap()), vec![0], "{text:?}");
    }
}

#[test]
fn text_without_an_indexable_token_is_an_empty_answer() {
    let engine = build(&ShelfConfig::default(), &catalog(&[Listing::new("red mug", "Acme")]));
    for text in ["!!!", "\"\"", "-- ++", "😀", &"x".repeat(1_000)] {
        assert_eq!(engine.search(&SearchRequest::new(text, 10)).unwrap(), vec![], "{text:?}");
    }
    for text in ["", "   ", "\n\t"] {
        let err = engine.search(&SearchRequest::new(text, 10)).unwrap_err();
        assert!(matches!(err, EngineError::InvalidRequest { .. }), "{text:?}: {err}");
    }
}

#[test]
fn repeating_a_word_does_not_change_the_answer() {
    let engine = world_engine(&ShelfConfig::default());
    let once = engine.search(&SearchRequest::new("dog leash", 20)).unwrap();
    let thrice = engine.search(&SearchRequest::new("dog dog leash DOG leash", 20)).unwrap();
    assert!(!once.is_empty());
    assert_eq!(once, thrice);
}

#[test]
fn two_builds_give_bit_identical_answers() {
    let (a, b) = (world_engine(&ShelfConfig::default()), world_engine(&ShelfConfig::default()));
    for query in world().observable.queries.iter().map(|q| q.text.as_str()) {
        let (x, y) =
            (a.search(&SearchRequest::new(query, 50)).unwrap(), b.search(&SearchRequest::new(query, 50)).unwrap());
        assert_eq!(x.len(), y.len(), "{query:?}");
        for (p, q) in x.iter().zip(&y) {
            assert_eq!((p.item, p.score.to_bits()), (q.item, q.score.to_bits()), "{query:?}");
        }
    }
}

#[test]
fn a_short_list_is_the_head_of_a_long_one() {
    let engine = world_engine(&ShelfConfig::default());
    for query in world().observable.queries.iter().map(|q| q.text.as_str()) {
        let long = engine.search(&SearchRequest::new(query, 100)).unwrap();
        let short = engine.search(&SearchRequest::new(query, 5)).unwrap();
        assert_eq!(short[..], long[..short.len()], "{query:?}");
    }
}

#[test]
fn an_index_on_disk_answers_like_one_in_ram() {
    let dir = tempfile::tempdir().unwrap();
    let config = ShelfConfig { index_dir: Some(dir.path().join("index")), ..ShelfConfig::default() };
    let on_disk = world_engine(&config);
    assert!(dir.path().join("index").join("meta.json").exists());
    let in_ram = world_engine(&ShelfConfig::default());
    for query in world().observable.queries.iter().map(|q| q.text.as_str()) {
        let request = SearchRequest::new(query, 20);
        assert_eq!(on_disk.search(&request).unwrap(), in_ram.search(&request).unwrap(), "{query:?}");
    }
}
