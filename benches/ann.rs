//! Every ANN backend on a seeded clustered set (the recipe of
//! `scenarios/ann/clustered-200k.toml`, scaled to 50,000 × 64 so a criterion run stays
//! short): one search per iteration at the ef_search that gives each graph
//! backend recall@10 ≥ 0.95, and the batched exact scan. The recall each
//! backend is timed at is printed beside it. The full recipe, with the
//! recall–QPS curve in ann-benchmarks' terms, is `searchrec ann-bench
//! scenarios/ann/clustered-200k.toml`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::Criterion;
use searchrec_harness::ann_bench::{AnnBenchScenario, DataSpec, data};
use searchrec_vectors::{AnnBackend, AnnIndex, HnswConfig, build_index};

/// The smallest ef among these that reaches recall@10 ≥ 0.95.
const EFS: [usize; 6] = [10, 16, 24, 32, 48, 64];

fn recall_at_10(index: &dyn AnnIndex, queries: &[&[f32]], truth: &[Vec<searchrec_engine::Hit>], ef: usize) -> f64 {
    let mut found = 0;
    for (q, truth) in queries.iter().zip(truth) {
        let hits = index.search(q, 10, ef).unwrap();
        found += hits.iter().filter(|h| truth.iter().any(|t| t.item == h.item)).count();
    }
    found as f64 / (10 * queries.len()) as f64
}

/// Benchmarks one search per backend, and a batch of exact searches.
pub fn bench(c: &mut Criterion) {
    let scenario = AnnBenchScenario {
        name: "bench".into(),
        data: DataSpec { items: 50_000, queries: 500, clusters: 100, ..DataSpec::default() },
        ..AnnBenchScenario::default()
    };
    let data = data(&scenario).unwrap();
    let queries: Vec<&[f32]> = data.queries.rows().collect();
    let config = HnswConfig { ef_construction: 200, ..HnswConfig::default() };
    let mut group = c.benchmark_group("ann");
    for backend in [AnnBackend::Graph, AnnBackend::HnswRs, AnnBackend::Exact] {
        let index = build_index(backend, Arc::clone(&data.base), &config).unwrap();
        let ef = EFS
            .into_iter()
            .find(|&ef| recall_at_10(index.as_ref(), &queries, &data.truth, ef) >= 0.95)
            .unwrap_or(EFS[EFS.len() - 1]);
        let recall = recall_at_10(index.as_ref(), &queries, &data.truth, ef);
        if backend.is_approximate() {
            eprintln!("{} timed at ef {ef}: recall@10 = {recall:.4}", backend.name());
        }
        let mut q = queries.iter().cycle();
        group.bench_function(format!("{}/50k_x64_search_k10", backend.name()), |b| {
            b.iter(|| black_box(index.search(q.next().unwrap(), 10, ef).unwrap()))
        });
        if backend == AnnBackend::Exact {
            group.bench_function("exact/50k_x64_batch_of_500_k10", |b| {
                b.iter(|| black_box(index.search_batch(&data.queries, 10, 0).unwrap()))
            });
        }
    }
    group.finish();
}
