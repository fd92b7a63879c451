//! The sensitivity map: the factorial's Δ at every point of the scenario's
//! sweeps, each point an independent experiment, with verdicts adjusted for
//! the number of points.
//!
//! The run layer (`run::sensitivity`) makes every point honest: it
//! regenerates the world from the point's scenario (so the logs the engines
//! learn from follow the changed behaviour), retrains the arms' engines, and
//! simulates under the point's own seed ([`point_settings`]). This module
//! turns the points' factorials into the map: each point's two-sided
//! p-value for Δ = 0 and its TOST p-value for |Δ| < m (normal, from Δ's
//! bootstrap SE), both adjusted by Holm's step-down method over all points
//! of the scenario — a family-wise error rate of 1 − confidence whatever the
//! dependence between points — and the verdict words from the adjusted
//! figures. Each point keeps its MDE.

use super::seeds::{Phase, seed_of};
use super::settings::{SimulationSettings, field_error};
use super::stats::{ADDITIVE, INCONCLUSIVE, SUB_ADDITIVE, SUPER_ADDITIVE, normal_cdf, short};
use super::summary::{SensitivityPoint, SimulationSummary};
use crate::Result;

/// One point of the scenario's sweeps.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint {
    /// The swept parameter and its value.
    pub parameter: String,
    /// Its value.
    pub value: f64,
    /// The grid's second parameter and value, for a two-parameter sweep.
    pub by: Option<(String, f64)>,
}

impl SimulationSettings {
    /// Every point of the sensitivity sweeps, sweep by sweep, a grid's second
    /// parameter varying fastest.
    pub fn sweep_points(&self) -> Vec<SweepPoint> {
        let mut points = Vec::new();
        for sweep in &self.sensitivity {
            for &value in &sweep.values {
                let point = |by| SweepPoint { parameter: sweep.parameter.clone(), value, by };
                match &sweep.by {
                    None => points.push(point(None)),
                    Some(axis) => points.extend(axis.values.iter().map(|&v| point(Some((axis.parameter.clone(), v))))),
                }
            }
        }
        points
    }
}

/// The experiment run at sweep point `index`: the factorial alone
/// ([`SimulationSettings::factorial_only`]) under a simulation seed of its
/// own, derived from the scenario's (`default_seed` when it names none).
pub fn point_settings(settings: &SimulationSettings, index: usize, default_seed: u64) -> SimulationSettings {
    let seed = seed_of(settings.seed.unwrap_or(default_seed), Phase::SensitivityPoint, index);
    SimulationSettings { seed: Some(seed), ..settings.factorial_only() }
}

/// The map from every point's simulation, in [`SimulationSettings::sweep_points`] order.
///
/// Errors: a point without its factorial.
pub fn sensitivity_map(
    settings: &SimulationSettings,
    points: &[(SweepPoint, &SimulationSummary)],
) -> Result<Vec<SensitivityPoint>> {
    let alpha = 1.0 - settings.confidence;
    let mut rows = Vec::with_capacity(points.len());
    for (point, summary) in points {
        let f = summary
            .factorial
            .as_ref()
            .ok_or_else(|| field_error("sensitivity", "a sweep point ran without its factorial"))?;
        let (delta, se) = (f.interaction.value, f.interaction.se.unwrap_or(0.0));
        let margin = f.equivalence.as_ref().map_or(0.0, |q| q.margin);
        let (p, tost) = if se > 0.0 {
            let p = 2.0 * normal_cdf(-delta.abs() / se);
            let tost = normal_cdf(-(delta + margin) / se).max(normal_cdf(-(margin - delta) / se));
            (p, tost)
        } else {
            // No spread at all: Δ is exactly what it is.
            ((delta == 0.0) as u8 as f64, (delta.abs() >= margin) as u8 as f64)
        };
        let gmv_neither = summary.arms.iter().find(|a| a.name == f.neither).map(|a| a.gmv_per_user.value);
        rows.push((point, summary.seed, f, p, tost, gmv_neither));
    }
    let adjusted_p = holm(&rows.iter().map(|r| r.3).collect::<Vec<_>>());
    let adjusted_tost = holm(&rows.iter().map(|r| r.4).collect::<Vec<_>>());
    let m = rows.len();
    Ok(rows
        .into_iter()
        .zip(adjusted_p.into_iter().zip(adjusted_tost))
        .map(|((point, seed, f, p, _, gmv_neither), (adj_p, adj_tost))| {
            let d = &f.interaction;
            let verdict = if adj_p < alpha && d.value > 0.0 {
                SUPER_ADDITIVE
            } else if adj_p < alpha && d.value < 0.0 {
                SUB_ADDITIVE
            } else if adj_tost < alpha {
                ADDITIVE
            } else {
                INCONCLUSIVE
            };
            let margin = f.equivalence.as_ref().map_or(0.0, |q| q.margin);
            let statement = match verdict {
                INCONCLUSIVE => format!(
                    "inconclusive: Δ = {} [{}, {}], MDE {}; Holm-adjusted p = {} over {m} points, equivalence \
                     within ±{} not shown either",
                    short(d.value),
                    short(d.lower),
                    short(d.upper),
                    short(d.mde.unwrap_or(f64::NAN)),
                    short(adj_p),
                    short(margin)
                ),
                ADDITIVE => format!(
                    "additive within ±{}: Holm-adjusted TOST p = {} over {m} points (Δ = {}, MDE {})",
                    short(margin),
                    short(adj_tost),
                    short(d.value),
                    short(d.mde.unwrap_or(f64::NAN))
                ),
                word => format!(
                    "{word}: Δ = {} [{}, {}], Holm-adjusted p = {} over {m} points",
                    short(d.value),
                    short(d.lower),
                    short(d.upper),
                    short(adj_p)
                ),
            };
            SensitivityPoint {
                parameter: point.parameter.clone(),
                value: point.value,
                by_parameter: point.by.as_ref().map(|b| b.0.clone()),
                by_value: point.by.as_ref().map(|b| b.1),
                interaction: *d,
                gmv_neither,
                p_value: Some(p),
                adjusted_p_value: Some(adj_p),
                verdict: verdict.to_string(),
                statement,
                equivalence: f.equivalence.clone(),
                retrained: true,
                seed: Some(seed),
            }
        })
        .collect())
}

/// Holm's step-down adjustment of `p`, in input order: the i-th smallest
/// becomes max over j ≤ i of min(1, (m − j + 1) · p₍ⱼ₎).
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_of_a_textbook_example() {
        // p = 0.01, 0.04, 0.03, 0.005 (m = 4): sorted 0.005, 0.01, 0.03, 0.04
        // → 0.02, 0.03, 0.06, 0.06 (the last held up by the step-down maximum).
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (a, w) in adjusted.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adjusted:?}");
        }
        assert_eq!(holm(&[0.9, 0.8]), vec![1.0, 1.0]);
        assert!(holm(&[]).is_empty());
    }
}
