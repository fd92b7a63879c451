//! Configuration, data and request errors: clear, typed, never a panic.

use searchrec_datasets::{Catalog, LeafId, Logs, UserId};
use searchrec_engine::{BuildInput, Engine, EngineError, EngineFactory, Registry, SearchRequest};
use searchrec_shelf::{ShelfConfig, ShelfFactory};

use crate::fixture::{Listing, build, catalog, try_build, users};

fn from_toml(params: &str, catalog: &Catalog) -> Result<Box<dyn Engine>, EngineError> {
    let params: toml::Table = toml::from_str(params).expect("test TOML parses");
    let (users, logs) = (users(), Logs::default());
    ShelfFactory.build("shelf-test", &params, BuildInput { catalog, users: &users, logs: &logs })
}

fn mugs() -> Catalog {
    catalog(&[Listing::new("red mug", "Acme"), Listing::new("blue mug", "Bolt")])
}

#[test]
fn the_factory_is_kind_shelf_and_takes_typed_params() {
    let mut registry = Registry::new();
    registry.register(Box::new(ShelfFactory));
    assert_eq!(registry.kinds().next().map(|(kind, _)| kind), Some("shelf"));
    let engine = from_toml("title_boost = 2.0\nsales_weight = 0.0\nstemming = false", &mugs()).unwrap();
    assert_eq!(engine.name(), "shelf-test");
    assert_eq!(engine.search(&SearchRequest::new("mug", 10)).unwrap().len(), 2);
}

#[test]
fn config_errors_name_the_field() {
    let cases = [
        ("title_boots = 1.0", "title_boots", "title_boots"),
        ("brand_boost = -1.0", "brand_boost", "outside"),
        ("sales_weight = -0.5", "sales_weight", "outside"),
        ("writer_heap_bytes = 0", "writer_heap_bytes", "per thread"),
        ("unrated_rating = 7.0", "unrated_rating", "star scale"),
        ("stemming = \"yes\"", "stemming", "bool"),
    ];
    for (params, want_field, want_text) in cases {
        match from_toml(params, &mugs()) {
            Err(EngineError::Config { engine, field, message }) => {
                assert_eq!((engine.as_str(), field.as_str()), ("shelf-test", want_field), "{params}");
                assert!(message.contains(want_text), "{params}: {message}");
            }
            other => panic!("{params}: expected a config error, got {:?}", other.map(|e| e.name().to_string())),
        }
    }
}

#[test]
fn unusable_catalogues_are_invalid_data() {
    let mut bad_leaf = mugs();
    bad_leaf.items[1].leaf = LeafId(9);
    let mut nan_rating = mugs();
    nan_rating.items[0].rating = f32::NAN;
    let mut bad_id = mugs();
    bad_id.items[1].id = searchrec_datasets::ItemId(7);
    for (label, catalog, needle) in [
        ("empty", Catalog::default(), "empty"),
        ("bad leaf", bad_leaf, "leaf 9"),
        ("NaN rating", nan_rating, "rating NaN"),
        ("id not row", bad_id, "row 1"),
    ] {
        match try_build(&ShelfConfig::default(), &catalog) {
            Err(EngineError::InvalidData { message, .. }) => assert!(message.contains(needle), "{label}: {message}"),
            other => panic!("{label}: expected InvalidData, got {:?}", other.err()),
        }
    }
}

#[test]
fn an_occupied_index_dir_is_a_backend_error() {
    let dir = tempfile::tempdir().unwrap();
    let config = ShelfConfig { index_dir: Some(dir.path().to_path_buf()), ..ShelfConfig::default() };
    build(&config, &mugs());
    match try_build(&config, &mugs()) {
        Err(EngineError::Backend { message, .. }) => {
            assert!(message.contains(&dir.path().display().to_string()), "{message}")
        }
        other => panic!("expected a backend error, got {:?}", other.err()),
    }
}

#[test]
fn search_refuses_an_unknown_user() {
    let engine = build(&ShelfConfig::default(), &mugs());
    let request = SearchRequest { user: Some(UserId(3)), ..SearchRequest::new("mug", 10) };
    assert!(matches!(engine.search(&request), Err(EngineError::InvalidRequest { .. })));
    let known = SearchRequest { user: Some(UserId(2)), ..SearchRequest::new("mug", 10) };
    assert_eq!(engine.search(&known).unwrap(), engine.search(&SearchRequest::new("mug", 10)).unwrap());
}

#[test]
fn the_report_has_build_time_and_index_size() {
    let report = build(&ShelfConfig::default(), &mugs()).report();
    assert!(report.build_seconds > 0.0 && report.build_seconds.is_finite());
    assert!(report.memory_bytes > 0);
    assert_eq!(report.diagnostics.get("segments"), Some(&1.0));
    assert!(report.diagnostics["index_bytes"] > 0.0);
}
