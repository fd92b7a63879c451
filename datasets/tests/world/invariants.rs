//! A world folder whose values break a documented invariant is refused, and
//! the error names the file, the row (from 0) and the column.
//!
//! One valid tiny world is written once; each case rewrites one value of one
//! column of one table into an invalid class it can take (NaN, out of range,
//! a dangling key, a 0 position, a time going back, a null, …), reads the
//! folder and checks the refusal, then restores the file. Every column of
//! every table must have a case or be listed in [`FREE`], so a new column
//! fails here until someone decides what its values may be.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, UInt8Type, UInt16Type, UInt32Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, FixedSizeListArray, Float32Array, RecordBatch, StringArray, UInt8Array, UInt16Array,
    UInt32Array,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use searchrec_datasets::io::{Counts, qrels_from_trec_for, read_world, write_world};
use searchrec_datasets::{Action, Channel, Dimension, NeedOrigin, QueryForm, Scale, Scenario, World};

/// Columns whose every value of the type is valid (free text, counts, flags):
/// they only have the null case.
const FREE: &[(&str, &str)] = &[
    ("items.parquet", "title"),
    ("items.parquet", "brand"),
    ("items.parquet", "review_count"),
    ("items.parquet", "sales_count"),
    ("users.parquet", "tenure_days"),
    ("queries.parquet", "text"),
    ("truth/queries.parquet", "typo"),
];

/// The Parquet tables of a world folder.
const TABLES: [&str; 9] = [
    "items.parquet",
    "users.parquet",
    "interactions.parquet",
    "queries.parquet",
    "qrels.parquet",
    "truth/items.parquet",
    "truth/users.parquet",
    "truth/needs.parquet",
    "truth/queries.parquet",
];

/// The invalid value written into one cell.
#[derive(Clone, Debug)]
enum Bad {
    U(u64),
    F(f32),
    S(&'static str),
    B(bool),
    Null,
    /// Every component of a vector NaN.
    AllNaN,
    /// A vector scaled away from unit norm.
    Scale(f32),
}

/// Chooses the row to corrupt and its new value from the valid world.
type Pick = Box<dyn Fn(&World, &Counts) -> (usize, Bad)>;

struct Case {
    file: &'static str,
    column: &'static str,
    class: &'static str,
    pick: Pick,
}

fn case(
    file: &'static str,
    column: &'static str,
    class: &'static str,
    pick: impl Fn(&World, &Counts) -> (usize, Bad) + 'static,
) -> Case {
    Case { file, column, class, pick: Box::new(pick) }
}

fn row_where<T>(rows: &[T], f: impl Fn(usize, &T) -> bool) -> usize {
    rows.iter().enumerate().position(|(i, x)| f(i, x)).expect("the tiny world has a row for this case")
}

fn leaves() -> u64 {
    searchrec_datasets::Taxonomy::embedded().unwrap().leaves.len() as u64
}

fn cases() -> Vec<Case> {
    let it = "interactions.parquet";
    let events = |w: &World| w.observable.logs.events.clone();
    vec![
        // items.parquet
        case("items.parquet", "item_id", "not dense", |_, _| (5, Bad::U(6))),
        case("items.parquet", "leaf_id", "dangling", |_, _| (3, Bad::U(leaves()))),
        case("items.parquet", "category_path", "another path", |_, _| (2, Bad::S("Nowhere > Else"))),
        case("items.parquet", "price", "NaN", |_, _| (1, Bad::F(f32::NAN))),
        case("items.parquet", "price", "zero", |_, _| (1, Bad::F(0.0))),
        case("items.parquet", "price", "infinite", |_, _| (7, Bad::F(f32::INFINITY))),
        case("items.parquet", "rating", "above 5", |_, _| (4, Bad::F(6.0))),
        case("items.parquet", "rating", "NaN", |_, _| (4, Bad::F(f32::NAN))),
        case("items.parquet", "rating", "0 with reviews", |w, _| {
            (row_where(&w.observable.catalog.items, |_, i| i.review_count > 0), Bad::F(0.0))
        }),
        // users.parquet
        case("users.parquet", "user_id", "not dense", |_, _| (9, Bad::U(0))),
        case("users.parquet", "age_band", "out of range", |_, _| (3, Bad::U(6))),
        case("users.parquet", "region", "out of range", |w, _| (3, Bad::U(w.scenario.world.regions as u64))),
        // interactions.parquet
        case(it, "time", "zeroed, going back within a user", move |w, _| {
            let e = events(w);
            (row_where(&e, |i, x| i > 0 && e[i - 1].user == x.user && e[i - 1].time > 0), Bad::U(0))
        }),
        case(it, "user_id", "dangling", move |w, c| (events(w).len() - 1, Bad::U(c.users))),
        case(it, "user_id", "going back", move |w, _| {
            let e = events(w);
            (row_where(&e, |i, _| i > 0 && e[i - 1].user.0 > 0), Bad::U(0))
        }),
        case(it, "session_id", "going back", move |w, _| {
            let e = events(w);
            (row_where(&e, |i, _| i > 0 && e[i - 1].session > 0), Bad::U(0))
        }),
        case(it, "session_id", "shared by two users", move |w, _| {
            let e = events(w);
            let r = row_where(&e, |i, x| i > 0 && e[i - 1].user != x.user);
            (r, Bad::U(e[r - 1].session as u64))
        }),
        case(it, "channel", "unknown", |_, _| (0, Bad::S("shop"))),
        case(it, "action", "unknown", |_, _| (0, Bad::S("buy"))),
        case(it, "item_id", "dangling", move |w, c| (row_where(&events(w), |_, x| x.item.is_some()), Bad::U(c.items))),
        case(it, "item_id", "null on an item row", move |w, _| {
            (row_where(&events(w), |_, x| x.item.is_some()), Bad::Null)
        }),
        case(it, "item_id", "set on a search row", move |w, _| {
            (row_where(&events(w), |_, x| x.action == Action::Search), Bad::U(0))
        }),
        case(it, "position", "0 (positions are 1-based)", move |w, _| {
            (row_where(&events(w), |_, x| x.position.is_some()), Bad::U(0))
        }),
        case(it, "position", "past the list", move |w, _| {
            let r = row_where(&events(w), |_, x| x.position.is_some());
            (r, Bad::U(w.scenario.logs.list_length as u64 + 1))
        }),
        case(it, "search_id", "dangling", move |w, c| {
            (row_where(&events(w), |_, x| x.query.is_some()), Bad::U(c.searches))
        }),
        case(it, "search_id", "skips a number", move |w, _| {
            let r = row_where(&events(w), |_, x| x.action == Action::Search && x.query == Some(1));
            (r, Bad::U(2))
        }),
        case(it, "search_id", "set on a feed row", move |w, _| {
            (row_where(&events(w), |_, x| x.channel == Channel::Feed), Bad::U(0))
        }),
        case(it, "query", "another text", move |w, _| {
            let r = row_where(&events(w), |_, x| x.query.is_some() && x.action != Action::Search);
            (r, Bad::S("not the search's text"))
        }),
        case(it, "query", "null on a search row", move |w, _| {
            (row_where(&events(w), |_, x| x.action == Action::Search), Bad::Null)
        }),
        // queries.parquet
        case("queries.parquet", "query_id", "not dense", |_, _| (2, Bad::U(3))),
        case("queries.parquet", "user_id", "dangling", |_, c| (2, Bad::U(c.users))),
        case("queries.parquet", "time", "not the log's end", |_, _| (2, Bad::U(0))),
        // qrels.parquet: keys of the last row keep the sort order.
        case("qrels.parquet", "query_id", "dangling", |w, c| (w.qrels.judgements.len() - 1, Bad::U(c.queries))),
        case("qrels.parquet", "query_id", "going back", |w, _| {
            let j = &w.qrels.judgements;
            (row_where(j, |i, _| i > 0 && j[i - 1].query.0 > 0), Bad::U(0))
        }),
        case("qrels.parquet", "item_id", "dangling", |w, c| (w.qrels.judgements.len() - 1, Bad::U(c.items))),
        case("qrels.parquet", "item_id", "duplicate", |w, _| {
            let j = &w.qrels.judgements;
            let r = row_where(j, |i, x| i > 0 && j[i - 1].query == x.query);
            (r, Bad::U(j[r - 1].item.0 as u64))
        }),
        case("qrels.parquet", "grade", "0 (never written)", |_, _| (1, Bad::U(0))),
        case("qrels.parquet", "grade", "above 3", |_, _| (1, Bad::U(4))),
        // truth/items.parquet
        case("truth/items.parquet", "item_id", "not dense", |_, _| (4, Bad::U(40))),
        case("truth/items.parquet", "quality", "NaN", |_, _| (4, Bad::F(f32::NAN))),
        case("truth/items.parquet", "quality", "above 1", |_, _| (4, Bad::F(1.5))),
        case("truth/items.parquet", "brand", "past the leaf's brands", |_, _| (4, Bad::U(60_000))),
        case("truth/items.parquet", "brand", "another brand of the leaf", |w, _| {
            let r = row_where(&w.truth().unwrap().items, |i, _| {
                w.taxonomy.leaf(w.observable.catalog.items[i].leaf).brands.len() > 1
            });
            let n = w.taxonomy.leaf(w.observable.catalog.items[r].leaf).brands.len() as u64;
            (r, Bad::U((w.truth().unwrap().items[r].brand as u64 + 1) % n))
        }),
        case("truth/items.parquet", "noun", "past the leaf's nouns", |_, _| (4, Bad::U(255))),
        case("truth/items.parquet", "colour", "past the leaf's values", |w, _| {
            (row_where(&w.truth().unwrap().items, |_, t| t.attributes.get(Dimension::Colour).is_some()), Bad::U(200))
        }),
        case("truth/items.parquet", "material", "null where the leaf has values", |w, _| {
            (row_where(&w.truth().unwrap().items, |_, t| t.attributes.get(Dimension::Material).is_some()), Bad::Null)
        }),
        case("truth/items.parquet", "style", "set where the leaf has none", |w, _| {
            (row_where(&w.truth().unwrap().items, |_, t| t.attributes.get(Dimension::Style).is_none()), Bad::U(0))
        }),
        case("truth/items.parquet", "size", "past the leaf's values", |w, _| {
            (row_where(&w.truth().unwrap().items, |_, t| t.attributes.get(Dimension::Size).is_some()), Bad::U(254))
        }),
        case("truth/items.parquet", "vector", "a NaN vector", |_, _| (6, Bad::AllNaN)),
        case("truth/items.parquet", "vector", "not unit-norm", |_, _| (6, Bad::Scale(2.0))),
        // truth/users.parquet
        case("truth/users.parquet", "user_id", "not dense", |_, _| (1, Bad::U(0))),
        case("truth/users.parquet", "price_sensitivity", "zero", |_, _| (1, Bad::F(0.0))),
        case("truth/users.parquet", "price_sensitivity", "NaN", |_, _| (1, Bad::F(f32::NAN))),
        case("truth/users.parquet", "activity", "negative", |_, _| (1, Bad::F(-1.0))),
        case("truth/users.parquet", "activity", "infinite", |_, _| (1, Bad::F(f32::INFINITY))),
        case("truth/users.parquet", "persona_shelf", "above 1", |_, _| (1, Bad::F(1.5))),
        case("truth/users.parquet", "persona_interest", "NaN", |_, _| (1, Bad::F(f32::NAN))),
        case("truth/users.parquet", "persona_social", "weights not summing to 1", |w, _| {
            let r = row_where(&w.truth().unwrap().users, |_, u| u.persona.social < 0.7);
            (r, Bad::F(w.truth().unwrap().users[r].persona.social + 0.3))
        }),
        case("truth/users.parquet", "vector", "a NaN vector", |_, _| (8, Bad::AllNaN)),
        case("truth/users.parquet", "vector", "not unit-norm", |_, _| (8, Bad::Scale(0.5))),
        // truth/needs.parquet
        case("truth/needs.parquet", "need_id", "not dense", |_, _| (3, Bad::U(2))),
        case("truth/needs.parquet", "user_id", "dangling", |_, c| (3, Bad::U(c.users))),
        case("truth/needs.parquet", "leaf_id", "dangling", |_, _| (3, Bad::U(leaves()))),
        case("truth/needs.parquet", "colour", "past the leaf's values", |_, _| (3, Bad::U(200))),
        case("truth/needs.parquet", "material", "past the leaf's values", |_, _| (3, Bad::U(200))),
        case("truth/needs.parquet", "style", "past the leaf's values", |_, _| (3, Bad::U(200))),
        case("truth/needs.parquet", "size", "past the leaf's values", |_, _| (3, Bad::U(200))),
        case("truth/needs.parquet", "brand", "past the leaf's brands", |_, _| (3, Bad::U(60_000))),
        case("truth/needs.parquet", "origin", "unknown", |_, _| (3, Bad::S("magic"))),
        case("truth/needs.parquet", "origin", "a logged need after the evaluation ones", |w, _| {
            let n = &w.truth().unwrap().needs;
            (
                row_where(n, |i, x| i > 0 && x.origin == NeedOrigin::Evaluation && n[i - 1].origin == x.origin),
                Bad::S("organic"),
            )
        }),
        case("truth/needs.parquet", "seed_item_id", "null on a seeded need", |w, _| {
            (row_where(&w.truth().unwrap().needs, |_, x| matches!(x.origin, NeedOrigin::Seeded(_))), Bad::Null)
        }),
        case("truth/needs.parquet", "seed_item_id", "dangling", |w, c| {
            (row_where(&w.truth().unwrap().needs, |_, x| matches!(x.origin, NeedOrigin::Seeded(_))), Bad::U(c.items))
        }),
        case("truth/needs.parquet", "opened", "an evaluation need before the log's end", |w, _| {
            (row_where(&w.truth().unwrap().needs, |_, x| x.origin == NeedOrigin::Evaluation), Bad::U(0))
        }),
        case("truth/needs.parquet", "closed", "before opened", |w, _| {
            let r = row_where(&w.truth().unwrap().needs, |_, x| x.closed.is_some() && x.opened > 0);
            (r, Bad::U(w.truth().unwrap().needs[r].opened as u64 - 1))
        }),
        case("truth/needs.parquet", "bought_item_id", "on a need never closed", |w, _| {
            (row_where(&w.truth().unwrap().needs, |_, x| x.closed.is_none()), Bad::U(0))
        }),
        case("truth/needs.parquet", "bought_item_id", "dangling", |w, c| {
            (row_where(&w.truth().unwrap().needs, |_, x| x.bought.is_some()), Bad::U(c.items))
        }),
        // truth/queries.parquet
        case("truth/queries.parquet", "query_id", "not dense", |_, _| (2, Bad::U(1))),
        case("truth/queries.parquet", "need_id", "dangling", |_, c| (2, Bad::U(c.needs))),
        case("truth/queries.parquet", "need_id", "another query's need", |w, _| {
            (2, Bad::U(w.truth().unwrap().queries[3].need.0 as u64))
        }),
        case("truth/queries.parquet", "form", "unknown", |_, _| (2, Bad::S("loud"))),
        case("truth/queries.parquet", "wanted", "above 5", |_, _| (2, Bad::U(6))),
        case("truth/queries.parquet", "wanted", "on a query that is not `full`", |w, _| {
            (row_where(&w.truth().unwrap().queries, |_, q| q.noise.form != QueryForm::Full), Bad::U(1))
        }),
        case("truth/queries.parquet", "dropped", "more than wanted", |w, _| {
            (2, Bad::U(w.truth().unwrap().queries[2].noise.wanted as u64 + 1))
        }),
        case("truth/queries.parquet", "synonym", "on a query that is not `full`", |w, _| {
            (row_where(&w.truth().unwrap().queries, |_, q| q.noise.form != QueryForm::Full), Bad::B(true))
        }),
        case("truth/queries.parquet", "synonym_possible", "not what the need's leaf allows", |w, _| {
            (2, Bad::B(!w.truth().unwrap().queries[2].noise.synonym_possible))
        }),
    ]
}

// ---- rewriting one cell of a Parquet file ----------------------------------

fn load(path: &Path) -> RecordBatch {
    let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(path).unwrap())
        .unwrap()
        .with_batch_size(1 << 30)
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    assert_eq!(batches.len(), 1, "{}: a tiny table is one batch", path.display());
    batches.into_iter().next().unwrap()
}

fn save(path: &Path, batch: &RecordBatch) {
    let mut w = ArrowWriter::try_new(File::create(path).unwrap(), batch.schema(), None).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
}

fn uint(bad: &Bad) -> Option<u64> {
    match bad {
        Bad::U(v) => Some(*v),
        Bad::Null => None,
        other => panic!("{other:?} in an integer column"),
    }
}

/// `array` with row `r` replaced by `bad`.
fn corrupt_array(array: &ArrayRef, r: usize, bad: &Bad) -> ArrayRef {
    match array.data_type() {
        DataType::UInt8 => {
            let mut v: Vec<Option<u8>> = array.as_primitive::<UInt8Type>().iter().collect();
            v[r] = uint(bad).map(|x| u8::try_from(x).unwrap());
            Arc::new(UInt8Array::from(v))
        }
        DataType::UInt16 => {
            let mut v: Vec<Option<u16>> = array.as_primitive::<UInt16Type>().iter().collect();
            v[r] = uint(bad).map(|x| u16::try_from(x).unwrap());
            Arc::new(UInt16Array::from(v))
        }
        DataType::UInt32 => {
            let mut v: Vec<Option<u32>> = array.as_primitive::<UInt32Type>().iter().collect();
            v[r] = uint(bad).map(|x| u32::try_from(x).unwrap());
            Arc::new(UInt32Array::from(v))
        }
        DataType::Float32 => {
            let mut v: Vec<Option<f32>> = array.as_primitive::<Float32Type>().iter().collect();
            v[r] = match bad {
                Bad::F(x) => Some(*x),
                Bad::Null => None,
                other => panic!("{other:?} in a float column"),
            };
            Arc::new(Float32Array::from(v))
        }
        DataType::Utf8 => {
            let mut v: Vec<Option<String>> = array.as_string::<i32>().iter().map(|s| s.map(String::from)).collect();
            v[r] = match bad {
                Bad::S(s) => Some(s.to_string()),
                Bad::Null => None,
                other => panic!("{other:?} in a text column"),
            };
            Arc::new(StringArray::from(v))
        }
        DataType::Boolean => {
            let mut v: Vec<Option<bool>> = array.as_boolean().iter().collect();
            v[r] = match bad {
                Bad::B(b) => Some(*b),
                Bad::Null => None,
                other => panic!("{other:?} in a bool column"),
            };
            Arc::new(BooleanArray::from(v))
        }
        DataType::FixedSizeList(field, dim) => {
            let list = array.as_fixed_size_list();
            let dim = *dim as usize;
            let mut values: Vec<f32> = list.values().as_primitive::<Float32Type>().values().to_vec();
            let row = &mut values[r * dim..(r + 1) * dim];
            let mut nulls = vec![true; list.len()];
            match bad {
                Bad::AllNaN => row.iter_mut().for_each(|x| *x = f32::NAN),
                Bad::Scale(s) => row.iter_mut().for_each(|x| *x *= s),
                Bad::Null => nulls[r] = false,
                other => panic!("{other:?} in a vector column"),
            }
            let nulls = matches!(bad, Bad::Null).then(|| nulls.into());
            Arc::new(FixedSizeListArray::new(field.clone(), dim as i32, Arc::new(Float32Array::from(values)), nulls))
        }
        other => panic!("no corruption for type {other}"),
    }
}

/// Rewrites `file` in `dir` with row `r` of `column` replaced by `bad`; a null
/// makes the column nullable in the file's schema so it can be written.
fn corrupt(dir: &Path, file: &str, column: &str, r: usize, bad: &Bad) {
    let path = dir.join(file);
    let batch = load(&path);
    let schema = batch.schema();
    let i = schema.index_of(column).unwrap_or_else(|_| panic!("{file} has no column `{column}`"));
    let mut columns = batch.columns().to_vec();
    columns[i] = corrupt_array(&columns[i], r, bad);
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(k, f)| if k == i { f.as_ref().clone().with_nullable(true) } else { f.as_ref().clone() })
        .collect();
    save(&path, &RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap());
}

/// The error must name the file, the row and the column.
fn check_refusal(dir: &Path, file: &str, column: &str, r: usize, what: &str) -> Result<(), String> {
    let message = match read_world(dir) {
        Ok(_) => return Err(format!("{file} `{column}` {what} at row {r}: read without a word")),
        Err(e) => e.to_string(),
    };
    let named = message.contains(file)
        && message.contains(&format!("row {r} (0-based)"))
        && message.contains(&format!("column `{column}`"));
    if named { Ok(()) } else { Err(format!("{file} `{column}` {what} at row {r}: {message}")) }
}

struct Fixture {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
    world: World,
    counts: Counts,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("world");
    let manifest = write_world(&Scenario::preset(Scale::Tiny), 3, &dir, &|_, _| {}).unwrap();
    let world = read_world(&dir).unwrap();
    Fixture { _tmp: tmp, dir, world, counts: manifest.counts }
}

/// Runs `corrupt_and_check` with `file` restored afterwards.
fn with_restored(dir: &Path, file: &str, f: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    let path = dir.join(file);
    let original = fs::read(&path).unwrap();
    let result = f();
    fs::write(&path, original).unwrap();
    result
}

#[test]
fn every_invalid_value_class_of_every_column_is_refused_with_file_row_and_column() {
    let fx = fixture();
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    for c in cases() {
        let (r, bad) = (c.pick)(&fx.world, &fx.counts);
        covered.insert((c.file.to_string(), c.column.to_string()));
        let result = with_restored(&fx.dir, c.file, || {
            corrupt(&fx.dir, c.file, c.column, r, &bad);
            check_refusal(&fx.dir, c.file, c.column, r, c.class)
        });
        failures.extend(result.err());
    }
    read_world(&fx.dir).expect("every file restored");

    // The class, not only the examples: every column of every table has a
    // case, or is declared free of constraints.
    for file in TABLES {
        for field in load(&fx.dir.join(file)).schema().fields() {
            let key = (file.to_string(), field.name().to_string());
            let free = FREE.contains(&(file, field.name().as_str()));
            if covered.contains(&key) == free {
                failures.push(format!(
                    "{file} `{}`: {}",
                    field.name(),
                    if free { "listed as free but has a case" } else { "no invalid-value case and not listed as free" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn a_null_in_any_column_that_has_none_is_refused_with_file_row_and_column() {
    let fx = fixture();
    let mut failures = Vec::new();
    for file in TABLES {
        let schema = load(&fx.dir.join(file)).schema();
        for field in schema.fields().iter().filter(|f| !f.is_nullable()) {
            let result = with_restored(&fx.dir, file, || {
                corrupt(&fx.dir, file, field.name(), 1, &Bad::Null);
                check_refusal(&fx.dir, file, field.name(), 1, "null")
            });
            failures.extend(result.err());
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// The four examples of the issue, spelled out.
#[test]
fn the_reported_corruptions_are_refused() {
    let fx = fixture();
    let w = &fx.world;
    let events = &w.observable.logs.events;
    let examples: [(&str, &str, usize, Bad); 4] = [
        // An event time zeroed (later than the user's first event).
        (
            "interactions.parquet",
            "time",
            row_where(events, |i, x| i > 0 && events[i - 1].user == x.user && events[i - 1].time > 0),
            Bad::U(0),
        ),
        // A 0 position where positions are 1-based.
        ("interactions.parquet", "position", row_where(events, |_, x| x.position.is_some()), Bad::U(0)),
        // Qrels naming an item that does not exist.
        ("qrels.parquet", "item_id", w.qrels.judgements.len() - 1, Bad::U(fx.counts.items)),
        // An all-NaN latent vector.
        ("truth/users.parquet", "vector", 0, Bad::AllNaN),
    ];
    for (file, column, r, bad) in examples {
        let result = with_restored(&fx.dir, file, || {
            corrupt(&fx.dir, file, column, r, &bad);
            check_refusal(&fx.dir, file, column, r, "example")
        });
        assert_eq!(result, Ok(()));
    }
    // Qrels naming a query that does not exist, in either format.
    let r = w.qrels.judgements.len() - 1;
    let result = with_restored(&fx.dir, "qrels.parquet", || {
        corrupt(&fx.dir, "qrels.parquet", "query_id", r, &Bad::U(fx.counts.queries));
        check_refusal(&fx.dir, "qrels.parquet", "query_id", r, "example")
    });
    assert_eq!(result, Ok(()));
    let path = fx.dir.join("qrels.txt");
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(qrels_from_trec_for(&text, &path, &fx.counts).unwrap(), w.qrels.judgements);
    let bad_text = format!("{text}{} 0 0 3\n", fx.counts.queries);
    let err = qrels_from_trec_for(&bad_text, &path, &fx.counts).unwrap_err().to_string();
    let line = text.lines().count() + 1;
    assert!(err.contains(&format!("line {line} (1-based), column `query_id`")) && err.contains("qrels.txt"), "{err}");
}

/// Valid worlds of other seeds read back: the checks refuse only what the
/// generator never writes.
#[test]
fn valid_worlds_pass_every_check() {
    for seed in [0, 7, 42] {
        let tmp = tempfile::tempdir().unwrap();
        let mut s = Scenario::preset(Scale::Tiny);
        s.logs.list_length = 5;
        write_world(&s, seed, tmp.path(), &|_, _| {}).unwrap();
        read_world(tmp.path()).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

/// Every column of every table is documented, where its promises are
/// written down for users of DuckDB, Polars or Spark.
#[test]
fn every_column_is_documented() {
    let doc = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/world-format.md")).unwrap();
    let fx = fixture();
    let mut missing = Vec::new();
    for file in TABLES {
        let (_, section) = doc.split_once(&format!("`{file}`")).unwrap_or_else(|| panic!("{file} is not documented"));
        let section = section.split("\n### ").next().unwrap_or(section);
        for field in load(&fx.dir.join(file)).schema().fields() {
            if !section.contains(&format!("`{}`", field.name())) {
                missing.push(format!("{file} `{}`", field.name()));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented columns: {missing:?}");
}
