//! World folders: Parquet tables, TREC qrels and a manifest.
//!
//! ```text
//! DIR/world.toml              manifest: schema version, seed, counts, the resolved scenario
//! DIR/items.parquet           observable catalogue
//! DIR/users.parquet           observable coarse profiles
//! DIR/interactions.parquet    observable logs
//! DIR/queries.parquet         observable evaluation queries
//! DIR/qrels.parquet, qrels.txt judgements (Parquet and TREC text)
//! DIR/truth/*.parquet         latent truth: items, users, needs, queries
//! ```
//!
//! Writing is all-or-nothing ([`publish`]): the whole folder is built in a
//! staging folder beside DIR and swapped in at the end, so DIR always holds
//! one complete world (or none) and a failed or killed run leaves the
//! previous world. `write_world` refuses a DIR that is not a world folder.

mod checks;
mod parquet_file;
pub mod publish;
mod tables;
mod trec;

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::generate::{Generator, LogChunk, LogSink, Progress, Stage};
use crate::judgements::Qrels;
use crate::latent::LatentSpace;
use crate::logs::Logs;
use crate::scenario::Scenario;
use crate::taxonomy::Taxonomy;
use crate::truth::{Truth, Vectors};
use crate::world::{Observable, Origin, World};
use crate::{DatasetError, Result};
use parquet_file::{TableWriter, read_table, write_table};
pub use trec::{qrels_from_trec, qrels_from_trec_for, qrels_to_trec};

/// Version of the folder layout and table schemas; bumped on any change.
pub const SCHEMA_VERSION: u32 = 1;

const MANIFEST: &str = publish::WORLD_FOLDER.marker;

/// Row counts of a world folder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    /// Catalogue items.
    pub items: u64,
    /// Users.
    pub users: u64,
    /// Logged events.
    pub events: u64,
    /// Logged searches.
    pub searches: u64,
    /// Needs (logged period and evaluation).
    pub needs: u64,
    /// Evaluation queries.
    pub queries: u64,
    /// Judgements.
    pub judgements: u64,
}

/// `world.toml`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// Name and version of the writer.
    pub generator: String,
    /// The world's seed.
    pub seed: u64,
    /// Row counts.
    pub counts: Counts,
    /// The resolved scenario.
    pub scenario: Scenario,
}

/// Generates a world and writes it to `dir`, streaming the logs so memory
/// stays bounded by the catalogue and users rather than the log length.
///
/// `dir` must be missing, empty or a world folder, and not inside any
/// searchrec output ([`publish::check_target`]); the new world replaces it
/// whole, atomically where the system allows ([`publish::Staged`]).
pub fn write_world(scenario: &Scenario, seed: u64, dir: &Path, progress: Progress<'_>) -> Result<Manifest> {
    let g = Generator::new(scenario, seed)?;
    let staged = publish::Staged::begin(dir, &publish::WORLD_FOLDER)?;
    let truth = staged.path().join("truth");
    fs::create_dir(&truth).map_err(|e| DatasetError::io(&truth, e))?;
    // On an error `staged` is dropped and the staging folder removed.
    let manifest = write_tables(&g, staged.path(), progress)?;
    staged.commit()?;
    Ok(manifest)
}

fn write_tables(g: &Generator<'_>, staging: &Path, progress: Progress<'_>) -> Result<Manifest> {
    let dim = g.latent.leaves.dim;
    let items = g.items(progress);
    let catalog = &items.catalog;
    write_table(
        &staging.join("items.parquet"),
        tables::items_schema(),
        tables::items_columns(&catalog.items, &catalog.category_paths),
    )?;
    write_table(
        &staging.join("truth/items.parquet"),
        tables::item_truth_schema(dim),
        tables::item_truth_columns(&items.truth, &items.vectors.data, dim),
    )?;
    let users = g.users(progress);
    write_table(&staging.join("users.parquet"), tables::users_schema(), tables::users_columns(&users.profiles))?;
    write_table(
        &staging.join("truth/users.parquet"),
        tables::user_truth_schema(dim),
        tables::user_truth_columns(&users.truth, &users.vectors.data, dim),
    )?;

    let mut sink = ParquetSink {
        events: TableWriter::create(&staging.join("interactions.parquet"), tables::interactions_schema())?,
        needs: TableWriter::create(&staging.join("truth/needs.parquet"), tables::needs_schema())?,
        counts: Counts::default(),
    };
    let log_needs = g.write_logs(&g.log_context(&items, &users), &mut sink, &|n| progress(Stage::Logs, n))?;
    let evaluation = g.evaluation(&users.vectors, log_needs);
    sink.needs.write(tables::needs_columns(&evaluation.needs))?;
    let ParquetSink { events, needs, mut counts } = sink;
    events.finish()?;
    needs.finish()?;

    let mut qrels = TableWriter::create(&staging.join("qrels.parquet"), tables::qrels_schema())?;
    let qrels_txt = staging.join("qrels.txt");
    let mut trec = BufWriter::new(File::create(&qrels_txt).map_err(|e| DatasetError::io(&qrels_txt, e))?);
    let mut judgements = 0u64;
    g.judge(catalog, &items.truth, &evaluation.needs, |rows| {
        judgements += rows.len() as u64;
        qrels.write(tables::qrels_columns(&rows))?;
        trec.write_all(qrels_to_trec(&rows).as_bytes()).map_err(|e| DatasetError::io(&qrels_txt, e))
    })?;
    qrels.finish()?;
    trec.into_inner().map_err(|e| DatasetError::io(&qrels_txt, e.into_error()))?;
    progress(Stage::Queries, evaluation.queries.len() as u64);
    write_table(
        &staging.join("queries.parquet"),
        tables::queries_schema(),
        tables::queries_columns(&evaluation.queries),
    )?;
    write_table(
        &staging.join("truth/queries.parquet"),
        tables::query_truth_schema(),
        tables::query_truth_columns(&evaluation.truth),
    )?;

    counts.items = catalog.items.len() as u64;
    counts.users = users.profiles.len() as u64;
    counts.needs += evaluation.needs.len() as u64;
    counts.queries = evaluation.queries.len() as u64;
    counts.judgements = judgements;
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        generator: format!("searchrec-datasets {}", env!("CARGO_PKG_VERSION")),
        seed: g.seed,
        counts,
        scenario: g.scenario.clone(),
    };
    let text = toml::to_string(&manifest).map_err(|e| DatasetError::format(staging.join(MANIFEST), e.to_string()))?;
    fs::write(staging.join(MANIFEST), text).map_err(|e| DatasetError::io(staging.join(MANIFEST), e))?;
    Ok(manifest)
}

struct ParquetSink {
    events: TableWriter,
    needs: TableWriter,
    counts: Counts,
}

impl LogSink for ParquetSink {
    fn accept(&mut self, chunk: LogChunk) -> Result<()> {
        self.counts.events += chunk.events.len() as u64;
        self.counts.searches += chunk.queries.len() as u64;
        self.counts.needs += chunk.needs.len() as u64;
        self.events.write(tables::interactions_columns(&chunk.events, &chunk.queries, chunk.first_query))?;
        self.needs.write(tables::needs_columns(&chunk.needs))
    }
}

/// Reads a world folder's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => DatasetError::format(
            &path,
            "no world manifest: the folder is not a world, or its generation did not finish; run `searchrec generate --out DIR`",
        ),
        _ => DatasetError::io(&path, e),
    })?;
    let manifest: Manifest =
        toml::from_str(&text).map_err(|e| DatasetError::format(&path, e.to_string().trim_end().to_string()))?;
    if manifest.schema_version != SCHEMA_VERSION {
        return Err(DatasetError::format(
            &path,
            format!(
                "field `schema_version`: the world was written with schema {} but this searchrec reads {SCHEMA_VERSION}; regenerate it",
                manifest.schema_version
            ),
        ));
    }
    manifest.scenario.validate().map_err(|e| DatasetError::format(&path, e.to_string()))?;
    Ok(manifest)
}

/// Reads only the observable half (what engines may be built from).
pub fn read_observable(dir: &Path) -> Result<(Manifest, Observable)> {
    let manifest = read_manifest(dir)?;
    let taxonomy = Taxonomy::embedded()?;
    let paths: Vec<String> = taxonomy.leaves.iter().map(|l| l.path.clone()).collect();
    let bounds = checks::Bounds::of(&manifest, paths.len());
    let observable = read_observable_tables(dir, &paths, &bounds)?;
    check_count(dir, "items.parquet", observable.catalog.items.len(), manifest.counts.items)?;
    check_count(dir, "users.parquet", observable.users.len(), manifest.counts.users)?;
    check_count(dir, "interactions.parquet", observable.logs.events.len(), manifest.counts.events)?;
    check_count(dir, "queries.parquet", observable.queries.len(), manifest.counts.queries)?;
    Ok((manifest, observable))
}

fn read_observable_tables(dir: &Path, category_paths: &[String], bounds: &checks::Bounds) -> Result<Observable> {
    let p = dir.join("items.parquet");
    let items = tables::items_rows(&p, &read_table(&p, &tables::items_schema())?, bounds, category_paths)?;
    let p = dir.join("users.parquet");
    let users = tables::users_rows(&p, &read_table(&p, &tables::users_schema())?, bounds)?;
    let p = dir.join("interactions.parquet");
    let (events, queries) = tables::interactions_rows(&p, &read_table(&p, &tables::interactions_schema())?, bounds)?;
    let p = dir.join("queries.parquet");
    let eval = tables::queries_rows(&p, &read_table(&p, &tables::queries_schema())?, bounds)?;
    Ok(Observable {
        catalog: crate::Catalog { items, category_paths: category_paths.to_vec() },
        users,
        logs: Logs { events, queries },
        queries: eval,
    })
}

fn check_count(dir: &Path, name: &str, found: usize, expected: u64) -> Result<()> {
    if found as u64 != expected {
        return Err(DatasetError::format(
            dir.join(name),
            format!("has {found} rows but world.toml says {expected}; the folder mixes two worlds — regenerate it"),
        ));
    }
    Ok(())
}

/// Reads a whole world folder back.
pub fn read_world(dir: &Path) -> Result<World> {
    let (manifest, observable) = read_observable(dir)?;
    let taxonomy = Taxonomy::embedded()?;
    let dim = manifest.scenario.world.latent_dim as usize;
    let latent = LatentSpace::generate(manifest.seed, &taxonomy, dim);
    let bounds = checks::Bounds::of(&manifest, taxonomy.leaves.len());
    let p = dir.join("qrels.parquet");
    let judgements = tables::qrels_rows(&p, &read_table(&p, &tables::qrels_schema())?, &bounds)?;
    check_count(dir, "qrels.parquet", judgements.len(), manifest.counts.judgements)?;
    let p = dir.join("truth/items.parquet");
    let (items, item_vectors) = tables::item_truth_rows(
        &p,
        &read_table(&p, &tables::item_truth_schema(dim))?,
        &bounds,
        &taxonomy,
        &observable.catalog.items,
    )?;
    check_count(dir, "truth/items.parquet", items.len(), manifest.counts.items)?;
    let p = dir.join("truth/users.parquet");
    let (users, user_vectors) =
        tables::user_truth_rows(&p, &read_table(&p, &tables::user_truth_schema(dim))?, &bounds)?;
    check_count(dir, "truth/users.parquet", users.len(), manifest.counts.users)?;
    let p = dir.join("truth/needs.parquet");
    let needs = tables::needs_rows(&p, &read_table(&p, &tables::needs_schema())?, &bounds, &taxonomy)?;
    check_count(dir, "truth/needs.parquet", needs.len(), manifest.counts.needs)?;
    let p = dir.join("truth/queries.parquet");
    let queries = tables::query_truth_rows(
        &p,
        &read_table(&p, &tables::query_truth_schema())?,
        &bounds,
        &taxonomy,
        &needs,
        &observable.queries,
    )?;
    check_count(dir, "truth/queries.parquet", queries.len(), manifest.counts.queries)?;
    Ok(World {
        scenario: manifest.scenario,
        seed: manifest.seed,
        taxonomy,
        latent,
        observable,
        qrels: Qrels { judgements },
        feed_judgements: Vec::new(),
        truth: Some(Truth {
            items,
            item_vectors: Vectors { dim, data: item_vectors },
            users,
            user_vectors: Vectors { dim, data: user_vectors },
            needs,
            queries,
        }),
        origin: Origin::Generated,
    })
}
