//! ANN quality: recall of an approximate engine against an exact one, and
//! the index reachability an engine reports.
//!
//! Two recalls are computed for each query, over the top k of both lists:
//!
//! - **id overlap**, |approx ∩ exact| / k: what qdrant's vector-db-benchmark
//!   and hnsw_rs' examples report. A different item with a score equal to the
//!   k-th exact one is a miss.
//! - **ann-benchmarks' k-nn recall** (`knn_threshold` in
//!   `ann_benchmarks/plotting/metrics.py`): an approximate hit counts if its
//!   distance is at most d_k + ε, where d_k is the true k-th distance and ε
//!   defaults to 1e-3. Ties with the k-th item are credited (ann-benchmarks
//!   #176).
//!
//! Engines return inner-product *scores*, higher is better; a score becomes a
//! distance as 1 − score (see [`score_distance`]). Because ε is added, not
//! multiplied, any conversion "constant − score" gives the same verdict, so
//! the choice matters only for the distances shown.
//!
//! ann-benchmarks recomputes each returned point's distance from its vector;
//! here the approximate list's own scores are used, so they must be the true
//! scores of its items — as for HNSW, which scores the points it returns
//! exactly (the interest and exact engines both use the same `dot`).
//!
//! ann-benchmarks lets a list that repeats the nearest point k times score
//! 100 % (#519). Here a repeated item in either list is an error.
//!
//! When the exact list holds fewer than k items (a catalogue smaller than k),
//! both recalls are taken over its length, so a perfect answer still scores 1.

use std::collections::HashSet;

use rayon::prelude::*;
use searchrec_datasets::UserId;
use searchrec_engine::{Engine, EngineReport, FeedRequest, Hit};
use serde::{Deserialize, Serialize};

use crate::{HarnessError, Result};

/// ann-benchmarks' ε: a hit within the true k-th distance + 1e-3 counts.
pub const DEFAULT_EPSILON: f64 = 1e-3;

/// The [`EngineReport::diagnostics`] key under which the interest engine
/// reports the fraction of its items the HNSW graph can reach.
pub const REACHABILITY: &str = "reachability";

/// The distance of a score: 1 − score, the cosine distance for unit vectors
/// (ann-benchmarks' "angular" metric). Computed in f64, where it is exact for
/// every f32 score of magnitude ≥ 2⁻²⁹, so equal scores give equal distances.
pub fn score_distance(score: f32) -> f64 {
    1.0 - f64::from(score)
}

/// Both recalls of one query.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueryRecall {
    /// |approx ∩ exact| / k.
    pub overlap: f64,
    /// ann-benchmarks' threshold recall: approximate hits within d_k + ε, / k.
    pub ann_benchmarks: f64,
}

/// Recall id overlap: the share of the exact top k found in the approximate
/// top k.
pub fn overlap_recall(approx: &[Hit], exact: &[Hit], k: usize) -> Result<f64> {
    let (approx, exact) = top_k(approx, exact, k)?;
    let truth: HashSet<_> = exact.iter().map(|h| h.item).collect();
    Ok(approx.iter().filter(|h| truth.contains(&h.item)).count() as f64 / exact.len() as f64)
}

/// Recall as ann-benchmarks defines it: the share of the approximate top k
/// whose distance is within the true k-th distance + `epsilon`.
pub fn ann_benchmarks_recall(approx: &[Hit], exact: &[Hit], k: usize, epsilon: f64) -> Result<f64> {
    check_epsilon(epsilon)?;
    let (approx, exact) = top_k(approx, exact, k)?;
    // `top_k` refuses an empty exact list, so there is a k-th hit.
    let Some(kth) = exact.last() else { return Err(invalid("exact list", "it is empty")) };
    let threshold = score_distance(kth.score) + epsilon;
    Ok(approx.iter().filter(|h| score_distance(h.score) <= threshold).count() as f64 / exact.len() as f64)
}

/// Both recalls of one query.
pub fn query_recall(approx: &[Hit], exact: &[Hit], k: usize, epsilon: f64) -> Result<QueryRecall> {
    Ok(QueryRecall {
        overlap: overlap_recall(approx, exact, k)?,
        ann_benchmarks: ann_benchmarks_recall(approx, exact, k, epsilon)?,
    })
}

/// Recall over a set of queries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnnRecall {
    /// The cut-off.
    pub k: usize,
    /// The ann-benchmarks ε used.
    pub epsilon: f64,
    /// One entry per query, in the order the queries were given.
    pub per_query: Vec<QueryRecall>,
    /// Both recalls averaged over the queries (ann-benchmarks' mean).
    pub mean: QueryRecall,
}

impl AnnRecall {
    /// Averages per-query recalls; an empty set is refused, since its mean
    /// would be 0/0.
    pub fn from_queries(k: usize, epsilon: f64, per_query: Vec<QueryRecall>) -> Result<AnnRecall> {
        if per_query.is_empty() {
            return Err(invalid("queries", "no query to average recall over"));
        }
        let n = per_query.len() as f64;
        let mean = QueryRecall {
            overlap: per_query.iter().map(|q| q.overlap).sum::<f64>() / n,
            ann_benchmarks: per_query.iter().map(|q| q.ann_benchmarks).sum::<f64>() / n,
        };
        Ok(AnnRecall { k, epsilon, per_query, mean })
    }
}

/// Recall@k of `approx`'s feeds against `exact`'s for every user, both asked
/// the same context-free [`FeedRequest`]. Users are served in parallel;
/// `per_query` keeps their order. An engine error aborts the measurement:
/// a recall with missing queries would not be comparable.
pub fn feed_recall(
    approx: &dyn Engine,
    exact: &dyn Engine,
    users: &[UserId],
    k: usize,
    epsilon: f64,
) -> Result<AnnRecall> {
    check_k(k)?;
    check_epsilon(epsilon)?;
    if users.is_empty() {
        return Err(invalid("users", "no user to measure recall for"));
    }
    let per_query = users
        .par_iter()
        .map(|&user| {
            let request = FeedRequest::new(user, k);
            let found = approx.recommend(&request)?;
            let truth = exact.recommend(&request)?;
            query_recall(&found, &truth, k, epsilon)
        })
        .collect::<Result<Vec<_>>>()?;
    AnnRecall::from_queries(k, epsilon, per_query)
}

/// The reachability an engine reports (the interest engine: the share of
/// items its HNSW graph returns when searched with their own vector), or
/// `None` when the engine reports none.
pub fn reachability(report: &EngineReport) -> Option<f64> {
    report.diagnostics.get(REACHABILITY).copied()
}

/// The top k of both lists, after checking them. Both are cut to the exact
/// list's length when it is shorter than k.
fn top_k<'a>(approx: &'a [Hit], exact: &'a [Hit], k: usize) -> Result<(&'a [Hit], &'a [Hit])> {
    check_k(k)?;
    check_list("approximate list", approx)?;
    check_list("exact list", exact)?;
    if exact.is_empty() {
        return Err(invalid("exact list", "it is empty, so there is nothing to recall"));
    }
    let k = k.min(exact.len());
    Ok((&approx[..k.min(approx.len())], &exact[..k]))
}

/// Refuses repeated items (the k-copies loophole) and non-finite scores,
/// which no distance threshold can judge.
fn check_list(what: &str, hits: &[Hit]) -> Result<()> {
    let mut seen = HashSet::with_capacity(hits.len());
    for hit in hits {
        if !seen.insert(hit.item) {
            return Err(invalid(
                what,
                &format!("item {} appears more than once; a duplicate cannot count twice", hit.item),
            ));
        }
        if !hit.score.is_finite() {
            return Err(invalid(what, &format!("item {} has score {}", hit.item, hit.score)));
        }
    }
    Ok(())
}

fn check_k(k: usize) -> Result<()> {
    if k == 0 {
        return Err(invalid("k", "recall@0 is undefined; k must be at least 1"));
    }
    Ok(())
}

fn check_epsilon(epsilon: f64) -> Result<()> {
    if !(epsilon.is_finite() && epsilon >= 0.0) {
        return Err(invalid("epsilon", &format!("must be a finite number ≥ 0, not {epsilon}")));
    }
    Ok(())
}

fn invalid(what: &str, message: &str) -> HarnessError {
    HarnessError::Invalid { what: what.to_string(), message: message.to_string() }
}

#[cfg(test)]
mod tests {
    use searchrec_datasets::ItemId;
    use searchrec_engine::{Capabilities, EngineError, SearchRequest};

    use super::*;

    fn hits(list: &[(u32, f32)]) -> Vec<Hit> {
        list.iter().map(|&(item, score)| Hit { item: ItemId(item), score }).collect()
    }

    fn what(error: HarnessError) -> String {
        match error {
            HarnessError::Invalid { what, .. } => what,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    const EXACT: &[(u32, f32)] = &[(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6)];

    #[test]
    fn identical_and_missing_hits() {
        let exact = hits(EXACT);
        let same = query_recall(&exact, &exact, 3, DEFAULT_EPSILON).unwrap();
        assert_eq!(same, QueryRecall { overlap: 1.0, ann_benchmarks: 1.0 });
        // Item 3 missed, item 9 (farther than the 3rd) found instead: both give 2/3.
        let approx = hits(&[(1, 0.9), (2, 0.8), (9, 0.5)]);
        let r = query_recall(&approx, &exact, 3, DEFAULT_EPSILON).unwrap();
        assert_eq!(r, QueryRecall { overlap: 2.0 / 3.0, ann_benchmarks: 2.0 / 3.0 });
        // Hits past k are ignored; a short list scores what it has over k.
        let long = hits(&[(1, 0.9), (9, 0.5), (2, 0.8), (3, 0.7)]);
        assert_eq!(overlap_recall(&long, &exact, 2).unwrap(), 0.5);
        assert_eq!(overlap_recall(&exact[..1], &exact, 4).unwrap(), 0.25);
        assert_eq!(ann_benchmarks_recall(&[], &exact, 4, DEFAULT_EPSILON).unwrap(), 0.0);
    }

    #[test]
    fn ties_count_under_ann_benchmarks_but_not_id_overlap() {
        // Item 7 scores exactly the 3rd exact score (the exact engine put the
        // lower id first): a true 3-NN, but not the listed one.
        let exact = hits(EXACT);
        let approx = hits(&[(1, 0.9), (2, 0.8), (7, 0.7)]);
        let r = query_recall(&approx, &exact, 3, DEFAULT_EPSILON).unwrap();
        assert_eq!(r, QueryRecall { overlap: 2.0 / 3.0, ann_benchmarks: 1.0 });
        // Even with no slack at all.
        assert_eq!(ann_benchmarks_recall(&approx, &exact, 3, 0.0).unwrap(), 1.0);
    }

    #[test]
    fn epsilon_is_the_slack_past_the_kth_distance() {
        let exact = hits(EXACT);
        let near = hits(&[(1, 0.9), (2, 0.8), (7, 0.6995)]);
        let far = hits(&[(1, 0.9), (2, 0.8), (7, 0.698)]);
        assert_eq!(ann_benchmarks_recall(&near, &exact, 3, DEFAULT_EPSILON).unwrap(), 1.0);
        assert_eq!(ann_benchmarks_recall(&near, &exact, 3, 0.0).unwrap(), 2.0 / 3.0);
        assert_eq!(ann_benchmarks_recall(&far, &exact, 3, DEFAULT_EPSILON).unwrap(), 2.0 / 3.0);
        assert_eq!(ann_benchmarks_recall(&far, &exact, 3, 0.01).unwrap(), 1.0);
        assert_eq!(score_distance(0.25), 0.75);
    }

    #[test]
    fn the_nearest_item_repeated_k_times_is_refused() {
        // ann-benchmarks would score this 100 % (#519).
        let exact = hits(EXACT);
        let repeated = hits(&[(1, 0.9), (1, 0.9), (1, 0.9)]);
        let error = ann_benchmarks_recall(&repeated, &exact, 3, DEFAULT_EPSILON).unwrap_err();
        assert!(error.to_string().contains("more than once"), "{error}");
        assert_eq!(what(error), "approximate list");
        assert_eq!(what(overlap_recall(&repeated, &exact, 3).unwrap_err()), "approximate list");
        assert_eq!(what(overlap_recall(&exact, &repeated, 3).unwrap_err()), "exact list");
    }

    #[test]
    fn bad_input_is_invalid() {
        let exact = hits(EXACT);
        assert_eq!(what(overlap_recall(&exact, &exact, 0).unwrap_err()), "k");
        assert_eq!(what(overlap_recall(&exact, &[], 3).unwrap_err()), "exact list");
        assert_eq!(what(overlap_recall(&hits(&[(1, f32::NAN)]), &exact, 3).unwrap_err()), "approximate list");
        for epsilon in [-1e-3, f64::NAN, f64::INFINITY] {
            assert_eq!(what(ann_benchmarks_recall(&exact, &exact, 3, epsilon).unwrap_err()), "epsilon");
        }
        assert_eq!(what(AnnRecall::from_queries(3, 0.0, Vec::new()).unwrap_err()), "queries");
    }

    #[test]
    fn a_short_exact_list_is_the_whole_truth() {
        // A catalogue of 2 items asked for k = 10: finding both is perfect.
        let exact = hits(&EXACT[..2]);
        assert_eq!(query_recall(&exact, &exact, 10, DEFAULT_EPSILON).unwrap().overlap, 1.0);
        assert_eq!(query_recall(&exact[..1], &exact, 10, DEFAULT_EPSILON).unwrap().ann_benchmarks, 0.5);
    }

    /// Feeds of the items `0..k` scored 1 − i/100; `drop_top_for` users get
    /// item 0 replaced by a far item; `users` bounds the known users.
    struct Feeds {
        drop_top_for: fn(u32) -> bool,
        users: u32,
    }

    impl Engine for Feeds {
        fn name(&self) -> &str {
            "feeds"
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities { recommend: true, ..Capabilities::default() }
        }
        fn search(&self, _: &SearchRequest<'_>) -> searchrec_engine::Result<Vec<Hit>> {
            Err(EngineError::Unsupported { engine: "feeds".into(), operation: "search" })
        }
        fn recommend(&self, request: &FeedRequest<'_>) -> searchrec_engine::Result<Vec<Hit>> {
            searchrec_engine::check_user("feeds", request.user, self.users as usize)?;
            let mut list: Vec<Hit> =
                (0..request.k as u32).map(|i| Hit { item: ItemId(i), score: 1.0 - i as f32 / 100.0 }).collect();
            if (self.drop_top_for)(request.user.0) {
                list.remove(0);
                list.push(Hit { item: ItemId(1_000), score: 0.0 });
            }
            Ok(list)
        }
        fn report(&self) -> EngineReport {
            EngineReport::default()
        }
    }

    #[test]
    fn feed_recall_is_per_user_and_in_order() {
        let exact = Feeds { drop_top_for: |_| false, users: 64 };
        let approx = Feeds { drop_top_for: |u| u % 4 == 1, users: 64 };
        let users: Vec<UserId> = (0..64).map(UserId).collect();
        let r = feed_recall(&approx, &exact, &users, 10, DEFAULT_EPSILON).unwrap();
        assert_eq!(r.per_query.len(), 64);
        for (u, q) in r.per_query.iter().enumerate() {
            let expected = if u % 4 == 1 { 0.9 } else { 1.0 };
            assert_eq!((q.overlap, q.ann_benchmarks), (expected, expected), "user {u}");
        }
        assert!(
            (r.mean.overlap - 0.975).abs() < 1e-12 && (r.mean.ann_benchmarks - 0.975).abs() < 1e-12,
            "{:?}",
            r.mean
        );

        let json = serde_json::to_string(&r).unwrap();
        let back: AnnRecall = serde_json::from_str(&json).unwrap();
        assert_eq!((back.k, back.per_query.len()), (10, 64));
        assert!((back.mean.overlap - r.mean.overlap).abs() < 1e-12);

        // An engine error is reported, not averaged over.
        let unknown: Vec<UserId> = vec![UserId(3), UserId(64)];
        let error = feed_recall(&approx, &exact, &unknown, 10, DEFAULT_EPSILON).unwrap_err();
        assert!(matches!(error, HarnessError::Engine(EngineError::InvalidRequest { .. })), "{error:?}");
        assert_eq!(what(feed_recall(&approx, &exact, &[], 10, DEFAULT_EPSILON).unwrap_err()), "users");
        assert_eq!(what(feed_recall(&approx, &exact, &users, 0, DEFAULT_EPSILON).unwrap_err()), "k");
    }

    #[test]
    fn reachability_is_read_from_the_report() {
        let mut report = EngineReport::default();
        assert_eq!(reachability(&report), None);
        report.diagnostics.insert(REACHABILITY.to_string(), 0.998);
        assert_eq!(reachability(&report), Some(0.998));
    }
}
