//! The shelf engine's typed configuration section.

use std::path::PathBuf;

use searchrec_engine::{EngineError, Result};
use serde::Deserialize;

/// Parameters of a shelf engine, the `[engines.params]` of `kind = "shelf"`.
/// Every field is optional and takes the default documented on it; an unknown
/// field is an error, so a typo never silently falls back to a default.
///
/// ```toml
/// [[engines]]
/// name = "bm25"
/// kind = "shelf"
/// [engines.params]
/// sales_weight = 0.0    # pure BM25
/// rating_weight = 0.0
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ShelfConfig {
    /// Multiplier of BM25 matches in the title, `0..=1000` (default 1.0).
    /// A field whose boost is 0 is not searched.
    pub title_boost: f64,
    /// Multiplier of BM25 matches in the brand, `0..=1000` (default 1.0).
    pub brand_boost: f64,
    /// Multiplier of BM25 matches in the category path, `0..=1000` (default 0.5).
    pub category_boost: f64,
    /// Multiplier of BM25 matches in the description (a real listing's
    /// colour, bullet points and description, or a document's body; empty in
    /// generated worlds), `0..=1000` (default 1.0).
    pub description_boost: f64,
    /// English (Snowball) stemming of the catalogue and of queries, so
    /// "leashes" finds "leash" (default true).
    pub stemming: bool,
    /// `w_s`, weight of the sales term of the trust prior, `0..=1000` (default 0.1).
    pub sales_weight: f64,
    /// `w_r`, weight of the rating term of the trust prior, `0..=1000` (default 0.1).
    pub rating_weight: f64,
    /// Star rating the prior assumes for an item without reviews, `1..=5`
    /// (default 3.0, the middle of the scale: no evidence either way).
    pub unrated_rating: f64,
    /// Build the index in this directory (created if missing; it must not
    /// already hold an index) instead of in RAM (default: none, RAM). The
    /// files stay after the engine is dropped.
    pub index_dir: Option<PathBuf>,
    /// Indexing threads, `1..=8` (default 1: builds of several engines already
    /// run in parallel).
    pub index_threads: usize,
    /// Indexing heap budget in bytes shared by the threads, at least
    /// 15 000 000 per thread, tantivy's floor (default 50 000 000).
    pub writer_heap_bytes: usize,
    /// Merge the index into a single segment after indexing, the layout that
    /// searches fastest (default true).
    pub merge_segments: bool,
}

impl Default for ShelfConfig {
    fn default() -> Self {
        ShelfConfig {
            title_boost: 1.0,
            brand_boost: 1.0,
            category_boost: 0.5,
            description_boost: 1.0,
            stemming: true,
            sales_weight: 0.1,
            rating_weight: 0.1,
            unrated_rating: 3.0,
            index_dir: None,
            index_threads: 1,
            writer_heap_bytes: 50_000_000,
            merge_segments: true,
        }
    }
}

/// The parameter paths that shape a shelf index: its analyzer, the ratings
/// stored in it, and how it is written. Boosts and prior weights are read per
/// searcher.
pub const BUILD_PATHS: &[&str] =
    &["stemming", "unrated_rating", "index_dir", "index_threads", "writer_heap_bytes", "merge_segments"];

/// tantivy refuses a per-thread indexing budget below this.
const MIN_HEAP_PER_THREAD: usize = 15_000_000;
/// tantivy refuses a per-thread indexing budget above this (4 GB less a margin).
const MAX_HEAP_PER_THREAD: usize = u32::MAX as usize - 1_000_000;
/// tantivy's indexing thread pool tops out at 8.
const MAX_THREADS: usize = 8;
/// Large enough for any sensible boost, small enough that scores stay finite.
const MAX_WEIGHT: f64 = 1000.0;

impl ShelfConfig {
    /// Checks every range, naming the first offending field.
    pub fn validate(&self, engine: &str) -> Result<()> {
        let error = |field: &str, message: String| EngineError::Config {
            engine: engine.to_string(),
            field: field.to_string(),
            message,
        };
        for (field, value) in [
            ("title_boost", self.title_boost),
            ("brand_boost", self.brand_boost),
            ("category_boost", self.category_boost),
            ("description_boost", self.description_boost),
            ("sales_weight", self.sales_weight),
            ("rating_weight", self.rating_weight),
        ] {
            if !(0.0..=MAX_WEIGHT).contains(&value) {
                return Err(error(field, format!("{value} is outside 0..={MAX_WEIGHT}")));
            }
        }
        if [self.title_boost, self.brand_boost, self.category_boost, self.description_boost].iter().all(|&b| b == 0.0) {
            return Err(error(
                "title_boost",
                "every field boost is 0, so nothing would be searched; make at least one positive".to_string(),
            ));
        }
        if !(1.0..=5.0).contains(&self.unrated_rating) {
            return Err(error("unrated_rating", format!("{} is outside the star scale 1..=5", self.unrated_rating)));
        }
        if !(1..=MAX_THREADS).contains(&self.index_threads) {
            return Err(error("index_threads", format!("{} is outside 1..={MAX_THREADS}", self.index_threads)));
        }
        let per_thread = self.writer_heap_bytes / self.index_threads;
        if !(MIN_HEAP_PER_THREAD..=MAX_HEAP_PER_THREAD).contains(&per_thread) {
            return Err(error(
                "writer_heap_bytes",
                format!(
                    "{} bytes over {} thread(s) is {per_thread} per thread; tantivy needs \
                     {MIN_HEAP_PER_THREAD}..={MAX_HEAP_PER_THREAD} per thread",
                    self.writer_heap_bytes, self.index_threads
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(config: &ShelfConfig) -> String {
        match config.validate("e") {
            Err(EngineError::Config { field, .. }) => field,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn defaults_are_valid() {
        ShelfConfig::default().validate("e").unwrap();
    }

    #[test]
    fn out_of_range_values_name_their_field() {
        let base = ShelfConfig::default();
        let cases = [
            (ShelfConfig { title_boost: -1.0, ..base.clone() }, "title_boost"),
            (ShelfConfig { brand_boost: f64::NAN, ..base.clone() }, "brand_boost"),
            (ShelfConfig { category_boost: f64::INFINITY, ..base.clone() }, "category_boost"),
            (ShelfConfig { sales_weight: -0.1, ..base.clone() }, "sales_weight"),
            (ShelfConfig { rating_weight: 1e9, ..base.clone() }, "rating_weight"),
            (ShelfConfig { unrated_rating: 0.0, ..base.clone() }, "unrated_rating"),
            (ShelfConfig { index_threads: 0, ..base.clone() }, "index_threads"),
            (ShelfConfig { index_threads: 9, ..base.clone() }, "index_threads"),
            (ShelfConfig { writer_heap_bytes: 0, ..base.clone() }, "writer_heap_bytes"),
            (ShelfConfig { index_threads: 4, writer_heap_bytes: 50_000_000, ..base.clone() }, "writer_heap_bytes"),
            (ShelfConfig { description_boost: -2.0, ..base.clone() }, "description_boost"),
            (
                ShelfConfig { title_boost: 0.0, brand_boost: 0.0, category_boost: 0.0, description_boost: 0.0, ..base },
                "title_boost",
            ),
        ];
        for (config, field) in cases {
            assert_eq!(field_of(&config), field, "{config:?}");
        }
    }
}
