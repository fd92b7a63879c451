//! The `interest` engine: an index (trained model + ANN backend), built
//! once, and cheap searchers over it for query-time settings.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use rayon::prelude::*;
use searchrec_datasets::{ItemId, UserId};
use searchrec_engine::{
    BuildInput, Capabilities, Engine, EngineError, EngineIndex, EngineReport, FeedRequest, Hit, Result, SearchRequest,
    Signals, check_user, parse_params,
};
use searchrec_vectors::{AnnBackend, AnnIndex, ExactIndex, Reachability, VectorError, VectorTable, build_index};

use crate::InterestConfig;
use crate::model::{InterestModel, QuerySource};

/// The expensive half of the interest engine: embeddings trained from the
/// logs, the searchable item table and the ANN index over it, with its
/// reachability measured once. Searchers share it.
#[derive(Debug)]
pub struct InterestIndex {
    config: InterestConfig,
    model: InterestModel,
    ann: Arc<dyn AnnIndex>,
    /// An exact scan over the same table, made on first use: the ground
    /// truth of the ANN backend (the ANN index itself when it is exact).
    exact: OnceLock<Arc<dyn AnnIndex>>,
    reachability: Option<Reachability>,
    report: EngineReport,
}

impl InterestIndex {
    /// Trains, indexes with `config.index`, and measures reachability at
    /// `hnsw.reachability_ef` for approximate backends.
    pub fn build(name: &str, config: &InterestConfig, input: BuildInput<'_>) -> Result<Self> {
        let fail = |e: VectorError| e.into_engine(name);
        config.validate().map_err(fail)?;
        let start = Instant::now();
        let model = InterestModel::build(input, &config.embedding, &config.feed).map_err(fail)?;
        let index_start = Instant::now();
        let ann = build_index(config.index, Arc::clone(model.item_table()), &config.hnsw).map_err(fail)?;
        let index_seconds = index_start.elapsed().as_secs_f64();
        let build_seconds = start.elapsed().as_secs_f64();
        let reachability = config
            .index
            .is_approximate()
            .then(|| searchrec_vectors::reachability(ann.as_ref(), config.hnsw.reachability_ef));

        let mut report = EngineReport {
            build_seconds,
            memory_bytes: model.memory_bytes() + ann.memory_bytes(),
            diagnostics: model.stats().diagnostics(),
        };
        let d = &mut report.diagnostics;
        d.insert("index_seconds".into(), index_seconds);
        d.extend(ann.diagnostics());
        if let Some(r) = &reachability {
            d.insert("reachability".into(), r.fraction());
            d.insert("unreachable_items".into(), r.unreachable() as f64);
            d.insert("reachability_seconds".into(), r.seconds);
            d.insert("reachability_ef".into(), r.ef as f64);
        }
        let exact = OnceLock::new();
        if !config.index.is_approximate() {
            let _ = exact.set(Arc::clone(&ann));
        }
        Ok(InterestIndex { config: config.clone(), model, ann, exact, reachability, report })
    }

    /// A searcher with the query-time settings of `config` (`hnsw.ef_search`,
    /// `feed.context_weight`, `feed.exclude_purchased`,
    /// `feed.refresh_sessions`); its build-time
    /// settings are ignored in favour of the index's.
    pub fn searcher_for(self: &Arc<Self>, name: &str, config: &InterestConfig) -> InterestEngine {
        let mut settings = self.config.clone();
        settings.hnsw.ef_search = config.hnsw.ef_search;
        settings.feed.context_weight = config.feed.context_weight;
        settings.feed.exclude_purchased = config.feed.exclude_purchased;
        settings.feed.refresh_sessions = config.feed.refresh_sessions;
        InterestEngine { name: name.to_string(), index: Arc::clone(self), config: settings, ann: Arc::clone(&self.ann) }
    }

    /// The trained model.
    pub fn model(&self) -> &InterestModel {
        &self.model
    }

    /// Items found by searching their own vectors, measured after the build
    /// (`None` for the exact backend, which finds every item).
    pub fn reachability(&self) -> Option<Reachability> {
        self.reachability
    }

    fn exact(&self) -> Result<Arc<dyn AnnIndex>> {
        if let Some(exact) = self.exact.get() {
            return Ok(Arc::clone(exact));
        }
        let scan: Arc<dyn AnnIndex> =
            Arc::new(ExactIndex::new(Arc::clone(self.model.item_table())).map_err(|e| e.into_engine("exact twin"))?);
        Ok(Arc::clone(self.exact.get_or_init(|| scan)))
    }
}

impl EngineIndex for InterestIndex {
    fn report(&self) -> EngineReport {
        self.report.clone()
    }

    fn searcher(self: Arc<Self>, name: &str, params: &toml::Table) -> Result<Box<dyn Engine>> {
        let config: InterestConfig = parse_params(name, params)?;
        config.validate().map_err(|e| e.into_engine(name))?;
        Ok(Box::new(self.searcher_for(name, &config)))
    }
}

/// Interest recall: a searcher over an [`InterestIndex`] — the feed query
/// from the user's history plus the feed's own recent signals, answered by
/// the index's ANN backend.
#[derive(Debug, Clone)]
pub struct InterestEngine {
    name: String,
    index: Arc<InterestIndex>,
    config: InterestConfig,
    ann: Arc<dyn AnnIndex>,
}

impl InterestEngine {
    /// The feed only. It reads the context's feed signals and never
    /// search's, so it has neither coupling.
    pub const CAPABILITIES: Capabilities =
        Capabilities { search: false, recommend: true, personalised_search: false, query_aware_feed: false };

    /// Builds an index and its one searcher.
    pub fn build(name: &str, config: &InterestConfig, input: BuildInput<'_>) -> Result<Self> {
        let index = Arc::new(InterestIndex::build(name, config, input)?);
        Ok(index.searcher_for(name, config))
    }

    /// The configuration it answers with: the index's build-time settings
    /// and this searcher's query-time ones.
    pub fn config(&self) -> &InterestConfig {
        &self.config
    }

    /// The shared index.
    pub fn shared_index(&self) -> &Arc<InterestIndex> {
        &self.index
    }

    /// The trained model.
    pub fn model(&self) -> &InterestModel {
        &self.index.model
    }

    /// The ANN index this searcher queries.
    pub fn ann(&self) -> &Arc<dyn AnnIndex> {
        &self.ann
    }

    /// The unit-length item table the index searches; an exact index over
    /// it is this engine's ground truth.
    pub fn item_table(&self) -> &Arc<VectorTable> {
        self.index.model.item_table()
    }

    /// This searcher with the exact scan of the same table as its index.
    pub fn exact(&self) -> Result<InterestEngine> {
        Ok(InterestEngine { ann: self.index.exact()?, ..self.clone() })
    }

    /// The query vector for `user` reading the channels' `signals` (see
    /// [`InterestModel::user_vector`]).
    pub fn user_vector(&self, user: UserId, signals: &[Signals<'_>]) -> Result<Vec<f32>> {
        self.model()
            .user_vector(user, signals, &self.config.feed)
            .map(|(q, _)| q)
            .map_err(|e| e.into_engine(&self.name))
    }

    /// The feed for `user` reading the channels' `signals` and refreshing past
    /// the feed's own `shown` lists (see [`InterestModel::recommend_with`]).
    pub fn recommend_reading(
        &self,
        user: UserId,
        k: usize,
        signals: &[Signals<'_>],
        shown: &[Vec<ItemId>],
    ) -> Result<Vec<Hit>> {
        let ef = self.config.hnsw.ef_search;
        self.model()
            .recommend_with(user, k, (signals, shown), &self.config.feed, |query, n| self.ann.search(query, n, ef))
            .map_err(|e| e.into_engine(&self.name))
    }

    /// Top-`k` search for any query vector with candidate list `ef` (ignored
    /// by the exact backend). No exclusions.
    pub fn search_vector(&self, query: &[f32], k: usize, ef: usize) -> Result<Vec<Hit>> {
        self.ann.search(query, k, ef).map_err(|e| e.into_engine(&self.name))
    }

    /// Items found by searching their own vectors, measured after the build.
    pub fn reachability(&self) -> Option<Reachability> {
        self.index.reachability
    }

    fn check(&self, request: &FeedRequest<'_>) -> Result<()> {
        request.validate(&self.name)?;
        check_user(&self.name, request.user, self.model().users())
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
        self.check(request)?;
        let feed = request.context.feed;
        self.recommend_reading(request.user, request.k, &[feed], feed.shown)
    }

    /// With the exact backend, the personal requests of the batch go to its
    /// blocked scan together (each block of items is read once per batch of
    /// queries); graph backends answer request by request, in parallel.
    fn recommend_batch(&self, requests: &[FeedRequest<'_>]) -> Result<Vec<Vec<Hit>>> {
        if self.ann.backend() != AnnBackend::Exact {
            return requests.par_iter().map(|r| self.recommend(r)).collect();
        }
        let fail = |e: VectorError| e.into_engine(&self.name);
        let feed = &self.config.feed;
        let mut personal = Vec::new();
        let mut queries = Vec::new();
        let mut out = vec![Vec::new(); requests.len()];
        for (i, request) in requests.iter().enumerate() {
            self.check(request)?;
            let own = [request.context.feed];
            let (query, source) = self.model().user_vector(request.user, &own, feed).map_err(fail)?;
            if source == QuerySource::Popularity {
                out[i] = self.recommend(request)?;
            } else {
                let excluded = self.model().excluded_items(request.user, &own, own[0].shown, feed);
                let wanted = request.k.saturating_add(excluded.len()).min(self.item_table().len());
                queries.extend_from_slice(&query);
                personal.push((i, excluded, wanted));
            }
        }
        let Some(deepest) = personal.iter().map(|(_, _, wanted)| *wanted).max() else { return Ok(out) };
        let table = VectorTable::new(self.item_table().dim(), queries).map_err(fail)?;
        // Top-n of an exact scan is a prefix of its top-m for m > n (one total
        // order), so one depth serves every request of the batch.
        let answers = self.ann.search_batch(&table, deepest, 0).map_err(fail)?;
        for ((i, excluded, wanted), mut hits) in personal.into_iter().zip(answers) {
            hits.truncate(wanted);
            hits.retain(|h| excluded.binary_search(&h.item).is_err());
            hits.truncate(requests[i].k);
            out[i] = hits;
        }
        Ok(out)
    }

    fn exact_twin(&self) -> Option<Box<dyn Engine>> {
        if !self.ann.backend().is_approximate() {
            return None;
        }
        self.exact().ok().map(|e| Box::new(e) as Box<dyn Engine>)
    }

    fn report(&self) -> EngineReport {
        let mut report = self.index.report.clone();
        report.diagnostics.insert("ef_search".into(), self.config.hnsw.ef_search as f64);
        report
    }
}
