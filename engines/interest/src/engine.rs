//! The `interest` engine: the model's query vectors answered by the HNSW index.

use std::sync::Arc;
use std::time::Instant;

use searchrec_engine::{
    BuildInput, Capabilities, Engine, EngineError, EngineReport, FeedRequest, Hit, Result, SearchRequest, check_user,
};

use crate::index::{HnswIndex, Reachability};
use crate::model::InterestModel;
use crate::vectors::VectorTable;
use crate::{InterestConfig, InterestError};

/// Interest recall: learned embeddings, an hnsw_rs index, and a feed query
/// from the user's history plus the request's search context.
#[derive(Debug)]
pub struct InterestEngine {
    name: String,
    config: InterestConfig,
    model: InterestModel,
    index: HnswIndex,
    reachability: Reachability,
    report: EngineReport,
}

impl InterestEngine {
    /// The feed only. It reads the context's clicks and purchases, never its
    /// query text, which is what `query_aware_feed` describes.
    pub const CAPABILITIES: Capabilities =
        Capabilities { search: false, recommend: true, personalised_search: false, query_aware_feed: false };

    /// Trains, indexes and measures reachability (at `hnsw.ef_search`).
    pub fn build(name: &str, config: &InterestConfig, input: BuildInput<'_>) -> Result<Self> {
        let fail = |e: InterestError| e.into_engine(name);
        config.validate().map_err(fail)?;
        let start = Instant::now();
        let model = InterestModel::build(input, &config.embedding, &config.feed).map_err(fail)?;
        let index_start = Instant::now();
        let index = HnswIndex::build(Arc::clone(model.item_table()), &config.hnsw).map_err(fail)?;
        let index_seconds = index_start.elapsed().as_secs_f64();
        let build_seconds = start.elapsed().as_secs_f64();
        let reachability = index.reachability(config.hnsw.ef_search);

        let mut report = EngineReport {
            build_seconds,
            memory_bytes: model.memory_bytes() + index.memory_bytes(),
            diagnostics: model.stats().diagnostics(),
        };
        let d = &mut report.diagnostics;
        d.insert("index_seconds".into(), index_seconds);
        d.insert("reachability".into(), reachability.fraction());
        d.insert("unreachable_items".into(), reachability.unreachable() as f64);
        d.insert("reachability_seconds".into(), reachability.seconds);
        d.insert("hnsw_links".into(), index.links() as f64);
        d.insert("hnsw_max_level".into(), index.max_level() as f64);
        Ok(InterestEngine { name: name.to_string(), config: config.clone(), model, index, reachability, report })
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &InterestConfig {
        &self.config
    }

    /// The trained model.
    pub fn model(&self) -> &InterestModel {
        &self.model
    }

    /// The HNSW index.
    pub fn index(&self) -> &HnswIndex {
        &self.index
    }

    /// The unit-length item table the index searches; an exact index over
    /// it is this engine's ground truth.
    pub fn item_table(&self) -> &Arc<VectorTable> {
        self.model.item_table()
    }

    /// The query vector a feed request is answered with (see
    /// [`InterestModel::user_vector`]).
    pub fn user_vector(&self, request: &FeedRequest<'_>) -> Result<Vec<f32>> {
        self.model.user_vector(request).map(|(q, _)| q).map_err(|e| e.into_engine(&self.name))
    }

    /// Top-`k` ANN search for any query vector with candidate list `ef`, for
    /// recall sweeps over `ef`. No exclusions.
    pub fn search_vector(&self, query: &[f32], k: usize, ef: usize) -> Result<Vec<Hit>> {
        self.index.search(query, k, ef).map_err(|e| e.into_engine(&self.name))
    }

    /// Items found by searching their own vectors, measured after the build.
    pub fn reachability(&self) -> Reachability {
        self.reachability
    }
}

impl Engine for InterestEngine {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> Capabilities {
        InterestEngine::CAPABILITIES
    }

    fn search(&self, _request: &SearchRequest<'_>) -> Result<Vec<Hit>> {
        Err(EngineError::Unsupported { engine: self.name.clone(), operation: "search" })
    }

    fn recommend(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>> {
        request.validate(&self.name)?;
        check_user(&self.name, request.user, self.model.users())?;
        let ef = self.config.hnsw.ef_search;
        self.model
            .recommend_with(request, |query, n| self.index.search(query, n, ef))
            .map_err(|e| e.into_engine(&self.name))
    }

    fn report(&self) -> EngineReport {
        self.report.clone()
    }
}
