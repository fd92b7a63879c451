//! From per-user GMV to the reported figures: every arm with its interval
//! and guardrails, the comparisons, and the factorial with Δ, CUPED and the
//! verdict. Every estimate carries its bootstrap SE and MDE.

use super::arms::ArmLabel;
use super::cuped::Covariate;
use super::experiment::Outcome;
use super::learning::LoopWork;
use super::paths::Path;
use super::planted;
use super::settings::SimulationSettings;
use super::stats::{Bootstrap, interactions, mean};
use super::summary::{
    ArmComparison, ArmSummary, ChannelInteraction, DataLoopSummary, Factorial, LoopArm, OracleCeilings, PathGmv,
    PlantedControl, Uplift,
};
use crate::Result;

/// Every arm's summary, in settings order.
pub(crate) fn arm_summaries(
    arms: &[ArmLabel],
    (outcome, bounded, replicates): (&Outcome, bool, usize),
    covariate: &Covariate,
    bootstrap: &Bootstrap,
) -> Result<Vec<ArmSummary>> {
    arms.iter()
        .zip(&outcome.gmv)
        .zip(&outcome.sessions_per_user)
        .zip(&outcome.tallies)
        .zip(&outcome.path_gmv)
        .zip(&outcome.forgone)
        .map(|(((((arm, gmv), sessions), tally), paths), forgone)| {
            // In user order from the per-user means, so shares of users sum alike.
            let total_gmv = gmv.iter().sum::<f64>() * replicates as f64;
            Ok(ArmSummary {
                name: arm.name.clone(),
                engine: arm.engine.clone(),
                channels: arm.channels.clone(),
                personalised_search: arm.personalised_search,
                query_aware_feed: arm.query_aware_feed,
                gmv_per_user: bootstrap.mean(gmv)?,
                cuped: Some(bootstrap.cuped(gmv, covariate)?),
                gmv_per_session: Some(bootstrap.estimate(&[sessions, gmv], |m| m[1] / m[0])?),
                paths: Path::ALL
                    .iter()
                    .zip(paths)
                    .map(|(path, gmv)| Ok(PathGmv { path: path.as_str().into(), gmv: bootstrap.mean(gmv)? }))
                    .collect::<Result<_>>()?,
                budget_forgone: if bounded { Some(bootstrap.mean(forgone)?) } else { None },
                guardrails: tally.guardrails(total_gmv),
            })
        })
        .collect()
}

/// The paired uplift of `treatment` over `control`, with CUPED on its
/// absolute value.
fn uplift(bootstrap: &Bootstrap, control: &[f64], treatment: &[f64], covariate: &Covariate) -> Result<Uplift> {
    let difference: Vec<f64> = treatment.iter().zip(control).map(|(t, c)| t - c).collect();
    Ok(Uplift { cuped: Some(bootstrap.cuped(&difference, covariate)?), ..bootstrap.uplift(control, treatment)? })
}

/// The comparisons the settings ask for.
pub(crate) fn comparisons(
    settings: &SimulationSettings,
    outcome: &Outcome,
    covariate: &Covariate,
    bootstrap: &Bootstrap,
) -> Result<Vec<ArmComparison>> {
    settings
        .comparisons
        .iter()
        .map(|c| {
            let index = |name: &str| settings.arm_index(name).unwrap_or_default();
            let (t, c_) = (index(&c.arm), index(&c.against));
            let (gmv, sessions) = (&outcome.gmv, &outcome.sessions_per_user);
            let per_session =
                bootstrap.estimate(&[&sessions[t], &gmv[t], &sessions[c_], &gmv[c_]], |m| m[1] / m[0] - m[3] / m[2])?;
            Ok(ArmComparison {
                arm: c.arm.clone(),
                against: c.against.clone(),
                uplift: uplift(bootstrap, &gmv[c_], &gmv[t], covariate)?,
                per_session: Some(per_session),
            })
        })
        .collect()
}

/// The factorial, when the settings name one.
pub(crate) fn factorial(
    settings: &SimulationSettings,
    outcome: &Outcome,
    covariate: &Covariate,
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

    Ok(Some(Factorial {
        neither: f.neither.clone(),
        a: f.a.clone(),
        b: f.b.clone(),
        a_b: f.a_b.clone(),
        uplift_a: uplift(bootstrap, neither, a, covariate)?,
        uplift_b: uplift(bootstrap, neither, b, covariate)?,
        uplift_a_b: uplift(bootstrap, neither, a_b, covariate)?,
        interaction: tested.estimate,
        interaction_cuped: bootstrap.cuped(&per_user, covariate)?,
        interaction_by_path: interaction_by_path(settings, outcome, bootstrap)?,
        verdict: tested.verdict.as_str().to_string(),
        statement: tested.statement,
        equivalence: Some(tested.equivalence),
    }))
}

/// The planted-interaction control, when the settings plant one.
pub(crate) fn planted(
    settings: &SimulationSettings,
    outcome: &Outcome,
    factorial: Option<&Factorial>,
    bootstrap: &Bootstrap,
) -> Result<Option<PlantedControl>> {
    let (Some(p), Some(f), Some(handicapped)) = (&settings.planted, &settings.factorial, &outcome.planted_gmv) else {
        return Ok(None);
    };
    let gmv = |name: &str| outcome.gmv[settings.arm_index(name).unwrap_or_default()].as_slice();
    let cells = [gmv(&f.neither), gmv(&f.a), gmv(&f.b), gmv(&f.a_b)];
    let design_mde = factorial.and_then(|f| f.interaction.mde);
    planted::analyse(settings, p, cells, handicapped, design_mde, bootstrap).map(Some)
}

/// The channel-level interaction, when the settings name its arms.
pub(crate) fn channel_interaction(
    settings: &SimulationSettings,
    outcome: &Outcome,
    bootstrap: &Bootstrap,
) -> Result<Option<ChannelInteraction>> {
    let Some(c) = &settings.channel_arms else { return Ok(None) };
    // validate() made sure the three names are arms.
    let gmv = |name: &str| outcome.gmv[settings.arm_index(name).unwrap_or_default()].as_slice();
    let (search, feed, both) = (gmv(&c.search), gmv(&c.feed), gmv(&c.both));
    let none = vec![0.0; both.len()];
    let per_user = interactions(&none, search, feed, both)?;
    Ok(Some(ChannelInteraction {
        search: c.search.clone(),
        feed: c.feed.clone(),
        both: c.both.clone(),
        interaction: bootstrap.mean(&per_user)?,
        relative: bootstrap.estimate(&[&per_user, both], |m| m[0] / m[1])?,
        baseline: "no channel: 0 GMV per user (a user offered neither channel does not visit the simulated shop)"
            .to_string(),
    }))
}

/// The oracle's ceilings and the shares of them the factorial's cells
/// capture, when the settings add the oracle arms (after the scenario's).
pub(crate) fn oracle(
    settings: &SimulationSettings,
    outcome: &Outcome,
    bootstrap: &Bootstrap,
) -> Result<Option<OracleCeilings>> {
    let Some(f) = settings.factorial.as_ref().filter(|_| settings.oracle) else { return Ok(None) };
    let first = settings.arms.len();
    let (search, feed, both) = (&outcome.gmv[first], &outcome.gmv[first + 1], &outcome.gmv[first + 2]);
    let gmv = |name: &str| outcome.gmv[settings.arm_index(name).unwrap_or_default()].as_slice();
    let (neither, a, b, a_b) = (gmv(&f.neither), gmv(&f.a), gmv(&f.b), gmv(&f.a_b));
    let gain = |x: &[f64]| -> Vec<f64> { x.iter().zip(neither).map(|(x, n)| x - n).collect() };
    let ceiling = |x: &[f64]| bootstrap.mean(&gain(x));
    let share = |cell: &[f64], ceiling: &[f64]| bootstrap.estimate(&[&gain(cell), &gain(ceiling)], |m| m[0] / m[1]);
    Ok(Some(OracleCeilings {
        search: ceiling(search)?,
        feed: ceiling(feed)?,
        both: ceiling(both)?,
        interaction: bootstrap.mean(&interactions(neither, search, feed, both)?)?,
        share_a: share(a, search)?,
        share_b: share(b, feed)?,
        share_a_b: share(a_b, both)?,
    }))
}

/// The data loop's contribution to Δ: the per-user Δ of the looped run
/// minus that of the same factorial with the engines trained once (same
/// users, same streams), through the same test as Δ itself.
pub(crate) fn data_loop(
    settings: &SimulationSettings,
    (looped, work): (&Outcome, &[LoopWork]),
    (static_settings, static_outcome): (&SimulationSettings, &Outcome),
    bootstrap: &Bootstrap,
) -> Result<DataLoopSummary> {
    let per_user = |settings: &SimulationSettings, outcome: &Outcome| -> Result<Vec<f64>> {
        let Some(f) = &settings.factorial else { return Ok(Vec::new()) };
        let gmv = |name: &str| outcome.gmv[settings.arm_index(name).unwrap_or_default()].as_slice();
        interactions(gmv(&f.neither), gmv(&f.a), gmv(&f.b), gmv(&f.a_b))
    };
    let (with_loop, without) = (per_user(settings, looped)?, per_user(static_settings, static_outcome)?);
    let contribution: Vec<f64> = with_loop.iter().zip(&without).map(|(l, s)| l - s).collect();
    let neither = settings.factorial.as_ref().and_then(|f| settings.arm_index(&f.neither)).unwrap_or_default();
    let margin = settings.equivalence_margin.resolve(mean(&static_outcome.gmv[0]).min(mean(&looped.gmv[neither])));
    let tested = bootstrap.test_interaction(&contribution, margin, &settings.equivalence_margin.setting())?;
    Ok(DataLoopSummary {
        retrain_days: settings.retrain_days,
        arms: settings
            .arms
            .iter()
            .zip(work)
            .map(|(arm, w)| LoopArm {
                arm: arm.name.clone(),
                retrains: w.retrains,
                seconds: w.seconds,
                events: w.events,
            })
            .collect(),
        static_interaction: bootstrap.mean(&without)?,
        contribution: tested.estimate,
        verdict: tested.verdict.as_str().to_string(),
        statement: format!("the data loop's contribution to Δ: {}", tested.statement),
    })
}

/// Δ split by purchase path: each path's per-user GMV through the factorial's contrast.
fn interaction_by_path(
    settings: &SimulationSettings,
    outcome: &Outcome,
    bootstrap: &Bootstrap,
) -> Result<Vec<PathGmv>> {
    let Some(f) = &settings.factorial else { return Ok(Vec::new()) };
    let cell = |name: &str| &outcome.path_gmv[settings.arm_index(name).unwrap_or_default()];
    let (neither, a, b, a_b) = (cell(&f.neither), cell(&f.a), cell(&f.b), cell(&f.a_b));
    Path::ALL
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let per_user = interactions(&neither[i], &a[i], &b[i], &a_b[i])?;
            Ok(PathGmv { path: path.as_str().into(), gmv: bootstrap.mean(&per_user)? })
        })
        .collect()
}
