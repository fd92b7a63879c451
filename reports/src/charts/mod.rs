//! The report's charts, one kind per file. Each function takes figures from
//! the results and returns one `<svg>` element as a string; the view layer
//! decides which charts a report has.
//!
//! Kinds (`data-chart`): `pareto` (fronts), `latency`, `build-time` and
//! `build-memory` (bars), `per-query` (distribution), `gmv` (bars),
//! `interaction`, `worlds` (Δ per world, a forest plot), `sensitivity` (a
//! one-parameter sweep) and `sensitivity-map` (a two-parameter grid).

pub(crate) mod bars;
pub(crate) mod distribution;
pub(crate) mod fronts;
pub(crate) mod interaction;
pub(crate) mod latency;
pub(crate) mod sensitivity;
pub(crate) mod sensitivity_map;
pub(crate) mod worlds;
