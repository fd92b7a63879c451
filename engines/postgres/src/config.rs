//! The `postgres` engine's typed configuration section.

use searchrec_engine::{EngineError, Result};
use searchrec_interest::FeedConfig;
use searchrec_vectors::EmbeddingConfig;
use serde::Deserialize;

/// Where the connection string comes from when `url` is not set.
pub const URL_ENV: &str = "SEARCHREC_PG_URL";

/// Parameters of a `postgres` engine, the `[engines.params]` of
/// `kind = "postgres"`. Every field is optional; unknown fields are errors.
///
/// The text fields mirror the shelf engine's (`title_boost`, …,
/// `unrated_rating`), the `embedding`, `feed` and `index` fields the
/// interest engine's, so that a scenario can set both engines the same and
/// `ann_against = "exact"` accepts this engine.
///
/// ```toml
/// [[engines]]
/// name = "pg"
/// kind = "postgres"
/// [engines.params]
/// url = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
/// [engines.params.hnsw]
/// m = 16
/// ef_construction = 64
/// ef_search = 40
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PostgresConfig {
    /// libpq-style connection string, key=value or `postgresql://` URL
    /// (default: the `SEARCHREC_PG_URL` environment variable; without it, a
    /// throwaway server the index starts and stops). Only unencrypted
    /// connections (Unix socket, TCP) are supported.
    pub url: Option<String>,
    /// The schema the engine creates, fills and drops with the index; it
    /// must not exist yet (default: a fresh `searchrec_<pid>_<n>_<time>`).
    /// Lower-case letters, digits and `_`, at most 63 bytes.
    pub schema: Option<String>,
    /// Connections the engine keeps open, `1..=64` (default 4): concurrent
    /// requests beyond it wait for a free one.
    pub pool_size: usize,
    /// Multiplier of text matches in the title, `0..=1000` (default 1.0).
    pub title_boost: f64,
    /// Multiplier of text matches in the brand, `0..=1000` (default 1.0).
    pub brand_boost: f64,
    /// Multiplier of text matches in the category path, `0..=1000` (default 0.5).
    pub category_boost: f64,
    /// The `english` text search configuration (Snowball stemming, English
    /// stop words) when true, `simple` (lower-casing only) when false
    /// (default true).
    pub stemming: bool,
    /// `w_s`, weight of the sales term of the trust prior, `0..=1000` (default 0.1).
    pub sales_weight: f64,
    /// `w_r`, weight of the rating term of the trust prior, `0..=1000` (default 0.1).
    pub rating_weight: f64,
    /// Star rating the prior assumes for an item without reviews, `1..=5` (default 3.0).
    pub unrated_rating: f64,
    /// How query text becomes a `tsquery`: `"websearch"` (default,
    /// `websearch_to_tsquery`: every word must match, `"…"` phrases, `or`,
    /// `-word`) or `"any"` (any word matches, as the shelf engine's
    /// disjunction).
    pub query_syntax: QuerySyntax,
    /// `ts_rank_cd`'s normalization bit mask, `0..=63` (default 0: none;
    /// 1 divides by 1 + ln(document length), 2 by the length, …).
    pub rank_normalization: i32,
    /// Embedding training, as for the interest engine.
    pub embedding: EmbeddingConfig,
    /// Query construction, as for the interest engine (`item_norm_exponent`,
    /// `context_weight`, `exclude_purchased`, `refresh_sessions`).
    pub feed: FeedConfig,
    /// `"hnsw"` (default: a pgvector HNSW index) or `"exact"` (no vector
    /// index: an exact scan by the server).
    pub index: VectorIndex,
    /// pgvector's HNSW parameters.
    pub hnsw: PgHnsw,
}

/// How query text becomes a `tsquery`.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QuerySyntax {
    /// `websearch_to_tsquery`: conjunctive, with phrases, `or` and `-`.
    #[default]
    Websearch,
    /// Every word of the text (split on non-alphanumerics), OR-ed.
    Any,
}

/// Which access path answers the feed's vector queries.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum VectorIndex {
    /// A pgvector HNSW index (`vector_ip_ops`).
    #[default]
    Hnsw,
    /// No index: the server scans every item.
    Exact,
}

/// pgvector's HNSW knobs.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PgHnsw {
    /// Links per node, `2..=100` (pgvector's range; default 16). Build time.
    pub m: usize,
    /// Candidate list while building, `4..=1000` and at least `2·m`
    /// (default 64). Build time.
    pub ef_construction: usize,
    /// `hnsw.ef_search`, `1..=1000` (default 40). Query time.
    pub ef_search: usize,
    /// `hnsw.iterative_scan`: `"strict_order"` (default: keep scanning past
    /// `ef_search` until the feed's over-fetch is filled, in distance order),
    /// `"relaxed_order"` or `"off"` (at most `ef_search` items per query).
    pub iterative_scan: IterativeScan,
}

/// pgvector's `hnsw.iterative_scan`.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IterativeScan {
    /// At most `ef_search` results.
    Off,
    /// More results, in exact distance order.
    #[default]
    StrictOrder,
    /// More results, roughly in distance order.
    RelaxedOrder,
}

impl IterativeScan {
    /// The GUC's value.
    pub(crate) fn as_sql(self) -> &'static str {
        match self {
            IterativeScan::Off => "off",
            IterativeScan::StrictOrder => "strict_order",
            IterativeScan::RelaxedOrder => "relaxed_order",
        }
    }
}

impl Default for PgHnsw {
    fn default() -> Self {
        PgHnsw { m: 16, ef_construction: 64, ef_search: 40, iterative_scan: IterativeScan::StrictOrder }
    }
}

impl Default for PostgresConfig {
    fn default() -> Self {
        PostgresConfig {
            url: None,
            schema: None,
            pool_size: 4,
            title_boost: 1.0,
            brand_boost: 1.0,
            category_boost: 0.5,
            stemming: true,
            sales_weight: 0.1,
            rating_weight: 0.1,
            unrated_rating: 3.0,
            query_syntax: QuerySyntax::Websearch,
            rank_normalization: 0,
            embedding: EmbeddingConfig::default(),
            feed: FeedConfig::default(),
            index: VectorIndex::Hnsw,
            hnsw: PgHnsw::default(),
        }
    }
}

/// The parameter paths that shape a `postgres` index: the server and
/// schema, the pool, the text configuration and the ratings stored, the
/// embedding and its table, and the vector index. Boosts, prior weights,
/// query syntax, `hnsw.ef_search`, `hnsw.iterative_scan` and the feed's
/// query-time settings are read per searcher.
pub const BUILD_PATHS: &[&str] = &[
    "url",
    "schema",
    "pool_size",
    "stemming",
    "unrated_rating",
    "embedding",
    "feed.item_norm_exponent",
    "index",
    "hnsw.m",
    "hnsw.ef_construction",
];

/// Large enough for any sensible boost, small enough that scores stay finite.
const MAX_WEIGHT: f64 = 1000.0;
/// More connections than this would only queue inside the server.
const MAX_POOL: usize = 64;
/// PostgreSQL's identifier limit (NAMEDATALEN − 1).
const MAX_IDENTIFIER: usize = 63;

impl PostgresConfig {
    /// Checks every range, naming the first offending field.
    pub fn validate(&self, engine: &str) -> Result<()> {
        let error = |field: &str, message: String| EngineError::Config {
            engine: engine.to_string(),
            field: field.into(),
            message,
        };
        for (field, value) in [
            ("title_boost", self.title_boost),
            ("brand_boost", self.brand_boost),
            ("category_boost", self.category_boost),
            ("sales_weight", self.sales_weight),
            ("rating_weight", self.rating_weight),
        ] {
            if !(0.0..=MAX_WEIGHT).contains(&value) {
                return Err(error(field, format!("{value} is outside 0..={MAX_WEIGHT}")));
            }
        }
        if self.title_boost == 0.0 && self.brand_boost == 0.0 && self.category_boost == 0.0 {
            return Err(error(
                "title_boost",
                "every field boost is 0, so nothing would be searched; make at least one positive".to_string(),
            ));
        }
        if !(1.0..=5.0).contains(&self.unrated_rating) {
            return Err(error("unrated_rating", format!("{} is outside the star scale 1..=5", self.unrated_rating)));
        }
        if !(0..=63).contains(&self.rank_normalization) {
            return Err(error(
                "rank_normalization",
                format!("{} is not a ts_rank_cd bit mask (0..=63)", self.rank_normalization),
            ));
        }
        if !(1..=MAX_POOL).contains(&self.pool_size) {
            return Err(error("pool_size", format!("{} is outside 1..={MAX_POOL}", self.pool_size)));
        }
        if let Some(schema) = &self.schema {
            let valid = !schema.is_empty()
                && schema.len() <= MAX_IDENTIFIER
                && !schema.starts_with(|c: char| c.is_ascii_digit())
                && !schema.starts_with("pg_")
                && schema.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(error(
                    "schema",
                    format!(
                        "{schema:?} is not a plain schema name: use lower-case letters, digits and `_` \
                         (not first a digit, not `pg_…`), at most {MAX_IDENTIFIER} bytes"
                    ),
                ));
            }
        }
        if let Some(url) = &self.url {
            url.parse::<postgres::Config>()
                .map_err(|e| error("url", format!("`{}` is not a connection string: {e}", crate::pool::redact(url))))?;
        }
        let h = &self.hnsw;
        if !(2..=100).contains(&h.m) {
            return Err(error("hnsw.m", format!("{} is outside pgvector's 2..=100", h.m)));
        }
        if !(4..=1000).contains(&h.ef_construction) || h.ef_construction < 2 * h.m {
            return Err(error(
                "hnsw.ef_construction",
                format!("{} is outside pgvector's 4..=1000 or below 2·m = {}", h.ef_construction, 2 * h.m),
            ));
        }
        if !(1..=1000).contains(&h.ef_search) {
            return Err(error("hnsw.ef_search", format!("{} is outside pgvector's 1..=1000", h.ef_search)));
        }
        self.embedding.validate().map_err(|e| e.into_engine(engine))?;
        self.feed.validate().map_err(|e| e.into_engine(engine))?;
        Ok(())
    }

    /// The text search configuration the catalogue and queries are parsed with.
    pub(crate) fn text_config(&self) -> &'static str {
        if self.stemming { "english" } else { "simple" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(config: &PostgresConfig) -> String {
        match config.validate("e") {
            Err(EngineError::Config { field, .. }) => field,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_valid_and_an_empty_table_gives_them() {
        PostgresConfig::default().validate("e").unwrap();
        let parsed: PostgresConfig = toml::from_str("").unwrap();
        assert_eq!(parsed, PostgresConfig::default());
    }

    #[test]
    fn out_of_range_values_name_their_field() {
        let base = PostgresConfig::default();
        let mut deep = base.clone();
        deep.hnsw.ef_construction = 20;
        let mut wide = base.clone();
        wide.hnsw.m = 101;
        let mut ef = base.clone();
        ef.hnsw.ef_search = 0;
        let mut dim = base.clone();
        dim.embedding.dim = 0;
        let cases = [
            (PostgresConfig { title_boost: -1.0, ..base.clone() }, "title_boost"),
            (PostgresConfig { sales_weight: f64::NAN, ..base.clone() }, "sales_weight"),
            (PostgresConfig { unrated_rating: 0.0, ..base.clone() }, "unrated_rating"),
            (PostgresConfig { rank_normalization: 64, ..base.clone() }, "rank_normalization"),
            (PostgresConfig { pool_size: 0, ..base.clone() }, "pool_size"),
            (PostgresConfig { schema: Some("Bad-Name".into()), ..base.clone() }, "schema"),
            (PostgresConfig { schema: Some("pg_mine".into()), ..base.clone() }, "schema"),
            (PostgresConfig { url: Some("host=x port=notaport".into()), ..base.clone() }, "url"),
            (PostgresConfig { title_boost: 0.0, brand_boost: 0.0, category_boost: 0.0, ..base }, "title_boost"),
            (deep, "hnsw.ef_construction"),
            (wide, "hnsw.m"),
            (ef, "hnsw.ef_search"),
            (dim, "embedding.dim"),
        ];
        for (config, field) in cases {
            assert_eq!(field_of(&config), field, "{config:?}");
        }
    }

    #[test]
    fn unknown_fields_are_rejected() {
        assert!(toml::from_str::<PostgresConfig>("[hnsw]\nef_serch = 3").is_err());
        assert!(toml::from_str::<PostgresConfig>("index = \"annoy\"").is_err());
    }
}
