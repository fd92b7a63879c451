//! The `exact` engine: the interest model's feed answered by brute force.

use std::sync::Arc;
use std::time::Instant;

use searchrec_engine::{
    BuildInput, Capabilities, Engine, EngineError, EngineReport, FeedRequest, Hit, Result, SearchRequest, check_user,
};
use searchrec_interest::{EmbeddingConfig, FeedConfig, InterestError, InterestModel, VectorTable};
use serde::Deserialize;

use crate::ExactIndex;

/// Everything the `exact` engine kind reads from its `params` table: the
/// `embedding` and `feed` sections of the interest engine. With the same
/// sections (same seed) it trains bit-identical vectors, so its answers are
/// the ground truth for that interest engine's ANN recall.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ExactConfig {
    /// Embedding training, as for the interest engine.
    pub embedding: EmbeddingConfig,
    /// Query construction, as for the interest engine.
    pub feed: FeedConfig,
}

/// The interest model with exact top-k search instead of an ANN index.
#[derive(Debug)]
pub struct ExactEngine {
    name: String,
    model: InterestModel,
    index: ExactIndex,
    report: EngineReport,
}

impl ExactEngine {
    /// The feed only, as the interest engine.
    pub const CAPABILITIES: Capabilities =
        Capabilities { search: false, recommend: true, personalised_search: false, query_aware_feed: false };

    /// Trains the model and indexes its item table.
    pub fn build(name: &str, config: &ExactConfig, input: BuildInput<'_>) -> Result<Self> {
        let fail = |e: InterestError| e.into_engine(name);
        let start = Instant::now();
        let model = InterestModel::build(input, &config.embedding, &config.feed).map_err(fail)?;
        let index = ExactIndex::new(Arc::clone(model.item_table())).map_err(fail)?;
        let report = EngineReport {
            build_seconds: start.elapsed().as_secs_f64(),
            // The index shares the model's table and adds its transposed copy.
            memory_bytes: model.memory_bytes() + index.memory_bytes(),
            diagnostics: model.stats().diagnostics(),
        };
        Ok(ExactEngine { name: name.to_string(), model, index, report })
    }

    /// The trained model.
    pub fn model(&self) -> &InterestModel {
        &self.model
    }

    /// The exact index over the model's item table.
    pub fn index(&self) -> &ExactIndex {
        &self.index
    }

    /// The unit-length item table searched.
    pub fn item_table(&self) -> &Arc<VectorTable> {
        self.model.item_table()
    }

    /// The query vector a feed request is answered with.
    pub fn user_vector(&self, request: &FeedRequest<'_>) -> Result<Vec<f32>> {
        self.model.user_vector(request).map(|(q, _)| q).map_err(|e| e.into_engine(&self.name))
    }

    /// Exact top-`k` for any query vector. No exclusions.
    pub fn search_vector(&self, query: &[f32], k: usize) -> Result<Vec<Hit>> {
        self.index.search(query, k).map_err(|e| e.into_engine(&self.name))
    }
}

impl Engine for ExactEngine {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> Capabilities {
        ExactEngine::CAPABILITIES
    }

    fn search(&self, _request: &SearchRequest<'_>) -> Result<Vec<Hit>> {
        Err(EngineError::Unsupported { engine: self.name.clone(), operation: "search" })
    }

    fn recommend(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>> {
        request.validate(&self.name)?;
        check_user(&self.name, request.user, self.model.users())?;
        self.model
            .recommend_with(request, |query, n| self.index.search(query, n))
            .map_err(|e| e.into_engine(&self.name))
    }

    fn report(&self) -> EngineReport {
        self.report.clone()
    }
}
