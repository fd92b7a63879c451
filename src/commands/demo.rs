//! `searchrec demo`: the first command a newcomer runs. It generates the small
//! world, builds every registered engine on its observable half, and shows
//! what each engine answers for a few of the world's own queries and users.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use searchrec_datasets::io::read_observable;
use searchrec_datasets::{Scale, Scenario, UserId};
use searchrec_engine::{BuildInput, EngineSpec, FeedRequest, SearchRequest};
use serde::Serialize;

use crate::cli::Cli;
use crate::commands::generate::{GenerateSummary, generate};
use searchrec::registry;

/// Seed of the demo world.
const SEED: u64 = 7;

#[derive(Serialize)]
struct EngineSummary {
    name: String,
    kind: String,
    build_seconds: f64,
    memory_bytes: u64,
    diagnostics: std::collections::BTreeMap<String, f64>,
    /// (query, top titles) for a few evaluation queries, when the engine searches.
    search_examples: Vec<(String, Vec<String>)>,
    /// (user, top titles) for a few users, when the engine recommends.
    feed_examples: Vec<(u32, Vec<String>)>,
}

#[derive(Serialize)]
struct DemoSummary {
    world: GenerateSummary,
    engines: Vec<EngineSummary>,
    seconds: f64,
}

pub fn run(cli: &Cli, out: &Path) -> Result<()> {
    let started = Instant::now();
    let scenario = Scenario::preset(Scale::Small);
    let world = generate(cli, &scenario, SEED, out)?;
    let (_, observable) = read_observable(out).context("reading the demo world back")?;
    let input = BuildInput { catalog: &observable.catalog, users: &observable.users, logs: &observable.logs };
    let registry = registry();
    let mut engines = Vec::new();
    for (kind, _) in registry.kinds() {
        let spec = EngineSpec { name: kind.to_string(), kind: kind.to_string(), params: Default::default() };
        if !cli.quiet {
            eprintln!("building {kind} …");
        }
        let engine = registry.build(&spec, input)?;
        let report = engine.report();
        let caps = engine.capabilities();
        let titles = |hits: Vec<searchrec_engine::Hit>| -> Vec<String> {
            hits.iter().map(|h| observable.catalog.item(h.item).title.clone()).collect()
        };
        let mut summary = EngineSummary {
            name: engine.name().to_string(),
            kind: kind.to_string(),
            build_seconds: report.build_seconds,
            memory_bytes: report.memory_bytes,
            diagnostics: report.diagnostics,
            search_examples: Vec::new(),
            feed_examples: Vec::new(),
        };
        if caps.search {
            for q in observable.queries.iter().take(3) {
                let hits = engine.search(&SearchRequest::new(&q.text, 3))?;
                summary.search_examples.push((q.text.clone(), titles(hits)));
            }
        }
        if caps.recommend {
            for u in observable.queries.iter().take(2).map(|q| q.user) {
                let hits = engine.recommend(&FeedRequest::new(UserId(u.0), 3))?;
                summary.feed_examples.push((u.0, titles(hits)));
            }
        }
        engines.push(summary);
    }
    let demo = DemoSummary { world, engines, seconds: started.elapsed().as_secs_f64() };
    if cli.json {
        println!("{}", serde_json::to_string_pretty(&demo)?);
    } else {
        print_text(&demo);
    }
    Ok(())
}

fn print_text(d: &DemoSummary) {
    let c = &d.world.manifest.counts;
    println!(
        "world: {} ({} items, {} users, {} events, {} queries) in {:.1} s",
        d.world.out, c.items, c.users, c.events, c.queries, d.world.seconds
    );
    for e in &d.engines {
        let diagnostics: Vec<String> = e.diagnostics.iter().map(|(k, v)| format!("{k} {v:.4}")).collect();
        println!(
            "\n{} ({}): built in {:.2} s, {:.1} MiB{}",
            e.name,
            e.kind,
            e.build_seconds,
            e.memory_bytes as f64 / (1024.0 * 1024.0),
            if diagnostics.is_empty() { String::new() } else { format!(", {}", diagnostics.join(", ")) }
        );
        for (q, titles) in &e.search_examples {
            println!("  search {q:?} → {}", titles.join(" | "));
        }
        for (u, titles) in &e.feed_examples {
            println!("  feed for user {u} → {}", titles.join(" | "));
        }
    }
    println!("\ndemo finished in {:.1} s; the world is in {}", d.seconds, d.world.out);
}
