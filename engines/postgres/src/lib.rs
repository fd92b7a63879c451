//! The searchrec requests on a real PostgreSQL server.
//!
//! **Search** is PostgreSQL full-text search: each item's title, brand and
//! category path are one `tsvector` (weights A, B, C), a query becomes a
//! `tsquery` (`websearch_to_tsquery` by default, or an OR of its words with
//! `query_syntax = "any"`), matches come from a GIN index, and the score is
//! the shelf engine's trust prior applied to `ts_rank_cd`:
//!
//! ```text
//! score = ts_rank_cd({0, c, b, t}, tsv, q, normalization) · (1 + w_s · S + w_r · R)
//! S = ln(1 + sales) / ln(1 + max_sales),  R = (rating − 1) / 4   (stored per item at build)
//! ```
//!
//! where `t, b, c` are the title, brand and category boosts divided by the
//! largest of them (`ts_rank_cd` takes weights in [0, 1]; the common factor
//! changes no order). Items scoring 0 (matched only in a field of boost 0)
//! are left out, as the shelf engine does not search such a field. What
//! differs from the shelf engine, by design of the server: the relevance
//! term is cover density, not BM25 (no idf; length normalisation only on
//! request); `websearch` queries are conjunctive; the `english`
//! configuration drops stop words; the product is computed in `float8` and
//! rounded to `real` (shelf: `f32` throughout).
//!
//! **The feed** is the interest engine's ([`searchrec_interest::InterestModel`],
//! trained from the logs at build, with the same `embedding` and `feed`
//! parameters): the query vector, the exclusions and the popularity
//! fallback are computed here, and the nearest items by inner product
//! (`<#>`) come from a pgvector HNSW index (`m`, `ef_construction`;
//! `hnsw.ef_search`, `hnsw.iterative_scan` per searcher) or, with
//! `index = "exact"`, from a scan. Hits are scored with
//! `searchrec_vectors::dot` over the same table, like every other backend,
//! so engines differ only in which items they find.
//!
//! **The build** connects first (an unreachable server fails at once, with
//! the connection string — password hidden — in the message), trains,
//! creates its own schema, bulk-loads it with `COPY … FROM STDIN`, builds
//! the indexes and reports build time and the server's sizes
//! (`server_bytes`, `text_index_bytes`, `vector_index_bytes`, …). Dropping
//! the index drops the schema. The `vector` extension is created in the
//! database if missing and left there.
//!
//! **The server** is `url` (or `SEARCHREC_PG_URL`); with neither, the
//! index starts a [`ThrowawayServer`] of its own (`scripts/ci/postgres.sh`
//! with the binaries it installs) and stops it when dropped.
//!
//! [`PostgresFactory`] registers the engine as kind `"postgres"`, configured
//! by a [`PostgresConfig`].

mod config;
mod engine;
mod factory;
mod pool;
mod throwaway;

pub use config::{BUILD_PATHS, IterativeScan, PgHnsw, PostgresConfig, QuerySyntax, URL_ENV, VectorIndex};
pub use engine::{PostgresEngine, PostgresIndex};
pub use factory::PostgresFactory;
pub use pool::redact;
pub use throwaway::{SCRIPT_ENV, ThrowawayServer};
