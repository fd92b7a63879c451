//! The `postgres` engine: the index (a schema on the server plus the
//! trained interest model) and the cheap searchers over it.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use postgres::Client;
use searchrec_datasets::{Catalog, ItemId};
use searchrec_engine::{
    BuildInput, Capabilities, Engine, EngineError, EngineIndex, EngineReport, FeedRequest, Hit, Result, SearchRequest,
    check_user, parse_params, sort_hits,
};
use searchrec_interest::{FeedConfig, InterestModel};
use searchrec_vectors::{VectorError, VectorTable, dot};

use crate::config::{IterativeScan, PostgresConfig, QuerySyntax, URL_ENV, VectorIndex};
use crate::pool::{Opener, Pool, Server, Statements};
use crate::throwaway::ThrowawayServer;

/// Query text past this many bytes is ignored: no one types more, and every
/// word of a `websearch` query is one more operand for every candidate.
const MAX_QUERY_BYTES: usize = 2048;
/// Words of an `any` query after this many distinct ones are ignored (as in
/// the shelf engine).
const MAX_WORDS: usize = 256;
/// Longer words match nothing (the server ignores words over 2047 bytes
/// anyway) and are dropped from `any` queries.
const MAX_WORD_BYTES: usize = 255;

/// The expensive half of the `postgres` engine: a schema on the server
/// holding the catalogue (text, trust-prior terms, item vectors) with a GIN
/// and an HNSW index, the users' vectors, the interest model the vectors
/// came from, and a pool of connections. Dropping it drops the schema.
pub struct PostgresIndex {
    name: String,
    server: Server,
    schema: String,
    config: PostgresConfig,
    model: InterestModel,
    pool: Pool,
    catalog_len: usize,
    user_count: usize,
    report: EngineReport,
    /// The server started for this index when it was given none; declared
    /// last so that the pool's connections close before it stops.
    own_server: Option<ThrowawayServer>,
}

impl std::fmt::Debug for PostgresIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresIndex")
            .field("name", &self.name)
            .field("server", &self.server.shown())
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

/// `"ident"`, with inner quotes doubled.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A schema name no other build uses: process, counter and clock.
fn fresh_schema() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("searchrec_{}_{n}_{nanos}", std::process::id())
}

/// One field of COPY's text format: backslash, tab, newline and carriage
/// return escaped; NUL, which no PostgreSQL text can hold, dropped.
fn copy_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\0' => {}
            c => out.push(c),
        }
    }
}

/// pgvector's text form, `[x,y,…]`; Rust prints the shortest text that
/// reads back as the same `f32`, so the server holds exactly our values.
fn vector_text(out: &mut String, values: &[f32]) {
    out.push('[');
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&v.to_string());
    }
    out.push(']');
}

/// The trust prior's two terms per item, as the shelf engine computes them:
/// `S = ln(1 + sales) / ln(1 + max_sales)` and `R = (rating − 1) / 4`, the
/// rating being `unrated` for an item without reviews. Also checks the
/// catalogue invariants the engine relies on.
fn prior_terms(engine: &str, catalog: &Catalog, unrated: f64) -> Result<Vec<(f32, f32)>> {
    let invalid = |message: String| EngineError::InvalidData { engine: engine.to_string(), message };
    if catalog.is_empty() {
        return Err(invalid("the catalogue is empty".to_string()));
    }
    let max_sales = catalog.items.iter().map(|item| item.sales_count).max().unwrap_or(0);
    let ln_max = (f64::from(max_sales)).ln_1p();
    let scale = if ln_max > 0.0 { (1.0 / ln_max) as f32 } else { 0.0 };
    catalog
        .items
        .iter()
        .enumerate()
        .map(|(row, item)| {
            if item.id.index() != row {
                return Err(invalid(format!("item at row {row} has id {}; ids must equal rows", item.id)));
            }
            if !item.rating.is_finite() {
                return Err(invalid(format!("item {} has rating {}", item.id, item.rating)));
            }
            if item.leaf.index() >= catalog.category_paths.len() {
                return Err(invalid(format!(
                    "item {} is in leaf {}, but the catalogue has only {} category paths",
                    item.id,
                    item.leaf,
                    catalog.category_paths.len()
                )));
            }
            let rating = if item.review_count == 0 { unrated } else { f64::from(item.rating).clamp(1.0, 5.0) };
            let s = (item.sales_count as f32).ln_1p() * scale;
            let r = ((rating as f32 - 1.0) / 4.0).clamp(0.0, 1.0);
            Ok((s, r))
        })
        .collect()
}

/// Creates pgvector unless the database has it, and returns its schema.
fn ensure_vector(client: &mut Client) -> std::result::Result<String, postgres::Error> {
    const WHERE: &str = "SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace \
                         WHERE e.extname = 'vector'";
    if let Err(e) = client.batch_execute("CREATE EXTENSION IF NOT EXISTS vector") {
        // Two builds racing to create it: the loser fails, yet it exists.
        if client.query_opt(WHERE, &[])?.is_none() {
            return Err(e);
        }
    }
    Ok(client.query_one(WHERE, &[])?.get(0))
}

/// What the build measured on the server.
struct Filled {
    copy_seconds: f64,
    text_index_seconds: f64,
    vector_index_seconds: f64,
    sizes: [i64; 5],
}

impl PostgresIndex {
    /// Validates `config`, connects (an unreachable server fails here, with
    /// the connection string in the message), trains the interest model,
    /// creates the schema, bulk-loads it with COPY and indexes it. On any
    /// failure after the schema exists, the schema is dropped.
    pub fn build(name: &str, config: &PostgresConfig, input: BuildInput<'_>) -> Result<PostgresIndex> {
        config.validate(name)?;
        let url = config.url.clone().or_else(|| std::env::var(URL_ENV).ok().filter(|u| !u.trim().is_empty()));
        let own_server = match url {
            Some(_) => None,
            None => Some(ThrowawayServer::start().map_err(|message| EngineError::Backend {
                engine: name.to_string(),
                message: format!("no `url` and no {URL_ENV}, and {message}"),
            })?),
        };
        let url = url.or_else(|| own_server.as_ref().map(|s| s.url().to_string())).unwrap_or_default();
        // A throwaway server's start is not part of what the engine costs.
        let start = Instant::now();
        let server = Server::parse(name, &url)?;
        let prior = prior_terms(name, input.catalog, config.unrated_rating)?;
        let mut client = server.connect(name)?;
        let model = InterestModel::build(input, &config.embedding, &config.feed).map_err(|e| e.into_engine(name))?;
        let vector_schema =
            ensure_vector(&mut client).map_err(|e| server.error(name, "creating extension vector", e))?;
        let schema = config.schema.clone().unwrap_or_else(fresh_schema);
        client
            .batch_execute(&format!("CREATE SCHEMA {}", quote_ident(&schema)))
            .map_err(|e| server.error(name, &format!("creating schema `{schema}` (it must not exist yet)"), e))?;
        let search_path = format!("SET search_path = {}, {}", quote_ident(&schema), quote_ident(&vector_schema));
        let filled = fill(&mut client, &search_path, config, input, &prior, &model);
        let filled = match filled {
            Ok(filled) => filled,
            Err(e) => {
                // Best effort: the error that matters is the first one.
                let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", quote_ident(&schema)));
                return Err(server.error(name, &format!("filling schema `{schema}`"), e));
            }
        };
        drop(client);

        let [items, users, table, text_index, vector_index] = filled.sizes.map(|b| u64::try_from(b).unwrap_or(0));
        let server_bytes = items + users;
        let mut diagnostics = model.stats().diagnostics();
        diagnostics.extend(BTreeMap::from([
            ("server_bytes".to_string(), server_bytes as f64),
            ("items_table_bytes".to_string(), table as f64),
            ("text_index_bytes".to_string(), text_index as f64),
            ("vector_index_bytes".to_string(), vector_index as f64),
            ("copy_seconds".to_string(), filled.copy_seconds),
            ("text_index_seconds".to_string(), filled.text_index_seconds),
            ("vector_index_seconds".to_string(), filled.vector_index_seconds),
        ]));
        let report = EngineReport {
            build_seconds: start.elapsed().as_secs_f64(),
            memory_bytes: server_bytes + model.memory_bytes(),
            diagnostics,
        };

        let opener: Opener = {
            let (server, engine, hnsw) = (server.clone(), name.to_string(), config.index == VectorIndex::Hnsw);
            let text = config.text_config();
            Box::new(move || {
                let mut client = server.connect(&engine)?;
                let prepared = prepare(&mut client, &search_path, text, hnsw);
                let statements = prepared.map_err(|e| server.error(&engine, "preparing the engine's statements", e))?;
                Ok((client, statements))
            })
        };
        Ok(PostgresIndex {
            name: name.to_string(),
            server,
            schema,
            config: config.clone(),
            model,
            pool: Pool::new(config.pool_size, opener),
            catalog_len: input.catalog.len(),
            user_count: input.users.len(),
            report,
            own_server,
        })
    }

    /// The schema the index lives in (dropped with the index).
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The trained model whose vectors the server holds.
    pub fn model(&self) -> &InterestModel {
        &self.model
    }

    /// A searcher with the query-time settings of `config`; its build-time
    /// settings are the index's.
    pub fn searcher_for(self: &Arc<Self>, name: &str, config: &PostgresConfig) -> PostgresEngine {
        let top = [config.title_boost, config.brand_boost, config.category_boost].into_iter().fold(0.0, f64::max);
        // ts_rank_cd takes weights in [0, 1], in the order D, C, B, A: the
        // boosts scaled by the largest, which changes scores by one factor
        // and the order not at all.
        let weight = |boost: f64| if top > 0.0 { (boost / top) as f32 } else { 0.0 };
        let mut feed = self.config.feed.clone();
        feed.context_weight = config.feed.context_weight;
        feed.exclude_purchased = config.feed.exclude_purchased;
        feed.refresh_sessions = config.feed.refresh_sessions;
        PostgresEngine {
            name: name.to_string(),
            index: Arc::clone(self),
            weights: vec![0.0, weight(config.category_boost), weight(config.brand_boost), weight(config.title_boost)],
            sales_weight: config.sales_weight,
            rating_weight: config.rating_weight,
            normalization: config.rank_normalization,
            syntax: config.query_syntax,
            ef_search: config.hnsw.ef_search,
            iterative_scan: config.hnsw.iterative_scan,
            feed,
        }
    }
}

/// Tables, COPY, indexes, statistics and sizes, on the build connection.
fn fill(
    client: &mut Client,
    search_path: &str,
    config: &PostgresConfig,
    input: BuildInput<'_>,
    prior: &[(f32, f32)],
    model: &InterestModel,
) -> std::result::Result<Filled, Box<dyn std::error::Error + Send + Sync>> {
    let table: &VectorTable = model.item_table();
    let dim = table.dim();
    let ts = config.text_config();
    client.batch_execute(&format!(
        "{search_path};
         SET maintenance_work_mem = '256MB';
         CREATE TABLE items (
             id integer NOT NULL,
             title text NOT NULL,
             brand text NOT NULL,
             category text NOT NULL,
             sales_term real NOT NULL,
             rating_term real NOT NULL,
             embedding vector({dim}) NOT NULL,
             tsv tsvector GENERATED ALWAYS AS (
                 setweight(to_tsvector('{ts}'::regconfig, title), 'A')
                 || setweight(to_tsvector('{ts}'::regconfig, brand), 'B')
                 || setweight(to_tsvector('{ts}'::regconfig, category), 'C')
             ) STORED
         );
         CREATE TABLE users (id integer NOT NULL, embedding vector({dim}) NOT NULL);"
    ))?;

    let copy_start = Instant::now();
    let mut writer =
        client.copy_in("COPY items (id, title, brand, category, sales_term, rating_term, embedding) FROM STDIN")?;
    let mut line = String::new();
    for (item, &(s, r)) in input.catalog.items.iter().zip(prior) {
        line.clear();
        line.push_str(&format!("{}\t", item.id.0));
        copy_text(&mut line, &item.title);
        line.push('\t');
        copy_text(&mut line, &item.brand);
        line.push('\t');
        // prior_terms checked every leaf has a path.
        copy_text(&mut line, input.catalog.category_paths.get(item.leaf.index()).map_or("", String::as_str));
        line.push_str(&format!("\t{s}\t{r}\t"));
        vector_text(&mut line, table.row(item.id.index()));
        line.push('\n');
        writer.write_all(line.as_bytes())?;
    }
    writer.finish()?;
    // The users' long-term query vectors (the trained factor in the items'
    // space), for users with history: the model exported whole, so the
    // schema can be queried on its own.
    let mut writer = client.copy_in("COPY users (id, embedding) FROM STDIN")?;
    for user in input.users {
        let Ok((query, source)) = model.user_vector(user.id, &[], &FeedConfig::default()) else { continue };
        if source != searchrec_interest::QuerySource::History {
            continue;
        }
        line.clear();
        line.push_str(&format!("{}\t", user.id.0));
        vector_text(&mut line, &query);
        line.push('\n');
        writer.write_all(line.as_bytes())?;
    }
    writer.finish()?;
    let copy_seconds = copy_start.elapsed().as_secs_f64();

    let text_start = Instant::now();
    client.batch_execute(
        "ALTER TABLE items ADD PRIMARY KEY (id);
         ALTER TABLE users ADD PRIMARY KEY (id);
         CREATE INDEX items_tsv ON items USING gin (tsv);",
    )?;
    let text_index_seconds = text_start.elapsed().as_secs_f64();
    let vector_start = Instant::now();
    if config.index == VectorIndex::Hnsw {
        client.batch_execute(&format!(
            "CREATE INDEX items_embedding ON items USING hnsw (embedding vector_ip_ops) \
             WITH (m = {}, ef_construction = {})",
            config.hnsw.m, config.hnsw.ef_construction
        ))?;
    }
    let vector_index_seconds = vector_start.elapsed().as_secs_f64();
    client.batch_execute("ANALYZE items; ANALYZE users;")?;
    let row = client.query_one(
        "SELECT pg_total_relation_size('items'), pg_total_relation_size('users'), pg_relation_size('items'),
                pg_relation_size('items_tsv'), COALESCE(pg_relation_size(to_regclass('items_embedding')), 0)",
        &[],
    )?;
    let sizes = [row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)];
    Ok(Filled { copy_seconds, text_index_seconds, vector_index_seconds, sizes })
}

/// Session settings and prepared statements of a pooled connection.
fn prepare(
    client: &mut Client,
    search_path: &str,
    ts: &str,
    hnsw: bool,
) -> std::result::Result<Statements, postgres::Error> {
    client.batch_execute(search_path)?;
    if hnsw {
        // Small tables make the planner prefer a scan and sort, which would
        // answer exactly and hide the index being measured.
        client.batch_execute("SET enable_seqscan = off")?;
    }
    let search = |to_tsquery: &str| {
        format!(
            "SELECT id, score FROM (
                 SELECT id, (ts_rank_cd($1::real[], tsv, q, $2::integer)
                             * (1 + $3::float8 * sales_term + $4::float8 * rating_term))::real AS score
                 FROM items, {to_tsquery}('{ts}'::regconfig, $5::text) AS q
                 WHERE tsv @@ q
             ) AS hits
             WHERE score > 0
             ORDER BY score DESC, id
             LIMIT $6::bigint"
        )
    };
    Ok(Statements {
        websearch: client.prepare(&search("websearch_to_tsquery"))?,
        any: client.prepare(&search("to_tsquery"))?,
        nearest: client.prepare("SELECT id FROM items ORDER BY embedding <#> $1::text::vector LIMIT $2::bigint")?,
    })
}

impl Drop for PostgresIndex {
    fn drop(&mut self) {
        if self.own_server.is_some() {
            // The whole server goes with the index.
            return;
        }
        let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", quote_ident(&self.schema));
        let dropped = self.pool.get().and_then(|mut conn| {
            conn.client.batch_execute(&sql).map_err(|e| self.server.error(&self.name, "dropping the schema", e))
        });
        if let Err(e) = dropped {
            // Drop cannot fail; the schema name lets someone remove it by hand.
            eprintln!("searchrec-postgres: schema `{}` was left on the server: {e}", self.schema);
        }
    }
}

impl EngineIndex for PostgresIndex {
    fn report(&self) -> EngineReport {
        self.report.clone()
    }

    fn searcher(self: Arc<Self>, name: &str, params: &toml::Table) -> Result<Box<dyn Engine>> {
        let config: PostgresConfig = parse_params(name, params)?;
        config.validate(name)?;
        Ok(Box::new(self.searcher_for(name, &config)))
    }
}

/// Search by PostgreSQL full-text search with the shelf engine's trust
/// prior, and the interest engine's feed answered by pgvector. A searcher
/// over a shared [`PostgresIndex`]; neither channel reads the other's
/// signals.
#[derive(Clone)]
pub struct PostgresEngine {
    name: String,
    index: Arc<PostgresIndex>,
    /// ts_rank_cd's weights, D, C, B, A.
    weights: Vec<f32>,
    sales_weight: f64,
    rating_weight: f64,
    normalization: i32,
    syntax: QuerySyntax,
    ef_search: usize,
    iterative_scan: IterativeScan,
    feed: FeedConfig,
}

impl std::fmt::Debug for PostgresEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresEngine").field("name", &self.name).field("index", &self.index).finish_non_exhaustive()
    }
}

/// The text handed to `websearch_to_tsquery`: NULs dropped (no PostgreSQL
/// text holds one), cut at [`MAX_QUERY_BYTES`] on a character boundary.
fn websearch_text(query: &str) -> String {
    let mut out = String::new();
    for c in query.chars().filter(|&c| c != '\0') {
        if out.len() + c.len_utf8() > MAX_QUERY_BYTES {
            break;
        }
        out.push(c);
    }
    out
}

/// A `to_tsquery` text that ORs the query's words: split on every
/// non-alphanumeric character, so no tsquery operator or quote survives,
/// distinct words in first-occurrence order, at most [`MAX_WORDS`].
fn any_text(query: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    for word in query.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() || word.len() > MAX_WORD_BYTES || words.contains(&word) {
            continue;
        }
        words.push(word);
        if words.len() == MAX_WORDS {
            break;
        }
    }
    words.join(" | ")
}

impl PostgresEngine {
    /// Search and a feed; neither reads the other channel.
    pub const CAPABILITIES: Capabilities =
        Capabilities { search: true, recommend: true, personalised_search: false, query_aware_feed: false };

    /// Builds an index and its one searcher.
    pub fn build(name: &str, config: &PostgresConfig, input: BuildInput<'_>) -> Result<PostgresEngine> {
        Ok(Arc::new(PostgresIndex::build(name, config, input)?).searcher_for(name, config))
    }

    /// The shared index.
    pub fn shared_index(&self) -> &Arc<PostgresIndex> {
        &self.index
    }

    fn failed(&self, doing: &str, e: impl std::fmt::Display) -> EngineError {
        self.index.server.error(&self.name, doing, e)
    }

    /// The top `n` items by inner product with `query` as the server finds
    /// them, scored by [`dot`] over the same table as every other backend.
    fn nearest(&self, query: &[f32], n: usize) -> Result<Vec<Hit>> {
        let mut text = String::new();
        vector_text(&mut text, query);
        let limit = i64::try_from(n).unwrap_or(i64::MAX);
        let mut conn = self.index.pool.get()?;
        if self.index.config.index == VectorIndex::Hnsw {
            conn.hnsw_settings(self.ef_search, self.iterative_scan).map_err(|e| self.failed("setting hnsw.*", e))?;
        }
        let statement = conn.statements.nearest.clone();
        let rows = conn.client.query(&statement, &[&text, &limit]).map_err(|e| self.failed("the feed query", e))?;
        drop(conn);
        let table = self.index.model.item_table();
        let mut hits = Vec::with_capacity(rows.len());
        for row in rows {
            let id: i32 = row.try_get(0).map_err(|e| self.failed("reading the feed", e))?;
            let item = usize::try_from(id)
                .ok()
                .filter(|&i| i < table.len())
                .ok_or_else(|| self.failed("reading the feed", format!("{id} is not a catalogue id")))?;
            hits.push(Hit { item: ItemId(item as u32), score: dot(query, table.row(item)) });
        }
        sort_hits(&mut hits);
        Ok(hits)
    }
}

impl Engine for PostgresEngine {
    fn name(&self) -> &str {
        &self.name
    }

    fn capabilities(&self) -> Capabilities {
        PostgresEngine::CAPABILITIES
    }

    fn search(&self, request: &SearchRequest<'_>) -> Result<Vec<Hit>> {
        request.validate(&self.name)?;
        if let Some(user) = request.user {
            check_user(&self.name, user, self.index.user_count)?;
        }
        let text = match self.syntax {
            QuerySyntax::Websearch => websearch_text(request.query),
            QuerySyntax::Any => any_text(request.query),
        };
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        let limit = i64::try_from(request.k.min(self.index.catalog_len)).unwrap_or(i64::MAX);
        let mut conn = self.index.pool.get()?;
        let statement = match self.syntax {
            QuerySyntax::Websearch => conn.statements.websearch.clone(),
            QuerySyntax::Any => conn.statements.any.clone(),
        };
        let params: [&(dyn postgres::types::ToSql + Sync); 6] =
            [&self.weights, &self.normalization, &self.sales_weight, &self.rating_weight, &text, &limit];
        let rows = conn.client.query(&statement, &params).map_err(|e| self.failed("the search query", e))?;
        drop(conn);
        let mut hits = Vec::with_capacity(rows.len());
        for row in rows {
            let (id, score): (i32, f32) = row
                .try_get(0)
                .and_then(|id| Ok((id, row.try_get(1)?)))
                .map_err(|e| self.failed("reading the hits", e))?;
            let item = u32::try_from(id)
                .ok()
                .filter(|&i| (i as usize) < self.index.catalog_len)
                .ok_or_else(|| self.failed("reading the hits", format!("{id} is not a catalogue id")))?;
            hits.push(Hit { item: ItemId(item), score });
        }
        // The server ordered by the same (score, id); sorting again makes
        // the contract hold by construction.
        sort_hits(&mut hits);
        Ok(hits)
    }

    fn recommend(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>> {
        request.validate(&self.name)?;
        check_user(&self.name, request.user, self.index.model.users())?;
        let own = request.context.feed;
        let mut failure = None;
        let answer =
            self.index.model.recommend_with(request.user, request.k, (&[own], own.shown), &self.feed, |q, n| {
                self.nearest(q, n).map_err(|e| {
                    let message = e.to_string();
                    failure = Some(e);
                    VectorError::InvalidData(message)
                })
            });
        match (answer, failure) {
            (_, Some(e)) => Err(e),
            (Ok(hits), None) => Ok(hits),
            (Err(e), None) => Err(e.into_engine(&self.name)),
        }
    }

    fn report(&self) -> EngineReport {
        let mut report = self.index.report.clone();
        if self.index.config.index == VectorIndex::Hnsw {
            report.diagnostics.insert("ef_search".into(), self.ef_search as f64);
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_fields_escape_what_copy_reads_specially() {
        let mut out = String::new();
        copy_text(&mut out, "a\\b\tc\nd\re\0f");
        assert_eq!(out, r"a\\b\tc\nd\ref");
    }

    #[test]
    fn vectors_print_back_exactly() {
        let mut out = String::new();
        let values = [0.1f32, -1.0e-7, 3.0];
        vector_text(&mut out, &values);
        let back: Vec<f32> = out[1..out.len() - 1].split(',').map(|v| v.parse().unwrap()).collect();
        assert_eq!(back, values);
    }

    #[test]
    fn query_texts_are_bounded_and_operator_free() {
        assert_eq!(any_text("red\" OR (hoodie: [ red"), "red | OR | hoodie");
        assert_eq!(any_text("!!! *"), "");
        assert!(any_text(&"x ".repeat(10_000)).len() < 10);
        assert_eq!(any_text(&"y".repeat(100_000)), "");
        assert_eq!(websearch_text("nul\0byte"), "nulbyte");
        assert!(websearch_text(&"é".repeat(10_000)).len() <= MAX_QUERY_BYTES);
    }
}
