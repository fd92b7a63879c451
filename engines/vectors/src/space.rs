//! The search space both indexes work in: unit-length item rows, so that
//! ranking by inner product is nearest-neighbour search and hnsw_rs's
//! `1 − dot` distance is well defined.

use crate::VectorError;
use crate::table::{VectorTable, dot, norm};

/// The unit-length table to index for trained `items` ranked with item norm
/// exponent `beta` in [0, 1] (see [`crate::FeedConfig::item_norm_exponent`]):
/// item `i` is ranked by `⟨q, ŷ_i⟩ · |y_i|^beta` for a unit query `q`.
///
/// - `beta == 0`: each row divided by its norm (dimension d): cosine.
/// - otherwise each row rescaled to length `|y_i|^beta`, divided by the
///   largest such length `m`, and given a last coordinate `√(1 − |·|²)`
///   (dimension d + 1). A query `[q, 0]` then scores `⟨q, ŷ_i⟩ |y_i|^beta / m`:
///   maximum-inner-product search as nearest-neighbour search (Bachrach et
///   al., 2014).
///
/// Fails on a zero row (no direction) or a `beta` outside [0, 1].
pub fn index_table(items: &VectorTable, beta: f32) -> Result<VectorTable, VectorError> {
    if !(0.0..=1.0).contains(&beta) {
        return Err(VectorError::config("feed.item_norm_exponent", format!("must be in [0, 1], got {beta}")));
    }
    let d = items.dim();
    let extra = usize::from(beta > 0.0);
    let mut data = Vec::with_capacity(items.len() * (d + extra));
    for (i, row) in items.rows().enumerate() {
        let n = norm(row);
        if !(n > 0.0 && n.is_finite()) {
            return Err(VectorError::InvalidData(format!("item {i} has vector norm {n}: no direction to rank by")));
        }
        let length = n.powf(beta);
        data.extend(row.iter().map(|v| v / n * length));
    }
    if beta == 0.0 {
        return VectorTable::new(d, data);
    }
    let max = data.chunks_exact(d).map(norm).fold(0.0f32, f32::max);
    let mut out = Vec::with_capacity(items.len() * (d + 1));
    for row in data.chunks_exact(d) {
        let start = out.len();
        out.extend(row.iter().map(|v| v / max));
        let sq = dot(&out[start..], &out[start..]);
        out.push((1.0 - sq).max(0.0).sqrt());
    }
    VectorTable::new(d + 1, out)
}

/// The query vector in the space of [`index_table`] for a unit direction in
/// factor space.
pub fn query_vector(direction: &[f32], beta: f32) -> Vec<f32> {
    let mut q = direction.to_vec();
    if beta > 0.0 {
        q.push(0.0);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> VectorTable {
        VectorTable::new(2, vec![3.0, 0.0, 0.8, 0.6, 0.0, 0.5]).unwrap()
    }

    #[test]
    fn rows_become_unit_length() {
        for beta in [0.0, 0.5, 1.0] {
            let t = index_table(&items(), beta).unwrap();
            assert_eq!(t.dim(), if beta > 0.0 { 3 } else { 2 });
            for row in t.rows() {
                assert!((norm(row) - 1.0).abs() < 1e-6, "{beta} {row:?}");
            }
        }
    }

    #[test]
    fn the_exponent_moves_the_order_from_direction_to_inner_product() {
        // ⟨q, item 0⟩ = 2.4, ⟨q, item 1⟩ = 1.0 and item 1 points exactly along q.
        let q = [0.8, 0.6];
        let scores = |beta| {
            let t = index_table(&items(), beta).unwrap();
            let qv = query_vector(&q, beta);
            (dot(&qv, t.row(0)), dot(&qv, t.row(1)))
        };
        let (a, b) = scores(1.0);
        assert!(a > b && (a / b - 2.4).abs() < 1e-5, "dot: {a} {b}");
        let (a, b) = scores(0.0);
        assert!(b > a && (b - 1.0).abs() < 1e-6 && (a - 0.8).abs() < 1e-6, "cosine: {a} {b}");
        let (a, b) = scores(0.5);
        assert!((a / b - 0.8 * 3f32.sqrt()).abs() < 1e-5, "half: {a} {b}");
    }

    #[test]
    fn zero_items_and_bad_exponents_are_refused() {
        let zero = VectorTable::new(2, vec![0.0, 0.0, 1.0, 0.0]).unwrap();
        assert!(matches!(index_table(&zero, 0.0), Err(VectorError::InvalidData(_))));
        assert!(matches!(index_table(&zero, 1.0), Err(VectorError::InvalidData(_))));
        assert!(matches!(index_table(&items(), 1.5), Err(VectorError::Config { .. })));
        assert!(matches!(index_table(&items(), f32::NAN), Err(VectorError::Config { .. })));
    }
}
