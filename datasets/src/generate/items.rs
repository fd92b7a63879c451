//! Items: leaf, attributes, brand, title, price, quality and its observable traces.

use rand::RngExt;
use rand_distr::{Beta, Distribution, StandardNormal};

use super::{Generator, pick_weighted};
use crate::catalog::Item;
use crate::ids::{ItemId, LeafId};
use crate::latent::{add_noise, normalize};
use crate::rng::{Purpose, stream};
use crate::taxonomy::Dimension;
use crate::truth::{Attributes, ItemTruth};

impl Generator<'_> {
    /// Item `id`, its truth and its latent vector.
    pub(crate) fn item(&self, id: ItemId) -> (Item, ItemTruth, Vec<f32>) {
        let p = &self.scenario.items;
        let mut rng = stream(self.seed, Purpose::Item, id.0 as u64, 0);
        let leaf = self.taxonomy.leaf(LeafId(pick_weighted(&self.leaf_cdf, rng.random()) as u16));
        let quality = Beta::new(p.quality_alpha, p.quality_beta).map(|b| b.sample(&mut rng)).unwrap_or(0.5);

        let mut attributes = Attributes::EMPTY;
        for d in Dimension::ALL {
            let values = leaf.values(d);
            if !values.is_empty() {
                attributes.0[d as usize] = rng.random_range(0..values.len()) as u8;
            }
        }
        // Brands are skewed: a few big names sell most product types.
        let brand_weights: Vec<f64> = (0..leaf.brands.len()).map(|r| 1.0 / (r as f64 + 1.0).powf(0.8)).collect();
        let brand = pick_weighted(&cumulative(&brand_weights), rng.random()) as u16;
        let noun = if leaf.nouns.len() > 1 && rng.random::<f64>() < p.title_synonym_rate {
            rng.random_range(1..leaf.nouns.len()) as u8
        } else {
            0
        };

        let value = |d: Dimension| attributes.get(d).map(|v| leaf.values(d)[v as usize].canonical.as_str());
        let mut words: Vec<&str> = vec![&leaf.brands[brand as usize]];
        let filler = |rng: &mut crate::rng::StreamRng| -> Option<&str> {
            (!leaf.fillers.is_empty() && rng.random::<f64>() < 0.5)
                .then(|| leaf.fillers[rng.random_range(0..leaf.fillers.len())].as_str())
        };
        words.extend(filler(&mut rng));
        words.extend([Dimension::Colour, Dimension::Material, Dimension::Style].into_iter().filter_map(value));
        words.push(&leaf.nouns[noun as usize]);
        words.extend(value(Dimension::Size));
        if let Some(f) = filler(&mut rng).filter(|f| !words.contains(f)) {
            words.push(f);
        }
        let title = words.join(" ");

        let z: f64 = rng.sample(StandardNormal);
        let ln_price = leaf.price_median.ln() + p.price_quality_lift * (quality - 0.5) + leaf.price_spread * z;
        let price = ((ln_price.exp() * 100.0).round() / 100.0).max(0.5) as f32;
        let z: f64 = rng.sample(StandardNormal);
        let sales = (p.sales_log_mean + p.sales_quality_lift * (quality - 0.5) + p.sales_log_sigma * z).exp();
        let sales_count = sales.min(u32::MAX as f64 / 2.0) as u32;
        let z: f64 = rng.sample(StandardNormal);
        let review_count = (sales_count as f64 * p.review_rate * (0.3 * z).exp()).round() as u32;
        let z: f64 = rng.sample(StandardNormal);
        let rating = if review_count == 0 {
            0.0
        } else {
            let noise = p.rating_noise / (1.0 + (review_count as f64).ln());
            (((1.0 + 4.0 * quality + noise * z).clamp(1.0, 5.0) * 10.0).round() / 10.0) as f32
        };

        let mut vector = self.latent.leaves.row(leaf.id.index()).to_vec();
        for d in Dimension::ALL {
            if let Some(v) = attributes.get(d) {
                let dir = self.latent.values.row(leaf.values(d)[v as usize].global as usize);
                vector.iter_mut().zip(dir).for_each(|(x, y)| *x += p.attribute_weight as f32 * y);
            }
        }
        add_noise(&mut rng, &mut vector, p.latent_noise);
        normalize(&mut vector);

        let item = Item {
            id,
            title,
            brand: leaf.brands[brand as usize].clone(),
            description: String::new(),
            leaf: leaf.id,
            price,
            rating,
            review_count,
            sales_count,
        };
        (item, ItemTruth { quality: quality as f32, attributes, brand, noun }, vector)
    }
}

/// Running sums of weights, for [`pick_weighted`].
pub(crate) fn cumulative(weights: &[f64]) -> Vec<f64> {
    weights
        .iter()
        .scan(0.0, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect()
}
