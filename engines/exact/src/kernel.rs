//! Item vectors stored in transposed panels, and the kernel that scores one
//! query against a panel.
//!
//! `searchrec_interest::dot` sums lane `l` over dims ≡ l (mod 8), combines
//! the eight lanes pairwise, then adds the tail. Scoring one item at a time
//! in that order ends every pair with a horizontal reduction; scoring eight
//! items at once from a panel stored dim-major (`[dim][8 items]`) performs
//! the very same additions, in the same order, vertically: lane `l` of eight
//! items is one register, no shuffles, every load a contiguous 32 bytes.
//! The scores are therefore bit-identical to `dot` — and so to the scores the
//! HNSW index reports — while running at SIMD width.

use searchrec_interest::{LANES, VectorTable, reduce_lanes};

/// Items per panel: one 256-bit register of f32.
pub(crate) const PANEL: usize = 8;

/// A vector table regrouped into panels of [`PANEL`] items, each stored
/// `[dim][PANEL]`; the last panel is zero-padded.
#[derive(Clone, Debug)]
pub(crate) struct Panels {
    dim: usize,
    items: usize,
    data: Vec<f32>,
}

impl Panels {
    /// The panels of `table`.
    pub(crate) fn new(table: &VectorTable) -> Self {
        let (dim, items) = (table.dim(), table.len());
        let mut data = vec![0.0f32; items.div_ceil(PANEL) * dim * PANEL];
        for (i, row) in table.rows().enumerate() {
            let panel = &mut data[(i / PANEL) * dim * PANEL..][..dim * PANEL];
            for (k, &v) in row.iter().enumerate() {
                panel[k * PANEL + i % PANEL] = v;
            }
        }
        Panels { dim, items, data }
    }

    /// Number of panels.
    pub(crate) fn len(&self) -> usize {
        self.items.div_ceil(PANEL)
    }

    /// Items held (padding excluded).
    pub(crate) fn items(&self) -> usize {
        self.items
    }

    /// Bytes held.
    pub(crate) fn memory_bytes(&self) -> u64 {
        (self.data.len() * std::mem::size_of::<f32>()) as u64
    }

    /// `dot(query, item)` for the [`PANEL`] items of panel `p` (padding scores 0).
    #[inline]
    pub(crate) fn scores(&self, query: &[f32], p: usize) -> [f32; PANEL] {
        let d = self.dim;
        let (rows, _) = self.data[p * d * PANEL..][..d * PANEL].as_chunks::<PANEL>();
        let whole = d - d % LANES;
        let mut acc = [[0.0f32; PANEL]; LANES];
        // Half the lanes at a time: 4 × 8 accumulators fill eight SSE
        // registers, enough independent add chains to hide their latency
        // without spilling. Lanes never mix before the final reduction, so
        // the order in which they are computed changes no bit.
        lane_sums::<0>(&query[..whole], &rows[..whole], &mut acc);
        lane_sums::<{ LANES / 2 }>(&query[..whole], &rows[..whole], &mut acc);
        let mut out: [f32; PANEL] = std::array::from_fn(|j| reduce_lanes(&std::array::from_fn(|l| acc[l][j])));
        for (&qv, row) in query[whole..].iter().zip(&rows[whole..]) {
            for (o, y) in out.iter_mut().zip(row) {
                *o += qv * y;
            }
        }
        out
    }
}

/// Lanes `FROM..FROM + LANES / 2` of the panel's lane sums: lane `l` of item
/// `j` accumulates `query[8c + l] · rows[8c + l][j]` over chunks `c` in order.
/// Written as plain loops over fixed-size arrays so that LLVM's SLP
/// vectoriser (rustc runs it at opt-level 3) maps `j` onto SIMD lanes.
#[inline(always)]
fn lane_sums<const FROM: usize>(query: &[f32], rows: &[[f32; PANEL]], acc: &mut [[f32; PANEL]; LANES]) {
    const HALF: usize = LANES / 2;
    let mut a = [[0.0f32; PANEL]; HALF];
    let (qs, _) = query.as_chunks::<LANES>();
    let (rs, _) = rows.as_chunks::<LANES>();
    for (q, r) in qs.iter().zip(rs) {
        for h in 0..HALF {
            let qv = q[FROM + h];
            for j in 0..PANEL {
                a[h][j] += qv * r[FROM + h][j];
            }
        }
    }
    // Not `copy_from_slice`: with debug assertions on (tests), its
    // precondition check stops LLVM from vectorising this function.
    for (dst, src) in acc[FROM..FROM + HALF].iter_mut().zip(a) {
        *dst = src;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use searchrec_interest::dot;

    proptest! {
        #[test]
        fn panel_scores_are_bit_identical_to_dot(
            (dim, values, query) in (1usize..40).prop_flat_map(|d| (
                Just(d),
                prop::collection::vec(-3.0f32..3.0, d..d * 20),
                prop::collection::vec(-3.0f32..3.0, d),
            ))
        ) {
            let rows = values.len() / dim;
            let table = VectorTable::new(dim, values[..rows * dim].to_vec()).unwrap();
            let panels = Panels::new(&table);
            prop_assert_eq!(panels.len(), rows.div_ceil(PANEL));
            for p in 0..panels.len() {
                let scores = panels.scores(&query, p);
                for (j, s) in scores.iter().enumerate() {
                    let i = p * PANEL + j;
                    let want = if i < rows { dot(&query, table.row(i)) } else { 0.0 };
                    prop_assert_eq!(s.to_bits(), want.to_bits(), "item {}", i);
                }
            }
        }
    }
}
