//! Writes the test fixture's `results.json`, `per_query.parquet`, `report.html` and exports into a
//! folder, for looking at the report and for the headless-browser check in
//! `.ci/run` (`scripts/report_check.sh`) before a real run exists.
//!
//! `cargo run -p searchrec-reports --example fixture_report -- OUT_DIR`

#[path = "../tests/fixture.rs"]
mod fixture;
#[path = "../tests/per_query_fixture.rs"]
mod per_query_fixture;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: fixture_report OUT_DIR");
        return ExitCode::from(2);
    };
    let results = fixture::results();
    let written = std::fs::create_dir_all(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))
        .and_then(|()| results.write(&dir).map_err(|e| e.to_string()))
        .map(|()| per_query_fixture::write_per_query(&dir, &results))
        .and_then(|()| searchrec_reports::write_exports(&results, &dir).map_err(|e| e.to_string()))
        .and_then(|_| searchrec_reports::render_report(&results, &dir).map_err(|e| e.to_string()));
    match written {
        Ok(report) => {
            println!("{}", report.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
