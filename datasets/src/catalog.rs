//! The observable catalogue: what a shop shows about each item.

use crate::ids::{ItemId, LeafId};

/// One item as the shop lists it. Nothing here is latent: an engine may read
/// every field.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Dense id, equal to the item's row in [`Catalog::items`].
    pub id: ItemId,
    /// Listing title, e.g. `"Acme red cotton hoodie slim fit"`.
    pub title: String,
    /// Brand name as printed on the listing.
    pub brand: String,
    /// The rest of the listing's text (colour, bullet points, description)
    /// that real catalogues carry; empty in generated worlds, whose items
    /// say everything in the title (so world folders do not store it).
    pub description: String,
    /// Leaf category; its path is [`Catalog::category_path`].
    pub leaf: LeafId,
    /// Price in the world's currency unit, always positive and finite.
    pub price: f32,
    /// Mean star rating in `[1, 5]`; `0` when the item has no reviews.
    pub rating: f32,
    /// Number of reviews behind `rating`.
    pub review_count: u32,
    /// All-time units sold before the logged period.
    pub sales_count: u32,
}

/// The catalogue: items plus the category path of every leaf.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Catalog {
    /// Items, indexed by [`ItemId`].
    pub items: Vec<Item>,
    /// Human-readable path of each leaf (`"Home > Kitchen > Cookware"`), indexed by [`LeafId`].
    pub category_paths: Vec<String>,
}

impl Catalog {
    /// The item with this id. Panics on an id from another world, which is a
    /// programming error rather than bad input.
    pub fn item(&self, id: ItemId) -> &Item {
        &self.items[id.index()]
    }

    /// The category path of a leaf.
    pub fn category_path(&self, leaf: LeafId) -> &str {
        &self.category_paths[leaf.index()]
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when the catalogue has no items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
