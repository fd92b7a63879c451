//! The interest engine's HNSW index against exact search over the same vectors.

use searchrec_datasets::UserId;
use searchrec_engine::FeedRequest;

use crate::fixtures::{engine, world};

#[test]
fn interest_index_reaches_exact_recall_at_default_parameters() {
    let (ann, exact) = (engine("interest"), engine("exact"));
    let users = world().observable.users.len() as u32;
    let (mut found, mut total) = (0usize, 0usize);
    for u in (0..users).step_by(10) {
        let request = FeedRequest::new(UserId(u), 10);
        let truth: Vec<_> = exact.recommend(&request).unwrap().iter().map(|h| h.item).collect();
        let got = ann.recommend(&request).unwrap();
        found += got.iter().filter(|h| truth.contains(&h.item)).count();
        total += truth.len();
    }
    let recall = found as f64 / total as f64;
    let reachability = ann.report().diagnostics["reachability"];
    eprintln!("interest recall@10 vs exact: {recall:.4}; reachability {reachability:.4}");
    assert!(recall >= 0.95, "recall@10 {recall:.4}");
    assert!((0.0..=1.0).contains(&reachability));
}
