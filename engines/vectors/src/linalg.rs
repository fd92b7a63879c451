//! The small dense linear algebra ALS needs: Gram matrices, a symmetric
//! matrix–vector product and a Cholesky solve. Every reduction has a fixed
//! order, so results do not depend on the rayon thread count.

use rayon::prelude::*;

use crate::table::{VectorTable, dot};

/// Rows per partial Gram sum. Fixed (never derived from the thread count) so
/// the partial sums, and hence the rounding, are the same on any machine.
const GRAM_CHUNK_ROWS: usize = 1024;

/// `TᵀT` as a dense row-major `dim × dim` matrix, summed in f64.
pub(crate) fn gram(table: &VectorTable) -> Vec<f32> {
    let d = table.dim();
    let partials: Vec<Vec<f64>> = table
        .as_slice()
        .par_chunks(GRAM_CHUNK_ROWS * d)
        .map(|chunk| {
            let mut g = vec![0.0f64; d * d];
            for row in chunk.chunks_exact(d) {
                for a in 0..d {
                    let ra = row[a] as f64;
                    for b in a..d {
                        g[a * d + b] += ra * row[b] as f64;
                    }
                }
            }
            g
        })
        .collect();
    let mut total = vec![0.0f64; d * d];
    for g in &partials {
        for (t, v) in total.iter_mut().zip(g) {
            *t += v;
        }
    }
    let mut out = vec![0.0f32; d * d];
    for a in 0..d {
        for b in a..d {
            let v = total[a * d + b] as f32;
            out[a * d + b] = v;
            out[b * d + a] = v;
        }
    }
    out
}

/// `out = M · v` for a dense row-major square matrix `m`.
pub(crate) fn matvec(m: &[f32], v: &[f32], out: &mut [f32]) {
    let d = v.len();
    for (o, row) in out.iter_mut().zip(m.chunks_exact(d)) {
        *o = dot(row, v);
    }
}

/// Solves `A x = b` for symmetric positive definite `A` (row-major, f64) in
/// place of `b`. Returns false when `A` is not positive definite.
pub(crate) fn cholesky_solve(a: &mut [f64], b: &mut [f64]) -> bool {
    let d = b.len();
    // Factor A = L Lᵀ, L stored in the lower triangle of `a`.
    for j in 0..d {
        let mut diag = a[j * d + j];
        for k in 0..j {
            diag -= a[j * d + k] * a[j * d + k];
        }
        if !(diag > 0.0 && diag.is_finite()) {
            return false;
        }
        let diag = diag.sqrt();
        a[j * d + j] = diag;
        for i in j + 1..d {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= a[i * d + k] * a[j * d + k];
            }
            a[i * d + j] = s / diag;
        }
    }
    // Forward substitution L y = b, then back substitution Lᵀ x = y.
    for i in 0..d {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i * d + k] * b[k];
        }
        b[i] = s / a[i * d + i];
    }
    for i in (0..d).rev() {
        let mut s = b[i];
        for k in i + 1..d {
            s -= a[k * d + i] * b[k];
        }
        b[i] = s / a[i * d + i];
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gram_is_symmetric_and_correct() {
        let t = VectorTable::new(2, vec![1.0, 2.0, 3.0, 4.0, -1.0, 0.5]).unwrap();
        let g = gram(&t);
        assert_eq!(g, vec![11.0, 13.5, 13.5, 20.25]);
    }

    #[test]
    fn cholesky_solves_and_rejects_indefinite() {
        let mut a = vec![4.0, 2.0, 2.0, 3.0];
        let mut b = vec![2.0, 1.0];
        assert!(cholesky_solve(&mut a, &mut b));
        // 4x + 2y = 2, 2x + 3y = 1  →  x = 0.5, y = 0
        assert!((b[0] - 0.5).abs() < 1e-12 && b[1].abs() < 1e-12, "{b:?}");
        let mut a = vec![1.0, 2.0, 2.0, 1.0];
        assert!(!cholesky_solve(&mut a, &mut [1.0, 1.0]));
    }

    #[test]
    fn matvec_multiplies() {
        let mut out = [0.0; 2];
        matvec(&[1.0, 2.0, 3.0, 4.0], &[1.0, -1.0], &mut out);
        assert_eq!(out, [-1.0, -1.0]);
    }
}
