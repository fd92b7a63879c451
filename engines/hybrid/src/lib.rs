//! Hybrid blends of shelf search and interest recall for searchrec: the
//! engine that makes the "search and recommendation together" claim testable.
//!
//! [`HybridEngine`] builds a shelf engine (tantivy BM25 with a trust prior,
//! `searchrec-shelf`) and an interest engine (embeddings trained from the
//! logs with an hnsw_rs index, `searchrec-interest`) from the same observable
//! data. Each channel is personalised by the user's long-term profile and
//! its own recent signals (the feed also refreshes past its recent lists),
//! and the two couplings of the synergy experiment's 2×2 each add exactly
//! the other channel's signals:
//!
//! - **A, `personalised_search`** (feed → search): search's taste vector
//!   also reads the feed's recent clicks and purchases. The taste vector is
//!   blended with the shelf ranking by reciprocal rank fusion, min-max or
//!   z-score normalised linear fusion with the user's ANN recall, or a
//!   personalised rerank of the top shelf candidates ([`Fusion`]).
//! - **B, `query_aware_feed`** (search → feed): the feed also reads search's
//!   clicks and purchases, and its query direction is shifted towards the
//!   items of the search results the user saw.
//!
//! With a switch off, the channel never reads the other channel's signals:
//! changing them does not change its answer (tested in `tests/it/coupling.rs`).
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
