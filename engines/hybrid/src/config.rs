//! The hybrid engine's typed configuration section.

use searchrec_engine::{EngineError, Result};
use searchrec_interest::InterestConfig;
use searchrec_shelf::ShelfConfig;
use serde::Deserialize;

/// How a personalised search blends the lexical list with the interest side.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Fusion {
    /// Weighted reciprocal rank fusion of the shelf list and the interest
    /// list (the user's ANN recall), `Σ w_i / (rrf_k + rank_i)` with ranks
    /// from 1 (see [`crate::fusion::reciprocal_rank`]).
    Rrf,
    /// Min-max normalised linear fusion of the same two lists,
    /// `Σ w_i · minmax_i(s)`; an item missing from a list counts 0 there.
    Minmax,
    /// Z-score normalised linear fusion of the same two lists,
    /// `Σ w_i · z_i(s)`; an item missing from a list counts as that list's
    /// lowest z-score.
    Zscore,
    /// Personalised rerank: the top `rerank_depth` shelf hits, re-scored by
    /// `(1 − β) · minmax(shelf score) + β · minmax(⟨user vector, item vector⟩)`
    /// with `β = personalisation`, plus `γ · minmax(closeness)` to recently
    /// clicked items when `revisit_weight` γ > 0. Never shows an item the
    /// query did not match.
    Rerank,
}

/// Parameters of a hybrid engine, the `[engines.params]` of `kind = "hybrid"`.
/// Every field is optional and takes the default documented on it; an unknown
/// field is an error. The `shelf` and `interest` sub-sections are those
/// engines' own configurations and are validated by their rules (errors name
/// the field as `shelf.…` / `interest.…`).
///
/// ```toml
/// [[engines]]
/// name = "hybrid-rrf"
/// kind = "hybrid"
/// [engines.params]
/// fusion = "rrf"
/// personalised_search = true   # A: search reads the feed's signals
/// query_aware_feed = false     # B: the feed ignores search's signals
/// [engines.params.shelf]
/// sales_weight = 0.0
/// [engines.params.interest.embedding]
/// dim = 32
/// ```
///
/// Each channel reads its own signals; each coupling switch adds exactly
/// the other channel's (the request [`Context`](searchrec_engine::Context)
/// carries both), so the two factors of the synergy experiment are one
/// mechanism each. The long-term profile (the interest model's user factor)
/// is trained on the world's logs of both channels before the experiment,
/// and every cell reads it.
///
/// **Search** (request with a user): the user's taste vector is the
/// interest model's user factor mixed (by `interest.feed.context_weight`)
/// with search's own recent clicks and purchases — and, with coupling A
/// (`personalised_search`), the feed's recent clicks and purchases too;
/// `fusion` blends it with the shelf ranking; with `revisit_weight` > 0 the
/// rerank also reads the same clicks item by item (closeness to each).
/// Without a user, search is the shelf ranking alone.
///
/// **Feed**: the interest feed from the user factor mixed with the feed's
/// own recent clicks and purchases, leaving out what the user bought and
/// the feed's last `interest.feed.refresh_sessions` lists. With coupling B
/// (`query_aware_feed`), search's clicks and purchases count too, and the
/// direction is pulled towards recent search intent: for each recent search
/// list the user saw, the unit factor vectors of its top `query_items`
/// items are summed and normalised, the lists' directions are summed and
/// normalised into the intent `ĉ`, and the query direction `u` becomes
/// `normalise((1 − m) · u + m · ĉ)` with `m = query_weight`. Reading the
/// lists the user saw (rather than re-running an anonymous shelf search)
/// is what lets A shape B when both are on. A request with queries but no
/// lists (offline) takes each query's intent from the shelf ranking.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HybridConfig {
    /// The shelf side's configuration (default: [`ShelfConfig::default`]).
    pub shelf: ShelfConfig,
    /// The interest side's configuration (default: [`InterestConfig::default`]).
    pub interest: InterestConfig,
    /// How personalised search blends the two sides (default `"rerank"`: the
    /// interest model has no query encoder, so its list for a search is the
    /// user's recall whatever the query; only a rerank keeps every result a
    /// match for the query).
    pub fusion: Fusion,
    /// `k` of reciprocal rank fusion with 1-based ranks, ≥ 0 (default 60, the
    /// paper's; Qdrant's and Weaviate's 0-based `k₀` equal this `k` + 1).
    pub rrf_k: f64,
    /// Weight of the shelf list in `rrf`, `minmax` and `zscore` fusion, ≥ 0
    /// (default 0.7). With `interest_weight` it must sum to 1.
    pub shelf_weight: f64,
    /// Weight of the interest list in `rrf`, `minmax` and `zscore` fusion,
    /// ≥ 0 (default 0.3, the same share as `personalisation`: the query keeps
    /// the larger say).
    pub interest_weight: f64,
    /// Hits drawn from each side for `rrf`, `minmax` and `zscore` fusion,
    /// ≥ 1 (default 100, in OpenSearch's recommended 100–200); raised to `k`
    /// when a request asks for more.
    pub candidate_depth: usize,
    /// Shelf hits re-scored by `rerank`, ≥ 1 (default 100); raised to `k`
    /// when a request asks for more.
    pub rerank_depth: usize,
    /// `β`, the share of the user's affinity in `rerank`, in [0, 1] (default 0.3).
    pub personalisation: f64,
    /// `γ`, the weight in `rerank` of each candidate's closeness to an item
    /// the user recently clicked on a channel search reads: its best cosine
    /// to such an item in the interest model's factor space, min-max
    /// normalised, added as `+ γ · minmax(closeness)`; in [0, 10] (default 0:
    /// off). It is the item-level reading of the same signals the taste
    /// vector mixes in as one direction: a click on a pan says *which* pan
    /// (its style), which a direction averaged over every click loses. With
    /// coupling A the feed's clicks count, so what the user dwelt on in the
    /// feed comes back first when they search for its product type.
    pub revisit_weight: f64,
    /// Coupling A, feed → search: search's personalisation reads the feed's
    /// recent clicks and purchases besides its own (default true).
    pub personalised_search: bool,
    /// Coupling B, search → feed: the feed reads search's recent clicks,
    /// purchases and the result lists the user saw (default true).
    pub query_aware_feed: bool,
    /// `m`, how far recent queries pull the feed's query direction, in [0, 1]
    /// (default 0.5, the interest engine's own `context_weight` default).
    pub query_weight: f64,
    /// Top shelf hits per recent query that define its intent, ≥ 1 (default 10).
    pub query_items: usize,
}

impl HybridConfig {
    /// What an engine with this configuration supports: both channels, and
    /// the coupling switches as set.
    pub fn capabilities(&self) -> searchrec_engine::Capabilities {
        searchrec_engine::Capabilities {
            search: true,
            recommend: true,
            personalised_search: self.personalised_search,
            query_aware_feed: self.query_aware_feed,
        }
    }
}

impl Default for HybridConfig {
    fn default() -> Self {
        HybridConfig {
            shelf: ShelfConfig::default(),
            interest: InterestConfig::default(),
            fusion: Fusion::Rerank,
            rrf_k: 60.0,
            shelf_weight: 0.7,
            interest_weight: 0.3,
            candidate_depth: 100,
            rerank_depth: 100,
            personalisation: 0.3,
            revisit_weight: 0.0,
            personalised_search: true,
            query_aware_feed: true,
            query_weight: 0.5,
            query_items: 10,
        }
    }
}

/// The parameter paths that shape a hybrid index: those of its two sides
/// (`searchrec_shelf::BUILD_PATHS` under `shelf.`, `searchrec_interest::BUILD_PATHS`
/// under `interest.`; a test keeps the lists in step). Fusion, weights,
/// depths and the coupling switches are read per searcher.
pub const BUILD_PATHS: &[&str] = &[
    "shelf.stemming",
    "shelf.unrated_rating",
    "shelf.index_dir",
    "shelf.index_threads",
    "shelf.writer_heap_bytes",
    "shelf.merge_segments",
    "interest.embedding",
    "interest.feed.item_norm_exponent",
    "interest.index",
    "interest.hnsw.max_nb_connection",
    "interest.hnsw.ef_construction",
    "interest.hnsw.max_layer",
    "interest.hnsw.parallel_build",
    "interest.hnsw.reachability_ef",
    "interest.hnsw.keep_pruned",
];

/// The most hits a hybrid fetches from one side per request (and the most
/// top hits defining a query's intent): the harness's own evaluation depth
/// stops at 10,000, and every request pays for what it fetches.
pub const MAX_DEPTH: usize = 10_000;

/// How far `shelf_weight + interest_weight` may stray from 1 (decimal
/// fractions such as 0.35 + 0.65 are not exact in binary).
const WEIGHT_SUM_TOLERANCE: f64 = 1e-6;

impl HybridConfig {
    /// Checks every field, the sub-sections first, naming the first offending
    /// field by its dotted path.
    pub fn validate(&self, engine: &str) -> Result<()> {
        self.shelf.validate(engine).map_err(|e| prefixed(e, "shelf"))?;
        self.interest.validate().map_err(|e| prefixed(e.into_engine(engine), "interest"))?;
        let error = |field: &str, message: String| EngineError::Config {
            engine: engine.to_string(),
            field: field.to_string(),
            message,
        };
        if !(self.rrf_k.is_finite() && self.rrf_k >= 0.0) {
            return Err(error("rrf_k", format!("must be a finite number ≥ 0, got {}", self.rrf_k)));
        }
        for (field, value) in [("shelf_weight", self.shelf_weight), ("interest_weight", self.interest_weight)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(error(field, format!("must be a finite number ≥ 0, got {value}")));
            }
        }
        let sum = self.shelf_weight + self.interest_weight;
        if (sum - 1.0).abs() > WEIGHT_SUM_TOLERANCE {
            return Err(error(
                "interest_weight",
                format!(
                    "shelf_weight + interest_weight must be 1, got {} + {} = {sum}",
                    self.shelf_weight, self.interest_weight
                ),
            ));
        }
        for (field, value) in [
            ("candidate_depth", self.candidate_depth),
            ("rerank_depth", self.rerank_depth),
            ("query_items", self.query_items),
        ] {
            if !(1..=MAX_DEPTH).contains(&value) {
                return Err(error(
                    field,
                    format!("must be in 1..={MAX_DEPTH} (hits fetched per request), got {value}"),
                ));
            }
        }
        for (field, value) in [("personalisation", self.personalisation), ("query_weight", self.query_weight)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(error(field, format!("must be in [0, 1], got {value}")));
            }
        }
        if !(0.0..=10.0).contains(&self.revisit_weight) {
            return Err(error("revisit_weight", format!("must be in [0, 10], got {}", self.revisit_weight)));
        }
        Ok(())
    }
}

/// The sub-engine's config error with its field path under `section`.
fn prefixed(error: EngineError, section: &str) -> EngineError {
    match error {
        EngineError::Config { engine, field, message } => {
            EngineError::Config { engine, field: format!("{section}.{field}"), message }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(config: &HybridConfig) -> String {
        match config.validate("h") {
            Err(EngineError::Config { field, .. }) => field,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn build_paths_are_the_sides_build_paths() {
        let sides: Vec<String> = (searchrec_shelf::BUILD_PATHS.iter().map(|p| format!("shelf.{p}")))
            .chain(searchrec_interest::BUILD_PATHS.iter().map(|p| format!("interest.{p}")))
            .collect();
        assert_eq!(BUILD_PATHS, sides);
    }

    #[test]
    fn defaults_are_valid_and_an_empty_table_gives_them() {
        HybridConfig::default().validate("h").unwrap();
        let parsed: HybridConfig = toml::from_str("").unwrap();
        assert_eq!(parsed, HybridConfig::default());
    }

    #[test]
    fn sub_sections_parse_into_their_own_configs() {
        let parsed: HybridConfig =
            toml::from_str("fusion = \"zscore\"\n[shelf]\nsales_weight = 0.0\n[interest.hnsw]\nef_search = 10\n")
                .unwrap();
        assert_eq!(parsed.fusion, Fusion::Zscore);
        assert_eq!(parsed.shelf.sales_weight, 0.0);
        assert_eq!(parsed.shelf.title_boost, ShelfConfig::default().title_boost);
        assert_eq!(parsed.interest.hnsw.ef_search, 10);
    }

    #[test]
    fn unknown_fields_are_rejected_at_every_level() {
        for text in ["fusoin = \"rrf\"", "[shelf]\ntitle_bost = 1.0", "[interest.feed]\ncontext_weigth = 1.0"] {
            assert!(toml::from_str::<HybridConfig>(text).is_err(), "{text}");
        }
        assert!(toml::from_str::<HybridConfig>("fusion = \"borda\"").is_err());
    }

    #[test]
    fn bad_values_name_their_field() {
        let base = HybridConfig::default();
        let mut bad_interest = base.clone();
        bad_interest.interest.embedding.dim = 0;
        let cases = [
            (
                HybridConfig { shelf: ShelfConfig { title_boost: -1.0, ..ShelfConfig::default() }, ..base.clone() },
                "shelf.title_boost",
            ),
            (bad_interest, "interest.embedding.dim"),
            (HybridConfig { rrf_k: -1.0, ..base.clone() }, "rrf_k"),
            (HybridConfig { rrf_k: f64::NAN, ..base.clone() }, "rrf_k"),
            (HybridConfig { shelf_weight: -0.1, interest_weight: 1.1, ..base.clone() }, "shelf_weight"),
            (HybridConfig { interest_weight: f64::INFINITY, ..base.clone() }, "interest_weight"),
            (HybridConfig { shelf_weight: 0.5, interest_weight: 0.6, ..base.clone() }, "interest_weight"),
            (HybridConfig { candidate_depth: 0, ..base.clone() }, "candidate_depth"),
            (HybridConfig { rerank_depth: 0, ..base.clone() }, "rerank_depth"),
            (HybridConfig { query_items: 0, ..base.clone() }, "query_items"),
            (HybridConfig { candidate_depth: usize::MAX, ..base.clone() }, "candidate_depth"),
            (HybridConfig { rerank_depth: 1 << 40, ..base.clone() }, "rerank_depth"),
            (HybridConfig { query_items: usize::MAX, ..base.clone() }, "query_items"),
            (HybridConfig { personalisation: 1.5, ..base.clone() }, "personalisation"),
            (HybridConfig { query_weight: f64::NAN, ..base.clone() }, "query_weight"),
            (HybridConfig { revisit_weight: -0.5, ..base.clone() }, "revisit_weight"),
            (HybridConfig { revisit_weight: f64::NAN, ..base }, "revisit_weight"),
        ];
        for (config, field) in cases {
            assert_eq!(field_of(&config), field, "{config:?}");
        }
    }

    #[test]
    fn weights_need_only_sum_to_one_up_to_rounding() {
        let config = HybridConfig { shelf_weight: 0.35, interest_weight: 0.65, ..HybridConfig::default() };
        config.validate("h").unwrap();
        let config = HybridConfig { shelf_weight: 1.0, interest_weight: 0.0, ..HybridConfig::default() };
        config.validate("h").unwrap();
    }
}
