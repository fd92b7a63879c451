//! The run's side of the data loop: rebuilding an arm's engine from the
//! world's logs plus the traffic the simulation logged under that arm.

use searchrec_datasets::{Logs, World};
use searchrec_engine::{BuildInput, Engine};

use super::RunContext;
use super::plan::PlannedRun;
use crate::simulate::Retrain;
use crate::{HarnessError, Result};

/// Builds the scenario's engines by name on a world whose logs grow.
pub(super) struct Rebuilder<'a> {
    pub planned: &'a [PlannedRun],
    pub world: &'a World,
    pub context: &'a RunContext<'a>,
}

impl Retrain for Rebuilder<'_> {
    fn retrain(&self, engine: &str, simulated: &Logs) -> Result<Box<dyn Engine>> {
        let invalid = |message: String| HarnessError::Invalid { what: format!("engine `{engine}`"), message };
        // check() made sure each arm names a single (unswept) engine run.
        let run = self
            .planned
            .iter()
            .find(|p| p.swept.is_empty() && p.spec.name == engine)
            .ok_or_else(|| invalid("no unswept engine run of that name to retrain".to_string()))?;
        let logs = appended(&self.world.observable.logs, simulated);
        let o = &self.world.observable;
        let input = BuildInput { catalog: &o.catalog, users: &o.users, logs: &logs };
        let registry = self.context.registry;
        let index = registry.build_index(&run.spec, input).map_err(|e| invalid(e.to_string()))?;
        registry.searcher(&index, &run.spec).map_err(|e| invalid(e.to_string()))
    }
}

/// `world` followed by `simulated`, its query indices shifted past the
/// world's, and the events put back in the (user, time) order logs promise
/// (a stable sort keeps each session's events in the order written).
fn appended(world: &Logs, simulated: &Logs) -> Logs {
    let shift = world.queries.len() as u32;
    let mut events = Vec::with_capacity(world.events.len() + simulated.events.len());
    events.extend_from_slice(&world.events);
    events.extend(simulated.events.iter().map(|e| {
        let mut e = e.clone();
        e.query = e.query.map(|q| q + shift);
        e
    }));
    events.sort_by_key(|e| (e.user, e.time));
    let mut queries = world.queries.clone();
    queries.extend_from_slice(&simulated.queries);
    Logs { events, queries }
}

#[cfg(test)]
mod tests {
    use searchrec_datasets::{Action, Channel, Event, ItemId, UserId};

    use super::*;

    fn event(user: u32, time: u32, query: Option<u32>) -> Event {
        Event {
            time,
            user: UserId(user),
            session: time,
            channel: if query.is_some() { Channel::Search } else { Channel::Feed },
            action: Action::Click,
            item: Some(ItemId(1)),
            position: Some(1),
            query,
        }
    }

    #[test]
    fn appended_logs_keep_user_time_order_and_their_query_texts() {
        let world = Logs { events: vec![event(0, 5, Some(0)), event(2, 1, None)], queries: vec!["mug".into()] };
        let simulated = Logs { events: vec![event(0, 90, Some(0)), event(1, 80, None)], queries: vec!["lamp".into()] };
        let logs = appended(&world, &simulated);
        let order: Vec<(u32, u32)> = logs.events.iter().map(|e| (e.user.0, e.time)).collect();
        assert_eq!(order, vec![(0, 5), (0, 90), (1, 80), (2, 1)]);
        assert_eq!(logs.query_text(&logs.events[0]), Some("mug"));
        assert_eq!(logs.query_text(&logs.events[1]), Some("lamp"));
    }
}
