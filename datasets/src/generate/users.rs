//! Users: coarse profile, interests, taste, price sensitivity, activity, persona.

use rand::RngExt;
use rand_distr::{Distribution, Gamma, StandardNormal};

use super::{Generator, pick_weighted};
use crate::ids::UserId;
use crate::latent::{add_noise, normalize};
use crate::rng::{Purpose, StreamRng, stream};
use crate::taxonomy::Dimension;
use crate::truth::{Persona, UserTruth};
use crate::users::UserProfile;

/// Shares of the age bands 18–24 … 65+.
const AGE_BANDS: [f64; 6] = [0.15, 0.40, 0.62, 0.80, 0.92, 1.0];

impl Generator<'_> {
    /// User `id`, their truth and latent vector.
    pub(crate) fn user(&self, id: UserId) -> (UserProfile, UserTruth, Vec<f32>) {
        let p = &self.scenario.users;
        let mut rng = stream(self.seed, Purpose::User, id.0 as u64, 0);
        let age_band = pick_weighted(&AGE_BANDS, rng.random()) as u8;
        let region = rng.random_range(0..self.scenario.world.regions) as u8;
        let tenure_days = rng.random_range(0..3000u16);

        // Interests: a Dirichlet mixture over a few leaves, drawn by leaf popularity.
        let dim = self.latent.leaves.dim;
        let mut vector = vec![0.0f32; dim];
        let k = rng.random_range(1..=p.max_interest_leaves) as usize;
        let weights = dirichlet(&mut rng, &vec![p.interest_concentration; k]);
        for w in weights {
            let leaf = pick_weighted(&self.leaf_cdf, rng.random());
            let c = self.latent.leaves.row(leaf);
            vector.iter_mut().zip(c).for_each(|(x, y)| *x += w as f32 * y);
        }
        // Taste: a favourite colour and style, shared across categories.
        for d in [Dimension::Colour, Dimension::Style] {
            let of_dim: Vec<usize> =
                (0..self.taxonomy.values.len()).filter(|&i| self.taxonomy.values[i].0 == d).collect();
            if !of_dim.is_empty() {
                let dir = self.latent.values.row(of_dim[rng.random_range(0..of_dim.len())]);
                vector.iter_mut().zip(dir).for_each(|(x, y)| *x += p.taste_weight as f32 * y);
            }
        }
        add_noise(&mut rng, &mut vector, p.latent_noise);
        normalize(&mut vector);

        // Younger users are a little more price sensitive: the profile carries weak signal.
        let z: f64 = rng.sample(StandardNormal);
        let price_sensitivity =
            (p.price_sensitivity_median.ln() + 0.08 * (2.0 - age_band as f64) + p.price_sensitivity_sigma * z).exp();
        let activity = Gamma::new(2.0, p.activity_mean / 2.0).map(|g| g.sample(&mut rng)).unwrap_or(p.activity_mean);
        let persona = dirichlet(&mut rng, &p.persona_concentration);

        let profile = UserProfile { id, age_band, region, tenure_days };
        let truth = UserTruth {
            price_sensitivity: price_sensitivity as f32,
            activity: activity as f32,
            persona: Persona { shelf: persona[0] as f32, interest: persona[1] as f32, social: persona[2] as f32 },
        };
        (profile, truth, vector)
    }
}

/// A Dirichlet draw via normalised Gamma variables.
fn dirichlet(rng: &mut StreamRng, alpha: &[f64]) -> Vec<f64> {
    let draws: Vec<f64> =
        alpha.iter().map(|&a| Gamma::new(a, 1.0).map(|g| g.sample(rng)).unwrap_or(1.0).max(1e-12)).collect();
    let total: f64 = draws.iter().sum();
    draws.into_iter().map(|d| d / total).collect()
}
