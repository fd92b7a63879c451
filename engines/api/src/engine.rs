//! The engine trait.

use std::collections::BTreeMap;

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
    /// Search results depend on `SearchRequest::user` / its context (feed → search coupling).
    pub personalised_search: bool,
    /// Feed results depend on recent queries in the context (search → feed coupling).
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
}
