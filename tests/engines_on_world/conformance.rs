//! The conformance suite, for every engine, on the small world.

use searchrec_engine::conformance::{Probe, assert_conforms};

use crate::fixtures::{engine, input, kinds, world};

#[test]
fn every_engine_conforms_on_the_small_world() {
    let queries: Vec<&str> = world().observable.queries.iter().take(20).map(|q| q.text.as_str()).collect();
    let probe = Probe::from_input(input(), &queries);
    for kind in kinds() {
        assert_conforms(engine(kind), &probe);
    }
}
