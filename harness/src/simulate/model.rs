//! The user model a simulation runs: the world's own scenario, or that
//! scenario with one parameter changed by a sensitivity sweep.

use searchrec_datasets::{DatasetError, Scenario, World};

/// Path prefixes a sweep may change. Every other scenario field shapes the
/// world itself (catalogue, users, logs), which a simulation does not regenerate.
pub(crate) const SWEEPABLE: [&str; 5] =
    ["behaviour.", "needs.", "queries.", "users.price_sensitivity_median", "users.activity_mean"];

/// The parameters in effect.
pub(crate) struct Model {
    /// The world's scenario, possibly with one field changed.
    pub scenario: Scenario,
    /// Factor on every user's price sensitivity λ_u: λ_u is drawn as
    /// median × exp(noise), so a new median rescales it exactly.
    pub price_scale: f32,
    /// Factor on every user's activity (Gamma with a scale ∝ the mean).
    pub activity_scale: f64,
}

impl Model {
    /// The world as generated.
    pub fn of(world: &World) -> Model {
        Model { scenario: world.scenario.clone(), price_scale: 1.0, activity_scale: 1.0 }
    }

    /// The world with `parameter` (a dotted scenario path) set to `value`.
    /// Errors, as the reason alone (the caller names the setting), when the
    /// path is not a number field of the scenario or the value is outside
    /// its range.
    pub fn with(world: &World, parameter: &str, value: f64) -> Result<Model, String> {
        let mut tree = serde_json::to_value(&world.scenario).map_err(|e| e.to_string())?;
        let pointer = format!("/{}", parameter.replace('.', "/"));
        let slot = tree
            .pointer_mut(&pointer)
            .filter(|slot| slot.is_number())
            .ok_or_else(|| "not a number field of the world scenario".to_string())?;
        *slot = serde_json::Value::from(value);
        let scenario: Scenario = serde_json::from_value(tree).map_err(|e| e.to_string())?;
        scenario.validate().map_err(|e| match e {
            DatasetError::ScenarioField { message, .. } => message,
            other => other.to_string(),
        })?;
        let old = &world.scenario.users;
        let new = &scenario.users;
        Ok(Model {
            price_scale: (new.price_sensitivity_median / old.price_sensitivity_median) as f32,
            activity_scale: new.activity_mean / old.activity_mean,
            scenario,
        })
    }
}
