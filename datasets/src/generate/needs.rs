//! Organic needs: which product type a user wants, and with which attributes.

use rand::RngExt;

use super::{Generator, pick_weighted};
use crate::ids::{LeafId, NeedId, UserId};
use crate::latent::dot;
use crate::rng::StreamRng;
use crate::taxonomy::Dimension;
use crate::truth::{Attributes, Need, NeedOrigin};

impl Generator<'_> {
    /// Cumulative leaf weights of a user: popularity × exp(τ·⟨θ_u, leaf⟩).
    pub(crate) fn user_leaf_cdf(&self, user_vector: &[f32]) -> Vec<f64> {
        let tau = self.scenario.needs.leaf_temperature;
        let mut acc = 0.0;
        let mut previous = 0.0;
        (0..self.taxonomy.leaves.len())
            .map(|l| {
                let popularity = self.leaf_cdf[l] - previous;
                previous = self.leaf_cdf[l];
                acc += popularity * (tau * dot(user_vector, self.latent.leaves.row(l)) as f64).exp();
                acc
            })
            .collect()
    }

    /// A new organic (or evaluation) need: leaf by the user's leaf weights,
    /// each attribute wanted with probability `want_attribute` and valued by
    /// taste, a brand with probability `want_brand`.
    pub(crate) fn organic_need(
        &self,
        user: UserId,
        user_vector: &[f32],
        leaf_cdf: &[f64],
        time: u32,
        origin: NeedOrigin,
        rng: &mut StreamRng,
    ) -> Need {
        let p = &self.scenario.needs;
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
