//! Amazon ESCI Shopping Queries (`format = "esci"`), read from the two
//! Parquet files of [amazon-science/esci-data] as they are distributed:
//! `shopping_queries_dataset_examples.parquet` (one row per judged
//! (query, product) pair) and `shopping_queries_dataset_products.parquet`
//! (the listings), joined on (`product_locale`, `product_id`).
//!
//! | ESCI | world |
//! |---|---|
//! | distinct `query_id` of the selected rows, in order of first appearance | a [`Query`] (`text` = `query`, time 0) |
//! | — (ESCI has no users) | one anonymous [`UserProfile`] per query (all zeros), the query's `user` |
//! | product of the locale (`catalogue = "locale"`), or only the judged ones (`"judged"`) | an [`Item`], in products-file order |
//! | `product_title` (required) | `title` |
//! | `product_brand` (null → empty) | `brand` |
//! | `product_color`, `product_bullet_point`, `product_description` | `description`, the non-empty ones joined by newlines |
//! | — | one leaf, `ESCI products (LOCALE)` |
//! | — (ESCI has no prices, ratings or sales) | price 1.0, rating 0, reviews 0, sales 0 |
//! | `esci_label` E / S / C / I | [`Grade::Exact`] / `Substitute` / `Complement` / `Irrelevant` |
//!
//! Irrelevant rows are written as judgements: they were judged, which
//! matters to metrics that skip unjudged items. The gains are the ESCI
//! paper's (E 1.0, S 0.1, C 0.01, I 0), set explicitly so a change of the
//! generator's defaults cannot change them.
//!
//! Selection: `locale` (us, es, jp; default us), `version` (small: rows with
//! `small_version` = 1, the default; large: `large_version` = 1) and `split`
//! (train, test — the default —, all). Rows outside the selected part are
//! checked only in the columns that select them.
//!
//! Both files stream by record batches with only the needed columns
//! projected. With `catalogue = "judged"` the examples are read first and
//! only the listings they name are kept, so a small part of a large locale
//! loads fast. Rows in messages count from 0, as in the world readers.
//!
//! [amazon-science/esci-data]: https://github.com/amazon-science/esci-data

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, Int64Array, LargeStringArray, RecordBatch, StringArray, StringViewArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::properties::WriterProperties;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use super::{IdMap, Parts, anonymous_queries, assemble, resolve};
use crate::scenario::Gains;
use crate::{Catalog, DatasetError, Grade, Item, ItemId, Judgement, LeafId, QueryId, Result, World};

/// The examples file's name in the data set's folder.
pub const EXAMPLES_FILE: &str = "shopping_queries_dataset_examples.parquet";
/// The products file's name in the data set's folder.
pub const PRODUCTS_FILE: &str = "shopping_queries_dataset_products.parquet";

/// `[world.source]` with `format = "esci"`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EsciSource {
    /// The folder holding [`EXAMPLES_FILE`] and [`PRODUCTS_FILE`].
    pub dir: PathBuf,
    /// Which marketplace (default us).
    #[serde(default)]
    pub locale: Locale,
    /// Which version of the task (default small).
    #[serde(default)]
    pub version: Version,
    /// Which split (default test).
    #[serde(default)]
    pub split: Split,
    /// Which products become items (default the whole locale).
    #[serde(default)]
    pub catalogue: Catalogue,
}

/// An ESCI marketplace, as written in `product_locale`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// amazon.com.
    #[default]
    Us,
    /// amazon.es.
    Es,
    /// amazon.co.jp.
    Jp,
}

impl Locale {
    /// The value of `product_locale`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::Us => "us",
            Locale::Es => "es",
            Locale::Jp => "jp",
        }
    }
}

/// ESCI's two versions of the ranking task.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Version {
    /// Rows with `small_version` = 1 (task 1, the reduced set).
    #[default]
    Small,
    /// Rows with `large_version` = 1.
    Large,
}

impl Version {
    fn column(self) -> &'static str {
        match self {
            Version::Small => "small_version",
            Version::Large => "large_version",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Version::Small => "small",
            Version::Large => "large",
        }
    }
}

/// ESCI's `split` column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// `split` = train.
    Train,
    /// `split` = test.
    #[default]
    Test,
    /// Both.
    All,
}

impl Split {
    fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "test",
            Split::All => "all",
        }
    }

    fn selects(self, value: &str) -> bool {
        self == Split::All || value == self.name()
    }
}

/// Which products become items.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Catalogue {
    /// Every product of the locale: engines must find the judged products
    /// among all the others, as on the marketplace.
    #[default]
    Locale,
    /// Only the products the selected queries judge: small and fast, but a
    /// reranking task rather than retrieval (the dataset name says `judged`).
    Judged,
}

/// ESCI's gains (the paper's; its scoring script swaps S and C).
const GAINS: Gains = Gains { exact: 1.0, substitute: 0.1, complement: 0.01, irrelevant: 0.0 };

/// Rows per record batch read: bounds memory whatever the row groups.
const BATCH_ROWS: usize = 8192;

/// Loads the selected part of ESCI from `source.dir` (relative to `base`).
pub fn load(source: &EsciSource, base: &Path) -> Result<World> {
    let dir = resolve(base, &source.dir);
    let examples_path = dir.join(EXAMPLES_FILE);
    let examples = read_examples(source, &examples_path)?;
    if examples.texts.is_empty() {
        // A catalogue without queries measures nothing: say which part is empty.
        return Err(DatasetError::format(
            examples_path,
            format!(
                "no row has product_locale = {}, {} = 1 and split {}",
                source.locale.code(),
                source.version.column(),
                source.split.name()
            ),
        ));
    }
    let needed: Option<HashSet<&str>> =
        (source.catalogue == Catalogue::Judged).then(|| examples.rows.iter().map(|r| r.product.as_str()).collect());
    let products_path = dir.join(PRODUCTS_FILE);
    let (catalog, item_of) = read_products(source.locale, needed.as_ref(), &products_path)?;

    let mut judgements = Vec::with_capacity(examples.rows.len());
    for row in &examples.rows {
        let Some(&item) = item_of.get(row.product.as_str()) else {
            return Err(DatasetError::format(
                &examples_path,
                format!(
                    "row {} (0-based), column `product_id`: product `{}` (locale {}) is not in {}",
                    row.row,
                    row.product,
                    source.locale.code(),
                    products_path.display()
                ),
            ));
        };
        judgements.push(Judgement { query: QueryId(row.query), item, grade: row.grade });
    }
    let (users, queries) = anonymous_queries(examples.texts);
    let mut dataset = format!("esci-{}-{}-{}", source.locale.code(), source.version.name(), source.split.name());
    if source.catalogue == Catalogue::Judged {
        dataset.push_str("-judged");
    }
    assemble(Parts { dataset, catalog, users, queries, judgements, gains: GAINS, ..Parts::default() })
}

/// A selected example, waiting for its product's item id.
struct ExampleRow {
    row: u64,
    query: u32,
    product: String,
    grade: Grade,
}

/// The selected examples and the text of each query, by dense id.
struct Examples {
    rows: Vec<ExampleRow>,
    texts: Vec<String>,
}

fn read_examples(source: &EsciSource, path: &Path) -> Result<Examples> {
    use Kind::{Int, Text};
    let version = source.version.column();
    let columns = [
        ("product_locale", Text),
        (version, Int),
        ("split", Text),
        ("query_id", Int),
        ("query", Text),
        ("product_id", Text),
        ("esci_label", Text),
    ];
    let mut query_ids = IdMap::<i64>::new();
    let mut out = Examples { rows: Vec::new(), texts: Vec::new() };
    for_each_batch(path, &columns, |b| {
        for i in 0..b.len() {
            let selected =
                b.text(0, i)? == source.locale.code() && b.int(1, i)? == 1 && source.split.selects(b.text(2, i)?);
            if !selected {
                continue;
            }
            let query = query_ids.intern(&b.int(3, i)?);
            if query as usize == out.texts.len() {
                out.texts.push(b.text(4, i)?.to_string());
            }
            let label = b.text(6, i)?;
            let grade = match label {
                "E" => Grade::Exact,
                "S" => Grade::Substitute,
                "C" => Grade::Complement,
                "I" => Grade::Irrelevant,
                other => return Err(b.fault(i, 6, &format!("label `{other}` is not one of E, S, C, I"))),
            };
            out.rows.push(ExampleRow { row: b.row(i), query, product: b.text(5, i)?.to_string(), grade });
        }
        Ok(())
    })?;
    Ok(out)
}

/// The locale's products (those in `needed` when given) as items, in file
/// order, and the item of each product id.
fn read_products(
    locale: Locale,
    needed: Option<&HashSet<&str>>,
    path: &Path,
) -> Result<(Catalog, HashMap<String, ItemId>)> {
    use Kind::Text;
    let columns = [
        ("product_locale", Text),
        ("product_id", Text),
        ("product_title", Text),
        ("product_brand", Text),
        ("product_color", Text),
        ("product_bullet_point", Text),
        ("product_description", Text),
    ];
    let mut items = Vec::new();
    let mut item_of = HashMap::new();
    let mut rows = Vec::new();
    for_each_batch(path, &columns, |b| {
        for i in 0..b.len() {
            if b.text(0, i)? != locale.code() {
                continue;
            }
            let product = b.text(1, i)?;
            if needed.is_some_and(|n| !n.contains(product)) {
                continue;
            }
            let id = ItemId(items.len() as u32);
            if let Some(first) = item_of.insert(product.to_string(), id) {
                let first_row: u64 = rows[first.index()];
                return Err(b.fault(
                    i,
                    1,
                    &format!("product `{product}` is also at row {first_row} of locale {}", locale.code()),
                ));
            }
            rows.push(b.row(i));
            // Colour first: it is short and says what the title often omits.
            let description: Vec<&str> =
                (4..=6).filter_map(|c| b.opt_text(c, i)).filter(|s| !s.trim().is_empty()).collect();
            items.push(Item {
                id,
                title: b.text(2, i)?.to_string(),
                brand: b.opt_text(3, i).unwrap_or_default().to_string(),
                description: description.join("\n"),
                leaf: LeafId(0),
                // ESCI has no prices; a constant keeps price-aware code
                // neutral rather than inventing a distribution.
                price: 1.0,
                rating: 0.0,
                review_count: 0,
                sales_count: 0,
            });
        }
        Ok(())
    })?;
    let catalog = Catalog { items, category_paths: vec![format!("ESCI products ({})", locale.code())] };
    Ok((catalog, item_of))
}

/// The type a column must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Int64.
    Int,
    /// A string column (pandas writes Utf8; other writers LargeUtf8 or Utf8View).
    Text,
}

impl Kind {
    fn accepts(self, t: &DataType) -> bool {
        match self {
            Kind::Int => t == &DataType::Int64,
            Kind::Text => matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View),
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Kind::Int => "Int64",
            Kind::Text => "a string (Utf8, LargeUtf8 or Utf8View)",
        }
    }
}

/// One projected column of a batch, typed once per batch.
enum Column<'a> {
    Int(&'a Int64Array),
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Column<'a> {
    fn new(array: &'a ArrayRef) -> Option<Column<'a>> {
        match array.data_type() {
            DataType::Int64 => array.as_primitive_opt().map(Column::Int),
            DataType::Utf8 => array.as_string_opt::<i32>().map(Column::Utf8),
            DataType::LargeUtf8 => array.as_string_opt::<i64>().map(Column::Large),
            DataType::Utf8View => array.as_string_view_opt().map(Column::View),
            _ => None,
        }
    }

    fn array(&self) -> &'a dyn Array {
        match self {
            Column::Int(a) => *a,
            Column::Utf8(a) => *a,
            Column::Large(a) => *a,
            Column::View(a) => *a,
        }
    }
}

/// A record batch with its columns in the order they were asked for.
struct Batch<'a> {
    path: &'a Path,
    /// The file row of the batch's first row.
    first_row: u64,
    names: Vec<&'a str>,
    columns: Vec<Column<'a>>,
}

impl Batch<'_> {
    fn len(&self) -> usize {
        self.columns.first().map_or(0, |c| c.array().len())
    }

    fn row(&self, i: usize) -> u64 {
        self.first_row + i as u64
    }

    fn fault(&self, i: usize, c: usize, message: &str) -> DatasetError {
        DatasetError::format(self.path, format!("row {} (0-based), column `{}`: {message}", self.row(i), self.names[c]))
    }

    fn null(&self, i: usize, c: usize) -> DatasetError {
        self.fault(i, c, "null, but the column is required")
    }

    fn int(&self, c: usize, i: usize) -> Result<i64> {
        match &self.columns[c] {
            Column::Int(a) if a.is_valid(i) => Ok(a.value(i)),
            _ => Err(self.null(i, c)),
        }
    }

    fn text(&self, c: usize, i: usize) -> Result<&str> {
        self.opt_text(c, i).ok_or_else(|| self.null(i, c))
    }

    fn opt_text(&self, c: usize, i: usize) -> Option<&str> {
        let column = &self.columns[c];
        if column.array().is_null(i) {
            return None;
        }
        match column {
            Column::Int(_) => None,
            Column::Utf8(a) => Some(a.value(i)),
            Column::Large(a) => Some(a.value(i)),
            Column::View(a) => Some(a.value(i)),
        }
    }
}

/// Streams `path` by record batches of the named columns (checked for
/// presence and type first), handing each to `each`.
fn for_each_batch(path: &Path, columns: &[(&str, Kind)], mut each: impl FnMut(&Batch<'_>) -> Result<()>) -> Result<()> {
    // The parquet crate panics on some corrupt pages instead of returning an
    // error (see io/parquet_file.rs); a corrupt file is bad input, so the
    // panic becomes an error naming the file. `each` only appends to the
    // loader's tables, which are dropped with the error.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| stream_batches(path, columns, &mut each))).unwrap_or_else(
        |panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(DatasetError::format(path, format!("corrupt Parquet data (the decoder failed: {what})")))
        },
    )
}

fn stream_batches(path: &Path, columns: &[(&str, Kind)], each: &mut dyn FnMut(&Batch<'_>) -> Result<()>) -> Result<()> {
    let file = File::open(path).map_err(|e| DatasetError::io(path, e))?;
    let unreadable = |e: parquet::errors::ParquetError| {
        DatasetError::format(path, format!("not a readable Parquet file, or a truncated one ({e})"))
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(unreadable)?;
    let mut roots = Vec::with_capacity(columns.len());
    for &(name, kind) in columns {
        let Ok(index) = builder.schema().index_of(name) else {
            return Err(DatasetError::format(
                path,
                format!("missing column `{name}` (expected type {})", kind.expected()),
            ));
        };
        let t = builder.schema().field(index).data_type();
        if !kind.accepts(t) {
            return Err(DatasetError::format(
                path,
                format!("column `{name}` has type {t}, expected {}", kind.expected()),
            ));
        }
        roots.push(index);
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder.with_projection(mask).with_batch_size(BATCH_ROWS).build().map_err(unreadable)?;
    let mut first_row = 0;
    for batch in reader {
        let batch: RecordBatch = batch
            .map_err(|e| DatasetError::format(path, format!("corrupt data after row {first_row} (0-based): {e}")))?;
        let mut typed = Vec::with_capacity(columns.len());
        for &(name, _) in columns {
            let column = batch.column_by_name(name).and_then(Column::new).ok_or_else(|| {
                DatasetError::format(
                    path,
                    format!("column `{name}` is missing from a batch (a nested or corrupt schema)"),
                )
            })?;
            typed.push(column);
        }
        let names = columns.iter().map(|&(n, _)| n).collect();
        each(&Batch { path, first_row, names, columns: typed })?;
        first_row += batch.num_rows() as u64;
    }
    Ok(())
}

/// What [`write_fixture`] writes.
#[derive(Clone, Debug)]
pub struct EsciFixture {
    /// Distinct queries, over the three locales.
    pub queries: usize,
    /// Examples (judged products) per query.
    pub products_per_query: usize,
    /// Seed of every choice: the same spec writes the same files.
    pub seed: u64,
}

impl Default for EsciFixture {
    fn default() -> Self {
        EsciFixture { queries: 60, products_per_query: 8, seed: 7 }
    }
}

/// Rows per row group in fixtures: small, so even test fixtures have
/// several and readers are tested across row-group boundaries.
const FIXTURE_ROW_GROUP: usize = 100;

/// Words of fixture titles and queries: a small vocabulary, so a BM25
/// engine finds the Exact products, whose titles hold the query's words.
const WORDS: &[&str] = &[
    "red", "blue", "black", "cotton", "wool", "leather", "running", "hiking", "shoes", "jacket", "backpack", "lamp",
    "desk", "kettle", "steel", "glass", "mug", "charger", "cable", "phone", "case", "bottle", "tent", "pillow",
];
const BRANDS: &[&str] = &["Acme", "Northwind", "Globex", "Initech", "Umbrella"];
const LOCALES: [&str; 3] = ["us", "es", "jp"];

/// Writes both ESCI Parquet files in the real schema under `dir`: the
/// queries cycle through us, es and jp, about a third are in the test split
/// and half in the small version (all in the large); each query judges
/// `products_per_query` products (its first Exact, whose title holds the
/// query's words), products are sometimes judged by several queries of a
/// locale, one product id exists in two locales with different listings,
/// each locale has unjudged products too, and the optional columns have
/// nulls.
pub fn write_fixture(dir: &Path, spec: &EsciFixture) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let pick = |rng: &mut ChaCha8Rng| *WORDS.choose(rng).unwrap_or(&"item");
    let mut products = FixtureProducts::default();
    let mut examples = FixtureExamples::default();
    for q in 0..spec.queries {
        let locale = LOCALES[q % 3];
        let words: Vec<&str> = (0..rng.random_range(1..=3)).map(|_| pick(&mut rng)).collect();
        let query = FixtureQuery {
            locale,
            id: 1000 + 3 * q as i64,
            text: words.join(" "),
            split: if rng.random::<f64>() < 0.35 { "test" } else { "train" },
            small: i64::from(rng.random::<bool>()),
        };
        for k in 0..spec.products_per_query {
            let label = if k == 0 { "E" } else { ["E", "E", "S", "S", "C", "I", "I"][rng.random_range(0..7)] };
            // A product already in the locale, judged again by this query.
            let reuse = k > 0 && rng.random::<f64>() < 0.15 && !products.ids_of(locale).is_empty();
            let product = if reuse {
                let ids = products.ids_of(locale);
                ids[rng.random_range(0..ids.len())].clone()
            } else {
                let mut title: Vec<&str> = match label {
                    "E" => words.clone(),
                    "S" => vec![words[0]],
                    _ => vec![],
                };
                title.extend((0..rng.random_range(1..=3)).map(|_| pick(&mut rng)));
                products.add(&mut rng, locale, title.join(" "))
            };
            // ESCI never judges a pair twice.
            if examples.pairs.insert((query.id, product.clone())) {
                examples.push(&query, product, label);
            }
        }
    }
    for locale in LOCALES {
        for _ in 0..spec.queries.max(3) {
            let title = [pick(&mut rng), pick(&mut rng)].join(" ");
            products.add(&mut rng, locale, title);
        }
    }
    // The same product id in two locales: the join key is (locale, id).
    if let Some(shared) = products.ids_of("us").first().cloned() {
        let listing = Listing { title: "producto compartido".into(), brand: Some("Acme"), ..Listing::default() };
        products.push_row("es", shared, listing);
    }
    std::fs::create_dir_all(dir).map_err(|e| DatasetError::io(dir, e))?;
    examples.write(&dir.join(EXAMPLES_FILE))?;
    products.write(&dir.join(PRODUCTS_FILE))
}

/// A fixture query: what its examples rows share.
struct FixtureQuery {
    locale: &'static str,
    id: i64,
    text: String,
    split: &'static str,
    small: i64,
}

#[derive(Default)]
struct FixtureExamples {
    pairs: HashSet<(i64, String)>,
    example_id: Vec<i64>,
    query: Vec<String>,
    query_id: Vec<i64>,
    product_id: Vec<String>,
    product_locale: Vec<String>,
    esci_label: Vec<String>,
    small_version: Vec<i64>,
    split: Vec<String>,
}

impl FixtureExamples {
    fn push(&mut self, query: &FixtureQuery, product: String, label: &str) {
        self.example_id.push(self.example_id.len() as i64);
        self.query.push(query.text.clone());
        self.query_id.push(query.id);
        self.product_id.push(product);
        self.product_locale.push(query.locale.into());
        self.esci_label.push(label.into());
        self.small_version.push(query.small);
        self.split.push(query.split.into());
    }

    fn write(self, path: &Path) -> Result<()> {
        let rows = self.example_id.len();
        let strings = |v: Vec<String>| -> ArrayRef { Arc::new(StringArray::from(v)) };
        let ints = |v: Vec<i64>| -> ArrayRef { Arc::new(Int64Array::from(v)) };
        write_parquet(
            path,
            vec![
                ("example_id", ints(self.example_id)),
                ("query", strings(self.query)),
                ("query_id", ints(self.query_id)),
                ("product_id", strings(self.product_id)),
                ("product_locale", strings(self.product_locale)),
                ("esci_label", strings(self.esci_label)),
                ("small_version", ints(self.small_version)),
                ("large_version", ints(vec![1; rows])),
                ("split", strings(self.split)),
            ],
        )
    }
}

/// A fixture product's listing.
#[derive(Default)]
struct Listing {
    title: String,
    brand: Option<&'static str>,
    description: Option<String>,
    bullets: Option<String>,
    color: Option<String>,
}

#[derive(Default)]
struct FixtureProducts {
    by_locale: HashMap<&'static str, Vec<String>>,
    product_id: Vec<String>,
    product_title: Vec<String>,
    product_description: Vec<Option<String>>,
    product_bullet_point: Vec<Option<String>>,
    product_brand: Vec<Option<String>>,
    product_color: Vec<Option<String>>,
    product_locale: Vec<String>,
}

impl FixtureProducts {
    fn ids_of(&self, locale: &str) -> &[String] {
        self.by_locale.get(locale).map_or(&[], Vec::as_slice)
    }

    /// A new product with an ASIN-like id, nulls in about a fifth of the
    /// optional fields.
    fn add(&mut self, rng: &mut ChaCha8Rng, locale: &'static str, title: String) -> String {
        let id = format!("B0{:08X}", self.product_id.len() * 7919 + 17);
        let n = self.product_id.len();
        let mut present = || rng.random::<f64>() >= 0.2;
        let brand = present().then_some(BRANDS[n % BRANDS.len()]);
        let description = present().then(|| format!("A {title} for everyday use."));
        let bullets = present().then(|| format!("Durable\n{title}"));
        // An empty colour, as some listings have: skipped in descriptions.
        let color = present().then(|| ["red", "blue", "black", ""][n % 4].to_string());
        self.push_row(locale, id.clone(), Listing { title, brand, description, bullets, color });
        self.by_locale.entry(locale).or_default().push(id.clone());
        id
    }

    fn push_row(&mut self, locale: &str, id: String, listing: Listing) {
        self.product_id.push(id);
        self.product_title.push(listing.title);
        self.product_brand.push(listing.brand.map(str::to_string));
        self.product_description.push(listing.description);
        self.product_bullet_point.push(listing.bullets);
        self.product_color.push(listing.color);
        self.product_locale.push(locale.into());
    }

    fn write(self, path: &Path) -> Result<()> {
        let strings = |v: Vec<String>| -> ArrayRef { Arc::new(StringArray::from(v)) };
        let nullable = |v: Vec<Option<String>>| -> ArrayRef { Arc::new(StringArray::from(v)) };
        write_parquet(
            path,
            vec![
                ("product_id", strings(self.product_id)),
                ("product_title", strings(self.product_title)),
                ("product_description", nullable(self.product_description)),
                ("product_bullet_point", nullable(self.product_bullet_point)),
                ("product_brand", nullable(self.product_brand)),
                ("product_color", nullable(self.product_color)),
                ("product_locale", strings(self.product_locale)),
            ],
        )
    }
}

/// Writes one fixture table; every column nullable, as pandas writes them.
fn write_parquet(path: &Path, columns: Vec<(&str, ArrayRef)>) -> Result<()> {
    let fault = |e: &dyn std::fmt::Display| DatasetError::format(path, e.to_string());
    let schema = Arc::new(Schema::new(
        columns.iter().map(|(name, a)| Field::new(*name, a.data_type().clone(), true)).collect::<Vec<_>>(),
    ));
    let batch =
        RecordBatch::try_new(schema.clone(), columns.into_iter().map(|(_, a)| a).collect()).map_err(|e| fault(&e))?;
    let file = File::create(path).map_err(|e| DatasetError::io(path, e))?;
    let props = WriterProperties::builder().set_max_row_group_row_count(Some(FIXTURE_ROW_GROUP)).build();
    let mut writer = ArrowWriter::try_new(file, schema, Some(props)).map_err(|e| fault(&e))?;
    writer.write(&batch).map_err(|e| fault(&e))?;
    writer.close().map_err(|e| fault(&e))?;
    Ok(())
}
