//! The logging policy: what the platform showed while the historical logs
//! were written. It is deliberately non-personalised, so the logs hold signal
//! about users (what they clicked among what everyone was shown) without
//! baking any engine under test into the data:
//!
//! - **search** — a plain term match: an item scores the number of distinct
//!   query terms found in its title, brand or category path, ties broken by
//!   sales then id. Each term contributes only its `term_depth` best-selling
//!   items, as a simple shop search over a sales-sorted inverted list would.
//! - **feed** — items drawn without replacement with probability
//!   ∝ (sales + 1)^exponent: a popularity shelf with some exploration.

use std::collections::HashMap;

use rand::RngExt;

use crate::catalog::Catalog;
use crate::ids::ItemId;
use crate::rng::StreamRng;

/// Lower-cased alphanumeric tokens of a text.
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_lowercase)
}

/// The term-match search of the logging policy.
pub struct TermMatchSearch {
    postings: HashMap<String, Vec<ItemId>>,
    sales: Vec<u32>,
}

impl TermMatchSearch {
    /// Indexes the catalogue.
    pub fn new(catalog: &Catalog, term_depth: usize) -> TermMatchSearch {
        let mut postings: HashMap<String, Vec<ItemId>> = HashMap::new();
        for item in &catalog.items {
            let text = [item.title.as_str(), item.brand.as_str(), catalog.category_path(item.leaf)];
            let mut seen: Vec<String> = text.iter().flat_map(|t| tokens(t)).collect();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                postings.entry(t).or_default().push(item.id);
            }
        }
        let sales: Vec<u32> = catalog.items.iter().map(|i| i.sales_count).collect();
        for list in postings.values_mut() {
            list.sort_unstable_by(|a, b| sales[b.index()].cmp(&sales[a.index()]).then(a.cmp(b)));
            list.truncate(term_depth);
        }
        TermMatchSearch { postings, sales }
    }

    /// The top `k` items for a query.
    pub fn search(&self, query: &str, k: usize) -> Vec<ItemId> {
        let mut terms: Vec<String> = tokens(query).collect();
        terms.sort_unstable();
        terms.dedup();
        let mut counts: HashMap<ItemId, u32> = HashMap::new();
        for t in &terms {
            for &item in self.postings.get(t).map(Vec::as_slice).unwrap_or(&[]) {
                *counts.entry(item).or_default() += 1;
            }
        }
        let mut ranked: Vec<(u32, ItemId)> = counts.into_iter().map(|(item, c)| (c, item)).collect();
        let order = |a: &(u32, ItemId), b: &(u32, ItemId)| {
            b.0.cmp(&a.0).then(self.sales[b.1.index()].cmp(&self.sales[a.1.index()])).then(a.1.cmp(&b.1))
        };
        if ranked.len() > k {
            ranked.select_nth_unstable_by(k, order);
            ranked.truncate(k);
        }
        ranked.sort_unstable_by(order);
        ranked.into_iter().map(|(_, item)| item).collect()
    }
}

/// The popularity feed of the logging policy: Walker's alias method, so a draw
/// costs O(1) whatever the catalogue size.
pub struct PopularityFeed {
    probability: Vec<f64>,
    alias: Vec<u32>,
}

impl PopularityFeed {
    /// Builds the sampler over all items.
    pub fn new(catalog: &Catalog, exponent: f64) -> PopularityFeed {
        let weights: Vec<f64> = catalog.items.iter().map(|i| (i.sales_count as f64 + 1.0).powf(exponent)).collect();
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut probability: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| probability[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s] = l as u32;
            probability[l] -= 1.0 - probability[s];
            if probability[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in small.into_iter().chain(large) {
            probability[i] = 1.0; // leftovers are 1 up to rounding
        }
        PopularityFeed { probability, alias }
    }

    /// `k` distinct items (fewer only if the catalogue is smaller).
    pub fn sample(&self, k: usize, rng: &mut StreamRng) -> Vec<ItemId> {
        let n = self.probability.len();
        let k = k.min(n);
        let mut out: Vec<ItemId> = Vec::with_capacity(k);
        // Rejection of repeats, bounded so a tiny, skewed catalogue cannot
        // loop for long; whatever is still missing is filled from a random
        // starting point, so the list always has k distinct items.
        for _ in 0..k * 50 {
            if out.len() == k {
                break;
            }
            let i = rng.random_range(0..n);
            let pick = if rng.random::<f64>() < self.probability[i] { i } else { self.alias[i] as usize };
            let item = ItemId(pick as u32);
            if !out.contains(&item) {
                out.push(item);
            }
        }
        let start = rng.random_range(0..n.max(1));
        for i in (0..n).map(|j| ItemId(((start + j) % n) as u32)) {
            if out.len() == k {
                break;
            }
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LeafId;
    use crate::catalog::Item;
    use crate::rng::{Purpose, stream};

    fn catalog(rows: &[(&str, u32)]) -> Catalog {
        Catalog {
            items: rows
                .iter()
                .enumerate()
                .map(|(i, &(title, sales))| Item {
                    id: ItemId(i as u32),
                    title: title.to_string(),
                    brand: "B".into(),
                    description: String::new(),
                    leaf: LeafId(0),
                    price: 1.0,
                    rating: 4.0,
                    review_count: 1,
                    sales_count: sales,
                })
                .collect(),
            category_paths: vec!["Home > Kitchen > Pans".into()],
        }
    }

    #[test]
    fn term_match_ranks_by_matched_terms_then_sales() {
        let c = catalog(&[("red pan", 5), ("red cast iron pan", 1), ("blue pan", 50), ("red mug", 9)]);
        let s = TermMatchSearch::new(&c, 100);
        assert_eq!(s.search("Red PAN!", 3), vec![ItemId(0), ItemId(1), ItemId(2)]);
        assert!(s.search("zzz", 3).is_empty());
    }

    #[test]
    fn feed_samples_distinct_items_by_popularity() {
        let c = catalog(&[("a", 0), ("b", 1000), ("c", 0), ("d", 0)]);
        let feed = PopularityFeed::new(&c, 1.0);
        let mut first_is_b = 0;
        for i in 0..200 {
            let s = feed.sample(3, &mut stream(3, Purpose::UserLogs, i, 0));
            let mut d = s.clone();
            d.sort();
            d.dedup();
            assert_eq!(d.len(), 3);
            first_is_b += (s[0] == ItemId(1)) as u32;
        }
        assert!(first_is_b > 180, "{first_is_b}");
    }
}
