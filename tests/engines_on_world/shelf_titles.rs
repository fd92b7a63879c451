//! Shelf search on the world's own titles.

use std::collections::HashMap;

use searchrec_datasets::policy::tokens;
use searchrec_engine::{EngineFactory, SearchRequest};

use crate::fixtures::{engine, input, world};

#[test]
fn an_items_exact_title_finds_it_first_and_the_prior_keeps_it_near_the_top() {
    let catalog = &world().observable.catalog;
    // BM25 sees a bag of words: titles with the same words in another order tie.
    let words = |title: &str| {
        let mut w: Vec<String> = tokens(title).collect();
        w.sort();
        w
    };
    let mut by_words: HashMap<Vec<String>, usize> = HashMap::new();
    for item in &catalog.items {
        *by_words.entry(words(&item.title)).or_default() += 1;
    }
    let params: toml::Table = toml::from_str("sales_weight = 0.0\nrating_weight = 0.0").unwrap();
    let pure_bm25 = searchrec_shelf::ShelfFactory.build("bm25", &params, input()).unwrap();
    let with_prior = engine("shelf");
    let (mut checked, mut first_with_prior) = (0, 0);
    for item in catalog.items.iter().step_by(50).filter(|i| by_words[&words(&i.title)] == 1) {
        let hits = pure_bm25.search(&SearchRequest::new(&item.title, 5)).unwrap();
        assert_eq!(hits.first().map(|h| h.item), Some(item.id), "pure BM25, title {:?}", item.title);
        // The default trust prior may lift a best-selling item whose title
        // holds every query word and more; the item itself stays in the top 5.
        let hits = with_prior.search(&SearchRequest::new(&item.title, 5)).unwrap();
        assert!(hits.iter().any(|h| h.item == item.id), "with prior, title {:?}", item.title);
        first_with_prior += (hits[0].item == item.id) as usize;
        checked += 1;
    }
    assert!(checked > 100, "only {checked} unique titles checked");
    assert!(first_with_prior * 10 >= checked * 8, "with the prior only {first_with_prior} of {checked} first");
}
