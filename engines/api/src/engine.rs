//! The engine trait.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::{FeedRequest, Hit, Result, SearchRequest};

/// What an engine can do. A request an engine cannot serve is answered with
/// [`crate::EngineError::Unsupported`], never with an empty list, so the
/// harness can refuse a bad experiment before it runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Capabilities {
    /// Answers [`SearchRequest`]s.
    pub search: bool,
    /// Answers [`FeedRequest`]s.
    pub recommend: bool,
    /// Coupling A, feed → search: search reads the context's feed signals.
    pub personalised_search: bool,
    /// Coupling B, search → feed: the feed reads the context's search signals.
    pub query_aware_feed: bool,
}

/// Facts an engine reports about itself after it is built: build cost, size,
/// and engine-specific diagnostics such as ANN reachability.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EngineReport {
    /// Wall-clock seconds the build took.
    pub build_seconds: f64,
    /// Approximate bytes held by the engine's indexes and models.
    pub memory_bytes: u64,
    /// Named diagnostics, e.g. `"reachability"` → `0.998`.
    pub diagnostics: BTreeMap<String, f64>,
}

/// A ranking engine. Object-safe and shareable across threads: the harness
/// holds `Box<dyn Engine>` and calls it from many threads at once.
///
/// Contract (checked for every engine by the conformance suite):
/// at most `k` hits, no duplicate items, scores non-increasing with ties in
/// ascending item order, finite scores, the same answer for the same request,
/// and `Err` rather than `Ok(vec![])` for a request kind it does not support.
pub trait Engine: Send + Sync {
    /// The engine's instance name (as configured).
    fn name(&self) -> &str;

    /// What the engine supports.
    fn capabilities(&self) -> Capabilities;

    /// Answers a typed query.
    fn search(&self, request: &SearchRequest<'_>) -> Result<Vec<Hit>>;

    /// Answers a feed request.
    fn recommend(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>>;

    /// Build cost, size and diagnostics.
    fn report(&self) -> EngineReport;

    /// Answers several typed queries, in order: exactly what
    /// [`Self::search`] answers for each, and the first error in request
    /// order if any fails. Engines override it where a batch is cheaper than
    /// its parts.
    fn search_batch(&self, requests: &[SearchRequest<'_>]) -> Result<Vec<Vec<Hit>>> {
        requests.iter().map(|r| self.search(r)).collect()
    }

    /// Answers several feed requests, in order, as [`Self::search_batch`]
    /// does for searches.
    fn recommend_batch(&self, requests: &[FeedRequest<'_>]) -> Result<Vec<Vec<Hit>>> {
        requests.iter().map(|r| self.recommend(r)).collect()
    }

    /// The same engine with its approximate index replaced by an exact scan
    /// over the same vectors and sharing everything else (the same build):
    /// the ground truth for this engine's ANN recall. `None` for engines
    /// without an approximate part.
    fn exact_twin(&self) -> Option<Box<dyn Engine>> {
        None
    }
}

/// The expensive, shared part of an engine: what training and indexing
/// built. Searchers for query-time parameters are made from it cheaply and
/// share it (tantivy's Index → Searcher; our sweeps over `ef_search`, fusion
/// weights and coupling switches all run on one index).
pub trait EngineIndex: Send + Sync {
    /// Build cost, size and diagnostics of the index.
    fn report(&self) -> EngineReport;

    /// A searcher named `name` for the whole parameter table `params`, of
    /// which only the query-time parameters are read: the build-time ones
    /// are those the index was built with (the registry checks they match).
    fn searcher(self: Arc<Self>, name: &str, params: &toml::Table) -> Result<Box<dyn Engine>>;
}
