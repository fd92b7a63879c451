//! The shared engine contract, on a clustered fixture world.

use searchrec_engine::EngineFactory;
use searchrec_engine::conformance::{Probe, assert_conforms};
use searchrec_exact::ExactFactory;
use searchrec_vectors::fixtures::{FixtureSpec, clustered};

#[test]
fn exact_engine_conforms() {
    let world = clustered(&FixtureSpec::default());
    let engine = ExactFactory.build("exact", &toml::Table::new(), world.input()).expect("builds");
    assert_conforms(engine.as_ref(), &Probe::from_input(world.input(), &["leaf 3"]));
}
