//! Nearest-neighbour indexes over a unit-length vector table, behind one
//! trait so backends can be chosen by a parameter and measured side by side.
//!
//! Every backend answers "the `k` rows with the largest inner product with
//! this query" and scores its answer with the crate's one [`crate::dot`], so
//! two backends that find the same items report bit-identical scores, and
//! an exact scan over the same table is the ground truth for the others.
//!
//! | backend | what it is | build determinism |
//! |---|---|---|
//! | [`AnnBackend::HnswRs`] | hnsw_rs 0.3 (the default) | sequential: same graph every time; `parallel_build`: depends on thread timing |
//! | [`AnnBackend::Graph`] | searchrec's own HNSW in hnswlib's layout ([`GraphAnn`]) | sequential: same graph every time; `parallel_build`: depends on thread timing |
//! | [`AnnBackend::Exact`] | brute-force scan, [`ExactIndex`] | always exact |

pub mod clustered;
mod exact;
pub mod graph;
mod graph_backend;
mod hnsw_rs;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use searchrec_datasets::ItemId;
use searchrec_engine::{Hit, sort_hits};

pub use self::exact::ExactIndex;
pub use self::graph_backend::GraphAnn;
pub use self::hnsw_rs::{HnswIndex, UnitDot};
use crate::table::{check_query, norm, normalized};
use crate::{HnswConfig, VectorError, VectorTable};

/// How far a row's norm may stray from 1 before a graph index refuses the
/// table: `1 − dot` is only a nearest-neighbour distance for unit vectors.
const UNIT_TOLERANCE: f32 = 1e-3;

/// Score margin within which a returned item counts as a tie with the
/// searched one (cosine ≥ 1 − 1e-6): vectors that close differ only by
/// rounding, and no index can be asked to tell them apart.
const TIE_EPSILON: f32 = 1e-6;

/// Which index answers a vector query.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum AnnBackend {
    /// hnsw_rs's HNSW graph, parameters from the `hnsw` section.
    #[default]
    HnswRs,
    /// searchrec's own HNSW graph (hnswlib's layout), parameters from the `hnsw` section.
    Graph,
    /// A brute-force scan: exact, the ground truth for the others.
    Exact,
}

impl AnnBackend {
    /// The name used in parameter files and reports.
    pub fn name(self) -> &'static str {
        match self {
            AnnBackend::HnswRs => "hnsw_rs",
            AnnBackend::Graph => "graph",
            AnnBackend::Exact => "exact",
        }
    }

    /// True for the backends that may miss true neighbours.
    pub fn is_approximate(self) -> bool {
        self != AnnBackend::Exact
    }
}

/// A top-k inner-product index over a table of unit-length rows; row `i` is item `i`.
pub trait AnnIndex: Send + Sync + Debug {
    /// Which backend this is.
    fn backend(&self) -> AnnBackend;

    /// The indexed table.
    fn table(&self) -> &Arc<VectorTable>;

    /// The `k` rows with the largest inner product with `query` that the
    /// index finds with candidate list `ef` (ignored by exact backends),
    /// scored by [`crate::dot`], best first, ties by ascending id. Fails on
    /// a wrong dimension or a non-finite value.
    fn search(&self, query: &[f32], k: usize, ef: usize) -> Result<Vec<Hit>, VectorError>;

    /// [`Self::search`] for every row of `queries`, in order; the same
    /// answers as one-at-a-time searches.
    fn search_batch(&self, queries: &VectorTable, k: usize, ef: usize) -> Result<Vec<Vec<Hit>>, VectorError> {
        queries.rows().collect::<Vec<_>>().par_iter().map(|q| self.search(q, k, ef)).collect()
    }

    /// Approximate bytes held beyond the shared table.
    fn memory_bytes(&self) -> u64;

    /// Backend facts for engine reports (links, levels).
    fn diagnostics(&self) -> BTreeMap<String, f64> {
        BTreeMap::new()
    }
}

/// Builds the index `backend` over `table` with the graph parameters of `config`.
pub fn build_index(
    backend: AnnBackend,
    table: Arc<VectorTable>,
    config: &HnswConfig,
) -> Result<Arc<dyn AnnIndex>, VectorError> {
    Ok(match backend {
        AnnBackend::HnswRs => Arc::new(HnswIndex::build(table, config)?),
        AnnBackend::Graph => Arc::new(GraphAnn::build(table, config)?),
        AnnBackend::Exact => Arc::new(ExactIndex::new(table)?),
    })
}

/// Refuses a table a graph index cannot serve: empty, non-finite, or with a
/// row that is not unit length.
pub(crate) fn check_unit_table(table: &VectorTable) -> Result<(), VectorError> {
    if table.is_empty() {
        return Err(VectorError::InvalidData("no items to index".to_string()));
    }
    if let Some(row) = table.first_non_finite_row() {
        return Err(VectorError::InvalidData(format!("item vector {row} holds NaN or infinity")));
    }
    if let Some((i, n)) = table.rows().map(norm).enumerate().find(|(_, n)| (n - 1.0).abs() > UNIT_TOLERANCE) {
        return Err(VectorError::InvalidData(format!("item vector {i} has norm {n}, the index needs unit vectors")));
    }
    Ok(())
}

/// The answer of a graph backend to a query: the query is checked, `k`
/// capped at the table size, a zero query (no direction) answered with the
/// lowest ids as exact search answers it (every item ties at 0); otherwise
/// `graph(unit query, k, ef)` finds the ids, with `ef` raised to `k` and
/// capped at the table size (more buys nothing), and every id is scored
/// with [`crate::dot`] against the query as given.
pub(crate) fn graph_answer(
    table: &VectorTable,
    query: &[f32],
    k: usize,
    ef: usize,
    graph: impl FnOnce(&[f32], usize, usize) -> Vec<usize>,
) -> Result<Vec<Hit>, VectorError> {
    check_query(query, table.dim())?;
    let k = k.min(table.len());
    if k == 0 {
        return Ok(Vec::new());
    }
    let hit = |i: usize| Hit { item: ItemId(i as u32), score: crate::dot(query, table.row(i)) };
    let Some(unit) = normalized(query) else {
        return Ok((0..k).map(hit).collect());
    };
    let mut hits: Vec<Hit> = graph(&unit, k, ef.clamp(k, table.len())).into_iter().map(hit).collect();
    sort_hits(&mut hits);
    Ok(hits)
}

/// How many items an index finds when searched with their own vector.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reachability {
    /// Items found.
    pub reachable: usize,
    /// Items in the index.
    pub total: usize,
    /// The `ef` the searches used.
    pub ef: usize,
    /// Seconds the measurement took.
    pub seconds: f64,
}

impl Reachability {
    /// `reachable / total`, in [0, 1].
    pub fn fraction(&self) -> f64 {
        if self.total == 0 { 1.0 } else { self.reachable as f64 / self.total as f64 }
    }

    /// Items not found.
    pub fn unreachable(&self) -> usize {
        self.total - self.reachable
    }
}

/// Searches every item's own vector for its single best match with
/// candidate list `ef`. An item counts as reachable when it is returned, or
/// when what is returned scores as high as the item itself up to rounding (a
/// duplicate; ann-benchmarks credits ties the same way).
pub fn reachability(index: &dyn AnnIndex, ef: usize) -> Reachability {
    let start = Instant::now();
    let table = index.table();
    let reachable = (0..table.len())
        .into_par_iter()
        .filter(|&i| {
            let row = table.row(i);
            let own = crate::dot(row, row);
            index
                .search(row, 1, ef)
                .ok()
                .and_then(|hits| hits.first().copied())
                .is_some_and(|h| h.item.index() == i || h.score >= own - TIE_EPSILON)
        })
        .count();
    Reachability { reachable, total: table.len(), ef, seconds: start.elapsed().as_secs_f64() }
}
