//! The popularity feed: the same best sellers for everyone.

use searchrec_datasets::{Catalog, ItemId};
use searchrec_engine::{Hit, sort_hits};

/// The whole catalogue in feed order: sales descending, then the prior's
/// rating descending (so an unrated item sits where `unrated_rating` puts
/// it), then item id ascending.
pub(crate) struct PopularityFeed {
    order: Vec<ItemId>,
}

impl PopularityFeed {
    /// Ranks the catalogue once; `ratings[i]` is the prior's rating of item `i`
    /// and must be finite.
    pub(crate) fn new(catalog: &Catalog, ratings: &[f64]) -> PopularityFeed {
        let mut rows: Vec<usize> = (0..catalog.items.len()).collect();
        rows.sort_unstable_by(|&a, &b| {
            let (x, y) = (&catalog.items[a], &catalog.items[b]);
            y.sales_count.cmp(&x.sales_count).then(ratings[b].total_cmp(&ratings[a])).then(x.id.cmp(&y.id))
        });
        PopularityFeed { order: rows.into_iter().map(|row| catalog.items[row].id).collect() }
    }

    /// The first `k` items. The score is the item's popularity percentile,
    /// `(n − rank) / n` with rank from 0: in `(0, 1]`, and strictly decreasing
    /// down the list (so the rank order is also the score order) for
    /// catalogues below 2^24 items, where f32 still tells the steps apart.
    pub(crate) fn top(&self, k: usize) -> Vec<Hit> {
        let n = self.order.len() as f64;
        let mut hits: Vec<Hit> = self
            .order
            .iter()
            .take(k)
            .enumerate()
            .map(|(rank, &item)| Hit { item, score: ((n - rank as f64) / n) as f32 })
            .collect();
        // Only reorders anything past 2^24 items, where neighbouring
        // percentiles round to one f32 and the contract wants ties by id.
        sort_hits(&mut hits);
        hits
    }

    /// Bytes held.
    pub(crate) fn bytes(&self) -> u64 {
        (self.order.len() * size_of::<ItemId>()) as u64
    }
}
