//! The results of one run: what `searchrec run` writes as `results.json` and
//! what the reports, the comparison and the benchmark-tracker exporters read.
//!
//! The schema is versioned ([`SCHEMA_VERSION`]). Files of the previous
//! version ([`OLDEST_READABLE_VERSION`]) are upgraded as they are read; a file
//! written under any other version is refused with a message that names the
//! versions, never read as if it were this one (see [`read_results`]).
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
pub use per_query::{PerQueryRow, read_per_query, write_per_query};

/// Name of the per-query quality table inside a run folder.
pub const PER_QUERY_FILE: &str = "per_query.parquet";

/// The version of the `results.json` layout this build writes and reads.
///
/// Version 2 added the simulation's seed and power, every simulated
/// estimate's standard error and MDE, and the three-way synergy verdict with
/// its equivalence test. Version 3 added the planted-interaction control,
/// the channel-level interaction, GMV per session and per purchase path,
/// CUPED per arm and uplift, replication over worlds, sizing, the paired A/A
/// check's counts and Wilson interval, and the sensitivity map's fields; its
/// intervals of means are normal (value ± z · SE) where version 2's were
/// percentile intervals.
pub const SCHEMA_VERSION: u32 = 3;

/// The oldest version [`read_results`] still reads (and upgrades).
pub const OLDEST_READABLE_VERSION: u32 = 1;

/// Name of the results file inside a run folder.
pub const RESULTS_FILE: &str = "results.json";

/// Everything one run measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    /// Always [`SCHEMA_VERSION`] when written by this build; the version
    /// the file was written with when [`read_results`] upgraded it.
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
    /// In a shard folder (`run --shard I/N`): which shard this is and what
    /// it did; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<ShardRecord>,
    /// In a merged run (`merge`): every shard's record, in index order, with
    /// the host and times its wall-clock figures were measured with; empty
    /// otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<ShardRecord>,
}

/// One shard of a sharded run: what it is part of and what it did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardRecord {
    /// Its index, `0..count`.
    pub index: usize,
    /// How many shards the run was split into.
    pub count: usize,
    /// FNV-1a of the scenario file's text and any `--sim-seed` override:
    /// shards of one run have the same.
    pub scenario_hash: String,
    /// The `--sim-seed` override the shard ran with, if any.
    pub sim_seed: Option<u64>,
    /// Whether it is a shard of `searchrec simulate` (the scenario cut to
    /// its simulation's arms, no load test).
    #[serde(default)]
    pub simulation_only: bool,
    /// The world's fingerprint (`searchrec_datasets::fingerprint`).
    pub world_fingerprint: String,
    /// Every engine run of the scenario, in plan order.
    pub planned: Vec<String>,
    /// The engine runs this shard measured.
    pub measured: Vec<String>,
    /// Whether this shard ran the scenario's whole simulation.
    pub simulation: bool,
    /// Whether this shard simulated its share of the users (a simulation
    /// split by users; its part is in `simulation_part.json`).
    #[serde(default)]
    pub user_share: bool,
    /// The machine it ran on.
    pub host: HostInfo,
    /// When it started (RFC 3339 UTC).
    pub started: String,
    /// Its wall time, seconds.
    pub seconds: f64,
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
    /// Users with held-out feed interactions, the feed's judgements (real
    /// data with logs of both channels; 0 otherwise).
    #[serde(default)]
    pub feed_judgements: u64,
    /// Seconds to generate, read or load the world (0 in files from before
    /// it was measured).
    #[serde(default)]
    pub load_seconds: f64,
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
/// The schema version is checked before the rest is parsed. Results of
/// version 2 read as they are (version 3 only added optional fields); results
/// of version 1 are upgraded ([`upgrade_v1`]) and keep `schema_version: 1`, so a
/// reader can tell that their simulated estimates have no SE or MDE and their
/// verdicts use the old words. Any other version is an error that names the
/// versions, so a file is never misread.
pub fn read_results(path: &Path) -> Result<Results> {
    let path = if path.is_dir() { path.join(RESULTS_FILE) } else { path.to_path_buf() };
    let what = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|source| HarnessError::Io { path: path.clone(), source })?;
    parse_results(&text).map_err(|message| HarnessError::Invalid { what, message })
}

/// [`read_results`] on the text of a file; the error is the message alone.
pub fn parse_results(text: &str) -> std::result::Result<Results, String> {
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e}); is the file truncated?"))?;
    let version = value.get("schema_version").and_then(serde_json::Value::as_u64);
    match version {
        Some(v) if v == u64::from(SCHEMA_VERSION) => {}
        // Everything version 3 added is optional: a version-2 file reads as it is.
        Some(2) => {}
        Some(1) => upgrade_v1(&mut value),
        Some(v) => {
            return Err(format!(
                "written with results schema {v}; this searchrec reads schema {SCHEMA_VERSION} (and upgrades schema \
                 {OLDEST_READABLE_VERSION}): re-run the scenario with this version, or read the file with the \
                 searchrec that wrote it"
            ));
        }
        None => {
            return Err(
                "no `schema_version` field: this is not a searchrec results file (or one from before schemas were versioned)"
                    .into(),
            );
        }
    }
    let read = version.unwrap_or_default();
    // The path names the value that does not fit (`engines[2].quality[0].mean`):
    // serde's own message ("invalid type: string, expected a sequence") does not.
    serde_path_to_error::deserialize(value)
        .map_err(|e| format!("does not match results schema {read}: at `{}`: {}", e.path(), e.inner()))
}

/// Brings a schema-1 file to the current layout in place. Fields version 2
/// added and version 1 cannot know stay absent and read as their defaults
/// (no SE or MDE, no verdict statement or equivalence test, power 0.8); the
/// simulation's seed, which version 1 did not write, was the world seed.
pub fn upgrade_v1(value: &mut serde_json::Value) {
    let world_seed = value.pointer("/world/seed").cloned();
    if let (Some(simulation), Some(seed)) =
        (value.get_mut("simulation").and_then(serde_json::Value::as_object_mut), world_seed)
    {
        simulation.entry("seed").or_insert(seed);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn summary(threads: usize) -> LoadSummary {
        LoadSummary {
            threads,
            requests: 64,
            errors: 0,
            timeouts: 0,
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

    /// A schema-1 `results.json` with a simulation, as version 1 wrote it
    /// (trimmed to one arm; every field version 1 had is present).
    pub(crate) const V1: &str = r#"{
      "schema_version": 1,
      "run": {"tool_version": "0.1.0", "git_revision": null,
              "host": {"name": "ci", "os": "linux", "arch": "x86_64", "cores": 2, "memory_bytes": null},
              "started": "2025-01-01T00:00:00Z", "seconds": 12.5, "threads": 2, "scenario": "ci",
              "scenario_path": "scenarios/ci.toml", "seed": 7},
      "world": {"dataset": "small-7", "path": "worlds/small-7", "seed": 7, "items": 10, "users": 5,
                "events": 100, "queries": 3, "judgements": 9},
      "evaluation": {"k": 10, "relevant_from": "substitute", "gains": {"exact": 3.0}, "policy": "judged",
                     "metrics": ["ndcg@k"], "query_sets": [{"name": "all", "queries": 3}], "baseline": null},
      "engines": [],
      "significance": [],
      "fronts": [],
      "simulation": {
        "label": "simulated", "users": 1000, "horizon_days": 28, "pre_period_days": 14, "replicates": 3,
        "bootstrap_resamples": 2000, "confidence": 0.95,
        "arms": [{"name": "neither", "engine": "hybrid-off", "channels": "both", "personalised_search": false,
                  "query_aware_feed": false, "gmv_per_user": {"value": 110.2, "lower": 104.1, "upper": 116.0},
                  "guardrails": {"ctr": 0.03, "conversion": 0.04, "average_order_value": 38.0, "coverage": 0.3,
                                 "sessions_per_user": 7.2, "searches_per_user": 1.4,
                                 "latency_p50_us": 300.0, "latency_p99_us": 900.0}}],
        "comparisons": [{"arm": "neither", "against": "neither",
                         "uplift": {"absolute": {"value": 0.0, "lower": 0.0, "upper": 0.0},
                                    "relative": {"value": 0.0, "lower": 0.0, "upper": 0.0}}}],
        "factorial": {"neither": "neither", "a": "a", "b": "b", "a_b": "a_b",
          "uplift_a": {"absolute": {"value": -0.2, "lower": -2.1, "upper": 1.5},
                       "relative": {"value": -0.002, "lower": -0.02, "upper": 0.015}},
          "uplift_b": {"absolute": {"value": 6.3, "lower": 2.9, "upper": 10.0},
                       "relative": {"value": 0.057, "lower": 0.026, "upper": 0.091}},
          "uplift_a_b": {"absolute": {"value": 7.0, "lower": 3.0, "upper": 11.0},
                         "relative": {"value": 0.063, "lower": 0.027, "upper": 0.1}},
          "interaction": {"value": 0.93, "lower": -1.87, "upper": 4.07},
          "interaction_cuped": {"theta": 0.01, "variance_reduction": 0.0,
                                "adjusted": {"value": 0.93, "lower": -1.86, "upper": 4.06}},
          "verdict": "not supported"},
        "aa": {"replicates": 100, "false_positive_rate": 0.06, "nominal": 0.05},
        "sensitivity": [{"parameter": "needs.leaf_temperature", "value": 0.0,
                         "interaction": {"value": 0.4, "lower": -2.0, "upper": 2.9}, "verdict": "not supported"}],
        "sessions": 200000, "seconds": 30.0, "sessions_per_second": 6666.0, "engine_share": 0.96
      },
      "metrics": [{"name": "simulation[neither]/small-7/gmv_per_user", "unit": "currency/user",
                   "direction": "bigger", "value": 110.2, "lower": 104.1, "upper": 116.0, "gate": "deterministic"}]
    }"#;

    #[test]
    fn a_version_1_file_still_reads() {
        let r = parse_results(V1).unwrap();
        assert_eq!(r.schema_version, 1, "the version read is kept");
        assert_eq!(r.metrics.len(), 1);
        let s = r.simulation.unwrap();
        assert_eq!(s.seed, 7, "version 1 simulated under the world seed");
        assert_eq!(s.power, 0.8);
        assert_eq!(s.arms[0].gmv_per_user.value, 110.2);
        assert_eq!((s.arms[0].gmv_per_user.se, s.arms[0].gmv_per_user.mde), (None, None));
        let f = s.factorial.unwrap();
        assert_eq!((f.verdict.as_str(), f.statement.as_str(), f.equivalence), ("not supported", "", None));
        assert_eq!(s.sensitivity[0].interaction.se, None);
    }

    #[test]
    fn a_wrong_type_names_its_json_path() {
        let mut value: serde_json::Value = serde_json::from_str(V1).unwrap();
        value["metrics"][0]["value"] = serde_json::json!("oops");
        let err = parse_results(&value.to_string()).unwrap_err();
        assert!(err.contains("`metrics[0].value`") && err.contains("invalid type: string"), "{err}");
        value["metrics"] = serde_json::json!("oops");
        let err = parse_results(&value.to_string()).unwrap_err();
        assert!(err.contains("at `metrics`") && err.contains("expected a sequence"), "{err}");
    }

    #[test]
    fn other_versions_are_refused_naming_them() {
        for version in [0, SCHEMA_VERSION + 1, 99] {
            let text = V1.replacen("\"schema_version\": 1", &format!("\"schema_version\": {version}"), 1);
            let err = parse_results(&text).unwrap_err();
            let reads = format!("reads schema {SCHEMA_VERSION}");
            assert!(err.contains(&format!("schema {version};")) && err.contains(&reads), "{err}");
            assert!(err.contains("upgrades schema 1"), "{err}");
        }
        assert!(parse_results("{}").unwrap_err().contains("no `schema_version`"));
        assert!(parse_results("{").unwrap_err().contains("not valid JSON"));
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
