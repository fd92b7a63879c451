//! The sensitivity sweeps of `[simulation]`, run honestly: at every point
//! the world is regenerated from the point's scenario (same world seed, so
//! its logs follow the changed behaviour), the arms' engines are retrained
//! on it, and the factorial runs under the point's own simulation seed;
//! [`simulate::sensitivity_map`] then adjusts the verdicts for the number
//! of points.

use searchrec_datasets::{World, generate};
use searchrec_engine::Engine;

use super::RunContext;
use super::plan::PlannedRun;
use super::worlds::arm_engines;
use crate::simulate::{self, SensitivityPoint, SimulationSettings, patched_scenario, point_settings};
use crate::{HarnessError, Result};

/// Every point of `settings`' sweeps on a world regenerated from `world`'s
/// scenario with the point's values.
pub(crate) fn sweep(
    settings: &SimulationSettings,
    planned: &[PlannedRun],
    world: &World,
    context: &RunContext<'_>,
) -> Result<Vec<SensitivityPoint>> {
    let points = settings.sweep_points();
    let mut summaries = Vec::with_capacity(points.len());
    for (i, point) in points.iter().enumerate() {
        let by = point.by.as_ref().map(|(p, v)| format!(", {p} = {v}")).unwrap_or_default();
        let label = format!("{} = {}{by}", point.parameter, point.value);
        let invalid =
            |message: String| HarnessError::Invalid { what: format!("simulation.sensitivity: {label}"), message };
        (context.progress)(&format!("sensitivity point {} of {}: {label}", i + 1, points.len()));
        let mut scenario = patched_scenario(&world.scenario, &point.parameter, point.value).map_err(invalid)?;
        if let Some((parameter, value)) = &point.by {
            scenario = patched_scenario(&scenario, parameter, *value).map_err(invalid)?;
        }
        let regenerated = generate(&scenario, world.seed).map_err(|e| invalid(e.to_string()))?;
        let at_point = point_settings(settings, i, world.seed);
        let engines = arm_engines(&at_point, planned, &regenerated, context)?;
        let refs: Vec<(&str, &dyn Engine)> = engines.iter().map(|(n, e)| (n.as_str(), e.as_ref())).collect();
        let output = simulate::simulate(&regenerated, &refs, &at_point, regenerated.seed, None)?;
        summaries.push(output.summary);
    }
    let pairs: Vec<_> = points.into_iter().zip(&summaries).collect();
    simulate::sensitivity_map(settings, &pairs)
}
