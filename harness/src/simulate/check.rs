//! Checks before any simulation work: a bad experiment is refused in
//! milliseconds, not after an hour of sessions.

use searchrec_datasets::{Truth, World};
use searchrec_engine::Capabilities;

use super::model::patched_scenario;
use super::settings::{Channels, MAX_USER_DAYS, SimulationSettings, field_error};
use crate::{HarnessError, Result};

/// The world's truth half, which every simulated user lives by; a world
/// loaded from real data has none, and the simulation is refused on it.
pub(crate) fn world_truth(world: &World) -> Result<&Truth> {
    world.truth().map_err(|e| HarnessError::Invalid { what: "simulation".into(), message: e.to_string() })
}

/// Checks `settings` against the world and the engines before any work:
/// [`SimulationSettings::validate`], then no more users than the world has,
/// every arm's engine known (`capabilities` answers `None` for an unknown
/// engine name) and able to serve the arm's channels (search needs
/// `capabilities().search`, the feed `recommend`), the factorial's arms
/// coupled as their roles say and serving the same channels, and every
/// sensitivity value valid for the world's scenario.
pub fn check(
    settings: &SimulationSettings,
    world: &World,
    capabilities: &dyn Fn(&str) -> Option<Capabilities>,
) -> Result<()> {
    settings.validate()?;
    let available = world_truth(world)?.users.len().min(world.observable.users.len());
    if settings.users > available {
        return Err(field_error(
            "users",
            format!(
                "{} users asked for, but the world has {available}; lower it or use a bigger world",
                settings.users
            ),
        ));
    }
    if settings.target_mde.is_some() && settings.max_users.is_none() {
        // The sized experiment may grow to the world's users: estimate it at that budget.
        let sized = SimulationSettings { max_users: Some(available.max(settings.users)), ..settings.clone() };
        let user_days = sized.user_days();
        if user_days.is_nan() || user_days > MAX_USER_DAYS {
            return Err(field_error(
                "max_users",
                format!(
                    "unset, so target_mde may size the experiment up to the world's {available} users: about \
                     {user_days:.2e} user-days, at most {MAX_USER_DAYS:e}; set max_users to a budget that fits"
                ),
            ));
        }
    }
    if world.observable.catalog.items.is_empty() {
        return Err(HarnessError::Invalid {
            what: "world".into(),
            message: "the catalogue is empty: there is nothing to show; use a world with items".into(),
        });
    }
    let mut caps = Vec::with_capacity(settings.arms.len());
    for (i, arm) in settings.arms.iter().enumerate() {
        let c = capabilities(&arm.engine).ok_or_else(|| {
            field_error(
                &format!("arms[{i}].engine"),
                format!("no [[engines]] entry is called `{}`; name one of the scenario's engines", arm.engine),
            )
        })?;
        let missing = if arm.channels.search() && !c.search {
            Some("search")
        } else if arm.channels.feed() && !c.recommend {
            Some("recommend")
        } else {
            None
        };
        if let Some(operation) = missing {
            return Err(field_error(
                &format!("arms[{i}].engine"),
                format!(
                    "arm `{}` serves channels = \"{}\" but engine `{}` cannot {operation}; pick another engine \
                     or channels it serves",
                    arm.name,
                    arm.channels.as_str(),
                    arm.engine
                ),
            ));
        }
        caps.push(c);
    }
    if let Some(factorial) = &settings.factorial {
        let mut channels: Option<Channels> = None;
        for (role, name, a, b) in factorial.roles() {
            let i = settings.arm_index(name).unwrap_or_default(); // validate() checked the name
            let c = caps[i];
            if (c.personalised_search, c.query_aware_feed) != (a, b) {
                return Err(field_error(
                    &format!("factorial.{role}"),
                    format!(
                        "arm `{name}` runs engine `{}` with personalised_search = {} and query_aware_feed = {}; \
                         role `{role}` needs {a} and {b}: point the role at a matching arm or switch the engine",
                        settings.arms[i].engine, c.personalised_search, c.query_aware_feed
                    ),
                ));
            }
            let own = settings.arms[i].channels;
            if channels.is_some_and(|first| first != own) {
                return Err(field_error(
                    &format!("factorial.{role}"),
                    "the four factorial arms must serve the same channels, or Δ mixes in a channel effect",
                ));
            }
            channels = Some(own);
        }
    }
    for (i, sweep) in settings.sensitivity.iter().enumerate() {
        let axes = std::iter::once((&sweep.parameter, &sweep.values, format!("sensitivity[{i}]")))
            .chain(sweep.by.iter().map(|b| (&b.parameter, &b.values, format!("sensitivity[{i}].by"))));
        for (parameter, values, field) in axes {
            for &value in values {
                patched_scenario(&world.scenario, parameter, value)
                    .map_err(|reason| field_error(&field, format!("`{parameter}` = {value}: {reason}")))?;
            }
        }
    }
    Ok(())
}
