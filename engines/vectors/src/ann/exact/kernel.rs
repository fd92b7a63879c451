//! Item vectors stored in transposed panels, and the kernel that scores one
//! query against a panel.
//!
//! `crate::dot` sums lane `l` over dims ≡ l (mod 8), combines
//! the eight lanes pairwise, then adds the tail. Scoring one item at a time
//! in that order ends every pair with a horizontal reduction; scoring eight
//! items at once from a panel stored dim-major (`[dim][8 items]`) performs
//! the very same additions, in the same order, vertically: lane `l` of eight
//! items is one register, no shuffles, every load a contiguous 32 bytes.
//! The scores are therefore bit-identical to `dot` — and so to the scores the
//! HNSW index reports — while running at SIMD width.

use crate::{LANES, VectorTable, reduce_lanes};

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

    /// `dot(query, item)` for each of the [`TILE`] queries of `tile` and the
    /// [`PANEL`] items of panel `p`, bit-identical to [`Self::scores`]: lane
    /// `l` of every (query, item) pair accumulates the products at dims
    /// `8c + l` in increasing `c` — one 4 × 8 accumulator tile per lane, the
    /// item row loaded once for four queries — then the lanes are reduced by
    /// `reduce_lanes`'s tree and the tail is added in order, exactly as
    /// `dot` does. Lanes are independent sums, so computing them one after
    /// the other or two at a time (`WIDE`) changes no bit.
    #[inline(always)]
    pub(crate) fn tile_scores<const WIDE: bool>(&self, tile: &QueryTile, p: usize) -> [[f32; PANEL]; TILE] {
        let d = self.dim;
        let (rows, _) = self.data[p * d * PANEL..][..d * PANEL].as_chunks::<PANEL>();
        let qs = &tile.data[..d];
        let whole = d - d % LANES;
        let (rc, _) = rows[..whole].as_chunks::<LANES>();
        let (qc, _) = qs[..whole].as_chunks::<LANES>();
        // `reduce_lanes`'s tree, ((0 + 4) + (1 + 5)) + ((2 + 6) + (3 + 7)),
        // folded in as the lanes are computed so that at most two partial
        // tiles are alive. Written out call by call: an iterator or
        // `array::from_fn` here is not always inlined into the AVX variant.
        let low = add(lanes_l_l4::<WIDE>(0, qc, rc), lanes_l_l4::<WIDE>(1, qc, rc));
        let mut out = add(low, add(lanes_l_l4::<WIDE>(2, qc, rc), lanes_l_l4::<WIDE>(3, qc, rc)));
        for (q, row) in qs[whole..].iter().zip(&rows[whole..]) {
            for (o, qv) in out.iter_mut().zip(q) {
                for j in 0..PANEL {
                    o[j] += qv[j % HALF] * row[j];
                }
            }
        }
        out
    }
}

// `tile_scores` spells out `reduce_lanes`'s tree for eight lanes.
const _: () = assert!(LANES == 8 && PANEL == 2 * HALF);

/// Elementwise `a + b`.
#[inline(always)]
fn add(mut a: [[f32; PANEL]; TILE], b: [[f32; PANEL]; TILE]) -> [[f32; PANEL]; TILE] {
    for (x, y) in a.iter_mut().zip(&b) {
        for j in 0..PANEL {
            x[j] += y[j];
        }
    }
    a
}

/// Lane `l` plus lane `l + 4` of a [`QueryTile`] × panel product: both
/// computed at once when `WIDE` (8-wide registers), else one after the other
/// (SSE2's sixteen registers hold one lane's 4 × 8 tile, not two).
#[inline(always)]
fn lanes_l_l4<const WIDE: bool>(
    l: usize,
    qc: &[[[[f32; HALF]; TILE]; LANES]],
    rc: &[[[f32; PANEL]; LANES]],
) -> [[f32; PANEL]; TILE] {
    if WIDE {
        let (a, b) = tile_lane_pair(l, qc, rc);
        add(a, b)
    } else {
        add(tile_lane(l, qc, rc), tile_lane(l + 4, qc, rc))
    }
}

/// Lanes `l` and `l + 4` of a [`QueryTile`] × panel product at once, as
/// [`tile_lane`] computes each: twice the independent add chains, for
/// 8-wide registers, where one lane's four would wait on add latency.
#[inline(always)]
fn tile_lane_pair(
    l: usize,
    qc: &[[[[f32; HALF]; TILE]; LANES]],
    rc: &[[[f32; PANEL]; LANES]],
) -> ([[f32; PANEL]; TILE], [[f32; PANEL]; TILE]) {
    let mut a = [[0.0f32; PANEL]; TILE];
    let mut b = [[0.0f32; PANEL]; TILE];
    for (q, r) in qc.iter().zip(rc) {
        let (qa, ra, qb, rb) = (&q[l], &r[l], &q[l + 4], &r[l + 4]);
        for i in 0..TILE {
            for j in 0..PANEL {
                a[i][j] += qa[i][j % HALF] * ra[j];
                b[i][j] += qb[i][j % HALF] * rb[j];
            }
        }
    }
    (a, b)
}

/// Lane `l` of a [`QueryTile`] × panel product: `acc[i][j]` accumulates
/// `query_i[8c + l] · item_j[8c + l]` over chunks `c` in order.
#[inline(always)]
fn tile_lane(l: usize, qc: &[[[[f32; HALF]; TILE]; LANES]], rc: &[[[f32; PANEL]; LANES]]) -> [[f32; PANEL]; TILE] {
    let mut acc = [[0.0f32; PANEL]; TILE];
    for (q, r) in qc.iter().zip(rc) {
        let (q, r) = (&q[l], &r[l]);
        for i in 0..TILE {
            for j in 0..PANEL {
                acc[i][j] += q[i][j % HALF] * r[j];
            }
        }
    }
    acc
}

/// Queries scored together by [`Panels::tile_scores`]: a 4 × 8 register
/// tile (four queries × one panel) is eight SSE accumulators per lane.
pub(crate) const TILE: usize = 4;

/// Width of one SSE register of f32: a query value is stored broadcast to
/// this many copies, and each copy multiplies both halves of a panel row.
const HALF: usize = PANEL / 2;

/// [`TILE`] queries, each value broadcast to [`HALF`] copies and stored
/// `[dim][query][HALF]`, so every multiply in [`Panels::tile_scores`] is an
/// elementwise product of contiguous arrays, one query register serving both
/// halves of a panel row (SSE2 has no broadcast load; shuffling inside the
/// loop would compete with the multiplies and adds for the same ports).
/// Missing queries are zeros.
#[derive(Clone, Debug)]
pub(crate) struct QueryTile {
    data: Vec<[[f32; HALF]; TILE]>,
}

impl QueryTile {
    /// The tile of `queries` (at most [`TILE`], all of the index's dimension `dim`).
    pub(crate) fn new(queries: &[&[f32]], dim: usize) -> Self {
        debug_assert!(queries.len() <= TILE);
        let mut data = vec![[[0.0f32; HALF]; TILE]; dim];
        for (i, q) in queries.iter().enumerate() {
            for (t, &v) in q.iter().enumerate() {
                data[t][i] = [v; HALF];
            }
        }
        QueryTile { data }
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
    use crate::dot;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn tile_scores_are_bit_identical_to_dot(
            (dim, values, queries) in (1usize..40).prop_flat_map(|d| (
                Just(d),
                prop::collection::vec(-3.0f32..3.0, d..d * 20),
                prop::collection::vec(prop::collection::vec(-3.0f32..3.0, d), 1..=TILE),
            ))
        ) {
            let rows = values.len() / dim;
            let table = VectorTable::new(dim, values[..rows * dim].to_vec()).unwrap();
            let panels = Panels::new(&table);
            let refs: Vec<&[f32]> = queries.iter().map(Vec::as_slice).collect();
            let tile = QueryTile::new(&refs, dim);
            for p in 0..panels.len() {
                let (narrow, wide) = (panels.tile_scores::<false>(&tile, p), panels.tile_scores::<true>(&tile, p));
                for (i, q) in queries.iter().enumerate() {
                    for j in 0..PANEL {
                        let item = p * PANEL + j;
                        let want = if item < rows { dot(q, table.row(item)) } else { 0.0 };
                        prop_assert_eq!(narrow[i][j].to_bits(), want.to_bits(), "query {} item {}", i, item);
                        prop_assert_eq!(wide[i][j].to_bits(), want.to_bits(), "query {} item {}", i, item);
                    }
                }
            }
        }

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
