//! The data loop (`[simulation] retrain_days`): engines that learn from the
//! traffic they serve.
//!
//! Trained once, an arm's engines can change what users do but never what
//! the engines know, so the loop that the "1+1>2" claim rests on ("search
//! improves recommendation accuracy") could not occur. With the loop, every
//! arm stops all its users at the end of each `retrain_days` epoch, hands
//! what it logged so far to a [`Retrain`] (the run layer, which can build
//! engines; the simulator never does), and goes on with the engines that
//! come back. Each arm learns only from its own traffic, so an arm's
//! coupling reaches its engines, and nothing crosses to another arm.
//!
//! Users are stopped and resumed exactly ([`Journey`]), and their events are
//! gathered in user order, so the loop is as deterministic as the rest.

use rayon::prelude::*;
use searchrec_datasets::{Logs, World};
use searchrec_engine::Engine;

use super::Stage;
use super::arms::Arm;
use super::experiment::Plan;
use super::session::{Journey, Life, Period, UserRun};
use crate::Result;

/// Rebuilds an engine for the data loop.
pub trait Retrain: Sync {
    /// The engine the scenario calls `engine`, rebuilt from the world's logs
    /// plus `simulated` (what one arm logged so far, times and sessions
    /// already after the world's logs).
    fn retrain(&self, engine: &str, simulated: &Logs) -> Result<Box<dyn Engine>>;
}

/// What one arm's loop did.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LoopWork {
    /// Engines rebuilt.
    pub retrains: u32,
    /// Seconds spent rebuilding them.
    pub seconds: f64,
    /// Events the last rebuild learned from, besides the world's.
    pub events: usize,
}

/// One arm and, optionally, a perturbed copy of it (the planted control's
/// handicapped cell) that is served by the arm's engines of each epoch but
/// whose traffic does not train them.
pub(crate) struct Lane<'a, 'e> {
    pub arm: &'a Arm<'e>,
    pub shadow: Option<&'a Arm<'e>>,
}

/// Runs `lane` for every user of the plan through `period`, retraining the
/// arm's engine every `retrain_days` from its own logs. Returns the arm's
/// runs and the shadow's, in user order.
pub(crate) fn run_looped(
    life: &Life<'_>,
    (lane, period): (Lane<'_, '_>, &Period),
    plan: &Plan<'_>,
    retrain: &dyn Retrain,
    work: &mut LoopWork,
) -> Result<(Vec<UserRun>, Option<Vec<UserRun>>)> {
    let (users, every) = (plan.users, plan.settings.retrain_days.max(1));
    let logged = Period { log: true, ..*period };
    let mut journeys: Vec<Journey> = users.iter().map(|&u| life.begin(u, &logged)).collect();
    // The shadow's totals are all the experiment reads of it, as in a run without the loop.
    let quiet = Period { detail: false, ..*period };
    let mut shadows: Option<Vec<Journey>> = lane.shadow.map(|_| users.iter().map(|&u| life.begin(u, &quiet)).collect());
    let mut log = SimulatedLog::after(life.world());
    let mut owned: Option<Box<dyn Engine>> = None;
    let mut day = 0;
    while day < period.days {
        let until = day.saturating_add(every).min(period.days);
        let engine: &dyn Engine = owned.as_deref().unwrap_or(lane.arm.engine);
        let arm = Arm { engine, ..lane.arm.clone() };
        journeys.par_iter_mut().try_for_each(|j| life.advance(j, &arm, &logged, until))?;
        if let (Some(shadow), Some(journeys)) = (lane.shadow, shadows.as_mut()) {
            let shadow = Arm { engine, ..shadow.clone() };
            journeys.par_iter_mut().try_for_each(|j| life.advance(j, &shadow, &quiet, until))?;
        }
        if until < period.days {
            journeys.iter_mut().for_each(|j| log.append(j));
            let started = std::time::Instant::now();
            owned = Some(retrain.retrain(&lane.arm.engine_name, &log.logs)?);
            work.retrains += 1;
            work.seconds += started.elapsed().as_secs_f64();
            work.events = log.logs.events.len();
        }
        day = until;
    }
    if let Some(progress) = plan.progress {
        progress(Stage::Experiment, (users.len() * (1 + shadows.is_some() as usize)) as u64);
    }
    let runs = journeys.into_iter().map(Journey::finish).collect();
    Ok((runs, shadows.map(|s| s.into_iter().map(Journey::finish).collect())))
}

/// An arm's traffic as log events placed after the world's logs: times
/// shifted past the logged days, sessions numbered past the logged ones.
struct SimulatedLog {
    logs: Logs,
    time_offset: u32,
    next_session: u32,
}

impl SimulatedLog {
    fn after(world: &World) -> SimulatedLog {
        let logged = &world.observable.logs.events;
        SimulatedLog {
            logs: Logs::default(),
            time_offset: world.scenario.logs.days.saturating_mul(86_400),
            next_session: logged.iter().map(|e| e.session).max().map_or(0, |s| s.saturating_add(1)),
        }
    }

    /// Moves the journey's new events in, renumbering its sessions and queries.
    fn append(&mut self, journey: &mut Journey) {
        let (events, queries) = journey.take_log();
        let query_offset = self.logs.queries.len() as u32;
        self.logs.queries.extend(queries);
        let mut last: Option<u32> = None;
        for mut event in events {
            // A user's sessions arrive in order, so a new number starts a new session.
            if last != Some(event.session) {
                last = Some(event.session);
                self.next_session = self.next_session.saturating_add(1);
            }
            event.session = self.next_session - 1;
            event.time = event.time.saturating_add(self.time_offset);
            event.query = event.query.map(|q| q + query_offset);
            self.logs.events.push(event);
        }
    }
}
