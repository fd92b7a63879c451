//! The per-query nDCG@k of every engine run on one query set, read from the
//! run folder's `per_query.parquet`, for the distribution chart. Means hide
//! whether an engine is mediocre everywhere or great on some queries and
//! blind on others; the distribution shows which.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

use arrow_array::{Array, Float64Array, RecordBatch, StringArray, UInt64Array};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use searchrec_harness::results::{PER_QUERY_FILE, Results};

const COLUMNS: [&str; 5] = ["engine", "query_set", "judged", "retrieved", "ndcg_at_k"];

/// What the report knows about the per-query table.
#[derive(Debug, PartialEq)]
pub(crate) enum PerQuery {
    /// Not looked for: the page is rendered from the results alone.
    NotLooked,
    /// No `per_query.parquet` beside the results.
    Missing,
    /// The file is there but could not be read (the message says why).
    Unreadable(String),
    /// Read; `None` when no row belongs to the query set shown.
    Read(Option<Distribution>),
}

impl PerQuery {
    /// Looks for `per_query.parquet` in the run folder `dir`.
    pub(crate) fn load(dir: &Path, results: &Results) -> PerQuery {
        let path = dir.join(PER_QUERY_FILE);
        if !path.is_file() {
            return PerQuery::Missing;
        }
        match read_distribution(&path, results) {
            Ok(d) => PerQuery::Read(d),
            Err(e) => PerQuery::Unreadable(format!("{}: {e}", path.display())),
        }
    }
}

/// Per-query nDCG@k by engine run, for one query set.
#[derive(Debug, PartialEq)]
pub(crate) struct Distribution {
    /// The query set shown (the scenario's first).
    pub query_set: String,
    /// (engine run id, its values sorted ascending), in the results' engine order.
    pub engines: Vec<(String, Vec<f64>)>,
}

/// Reads the distribution from `path`. `Ok(None)` when the table holds no
/// row of the query set; `Err` with a reader-facing message when the file is
/// unreadable or lacks a column.
pub(crate) fn read_distribution(path: &Path, results: &Results) -> Result<Option<Distribution>, String> {
    let Some(query_set) = results
        .evaluation
        .query_sets
        .first()
        .map(|s| s.name.clone())
        .or_else(|| results.engines.iter().flat_map(|e| &e.quality).map(|q| q.query_set.clone()).next())
    else {
        return Ok(None);
    };
    let policy = results.evaluation.policy.as_str();
    let file = File::open(path).map_err(|e| e.to_string())?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| e.to_string())?;
    let mask = ProjectionMask::columns(builder.parquet_schema(), COLUMNS);
    let reader = builder.with_projection(mask).build().map_err(|e| e.to_string())?;

    let mut by_engine: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for batch in reader {
        let batch = batch.map_err(|e| e.to_string())?;
        let engine = column::<StringArray>(&batch, "engine", "utf8")?;
        let set = column::<StringArray>(&batch, "query_set", "utf8")?;
        let judged = column::<UInt64Array>(&batch, "judged", "uint64")?;
        let retrieved = column::<UInt64Array>(&batch, "retrieved", "uint64")?;
        let ndcg = column::<Float64Array>(&batch, "ndcg_at_k", "float64")?;
        for i in 0..batch.num_rows() {
            if set.is_null(i) || set.value(i) != query_set || engine.is_null(i) || ndcg.is_null(i) {
                continue;
            }
            // The same queries as the means in the quality table.
            let counted = match policy {
                "all" => true,
                "judged_and_retrieved" => judged.value(i) > 0 && retrieved.value(i) > 0,
                _ => judged.value(i) > 0,
            };
            if counted && ndcg.value(i).is_finite() {
                by_engine.entry(engine.value(i).to_string()).or_default().push(ndcg.value(i));
            }
        }
    }
    if by_engine.is_empty() {
        return Ok(None);
    }
    let mut engines = Vec::with_capacity(by_engine.len());
    for e in &results.engines {
        if let Some(values) = by_engine.remove(&e.id) {
            engines.push((e.id.clone(), values));
        }
    }
    engines.extend(by_engine);
    for (_, values) in &mut engines {
        values.sort_by(f64::total_cmp);
    }
    Ok(Some(Distribution { query_set, engines }))
}

fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str, kind: &str) -> Result<&'a T, String> {
    batch
        .column_by_name(name)
        .ok_or_else(|| format!("no `{name}` column"))?
        .as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| format!("column `{name}` is not {kind}"))
}
