//! The shelf engine: build, search, feed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use searchrec_datasets::{Catalog, ItemId, UserId};
use searchrec_engine::{
    BuildInput, Capabilities, Engine, EngineError, EngineIndex, EngineReport, FeedRequest, Hit, Result, SearchRequest,
    check_user, parse_params, sort_hits,
};
use tantivy::collector::TopDocs;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Searcher};

use crate::config::ShelfConfig;
use crate::feed::PopularityFeed;
use crate::index::{TextIndex, backend};
use crate::prior::TrustPrior;
use crate::query::user_query;

/// The expensive half of the shelf engine: the tantivy index of the
/// catalogue and the popularity feed. Searchers with their own boosts and
/// trust-prior weights share it.
pub struct ShelfIndex {
    text: TextIndex,
    feed: PopularityFeed,
    max_sales: u64,
    catalog_len: usize,
    user_count: usize,
    report: EngineReport,
}

impl ShelfIndex {
    /// Validates `config` and builds the index and the feed from the
    /// catalogue (the logs are not used). An empty catalogue, an item with a
    /// non-finite rating, an item whose id is not its row or whose leaf has no
    /// category path is [`EngineError::InvalidData`].
    pub fn build(name: &str, config: &ShelfConfig, input: BuildInput<'_>) -> Result<ShelfIndex> {
        let start = Instant::now();
        config.validate(name)?;
        let catalog = input.catalog;
        let ratings = prior_ratings(name, catalog, config.unrated_rating)?;
        let text = TextIndex::build(name, config, catalog, &ratings)?;
        let feed = PopularityFeed::new(catalog, &ratings);
        let diagnostics = BTreeMap::from([
            ("segments".to_string(), text.segments() as f64),
            ("index_bytes".to_string(), text.space_bytes() as f64),
        ]);
        let memory_bytes = text.space_bytes() + feed.bytes();
        Ok(ShelfIndex {
            max_sales: catalog.items.iter().map(|item| u64::from(item.sales_count)).max().unwrap_or(0),
            text,
            feed,
            catalog_len: catalog.len(),
            user_count: input.users.len(),
            report: EngineReport { build_seconds: start.elapsed().as_secs_f64(), memory_bytes, diagnostics },
        })
    }

    /// A searcher with the query-time settings of `config` (field boosts,
    /// prior weights); its build-time settings are the index's.
    pub fn searcher_for(self: &Arc<Self>, name: &str, config: &ShelfConfig) -> ShelfEngine {
        let fields = self.text.fields();
        ShelfEngine {
            name: name.to_string(),
            index: Arc::clone(self),
            boosts: [
                (fields.title, config.title_boost as Score),
                (fields.brand, config.brand_boost as Score),
                (fields.category, config.category_boost as Score),
                (fields.description, config.description_boost as Score),
            ],
            prior: TrustPrior::new(config.sales_weight, config.rating_weight, self.max_sales),
        }
    }
}

impl EngineIndex for ShelfIndex {
    fn report(&self) -> EngineReport {
        self.report.clone()
    }

    fn searcher(self: Arc<Self>, name: &str, params: &toml::Table) -> Result<Box<dyn Engine>> {
        let config: ShelfConfig = parse_params(name, params)?;
        config.validate(name)?;
        Ok(Box::new(self.searcher_for(name, &config)))
    }
}

/// Shelf search: BM25 over title, brand, category path and description with a trust prior
/// from sales and rating (see [`ShelfConfig`] and the crate docs for the
/// formula), and a non-personalised popularity feed. A searcher over a
/// shared [`ShelfIndex`].
///
/// Search ignores the user and the context; both kinds of request check that
/// a given user exists, so a bad user id fails here as everywhere else.
#[derive(Clone)]
pub struct ShelfEngine {
    name: String,
    index: Arc<ShelfIndex>,
    boosts: [(tantivy::schema::Field, Score); 4],
    prior: TrustPrior,
}

/// Searches per tantivy searcher in [`ShelfEngine::search_batch`]: each
/// parallel task takes one searcher and one analyzer for its chunk.
const SEARCH_CHUNK: usize = 32;

impl ShelfEngine {
    /// Search and a popularity feed; neither reads the other channel.
    pub const CAPABILITIES: Capabilities =
        Capabilities { search: true, recommend: true, personalised_search: false, query_aware_feed: false };

    /// Builds an index and its one searcher.
    pub fn build(name: &str, config: &ShelfConfig, input: BuildInput<'_>) -> Result<ShelfEngine> {
        Ok(Arc::new(ShelfIndex::build(name, config, input)?).searcher_for(name, config))
    }

    fn check_user(&self, user: Option<UserId>) -> Result<()> {
        user.map_or(Ok(()), |u| check_user(&self.name, u, self.index.user_count))
    }

    /// One search on a given tantivy searcher and analyzer.
    fn search_on(
        &self,
        searcher: &Searcher,
        analyzer: &mut TextAnalyzer,
        request: &SearchRequest<'_>,
    ) -> Result<Vec<Hit>> {
        request.validate(&self.name)?;
        self.check_user(request.user)?;
        let Some(query) = user_query(analyzer, &self.boosts, request.query) else {
            return Ok(Vec::new());
        };
        // No more documents can match than the terms' document frequencies
        // add up to; the bound keeps a huge `k` from sizing tantivy's top-k
        // buffer (2·k entries) beyond what the query can fill.
        let mut can_match = 0u64;
        for term in &query.terms {
            can_match += searcher.doc_freq(term).map_err(|e| backend(&self.name, "reading document frequencies", e))?;
        }
        let limit = request.k.min(self.index.catalog_len).min(usize::try_from(can_match).unwrap_or(usize::MAX));
        if limit == 0 {
            return Ok(Vec::new());
        }
        let top = searcher
            .search(&query.query, &TopDocs::with_limit(limit).order_by(self.prior))
            .map_err(|e| backend(&self.name, "searching", e))?;
        let mut hits = top
            .into_iter()
            .map(|((score, item), _)| {
                let item = u32::try_from(item.0).map_err(|_| {
                    backend(&self.name, "reading item ids", format!("{} is not a catalogue id", item.0))
                })?;
                Ok(Hit { item: ItemId(item), score })
            })
            .collect::<Result<Vec<Hit>>>()?;
        // tantivy already ranks by (score, ascending id); sorting again makes
        // the contract hold by construction rather than by that detail.
        sort_hits(&mut hits);
        Ok(hits)
    }
}

/// The rating the prior and the feed use for each item: its mean rating on
/// the star scale, or `unrated` when it has no reviews. Also checks the
/// catalogue invariants the engine relies on.
fn prior_ratings(engine: &str, catalog: &Catalog, unrated: f64) -> Result<Vec<f64>> {
    let invalid = |message: String| EngineError::InvalidData { engine: engine.to_string(), message };
    if catalog.is_empty() {
        return Err(invalid("the catalogue is empty".to_string()));
    }
    catalog
        .items
        .iter()
        .enumerate()
        .map(|(row, item)| {
            if item.id.index() != row {
                return Err(invalid(format!("item at row {row} has id {}; ids must equal rows", item.id)));
            }
            if !item.rating.is_finite() {
                return Err(invalid(format!("item {} has rating {}", item.id, item.rating)));
            }
            Ok(if item.review_count == 0 { unrated } else { f64::from(item.rating).clamp(1.0, 5.0) })
        })
        .collect()
}

impl Engine for ShelfEngine {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> Capabilities {
        ShelfEngine::CAPABILITIES
    }

    fn search(&self, request: &SearchRequest<'_>) -> Result<Vec<Hit>> {
        self.search_on(&self.index.text.searcher(), &mut self.index.text.analyzer(), request)
    }

    fn search_batch(&self, requests: &[SearchRequest<'_>]) -> Result<Vec<Vec<Hit>>> {
        let chunks: Vec<Vec<Vec<Hit>>> = requests
            .par_chunks(SEARCH_CHUNK)
            .map(|chunk| {
                let searcher = self.index.text.searcher();
                let mut analyzer = self.index.text.analyzer();
                chunk.iter().map(|r| self.search_on(&searcher, &mut analyzer, r)).collect()
            })
            .collect::<Result<_>>()?;
        Ok(chunks.into_iter().flatten().collect())
    }

    fn recommend(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>> {
        request.validate(&self.name)?;
        self.check_user(Some(request.user))?;
        Ok(self.index.feed.top(request.k))
    }

    fn report(&self) -> EngineReport {
        self.index.report.clone()
    }
}
