//! ESCI: the fixture's Parquet files, read back independently with arrow,
//! give exactly the world the loader builds for every selection; malformed
//! and truncated files fail naming file, row and column.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::{FileReader, SerializedFileReader};
use searchrec_datasets::real::Source;
use searchrec_datasets::real::esci::{
    self, Catalogue, EXAMPLES_FILE, EsciFixture, EsciSource, Locale, PRODUCTS_FILE, Split, Version,
};
use searchrec_datasets::{Gains, Grade, Origin, World};

fn small() -> EsciFixture {
    EsciFixture { queries: 30, products_per_query: 6, seed: 3 }
}

fn fixture(spec: &EsciFixture) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    esci::write_fixture(dir.path(), spec).expect("fixture");
    dir
}

fn source(dir: &Path) -> EsciSource {
    EsciSource {
        dir: dir.to_path_buf(),
        locale: Locale::Us,
        version: Version::Small,
        split: Split::Test,
        catalogue: Catalogue::Locale,
    }
}

/// A whole (small) table, read in one go: the test's own reader.
fn read(path: &Path) -> RecordBatch {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).expect("open"))
        .expect("parquet")
        .with_batch_size(1 << 20)
        .build()
        .expect("reader");
    let batches: Vec<RecordBatch> = reader.map(|b| b.expect("batch")).collect();
    concat(&batches)
}

/// Concatenates batches of one schema (arrow-select is not a dependency).
fn concat(batches: &[RecordBatch]) -> RecordBatch {
    let schema = batches[0].schema();
    let columns = (0..schema.fields().len())
        .map(|c| -> ArrayRef {
            if schema.field(c).data_type() == &arrow_schema::DataType::Int64 {
                let v: Vec<Option<i64>> = batches
                    .iter()
                    .flat_map(|b| b.column(c).as_primitive::<Int64Type>().iter().collect::<Vec<_>>())
                    .collect();
                Arc::new(Int64Array::from(v))
            } else {
                let v: Vec<Option<String>> = batches
                    .iter()
                    .flat_map(|b| {
                        b.column(c).as_string::<i32>().iter().map(|s| s.map(str::to_string)).collect::<Vec<_>>()
                    })
                    .collect();
                Arc::new(StringArray::from(v))
            }
        })
        .collect();
    RecordBatch::try_new(schema, columns).expect("concat")
}

fn strings(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    b.column_by_name(name).expect(name).as_string::<i32>().iter().map(|s| s.map(str::to_string)).collect()
}

fn ints(b: &RecordBatch, name: &str) -> Vec<i64> {
    b.column_by_name(name).expect(name).as_primitive::<Int64Type>().iter().map(|v| v.expect("no null")).collect()
}

/// What the loader must build, computed from the files with arrow.
#[derive(Debug, PartialEq)]
struct Expected {
    queries: Vec<String>,
    /// (title, brand, description) per item, in products-file order.
    items: Vec<(String, String, String)>,
    /// (query, item, grade), sorted.
    judgements: Vec<(u32, u32, Grade)>,
}

fn expected(dir: &Path, s: &EsciSource) -> Expected {
    let ex = read(&dir.join(EXAMPLES_FILE));
    let (loc, qid, query, pid, label, split) = (
        strings(&ex, "product_locale"),
        ints(&ex, "query_id"),
        strings(&ex, "query"),
        strings(&ex, "product_id"),
        strings(&ex, "esci_label"),
        strings(&ex, "split"),
    );
    let flag = ints(&ex, if s.version == Version::Small { "small_version" } else { "large_version" });
    let want_split = match s.split {
        Split::Train => Some("train"),
        Split::Test => Some("test"),
        Split::All => None,
    };
    let locale = match s.locale {
        Locale::Us => "us",
        Locale::Es => "es",
        Locale::Jp => "jp",
    };
    let mut queries: Vec<String> = Vec::new();
    let mut query_index: HashMap<i64, u32> = HashMap::new();
    let mut pairs = Vec::new();
    for r in 0..ex.num_rows() {
        let selected = loc[r].as_deref() == Some(locale)
            && flag[r] == 1
            && want_split.is_none_or(|w| split[r].as_deref() == Some(w));
        if !selected {
            continue;
        }
        let q = *query_index.entry(qid[r]).or_insert_with(|| {
            queries.push(query[r].clone().expect("query"));
            queries.len() as u32 - 1
        });
        let grade = match label[r].as_deref() {
            Some("E") => Grade::Exact,
            Some("S") => Grade::Substitute,
            Some("C") => Grade::Complement,
            _ => Grade::Irrelevant,
        };
        pairs.push((q, pid[r].clone().expect("product"), grade));
    }
    let pr = read(&dir.join(PRODUCTS_FILE));
    let (ploc, ppid, title, brand, color, bullets, desc) = (
        strings(&pr, "product_locale"),
        strings(&pr, "product_id"),
        strings(&pr, "product_title"),
        strings(&pr, "product_brand"),
        strings(&pr, "product_color"),
        strings(&pr, "product_bullet_point"),
        strings(&pr, "product_description"),
    );
    let mut items = Vec::new();
    let mut item_of = HashMap::new();
    for r in 0..pr.num_rows() {
        let id = ppid[r].clone().expect("id");
        if ploc[r].as_deref() != Some(locale)
            || (s.catalogue == Catalogue::Judged && !pairs.iter().any(|(_, p, _)| *p == id))
        {
            continue;
        }
        item_of.insert(id, items.len() as u32);
        let parts: Vec<String> =
            [&color[r], &bullets[r], &desc[r]].into_iter().flatten().filter(|s| !s.is_empty()).cloned().collect();
        items.push((title[r].clone().expect("title"), brand[r].clone().unwrap_or_default(), parts.join("\n")));
    }
    let mut judgements: Vec<_> = pairs.iter().map(|(q, p, g)| (*q, item_of[p], *g)).collect();
    judgements.sort();
    Expected { queries, items, judgements }
}

fn observed(w: &World) -> Expected {
    let o = &w.observable;
    Expected {
        queries: o.queries.iter().map(|q| q.text.clone()).collect(),
        items: o.catalog.items.iter().map(|i| (i.title.clone(), i.brand.clone(), i.description.clone())).collect(),
        judgements: w.qrels.judgements.iter().map(|j| (j.query.0, j.item.0, j.grade)).collect(),
    }
}

#[test]
fn source_parses_from_toml_and_refuses_unknown_fields_and_values() {
    let s: Source = toml::from_str("format = \"esci\"\ndir = \"x\"").expect("parses");
    assert_eq!(s, Source::Esci(source(Path::new("x"))));
    assert_eq!(s.format(), "esci");
    let full =
        "format = \"esci\"\ndir = \"x\"\nlocale = \"jp\"\nversion = \"large\"\nsplit = \"all\"\ncatalogue = \"judged\"";
    let Source::Esci(s) = toml::from_str::<Source>(full).expect("parses") else { panic!("not esci") };
    assert_eq!(
        (s.locale, s.version, s.split, s.catalogue),
        (Locale::Jp, Version::Large, Split::All, Catalogue::Judged)
    );
    let unknown = toml::from_str::<Source>("format = \"esci\"\ndir = \"x\"\nlocales = \"us\"").unwrap_err().to_string();
    assert!(unknown.contains("unknown field `locales`"), "{unknown}");
    let bad = toml::from_str::<Source>("format = \"esci\"\ndir = \"x\"\nlocale = \"fr\"").unwrap_err().to_string();
    assert!(bad.contains("unknown variant `fr`") && bad.contains("`us`, `es`, `jp`"), "{bad}");
    let missing = toml::from_str::<Source>("format = \"esci\"").unwrap_err().to_string();
    assert!(missing.contains("missing field `dir`"), "{missing}");
}

#[test]
fn fixture_has_the_real_layout() {
    let dir = fixture(&EsciFixture::default());
    let ex = read(&dir.path().join(EXAMPLES_FILE));
    let names: Vec<String> = ex.schema().fields().iter().map(|f| format!("{}:{}", f.name(), f.data_type())).collect();
    assert_eq!(
        names,
        [
            "example_id:Int64",
            "query:Utf8",
            "query_id:Int64",
            "product_id:Utf8",
            "product_locale:Utf8",
            "esci_label:Utf8",
            "small_version:Int64",
            "large_version:Int64",
            "split:Utf8"
        ]
    );
    let mut locales = strings(&ex, "product_locale");
    locales.sort();
    locales.dedup();
    assert_eq!(locales.len(), 3);
    let splits = strings(&ex, "split");
    assert!(
        splits.iter().any(|s| s.as_deref() == Some("test")) && splits.iter().any(|s| s.as_deref() == Some("train"))
    );
    let small = ints(&ex, "small_version");
    assert!(small.contains(&0) && small.contains(&1));
    let pr = read(&dir.path().join(PRODUCTS_FILE));
    for column in ["product_brand", "product_description", "product_bullet_point", "product_color"] {
        assert!(pr.column_by_name(column).expect(column).null_count() > 0, "{column} has no nulls");
    }
    let row_groups = SerializedFileReader::new(File::open(dir.path().join(EXAMPLES_FILE)).expect("open"))
        .expect("parquet")
        .metadata()
        .num_row_groups();
    assert!(row_groups > 1, "{row_groups} row groups");
}

#[test]
fn every_selection_loads_what_the_files_say() {
    let dir = fixture(&small());
    let mut loaded = 0;
    for locale in [Locale::Us, Locale::Es, Locale::Jp] {
        for version in [Version::Small, Version::Large] {
            for split in [Split::Train, Split::Test, Split::All] {
                for catalogue in [Catalogue::Locale, Catalogue::Judged] {
                    let s = EsciSource { locale, version, split, catalogue, ..source(dir.path()) };
                    let want = expected(dir.path(), &s);
                    match esci::load(&s, Path::new("/")) {
                        Ok(w) => {
                            assert_eq!(observed(&w), want, "{s:?}");
                            loaded += 1;
                        }
                        // Only a part without queries may fail, and says so.
                        Err(e) => {
                            assert!(want.queries.is_empty(), "{s:?}: {e}");
                            assert!(
                                e.to_string().contains(EXAMPLES_FILE) && e.to_string().contains("no row has"),
                                "{e}"
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(loaded >= 30, "{loaded} selections loaded");
}

#[test]
fn world_fields_follow_the_mapping() {
    let dir = fixture(&small());
    let s = EsciSource { split: Split::All, ..source(dir.path()) };
    let w = esci::load(&s, Path::new("/")).expect("loads");
    assert_eq!(w.origin, Origin::Loaded { dataset: "esci-us-small-all".into() });
    assert!(w.truth.is_none());
    assert_eq!(w.scenario.judgements.gains, Gains { exact: 1.0, substitute: 0.1, complement: 0.01, irrelevant: 0.0 });
    let o = &w.observable;
    assert_eq!(o.catalog.category_paths, ["ESCI products (us)"]);
    assert!(o.catalog.items.iter().all(|i| i.price == 1.0 && i.rating == 0.0 && i.review_count == 0 && i.leaf.0 == 0));
    assert_eq!(o.users.len(), o.queries.len());
    for (n, q) in o.queries.iter().enumerate() {
        assert_eq!((q.id.index(), q.user.index(), q.time), (n, n, 0));
    }
    assert!(w.qrels.judgements.iter().any(|j| j.grade == Grade::Irrelevant), "I rows are judgements");
    // Every query's first product is Exact and its title holds the query's words.
    for q in &o.queries {
        let exact = w.qrels.of(q.id).iter().filter(|j| j.grade == Grade::Exact);
        assert!(
            exact.clone().any(|j| q.text.split(' ').all(|word| o.catalog.item(j.item).title.contains(word))),
            "{}",
            q.text
        );
    }
    // A judged-only catalogue names itself and keeps only judged products.
    let judged = esci::load(&EsciSource { catalogue: Catalogue::Judged, ..s.clone() }, Path::new("/")).expect("loads");
    assert_eq!(judged.origin, Origin::Loaded { dataset: "esci-us-small-all-judged".into() });
    assert!(judged.observable.catalog.len() < o.catalog.len());
    let mut judged_items: Vec<u32> = judged.qrels.judgements.iter().map(|j| j.item.0).collect();
    judged_items.sort();
    judged_items.dedup();
    assert_eq!(judged_items.len(), judged.observable.catalog.len());
}

#[test]
fn the_same_files_give_the_same_world_and_the_same_seed_the_same_files() {
    let a = fixture(&small());
    let b = fixture(&small());
    for file in [EXAMPLES_FILE, PRODUCTS_FILE] {
        let bytes = |d: &tempfile::TempDir| std::fs::read(d.path().join(file)).expect("read");
        assert_eq!(bytes(&a), bytes(&b), "{file}");
    }
    let other = fixture(&EsciFixture { seed: 4, ..small() });
    assert_ne!(std::fs::read(a.path().join(EXAMPLES_FILE)).ok(), std::fs::read(other.path().join(EXAMPLES_FILE)).ok());
    let s = source(a.path());
    assert_eq!(esci::load(&s, Path::new("/")).expect("loads"), esci::load(&s, Path::new("/")).expect("loads"));
    // Paths are relative to the base.
    let name = a.path().file_name().expect("name");
    let relative = EsciSource { dir: PathBuf::from(name), ..s.clone() };
    let parent = a.path().parent().expect("parent");
    assert_eq!(esci::load(&relative, parent).expect("loads"), esci::load(&s, Path::new("/")).expect("loads"));
}

fn load_err(dir: &Path) -> String {
    esci::load(&EsciSource { split: Split::All, ..source(dir) }, Path::new("/")).expect_err("must fail").to_string()
}

#[test]
fn missing_and_truncated_files_are_refused_naming_the_file() {
    let dir = fixture(&small());
    for file in [EXAMPLES_FILE, PRODUCTS_FILE] {
        let path = dir.path().join(file);
        let bytes = std::fs::read(&path).expect("read");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("truncate");
        let e = load_err(dir.path());
        assert!(e.contains(&path.display().to_string()) && e.contains("Parquet"), "{e}");
        std::fs::write(&path, b"query,product\n").expect("csv");
        let e = load_err(dir.path());
        assert!(e.contains(&path.display().to_string()) && e.contains("not a readable Parquet file"), "{e}");
        std::fs::remove_file(&path).expect("remove");
        let e = load_err(dir.path());
        assert!(e.contains(&path.display().to_string()), "{e}");
        std::fs::write(&path, &bytes).expect("restore");
    }
}

/// Rewrites one column of a fixture table (or drops it when `f` gives None).
fn rewrite(path: &Path, column: &str, f: impl Fn(&ArrayRef) -> Option<ArrayRef>) {
    let batch = read(path);
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
        let array = if field.name() == column { f(array) } else { Some(array.clone()) };
        if let Some(array) = array {
            fields.push(Field::new(field.name(), array.data_type().clone(), true));
            columns.push(array);
        }
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns).expect("batch");
    let mut w = ArrowWriter::try_new(File::create(path).expect("create"), schema, None).expect("writer");
    w.write(&batch).expect("write");
    w.close().expect("close");
}

/// `array` (strings) with row `row` set to `value`.
fn with_string(array: &ArrayRef, row: usize, value: Option<&str>) -> ArrayRef {
    let mut v: Vec<Option<String>> = array.as_string::<i32>().iter().map(|s| s.map(str::to_string)).collect();
    v[row] = value.map(str::to_string);
    Arc::new(StringArray::from(v))
}

/// The first examples row of the us locale (selected by `split = all` and small).
fn first_selected(dir: &Path) -> usize {
    let ex = read(&dir.join(EXAMPLES_FILE));
    let (loc, small) = (strings(&ex, "product_locale"), ints(&ex, "small_version"));
    (0..ex.num_rows()).find(|&r| loc[r].as_deref() == Some("us") && small[r] == 1).expect("a selected row")
}

#[test]
fn malformed_rows_name_file_row_and_column() {
    let dir = fixture(&small());
    let examples = dir.path().join(EXAMPLES_FILE);
    let products = dir.path().join(PRODUCTS_FILE);
    let row = first_selected(dir.path());
    let pristine = (std::fs::read(&examples).expect("read"), std::fs::read(&products).expect("read"));
    let restore = || {
        std::fs::write(&examples, &pristine.0).expect("restore");
        std::fs::write(&products, &pristine.1).expect("restore");
    };
    let check = |e: String, path: &Path, wanted: &[&str]| {
        assert!(e.contains(&path.display().to_string()), "{e}");
        for w in wanted {
            assert!(e.contains(w), "`{w}` not in: {e}");
        }
    };

    rewrite(&examples, "esci_label", |a| Some(with_string(a, row, Some("X"))));
    check(load_err(dir.path()), &examples, &[&format!("row {row} "), "column `esci_label`", "`X`", "E, S, C, I"]);
    restore();

    rewrite(&examples, "query", |a| Some(with_string(a, row, None)));
    check(load_err(dir.path()), &examples, &[&format!("row {row} "), "column `query`", "null"]);
    restore();

    rewrite(&examples, "esci_label", |_| None);
    check(load_err(dir.path()), &examples, &["missing column `esci_label`"]);
    restore();

    rewrite(&examples, "query_id", |a| {
        let v: Vec<String> = a.as_primitive::<Int64Type>().iter().map(|v| format!("{v:?}")).collect();
        Some(Arc::new(StringArray::from(v)))
    });
    check(load_err(dir.path()), &examples, &["column `query_id`", "Utf8", "expected Int64"]);
    restore();

    // The product of the selected row disappears from the products file.
    let product = strings(&read(&examples), "product_id")[row].clone().expect("id");
    rewrite(&products, "product_id", |a| {
        let v: Vec<Option<String>> = a
            .as_string::<i32>()
            .iter()
            .map(|s| s.map(|s| if s == product { format!("{s}-gone") } else { s.to_string() }))
            .collect();
        Some(Arc::new(StringArray::from(v)))
    });
    check(load_err(dir.path()), &examples, &[&format!("row {row} "), &format!("product `{product}`"), PRODUCTS_FILE]);
    restore();

    // A null title of a us product.
    let pr = read(&products);
    let title_row =
        (0..pr.num_rows()).find(|&r| strings(&pr, "product_locale")[r].as_deref() == Some("us")).expect("us");
    rewrite(&products, "product_title", |a| Some(with_string(a, title_row, None)));
    check(load_err(dir.path()), &products, &[&format!("row {title_row} "), "column `product_title`", "null"]);
    restore();

    rewrite(&products, "product_title", |a| {
        let v: Vec<i64> = (0..a.len() as i64).collect();
        Some(Arc::new(Int64Array::from(v)))
    });
    check(load_err(dir.path()), &products, &["column `product_title`", "Int64", "expected a string"]);
    restore();
    esci::load(&EsciSource { split: Split::All, ..source(dir.path()) }, Path::new("/")).expect("restored files load");
}

#[test]
fn corrupt_bytes_never_panic() {
    let dir = fixture(&small());
    let path = dir.path().join(EXAMPLES_FILE);
    let bytes = std::fs::read(&path).expect("read");
    // Flip bytes across the file (pages, then the footer): an error or a
    // world, never a panic.
    for k in 1..40 {
        let mut b = bytes.clone();
        let at = k * (b.len() - 1) / 40;
        b[at] ^= 0x5A;
        std::fs::write(&path, &b).expect("write");
        let _ = esci::load(&EsciSource { split: Split::All, ..source(dir.path()) }, Path::new("/"));
    }
}
