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
//! every error names the file and the field (a wrong type too: its dotted
//! path beside the line). Checks that need no world (k, metric names, engine
//! references, sweep paths, and an upper bound on every size and rate, with
//! the reason: see the `MAX_*` constants) run at load, before any work.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use searchrec_datasets::real::Source;
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
    /// The text it was parsed from (a shard keeps a copy and its hash).
    #[serde(skip)]
    pub text: String,
}

/// Where the world comes from.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorldSource {
    /// A world folder written by `searchrec generate`, relative to the
    /// scenario file. When set, `scale`, `scenario` and `seed` must be unset.
    pub path: Option<PathBuf>,
    /// A public data set loaded in place of a generated world
    /// (`[world.source]`, `format = "esci" | "beir" | "trec" | "kuaisar"`,
    /// paths relative to the scenario file). It has no truth half, so the
    /// simulation and the query sets other than `all` are refused on it.
    pub source: Option<Source>,
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
    /// How many of each user's newest logged signals per channel (queries,
    /// shown lists, clicks, purchases) every evaluation search and feed
    /// request carries as its context, as the simulator's requests do
    /// (default 0: none, each request stands alone). On real data with
    /// both channels' logs it is what lets the offline figures show a
    /// coupling's effect.
    pub context_window: usize,
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
            context_window: 0,
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
    /// Requests in flight in the open-loop and batch rows (default: the
    /// largest of `threads`), 1 to [`MAX_THREADS`]. Independent of the
    /// machine's cores on purpose: a remote engine's request mostly waits on
    /// the network, so a 5 ms server driven by 2 workers tops out near 400
    /// requests/s whatever the arrival rate; give it the concurrency its
    /// clients would have.
    pub concurrency: Option<usize>,
    /// Client-side timeout in milliseconds (default 0 = none): an answer
    /// slower than this counts as an error and in `timeouts`, never as a
    /// success, and never stops the run.
    pub timeout_ms: f64,
}

/// Longest `[load] timeout_ms`: ten minutes; a longer one is no timeout.
pub const MAX_TIMEOUT_MS: f64 = 600_000.0;

/// Largest `[load] batch`: a client builds a whole batch and holds all its
/// answers at once, so past this a batch row measures memory, not the
/// engine (see [`crate::load::MAX_BATCH`]), and a typo cannot exhaust it.
pub const MAX_LOAD_BATCH: usize = crate::load::MAX_BATCH;

impl Default for LoadSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(1).min(MAX_THREADS);
        let mut threads = vec![1, cores];
        threads.dedup();
        LoadSettings {
            threads,
            warm_up: 200,
            requests: 2_000,
            open_loop_rate: 0.0,
            batch: 0,
            concurrency: None,
            timeout_ms: 0.0,
        }
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

/// Deserialises a TOML file's text, naming the file and the dotted path of
/// a value that does not fit its field (`simulation.users`) beside the
/// parser's line and column, which alone show only the key's last part.
pub(crate) fn from_toml_at<T: serde::de::DeserializeOwned>(text: &str, file: &Path) -> Result<T> {
    let error = |message: String, field: String| HarnessError::Invalid {
        what: match field.as_str() {
            "" | "." => file.display().to_string(),
            _ => format!("{}: field `{field}`", file.display()),
        },
        message,
    };
    let deserializer =
        toml::Deserializer::parse(text).map_err(|e| error(e.to_string().trim_end().to_string(), String::new()))?;
    serde_path_to_error::deserialize(deserializer)
        .map_err(|e| error(e.inner().to_string().trim_end().to_string(), e.path().to_string()))
}

/// Metric names a scenario may ask for.
pub const METRICS: [&str; 6] = ["ndcg@k", "ndcg", "recall@k", "mrr@k", "map", "success@k"];

/// Query-set names: every query, or those written in one form or with one kind of noise.
pub const QUERY_SETS: [&str; 6] = ["all", "full", "brand_only", "vague", "typo", "synonym"];

/// Most runs one sweep may expand to, so a typo cannot start a day-long run.
const MAX_SWEEP_POINTS: usize = 256;

// The bounds of the run scenario's sizes. Each is checked at load, before
// the world is generated, so an extra digit is refused in milliseconds with
// the field, the bound and the reason, rather than aborting on an
// allocation or running for days without output.

/// Most worker or client threads (`--threads`, each `[load] threads`
/// value). Results never depend on the count, and every thread is spawned
/// up front: past a few per core it only adds start-up time (about 0.4 ms a
/// thread here; `--threads 100000` took 40 s to fail) and 1 024 still
/// covers the largest many-core hosts with SMT.
pub const MAX_THREADS: usize = 1_024;
/// Deepest ranking a query may ask for (`evaluation.depth`, so also `k`
/// and `ann_k`): ten times trec_eval's customary 1 000-hit runs. Every
/// engine run keeps `depth` hits for every query in memory and in its run
/// file, and nothing is judged that deep (judgement caps are per grade).
pub const MAX_DEPTH: usize = 10_000;
/// Most shuffles of the randomisation test: p-values to 10⁻⁶, finer than any
/// multiple-comparison correction over 256 runs needs; each shuffle walks
/// every query once per engine pair (10¹² ran for ever).
pub const MAX_RANDOMISATION_TRIALS: usize = 1_000_000;
/// Most users asked for their feed for ANN recall and the recommend load
/// workload: every one is a feed request to the engine and to the exact
/// reference (the world's users bound it again once it is known).
pub const MAX_ANN_USERS: usize = 1_000_000;

/// Largest `evaluation.context_window`: the simulator's own bound.
pub const MAX_CONTEXT_WINDOW: usize = 1_000;
/// Most measured (or warm-up) requests per load measurement: 500× the
/// default 2 000. At a slow engine's 1 ms a request that is 17 minutes for
/// one row, and a run has a row per thread count and request kind
/// (`requests = 10^18` ran for ever with no output).
pub const MAX_LOAD_REQUESTS: u64 = 1_000_000;
/// Most thread counts one closed-loop sweep measures: each is a full row.
pub const MAX_LOAD_THREAD_COUNTS: usize = 16;
/// Fastest open-loop arrival rate, requests per second: the schedule and
/// the latency histogram count microseconds, so faster arrivals cannot be
/// spaced.
pub const MAX_OPEN_LOOP_RATE: f64 = 1e6;
/// Longest open-loop test, `(warm_up + requests) / open_loop_rate`
/// seconds: an hour. A tiny rate with the default request count would
/// otherwise send one request a day.
pub const MAX_OPEN_LOOP_SECONDS: f64 = 3_600.0;
/// Most `[[engines]]` entries: each one is at least one index build.
pub const MAX_ENGINES: usize = 64;
/// Largest `evaluation.gains` value, the world scenario's own bound on
/// judgement gains: nDCG is scale-free, so only the ratios matter.
pub const MAX_GAIN: f64 = 1e6;

impl RunScenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<RunScenario> {
        let text = std::fs::read_to_string(path).map_err(|source| HarnessError::Io { path: path.into(), source })?;
        RunScenario::from_toml(&text, path)
    }

    /// Parses and checks scenario text; `file` names it in errors and
    /// anchors its relative paths.
    pub fn from_toml(text: &str, file: &Path) -> Result<RunScenario> {
        let mut scenario: RunScenario = from_toml_at(text, file)?;
        scenario.base_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        scenario.file = Some(file.to_path_buf());
        scenario.text = text.to_string();
        if scenario.name.is_empty() {
            scenario.name = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "run".into());
        }
        scenario.check()?;
        Ok(scenario)
    }

    /// The scenario `searchrec simulate` runs: only the simulation's arm
    /// engines (none measured against another), no load test, and the
    /// baseline only when an arm's engine is it. Refuses a scenario without
    /// a simulation.
    pub fn simulation_only(&mut self) -> Result<()> {
        let Some(simulation) = &self.simulation else {
            return Err(self.field_error(
                "simulation",
                "missing: add a [simulation] section with its arms, or use `searchrec run`",
            ));
        };
        let arms: Vec<String> = simulation.arms.iter().map(|a| a.engine.clone()).collect();
        self.engines.retain(|e| arms.contains(&e.name));
        for entry in &mut self.engines {
            entry.ann_against = None;
        }
        if self.evaluation.baseline.as_ref().is_some_and(|b| !arms.contains(b)) {
            self.evaluation.baseline = None;
        }
        self.load.requests = 0;
        Ok(())
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
        if let Some(source) = &w.source {
            if w.path.is_some() || w.scale.is_some() || w.scenario.is_some() || w.seed.is_some() {
                return Err(self.field_error(
                    "world.source",
                    "real data is the whole world: remove `path`, `scale`, `scenario` and `seed`, or remove `source`",
                ));
            }
            let refusal = |what: &str| {
                format!(
                    "{what} reads the simulator's truth (latent tastes, needs, how each query was written), which \
                     real data ({} files) does not have",
                    source.format()
                )
            };
            if self.simulation.is_some() {
                return Err(self.field_error(
                    "simulation",
                    format!("{}; remove [simulation] or run it on a generated world", refusal("the GMV simulation")),
                ));
            }
            if let Some(set) = self.evaluation.query_sets.iter().find(|s| *s != "all") {
                return Err(self.field_error(
                    "evaluation.query_sets",
                    format!("{}; keep only `all`", refusal(&format!("query set `{set}`"))),
                ));
            }
        }
        self.scale()?;
        let e = &self.evaluation;
        if e.k == 0 {
            return Err(self.field_error("evaluation.k", "k is 0; use a cut-off of at least 1"));
        }
        if e.k > MAX_DEPTH {
            return Err(self.field_error(
                "evaluation.k",
                format!("{} is out of range; use 1 to {MAX_DEPTH} (k cannot exceed `depth`, whose bound this is)", e.k),
            ));
        }
        if e.depth > MAX_DEPTH {
            return Err(self.field_error(
                "evaluation.depth",
                format!(
                    "{} hits per query is too deep: use k to {MAX_DEPTH}; every engine run holds `depth` hits for \
                     every query in memory and in its run file",
                    e.depth
                ),
            ));
        }
        if e.depth < e.k {
            return Err(self.field_error(
                "evaluation.depth",
                format!("depth {} is below k {}; ask for at least k hits", e.depth, e.k),
            ));
        }
        if e.ann_k == 0 || e.ann_k > MAX_DEPTH {
            return Err(self.field_error(
                "evaluation.ann_k",
                format!("{} is out of range; use a cut-off of 1 to {MAX_DEPTH}", e.ann_k),
            ));
        }
        if !(1..=MAX_RANDOMISATION_TRIALS).contains(&e.randomisation_trials) {
            return Err(self.field_error(
                "evaluation.randomisation_trials",
                format!(
                    "{} is out of range; use 1 to {MAX_RANDOMISATION_TRIALS} shuffles (default 10 000): p-values \
                     to 10⁻⁶ are finer than any correction needs, and each shuffle walks every query",
                    e.randomisation_trials
                ),
            ));
        }
        if e.context_window > MAX_CONTEXT_WINDOW {
            return Err(self.field_error(
                "evaluation.context_window",
                format!(
                    "{} is out of range; use 0 to {MAX_CONTEXT_WINDOW} signals per list: every evaluation request \
                     carries them and coupled engines read each one",
                    e.context_window
                ),
            ));
        }
        if e.ann_users > MAX_ANN_USERS {
            return Err(self.field_error(
                "evaluation.ann_users",
                format!(
                    "{} is out of range; use 0 to {MAX_ANN_USERS} users: each is a feed request to the engine and \
                     to its exact reference",
                    e.ann_users
                ),
            ));
        }
        if e.ann_users == 0
            && let Some(entry) = self.engines.iter().find(|x| x.ann_against.is_some())
        {
            return Err(self.field_error(
                "evaluation.ann_users",
                format!(
                    "0 users leaves no feed to measure engine `{}`'s ann_against recall on; use at least 1 (default \
                     1 000) or remove `ann_against`",
                    entry.name
                ),
            ));
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
        if let Some(g) = &e.gains {
            for (name, gain) in [
                ("exact", g.exact),
                ("substitute", g.substitute),
                ("complement", g.complement),
                ("irrelevant", g.irrelevant),
            ] {
                if !(0.0..=MAX_GAIN).contains(&gain) {
                    return Err(self.field_error(
                        &format!("evaluation.gains.{name}"),
                        format!("{gain} is out of range; use 0 to {MAX_GAIN:e} (nDCG only reads the ratios)"),
                    ));
                }
            }
        }
        self.metric_settings(Gains::default())?;
        let l = &self.load;
        if l.requests > 0 && (l.threads.is_empty() || l.threads.contains(&0)) {
            return Err(self.field_error("load.threads", "every thread count must be at least 1, and one is needed"));
        }
        if let Some(t) = l.threads.iter().find(|&&t| t > MAX_THREADS) {
            return Err(self.field_error(
                "load.threads",
                format!(
                    "{t} client threads is out of range; use 1 to {MAX_THREADS}: results never depend on the count, \
                     and every client thread is spawned up front"
                ),
            ));
        }
        if let Some(c) = l.concurrency.filter(|c| !(1..=MAX_THREADS).contains(c)) {
            return Err(self.field_error(
                "load.concurrency",
                format!("{c} requests in flight is out of range; use 1 to {MAX_THREADS} (each is a client thread)"),
            ));
        }
        if !(l.timeout_ms.is_finite() && (0.0..=MAX_TIMEOUT_MS).contains(&l.timeout_ms)) {
            return Err(self.field_error(
                "load.timeout_ms",
                format!("{} is out of range; use 0 (none) to {MAX_TIMEOUT_MS} milliseconds", l.timeout_ms),
            ));
        }
        if l.threads.len() > MAX_LOAD_THREAD_COUNTS {
            return Err(self.field_error(
                "load.threads",
                format!(
                    "{} thread counts; list at most {MAX_LOAD_THREAD_COUNTS}: each is a full load measurement",
                    l.threads.len()
                ),
            ));
        }
        for (field, value) in [("load.requests", l.requests), ("load.warm_up", l.warm_up)] {
            if value > MAX_LOAD_REQUESTS {
                return Err(self.field_error(
                    field,
                    format!(
                        "{value} is out of range; use 0 to {MAX_LOAD_REQUESTS} requests per measurement: a run \
                         measures one row per thread count and request kind, and at 1 ms a request the bound is \
                         already 17 minutes a row"
                    ),
                ));
            }
        }
        if !(l.open_loop_rate.is_finite() && (0.0..=MAX_OPEN_LOOP_RATE).contains(&l.open_loop_rate)) {
            return Err(self.field_error(
                "load.open_loop_rate",
                format!(
                    "{} is out of range; use 0 (off) to {MAX_OPEN_LOOP_RATE:e} requests per second: arrivals are \
                     scheduled and timed in microseconds",
                    l.open_loop_rate
                ),
            ));
        }
        if l.open_loop_rate > 0.0 && l.requests > 0 {
            let seconds = (l.warm_up + l.requests) as f64 / l.open_loop_rate;
            if seconds > MAX_OPEN_LOOP_SECONDS {
                return Err(self.field_error(
                    "load.open_loop_rate",
                    format!(
                        "{} requests (warm_up + requests) at {} per second take {seconds:.0} s; the open-loop test \
                         may take at most {MAX_OPEN_LOOP_SECONDS} s: raise the rate or lower the requests",
                        l.warm_up + l.requests,
                        l.open_loop_rate
                    ),
                ));
            }
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
        if self.engines.len() > MAX_ENGINES {
            return Err(self.field_error(
                "engines",
                format!("{} entries; at most {MAX_ENGINES}: each is at least one index build", self.engines.len()),
            ));
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
            if let Some(against) = &entry.ann_against {
                self.check_ann_target(entry, against)?;
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

    /// What `ann_against` can be checked against without a registry: it
    /// names another entry, and one that is a single run (the kinds and the
    /// embeddings are checked by [`crate::run::check_engines`]).
    fn check_ann_target(&self, entry: &EngineEntry, against: &str) -> Result<()> {
        let error = |message: String| self.ann_against_error(entry, against, message);
        if against == entry.name {
            return Err(error(
                "an engine cannot be its own ANN reference; name an exact engine over the same embedding".into(),
            ));
        }
        match self.engines.iter().find(|e| e.name == against) {
            None => Err(error("no [[engines]] entry has this name".into())),
            Some(target) if !target.sweep.is_empty() => Err(error(
                "that engine is swept; the engine compared against must be a single run: add an unswept entry".into(),
            )),
            Some(_) => Ok(()),
        }
    }

    /// An error about one entry's `ann_against`, naming the file, the entry and the target:
    /// `s.toml: [[engines]] 'feed-hnsw' ann_against = 'shelf': …`.
    pub fn ann_against_error(&self, entry: &EngineEntry, against: &str, message: impl Into<String>) -> HarnessError {
        let file = self.file.as_deref().map(|f| f.display().to_string()).unwrap_or_else(|| "scenario".into());
        HarnessError::Invalid {
            what: format!("{file}: [[engines]] '{}' ann_against = '{against}'", entry.name),
            message: message.into(),
        }
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

    /// A scenario that sets every numeric field of the file: evaluation and
    /// load written out, the simulation serialised from its defaults (so a
    /// field added there is walked too) plus arms, a factorial, a planted
    /// control and a sensitivity sweep.
    fn full_scenario() -> toml::Table {
        let text = r#"
            [world]
            scale = "tiny"
            seed = 7
            [evaluation]
            k = 10
            depth = 100
            randomisation_trials = 1000
            ann_users = 100
            ann_k = 10
            gains = { exact = 1.0, substitute = 0.1, complement = 0.01, irrelevant = 0.0 }
            [load]
            threads = [1, 2]
            warm_up = 10
            requests = 100
            open_loop_rate = 1000.0
            batch = 8
            [[engines]]
            name = "exact"
            kind = "exact"
            [[engines]]
            name = "interest"
            kind = "interest"
            ann_against = "exact"
        "#;
        let mut table: toml::Table = toml::from_str(text).unwrap();
        let mut simulation = toml::Table::try_from(SimulationSettings::default()).unwrap();
        let extra: toml::Table = toml::from_str(
            r#"
            arms = [{ name = "n", engine = "interest", channels = "both" }, { name = "a", engine = "interest", channels = "both" },
                    { name = "b", engine = "interest", channels = "both" }, { name = "ab", engine = "interest", channels = "both" }]
            factorial = { neither = "n", a = "a", b = "b", a_b = "ab" }
            planted = { skip = 20, probability = 1.0 }
            sensitivity = [{ parameter = "behaviour.seed_offset", values = [1.5, 2.5] }]
            max_users = 2000
            "#,
        )
        .unwrap();
        simulation.extend(extra);
        table.insert("simulation".into(), toml::Value::Table(simulation));
        table
    }

    /// Numeric leaves as (path as errors write it, path segments to reach it).
    fn numeric_leaves(value: &toml::Value, path: &str, steps: Vec<Step>, out: &mut Vec<(String, Vec<Step>, bool)>) {
        match value {
            toml::Value::Integer(_) => out.push((path.to_string(), steps, true)),
            toml::Value::Float(_) => out.push((path.to_string(), steps, false)),
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    let mut s = steps.clone();
                    s.push(Step::Key(k.clone()));
                    numeric_leaves(v, &p, s, out);
                }
            }
            toml::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let mut s = steps.clone();
                    s.push(Step::Index(i));
                    // A number in a list is named by the list; a table in one by its index.
                    let p = if v.is_table() { format!("{path}[{i}]") } else { path.to_string() };
                    numeric_leaves(v, &p, s, out);
                }
            }
            _ => {}
        }
    }

    #[derive(Clone, Debug)]
    enum Step {
        Key(String),
        Index(usize),
    }

    fn set(root: &mut toml::Value, steps: &[Step], value: toml::Value) {
        let mut here = root;
        for step in steps {
            here = match step {
                Step::Key(k) => here.as_table_mut().unwrap().get_mut(k).unwrap(),
                Step::Index(i) => &mut here.as_array_mut().unwrap()[*i],
            };
        }
        *here = value;
    }

    /// The class test: any numeric field of a run scenario set to an absurd
    /// value (u32::MAX, i64::MAX, −1, ±1e300, ±inf, NaN) is refused at load —
    /// before the world, before any allocation sized by it — by a message
    /// that names the file and the field. Seeds take any value.
    #[test]
    fn every_numeric_field_refuses_absurd_values_naming_the_field() {
        let base = full_scenario();
        let text = toml::to_string(&base).unwrap();
        RunScenario::from_toml(&text, Path::new("dir/s.toml")).expect("the full scenario is valid");
        let mut leaves = Vec::new();
        numeric_leaves(&toml::Value::Table(base.clone()), "", Vec::new(), &mut leaves);
        let seeds = ["world.seed", "simulation.seed", "simulation.world_seeds"];
        let leaves: Vec<_> = leaves.into_iter().filter(|(p, ..)| !seeds.contains(&p.as_str())).collect();
        assert!(leaves.len() >= 25, "the walk found only {} numeric fields", leaves.len());
        for (path, steps, integer) in leaves {
            let absurd: Vec<toml::Value> = if integer {
                vec![toml::Value::Integer(u32::MAX.into()), toml::Value::Integer(i64::MAX), toml::Value::Integer(-1)]
            } else {
                [1e300, -1e300, f64::INFINITY, f64::NEG_INFINITY, f64::NAN].map(toml::Value::Float).to_vec()
            };
            let key = path.rsplit(['.', '[']).next().unwrap();
            for value in absurd {
                let mut root = toml::Value::Table(base.clone());
                set(&mut root, &steps, value.clone());
                let text = toml::to_string(&root).unwrap();
                let message = match RunScenario::from_toml(&text, Path::new("dir/s.toml")) {
                    Ok(_) => panic!("`{path}` = {value} was accepted"),
                    Err(e) => e.to_string(),
                };
                // A value the field's type cannot hold is a TOML error with its path and line
                // (`load.threads[0]` for a number in a list).
                let named = message.contains(&format!("field `{path}`"))
                    || message.contains(&format!("field `{path}["))
                    || (!message.contains("field `") && message.contains(key));
                assert!(message.starts_with("dir/s.toml") && named, "`{path}` = {value}: {message}");
            }
        }
    }

    #[test]
    fn a_wrong_type_names_the_dotted_path_and_the_line() {
        let text = "[simulation]\nusers = \"many\"\n[[engines]]\nname = \"s\"\nkind = \"shelf\"\n";
        let err = RunScenario::from_toml(text, Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.starts_with("s.toml: field `simulation.users`: ") && err.contains("line 2"), "{err}");
        let text = "[load]\nthreads = [1, \"two\"]\n";
        let err = RunScenario::from_toml(text, Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.starts_with("s.toml: field `load.threads[1]`: "), "{err}");
    }

    #[test]
    fn margins_and_sizes_past_their_bounds_are_refused() {
        let base = full_scenario();
        for (field, value, needle) in [
            ("equivalence_margin", toml::Value::Float(1e300), "simulation.equivalence_margin"),
            ("target_mde", toml::Value::Float(f64::INFINITY), "simulation.target_mde"),
            ("aa_replicates", toml::Value::Integer(100_000), "simulation.users"),
        ] {
            let mut root = toml::Value::Table(base.clone());
            root["simulation"].as_table_mut().unwrap().insert(field.into(), value);
            let err = RunScenario::from_toml(&toml::to_string(&root).unwrap(), Path::new("s.toml")).unwrap_err();
            assert!(err.to_string().contains(needle), "{field}: {err}");
        }
    }

    #[test]
    fn issue_13_examples_are_refused_with_bound_and_reason() {
        for (load, field, needle) in [
            ("requests = 1000000000000000000", "load.requests", "1000000"),
            ("threads = [100000]", "load.threads", "1024"),
            ("open_loop_rate = 0.001", "load.open_loop_rate", "3600"),
            ("concurrency = 0", "load.concurrency", "1024"),
            ("concurrency = 100000", "load.concurrency", "1024"),
            ("timeout_ms = -1.0", "load.timeout_ms", "600000"),
            ("timeout_ms = nan", "load.timeout_ms", "600000"),
        ] {
            let err = parse(load).unwrap_err().to_string();
            assert!(err.contains(&format!("field `{field}`")) && err.contains(needle), "{load}: {err}");
        }
        let engines = "[[engines]]\nname = \"shelf\"\nkind = \"shelf\"\n";
        for (evaluation, field) in [
            ("k = 9223372036854775807\ndepth = 9223372036854775807", "evaluation.k"),
            ("randomisation_trials = 1000000000000", "evaluation.randomisation_trials"),
        ] {
            let text = format!("[evaluation]\n{evaluation}\n{engines}");
            let err = RunScenario::from_toml(&text, Path::new("s.toml")).unwrap_err().to_string();
            assert!(err.contains(&format!("field `{field}`")), "{evaluation}: {err}");
        }
        let text = "[evaluation]\nann_users = 0\n[[engines]]\nname = \"x\"\nkind = \"exact\"\n[[engines]]\nname = \"i\"\nkind = \"interest\"\nann_against = \"x\"\n";
        let err = RunScenario::from_toml(text, Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.contains("s.toml: field `evaluation.ann_users`") && err.contains("`i`"), "{err}");
    }

    #[test]
    fn ann_against_itself_or_a_swept_engine_is_refused_naming_the_entry() {
        let own = "[[engines]]\nname = \"feed-hnsw\"\nkind = \"interest\"\nann_against = \"feed-hnsw\"\n";
        let err = RunScenario::from_toml(own, Path::new("scenarios/x.toml")).unwrap_err().to_string();
        assert!(err.starts_with("scenarios/x.toml: [[engines]] 'feed-hnsw' ann_against = 'feed-hnsw': "), "{err}");
        let swept = "[[engines]]\nname = \"x\"\nkind = \"exact\"\nsweep = { \"embedding.dim\" = [8, 16] }\n\
                     [[engines]]\nname = \"i\"\nkind = \"interest\"\nann_against = \"x\"\n";
        let err = RunScenario::from_toml(swept, Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.contains("'i' ann_against = 'x'") && err.contains("swept"), "{err}");
        let missing = "[[engines]]\nname = \"i\"\nkind = \"interest\"\nann_against = \"nope\"\n";
        let err = RunScenario::from_toml(missing, Path::new("s.toml")).unwrap_err().to_string();
        assert!(err.contains("ann_against = 'nope'"), "{err}");
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
