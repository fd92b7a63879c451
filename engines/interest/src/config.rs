//! Typed configuration: what to learn from the logs, how to index it, and
//! how a feed request becomes a query vector.
//!
//! Every section rejects unknown fields and every field has a default sized
//! for a world of ~10–20k items, ~10k users and ~100k logged events. In a
//! scenario file:
//!
//! ```toml
//! [[engines]]
//! name = "interest"
//! kind = "interest"
//! [engines.params]
//! index = "hnsw_rs"
//! [engines.params.embedding]
//! dim = 32
//! [engines.params.hnsw]
//! ef_search = 64
//! [engines.params.feed]
//! context_weight = 0.5
//! ```

use searchrec_vectors::{AnnBackend, EmbeddingConfig, HnswConfig, VectorError};
use serde::Deserialize;

/// Turning a feed request into a query vector.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FeedConfig {
    /// How much an item vector's length counts in the ranking, in [0, 1]:
    /// item `i` scores `⟨q, ŷ_i⟩ · |y_i|^item_norm_exponent` for the unit
    /// query `q`. 0 is cosine (direction only), 1 the model's own inner
    /// product. ALS item vectors grow with how much an item is interacted
    /// with, so the exponent sets how far the feed leans towards proven
    /// items; it also keeps cold items (short averaged vectors) from
    /// topping cosine feeds. Default 1: on the generated small world (30
    /// days, dim 8) it gave held-out recall@50 0.151 against 0.129 at 0.5,
    /// with ANN recall@10 0.97 against exact. (On the denser clustered test fixture
    /// 0.25–0.5 did best: tune it per world.)
    pub item_norm_exponent: f32,
    /// Share of the query direction given to the recent signals the feed
    /// reads (its own clicks and purchases; a coupled engine adds search's),
    /// in [0, 1]; the trained user factor gets the rest. 0 makes the feed
    /// read the long-term profile alone. Default 0.5.
    pub context_weight: f32,
    /// Leave out items the user bought (in the logs or in the signals the
    /// feed reads): a feed slot showing a finished purchase is wasted.
    /// Default true.
    pub exclude_purchased: bool,
    /// Leave out every item of the feed's last `refresh_sessions` lists
    /// (from the request context's feed signals), ≤ 1,000: a feed refreshes
    /// between sessions rather than showing the same top items again, as
    /// feeds do (a reshown item is an ignored slot). Default 3 (60 items of
    /// lists of 20, 0.4% of a 15k-item catalogue); 0 turns refresh off.
    pub refresh_sessions: usize,
}

impl Default for FeedConfig {
    fn default() -> Self {
        FeedConfig { item_norm_exponent: 1.0, context_weight: 0.5, exclude_purchased: true, refresh_sessions: 3 }
    }
}

/// Everything the `interest` engine kind reads from its `params` table.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct InterestConfig {
    /// Embedding training.
    pub embedding: EmbeddingConfig,
    /// Which index answers the feed's vector queries: `"hnsw_rs"` (default),
    /// `"graph"` (searchrec's own HNSW in hnswlib's layout) or `"exact"`
    /// (brute force). Both graph backends read the `hnsw` section.
    pub index: AnnBackend,
    /// The graph indexes' parameters.
    pub hnsw: HnswConfig,
    /// Query construction.
    pub feed: FeedConfig,
}

impl FeedConfig {
    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), VectorError> {
        if !(0.0..=1.0).contains(&self.item_norm_exponent) {
            return Err(VectorError::config(
                "feed.item_norm_exponent",
                format!("must be in [0, 1], got {}", self.item_norm_exponent),
            ));
        }
        if !(0.0..=1.0).contains(&self.context_weight) {
            return Err(VectorError::config(
                "feed.context_weight",
                format!("must be in [0, 1], got {}", self.context_weight),
            ));
        }
        if self.refresh_sessions > 1_000 {
            return Err(VectorError::config(
                "feed.refresh_sessions",
                format!("must be at most 1000 (lists left out of the feed), got {}", self.refresh_sessions),
            ));
        }
        Ok(())
    }
}

impl InterestConfig {
    /// Checks all three sections.
    pub fn validate(&self) -> Result<(), VectorError> {
        self.embedding.validate()?;
        self.hnsw.validate()?;
        self.feed.validate()
    }
}

/// The parameter paths that shape an interest index: the training, the
/// searchable table, the backend and its graph. Everything else
/// (`hnsw.ef_search`, `feed.context_weight`, `feed.exclude_purchased`,
/// `feed.refresh_sessions`) is
/// read per searcher.
pub const BUILD_PATHS: &[&str] = &[
    "embedding",
    "feed.item_norm_exponent",
    "index",
    "hnsw.max_nb_connection",
    "hnsw.ef_construction",
    "hnsw.max_layer",
    "hnsw.parallel_build",
    "hnsw.reachability_ef",
    "hnsw.keep_pruned",
];

#[cfg(test)]
mod tests {
    use super::*;
    use searchrec_vectors::Solver;

    fn field_of(err: VectorError) -> String {
        match err {
            VectorError::Config { field, .. } => field,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_valid() {
        InterestConfig::default().validate().unwrap();
    }

    #[test]
    fn empty_table_gives_defaults_and_partial_sections_keep_other_defaults() {
        let cfg: InterestConfig = toml::from_str("").unwrap();
        assert_eq!(cfg, InterestConfig::default());
        let cfg: InterestConfig = toml::from_str("[hnsw]\nef_search = 10\n[feed]\nitem_norm_exponent = 0.0").unwrap();
        assert_eq!(cfg.hnsw.ef_search, 10);
        assert_eq!(cfg.hnsw.max_nb_connection, 16);
        assert_eq!(cfg.feed.item_norm_exponent, 0.0);
        assert_eq!(cfg.embedding, EmbeddingConfig::default());
    }

    #[test]
    fn unknown_fields_are_rejected() {
        assert!(toml::from_str::<InterestConfig>("[embedding]\ndimm = 3").is_err());
        assert!(toml::from_str::<InterestConfig>("[hsnw]\nef_search = 3").is_err());
    }

    #[test]
    fn bad_values_name_their_field() {
        let bad = |f: fn(&mut InterestConfig)| {
            let mut cfg = InterestConfig::default();
            f(&mut cfg);
            field_of(cfg.validate().unwrap_err())
        };
        assert_eq!(bad(|c| c.embedding.dim = 0), "embedding.dim");
        assert_eq!(bad(|c| c.embedding.iterations = 0), "embedding.iterations");
        assert_eq!(bad(|c| c.embedding.regularization = 0.0), "embedding.regularization");
        assert_eq!(bad(|c| c.embedding.alpha = f32::NAN), "embedding.alpha");
        assert_eq!(bad(|c| c.embedding.purchase_weight = f32::NAN), "embedding.purchase_weight");
        assert_eq!(bad(|c| c.embedding.click_weight = -1.0), "embedding.click_weight");
        assert_eq!(
            bad(|c| {
                c.embedding.click_weight = 0.0;
                c.embedding.add_to_cart_weight = 0.0;
                c.embedding.purchase_weight = 0.0;
            }),
            "embedding.click_weight"
        );
        assert_eq!(bad(|c| c.embedding.cg_steps = 0), "embedding.cg_steps");
        assert_eq!(bad(|c| c.hnsw.max_nb_connection = 257), "hnsw.max_nb_connection");
        assert_eq!(bad(|c| c.hnsw.max_nb_connection = 1), "hnsw.max_nb_connection");
        assert_eq!(bad(|c| c.hnsw.ef_construction = 0), "hnsw.ef_construction");
        assert_eq!(bad(|c| c.hnsw.ef_search = 0), "hnsw.ef_search");
        assert_eq!(bad(|c| c.hnsw.max_layer = 0), "hnsw.max_layer");
        assert_eq!(bad(|c| c.hnsw.max_layer = 17), "hnsw.max_layer");
        assert_eq!(bad(|c| c.feed.context_weight = f32::NAN), "feed.context_weight");
        assert_eq!(bad(|c| c.feed.item_norm_exponent = -0.5), "feed.item_norm_exponent");
        assert_eq!(bad(|c| c.feed.context_weight = 1.5), "feed.context_weight");
    }

    #[test]
    fn cholesky_does_not_need_cg_steps() {
        let mut cfg = EmbeddingConfig { solver: Solver::Cholesky, cg_steps: 0, ..EmbeddingConfig::default() };
        cfg.validate().unwrap();
        cfg.solver = Solver::Cg;
        assert!(cfg.validate().is_err());
    }
}
