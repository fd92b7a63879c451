//! Hand-made catalogues, a small generated world and the configs the tests share.

use std::sync::OnceLock;

use searchrec_datasets::{Catalog, Item, ItemId, LeafId, Logs, Scale, Scenario, UserId, UserProfile, World, generate};
use searchrec_engine::{BuildInput, Hit, Result};
use searchrec_shelf::{ShelfConfig, ShelfEngine};

/// One hand-made listing; every item sits in leaf 0, "Home > Cookware".
pub struct Listing<'a> {
    pub title: &'a str,
    pub brand: &'a str,
    pub sales: u32,
    pub rating: f32,
    pub reviews: u32,
}

impl<'a> Listing<'a> {
    /// A listing with 10 sales and a 4-star rating from 10 reviews.
    pub fn new(title: &'a str, brand: &'a str) -> Self {
        Listing { title, brand, sales: 10, rating: 4.0, reviews: 10 }
    }
}

pub fn catalog(listings: &[Listing<'_>]) -> Catalog {
    let items = listings
        .iter()
        .enumerate()
        .map(|(row, l)| Item {
            id: ItemId(row as u32),
            title: l.title.to_string(),
            brand: l.brand.to_string(),
            description: String::new(),
            leaf: LeafId(0),
            price: 10.0,
            rating: l.rating,
            review_count: l.reviews,
            sales_count: l.sales,
        })
        .collect();
    Catalog { items, category_paths: vec!["Home > Cookware".to_string()] }
}

/// Three users, ids 0..3.
pub fn users() -> Vec<UserProfile> {
    (0..3).map(|u| UserProfile { id: UserId(u), age_band: 0, region: 0, tenure_days: 0 }).collect()
}

pub fn try_build(config: &ShelfConfig, catalog: &Catalog) -> Result<ShelfEngine> {
    let (users, logs) = (users(), Logs::default());
    ShelfEngine::build("shelf", config, BuildInput { catalog, users: &users, logs: &logs })
}

pub fn build(config: &ShelfConfig, catalog: &Catalog) -> ShelfEngine {
    try_build(config, catalog).expect("the engine builds")
}

/// Every field weighted 1, no trust prior: tantivy's BM25 summed over fields.
pub fn pure_bm25() -> ShelfConfig {
    ShelfConfig {
        title_boost: 1.0,
        brand_boost: 1.0,
        category_boost: 1.0,
        sales_weight: 0.0,
        rating_weight: 0.0,
        ..ShelfConfig::default()
    }
}

/// A tiny generated world (600 items, 300 users), made once per test binary.
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| generate(&Scenario::preset(Scale::Tiny), 5).expect("the tiny world generates"))
}

pub fn world_input() -> BuildInput<'static> {
    let o = &world().observable;
    BuildInput { catalog: &o.catalog, users: &o.users, logs: &o.logs }
}

pub fn ids(hits: &[Hit]) -> Vec<u32> {
    hits.iter().map(|h| h.item.0).collect()
}
