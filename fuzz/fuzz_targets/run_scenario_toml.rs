//! Run-scenario TOML text (`RunScenario::from_toml`): parsing and every
//! check that needs no world never panic, and a refusal names the file.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use searchrec_harness::scenario::RunScenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = RunScenario::from_toml(text, Path::new("fuzz-run.toml")) {
        assert!(e.to_string().contains("fuzz-run.toml"), "{e}");
    }
});
