//! Running arms over the simulated users: the experiment with its optional
//! pre-period and the planted control's handicapped cell, and the plain GMV
//! runs the A/A check repeats.
//!
//! Users run in parallel (each on its own streams) and their results are
//! folded in user order, so every figure but the timings is the same
//! whatever the thread count.

use hdrhistogram::Histogram;
use rayon::prelude::*;
use searchrec_datasets::UserId;

use super::arms::Arm;
use super::learning::{self, LoopWork, Retrain};
use super::paths::PATHS;
use super::planted::PlantedSettings;
use super::seeds::{Phase, seed_of};
use super::session::{Life, Period, Totals, UserRun};
use super::settings::SimulationSettings;
use super::summary::Guardrails;
use super::tables::{SessionRow, UserRow};
use super::{Progress, Stage};
use crate::load::LatencySummary;
use crate::{HarnessError, Result};

/// Simulation work done, for the throughput figures.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Work {
    /// Sessions served.
    pub sessions: u64,
    /// Nanoseconds inside engine calls.
    pub engine_ns: u64,
    /// Nanoseconds spent simulating users (summed over threads).
    pub busy_ns: u64,
}

impl Work {
    fn add(&mut self, run: &UserRun) {
        self.sessions += run.totals.sessions as u64;
        self.engine_ns = self.engine_ns.saturating_add(run.engine_ns);
        self.busy_ns = self.busy_ns.saturating_add(run.busy_ns);
    }
}

/// What every run of a simulation shares: who is simulated, how, under
/// which seed, and where progress goes.
#[derive(Clone, Copy)]
pub(crate) struct Plan<'a> {
    pub users: &'a [UserId],
    pub settings: &'a SimulationSettings,
    pub seed: u64,
    pub progress: Option<Progress<'a>>,
}

/// Pooled counts of one arm over users and replicates, for its guardrails
/// (64-bit: a large world's impressions overflow a user's 32-bit counters).
/// Every field adds up in any order, so the tallies of shares of users
/// ([`super::part`]) add up to the unsplit simulation's.
pub(crate) struct Tally {
    pub user_runs: u64,
    pub sessions: u64,
    pub searches: u64,
    pub impressions: u64,
    pub clicks: u64,
    pub orders: u64,
    pub shown: Vec<bool>,
    pub latency: Histogram<u64>,
}

impl Tally {
    pub fn new(items: usize) -> Result<Tally> {
        let latency = Histogram::new(3).map_err(|e| HarnessError::Invalid {
            what: "simulation latency histogram".into(),
            message: e.to_string(),
        })?;
        Ok(Tally {
            user_runs: 0,
            sessions: 0,
            searches: 0,
            impressions: 0,
            clicks: 0,
            orders: 0,
            shown: vec![false; items],
            latency,
        })
    }

    fn add(&mut self, run: &UserRun) {
        let r = &run.totals;
        self.user_runs += 1;
        self.sessions += r.sessions as u64;
        self.searches += r.searches as u64;
        self.impressions += r.impressions as u64;
        self.clicks += r.clicks as u64;
        self.orders += r.orders as u64;
        for item in &run.shown {
            self.shown[item.index()] = true;
        }
        for &ns in &run.latencies {
            // Growing fails only past u64 counts; the value is then clamped.
            if self.latency.record(ns).is_err() {
                self.latency.saturating_record(ns);
            }
        }
    }

    /// Adds `other`'s counts (another share of the users) to these.
    pub fn absorb(&mut self, other: &Tally) -> Result<()> {
        self.user_runs += other.user_runs;
        self.sessions += other.sessions;
        self.searches += other.searches;
        self.impressions += other.impressions;
        self.clicks += other.clicks;
        self.orders += other.orders;
        for (mine, theirs) in self.shown.iter_mut().zip(&other.shown) {
            *mine |= *theirs;
        }
        self.latency
            .add(&other.latency)
            .map_err(|e| HarnessError::Invalid { what: "simulation latency histogram".into(), message: e.to_string() })
    }

    /// The arm's guardrails, given its GMV summed over users and
    /// replicates; a ratio over nothing is 0.
    pub fn guardrails(&self, gmv: f64) -> Guardrails {
        let ratio = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { 0.0 };
        let latency = LatencySummary::from_histogram(&self.latency);
        Guardrails {
            ctr: ratio(self.clicks, self.impressions),
            conversion: ratio(self.orders, self.sessions),
            average_order_value: if self.orders > 0 { gmv / self.orders as f64 } else { 0.0 },
            coverage: ratio(self.shown.iter().filter(|&&s| s).count() as u64, self.shown.len() as u64),
            sessions_per_user: ratio(self.sessions, self.user_runs),
            searches_per_user: ratio(self.searches, self.user_runs),
            latency_p50_us: latency.p50_us,
            latency_p99_us: latency.p99_us,
        }
    }
}

/// What the experiment produced.
pub(crate) struct Outcome {
    /// Per arm, per user: GMV over the horizon, mean over replicates.
    pub gmv: Vec<Vec<f64>>,
    /// Per arm, per user: sessions over the horizon, mean over replicates.
    pub sessions_per_user: Vec<Vec<f64>>,
    /// Per arm, per user: GMV of the purchases chosen but over budget, mean
    /// over replicates.
    pub forgone: Vec<Vec<f64>>,
    /// Per arm, per purchase path, per user: GMV, mean
    /// over replicates; the paths of an arm sum to its `gmv`
    /// ([`super::paths::Path::ALL`] order).
    pub path_gmv: Vec<Vec<Vec<f64>>>,
    /// Per user: GMV of the planted control's handicapped cell, mean over
    /// replicates, when the settings plant one.
    pub planted_gmv: Option<Vec<f64>>,
    /// Per arm.
    pub tallies: Vec<Tally>,
    /// Every session, by replicate, user, arm and session.
    pub sessions: Vec<SessionRow>,
    /// Every user period, by replicate, user and arm.
    pub users: Vec<UserRow>,
}

/// The data loop of an experiment: who rebuilds the engines, and what each
/// arm's loop did (settings order).
pub(crate) struct DataLoop<'a> {
    pub retrain: &'a dyn Retrain,
    pub work: Vec<LoopWork>,
}

/// Runs every arm for every user in every replicate, each user's pre-period
/// first under the control arm, and the planted control's handicapped copy
/// of arm `planted.1` when there is one. With a `data_loop`, each arm's
/// engines are retrained on its own traffic every
/// `settings.retrain_days` (the handicapped copy is served by its cell's).
pub(crate) fn run_experiment(
    life: &Life<'_>,
    arms: &[Arm<'_>],
    control: usize,
    planted: Option<(&PlantedSettings, usize)>,
    plan: &Plan<'_>,
    mut data_loop: Option<&mut DataLoop<'_>>,
    work: &mut Work,
) -> Result<Outcome> {
    let (users, settings, seed) = (plan.users, plan.settings, plan.seed);
    let items = life.catalogue_size();
    let mut out = Outcome {
        gmv: vec![vec![0.0; users.len()]; arms.len()],
        sessions_per_user: vec![vec![0.0; users.len()]; arms.len()],
        forgone: vec![vec![0.0; users.len()]; arms.len()],
        path_gmv: vec![vec![vec![0.0; users.len()]; PATHS]; arms.len()],
        planted_gmv: planted.map(|_| vec![0.0; users.len()]),
        tallies: arms.iter().map(|_| Tally::new(items)).collect::<Result<_>>()?,
        sessions: Vec::new(),
        users: Vec::new(),
    };
    for replicate in 0..settings.replicates {
        let r = replicate as u32;
        let main = Period {
            seed: seed_of(seed, Phase::Experiment, replicate),
            days: settings.horizon_days,
            replicate: r,
            detail: true,
            log: false,
        };
        let pre = (settings.pre_period_days > 0).then(|| Period {
            seed: seed_of(seed, Phase::PrePeriod, replicate),
            days: settings.pre_period_days,
            replicate: r,
            detail: false,
            log: false,
        });
        let handicapped = planted.map(|(p, cell)| p.handicap(&arms[cell], seed_of(seed, Phase::Planted, replicate)));
        let quiet = Period { detail: false, ..main };
        let runs = match data_loop.as_mut() {
            None => {
                let units = arms.len() as u64 + pre.is_some() as u64 + handicapped.is_some() as u64;
                per_user(plan, Stage::Experiment, units, |user| {
                    let pre_run = pre.map(|p| life.live(user, &arms[control], &p)).transpose()?;
                    let arm_runs = arms.iter().map(|arm| life.live(user, arm, &main)).collect::<Result<Vec<_>>>()?;
                    let planted_run = handicapped.as_ref().map(|arm| life.live(user, arm, &quiet)).transpose()?;
                    Ok((pre_run, arm_runs, planted_run))
                })?
            }
            Some(looped) => {
                let pre_runs = per_user(plan, Stage::Experiment, pre.is_some() as u64, |user| {
                    pre.map(|p| life.live(user, &arms[control], &p)).transpose()
                })?;
                let mut by_arm = Vec::with_capacity(arms.len());
                let mut planted_runs = None;
                for (a, arm) in arms.iter().enumerate() {
                    let shadow = handicapped.as_ref().filter(|_| planted.is_some_and(|(_, cell)| cell == a));
                    let lane = learning::Lane { arm, shadow };
                    let (runs, shadow_runs) =
                        learning::run_looped(life, (lane, &main), plan, looped.retrain, &mut looped.work[a])?;
                    by_arm.push(runs);
                    planted_runs = planted_runs.or(shadow_runs);
                }
                transpose(pre_runs, by_arm, planted_runs)
            }
        };
        for (u, (pre_run, arm_runs, planted_run)) in runs.into_iter().enumerate() {
            let pre_gmv = pre_run.as_ref().map_or(0.0, |p| p.totals.gmv);
            for run in pre_run.iter().chain(&planted_run) {
                work.add(run);
            }
            if let (Some(gmv), Some(run)) = (out.planted_gmv.as_mut(), &planted_run) {
                gmv[u] += run.totals.gmv;
            }
            for (a, run) in arm_runs.into_iter().enumerate() {
                work.add(&run);
                out.gmv[a][u] += run.totals.gmv;
                out.sessions_per_user[a][u] += run.totals.sessions as f64;
                out.forgone[a][u] += run.totals.forgone_gmv;
                for (path, gmv) in run.totals.path_gmv.iter().enumerate() {
                    out.path_gmv[a][path][u] += gmv;
                }
                out.tallies[a].add(&run);
                out.users.push(user_row(r, &arms[a].name, users[u], &run.totals, pre_gmv));
                out.sessions.extend(run.sessions);
            }
        }
    }
    let n = settings.replicates as f64;
    out.gmv
        .iter_mut()
        .chain(&mut out.sessions_per_user)
        .chain(&mut out.forgone)
        .chain(out.path_gmv.iter_mut().flatten())
        .flatten()
        .chain(out.planted_gmv.iter_mut().flatten())
        .for_each(|g| *g /= n);
    Ok(out)
}

/// GMV per user of each (arm, period) run, without rows: runs[i] → result[i][user].
pub(crate) fn gmv_runs(
    life: &Life<'_>,
    runs: &[(&Arm<'_>, Period)],
    plan: &Plan<'_>,
    stage: Stage,
    work: &mut Work,
) -> Result<Vec<Vec<f64>>> {
    let per_user_runs = per_user(plan, stage, runs.len() as u64, |user| {
        runs.iter().map(|(arm, period)| life.live(user, arm, period)).collect::<Result<Vec<_>>>()
    })?;
    let mut gmv = vec![Vec::with_capacity(plan.users.len()); runs.len()];
    for user_runs in per_user_runs {
        for (i, run) in user_runs.into_iter().enumerate() {
            work.add(&run);
            gmv[i].push(run.totals.gmv);
        }
    }
    Ok(gmv)
}

/// Per-user tuples from per-arm runs (all in user order).
fn transpose(
    pre: Vec<Option<UserRun>>,
    by_arm: Vec<Vec<UserRun>>,
    planted: Option<Vec<UserRun>>,
) -> Vec<(Option<UserRun>, Vec<UserRun>, Option<UserRun>)> {
    let mut arms: Vec<std::vec::IntoIter<UserRun>> = by_arm.into_iter().map(Vec::into_iter).collect();
    let mut planted = planted.map(Vec::into_iter);
    pre.into_iter()
        .map(|pre_run| {
            let arm_runs = arms.iter_mut().filter_map(Iterator::next).collect();
            (pre_run, arm_runs, planted.as_mut().and_then(Iterator::next))
        })
        .collect()
}

/// `each` for every user in parallel, results in user order; `units` of
/// progress per user.
fn per_user<T: Send>(
    plan: &Plan<'_>,
    stage: Stage,
    units: u64,
    each: impl Fn(UserId) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    plan.users
        .par_iter()
        .map(|&user| {
            let result = each(user);
            if let Some(progress) = plan.progress {
                progress(stage, units);
            }
            result
        })
        .collect()
}

fn user_row(replicate: u32, arm: &str, user: UserId, t: &Totals, pre_period_gmv: f64) -> UserRow {
    UserRow {
        replicate,
        arm: arm.to_string(),
        user,
        sessions: t.sessions,
        searches: t.searches,
        impressions: t.impressions,
        clicks: t.clicks,
        orders: t.orders,
        gmv: t.gmv,
        pre_period_gmv,
        organic_needs: t.organic_needs,
        seeded_needs: t.seeded_needs,
        needs_bought: t.needs_bought,
        needs_abandoned: t.needs_abandoned,
    }
}
