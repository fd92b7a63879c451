//! The sensitivity sweep: the factorial's Δ at each value of a behaviour
//! parameter, so a reader sees whether "1+1>2" hangs on one assumption.
//!
//! Every point reuses the experiment's users and replicate seeds (common
//! random numbers across values too), so the curve moves with the
//! parameter, not with new noise. Points keep no rows and no pre-period.
//! Each point has the experiment's verdict words, SE and MDE; the points are
//! not independent and carry no multiplicity correction.

use searchrec_datasets::World;

use super::Stage;
use super::arms::Arm;
use super::experiment::{Plan, Work, gmv_runs};
use super::model::Model;
use super::seeds::{Phase, seed_of};
use super::session::{Life, Period};
use super::settings::field_error;
use super::stats::{Bootstrap, interactions, mean};
use super::summary::SensitivityPoint;
use crate::Result;

/// Δ at every value of every sweep; `factorial` holds the four arms in the
/// order neither, a, b, a_b.
pub(crate) fn sweep(
    world: &World,
    factorial: [&Arm<'_>; 4],
    plan: &Plan<'_>,
    work: &mut Work,
) -> Result<Vec<SensitivityPoint>> {
    let s = plan.settings;
    let mut points = Vec::new();
    for sweep in &s.sensitivity {
        for &value in &sweep.values {
            // check() already tried every value: an error here is a bug, reported rather than a panic.
            let model = Model::with(world, &sweep.parameter, value)
                .map_err(|reason| field_error("sensitivity", format!("`{}` = {value}: {reason}", sweep.parameter)))?;
            let life = Life::new(world, &model, s.k, s.context_window);
            let mut gmv = vec![vec![0.0; plan.users.len()]; 4];
            for replicate in 0..s.replicates {
                let period = Period {
                    seed: seed_of(plan.seed, Phase::Experiment, replicate),
                    days: s.horizon_days,
                    replicate: replicate as u32,
                    detail: false,
                };
                let runs = factorial.map(|arm| (arm, period));
                let replicate_gmv = gmv_runs(&life, &runs, plan, Stage::Sensitivity, work)?;
                for (sum, run) in gmv.iter_mut().zip(replicate_gmv) {
                    sum.iter_mut().zip(run).for_each(|(s, g)| *s += g);
                }
            }
            gmv.iter_mut().flatten().for_each(|g| *g /= s.replicates as f64);
            let bootstrap = Bootstrap {
                resamples: s.bootstrap_resamples,
                confidence: s.confidence,
                seed: seed_of(plan.seed, Phase::SensitivityBootstrap, points.len()),
            };
            let per_user = interactions(&gmv[0], &gmv[1], &gmv[2], &gmv[3])?;
            // The margin follows the `neither` arm at this point.
            let margin = s.equivalence_margin.resolve(mean(&gmv[0]));
            let tested = bootstrap.test_interaction(&per_user, margin, &s.equivalence_margin.setting())?;
            points.push(SensitivityPoint {
                parameter: sweep.parameter.clone(),
                value,
                interaction: tested.estimate,
                verdict: tested.verdict.as_str().to_string(),
                statement: tested.statement,
                equivalence: Some(tested.equivalence),
            });
        }
    }
    Ok(points)
}
