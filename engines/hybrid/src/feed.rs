//! The feed: interest recall, pulled towards recent search intent when
//! coupling B (`query_aware_feed`) is on.

use searchrec_engine::{Engine, FeedRequest, Hit, Result, SearchRequest};
use searchrec_vectors::{normalized, query_vector};

use crate::engine::HybridEngine;

impl HybridEngine {
    /// Answers a feed request. Without coupling B the interest feed of the
    /// user's history alone, the context unread. With it, the interest feed
    /// for the whole context (its clicks and purchases as the interest engine
    /// reads them), with the query direction shifted towards the recent
    /// queries' intent when they have any (see [`crate::HybridConfig`]).
    pub(crate) fn answer_feed(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>> {
        request.validate(&self.name)?;
        self.check_user(request.user)?;
        if !self.config.query_aware_feed {
            return self.interest.recommend(&FeedRequest::new(request.user, request.k));
        }
        let m = self.config.query_weight as f32;
        // The user's direction first: it rejects an unknown context item
        // before any shelf search runs.
        let base = self.interest.user_vector(request)?;
        let intent = if m > 0.0 { self.query_intent(request.context.recent_queries)? } else { None };
        let Some(intent) = intent else {
            return self.interest.recommend(request);
        };
        // The interest query is the unit direction in factor space, followed
        // by a 0 when item norms count; the shift happens in factor space, where
        // the interest engine mixes its own context too.
        let direction = &base[..intent.len().min(base.len())];
        let shifted: Vec<f32> = direction.iter().zip(&intent).map(|(u, c)| (1.0 - m) * u + m * c).collect();
        // Opposite directions can cancel; the user's own taste then wins.
        let shifted = normalized(&shifted).unwrap_or_else(|| direction.to_vec());
        let query = query_vector(&shifted, self.interest.config().feed.item_norm_exponent);

        let excluded = self.interest.model().excluded_items(request, &self.interest.config().feed);
        let wanted = request.k.saturating_add(excluded.len()).min(self.interest.item_table().len());
        let mut hits = self.interest.search_vector(&query, wanted, self.interest.config().hnsw.ef_search)?;
        hits.retain(|h| excluded.binary_search(&h.item).is_err());
        hits.truncate(request.k);
        Ok(hits)
    }

    /// The unit direction of recent search intent in the interest model's
    /// factor space: per query, the normalised sum of the unit factor vectors
    /// of its top `query_items` shelf hits; then the normalised sum over
    /// queries, so every query counts once however many items it matched.
    /// `None` when no query matches anything. Blank queries are skipped.
    fn query_intent(&self, queries: &[String]) -> Result<Option<Vec<f32>>> {
        let dim = self.interest.model().embeddings().items.dim();
        let mut intent = vec![0.0f32; dim];
        for query in queries.iter().filter(|q| !q.trim().is_empty()) {
            if let Some(unit) = self.query_direction(query)? {
                intent.iter_mut().zip(&unit).for_each(|(s, u)| *s += u);
            }
        }
        Ok(normalized(&intent))
    }

    /// One query's unit direction (see [`Self::query_intent`]), remembered
    /// per query text: it depends on nothing else, and the simulator asks
    /// for the same recent queries session after session.
    fn query_direction(&self, query: &str) -> Result<Option<Vec<f32>>> {
        if let Some(known) = self.intents.get(query) {
            return Ok(known);
        }
        let factors = &self.interest.model().embeddings().items;
        let mut sum = vec![0.0f32; factors.dim()];
        for hit in self.shelf.search(&SearchRequest::new(query, self.config.query_items))? {
            if let Some(unit) = normalized(self.row(factors, hit.item)?) {
                sum.iter_mut().zip(&unit).for_each(|(s, u)| *s += u);
            }
        }
        let direction = normalized(&sum);
        self.intents.insert(query, direction.clone());
        Ok(direction)
    }
}
