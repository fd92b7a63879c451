//! scratch: relevance of shelf configurations on a generated world.
use searchrec_datasets::*;
use searchrec_engine::*;
use searchrec_shelf::*;

fn ndcg(world: &World, engine: &dyn Engine, k: usize) -> (f64, f64) {
    let gains = &world.scenario.judgements.gains;
    let mut total = 0.0;
    let mut recall = 0.0;
    let mut n = 0.0;
    for q in &world.observable.queries {
        let judged = world.qrels.of(q.id);
        if judged.is_empty() { continue; }
        let gain = |item: ItemId| judged.iter().find(|j| j.item == item).map(|j| j.grade.gain(gains)).unwrap_or(0.0);
        let hits = engine.search(&SearchRequest::new(&q.text, k)).unwrap();
        let dcg: f64 = hits.iter().enumerate().map(|(r, h)| gain(h.item) / ((r + 2) as f64).log2()).sum();
        let mut ideal: Vec<f64> = judged.iter().map(|j| j.grade.gain(gains)).collect();
        ideal.sort_by(|a, b| b.total_cmp(a));
        let idcg: f64 = ideal.iter().take(k).enumerate().map(|(r, g)| g / ((r + 2) as f64).log2()).sum();
        let exact: Vec<_> = judged.iter().filter(|j| j.grade == Grade::Exact).collect();
        if !exact.is_empty() {
            let found = hits.iter().filter(|h| exact.iter().any(|j| j.item == h.item)).count();
            recall += found as f64 / exact.len().min(k) as f64;
        }
        if idcg > 0.0 { total += dcg / idcg; n += 1.0; }
    }
    (total / n, recall / n)
}

fn main() {
    let scale = std::env::args().nth(1).map(|s| Scale::parse(&s).unwrap()).unwrap_or(Scale::Small);
    for seed in [12u64, 13, 14] { println!("seed {seed}"); let world = generate(&Scenario::preset(scale), seed).unwrap();
    let input = BuildInput { catalog: &world.observable.catalog, users: &world.observable.users, logs: &world.observable.logs };
    let base = ShelfConfig::default();
    let configs: Vec<(&str, ShelfConfig)> = vec![
        ("default", base.clone()),
        ("cat 1 brand 1", ShelfConfig { category_boost: 1.0, ..base.clone() }),
        ("cat 1 brand 0.5", ShelfConfig { category_boost: 1.0, brand_boost: 0.5, ..base.clone() }),
        ("cat 0.75", ShelfConfig { category_boost: 0.75, ..base.clone() }),
        ("pure bm25 stem", ShelfConfig { sales_weight: 0.0, rating_weight: 0.0, ..base.clone() }),
        ("nostem", ShelfConfig { stemming: false, ..base.clone() }),
    ];
    let _unused: Vec<(&str, ShelfConfig)> = vec![
        ("pure bm25 stem", ShelfConfig { sales_weight: 0.0, rating_weight: 0.0, ..base.clone() }),
        ("pure bm25 nostem", ShelfConfig { sales_weight: 0.0, rating_weight: 0.0, stemming: false, ..base.clone() }),
        ("nostem", ShelfConfig { stemming: false, ..base.clone() }),
        ("cat 0", ShelfConfig { category_boost: 0.0, ..base.clone() }),
        ("cat 0.25", ShelfConfig { category_boost: 0.25, ..base.clone() }),
        ("cat 1", ShelfConfig { category_boost: 1.0, ..base.clone() }),
        ("cat 2", ShelfConfig { category_boost: 2.0, ..base.clone() }),
        ("brand 0", ShelfConfig { brand_boost: 0.0, ..base.clone() }),
        ("brand 0.5", ShelfConfig { brand_boost: 0.5, ..base.clone() }),
        ("brand 2", ShelfConfig { brand_boost: 2.0, ..base.clone() }),
        ("title 2", ShelfConfig { title_boost: 2.0, ..base.clone() }),
        ("w 0.05", ShelfConfig { sales_weight: 0.05, rating_weight: 0.05, ..base.clone() }),
        ("w 0.2", ShelfConfig { sales_weight: 0.2, rating_weight: 0.2, ..base.clone() }),
        ("w 0.5", ShelfConfig { sales_weight: 0.5, rating_weight: 0.5, ..base.clone() }),
        ("w 1", ShelfConfig { sales_weight: 1.0, rating_weight: 1.0, ..base.clone() }),
        ("ws 0.3 wr 0", ShelfConfig { sales_weight: 0.3, rating_weight: 0.0, ..base.clone() }),
        ("ws 0 wr 0.3", ShelfConfig { sales_weight: 0.0, rating_weight: 0.3, ..base.clone() }),
    ];
    for (label, config) in configs {
        let t = std::time::Instant::now();
        let engine = ShelfEngine::build("m", &config, input).unwrap();
        let build = t.elapsed();
        let t = std::time::Instant::now();
        let (n10, r10) = ndcg(&world, &engine, 10);
        let (n100, r100) = ndcg(&world, &engine, 100);
        println!("{label:20} nDCG@10 {n10:.4} R@10 {r10:.4} nDCG@100 {n100:.4} R@100 {r100:.4}  build {build:?} eval {:?} mem {}", t.elapsed(), engine.report().memory_bytes);
    }
}
}
