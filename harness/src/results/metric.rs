//! The flat view of a run: every tracked figure with a stable name.

use serde::{Deserialize, Serialize};

/// Which way is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// More is better (recall, nDCG, throughput, GMV).
    Bigger,
    /// Less is better (latency, build time, memory).
    Smaller,
}

/// How `compare` treats a change of the figure.
///
/// Deterministic figures are the same on every machine for the same seed, so
/// a change is a real change and may fail a pull request. Wall-clock figures
/// move with the runner's neighbours; they are shown and trended, never
/// failed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// Fixed by the seed: quality metrics, ANN recall, simulated GMV.
    Deterministic,
    /// Timed on this machine: latency, throughput, build time.
    WallClock,
}

/// One figure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// `engine/dataset/metric`, stable across runs (for example
    /// `shelf/small-7/all/ndcg@10` or `interest/small-7/recommend/p99`).
    pub name: String,
    /// Unit (`ratio`, `us`, `requests/s`, `s`, `bytes`, `currency/user`).
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// The value.
    pub value: f64,
    /// Lower end of its confidence interval, when it has one.
    pub lower: Option<f64>,
    /// Upper end of its confidence interval, when it has one.
    pub upper: Option<f64>,
    /// How `compare` treats it.
    pub gate: Gate,
}

impl Metric {
    /// A figure without an interval.
    pub fn new(name: String, unit: &str, direction: Direction, value: f64, gate: Gate) -> Metric {
        Metric { name, unit: unit.to_string(), direction, value, lower: None, upper: None, gate }
    }

    /// The relative change from `base` to `self.value`, signed so that a
    /// positive number is an improvement; `None` when `base` is zero.
    pub fn improvement_over(&self, base: f64) -> Option<f64> {
        if base == 0.0 {
            return None;
        }
        let change = (self.value - base) / base.abs();
        Some(match self.direction {
            Direction::Bigger => change,
            Direction::Smaller => -change,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn improvement_is_signed_by_direction() {
        let bigger = Metric::new("a".into(), "ratio", Direction::Bigger, 0.9, Gate::Deterministic);
        let smaller = Metric::new("b".into(), "us", Direction::Smaller, 90.0, Gate::WallClock);
        assert!((bigger.improvement_over(1.0).unwrap() + 0.1).abs() < 1e-12);
        assert!((smaller.improvement_over(100.0).unwrap() - 0.1).abs() < 1e-12);
        assert_eq!(bigger.improvement_over(0.0), None);
    }
}
