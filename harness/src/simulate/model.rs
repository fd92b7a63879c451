//! A world scenario with one parameter changed: a point of a sensitivity
//! sweep. The run regenerates the world from it (same world seed), so the
//! logs the engines train on follow the changed parameter too.

use searchrec_datasets::{DatasetError, Scenario};

/// Path prefixes a sweep may change: the behaviour, need, query and user
/// models. Every other scenario field sizes the world itself.
pub(crate) const SWEEPABLE: [&str; 4] = ["behaviour.", "needs.", "queries.", "users."];

/// `scenario` with `parameter` (a dotted path) set to `value`. Errors, as
/// the reason alone (the caller names the setting), when the path is not a
/// number field of the scenario or the value is outside its range.
pub fn patched_scenario(scenario: &Scenario, parameter: &str, value: f64) -> Result<Scenario, String> {
    let mut tree = serde_json::to_value(scenario).map_err(|e| e.to_string())?;
    let pointer = format!("/{}", parameter.replace('.', "/"));
    let slot = tree
        .pointer_mut(&pointer)
        .filter(|slot| slot.is_number())
        .ok_or_else(|| "not a number field of the world scenario".to_string())?;
    *slot = serde_json::Value::from(value);
    let patched: Scenario = serde_json::from_value(tree).map_err(|e| e.to_string())?;
    patched.validate().map_err(|e| match e {
        DatasetError::ScenarioField { message, .. } => message,
        other => other.to_string(),
    })?;
    Ok(patched)
}
