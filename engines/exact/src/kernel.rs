//! The multi-query inner-product kernel.

use searchrec_interest::{LANES, reduce_lanes};

/// Queries scored together against each item: every item value loaded from
/// cache feeds `GROUP` multiply-adds, and `GROUP × LANES` accumulators still
/// fit in the 16 vector registers of AVX2.
pub(crate) const GROUP: usize = 4;

/// The inner products of `GROUP` queries with one item, each rounded exactly
/// like [`searchrec_interest::dot`] (same lanes, same lane reduction, same
/// tail order), so a score never depends on which queries shared a pass.
/// All slices must have the item's length.
#[inline]
pub(crate) fn dots(queries: [&[f32]; GROUP], item: &[f32]) -> [f32; GROUP] {
    let whole = item.len() - item.len() % LANES;
    let mut acc = [[0.0f32; LANES]; GROUP];
    for (c, y) in item[..whole].chunks_exact(LANES).enumerate() {
        let span = c * LANES..(c + 1) * LANES;
        for (a, q) in acc.iter_mut().zip(&queries) {
            for ((a, x), y) in a.iter_mut().zip(&q[span.clone()]).zip(y) {
                *a += x * y;
            }
        }
    }
    let mut out = [0.0f32; GROUP];
    for ((o, a), q) in out.iter_mut().zip(&acc).zip(&queries) {
        let mut sum = reduce_lanes(a);
        for (x, y) in q[whole..].iter().zip(&item[whole..]) {
            sum += x * y;
        }
        *o = sum;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use searchrec_interest::dot;

    proptest! {
        #[test]
        fn group_scores_are_bit_identical_to_dot(
            (len, values) in (0usize..40).prop_flat_map(|len| (Just(len), prop::collection::vec(-3.0f32..3.0, len * 5)))
        ) {
            let rows: Vec<&[f32]> = values.chunks(len.max(1)).take(5).collect();
            prop_assume!(len > 0);
            let item = rows[4];
            let got = dots([rows[0], rows[1], rows[2], rows[3]], item);
            for g in 0..GROUP {
                prop_assert_eq!(got[g].to_bits(), dot(rows[g], item).to_bits());
            }
        }
    }
}
