//! `per_query.parquet`: every query's metrics for every engine run and query
//! set, so a reader can go past the means (DuckDB, Polars, the report).

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::metrics::QueryMetrics;
use crate::{HarnessError, Result};

/// One row: (engine run id, query set, the query's metrics).
pub type PerQueryRow<'a> = (&'a str, &'a str, &'a QueryMetrics);

/// Writes the table to `path`. `searchrec run` writes into a staging folder,
/// so no reader sees the file half-written.
pub fn write_per_query(path: &Path, rows: &[PerQueryRow<'_>]) -> Result<()> {
    let format = |message: String| HarnessError::Invalid { what: path.display().to_string(), message };
    let schema = Arc::new(Schema::new(vec![
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
    ]));
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
