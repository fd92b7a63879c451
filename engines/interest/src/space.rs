//! The search space both indexes work in: unit-length item rows, so that
//! ranking by inner product is nearest-neighbour search and hnsw_rs's
//! `1 − dot` distance is well defined.

use crate::vectors::{VectorTable, dot, norm};
use crate::{InterestError, Scoring};

/// The unit-length table to index for `items` under `scoring`.
///
/// - [`Scoring::Cosine`]: each row divided by its norm (dimension d).
/// - [`Scoring::Dot`]: each row divided by the largest norm `m`, plus a last
///   coordinate `√(1 − |y/m|²)` (dimension d + 1). A query `[q, 0]` then scores
///   `⟨q, y⟩ / m`: the model's own order, found by nearest-neighbour search.
pub fn index_table(items: &VectorTable, scoring: Scoring) -> Result<VectorTable, InterestError> {
    let zero = |i| InterestError::InvalidData(format!("item {i} has a zero vector and no direction to rank by"));
    match scoring {
        Scoring::Cosine => {
            let mut out = items.clone();
            for i in 0..out.len() {
                let row = out.row_mut(i);
                let n = norm(row);
                if n <= 0.0 {
                    return Err(zero(i));
                }
                row.iter_mut().for_each(|v| *v /= n);
            }
            Ok(out)
        }
        Scoring::Dot => {
            let max = items.rows().map(norm).fold(0.0f32, f32::max);
            if max <= 0.0 {
                return Err(zero(0));
            }
            let d = items.dim();
            let mut data = Vec::with_capacity(items.len() * (d + 1));
            for row in items.rows() {
                let start = data.len();
                data.extend(row.iter().map(|v| v / max));
                let sq = dot(&data[start..], &data[start..]);
                data.push((1.0 - sq).max(0.0).sqrt());
            }
            VectorTable::new(d + 1, data)
        }
    }
}

/// The query vector in the space of [`index_table`] for a unit direction in
/// factor space.
pub fn query_vector(direction: &[f32], scoring: Scoring) -> Vec<f32> {
    let mut q = direction.to_vec();
    if scoring == Scoring::Dot {
        q.push(0.0);
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_unit_length() {
        let items = VectorTable::new(2, vec![3.0, 4.0, 1.0, 0.0, 0.0, 0.5]).unwrap();
        for scoring in [Scoring::Dot, Scoring::Cosine] {
            let t = index_table(&items, scoring).unwrap();
            for row in t.rows() {
                assert!((norm(row) - 1.0).abs() < 1e-6, "{scoring:?} {row:?}");
            }
        }
    }

    #[test]
    fn dot_space_keeps_the_inner_product_order_and_cosine_does_not() {
        let items = VectorTable::new(2, vec![3.0, 0.0, 0.8, 0.6]).unwrap();
        let q = [0.8, 0.6];
        let order = |scoring| {
            let t = index_table(&items, scoring).unwrap();
            let qv = query_vector(&q, scoring);
            dot(&qv, t.row(0)) > dot(&qv, t.row(1))
        };
        assert!(order(Scoring::Dot), "⟨q, item 0⟩ = 2.4 beats 1.0");
        assert!(!order(Scoring::Cosine), "item 1 points exactly along q");
    }

    #[test]
    fn zero_items_are_refused() {
        let items = VectorTable::new(2, vec![0.0, 0.0, 1.0, 0.0]).unwrap();
        assert!(index_table(&items, Scoring::Cosine).is_err());
        assert!(index_table(&VectorTable::zeros(2, 2).unwrap(), Scoring::Dot).is_err());
    }
}
