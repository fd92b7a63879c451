//! The schema of every table of a world folder, and conversion between rows
//! and Arrow columns. `docs/world-format.md` documents the same columns for
//! users of DuckDB, Polars or Spark; keep the two in step.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Float32Array, RecordBatch, StringArray, UInt8Array, UInt16Array, UInt32Array,
};
use arrow_schema::{DataType, Schema, SchemaRef};

use super::parquet_file::{Columns, field, nullable, vector_column, vector_type};
use crate::catalog::Item;
use crate::ids::{ItemId, LeafId, NeedId, QueryId, UserId};
use crate::judgements::{Grade, Judgement};
use crate::logs::{Action, Channel, Event};
use crate::queries::Query;
use crate::taxonomy::Dimension;
use crate::truth::{Attributes, ItemTruth, Need, NeedOrigin, Persona, QueryForm, QueryNoise, QueryTruth, UserTruth};
use crate::users::UserProfile;
use crate::{DatasetError, Result};

use DataType::{Boolean, Float32, UInt8, UInt16, UInt32, Utf8};

fn schema(fields: Vec<arrow_schema::Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

fn arc<A: arrow_array::Array + 'static>(a: A) -> ArrayRef {
    Arc::new(a)
}

fn dense_id(path: &Path, column: &str, row: usize, id: u32) -> Result<()> {
    if id as usize != row {
        return Err(DatasetError::format(
            path,
            format!("column `{column}`: row {row} has id {id}; ids must be 0, 1, 2, … in order"),
        ));
    }
    Ok(())
}

fn parse_err(path: &Path, column: &str, value: &str) -> DatasetError {
    DatasetError::format(path, format!("column `{column}`: unknown value `{value}`"))
}

// ---- items.parquet -------------------------------------------------------

pub(crate) fn items_schema() -> SchemaRef {
    schema(vec![
        field("item_id", UInt32),
        field("title", Utf8),
        field("brand", Utf8),
        field("leaf_id", UInt16),
        field("category_path", Utf8),
        field("price", Float32),
        field("rating", Float32),
        field("review_count", UInt32),
        field("sales_count", UInt32),
    ])
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
pub(crate) fn items_rows(path: &Path, batches: &[RecordBatch], category_paths: &[String]) -> Result<Vec<Item>> {
    let mut out = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (id, title, brand, leaf, cat) =
            (c.u32("item_id")?, c.str("title")?, c.str("brand")?, c.u16("leaf_id")?, c.str("category_path")?);
        let (price, rating, reviews, sales) =
            (c.f32("price")?, c.f32("rating")?, c.u32("review_count")?, c.u32("sales_count")?);
        for r in 0..batch.num_rows() {
            dense_id(path, "item_id", out.len(), id.value(r))?;
            let leaf = LeafId(leaf.value(r));
            if category_paths.get(leaf.index()).map(String::as_str) != Some(cat.value(r)) {
                return Err(DatasetError::format(
                    path,
                    format!(
                        "column `leaf_id`/`category_path`: row {} names leaf {leaf} `{}`, which this taxonomy does not have",
                        out.len(),
                        cat.value(r)
                    ),
                ));
            }
            let p = price.value(r);
            if !(p.is_finite() && p > 0.0) {
                return Err(DatasetError::format(
                    path,
                    format!("column `price`: row {} is {p}; prices must be positive", out.len()),
                ));
            }
            out.push(Item {
                id: ItemId(id.value(r)),
                title: title.value(r).to_string(),
                brand: brand.value(r).to_string(),
                leaf,
                price: p,
                rating: rating.value(r),
                review_count: reviews.value(r),
                sales_count: sales.value(r),
            });
        }
    }
    Ok(out)
}

// ---- users.parquet -------------------------------------------------------

pub(crate) fn users_schema() -> SchemaRef {
    schema(vec![
        field("user_id", UInt32),
        field("age_band", UInt8),
        field("region", UInt8),
        field("tenure_days", UInt16),
    ])
}

pub(crate) fn users_columns(users: &[UserProfile]) -> Vec<ArrayRef> {
    vec![
        arc(UInt32Array::from_iter_values(users.iter().map(|u| u.id.0))),
        arc(UInt8Array::from_iter_values(users.iter().map(|u| u.age_band))),
        arc(UInt8Array::from_iter_values(users.iter().map(|u| u.region))),
        arc(UInt16Array::from_iter_values(users.iter().map(|u| u.tenure_days))),
    ]
}

pub(crate) fn users_rows(path: &Path, batches: &[RecordBatch]) -> Result<Vec<UserProfile>> {
    let mut out = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (id, age, region, tenure) = (c.u32("user_id")?, c.u8("age_band")?, c.u8("region")?, c.u16("tenure_days")?);
        for r in 0..batch.num_rows() {
            dense_id(path, "user_id", out.len(), id.value(r))?;
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

pub(crate) fn interactions_schema() -> SchemaRef {
    schema(vec![
        field("time", UInt32),
        field("user_id", UInt32),
        field("session_id", UInt32),
        field("channel", Utf8),
        field("action", Utf8),
        nullable("item_id", UInt32),
        nullable("position", UInt16),
        nullable("search_id", UInt32),
        nullable("query", Utf8),
    ])
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
pub(crate) fn interactions_rows(path: &Path, batches: &[RecordBatch]) -> Result<(Vec<Event>, Vec<String>)> {
    let mut events = Vec::new();
    let mut queries: Vec<String> = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (time, user, session, channel, action) =
            (c.u32("time")?, c.u32("user_id")?, c.u32("session_id")?, c.str("channel")?, c.str("action")?);
        let (item, position, search, query) =
            (c.opt_u32("item_id"), c.opt_u16("position"), c.opt_u32("search_id"), c.opt_str("query"));
        for r in 0..batch.num_rows() {
            let channel =
                Channel::parse(channel.value(r)).ok_or_else(|| parse_err(path, "channel", channel.value(r)))?;
            let action = Action::parse(action.value(r)).ok_or_else(|| parse_err(path, "action", action.value(r)))?;
            let search_id = search.is_valid(r).then(|| search.value(r));
            if let Some(q) = search_id {
                if !query.is_valid(r) {
                    return Err(DatasetError::format(
                        path,
                        format!("row {}: `search_id` is set but `query` is null", events.len()),
                    ));
                }
                match (q as usize).cmp(&queries.len()) {
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => queries.push(query.value(r).to_string()),
                    std::cmp::Ordering::Greater => {
                        return Err(DatasetError::format(
                            path,
                            format!(
                                "row {}: `search_id` {q} skips ids; searches must be numbered in order of first use",
                                events.len()
                            ),
                        ));
                    }
                }
            }
            events.push(Event {
                time: time.value(r),
                user: UserId(user.value(r)),
                session: session.value(r),
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

pub(crate) fn queries_schema() -> SchemaRef {
    schema(vec![field("query_id", UInt32), field("user_id", UInt32), field("time", UInt32), field("text", Utf8)])
}

pub(crate) fn queries_columns(queries: &[Query]) -> Vec<ArrayRef> {
    vec![
        arc(UInt32Array::from_iter_values(queries.iter().map(|q| q.id.0))),
        arc(UInt32Array::from_iter_values(queries.iter().map(|q| q.user.0))),
        arc(UInt32Array::from_iter_values(queries.iter().map(|q| q.time))),
        arc(StringArray::from_iter_values(queries.iter().map(|q| &q.text))),
    ]
}

pub(crate) fn queries_rows(path: &Path, batches: &[RecordBatch]) -> Result<Vec<Query>> {
    let mut out = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (id, user, time, text) = (c.u32("query_id")?, c.u32("user_id")?, c.u32("time")?, c.str("text")?);
        for r in 0..batch.num_rows() {
            dense_id(path, "query_id", out.len(), id.value(r))?;
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

pub(crate) fn qrels_schema() -> SchemaRef {
    schema(vec![field("query_id", UInt32), field("item_id", UInt32), field("grade", UInt8)])
}

pub(crate) fn qrels_columns(rows: &[Judgement]) -> Vec<ArrayRef> {
    vec![
        arc(UInt32Array::from_iter_values(rows.iter().map(|j| j.query.0))),
        arc(UInt32Array::from_iter_values(rows.iter().map(|j| j.item.0))),
        arc(UInt8Array::from_iter_values(rows.iter().map(|j| j.grade.level()))),
    ]
}

pub(crate) fn qrels_rows(path: &Path, batches: &[RecordBatch]) -> Result<Vec<Judgement>> {
    let mut out: Vec<Judgement> = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (query, item, grade) = (c.u32("query_id")?, c.u32("item_id")?, c.u8("grade")?);
        for r in 0..batch.num_rows() {
            let g = Grade::from_level(grade.value(r))
                .ok_or_else(|| parse_err(path, "grade", &grade.value(r).to_string()))?;
            let j = Judgement { query: QueryId(query.value(r)), item: ItemId(item.value(r)), grade: g };
            if out.last().is_some_and(|p| (p.query, p.item) >= (j.query, j.item)) {
                return Err(DatasetError::format(
                    path,
                    format!("row {}: judgements must be sorted by (query_id, item_id) without duplicates", out.len()),
                ));
            }
            out.push(j);
        }
    }
    Ok(out)
}

// ---- truth/items.parquet -------------------------------------------------

fn attribute_fields() -> Vec<arrow_schema::Field> {
    Dimension::ALL.iter().map(|d| nullable(d.as_str(), UInt8)).collect()
}

fn attribute_columns<'a>(attrs: impl Iterator<Item = &'a Attributes> + Clone) -> Vec<ArrayRef> {
    Dimension::ALL.iter().map(|&d| arc(attrs.clone().map(|a| a.get(d)).collect::<UInt8Array>())).collect()
}

fn attributes_at(columns: &[&UInt8Array; 4], r: usize) -> Attributes {
    let mut a = Attributes::EMPTY;
    for (slot, col) in columns.iter().enumerate() {
        if col.is_valid(r) {
            a.0[slot] = col.value(r);
        }
    }
    a
}

fn attribute_arrays<'a>(c: &Columns<'a>) -> [&'a UInt8Array; 4] {
    Dimension::ALL.map(|d| c.opt_u8(d.as_str()))
}

pub(crate) fn item_truth_schema(dim: usize) -> SchemaRef {
    let mut fields =
        vec![field("item_id", UInt32), field("quality", Float32), field("brand", UInt16), field("noun", UInt8)];
    fields.extend(attribute_fields());
    fields.push(field("vector", vector_type(dim)));
    schema(fields)
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

pub(crate) fn item_truth_rows(path: &Path, batches: &[RecordBatch], dim: usize) -> Result<(Vec<ItemTruth>, Vec<f32>)> {
    let (mut items, mut vectors) = (Vec::new(), Vec::new());
    for batch in batches {
        let c = Columns { path, batch };
        let (id, quality, brand, noun) = (c.u32("item_id")?, c.f32("quality")?, c.u16("brand")?, c.u8("noun")?);
        let attrs = attribute_arrays(&c);
        vectors.extend_from_slice(c.vectors("vector", dim)?);
        for r in 0..batch.num_rows() {
            dense_id(path, "item_id", items.len(), id.value(r))?;
            items.push(ItemTruth {
                quality: quality.value(r),
                attributes: attributes_at(&attrs, r),
                brand: brand.value(r),
                noun: noun.value(r),
            });
        }
    }
    Ok((items, vectors))
}

// ---- truth/users.parquet -------------------------------------------------

pub(crate) fn user_truth_schema(dim: usize) -> SchemaRef {
    schema(vec![
        field("user_id", UInt32),
        field("price_sensitivity", Float32),
        field("activity", Float32),
        field("persona_shelf", Float32),
        field("persona_interest", Float32),
        field("persona_social", Float32),
        field("vector", vector_type(dim)),
    ])
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

pub(crate) fn user_truth_rows(path: &Path, batches: &[RecordBatch], dim: usize) -> Result<(Vec<UserTruth>, Vec<f32>)> {
    let (mut users, mut vectors) = (Vec::new(), Vec::new());
    for batch in batches {
        let c = Columns { path, batch };
        let (id, lambda, activity) = (c.u32("user_id")?, c.f32("price_sensitivity")?, c.f32("activity")?);
        let (shelf, interest, social) = (c.f32("persona_shelf")?, c.f32("persona_interest")?, c.f32("persona_social")?);
        vectors.extend_from_slice(c.vectors("vector", dim)?);
        for r in 0..batch.num_rows() {
            dense_id(path, "user_id", users.len(), id.value(r))?;
            users.push(UserTruth {
                price_sensitivity: lambda.value(r),
                activity: activity.value(r),
                persona: Persona { shelf: shelf.value(r), interest: interest.value(r), social: social.value(r) },
            });
        }
    }
    Ok((users, vectors))
}

// ---- truth/needs.parquet -------------------------------------------------

pub(crate) fn needs_schema() -> SchemaRef {
    let mut fields = vec![field("need_id", UInt32), field("user_id", UInt32), field("leaf_id", UInt16)];
    fields.extend(attribute_fields());
    fields.extend([
        nullable("brand", UInt16),
        field("origin", Utf8),
        nullable("seed_item_id", UInt32),
        field("opened", UInt32),
        nullable("closed", UInt32),
        nullable("bought_item_id", UInt32),
    ]);
    schema(fields)
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

pub(crate) fn needs_rows(path: &Path, batches: &[RecordBatch]) -> Result<Vec<Need>> {
    let mut out = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (id, user, leaf, origin, opened) =
            (c.u32("need_id")?, c.u32("user_id")?, c.u16("leaf_id")?, c.str("origin")?, c.u32("opened")?);
        let (brand, seed, closed, bought) =
            (c.opt_u16("brand"), c.opt_u32("seed_item_id"), c.opt_u32("closed"), c.opt_u32("bought_item_id"));
        let attrs = attribute_arrays(&c);
        for r in 0..batch.num_rows() {
            dense_id(path, "need_id", out.len(), id.value(r))?;
            let origin = match (origin.value(r), seed.is_valid(r)) {
                ("organic", false) => NeedOrigin::Organic,
                ("evaluation", false) => NeedOrigin::Evaluation,
                ("seeded", true) => NeedOrigin::Seeded(ItemId(seed.value(r))),
                (o, _) => {
                    return Err(DatasetError::format(
                        path,
                        format!(
                            "row {}: origin `{o}` does not fit `seed_item_id` (set exactly for `seeded`)",
                            out.len()
                        ),
                    ));
                }
            };
            out.push(Need {
                id: NeedId(id.value(r)),
                user: UserId(user.value(r)),
                leaf: LeafId(leaf.value(r)),
                attributes: attributes_at(&attrs, r),
                brand: brand.is_valid(r).then(|| brand.value(r)),
                origin,
                opened: opened.value(r),
                closed: closed.is_valid(r).then(|| closed.value(r)),
                bought: bought.is_valid(r).then(|| ItemId(bought.value(r))),
            });
        }
    }
    Ok(out)
}

// ---- truth/queries.parquet -----------------------------------------------

pub(crate) fn query_truth_schema() -> SchemaRef {
    schema(vec![
        field("query_id", UInt32),
        field("need_id", UInt32),
        field("form", Utf8),
        field("wanted", UInt8),
        field("dropped", UInt8),
        field("synonym", Boolean),
        field("synonym_possible", Boolean),
        field("typo", Boolean),
    ])
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

pub(crate) fn query_truth_rows(path: &Path, batches: &[RecordBatch]) -> Result<Vec<QueryTruth>> {
    let mut out = Vec::new();
    for batch in batches {
        let c = Columns { path, batch };
        let (id, need, form, wanted, dropped) =
            (c.u32("query_id")?, c.u32("need_id")?, c.str("form")?, c.u8("wanted")?, c.u8("dropped")?);
        let (synonym, possible, typo) = (c.bool("synonym")?, c.bool("synonym_possible")?, c.bool("typo")?);
        for r in 0..batch.num_rows() {
            dense_id(path, "query_id", out.len(), id.value(r))?;
            let form = QueryForm::parse(form.value(r)).ok_or_else(|| parse_err(path, "form", form.value(r)))?;
            out.push(QueryTruth {
                query: QueryId(id.value(r)),
                need: NeedId(need.value(r)),
                noise: QueryNoise {
                    form,
                    wanted: wanted.value(r),
                    dropped: dropped.value(r),
                    synonym: synonym.value(r),
                    synonym_possible: possible.value(r),
                    typo: typo.value(r),
                },
            });
        }
    }
    Ok(out)
}
