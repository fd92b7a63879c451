//! The report's charts, one kind per file. Each function takes figures from
//! the results and returns one `<svg>` element as a string; the view layer
//! decides which charts a report has.

pub(crate) mod bars;
pub(crate) mod distribution;
pub(crate) mod fronts;
pub(crate) mod interaction;
pub(crate) mod latency;
pub(crate) mod sensitivity;
