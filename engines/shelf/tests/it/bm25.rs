//! BM25 scores against a hand-computed example.
//!
//! tantivy's BM25: score(t, d) = idf(t) · (k1 + 1) · tf / (tf + k1 · (1 − b + b · dl / avgdl)),
//! idf(t) = ln(1 + (N − n + 0.5) / (n + 0.5)), k1 = 1.2, b = 0.75.
//!
//! Catalogue (query words only in titles; brands and the category path share
//! no word with the query):
//!
//! | item | title            | dl |
//! |------|------------------|----|
//! | 0    | red mug          | 2  |
//! | 1    | red red kettle   | 3  |
//! | 2    | blue mug large   | 3  |
//! | 3    | green mug        | 2  |
//!
//! N = 4, avgdl = 10 / 4 = 2.5. Query "red mug":
//! - idf(red) = ln(1 + 2.5 / 2.5) = ln 2 = 0.693147 (n = 2)
//! - idf(mug) = ln(1 + 1.5 / 3.5) = 0.356675 (n = 3)
//! - length norm k1·(1 − b + b·dl/avgdl): dl 2 → 1.02, dl 3 → 1.38
//! - item 0: 0.693147·2.2/2.02 + 0.356675·2.2/2.02 = 0.754912 + 0.388458 = 1.143371
//! - item 1: 0.693147·2.2·2/(2 + 1.38) = 0.902322
//! - item 3: 0.356675·2.2/2.02 = 0.388458
//! - item 2: 0.356675·2.2/2.38 = 0.329700

use searchrec_engine::{Engine, SearchRequest};
use searchrec_shelf::ShelfConfig;

use crate::fixture::{Listing, build, catalog, ids, pure_bm25};

fn mugs() -> searchrec_datasets::Catalog {
    catalog(&[
        Listing::new("red mug", "Acme"),
        Listing::new("red red kettle", "Bolt"),
        Listing::new("blue mug large", "Acme"),
        Listing::new("green mug", "Corva"),
    ])
}

const EXPECTED: [(u32, f32); 4] = [(0, 1.143371), (1, 0.902322), (3, 0.388458), (2, 0.329700)];

#[test]
fn pure_bm25_matches_the_hand_computed_ranking_and_scores() {
    let engine = build(&pure_bm25(), &mugs());
    let hits = engine.search(&SearchRequest::new("red mug", 10)).unwrap();
    assert_eq!(ids(&hits), EXPECTED.map(|(item, _)| item));
    for (hit, (_, score)) in hits.iter().zip(EXPECTED) {
        assert!((hit.score - score).abs() < 1e-4, "item {}: {} vs hand-computed {score}", hit.item, hit.score);
    }
}

#[test]
fn a_field_boost_multiplies_that_fields_score() {
    let engine = build(&ShelfConfig { title_boost: 2.5, ..pure_bm25() }, &mugs());
    let hits = engine.search(&SearchRequest::new("red mug", 10)).unwrap();
    for (hit, (item, score)) in hits.iter().zip(EXPECTED) {
        assert_eq!(hit.item.0, item);
        assert!((hit.score - 2.5 * score).abs() < 1e-4, "item {item}: {}", hit.score);
    }
}

#[test]
fn fields_are_searched_separately_and_a_zero_boost_turns_one_off() {
    let engine = build(&pure_bm25(), &mugs());
    // "acme" is only a brand: items 0 and 2, equal scores, ties by id.
    let hits = engine.search(&SearchRequest::new("acme", 10)).unwrap();
    assert_eq!(ids(&hits), vec![0, 2]);
    assert_eq!(hits[0].score, hits[1].score);
    // "cookware" is only in the category path, shared by all four.
    assert_eq!(ids(&engine.search(&SearchRequest::new("cookware", 10)).unwrap()), vec![0, 1, 2, 3]);

    let no_brand = build(&ShelfConfig { brand_boost: 0.0, ..pure_bm25() }, &mugs());
    assert!(no_brand.search(&SearchRequest::new("acme", 10)).unwrap().is_empty());
}

#[test]
fn stemming_matches_inflections_and_can_be_turned_off() {
    let stemmed = build(&pure_bm25(), &mugs());
    assert_eq!(ids(&stemmed.search(&SearchRequest::new("Kettles", 10)).unwrap()), vec![1]);
    let plain = build(&ShelfConfig { stemming: false, ..pure_bm25() }, &mugs());
    assert!(plain.search(&SearchRequest::new("Kettles", 10)).unwrap().is_empty());
    assert_eq!(ids(&plain.search(&SearchRequest::new("KETTLE", 10)).unwrap()), vec![1]);
}
