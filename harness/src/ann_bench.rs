//! `searchrec ann-bench`: every ANN backend on one seeded clustered vector
//! set, as ann-benchmarks measures them — recall@k against exact ground
//! truth over an `ef_search` sweep, one query at a time on one thread, build
//! time and memory — so backends (and, through the exported `.fvecs`, the
//! field's peers: hnswlib, faiss) compare on the same vectors.
//!
//! The scenario file (`scenarios/ann/clustered-200k.toml`):
//!
//! ```toml
//! name = "clustered-200k"
//! [data]                 # the recipe: Gaussian clusters, unit-normalised
//! items = 200000
//! dim = 64
//! clusters = 400
//! sigma = 0.35
//! queries = 2000
//! seed = 1
//! [index]
//! backends = ["graph", "hnsw_rs", "exact"]
//! max_nb_connection = 16
//! ef_construction = 200
//! ef_search = [10, 16, 24, 32, 48, 64, 96, 128]
//! k = 10
//! runs = 3               # best of, as ann-benchmarks reports
//! ```
//!
//! Or real benchmark files (`scenarios/real/ann-*.toml`, read by
//! [`crate::ann_data`]), measured against the file's own ground truth:
//!
//! ```toml
//! [data]
//! format = "fvecs"       # TEXMEX: SIFT1M, GIST1M (or "hdf5": ann-benchmarks, `file = "…"`)
//! base = "sift/sift_base.fvecs"
//! query = "sift/sift_query.fvecs"
//! groundtruth = "sift/sift_groundtruth.ivecs"
//! metric = "euclidean"   # TEXMEX files carry none; HDF5 has attribute `distance`
//! limit_base = 100000    # optional: the file's truth no longer holds, the exact top k is computed
//! limit_queries = 1000   # optional
//! ```
//!
//! Recall is the same two figures either way: id overlap with the true top k,
//! and ann-benchmarks' threshold recall, which for files is taken in the
//! file's metric (the true k-th distance from the file's `distances`, or
//! computed from the vectors, + 1e-3; each hit's distance recomputed from
//! its vector).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use searchrec_datasets::ItemId;
use searchrec_engine::Hit;
use searchrec_vectors::ann::clustered::clustered;
use searchrec_vectors::{
    AnnBackend, AnnIndex, ExactIndex, HnswConfig, VectorError, VectorTable, build_index, dot, reachability,
};
use serde::{Deserialize, Serialize};

use crate::ann::{DEFAULT_EPSILON, ann_benchmarks_recall, overlap_recall};
use crate::ann_data::{AnnDataset, Distances, Limits, Metric};
use crate::atomic_file::write_atomically;
use crate::{HarnessError, Result};

/// Largest vector set a scenario may ask for (items × dim values): 2³¹
/// f32 is 8 GiB, a third of this machine class's memory.
const MAX_VALUES: u64 = 1 << 31;
/// Largest query set.
const MAX_QUERIES: usize = 1_000_000;
/// Largest `ef_search` or `ef_construction`.
const MAX_EF: usize = 100_000;
/// Largest `k`: ann-benchmarks measures 10 and 100; past 1 000 the ground
/// truth (queries × k hits) is what the run measures.
const MAX_K: usize = 1_000;
/// Most `ef_search` values in one sweep: each is a timed pass per backend.
const MAX_EF_VALUES: usize = 64;
/// Most multiply-adds of the exact ground truth (queries × items × dim):
/// 10¹³, 400× the default recipe's 2.6×10¹⁰, so minutes at most on 2
/// cores; past it the ground truth alone runs for hours without output.
const MAX_GROUND_TRUTH_FLOPS: u64 = 10_000_000_000_000;
/// Largest cluster spread: the clusters' centres are unit-scale, so past
/// 1 000 there are no clusters left to find.
const MAX_SIGMA: f32 = 1_000.0;

/// Where the vectors come from.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DataFormat {
    /// The seeded clustered set described by the other `[data]` fields.
    #[default]
    Clustered,
    /// TEXMEX files (SIFT, GIST): `base` and `query` (`.fvecs` or
    /// `.bvecs`), `groundtruth` (`.ivecs`), `metric` (default euclidean).
    Fvecs,
    /// An ann-benchmarks HDF5 file `file` (`train`, `test`, `neighbors`,
    /// `distances`, attribute `distance`); needs the `hdf5` feature.
    Hdf5,
}

/// The data set: the seeded clustered set, or files in a real benchmark's
/// layout (`format`). File paths resolve relative to the scenario file.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DataSpec {
    /// `clustered` (default), `fvecs` or `hdf5`.
    pub format: DataFormat,
    /// TEXMEX base vectors (`format = "fvecs"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<PathBuf>,
    /// TEXMEX query vectors (`format = "fvecs"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<PathBuf>,
    /// TEXMEX ground truth, `.ivecs` (`format = "fvecs"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groundtruth: Option<PathBuf>,
    /// ann-benchmarks HDF5 file (`format = "hdf5"`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    /// The ground truth's metric: TEXMEX files carry none (default
    /// euclidean); for HDF5 it must match the file's attribute if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<Metric>,
    /// Read only the first base vectors; the file's ground truth then no
    /// longer holds and the exact top k is computed instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_base: Option<usize>,
    /// Read only the first queries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_queries: Option<usize>,
    /// Vectors indexed. Default 200,000.
    pub items: usize,
    /// Dimensions. Default 64.
    pub dim: usize,
    /// Gaussian clusters the vectors are drawn around. Default 400.
    pub clusters: usize,
    /// Standard deviation of each coordinate around its cluster centre. Default 0.35.
    pub sigma: f32,
    /// Query vectors, drawn like the items. Default 2,000.
    pub queries: usize,
    /// Seed of every draw. Default 1.
    pub seed: u64,
}

impl Default for DataSpec {
    fn default() -> Self {
        DataSpec {
            format: DataFormat::Clustered,
            base: None,
            query: None,
            groundtruth: None,
            file: None,
            metric: None,
            limit_base: None,
            limit_queries: None,
            items: 200_000,
            dim: 64,
            clusters: 400,
            sigma: 0.35,
            queries: 2_000,
            seed: 1,
        }
    }
}

/// The backends and their sweep.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct IndexSpec {
    /// Backends, in the order measured. Default every backend.
    pub backends: Vec<AnnBackend>,
    /// M of both graph backends. Default 16.
    pub max_nb_connection: usize,
    /// ef_construction of both graph backends. Default 200.
    pub ef_construction: usize,
    /// Insert in parallel (graph backends; the graph then depends on thread
    /// timing). Default false.
    pub parallel_build: bool,
    /// Fill short neighbour lists with pruned candidates (graph backends).
    /// Default: each backend's own default (see `HnswConfig::keep_pruned`).
    pub keep_pruned: Option<bool>,
    /// Candidate list sizes swept at search time. Default 10…128.
    pub ef_search: Vec<usize>,
    /// Neighbours asked for and scored. Default 10.
    pub k: usize,
    /// Timed passes over the queries; the fastest is reported. Default 3.
    pub runs: usize,
}

impl Default for IndexSpec {
    fn default() -> Self {
        IndexSpec {
            backends: vec![AnnBackend::Graph, AnnBackend::HnswRs, AnnBackend::Exact],
            max_nb_connection: 16,
            ef_construction: 200,
            parallel_build: false,
            keep_pruned: None,
            ef_search: vec![10, 16, 24, 32, 48, 64, 96, 128],
            k: 10,
            runs: 3,
        }
    }
}

/// An ANN benchmark scenario.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AnnBenchScenario {
    /// Name printed with the results.
    #[serde(default)]
    pub name: String,
    /// The data set.
    #[serde(default)]
    pub data: DataSpec,
    /// What to measure.
    #[serde(default)]
    pub index: IndexSpec,
}

impl AnnBenchScenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<AnnBenchScenario> {
        let text = std::fs::read_to_string(path).map_err(|source| HarnessError::Io { path: path.into(), source })?;
        let mut scenario: AnnBenchScenario = crate::scenario::from_toml_at(&text, path)?;
        // Data files are named relative to the scenario, so a scenario and
        // its files move together.
        let dir = path.parent().unwrap_or(Path::new(""));
        let d = &mut scenario.data;
        for file in [&mut d.base, &mut d.query, &mut d.groundtruth, &mut d.file].into_iter().flatten() {
            if file.is_relative() {
                *file = dir.join(&*file);
            }
        }
        scenario.check().map_err(|(field, message)| HarnessError::Invalid {
            what: format!("{}: field `{field}`", path.display()),
            message,
        })?;
        Ok(scenario)
    }

    /// Every bound, before any work; the error names the field.
    pub fn check(&self) -> std::result::Result<(), (&'static str, String)> {
        let d = &self.data;
        let i = &self.index;
        let bad = |field, message: String| Err((field, message));
        if d.format != DataFormat::Clustered {
            return self.check_files();
        }
        let files = [("data.base", d.base.is_some()), ("data.query", d.query.is_some())]
            .into_iter()
            .chain([("data.groundtruth", d.groundtruth.is_some()), ("data.file", d.file.is_some())])
            .chain([("data.metric", d.metric.is_some()), ("data.limit_base", d.limit_base.is_some())])
            .chain([("data.limit_queries", d.limit_queries.is_some())]);
        for (field, set) in files {
            if set {
                return bad(
                    field,
                    "only for format = \"fvecs\" or \"hdf5\"; this scenario generates its vectors".into(),
                );
            }
        }
        if d.items == 0 || d.dim == 0 || (d.items as u64).saturating_mul(d.dim as u64) > MAX_VALUES {
            return bad(
                "data.items",
                format!("items × dim must be in 1..={MAX_VALUES} (8 GiB of f32), got {} × {}", d.items, d.dim),
            );
        }
        if d.clusters == 0 || d.clusters > d.items {
            return bad("data.clusters", format!("must be in 1..={}, got {}", d.items, d.clusters));
        }
        if !(d.sigma.is_finite() && (0.0..=MAX_SIGMA).contains(&d.sigma)) {
            return bad("data.sigma", format!("must be in 0..={MAX_SIGMA}, got {}", d.sigma));
        }
        if d.queries == 0 || d.queries > MAX_QUERIES {
            return bad("data.queries", format!("must be in 1..={MAX_QUERIES}, got {}", d.queries));
        }
        let flops = (d.queries as u64).saturating_mul(d.items as u64).saturating_mul(d.dim as u64);
        if flops > MAX_GROUND_TRUTH_FLOPS {
            return bad(
                "data.queries",
                format!(
                    "the exact ground truth would take queries × items × dim = {flops:.3e} multiply-adds; at most \
                     {:.0e} (minutes on this machine class): lower queries, items or dim",
                    MAX_GROUND_TRUTH_FLOPS as f64
                ),
            );
        }
        if i.k == 0 || i.k > d.items.min(MAX_K) {
            return bad(
                "index.k",
                format!("must be in 1..={} (at most the items and {MAX_K}), got {}", d.items.min(MAX_K), i.k),
            );
        }
        self.check_index()
    }

    /// The bounds of the `[index]` section every data source shares.
    fn check_index(&self) -> std::result::Result<(), (&'static str, String)> {
        let i = &self.index;
        let bad = |field, message: String| Err((field, message));
        if i.backends.is_empty() {
            return bad("index.backends", "name at least one backend".into());
        }
        if !(2..=256).contains(&i.max_nb_connection) {
            return bad("index.max_nb_connection", format!("must be in 2..=256, got {}", i.max_nb_connection));
        }
        if i.ef_construction == 0 || i.ef_construction > MAX_EF {
            return bad("index.ef_construction", format!("must be in 1..={MAX_EF}, got {}", i.ef_construction));
        }
        if i.ef_search.len() > MAX_EF_VALUES {
            return bad(
                "index.ef_search",
                format!("{} values; list at most {MAX_EF_VALUES}, each is a timed pass per backend", i.ef_search.len()),
            );
        }
        if i.ef_search.is_empty() || i.ef_search.iter().any(|&ef| ef == 0 || ef > MAX_EF) {
            return bad("index.ef_search", format!("must list values in 1..={MAX_EF}, got {:?}", i.ef_search));
        }
        if !(1..=10).contains(&i.runs) {
            return bad("index.runs", format!("must be in 1..=10, got {}", i.runs));
        }
        Ok(())
    }

    /// The bounds of a file scenario: which files each format needs, the
    /// limits, and the index section (the data's sizes are checked once read).
    fn check_files(&self) -> std::result::Result<(), (&'static str, String)> {
        let d = &self.data;
        let i = &self.index;
        let bad = |field, message: String| Err((field, message));
        let generated = DataSpec::default();
        let recipe = [("data.items", d.items != generated.items), ("data.dim", d.dim != generated.dim)]
            .into_iter()
            .chain([("data.clusters", d.clusters != generated.clusters), ("data.sigma", d.sigma != generated.sigma)])
            .chain([("data.queries", d.queries != generated.queries), ("data.seed", d.seed != generated.seed)]);
        for (field, set) in recipe {
            if set {
                return bad(
                    field,
                    "only for generated vectors (format = \"clustered\"); the files set the sizes".into(),
                );
            }
        }
        type Fields<'a> = &'a [(&'static str, bool)];
        let (needed, unwanted): (Fields, Fields) = match d.format {
            DataFormat::Fvecs => (
                &[
                    ("data.base", d.base.is_some()),
                    ("data.query", d.query.is_some()),
                    ("data.groundtruth", d.groundtruth.is_some()),
                ],
                &[("data.file", d.file.is_some())],
            ),
            _ => (
                &[("data.file", d.file.is_some())],
                &[
                    ("data.base", d.base.is_some()),
                    ("data.query", d.query.is_some()),
                    ("data.groundtruth", d.groundtruth.is_some()),
                ],
            ),
        };
        if let Some((field, _)) = needed.iter().find(|(_, set)| !set) {
            return bad(field, "name the file (relative to the scenario)".into());
        }
        if let Some((field, _)) = unwanted.iter().find(|(_, set)| *set) {
            return bad(field, format!("not used by format = \"{}\"", d.format.name()));
        }
        if d.limit_base.is_some_and(|n| n == 0 || n as u64 > MAX_VALUES) {
            return bad("data.limit_base", format!("must be in 1..={MAX_VALUES}, got {:?}", d.limit_base));
        }
        if d.limit_queries.is_some_and(|n| n == 0 || n > MAX_QUERIES) {
            return bad("data.limit_queries", format!("must be in 1..={MAX_QUERIES}, got {:?}", d.limit_queries));
        }
        if i.k == 0 || i.k > MAX_K {
            return bad("index.k", format!("must be in 1..={MAX_K}, got {}", i.k));
        }
        self.check_index()
    }

    /// The graph parameters of both graph backends.
    fn graph(&self) -> HnswConfig {
        HnswConfig {
            max_nb_connection: self.index.max_nb_connection,
            ef_construction: self.index.ef_construction,
            parallel_build: self.index.parallel_build,
            keep_pruned: self.index.keep_pruned,
            ..HnswConfig::default()
        }
    }
}

/// One (backend, ef_search) point.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AnnBenchRow {
    /// The backend.
    pub backend: String,
    /// Candidate list size (the exact backend ignores it).
    pub ef_search: usize,
    /// Mean recall@k by id overlap with the exact top k.
    pub recall: f64,
    /// Mean recall@k as ann-benchmarks defines it (distance ≤ the k-th true
    /// distance + 1e-3 counts).
    pub recall_ann_benchmarks: f64,
    /// Queries per second (best run): one query at a time on one thread,
    /// or, when `batched`, all queries in one `search_batch` call on the
    /// pool's threads.
    pub qps: f64,
    /// Whether the queries went as one batch (the exact backend's second row).
    pub batched: bool,
}

/// One backend's build.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AnnBenchBuild {
    /// The backend.
    pub backend: String,
    /// Wall seconds of the build.
    pub build_seconds: f64,
    /// The backend's memory estimate beyond the vectors, bytes.
    pub memory_bytes: u64,
    /// Share of items found by searching their own vector at ef 64 (graph backends).
    pub reachability: Option<f64>,
}

/// What a data file held, as read.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AnnBenchSource {
    /// `fvecs` or `hdf5`.
    pub format: DataFormat,
    /// The ground truth's metric.
    pub metric: Metric,
    /// Base vectors read.
    pub items: usize,
    /// Queries read.
    pub queries: usize,
    /// Dimension in the file (the search space adds 2 for euclidean).
    pub dim: usize,
    /// Whether the ground truth is the file's (`false`: `limit_base` cut the
    /// base and the exact top k was computed).
    pub file_truth: bool,
    /// Seconds to read the files.
    pub load_seconds: f64,
}

/// What `ann-bench` measured.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AnnBenchReport {
    /// The scenario measured.
    pub scenario: AnnBenchScenario,
    /// What the data files held, for a file scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<AnnBenchSource>,
    /// Threads of the pool the builds ran in.
    pub threads: usize,
    /// Seconds to generate (or read) the data and its ground truth.
    pub data_seconds: f64,
    /// Per backend.
    pub builds: Vec<AnnBenchBuild>,
    /// Per (backend, ef_search).
    pub rows: Vec<AnnBenchRow>,
}

/// The data set and its ground truth.
pub struct AnnBenchData {
    /// Indexed vectors.
    pub base: Arc<VectorTable>,
    /// Query vectors.
    pub queries: VectorTable,
    /// Exact top k of every query.
    pub truth: Vec<Vec<Hit>>,
    /// For a file: the distances in its own metric, for ann-benchmarks' recall.
    pub file: Option<FileTruth>,
}

/// The ground truth of a file data set in the file's own metric.
pub struct FileTruth {
    /// The file metric's distance of any (query, item).
    pub distances: Distances,
    /// The true k-th distance of each query: the file's `distances` when it
    /// has them, else computed from the vectors.
    pub kth: Vec<f64>,
    /// What the files held.
    pub source: AnnBenchSource,
}

impl DataFormat {
    /// The name in the scenario file.
    pub fn name(self) -> &'static str {
        match self {
            DataFormat::Clustered => "clustered",
            DataFormat::Fvecs => "fvecs",
            DataFormat::Hdf5 => "hdf5",
        }
    }
}

/// Reads the scenario's files (see [`DataFormat`]) into the backends'
/// search space with the file's ground truth, or, when `limit_base` cut the
/// base, the exact top k computed on what was read.
pub fn file_data(scenario: &AnnBenchScenario) -> Result<AnnBenchData> {
    let d = &scenario.data;
    let k = scenario.index.k;
    let limits = Limits { base: d.limit_base, queries: d.limit_queries, max_values: MAX_VALUES };
    let missing = |field: &str| HarnessError::Invalid {
        what: format!("field `data.{field}`"),
        message: format!("format = \"{}\" needs it", d.format.name()),
    };
    let started = Instant::now();
    let mut set: AnnDataset = match d.format {
        DataFormat::Clustered => return data(scenario),
        DataFormat::Fvecs => crate::ann_data::load_vecs(
            d.base.as_deref().ok_or_else(|| missing("base"))?,
            d.query.as_deref().ok_or_else(|| missing("query"))?,
            d.groundtruth.as_deref().ok_or_else(|| missing("groundtruth"))?,
            d.metric.unwrap_or_default(),
            &limits,
        )?,
        DataFormat::Hdf5 => load_hdf5(d.file.as_deref().ok_or_else(|| missing("file"))?, d.metric, &limits)?,
    };
    let load_seconds = started.elapsed().as_secs_f64();
    let (items, queries) = (set.train_len(), set.test_len());
    let invalid = |message: String| HarnessError::Invalid { what: "ann-bench data".into(), message };
    if queries > MAX_QUERIES {
        return Err(invalid(format!("{queries} queries, at most {MAX_QUERIES}: set data.limit_queries")));
    }
    if k > items {
        return Err(invalid(format!("k = {k} but the base holds {items} vectors")));
    }
    set.check_k(k)?;
    let source = AnnBenchSource {
        format: d.format,
        metric: set.metric,
        items,
        queries,
        dim: set.dim,
        file_truth: set.neighbors.is_some(),
        load_seconds,
    };
    let neighbors = set.neighbors.take();
    let file_distances = set.distances.take();
    let space = set.search_space()?;
    let base = Arc::new(space.base);
    let table = space.queries;
    let distances = space.distances;
    let (truth, kth) = match neighbors {
        Some(rows) => {
            let truth: Vec<Vec<Hit>> = rows
                .iter()
                .enumerate()
                .map(|(q, ids)| {
                    let ids = &ids[..k];
                    ids.iter()
                        .map(|&id| Hit { item: ItemId(id), score: dot(table.row(q), base.row(id as usize)) })
                        .collect()
                })
                .collect();
            let kth = match &file_distances {
                Some(rows) => rows.iter().map(|row| f64::from(row[k - 1])).collect(),
                None => rows
                    .iter()
                    .enumerate()
                    .map(|(q, ids)| distances.distance(&base, &table, q, ids[k - 1] as usize))
                    .collect(),
            };
            (truth, kth)
        }
        None => {
            let flops = (queries as u64).saturating_mul(items as u64).saturating_mul(base.dim() as u64);
            if flops > MAX_GROUND_TRUTH_FLOPS {
                return Err(invalid(format!(
                    "limit_base cut the base, so the exact top k must be computed: {flops:.3e} multiply-adds, at \
                     most {:.0e}; lower limit_base or limit_queries",
                    MAX_GROUND_TRUTH_FLOPS as f64
                )));
            }
            let err = |e: VectorError| invalid(e.to_string());
            let truth = ExactIndex::new(Arc::clone(&base)).map_err(err)?.search_batch(&table, k).map_err(err)?;
            let kth = truth
                .iter()
                .enumerate()
                .map(|(q, hits)| hits.last().map_or(0.0, |h| distances.distance(&base, &table, q, h.item.0 as usize)))
                .collect();
            (truth, kth)
        }
    };
    Ok(AnnBenchData { base, queries: table, truth, file: Some(FileTruth { distances, kth, source }) })
}

#[cfg(feature = "hdf5")]
fn load_hdf5(file: &Path, metric: Option<Metric>, limits: &Limits) -> Result<AnnDataset> {
    crate::ann_data::hdf5::load(file, metric, limits)
}

#[cfg(not(feature = "hdf5"))]
fn load_hdf5(file: &Path, _: Option<Metric>, _: &Limits) -> Result<AnnDataset> {
    Err(HarnessError::Invalid {
        what: file.display().to_string(),
        message: "reading HDF5 needs searchrec built with `--features hdf5` (and the system's libhdf5)".into(),
    })
}

/// Generates the scenario's vectors and their exact top k.
pub fn data(scenario: &AnnBenchScenario) -> Result<AnnBenchData> {
    let d = &scenario.data;
    let (base, queries) = clustered(d.items, d.queries, d.dim, d.clusters, d.sigma, d.seed);
    let invalid = |e: VectorError| HarnessError::Invalid { what: "ann-bench data".into(), message: e.to_string() };
    let base = Arc::new(VectorTable::new(d.dim, base).map_err(invalid)?);
    let queries = VectorTable::new(d.dim, queries).map_err(invalid)?;
    let truth = ExactIndex::new(Arc::clone(&base))
        .map_err(invalid)?
        .search_batch(&queries, scenario.index.k)
        .map_err(invalid)?;
    Ok(AnnBenchData { base, queries, truth, file: None })
}

/// Builds every backend and sweeps `ef_search`; `progress` is told each step.
pub fn run(
    scenario: &AnnBenchScenario,
    threads: usize,
    progress: &dyn Fn(&str),
) -> Result<(AnnBenchReport, AnnBenchData)> {
    let started = Instant::now();
    let data = if scenario.data.format == DataFormat::Clustered {
        progress("generating the vectors and their exact top k");
        data(scenario)?
    } else {
        progress("reading the vectors and their ground truth");
        file_data(scenario)?
    };
    let data_seconds = started.elapsed().as_secs_f64();
    let k = scenario.index.k;
    let mut builds = Vec::new();
    let mut rows = Vec::new();
    for &backend in &scenario.index.backends {
        progress(&format!("building {}", backend.name()));
        let started = Instant::now();
        let index = build_index(backend, Arc::clone(&data.base), &scenario.graph()).map_err(|e| {
            HarnessError::Invalid { what: format!("backend `{}`", backend.name()), message: e.to_string() }
        })?;
        let build_seconds = started.elapsed().as_secs_f64();
        let reach = backend.is_approximate().then(|| reachability(index.as_ref(), 64).fraction());
        builds.push(AnnBenchBuild {
            backend: backend.name().into(),
            build_seconds,
            memory_bytes: index.memory_bytes(),
            reachability: reach,
        });
        let sweep: &[usize] = if backend.is_approximate() { &scenario.index.ef_search } else { &[0] };
        for &ef in sweep {
            progress(&format!("searching {} at ef {ef}", backend.name()));
            rows.push(measure(index.as_ref(), &data, k, ef, scenario.index.runs, false)?);
        }
        if !backend.is_approximate() {
            progress(&format!("searching {} in one batch", backend.name()));
            rows.push(measure(index.as_ref(), &data, k, 0, scenario.index.runs, true)?);
        }
    }
    let source = data.file.as_ref().map(|f| f.source.clone());
    let report = AnnBenchReport { scenario: scenario.clone(), source, threads, data_seconds, builds, rows };
    Ok((report, data))
}

/// One sweep point: the timed passes (one query at a time on this thread,
/// or one batch call), then recall of the last pass's answers.
fn measure(
    index: &dyn AnnIndex,
    data: &AnnBenchData,
    k: usize,
    ef: usize,
    runs: usize,
    batched: bool,
) -> Result<AnnBenchRow> {
    let queries: Vec<&[f32]> = data.queries.rows().collect();
    let mut best = f64::INFINITY;
    let mut answers = Vec::with_capacity(queries.len());
    for _ in 0..runs {
        answers.clear();
        let started = Instant::now();
        if batched {
            answers = index.search_batch(&data.queries, k, ef).map_err(searching)?;
        } else {
            for q in &queries {
                answers.push(index.search(q, k, ef).map_err(searching)?);
            }
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    let (mut overlap, mut ann) = (0.0, 0.0);
    for (q, (found, truth)) in answers.iter().zip(&data.truth).enumerate() {
        overlap += overlap_recall(found, truth, k)?;
        ann += match &data.file {
            None => ann_benchmarks_recall(found, truth, k, DEFAULT_EPSILON)?,
            // ann-benchmarks' definition in the file's metric: a hit counts
            // if its distance, recomputed from the vectors, is within the
            // true k-th distance + ε (scores are not distances here).
            Some(file) => {
                let threshold = file.kth[q] + DEFAULT_EPSILON;
                let within = found
                    .iter()
                    .take(k)
                    .filter(|h| file.distances.distance(&data.base, &data.queries, q, h.item.0 as usize) <= threshold)
                    .count();
                within as f64 / k.min(truth.len()).max(1) as f64
            }
        };
    }
    let n = queries.len() as f64;
    Ok(AnnBenchRow {
        backend: index.backend().name().into(),
        ef_search: ef,
        recall: overlap / n,
        recall_ann_benchmarks: ann / n,
        qps: n / best.max(f64::MIN_POSITIVE),
        batched,
    })
}

/// A search error of the benchmark, naming what failed.
fn searching(e: VectorError) -> HarnessError {
    HarnessError::Invalid { what: "ann-bench search".into(), message: e.to_string() }
}

/// Writes the base vectors, queries and the ground truth's ids as
/// `NAME_base.fvecs`, `NAME_query.fvecs` and `NAME_groundtruth.ivecs`
/// (TEXMEX layout: per vector a little-endian i32 dimension, then the
/// values), which `scripts/ann_peers.py` reads to measure hnswlib and faiss
/// on the very same vectors. Returns the paths written.
pub fn write_fvecs(dir: &Path, name: &str, data: &AnnBenchData) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| HarnessError::Io { path: dir.into(), source })?;
    let vectors = |table: &VectorTable| {
        let mut out = Vec::with_capacity(table.len() * (table.dim() + 1) * 4);
        for row in table.rows() {
            out.extend_from_slice(&(table.dim() as i32).to_le_bytes());
            row.iter().for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        }
        out
    };
    let mut truth = Vec::new();
    for hits in &data.truth {
        truth.write_all(&(hits.len() as i32).to_le_bytes()).expect("writing to a Vec");
        hits.iter().for_each(|h| truth.extend_from_slice(&(h.item.0 as i32).to_le_bytes()));
    }
    let files = [
        (dir.join(format!("{name}_base.fvecs")), vectors(&data.base)),
        (dir.join(format!("{name}_query.fvecs")), vectors(&data.queries)),
        (dir.join(format!("{name}_groundtruth.ivecs")), truth),
    ];
    let mut paths = Vec::new();
    for (path, bytes) in files {
        write_atomically(&path, &bytes)?;
        paths.push(path);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> AnnBenchScenario {
        AnnBenchScenario {
            name: "t".into(),
            data: DataSpec {
                items: 3_000,
                dim: 16,
                clusters: 30,
                sigma: 0.35,
                queries: 100,
                seed: 3,
                ..DataSpec::default()
            },
            index: IndexSpec { ef_search: vec![8, 64], runs: 1, ..IndexSpec::default() },
        }
    }

    #[test]
    fn every_backend_is_measured_and_exact_is_exact() {
        let (report, _) = run(&small(), 1, &|_| {}).unwrap();
        assert_eq!(report.builds.len(), 3);
        let exact: Vec<_> = report.rows.iter().filter(|r| r.backend == "exact").collect();
        assert_eq!(exact.len(), 2, "one at a time and batched");
        assert!(exact.iter().all(|r| r.recall == 1.0) && exact[1].batched && !exact[0].batched);
        for backend in ["graph", "hnsw_rs"] {
            let rows: Vec<_> = report.rows.iter().filter(|r| r.backend == backend).collect();
            assert_eq!(rows.len(), 2, "{backend}");
            assert!(rows[1].recall >= rows[0].recall && rows[1].recall > 0.95, "{backend}: {rows:?}");
            assert!(rows.iter().all(|r| r.qps > 0.0 && r.recall_ann_benchmarks >= r.recall));
        }
    }

    #[test]
    fn bad_scenarios_name_the_field() {
        let field = |f: fn(&mut AnnBenchScenario)| {
            let mut s = small();
            f(&mut s);
            s.check().unwrap_err().0
        };
        assert_eq!(field(|s| s.data.items = 0), "data.items");
        assert_eq!(field(|s| s.data.dim = 1 << 30), "data.items");
        assert_eq!(field(|s| s.data.clusters = 0), "data.clusters");
        assert_eq!(field(|s| s.data.sigma = f32::NAN), "data.sigma");
        assert_eq!(field(|s| s.data.queries = 0), "data.queries");
        assert_eq!(field(|s| s.index.backends.clear()), "index.backends");
        assert_eq!(field(|s| s.index.max_nb_connection = 1), "index.max_nb_connection");
        assert_eq!(field(|s| s.index.ef_search = vec![0]), "index.ef_search");
        assert_eq!(field(|s| s.index.k = 0), "index.k");
        assert_eq!(field(|s| s.index.runs = 0), "index.runs");
    }

    /// The class test: every numeric field at an absurd value is refused by
    /// `check` naming it (or by the TOML reader when its type cannot hold it).
    #[test]
    fn every_numeric_field_refuses_absurd_values() {
        let base = toml::Table::try_from(AnnBenchScenario::default()).unwrap();
        let mut walked = 0;
        for section in ["data", "index"] {
            for (key, value) in base[section].as_table().unwrap() {
                let integer = match value {
                    toml::Value::Integer(_) => true,
                    toml::Value::Float(_) => false,
                    toml::Value::Array(a) if a.first().is_some_and(toml::Value::is_integer) => true,
                    _ => continue,
                };
                if key == "seed" {
                    continue;
                }
                walked += 1;
                let absurd: Vec<toml::Value> = if integer {
                    vec![toml::Value::Integer(u32::MAX.into()), toml::Value::Integer(i64::MAX)]
                } else {
                    [1e30, -1e30, f64::INFINITY, f64::NAN].map(toml::Value::Float).to_vec()
                };
                for v in absurd {
                    let mut table = base.clone();
                    let v = if value.is_array() { toml::Value::Array(vec![v]) } else { v };
                    table[section].as_table_mut().unwrap().insert(key.clone(), v.clone());
                    let field = format!("{section}.{key}");
                    let refused = match toml::from_str::<AnnBenchScenario>(&toml::to_string(&table).unwrap()) {
                        Err(e) => e.to_string().contains(key.as_str()),
                        Ok(s) => s.check().is_err_and(|(f, _)| f == field || (key == "dim" && f == "data.items")),
                    };
                    assert!(refused, "`{field}` = {v} was not refused naming it");
                }
            }
        }
        assert!(walked >= 9, "walked {walked} fields");
    }

    #[test]
    fn fvecs_files_have_the_texmex_layout() {
        let mut s = small();
        s.data.items = 50;
        s.data.queries = 3;
        s.data.clusters = 5;
        let data = data(&s).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let paths = write_fvecs(dir.path(), "t", &data).unwrap();
        let base = std::fs::read(&paths[0]).unwrap();
        assert_eq!(base.len(), 50 * (16 + 1) * 4);
        assert_eq!(i32::from_le_bytes(base[..4].try_into().unwrap()), 16);
        assert_eq!(f32::from_le_bytes(base[4..8].try_into().unwrap()), data.base.row(0)[0]);
        let truth = std::fs::read(&paths[2]).unwrap();
        assert_eq!(truth.len(), 3 * (10 + 1) * 4);
        assert_eq!(i32::from_le_bytes(truth[4..8].try_into().unwrap()) as u32, data.truth[0][0].item.0);
    }
}
