//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Benchmark and evaluation harness for e-commerce search and recommendation.
#[derive(Debug, Parser)]
#[command(name = "searchrec", version, about)]
pub struct Cli {
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// No progress bars; only results and errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Print the summary as JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a small world, build every engine on it and summarise both.
    Demo {
        /// Where to write the world.
        #[arg(long, default_value = "runs/demo")]
        out: PathBuf,
    },
    /// Generate a synthetic world and write it as Parquet (plus TREC qrels).
    Generate(GenerateArgs),
    /// List the registered engine kinds.
    Engines,
    /// Build and measure every engine of a run scenario; write the run folder.
    Run {
        /// The run scenario (TOML), e.g. scenarios/ci.toml.
        scenario: PathBuf,
        /// The run folder to write (replaced when it holds an earlier run).
        #[arg(long, default_value = "runs/latest")]
        out: PathBuf,
    },
}

/// Arguments of `generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Size preset: tiny, small, medium or large (overrides the scenario's `scale`).
    #[arg(long)]
    pub scale: Option<String>,
    /// A scenario TOML file; without one the scale's defaults are used.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// World seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}
