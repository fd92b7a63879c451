//! The schema of every table of a world folder, and conversion between rows
//! and Arrow columns. `docs/world-format.md` documents the same columns for
//! users of DuckDB, Polars or Spark; keep the two in step.
//!
//! Each table's columns are declared once (`*_cols`), with the checks their
//! values must pass (see `checks.rs`); the schema is built from the
//! declaration and every reader runs its checks before converting a row, then
//! enforces the rules that span columns or tables row by row.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Float32Array, RecordBatch, StringArray, UInt8Array, UInt16Array, UInt32Array,
};
use arrow_schema::{DataType, SchemaRef};

use super::checks::{Bounds, Check, Col, Count, Limit, bad, check_table, col, opt, schema_of};
use super::parquet_file::{Columns, vector_column, vector_type};
use crate::Result;
use crate::catalog::Item;
use crate::ids::{ItemId, LeafId, NeedId, QueryId, UserId};
use crate::judgements::{Grade, Judgement};
use crate::logs::{Action, Channel, Event};
use crate::queries::Query;
use crate::taxonomy::{Dimension, Leaf, Taxonomy};
use crate::truth::{Attributes, ItemTruth, Need, NeedOrigin, Persona, QueryForm, QueryNoise, QueryTruth, UserTruth};
use crate::users::UserProfile;

use Check::{Any, Dense, Key, NonDecreasing, NonDecreasingWithin, OneOf, Range, Row, UnitVectors};
use DataType::{Boolean, Float32, UInt8, UInt16, UInt32, Utf8};

fn arc<A: arrow_array::Array + 'static>(a: A) -> ArrayRef {
    Arc::new(a)
}

/// The leaf of a row whose `leaf_id` passed its `Key(Leaves)` check.
fn leaf_of<'t>(path: &Path, taxonomy: &'t Taxonomy, row: usize, column: &str, leaf: LeafId) -> Result<&'t Leaf> {
    taxonomy.leaves.get(leaf.index()).ok_or_else(|| bad(path, row, column, format_args!("leaf {leaf} does not exist")))
}

/// The attribute columns of one row, each value an index into its leaf's
/// values of that dimension. `required`: an item has a value exactly for
/// the dimensions its leaf has; a need may leave any dimension null (any).
fn attributes_checked(
    path: &Path,
    row: usize,
    columns: &[&UInt8Array; 4],
    r: usize,
    leaf: &Leaf,
    required: bool,
) -> Result<Attributes> {
    let mut a = Attributes::EMPTY;
    for (d, col) in Dimension::ALL.into_iter().zip(columns) {
        let n = leaf.values(d).len();
        if col.is_valid(r) {
            let v = col.value(r);
            if v as usize >= n {
                return Err(bad(
                    path,
                    row,
                    d.as_str(),
                    format_args!("{v} is not a {} of leaf `{}`, which has {n}", d.as_str(), leaf.name),
                ));
            }
            a.0[d as usize] = v;
        } else if required && n > 0 {
            return Err(bad(
                path,
                row,
                d.as_str(),
                format_args!("is null, but leaf `{}` has {n} values of this dimension", leaf.name),
            ));
        }
    }
    Ok(a)
}

// ---- items.parquet -------------------------------------------------------

fn items_cols() -> Vec<Col> {
    vec![
        col("item_id", UInt32, &[Dense]),
        col("title", Utf8, &[Any]),
        col("brand", Utf8, &[Any]),
        col("leaf_id", UInt16, &[Key(Count::Leaves)]),
        col("category_path", Utf8, &[Row("the taxonomy's path of `leaf_id`")]),
        col("price", Float32, &[Check::positive()]),
        col("rating", Float32, &[Check::float(0.0, 5.0), Row("0 exactly when `review_count` is 0, else in [1, 5]")]),
        col("review_count", UInt32, &[Any]),
        col("sales_count", UInt32, &[Any]),
    ]
}

pub(crate) fn items_schema() -> SchemaRef {
    schema_of(&items_cols())
}

pub(crate) fn items_columns(items: &[Item], category_paths: &[String]) -> Vec<ArrayRef> {
    vec![
        arc(UInt32Array::from_iter_values(items.iter().map(|i| i.id.0))),
        arc(StringArray::from_iter_values(items.iter().map(|i| &i.title))),
        arc(StringArray::from_iter_values(items.iter().map(|i| &i.brand))),
        arc(UInt16Array::from_iter_values(items.iter().map(|i| i.leaf.0))),
        arc(StringArray::from_iter_values(items.iter().map(|i| &category_paths[i.leaf.index()]))),
        arc(Float32Array::from_iter_values(items.iter().map(|i| i.price))),
        arc(Float32Array::from_iter_values(items.iter().map(|i| i.rating))),
        arc(UInt32Array::from_iter_values(items.iter().map(|i| i.review_count))),
        arc(UInt32Array::from_iter_values(items.iter().map(|i| i.sales_count))),
    ]
}

/// Reads items; every category path must be the taxonomy's path of its leaf.
pub(crate) fn items_rows(
    path: &Path,
    batches: &[RecordBatch],
    bounds: &Bounds,
    category_paths: &[String],
) -> Result<Vec<Item>> {
    check_table(path, &items_cols(), batches, bounds)?;
    let mut out = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (id, title, brand, leaf, cat) =
            (c.u32("item_id")?, c.str("title")?, c.str("brand")?, c.u16("leaf_id")?, c.str("category_path")?);
        let (price, rating, reviews, sales) =
            (c.f32("price")?, c.f32("rating")?, c.u32("review_count")?, c.u32("sales_count")?);
        for r in 0..batch.num_rows() {
            let row = out.len();
            let leaf = LeafId(leaf.value(r));
            if category_paths.get(leaf.index()).map(String::as_str) != Some(cat.value(r)) {
                return Err(bad(
                    path,
                    row,
                    "category_path",
                    format_args!("`{}` is not the path of leaf {leaf}", cat.value(r)),
                ));
            }
            let (stars, n) = (rating.value(r), reviews.value(r));
            if (n == 0) != (stars == 0.0) || (n > 0 && !(1.0..=5.0).contains(&stars)) {
                return Err(bad(
                    path,
                    row,
                    "rating",
                    format_args!("{stars} with {n} reviews; a rating is 0 exactly without reviews, else in [1, 5]"),
                ));
            }
            out.push(Item {
                id: ItemId(id.value(r)),
                title: title.value(r).to_string(),
                brand: brand.value(r).to_string(),
                // Generated items have none, so world folders do not store it.
                description: String::new(),
                leaf,
                price: price.value(r),
                rating: stars,
                review_count: n,
                sales_count: sales.value(r),
            });
        }
    }
    Ok(out)
}

// ---- users.parquet -------------------------------------------------------

fn users_cols() -> Vec<Col> {
    vec![
        col("user_id", UInt32, &[Dense]),
        col("age_band", UInt8, &[Range(Limit::Const(0), Limit::Const(5))]),
        col("region", UInt8, &[Key(Count::Regions)]),
        col("tenure_days", UInt16, &[Any]),
    ]
}

pub(crate) fn users_schema() -> SchemaRef {
    schema_of(&users_cols())
}

pub(crate) fn users_columns(users: &[UserProfile]) -> Vec<ArrayRef> {
    vec![
        arc(UInt32Array::from_iter_values(users.iter().map(|u| u.id.0))),
        arc(UInt8Array::from_iter_values(users.iter().map(|u| u.age_band))),
        arc(UInt8Array::from_iter_values(users.iter().map(|u| u.region))),
        arc(UInt16Array::from_iter_values(users.iter().map(|u| u.tenure_days))),
    ]
}

pub(crate) fn users_rows(path: &Path, batches: &[RecordBatch], bounds: &Bounds) -> Result<Vec<UserProfile>> {
    check_table(path, &users_cols(), batches, bounds)?;
    let mut out = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (id, age, region, tenure) = (c.u32("user_id")?, c.u8("age_band")?, c.u8("region")?, c.u16("tenure_days")?);
        for r in 0..batch.num_rows() {
            out.push(UserProfile {
                id: UserId(id.value(r)),
                age_band: age.value(r),
                region: region.value(r),
                tenure_days: tenure.value(r),
            });
        }
    }
    Ok(out)
}

// ---- interactions.parquet ------------------------------------------------

fn interactions_cols() -> Vec<Col> {
    const NULL_FOR_SEARCH: Check = Row("null exactly on `search` rows");
    vec![
        col("time", UInt32, &[NonDecreasingWithin("user_id")]),
        col("user_id", UInt32, &[Key(Count::Users), NonDecreasing]),
        col("session_id", UInt32, &[NonDecreasing, Row("one user and one channel per session")]),
        col("channel", Utf8, &[OneOf(&["search", "feed"])]),
        col("action", Utf8, &[OneOf(&["search", "impression", "click", "add_to_cart", "purchase"])]),
        opt("item_id", UInt32, &[Key(Count::Items), NULL_FOR_SEARCH]),
        opt("position", UInt16, &[Range(Limit::Const(1), Limit::ListLength), NULL_FOR_SEARCH]),
        opt(
            "search_id",
            UInt32,
            &[
                Key(Count::Searches),
                Row(
                    "set exactly in search sessions; the session's `search` row takes the next number, its other rows repeat it",
                ),
            ],
        ),
        opt("query", Utf8, &[Row("set exactly with `search_id`; one text per search")]),
    ]
}

pub(crate) fn interactions_schema() -> SchemaRef {
    schema_of(&interactions_cols())
}

/// `queries` holds the texts of the searches `events` refer to, the first
/// being search number `first_query`.
pub(crate) fn interactions_columns(events: &[Event], queries: &[String], first_query: u32) -> Vec<ArrayRef> {
    let text = |e: &Event| e.query.map(|q| queries[(q - first_query) as usize].as_str());
    vec![
        arc(UInt32Array::from_iter_values(events.iter().map(|e| e.time))),
        arc(UInt32Array::from_iter_values(events.iter().map(|e| e.user.0))),
        arc(UInt32Array::from_iter_values(events.iter().map(|e| e.session))),
        arc(StringArray::from_iter_values(events.iter().map(|e| e.channel.as_str()))),
        arc(StringArray::from_iter_values(events.iter().map(|e| e.action.as_str()))),
        arc(events.iter().map(|e| e.item.map(|i| i.0)).collect::<UInt32Array>()),
        arc(events.iter().map(|e| e.position).collect::<UInt16Array>()),
        arc(events.iter().map(|e| e.query).collect::<UInt32Array>()),
        arc(events.iter().map(text).collect::<StringArray>()),
    ]
}

/// Reads events and rebuilds the search texts they index.
pub(crate) fn interactions_rows(
    path: &Path,
    batches: &[RecordBatch],
    bounds: &Bounds,
) -> Result<(Vec<Event>, Vec<String>)> {
    check_table(path, &interactions_cols(), batches, bounds)?;
    let mut events: Vec<Event> = Vec::new();
    let mut queries: Vec<String> = Vec::new();
    // The session of the latest `search` row: the only session whose rows may
    // repeat the latest search number.
    let mut search_session = None;
    for batch in batches {
        let c = Columns { path, batch };
        let (time, user, session, channel, action) =
            (c.u32("time")?, c.u32("user_id")?, c.u32("session_id")?, c.str("channel")?, c.str("action")?);
        let (item, position, search, query) =
            (c.opt_u32("item_id"), c.opt_u16("position"), c.opt_u32("search_id"), c.opt_str("query"));
        for r in 0..batch.num_rows() {
            let row = events.len();
            let unknown = |column: &str, value: &str| bad(path, row, column, format_args!("unknown value `{value}`"));
            let channel = Channel::parse(channel.value(r)).ok_or_else(|| unknown("channel", channel.value(r)))?;
            let action = Action::parse(action.value(r)).ok_or_else(|| unknown("action", action.value(r)))?;
            let (user, session) = (UserId(user.value(r)), session.value(r));
            if let Some(p) = events.last()
                && p.session == session
            {
                if p.user != user {
                    return Err(bad(
                        path,
                        row,
                        "session_id",
                        format_args!("session {session} is also user {}'s; a session has one user", p.user),
                    ));
                }
                if p.channel != channel {
                    return Err(bad(path, row, "session_id", format_args!("session {session} changes channel")));
                }
            }
            let is_search = action == Action::Search;
            for (column, set) in [("item_id", item.is_valid(r)), ("position", position.is_valid(r))] {
                if set == is_search {
                    let what = if set { "set on a `search` row" } else { "null, but only `search` rows have none" };
                    return Err(bad(path, row, column, format_args!("is {what}")));
                }
            }
            let search_id = search.is_valid(r).then(|| search.value(r));
            match (channel, search_id) {
                (Channel::Feed, Some(q)) => {
                    return Err(bad(path, row, "search_id", format_args!("{q} on a feed row; feed rows have none")));
                }
                (Channel::Feed, None) if is_search => {
                    return Err(bad(path, row, "action", "`search` on a feed row"));
                }
                (Channel::Search, None) => {
                    return Err(bad(path, row, "search_id", "is null on a search-session row"));
                }
                (Channel::Search, Some(q)) if is_search => {
                    if q as usize != queries.len() {
                        return Err(bad(
                            path,
                            row,
                            "search_id",
                            format_args!(
                                "{q} on a `search` row; searches are numbered 0, 1, 2, … in order, so {} comes next",
                                queries.len()
                            ),
                        ));
                    }
                    if !query.is_valid(r) {
                        return Err(bad(path, row, "query", "is null, but `search_id` is set"));
                    }
                    queries.push(query.value(r).to_string());
                    search_session = Some(session);
                }
                (Channel::Search, Some(q)) => {
                    if q as usize + 1 != queries.len() || search_session != Some(session) {
                        return Err(bad(
                            path,
                            row,
                            "search_id",
                            format_args!("{q} is not the search that opened session {session}"),
                        ));
                    }
                }
                (Channel::Feed, None) => {}
            }
            match search_id {
                None if query.is_valid(r) => return Err(bad(path, row, "query", "is set, but `search_id` is null")),
                Some(q) if !query.is_valid(r) || query.value(r) != queries[q as usize] => {
                    return Err(bad(path, row, "query", format_args!("is not the text of search {q}")));
                }
                _ => {}
            }
            events.push(Event {
                time: time.value(r),
                user,
                session,
                channel,
                action,
                item: item.is_valid(r).then(|| ItemId(item.value(r))),
                position: position.is_valid(r).then(|| position.value(r)),
                query: search_id,
            });
        }
    }
    Ok((events, queries))
}

// ---- queries.parquet -----------------------------------------------------

fn queries_cols() -> Vec<Col> {
    vec![
        col("query_id", UInt32, &[Dense]),
        col("user_id", UInt32, &[Key(Count::Users)]),
        col("time", UInt32, &[Range(Limit::LogEnd, Limit::LogEnd)]),
        col("text", Utf8, &[Any]),
    ]
}

pub(crate) fn queries_schema() -> SchemaRef {
    schema_of(&queries_cols())
}

pub(crate) fn queries_columns(queries: &[Query]) -> Vec<ArrayRef> {
    vec![
        arc(UInt32Array::from_iter_values(queries.iter().map(|q| q.id.0))),
        arc(UInt32Array::from_iter_values(queries.iter().map(|q| q.user.0))),
        arc(UInt32Array::from_iter_values(queries.iter().map(|q| q.time))),
        arc(StringArray::from_iter_values(queries.iter().map(|q| &q.text))),
    ]
}

pub(crate) fn queries_rows(path: &Path, batches: &[RecordBatch], bounds: &Bounds) -> Result<Vec<Query>> {
    check_table(path, &queries_cols(), batches, bounds)?;
    let mut out = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (id, user, time, text) = (c.u32("query_id")?, c.u32("user_id")?, c.u32("time")?, c.str("text")?);
        for r in 0..batch.num_rows() {
            out.push(Query {
                id: QueryId(id.value(r)),
                user: UserId(user.value(r)),
                time: time.value(r),
                text: text.value(r).to_string(),
            });
        }
    }
    Ok(out)
}

// ---- qrels.parquet -------------------------------------------------------

fn qrels_cols() -> Vec<Col> {
    vec![
        col("query_id", UInt32, &[Key(Count::Queries), NonDecreasing]),
        col("item_id", UInt32, &[Key(Count::Items), Row("increasing within a query: sorted, no duplicates")]),
        // Irrelevant (0) is never written: unjudged counts as 0.
        col("grade", UInt8, &[Range(Limit::Const(1), Limit::Const(3))]),
    ]
}

pub(crate) fn qrels_schema() -> SchemaRef {
    schema_of(&qrels_cols())
}

pub(crate) fn qrels_columns(rows: &[Judgement]) -> Vec<ArrayRef> {
    vec![
        arc(UInt32Array::from_iter_values(rows.iter().map(|j| j.query.0))),
        arc(UInt32Array::from_iter_values(rows.iter().map(|j| j.item.0))),
        arc(UInt8Array::from_iter_values(rows.iter().map(|j| j.grade.level()))),
    ]
}

pub(crate) fn qrels_rows(path: &Path, batches: &[RecordBatch], bounds: &Bounds) -> Result<Vec<Judgement>> {
    check_table(path, &qrels_cols(), batches, bounds)?;
    let mut out: Vec<Judgement> = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (query, item, grade) = (c.u32("query_id")?, c.u32("item_id")?, c.u8("grade")?);
        for r in 0..batch.num_rows() {
            let row = out.len();
            let g = Grade::from_level(grade.value(r))
                .ok_or_else(|| bad(path, row, "grade", format_args!("unknown grade {}", grade.value(r))))?;
            let j = Judgement { query: QueryId(query.value(r)), item: ItemId(item.value(r)), grade: g };
            if let Some(p) = out.last()
                && p.query == j.query
                && p.item >= j.item
            {
                return Err(bad(
                    path,
                    row,
                    "item_id",
                    format_args!(
                        "{} after {} in query {}; judgements are sorted by (query_id, item_id) without duplicates",
                        j.item, p.item, j.query
                    ),
                ));
            }
            out.push(j);
        }
    }
    Ok(out)
}

// ---- truth/items.parquet -------------------------------------------------

const ATTRIBUTE_RULE: Check = Row("index into the leaf's values of this dimension");

fn attribute_cols(item: bool) -> [Col; 4] {
    let rule = if item {
        Row("index into the leaf's values of this dimension; null exactly when the leaf has none")
    } else {
        ATTRIBUTE_RULE
    };
    Dimension::ALL.map(|d| opt(d.as_str(), UInt8, &[rule]))
}

fn attribute_columns<'a>(attrs: impl Iterator<Item = &'a Attributes> + Clone) -> Vec<ArrayRef> {
    Dimension::ALL.iter().map(|&d| arc(attrs.clone().map(|a| a.get(d)).collect::<UInt8Array>())).collect()
}

fn attribute_arrays<'a>(c: &Columns<'a>) -> [&'a UInt8Array; 4] {
    Dimension::ALL.map(|d| c.opt_u8(d.as_str()))
}

fn item_truth_cols(dim: usize) -> Vec<Col> {
    let mut cols = vec![
        col("item_id", UInt32, &[Dense]),
        col("quality", Float32, &[Check::float(0.0, 1.0)]),
        col("brand", UInt16, &[Row("index into the leaf's brands, naming the item's brand in items.parquet")]),
        col("noun", UInt8, &[Row("index into the leaf's nouns")]),
    ];
    cols.extend(attribute_cols(true));
    cols.push(col("vector", vector_type(dim), &[UnitVectors]));
    cols
}

pub(crate) fn item_truth_schema(dim: usize) -> SchemaRef {
    schema_of(&item_truth_cols(dim))
}

pub(crate) fn item_truth_columns(items: &[ItemTruth], vectors: &[f32], dim: usize) -> Vec<ArrayRef> {
    let mut cols = vec![
        arc(UInt32Array::from_iter_values(0..items.len() as u32)),
        arc(Float32Array::from_iter_values(items.iter().map(|i| i.quality))),
        arc(UInt16Array::from_iter_values(items.iter().map(|i| i.brand))),
        arc(UInt8Array::from_iter_values(items.iter().map(|i| i.noun))),
    ];
    cols.extend(attribute_columns(items.iter().map(|i| &i.attributes)));
    cols.push(vector_column(vectors, dim));
    cols
}

/// Reads item truth; `catalog` (items.parquet, already read) gives each
/// item's leaf, which bounds its brand, noun and attribute indices.
pub(crate) fn item_truth_rows(
    path: &Path,
    batches: &[RecordBatch],
    bounds: &Bounds,
    taxonomy: &Taxonomy,
    catalog: &[Item],
) -> Result<(Vec<ItemTruth>, Vec<f32>)> {
    check_table(path, &item_truth_cols(bounds.dim), batches, bounds)?;
    let (mut items, mut vectors) = (Vec::new(), Vec::new());
    for batch in batches {
        let c = Columns { path, batch };
        let (quality, brand, noun) = (c.f32("quality")?, c.u16("brand")?, c.u8("noun")?);
        let attrs = attribute_arrays(&c);
        vectors.extend_from_slice(c.vectors("vector", bounds.dim)?);
        for r in 0..batch.num_rows() {
            let row = items.len();
            let Some(item) = catalog.get(row) else {
                return Err(bad(path, row, "item_id", format_args!("{row} has no row in items.parquet")));
            };
            let leaf = leaf_of(path, taxonomy, row, "item_id", item.leaf)?;
            let (b, n) = (brand.value(r), noun.value(r));
            match leaf.brands.get(b as usize) {
                Some(name) if *name == item.brand => {}
                Some(name) => {
                    return Err(bad(
                        path,
                        row,
                        "brand",
                        format_args!("{b} is `{name}`, but items.parquet lists the item under `{}`", item.brand),
                    ));
                }
                None => {
                    return Err(bad(
                        path,
                        row,
                        "brand",
                        format_args!("{b} is not a brand of leaf `{}`, which has {}", leaf.name, leaf.brands.len()),
                    ));
                }
            }
            if n as usize >= leaf.nouns.len() {
                return Err(bad(
                    path,
                    row,
                    "noun",
                    format_args!("{n} is not a noun of leaf `{}`, which has {}", leaf.name, leaf.nouns.len()),
                ));
            }
            items.push(ItemTruth {
                quality: quality.value(r),
                attributes: attributes_checked(path, row, &attrs, r, leaf, true)?,
                brand: b,
                noun: n,
            });
        }
    }
    Ok((items, vectors))
}

// ---- truth/users.parquet -------------------------------------------------

fn user_truth_cols(dim: usize) -> Vec<Col> {
    const PERSONA: [Check; 2] = [Check::float(0.0, 1.0), Row("the three persona weights sum to 1")];
    vec![
        col("user_id", UInt32, &[Dense]),
        col("price_sensitivity", Float32, &[Check::positive()]),
        col("activity", Float32, &[Check::float(0.0, f32::INFINITY)]),
        col("persona_shelf", Float32, &PERSONA),
        col("persona_interest", Float32, &PERSONA),
        col("persona_social", Float32, &PERSONA),
        col("vector", vector_type(dim), &[UnitVectors]),
    ]
}

pub(crate) fn user_truth_schema(dim: usize) -> SchemaRef {
    schema_of(&user_truth_cols(dim))
}

pub(crate) fn user_truth_columns(users: &[UserTruth], vectors: &[f32], dim: usize) -> Vec<ArrayRef> {
    vec![
        arc(UInt32Array::from_iter_values(0..users.len() as u32)),
        arc(Float32Array::from_iter_values(users.iter().map(|u| u.price_sensitivity))),
        arc(Float32Array::from_iter_values(users.iter().map(|u| u.activity))),
        arc(Float32Array::from_iter_values(users.iter().map(|u| u.persona.shelf))),
        arc(Float32Array::from_iter_values(users.iter().map(|u| u.persona.interest))),
        arc(Float32Array::from_iter_values(users.iter().map(|u| u.persona.social))),
        vector_column(vectors, dim),
    ]
}

/// How far persona weights may sum from 1: they are f64 shares rounded to f32.
const PERSONA_SUM_TOLERANCE: f32 = 1e-3;

pub(crate) fn user_truth_rows(
    path: &Path,
    batches: &[RecordBatch],
    bounds: &Bounds,
) -> Result<(Vec<UserTruth>, Vec<f32>)> {
    check_table(path, &user_truth_cols(bounds.dim), batches, bounds)?;
    let (mut users, mut vectors) = (Vec::new(), Vec::new());
    for batch in batches {
        let c = Columns { path, batch };
        let (lambda, activity) = (c.f32("price_sensitivity")?, c.f32("activity")?);
        let (shelf, interest, social) = (c.f32("persona_shelf")?, c.f32("persona_interest")?, c.f32("persona_social")?);
        vectors.extend_from_slice(c.vectors("vector", bounds.dim)?);
        for r in 0..batch.num_rows() {
            let persona = Persona { shelf: shelf.value(r), interest: interest.value(r), social: social.value(r) };
            let sum = persona.shelf + persona.interest + persona.social;
            if (sum - 1.0).abs() > PERSONA_SUM_TOLERANCE {
                return Err(bad(
                    path,
                    users.len(),
                    "persona_social",
                    format_args!("the persona weights sum to {sum}, not 1"),
                ));
            }
            users.push(UserTruth { price_sensitivity: lambda.value(r), activity: activity.value(r), persona });
        }
    }
    Ok((users, vectors))
}

// ---- truth/needs.parquet -------------------------------------------------

fn needs_cols() -> Vec<Col> {
    let mut cols = vec![
        col("need_id", UInt32, &[Dense]),
        col("user_id", UInt32, &[Key(Count::Users)]),
        col("leaf_id", UInt16, &[Key(Count::Leaves)]),
    ];
    cols.extend(attribute_cols(false));
    cols.extend([
        opt("brand", UInt16, &[Row("index into the leaf's brands")]),
        col(
            "origin",
            Utf8,
            &[OneOf(&["organic", "seeded", "evaluation"]), Row("`evaluation` needs come after all others")],
        ),
        opt("seed_item_id", UInt32, &[Key(Count::Items), Row("set exactly on `seeded` needs")]),
        col("opened", UInt32, &[Row("the end of the logged period for `evaluation` needs")]),
        opt("closed", UInt32, &[Row("at or after `opened`")]),
        opt("bought_item_id", UInt32, &[Key(Count::Items), Row("set only on a closed need")]),
    ]);
    cols
}

pub(crate) fn needs_schema() -> SchemaRef {
    schema_of(&needs_cols())
}

fn origin_name(o: NeedOrigin) -> &'static str {
    match o {
        NeedOrigin::Organic => "organic",
        NeedOrigin::Seeded(_) => "seeded",
        NeedOrigin::Evaluation => "evaluation",
    }
}

pub(crate) fn needs_columns(needs: &[Need]) -> Vec<ArrayRef> {
    let mut cols = vec![
        arc(UInt32Array::from_iter_values(needs.iter().map(|n| n.id.0))),
        arc(UInt32Array::from_iter_values(needs.iter().map(|n| n.user.0))),
        arc(UInt16Array::from_iter_values(needs.iter().map(|n| n.leaf.0))),
    ];
    cols.extend(attribute_columns(needs.iter().map(|n| &n.attributes)));
    cols.extend([
        arc(needs.iter().map(|n| n.brand).collect::<UInt16Array>()),
        arc(StringArray::from_iter_values(needs.iter().map(|n| origin_name(n.origin)))),
        arc(needs
            .iter()
            .map(|n| if let NeedOrigin::Seeded(i) = n.origin { Some(i.0) } else { None })
            .collect::<UInt32Array>()),
        arc(UInt32Array::from_iter_values(needs.iter().map(|n| n.opened))),
        arc(needs.iter().map(|n| n.closed).collect::<UInt32Array>()),
        arc(needs.iter().map(|n| n.bought.map(|i| i.0)).collect::<UInt32Array>()),
    ]);
    cols
}

pub(crate) fn needs_rows(
    path: &Path,
    batches: &[RecordBatch],
    bounds: &Bounds,
    taxonomy: &Taxonomy,
) -> Result<Vec<Need>> {
    check_table(path, &needs_cols(), batches, bounds)?;
    let mut out: Vec<Need> = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (id, user, leaf, origin, opened) =
            (c.u32("need_id")?, c.u32("user_id")?, c.u16("leaf_id")?, c.str("origin")?, c.u32("opened")?);
        let (brand, seed, closed, bought) =
            (c.opt_u16("brand"), c.opt_u32("seed_item_id"), c.opt_u32("closed"), c.opt_u32("bought_item_id"));
        let attrs = attribute_arrays(&c);
        for r in 0..batch.num_rows() {
            let row = out.len();
            let origin = match (origin.value(r), seed.is_valid(r)) {
                ("organic", false) => NeedOrigin::Organic,
                ("evaluation", false) => NeedOrigin::Evaluation,
                ("seeded", true) => NeedOrigin::Seeded(ItemId(seed.value(r))),
                (o, set) => {
                    let what = if set { "set" } else { "null" };
                    return Err(bad(
                        path,
                        row,
                        "seed_item_id",
                        format_args!("is {what} on an `{o}` need; it is set exactly on `seeded` needs"),
                    ));
                }
            };
            if let Some(p) = out.last()
                && p.origin == NeedOrigin::Evaluation
                && origin != NeedOrigin::Evaluation
            {
                return Err(bad(path, row, "origin", "follows an `evaluation` need; those come last"));
            }
            let opened = opened.value(r);
            if origin == NeedOrigin::Evaluation && opened as u64 != bounds.log_end {
                return Err(bad(
                    path,
                    row,
                    "opened",
                    format_args!(
                        "{opened} on an `evaluation` need; those open at the end of the log, {}",
                        bounds.log_end
                    ),
                ));
            }
            let closed = closed.is_valid(r).then(|| closed.value(r));
            if let Some(t) = closed
                && t < opened
            {
                return Err(bad(path, row, "closed", format_args!("{t} is before `opened` {opened}")));
            }
            let bought = bought.is_valid(r).then(|| ItemId(bought.value(r)));
            if bought.is_some() && closed.is_none() {
                return Err(bad(path, row, "bought_item_id", "is set on a need that never closed"));
            }
            let leaf = LeafId(leaf.value(r));
            let leaf_row = leaf_of(path, taxonomy, row, "leaf_id", leaf)?;
            let brand = brand.is_valid(r).then(|| brand.value(r));
            if let Some(b) = brand
                && b as usize >= leaf_row.brands.len()
            {
                return Err(bad(
                    path,
                    row,
                    "brand",
                    format_args!("{b} is not a brand of leaf `{}`, which has {}", leaf_row.name, leaf_row.brands.len()),
                ));
            }
            out.push(Need {
                id: NeedId(id.value(r)),
                user: UserId(user.value(r)),
                leaf,
                attributes: attributes_checked(path, row, &attrs, r, leaf_row, false)?,
                brand,
                origin,
                opened,
                closed,
                bought,
            });
        }
    }
    Ok(out)
}

// ---- truth/queries.parquet -----------------------------------------------

fn query_truth_cols() -> Vec<Col> {
    vec![
        col("query_id", UInt32, &[Dense]),
        col(
            "need_id",
            UInt32,
            &[Key(Count::Needs), Row("the query's own `evaluation` need: row needs − queries + query_id, same user")],
        ),
        col("form", Utf8, &[OneOf(&["full", "brand_only", "vague"])]),
        col("wanted", UInt8, &[Range(Limit::Const(0), Limit::Const(5)), Row("0 unless `form` is `full`")]),
        col("dropped", UInt8, &[Row("at most `wanted`")]),
        col("synonym", Boolean, &[Row("only on `full` queries whose leaf has a synonym")]),
        col("synonym_possible", Boolean, &[Row("whether the need's leaf has more than one noun")]),
        col("typo", Boolean, &[Any]),
    ]
}

pub(crate) fn query_truth_schema() -> SchemaRef {
    schema_of(&query_truth_cols())
}

pub(crate) fn query_truth_columns(rows: &[QueryTruth]) -> Vec<ArrayRef> {
    vec![
        arc(UInt32Array::from_iter_values(rows.iter().map(|q| q.query.0))),
        arc(UInt32Array::from_iter_values(rows.iter().map(|q| q.need.0))),
        arc(StringArray::from_iter_values(rows.iter().map(|q| q.noise.form.as_str()))),
        arc(UInt8Array::from_iter_values(rows.iter().map(|q| q.noise.wanted))),
        arc(UInt8Array::from_iter_values(rows.iter().map(|q| q.noise.dropped))),
        arc(rows.iter().map(|q| Some(q.noise.synonym)).collect::<BooleanArray>()),
        arc(rows.iter().map(|q| Some(q.noise.synonym_possible)).collect::<BooleanArray>()),
        arc(rows.iter().map(|q| Some(q.noise.typo)).collect::<BooleanArray>()),
    ]
}

/// Reads query truth; `needs` (truth/needs.parquet) and `queries`
/// (queries.parquet), already read, tie each query to its need and leaf.
pub(crate) fn query_truth_rows(
    path: &Path,
    batches: &[RecordBatch],
    bounds: &Bounds,
    taxonomy: &Taxonomy,
    needs: &[Need],
    queries: &[Query],
) -> Result<Vec<QueryTruth>> {
    check_table(path, &query_truth_cols(), batches, bounds)?;
    let mut out = Vec::new();
    let first_evaluation = needs.len().saturating_sub(queries.len());
    for batch in batches {
        let c = Columns { path, batch };
        let (id, need, form, wanted, dropped) =
            (c.u32("query_id")?, c.u32("need_id")?, c.str("form")?, c.u8("wanted")?, c.u8("dropped")?);
        let (synonym, possible, typo) = (c.bool("synonym")?, c.bool("synonym_possible")?, c.bool("typo")?);
        for r in 0..batch.num_rows() {
            let row = out.len();
            let form = QueryForm::parse(form.value(r))
                .ok_or_else(|| bad(path, row, "form", format_args!("unknown value `{}`", form.value(r))))?;
            let n = need.value(r);
            let own = needs.get(n as usize).filter(|need| {
                n as usize == first_evaluation + row
                    && need.origin == NeedOrigin::Evaluation
                    && queries.get(row).is_some_and(|q| q.user == need.user)
            });
            let Some(own) = own else {
                return Err(bad(
                    path,
                    row,
                    "need_id",
                    format_args!(
                        "{n} is not this query's need: the `evaluation` need of its user at row {}",
                        first_evaluation + row
                    ),
                ));
            };
            let (w, d) = (wanted.value(r), dropped.value(r));
            if w > 0 && form != QueryForm::Full {
                return Err(bad(
                    path,
                    row,
                    "wanted",
                    format_args!("{w} on a `{}` query; only `full` queries want", form.as_str()),
                ));
            }
            if d > w {
                return Err(bad(path, row, "dropped", format_args!("{d} of {w} wanted; at most all are dropped")));
            }
            let leaf = leaf_of(path, taxonomy, row, "need_id", own.leaf)?;
            if possible.value(r) != (leaf.nouns.len() > 1) {
                return Err(bad(
                    path,
                    row,
                    "synonym_possible",
                    format_args!(
                        "is {}, but the need's leaf `{}` has {} nouns",
                        possible.value(r),
                        leaf.name,
                        leaf.nouns.len()
                    ),
                ));
            }
            if synonym.value(r) && !(possible.value(r) && form == QueryForm::Full) {
                return Err(bad(path, row, "synonym", "is true on a query that could not type a synonym noun"));
            }
            out.push(QueryTruth {
                query: QueryId(id.value(r)),
                need: NeedId(n),
                noise: QueryNoise {
                    form,
                    wanted: w,
                    dropped: d,
                    synonym: synonym.value(r),
                    synonym_possible: possible.value(r),
                    typo: typo.value(r),
                },
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every column of every table decides what its values may be, and a
    /// column that is not a key, a range or a name says so in words.
    #[test]
    fn every_column_declares_its_checks() {
        let tables = [
            ("items", items_cols()),
            ("users", users_cols()),
            ("interactions", interactions_cols()),
            ("queries", queries_cols()),
            ("qrels", qrels_cols()),
            ("truth/items", item_truth_cols(4)),
            ("truth/users", user_truth_cols(4)),
            ("truth/needs", needs_cols()),
            ("truth/queries", query_truth_cols()),
        ];
        for (table, cols) in tables {
            for c in cols {
                assert!(!c.checks.is_empty(), "{table}.{} declares no check", c.name);
                let any = c.checks.contains(&Any);
                assert!(!any || c.checks.len() == 1, "{table}.{}: `Any` with other checks", c.name);
            }
        }
    }
}
