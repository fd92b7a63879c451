//! The A/A check: does an interval that should cover zero cover it as often
//! as its confidence level promises?
//!
//! Each A/A replicate runs the control arm as two arms on independent seeds
//! — each user's GMV the mean over the experiment's `replicates` seeds, as
//! in the experiment — and takes the paired bootstrap interval of the
//! difference, exactly as an arm comparison does. Both arms are one arm, so
//! the true difference is zero and an interval that excludes it is a false
//! positive; over many replicates their share should be near 1 − confidence.
//! Per-user GMV is zero-inflated and heavy-tailed, and a percentile bootstrap
//! over a few hundred such users undercovers a little (rates of 6–8% at
//! 300 users, near 5% from about 1 000): the check exists to show that.

use super::Stage;
use super::arms::Arm;
use super::experiment::{Plan, Work, gmv_runs};
use super::seeds::{Phase, seed_of};
use super::session::{Life, Period};
use super::stats::{Bootstrap, excludes_zero};
use super::summary::AaCheck;
use crate::Result;

/// Runs `plan.settings.aa_replicates` A/A replicates of `control`.
pub(crate) fn aa_check(life: &Life<'_>, control: &Arm<'_>, plan: &Plan<'_>, work: &mut Work) -> Result<AaCheck> {
    let s = plan.settings;
    let mut positives = 0usize;
    for replicate in 0..s.aa_replicates {
        // Runs 2j and 2j + 1 are seed j of the first and the second arm.
        let runs: Vec<_> = (0..s.replicates)
            .flat_map(|j| [Phase::AaFirst, Phase::AaSecond].map(|phase| (j, phase)))
            .map(|(j, phase)| {
                let seed = seed_of(plan.seed, phase, replicate * s.replicates + j);
                (control, Period { seed, days: s.horizon_days, replicate: replicate as u32, detail: false })
            })
            .collect();
        let gmv = gmv_runs(life, &runs, plan, Stage::AaCheck, work)?;
        let mean =
            |u: usize, arm: usize| (0..s.replicates).map(|j| gmv[2 * j + arm][u]).sum::<f64>() / s.replicates as f64;
        let difference: Vec<f64> = (0..plan.users.len()).map(|u| mean(u, 1) - mean(u, 0)).collect();
        let bootstrap = Bootstrap {
            resamples: s.bootstrap_resamples,
            confidence: s.confidence,
            seed: seed_of(plan.seed, Phase::AaBootstrap, replicate),
        };
        positives += excludes_zero(&bootstrap.mean(&difference)?) as usize;
    }
    Ok(AaCheck {
        replicates: s.aa_replicates,
        false_positive_rate: positives as f64 / s.aa_replicates.max(1) as f64,
        // Rounded so that 0.95 reports 0.05, not 0.050000000000000044.
        nominal: ((1.0 - s.confidence) * 1e9).round() / 1e9,
    })
}
