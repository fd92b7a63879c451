//! Seeded generator of the clustered ANN benchmark data set.
//!
//! Recipe (the same as the numpy one in `notes/ann.md` §8, not bit-identical to it):
//! `clusters` centres drawn from a standard Gaussian in `dim` dimensions; every point
//! (base and query alike) picks a centre uniformly at random, adds isotropic Gaussian
//! noise of standard deviation `sigma` per coordinate, and is normalised to unit length.
//! The default benchmark shape is 200,000 × 64, 400 clusters, σ 0.35, 2,000 queries.
//!
//! Deterministic for a seed: one `ChaCha8Rng` draws, in order, the centres, then the base
//! points row by row, then the queries row by row. Self-contained (only `rand`,
//! `rand_chacha` and `rand_distr`), so it can be mounted anywhere.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, StandardNormal};

/// Default number of base points of the benchmark set.
pub const DEFAULT_N: usize = 200_000;
/// Default number of queries of the benchmark set.
pub const DEFAULT_QUERIES: usize = 2_000;
/// Default dimension of the benchmark set.
pub const DEFAULT_DIM: usize = 64;
/// Default number of clusters of the benchmark set.
pub const DEFAULT_CLUSTERS: usize = 400;
/// Default per-coordinate noise of the benchmark set.
pub const DEFAULT_SIGMA: f32 = 0.35;

/// Generates `n` base points and `queries` query points, row-major, each `dim` wide and
/// unit length (a row that comes out as exactly zero, vanishingly unlikely, is replaced by
/// the first basis vector so that the unit-length promise holds).
///
/// Returns `(base, queries)` with `base.len() == n * dim` and
/// `queries.len() == queries * dim`. `clusters == 0` is treated as one cluster at the
/// origin; `dim == 0` gives empty vectors.
pub fn clustered(n: usize, queries: usize, dim: usize, clusters: usize, sigma: f32, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    if dim == 0 {
        return (Vec::new(), Vec::new());
    }
    let clusters_eff = clusters.max(1);
    let centres: Vec<f32> = if clusters == 0 {
        vec![0.0; dim]
    } else {
        (0..clusters * dim)
            .map(|_| {
                let x: f64 = StandardNormal.sample(&mut rng);
                x as f32
            })
            .collect()
    };
    let sigma = if sigma.is_finite() { sigma.abs() as f64 } else { 0.0 };
    let noise = Normal::new(0.0f64, sigma).unwrap_or_else(|_| Normal::new(0.0, 0.0).expect("zero sigma"));
    let draw = |count: usize, rng: &mut ChaCha8Rng| -> Vec<f32> {
        let mut out = Vec::with_capacity(count * dim);
        for _ in 0..count {
            let c = rng.random_range(0..clusters_eff);
            let centre = &centres[c * dim..(c + 1) * dim];
            let start = out.len();
            for &m in centre {
                out.push((m as f64 + noise.sample(rng)) as f32);
            }
            normalise(&mut out[start..]);
        }
        out
    };
    let base = draw(n, &mut rng);
    let qs = draw(queries, &mut rng);
    (base, qs)
}

/// Scales `row` to unit length in place (f64 accumulation).
fn normalise(row: &mut [f32]) {
    let norm = row.iter().map(|&x| (x as f64) * (x as f64)).sum::<f64>().sqrt();
    if norm > 0.0 && norm.is_finite() {
        for x in row.iter_mut() {
            *x = (*x as f64 / norm) as f32;
        }
    } else {
        row.iter_mut().for_each(|x| *x = 0.0);
        row[0] = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_unit_length_and_determinism() {
        let (b, q) = clustered(300, 20, 7, 5, 0.35, 42);
        assert_eq!(b.len(), 300 * 7);
        assert_eq!(q.len(), 20 * 7);
        for row in b.chunks_exact(7).chain(q.chunks_exact(7)) {
            let n: f32 = row.iter().map(|x| x * x).sum();
            assert!((n - 1.0).abs() < 1e-5);
        }
        let (b2, q2) = clustered(300, 20, 7, 5, 0.35, 42);
        assert_eq!(b, b2);
        assert_eq!(q, q2);
        let (b3, _) = clustered(300, 20, 7, 5, 0.35, 43);
        assert_ne!(b, b3);
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(clustered(5, 5, 0, 3, 0.1, 1), (Vec::new(), Vec::new()));
        let (b, _) = clustered(4, 0, 3, 0, 0.0, 1);
        assert_eq!(b.len(), 12);
        let (b, _) = clustered(4, 0, 3, 2, f32::NAN, 1);
        assert!(b.iter().all(|x| x.is_finite()));
    }
}
