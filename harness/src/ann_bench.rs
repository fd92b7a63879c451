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

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use searchrec_engine::Hit;
use searchrec_vectors::ann::clustered::clustered;
use searchrec_vectors::{
    AnnBackend, AnnIndex, ExactIndex, HnswConfig, VectorError, VectorTable, build_index, reachability,
};
use serde::{Deserialize, Serialize};

use crate::ann::{DEFAULT_EPSILON, ann_benchmarks_recall, overlap_recall};
use crate::atomic_file::write_atomically;
use crate::{HarnessError, Result};

/// Largest vector set a scenario may ask for (items × dim values): 2³¹
/// f32 is 8 GiB, a third of this machine class's memory.
const MAX_VALUES: u64 = 1 << 31;
/// Largest query set.
const MAX_QUERIES: usize = 1_000_000;
/// Largest `ef_search` or `ef_construction`.
const MAX_EF: usize = 100_000;

/// The seeded clustered set.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DataSpec {
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
        DataSpec { items: 200_000, dim: 64, clusters: 400, sigma: 0.35, queries: 2_000, seed: 1 }
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
        let scenario: AnnBenchScenario = toml::from_str(&text).map_err(|e| HarnessError::Invalid {
            what: path.display().to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
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
        if d.items == 0 || d.dim == 0 || (d.items as u64).saturating_mul(d.dim as u64) > MAX_VALUES {
            return bad(
                "data.items",
                format!("items × dim must be in 1..={MAX_VALUES} (8 GiB of f32), got {} × {}", d.items, d.dim),
            );
        }
        if d.clusters == 0 || d.clusters > d.items {
            return bad("data.clusters", format!("must be in 1..={}, got {}", d.items, d.clusters));
        }
        if !(d.sigma.is_finite() && d.sigma >= 0.0) {
            return bad("data.sigma", format!("must be a finite number ≥ 0, got {}", d.sigma));
        }
        if d.queries == 0 || d.queries > MAX_QUERIES {
            return bad("data.queries", format!("must be in 1..={MAX_QUERIES}, got {}", d.queries));
        }
        if i.backends.is_empty() {
            return bad("index.backends", "name at least one backend".into());
        }
        if !(2..=256).contains(&i.max_nb_connection) {
            return bad("index.max_nb_connection", format!("must be in 2..=256, got {}", i.max_nb_connection));
        }
        if i.ef_construction == 0 || i.ef_construction > MAX_EF {
            return bad("index.ef_construction", format!("must be in 1..={MAX_EF}, got {}", i.ef_construction));
        }
        if i.ef_search.is_empty() || i.ef_search.iter().any(|&ef| ef == 0 || ef > MAX_EF) {
            return bad("index.ef_search", format!("must list values in 1..={MAX_EF}, got {:?}", i.ef_search));
        }
        if i.k == 0 || i.k > d.items {
            return bad("index.k", format!("must be in 1..={}, got {}", d.items, i.k));
        }
        if !(1..=10).contains(&i.runs) {
            return bad("index.runs", format!("must be in 1..=10, got {}", i.runs));
        }
        Ok(())
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

/// What `ann-bench` measured.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AnnBenchReport {
    /// The scenario measured.
    pub scenario: AnnBenchScenario,
    /// Threads of the pool the builds ran in.
    pub threads: usize,
    /// Seconds to generate the data and its exact ground truth.
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
    Ok(AnnBenchData { base, queries, truth })
}

/// Builds every backend and sweeps `ef_search`; `progress` is told each step.
pub fn run(
    scenario: &AnnBenchScenario,
    threads: usize,
    progress: &dyn Fn(&str),
) -> Result<(AnnBenchReport, AnnBenchData)> {
    let started = Instant::now();
    progress("generating the vectors and their exact top k");
    let data = data(scenario)?;
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
    let report = AnnBenchReport { scenario: scenario.clone(), threads, data_seconds, builds, rows };
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
    for (found, truth) in answers.iter().zip(&data.truth) {
        overlap += overlap_recall(found, truth, k)?;
        ann += ann_benchmarks_recall(found, truth, k, DEFAULT_EPSILON)?;
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
            data: DataSpec { items: 3_000, dim: 16, clusters: 30, sigma: 0.35, queries: 100, seed: 3 },
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
