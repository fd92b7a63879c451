//! Results from another schema version are refused with a clear error;
//! schema 1 is still read.

use searchrec_reports::{compare, load_results, render_html};

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
    assert!(err.contains("schema 0") && err.contains("reads schema 2") && err.contains("schema 1"), "{err}");
}

#[test]
fn a_newer_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut value = serde_json::to_value(fixture::results()).unwrap();
    value["schema_version"] = 3.into();
    std::fs::write(dir.path().join("results.json"), serde_json::to_string(&value).unwrap()).unwrap();
    let err = load_results(dir.path()).unwrap_err().to_string();
    assert!(err.contains("schema 3;") && err.contains("reads schema 2"), "{err}");
}

#[test]
fn a_schema_1_file_loads_renders_and_compares() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = fixture::schema_1_json();
    assert!(!v1.to_string().contains("\"se\""), "the fixture must look like schema 1");
    std::fs::write(dir.path().join("results.json"), v1.to_string()).unwrap();
    let old = load_results(dir.path()).unwrap();
    assert_eq!(old.schema_version, 1);
    let sim = old.simulation.as_ref().unwrap();
    assert_eq!(sim.seed, old.world.seed, "schema 1 simulated under the world seed");
    assert_eq!(sim.arms[0].gmv_per_user.se, None);
    assert_eq!(sim.factorial.as_ref().unwrap().verdict, "supported");
    // The report shows the old verdict and "—" where SE and MDE are unknown.
    let html = render_html(&old).unwrap();
    assert!(html.contains("<strong class=\"word\">supported</strong>"));
    assert!(html.contains("<td class=\"num\">—</td>"));
    // compare matches metrics by name across the versions: the MDE metric is new.
    let c = compare(&old, &fixture::results(), 0.05);
    assert!(c.passed(), "{}", c.to_text());
    assert!(c.to_text().contains("interaction_mde"), "{}", c.to_text());
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
