//! The feed is the interest engine's, with pgvector finding the items.

use std::collections::HashSet;

use searchrec_datasets::UserId;
use searchrec_engine::{Engine, EngineFactory, FeedRequest};
use searchrec_interest::InterestFactory;
use searchrec_postgres::PostgresFactory;

use crate::server::TestServer;
use crate::world::{input, params};

/// Mean share of `reference`'s top 10 that `engine` finds, over the users,
/// and a check that the scores of shared items are bit for bit the same.
fn recall_at_10(engine: &dyn Engine, reference: &dyn Engine) -> f64 {
    let users = input().users.len().min(100);
    let mut found = 0usize;
    let mut wanted = 0usize;
    for user in 0..users {
        let request = FeedRequest::new(UserId(user as u32), 10);
        let mine = engine.recommend(&request).expect("answers");
        let truth = reference.recommend(&request).expect("answers");
        let truth_ids: HashSet<_> = truth.iter().map(|h| h.item).collect();
        for hit in &mine {
            if let Some(t) = truth.iter().find(|t| t.item == hit.item) {
                assert_eq!(hit.score.to_bits(), t.score.to_bits(), "user {user}, item {}", hit.item);
            }
        }
        found += mine.iter().filter(|h| truth_ids.contains(&h.item)).count();
        wanted += truth.len();
    }
    found as f64 / wanted.max(1) as f64
}

#[test]
fn exact_and_hnsw_feeds_match_the_interest_engines_exact_feed() {
    let server = TestServer::shared();
    let exact =
        InterestFactory.build("interest-exact", &toml::from_str("index = \"exact\"").unwrap(), input()).unwrap();
    let pg_exact = PostgresFactory.build("pg-exact", &params(server.url(), "index = \"exact\""), input()).unwrap();
    let recall = recall_at_10(pg_exact.as_ref(), exact.as_ref());
    assert!(recall >= 0.99, "exact scan on the server: recall@10 {recall}");
    let pg_hnsw = PostgresFactory
        .build("pg-hnsw", &params(server.url(), "[hnsw]\nm = 8\nef_construction = 32\nef_search = 40"), input())
        .unwrap();
    let recall = recall_at_10(pg_hnsw.as_ref(), exact.as_ref());
    assert!(recall >= 0.9, "HNSW on the server: recall@10 {recall}");
}
