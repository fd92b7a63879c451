//! `searchrec compare BASE NEW`: every metric of two runs side by side; the
//! exit status fails when a deterministic metric regressed past the threshold
//! (wall-clock metrics are shown, never failed on).

use anyhow::{Result, bail};
use searchrec_reports::{compare, load_results, parse_threshold};

use crate::cli::{Cli, CompareArgs};

pub fn run(cli: &Cli, args: &CompareArgs) -> Result<()> {
    // The threshold first: a typo there should not wait for two files to be read.
    let threshold = parse_threshold(&args.max_regression)?;
    let base = load_results(&args.base)?;
    let new = load_results(&args.new)?;
    let comparison = compare(&base, &new, threshold);
    if cli.json {
        println!("{}", serde_json::to_string_pretty(&comparison)?);
    } else {
        print!("{}", comparison.to_text());
    }
    let failed: Vec<&str> = comparison.regressions().map(|c| c.name.as_str()).collect();
    if !failed.is_empty() {
        bail!(
            "{} deterministic metric(s) regressed by more than {}: {}",
            failed.len(),
            args.max_regression.trim(),
            failed.join(", ")
        );
    }
    Ok(())
}
