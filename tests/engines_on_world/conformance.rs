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

#[test]
fn factories_declare_the_capabilities_their_engines_have() {
    let registry = searchrec::registry();
    for kind in kinds() {
        let spec = searchrec_engine::EngineSpec { name: kind.into(), kind: kind.into(), params: Default::default() };
        assert_eq!(registry.capabilities(&spec).unwrap(), engine(kind).capabilities(), "{kind}");
    }
    // The hybrid's switches are parameters: the declaration follows them without a build.
    let params = toml::from_str("personalised_search = false\nquery_aware_feed = true").unwrap();
    let spec = searchrec_engine::EngineSpec { name: "h".into(), kind: "hybrid".into(), params };
    let declared = registry.capabilities(&spec).unwrap();
    assert!(!declared.personalised_search && declared.query_aware_feed);
    let bad = toml::from_str("fusoin = \"rrf\"").unwrap();
    let spec = searchrec_engine::EngineSpec { name: "h".into(), kind: "hybrid".into(), params: bad };
    assert!(registry.capabilities(&spec).unwrap_err().to_string().contains("fusoin"));
}
