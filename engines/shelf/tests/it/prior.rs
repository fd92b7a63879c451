//! The trust prior changes the ranking as configured, and only as configured.

use searchrec_engine::{Engine, SearchRequest};
use searchrec_shelf::ShelfConfig;

use crate::fixture::{Listing, build, catalog, ids, pure_bm25};

/// Items 0 and 1 have the same text; item 1 is the best seller (1000 sales
/// against 10). Item 2 never matches "blue mug".
fn twins() -> searchrec_datasets::Catalog {
    catalog(&[
        Listing { sales: 10, ..Listing::new("blue mug", "Acme") },
        Listing { sales: 1000, ..Listing::new("blue mug", "Acme") },
        Listing { sales: 5, ..Listing::new("green teapot", "Bolt") },
    ])
}

#[test]
fn without_prior_equal_text_ties_and_ties_go_to_the_lower_id() {
    let hits = build(&pure_bm25(), &twins()).search(&SearchRequest::new("blue mug", 10)).unwrap();
    assert_eq!(ids(&hits), vec![0, 1]);
    assert_eq!(hits[0].score, hits[1].score);
}

#[test]
fn ties_go_to_the_lowest_ids_whatever_the_segment_layout() {
    let listings: Vec<Listing<'_>> = (0..300).map(|_| Listing::new("blue mug", "Acme")).collect();
    // Two indexing threads without the final merge usually write two
    // segments, whose document addresses no longer follow item ids.
    let split = ShelfConfig { index_threads: 2, writer_heap_bytes: 30_000_000, merge_segments: false, ..pure_bm25() };
    for config in [pure_bm25(), split] {
        let hits = build(&config, &catalog(&listings)).search(&SearchRequest::new("mug", 10)).unwrap();
        assert_eq!(ids(&hits), (0..10).collect::<Vec<u32>>(), "{config:?}");
    }
}

#[test]
fn sales_weight_lifts_the_best_seller_by_the_documented_factor() {
    let bm25 = build(&pure_bm25(), &twins()).search(&SearchRequest::new("blue mug", 10)).unwrap()[0].score;
    let config = ShelfConfig { sales_weight: 0.5, ..pure_bm25() };
    let hits = build(&config, &twins()).search(&SearchRequest::new("blue mug", 10)).unwrap();
    assert_eq!(ids(&hits), vec![1, 0]);
    // Best seller: S = ln(1001)/ln(1001) = 1; the other: S = ln(11)/ln(1001).
    let other = 1.0 + 0.5 * (11f32.ln() / 1001f32.ln());
    assert!((hits[0].score - bm25 * 1.5).abs() < 1e-4, "{} vs {}", hits[0].score, bm25 * 1.5);
    assert!((hits[1].score - bm25 * other).abs() < 1e-4, "{} vs {}", hits[1].score, bm25 * other);
}

#[test]
fn rating_weight_lifts_the_better_rated_item() {
    let listings = [
        Listing { rating: 2.0, ..Listing::new("blue mug", "Acme") },
        Listing { rating: 4.5, ..Listing::new("blue mug", "Acme") },
    ];
    let config = ShelfConfig { rating_weight: 0.4, ..pure_bm25() };
    let hits = build(&config, &catalog(&listings)).search(&SearchRequest::new("mug", 10)).unwrap();
    assert_eq!(ids(&hits), vec![1, 0]);
    // R = 3.5/4 against 1/4: the factors are 1.35 and 1.1.
    assert!((hits[0].score / hits[1].score - 1.35 / 1.1).abs() < 1e-4);
}

#[test]
fn an_unrated_item_gets_the_configured_rating() {
    let listings = [
        Listing { rating: 3.5, ..Listing::new("blue mug", "Acme") },
        Listing { rating: 0.0, reviews: 0, ..Listing::new("blue mug", "Acme") },
    ];
    let order = |unrated_rating| {
        let config = ShelfConfig { rating_weight: 0.4, unrated_rating, ..pure_bm25() };
        ids(&build(&config, &catalog(&listings)).search(&SearchRequest::new("mug", 10)).unwrap())
    };
    assert_eq!(order(3.0), vec![0, 1]);
    assert_eq!(order(4.0), vec![1, 0]);
}

#[test]
fn the_prior_never_brings_in_an_item_that_does_not_match() {
    let listings = [
        Listing { sales: 1, ..Listing::new("blue enamel camping mug", "Acme") },
        Listing { sales: 100_000, ..Listing::new("blue teapot", "Acme") },
    ];
    let hits =
        build(&ShelfConfig::default(), &catalog(&listings)).search(&SearchRequest::new("enamel mug", 10)).unwrap();
    assert_eq!(ids(&hits), vec![0]);
}
