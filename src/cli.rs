//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use searchrec_harness::run::shard::Shard;
use searchrec_harness::scenario::MAX_THREADS;

/// Benchmark and evaluation harness for e-commerce search and recommendation.
#[derive(Debug, Parser)]
#[command(name = "searchrec", version, about)]
pub struct Cli {
    /// Worker threads, 1 to 1024 (default: one per core). Results do not depend on it.
    #[arg(long, global = true, value_parser = parse_threads, allow_negative_numbers = true)]
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
    /// Run the demo scenario: the small world, every engine family, the report.
    Demo {
        /// The run folder to write.
        #[arg(long, default_value = "runs/demo")]
        out: PathBuf,
    },
    /// Generate a synthetic world and write it as Parquet (plus TREC qrels).
    Generate(GenerateArgs),
    /// List the registered engine kinds.
    Engines,
    /// Only the GMV simulation of a run scenario: its arms' engines, no load test.
    Simulate {
        /// The run scenario (TOML) with a [simulation] section.
        scenario: PathBuf,
        /// The run folder to write (replaced when it holds an earlier run).
        #[arg(long, default_value = "runs/simulation")]
        out: PathBuf,
        /// Simulation seed: overrides `[simulation] seed` (default: the world seed). Reruns the experiment on
        /// the same world and engines under other random streams.
        #[arg(long)]
        seed: Option<u64>,
        /// Simulate only share I of N (0-based) of the users, and write a shard folder for `merge`; a
        /// simulation that needs every user at once (the data loop, sizing, world replication,
        /// sensitivity) runs whole on shard 0.
        #[arg(long, value_name = "I/N")]
        shard: Option<Shard>,
    },
    /// Build and measure every engine of a run scenario; write the run folder.
    Run {
        /// The run scenario (TOML), e.g. scenarios/ci.toml.
        scenario: PathBuf,
        /// The run folder to write (replaced when it holds an earlier run).
        #[arg(long, default_value = "runs/latest")]
        out: PathBuf,
        /// Simulation seed: overrides `[simulation] seed` (default: the world seed); the world, the engines
        /// and every other figure keep theirs. Needs a [simulation] section.
        #[arg(long)]
        sim_seed: Option<u64>,
        /// Do only shard I of N (0-based, e.g. 0/3) of the run's work and write a shard folder for `merge`;
        /// the partition is a function of the scenario, so every shard computes the same one.
        #[arg(long, value_name = "I/N")]
        shard: Option<Shard>,
    },
    /// Merge the shard folders of one `run --shard I/N` (every I, any order) into the run folder the
    /// unsharded run writes: statistics recomputed from the merged per-query table.
    Merge {
        /// The shard folders.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// The run folder to write (replaced when it holds an earlier run).
        #[arg(long, default_value = "runs/latest")]
        out: PathBuf,
    },
    /// (Re)render a run folder's report.html from its results.json.
    Report {
        /// The run folder (or its results.json).
        run: PathBuf,
    },
    /// Compare two runs metric by metric; exit non-zero when a deterministic metric regresses.
    Compare(CompareArgs),
    /// Every ANN backend on one seeded clustered vector set, or on SIFT/GIST fvecs or an ann-benchmarks HDF5 file
    /// (scenarios/real/ann-*.toml): recall@k against the file's ground truth vs QPS (ann-benchmarks' terms).
    AnnBench(AnnBenchArgs),
}

/// Arguments of `ann-bench`.
#[derive(Debug, Args)]
pub struct AnnBenchArgs {
    /// The ANN benchmark scenario (TOML), e.g. scenarios/ann/clustered-200k.toml or
    /// scenarios/real/ann-sift1m.toml ([data] format = "fvecs" or "hdf5", paths relative to the scenario);
    /// without one, the default recipe (200,000 × 64, 400 clusters, σ 0.35, 2,000 queries, M 16,
    /// ef_construction 200).
    pub scenario: Option<PathBuf>,
    /// Also write the vectors and ground truth as .fvecs/.ivecs into this folder, for
    /// scripts/ann_peers.py (hnswlib, faiss) to measure on the same data (for files: the vectors as indexed,
    /// normalised or through the euclidean reduction).
    #[arg(long)]
    pub fvecs: Option<PathBuf>,
}

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base run folder (or its results.json), e.g. the main branch's run.
    pub base: PathBuf,
    /// The new run folder (or its results.json).
    pub new: PathBuf,
    /// Largest tolerated regression of a deterministic metric: a percentage (`5%`) or a fraction (`0.05`).
    /// Wall-clock metrics are shown, never failed on.
    // A value starting with `-` is the threshold (and refused as negative by
    // `parse_threshold`), not an unknown flag.
    #[arg(long, default_value = "5%", allow_hyphen_values = true)]
    pub max_regression: String,
}

/// `--threads`: 1 to [`MAX_THREADS`]. 0 would let rayon pick a count
/// silently, and every worker is spawned up front (100 000 took 40 s to fail).
fn parse_threads(text: &str) -> Result<usize, String> {
    let n: usize =
        text.trim().parse().map_err(|_| format!("`{text}` is not a thread count; use 1 to {MAX_THREADS}"))?;
    if (1..=MAX_THREADS).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "{n} is out of range; use 1 to {MAX_THREADS}: results never depend on the thread count, and every \
             worker is started up front"
        ))
    }
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
