//! Dense vector tables and the one inner-product kernel every score goes
//! through, so the ANN index and the exact index give bit-identical scores
//! for the same (query, item) pair.

use crate::VectorError;

/// A dense row-major table of `len` vectors of `dim` f32 each; row `i`
/// belongs to the entity with dense id `i`.
#[derive(Clone, Debug, PartialEq)]
pub struct VectorTable {
    dim: usize,
    data: Vec<f32>,
}

impl VectorTable {
    /// A table from its row-major data. Fails when `dim` is 0 or the data is
    /// not a whole number of rows.
    pub fn new(dim: usize, data: Vec<f32>) -> Result<Self, VectorError> {
        if dim == 0 {
            return Err(VectorError::InvalidData("vector dimension is 0".to_string()));
        }
        if !data.len().is_multiple_of(dim) {
            return Err(VectorError::InvalidData(format!(
                "{} values are not a whole number of {dim}-dimensional rows",
                data.len()
            )));
        }
        Ok(VectorTable { dim, data })
    }

    /// A table of `len` zero rows.
    pub fn zeros(len: usize, dim: usize) -> Result<Self, VectorError> {
        VectorTable::new(dim, vec![0.0; len * dim])
    }

    /// A table from equally long rows.
    pub fn from_rows(rows: &[Vec<f32>]) -> Result<Self, VectorError> {
        let dim = rows.first().map_or(0, Vec::len);
        if let Some((i, row)) = rows.iter().enumerate().find(|(_, r)| r.len() != dim) {
            return Err(VectorError::InvalidData(format!("row {i} has {} values, row 0 has {dim}", row.len())));
        }
        VectorTable::new(dim, rows.concat())
    }

    /// Values per row.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.data.len() / self.dim
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Row `i`. Panics when `i >= len()`, like slice indexing.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Row `i`, mutable.
    pub fn row_mut(&mut self, i: usize) -> &mut [f32] {
        &mut self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Rows in order.
    pub fn rows(&self) -> std::slice::ChunksExact<'_, f32> {
        self.data.chunks_exact(self.dim)
    }

    /// All values, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// All values, row-major, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// Bytes of vector data held.
    pub fn memory_bytes(&self) -> u64 {
        (self.data.len() * std::mem::size_of::<f32>()) as u64
    }

    /// The first row holding a NaN or infinite value, if any.
    pub fn first_non_finite_row(&self) -> Option<usize> {
        self.data.iter().position(|v| !v.is_finite()).map(|p| p / self.dim)
    }
}

/// Accumulator lanes of [`dot`]: eight independent sums let LLVM keep them in
/// one 256-bit register and break the add dependency chain.
pub const LANES: usize = 8;

/// Inner product with a fixed summation order: lane `l` sums the products at
/// positions ≡ l (mod 8) over whole chunks of 8, the lanes are combined
/// pairwise, then the tail is added in order. Every (query, item) score in the
/// crate, batched or not, comes from this order. Extra values in the longer
/// slice are ignored.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    let mut acc = [0.0f32; LANES];
    for (x, y) in ca.zip(cb) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let mut sum = reduce_lanes(&acc);
    for (x, y) in ta.iter().zip(tb) {
        sum += x * y;
    }
    sum
}

/// The pairwise lane reduction of [`dot`], shared by kernels that compute
/// several dots at once and must round exactly like it.
#[inline]
pub fn reduce_lanes(acc: &[f32; LANES]) -> f32 {
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

/// Euclidean norm.
pub fn norm(v: &[f32]) -> f32 {
    dot(v, v).sqrt()
}

/// `v / |v|`, or `None` when `v` is zero or not finite.
pub fn normalized(v: &[f32]) -> Option<Vec<f32>> {
    let n = norm(v);
    if n.is_finite() && n > 0.0 { Some(v.iter().map(|x| x / n).collect()) } else { None }
}

/// Checks a query against a table's dimension and for non-finite values.
pub fn check_query(query: &[f32], dim: usize) -> Result<(), VectorError> {
    if query.len() != dim {
        return Err(VectorError::InvalidRequest(format!("query has {} dimensions, the index has {dim}", query.len())));
    }
    if let Some(i) = query.iter().position(|v| !v.is_finite()) {
        return Err(VectorError::InvalidRequest(format!("query value {i} is {}", query[i])));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table_shape_is_checked() {
        assert!(VectorTable::new(0, vec![]).is_err());
        assert!(VectorTable::new(3, vec![0.0; 4]).is_err());
        let t = VectorTable::new(2, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!((t.len(), t.dim()), (2, 2));
        assert_eq!(t.row(1), &[3.0, 4.0]);
        assert!(VectorTable::from_rows(&[vec![1.0], vec![1.0, 2.0]]).is_err());
        assert!(VectorTable::from_rows(&[]).is_err());
    }

    #[test]
    fn non_finite_rows_are_found() {
        let t = VectorTable::new(2, vec![1.0, 2.0, 3.0, f32::INFINITY]).unwrap();
        assert_eq!(t.first_non_finite_row(), Some(1));
        assert_eq!(VectorTable::zeros(3, 2).unwrap().first_non_finite_row(), None);
    }

    #[test]
    fn queries_are_checked() {
        assert!(check_query(&[1.0, 2.0], 2).is_ok());
        assert!(check_query(&[1.0], 2).is_err());
        assert!(check_query(&[1.0, f32::NAN], 2).is_err());
    }

    #[test]
    fn zero_vectors_do_not_normalise() {
        assert_eq!(normalized(&[0.0, 0.0]), None);
        assert_eq!(normalized(&[3.0, 4.0]), Some(vec![0.6, 0.8]));
    }

    proptest! {
        #[test]
        fn dot_matches_f64_reference(v in prop::collection::vec((-10.0f32..10.0, -10.0f32..10.0), 0..70)) {
            let (a, b): (Vec<f32>, Vec<f32>) = v.into_iter().unzip();
            let reference: f64 = a.iter().zip(&b).map(|(x, y)| *x as f64 * *y as f64).sum();
            let bound: f64 = a.iter().zip(&b).map(|(x, y)| (*x as f64 * *y as f64).abs()).sum::<f64>() * 1e-5 + 1e-6;
            prop_assert!((dot(&a, &b) as f64 - reference).abs() <= bound);
        }
    }
}
