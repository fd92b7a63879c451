//! `searchrec report RUN`: (re)render a run folder's report.html from its
//! results.json, for example after upgrading searchrec or editing nothing
//! but wanting the page back.

use std::path::Path;

use anyhow::{Context, Result};
use searchrec_reports::{load_results, render_report};

use crate::cli::Cli;

pub fn run(cli: &Cli, run: &Path) -> Result<()> {
    let results = load_results(run)?;
    // The report goes beside results.json, whether the folder or the file was named.
    let dir =
        if run.is_dir() { run } else { run.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")) };
    let path = render_report(&results, dir).with_context(|| format!("writing the report of {}", run.display()))?;
    if cli.json {
        println!("{}", serde_json::json!({ "report": path }));
    } else {
        println!("{}", path.display());
    }
    Ok(())
}
