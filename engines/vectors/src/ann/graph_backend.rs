//! The `graph` backend: searchrec's own HNSW ([`GraphIndex`], hnswlib's
//! layout) behind [`AnnIndex`]. The graph ranks candidates with its own
//! fast kernel; the hits it returns are re-scored with [`crate::dot`], so
//! its scores are bit-identical to every other backend's.

use std::collections::BTreeMap;
use std::sync::Arc;

use searchrec_engine::Hit;

use super::graph::{GraphIndex, GraphParams};
use super::{AnnBackend, AnnIndex, check_unit_table, graph_answer};
use crate::{HnswConfig, VectorError, VectorTable};

/// Seed of the level draws: fixed, so a sequential build is reproducible.
const LEVEL_SEED: u64 = 0x5eed_6a4f;

/// A [`GraphIndex`] over a unit-length table; item `i` is row `i`.
pub struct GraphAnn {
    graph: GraphIndex,
    table: Arc<VectorTable>,
}

impl std::fmt::Debug for GraphAnn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphAnn")
            .field("items", &self.table.len())
            .field("dim", &self.table.dim())
            .field("links", &self.graph.links())
            .field("max_level", &self.graph.max_level())
            .finish()
    }
}

impl GraphAnn {
    /// Builds the graph with `config`'s M, ef_construction, level cap and
    /// build mode. Rows must be finite and of unit length.
    pub fn build(table: Arc<VectorTable>, config: &HnswConfig) -> Result<Self, VectorError> {
        config.validate()?;
        check_unit_table(&table)?;
        let params = GraphParams {
            m: config.max_nb_connection,
            ef_construction: config.ef_construction,
            max_layer: config.max_layer,
            seed: LEVEL_SEED,
            parallel_build: config.parallel_build,
            keep_pruned: config.keep_pruned.unwrap_or(true),
        };
        let graph = GraphIndex::build(table.as_slice(), table.dim(), &params);
        Ok(GraphAnn { graph, table })
    }
}

impl AnnIndex for GraphAnn {
    fn backend(&self) -> AnnBackend {
        AnnBackend::Graph
    }

    fn table(&self) -> &Arc<VectorTable> {
        &self.table
    }

    fn search(&self, query: &[f32], k: usize, ef: usize) -> Result<Vec<Hit>, VectorError> {
        graph_answer(&self.table, query, k, ef, |unit, k, ef| {
            self.graph.search(unit, k, ef).into_iter().map(|(id, _)| id as usize).collect()
        })
    }

    fn memory_bytes(&self) -> u64 {
        self.graph.memory_bytes()
    }

    fn diagnostics(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("graph_links".to_string(), self.graph.links() as f64),
            ("graph_max_level".to_string(), self.graph.max_level() as f64),
            // Nodes no walk over level-0 links from the entry point reaches:
            // a search can only find them through an upper level.
            ("graph_orphans".to_string(), (self.graph.len() - self.graph.reachable()) as f64),
        ])
    }
}
