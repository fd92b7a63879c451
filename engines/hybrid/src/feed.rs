//! The feed: interest recall from the user's long-term profile and the
//! feed's own signals, refreshed between sessions; coupling B
//! (`query_aware_feed`) adds search's signals and pulls the feed towards the
//! intent of the search results the user saw.

use searchrec_datasets::ItemId;
use searchrec_engine::{Engine, FeedRequest, Hit, Result, SearchRequest, Signals};
use searchrec_vectors::{normalized, query_vector};

use crate::engine::HybridEngine;

impl HybridEngine {
    /// Answers a feed request. Without coupling B the interest feed reading
    /// the feed's own signals: its clicks and purchases shape the direction,
    /// its recent lists are refreshed past (`interest.feed.refresh_sessions`).
    /// With it, search's clicks and purchases count too, and the direction
    /// is shifted towards the intent of the user's recent searches (see
    /// [`crate::HybridConfig`]). Search's signals are the only thing
    /// coupling B changes.
    pub(crate) fn answer_feed(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>> {
        request.validate(&self.name)?;
        self.check_user(request.user)?;
        let (search, feed) = (request.context.search, request.context.feed);
        if !self.config.query_aware_feed {
            return self.interest.recommend_reading(request.user, request.k, &[feed], feed.shown);
        }
        let signals = [feed, search];
        let m = self.config.query_weight as f32;
        // The user's direction first: it rejects an unknown signal item
        // before any shelf search runs.
        let base = self.interest.user_vector(request.user, &signals)?;
        let intent = if m > 0.0 { self.search_intent(&search)? } else { None };
        let Some(intent) = intent else {
            return self.interest.recommend_reading(request.user, request.k, &signals, feed.shown);
        };
        // The interest query is the unit direction in factor space, followed
        // by a 0 when item norms count; the shift happens in factor space, where
        // the interest engine mixes its own context too.
        let direction = &base[..intent.len().min(base.len())];
        let shifted: Vec<f32> = direction.iter().zip(&intent).map(|(u, c)| (1.0 - m) * u + m * c).collect();
        // Opposite directions can cancel; the user's own taste then wins.
        let shifted = normalized(&shifted).unwrap_or_else(|| direction.to_vec());
        let query = query_vector(&shifted, self.interest.config().feed.item_norm_exponent);

        let excluded =
            self.interest.model().excluded_items(request.user, &signals, feed.shown, &self.interest.config().feed);
        let wanted = request.k.saturating_add(excluded.len()).min(self.interest.item_table().len());
        let mut hits = self.interest.search_vector(&query, wanted, self.interest.config().hnsw.ef_search)?;
        hits.retain(|h| excluded.binary_search(&h.item).is_err());
        hits.truncate(request.k);
        Ok(hits)
    }

    /// The unit direction of recent search intent in the interest model's
    /// factor space, read from the search results the user *saw*: per list,
    /// the normalised sum of the unit factor vectors of its top
    /// `query_items` items; then the normalised sum over lists, so every
    /// search counts once. The lists are what this engine's search showed,
    /// so with coupling A on too, the feed follows the personalised results
    /// and A shapes B. A caller that sends queries without the lists (an
    /// offline request) gets each query's intent from the shelf ranking
    /// instead. `None` when nothing has a direction.
    fn search_intent(&self, search: &Signals<'_>) -> Result<Option<Vec<f32>>> {
        let dim = self.interest.model().embeddings().items.dim();
        let mut intent = vec![0.0f32; dim];
        if search.shown.is_empty() {
            for query in search.queries.iter().filter(|q| !q.trim().is_empty()) {
                if let Some(unit) = self.query_direction(query)? {
                    intent.iter_mut().zip(&unit).for_each(|(s, u)| *s += u);
                }
            }
        } else {
            for list in search.shown {
                let top = &list[..list.len().min(self.config.query_items)];
                if let Some(unit) = self.items_direction(top.iter().copied())? {
                    intent.iter_mut().zip(&unit).for_each(|(s, u)| *s += u);
                }
            }
        }
        Ok(normalized(&intent))
    }

    /// The normalised sum of the unit factor vectors of `items`.
    fn items_direction(&self, items: impl Iterator<Item = ItemId>) -> Result<Option<Vec<f32>>> {
        let factors = &self.interest.model().embeddings().items;
        let mut sum = vec![0.0f32; factors.dim()];
        for item in items {
            if let Some(unit) = normalized(self.row(factors, item)?) {
                sum.iter_mut().zip(&unit).for_each(|(s, u)| *s += u);
            }
        }
        Ok(normalized(&sum))
    }

    /// One query's unit direction from the shelf ranking (see
    /// [`Self::search_intent`]), remembered per query text: it depends on
    /// nothing else, and offline callers send the same queries repeatedly.
    fn query_direction(&self, query: &str) -> Result<Option<Vec<f32>>> {
        if let Some(known) = self.intents.get(query) {
            return Ok(known);
        }
        let hits = self.shelf.search(&SearchRequest::new(query, self.config.query_items))?;
        let direction = self.items_direction(hits.iter().map(|hit| hit.item))?;
        self.intents.insert(query, direction.clone());
        Ok(direction)
    }
}
