//! Criterion benchmarks of searchrec's hot paths. Run with `cargo bench`;
//! `cargo test --benches` only checks that they still run.

use criterion::{Criterion, criterion_group, criterion_main};

mod ann;
mod engines;
mod generation;
mod metrics;
mod real;
mod simulate;

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = generation::bench, engines::bench, ann::bench, metrics::bench, real::bench, simulate::bench
}
criterion_main!(benches);
