//! The shared engine conformance suite, against the test server.

use searchrec_engine::EngineFactory;
use searchrec_engine::conformance::{Probe, assert_conforms};
use searchrec_postgres::PostgresFactory;

use crate::server::TestServer;
use crate::world::{input, params};

fn probe() -> Probe {
    Probe::from_input(input(), &["dog leash", "white classic plate set", "power bank 20000 mah", "stroller"])
}

#[test]
fn default_config_conforms() {
    let server = TestServer::shared();
    let engine = PostgresFactory.build("pg-default", &params(server.url(), ""), input()).expect("builds");
    assert_conforms(engine.as_ref(), &probe());
}

#[test]
fn any_word_exact_scan_unstemmed_one_connection_conforms() {
    let server = TestServer::shared();
    let extra = "query_syntax = \"any\"\nindex = \"exact\"\nstemming = false\npool_size = 1\nrank_normalization = 1";
    let engine = PostgresFactory.build("pg-any", &params(server.url(), extra), input()).expect("builds");
    assert_conforms(engine.as_ref(), &probe());
}
