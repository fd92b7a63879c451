//! Exporters: github-action-benchmark's custom JSON and Bencher's BMF.

use searchrec_harness::results::Direction;
use searchrec_reports::export::{bencher_metric_format, github_action_benchmark};
use searchrec_reports::{BIGGER_FILE, BMF_FILE, SMALLER_FILE, write_exports};
use serde_json::Value;

use crate::fixture;

fn read(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn github_action_benchmark_files_split_by_direction() {
    let dir = tempfile::tempdir().unwrap();
    let r = fixture::results();
    let written = write_exports(&r, dir.path()).unwrap();
    assert_eq!(written, [BIGGER_FILE, SMALLER_FILE, BMF_FILE].map(|f| dir.path().join(f)));

    let bigger = read(&dir.path().join(BIGGER_FILE));
    let smaller = read(&dir.path().join(SMALLER_FILE));
    let (bigger, smaller) = (bigger.as_array().unwrap(), smaller.as_array().unwrap());
    let count = |d| r.metrics.iter().filter(|m| m.direction == d).count();
    assert_eq!(bigger.len(), count(Direction::Bigger));
    assert_eq!(smaller.len(), count(Direction::Smaller));
    for entry in bigger.iter().chain(smaller) {
        let obj = entry.as_object().unwrap();
        assert!(obj["name"].is_string() && obj["unit"].is_string() && obj["value"].is_number(), "{entry}");
        for key in obj.keys() {
            assert!(["name", "unit", "value", "range"].contains(&key.as_str()), "unexpected key {key}");
        }
    }
    // An interval becomes `± half-width`; a figure without one has no range.
    let gmv = bigger.iter().find(|e| e["name"] == "simulation/small-7/a_b/gmv_per_user").unwrap();
    assert_eq!(gmv["range"], "± 1.701");
    let p99 = smaller.iter().find(|e| e["name"] == "shelf/small-7/search/p99").unwrap();
    assert_eq!(p99["unit"], "us");
    assert!(p99.get("range").is_none());
}

#[test]
fn bmf_is_keyed_by_name_then_measure_with_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let r = fixture::results();
    write_exports(&r, dir.path()).unwrap();
    let bmf = read(&dir.path().join(BMF_FILE));
    let bmf = bmf.as_object().unwrap();
    assert_eq!(bmf.len(), r.metrics.len());
    let gmv = &bmf["simulation/small-7/a_b/gmv_per_user"]["gmv_per_user"];
    assert_eq!(gmv["value"], 48.6);
    assert!(gmv["lower_value"].as_f64().unwrap() < 48.6 && gmv["upper_value"].as_f64().unwrap() > 48.6);
    let ndcg = &bmf["shelf/small-7/all/ndcg@10"]["ndcg@10"];
    assert_eq!(ndcg["value"], 0.4123);
    assert!(ndcg.get("lower_value").is_none());
}

#[test]
fn non_finite_values_are_left_out_of_every_export() {
    let mut r = fixture::results();
    r.metrics[0].value = f64::NAN;
    let name = r.metrics[0].name.clone();
    let all = github_action_benchmark(&r, Direction::Bigger)
        .into_iter()
        .chain(github_action_benchmark(&r, Direction::Smaller));
    assert!(all.into_iter().all(|e| e.name != name));
    assert!(!bencher_metric_format(&r).contains_key(&name));
}
