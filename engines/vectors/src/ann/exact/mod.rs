//! Brute-force inner-product top-k: the `exact` backend.
//!
//! Items are stored in transposed panels of eight, so the kernel adds
//! vertically at SIMD width in exactly `dot`'s order. LLVM only vectorises it
//! at opt-level 3 (rustc runs the SLP vectoriser there, not at 2). Batched
//! searches score four queries × one panel per register tile and, on CPUs
//! with AVX, run the same code compiled 8-wide (`dispatch`); scores stay
//! bit-identical to `dot` either way. Measured at opt-level 3 on a 2-core
//! EPYC (k = 10, random unit vectors, 200,000 × 64, 2,000 queries): batched
//! 2,900 queries/s per core (was 1,200 before the tiles and the dispatch),
//! 5,700 on two threads; one query at a time 600 / 1,150 (one / two
//! threads). A naive score-everything-and-sort loop managed 81 and 6.

use std::ops::Range;
use std::sync::Arc;

use crate::{VectorError, VectorTable, check_query};
use rayon::prelude::*;
use searchrec_engine::Hit;

use self::kernel::{PANEL, Panels, QueryTile, TILE};
use self::topk::TopK;

mod dispatch;
mod kernel;
mod topk;

/// Bytes of item panels scanned per block: the block stays in L2 while every
/// query of a batch passes over it, so the table is streamed from memory
/// once per batch instead of once per query.
const BLOCK_BYTES: usize = 128 * 1024;

/// Queries per parallel task in [`ExactIndex::search_batch`].
const QUERY_BATCH: usize = 64;

/// Below this many items one query is answered on one thread: splitting
/// would cost more than the scan.
const PARALLEL_MIN_ITEMS: usize = 32 * 1024;

/// Exact maximum-inner-product search over a vector table: the ground truth
/// ANN recall is measured against. Item `i` is row `i`.
#[derive(Clone, Debug)]
pub struct ExactIndex {
    table: Arc<VectorTable>,
    panels: Panels,
}

impl ExactIndex {
    /// An index over `table` (a [`VectorTable`] or an `Arc` of one, which is
    /// shared, not copied). Fails when a row holds NaN or infinity.
    pub fn new(table: impl Into<Arc<VectorTable>>) -> Result<Self, VectorError> {
        let table = table.into();
        if let Some(row) = table.first_non_finite_row() {
            return Err(VectorError::InvalidData(format!("item vector {row} holds NaN or infinity")));
        }
        let panels = Panels::new(&table);
        Ok(ExactIndex { table, panels })
    }

    /// The indexed table.
    pub fn table(&self) -> &Arc<VectorTable> {
        &self.table
    }

    /// The `k` rows with the largest inner product with `query`, best first,
    /// ties by ascending id (fewer when the table is smaller). Fails on a
    /// wrong dimension or a non-finite query value.
    pub fn search(&self, query: &[f32], k: usize) -> Result<Vec<Hit>, VectorError> {
        check_query(query, self.table.dim())?;
        let n = self.table.len();
        let k = k.min(n);
        if k == 0 {
            return Ok(Vec::new());
        }
        let queries = [query];
        let panels = self.panels.len();
        if n < PARALLEL_MIN_ITEMS {
            let mut top = [TopK::new(k)];
            self.scan(&queries, 0..panels, &mut top);
            let [top] = top;
            return Ok(top.into_hits());
        }
        let span = PARALLEL_MIN_ITEMS / 2 / PANEL;
        let parts: Vec<TopK> = (0..panels.div_ceil(span))
            .into_par_iter()
            .map(|part| {
                let mut top = [TopK::new(k)];
                self.scan(&queries, part * span..((part + 1) * span).min(panels), &mut top);
                let [top] = top;
                top
            })
            .collect();
        let mut all = TopK::new(k);
        for part in parts {
            all.merge(part);
        }
        Ok(all.into_hits())
    }

    /// [`Self::search`] for every row of `queries`, in order, batched so that
    /// each block of items is scanned once per batch of queries. Gives
    /// exactly what one-at-a-time searches give.
    pub fn search_batch(&self, queries: &VectorTable, k: usize) -> Result<Vec<Vec<Hit>>, VectorError> {
        if queries.dim() != self.table.dim() {
            return Err(VectorError::InvalidRequest(format!(
                "queries have {} dimensions, the index has {}",
                queries.dim(),
                self.table.dim()
            )));
        }
        if let Some(row) = queries.first_non_finite_row() {
            return Err(VectorError::InvalidRequest(format!("query {row} holds NaN or infinity")));
        }
        let k = k.min(self.table.len());
        let rows: Vec<&[f32]> = queries.rows().collect();
        let batches: Vec<Vec<Vec<Hit>>> = rows
            .par_chunks(QUERY_BATCH)
            .map(|batch| {
                let mut tops = vec![TopK::new(k); batch.len()];
                if k > 0 {
                    self.scan_tiles(batch, &mut tops);
                }
                tops.into_iter().map(TopK::into_hits).collect()
            })
            .collect();
        Ok(batches.into_iter().flatten().collect())
    }

    /// Approximate bytes held: the transposed copy of the table (the table
    /// itself is shared with whoever built the index).
    pub fn memory_bytes(&self) -> u64 {
        self.panels.memory_bytes()
    }

    /// Offers the items of panels `panels` to the selection of every query,
    /// one cache-sized block of panels at a time.
    fn scan(&self, queries: &[&[f32]], panels: Range<usize>, tops: &mut [TopK]) {
        let block = (BLOCK_BYTES / (4 * PANEL * self.table.dim())).max(1);
        let items = self.panels.items();
        let mut start = panels.start;
        while start < panels.end {
            let end = (start + block).min(panels.end);
            for (q, top) in queries.iter().zip(tops.iter_mut()) {
                for p in start..end {
                    let first = p * PANEL;
                    let scores = self.panels.scores(q, p);
                    for (j, &score) in scores.iter().enumerate().take(items - first) {
                        top.push(score, (first + j) as u32);
                    }
                }
            }
            start = end;
        }
    }
}

impl ExactIndex {
    /// [`Self::scan`] over every panel, [`TILE`] queries at a time: each
    /// panel is loaded once per tile of queries instead of once per query.
    fn scan_tiles(&self, queries: &[&[f32]], tops: &mut [TopK]) {
        let dim = self.table.dim();
        let tiles: Vec<QueryTile> = queries.chunks(TILE).map(|qs| QueryTile::new(qs, dim)).collect();
        dispatch::scan_tiles(self, &tiles, tops);
    }

    /// The body of [`Self::scan_tiles`], inlined into each instruction-set
    /// variant of [`dispatch::scan_tiles`].
    #[inline(always)]
    fn scan_tiles_with<const WIDE: bool>(&self, tiles: &[QueryTile], tops: &mut [TopK]) {
        let dim = self.table.dim();
        let block = (BLOCK_BYTES / (4 * PANEL * dim)).max(1);
        let items = self.panels.items();
        let panels = self.panels.len();
        let mut start = 0;
        while start < panels {
            let end = (start + block).min(panels);
            for (tile, tops) in tiles.iter().zip(tops.chunks_mut(TILE)) {
                for p in start..end {
                    let first = p * PANEL;
                    let scores = self.panels.tile_scores::<WIDE>(tile, p);
                    let valid = (items - first).min(PANEL);
                    for (top, scores) in tops.iter_mut().zip(&scores) {
                        let threshold = top.threshold();
                        // NaN must reach `push` too (it ranks NaN last). No
                        // early exit: a branch-free fold of all eight lanes
                        // vectorises, and padding lanes score 0 — they can
                        // only open the panel needlessly, never be pushed.
                        let open = scores.iter().fold(false, |open, &s| open | (s >= threshold) | s.is_nan());
                        if !open {
                            continue;
                        }
                        for (j, &score) in scores.iter().enumerate().take(valid) {
                            top.push(score, (first + j) as u32);
                        }
                    }
                }
            }
            start = end;
        }
    }
}

impl super::AnnIndex for ExactIndex {
    fn backend(&self) -> super::AnnBackend {
        super::AnnBackend::Exact
    }

    fn table(&self) -> &Arc<VectorTable> {
        &self.table
    }

    fn search(&self, query: &[f32], k: usize, _ef: usize) -> Result<Vec<Hit>, VectorError> {
        ExactIndex::search(self, query, k)
    }

    fn search_batch(&self, queries: &VectorTable, k: usize, _ef: usize) -> Result<Vec<Vec<Hit>>, VectorError> {
        ExactIndex::search_batch(self, queries, k)
    }

    fn memory_bytes(&self) -> u64 {
        ExactIndex::memory_bytes(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dot;
    use proptest::prelude::*;
    use searchrec_datasets::ItemId;
    use searchrec_engine::sort_hits;

    fn naive(table: &VectorTable, q: &[f32], k: usize) -> Vec<Hit> {
        let mut all: Vec<Hit> =
            table.rows().enumerate().map(|(i, r)| Hit { item: ItemId(i as u32), score: dot(q, r) }).collect();
        sort_hits(&mut all);
        all.truncate(k);
        all
    }

    #[test]
    fn errors_instead_of_panics() {
        assert!(ExactIndex::new(VectorTable::new(2, vec![1.0, f32::NAN]).unwrap()).is_err());
        let index = ExactIndex::new(VectorTable::new(2, vec![1.0, 0.0, 0.0, 1.0]).unwrap()).unwrap();
        assert!(index.search(&[1.0], 1).is_err());
        assert!(index.search(&[1.0, f32::INFINITY], 1).is_err());
        assert!(index.search_batch(&VectorTable::new(3, vec![0.0; 3]).unwrap(), 1).is_err());
        assert!(index.search_batch(&VectorTable::new(2, vec![0.0, f32::NAN]).unwrap(), 1).is_err());
        assert_eq!(index.search(&[1.0, 0.0], 0).unwrap(), vec![]);
        assert_eq!(index.search(&[1.0, 0.0], usize::MAX).unwrap().len(), 2);
        let empty = ExactIndex::new(VectorTable::new(2, vec![]).unwrap()).unwrap();
        assert_eq!(empty.search(&[1.0, 0.0], 3).unwrap(), vec![]);
    }

    #[test]
    fn ties_go_to_the_lower_id() {
        let index = ExactIndex::new(VectorTable::new(1, vec![1.0, 2.0, 2.0, 1.0]).unwrap()).unwrap();
        let ids: Vec<u32> = index.search(&[1.0], 3).unwrap().iter().map(|h| h.item.0).collect();
        assert_eq!(ids, vec![1, 2, 0]);
    }

    #[test]
    fn parallel_single_query_path_matches_naive() {
        let n = PARALLEL_MIN_ITEMS + 1000;
        let data: Vec<f32> = (0..n * 3).map(|i| ((i * 7919) % 1009) as f32 / 1009.0 - 0.5).collect();
        let table = VectorTable::new(3, data).unwrap();
        let index = ExactIndex::new(table.clone()).unwrap();
        let q = [0.3, -0.2, 0.9];
        assert_eq!(index.search(&q, 25).unwrap(), naive(&table, &q, 25));
    }

    /// Batched (through the dispatched kernel and through the portable one),
    /// one-at-a-time and naive searches give the very same hits.
    fn assert_all_paths_agree(table: &VectorTable, queries: &VectorTable, k: usize, naive_every: usize) {
        let index = ExactIndex::new(table.clone()).unwrap();
        let batched = index.search_batch(queries, k).unwrap();
        let rows: Vec<&[f32]> = queries.rows().collect();
        let mut portable = vec![TopK::new(k.min(table.len())); rows.len()];
        let tiles: Vec<QueryTile> = rows.chunks(TILE).map(|qs| QueryTile::new(qs, table.dim())).collect();
        index.scan_tiles_with::<false>(&tiles, &mut portable);
        assert_eq!(batched.len(), rows.len());
        for (i, ((q, got), portable)) in rows.iter().zip(&batched).zip(portable).enumerate() {
            let single = index.search(q, k).unwrap();
            assert_eq!(&single, got, "query {i}");
            assert_eq!(portable.into_hits(), single, "query {i}");
            if i % naive_every == 0 {
                assert_eq!(single, naive(table, q, k), "query {i}");
            }
        }
    }

    #[test]
    fn many_exact_ties_agree() {
        // Values in {-1, -0.5, 0, 0.5, 1}: every score is exact and most
        // items tie with hundreds of others, so only the id order decides.
        let (n, dim) = (5_003, 11);
        let value = |i: usize| ((i * 2_654_435_761) >> 7) % 5;
        let data: Vec<f32> = (0..n * dim).map(|i| value(i) as f32 * 0.5 - 1.0).collect();
        let qs: Vec<f32> = (0..37 * dim).map(|i| value(i + 99_991) as f32 * 0.5 - 1.0).collect();
        let (table, queries) = (VectorTable::new(dim, data).unwrap(), VectorTable::new(dim, qs).unwrap());
        for k in [1, 10, 250] {
            assert_all_paths_agree(&table, &queries, k, 1);
        }
    }

    #[test]
    fn random_unit_vectors_agree() {
        // The benchmark's shape (200,000 × 64, random unit vectors, k = 10),
        // reduced for test time; 64 dims = 8 whole chunks, 67 adds a tail.
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut unit_rows = |n: usize, dim: usize| {
            let mut data = Vec::with_capacity(n * dim);
            for _ in 0..n {
                let row: Vec<f32> = (0..dim).map(|_| rng.random::<f32>() * 2.0 - 1.0).collect();
                data.extend(crate::normalized(&row).unwrap());
            }
            VectorTable::new(dim, data).unwrap()
        };
        for dim in [64, 67] {
            let (table, queries) = (unit_rows(20_003, dim), unit_rows(70, dim));
            assert_all_paths_agree(&table, &queries, 10, 7);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn batched_single_and_naive_agree(
            (dim, items, queries) in (1usize..20).prop_flat_map(|d| (
                Just(d),
                prop::collection::vec(prop::collection::vec(-4i8..4, d), 0..90),
                prop::collection::vec(prop::collection::vec(-4i8..4, d), 1..11),
            )),
            k in 0usize..15,
        ) {
            // Small integers make exact ties common, which is what ordering bugs need.
            let to_table = |rows: &[Vec<i8>]| {
                VectorTable::new(dim, rows.iter().flatten().map(|&v| v as f32 * 0.5).collect()).unwrap()
            };
            let table = to_table(&items);
            let qs = to_table(&queries);
            let index = ExactIndex::new(table.clone()).unwrap();
            let batched = index.search_batch(&qs, k).unwrap();
            prop_assert_eq!(batched.len(), queries.len());
            for (q, got) in qs.rows().zip(&batched) {
                let single = index.search(q, k).unwrap();
                prop_assert_eq!(&single, got);
                prop_assert_eq!(single, naive(&table, q, k));
            }
        }
    }
}
