//! Hand-computed values for every metric and edge case, a property check
//! against a naive implementation, and the fixture exporter for
//! `scripts/trec_eval_check.py`.

use proptest::prelude::*;
use searchrec_datasets::ItemId;

use super::*;

const E: Grade = Grade::Exact;
const S: Grade = Grade::Substitute;
const C: Grade = Grade::Complement;
const I: Grade = Grade::Irrelevant;

/// Gains equal to the qrels levels, so trec_eval's `ndcg_cut` on plain
/// qrels is the reference and hand computation stays readable.
const LEVEL_GAINS: Gains = Gains { exact: 3.0, substitute: 2.0, complement: 1.0, irrelevant: 0.0 };

fn settings(k: usize) -> MetricSettings {
    MetricSettings { k, relevant_from: Grade::Complement, gains: LEVEL_GAINS }
}

fn qrels(rows: &[(u32, u32, Grade)]) -> Qrels {
    let mut judgements: Vec<Judgement> =
        rows.iter().map(|&(q, i, grade)| Judgement { query: QueryId(q), item: ItemId(i), grade }).collect();
    judgements.sort_unstable_by_key(|j| (j.query, j.item));
    Qrels { judgements }
}

/// Hits in rank order, all with the same score: order, not score, counts.
fn hits(items: &[u32]) -> Vec<Hit> {
    items.iter().map(|&i| Hit { item: ItemId(i), score: 1.0 }).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// Query 1 judges item 1 E, 2 S, 3 C and 4 Irrelevant.
fn graded() -> Qrels {
    qrels(&[(1, 1, E), (1, 2, S), (1, 3, C), (1, 4, I)])
}

#[test]
fn hand_computed_values() {
    let q = graded();
    // Ranks: 1 unjudged, 2 Exact, 3 Complement; k = 2.
    let m = score_query(QueryId(1), &hits(&[5, 1, 3]), q.of(QueryId(1)), &settings(2)).unwrap();
    let l3 = 3f64.log2();
    // DCG@2 = 3/log2(3); IDCG@2 = 3/log2(2) + 2/log2(3).
    assert!(close(m.ndcg_at_k, (3.0 / l3) / (3.0 + 2.0 / l3)));
    assert!(close(m.ndcg_at_k, 0.444_122_866_448_797_84));
    // Full list: DCG = 3/log2(3) + 1/log2(4); IDCG = 3 + 2/log2(3) + 1/log2(4).
    assert!(close(m.ndcg, (3.0 / l3 + 0.5) / (3.0 + 2.0 / l3 + 0.5)));
    assert!(close(m.ndcg, 0.502_490_520_168_670_5));
    // Relevant = E, S, C (3); the Irrelevant judgement counts as judged only.
    assert_eq!((m.judged, m.relevant, m.retrieved), (4, 3, 3));
    assert!(close(m.recall_at_k, 1.0 / 3.0));
    assert!(close(m.mrr_at_k, 0.5));
    assert_eq!(m.success_at_k, 1.0);
    // AP = (1/2 + 2/3) / 3, over all three relevant items.
    assert!(close(m.average_precision, 0.388_888_888_888_888_9));
}

#[test]
fn threshold_changes_relevance_but_not_ndcg() {
    let q = graded();
    let exact_only = MetricSettings { relevant_from: Grade::Exact, ..settings(2) };
    let list = hits(&[5, 1, 3]);
    let m = score_query(QueryId(1), &list, q.of(QueryId(1)), &exact_only).unwrap();
    let all = score_query(QueryId(1), &list, q.of(QueryId(1)), &settings(2)).unwrap();
    assert_eq!(m.relevant, 1);
    assert!(close(m.recall_at_k, 1.0));
    assert!(close(m.average_precision, 0.5));
    assert_eq!((m.ndcg_at_k, m.ndcg), (all.ndcg_at_k, all.ndcg));
    // Relevant only from rank 3: beyond k = 2, so MRR@2 and Success@2 are 0,
    // while AP still sees it.
    let s = MetricSettings { relevant_from: Grade::Complement, ..settings(2) };
    let m = score_query(QueryId(1), &hits(&[5, 6, 3]), q.of(QueryId(1)), &s).unwrap();
    assert_eq!((m.mrr_at_k, m.success_at_k, m.recall_at_k), (0.0, 0.0, 0.0));
    assert!(close(m.average_precision, (1.0 / 3.0) / 3.0));
}

#[test]
fn ideal_follows_gains_not_grades() {
    // ESCI's script: S = 0.01, C = 0.1, so the ideal list is E, C, S.
    let esci = MetricSettings {
        k: 3,
        relevant_from: Grade::Complement,
        gains: Gains { exact: 1.0, substitute: 0.01, complement: 0.1, irrelevant: 0.0 },
    };
    let q = graded();
    let m = score_query(QueryId(1), &hits(&[3, 2, 1]), q.of(QueryId(1)), &esci).unwrap();
    let l3 = 3f64.log2();
    // DCG = 0.1 + 0.01/log2(3) + 1/2; IDCG = 1 + 0.1/log2(3) + 0.01/2.
    assert!(close(m.ndcg_at_k, (0.1 + 0.01 / l3 + 0.5) / (1.0 + 0.1 / l3 + 0.005)));
    assert!(close(m.ndcg_at_k, 0.567_655_917_157_379_2));
}

#[test]
fn queries_without_relevant_items_score_zero() {
    let q = qrels(&[(1, 1, E), (2, 7, I)]);
    let s = settings(10);
    // Query 2 has a judgement but nothing relevant; query 3 has no qrels.
    for query in [2, 3] {
        let m = score_query(QueryId(query), &hits(&[7, 1]), q.of(QueryId(query)), &s).unwrap();
        assert_eq!(
            (m.ndcg_at_k, m.ndcg, m.recall_at_k, m.mrr_at_k, m.success_at_k, m.average_precision),
            (0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
            "query {query}"
        );
        assert_eq!(m.relevant, 0);
    }
}

#[test]
fn policy_decides_which_queries_enter_the_means() {
    // Query 1 perfect, 2 judged but nothing retrieved, 3 unjudged.
    let q = qrels(&[(1, 1, E), (2, 2, E)]);
    let run = vec![(QueryId(1), hits(&[1])), (QueryId(2), hits(&[])), (QueryId(3), hits(&[9]))];
    let s = settings(10);
    let mean = |policy| evaluate(&q, &run, &s, policy).unwrap().mean;
    let judged = mean(QueryPolicy::Judged);
    assert_eq!((judged.queries, judged.ndcg_at_k, judged.map), (2, 0.5, 0.5));
    let retrieved = mean(QueryPolicy::JudgedAndRetrieved);
    assert_eq!((retrieved.queries, retrieved.ndcg_at_k, retrieved.recall_at_k), (1, 1.0, 1.0));
    let all = mean(QueryPolicy::All);
    assert_eq!(all.queries, 3);
    assert!(close(all.mrr_at_k, 1.0 / 3.0));
    // Per-query values are kept for every query, in run order.
    let e = evaluate(&q, &run, &s, QueryPolicy::Judged).unwrap();
    let ids: Vec<u32> = e.per_query.iter().map(|m| m.query.0).collect();
    assert_eq!(ids, vec![1, 2, 3]);
    assert_eq!(e.per_query[2].judged, 0);
    // Nothing to average is an error, not a NaN.
    let unjudged = vec![(QueryId(3), hits(&[9]))];
    assert!(evaluate(&q, &unjudged, &s, QueryPolicy::Judged).is_err());
}

#[test]
fn duplicate_item_is_an_error() {
    let q = graded();
    let err = score_query(QueryId(1), &hits(&[1, 2, 1]), q.of(QueryId(1)), &settings(10)).unwrap_err();
    assert!(matches!(&err, HarnessError::Invalid { .. }), "{err}");
    assert_eq!(err.to_string(), "run: query 1 lists item 1 twice");
    let run = vec![(QueryId(1), hits(&[3, 3]))];
    assert!(matches!(evaluate(&q, &run, &settings(10), QueryPolicy::Judged), Err(HarnessError::Invalid { .. })));
}

#[test]
fn ties_are_scored_in_the_given_order() {
    // Equal scores; the engine put S before E. We do not re-sort (trec_eval
    // would, by docno descending, giving 2 then 1 here by luck; with the
    // rank-derived scores of a run file it keeps the given order anyway).
    let q = graded();
    let s = settings(2);
    let se = score_query(QueryId(1), &hits(&[2, 1]), q.of(QueryId(1)), &s).unwrap();
    let es = score_query(QueryId(1), &hits(&[1, 2]), q.of(QueryId(1)), &s).unwrap();
    assert!(close(es.ndcg_at_k, 1.0));
    assert!(close(se.ndcg_at_k, (2.0 + 3.0 / 3f64.log2()) / (3.0 + 2.0 / 3f64.log2())));
    // Through a run file the order, and so the value, survives.
    let text = crate::trec_run::run_to_trec("r", &[(QueryId(1), hits(&[2, 1]))]).unwrap();
    let back = crate::trec_run::run_from_trec(&text, "run").unwrap();
    let again = score_query(QueryId(1), &back[0].1, q.of(QueryId(1)), &s).unwrap();
    assert_eq!(again.ndcg_at_k, se.ndcg_at_k);
}

#[test]
fn bad_input_is_an_error() {
    let q = graded();
    let run = vec![(QueryId(1), hits(&[1]))];
    let no_run: Vec<(QueryId, Vec<Hit>)> = Vec::new();
    let p = QueryPolicy::Judged;
    assert!(evaluate(&q, &run, &settings(0), p).is_err());
    assert!(evaluate(&q, &no_run, &settings(10), p).is_err());
    let twice = vec![(QueryId(1), hits(&[1])), (QueryId(1), hits(&[2]))];
    assert!(evaluate(&q, &twice, &settings(10), p).unwrap_err().to_string().contains("query 1 appears twice"));
    let unsorted = Qrels { judgements: q.judgements.iter().rev().copied().collect() };
    assert!(evaluate(&unsorted, &run, &settings(10), p).unwrap_err().to_string().contains("not sorted"));
    let mut repeated = q.clone();
    repeated.judgements.insert(0, repeated.judgements[0]);
    assert!(evaluate(&repeated, &run, &settings(10), p).unwrap_err().to_string().contains("twice"));
    let negative = MetricSettings { gains: Gains { substitute: -1.0, ..LEVEL_GAINS }, ..settings(10) };
    assert!(evaluate(&q, &run, &negative, p).is_err());
    let zero_threshold = MetricSettings { relevant_from: Grade::Irrelevant, ..settings(10) };
    assert!(evaluate(&q, &run, &zero_threshold, p).is_err());
    let other_query = qrels(&[(2, 1, E)]);
    assert!(score_query(QueryId(1), &hits(&[1]), &other_query.judgements, &settings(10)).is_err());
}

#[test]
fn json_has_settings_means_and_queries() {
    let q = graded();
    let run = vec![(QueryId(1), hits(&[5, 1, 3]))];
    let e = evaluate(&q, &run, &settings(2), QueryPolicy::Judged).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("metrics.json");
    write_metrics_json(&path, &e).unwrap();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["k"], 2);
    assert_eq!(v["relevant_from"], 1);
    assert_eq!(v["gains"]["3"], 3.0);
    assert_eq!(v["policy"], "judged");
    assert_eq!(v["mean"]["queries"], 1);
    assert_eq!(v["queries"][0]["query"], "1");
    // serde_json parses floats to within an ulp (no `float_roundtrip`).
    let ap = v["queries"][0]["average_precision"].as_f64().unwrap();
    assert!((ap - e.per_query[0].average_precision).abs() < 1e-15);
}

/// The metrics the straightforward way: sort the ideal gains, look items up
/// linearly. `evaluate` must agree to rounding.
fn naive(hits: &[u32], judged: &[(u32, Grade)], s: &MetricSettings) -> [f64; 6] {
    let gains = s.gain_table();
    let grade = |item: u32| judged.iter().find(|(i, _)| *i == item).map(|(_, g)| *g);
    let disc = |i: usize| ((i + 2) as f64).log2();
    let dcg = |n: usize| -> f64 {
        hits.iter()
            .take(n)
            .enumerate()
            .filter_map(|(i, &h)| grade(h).map(|g| gains[g.level() as usize] / disc(i)))
            .sum()
    };
    let mut ideal: Vec<f64> = judged.iter().map(|(_, g)| gains[g.level() as usize]).collect();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg = |n: usize| -> f64 { ideal.iter().take(n).enumerate().map(|(i, g)| g / disc(i)).sum() };
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let is_rel = |h: u32| grade(h).is_some_and(|g| g >= s.relevant_from);
    let relevant = judged.iter().filter(|(_, g)| *g >= s.relevant_from).count() as f64;
    let rel_at_k = hits.iter().take(s.k).filter(|&&h| is_rel(h)).count() as f64;
    let first = hits.iter().position(|&h| is_rel(h));
    let mut seen = 0.0;
    let mut ap = 0.0;
    for (i, &h) in hits.iter().enumerate() {
        if is_rel(h) {
            seen += 1.0;
            ap += seen / (i + 1) as f64;
        }
    }
    [
        ratio(dcg(s.k), idcg(s.k)),
        ratio(dcg(usize::MAX), idcg(usize::MAX)),
        ratio(rel_at_k, relevant),
        first.filter(|&i| i < s.k).map_or(0.0, |i| 1.0 / (i + 1) as f64),
        if rel_at_k > 0.0 { 1.0 } else { 0.0 },
        ratio(ap, relevant),
    ]
}

fn grade_strategy() -> impl Strategy<Value = Grade> {
    prop_oneof![Just(I), Just(C), Just(S), Just(E)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn agrees_with_a_naive_implementation(
        judged in proptest::collection::btree_map(0u32..40, grade_strategy(), 0..25),
        hits_set in proptest::collection::vec(0u32..40, 0..30),
        k in 1usize..15,
        threshold in prop_oneof![Just(C), Just(S), Just(E)],
        swap in any::<bool>(),
    ) {
        let mut seen = std::collections::HashSet::new();
        let list: Vec<u32> = hits_set.into_iter().filter(|h| seen.insert(*h)).collect();
        let gains = if swap {
            Gains { exact: 1.0, substitute: 0.01, complement: 0.1, irrelevant: 0.0 }
        } else {
            Gains::default()
        };
        let s = MetricSettings { k, relevant_from: threshold, gains };
        let rows: Vec<(u32, u32, Grade)> = judged.iter().map(|(&i, &g)| (0, i, g)).collect();
        let q = qrels(&rows);
        let e = evaluate(&q, &[(QueryId(0), hits(&list))], &s, QueryPolicy::All).unwrap();
        let m = e.per_query[0];
        let got = [m.ndcg_at_k, m.ndcg, m.recall_at_k, m.mrr_at_k, m.success_at_k, m.average_precision];
        let judged: Vec<(u32, Grade)> = judged.into_iter().collect();
        let want = naive(&list, &judged, &s);
        for (g, w) in got.iter().zip(want) {
            prop_assert!((g - w).abs() < 1e-12, "{:?} vs {:?}", got, want);
        }
    }
}

/// Writes `qrels.txt`, `run.txt` and `metrics.json` into
/// `$SEARCHREC_TREC_CHECK_DIR` for `scripts/trec_eval_check.py`: random
/// graded qrels with queries that have no relevant item, no qrels, or an
/// empty list, runs shorter and longer than k, unjudged items, ESCI gains.
/// Ignored: it is a tool, run on demand (see the script's docstring).
#[test]
#[ignore = "writes the trec_eval_check.py fixture; needs SEARCHREC_TREC_CHECK_DIR"]
fn export_trec_eval_check_fixture() {
    use rand::{RngExt, SeedableRng};
    let dir = std::path::PathBuf::from(
        std::env::var_os("SEARCHREC_TREC_CHECK_DIR").expect("set SEARCHREC_TREC_CHECK_DIR to an existing folder"),
    );
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
    let grades = [I, C, S, E];
    let mut rows = Vec::new();
    let mut run = Vec::new();
    for query in 0..500u32 {
        // Every 50th query has no qrels at all; every 7th judges only Irrelevant.
        if query % 50 != 0 {
            for item in 0..200u32 {
                if rng.random_range(0..10) == 0 {
                    let grade = if query % 7 == 0 { I } else { grades[rng.random_range(0..4)] };
                    rows.push((query, item, grade));
                }
            }
        }
        // Every 40th query retrieves nothing (no line in the run file).
        let len = if query % 40 == 1 { 0 } else { rng.random_range(1..60) };
        let mut items: Vec<u32> = (0..200).collect();
        for i in 0..len {
            let j = rng.random_range(i..200);
            items.swap(i, j);
        }
        items.truncate(len);
        run.push((QueryId(query), hits(&items)));
    }
    let q = qrels(&rows);
    let s = MetricSettings {
        k: 10,
        relevant_from: Grade::Substitute,
        gains: Gains { exact: 1.0, substitute: 0.01, complement: 0.1, irrelevant: 0.0 },
    };
    let e = evaluate(&q, &run, &s, QueryPolicy::Judged).unwrap();
    std::fs::write(dir.join("qrels.txt"), searchrec_datasets::io::qrels_to_trec(&q.judgements)).unwrap();
    crate::trec_run::write_run(&dir.join("run.txt"), "fixture", &run).unwrap();
    write_metrics_json(&dir.join("metrics.json"), &e).unwrap();
}
