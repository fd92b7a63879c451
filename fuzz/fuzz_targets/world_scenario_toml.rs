//! Scenario TOML text (`Scenario::from_toml`): parsing and validation never
//! panic, and a scenario that is accepted reads back equal from its own
//! `to_toml` (so a value validation lets through, e.g. a NaN, shows up here).

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use searchrec_datasets::Scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = Path::new("fuzz-scenario.toml");
    if let Ok(scenario) = Scenario::from_toml(text, file) {
        let again = Scenario::from_toml(&scenario.to_toml(), file).expect("a written scenario reads back");
        assert_eq!(again, scenario);
    }
});
