//! The trained interest model: embeddings, the searchable item table, and
//! the rules that turn a feed request into a query vector. The ANN engine and
//! the exact engine share it, so they answer the same question.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use searchrec_datasets::{ItemId, UserId};
use searchrec_engine::{BuildInput, Hit, Signals, sort_hits};

use searchrec_vectors::{
    Csr, EmbeddingConfig, Embeddings, Interactions, VectorError, VectorTable, index_table, normalized, query_vector,
    train,
};

use crate::FeedConfig;
use crate::cold::fill_cold_items;

/// Facts about a model build, for engine reports.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelStats {
    /// Seconds spent training the embeddings (cold-item fill included).
    pub train_seconds: f64,
    /// Training loss after the last sweep.
    pub final_loss: f64,
    /// Distinct (user, item) pairs with a positive interaction.
    pub interactions: usize,
    /// Items without interactions, given their leaf's mean vector.
    pub cold_items: usize,
    /// Users without interactions; they are served from context or popularity.
    pub cold_users: usize,
}

impl ModelStats {
    /// The stats as engine-report diagnostics (`train_seconds`, `train_loss`,
    /// `interactions`, `cold_items`, `cold_users`).
    pub fn diagnostics(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("train_seconds".to_string(), self.train_seconds),
            ("train_loss".to_string(), self.final_loss),
            ("interactions".to_string(), self.interactions as f64),
            ("cold_items".to_string(), self.cold_items as f64),
            ("cold_users".to_string(), self.cold_users as f64),
        ])
    }
}

/// Where a query direction came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuerySource {
    /// The trained user factor only.
    History,
    /// The request context only (a user without history).
    Context,
    /// Both, mixed by `feed.context_weight`.
    HistoryAndContext,
    /// Neither: the popularity direction (and, for recommendations, the
    /// most popular items themselves).
    Popularity,
}

/// Trained embeddings plus everything needed to query them.
#[derive(Debug)]
pub struct InterestModel {
    embeddings: Embeddings,
    table: Arc<VectorTable>,
    /// `feed.item_norm_exponent`: it shaped `table`, so it is fixed at build.
    item_norm_exponent: f32,
    click_weight: f32,
    purchase_weight: f32,
    has_history: Vec<bool>,
    purchases: Csr,
    popularity: Vec<f32>,
    /// Items with interactions, most interacted first: the answer for a user
    /// with neither history nor context.
    popular: Vec<Hit>,
    stats: ModelStats,
}

impl InterestModel {
    /// Trains from observable data. Errors: invalid configs, an empty
    /// catalogue, logs naming unknown users or items, logs without any click,
    /// add-to-cart or purchase, and non-finite training results.
    pub fn build(input: BuildInput<'_>, embedding: &EmbeddingConfig, feed: &FeedConfig) -> Result<Self, VectorError> {
        embedding.validate()?;
        feed.validate()?;
        if input.catalog.is_empty() {
            return Err(VectorError::InvalidData("the catalogue is empty".to_string()));
        }
        let start = Instant::now();
        let interactions = Interactions::from_logs(input.logs, input.users.len(), input.catalog.len(), embedding)?;
        let training = train(&interactions, embedding)?;
        let mut embeddings = training.embeddings;
        let warm: Vec<bool> = (0..interactions.items()).map(|i| interactions.by_item().row(i).len() > 0).collect();
        let cold_items = fill_cold_items(&mut embeddings.items, &warm, &input.catalog.items, embedding.seed)?;
        let train_seconds = start.elapsed().as_secs_f64();

        let table = index_table(&embeddings.items, feed.item_norm_exponent)?;
        let has_history: Vec<bool> =
            (0..interactions.users()).map(|u| interactions.by_user().row(u).len() > 0).collect();
        let item_popularity = interactions.item_popularity();
        let popularity = popularity_direction(&embeddings.items, &item_popularity);
        let popular = popularity_ranking(&item_popularity);
        let stats = ModelStats {
            train_seconds,
            final_loss: training.loss_history.last().copied().unwrap_or(f64::NAN),
            interactions: interactions.by_user().nnz(),
            cold_items,
            cold_users: has_history.iter().filter(|h| !**h).count(),
        };
        Ok(InterestModel {
            embeddings,
            popularity: query_vector(&popularity, feed.item_norm_exponent),
            popular,
            table: Arc::new(table),
            item_norm_exponent: feed.item_norm_exponent,
            click_weight: embedding.click_weight,
            purchase_weight: embedding.purchase_weight,
            has_history,
            purchases: interactions.purchases().clone(),
            stats,
        })
    }

    /// Number of users the model was built with.
    pub fn users(&self) -> usize {
        self.has_history.len()
    }

    /// The trained (and cold-filled) factors.
    pub fn embeddings(&self) -> &Embeddings {
        &self.embeddings
    }

    /// The unit-length item table the indexes search (see [`index_table`]).
    pub fn item_table(&self) -> &Arc<VectorTable> {
        &self.table
    }

    /// Build facts.
    pub fn stats(&self) -> &ModelStats {
        &self.stats
    }

    /// The query vector for `user` with the channels' `signals`, in the
    /// space of [`Self::item_table`], with where its direction came from:
    ///
    /// - a user with history: the trained user factor, mixed with the
    ///   signals' direction by `feed.context_weight` when they have any;
    /// - a user without history: the signals' direction, if any and the
    ///   weight is positive;
    /// - otherwise the popularity direction, Σ popularity_i · ŷ_i normalised,
    ///   so a newcomer sees what everyone buys.
    ///
    /// The signals' direction is the weighted mean of the unit item vectors
    /// of their clicks (click weight) and purchases (purchase weight). Which
    /// channels' signals count is the caller's choice, and its coupling.
    /// Errors: the user or a signal's item is not in the tables.
    /// `feed` supplies the query-time settings (`context_weight`); its
    /// `item_norm_exponent` is ignored in favour of the one the model was built with.
    pub fn user_vector(
        &self,
        user: UserId,
        signals: &[Signals<'_>],
        feed: &FeedConfig,
    ) -> Result<(Vec<f32>, QuerySource), VectorError> {
        self.check_user(user)?;
        let history =
            if self.has_history[user.index()] { normalized(self.embeddings.users.row(user.index())) } else { None };
        let w = feed.context_weight;
        let context = if w > 0.0 { self.signal_direction(signals)? } else { None };
        let (direction, source) = match (history, context) {
            (Some(h), Some(c)) => {
                let mixed: Vec<f32> = h.iter().zip(&c).map(|(a, b)| (1.0 - w) * a + w * b).collect();
                // Opposite directions can cancel; the user's own taste then wins.
                (normalized(&mixed).unwrap_or(h), QuerySource::HistoryAndContext)
            }
            (Some(h), None) => (h, QuerySource::History),
            (None, Some(c)) => (c, QuerySource::Context),
            (None, None) => return Ok((self.popularity.clone(), QuerySource::Popularity)),
        };
        Ok((query_vector(&direction, self.item_norm_exponent), source))
    }

    /// Rejects a user past the user table.
    fn check_user(&self, user: UserId) -> Result<(), VectorError> {
        if user.index() >= self.has_history.len() {
            return Err(VectorError::InvalidRequest(format!(
                "user {user} is not in the user table ({} users)",
                self.has_history.len()
            )));
        }
        Ok(())
    }

    /// Items a feed must not show: with `feed.exclude_purchased`, what the
    /// user bought in the logs or in the `signals`; with
    /// `feed.refresh_sessions` = n > 0, every item of the last n lists in
    /// `shown` (the feed's own), so the feed refreshes between sessions
    /// instead of showing the same top items each time. Sorted, unique.
    pub fn excluded_items(
        &self,
        user: UserId,
        signals: &[Signals<'_>],
        shown: &[Vec<ItemId>],
        feed: &FeedConfig,
    ) -> Vec<ItemId> {
        let mut out = Vec::new();
        if feed.exclude_purchased && user.index() < self.purchases.rows() {
            out.extend(self.purchases.row_cols(user.index()).iter().map(|&i| ItemId(i)));
            signals.iter().for_each(|s| out.extend_from_slice(s.purchases));
        }
        let recent = shown.len().saturating_sub(feed.refresh_sessions);
        shown[recent..].iter().for_each(|list| out.extend_from_slice(list));
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Answers `k` feed items for `user` with `search(query, n)`, a top-n
    /// search over [`Self::item_table`]: the query from the `signals`
    /// ([`Self::user_vector`]), over-fetched by the number of excluded items
    /// ([`Self::excluded_items`] with the feed's own `shown` lists), which
    /// are dropped.
    pub fn recommend_with(
        &self,
        user: UserId,
        k: usize,
        (signals, shown): (&[Signals<'_>], &[Vec<ItemId>]),
        feed: &FeedConfig,
        search: impl FnOnce(&[f32], usize) -> Result<Vec<Hit>, VectorError>,
    ) -> Result<Vec<Hit>, VectorError> {
        let (query, source) = self.user_vector(user, signals, feed)?;
        let excluded = self.excluded_items(user, signals, shown, feed);
        if source == QuerySource::Popularity {
            // Nothing personal to rank by: the most interacted-with items are a
            // better answer than the items nearest their average direction.
            let popular = self.popular.iter().filter(|h| excluded.binary_search(&h.item).is_err());
            return Ok(popular.take(k).copied().collect());
        }
        let wanted = k.saturating_add(excluded.len()).min(self.table.len());
        let mut hits = search(&query, wanted)?;
        hits.retain(|h| excluded.binary_search(&h.item).is_err());
        hits.truncate(k);
        Ok(hits)
    }

    /// Approximate bytes held: factor tables, the searchable table, purchases.
    pub fn memory_bytes(&self) -> u64 {
        self.embeddings.items.memory_bytes()
            + self.embeddings.users.memory_bytes()
            + self.table.memory_bytes()
            + self.purchases.memory_bytes()
            + self.has_history.len() as u64
            + (self.popular.len() * std::mem::size_of::<Hit>()) as u64
    }

    /// The weighted mean direction of the signals' clicks and purchases.
    fn signal_direction(&self, signals: &[Signals<'_>]) -> Result<Option<Vec<f32>>, VectorError> {
        let n = self.embeddings.items.len();
        let mut sum = vec![0.0f32; self.embeddings.items.dim()];
        let weighted = signals.iter().flat_map(|s| {
            let clicks = s.clicks.iter().map(|&i| (i, self.click_weight));
            clicks.chain(s.purchases.iter().map(|&i| (i, self.purchase_weight)))
        });
        for (item, weight) in weighted {
            if item.index() >= n {
                return Err(VectorError::InvalidRequest(format!(
                    "context item {item} is not in the catalogue ({n} items)"
                )));
            }
            if let Some(unit) = normalized(self.embeddings.items.row(item.index())) {
                sum.iter_mut().zip(&unit).for_each(|(s, u)| *s += weight * u);
            }
        }
        Ok(normalized(&sum))
    }
}

/// Items with a positive popularity, most popular first (ties by id), scored
/// by their popularity.
fn popularity_ranking(popularity: &[f32]) -> Vec<Hit> {
    let mut hits: Vec<Hit> = popularity
        .iter()
        .enumerate()
        .filter(|(_, p)| **p > 0.0)
        .map(|(i, &p)| Hit { item: ItemId(i as u32), score: p })
        .collect();
    sort_hits(&mut hits);
    hits
}

/// Σ popularity_i · ŷ_i, normalised; zero only if the items cancel out.
fn popularity_direction(items: &VectorTable, popularity: &[f32]) -> Vec<f32> {
    let mut sum = vec![0.0f32; items.dim()];
    for (row, &p) in items.rows().zip(popularity) {
        if p > 0.0
            && let Some(unit) = normalized(row)
        {
            sum.iter_mut().zip(&unit).for_each(|(s, u)| *s += p * u);
        }
    }
    normalized(&sum).unwrap_or(sum)
}
