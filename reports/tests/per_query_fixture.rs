//! A `per_query.parquet` for the fixture results, in the harness's schema,
//! with deterministic made-up values whose per-set means roughly match the
//! fixture's: for the report's per-query distribution chart.

#![allow(dead_code)]

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use searchrec_harness::results::{PER_QUERY_FILE, Results};

/// A value in [0, 1) from (engine, query), the same on every machine.
fn unit(engine: usize, query: u32, salt: u64) -> f64 {
    let mut x = (engine as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ u64::from(query).wrapping_mul(0xBF58_476D_1CE4_E5B9)
        ^ salt;
    x ^= x >> 31;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Writes `per_query.parquet` for `results` into `dir`.
pub fn write_per_query(dir: &Path, results: &Results) {
    let (mut engine, mut set, mut query, mut ndcg) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (e, run) in results.engines.iter().enumerate() {
        for q in &run.quality {
            // A share of queries finds nothing; the rest spread around a level that keeps the mean.
            let zero = 0.18 + 0.1 * (1.0 - q.mean.ndcg_at_k);
            let level = q.mean.ndcg_at_k / (1.0 - zero);
            for i in 0..q.mean.queries as u32 {
                let v = if unit(e, i, 1) < zero { 0.0 } else { (level * (0.35 + 1.3 * unit(e, i, 2))).min(1.0) };
                engine.push(run.id.clone());
                set.push(q.query_set.clone());
                query.push(i);
                ndcg.push(v);
            }
        }
    }
    let n = ndcg.len();
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
    let floats = |v: &[f64]| -> ArrayRef { Arc::new(Float64Array::from(v.to_vec())) };
    let counts = |c: u64| -> ArrayRef { Arc::new(UInt64Array::from(vec![c; n])) };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(engine)),
        Arc::new(StringArray::from(set)),
        Arc::new(UInt32Array::from(query)),
        counts(12),
        counts(4),
        counts(10),
        floats(&ndcg),
        floats(&ndcg),
        floats(&ndcg),
        floats(&ndcg),
        floats(&ndcg),
        floats(&ndcg),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let file = File::create(dir.join(PER_QUERY_FILE)).unwrap();
    let mut writer = ArrowWriter::try_new(file, schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}
