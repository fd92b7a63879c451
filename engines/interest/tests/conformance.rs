//! The shared engine contract, on a clustered fixture world.

use searchrec_engine::EngineFactory;
use searchrec_engine::conformance::{Probe, assert_conforms};
use searchrec_interest::InterestFactory;
use searchrec_vectors::fixtures::{FixtureSpec, clustered};

#[test]
fn interest_engine_conforms_with_every_backend() {
    let world = clustered(&FixtureSpec::default());
    for backend in ["hnsw_rs", "graph", "exact"] {
        let params: toml::Table = toml::from_str(&format!("index = \"{backend}\"")).unwrap();
        let engine = InterestFactory.build("interest", &params, world.input()).expect("builds");
        assert_conforms(engine.as_ref(), &Probe::from_input(world.input(), &["leaf 3"]));
    }
}
