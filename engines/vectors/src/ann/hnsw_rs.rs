//! The `hnsw_rs` backend: hnsw_rs 0.3 over the unit-length item table.

use std::sync::Arc;

use hnsw_rs::anndists::dist::distances::Distance;
use hnsw_rs::hnsw::Hnsw;
use searchrec_engine::Hit;

use super::{check_unit_table, graph_answer};
use crate::table::{VectorTable, dot};
use crate::{HnswConfig, VectorError};

/// Bytes hnsw_rs spends per point besides its vector: the `Point` and its
/// `Arc`, the per-layer table of 16 neighbour `Vec`s behind an
/// `Arc<RwLock<_>>`, and its slot in the layer table. Read off hnsw_rs 0.3.5's
/// `Point::new`; an estimate, not a measurement.
const BYTES_PER_POINT: u64 = 520;

/// Bytes per stored link: an `Arc<PointWithOrder>` in the neighbour `Vec`
/// plus the 32-byte allocation it points to.
const BYTES_PER_LINK: u64 = 40;

/// `1 − ⟨a, b⟩` through the crate's one dot kernel, so index distances and
/// reported scores agree, clamped at 0: hnsw_rs asserts distances are
/// non-negative, and rounding can push ⟨a, a⟩ of a unit vector above 1
/// (anndists' `DistDot` asserts instead, which would panic).
#[derive(Clone, Copy, Debug, Default)]
pub struct UnitDot;

impl Distance<f32> for UnitDot {
    fn eval(&self, va: &[f32], vb: &[f32]) -> f32 {
        (1.0 - dot(va, vb)).max(0.0)
    }
}

/// An HNSW graph over a unit-length item table; item `i` is row `i`.
pub struct HnswIndex {
    hnsw: Hnsw<'static, f32, UnitDot>,
    table: Arc<VectorTable>,
    links: u64,
    max_level: u8,
}

impl std::fmt::Debug for HnswIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HnswIndex")
            .field("items", &self.table.len())
            .field("dim", &self.table.dim())
            .field("links", &self.links)
            .field("max_level", &self.max_level)
            .finish()
    }
}

impl HnswIndex {
    /// Builds the graph. Rows must be finite and of unit length (see
    /// [`crate::index_table`]); the table must not be empty.
    ///
    /// Sequential by default, inserting in item order: hnsw_rs draws levels
    /// from a generator with a fixed seed, so the same table and config give
    /// the same graph. `parallel_build` uses hnsw_rs's rayon insertion, whose
    /// graph depends on thread timing.
    pub fn build(table: Arc<VectorTable>, config: &HnswConfig) -> Result<Self, VectorError> {
        config.validate()?;
        check_unit_table(&table)?;
        let mut hnsw =
            Hnsw::new(config.max_nb_connection, table.len(), config.max_layer, config.ef_construction, UnitDot);
        hnsw.set_keeping_pruned(config.keep_pruned.unwrap_or(false));
        if config.parallel_build {
            let rows: Vec<(&[f32], usize)> = table.rows().enumerate().map(|(i, r)| (r, i)).collect();
            hnsw.parallel_insert_slice(&rows);
        } else {
            for (i, row) in table.rows().enumerate() {
                hnsw.insert_slice((row, i));
            }
        }
        hnsw.set_searching_mode(true);
        let links = hnsw
            .get_point_indexation()
            .into_iter()
            .map(|p| p.get_neighborhood_id().iter().map(|layer| layer.len() as u64).sum::<u64>())
            .sum();
        let max_level = hnsw.get_max_level_observed();
        Ok(HnswIndex { hnsw, table, links, max_level })
    }

    /// The indexed table.
    pub fn table(&self) -> &Arc<VectorTable> {
        &self.table
    }

    /// The `k` items with the largest inner product with `query` that the
    /// graph search finds with candidate list `ef` (raised to `k`), scored by
    /// that inner product, best first, ties by ascending id. `ef` beyond the
    /// number of items buys nothing and is capped there. Any finite query
    /// of the table's dimension is accepted; a zero query ties every item at
    /// 0 and returns the lowest ids, as exact search does.
    pub fn search(&self, query: &[f32], k: usize, ef: usize) -> Result<Vec<Hit>, VectorError> {
        graph_answer(&self.table, query, k, ef, |unit, k, ef| {
            self.hnsw.search(unit, k, ef).iter().map(|n| n.d_id).collect()
        })
    }

    /// Links stored over all layers.
    pub fn links(&self) -> u64 {
        self.links
    }

    /// The highest layer holding a point.
    pub fn max_level(&self) -> u8 {
        self.max_level
    }

    /// Approximate bytes of the graph, its copy of the vectors included.
    pub fn memory_bytes(&self) -> u64 {
        let points = self.table.len() as u64;
        points * (BYTES_PER_POINT + 4 * self.table.dim() as u64) + self.links * BYTES_PER_LINK
    }
}

impl super::AnnIndex for HnswIndex {
    fn backend(&self) -> super::AnnBackend {
        super::AnnBackend::HnswRs
    }

    fn table(&self) -> &Arc<VectorTable> {
        &self.table
    }

    fn search(&self, query: &[f32], k: usize, ef: usize) -> Result<Vec<Hit>, VectorError> {
        HnswIndex::search(self, query, k, ef)
    }

    fn memory_bytes(&self) -> u64 {
        HnswIndex::memory_bytes(self)
    }

    fn diagnostics(&self) -> std::collections::BTreeMap<String, f64> {
        std::collections::BTreeMap::from([
            ("hnsw_links".to_string(), self.links as f64),
            ("hnsw_max_level".to_string(), f64::from(self.max_level)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circle(n: usize) -> Arc<VectorTable> {
        let rows: Vec<Vec<f32>> = (0..n)
            .map(|i| {
                let a = i as f32 / n as f32 * std::f32::consts::TAU;
                vec![a.cos(), a.sin()]
            })
            .collect();
        Arc::new(VectorTable::from_rows(&rows).unwrap())
    }

    #[test]
    fn unit_dot_is_never_negative() {
        let v = [0.6f32, 0.8000001];
        assert!(UnitDot.eval(&v, &v) >= 0.0);
        assert_eq!(UnitDot.eval(&[1.0, 0.0], &[0.0, 1.0]), 1.0);
    }

    #[test]
    fn finds_neighbours_on_a_circle() {
        let index = HnswIndex::build(circle(200), &HnswConfig::default()).unwrap();
        let hits = index.search(&[1.0, 0.0], 3, 32).unwrap();
        let mut items: Vec<u32> = hits.iter().map(|h| h.item.0).collect();
        // 1 and 199 tie up to rounding.
        items[1..].sort_unstable();
        assert_eq!(items, vec![0, 1, 199]);
        assert!(hits[0].score >= hits[1].score);
        let r = super::super::reachability(&index, 32);
        assert_eq!((r.reachable, r.total), (200, 200));
        assert!(index.links() > 0 && index.memory_bytes() > 0);
    }

    #[test]
    fn bad_tables_and_queries_are_errors_not_panics() {
        let cfg = HnswConfig::default();
        let not_unit = Arc::new(VectorTable::new(2, vec![2.0, 0.0]).unwrap());
        assert!(HnswIndex::build(not_unit, &cfg).is_err());
        let nan = Arc::new(VectorTable::new(2, vec![f32::NAN, 0.0]).unwrap());
        assert!(HnswIndex::build(nan, &cfg).is_err());
        let empty = Arc::new(VectorTable::new(2, vec![]).unwrap());
        assert!(HnswIndex::build(empty, &cfg).is_err());
        let too_many_links = HnswConfig { max_nb_connection: 1000, ..cfg };
        assert!(HnswIndex::build(circle(4), &too_many_links).is_err());

        let index = HnswIndex::build(circle(10), &HnswConfig::default()).unwrap();
        assert!(index.search(&[1.0], 3, 10).is_err());
        assert!(index.search(&[f32::NAN, 0.0], 3, 10).is_err());
        assert_eq!(index.search(&[1.0, 0.0], 0, 10).unwrap(), vec![]);
        assert_eq!(index.search(&[1.0, 0.0], usize::MAX, 10).unwrap().len(), 10);
        assert_eq!(index.search(&[1.0, 0.0], 2, usize::MAX).unwrap().len(), 2);
        let zero = index.search(&[0.0, 0.0], 3, 10).unwrap();
        assert_eq!(zero.iter().map(|h| h.item.0).collect::<Vec<_>>(), vec![0, 1, 2]);
    }

    #[test]
    fn unnormalised_queries_rank_like_normalised_ones_and_score_by_their_own_dot() {
        let index = HnswIndex::build(circle(50), &HnswConfig::default()).unwrap();
        let a = index.search(&[3.0, 4.0], 5, 32).unwrap();
        let b = index.search(&[0.6, 0.8], 5, 32).unwrap();
        assert_eq!(a.iter().map(|h| h.item).collect::<Vec<_>>(), b.iter().map(|h| h.item).collect::<Vec<_>>());
        assert!((a[0].score - 5.0 * b[0].score).abs() < 1e-4);
    }
}
