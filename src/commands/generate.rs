//! `searchrec generate`: write a world folder.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use searchrec_datasets::io::publish::{WORLD_FOLDER, check_target};
use searchrec_datasets::io::{Manifest, write_world};
use searchrec_datasets::{Scale, Scenario};
use serde::Serialize;

use crate::cli::{Cli, GenerateArgs};
use crate::progress::GenerationBars;

/// What `generate` prints.
#[derive(Serialize)]
pub struct GenerateSummary {
    /// The folder written.
    pub out: String,
    /// Seconds of wall time.
    pub seconds: f64,
    /// Peak resident memory of the process in bytes, where the OS reports it.
    pub peak_rss_bytes: Option<u64>,
    /// The manifest written.
    pub manifest: Manifest,
}

pub fn run(cli: &Cli, args: &GenerateArgs) -> Result<()> {
    let scale = match &args.scale {
        Some(name) => Some(
            Scale::parse(name).with_context(|| format!("--scale `{name}` is not one of tiny, small, medium, large"))?,
        ),
        None => None,
    };
    let scenario = Scenario::load(args.scenario.as_deref(), scale)?;
    let summary = generate(cli, &scenario, args.seed, &args.out)?;
    print_summary(cli, &summary)
}

/// Generates and writes a world with progress bars; `out` is checked first
/// (`write_world` checks it again, under its writer lock).
pub fn generate(cli: &Cli, scenario: &Scenario, seed: u64, out: &Path) -> Result<GenerateSummary> {
    check_target(out, &WORLD_FOLDER)?;
    let bars = GenerationBars::new(scenario, cli.quiet);
    let started = Instant::now();
    let manifest = write_world(scenario, seed, out, &|stage, n| bars.advance(stage, n))?;
    Ok(GenerateSummary {
        out: out.display().to_string(),
        seconds: started.elapsed().as_secs_f64(),
        peak_rss_bytes: peak_rss_bytes(),
        manifest,
    })
}

fn print_summary(cli: &Cli, s: &GenerateSummary) -> Result<()> {
    if cli.json {
        println!("{}", serde_json::to_string_pretty(s)?);
        return Ok(());
    }
    let c = &s.manifest.counts;
    println!(
        "wrote {} ({} world, seed {}) in {:.1} s",
        s.out,
        s.manifest.scenario.scale.as_str(),
        s.manifest.seed,
        s.seconds
    );
    println!(
        "  {} items, {} users, {} events ({} searches), {} needs, {} queries, {} judgements",
        c.items, c.users, c.events, c.searches, c.needs, c.queries, c.judgements
    );
    if let Some(rss) = s.peak_rss_bytes {
        println!("  peak resident memory {:.0} MiB", rss as f64 / (1024.0 * 1024.0));
    }
    Ok(())
}

/// VmHWM from /proc (Linux); `None` elsewhere.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
