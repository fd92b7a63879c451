//! The behaviour model: how a user reacts to a shown list.
//!
//! One model writes the historical logs and drives the GMV simulator, so what
//! engines learn from and what they are judged by come from the same user:
//!
//! 1. **Examination** — rank r (from 1) is looked at with probability 1 / r^η.
//! 2. **Click** on an examined item — σ(a·match + b·⟨θ_u, φ_i⟩ + c·trust_i − d),
//!    with match = 1 / 0.5 / 0 when the item is Exact / Substitute / neither
//!    for one of the user's open needs.
//! 3. **Seeding** (feed only) — a clicked item whose leaf no open need covers
//!    opens a new need with probability σ(s·⟨θ_u, φ_i⟩ − s₀): the touchpoint
//!    creates demand. The seeded need counts as open for step 4, so it can
//!    convert at once.
//! 4. **Purchase** among the clicked items — multinomial logit with a
//!    no-purchase option: U_i = β_m·match + β_a·⟨θ_u, φ_i⟩ − λ_u·ln(price_i /
//!    median price of its leaf) + β_t·trust_i + Gumbel, U_0 = u₀ + Gumbel. Price
//!    enters relative to the leaf's median because a buyer compares a pan's
//!    price with pans, not with televisions. A purchase closes the need it
//!    matched best.
//! 5. **Cart** — the bought item is carted; other clicked items are carted and
//!    abandoned with a fixed probability.

use rand::RngExt;

use crate::catalog::Catalog;
use crate::ids::{ItemId, NeedId, UserId};
use crate::judgements::{Grade, grade};
use crate::latent::dot;
use crate::logs::Channel;
use crate::rng::StreamRng;
use crate::scenario::{BehaviourParams, NeedParams};
use crate::taxonomy::{Dimension, Taxonomy};
use crate::truth::{Attributes, ItemTruth, Need, NeedOrigin, UserTruth, Vectors};

/// Everything about the items that the behaviour model reads, with the
/// per-item quantities it needs precomputed.
pub struct Market<'w> {
    taxonomy: &'w Taxonomy,
    catalog: &'w Catalog,
    items: &'w [ItemTruth],
    vectors: &'w Vectors,
    trust: Vec<f32>,
    leaf_ln_median: Vec<f32>,
}

impl<'w> Market<'w> {
    /// Precomputes trust and leaf median prices.
    pub fn new(
        taxonomy: &'w Taxonomy,
        catalog: &'w Catalog,
        items: &'w [ItemTruth],
        vectors: &'w Vectors,
        params: &BehaviourParams,
    ) -> Market<'w> {
        let sales_ref = (1.0 + params.trust_sales_reference).ln();
        let trust = catalog
            .items
            .iter()
            .map(|item| {
                let rating = if item.review_count > 0 { (item.rating as f64 - 1.0) / 4.0 } else { 0.5 };
                let sales = ((1.0 + item.sales_count as f64).ln() / sales_ref).min(1.0);
                (0.5 * rating + 0.5 * sales) as f32
            })
            .collect();
        let leaf_ln_median = taxonomy.leaves.iter().map(|l| l.price_median.ln() as f32).collect();
        Market { taxonomy, catalog, items, vectors, trust, leaf_ln_median }
    }

    /// Trust in `[0, 1]` from rating and sales.
    pub fn trust(&self, item: ItemId) -> f32 {
        self.trust[item.index()]
    }

    /// Latent affinity ⟨θ_u, φ_i⟩ in `[-1, 1]`.
    pub fn affinity(&self, user_vector: &[f32], item: ItemId) -> f32 {
        dot(user_vector, self.vectors.row(item.index()))
    }

    /// The best match of an item against a set of needs (1 Exact, 0.5
    /// Substitute, 0 otherwise) and which need gave it.
    pub fn best_match<'n>(&self, item: ItemId, needs: impl Iterator<Item = &'n Need>) -> (f32, Option<usize>) {
        let leaf = self.catalog.item(item).leaf;
        let truth = &self.items[item.index()];
        let mut best = (0.0, None);
        for (i, need) in needs.enumerate() {
            if need.leaf != leaf {
                continue;
            }
            let m = match grade(self.taxonomy, need, leaf, truth) {
                Grade::Exact => 1.0,
                Grade::Substitute => 0.5,
                _ => 0.0,
            };
            if m > best.0 {
                best = (m, Some(i));
            }
        }
        best
    }
}

/// The user side of a reaction.
pub struct Shopper<'a> {
    /// Who.
    pub user: UserId,
    /// θ_u.
    pub vector: &'a [f32],
    /// λ_u and the rest.
    pub truth: &'a UserTruth,
}

/// A list put in front of a user.
#[derive(Clone, Copy, Debug)]
pub struct Shown<'a> {
    /// The items, best first.
    pub items: &'a [ItemId],
    /// The surface showing them; only the feed seeds needs.
    pub channel: Channel,
    /// Second at which it is shown.
    pub time: u32,
}

/// What a user did with one shown list. Positions are 0-based indices into
/// the list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reaction {
    /// Examined positions, ascending.
    pub examined: Vec<usize>,
    /// Clicked positions, ascending.
    pub clicked: Vec<usize>,
    /// Carted positions, ascending (includes the purchase).
    pub carted: Vec<usize>,
    /// The bought position, if any.
    pub purchased: Option<usize>,
    /// Needs the feed seeded (ids unassigned: `NeedId(0)`).
    pub seeded: Vec<Need>,
    /// The need the purchase closed: an index into the open needs followed by `seeded`.
    pub closes: Option<usize>,
}

/// The behaviour model with its parameters.
#[derive(Clone, Copy)]
pub struct Behaviour<'p> {
    /// Click, purchase and seeding weights.
    pub params: &'p BehaviourParams,
    /// How seeded needs pick their attributes and brand.
    pub needs: &'p NeedParams,
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn gumbel(rng: &mut StreamRng) -> f64 {
    let u: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
    -(-u.ln()).ln()
}

impl Behaviour<'_> {
    /// How `shopper`, with `open` needs, reacts at second `time` to `shown`.
    /// Draws are taken from `rng` in a fixed order (examination per rank,
    /// then clicks, seeding, purchase noise, carts), so two lists of the same
    /// length see the same coin flips.
    pub fn react(
        &self,
        market: &Market<'_>,
        shopper: &Shopper<'_>,
        list: &Shown<'_>,
        open: &[Need],
        rng: &mut StreamRng,
    ) -> Reaction {
        let Shown { items: shown, channel, time } = *list;
        let p = self.params;
        let mut reaction = Reaction::default();
        for (pos, _) in shown.iter().enumerate() {
            let examine = 1.0 / ((pos + 1) as f64).powf(p.examination_eta);
            if rng.random::<f64>() < examine {
                reaction.examined.push(pos);
            }
        }
        for &pos in &reaction.examined {
            let item = shown[pos];
            let (m, _) = market.best_match(item, open.iter());
            let logit = p.click_match * m as f64
                + p.click_affinity * market.affinity(shopper.vector, item) as f64
                + p.click_trust * market.trust(item) as f64
                - p.click_offset;
            if rng.random::<f64>() < sigmoid(logit) {
                reaction.clicked.push(pos);
            }
        }
        if channel == Channel::Feed {
            for &pos in &reaction.clicked {
                let item = shown[pos];
                let leaf = market.catalog.item(item).leaf;
                let covered = open.iter().chain(&reaction.seeded).any(|n| n.leaf == leaf);
                let chance = sigmoid(p.seed_slope * market.affinity(shopper.vector, item) as f64 - p.seed_offset);
                let draw = rng.random::<f64>();
                if !covered && draw < chance {
                    reaction.seeded.push(self.seeded_need(market, shopper.user, item, time, rng));
                }
            }
        }
        let mut best: Option<(f64, usize, Option<usize>)> = None;
        let no_purchase = p.no_purchase_utility + gumbel(rng);
        for &pos in &reaction.clicked {
            let item = shown[pos];
            let (m, need) = market.best_match(item, open.iter().chain(&reaction.seeded));
            let listing = market.catalog.item(item);
            let relative_price = (listing.price as f64).ln() - market.leaf_ln_median[listing.leaf.index()] as f64;
            let utility = p.buy_match * m as f64 + p.buy_affinity * market.affinity(shopper.vector, item) as f64
                - shopper.truth.price_sensitivity as f64 * relative_price
                + p.buy_trust * market.trust(item) as f64
                + gumbel(rng);
            if utility > no_purchase && best.is_none_or(|(u, ..)| utility > u) {
                best = Some((utility, pos, need));
            }
        }
        if let Some((_, pos, need)) = best {
            reaction.purchased = Some(pos);
            reaction.closes = need;
        }
        for &pos in &reaction.clicked {
            if Some(pos) == reaction.purchased || rng.random::<f64>() < p.cart_abandon {
                reaction.carted.push(pos);
            }
        }
        reaction
    }

    /// The need a seen item opens: its leaf, some of its attributes, maybe its brand.
    fn seeded_need(&self, market: &Market<'_>, user: UserId, item: ItemId, time: u32, rng: &mut StreamRng) -> Need {
        let truth = &market.items[item.index()];
        let mut attributes = Attributes::EMPTY;
        for d in Dimension::ALL {
            if let Some(v) = truth.attributes.get(d)
                && rng.random::<f64>() < self.needs.want_attribute
            {
                attributes.0[d as usize] = v;
            }
        }
        let brand = (rng.random::<f64>() < self.needs.seeded_brand).then_some(truth.brand);
        Need {
            id: NeedId(0),
            user,
            leaf: market.catalog.item(item).leaf,
            attributes,
            brand,
            origin: NeedOrigin::Seeded(item),
            opened: time,
            closed: None,
            bought: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Item;
    use crate::ids::LeafId;
    use crate::rng::{Purpose, stream};
    use crate::scenario::Scenario;
    use crate::truth::Persona;

    const TAXONOMY: &str = r#"
        [synonyms]
        [[top]]
        name = "Home"
        vague = ["home stuff"]
        brands = ["Acme", "Bolt"]
        [[top.leaf]]
        name = "Mugs"
        group = "Kitchen"
        nouns = ["mug", "cup"]
        price_median = 10.0
        price_spread = 0.3
        complements = []
        fillers = []
        [top.leaf.attributes]
        colour = ["red", "blue"]
    "#;

    /// Two mugs with identical latent vectors, trust and leaf.
    fn world(prices: [f32; 2], colours: [u8; 2]) -> (Taxonomy, Catalog, Vec<ItemTruth>, Vectors) {
        let taxonomy = Taxonomy::parse(TAXONOMY).unwrap();
        let item = |i: u32| Item {
            id: ItemId(i),
            title: "acme mug".into(),
            brand: "Acme".into(),
            leaf: LeafId(0),
            price: prices[i as usize],
            rating: 4.0,
            review_count: 10,
            sales_count: 100,
        };
        let catalog = Catalog { items: vec![item(0), item(1)], category_paths: vec!["Home > Kitchen > Mugs".into()] };
        let truth = (0..2)
            .map(|i| ItemTruth {
                quality: 0.5,
                attributes: Attributes([colours[i], Attributes::NONE, Attributes::NONE, Attributes::NONE]),
                brand: 0,
                noun: 0,
            })
            .collect();
        (taxonomy, catalog, truth, Vectors { dim: 2, data: vec![1.0, 0.0, 1.0, 0.0] })
    }

    /// How often each of the two items is bought when both are shown to a
    /// user who examines and clicks everything (a huge click bias).
    fn purchase_counts(prices: [f32; 2], colours: [u8; 2], need: Option<Need>) -> [u32; 2] {
        let (taxonomy, catalog, items, vectors) = world(prices, colours);
        let mut scenario = Scenario::default();
        scenario.behaviour.click_offset = -50.0;
        scenario.behaviour.examination_eta = 0.0;
        let market = Market::new(&taxonomy, &catalog, &items, &vectors, &scenario.behaviour);
        let behaviour = Behaviour { params: &scenario.behaviour, needs: &scenario.needs };
        let truth = UserTruth {
            price_sensitivity: 2.0,
            activity: 1.0,
            persona: Persona { shelf: 0.5, interest: 0.5, social: 0.0 },
        };
        let shopper = Shopper { user: UserId(0), vector: &[0.0, 1.0], truth: &truth };
        let open: Vec<Need> = need.into_iter().collect();
        let mut counts = [0; 2];
        for i in 0..4000 {
            let mut rng = stream(1, Purpose::Simulation, i, 0);
            let shown = Shown { items: &[ItemId(0), ItemId(1)], channel: Channel::Search, time: 0 };
            let r = behaviour.react(&market, &shopper, &shown, &open, &mut rng);
            assert_eq!(r.clicked, vec![0, 1]);
            if let Some(p) = r.purchased {
                counts[p] += 1;
            }
        }
        counts
    }

    fn red_mug_need() -> Need {
        Need {
            id: NeedId(0),
            user: UserId(0),
            leaf: LeafId(0),
            attributes: Attributes([0, Attributes::NONE, Attributes::NONE, Attributes::NONE]),
            brand: None,
            origin: NeedOrigin::Organic,
            opened: 0,
            closed: None,
            bought: None,
        }
    }

    #[test]
    fn cheaper_item_is_bought_more_often() {
        let [cheap, dear] = purchase_counts([8.0, 12.0], [0, 0], Some(red_mug_need()));
        assert!(cheap > dear * 3 / 2, "cheap {cheap} vs dear {dear}");
    }

    #[test]
    fn item_matching_the_need_is_bought_more_often() {
        let [red, blue] = purchase_counts([10.0, 10.0], [0, 1], Some(red_mug_need()));
        assert!(red > blue * 2, "exact {red} vs substitute {blue}");
    }

    #[test]
    fn a_need_raises_conversion() {
        let with: u32 = purchase_counts([10.0, 10.0], [0, 0], Some(red_mug_need())).iter().sum();
        let without: u32 = purchase_counts([10.0, 10.0], [0, 0], None).iter().sum();
        assert!(with * 2 > without * 3, "with need {with}, without {without}");
    }
}
