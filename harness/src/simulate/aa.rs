//! The A/A check: does an interval that should cover zero cover it as often
//! as its confidence level promises, under the pairing the real comparisons
//! have?
//!
//! Each A/A replicate runs the control arm twice on the *same* streams
//! (common random numbers, exactly as the experiment's arms share them),
//! each copy with its own irrelevant tie-break: adjacent list positions
//! swapped by a coin of the copy's own seed ([`Perturbation::TieBreak`]). The
//! two copies are one arm in distribution, so the true difference is zero,
//! yet they diverge the way real arms do — most users exactly alike, a few
//! far apart (zero-inflated, heavy-tailed differences). Each user's GMV is
//! the mean over the experiment's `replicates` seeds, and the interval is
//! the one an arm comparison gets. An interval that excludes zero is a false
//! positive; their share over many replicates should be 1 − confidence, and
//! its Wilson interval says how precisely the check pins it.

use super::Stage;
use super::arms::Arm;
use super::experiment::{Plan, Work, gmv_runs};
use super::perturb::Perturbation;
use super::seeds::{Phase, seed_of};
use super::session::{Life, Period};
use super::settings::SimulationSettings;
use super::stats::{Bootstrap, excludes_zero, wilson_interval};
use super::summary::AaCheck;
use crate::Result;

/// Runs `plan.settings.aa_replicates` paired A/A replicates of `control`:
/// per replicate, per user of the plan, the second copy's GMV minus the
/// first's (each the mean over the experiment's replicate seeds).
pub(crate) fn aa_differences(
    life: &Life<'_>,
    control: &Arm<'_>,
    plan: &Plan<'_>,
    work: &mut Work,
) -> Result<Vec<Vec<f64>>> {
    let s = plan.settings;
    (0..s.aa_replicates)
        .map(|replicate| {
            // Runs 2j and 2j + 1 are seed j of the first and the second copy.
            let arms: Vec<Arm<'_>> = (0..s.replicates)
                .flat_map(|j| [0, 1].map(|copy| 2 * (replicate * s.replicates + j) + copy))
                .map(|index| {
                    control.perturbed(Perturbation::TieBreak { seed: seed_of(plan.seed, Phase::AaTieBreak, index) })
                })
                .collect();
            let runs: Vec<_> = arms
                .iter()
                .enumerate()
                .map(|(i, arm)| {
                    let seed = seed_of(plan.seed, Phase::AaPeriod, replicate * s.replicates + i / 2);
                    (arm, Period { seed, days: s.horizon_days, replicate: replicate as u32, detail: false, log: false })
                })
                .collect();
            let gmv = gmv_runs(life, &runs, plan, Stage::AaCheck, work)?;
            let mean = |u: usize, copy: usize| {
                (0..s.replicates).map(|j| gmv[2 * j + copy][u]).sum::<f64>() / s.replicates as f64
            };
            Ok((0..plan.users.len()).map(|u| mean(u, 1) - mean(u, 0)).collect())
        })
        .collect()
}

/// The check from every replicate's per-user differences (every simulated
/// user, in order) under the simulation seed `seed`: how often the
/// interval an arm comparison gets excludes a true difference of zero.
pub(crate) fn aa_summary(s: &SimulationSettings, seed: u64, differences: &[Vec<f64>]) -> Result<AaCheck> {
    let mut positives = 0usize;
    for (replicate, difference) in differences.iter().enumerate() {
        let bootstrap = Bootstrap {
            resamples: s.bootstrap_resamples,
            confidence: s.confidence,
            seed: seed_of(seed, Phase::AaBootstrap, replicate),
        };
        positives += excludes_zero(&bootstrap.mean(difference)?) as usize;
    }
    let (lower, upper) = wilson_interval(positives, s.aa_replicates, s.confidence);
    Ok(AaCheck {
        replicates: s.aa_replicates,
        false_positives: Some(positives),
        false_positive_rate: positives as f64 / s.aa_replicates.max(1) as f64,
        rate_interval: Some([lower, upper]),
        paired: true,
        // Rounded so that 0.95 reports 0.05, not 0.050000000000000044.
        nominal: ((1.0 - s.confidence) * 1e9).round() / 1e9,
    })
}
