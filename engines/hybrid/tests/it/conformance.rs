//! The shared engine contract, for every arm of the 2×2 and every fusion.

use searchrec_engine::conformance::{Probe, assert_conforms};
use searchrec_hybrid::{Fusion, HybridConfig};

use crate::world::{arm, build, world};

fn probe() -> Probe {
    Probe::from_input(world().input(), &["desk", "kettle lamp", "classic edition", "leaf 3"])
}

#[test]
fn every_arm_conforms() {
    for (a, b) in [(false, false), (false, true), (true, false), (true, true)] {
        assert_conforms(arm(a, b), &probe());
    }
}

#[test]
fn every_fusion_conforms() {
    for fusion in [Fusion::Rrf, Fusion::Minmax, Fusion::Zscore] {
        assert_conforms(&build(&HybridConfig { fusion, ..HybridConfig::default() }), &probe());
    }
}
