//! One module per subcommand.

mod ann_bench;
mod compare;
mod demo;
mod engines;
mod generate;
mod merge;
mod report;
mod run;
mod simulate;

use anyhow::Result;

use crate::cli::{Cli, Command};

/// Runs the chosen subcommand.
pub fn run(cli: &Cli) -> Result<()> {
    match &cli.command {
        Command::Demo { out } => demo::run(cli, out),
        Command::Generate(args) => generate::run(cli, args),
        Command::Engines => engines::run(cli),
        Command::Run { scenario, out, sim_seed, shard } => run::run(cli, scenario, out, *sim_seed, *shard),
        Command::Merge { shards, out } => merge::run(cli, shards, out),
        Command::Simulate { scenario, out, seed, shard } => simulate::run(cli, scenario, out, *seed, *shard),
        Command::Report { run } => report::run(cli, run),
        Command::Compare(args) => compare::run(cli, args),
        Command::AnnBench(args) => ann_bench::run(cli, args),
    }
}
