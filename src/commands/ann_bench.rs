//! `searchrec ann-bench [SCENARIO] [--fvecs DIR]`: every ANN backend on one
//! seeded clustered vector set, or on a real benchmark's files (TEXMEX
//! fvecs, ann-benchmarks HDF5; `[data] format` in the scenario), printed as
//! recall@k against queries per second (one query at a time, one thread),
//! with build time and memory.

use anyhow::Result;
use searchrec_harness::ann_bench::{AnnBenchReport, AnnBenchScenario, run as bench, write_fvecs};

use crate::cli::{AnnBenchArgs, Cli};
use crate::progress::StepSpinner;

pub fn run(cli: &Cli, args: &AnnBenchArgs) -> Result<()> {
    let scenario = match &args.scenario {
        Some(path) => AnnBenchScenario::load(path)?,
        None => AnnBenchScenario { name: "clustered-default".into(), ..AnnBenchScenario::default() },
    };
    let spinner = StepSpinner::new(cli.quiet || cli.json);
    let (report, data) = bench(&scenario, rayon::current_num_threads(), &|step| spinner.step(step))?;
    spinner.finish();
    if let Some(dir) = &args.fvecs {
        let name = if scenario.name.is_empty() { "ann" } else { scenario.name.as_str() };
        for path in write_fvecs(dir, name, &data)? {
            eprintln!("wrote {}", path.display());
        }
    }
    if cli.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

fn print_table(report: &AnnBenchReport) {
    let d = &report.scenario.data;
    let i = &report.scenario.index;
    let data = match &report.source {
        None => format!("{} × {} ({} clusters, σ {}), {} queries", d.items, d.dim, d.clusters, d.sigma, d.queries),
        Some(s) => format!(
            "{} × {} {} ({} files, {} ground truth), {} queries",
            s.items,
            s.dim,
            s.metric.name(),
            s.format.name(),
            if s.file_truth { "the file's" } else { "computed (limit_base cut the base)" },
            s.queries
        ),
    };
    println!(
        "{}: {data}, k = {}; M {}, ef_construction {}; build on {} thread(s), search one query at a time on one thread",
        report.scenario.name, i.k, i.max_nb_connection, i.ef_construction, report.threads
    );
    match &report.source {
        None => println!("data and exact ground truth: {:.1} s\n", report.data_seconds),
        Some(s) => println!(
            "reading the files: {:.2} s; with the search space and ground truth: {:.2} s\n",
            s.load_seconds, report.data_seconds
        ),
    }
    println!("{:<8} {:>10} {:>12} {:>12}", "backend", "build (s)", "memory (MiB)", "reachability");
    for b in &report.builds {
        let reach = b.reachability.map_or("—".to_string(), |r| format!("{r:.4}"));
        println!(
            "{:<8} {:>10.1} {:>12.1} {:>12}",
            b.backend,
            b.build_seconds,
            b.memory_bytes as f64 / 1048576.0,
            reach
        );
    }
    println!("\n{:<8} {:>6} {:>10} {:>14} {:>10}  queries sent", "backend", "ef", "recall@k", "recall (a-b)", "QPS");
    for r in &report.rows {
        let ef = if r.backend == "exact" { "—".to_string() } else { r.ef_search.to_string() };
        let how = if r.batched { format!("one batch, {} threads", report.threads) } else { "one at a time".into() };
        println!(
            "{:<8} {:>6} {:>10.4} {:>14.4} {:>10.0}  {how}",
            r.backend, ef, r.recall, r.recall_ann_benchmarks, r.qps
        );
    }
}
