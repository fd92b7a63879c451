//! Writing a world and reading it back gives the same values.

use searchrec_datasets::io::{qrels_from_trec, read_observable, read_world, write_world};
use searchrec_datasets::{Scale, Scenario, generate};

#[test]
fn written_world_reads_back_identical() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Scenario::preset(Scale::Tiny);
    let manifest = write_world(&scenario, 11, dir.path(), &|_, _| {}).unwrap();
    let world = generate(&scenario, 11).unwrap();
    assert_eq!(manifest.counts.events, world.observable.logs.events.len() as u64);
    assert!(manifest.counts.events > 0 && manifest.counts.judgements > 0);

    let read = read_world(dir.path()).unwrap();
    assert_eq!(read.observable.catalog, world.observable.catalog);
    assert_eq!(read.observable.users, world.observable.users);
    assert_eq!(read.observable.logs, world.observable.logs);
    assert_eq!(read.observable.queries, world.observable.queries);
    assert_eq!(read.qrels, world.qrels);
    assert_eq!(read.truth, world.truth);
    assert_eq!(read, world);

    let (_, observable) = read_observable(dir.path()).unwrap();
    assert_eq!(observable, world.observable);

    let path = dir.path().join("qrels.txt");
    let trec = qrels_from_trec(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    assert_eq!(trec, world.qrels.judgements);
    assert!(!dir.path().join(".searchrec-staging").exists());
}
