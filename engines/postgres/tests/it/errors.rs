//! Failures name the server; the engine cleans up after itself.

use std::net::TcpListener;

use searchrec_engine::{EngineError, EngineFactory};
use searchrec_postgres::PostgresFactory;

use crate::server::TestServer;
use crate::world::{input, params};

fn schema_exists(server: &TestServer, schema: &str) -> bool {
    let row = server
        .client()
        .query_one("SELECT count(*) FROM pg_namespace WHERE nspname = $1", &[&schema])
        .expect("pg_namespace reads");
    row.get::<_, i64>(0) == 1
}

#[test]
fn an_unreachable_server_is_named_without_its_password() {
    // A port nothing listens on: bound, read, released.
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).unwrap().port();
    let url = format!("host=127.0.0.1 port={port} user=postgres password=hunter2 dbname=postgres connect_timeout=2");
    let Err(err) = PostgresFactory.build("pg", &params(&url, ""), input()) else { panic!("built without a server") };
    let text = err.to_string();
    assert!(matches!(err, EngineError::Backend { .. }), "{err:?}");
    assert!(text.contains(&format!("host=127.0.0.1 port={port} user=postgres password=***")), "{text}");
    assert!(text.contains("cannot connect") && !text.contains("hunter2"), "{text}");
}

#[test]
fn a_malformed_connection_string_is_a_config_error() {
    let err = PostgresFactory.capabilities("pg", &params("postgresql://me:pw@host:notaport/db", "")).unwrap_err();
    assert!(matches!(&err, EngineError::Config { field, .. } if field == "url"), "{err:?}");
    assert!(!err.to_string().contains(":pw@"), "{err}");
}

#[test]
fn the_schema_is_dropped_with_the_engine() {
    let server = TestServer::shared();
    let schema = "searchrec_test_dropped";
    let engine = PostgresFactory
        .build("pg", &params(server.url(), &format!("schema = \"{schema}\"\nindex = \"exact\"")), input())
        .expect("builds");
    assert!(schema_exists(&server, schema));
    let report = engine.report();
    for key in ["server_bytes", "text_index_bytes", "items_table_bytes"] {
        assert!(report.diagnostics[key] > 0.0, "{key}: {report:?}");
    }
    assert_eq!(report.diagnostics["vector_index_bytes"], 0.0, "no HNSW index with index = exact");
    drop(engine);
    assert!(!schema_exists(&server, schema), "schema `{schema}` is still on the server");
}

#[test]
fn an_existing_schema_is_refused_and_left_alone() {
    let server = TestServer::shared();
    let schema = "searchrec_test_taken";
    server.client().batch_execute(&format!("CREATE SCHEMA {schema}")).expect("creates the schema");
    let built = PostgresFactory.build(
        "pg",
        &params(server.url(), &format!("schema = \"{schema}\"\nindex = \"exact\"")),
        input(),
    );
    let Err(err) = built else { panic!("built into someone else's schema") };
    assert!(err.to_string().contains(schema), "{err}");
    assert!(schema_exists(&server, schema), "someone else's schema was dropped");
    server.client().batch_execute(&format!("DROP SCHEMA {schema}")).expect("drops the schema");
}

#[test]
fn without_a_url_the_engine_runs_its_own_server() {
    if std::env::var_os(searchrec_postgres::URL_ENV).is_some() {
        // The default is that server then; this test is about having none.
        return;
    }
    let engine = PostgresFactory.build("pg-own", &toml::from_str("index = \"exact\"").unwrap(), input()).unwrap();
    let hits = engine.search(&searchrec_engine::SearchRequest::new("dog leash", 5)).unwrap();
    assert!(!hits.is_empty());
}
