//! `per_query.parquet`: every query's metrics for every engine run and query
//! set, so a reader can go past the means (DuckDB, Polars, the report).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt32Type, UInt64Type};
use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use searchrec_datasets::QueryId;

use crate::decoder_panic::guarded;
use crate::metrics::QueryMetrics;
use crate::{HarnessError, Result};

/// One row: (engine run id, query set, the query's metrics).
pub type PerQueryRow<'a> = (&'a str, &'a str, &'a QueryMetrics);

/// The table's columns, in order.
fn schema() -> Schema {
    Schema::new(vec![
        Field::new("engine", DataType::Utf8, false),
        Field::new("query_set", DataType::Utf8, false),
        Field::new("query", DataType::UInt32, false),
        Field::new("judged", DataType::UInt64, false),
        Field::new("relevant", DataType::UInt64, false),
        Field::new("retrieved", DataType::UInt64, false),
        Field::new("ndcg_at_k", DataType::Float64, false),
        Field::new("ndcg", DataType::Float64, false),
        Field::new("recall_at_k", DataType::Float64, false),
        Field::new("mrr_at_k", DataType::Float64, false),
        Field::new("success_at_k", DataType::Float64, false),
        Field::new("average_precision", DataType::Float64, false),
    ])
}

/// Writes the table to `path`. `searchrec run` writes into a staging folder,
/// so no reader sees the file half-written.
pub fn write_per_query(path: &Path, rows: &[PerQueryRow<'_>]) -> Result<()> {
    let format = |message: String| HarnessError::Invalid { what: path.display().to_string(), message };
    let schema = Arc::new(schema());
    let f64s = |f: fn(&QueryMetrics) -> f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| f(r.2))))
    };
    let u64s = |f: fn(&QueryMetrics) -> usize| -> ArrayRef {
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| f(r.2) as u64)))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.2.query.0))),
        u64s(|q| q.judged),
        u64s(|q| q.relevant),
        u64s(|q| q.retrieved),
        f64s(|q| q.ndcg_at_k),
        f64s(|q| q.ndcg),
        f64s(|q| q.recall_at_k),
        f64s(|q| q.mrr_at_k),
        f64s(|q| q.success_at_k),
        f64s(|q| q.average_precision),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| format(e.to_string()))?;
    let file = File::create(path).map_err(|source| HarnessError::Io { path: path.into(), source })?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("searchrec-harness {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut writer = ArrowWriter::try_new(file, schema, Some(props)).map_err(|e| format(e.to_string()))?;
    writer.write(&batch).map_err(|e| format(e.to_string()))?;
    writer.close().map_err(|e| format(e.to_string()))?;
    Ok(())
}

/// Per (engine run, query set), in file order, the rows of one run folder's
/// table: what `merge` gathers from shards. The file must have exactly the
/// schema [`write_per_query`] writes.
pub fn read_per_query(path: &Path) -> Result<Vec<(String, String, Vec<QueryMetrics>)>> {
    guarded(path, || read_rows(path))
}

fn read_rows(path: &Path) -> Result<Vec<(String, String, Vec<QueryMetrics>)>> {
    let format = |message: String| HarnessError::Invalid { what: path.display().to_string(), message };
    let file = File::open(path).map_err(|source| HarnessError::Io { path: path.into(), source })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(|e| format(format!("not a readable Parquet file ({e}); the folder may be truncated")))?;
    let expected = schema();
    let mut out: Vec<(String, String, Vec<QueryMetrics>)> = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| format(format!("unreadable rows ({e}); the file may be truncated")))?;
        if batch.schema().fields() != expected.fields() {
            return Err(format("not the per-query table searchrec writes (its columns differ)".into()));
        }
        let c = |i: usize| batch.column(i);
        let (engine, set) = (c(0).as_string::<i32>(), c(1).as_string::<i32>());
        let query = c(2).as_primitive::<UInt32Type>();
        let u = |i: usize| c(i).as_primitive::<UInt64Type>();
        let f = |i: usize| c(i).as_primitive::<Float64Type>();
        for r in 0..batch.num_rows() {
            let metrics = QueryMetrics {
                query: QueryId(query.value(r)),
                judged: u(3).value(r) as usize,
                relevant: u(4).value(r) as usize,
                retrieved: u(5).value(r) as usize,
                ndcg_at_k: f(6).value(r),
                ndcg: f(7).value(r),
                recall_at_k: f(8).value(r),
                mrr_at_k: f(9).value(r),
                success_at_k: f(10).value(r),
                average_precision: f(11).value(r),
            };
            match out.last_mut() {
                Some((e, s, rows)) if e == engine.value(r) && s == set.value(r) => rows.push(metrics),
                _ => out.push((engine.value(r).to_string(), set.value(r).to_string(), vec![metrics])),
            }
        }
    }
    Ok(out)
}
