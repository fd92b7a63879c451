//! Exact nearest neighbours for searchrec: the interest engine's model
//! answered by brute-force inner-product top-k — the ground truth for ANN
//! recall and the upper line of recall–QPS plots.
//!
//! Kind `"exact"` ([`ExactFactory`]) reads the interest engine's
//! `embedding` and `feed` sections and builds its index with the `exact`
//! backend (`searchrec_vectors::ExactIndex`: a blocked scan of transposed
//! panels whose scores are bit-identical to `searchrec_vectors::dot`). With
//! the same sections it trains bit-identical vectors, so its answers are the
//! ground truth for that interest engine's ANN recall; an interest engine's
//! own exact twin (`Engine::exact_twin`) needs no second training at all.

mod factory;

use searchrec_engine::{BuildInput, Result};
use searchrec_interest::{FeedConfig, InterestConfig, InterestEngine};
use searchrec_vectors::{AnnBackend, EmbeddingConfig};
use serde::Deserialize;

pub use factory::ExactFactory;

/// Everything the `exact` engine kind reads from its `params` table: the
/// `embedding` and `feed` sections of the interest engine.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ExactConfig {
    /// Embedding training, as for the interest engine.
    pub embedding: EmbeddingConfig,
    /// Query construction, as for the interest engine.
    pub feed: FeedConfig,
}

impl ExactConfig {
    /// The interest configuration with the exact backend.
    pub fn interest(&self) -> InterestConfig {
        InterestConfig {
            embedding: self.embedding.clone(),
            feed: self.feed.clone(),
            index: AnnBackend::Exact,
            ..InterestConfig::default()
        }
    }

    /// Trains the model and answers with an exact scan of its item table.
    pub fn build(&self, name: &str, input: BuildInput<'_>) -> Result<InterestEngine> {
        InterestEngine::build(name, &self.interest(), input)
    }
}

/// The parameter paths that shape an exact index: the training and the
/// searchable table.
pub const BUILD_PATHS: &[&str] = &["embedding", "feed.item_norm_exponent"];
