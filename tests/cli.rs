//! The command line: exit codes, messages, and no partial output.

use std::path::Path;
use std::process::{Command, Output};

fn searchrec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_searchrec")).args(args).arg("--quiet").output().expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn generate_writes_a_world_and_reports_it_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w");
    let o = searchrec(&["generate", "--scale", "tiny", "--seed", "7", "--out", out.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["manifest"]["seed"], 7);
    assert!(summary["manifest"]["counts"]["events"].as_u64().unwrap() > 0);
    assert!(out.join("world.toml").exists() && out.join("truth/needs.parquet").exists());
}

#[test]
fn malformed_scenario_names_file_and_field_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (body, field) in [
        ("[queries]\ntypo = 1.5\n", "queries.typo"),
        ("[world]\nitems = -3\n", "items"),
        ("[worlds]\nitems = 3\n", "worlds"),
    ] {
        let scenario = dir.path().join("bad.toml");
        std::fs::write(&scenario, body).unwrap();
        let out = dir.path().join("never");
        let o = searchrec(&["generate", "--scenario", scenario.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.contains("bad.toml") && err.contains(field), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!out.exists(), "output written for a bad scenario");
    }
}

#[test]
fn unwritable_output_folder_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let out = blocker.join("world");
    let o = searchrec(&["generate", "--scale", "tiny", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains(&*blocker.to_string_lossy()) && !err.contains("panicked"), "{err}");
}

#[test]
fn unknown_scale_is_refused_with_the_choices() {
    let o = searchrec(&["generate", "--scale", "huge", "--out", "/nonexistent/x"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("tiny, small, medium, large"), "{}", stderr(&o));
    assert!(!Path::new("/nonexistent/x").exists());
}

#[test]
fn engines_lists_every_engine_kind() {
    let o = searchrec(&["engines"]);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    for kind in ["shelf", "interest", "exact", "hybrid"] {
        assert!(text.lines().any(|l| l.starts_with(kind)), "{kind} missing from:\n{text}");
    }
}
