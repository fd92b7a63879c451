//! Hybrid blends of shelf search and interest recall for searchrec: the
//! engine that makes the "search and recommendation together" claim testable.
//!
//! [`HybridEngine`] builds a shelf engine (tantivy BM25 with a trust prior,
//! `searchrec-shelf`) and an interest engine (embeddings trained from the
//! logs with an hnsw_rs index, `searchrec-interest`) from the same observable
//! data, and couples them in two independently switchable directions — the
//! 2×2 of the synergy experiment:
//!
//! - **A, `personalised_search`** (feed → search): a search by a known user
//!   is blended with that user's interest vector (history plus the context's
//!   recent clicks and purchases), by reciprocal rank fusion, min-max or
//!   z-score normalised linear fusion with the user's ANN recall, or a
//!   personalised rerank of the top shelf candidates ([`Fusion`]).
//! - **B, `query_aware_feed`** (search → feed): the feed's query direction
//!   is shifted towards the items the user's recent queries find on the shelf.
//!
//! With a switch off, the corresponding request kind ignores the context
//! entirely: the same request with or without context gets the same answer.
//! The fusion arithmetic is in [`fusion`], pure functions over hit lists.
//!
//! [`HybridFactory`] registers the engine as kind `"hybrid"`, configured by a
//! [`HybridConfig`] whose `shelf` and `interest` sub-sections are those
//! engines' own configurations.

mod config;
mod engine;
mod factory;
mod feed;
pub mod fusion;
mod intents;
mod search;

pub use config::{BUILD_PATHS, Fusion, HybridConfig};
pub use engine::{HybridEngine, HybridIndex};
pub use factory::HybridFactory;
