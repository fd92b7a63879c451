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
//! [engines.params.embedding]
//! dim = 32
//! [engines.params.hnsw]
//! ef_search = 64
//! [engines.params.feed]
//! context_weight = 0.5
//! ```

use searchrec_datasets::Action;
use serde::Deserialize;

use crate::InterestError;

/// How the linear system of each ALS row is solved.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Solver {
    /// A few warm-started conjugate-gradient steps per row (Takács et al.,
    /// 2011): O(d²) per step instead of O(d³), and every step still lowers the
    /// loss.
    Cg,
    /// Exact Cholesky solve per row; slower, useful as a reference.
    Cholesky,
}

/// Matrix-factorisation training (implicit ALS, Hu–Koren–Volinsky 2008).
///
/// Each (user, item) pair with logged clicks, add-to-carts or purchases has a
/// strength `r` = Σ action weights and confidence `c = 1 + alpha · r`;
/// every other pair has preference 0 with confidence 1. Impressions are
/// exposure, not interest, and count for nothing.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EmbeddingConfig {
    /// Latent dimension. Default 8: on generated small worlds (a few
    /// interactions per user) held-out recall@50 was best at 8 — with 30 days
    /// of logs 0.151 at 8, 0.129 at 16 and 0.050 at 32; with 60 days 0.192 at
    /// 8 and 0.180 at 16. Sparse logs support few factors.
    pub dim: usize,
    /// ALS sweeps (users then items). Default 15.
    pub iterations: usize,
    /// L2 regularisation λ on both factor tables. Default 0.1.
    pub regularization: f32,
    /// Confidence slope α. Default 40 (as in Hu et al.; 10–100 all beat
    /// lower values on held-out purchases in our measurements).
    pub alpha: f32,
    /// Strength of one click. Default 1.
    pub click_weight: f32,
    /// Strength of one add-to-cart. Default 2.
    pub add_to_cart_weight: f32,
    /// Strength of one purchase. Default 4.
    pub purchase_weight: f32,
    /// Row solver. Default `"cg"`.
    pub solver: Solver,
    /// Conjugate-gradient steps per row and sweep (with `solver = "cg"`). Default 3.
    pub cg_steps: usize,
    /// Seed of the factor initialisation and of cold-item jitter. Default 42.
    pub seed: u64,
}

impl Default for EmbeddingConfig {
    fn default() -> Self {
        EmbeddingConfig {
            dim: 8,
            iterations: 15,
            regularization: 0.1,
            alpha: 40.0,
            click_weight: 1.0,
            add_to_cart_weight: 2.0,
            purchase_weight: 4.0,
            solver: Solver::Cg,
            cg_steps: 3,
            seed: 42,
        }
    }
}

/// The hnsw_rs index.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HnswConfig {
    /// Links per node and layer (M; layer 0 keeps 2·M). At most 256. Default 16.
    pub max_nb_connection: usize,
    /// Candidate list size while inserting. Default 100: on a 15k-item
    /// clustered fixture, 200 bought +0.0014 recall@10 at ef 64 for 2.4× the
    /// build time.
    pub ef_construction: usize,
    /// Candidate list size while searching (raised to k when k is larger). Default 64.
    pub ef_search: usize,
    /// Number of layers, 1–16. Default 16.
    pub max_layer: usize,
    /// Insert with hnsw_rs's `parallel_insert` on the rayon pool. Faster, but
    /// the graph then depends on thread interleaving, so neither the answers
    /// nor the reachability are reproducible. Default false: sequential
    /// insertion in item order, whose level draws come from hnsw_rs's fixed
    /// seed, builds the same graph every time.
    pub parallel_build: bool,
}

impl Default for HnswConfig {
    fn default() -> Self {
        HnswConfig { max_nb_connection: 16, ef_construction: 100, ef_search: 64, max_layer: 16, parallel_build: false }
    }
}

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
    /// Share of the query direction given to the request's context (recent
    /// clicks and purchases from search), in [0, 1]; the trained user factor
    /// gets the rest. 0 switches search → feed coupling off. Default 0.5.
    pub context_weight: f32,
    /// Leave out items the user bought (in the logs or in the request
    /// context): a feed slot showing a finished purchase is wasted. Default true.
    pub exclude_purchased: bool,
}

impl Default for FeedConfig {
    fn default() -> Self {
        FeedConfig { item_norm_exponent: 1.0, context_weight: 0.5, exclude_purchased: true }
    }
}

/// Everything the `interest` engine kind reads from its `params` table.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct InterestConfig {
    /// Embedding training.
    pub embedding: EmbeddingConfig,
    /// The ANN index.
    pub hnsw: HnswConfig,
    /// Query construction.
    pub feed: FeedConfig,
}

impl EmbeddingConfig {
    /// Strength one event of `action` adds to its (user, item) pair.
    pub fn weight(&self, action: Action) -> f32 {
        match action {
            Action::Click => self.click_weight,
            Action::AddToCart => self.add_to_cart_weight,
            Action::Purchase => self.purchase_weight,
            Action::Search | Action::Impression => 0.0,
        }
    }

    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), InterestError> {
        if self.dim == 0 || self.dim > 4096 {
            return Err(InterestError::config("embedding.dim", format!("must be in 1..=4096, got {}", self.dim)));
        }
        if self.iterations == 0 {
            return Err(InterestError::config("embedding.iterations", "must be at least 1"));
        }
        positive_finite("embedding.regularization", self.regularization)?;
        non_negative_finite("embedding.alpha", self.alpha)?;
        non_negative_finite("embedding.click_weight", self.click_weight)?;
        non_negative_finite("embedding.add_to_cart_weight", self.add_to_cart_weight)?;
        non_negative_finite("embedding.purchase_weight", self.purchase_weight)?;
        if self.click_weight + self.add_to_cart_weight + self.purchase_weight <= 0.0 {
            return Err(InterestError::config(
                "embedding.click_weight",
                "click, add-to-cart and purchase weights are all 0: nothing would be learned",
            ));
        }
        if self.solver == Solver::Cg && self.cg_steps == 0 {
            return Err(InterestError::config("embedding.cg_steps", "must be at least 1 with solver = \"cg\""));
        }
        Ok(())
    }
}

impl HnswConfig {
    /// Checks every field; the error names the first bad one. hnsw_rs itself
    /// calls `exit(1)` on M > 256, so this must run before it is called.
    pub fn validate(&self) -> Result<(), InterestError> {
        if !(2..=256).contains(&self.max_nb_connection) {
            return Err(InterestError::config(
                "hnsw.max_nb_connection",
                format!("must be in 2..=256, got {}", self.max_nb_connection),
            ));
        }
        if self.ef_construction == 0 {
            return Err(InterestError::config("hnsw.ef_construction", "must be at least 1"));
        }
        if self.ef_search == 0 {
            return Err(InterestError::config("hnsw.ef_search", "must be at least 1"));
        }
        if !(1..=16).contains(&self.max_layer) {
            return Err(InterestError::config("hnsw.max_layer", format!("must be in 1..=16, got {}", self.max_layer)));
        }
        Ok(())
    }
}

impl FeedConfig {
    /// Checks every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), InterestError> {
        if !(0.0..=1.0).contains(&self.item_norm_exponent) {
            return Err(InterestError::config(
                "feed.item_norm_exponent",
                format!("must be in [0, 1], got {}", self.item_norm_exponent),
            ));
        }
        if !(0.0..=1.0).contains(&self.context_weight) {
            return Err(InterestError::config(
                "feed.context_weight",
                format!("must be in [0, 1], got {}", self.context_weight),
            ));
        }
        Ok(())
    }
}

impl InterestConfig {
    /// Checks all three sections.
    pub fn validate(&self) -> Result<(), InterestError> {
        self.embedding.validate()?;
        self.hnsw.validate()?;
        self.feed.validate()
    }
}

fn non_negative_finite(field: &str, value: f32) -> Result<(), InterestError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(InterestError::config(field, format!("must be a finite number ≥ 0, got {value}")))
    }
}

fn positive_finite(field: &str, value: f32) -> Result<(), InterestError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(InterestError::config(field, format!("must be a finite number > 0, got {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(err: InterestError) -> String {
        match err {
            InterestError::Config { field, .. } => field,
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
