//! `[simulation] world_seeds`: the experiment rerun on other worlds of the
//! same scenario, each with its own engines, pooled by
//! [`simulate::across_worlds`].

use searchrec_datasets::{World, generate};
use searchrec_engine::{BuildInput, Engine};

use super::plan::PlannedRun;
use super::{RunContext, index_groups};
use crate::simulate::{self, SimulationOutput, SimulationSettings, WorldReplication};
use crate::{HarnessError, Result};

/// Simulates `settings` on every world of `settings.world_seeds` (the run's
/// own `world` and its finished simulation `own` are reused when listed)
/// and pools Δ over them.
pub(crate) fn replicate(
    settings: &SimulationSettings,
    planned: &[PlannedRun],
    world: &World,
    own: &SimulationOutput,
    context: &RunContext<'_>,
) -> Result<WorldReplication> {
    let mut others: Vec<(u64, SimulationOutput)> = Vec::new();
    let count = settings.world_seeds.len();
    for (i, &seed) in settings.world_seeds.iter().enumerate() {
        if seed == world.seed {
            continue;
        }
        (context.progress)(&format!("world {} of {count}: generating seed {seed}", i + 1));
        let other = generate(&world.scenario, seed).map_err(|e| HarnessError::Invalid {
            what: format!("simulation.world_seeds: world {seed}"),
            message: e.to_string(),
        })?;
        (context.progress)(&format!("world {} of {count}: training the arms' engines", i + 1));
        // The factorial alone: the pooled Δ is all the other worlds are for.
        let factorial = settings.factorial_only();
        let engines = arm_engines(&factorial, planned, &other, context)?;
        let refs: Vec<(&str, &dyn Engine)> = engines.iter().map(|(n, e)| (n.as_str(), e.as_ref())).collect();
        (context.progress)(&format!("world {} of {count}: simulating", i + 1));
        let mut output = simulate::simulate(&other, &refs, &factorial, seed, None)?;
        // Only the per-user GMV and the summary are pooled; the rows would hold memory for nothing.
        output.sessions = Vec::new();
        output.users = Vec::new();
        others.push((seed, output));
    }
    let worlds: Vec<(u64, &SimulationOutput)> = settings
        .world_seeds
        .iter()
        .map(|&seed| {
            let output = others.iter().find(|(s, _)| *s == seed).map_or(own, |(_, o)| o);
            (seed, output)
        })
        .collect();
    simulate::across_worlds(settings, &worlds, settings.seed.unwrap_or(world.seed))
}

/// The engines the arms name, built on `world` from the run's specs, one
/// index per build key.
pub(super) fn arm_engines(
    settings: &SimulationSettings,
    planned: &[PlannedRun],
    world: &World,
    context: &RunContext<'_>,
) -> Result<Vec<(String, Box<dyn Engine>)>> {
    let mut names: Vec<&str> = settings.arms.iter().map(|a| a.engine.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    // check() made sure each arm names a single (unswept) engine run.
    let arms: Vec<PlannedRun> =
        planned.iter().filter(|p| p.swept.is_empty() && names.contains(&p.spec.name.as_str())).cloned().collect();
    let invalid = |what: &str, message: String| HarnessError::Invalid { what: format!("engine `{what}`"), message };
    let groups = index_groups(context.registry, &arms).map_err(|e| invalid("arms", e))?;
    let o = &world.observable;
    let input = BuildInput { catalog: &o.catalog, users: &o.users, logs: &o.logs };
    let mut engines = Vec::new();
    for group in groups {
        let first = &arms[group[0]];
        let index = context.registry.build_index(&first.spec, input).map_err(|e| invalid(&first.id, e.to_string()))?;
        for i in group {
            let spec = &arms[i].spec;
            let engine = context.registry.searcher(&index, spec).map_err(|e| invalid(&arms[i].id, e.to_string()))?;
            engines.push((spec.name.clone(), engine));
        }
    }
    Ok(engines)
}

/// `settings` without its sensitivity sweeps, which the run makes apart.
pub(super) fn without_sweeps(settings: &SimulationSettings) -> SimulationSettings {
    SimulationSettings { sensitivity: Vec::new(), ..settings.clone() }
}
