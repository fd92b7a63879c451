//! Shared test worlds, generated once per test binary.

use std::sync::OnceLock;

use searchrec_datasets::{Scale, Scenario, World, generate};

/// A world large enough for rates and correlations to be measured, still
/// generated in a second or two.
pub fn statistical() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let mut s = Scenario::preset(Scale::Tiny);
        s.world.items = 5_000;
        s.world.users = 3_000;
        s.logs.days = 30;
        s.queries.count = 3_000;
        generate(&s, 5).expect("statistical world")
    })
}
