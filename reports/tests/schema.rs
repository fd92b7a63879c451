//! Results from another schema version are refused with a clear error.

use searchrec_reports::load_results;

use crate::fixture;

#[test]
fn an_older_schema_version_is_refused_naming_the_file_and_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let mut value = serde_json::to_value(fixture::results()).unwrap();
    value["schema_version"] = 0.into();
    let path = dir.path().join("results.json");
    std::fs::write(&path, serde_json::to_string(&value).unwrap()).unwrap();
    let err = load_results(dir.path()).unwrap_err().to_string();
    assert!(err.contains("results.json"), "{err}");
    assert!(err.contains("schema 0") && err.contains("schema 1"), "{err}");
}

#[test]
fn current_results_load_from_the_folder_or_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let r = fixture::results();
    r.write(dir.path()).unwrap();
    for path in [dir.path().to_path_buf(), dir.path().join("results.json")] {
        let loaded = load_results(&path).unwrap();
        assert_eq!(loaded.metrics.len(), r.metrics.len());
        assert_eq!(loaded.run, r.run);
    }
}

#[test]
fn a_missing_results_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_results(dir.path()).unwrap_err().to_string();
    assert!(err.contains("results.json"), "{err}");
}
