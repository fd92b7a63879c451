//! `searchrec merge SHARD_DIR... --out RUN_DIR`: a sharded run's folders
//! put back together (`harness::run::merge`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use searchrec::registry;
use searchrec_harness::HarnessError;
use searchrec_harness::run::folder;
use searchrec_harness::run::merge::merge;

use crate::cli::Cli;
use crate::commands::run::print_summary;

pub fn run(cli: &Cli, shards: &[PathBuf], out: &Path) -> Result<()> {
    let started = Instant::now();
    folder::check_out(out)?;
    let merged = merge(shards, &registry())?;
    folder::publish(out, |dir| {
        merged.write_into(dir)?;
        let html =
            |e: searchrec_reports::ReportError| HarnessError::Invalid { what: "report".into(), message: e.to_string() };
        searchrec_reports::write_exports(&merged.results, dir).map_err(html)?;
        searchrec_reports::render_report(&merged.results, dir).map_err(html)?;
        Ok(())
    })
    .with_context(|| format!("writing {}", out.display()))?;
    if !cli.quiet && !cli.json {
        eprintln!("merged {} shards in {:.2} s", merged.results.shards.len(), started.elapsed().as_secs_f64());
    }
    print_summary(cli, &merged.results, out)
}
