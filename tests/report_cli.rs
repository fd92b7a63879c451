//! `searchrec report` and `searchrec compare` through the binary: exit
//! codes, messages, and the files they write. The fixture results are the
//! reports crate's (one definition for both test suites).

#[path = "../reports/tests/fixture.rs"]
mod fixture;

use std::path::Path;
use std::process::{Command, Output};

use searchrec_harness::results::{Gate, Results};

fn searchrec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_searchrec")).args(args).arg("--quiet").output().expect("runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Writes `results` as a run folder `name` under `root`.
fn run_folder(root: &Path, name: &str, results: &Results) -> String {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    results.write(&dir).unwrap();
    dir.to_str().unwrap().to_string()
}

#[test]
fn report_renders_beside_the_results() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_folder(tmp.path(), "run", &fixture::results());
    let o = searchrec(&["report", &run]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let html = std::fs::read_to_string(Path::new(&run).join("report.html")).unwrap();
    assert!(html.contains("searchrec report: ci"));
    // Naming the file instead of the folder writes to the same place.
    let o = searchrec(&["report", &format!("{run}/results.json"), "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(out["report"].as_str().unwrap().ends_with("report.html"));
}

#[test]
fn compare_passes_on_a_run_against_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_folder(tmp.path(), "run", &fixture::results());
    let o = searchrec(&["compare", &run, &run]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("0 regressed") && !out.contains("REGRESSED"), "{out}");
}

#[test]
fn compare_fails_when_a_deterministic_metric_regresses_past_the_threshold() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fixture::results();
    let mut new = base.clone();
    let m = new.metrics.iter_mut().find(|m| m.gate == Gate::Deterministic && m.name.ends_with("/ndcg@10")).unwrap();
    m.value *= 0.9;
    let name = m.name.clone();
    let (b, n) = (run_folder(tmp.path(), "base", &base), run_folder(tmp.path(), "new", &new));

    let o = searchrec(&["compare", &b, &n, "--max-regression", "5%"]);
    assert!(!o.status.success());
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert!(out.contains("REGRESSED") && out.contains(&name), "{out}");
    assert!(err.contains("1 deterministic metric(s) regressed") && err.contains(&name), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    // A 10% drop is within a 15% threshold, written as a fraction.
    let o = searchrec(&["compare", &b, &n, "--max-regression", "0.15"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}

#[test]
fn compare_never_fails_on_wall_clock_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let base = fixture::results();
    let mut new = base.clone();
    for m in new.metrics.iter_mut().filter(|m| m.gate == Gate::WallClock) {
        m.value = if m.unit == "requests/s" { m.value / 10.0 } else { m.value * 10.0 };
    }
    let (b, n) = (run_folder(tmp.path(), "base", &base), run_folder(tmp.path(), "new", &new));
    let o = searchrec(&["compare", &b, &n, "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let statuses: Vec<&str> =
        out["changes"].as_array().unwrap().iter().map(|c| c["status"].as_str().unwrap()).collect();
    assert!(statuses.contains(&"worse") && !statuses.contains(&"regressed"), "{statuses:?}");
}

#[test]
fn a_bad_threshold_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let run = run_folder(tmp.path(), "run", &fixture::results());
    for bad in ["5", "five", "-2%"] {
        let o = searchrec(&["compare", &run, &run, &format!("--max-regression={bad}")]);
        assert!(!o.status.success());
        let err = text(&o.stderr);
        assert!(err.contains("bad regression threshold") && err.contains(bad) && err.contains("5%"), "{err}");
    }
}

#[test]
fn report_and_compare_refuse_an_older_schema_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let current = run_folder(tmp.path(), "current", &fixture::results());
    let old = tmp.path().join("old");
    std::fs::create_dir_all(&old).unwrap();
    let mut value = serde_json::to_value(fixture::results()).unwrap();
    value["schema_version"] = 0.into();
    std::fs::write(old.join("results.json"), value.to_string()).unwrap();
    let old = old.to_str().unwrap();

    for args in [vec!["report", old], vec!["compare", old, &current], vec!["compare", &current, old]] {
        let o = searchrec(&args);
        assert!(!o.status.success(), "{args:?}");
        let err = text(&o.stderr);
        assert!(
            err.contains("results.json") && err.contains("schema 0") && err.contains("schema 1"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!Path::new(old).join("report.html").exists(), "a report was written from unreadable results");
}

#[test]
fn missing_run_folders_are_named() {
    let o = searchrec(&["report", "/nonexistent/run"]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains("/nonexistent/run") && !err.contains("panicked"), "{err}");
}
