//! Fusion of ranked lists into one: reciprocal rank fusion and normalised
//! linear fusion. Pure functions over `&[Hit]`, so the arithmetic can be
//! checked by hand and by property tests without building an engine.
//!
//! Every function first puts each input list in [`sort_hits`] order, keeps
//! the best hit of an item listed twice, and drops hits whose score is not
//! finite (they have neither a rank nor a value). Every output holds each
//! item of the inputs once and is in `sort_hits` order. Arithmetic is in
//! `f64`; only the final scores are rounded to `f32`, so fused scores closer
//! than `f32` resolution tie and fall back to ascending item order.
//!
//! Weights are meant to be finite and ≥ 0; the hybrid engine's configuration
//! guarantees that and that they sum to 1.

use std::collections::{BTreeMap, HashSet};

use searchrec_datasets::ItemId;
use searchrec_engine::{Hit, sort_hits};

/// One list to fuse, with its weight.
#[derive(Clone, Copy, Debug)]
pub struct Weighted<'a> {
    /// The list, in any order (it is ranked by score first).
    pub hits: &'a [Hit],
    /// Its weight `w_i`.
    pub weight: f64,
}

/// How linear fusion makes scores of different lists comparable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalisation {
    /// `(s − min) / (max − min)`, in [0, 1]; every hit of a list whose scores
    /// are all equal gets 1 (as OpenSearch's `min_max` does). An item missing
    /// from the list gets 0.
    MinMax,
    /// `(s − mean) / sd` with the population standard deviation; a list whose
    /// scores are all equal gets 0 everywhere. An item missing from the list
    /// gets the list's smallest z-score: it is treated as no better than the
    /// worst hit the list did return.
    ZScore,
}

/// A list's normalised scores.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalised {
    /// `(item, normalised score)` in rank order, best first.
    pub values: Vec<(ItemId, f64)>,
    /// What an item missing from the list counts as: 0 for min-max, the
    /// smallest z-score for z-score (0 for an empty list).
    pub missing: f64,
}

/// The list in [`sort_hits`] order, each item once (its best hit), finite
/// scores only. Rank `r` (from 1) of an item is its position here plus one.
pub fn ranked(hits: &[Hit]) -> Vec<Hit> {
    let mut out: Vec<Hit> = hits.iter().copied().filter(|h| h.score.is_finite()).collect();
    sort_hits(&mut out);
    let mut seen = HashSet::with_capacity(out.len());
    out.retain(|h| seen.insert(h.item));
    out
}

/// Weighted reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009):
///
/// ```text
/// score(d) = Σ_i w_i / (k + rank_i(d)),   rank_i from 1
/// ```
///
/// summed over the lists that contain `d`. Only ranks enter, never score
/// values, so any strictly increasing transform of a list's scores leaves the
/// result unchanged. With weights summing to 1 an item first in every list
/// scores `1 / (k + 1)`, the maximum.
///
/// Rank convention: ranks here are 1-based, as in the paper, whose `k = 60`
/// Elasticsearch (`rank_constant`), OpenSearch and Vespa
/// (`reciprocal_rank(x, 60)`) also use. Engines that count ranks from 0 write
/// `1 / (k₀ + rank₀)`, which is this formula with `k = k₀ − 1`: Qdrant's
/// server default `k₀ = 2` is `k = 1` here, and this `k = 60` is Qdrant's
/// `k₀ = 61`; Weaviate's `rankedFusion`, `w / (60 + rank₀)`, is `k = 59` here.
pub fn reciprocal_rank(lists: &[Weighted<'_>], k: f64) -> Vec<Hit> {
    let mut scores: BTreeMap<ItemId, f64> = BTreeMap::new();
    for list in lists {
        for (position, hit) in ranked(list.hits).iter().enumerate() {
            let rank = position as f64 + 1.0;
            *scores.entry(hit.item).or_default() += list.weight / (k + rank);
        }
    }
    into_hits(scores)
}

/// A list's scores under `how`, in rank order.
pub fn normalise(hits: &[Hit], how: Normalisation) -> Normalised {
    let list = ranked(hits);
    // Sorted best first, so the extremes are the ends.
    let (Some(best), Some(worst)) = (list.first(), list.last()) else {
        return Normalised { values: Vec::new(), missing: 0.0 };
    };
    let (max, min) = (f64::from(best.score), f64::from(worst.score));
    match how {
        Normalisation::MinMax => {
            let values = if max > min { mapped(&list, |s| (s - min) / (max - min)) } else { mapped(&list, |_| 1.0) };
            Normalised { values, missing: 0.0 }
        }
        Normalisation::ZScore => {
            // Equal scores carry no information; testing the extremes rather
            // than sd = 0 also keeps rounding noise in the mean from being
            // blown up into ±1 z-scores.
            if max == min {
                return Normalised { values: mapped(&list, |_| 0.0), missing: 0.0 };
            }
            let n = list.len() as f64;
            let mean = list.iter().map(|h| f64::from(h.score)).sum::<f64>() / n;
            let variance = list.iter().map(|h| (f64::from(h.score) - mean).powi(2)).sum::<f64>() / n;
            let sd = variance.sqrt();
            Normalised { values: mapped(&list, |s| (s - mean) / sd), missing: (min - mean) / sd }
        }
    }
}

/// Normalised linear fusion (OpenSearch's `normalization-processor` with
/// `arithmetic_mean`, Weaviate's `relativeScoreFusion` for min-max):
///
/// ```text
/// score(d) = Σ_i w_i · norm_i(d)
/// ```
///
/// where `norm_i(d)` is `d`'s normalised score in list `i`, or that list's
/// [`Normalised::missing`] value when `d` is not in it (0 for min-max). With
/// min-max and weights summing to 1 every fused score lies in [0, 1] and an
/// item first in every list scores 1.
pub fn linear(lists: &[Weighted<'_>], how: Normalisation) -> Vec<Hit> {
    let normalised: Vec<(f64, BTreeMap<ItemId, f64>, f64)> = lists
        .iter()
        .map(|list| {
            let n = normalise(list.hits, how);
            (list.weight, n.values.into_iter().collect(), n.missing)
        })
        .collect();
    let items: BTreeMap<ItemId, f64> = normalised
        .iter()
        .flat_map(|(_, values, _)| values.keys())
        .map(|&item| {
            let score = normalised
                .iter()
                .map(|(weight, values, missing)| weight * values.get(&item).copied().unwrap_or(*missing))
                .sum();
            (item, score)
        })
        .collect();
    into_hits(items)
}

/// `(item, f(score))` for each hit, in list order.
fn mapped(list: &[Hit], f: impl Fn(f64) -> f64) -> Vec<(ItemId, f64)> {
    list.iter().map(|h| (h.item, f(f64::from(h.score)))).collect()
}

/// Rounds to `f32` and sorts.
fn into_hits(scores: BTreeMap<ItemId, f64>) -> Vec<Hit> {
    let mut hits: Vec<Hit> = scores.into_iter().map(|(item, score)| Hit { item, score: score as f32 }).collect();
    sort_hits(&mut hits);
    hits
}

#[cfg(test)]
mod tests;
