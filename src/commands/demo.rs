//! `searchrec demo`: the first command a newcomer runs. It runs the embedded
//! demo scenario (`scenarios/demo.toml`): generates the small world, builds
//! and measures every engine family, simulates, and writes the run folder
//! with its report.

use std::path::Path;

use anyhow::Result;
use searchrec_harness::scenario::RunScenario;

use crate::cli::Cli;
use crate::commands::run::{print_summary, run_scenario};

/// The demo scenario, compiled in so that `demo` needs no file.
const DEMO: &str = include_str!("../../scenarios/demo.toml");

pub fn run(cli: &Cli, out: &Path) -> Result<()> {
    let scenario = RunScenario::from_toml(DEMO, Path::new("scenarios/demo.toml"))?;
    let results = run_scenario(cli, &scenario, out, None)?;
    print_summary(cli, &results, out)
}
