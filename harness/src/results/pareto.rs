//! Pareto fronts over parameter sweeps, as ann-benchmarks draws them: every
//! point is kept, and the ones no other point beats on both axes form the
//! front (the report fades the rest).

use serde::{Deserialize, Serialize};

use super::Direction;

/// A two-axis trade-off over every measured (engine, parameter set).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParetoFront {
    /// What the front shows, for example `search: nDCG@10 vs throughput`.
    pub title: String,
    /// Label of the x axis.
    pub x_label: String,
    /// Which way is better on x.
    pub x_direction: Direction,
    /// Label of the y axis.
    pub y_label: String,
    /// Which way is better on y.
    pub y_direction: Direction,
    /// Every point, with whether it is on the front.
    pub points: Vec<FrontPoint>,
}

/// One (engine, parameter set) on a trade-off chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontPoint {
    /// The engine run's `id`.
    pub engine: String,
    /// x value.
    pub x: f64,
    /// y value.
    pub y: f64,
    /// No other point is at least as good on both axes and better on one.
    pub on_front: bool,
}

/// Marks which of `points` (engine id, x, y) lie on the Pareto front.
/// Points with a non-finite coordinate are never on it.
pub fn pareto_front(points: Vec<(String, f64, f64)>, x: Direction, y: Direction) -> Vec<FrontPoint> {
    let better = |d: Direction, a: f64, b: f64| match d {
        Direction::Bigger => a > b,
        Direction::Smaller => a < b,
    };
    let at_least = |d: Direction, a: f64, b: f64| a == b || better(d, a, b);
    points
        .iter()
        .map(|(engine, px, py)| {
            let finite = px.is_finite() && py.is_finite();
            let dominated = points.iter().any(|(_, qx, qy)| {
                qx.is_finite()
                    && qy.is_finite()
                    && at_least(x, *qx, *px)
                    && at_least(y, *qy, *py)
                    && (better(x, *qx, *px) || better(y, *qy, *py))
            });
            FrontPoint { engine: engine.clone(), x: *px, y: *py, on_front: finite && !dominated }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn front(points: &[(f64, f64)]) -> Vec<bool> {
        let named = points.iter().enumerate().map(|(i, &(x, y))| (i.to_string(), x, y)).collect();
        pareto_front(named, Direction::Bigger, Direction::Smaller).into_iter().map(|p| p.on_front).collect()
    }

    #[test]
    fn dominated_points_are_off_the_front() {
        // (recall ↑, latency ↓): the second point is worse on both axes than the first.
        assert_eq!(front(&[(0.9, 10.0), (0.8, 12.0), (0.95, 20.0), (0.95, 25.0)]), [true, false, true, false]);
    }

    #[test]
    fn equal_points_are_both_on_the_front_and_nan_is_never() {
        assert_eq!(front(&[(0.5, 1.0), (0.5, 1.0), (f64::NAN, 0.0)]), [true, true, false]);
    }

    proptest! {
        #[test]
        fn the_front_is_non_empty_and_mutually_non_dominated(
            pts in proptest::collection::vec((0.0f64..1.0, 0.0f64..100.0), 1..40)
        ) {
            let on = front(&pts);
            prop_assert!(on.iter().any(|&b| b));
            for (i, a) in pts.iter().enumerate() {
                for (j, b) in pts.iter().enumerate() {
                    if on[i] && on[j] {
                        let dominates = b.0 >= a.0 && b.1 <= a.1 && (b.0 > a.0 || b.1 < a.1);
                        prop_assert!(!dominates, "{j} dominates {i} yet both are on the front");
                    }
                }
            }
        }
    }
}
