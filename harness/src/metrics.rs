//! Retrieval quality per query, with trec_eval's semantics.
//!
//! Every value equals the trec_eval measure named below on the same qrels
//! and on the run file [`crate::trec_run`] writes (`scripts/trec_eval_check.py`
//! checks this through pytrec_eval to 1e-6):
//!
//! | field | trec_eval measure | notes |
//! |---|---|---|
//! | [`QueryMetrics::ndcg_at_k`] | `ndcg_cut.k` | linear gain, log2(rank + 1) discount, ideal from the judgements cut at k; trec_eval takes the gains from the qrels' rel values, so write `rel = gain × scale` there (nDCG is scale-free) |
//! | [`QueryMetrics::ndcg`] | `ndcg` | the same over the whole list and every judgement |
//! | [`QueryMetrics::recall_at_k`] | `recall.k` | relevant retrieved in the top k / all relevant |
//! | [`QueryMetrics::mrr_at_k`] | `recip_rank` on the top k | trec_eval's `recip_rank` has no cutoff: it equals ours on a run cut to k |
//! | [`QueryMetrics::average_precision`] | `map` | whole list, divided by *all* relevant, retrieved or not |
//! | [`QueryMetrics::success_at_k`] | `success.k` | 1 if any relevant item is in the top k |
//!
//! Conventions:
//! - **Relevance** for recall, MRR, AP and success is `grade ≥ relevant_from`
//!   (trec_eval `-l`, whose default 1 is [`Grade::Complement`]). nDCG ignores
//!   the threshold, as trec_eval does: every positive gain counts.
//! - **Unjudged items** have gain 0 and are not relevant.
//! - **Order**: a list is scored in the order given (the engine's). trec_eval
//!   re-sorts by score, ties by docno descending, so run files carry strictly
//!   decreasing rank-derived scores ([`crate::trec_run`]) and its order is ours.
//! - **Duplicates**: an item twice in one list is an error
//!   ([`HarnessError::Invalid`]), as in trec_eval.
//! - **Queries without relevant items** score 0 everywhere (trec_eval's value
//!   when IDCG or the relevant count is 0). trec_eval *skips* queries without
//!   qrels, and also judged queries absent from the run unless `-c`; which
//!   queries enter the means is the explicit [`QueryPolicy`] (default: trec_eval
//!   `-c`, every judged query). Per-query values are kept for every query.

use std::path::Path;

use rayon::prelude::*;
use searchrec_datasets::{Gains, Grade, Judgement, Qrels, QueryId};
use searchrec_engine::Hit;

use crate::{HarnessError, Result};

/// What to measure: the cutoff, the relevance threshold and the gain table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricSettings {
    /// The cutoff k of nDCG@k, Recall@k, MRR@k and Success@k (at least 1).
    pub k: usize,
    /// The lowest grade that counts as relevant (trec_eval `-l`); not
    /// [`Grade::Irrelevant`].
    pub relevant_from: Grade,
    /// The gain of each grade in nDCG; finite and non-negative.
    pub gains: Gains,
}

impl Default for MetricSettings {
    /// k = 10, relevant from Complement (trec_eval's default `-l 1` on our
    /// qrels), the scenario's default gains.
    fn default() -> Self {
        MetricSettings { k: 10, relevant_from: Grade::Complement, gains: Gains::default() }
    }
}

impl MetricSettings {
    /// Checks the settings, naming the fix.
    pub fn validate(&self) -> Result<()> {
        let bad = |message: String| Err(HarnessError::Invalid { what: "metric settings".into(), message });
        if self.k == 0 {
            return bad("k is 0; use a cutoff of at least 1".into());
        }
        if self.relevant_from == Grade::Irrelevant {
            return bad(
                "relevant_from is Irrelevant, which makes every judged item relevant; use Complement or higher".into(),
            );
        }
        let g = &self.gains;
        for (name, gain) in [
            ("exact", g.exact),
            ("substitute", g.substitute),
            ("complement", g.complement),
            ("irrelevant", g.irrelevant),
        ] {
            if !gain.is_finite() || gain < 0.0 {
                return bad(format!("gain of {name} is {gain}; gains must be finite and ≥ 0"));
            }
        }
        Ok(())
    }

    /// Gains indexed by [`Grade::level`].
    fn gain_table(&self) -> [f64; 4] {
        let g = &self.gains;
        [g.irrelevant, g.complement, g.substitute, g.exact]
    }
}

/// Which queries enter the means. Per-query values are kept for all of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueryPolicy {
    /// Queries with at least one judgement, retrieved or not: trec_eval `-c`.
    /// An engine that returns nothing for a judged query scores 0 on it.
    #[default]
    Judged,
    /// Queries with at least one judgement and at least one retrieved item:
    /// trec_eval without `-c` (and pytrec_eval), since an empty list leaves no
    /// line in a run file.
    JudgedAndRetrieved,
    /// Every query, unjudged ones scoring 0.
    All,
}

impl QueryPolicy {
    /// Whether this query enters the means.
    pub fn counts(self, query: &QueryMetrics) -> bool {
        match self {
            QueryPolicy::Judged => query.judged > 0,
            QueryPolicy::JudgedAndRetrieved => query.judged > 0 && query.retrieved > 0,
            QueryPolicy::All => true,
        }
    }

    /// A short name for reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            QueryPolicy::Judged => "judged",
            QueryPolicy::JudgedAndRetrieved => "judged_and_retrieved",
            QueryPolicy::All => "all",
        }
    }
}

/// The metrics of one query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueryMetrics {
    /// The query.
    pub query: QueryId,
    /// Its judgements, any grade (0: trec_eval skips the query).
    pub judged: usize,
    /// Its judgements at or above the relevance threshold.
    pub relevant: usize,
    /// The length of the scored list.
    pub retrieved: usize,
    /// nDCG@k (`ndcg_cut.k`).
    pub ndcg_at_k: f64,
    /// nDCG over the whole list (`ndcg`).
    pub ndcg: f64,
    /// Recall@k (`recall.k`).
    pub recall_at_k: f64,
    /// Reciprocal rank of the first relevant item if it is in the top k, else 0.
    pub mrr_at_k: f64,
    /// 1 if a relevant item is in the top k, else 0 (`success.k`).
    pub success_at_k: f64,
    /// Average precision over the whole list (`map` per query).
    pub average_precision: f64,
}

/// Means over the queries a [`QueryPolicy`] counts.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeanMetrics {
    /// How many queries were averaged.
    pub queries: usize,
    /// Mean nDCG@k.
    pub ndcg_at_k: f64,
    /// Mean full-list nDCG.
    pub ndcg: f64,
    /// Mean Recall@k.
    pub recall_at_k: f64,
    /// MRR@k.
    pub mrr_at_k: f64,
    /// Mean Success@k.
    pub success_at_k: f64,
    /// MAP.
    pub map: f64,
}

/// The evaluation of one run: per-query values in input order and means.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The settings used.
    pub settings: MetricSettings,
    /// The policy the means follow.
    pub policy: QueryPolicy,
    /// One entry per query of the run, in the run's order.
    pub per_query: Vec<QueryMetrics>,
    /// Means over the counted queries.
    pub mean: MeanMetrics,
}

/// `log2(rank + 1)` per 0-based position and prefix sums of its inverse, so a
/// list's DCG divides exactly as trec_eval does and an ideal DCG over n
/// judgements of one grade costs O(1).
struct Discounts {
    log2: Vec<f64>,
    /// `prefix[n]` = Σ_{i<n} 1 / log2(i + 2).
    prefix: Vec<f64>,
}

impl Discounts {
    fn new(len: usize) -> Discounts {
        let log2: Vec<f64> = (0..len).map(|i| ((i + 2) as f64).log2()).collect();
        let mut prefix = Vec::with_capacity(len + 1);
        prefix.push(0.0);
        let mut sum = 0.0;
        for l in &log2 {
            sum += 1.0 / l;
            prefix.push(sum);
        }
        Discounts { log2, prefix }
    }

    /// Ideal DCG of the judgements, cut at `cutoff` positions: grades by
    /// decreasing gain (the table need not be monotone in the grade, ESCI's
    /// script swaps S and C), each filling its run of positions.
    fn ideal(&self, counts: &[usize; 4], gains: &[f64; 4], cutoff: usize) -> f64 {
        let mut order = [0usize, 1, 2, 3];
        order.sort_by(|&a, &b| gains[b].total_cmp(&gains[a]));
        let (mut start, mut sum) = (0usize, 0.0);
        for level in order {
            if gains[level] <= 0.0 || start >= cutoff {
                break;
            }
            let end = (start + counts[level]).min(cutoff);
            sum += gains[level] * (self.prefix[end] - self.prefix[start]);
            start = end;
        }
        sum
    }
}

/// Scores one query's ranked list against its judgements (all of this query,
/// sorted by item, as [`Qrels::of`] returns them).
///
/// Errors: invalid settings, judgements of another query or not sorted by
/// item, or an item twice in `hits`. For a whole run use [`evaluate`], which
/// checks the qrels and builds the discount table once for every query.
pub fn score_query(
    query: QueryId,
    hits: &[Hit],
    judgements: &[Judgement],
    settings: &MetricSettings,
) -> Result<QueryMetrics> {
    settings.validate()?;
    if let Some(j) = judgements.iter().find(|j| j.query != query) {
        return Err(invalid("qrels", format!("a judgement of query {} was passed for query {query}", j.query)));
    }
    check_sorted(judgements)?;
    let discounts = Discounts::new(hits.len().max(judgements.len()));
    score_checked(query, hits, judgements, settings, &discounts, &mut Vec::new())
}

/// Scores every query of a run in parallel. `run` holds each query's list in
/// rank order; a query appears once. `qrels` must be sorted by (query, item)
/// without repeats, as loaded qrels are.
///
/// Errors: invalid settings, an empty run, a query twice, unsorted or repeated
/// qrels, an item twice in one list, or no query counted by `policy`.
pub fn evaluate<H>(
    qrels: &Qrels,
    run: &[(QueryId, H)],
    settings: &MetricSettings,
    policy: QueryPolicy,
) -> Result<Evaluation>
where
    H: AsRef<[Hit]> + Sync,
{
    settings.validate()?;
    if run.is_empty() {
        return Err(invalid("run", "no queries; the query set is empty".into()));
    }
    let mut ids: Vec<QueryId> = run.iter().map(|(q, _)| *q).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(invalid("run", format!("query {} appears twice", w[0])));
    }
    check_sorted(&qrels.judgements)?;
    // One discount table for every query: as long as the longest list or the
    // largest judgement set, whichever the ideal or the list needs.
    let longest_list = run.iter().map(|(_, h)| h.as_ref().len()).max().unwrap_or(0);
    let most_judged = qrels.judgements.chunk_by(|a, b| a.query == b.query).map(<[Judgement]>::len).max().unwrap_or(0);
    let discounts = Discounts::new(longest_list.max(most_judged));
    let per_query = run
        .par_iter()
        .map_init(Vec::new, |scratch, (query, hits)| {
            score_checked(*query, hits.as_ref(), qrels.of(*query), settings, &discounts, scratch)
        })
        .collect::<Result<Vec<_>>>()?;
    let mean = mean(&per_query, policy)?;
    Ok(Evaluation { settings: *settings, policy, per_query, mean })
}

/// Means over the queries `policy` counts; an error if it counts none.
pub fn mean(per_query: &[QueryMetrics], policy: QueryPolicy) -> Result<MeanMetrics> {
    let mut m = MeanMetrics {
        queries: 0,
        ndcg_at_k: 0.0,
        ndcg: 0.0,
        recall_at_k: 0.0,
        mrr_at_k: 0.0,
        success_at_k: 0.0,
        map: 0.0,
    };
    for q in per_query.iter().filter(|q| policy.counts(q)) {
        m.queries += 1;
        m.ndcg_at_k += q.ndcg_at_k;
        m.ndcg += q.ndcg;
        m.recall_at_k += q.recall_at_k;
        m.mrr_at_k += q.mrr_at_k;
        m.success_at_k += q.success_at_k;
        m.map += q.average_precision;
    }
    if m.queries == 0 {
        return Err(invalid(
            "run",
            format!("no query is counted under the `{}` policy (are the qrels for this query set?)", policy.name()),
        ));
    }
    let n = m.queries as f64;
    for v in [&mut m.ndcg_at_k, &mut m.ndcg, &mut m.recall_at_k, &mut m.mrr_at_k, &mut m.success_at_k, &mut m.map] {
        *v /= n;
    }
    Ok(m)
}

/// Writes an evaluation as JSON for `scripts/trec_eval_check.py`: the
/// settings (gains keyed by qrels level), the policy, the means and every
/// query's values; written atomically.
pub fn write_metrics_json(path: &Path, evaluation: &Evaluation) -> Result<()> {
    let s = &evaluation.settings;
    let g = &s.gains;
    let m = &evaluation.mean;
    let queries: Vec<serde_json::Value> = evaluation
        .per_query
        .iter()
        .map(|q| {
            serde_json::json!({
                "query": q.query.to_string(),
                "judged": q.judged,
                "relevant": q.relevant,
                "retrieved": q.retrieved,
                "ndcg_at_k": q.ndcg_at_k,
                "ndcg": q.ndcg,
                "recall_at_k": q.recall_at_k,
                "mrr_at_k": q.mrr_at_k,
                "success_at_k": q.success_at_k,
                "average_precision": q.average_precision,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "format": "searchrec-metrics/1",
        "k": s.k,
        "relevant_from": s.relevant_from.level(),
        "gains": { "0": g.irrelevant, "1": g.complement, "2": g.substitute, "3": g.exact },
        "policy": evaluation.policy.name(),
        "mean": {
            "queries": m.queries,
            "ndcg_at_k": m.ndcg_at_k,
            "ndcg": m.ndcg,
            "recall_at_k": m.recall_at_k,
            "mrr_at_k": m.mrr_at_k,
            "success_at_k": m.success_at_k,
            "map": m.map,
        },
        "queries": queries,
    });
    let text = serde_json::to_string_pretty(&doc)
        .map_err(|e| invalid(&path.display().to_string(), format!("cannot render JSON: {e}")))?;
    crate::atomic_file::write_atomically(path, text.as_bytes())
}

fn invalid(what: &str, message: String) -> HarnessError {
    HarnessError::Invalid { what: what.into(), message }
}

/// Binary search over the judgements is only right on rows sorted by
/// (query, item) without repeats; checked once, O(n).
fn check_sorted(judgements: &[Judgement]) -> Result<()> {
    match judgements.windows(2).find(|w| (w[0].query, w[0].item) >= (w[1].query, w[1].item)) {
        None => Ok(()),
        Some(w) if (w[0].query, w[0].item) == (w[1].query, w[1].item) => {
            Err(invalid("qrels", format!("query {} judges item {} twice", w[0].query, w[0].item)))
        }
        Some(w) => Err(invalid(
            "qrels",
            format!(
                "judgements are not sorted by (query, item) at query {} item {}; sort them as loaded qrels are",
                w[1].query, w[1].item
            ),
        )),
    }
}

/// The metrics of one query whose judgements are checked; `discounts` covers
/// both `hits` and `judgements`, `scratch` is reused for the duplicate check.
fn score_checked(
    query: QueryId,
    hits: &[Hit],
    judgements: &[Judgement],
    settings: &MetricSettings,
    discounts: &Discounts,
    scratch: &mut Vec<u32>,
) -> Result<QueryMetrics> {
    scratch.clear();
    scratch.extend(hits.iter().map(|h| h.item.0));
    scratch.sort_unstable();
    if let Some(w) = scratch.windows(2).find(|w| w[0] == w[1]) {
        return Err(invalid("run", format!("query {query} lists item {} twice", w[0])));
    }

    let gains = settings.gain_table();
    let k = settings.k;
    let mut counts = [0usize; 4];
    for j in judgements {
        counts[usize::from(j.grade.level())] += 1;
    }
    let relevant = judgements.iter().filter(|j| j.grade >= settings.relevant_from).count();

    let (mut dcg, mut dcg_at_k) = (0.0, 0.0);
    let (mut relevant_seen, mut relevant_at_k, mut precision_sum) = (0usize, 0usize, 0.0);
    let mut first_relevant = None;
    for (i, hit) in hits.iter().enumerate() {
        let Ok(at) = judgements.binary_search_by_key(&hit.item, |j| j.item) else { continue };
        let grade = judgements[at].grade;
        let gain = gains[usize::from(grade.level())];
        if gain > 0.0 {
            let term = gain / discounts.log2[i];
            dcg += term;
            if i < k {
                dcg_at_k += term;
            }
        }
        if grade >= settings.relevant_from {
            relevant_seen += 1;
            precision_sum += relevant_seen as f64 / (i + 1) as f64;
            if i < k {
                relevant_at_k += 1;
            }
            first_relevant.get_or_insert(i);
        }
    }

    let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
    let total = judgements.len();
    Ok(QueryMetrics {
        query,
        judged: total,
        relevant,
        retrieved: hits.len(),
        ndcg_at_k: ratio(dcg_at_k, discounts.ideal(&counts, &gains, k.min(total))),
        ndcg: ratio(dcg, discounts.ideal(&counts, &gains, total)),
        recall_at_k: ratio(relevant_at_k as f64, relevant as f64),
        mrr_at_k: first_relevant.filter(|&i| i < k).map_or(0.0, |i| 1.0 / (i + 1) as f64),
        success_at_k: if relevant_at_k > 0 { 1.0 } else { 0.0 },
        average_precision: ratio(precision_sum, relevant as f64),
    })
}

#[cfg(test)]
mod tests;
