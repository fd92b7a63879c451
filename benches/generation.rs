//! World generation speed: whole tiny worlds, and the stages of a small one.

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use searchrec_datasets::io::write_world;
use searchrec_datasets::{Scale, Scenario, generate};

/// Benchmarks world generation.
pub fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    let tiny = Scenario::preset(Scale::Tiny);
    group.throughput(Throughput::Elements(tiny.world.users as u64));
    group.bench_function("tiny_in_memory", |b| b.iter(|| black_box(generate(&tiny, 1).unwrap())));

    let mut small = Scenario::preset(Scale::Small);
    small.world.users /= 4;
    small.world.items /= 4;
    group.throughput(Throughput::Elements(small.world.users as u64));
    group.bench_function("quarter_small_in_memory", |b| b.iter(|| black_box(generate(&small, 1).unwrap())));
    let dir = tempfile::tempdir().unwrap();
    group.bench_function("quarter_small_to_parquet", |b| {
        b.iter(|| black_box(write_world(&small, 1, dir.path(), &|_, _| {}).unwrap()))
    });
    group.finish();
}
