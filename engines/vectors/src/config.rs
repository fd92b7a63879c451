//! Typed configuration of the vector layer: embedding training (implicit
//! ALS) and the HNSW graph indexes. Every section rejects unknown fields and
//! every field has a default sized for a world of ~10–20k items, ~10k users
//! and ~100k logged events.

use searchrec_datasets::Action;
use serde::Deserialize;

use crate::VectorError;

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

/// The HNSW graph indexes (the `hnsw_rs` and `graph` backends).
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
    /// Candidate list size of the reachability measurement made once per
    /// build (every item searched with its own vector). Default 64.
    pub reachability_ef: usize,
    /// Fill the neighbour lists the diversity heuristic leaves short with the
    /// nearest pruned candidates (the HNSW paper's `keepPrunedConnections`;
    /// hnsw_rs's `set_keeping_pruned`). Worlds with many near-duplicate item
    /// vectors (cold items share their leaf's mean) otherwise leave most of
    /// a duplicate cluster without any level-0 in-link. Default: on for the
    /// `graph` backend (on the medium world it lifted recall@10 at ef 64 from
    /// 0.66 to 0.98, and on the 200k clustered set it bought recall at equal
    /// speed), off for `hnsw_rs` (its behaviour before the option existed).
    pub keep_pruned: Option<bool>,
}

impl Default for HnswConfig {
    fn default() -> Self {
        HnswConfig {
            max_nb_connection: 16,
            ef_construction: 100,
            ef_search: 64,
            max_layer: 16,
            parallel_build: false,
            reachability_ef: 64,
            keep_pruned: None,
        }
    }
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
    pub fn validate(&self) -> Result<(), VectorError> {
        if self.dim == 0 || self.dim > MAX_DIM {
            return Err(VectorError::config("embedding.dim", format!("must be in 1..={MAX_DIM}, got {}", self.dim)));
        }
        // Implicit ALS settles in 10–50 sweeps (Hu, Koren & Volinsky used
        // 10–15; `implicit` defaults to 15); each sweep is a full pass over
        // the logs, so a thousand is already hours on a large world.
        if !(1..=MAX_ITERATIONS).contains(&self.iterations) {
            return Err(VectorError::config(
                "embedding.iterations",
                format!("must be in 1..={MAX_ITERATIONS} (full ALS sweeps over the logs), got {}", self.iterations),
            ));
        }
        positive_finite("embedding.regularization", self.regularization)?;
        non_negative_finite("embedding.alpha", self.alpha)?;
        non_negative_finite("embedding.click_weight", self.click_weight)?;
        non_negative_finite("embedding.add_to_cart_weight", self.add_to_cart_weight)?;
        non_negative_finite("embedding.purchase_weight", self.purchase_weight)?;
        if self.click_weight + self.add_to_cart_weight + self.purchase_weight <= 0.0 {
            return Err(VectorError::config(
                "embedding.click_weight",
                "click, add-to-cart and purchase weights are all 0: nothing would be learned",
            ));
        }
        if self.solver == Solver::Cg && self.cg_steps == 0 {
            return Err(VectorError::config("embedding.cg_steps", "must be at least 1 with solver = \"cg\""));
        }
        // Conjugate gradient solves a dim × dim system exactly in dim steps;
        // more only repeat work.
        if self.cg_steps > MAX_DIM {
            return Err(VectorError::config(
                "embedding.cg_steps",
                format!("must be at most {MAX_DIM} (CG is exact after dim steps), got {}", self.cg_steps),
            ));
        }
        Ok(())
    }
}

/// The widest embedding: a typo past that, and every vector is that many floats.
pub const MAX_DIM: usize = 4096;

/// The most ALS sweeps a training may ask for.
pub const MAX_ITERATIONS: usize = 1000;

/// The longest HNSW candidate list (`ef_construction`, `ef_search`,
/// `reachability_ef`): ann-benchmarks' sweeps stop at 800, and past about
/// ten thousand the search visits most of any catalogue it is used on.
pub const MAX_EF: usize = 10_000;

impl HnswConfig {
    /// Checks every field; the error names the first bad one. hnsw_rs itself
    /// calls `exit(1)` on M > 256, so this must run before it is called.
    pub fn validate(&self) -> Result<(), VectorError> {
        if !(2..=256).contains(&self.max_nb_connection) {
            return Err(VectorError::config(
                "hnsw.max_nb_connection",
                format!("must be in 2..=256, got {}", self.max_nb_connection),
            ));
        }
        for (field, value) in [
            ("hnsw.ef_construction", self.ef_construction),
            ("hnsw.ef_search", self.ef_search),
            ("hnsw.reachability_ef", self.reachability_ef),
        ] {
            if !(1..=MAX_EF).contains(&value) {
                return Err(VectorError::config(
                    field,
                    format!("must be in 1..={MAX_EF} (a candidate list that long is an exhaustive scan), got {value}"),
                ));
            }
        }
        if !(1..=16).contains(&self.max_layer) {
            return Err(VectorError::config("hnsw.max_layer", format!("must be in 1..=16, got {}", self.max_layer)));
        }
        Ok(())
    }
}

fn non_negative_finite(field: &str, value: f32) -> Result<(), VectorError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(VectorError::config(field, format!("must be a finite number ≥ 0, got {value}")))
    }
}

fn positive_finite(field: &str, value: f32) -> Result<(), VectorError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(VectorError::config(field, format!("must be a finite number > 0, got {value}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(error: VectorError) -> String {
        match error {
            VectorError::Config { field, .. } => field,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn every_size_refuses_zero_and_absurd_values_naming_its_field() {
        type Set<T> = fn(&mut T, usize);
        let embedding: [(&str, Set<EmbeddingConfig>); 3] = [
            ("embedding.dim", |c, v| c.dim = v),
            ("embedding.iterations", |c, v| c.iterations = v),
            ("embedding.cg_steps", |c, v| {
                c.solver = Solver::Cg;
                c.cg_steps = v
            }),
        ];
        for (name, set) in embedding {
            for value in [0, usize::MAX, 1 << 40] {
                let mut config = EmbeddingConfig::default();
                set(&mut config, value);
                assert_eq!(field(config.validate().unwrap_err()), name, "{name} = {value}");
            }
        }
        let hnsw: [(&str, Set<HnswConfig>); 5] = [
            ("hnsw.max_nb_connection", |c, v| c.max_nb_connection = v),
            ("hnsw.ef_construction", |c, v| c.ef_construction = v),
            ("hnsw.ef_search", |c, v| c.ef_search = v),
            ("hnsw.reachability_ef", |c, v| c.reachability_ef = v),
            ("hnsw.max_layer", |c, v| c.max_layer = v),
        ];
        for (name, set) in hnsw {
            for value in [0, usize::MAX, 1 << 40] {
                let mut config = HnswConfig::default();
                set(&mut config, value);
                assert_eq!(field(config.validate().unwrap_err()), name, "{name} = {value}");
            }
        }
        EmbeddingConfig::default().validate().unwrap();
        HnswConfig::default().validate().unwrap();
    }
}
