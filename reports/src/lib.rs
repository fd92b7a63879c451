//! searchrec's outputs for people and for CI, all derived from one run's
//! `results.json` ([`Results`]):
//!
//! - [`render_report`]: `report.html`, one self-contained file that works
//!   offline. Charts are hand-written inline SVG (no plotting crate, no
//!   script, no font or stylesheet fetched), the page is a minijinja template
//!   embedded in the binary with HTML auto-escaping, so an item title or an
//!   engine name can never inject markup.
//! - [`write_exports`]: `benchmark-bigger.json` / `benchmark-smaller.json` for
//!   github-action-benchmark and `bmf.json` for Bencher.
//! - [`compare()`]: every tracked metric of two runs side by side, and
//!   whether a gated one regressed past a threshold.
//!
//! Rendering is deterministic: the same results give the same bytes (maps
//! are ordered, floats have fixed formats, and the only timestamp shown is
//! the run's own start time).

mod charts;
pub mod compare;
mod error;
pub mod export;
mod format;
mod html;
mod per_query;
mod svg;
mod view;

use std::path::Path;

pub use compare::{Change, Comparison, Status, compare, parse_threshold};
pub use error::{ReportError, Result};
pub use export::{BIGGER_FILE, BMF_FILE, SMALLER_FILE, write_exports};
pub use html::{CHART_CLASS, REPORT_FILE, render_html, render_report};
pub use searchrec_harness::results::Results;

/// Reads a run's `results.json` (from the run folder or the file itself).
///
/// Results written under another schema version are refused with an error
/// that names the file and both versions.
pub fn load_results(path: &Path) -> Result<Results> {
    Ok(searchrec_harness::results::read_results(path)?)
}
