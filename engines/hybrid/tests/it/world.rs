//! The test world: the interest crate's clustered fixture (users who favour
//! two leaves, logs of sessions in them), retitled so that shelf search has
//! something to find. Item `i` is in leaf `i % 12`; each leaf has its own
//! product word, and leaves 0 (lamps) and 5 (mugs) share the word "desk", so
//! the query "desk" matches two tastes equally well lexically.

use std::sync::OnceLock;

use searchrec_datasets::ItemId;
use searchrec_engine::Hit;
use searchrec_hybrid::{HybridConfig, HybridEngine};
use searchrec_vectors::fixtures::{Fixture, FixtureSpec, clustered};

/// The product word of each leaf.
pub const WORDS: [&str; 12] =
    ["lamp", "kettle", "scarf", "boot", "leash", "mug", "pillow", "drill", "tent", "camera", "guitar", "soap"];

/// User 0 favours leaves 0 (lamps) and 3; user 5 favours leaves 5 (mugs) and 2
/// (the fixture's homes are `u % 12` and `(7u + 3) % 12`).
pub const LAMP_FAN: u32 = 0;
pub const MUG_FAN: u32 = 5;

pub fn world() -> &'static Fixture {
    static WORLD: OnceLock<Fixture> = OnceLock::new();
    WORLD.get_or_init(|| {
        let mut fixture = clustered(&FixtureSpec::default());
        for item in &mut fixture.catalog.items {
            let leaf = item.leaf.index();
            let shared = if leaf == 0 || leaf == 5 { "desk" } else { "home" };
            // Varying lengths and sales spread BM25 and the trust prior, so
            // the lexical scores are not one big tie.
            let filler = ["", " classic", " classic edition"][item.id.index() / WORDS.len() % 3];
            item.title = format!("{shared} {}{filler}", WORDS[leaf]);
            item.sales_count = 20 + (item.id.0 * 37) % 300;
        }
        fixture
    })
}

pub fn leaf(item: ItemId) -> usize {
    item.index() % WORDS.len()
}

/// How many hits are in `leaf_index`.
pub fn count_in(hits: &[Hit], leaf_index: usize) -> usize {
    hits.iter().filter(|h| leaf(h.item) == leaf_index).count()
}

pub fn build(config: &HybridConfig) -> HybridEngine {
    HybridEngine::build("hybrid", config, world().input()).expect("the fixture world builds")
}

/// The engine of one arm of the 2×2 (A = personalised search, B =
/// query-aware feed) with otherwise default parameters, built once.
pub fn arm(a: bool, b: bool) -> &'static HybridEngine {
    static ARMS: [OnceLock<HybridEngine>; 4] = [const { OnceLock::new() }; 4];
    ARMS[usize::from(a) * 2 + usize::from(b)]
        .get_or_init(|| build(&HybridConfig { personalised_search: a, query_aware_feed: b, ..HybridConfig::default() }))
}

/// [`arm`] with search's rerank also reading clicks item by item
/// (`revisit_weight` 1), built once.
pub fn revisiting_arm(a: bool, b: bool) -> &'static HybridEngine {
    static ARMS: [OnceLock<HybridEngine>; 4] = [const { OnceLock::new() }; 4];
    ARMS[usize::from(a) * 2 + usize::from(b)].get_or_init(|| {
        build(&HybridConfig {
            personalised_search: a,
            query_aware_feed: b,
            revisit_weight: 1.0,
            ..HybridConfig::default()
        })
    })
}
