//! Sizing an experiment to a target MDE for Δ from a pilot.
//!
//! An MDE is (z₍₁₋α/₂₎ + z₍power₎) · SE, and the SE of a mean over users
//! shrinks with √users, so a pilot of n users with MDE m reaches a target t
//! at n · (m / t)² users. The pilot is the factorial alone (no A/A, no
//! sweep, no planted control). Per-user Δ is so heavy-tailed that a small
//! pilot's MDE is optimistic, so while a pilot asks for more than twice its
//! own size, the next pilot runs at the size asked (at most four pilots).
//! The experiment then runs in full at the last size, under the same
//! simulation seed, or is refused as soon as a pilot asks for more than the
//! budget — before the expensive part, naming the size it needs.

use super::SimulationOutput;
use super::settings::{Margin, SimulationSettings, field_error};
use super::summary::Sizing;
use crate::Result;

/// Pilots at most: the first at the scenario's `users`, each next at the size the last asked for.
const MAX_ROUNDS: usize = 4;

/// Runs `experiment` on a pilot of `settings`, then in full at the size the
/// `target` MDE needs. `available` is the world's user count.
pub(crate) fn sized(
    settings: &SimulationSettings,
    available: usize,
    target: Margin,
    experiment: impl Fn(&SimulationSettings) -> Result<SimulationOutput>,
) -> Result<SimulationOutput> {
    if settings.factorial.is_none() {
        return Err(field_error("target_mde", "needs [simulation.factorial]"));
    }
    let pilot_settings = settings.factorial_only();
    let budget = settings.max_users.unwrap_or(available).min(available);
    // Heavy tails make a small pilot's MDE optimistic (it rarely holds the
    // few users who carry the variance), so the size is re-estimated from
    // each pilot until one is big enough for its own estimate.
    let mut pilot_users = settings.users;
    let mut rounds = Vec::new();
    let (target_mde, pilot_mde, required_users) = loop {
        let pilot = experiment(&SimulationSettings { users: pilot_users, ..pilot_settings.clone() })?;
        let (pilot_mde, neither) = pilot
            .summary
            .factorial
            .as_ref()
            .and_then(|f| {
                let neither = pilot.summary.arms.iter().find(|a| a.name == f.neither)?.gmv_per_user.value;
                Some((f.interaction.mde?, neither))
            })
            .ok_or_else(|| field_error("target_mde", "the pilot produced no Δ to size from"))?;
        let target_mde = target.resolve(neither);
        rounds.push((pilot_users, pilot_mde));
        let needed = (pilot_users as f64 * (pilot_mde / target_mde).powi(2)).ceil();
        let required = if needed.is_finite() && needed < usize::MAX as f64 { needed as usize } else { usize::MAX };
        if required > budget {
            let history: Vec<String> = rounds.iter().map(|(n, m)| format!("{n} users → MDE {m:.3}")).collect();
            return Err(field_error(
                "target_mde",
                format!(
                    "an MDE of {target_mde:.3} GMV/user ({}) needs about {} users (pilots: {}), but the budget \
                     allows {budget} (max_users, or the world's users); raise max_users, use a bigger world, or \
                     relax target_mde",
                    target.setting(),
                    if required == usize::MAX { "unboundedly many".to_string() } else { required.to_string() },
                    history.join(", ")
                ),
            ));
        }
        // Sized from a pilot at least half as big as it asks for: stop.
        if required <= pilot_users.saturating_mul(2) || rounds.len() == MAX_ROUNDS {
            break (target_mde, pilot_mde, required.max(pilot_users));
        }
        pilot_users = required;
    };
    let pilot_users = rounds.last().map_or(settings.users, |r| r.0);
    let mut output = experiment(&SimulationSettings { users: required_users, target_mde: None, ..settings.clone() })?;
    output.summary.sizing = Some(Sizing {
        target_mde,
        target_setting: target.setting(),
        pilot_users,
        pilot_mde,
        required_users,
        budget_users: budget,
    });
    Ok(output)
}
