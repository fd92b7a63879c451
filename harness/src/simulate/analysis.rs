//! From per-user GMV to the reported figures: every arm with its interval
//! and guardrails, the comparisons, and the factorial with Δ, CUPED and the
//! verdict. Every estimate carries its bootstrap SE and MDE.

use super::arms::Arm;
use super::experiment::Outcome;
use super::settings::SimulationSettings;
use super::stats::{Bootstrap, cuped, interactions, mean};
use super::summary::{ArmComparison, ArmSummary, Cuped, Factorial};
use crate::Result;

/// Every arm's summary, in settings order.
pub(crate) fn arm_summaries(arms: &[Arm<'_>], outcome: &Outcome, bootstrap: &Bootstrap) -> Result<Vec<ArmSummary>> {
    arms.iter()
        .zip(&outcome.gmv)
        .zip(&outcome.tallies)
        .map(|((arm, gmv), tally)| {
            Ok(ArmSummary {
                name: arm.name.clone(),
                engine: arm.engine_name.clone(),
                channels: arm.channels.as_str().to_string(),
                // A coupling only counts where the arm serves the channel it shapes.
                personalised_search: arm.capabilities.personalised_search && arm.channels.search(),
                query_aware_feed: arm.capabilities.query_aware_feed && arm.channels.feed(),
                gmv_per_user: bootstrap.mean(gmv)?,
                guardrails: tally.guardrails(),
            })
        })
        .collect()
}

/// The comparisons the settings ask for.
pub(crate) fn comparisons(
    settings: &SimulationSettings,
    outcome: &Outcome,
    bootstrap: &Bootstrap,
) -> Result<Vec<ArmComparison>> {
    settings
        .comparisons
        .iter()
        .map(|c| {
            let gmv = |name: &str| &outcome.gmv[settings.arm_index(name).unwrap_or_default()];
            Ok(ArmComparison {
                arm: c.arm.clone(),
                against: c.against.clone(),
                uplift: bootstrap.uplift(gmv(&c.against), gmv(&c.arm))?,
            })
        })
        .collect()
}

/// The factorial, when the settings name one.
pub(crate) fn factorial(
    settings: &SimulationSettings,
    outcome: &Outcome,
    bootstrap: &Bootstrap,
) -> Result<Option<Factorial>> {
    let Some(f) = &settings.factorial else { return Ok(None) };
    // check() made sure the four names are arms.
    let gmv = |name: &str| outcome.gmv[settings.arm_index(name).unwrap_or_default()].as_slice();
    let (neither, a, b, a_b) = (gmv(&f.neither), gmv(&f.a), gmv(&f.b), gmv(&f.a_b));
    let per_user = interactions(neither, a, b, a_b)?;
    // The margin is fixed from the control's point estimate before the test.
    let margin = settings.equivalence_margin.resolve(mean(neither));
    let tested = bootstrap.test_interaction(&per_user, margin, &settings.equivalence_margin.setting())?;
    let fit = cuped(&per_user, &outcome.pre_gmv);
    Ok(Some(Factorial {
        neither: f.neither.clone(),
        a: f.a.clone(),
        b: f.b.clone(),
        a_b: f.a_b.clone(),
        uplift_a: bootstrap.uplift(neither, a)?,
        uplift_b: bootstrap.uplift(neither, b)?,
        uplift_a_b: bootstrap.uplift(neither, a_b)?,
        interaction: tested.estimate,
        interaction_cuped: Cuped {
            theta: fit.theta,
            variance_reduction: fit.variance_reduction,
            adjusted: bootstrap.mean(&fit.adjusted)?,
        },
        verdict: tested.verdict.as_str().to_string(),
        statement: tested.statement,
        equivalence: Some(tested.equivalence),
    }))
}
