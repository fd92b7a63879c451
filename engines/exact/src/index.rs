//! Brute-force inner-product top-k.

use std::ops::Range;
use std::sync::Arc;

use rayon::prelude::*;
use searchrec_engine::Hit;
use searchrec_interest::{InterestError, VectorTable, check_query};

use crate::kernel::{PANEL, Panels};
use crate::topk::TopK;

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
    pub fn new(table: impl Into<Arc<VectorTable>>) -> Result<Self, InterestError> {
        let table = table.into();
        if let Some(row) = table.first_non_finite_row() {
            return Err(InterestError::InvalidData(format!("item vector {row} holds NaN or infinity")));
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
    pub fn search(&self, query: &[f32], k: usize) -> Result<Vec<Hit>, InterestError> {
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
    pub fn search_batch(&self, queries: &VectorTable, k: usize) -> Result<Vec<Vec<Hit>>, InterestError> {
        if queries.dim() != self.table.dim() {
            return Err(InterestError::InvalidRequest(format!(
                "queries have {} dimensions, the index has {}",
                queries.dim(),
                self.table.dim()
            )));
        }
        if let Some(row) = queries.first_non_finite_row() {
            return Err(InterestError::InvalidRequest(format!("query {row} holds NaN or infinity")));
        }
        let k = k.min(self.table.len());
        let rows: Vec<&[f32]> = queries.rows().collect();
        let batches: Vec<Vec<Vec<Hit>>> = rows
            .par_chunks(QUERY_BATCH)
            .map(|batch| {
                let mut tops = vec![TopK::new(k); batch.len()];
                if k > 0 {
                    self.scan(batch, 0..self.panels.len(), &mut tops);
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use searchrec_datasets::ItemId;
    use searchrec_engine::sort_hits;
    use searchrec_interest::dot;

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
