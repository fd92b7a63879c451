//! The small world and the engines built on it with default parameters.

use std::sync::OnceLock;

use searchrec_datasets::{Scale, Scenario, World, generate};
use searchrec_engine::{BuildInput, Engine, EngineSpec};

/// The `small` preset, seed 7 (the demo's world).
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| generate(&Scenario::preset(Scale::Small), 7).expect("small world"))
}

/// The observable half of [`world`].
pub fn input() -> BuildInput<'static> {
    let o = &world().observable;
    BuildInput { catalog: &o.catalog, users: &o.users, logs: &o.logs }
}

/// Every shipped engine kind.
pub fn kinds() -> Vec<&'static str> {
    searchrec::registry().kinds().map(|(kind, _)| kind).collect()
}

/// The engine of a kind, built once with default parameters.
pub fn engine(kind: &str) -> &'static dyn Engine {
    static ENGINES: OnceLock<Vec<(&'static str, Box<dyn Engine>)>> = OnceLock::new();
    let engines = ENGINES.get_or_init(|| {
        let registry = searchrec::registry();
        kinds()
            .into_iter()
            .map(|kind| {
                let spec = EngineSpec { name: kind.to_string(), kind: kind.to_string(), params: toml::Table::new() };
                (kind, registry.build(&spec, input()).unwrap_or_else(|e| panic!("{kind}: {e}")))
            })
            .collect()
    });
    engines.iter().find(|(k, _)| *k == kind).map(|(_, e)| e.as_ref()).expect("registered kind")
}
