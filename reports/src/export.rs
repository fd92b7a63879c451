//! Exports for benchmark trackers, derived from the flat metric list.
//!
//! - `benchmark-bigger.json` / `benchmark-smaller.json`: github-action-benchmark's
//!   `customBiggerIsBetter` / `customSmallerIsBetter` input, an array of
//!   `{name, unit, value, range?}`. The action fixes the direction per tool,
//!   so the metrics are split by [`Direction`] into two files, uploaded in two steps.
//! - `bmf.json`: Bencher Metric Format,
//!   `{"<benchmark>": {"<measure>": {"value", "lower_value", "upper_value"}}}`.
//!   The benchmark is the metric's full stable name (`engine/dataset/metric`);
//!   the measure is its last segment (`ndcg@10`, `p99`, `throughput`), so
//!   every measure has one direction and one unit, as Bencher's thresholds need.
//!
//! Non-finite values are left out: JSON cannot hold them, and a tracker fed
//! `null` would break the series rather than flag it (`compare` flags it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use searchrec_harness::results::{Direction, Metric, Results};
use serde::Serialize;

use crate::{ReportError, Result};
use searchrec_harness::atomic_file::write_atomically;

/// github-action-benchmark input, bigger is better.
pub const BIGGER_FILE: &str = "benchmark-bigger.json";
/// github-action-benchmark input, smaller is better.
pub const SMALLER_FILE: &str = "benchmark-smaller.json";
/// Bencher Metric Format.
pub const BMF_FILE: &str = "bmf.json";

/// One entry of github-action-benchmark's custom JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GabEntry {
    /// The metric's stable name.
    pub name: String,
    /// Its unit.
    pub unit: String,
    /// Its value.
    pub value: f64,
    /// `± x`, half the width of the confidence interval, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
}

/// One measure of Bencher Metric Format.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BmfValue {
    /// The value.
    pub value: f64,
    /// Lower end of its interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lower_value: Option<f64>,
    /// Upper end of its interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upper_value: Option<f64>,
}

/// The metrics going one `direction`, in github-action-benchmark's custom form.
pub fn github_action_benchmark(results: &Results, direction: Direction) -> Vec<GabEntry> {
    results
        .metrics
        .iter()
        .filter(|m| m.direction == direction && m.value.is_finite())
        .map(|m| GabEntry { name: m.name.clone(), unit: m.unit.clone(), value: m.value, range: range(m) })
        .collect()
}

/// Every metric in Bencher Metric Format, keyed by name then measure (ordered maps: stable output).
pub fn bencher_metric_format(results: &Results) -> BTreeMap<String, BTreeMap<String, BmfValue>> {
    let mut out: BTreeMap<String, BTreeMap<String, BmfValue>> = BTreeMap::new();
    for m in results.metrics.iter().filter(|m| m.value.is_finite()) {
        let measure = m.name.rsplit('/').next().unwrap_or(&m.name).to_string();
        let finite = |v: Option<f64>| v.filter(|v| v.is_finite());
        out.entry(m.name.clone()).or_default().entry(measure).or_insert(BmfValue {
            value: m.value,
            lower_value: finite(m.lower),
            upper_value: finite(m.upper),
        });
    }
    out
}

/// Writes [`BIGGER_FILE`], [`SMALLER_FILE`] and [`BMF_FILE`] into the run
/// folder `dir`, each atomically, and returns their paths.
pub fn write_exports(results: &Results, dir: &Path) -> Result<Vec<PathBuf>> {
    let bigger = github_action_benchmark(results, Direction::Bigger);
    let smaller = github_action_benchmark(results, Direction::Smaller);
    let bmf = bencher_metric_format(results);
    Ok(vec![
        write_json(&dir.join(BIGGER_FILE), &bigger)?,
        write_json(&dir.join(SMALLER_FILE), &smaller)?,
        write_json(&dir.join(BMF_FILE), &bmf)?,
    ])
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<PathBuf> {
    let mut text =
        serde_json::to_string_pretty(value).map_err(|source| ReportError::Serialise { path: path.into(), source })?;
    text.push('\n');
    write_atomically(path, text.as_bytes())?;
    Ok(path.to_path_buf())
}

/// `± x` from the interval, four significant digits.
fn range(m: &Metric) -> Option<String> {
    let (lo, hi) = (m.lower?, m.upper?);
    let half = (hi - lo).abs() / 2.0;
    if !half.is_finite() {
        return None;
    }
    Some(format!("± {}", four_significant(half)))
}

fn four_significant(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let decimals = (3 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_keep_four_significant_digits() {
        assert_eq!(four_significant(0.012345), "0.01235");
        assert_eq!(four_significant(12345.6), "12346");
        assert_eq!(four_significant(1.5), "1.5");
        assert_eq!(four_significant(0.0), "0");
    }
}
