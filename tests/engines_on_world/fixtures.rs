//! The small world and the engines built on it with default parameters.

use std::sync::OnceLock;

use searchrec_datasets::{Scale, Scenario, World, generate};
use searchrec_engine::{BuildInput, Engine, EngineFactory};

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

/// Every shipped engine kind, with its factory.
pub fn factories() -> Vec<Box<dyn EngineFactory>> {
    vec![
        Box::new(searchrec_shelf::ShelfFactory),
        Box::new(searchrec_interest::InterestFactory),
        Box::new(searchrec_exact::ExactFactory),
        Box::new(searchrec_hybrid::HybridFactory),
    ]
}

/// The engine of a kind, built once with default parameters.
pub fn engine(kind: &str) -> &'static dyn Engine {
    static ENGINES: OnceLock<Vec<(String, Box<dyn Engine>)>> = OnceLock::new();
    let engines = ENGINES.get_or_init(|| {
        factories()
            .into_iter()
            .map(|f| {
                (
                    f.kind().to_string(),
                    f.build(f.kind(), &toml::Table::new(), input()).unwrap_or_else(|e| panic!("{}: {e}", f.kind())),
                )
            })
            .collect()
    });
    engines.iter().find(|(k, _)| k == kind).map(|(_, e)| e.as_ref()).expect("registered kind")
}
