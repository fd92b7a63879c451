//! Search: the shelf ranking personalised by the user's long-term profile and
//! search's own recent clicks and purchases; coupling A
//! (`personalised_search`) adds the feed's recent clicks and purchases.

use searchrec_datasets::UserId;
use searchrec_engine::{Context, Engine, Hit, Result, SearchRequest, Signals};
use searchrec_vectors::{dot, normalized};

use crate::config::Fusion;
use crate::engine::HybridEngine;
use crate::fusion::{Normalisation, Weighted, linear, reciprocal_rank};

impl HybridEngine {
    /// Answers a search. With a user, the shelf ranking personalised by the
    /// user's taste as search knows it: the long-term profile and search's
    /// own recent clicks and purchases, plus the feed's with coupling A. The
    /// feed's signals are the only thing coupling A changes. Without a user
    /// the shelf ranking for the query alone (an anonymous searcher has no
    /// interest vector, so the engine falls back to lexical ranking rather
    /// than failing).
    pub(crate) fn answer_search(&self, request: &SearchRequest<'_>) -> Result<Vec<Hit>> {
        request.validate(&self.name)?;
        match request.user {
            Some(user) => {
                self.check_user(user)?;
                self.personalised(request, user)
            }
            None => self.lexical(request.query, request.k),
        }
    }

    /// The shelf side's ranking, anonymous and context-free: shelf search
    /// never personalises, and asking it that way keeps the user's id out of
    /// the lexical half whatever the switches.
    fn lexical(&self, query: &str, k: usize) -> Result<Vec<Hit>> {
        self.shelf.search(&SearchRequest::new(query, k))
    }

    fn personalised(&self, request: &SearchRequest<'_>, user: UserId) -> Result<Vec<Hit>> {
        let Context { search, feed } = request.context;
        let signals: &[Signals<'_>] = if self.config.personalised_search { &[search, feed] } else { &[search] };
        let taste = self.interest.user_vector(user, signals)?;
        let config = &self.config;
        let mut hits = match config.fusion {
            Fusion::Rerank => {
                let candidates = self.lexical(request.query, self.depth(config.rerank_depth, request.k))?;
                let affinity = self.affinity(&taste, &candidates)?;
                let beta = config.personalisation;
                let mut lists = vec![
                    Weighted { hits: &candidates, weight: 1.0 - beta },
                    Weighted { hits: &affinity, weight: beta },
                ];
                let closeness = self.closeness(signals, &candidates)?;
                if let Some(closeness) = &closeness {
                    lists.push(Weighted { hits: closeness, weight: config.revisit_weight });
                }
                linear(&lists, Normalisation::MinMax)
            }
            Fusion::Rrf => self.blend(request, &taste, |lists| reciprocal_rank(lists, config.rrf_k))?,
            Fusion::Minmax => self.blend(request, &taste, |lists| linear(lists, Normalisation::MinMax))?,
            Fusion::Zscore => self.blend(request, &taste, |lists| linear(lists, Normalisation::ZScore))?,
        };
        hits.truncate(request.k);
        Ok(hits)
    }

    /// Fuses the shelf list with the user's ANN recall, `candidate_depth`
    /// hits each, weighted `shelf_weight` and `interest_weight`. Unlike the
    /// feed, nothing bought is left out: searching for it again is how
    /// people re-buy.
    fn blend(
        &self,
        request: &SearchRequest<'_>,
        taste: &[f32],
        fuse: impl Fn(&[Weighted<'_>]) -> Vec<Hit>,
    ) -> Result<Vec<Hit>> {
        let depth = self.depth(self.config.candidate_depth, request.k);
        let lexical = self.lexical(request.query, depth)?;
        let recall = self.interest.search_vector(taste, depth, self.interest.config().hnsw.ef_search)?;
        Ok(fuse(&[
            Weighted { hits: &lexical, weight: self.config.shelf_weight },
            Weighted { hits: &recall, weight: self.config.interest_weight },
        ]))
    }

    /// Each candidate's best cosine, in the interest model's factor space, to
    /// an item clicked in `signals` (see `HybridConfig::revisit_weight`).
    /// `None` when the weight is 0 or nothing was clicked, so the rerank is
    /// then exactly the two-list one.
    fn closeness(&self, signals: &[Signals<'_>], candidates: &[Hit]) -> Result<Option<Vec<Hit>>> {
        if self.config.revisit_weight <= 0.0 {
            return Ok(None);
        }
        let factors = &self.interest.model().embeddings().items;
        let mut clicked = Vec::new();
        for item in signals.iter().flat_map(|s| s.clicks) {
            if let Some(unit) = normalized(self.row(factors, *item)?) {
                clicked.push(unit);
            }
        }
        if clicked.is_empty() {
            return Ok(None);
        }
        let scored = candidates.iter().map(|hit| {
            let unit = normalized(self.row(factors, hit.item)?);
            let best = unit.map_or(0.0, |u| clicked.iter().map(|c| dot(&u, c)).fold(f32::MIN, f32::max));
            Ok(Hit { item: hit.item, score: best })
        });
        Ok(Some(scored.collect::<Result<Vec<Hit>>>()?))
    }

    /// `⟨taste, item⟩` for each candidate, in the interest index's space:
    /// the same score the interest engine ranks its feed by.
    fn affinity(&self, taste: &[f32], candidates: &[Hit]) -> Result<Vec<Hit>> {
        let table = self.interest.item_table();
        candidates.iter().map(|hit| Ok(Hit { item: hit.item, score: dot(taste, self.row(table, hit.item)?) })).collect()
    }
}
