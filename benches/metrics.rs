//! Scoring speed of the retrieval metrics: 100k queries × 100 hits, the
//! scale the evaluation issue sets a budget for (well under a second on 2 cores).

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use searchrec_datasets::{Grade, ItemId, Judgement, Qrels, QueryId};
use searchrec_engine::Hit;
use searchrec_harness::{MetricSettings, QueryPolicy, evaluate};

const QUERIES: u32 = 100_000;
const HITS: u32 = 100;
const JUDGED: u32 = 40;

/// Benchmarks `evaluate` over a synthetic run where half of each query's
/// judged items are retrieved, at scattered ranks.
pub fn bench(c: &mut Criterion) {
    let mut judgements = Vec::with_capacity((QUERIES * JUDGED) as usize);
    for q in 0..QUERIES {
        for j in 0..JUDGED {
            let grade = [Grade::Exact, Grade::Substitute, Grade::Complement][(j % 3) as usize];
            judgements.push(Judgement { query: QueryId(q), item: ItemId(j * 7), grade });
        }
    }
    let qrels = Qrels { judgements };
    let run: Vec<(QueryId, Vec<Hit>)> = (0..QUERIES)
        .map(|q| {
            let hits = (0..HITS)
                .map(|r| Hit { item: ItemId((r * 13 + q) % 1_000 * 7 / 5), score: (HITS - r) as f32 })
                .collect::<Vec<_>>();
            let mut seen = std::collections::HashSet::new();
            (QueryId(q), hits.into_iter().filter(|h| seen.insert(h.item)).collect())
        })
        .collect();
    let settings = MetricSettings::default();
    let mut group = c.benchmark_group("metrics");
    group.throughput(Throughput::Elements(QUERIES as u64));
    group.bench_function("evaluate_100k_queries_x_100_hits", |b| {
        b.iter(|| black_box(evaluate(&qrels, &run, &settings, QueryPolicy::Judged).unwrap()))
    });
    group.finish();
}
