//! Interest recall for searchrec: "goods find people".
//!
//! Embeddings are trained from the observable logs only — clicks,
//! add-to-carts and purchases as implicit feedback of configurable strength,
//! impressions as mere exposure — by implicit-feedback ALS ([`train`]). Items
//! the logs never mention borrow their leaf's mean vector. Item vectors are
//! mapped to unit length ([`index_table`], dot or cosine scoring) and indexed
//! with hnsw_rs ([`HnswIndex`]), whose reachability — the share of items
//! found by searching their own vector — is measured after every build.
//!
//! A feed request becomes a query vector in [`InterestModel::user_vector`]:
//! the trained user factor, mixed with the request context (recent clicks
//! and purchases from search) when there is one, falling back to the context
//! alone or to the popularity direction. [`InterestEngine`] answers it with
//! the ANN index; the `searchrec-exact` crate reuses [`InterestModel`] to
//! answer the same question exactly, as the ground truth for ANN recall.
//!
//! Everything is deterministic for a given seed and thread count-independent,
//! except the opt-in `hnsw.parallel_build`.

mod cold;
mod config;
mod engine;
mod error;
mod factory;
#[cfg(any(test, feature = "test-fixtures"))]
pub mod fixtures;
mod index;
mod interactions;
mod linalg;
mod model;
mod seeds;
mod space;
mod train;
mod vectors;

pub use config::{EmbeddingConfig, FeedConfig, HnswConfig, InterestConfig, Scoring, Solver};
pub use engine::InterestEngine;
pub use error::InterestError;
pub use factory::InterestFactory;
pub use index::{HnswIndex, Reachability, UnitDot};
pub use interactions::{Csr, Interactions};
pub use model::{InterestModel, ModelStats, QuerySource};
pub use space::{index_table, query_vector};
pub use train::{Embeddings, Training, loss, train};
pub use vectors::{LANES, VectorTable, check_query, dot, norm, normalized, reduce_lanes};
