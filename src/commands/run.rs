//! `searchrec run SCENARIO`: build and measure every engine of a scenario and
//! write the run folder (results, per-query table, TREC runs, report).

use std::path::Path;

use anyhow::{Context, Result, bail};
use searchrec::registry;
use searchrec_harness::HarnessError;
use searchrec_harness::results::{LoadMode, Results};
use searchrec_harness::run::merge::SCENARIO_FILE;
use searchrec_harness::run::shard::{Shard, ShardRequest, record};
use searchrec_harness::run::{RunContext, check_engines, execute, folder, load_world};
use searchrec_harness::scenario::RunScenario;

use crate::cli::Cli;
use crate::progress::StepSpinner;

pub fn run(cli: &Cli, scenario: &Path, out: &Path, sim_seed: Option<u64>, shard: Option<Shard>) -> Result<()> {
    let file = scenario.display().to_string();
    let mut scenario = RunScenario::load(scenario)?;
    if let Some(seed) = sim_seed {
        let Some(simulation) = &mut scenario.simulation else {
            bail!("{file}: --sim-seed {seed} given, but the scenario has no [simulation] section to seed")
        };
        simulation.seed = Some(seed);
    }
    let request = shard.map(|shard| ShardRequest { shard, sim_seed, simulation_only: false });
    let results = run_scenario(cli, &scenario, out, request)?;
    print_summary(cli, &results, out)
}

/// Runs a loaded scenario into `out` (with `shard`, one shard of it, into a
/// shard folder); every check that needs no world runs before the world is
/// generated, and nothing is written unless the whole run succeeds.
pub fn run_scenario(cli: &Cli, scenario: &RunScenario, out: &Path, shard: Option<ShardRequest>) -> Result<Results> {
    let registry = registry();
    let planned = check_engines(scenario, &registry)?;
    folder::check_out(out)?;
    let spinner = StepSpinner::new(cli.quiet);
    spinner.step("preparing the world");
    let (world, world_info) = load_world(scenario)?;
    let progress = |step: &str| spinner.step(step);
    let context = RunContext {
        registry: &registry,
        tool_version: env!("CARGO_PKG_VERSION"),
        threads: rayon::current_num_threads(),
        progress: &progress,
        shard: shard.map(|r| r.shard),
    };
    let mut output = execute(scenario, &planned, &world, world_info, &context)?;
    if let Some(request) = shard {
        output.results.shard = Some(record(request, scenario, &planned, &world, &output));
    }
    spinner.step("writing the run folder");
    folder::publish(out, |dir| {
        output.write_into(dir)?;
        if shard.is_some() {
            // A shard carries its scenario: `merge` re-plans from it.
            let copy = dir.join(SCENARIO_FILE);
            std::fs::write(&copy, &scenario.text).map_err(|source| HarnessError::Io { path: copy, source })?;
        }
        // The report and the exporters read only the results: render them
        // into the staging folder so they appear with the run or not at all.
        let html =
            |e: searchrec_reports::ReportError| HarnessError::Invalid { what: "report".into(), message: e.to_string() };
        searchrec_reports::write_exports(&output.results, dir).map_err(html)?;
        searchrec_reports::render_report(&output.results, dir).map_err(html)?;
        Ok(())
    })
    .with_context(|| format!("writing {}", out.display()))?;
    spinner.finish();
    Ok(output.results)
}

/// Prints what a run measured: JSON with `--json`, else a line per engine run.
pub fn print_summary(cli: &Cli, results: &Results, out: &Path) -> Result<()> {
    if cli.json {
        println!("{}", serde_json::to_string_pretty(results)?);
        return Ok(());
    }
    let w = &results.world;
    println!(
        "{}: {} engine runs on {} ({} items, {} queries) in {:.1} s",
        results.run.scenario,
        results.engines.len(),
        w.dataset,
        w.items,
        w.queries,
        results.run.seconds
    );
    let k = results.evaluation.k;
    for e in &results.engines {
        let mut parts = vec![format!("built {:.2} s", e.build.seconds)];
        if let Some(q) = e.quality.iter().find(|q| q.query_set == "all") {
            parts.push(format!("nDCG@{k} {:.4}", q.mean.ndcg_at_k));
            parts.push(format!("recall@{k} {:.4}", q.mean.recall_at_k));
        }
        if let Some(a) = &e.ann {
            parts.push(format!("feed recall@{} {:.4}", a.k, a.ann_benchmarks));
        }
        for row in &e.load {
            match &row.mode {
                LoadMode::Closed(s) => parts.push(format!(
                    "{} {:.0}/s p99 {:.1} µs @{}t",
                    row.request, s.throughput, s.latency.p99_us, s.threads
                )),
                // p99 of whole batch calls, not of requests.
                LoadMode::Batch(b) => parts.push(format!(
                    "{} batch of {} {:.0}/s batch p99 {:.1} µs @{}t",
                    row.request, b.batch, b.load.throughput, b.load.latency.p99_us, b.load.threads
                )),
                LoadMode::Open(_) => {}
            }
        }
        println!("  {:<40} {}", e.id, parts.join(", "));
    }
    if let Some(simulation) = &results.simulation {
        crate::commands::simulate::print_simulation(simulation);
    }
    println!("results in {}", out.join(searchrec_harness::results::RESULTS_FILE).display());
    println!("report  in {}", out.join(searchrec_reports::REPORT_FILE).display());
    Ok(())
}
