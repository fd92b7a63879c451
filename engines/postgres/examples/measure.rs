//! Build figures and single-thread latencies of the postgres engine on the
//! `small` world (seed 7), against a throwaway server or `SEARCHREC_PG_URL`:
//! `cargo run -p searchrec-postgres --example measure`.

use std::collections::HashSet;
use std::time::Instant;

use searchrec_datasets::{Scale, Scenario, UserId, generate};
use searchrec_engine::{BuildInput, EngineFactory, FeedRequest, SearchRequest};
use searchrec_interest::InterestFactory;
use searchrec_postgres::PostgresFactory;

fn main() {
    let world = generate(&Scenario::preset(Scale::Small), 7).expect("the small world generates");
    let o = &world.observable;
    let input = BuildInput { catalog: &o.catalog, users: &o.users, logs: &o.logs };
    println!("{} items, {} users", o.catalog.len(), o.users.len());
    let exact = InterestFactory.build("exact", &toml::from_str("index = \"exact\"").unwrap(), input).unwrap();
    for extra in ["", "index = \"exact\"", "[hnsw]\nef_search = 100", "query_syntax = \"any\"\nindex = \"exact\""] {
        let engine = PostgresFactory.build("pg", &toml::from_str(extra).unwrap(), input).expect("builds");
        let report = engine.report();
        println!("\n== postgres {extra:?}\nbuild {:.2} s, memory {} bytes", report.build_seconds, report.memory_bytes);
        for (k, v) in &report.diagnostics {
            println!("  {k} = {v}");
        }
        let queries: Vec<&str> = o.queries.iter().take(300).map(|q| q.text.as_str()).collect();
        let start = Instant::now();
        let mut found = 0;
        for q in &queries {
            found += engine.search(&SearchRequest::new(q, 10)).unwrap().len();
        }
        let per = start.elapsed().as_secs_f64() / queries.len() as f64;
        println!("search: {:.3} ms per query, {:.1} hits per query", per * 1e3, found as f64 / queries.len() as f64);
        let users = o.users.len().min(500) as u32;
        let (mut hit, mut total) = (0, 0);
        let start = Instant::now();
        for u in 0..users {
            let request = FeedRequest::new(UserId(u), 10);
            let mine = engine.recommend(&request).unwrap();
            let truth: HashSet<_> = exact.recommend(&request).unwrap().iter().map(|h| h.item).collect();
            hit += mine.iter().filter(|h| truth.contains(&h.item)).count();
            total += truth.len();
        }
        let per = start.elapsed().as_secs_f64() / users as f64;
        println!(
            "feed: {:.3} ms per request (incl. exact reference), recall@10 {:.4}",
            per * 1e3,
            hit as f64 / total as f64
        );
    }
}
