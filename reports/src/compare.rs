//! `searchrec compare BASE NEW`: every tracked metric of two runs, matched by
//! name, with its change, and whether a gated one regressed.
//!
//! The gate tiers follow the metric's [`Gate`]: deterministic figures (fixed
//! by the seed: quality, ANN recall, simulated GMV) fail the comparison when
//! they get worse by more than the threshold; wall-clock figures (latency,
//! throughput, build time) are shown and never fail it, because they move
//! with the machine's neighbours. A metric present in one run only is listed,
//! not failed: adding or renaming an engine is not a regression.

use std::collections::BTreeMap;
use std::fmt::Write;

use searchrec_harness::results::{Direction, Gate, Metric, Results};
use serde::Serialize;

use crate::{ReportError, Result};

/// What happened to one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Better by more than the threshold.
    Better,
    /// Within the threshold either way (shown as `within`: a deterministic
    /// metric may still have moved, by less than the threshold).
    Same,
    /// Worse by more than the threshold, but wall-clock: shown, not failed.
    Worse,
    /// Worse by more than the threshold and deterministic: fails the comparison.
    Regressed,
    /// Only in the new run.
    Added,
    /// Only in the base run.
    Removed,
    /// A value is not a number in one of the runs while the other's is (or
    /// both are), so no change can be computed; a deterministic metric that
    /// *became* non-finite counts as [`Status::Regressed`] instead.
    Incomparable,
}

impl Status {
    /// The short word shown in the table.
    pub fn word(self) -> &'static str {
        match self {
            Status::Better => "better",
            Status::Same => "within",
            Status::Worse => "worse",
            Status::Regressed => "REGRESSED",
            Status::Added => "added",
            Status::Removed => "removed",
            Status::Incomparable => "n/a",
        }
    }
}

/// One metric in both runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// The metric's stable name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// Its gate tier (the new run's, or the base's when only there).
    pub gate: Gate,
    /// Value in the base run.
    pub base: Option<f64>,
    /// Value in the new run.
    pub new: Option<f64>,
    /// Relative change from base to new, signed so that positive is an
    /// improvement; `None` when it cannot be computed (missing, zero base, not a number).
    pub improvement: Option<f64>,
    /// The verdict.
    pub status: Status,
}

/// The comparison of two runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// The largest tolerated regression, as a fraction (0.05 = 5%).
    pub max_regression: f64,
    /// Every metric: the new run's in its order, then those only in the base run.
    pub changes: Vec<Change>,
    /// Things a reader should know (different seeds or datasets, …).
    pub notes: Vec<String>,
}

impl Comparison {
    /// The deterministic metrics that regressed past the threshold.
    pub fn regressions(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.status == Status::Regressed)
    }

    /// Whether no gated metric regressed.
    pub fn passed(&self) -> bool {
        self.regressions().next().is_none()
    }

    /// The comparison as an aligned text table with a closing summary line.
    pub fn to_text(&self) -> String {
        let header = ["status", "metric", "unit", "better", "gate", "base", "new", "change"];
        let rows: Vec<[String; 8]> = self
            .changes
            .iter()
            .map(|c| {
                [
                    c.status.word().to_string(),
                    c.name.clone(),
                    c.unit.clone(),
                    match c.direction {
                        Direction::Bigger => "bigger".into(),
                        Direction::Smaller => "smaller".into(),
                    },
                    match c.gate {
                        Gate::Deterministic => "deterministic".into(),
                        Gate::WallClock => "wall-clock".into(),
                    },
                    c.base.map_or_else(|| "-".into(), plain),
                    c.new.map_or_else(|| "-".into(), plain),
                    c.improvement.map_or_else(|| "-".into(), |i| format!("{:+.2}%", i * 100.0)),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: &[String]| {
            let mut l = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                // Text columns left-aligned, numbers right-aligned.
                let pad = w.saturating_sub(cell.chars().count());
                if i >= 5 {
                    l.push_str(&" ".repeat(pad));
                    l.push_str(cell);
                } else {
                    l.push_str(cell);
                    l.push_str(&" ".repeat(pad));
                }
                l.push_str("  ");
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line(&header.map(String::from));
        for row in &rows {
            line(row);
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        let count = |s: Status| self.changes.iter().filter(|c| c.status == s).count();
        let _ = writeln!(
            out,
            "{} metrics: {} regressed, {} worse (wall-clock, not gated), {} better, {} within the threshold, {} added, {} removed (max regression {})",
            self.changes.len(),
            count(Status::Regressed),
            count(Status::Worse),
            count(Status::Better),
            count(Status::Same),
            count(Status::Added),
            count(Status::Removed),
            percent(self.max_regression),
        );
        out
    }
}

/// A value in plain ASCII for the terminal (the report's typographic
/// formatting is for HTML).
fn plain(v: f64) -> String {
    if v.is_finite() && v.abs() >= 1000.0 {
        format!("{v:.1}")
    } else if v.is_finite() {
        format!("{v:.4}")
    } else {
        v.to_string()
    }
}

fn percent(fraction: f64) -> String {
    let p = format!("{:.4}", fraction * 100.0);
    format!("{}%", p.trim_end_matches('0').trim_end_matches('.'))
}

/// Parses a regression threshold: `5%` or the fraction `0.05`.
///
/// A bare number above 1 is refused rather than read as a fraction (`5`
/// would mean 500%): the caller almost certainly meant `5%`.
pub fn parse_threshold(text: &str) -> Result<f64> {
    let bad = |message: String| ReportError::Threshold { given: text.to_string(), message };
    let t = text.trim();
    let (number, divisor) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 100.0),
        None => (t, 1.0),
    };
    let value: f64 =
        number.parse().map_err(|_| bad("write a percentage such as `5%` or a fraction such as `0.05`".into()))?;
    let fraction = value / divisor;
    if !fraction.is_finite() || fraction < 0.0 {
        return Err(bad("the threshold must be a finite, non-negative amount such as `5%`".into()));
    }
    if divisor == 1.0 && value > 1.0 {
        return Err(bad(format!(
            "a bare number is a fraction, so this would allow a {} regression; write `{t}%` for {t} percent",
            percent(value)
        )));
    }
    Ok(fraction)
}

/// Compares every metric of `new` with the same-named metric of `base`.
/// `max_regression` is a fraction (0.05 = 5%).
pub fn compare(base: &Results, new: &Results, max_regression: f64) -> Comparison {
    let mut base_by_name: BTreeMap<&str, &Metric> = BTreeMap::new();
    for m in &base.metrics {
        base_by_name.entry(m.name.as_str()).or_insert(m);
    }
    let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
    let mut changes = Vec::new();
    for m in &new.metrics {
        if seen.insert(m.name.as_str(), ()).is_some() {
            continue;
        }
        changes.push(match base_by_name.get(m.name.as_str()) {
            Some(b) => change(b, m, max_regression),
            None => Change {
                name: m.name.clone(),
                unit: m.unit.clone(),
                direction: m.direction,
                gate: m.gate,
                base: None,
                new: Some(m.value),
                improvement: None,
                status: Status::Added,
            },
        });
    }
    for b in &base.metrics {
        if seen.insert(b.name.as_str(), ()).is_none() {
            changes.push(Change {
                name: b.name.clone(),
                unit: b.unit.clone(),
                direction: b.direction,
                gate: b.gate,
                base: Some(b.value),
                new: None,
                improvement: None,
                status: Status::Removed,
            });
        }
    }
    Comparison { max_regression, changes, notes: notes(base, new) }
}

fn change(base: &Metric, new: &Metric, max_regression: f64) -> Change {
    let (b, n) = (base.value, new.value);
    let improvement =
        if b.is_finite() && n.is_finite() { if b == n { Some(0.0) } else { new.improvement_over(b) } } else { None };
    let worse = match improvement {
        Some(i) => i < -max_regression,
        // From zero any change is infinitely large: worse is worse.
        None if b.is_finite() && n.is_finite() => match new.direction {
            Direction::Bigger => n < b,
            Direction::Smaller => n > b,
        },
        // A figure that stopped being a number is broken, which is worse.
        None => b.is_finite() && !n.is_finite(),
    };
    let better = match improvement {
        Some(i) => i > max_regression,
        None => !worse && b.is_finite() && n.is_finite(),
    };
    let status = if worse {
        match new.gate {
            Gate::Deterministic => Status::Regressed,
            Gate::WallClock => Status::Worse,
        }
    } else if better {
        Status::Better
    } else if b.is_finite() && n.is_finite() {
        Status::Same
    } else {
        Status::Incomparable
    };
    Change {
        name: new.name.clone(),
        unit: new.unit.clone(),
        direction: new.direction,
        gate: new.gate,
        base: Some(b),
        new: Some(n),
        improvement,
        status,
    }
}

/// Differences between the runs that change how the table should be read.
fn notes(base: &Results, new: &Results) -> Vec<String> {
    let mut notes = Vec::new();
    if base.run.seed != new.run.seed {
        notes.push(format!(
            "the runs used different seeds ({} and {}): deterministic metrics differ by chance as well",
            base.run.seed, new.run.seed
        ));
    }
    if base.world.dataset != new.world.dataset {
        notes.push(format!(
            "the runs measured different datasets ({} and {}): metrics are matched by name only",
            base.world.dataset, new.world.dataset
        ));
    }
    if base.run.host.name != new.run.host.name {
        notes.push(format!(
            "the runs were timed on different hosts ({} and {}): wall-clock changes say little",
            base.run.host.name, new.run.host.name
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_accept_percentages_and_fractions() {
        assert_eq!(parse_threshold("5%").unwrap(), 0.05);
        assert_eq!(parse_threshold(" 2.5 % ").unwrap(), 0.025);
        assert_eq!(parse_threshold("0.05").unwrap(), 0.05);
        assert_eq!(parse_threshold("0").unwrap(), 0.0);
        assert_eq!(parse_threshold("1").unwrap(), 1.0);
    }

    #[test]
    fn bad_thresholds_say_what_to_write() {
        for bad in ["5", "-1%", "five", "%", "", "NaN", "inf%"] {
            let err = parse_threshold(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("`{bad}`")) && err.contains('%'), "{bad}: {err}");
        }
        assert!(parse_threshold("5").unwrap_err().to_string().contains("`5%`"));
        let err = parse_threshold("5").unwrap_err().to_string();
        assert!(err.contains("a 500% regression") && !err.contains("%%"), "{err}");
        let err = parse_threshold("-5%").unwrap_err().to_string();
        assert!(err.contains("`-5%`") && err.contains("non-negative"), "{err}");
    }

    fn metric(value: f64, direction: Direction, gate: Gate) -> Metric {
        Metric::new("m".into(), "ratio", direction, value, gate)
    }

    #[test]
    fn direction_and_gate_decide_the_status() {
        let det = Gate::Deterministic;
        let wall = Gate::WallClock;
        let status = |b: f64, n: f64, d, g| change(&metric(b, d, g), &metric(n, d, g), 0.05).status;
        assert_eq!(status(0.50, 0.45, Direction::Bigger, det), Status::Regressed);
        assert_eq!(status(0.50, 0.49, Direction::Bigger, det), Status::Same);
        assert_eq!(status(0.50, 0.60, Direction::Bigger, det), Status::Better);
        assert_eq!(status(100.0, 120.0, Direction::Smaller, wall), Status::Worse);
        assert_eq!(status(100.0, 120.0, Direction::Smaller, det), Status::Regressed);
        assert_eq!(status(0.0, 1.0, Direction::Smaller, det), Status::Regressed);
        assert_eq!(status(0.0, 1.0, Direction::Bigger, det), Status::Better);
        assert_eq!(status(0.0, 0.0, Direction::Bigger, det), Status::Same);
        assert_eq!(status(0.5, f64::NAN, Direction::Bigger, det), Status::Regressed);
        assert_eq!(status(f64::NAN, 0.5, Direction::Bigger, det), Status::Incomparable);
    }
}
