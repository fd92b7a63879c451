//! A `per_query.parquet` for the fixture results, in the harness's schema,
//! with deterministic made-up values whose per-set means roughly match the
//! fixture's: for the report's per-query distribution chart.

#![allow(dead_code)]

use std::path::Path;

use searchrec_datasets::QueryId;
use searchrec_harness::QueryMetrics;
use searchrec_harness::results::{self, PER_QUERY_FILE, PerQueryRow, Results};

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
    let metrics: Vec<QueryMetrics> = query
        .iter()
        .zip(&ndcg)
        .map(|(&q, &v)| QueryMetrics {
            query: QueryId(q),
            judged: 12,
            relevant: 4,
            retrieved: 10,
            ndcg_at_k: v,
            ndcg: v,
            recall_at_k: v,
            mrr_at_k: v,
            success_at_k: v,
            average_precision: v,
        })
        .collect();
    let rows: Vec<PerQueryRow<'_>> =
        metrics.iter().enumerate().map(|(i, m)| (engine[i].as_str(), set[i].as_str(), m)).collect();
    results::write_per_query(&dir.join(PER_QUERY_FILE), &rows).unwrap();
}
