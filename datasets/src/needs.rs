//! Organic needs: which product type a user wants, and with which attributes
//! and brand.
//!
//! One model opens the needs of the historical logs, stands behind the
//! evaluation queries and opens needs inside the GMV simulator, so a
//! simulated user wants what a logged user wanted. A user's leaf is drawn
//! with weight popularity × exp(τ·⟨θ_u, leaf⟩); each attribute dimension is
//! wanted with probability `want_attribute` and valued by taste; a brand is
//! insisted on with probability `want_brand`.

use std::borrow::Cow;

use rand::RngExt;
use rand::seq::SliceRandom;

use crate::generate::pick_weighted;
use crate::ids::{LeafId, NeedId, UserId};
use crate::latent::{LatentSpace, dot};
use crate::rng::{Purpose, StreamRng, stream};
use crate::scenario::NeedParams;
use crate::taxonomy::{Dimension, Taxonomy};
use crate::truth::{Attributes, Need, NeedOrigin};
use crate::world::World;

/// The organic-need model of one world.
pub struct NeedModel<'w> {
    taxonomy: &'w Taxonomy,
    latent: &'w LatentSpace,
    params: &'w NeedParams,
    /// Cumulative popularity of leaves (Zipf over a seeded random order).
    popularity: Cow<'w, [f64]>,
}

impl<'w> NeedModel<'w> {
    /// The model of `world` with need parameters `params` (usually
    /// `&world.scenario.needs`; a simulator's sensitivity sweep passes others).
    pub fn new(world: &'w World, params: &'w NeedParams) -> NeedModel<'w> {
        let popularity = leaf_popularity(world.seed, &world.taxonomy, world.scenario.world.leaf_zipf);
        NeedModel { taxonomy: &world.taxonomy, latent: &world.latent, params, popularity: Cow::Owned(popularity) }
    }

    /// The model over parts a generator already holds.
    pub(crate) fn from_parts(
        taxonomy: &'w Taxonomy,
        latent: &'w LatentSpace,
        params: &'w NeedParams,
        popularity: &'w [f64],
    ) -> NeedModel<'w> {
        NeedModel { taxonomy, latent, params, popularity: Cow::Borrowed(popularity) }
    }

    /// Cumulative leaf weights of a user: popularity × exp(τ·⟨θ_u, leaf⟩).
    /// Computed once per user and passed to [`NeedModel::organic`].
    pub fn leaf_cdf(&self, user_vector: &[f32]) -> Vec<f64> {
        let tau = self.params.leaf_temperature;
        let mut acc = 0.0;
        let mut previous = 0.0;
        (0..self.taxonomy.leaves.len())
            .map(|l| {
                let popularity = self.popularity[l] - previous;
                previous = self.popularity[l];
                acc += popularity * (tau * dot(user_vector, self.latent.leaves.row(l)) as f64).exp();
                acc
            })
            .collect()
    }

    /// A new need of `user` opened at second `time`: leaf by the user's
    /// `leaf_cdf`, each attribute wanted with probability `want_attribute` and
    /// valued by taste, a brand with probability `want_brand`. Its id is
    /// unassigned (`NeedId(0)`).
    pub fn organic(
        &self,
        user: UserId,
        user_vector: &[f32],
        leaf_cdf: &[f64],
        time: u32,
        origin: NeedOrigin,
        rng: &mut StreamRng,
    ) -> Need {
        let p = self.params;
        let leaf = self.taxonomy.leaf(LeafId(pick_weighted(leaf_cdf, rng.random()) as u16));
        let mut attributes = Attributes::EMPTY;
        for d in Dimension::ALL {
            let values = leaf.values(d);
            let want = rng.random::<f64>() < p.want_attribute;
            if values.is_empty() || !want {
                continue;
            }
            let mut acc = 0.0;
            let cdf: Vec<f64> = values
                .iter()
                .map(|v| {
                    acc +=
                        (p.leaf_temperature * dot(user_vector, self.latent.values.row(v.global as usize)) as f64).exp();
                    acc
                })
                .collect();
            attributes.0[d as usize] = pick_weighted(&cdf, rng.random()) as u8;
        }
        let brand = (rng.random::<f64>() < p.want_brand).then(|| rng.random_range(0..leaf.brands.len()) as u16);
        Need { id: NeedId(0), user, leaf: leaf.id, attributes, brand, origin, opened: time, closed: None, bought: None }
    }
}

/// Cumulative leaf popularity: Zipf with exponent `zipf` over an order of the
/// leaves shuffled by the world's seed.
pub(crate) fn leaf_popularity(seed: u64, taxonomy: &Taxonomy, zipf: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..taxonomy.leaves.len()).collect();
    order.shuffle(&mut stream(seed, Purpose::LeafOrder, 0, 0));
    let mut weights = vec![0.0; order.len()];
    for (rank, &leaf) in order.iter().enumerate() {
        weights[leaf] = 1.0 / (rank as f64 + 1.0).powf(zipf);
    }
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    weights
        .iter()
        .map(|w| {
            acc += w / total;
            acc
        })
        .collect()
}
