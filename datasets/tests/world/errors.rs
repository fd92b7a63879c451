//! Bad input gets a clear error and leaves no partial output.

use std::fs;

use searchrec_datasets::io::{read_world, write_world};
use searchrec_datasets::{DatasetError, Scale, Scenario};

fn tiny_world_in(dir: &std::path::Path) {
    write_world(&Scenario::preset(Scale::Tiny), 1, dir, &|_, _| {}).unwrap();
}

#[test]
fn truncated_parquet_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    tiny_world_in(dir.path());
    let path = dir.path().join("interactions.parquet");
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = read_world(dir.path()).unwrap_err();
    assert!(matches!(err, DatasetError::Format { .. }), "{err:?}");
    assert!(err.to_string().contains("interactions.parquet"), "{err}");
}

#[test]
fn a_table_from_another_world_is_detected() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    tiny_world_in(a.path());
    let mut bigger = Scenario::preset(Scale::Tiny);
    bigger.world.users += 1;
    write_world(&bigger, 1, b.path(), &|_, _| {}).unwrap();
    fs::copy(b.path().join("users.parquet"), a.path().join("users.parquet")).unwrap();
    let err = read_world(a.path()).unwrap_err().to_string();
    assert!(err.contains("users.parquet") && err.contains("world.toml"), "{err}");
}

#[test]
fn unwritable_output_folder_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let err = write_world(&Scenario::preset(Scale::Tiny), 1, &file.join("world"), &|_, _| {}).unwrap_err();
    assert!(matches!(err, DatasetError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("a-file"), "{err}");
}

#[test]
fn a_failed_write_leaves_no_manifest_and_no_staging() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where a table must go makes the final rename fail.
    fs::create_dir_all(dir.path().join("qrels.txt/blocker")).unwrap();
    let err = write_world(&Scenario::preset(Scale::Tiny), 1, dir.path(), &|_, _| {}).unwrap_err();
    assert!(err.to_string().contains("qrels.txt"), "{err}");
    assert!(!dir.path().join("world.toml").exists());
    assert!(!dir.path().join(".searchrec-staging").exists());
    let err = read_world(dir.path()).unwrap_err().to_string();
    assert!(err.contains("world.toml") && err.contains("did not finish"), "{err}");
}

#[test]
fn invalid_scenario_is_refused_before_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Scenario::preset(Scale::Tiny);
    s.queries.typo = 2.0;
    let out = dir.path().join("out");
    let err = write_world(&s, 1, &out, &|_, _| {}).unwrap_err().to_string();
    assert!(err.contains("queries.typo"), "{err}");
    assert!(!out.exists());
}

#[test]
fn schema_version_mismatch_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    tiny_world_in(dir.path());
    let path = dir.path().join("world.toml");
    let text = fs::read_to_string(&path).unwrap().replace("schema_version = 1", "schema_version = 999");
    fs::write(&path, text).unwrap();
    let err = read_world(dir.path()).unwrap_err().to_string();
    assert!(err.contains("schema_version") && err.contains("999"), "{err}");
}

#[test]
fn regenerating_replaces_the_whole_world_and_leaves_nothing_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w");
    write_world(&Scenario::preset(Scale::Tiny), 1, &out, &|_, _| {}).unwrap();
    write_world(&Scenario::preset(Scale::Tiny), 2, &out, &|_, _| {}).unwrap();
    assert_eq!(read_world(&out).unwrap().seed, 2);
    let beside: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(beside, ["w"], "no staging folder, aside folder or lock file is left");
}

#[test]
fn a_folder_that_is_not_a_world_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("qrels.txt"), "1 0 7 3\n").unwrap();
    let err = write_world(&Scenario::preset(Scale::Tiny), 1, dir.path(), &|_, _| {}).unwrap_err();
    assert!(matches!(err, DatasetError::Format { .. }), "{err:?}");
    let err = err.to_string();
    assert!(
        err.contains("qrels.txt") && err.contains("no world.toml") && err.contains("choose another --out"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(dir.path().join("qrels.txt")).unwrap(), "1 0 7 3\n");
    let beside: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(beside, ["qrels.txt"]);

    let world = dir.path().join("world");
    tiny_world_in(&world);
    let before = fs::read(world.join("truth/items.parquet")).unwrap();
    let err = write_world(&Scenario::preset(Scale::Tiny), 2, &world.join("truth"), &|_, _| {}).unwrap_err();
    assert!(err.to_string().contains("inside the world folder"), "{err}");
    assert_eq!(fs::read(world.join("truth/items.parquet")).unwrap(), before);
    assert_eq!(read_world(&world).unwrap().seed, 1);
}
