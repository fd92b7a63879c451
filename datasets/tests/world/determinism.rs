//! Same seed, same bytes, whatever the thread count; another seed, another world.

use std::path::Path;

use searchrec_datasets::io::write_world;
use searchrec_datasets::{Scale, Scenario};

const FILES: [&str; 11] = [
    "world.toml",
    "items.parquet",
    "users.parquet",
    "interactions.parquet",
    "queries.parquet",
    "qrels.parquet",
    "qrels.txt",
    "truth/items.parquet",
    "truth/users.parquet",
    "truth/needs.parquet",
    "truth/queries.parquet",
];

fn write_with_threads(threads: usize, seed: u64, dir: &Path) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let mut scenario = Scenario::preset(Scale::Tiny);
    scenario.world.users = 600; // more than one log chunk's worth of parallel work per thread
    pool.install(|| write_world(&scenario, seed, dir, &|_, _| {})).unwrap();
}

#[test]
fn same_seed_gives_identical_files_with_one_and_two_threads() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_with_threads(1, 3, one.path());
    write_with_threads(2, 3, two.path());
    for f in FILES {
        let a = std::fs::read(one.path().join(f)).unwrap();
        let b = std::fs::read(two.path().join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn another_seed_gives_another_world() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    write_with_threads(2, 3, a.path());
    write_with_threads(2, 4, b.path());
    for f in ["items.parquet", "users.parquet", "interactions.parquet", "queries.parquet"] {
        assert_ne!(std::fs::read(a.path().join(f)).unwrap(), std::fs::read(b.path().join(f)).unwrap(), "{f}");
    }
}
