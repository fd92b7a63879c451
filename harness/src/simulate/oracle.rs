//! The oracle ranker: each channel ranked by expected GMV under the user's true behaviour.
//!
//! The one ranker allowed to read the world's truth (and therefore never an
//! engine, and never offered as one): it knows the need behind a query, the
//! user's latent taste and the behaviour model's click and purchase
//! probabilities, so the GMV it reaches is a ceiling for the channel it
//! serves, against which an arm's uplift is read as a share. `[simulation] oracle = true` adds three
//! arms beside the factorial — the oracle on search, on the feed, on both —
//! each serving its other channel with the `neither` cell's engine.
//!
//! Every list is ranked by each item's expected GMV under the behaviour
//! model — price × click probability × the probability that buying it
//! beats not buying, from the user's true utility without its noise
//! ([`Behaviour::expected_gmv`]): ranking by utility alone would put the
//! cheapest match first and lower GMV. Search ranks the items of the
//! query's product type for the need behind the query. The feed ranks the
//! items of the open needs' product types and of the product types closest
//! to the user's taste, given every open need; like the engines' feeds it
//! leaves out what the user bought and what it showed in the user's last
//! [`REFRESH`] feed sessions. Lists have the arm's length, so users react on
//! the same random numbers as in every other arm. (The ceiling is not a
//! proof of optimality: lists are ranked item by item, ignoring the
//! cascade of examination and the budget.)

use searchrec_datasets::behaviour::{Behaviour, Market, Shopper};
use searchrec_datasets::{ItemId, Need, World};
use searchrec_vectors::dot;

/// Feed lists the oracle's feed refreshes past, like an engine's default
/// `interest.feed.refresh_sessions`.
pub(crate) const REFRESH: usize = 3;

/// Product types closest to a user's taste whose items the oracle's feed
/// ranks besides those of the open needs. Without a need, an item's worth
/// comes from affinity, taste, price and trust, and affinity is mostly the
/// product type's direction, so the best items without a need sit in the
/// nearest types; ranking the whole catalogue per feed session would cost ~40×
/// more for the same lists in all but rare cases.
const TASTE_LEAVES: usize = 8;

/// The items of every product type, for ranking within one.
pub(crate) struct Oracle {
    by_leaf: Vec<Vec<ItemId>>,
}

/// What the oracle needs of one session.
pub(crate) struct Ask<'a> {
    pub shopper: &'a Shopper<'a>,
    pub time: u32,
    pub k: usize,
}

impl Oracle {
    pub fn new(world: &World) -> Oracle {
        let mut by_leaf = vec![Vec::new(); world.taxonomy.leaves.len()];
        for item in &world.observable.catalog.items {
            by_leaf[item.leaf.index()].push(item.id);
        }
        Oracle { by_leaf }
    }

    /// The `k` items of the need's product type worth the most GMV for it,
    /// best first.
    pub fn search(
        &self,
        (market, behaviour): (&Market<'_>, &Behaviour<'_>),
        ask: &Ask<'_>,
        need: &Need,
    ) -> Vec<ItemId> {
        let candidates = self.by_leaf[need.leaf.index()].iter().copied();
        top(candidates, ask.k, |item| {
            behaviour.expected_gmv(market, ask.shopper, item, std::slice::from_ref(need), ask.time)
        })
    }

    /// The `k` items, outside `excluded` (sorted), worth the most GMV given
    /// every open need, best first.
    pub fn feed(
        &self,
        (market, behaviour, world): (&Market<'_>, &Behaviour<'_>, &World),
        ask: &Ask<'_>,
        open: &[Need],
        excluded: &[ItemId],
    ) -> Vec<ItemId> {
        let mut leaves: Vec<usize> = open.iter().map(|n| n.leaf.index()).collect();
        let mut near: Vec<(f32, usize)> =
            (0..self.by_leaf.len()).map(|l| (dot(ask.shopper.vector, world.latent.leaves.row(l)), l)).collect();
        near.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        leaves.extend(near.iter().take(TASTE_LEAVES).map(|&(_, l)| l));
        leaves.sort_unstable();
        leaves.dedup();
        let candidates = leaves
            .iter()
            .flat_map(|&l| self.by_leaf[l].iter().copied())
            .filter(|item| excluded.binary_search(item).is_err());
        top(candidates, ask.k, |item| behaviour.expected_gmv(market, ask.shopper, item, open, ask.time))
    }
}

/// The `k` best of `items` by `score`, best first; ties by item id, so the
/// ranking is a function of the inputs alone.
fn top(items: impl Iterator<Item = ItemId>, k: usize, score: impl Fn(ItemId) -> f64) -> Vec<ItemId> {
    let mut scored: Vec<(f64, ItemId)> = items.map(|item| (score(item), item)).collect();
    scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(k).map(|(_, item)| item).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_ranks_by_score_then_id_and_keeps_k() {
        let items = [ItemId(4), ItemId(1), ItemId(3), ItemId(2)].into_iter();
        let score = |item: ItemId| if item.0 == 3 { 9.0 } else { 1.0 };
        assert_eq!(top(items, 3, score), vec![ItemId(3), ItemId(1), ItemId(2)]);
    }
}
