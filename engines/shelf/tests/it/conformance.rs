//! The shared engine conformance suite, run on shelf in its main configurations.

use searchrec_engine::conformance::{Probe, assert_conforms};
use searchrec_engine::{Engine, EngineFactory};
use searchrec_shelf::{ShelfConfig, ShelfEngine, ShelfFactory};

use crate::fixture::{pure_bm25, world_input};

fn probe() -> Probe {
    Probe::from_input(world_input(), &["dog leash", "white classic plate set", "power bank 20000 mah", "stroller"])
}

#[test]
fn default_config_conforms() {
    let engine = ShelfFactory.build("shelf-default", &toml::Table::new(), world_input()).unwrap();
    assert_conforms(engine.as_ref(), &probe());
}

#[test]
fn pure_bm25_conforms() {
    let engine = ShelfEngine::build("shelf-bm25", &pure_bm25(), world_input()).unwrap();
    assert_conforms(&engine, &probe());
}

#[test]
fn on_disk_unstemmed_multi_threaded_build_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let config = ShelfConfig {
        index_dir: Some(dir.path().to_path_buf()),
        stemming: false,
        index_threads: 2,
        writer_heap_bytes: 30_000_000,
        merge_segments: false,
        ..ShelfConfig::default()
    };
    let engine = ShelfEngine::build("shelf-disk", &config, world_input()).unwrap();
    assert_conforms(&engine as &dyn Engine, &probe());
}
