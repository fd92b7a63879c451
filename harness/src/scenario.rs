//! Run scenarios: the TOML file `searchrec run` reads.
//!
//! ```toml
//! name = "ci"
//!
//! [world]                    # generate a world (or `path = "..."` to load one)
//! scale = "small"
//! seed = 7
//!
//! [evaluation]
//! k = 10
//! metrics = ["ndcg@k", "recall@k", "mrr@k", "map", "success@k"]
//! query_sets = ["all", "full", "brand_only", "vague"]
//! baseline = "shelf"
//!
//! [load]
//! threads = [1, 2]
//! requests = 2000
//! batch = 64                 # also measure batch calls of 64 requests
//!
//! [[engines]]
//! name = "interest"
//! kind = "interest"
//! ann_against = "exact"
//! [engines.sweep]
//! "hnsw.ef_search" = [16, 32, 64]
//! ```
//!
//! Every field has a documented default; unknown fields are errors, and
//! every error names the file and the field. Checks that need no world (k, metric
//! names, engine references, sweep paths) run at load, before any work.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use searchrec_datasets::{Gains, Grade, Scale};
use serde::Deserialize;

use crate::metrics::{MetricSettings, QueryPolicy};
use crate::simulate::SimulationSettings;
use crate::{HarnessError, Result};

/// A parsed and checked run scenario.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunScenario {
    /// Name used in results and metric names (default: the file's stem).
    #[serde(default)]
    pub name: String,
    /// The world to measure on.
    #[serde(default)]
    pub world: WorldSource,
    /// Retrieval-quality settings.
    #[serde(default)]
    pub evaluation: EvaluationSettings,
    /// Load-test settings.
    #[serde(default)]
    pub load: LoadSettings,
    /// The engines, each possibly with a parameter grid.
    #[serde(default)]
    pub engines: Vec<EngineEntry>,
    /// The GMV simulation, when wanted.
    #[serde(default)]
    pub simulation: Option<SimulationSettings>,
    /// The folder the scenario file is in: relative paths resolve against it.
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The file it was read from.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// Where the world comes from.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorldSource {
    /// A world folder written by `searchrec generate`, relative to the
    /// scenario file. When set, `scale`, `scenario` and `seed` must be unset.
    pub path: Option<PathBuf>,
    /// Size preset of a generated world (default `small`).
    pub scale: Option<String>,
    /// A world scenario file (see `searchrec generate --scenario`), relative
    /// to the run scenario; without one, the preset's defaults.
    pub scenario: Option<PathBuf>,
    /// Seed of a generated world (default 7).
    pub seed: Option<u64>,
}

/// Retrieval-quality settings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvaluationSettings {
    /// Cut-off of the @k metrics (default 10).
    pub k: usize,
    /// How many hits each query asks for and the run files hold; MAP and
    /// full nDCG are computed to this depth (default 100, at least `k`).
    pub depth: usize,
    /// Metrics to report, from [`METRICS`] (default: all of them).
    pub metrics: Vec<String>,
    /// Lowest grade counted relevant: `exact`, `substitute` or `complement`
    /// (default `complement`, trec_eval's `-l 1` on these qrels).
    pub relevant_from: String,
    /// Gain of each grade in nDCG (default: the world's judgement gains).
    pub gains: Option<Gains>,
    /// Which queries enter the means: `judged` (trec_eval -c, default),
    /// `judged_and_retrieved` (trec_eval without -c) or `all`.
    pub policy: String,
    /// Query sets, from [`QUERY_SETS`] (default `["all"]`).
    pub query_sets: Vec<String>,
    /// The engine every other one is tested against (paired t-test and
    /// randomisation test on per-query nDCG@k); default: none.
    pub baseline: Option<String>,
    /// Shuffles of the randomisation test (default 10 000).
    pub randomisation_trials: usize,
    /// Users whose feeds are compared for ANN recall, and whose feed
    /// requests make the recommend load workload: the first distinct users
    /// of the evaluation queries (default 1 000).
    pub ann_users: usize,
    /// Cut-off of ANN recall (default 10).
    pub ann_k: usize,
}

impl Default for EvaluationSettings {
    fn default() -> Self {
        EvaluationSettings {
            k: 10,
            depth: 100,
            metrics: METRICS.iter().map(|m| m.to_string()).collect(),
            relevant_from: "complement".into(),
            gains: None,
            policy: "judged".into(),
            query_sets: vec!["all".into()],
            baseline: None,
            randomisation_trials: 10_000,
            ann_users: 1_000,
            ann_k: 10,
        }
    }
}

/// Load-test settings.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoadSettings {
    /// Client threads of the closed-loop sweep (default `[1, cores]`).
    pub threads: Vec<usize>,
    /// Unmeasured requests before each measurement (default 200).
    pub warm_up: u64,
    /// Measured requests per measurement (default 2 000; 0 turns load off).
    pub requests: u64,
    /// Arrival rate of the open-loop test, requests per second (default 0 = off).
    pub open_loop_rate: f64,
    /// Requests per batch call of the batch test (default 0 = off): when
    /// set, each request kind also gets one batch row, measured at the
    /// largest of `threads`, each client sending `batch` requests as one
    /// `search_batch` / `recommend_batch` call; `warm_up` and `requests`
    /// count requests, not batches. At most [`MAX_LOAD_BATCH`].
    pub batch: usize,
}

/// Largest `[load] batch`: a client builds a whole batch and holds all its
/// answers at once, so past this a batch row measures memory, not the
/// engine (see [`crate::load::MAX_BATCH`]), and a typo cannot exhaust it.
pub const MAX_LOAD_BATCH: usize = crate::load::MAX_BATCH;

impl Default for LoadSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(1);
        let mut threads = vec![1, cores];
        threads.dedup();
        LoadSettings { threads, warm_up: 200, requests: 2_000, open_loop_rate: 0.0, batch: 0 }
    }
}

/// One `[[engines]]` entry.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineEntry {
    /// Instance name, unique in the scenario.
    pub name: String,
    /// Registry kind (`searchrec engines` lists them).
    pub kind: String,
    /// The kind's parameters; omitted fields take the kind's defaults.
    #[serde(default)]
    pub params: toml::Table,
    /// Parameter grid: dotted path → values. Every combination is built and
    /// measured as its own engine run.
    #[serde(default)]
    pub sweep: BTreeMap<String, Vec<toml::Value>>,
    /// Measure the feed's ANN recall against this engine's feed (an exact engine).
    #[serde(default)]
    pub ann_against: Option<String>,
}

/// Metric names a scenario may ask for.
pub const METRICS: [&str; 6] = ["ndcg@k", "ndcg", "recall@k", "mrr@k", "map", "success@k"];

/// Query-set names: every query, or those written in one form or with one kind of noise.
pub const QUERY_SETS: [&str; 6] = ["all", "full", "brand_only", "vague", "typo", "synonym"];

/// Most runs one sweep may expand to, so a typo cannot start a day-long run.
const MAX_SWEEP_POINTS: usize = 256;

impl RunScenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<RunScenario> {
        let text = std::fs::read_to_string(path).map_err(|source| HarnessError::Io { path: path.into(), source })?;
        RunScenario::from_toml(&text, path)
    }

    /// Parses and checks scenario text; `file` names it in errors and
    /// anchors its relative paths.
    pub fn from_toml(text: &str, file: &Path) -> Result<RunScenario> {
        let mut scenario: RunScenario = toml::from_str(text).map_err(|e| HarnessError::Invalid {
            what: file.display().to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        scenario.base_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        scenario.file = Some(file.to_path_buf());
        if scenario.name.is_empty() {
            scenario.name = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into());
        }
        scenario.check()?;
        Ok(scenario)
    }

    /// An error about one field of this scenario.
    pub fn field_error(&self, field: &str, message: impl Into<String>) -> HarnessError {
        let file = self.file.as_deref().map(|f| f.display().to_string()).unwrap_or_else(|| "scenario".into());
        HarnessError::Invalid { what: format!("{file}: field `{field}`"), message: message.into() }
    }

    /// An error about a field of a section (`simulation.users`), placed in
    /// this scenario's file; other errors pass through.
    pub fn locate(&self, error: HarnessError) -> HarnessError {
        match error {
            HarnessError::Invalid { what, message } => self.field_error(&what, message),
            other => other,
        }
    }

    /// A path from the scenario, resolved against the scenario's folder.
    pub fn resolve(&self, path: &Path) -> PathBuf {
        if path.is_absolute() { path.to_path_buf() } else { self.base_dir.join(path) }
    }

    /// The scale of a generated world.
    pub fn scale(&self) -> Result<Scale> {
        match &self.world.scale {
            None => Ok(Scale::Small),
            Some(s) => Scale::parse(s).ok_or_else(|| {
                self.field_error("world.scale", format!("unknown scale `{s}`; use tiny, small, medium or large"))
            }),
        }
    }

    /// The metric settings of the evaluation; `world_gains` are used when the scenario sets none.
    pub fn metric_settings(&self, world_gains: Gains) -> Result<MetricSettings> {
        let e = &self.evaluation;
        let relevant_from = match e.relevant_from.as_str() {
            "exact" => Grade::Exact,
            "substitute" => Grade::Substitute,
            "complement" => Grade::Complement,
            other => {
                return Err(self.field_error(
                    "evaluation.relevant_from",
                    format!("unknown grade `{other}`; use exact, substitute or complement"),
                ));
            }
        };
        let settings = MetricSettings { k: e.k, relevant_from, gains: e.gains.unwrap_or(world_gains) };
        settings.validate().map_err(|err| self.field_error("evaluation", err.to_string()))?;
        Ok(settings)
    }

    /// The query policy of the evaluation.
    pub fn policy(&self) -> Result<QueryPolicy> {
        [QueryPolicy::Judged, QueryPolicy::JudgedAndRetrieved, QueryPolicy::All]
            .into_iter()
            .find(|p| p.name() == self.evaluation.policy)
            .ok_or_else(|| {
                self.field_error(
                    "evaluation.policy",
                    format!("unknown policy `{}`; use judged, judged_and_retrieved or all", self.evaluation.policy),
                )
            })
    }

    /// Checks everything that needs no world and no registry.
    fn check(&self) -> Result<()> {
        let w = &self.world;
        if w.path.is_some() && (w.scale.is_some() || w.scenario.is_some() || w.seed.is_some()) {
            return Err(self.field_error(
                "world.path",
                "a loaded world has its own scale, scenario and seed; remove them or remove `path`",
            ));
        }
        self.scale()?;
        let e = &self.evaluation;
        if e.k == 0 {
            return Err(self.field_error("evaluation.k", "k is 0; use a cut-off of at least 1"));
        }
        if e.depth < e.k {
            return Err(self.field_error(
                "evaluation.depth",
                format!("depth {} is below k {}; ask for at least k hits", e.depth, e.k),
            ));
        }
        if e.ann_k == 0 {
            return Err(self.field_error("evaluation.ann_k", "ann_k is 0; use a cut-off of at least 1"));
        }
        if e.metrics.is_empty() {
            return Err(self.field_error("evaluation.metrics", format!("no metric; use some of {METRICS:?}")));
        }
        for m in &e.metrics {
            if !METRICS.contains(&m.as_str()) {
                return Err(self.field_error("evaluation.metrics", format!("unknown metric `{m}`; known: {METRICS:?}")));
            }
        }
        if e.query_sets.is_empty() {
            return Err(self.field_error("evaluation.query_sets", "no query set; use at least [\"all\"]"));
        }
        for q in &e.query_sets {
            if !QUERY_SETS.contains(&q.as_str()) {
                return Err(self
                    .field_error("evaluation.query_sets", format!("unknown query set `{q}`; known: {QUERY_SETS:?}")));
            }
        }
        self.policy()?;
        self.metric_settings(Gains::default())?;
        let l = &self.load;
        if l.requests > 0 && (l.threads.is_empty() || l.threads.contains(&0)) {
            return Err(self.field_error("load.threads", "every thread count must be at least 1, and one is needed"));
        }
        if !(l.open_loop_rate.is_finite() && l.open_loop_rate >= 0.0) {
            return Err(self.field_error("load.open_loop_rate", "use a rate ≥ 0 requests per second (0 = off)"));
        }
        if l.batch > MAX_LOAD_BATCH {
            return Err(self.field_error(
                "load.batch",
                format!(
                    "a batch of {} requests is too large: use 1 to {MAX_LOAD_BATCH} requests per batch call (0 = off); \
                     each client holds a whole batch and its answers in memory",
                    l.batch
                ),
            ));
        }
        if self.engines.is_empty() {
            return Err(self.field_error("engines", "no engine; add an [[engines]] entry with a name and a kind"));
        }
        let mut names: Vec<&str> = self.engines.iter().map(|e| e.name.as_str()).collect();
        names.sort_unstable();
        if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(
                self.field_error("engines.name", format!("two engines are named `{}`; names must be unique", w[0]))
            );
        }
        for entry in &self.engines {
            if entry.name.is_empty() || entry.name.contains(['/', '\\']) {
                return Err(self.field_error(
                    "engines.name",
                    format!("`{}` cannot name an engine: use a non-empty name without slashes", entry.name),
                ));
            }
            if let Some(against) = &entry.ann_against
                && !self.engines.iter().any(|e| &e.name == against)
            {
                return Err(self.field_error(
                    "engines.ann_against",
                    format!("engine `{}` compares against `{against}`, which no [[engines]] entry names", entry.name),
                ));
            }
            let mut points = 1usize;
            for (path, values) in &entry.sweep {
                if values.is_empty() {
                    return Err(self.field_error(
                        &format!("engines.sweep.\"{path}\""),
                        format!("engine `{}` sweeps `{path}` over no value; give at least one", entry.name),
                    ));
                }
                if path.split('.').any(str::is_empty) {
                    return Err(self.field_error(
                        "engines.sweep",
                        format!("`{path}` is not a dotted parameter path such as `hnsw.ef_search`"),
                    ));
                }
                points = points.saturating_mul(values.len());
            }
            if points > MAX_SWEEP_POINTS {
                return Err(self.field_error(
                    "engines.sweep",
                    format!("engine `{}` sweeps {points} combinations; at most {MAX_SWEEP_POINTS}", entry.name),
                ));
            }
        }
        if let Some(baseline) = &e.baseline
            && !self.engines.iter().any(|x| &x.name == baseline)
        {
            return Err(self
                .field_error("evaluation.baseline", format!("`{baseline}` is not the name of an [[engines]] entry")));
        }
        if let Some(simulation) = &self.simulation {
            self.check_simulation(simulation)?;
        }
        Ok(())
    }

    /// The simulation's own ranges, and arms that name single-run engines.
    fn check_simulation(&self, simulation: &SimulationSettings) -> Result<()> {
        simulation.validate().map_err(|e| self.locate(e))?;
        for arm in &simulation.arms {
            match self.engines.iter().find(|e| e.name == arm.engine) {
                None => {
                    return Err(self.field_error(
                        "simulation.arms.engine",
                        format!("arm `{}` names engine `{}`, which no [[engines]] entry names", arm.name, arm.engine),
                    ));
                }
                Some(entry) if !entry.sweep.is_empty() => {
                    return Err(self.field_error(
                        "simulation.arms.engine",
                        format!(
                            "arm `{}` names engine `{}`, which is swept; an arm needs one engine: add an unswept entry",
                            arm.name, arm.engine
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(load: &str) -> Result<RunScenario> {
        let text = format!("[load]\n{load}\n[[engines]]\nname = \"shelf\"\nkind = \"shelf\"\n");
        RunScenario::from_toml(&text, Path::new("dir/s.toml"))
    }

    #[test]
    fn load_batch_defaults_to_off_and_is_bounded() {
        assert_eq!(parse("").unwrap().load.batch, 0);
        assert_eq!(parse("batch = 64").unwrap().load.batch, 64);
        assert_eq!(parse(&format!("batch = {MAX_LOAD_BATCH}")).unwrap().load.batch, MAX_LOAD_BATCH);
        match parse(&format!("batch = {}", MAX_LOAD_BATCH + 1)).unwrap_err() {
            HarnessError::Invalid { what, message } => {
                assert_eq!(what, "dir/s.toml: field `load.batch`");
                assert!(message.contains("100000"), "{message}");
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
        // A negative batch is a TOML type error, which names the file and the field too.
        let error = parse("batch = -1").unwrap_err().to_string();
        assert!(error.contains("s.toml") && error.contains("batch"), "{error}");
    }
}
