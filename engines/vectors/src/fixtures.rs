//! Hand-built clustered worlds for tests (feature `test-fixtures`), until
//! generated worlds are available to engine tests.
//!
//! Items fall into `clusters` leaves; within a leaf, popularity decays like a
//! Zipf law. Every user prefers two leaves and browses them in sessions of
//! impressions, clicks, add-to-carts and purchases, with some noise outside
//! them. The last `cold_items` items and the last `cold_users` users never
//! appear in the logs.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use searchrec_datasets::{Action, Catalog, Channel, Event, Item, ItemId, LeafId, Logs, UserId, UserProfile};
use searchrec_engine::BuildInput;

use crate::seeds::{Purpose, row_rng};

/// The shape of a fixture world.
#[derive(Clone, Debug)]
pub struct FixtureSpec {
    /// Catalogue size.
    pub items: usize,
    /// User table size.
    pub users: usize,
    /// Leaves, i.e. interest clusters.
    pub clusters: usize,
    /// Sessions per user with a history.
    pub sessions: usize,
    /// Items (the highest ids) that never appear in the logs.
    pub cold_items: usize,
    /// Users (the highest ids) without any logged event.
    pub cold_users: usize,
    /// Remove each user's last purchase from the logs into [`Fixture::held_out`].
    pub hold_out_last_purchase: bool,
    /// Seed of all draws.
    pub seed: u64,
}

impl Default for FixtureSpec {
    fn default() -> Self {
        FixtureSpec {
            items: 400,
            users: 300,
            clusters: 12,
            sessions: 6,
            cold_items: 10,
            cold_users: 5,
            hold_out_last_purchase: false,
            seed: 1,
        }
    }
}

/// A fixture world: the observable tables, plus purchases held out of the logs.
#[derive(Clone, Debug)]
pub struct Fixture {
    /// The catalogue; item `i` is in leaf `i % clusters`.
    pub catalog: Catalog,
    /// The user table.
    pub users: Vec<UserProfile>,
    /// The logs.
    pub logs: Logs,
    /// Purchases removed from the logs, at most one per user.
    pub held_out: Vec<(UserId, ItemId)>,
}

impl Fixture {
    /// What an engine factory receives.
    pub fn input(&self) -> BuildInput<'_> {
        BuildInput { catalog: &self.catalog, users: &self.users, logs: &self.logs }
    }
}

/// Builds a clustered fixture world.
pub fn clustered(spec: &FixtureSpec) -> Fixture {
    let clusters = spec.clusters.max(1);
    let items: Vec<Item> = (0..spec.items)
        .map(|i| Item {
            id: ItemId(i as u32),
            title: format!("item {i}"),
            brand: format!("brand {}", i % 7),
            description: String::new(),
            leaf: LeafId((i % clusters) as u16),
            price: 10.0 + (i % 13) as f32,
            rating: 4.0,
            review_count: 10,
            sales_count: 100,
        })
        .collect();
    let catalog = Catalog { items, category_paths: (0..clusters).map(|c| format!("Top > Leaf {c}")).collect() };
    let users: Vec<UserProfile> = (0..spec.users)
        .map(|u| UserProfile { id: UserId(u as u32), age_band: (u % 6) as u8, region: 0, tenure_days: 100 })
        .collect();
    let warm_items = spec.items.saturating_sub(spec.cold_items);
    // Zipf-like weight by rank within the leaf.
    let by_leaf: Vec<Vec<(u32, f64)>> = (0..clusters)
        .map(|c| {
            (c..warm_items)
                .step_by(clusters)
                .map(|i| (i as u32, 1.0 / ((i / clusters) as f64 + 1.0).powf(0.8)))
                .collect()
        })
        .collect();
    let mut events = Vec::new();
    let mut queries = Vec::new();
    let mut held_out = Vec::new();
    let mut session = 0u32;
    for u in 0..spec.users.saturating_sub(spec.cold_users) {
        let mut rng = row_rng(spec.seed, Purpose::Fixture, u);
        let homes = [u % clusters, (u * 7 + 3) % clusters];
        let first_event = events.len();
        let mut time = 0u32;
        for s in 0..spec.sessions {
            let roll: f64 = rng.random();
            let leaf = if roll < 0.6 {
                homes[0]
            } else if roll < 0.9 {
                homes[1]
            } else {
                rng.random_range(0..clusters)
            };
            let channel = if s % 2 == 0 { Channel::Search } else { Channel::Feed };
            let query = (channel == Channel::Search).then(|| {
                queries.push(format!("leaf {leaf}"));
                (queries.len() - 1) as u32
            });
            let mut push = |action, item: Option<u32>, position, time: &mut u32| {
                *time += 1;
                events.push(Event {
                    time: *time,
                    user: UserId(u as u32),
                    session,
                    channel,
                    action,
                    item: item.map(ItemId),
                    position,
                    query,
                });
            };
            if query.is_some() {
                push(Action::Search, None, None, &mut time);
            }
            for position in 1..=5u16 {
                let Some(item) = pick(&mut rng, &by_leaf[leaf]) else { continue };
                push(Action::Impression, Some(item), Some(position), &mut time);
                if rng.random::<f64>() < 0.35 {
                    push(Action::Click, Some(item), Some(position), &mut time);
                    if rng.random::<f64>() < 0.4 {
                        push(Action::AddToCart, Some(item), Some(position), &mut time);
                        if rng.random::<f64>() < 0.6 {
                            push(Action::Purchase, Some(item), Some(position), &mut time);
                        }
                    }
                }
            }
            session += 1;
        }
        if spec.hold_out_last_purchase
            && let Some(last) = events[first_event..].iter().rposition(|e| e.action == Action::Purchase)
        {
            // The whole interaction goes, not only the purchase: a click left
            // behind would make the held-out item trivially predictable.
            let bought = events[first_event + last].clone();
            let same =
                |e: &Event| e.session == bought.session && e.item == bought.item && e.action != Action::Impression;
            let mut tail = events.split_off(first_event);
            tail.retain(|e| !same(e));
            events.extend(tail);
            if let Some(item) = bought.item {
                held_out.push((bought.user, item));
            }
        }
    }
    Fixture { catalog, users, logs: Logs { events, queries }, held_out }
}

/// A draw proportional to the weights, or `None` from an empty list.
fn pick(rng: &mut ChaCha8Rng, weighted: &[(u32, f64)]) -> Option<u32> {
    let total: f64 = weighted.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for &(item, w) in weighted {
        if x < w {
            return Some(item);
        }
        x -= w;
    }
    weighted.last().map(|&(item, _)| item)
}
