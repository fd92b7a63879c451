//! The tiny generated world the tests build from, and engine parameters.

use std::sync::OnceLock;

use searchrec_datasets::{Scale, Scenario, World, generate};
use searchrec_engine::BuildInput;

/// A tiny generated world (600 items, 300 users), made once per test binary.
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| generate(&Scenario::preset(Scale::Tiny), 5).expect("the tiny world generates"))
}

pub fn input() -> BuildInput<'static> {
    let o = &world().observable;
    BuildInput { catalog: &o.catalog, users: &o.users, logs: &o.logs }
}

/// `url = "…"` plus `extra` TOML lines.
pub fn params(url: &str, extra: &str) -> toml::Table {
    let text = format!("url = {}\n{extra}", toml::Value::String(url.to_string()));
    toml::from_str(&text).expect("test parameters parse")
}
