//! The GMV simulator: users live through sessions over a horizon, engines
//! answer their searches and feed requests, and the world's behaviour model
//! decides what they click and buy. GMV is the sum of the prices bought.
//! Every figure is simulated and labelled so.
//!
//! - **Sessions**: search sessions start from an open need whose query text
//!   `searchrec_datasets::querygen` writes; feed sessions ask for
//!   recommendations, and a clicked feed item can seed a new need that
//!   converts at once or comes back later as a search. Each request carries
//!   a context of the other channel's signals from earlier in the
//!   simulation, which an engine with its coupling switched off ignores.
//! - **Arms**: channel arms (search only, feed only, both) and the 2×2
//!   coupling factorial, A = personalised search, B = query-aware feed; Δ =
//!   GMV(A+B) − GMV(A) − GMV(B) + GMV(neither). The verdict on "1+1>2" is
//!   *super-additive* when Δ's interval lies above zero, *sub-additive*
//!   below it, *additive* when an equivalence test (TOST) puts Δ within
//!   ±`equivalence_margin`, and otherwise *inconclusive*, naming the smallest
//!   |Δ| the experiment could detect; the simulator reports whatever the
//!   arms produce.
//! - **Common random numbers**: every draw comes from a stream keyed by
//!   (seed, user, session, purpose), so the arms see the same users, needs
//!   and coin flips and are paired per user. A user's outcome is their mean
//!   over replicate seeds; a paired bootstrap over users gives every
//!   estimate its standard error, a normal interval (value ± z · SE, whose
//!   coverage the suite measures) and its minimum detectable effect (80%
//!   power, two-sided at 1 − confidence: 2.80 · SE at 95%). CUPED uses each user's GMV in the world's logs, whose mean
//!   over the world's users is known, with θ re-fitted per resample.
//! - **Seeds**: the simulation seed (`[simulation] seed`, by default the
//!   world's) keys every stream, so one world can host many experiments.
//! - **Validation**: a paired A/A check ([`SimulationSettings::aa_replicates`]),
//!   a planted-interaction positive control, guardrails per arm, and (through
//!   the run, which regenerates worlds and retrains engines) replication over
//!   worlds and a sensitivity map with Holm-adjusted verdicts.
//!
//! Users run in parallel; everything but the timings (`seconds`,
//! `sessions_per_second`, `engine_share` and the latency guardrails) is the
//! same whatever the thread count.

mod aa;
mod analysis;
mod arms;
mod check;
mod cuped;
mod experiment;
mod learning;
mod model;
mod oracle;
mod part;
mod paths;
mod perturb;
mod planted;
mod seeds;
mod sensitivity;
mod session;
mod settings;
mod sizing;
pub mod stats;
mod summary;
mod tables;
mod worlds;

use std::path::Path;
use std::time::Instant;

use searchrec_datasets::{UserId, World};
use searchrec_engine::Engine;

pub use check::check;
pub use learning::Retrain;
pub use model::patched_scenario;
pub use planted::PlantedSettings;
pub use sensitivity::{SweepPoint, holm, point_settings, sensitivity_map};
pub use settings::{
    ArmSettings, ChannelArms, Channels, ComparisonSettings, FactorialArms, GridAxis, MAX_DAYS, Margin,
    SimulationSettings, SweepSettings,
};
pub use summary::{
    AaCheck, ArmComparison, ArmSummary, ChannelInteraction, Cuped, DataLoopSummary, Equivalence, Estimate, Factorial,
    Guardrails, LoopArm, OracleCeilings, PathGmv, PlantedControl, SensitivityPoint, SimulationSummary, Sizing, Uplift,
    WorldEstimate, WorldReplication,
};
pub use tables::{SESSIONS_FILE, SessionRow, USERS_FILE, UserRow};
pub use worlds::across_worlds;

use crate::Result;
use arms::{Arm, ArmLabel};
use cuped::Covariate;
use experiment::{DataLoop, Outcome, Plan, Work};
use learning::LoopWork;
pub use part::{PART_FILE, SimulationPart, UserShare, join_parts, unsplittable};
use seeds::{Phase, seed_of};
use session::Life;
use stats::Bootstrap;

/// The part of a simulation a progress report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The experiment: every arm, the pre-period and the planted cell, every replicate.
    Experiment,
    /// The A/A check.
    AaCheck,
}

/// Progress callback: (stage, user runs finished since the last call). A
/// user run is one user through one period under one arm; the totals are
/// [`SimulationSettings::planned_runs`]. Called from worker threads.
pub type Progress<'a> = &'a (dyn Fn(Stage, u64) + Sync);

impl SimulationSettings {
    /// User runs a stage will report to [`Progress`], for a progress bar.
    pub fn planned_runs(&self, stage: Stage) -> u64 {
        let users = self.users as u64;
        match stage {
            Stage::Experiment => {
                let runs = self.arms.len()
                    + (self.pre_period_days > 0) as usize
                    + self.planted.is_some() as usize
                    + 3 * self.oracle as usize;
                self.replicates as u64 * users * runs as u64
            }
            Stage::AaCheck => self.aa_replicates as u64 * users * 2 * self.replicates as u64,
        }
    }
}

/// A simulation's results: the summary for `results.json` and the tables.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulationOutput {
    /// The summary.
    pub summary: SimulationSummary,
    /// Every session of the experiment period, by replicate, user, arm and session.
    pub sessions: Vec<SessionRow>,
    /// Every user's experiment period per arm, by replicate, user and arm.
    pub users: Vec<UserRow>,
    /// Per arm (settings order), per simulated user: GMV over the horizon,
    /// the mean over replicates: what every estimate was computed from.
    pub arm_gmv: Vec<Vec<f64>>,
}

impl SimulationOutput {
    /// Writes [`SESSIONS_FILE`] and [`USERS_FILE`] into `dir` (which must
    /// exist), each atomically: a reader sees the old file or the whole new one.
    pub fn write_tables(&self, dir: &Path) -> Result<()> {
        tables::write(dir, &self.sessions, &self.users)
    }
}

/// Runs the simulation `settings` describe on `world`, with the engines by
/// scenario name, under the simulation seed: `settings.seed`, or
/// `default_seed` when the settings name none (a run passes the world seed).
///
/// [`check`] runs first, so a bad experiment fails before any session.
/// Errors: anything `check` refuses, an engine error during a session, or an
/// engine answering with an item outside the catalogue.
pub fn simulate(
    world: &World,
    engines: &[(&str, &dyn Engine)],
    settings: &SimulationSettings,
    default_seed: u64,
    progress: Option<Progress<'_>>,
) -> Result<SimulationOutput> {
    simulate_learning(world, engines, None, settings, default_seed, progress)
}

/// [`simulate`] with the data loop: `retrain` rebuilds an arm's engines
/// from its own traffic when `settings.retrain_days` asks for it (the
/// simulation refuses a loop without one).
pub fn simulate_learning(
    world: &World,
    engines: &[(&str, &dyn Engine)],
    retrain: Option<&dyn Retrain>,
    settings: &SimulationSettings,
    default_seed: u64,
    progress: Option<Progress<'_>>,
) -> Result<SimulationOutput> {
    let seed = settings.seed.unwrap_or(default_seed);
    check(settings, world, &|name| engines.iter().find(|(n, _)| *n == name).map(|(_, e)| e.capabilities()))?;
    if !settings.sensitivity.is_empty() {
        return Err(settings::field_error(
            "sensitivity",
            "every sweep point regenerates the world and retrains the engines, which a simulation cannot do \
             alone: run sweeps through `searchrec run` (harness::run), or remove them",
        ));
    }
    if settings.retrain_days > 0 && retrain.is_none() {
        return Err(settings::field_error(
            "retrain_days",
            "the data loop rebuilds the arms' engines, which a simulation cannot do alone: run it through \
             `searchrec run` (harness::run), or set 0",
        ));
    }
    let available = check::world_truth(world)?.users.len().min(world.observable.users.len());
    let run = |s: &SimulationSettings| experiment(world, engines, retrain, s, seed, progress);
    match settings.target_mde {
        None => run(settings),
        Some(target) => sizing::sized(settings, available, target, run),
    }
}

/// One share of a simulation split by users (`run --shard I/N`): `share`'s
/// users through every arm and the A/A check, kept for [`join_parts`],
/// which gives exactly what [`simulate`] gives. Refuses what [`check`]
/// refuses and the settings [`unsplittable`] names.
pub fn simulate_share(
    world: &World,
    engines: &[(&str, &dyn Engine)],
    settings: &SimulationSettings,
    default_seed: u64,
    share: UserShare,
) -> Result<SimulationPart> {
    let seed = settings.seed.unwrap_or(default_seed);
    check(settings, world, &|name| engines.iter().find(|(n, _)| *n == name).map(|(_, e)| e.capabilities()))?;
    if let Some((field, why)) = unsplittable(settings) {
        return Err(settings::field_error(field, format!("{why}, so the users cannot be split across shares")));
    }
    let available = check::world_truth(world)?.users.len().min(world.observable.users.len());
    let collected = collect(world, engines, (None, None), settings, seed, share)?;
    SimulationPart::new(share, seed, settings.users.min(available), collected)
}

/// One experiment of `settings` under the simulation seed `seed`.
fn experiment(
    world: &World,
    engines: &[(&str, &dyn Engine)],
    retrain: Option<&dyn Retrain>,
    settings: &SimulationSettings,
    seed: u64,
    progress: Option<Progress<'_>>,
) -> Result<SimulationOutput> {
    let collected = collect(world, engines, (retrain, progress), settings, seed, UserShare::ALL)?;
    analyse(settings, seed, collected)
}

/// What the users of one share produced, before any statistic: the
/// experiment's per-user figures and pooled counts, the A/A check's
/// per-user differences, the CUPED covariate, and the data loop's second
/// run when there is one.
pub(crate) struct Collected {
    /// The share's users, in simulation (ascending) order.
    pub users: Vec<UserId>,
    /// The arms, in settings order, then the oracle's.
    pub arms: Vec<ArmLabel>,
    /// Whether demand is finite (`behaviour.budget_mean` > 0).
    pub bounded: bool,
    pub outcome: Outcome,
    /// The data loop's work per arm, and the factorial again with the
    /// engines trained once (its settings, its outcome).
    pub data_loop: Option<(Vec<LoopWork>, SimulationSettings, Outcome)>,
    /// Per A/A replicate, per user.
    pub aa: Option<Vec<Vec<f64>>>,
    pub covariate: Covariate,
    pub work: Work,
    /// Wall-clock seconds of the users' runs.
    pub seconds: f64,
}

/// Runs every arm (and the A/A check) for `share`'s users.
fn collect(
    world: &World,
    engines: &[(&str, &dyn Engine)],
    (retrain, progress): (Option<&dyn Retrain>, Option<Progress<'_>>),
    settings: &SimulationSettings,
    seed: u64,
    share: UserShare,
) -> Result<Collected> {
    let started = Instant::now();
    let mut arms = arms::resolve(settings, engines)?;
    let control = settings.arm_index(settings.control_arm()).unwrap_or_default();
    // After the scenario's arms, so every settings index still points at its arm.
    if let Some(f) = settings.factorial.as_ref().filter(|_| settings.oracle) {
        let neither = arms[settings.arm_index(&f.neither).unwrap_or_default()].clone();
        arms.extend(arms::oracle_arms(&neither));
    }
    let available = check::world_truth(world)?.users.len().min(world.observable.users.len());
    let users = share.pick(seeds::sample_users(available, settings.users, seed));
    let plan = Plan { users: &users, settings, seed, progress };
    let life = Life::new(world, settings.k, settings.context_window)?;
    let mut work = Work::default();

    let planted = settings.planted.as_ref().zip(settings.factorial.as_ref()).map(|(p, f)| {
        // check() made sure the cell names an arm.
        (p, settings.arm_index(p.arm(f)).unwrap_or_default())
    });
    let mut data_loop = retrain
        .filter(|_| settings.retrain_days > 0)
        .map(|retrain| DataLoop { retrain, work: vec![LoopWork::default(); arms.len()] });
    let outcome = experiment::run_experiment(&life, &arms, control, planted, &plan, data_loop.as_mut(), &mut work)?;
    // The loop's contribution: the factorial again with the engines trained once.
    let data_loop = match data_loop {
        Some(looped) if settings.factorial.is_some() => {
            let factorial = settings.factorial_only();
            let arms = arms::resolve(&factorial, engines)?;
            let plan = Plan { settings: &factorial, ..plan };
            let outcome = experiment::run_experiment(&life, &arms, 0, None, &plan, None, &mut work)?;
            Some((looped.work, factorial, outcome))
        }
        _ => None,
    };
    let aa = match settings.aa_replicates {
        0 => None,
        _ => Some(aa::aa_differences(&life, &arms[control], &plan, &mut work)?),
    };
    Ok(Collected {
        covariate: cuped::Covariate::logged_gmv(world, &users),
        users,
        arms: arms.iter().map(Arm::label).collect(),
        bounded: world.scenario.behaviour.budget_mean > 0.0,
        outcome,
        data_loop,
        aa,
        work,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Every estimate, interval and verdict of the simulation from what every
/// user produced (all of them, in simulation order).
fn analyse(settings: &SimulationSettings, seed: u64, collected: Collected) -> Result<SimulationOutput> {
    let started = Instant::now();
    let Collected { users, arms, bounded, outcome, data_loop, aa, covariate, work, seconds: collecting } = collected;
    let bootstrap = Bootstrap {
        resamples: settings.bootstrap_resamples,
        confidence: settings.confidence,
        seed: seed_of(seed, Phase::Bootstrap, 0),
    };
    let arm_summaries =
        analysis::arm_summaries(&arms, (&outcome, bounded, settings.replicates), &covariate, &bootstrap)?;
    let comparisons = analysis::comparisons(settings, &outcome, &covariate, &bootstrap)?;
    let factorial = analysis::factorial(settings, &outcome, &covariate, &bootstrap)?;
    let planted = analysis::planted(settings, &outcome, factorial.as_ref(), &bootstrap)?;
    let channel_interaction = analysis::channel_interaction(settings, &outcome, &bootstrap)?;
    let oracle = analysis::oracle(settings, &outcome, &bootstrap)?;
    let data_loop = match data_loop {
        Some((loop_work, factorial, static_outcome)) => {
            Some(analysis::data_loop(settings, (&outcome, &loop_work), (&factorial, &static_outcome), &bootstrap)?)
        }
        None => None,
    };
    let aa = aa.map(|differences| aa::aa_summary(settings, seed, &differences)).transpose()?;
    let seconds = collecting + started.elapsed().as_secs_f64();
    let summary = SimulationSummary {
        label: "simulated".to_string(),
        users: users.len(),
        horizon_days: settings.horizon_days,
        pre_period_days: settings.pre_period_days,
        seed,
        replicates: settings.replicates,
        bootstrap_resamples: settings.bootstrap_resamples,
        confidence: settings.confidence,
        power: stats::POWER,
        arms: arm_summaries,
        comparisons,
        factorial,
        worlds: None,
        sizing: None,
        channel_interaction,
        planted,
        oracle,
        data_loop,
        aa,
        sensitivity: Vec::new(),
        sessions: work.sessions,
        seconds,
        sessions_per_second: if seconds > 0.0 { work.sessions as f64 / seconds } else { 0.0 },
        engine_share: if work.busy_ns > 0 { work.engine_ns as f64 / work.busy_ns as f64 } else { 0.0 },
    };
    Ok(SimulationOutput { summary, sessions: outcome.sessions, users: outcome.users, arm_gmv: outcome.gmv })
}
