//! The latent space: where leaves, attribute values, items and users live.
//!
//! Leaves of one top-level category point in related directions, so interest
//! in running shoes says something about interest in sports socks; each
//! attribute value ("red", "leather") has its own direction shared by every
//! leaf, so a taste for red shows across categories.

use rand::RngExt;
use rand_distr::StandardNormal;

use crate::rng::{Purpose, StreamRng, stream};
use crate::taxonomy::Taxonomy;
use crate::truth::Vectors;

/// Leaf centroids and attribute-value directions, all unit-norm.
#[derive(Clone, Debug, PartialEq)]
pub struct LatentSpace {
    /// One row per leaf.
    pub leaves: Vectors,
    /// One row per global attribute value ([`Taxonomy::values`]).
    pub values: Vectors,
}

impl LatentSpace {
    /// Derives the space from the seed and the taxonomy (it is not stored in
    /// world files: loading a world derives it again).
    pub fn generate(seed: u64, taxonomy: &Taxonomy, dim: usize) -> LatentSpace {
        let tops: Vec<Vec<f32>> = (0..taxonomy.tops.len())
            .map(|t| random_unit(&mut stream(seed, Purpose::LatentSpace, 0, t as u64), dim))
            .collect();
        let mut leaves = Vec::with_capacity(taxonomy.leaves.len() * dim);
        for leaf in &taxonomy.leaves {
            let mut rng = stream(seed, Purpose::LatentSpace, 1, leaf.id.0 as u64);
            let own = random_unit(&mut rng, dim);
            let mut v: Vec<f32> = tops[leaf.top].iter().zip(&own).map(|(t, o)| t + 0.9 * o).collect();
            normalize(&mut v);
            leaves.extend(v);
        }
        let mut values = Vec::with_capacity(taxonomy.values.len() * dim);
        for i in 0..taxonomy.values.len() {
            values.extend(random_unit(&mut stream(seed, Purpose::LatentSpace, 2, i as u64), dim));
        }
        LatentSpace { leaves: Vectors { dim, data: leaves }, values: Vectors { dim, data: values } }
    }
}

/// A uniformly random unit vector.
pub(crate) fn random_unit(rng: &mut StreamRng, dim: usize) -> Vec<f32> {
    let mut v: Vec<f32> = (0..dim).map(|_| rng.sample::<f64, _>(StandardNormal) as f32).collect();
    normalize(&mut v);
    v
}

/// Adds `scale · N(0, I/dim)` noise, so the noise has expected norm ≈ `scale`.
pub(crate) fn add_noise(rng: &mut StreamRng, v: &mut [f32], scale: f64) {
    let s = scale / (v.len() as f64).sqrt();
    for x in v {
        *x += (rng.sample::<f64, _>(StandardNormal) * s) as f32;
    }
}

/// Scales to unit norm; a zero vector stays zero.
pub(crate) fn normalize(v: &mut [f32]) {
    let n = dot(v, v).sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Inner product.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
