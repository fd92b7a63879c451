//! `results.json` text as `report` and `compare` read it
//! (`parse_results`): never panics, and what it accepts renders as a report
//! and compares against itself without a panic, the comparison passing.

#![no_main]

use libfuzzer_sys::fuzz_target;
use searchrec_harness::results::parse_results;
use searchrec_reports::{compare, render_html};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(results) = parse_results(text) {
        let _ = render_html(&results);
        let _ = compare(&results, &results, 0.05).to_text();
    }
});
