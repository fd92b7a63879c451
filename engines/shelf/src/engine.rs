//! The shelf engine: build, search, feed.

use std::collections::BTreeMap;
use std::time::Instant;

use searchrec_datasets::{Catalog, ItemId, UserId};
use searchrec_engine::{
    BuildInput, Capabilities, Engine, EngineError, EngineReport, FeedRequest, Hit, Result, SearchRequest, check_user,
    sort_hits,
};
use tantivy::Score;
use tantivy::collector::TopDocs;

use crate::config::ShelfConfig;
use crate::feed::PopularityFeed;
use crate::index::{ShelfIndex, backend};
use crate::prior::TrustPrior;
use crate::query::user_query;

/// Shelf search: BM25 over title, brand and category path with a trust prior
/// from sales and rating (see [`ShelfConfig`] and the crate docs for the
/// formula), and a non-personalised popularity feed.
///
/// Search ignores the user and the context; both kinds of request check that
/// a given user exists, so a bad user id fails here as everywhere else.
pub struct ShelfEngine {
    name: String,
    index: ShelfIndex,
    boosts: [(tantivy::schema::Field, Score); 3],
    prior: TrustPrior,
    feed: PopularityFeed,
    catalog_len: usize,
    user_count: usize,
    report: EngineReport,
}

impl ShelfEngine {
    /// Search and a popularity feed; neither reads the other channel.
    pub const CAPABILITIES: Capabilities =
        Capabilities { search: true, recommend: true, personalised_search: false, query_aware_feed: false };

    /// Validates `config` and builds the index and the feed from the
    /// catalogue (the logs are not used). An empty catalogue, an item with a
    /// non-finite rating, an item whose id is not its row or whose leaf has no
    /// category path is [`EngineError::InvalidData`].
    pub fn build(name: &str, config: &ShelfConfig, input: BuildInput<'_>) -> Result<ShelfEngine> {
        let start = Instant::now();
        config.validate(name)?;
        let catalog = input.catalog;
        let ratings = prior_ratings(name, catalog, config.unrated_rating)?;
        let index = ShelfIndex::build(name, config, catalog, &ratings)?;
        let feed = PopularityFeed::new(catalog, &ratings);
        let max_sales = catalog.items.iter().map(|item| u64::from(item.sales_count)).max().unwrap_or(0);
        let fields = index.fields();
        let boosts = [
            (fields.title, config.title_boost as Score),
            (fields.brand, config.brand_boost as Score),
            (fields.category, config.category_boost as Score),
        ];
        let diagnostics = BTreeMap::from([
            ("segments".to_string(), index.segments() as f64),
            ("index_bytes".to_string(), index.space_bytes() as f64),
        ]);
        let memory_bytes = index.space_bytes() + feed.bytes();
        Ok(ShelfEngine {
            name: name.to_string(),
            prior: TrustPrior::new(config.sales_weight, config.rating_weight, max_sales),
            index,
            boosts,
            feed,
            catalog_len: catalog.len(),
            user_count: input.users.len(),
            report: EngineReport { build_seconds: start.elapsed().as_secs_f64(), memory_bytes, diagnostics },
        })
    }

    fn check_user(&self, user: Option<UserId>) -> Result<()> {
        user.map_or(Ok(()), |u| check_user(&self.name, u, self.user_count))
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
        request.validate(&self.name)?;
        self.check_user(request.user)?;
        let Some(query) = user_query(&mut self.index.analyzer(), &self.boosts, request.query) else {
            return Ok(Vec::new());
        };
        let searcher = self.index.searcher();
        // No more documents can match than the terms' document frequencies
        // add up to; the bound keeps a huge `k` from sizing tantivy's top-k
        // buffer (2·k entries) beyond what the query can fill.
        let mut can_match = 0u64;
        for term in &query.terms {
            can_match += searcher.doc_freq(term).map_err(|e| backend(&self.name, "reading document frequencies", e))?;
        }
        let limit = request.k.min(self.catalog_len).min(usize::try_from(can_match).unwrap_or(usize::MAX));
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

    fn recommend(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>> {
        request.validate(&self.name)?;
        self.check_user(Some(request.user))?;
        Ok(self.feed.top(request.k))
    }

    fn report(&self) -> EngineReport {
        self.report.clone()
    }
}
