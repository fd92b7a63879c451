//! The hybrid engine: a shelf engine and an interest engine built side by
//! side, and the [`Engine`] implementation that routes requests through the
//! coupling switches.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use searchrec_datasets::{ItemId, UserId};
use searchrec_engine::{
    BuildInput, Capabilities, Engine, EngineError, EngineIndex, EngineReport, FeedRequest, Hit, Result, SearchRequest,
    check_user, parse_params,
};
use searchrec_interest::{InterestEngine, InterestIndex};
use searchrec_shelf::{ShelfEngine, ShelfIndex};
use searchrec_vectors::VectorTable;

use crate::config::HybridConfig;
use crate::intents::IntentMemo;

/// The expensive half of the hybrid engine: a shelf index and an interest
/// index built side by side. Every fusion, weight and coupling switch is a
/// searcher over it, so the cells of the 2×2 coupling factorial share one.
pub struct HybridIndex {
    shelf: Arc<ShelfIndex>,
    interest: Arc<InterestIndex>,
    users: usize,
    report: EngineReport,
}

impl HybridIndex {
    /// Validates `config` and builds both sides from the same observable
    /// data, in parallel. Any error of either side's build is returned.
    pub fn build(name: &str, config: &HybridConfig, input: BuildInput<'_>) -> Result<HybridIndex> {
        let start = Instant::now();
        config.validate(name)?;
        let (shelf, interest) = rayon::join(
            || ShelfIndex::build(name, &config.shelf, input),
            || InterestIndex::build(name, &config.interest, input),
        );
        let (shelf, interest) = (Arc::new(shelf?), Arc::new(interest?));
        let report = combined_report(start, &shelf.report(), &interest.report());
        Ok(HybridIndex { shelf, interest, users: input.users.len(), report })
    }

    /// A searcher with the query-time settings of `config`.
    pub fn searcher_for(&self, name: &str, config: &HybridConfig) -> HybridEngine {
        HybridEngine {
            name: name.to_string(),
            config: config.clone(),
            shelf: self.shelf.searcher_for(name, &config.shelf),
            interest: self.interest.searcher_for(name, &config.interest),
            intents: IntentMemo::default(),
            users: self.users,
            report: self.report.clone(),
        }
    }
}

impl EngineIndex for HybridIndex {
    fn report(&self) -> EngineReport {
        self.report.clone()
    }

    fn searcher(self: Arc<Self>, name: &str, params: &toml::Table) -> Result<Box<dyn Engine>> {
        let config: HybridConfig = parse_params(name, params)?;
        config.validate(name)?;
        Ok(Box::new(self.searcher_for(name, &config)))
    }
}

/// Shelf search and interest recall in one engine, coupled as configured
/// (see [`HybridConfig`] for what each switch reads and the formulas): a
/// searcher over a shared [`HybridIndex`].
///
/// Both sides are built with the hybrid's instance name, so their errors
/// name the engine the user configured. An unknown user is an error whatever
/// the switches, worded as the interest engine words it: it is a malformed
/// request, not a signal to ignore.
#[derive(Clone)]
pub struct HybridEngine {
    pub(crate) name: String,
    pub(crate) config: HybridConfig,
    pub(crate) shelf: ShelfEngine,
    pub(crate) interest: InterestEngine,
    /// Recent queries' intents, computed once per query text (coupling B).
    pub(crate) intents: IntentMemo,
    users: usize,
    report: EngineReport,
}

impl HybridEngine {
    /// Builds an index and its one searcher.
    pub fn build(name: &str, config: &HybridConfig, input: BuildInput<'_>) -> Result<HybridEngine> {
        Ok(HybridIndex::build(name, config, input)?.searcher_for(name, config))
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &HybridConfig {
        &self.config
    }

    /// The shelf side.
    pub fn shelf(&self) -> &ShelfEngine {
        &self.shelf
    }

    /// The interest side.
    pub fn interest(&self) -> &InterestEngine {
        &self.interest
    }

    /// Rejects a user the engine was not built with, in the interest
    /// engine's words.
    pub(crate) fn check_user(&self, user: UserId) -> Result<()> {
        check_user(&self.name, user, self.users)
    }

    /// How many hits to draw from a side: `depth`, raised to `k`, and never
    /// more than the catalogue holds (which keeps `k = usize::MAX` cheap).
    pub(crate) fn depth(&self, depth: usize, k: usize) -> usize {
        depth.max(k).min(self.interest.item_table().len())
    }

    /// The row of `item` in one of the interest side's tables.
    pub(crate) fn row<'t>(&self, table: &'t VectorTable, item: ItemId) -> Result<&'t [f32]> {
        if item.index() < table.len() {
            Ok(table.row(item.index()))
        } else {
            // Both sides index the same catalogue; reaching this is a bug, reported, not a panic.
            Err(EngineError::Backend {
                engine: self.name.clone(),
                message: format!("item {item} from the shelf side has no interest vector ({} rows)", table.len()),
            })
        }
    }
}

/// The build time of the whole, the memory of both sides, and each side's
/// diagnostics under `shelf.` / `interest.` (with its own build seconds).
fn combined_report(start: Instant, shelf: &EngineReport, interest: &EngineReport) -> EngineReport {
    let mut diagnostics = BTreeMap::new();
    for (side, report) in [("shelf", shelf), ("interest", interest)] {
        diagnostics.insert(format!("{side}.build_seconds"), report.build_seconds);
        for (key, value) in &report.diagnostics {
            diagnostics.insert(format!("{side}.{key}"), *value);
        }
    }
    EngineReport {
        build_seconds: start.elapsed().as_secs_f64(),
        memory_bytes: shelf.memory_bytes + interest.memory_bytes,
        diagnostics,
    }
}

impl Engine for HybridEngine {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> Capabilities {
        self.config.capabilities()
    }

    fn search(&self, request: &SearchRequest<'_>) -> Result<Vec<Hit>> {
        self.answer_search(request)
    }

    fn recommend(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>> {
        self.answer_feed(request)
    }

    fn report(&self) -> EngineReport {
        self.report.clone()
    }

    fn search_batch(&self, requests: &[SearchRequest<'_>]) -> Result<Vec<Vec<Hit>>> {
        requests.par_iter().map(|r| self.answer_search(r)).collect()
    }

    fn recommend_batch(&self, requests: &[FeedRequest<'_>]) -> Result<Vec<Vec<Hit>>> {
        requests.par_iter().map(|r| self.answer_feed(r)).collect()
    }

    /// The same searcher with the interest side's ANN index replaced by an
    /// exact scan of the same table.
    fn exact_twin(&self) -> Option<Box<dyn Engine>> {
        if !self.interest.ann().backend().is_approximate() {
            return None;
        }
        let interest = self.interest.exact().ok()?;
        // The intents come from the shelf side and the factor table, which the twin shares.
        Some(Box::new(HybridEngine { interest, ..self.clone() }))
    }
}
