//! Bad requests and bad configurations: errors that name the problem, never
//! panics.

use searchrec_datasets::{ItemId, UserId};
use searchrec_engine::{
    Context, Engine, EngineError, EngineFactory, EngineSpec, FeedRequest, Registry, SearchRequest, Signals,
};
use searchrec_hybrid::HybridFactory;

use crate::world::{arm, world};

fn unknown_user() -> UserId {
    UserId(world().users.len() as u32 + 7)
}

#[test]
fn an_unknown_user_gets_the_interest_engines_error_whatever_the_switches() {
    for (a, b) in [(false, false), (true, true)] {
        let engine = arm(a, b);
        let expected = engine.interest().recommend(&FeedRequest::new(unknown_user(), 5)).unwrap_err().to_string();
        let feed = engine.recommend(&FeedRequest::new(unknown_user(), 5)).unwrap_err();
        assert!(matches!(feed, EngineError::InvalidRequest { .. }), "{feed}");
        assert_eq!(feed.to_string(), expected);
        let request = SearchRequest { user: Some(unknown_user()), ..SearchRequest::new("desk", 5) };
        assert_eq!(engine.search(&request).unwrap_err().to_string(), expected, "A = {a}");
    }
}

#[test]
fn an_unknown_context_item_matters_only_when_the_context_is_read() {
    let clicks = [ItemId(1_000_000)];
    // The other channel's signals: read only by a coupled engine.
    let context = Context {
        search: Signals { clicks: &clicks, ..Signals::default() },
        feed: Signals { clicks: &clicks, ..Signals::default() },
    };
    let feed =
        FeedRequest { context: Context { feed: Signals::default(), ..context }, ..FeedRequest::new(UserId(0), 5) };
    let context = Context { search: Signals::default(), ..context };
    let search = SearchRequest { user: Some(UserId(0)), context, ..SearchRequest::new("desk", 5) };
    let coupled = arm(true, true);
    assert!(matches!(coupled.search(&search), Err(EngineError::InvalidRequest { .. })));
    assert!(matches!(coupled.recommend(&feed), Err(EngineError::InvalidRequest { .. })));
    let uncoupled = arm(false, false);
    uncoupled.search(&search).unwrap();
    uncoupled.recommend(&feed).unwrap();
}

#[test]
fn malformed_requests_are_invalid() {
    let engine = arm(true, true);
    for request in [SearchRequest::new("desk", 0), SearchRequest::new("  ", 5)] {
        assert!(matches!(engine.search(&request), Err(EngineError::InvalidRequest { .. })), "{request:?}");
    }
    assert!(matches!(engine.recommend(&FeedRequest::new(UserId(0), 0)), Err(EngineError::InvalidRequest { .. })));
}

fn spec(params: &str) -> EngineSpec {
    EngineSpec { name: "h".to_string(), kind: "hybrid".to_string(), params: toml::from_str(params).unwrap() }
}

fn registry() -> Registry {
    let mut registry = Registry::new();
    registry.register(Box::new(HybridFactory));
    registry
}

#[test]
fn the_registry_builds_it_by_name_with_a_combined_report() {
    let engine = registry().build(&spec("fusion = \"rrf\"\nquery_aware_feed = false"), world().input()).unwrap();
    assert_eq!(engine.name(), "h");
    assert!(engine.capabilities().personalised_search && !engine.capabilities().query_aware_feed);
    let report = engine.report();
    for key in ["shelf.build_seconds", "shelf.segments", "interest.build_seconds", "interest.reachability"] {
        assert!(report.diagnostics.contains_key(key), "{key} missing from {:?}", report.diagnostics);
    }
    assert!(report.memory_bytes > 0);
}

#[test]
fn bad_parameters_name_their_field() {
    let cases = [
        ("fusion = \"borda\"", "borda"),
        ("rrf_kk = 60", "rrf_kk"),
        ("[interest.embedding]\ndimm = 3", "dimm"),
        ("shelf_weight = 0.9", "interest_weight"),
        ("personalisation = -0.1", "personalisation"),
        ("[interest.embedding]\ndim = 0", "interest.embedding.dim"),
        ("[shelf]\nindex_threads = 0", "shelf.index_threads"),
    ];
    for (params, named) in cases {
        let message = match HybridFactory.build("h", &spec(params).params, world().input()) {
            Err(EngineError::Config { engine, field, message }) => {
                assert_eq!(engine, "h");
                format!("{field}: {message}")
            }
            Err(other) => panic!("{params}: expected a config error, got {other}"),
            Ok(_) => panic!("{params}: accepted"),
        };
        assert!(message.contains(named), "{params}: {message}");
    }
}
