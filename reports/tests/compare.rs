//! `compare`: gates by tier, metrics in one run only, thresholds.

use searchrec_harness::results::Gate;
use searchrec_reports::{Status, compare};

use crate::fixture;

#[test]
fn a_run_compared_with_itself_passes_with_every_metric_the_same() {
    let r = fixture::results();
    let c = compare(&r, &r, 0.05);
    assert!(c.passed());
    assert_eq!(c.changes.len(), r.metrics.len());
    assert!(c.changes.iter().all(|ch| ch.status == Status::Same), "{}", c.to_text());
    assert!(c.notes.is_empty());
}

#[test]
fn a_deterministic_regression_past_the_threshold_fails() {
    let base = fixture::results();
    let mut new = base.clone();
    let i = new.metrics.iter().position(|m| m.name.ends_with("/all/ndcg@10")).unwrap();
    assert_eq!(new.metrics[i].gate, Gate::Deterministic);
    new.metrics[i].value *= 0.9;
    let c = compare(&base, &new, 0.05);
    assert!(!c.passed());
    let failed: Vec<_> = c.regressions().map(|ch| ch.name.as_str()).collect();
    assert_eq!(failed, [new.metrics[i].name.as_str()]);
    assert!(c.to_text().contains("REGRESSED"));
    // Within a looser threshold it passes.
    assert!(compare(&base, &new, 0.15).passed());
}

#[test]
fn a_wall_clock_regression_is_shown_and_never_failed() {
    let base = fixture::results();
    let mut new = base.clone();
    for m in new.metrics.iter_mut().filter(|m| m.gate == Gate::WallClock) {
        // Everything timed gets three times worse, whichever way is worse.
        m.value = match m.direction {
            searchrec_harness::results::Direction::Bigger => m.value / 3.0,
            searchrec_harness::results::Direction::Smaller => m.value * 3.0,
        };
    }
    let c = compare(&base, &new, 0.05);
    assert!(c.passed(), "{}", c.to_text());
    assert!(c.changes.iter().any(|ch| ch.status == Status::Worse));
}

#[test]
fn metrics_in_one_run_only_are_listed_not_failed() {
    let base = fixture::results();
    let mut new = base.clone();
    let removed = new.metrics.remove(0);
    new.metrics.push(searchrec_harness::results::Metric::new(
        "brand-new/small-7/all/ndcg@10".into(),
        "ratio",
        searchrec_harness::results::Direction::Bigger,
        0.5,
        Gate::Deterministic,
    ));
    let c = compare(&base, &new, 0.05);
    assert!(c.passed());
    let status = |name: &str| c.changes.iter().find(|ch| ch.name == name).unwrap().status;
    assert_eq!(status(&removed.name), Status::Removed);
    assert_eq!(status("brand-new/small-7/all/ndcg@10"), Status::Added);
}

#[test]
fn different_seeds_are_noted() {
    let base = fixture::results();
    let mut new = base.clone();
    new.run.seed = 8;
    let c = compare(&base, &new, 0.05);
    assert!(c.notes.iter().any(|n| n.contains("different seeds")), "{:?}", c.notes);
}
