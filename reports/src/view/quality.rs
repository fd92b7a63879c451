//! Retrieval quality: the mean-metric table per query set with significance
//! marks against the baseline, the significance tests themselves, ANN recall,
//! and example answers.

use searchrec_harness::MeanMetrics;
use searchrec_harness::results::{Results, Significance};
use serde::Serialize;

use crate::format;

/// Significance level of the table's marks (two-sided).
const ALPHA: f64 = 0.05;

/// The quality section.
#[derive(Debug, Serialize)]
pub(crate) struct QualityView {
    columns: Vec<String>,
    groups: Vec<Group>,
    baseline: Option<String>,
    alpha: String,
    significance: Vec<SignificanceRow>,
    ann: Vec<AnnRow>,
    examples: Vec<ExampleRow>,
}

#[derive(Debug, Serialize)]
struct Group {
    query_set: String,
    rows: Vec<Row>,
}

#[derive(Debug, Serialize)]
struct Row {
    engine: String,
    baseline: bool,
    queries: String,
    cells: Vec<Cell>,
}

#[derive(Debug, Serialize)]
struct Cell {
    text: String,
    /// `▲` / `▼` when the engine differs from the baseline at [`ALPHA`], else empty.
    mark: &'static str,
    /// What the mark means, for its tooltip.
    mark_title: String,
    /// The best value of its column within the query set.
    best: bool,
}

#[derive(Debug, Serialize)]
struct SignificanceRow {
    engine: String,
    baseline: String,
    query_set: String,
    metric: String,
    difference: String,
    t_test_p: String,
    randomisation_p: String,
    significant: bool,
}

#[derive(Debug, Serialize)]
struct AnnRow {
    engine: String,
    k: usize,
    users: String,
    against: String,
    overlap: String,
    ann_benchmarks: String,
    epsilon: String,
    reachability: String,
}

#[derive(Debug, Serialize)]
struct ExampleRow {
    engine: String,
    request: String,
    input: String,
    titles: Vec<String>,
}

/// One column of the quality table.
struct Column {
    heading: String,
    get: fn(&MeanMetrics) -> f64,
    /// The names a significance test may give the same metric (`ndcg@k`, `ndcg_at_k`, …).
    names: &'static [&'static str],
}

fn columns(k: usize) -> [Column; 6] {
    let col =
        |heading: String, get: fn(&MeanMetrics) -> f64, names: &'static [&'static str]| Column { heading, get, names };
    [
        col(format!("nDCG@{k}"), |m| m.ndcg_at_k, &["ndcg@k", "ndcg_at_k", "ndcg_cut"]),
        col("nDCG".into(), |m| m.ndcg, &["ndcg"]),
        col(format!("Recall@{k}"), |m| m.recall_at_k, &["recall@k", "recall_at_k", "recall"]),
        col(format!("MRR@{k}"), |m| m.mrr_at_k, &["mrr@k", "mrr_at_k", "mrr", "recip_rank"]),
        col(format!("Success@{k}"), |m| m.success_at_k, &["success@k", "success_at_k", "success"]),
        col("MAP".into(), |m| m.map, &["map", "average_precision"]),
    ]
}

/// Normalises a significance test's metric name: lower case, `@<digits>` → `@k`.
fn metric_key(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.split_once('@') {
        Some((base, cut)) if cut.chars().all(|c| c.is_ascii_digit()) => format!("{base}@k"),
        _ => lower,
    }
}

impl QualityView {
    pub(super) fn new(r: &Results) -> QualityView {
        let k = r.evaluation.k;
        let cols = columns(k);
        let baseline = r.evaluation.baseline.clone();

        // Query sets in the scenario's order, then any others in engine order.
        let mut sets: Vec<String> = r.evaluation.query_sets.iter().map(|s| s.name.clone()).collect();
        for q in r.engines.iter().flat_map(|e| &e.quality) {
            if !sets.contains(&q.query_set) {
                sets.push(q.query_set.clone());
            }
        }
        let groups = sets
            .iter()
            .filter_map(|set| {
                let rows: Vec<(&str, &MeanMetrics)> = r
                    .engines
                    .iter()
                    .flat_map(|e| {
                        e.quality.iter().filter(|q| &q.query_set == set).map(move |q| (e.id.as_str(), &q.mean))
                    })
                    .collect();
                if rows.is_empty() {
                    return None;
                }
                let best: Vec<f64> = cols
                    .iter()
                    .map(|c| rows.iter().map(|(_, m)| (c.get)(m)).filter(|v| v.is_finite()).fold(f64::NAN, f64::max))
                    .collect();
                let rows = rows
                    .iter()
                    .map(|(engine, mean)| Row {
                        engine: engine.to_string(),
                        baseline: baseline.as_deref() == Some(*engine),
                        queries: format::count(mean.queries as u64),
                        cells: cols
                            .iter()
                            .zip(&best)
                            .map(|(c, best)| {
                                let v = (c.get)(mean);
                                let test = find_test(&r.significance, engine, set, c.names);
                                let (mark, mark_title) = mark(test);
                                Cell {
                                    text: format::fixed(v, 4),
                                    mark,
                                    mark_title,
                                    best: v == *best && rows_len_gt1(r, set),
                                }
                            })
                            .collect(),
                    })
                    .collect();
                Some(Group { query_set: set.clone(), rows })
            })
            .collect();

        QualityView {
            columns: cols.iter().map(|c| c.heading.clone()).collect(),
            groups,
            baseline,
            alpha: format::fixed(ALPHA, 2),
            significance: r.significance.iter().map(significance_row).collect(),
            ann: r
                .engines
                .iter()
                .filter_map(|e| e.ann.as_ref().map(|a| (e, a)))
                .map(|(e, a)| AnnRow {
                    engine: e.id.clone(),
                    k: a.k,
                    users: format::count(a.users as u64),
                    against: a.against.clone(),
                    overlap: format::fixed(a.overlap, 4),
                    ann_benchmarks: format::fixed(a.ann_benchmarks, 4),
                    epsilon: format::short(a.epsilon),
                    reachability: a.reachability.map_or_else(|| format::MISSING.into(), |v| format::percent(v, 1)),
                })
                .collect(),
            examples: r
                .engines
                .iter()
                .flat_map(|e| {
                    e.examples.iter().map(|x| ExampleRow {
                        engine: e.id.clone(),
                        request: x.request.clone(),
                        input: x.input.clone(),
                        titles: x.titles.clone(),
                    })
                })
                .collect(),
        }
    }
}

/// Whether more than one engine has a row for the query set (a "best" of one is no news).
fn rows_len_gt1(r: &Results, set: &str) -> bool {
    r.engines.iter().filter(|e| e.quality.iter().any(|q| q.query_set == set)).count() > 1
}

fn find_test<'a>(tests: &'a [Significance], engine: &str, set: &str, names: &[&str]) -> Option<&'a Significance> {
    tests.iter().find(|t| t.engine == engine && t.query_set == set && names.contains(&metric_key(&t.metric).as_str()))
}

fn mark(test: Option<&Significance>) -> (&'static str, String) {
    match test {
        Some(t) if t.randomisation_p < ALPHA && t.mean_difference != 0.0 => {
            let (mark, word) = if t.mean_difference > 0.0 { ("▲", "better") } else { ("▼", "worse") };
            let title = format!(
                "{word} than {} (mean difference {}, randomisation p = {})",
                t.baseline,
                format::signed(t.mean_difference),
                format::fixed(t.randomisation_p, 4)
            );
            (mark, title)
        }
        _ => ("", String::new()),
    }
}

fn significance_row(t: &Significance) -> SignificanceRow {
    SignificanceRow {
        engine: t.engine.clone(),
        baseline: t.baseline.clone(),
        query_set: t.query_set.clone(),
        metric: t.metric.clone(),
        difference: format::signed(t.mean_difference),
        t_test_p: format::fixed(t.t_test_p, 4),
        randomisation_p: format::fixed(t.randomisation_p, 4),
        significant: t.randomisation_p < ALPHA,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_match_whatever_the_cut_off() {
        assert_eq!(metric_key("nDCG@10"), "ndcg@k");
        assert_eq!(metric_key("recall@100"), "recall@k");
        assert_eq!(metric_key("map"), "map");
        assert_eq!(metric_key("x@y"), "x@y");
    }
}
