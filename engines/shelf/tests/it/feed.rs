//! The popularity feed: sales, then rating, then id; the same for everyone.

use searchrec_datasets::{ItemId, UserId};
use searchrec_engine::{Context, Engine, EngineError, FeedRequest, Signals};
use searchrec_shelf::ShelfConfig;

use crate::fixture::{Listing, build, catalog, ids};

fn shop() -> searchrec_datasets::Catalog {
    catalog(&[
        Listing { sales: 5, ..Listing::new("a", "x") },
        Listing { sales: 50, rating: 3.0, ..Listing::new("b", "x") },
        Listing { sales: 50, rating: 4.5, ..Listing::new("c", "x") },
        // Unrated: ranks as `unrated_rating` (3.0), tying item 1; the id decides.
        Listing { sales: 50, rating: 0.0, reviews: 0, ..Listing::new("d", "x") },
        Listing { sales: 0, ..Listing::new("e", "x") },
    ])
}

#[test]
fn feed_ranks_by_sales_then_rating_then_id_with_percentile_scores() {
    let engine = build(&ShelfConfig::default(), &shop());
    let hits = engine.recommend(&FeedRequest::new(UserId(0), 10)).unwrap();
    assert_eq!(ids(&hits), vec![2, 1, 3, 0, 4]);
    let scores: Vec<f32> = hits.iter().map(|h| h.score).collect();
    assert_eq!(scores, vec![1.0, 0.8, 0.6, 0.4, 0.2]);
    assert_eq!(ids(&engine.recommend(&FeedRequest::new(UserId(0), 2)).unwrap()), vec![2, 1]);
}

#[test]
fn feed_is_the_same_for_every_user_and_context() {
    let engine = build(&ShelfConfig::default(), &shop());
    let plain = engine.recommend(&FeedRequest::new(UserId(0), 10)).unwrap();
    let queries = ["red mug".to_string()];
    let clicks = [ItemId(4)];
    let signals = Signals { queries: &queries, clicks: &clicks, purchases: &clicks, ..Signals::default() };
    let context = Context { search: signals, feed: signals };
    for user in [UserId(1), UserId(2)] {
        assert_eq!(engine.recommend(&FeedRequest { user, k: 10, context }).unwrap(), plain);
    }
    let caps = engine.capabilities();
    assert!(caps.search && caps.recommend && !caps.personalised_search && !caps.query_aware_feed);
}

#[test]
fn feed_refuses_unknown_users_and_k_zero() {
    let engine = build(&ShelfConfig::default(), &shop());
    for request in [FeedRequest::new(UserId(3), 10), FeedRequest::new(UserId(0), 0)] {
        let err = engine.recommend(&request).unwrap_err();
        assert!(matches!(err, EngineError::InvalidRequest { .. }), "{request:?}: {err}");
    }
}
