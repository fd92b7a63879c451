//! The tantivy index: schema, analyzer and the build from a catalogue.

use std::fmt::Display;

use searchrec_datasets::Catalog;
use searchrec_engine::{EngineError, Result};
use tantivy::schema::{FAST, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, doc};

use crate::config::ShelfConfig;

/// Name under which the analyzer is registered with the index.
const ANALYZER: &str = "searchrec_shelf";
/// Tokens longer than this are noise (hashes, run-together junk), not words.
const MAX_TOKEN_BYTES: usize = 40;

/// Fast-field names; the trust prior reads them per segment.
pub(crate) const ITEM_FIELD: &str = "item";
pub(crate) const SALES_FIELD: &str = "sales";
pub(crate) const RATING_FIELD: &str = "rating";

/// Maps a library error to [`EngineError::Backend`], saying what was being done.
pub(crate) fn backend(engine: &str, doing: &str, error: impl Display) -> EngineError {
    EngineError::Backend { engine: engine.to_string(), message: format!("{doing}: {error}") }
}

/// The searchable text fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TextFields {
    pub(crate) title: Field,
    pub(crate) brand: Field,
    pub(crate) category: Field,
    /// The rest of a real listing's text; empty in generated worlds.
    pub(crate) description: Field,
}

/// A committed, searchable index of the catalogue.
pub(crate) struct TextIndex {
    reader: IndexReader,
    fields: TextFields,
    analyzer: TextAnalyzer,
    segments: usize,
    space_bytes: u64,
}

/// The one analyzer of the index and of queries. `SimpleTokenizer` splits on
/// every non-alphanumeric character, which is also what makes query syntax
/// (`"`, `:`, `(`, `-`) plain separators rather than operators.
fn analyzer(stemming: bool) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    if stemming { builder.filter(Stemmer::new(Language::English)).build() } else { builder.build() }
}

impl TextIndex {
    /// Indexes every item: its title, brand, category path and description as separate
    /// fields, and the prior's inputs as fast fields. `ratings[i]` is the
    /// rating the prior uses for item `i`.
    pub(crate) fn build(engine: &str, config: &ShelfConfig, catalog: &Catalog, ratings: &[f64]) -> Result<Self> {
        // Frequencies without positions: there are no phrase queries, and
        // positions would be the largest part of the index.
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(ANALYZER).set_index_option(IndexRecordOption::WithFreqs),
        );
        let mut schema = Schema::builder();
        let fields = TextFields {
            title: schema.add_text_field("title", text.clone()),
            brand: schema.add_text_field("brand", text.clone()),
            category: schema.add_text_field("category", text.clone()),
            description: schema.add_text_field("description", text),
        };
        let item = schema.add_u64_field(ITEM_FIELD, FAST);
        let sales = schema.add_u64_field(SALES_FIELD, FAST);
        let rating = schema.add_f64_field(RATING_FIELD, FAST);
        let schema = schema.build();

        let index = match &config.index_dir {
            None => Index::create_in_ram(schema),
            Some(dir) => {
                let doing = format!("creating the index in {}", dir.display());
                std::fs::create_dir_all(dir).map_err(|e| backend(engine, &doing, e))?;
                Index::create_in_dir(dir, schema).map_err(|e| backend(engine, &doing, e))?
            }
        };
        let analyzer = analyzer(config.stemming);
        index.tokenizers().register(ANALYZER, analyzer.clone());
        // Manual: the default policy reloads asynchronously after a commit, so
        // a search right after the build could miss documents.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| backend(engine, "opening the index reader", e))?;

        let mut writer: IndexWriter<TantivyDocument> = index
            .writer_with_num_threads(config.index_threads, config.writer_heap_bytes)
            .map_err(|e| backend(engine, "creating the index writer", e))?;
        for (row, (listing, &rating_value)) in catalog.items.iter().zip(ratings).enumerate() {
            let path = catalog.category_paths.get(listing.leaf.index()).ok_or_else(|| EngineError::InvalidData {
                engine: engine.to_string(),
                message: format!(
                    "item {} (row {row}) is in leaf {}, but the catalogue has only {} category paths",
                    listing.id,
                    listing.leaf,
                    catalog.category_paths.len()
                ),
            })?;
            writer
                .add_document(doc!(
                    fields.title => listing.title.as_str(),
                    fields.brand => listing.brand.as_str(),
                    fields.category => path.as_str(),
                    fields.description => listing.description.as_str(),
                    item => u64::from(listing.id.0),
                    sales => u64::from(listing.sales_count),
                    rating => rating_value,
                ))
                .map_err(|e| backend(engine, "indexing an item", e))?;
        }
        writer.commit().map_err(|e| backend(engine, "committing the index", e))?;
        if config.merge_segments {
            let ids = index.searchable_segment_ids().map_err(|e| backend(engine, "listing segments", e))?;
            if ids.len() > 1 {
                writer.merge(&ids).wait().map_err(|e| backend(engine, "merging segments", e))?;
            }
        }
        writer.garbage_collect_files().wait().map_err(|e| backend(engine, "removing merged segments", e))?;
        writer.wait_merging_threads().map_err(|e| backend(engine, "finishing merges", e))?;
        reader.reload().map_err(|e| backend(engine, "reloading the index reader", e))?;

        let searcher = reader.searcher();
        let space_bytes =
            searcher.space_usage().map_err(|e| backend(engine, "measuring the index", e))?.total().get_bytes();
        let segments = searcher.segment_readers().len();
        Ok(TextIndex { reader, fields, analyzer, segments, space_bytes })
    }

    /// A searcher over the committed index; take one per request and keep it
    /// for the whole request.
    pub(crate) fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The text fields.
    pub(crate) fn fields(&self) -> TextFields {
        self.fields
    }

    /// A copy of the index's analyzer, for tokenising one query.
    pub(crate) fn analyzer(&self) -> TextAnalyzer {
        self.analyzer.clone()
    }

    /// Number of segments.
    pub(crate) fn segments(&self) -> usize {
        self.segments
    }

    /// Bytes the index occupies (tantivy's own space accounting).
    pub(crate) fn space_bytes(&self) -> u64 {
        self.space_bytes
    }
}
