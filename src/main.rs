//! `searchrec`: the command line over the searchrec crates.
//!
//! This binary only parses arguments, shows progress and wires the library
//! crates together; every piece of real work lives in a library crate so it
//! can be tested and benchmarked without the CLI.

mod cli;
mod commands;
mod progress;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    if let Some(threads) = args.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global()
    {
        eprintln!("error: cannot start {threads} worker threads: {e}");
        return ExitCode::FAILURE;
    }
    match commands::run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
