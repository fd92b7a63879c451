//! Shelf search for searchrec: people find goods by typing.
//!
//! [`ShelfEngine`] indexes the catalogue with tantivy — title, brand,
//! category path and description (real data's listing text or document
//! body; empty in generated worlds) as separate BM25 fields with their own
//! boosts, English
//! stemming by default — and multiplies each match's BM25 score by a trust
//! prior from sales and rating kept in fast fields:
//!
//! ```text
//! score = bm25 · (1 + w_s · ln(1 + sales) / ln(1 + max_sales) + w_r · (rating − 1) / 4)
//! ```
//!
//! With `w_s = w_r = 0` it is pure BM25 (tantivy's: k1 = 1.2, b = 0.75,
//! idf = ln(1 + (N − n + 0.5) / (n + 0.5))). Query text is never parsed as a
//! query language: it goes through the index's analyzer and becomes a
//! disjunction of term queries, so any text a user can type is answered. Its
//! feed ([`searchrec_engine::Engine::recommend`]) is the catalogue by sales,
//! the same for everyone: the baseline a personalised feed must beat.
//!
//! [`ShelfFactory`] registers the engine as kind `"shelf"`, configured by a
//! [`ShelfConfig`].

mod config;
mod engine;
mod factory;
mod feed;
mod index;
mod prior;
mod query;

pub use config::{BUILD_PATHS, ShelfConfig};
pub use engine::{ShelfEngine, ShelfIndex};
pub use factory::ShelfFactory;
