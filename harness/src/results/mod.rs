//! The results of one run: what `searchrec run` writes as `results.json` and
//! what the reports, the comparison and the benchmark-tracker exporters read.
//!
//! The schema is versioned ([`SCHEMA_VERSION`]). A file written under another
//! version is refused with a message that names both versions, never read as
//! if it were this one (see [`read_results`]).
//!
//! Two views of the same figures live side by side: structured sections
//! ([`EngineRun`], [`ParetoFront`], the simulation) that the report draws, and
//! a flat list of [`Metric`]s with stable names `engine/dataset/metric`, a
//! unit, a direction and a gate tier, which `compare` and the exporters use
//! without knowing where each figure came from.

mod metric;
mod pareto;
mod per_query;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::load::{BatchLoopSummary, LoadSummary, OpenLoopSummary};
use crate::metrics::MeanMetrics;
use crate::simulate::SimulationSummary;
use crate::{HarnessError, Result};

pub use metric::{Direction, Gate, Metric};
pub use pareto::{FrontPoint, ParetoFront, pareto_front};
pub use per_query::{PerQueryRow, write_per_query};

/// Name of the per-query quality table inside a run folder.
pub const PER_QUERY_FILE: &str = "per_query.parquet";

/// The version of the `results.json` layout this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Name of the results file inside a run folder.
pub const RESULTS_FILE: &str = "results.json";

/// Everything one run measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    /// Always [`SCHEMA_VERSION`] when written by this build.
    pub schema_version: u32,
    /// Who ran what, where and when.
    pub run: RunInfo,
    /// The world the engines were measured on.
    pub world: WorldInfo,
    /// The retrieval-quality settings every quality figure was computed with.
    pub evaluation: EvaluationInfo,
    /// One entry per (engine, parameter set), in scenario order.
    pub engines: Vec<EngineRun>,
    /// Paired significance of each engine against the scenario's baseline.
    pub significance: Vec<Significance>,
    /// Quality–latency and recall–throughput fronts over the parameter sweeps.
    pub fronts: Vec<ParetoFront>,
    /// The GMV simulation, when the scenario asked for one.
    pub simulation: Option<SimulationSummary>,
    /// Every tracked figure, flat, with a stable name.
    pub metrics: Vec<Metric>,
}

/// Run metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunInfo {
    /// `searchrec` version that wrote the file.
    pub tool_version: String,
    /// `git rev-parse HEAD` of the working directory, when it is a repository.
    pub git_revision: Option<String>,
    /// The machine.
    pub host: HostInfo,
    /// Start of the run, RFC 3339 in UTC (the only wall-clock stamp: it is
    /// what makes two renderings of the same results differ).
    pub started: String,
    /// Wall time of the whole run, seconds.
    pub seconds: f64,
    /// Worker threads of the run's pool.
    pub threads: usize,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file as given, when there was one.
    pub scenario_path: Option<String>,
    /// Seed of the world and of every random draw of the run.
    pub seed: u64,
}

/// The machine a run measured on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostInfo {
    /// Host name, when known.
    pub name: String,
    /// Operating system (`std::env::consts::OS`).
    pub os: String,
    /// CPU architecture (`std::env::consts::ARCH`).
    pub arch: String,
    /// Logical cores available to the process.
    pub cores: usize,
    /// Physical memory, bytes, when known.
    pub memory_bytes: Option<u64>,
}

/// The world in brief.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldInfo {
    /// Dataset name used in metric names (`engine/dataset/metric`).
    pub dataset: String,
    /// Folder the world was read from.
    pub path: String,
    /// World seed.
    pub seed: u64,
    /// Items in the catalogue.
    pub items: u64,
    /// Users.
    pub users: u64,
    /// Logged events.
    pub events: u64,
    /// Evaluation queries.
    pub queries: u64,
    /// Relevance judgements.
    pub judgements: u64,
}

/// The settings of the quality evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationInfo {
    /// Cut-off of the @k metrics.
    pub k: usize,
    /// Lowest grade counted relevant (`exact`, `substitute`, `complement`).
    pub relevant_from: String,
    /// Gain of each grade, by name.
    pub gains: BTreeMap<String, f64>,
    /// Which queries are averaged (`judged` as trec_eval, or `all` as trec_eval -c).
    pub policy: String,
    /// The metrics the scenario asked for, in its order.
    pub metrics: Vec<String>,
    /// The query sets, with how many queries each holds.
    pub query_sets: Vec<QuerySetInfo>,
    /// The engine the significance tests compare against, when there is one.
    pub baseline: Option<String>,
}

/// One named subset of the evaluation queries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuerySetInfo {
    /// Its name (`all`, `full`, `brand_only`, `vague`, …).
    pub name: String,
    /// How many queries it holds.
    pub queries: usize,
}

/// One engine with one parameter set, and everything measured on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineRun {
    /// Unique label: the engine's name, plus the swept values when the
    /// scenario sweeps (`interest[hnsw.ef_search=32]`). Used in file and
    /// metric names.
    pub id: String,
    /// The scenario's name for the engine.
    pub name: String,
    /// The registry kind it was built with.
    pub kind: String,
    /// The swept parameters of this point (empty without a sweep), by dotted path.
    pub swept: BTreeMap<String, serde_json::Value>,
    /// The parameter table it was built with (as given, sweep applied).
    pub params: serde_json::Value,
    /// Whether it answers searches and recommendations.
    pub search: bool,
    /// See `search`.
    pub recommend: bool,
    /// Build cost.
    pub build: BuildInfo,
    /// Retrieval quality per query set (engines that search).
    pub quality: Vec<QualityRow>,
    /// ANN quality of the feed against exact search (engines whose feed is approximate).
    pub ann: Option<AnnRow>,
    /// Load measurements.
    pub load: Vec<LoadRow>,
    /// Its TREC run file over every evaluation query, relative to the run folder.
    pub trec_run: Option<String>,
    /// A few of its answers, to show what it does.
    pub examples: Vec<Example>,
}

/// One request and the titles an engine answered with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// `search` or `recommend`.
    pub request: String,
    /// The query text, or `user N`.
    pub input: String,
    /// Titles of the top hits, best first.
    pub titles: Vec<String>,
}

/// Build time and memory of one engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildInfo {
    /// The id of the engine run whose parameters built the index this run
    /// searches: runs that differ only in query-time parameters share one
    /// index, built once. Empty in results written before indexes were shared.
    #[serde(default)]
    pub index: String,
    /// Wall time of the index build as the harness timed it, seconds (the
    /// same figure for every run sharing the index).
    pub seconds: f64,
    /// The engine's own estimate of its index memory, bytes.
    pub memory_bytes: u64,
    /// The engine's own diagnostics (reachability, training loss, …).
    pub diagnostics: BTreeMap<String, f64>,
}

/// Mean retrieval quality over one query set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityRow {
    /// The query set.
    pub query_set: String,
    /// The means.
    pub mean: MeanMetrics,
}

/// ANN recall of an engine's feed against the exact engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnRow {
    /// Cut-off.
    pub k: usize,
    /// Users asked.
    pub users: usize,
    /// The engine's answers were compared with this engine's.
    pub against: String,
    /// Mean id-overlap recall@k.
    pub overlap: f64,
    /// Mean ann-benchmarks recall@k (distance within the true k-th + ε).
    pub ann_benchmarks: f64,
    /// ε of `ann_benchmarks`.
    pub epsilon: f64,
    /// Share of indexed items some search can reach, when the engine reports it.
    pub reachability: Option<f64>,
}

/// One load measurement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadRow {
    /// `search` or `recommend`.
    pub request: String,
    /// Closed loop (throughput at a concurrency), open loop (latency at an
    /// arrival rate) or batch (throughput of batch calls at a concurrency).
    pub mode: LoadMode,
}

/// The kind of a load measurement, with its summary. Serialised with a
/// `kind` tag (`closed`, `open`, `batch`); results written before batch rows
/// existed simply have none, so they read unchanged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LoadMode {
    /// `threads` clients sending back to back.
    Closed(LoadSummary),
    /// Requests arriving on a fixed schedule.
    Open(OpenLoopSummary),
    /// `threads` clients sending `batch` requests per batch call, back to
    /// back. Requests, errors and throughput count requests; latency is that
    /// of a whole batch call (see [`BatchLoopSummary::load`]).
    Batch(BatchLoopSummary),
}

/// A paired comparison of one engine with the baseline on one query set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Significance {
    /// The engine run (its `id`).
    pub engine: String,
    /// The baseline run (its `id`).
    pub baseline: String,
    /// The query set.
    pub query_set: String,
    /// The per-query metric compared (`ndcg@k`, …).
    pub metric: String,
    /// Mean of engine − baseline.
    pub mean_difference: f64,
    /// Two-sided p-value of the paired t-test.
    pub t_test_p: f64,
    /// Two-sided p-value of the paired randomisation test.
    pub randomisation_p: f64,
}

impl Results {
    /// Writes `results.json` into `dir` atomically.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let path = dir.join(RESULTS_FILE);
        let text = serde_json::to_string_pretty(self).map_err(|e| HarnessError::Invalid {
            what: path.display().to_string(),
            message: format!("cannot serialise the results: {e}"),
        })?;
        crate::atomic_file::write_atomically(&path, text.as_bytes())
    }
}

/// Reads `results.json` from a run folder (or a path to the file itself).
///
/// The schema version is checked before the rest is parsed: results from
/// another version are an error that names both versions, so they are never
/// misread.
pub fn read_results(path: &Path) -> Result<Results> {
    let path = if path.is_dir() { path.join(RESULTS_FILE) } else { path.to_path_buf() };
    let what = path.display().to_string();
    let invalid = |message: String| HarnessError::Invalid { what: what.clone(), message };
    let text = std::fs::read_to_string(&path).map_err(|source| HarnessError::Io { path: path.clone(), source })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| invalid(format!("not valid JSON ({e}); is the file truncated?")))?;
    let version = value.get("schema_version").and_then(serde_json::Value::as_u64);
    match version {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        Some(v) => {
            return Err(invalid(format!(
                "written with results schema {v}; this searchrec reads schema {SCHEMA_VERSION}: \
                 re-run the scenario with this version, or read the file with the searchrec that wrote it"
            )));
        }
        None => {
            return Err(invalid(
                "no `schema_version` field: this is not a searchrec results file (or one from before schemas were versioned)"
                    .into(),
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| invalid(format!("does not match results schema {SCHEMA_VERSION}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(threads: usize) -> LoadSummary {
        LoadSummary {
            threads,
            requests: 64,
            errors: 0,
            first_error: None,
            seconds: 0.5,
            throughput: 128.0,
            latency: crate::load::LatencySummary {
                count: 8,
                mean_us: 10.0,
                p50_us: 10.0,
                p90_us: 10.0,
                p99_us: 10.0,
                p999_us: 10.0,
                max_us: 10.0,
                curve: vec![[0.0, 10.0], [1.0, 10.0]],
            },
        }
    }

    #[test]
    fn batch_rows_round_trip_under_their_own_tag() {
        let row = LoadRow {
            request: "search".into(),
            mode: LoadMode::Batch(BatchLoopSummary { batch: 8, calls: 8, load: summary(2) }),
        };
        let json = serde_json::to_value(&row).unwrap();
        assert_eq!(json["mode"]["kind"], "batch");
        assert_eq!(json["mode"]["batch"], 8);
        assert_eq!(serde_json::from_value::<LoadRow>(json).unwrap(), row);
    }

    #[test]
    fn rows_written_before_batch_rows_still_read() {
        let old = serde_json::json!({
            "request": "recommend",
            "mode": serde_json::to_value(LoadMode::Closed(summary(1))).unwrap(),
        });
        assert_eq!(old["mode"]["kind"], "closed");
        let row: LoadRow = serde_json::from_value(old).unwrap();
        assert_eq!(row.mode, LoadMode::Closed(summary(1)));
    }
}
