//! `search` and `recommend` of every engine on the small world, one request
//! per iteration, cycling through the world's evaluation queries and users.

use std::hint::black_box;

use criterion::Criterion;
use searchrec_datasets::{Scale, Scenario, UserId, generate};
use searchrec_engine::{BuildInput, Engine, EngineSpec, FeedRequest, SearchRequest};

/// Recall@10 of `ann` against `exact` over every 10th user, so the timing of
/// the interest engine is read together with the recall it was timed at.
fn recall_at_10(ann: &dyn Engine, exact: &dyn Engine, users: u32) -> f64 {
    let (mut found, mut total) = (0, 0);
    for u in (0..users).step_by(10) {
        let r = FeedRequest::new(UserId(u), 10);
        let truth: Vec<_> = exact.recommend(&r).unwrap().iter().map(|h| h.item).collect();
        found += ann.recommend(&r).unwrap().iter().filter(|h| truth.contains(&h.item)).count();
        total += truth.len();
    }
    found as f64 / total as f64
}

/// Benchmarks every engine's `search` and `recommend`.
pub fn bench(c: &mut Criterion) {
    let world = generate(&Scenario::preset(Scale::Small), 7).unwrap();
    let o = &world.observable;
    let input = BuildInput { catalog: &o.catalog, users: &o.users, logs: &o.logs };
    let registry = searchrec::registry();
    let engines: Vec<Box<dyn Engine>> = registry
        .kinds()
        .map(|(kind, _)| {
            let spec = EngineSpec { name: kind.to_string(), kind: kind.to_string(), params: toml::Table::new() };
            registry.build(&spec, input).unwrap()
        })
        .collect();
    let engine = |kind: &str| engines.iter().find(|e| e.name() == kind).expect("registered kind").as_ref();
    let recall = recall_at_10(engine("interest"), engine("exact"), o.users.len() as u32);
    eprintln!("interest engine timed at recall@10 = {recall:.4} against exact (default parameters)");

    let mut group = c.benchmark_group("engine");
    for engine in &engines {
        let caps = engine.capabilities();
        if caps.search {
            let mut q = o.queries.iter().cycle();
            group.bench_function(format!("{}/search_k10", engine.name()), |b| {
                b.iter(|| black_box(engine.search(&SearchRequest::new(&q.next().unwrap().text, 10)).unwrap()))
            });
        }
        if caps.recommend {
            let mut u = (0..o.users.len() as u32).cycle();
            group.bench_function(format!("{}/recommend_k10", engine.name()), |b| {
                b.iter(|| black_box(engine.recommend(&FeedRequest::new(UserId(u.next().unwrap()), 10)).unwrap()))
            });
        }
    }
    group.finish();
}
