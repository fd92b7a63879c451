//! The experiment replicated over worlds: every interval of a single run is
//! conditional on one generated world and one training of its engines;
//! `[simulation] world_seeds` reruns the whole experiment on other worlds
//! (engines trained per world) and pools Δ with the between-world variation
//! inside its interval.
//!
//! **Two-stage bootstrap.** A resample draws W worlds with replacement from
//! the W simulated ones, then within each drawn world its users with
//! replacement, and averages the drawn worlds' mean Δ (each world weighs
//! the same, as the worlds are the first-stage units). Its spread therefore
//! holds both the between-world variance (which world, which training) and
//! the within-world variance (which users). With few worlds the first stage
//! is coarse — three worlds give three distinct first-stage draws — so the
//! summary states W and the between-world standard deviation beside the
//! pooled interval, and the per-world estimates are reported as they came.

use rand::RngExt;
use rayon::prelude::*;
use searchrec_datasets::rng::{Purpose, stream};

use super::SimulationOutput;
use super::seeds::{Phase, seed_of};
use super::settings::SimulationSettings;
use super::stats::{BLOCK, interactions, mean, test_drawn_interaction};
use super::summary::{WorldEstimate, WorldReplication};
use crate::{HarnessError, Result};

/// Pools the factorial's Δ over `worlds` (world seed, that world's
/// simulation), each run with `settings` (whose factorial names the cells).
/// `seed` keys the bootstrap.
///
/// Errors: fewer than two worlds, no factorial, or a world without users.
pub fn across_worlds(
    settings: &SimulationSettings,
    worlds: &[(u64, &SimulationOutput)],
    seed: u64,
) -> Result<WorldReplication> {
    let invalid =
        |message: &str| HarnessError::Invalid { what: "simulation.world_seeds".into(), message: message.into() };
    let Some(f) = &settings.factorial else {
        return Err(invalid("pooling over worlds needs [simulation.factorial]"));
    };
    if worlds.len() < 2 {
        return Err(invalid("pooling needs at least two worlds; list two or more seeds"));
    }
    let cell = |output: &SimulationOutput, name: &str| -> Vec<f64> {
        output.arm_gmv.get(settings.arm_index(name).unwrap_or_default()).cloned().unwrap_or_default()
    };
    let mut per_user = Vec::with_capacity(worlds.len());
    let mut per_world = Vec::with_capacity(worlds.len());
    let mut controls = Vec::with_capacity(worlds.len());
    for (world_seed, output) in worlds {
        let (neither, a, b, a_b) =
            (cell(output, &f.neither), cell(output, &f.a), cell(output, &f.b), cell(output, &f.a_b));
        let delta = interactions(&neither, &a, &b, &a_b)?;
        if delta.is_empty() {
            return Err(invalid("a world simulated no user"));
        }
        let factorial =
            output.summary.factorial.as_ref().ok_or_else(|| invalid("a world ran without its factorial"))?;
        per_world.push(WorldEstimate {
            world_seed: *world_seed,
            simulation_seed: output.summary.seed,
            interaction: factorial.interaction,
            verdict: factorial.verdict.clone(),
        });
        controls.push(mean(&neither));
        per_user.push(delta);
    }
    let world_means: Vec<f64> = per_user.iter().map(|d| mean(d)).collect();
    let value = mean(&world_means);
    let draws = two_stage(&per_user, settings.bootstrap_resamples, seed_of(seed, Phase::WorldBootstrap, 0));
    let margin = settings.equivalence_margin.resolve(mean(&controls));
    let tested =
        test_drawn_interaction(value, &draws, settings.confidence, margin, &settings.equivalence_margin.setting());
    Ok(WorldReplication {
        worlds: worlds.len(),
        method: "two-stage bootstrap: worlds with replacement, then users within each drawn world; \
                 normal interval from its standard error"
            .into(),
        between_world_sd: super::stats::variance(&world_means).sqrt(),
        interaction: tested.estimate,
        verdict: tested.verdict.as_str().to_string(),
        statement: tested.statement,
        equivalence: tested.equivalence,
        per_world,
    })
}

/// The two-stage bootstrap draws of the mean over worlds of each world's
/// mean per-user value.
fn two_stage(per_world: &[Vec<f64>], resamples: usize, seed: u64) -> Vec<f64> {
    let w = per_world.len();
    (0..resamples.div_ceil(BLOCK))
        .into_par_iter()
        .flat_map_iter(|block| {
            let mut rng = stream(seed, Purpose::SimulationBootstrap, 1, block as u64);
            (0..BLOCK.min(resamples - block * BLOCK))
                .map(|_| {
                    let mut total = 0.0;
                    for _ in 0..w {
                        let users = &per_world[rng.random_range(0..w)];
                        let n = users.len();
                        let sum: f64 = (0..n).map(|_| users[rng.random_range(0..n)]).sum();
                        total += sum / n as f64;
                    }
                    total / w as f64
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn between_world_variation_widens_the_interval() {
        // Three worlds, each with 400 users spread the same way around a
        // world mean of −3, 0 or 3: the within-world SE of each mean is
        // about 0.06, but the worlds themselves differ by 3.
        let world =
            |centre: f64| -> Vec<f64> { (0..400).map(|i| centre + ((i * 37) % 11) as f64 / 5.0 - 1.0).collect() };
        let far = [world(-3.0), world(0.0), world(3.0)];
        let near = [world(0.0), world(0.0), world(0.0)];
        let sd = |draws: Vec<f64>| super::super::stats::bootstrap_se(&draws);
        let (far_se, near_se) = (sd(two_stage(&far, 2_000, 1)), sd(two_stage(&near, 2_000, 1)));
        assert!(near_se < 0.05, "{near_se}");
        // The first stage alone: the sd of the mean of 3 draws from {−3, 0, 3} is √(6/3) ≈ 1.41.
        assert!((far_se - 2f64.sqrt()).abs() < 0.1, "{far_se}");
        // Reproducible.
        assert_eq!(two_stage(&far, 300, 9), two_stage(&far, 300, 9));
    }
}
