//! Bytes in place of one file of a shard's share of a simulation
//! (`simulation_part.json`, `users.parquet`, `sessions.parquet`), as
//! `merge` reads it: reading never panics, a refusal names the file, and
//! what reads joins (as the only share) without a panic.
//!
//! The valid share is `fuzz/fixtures/shard_simulation/` (written by
//! `searchrec simulate fixture.toml --shard 0/1`, its scenario beside it).
//! The first input byte picks the file. The rest is the whole file when it
//! starts with `RAW`, else a list of 5-byte edits — a little-endian u32
//! offset into the valid file and a byte XORed in there — which keeps most
//! inputs close to valid, so the fuzzer reaches the shape checks.

#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use searchrec_harness::scenario::RunScenario;
use searchrec_harness::simulate::{SimulationPart, join_parts};

const FILES: [&str; 3] = ["simulation_part.json", "users.parquet", "sessions.parquet"];

struct Fixture {
    /// Kept so the folder lives as long as the process.
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    scenario: RunScenario,
    /// The valid bytes of each of `FILES`.
    originals: Vec<Vec<u8>>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // The parquet crate panics on some corrupt pages, which the readers
        // catch on purpose; libfuzzer-sys's hook would abort there.
        std::panic::set_hook(Box::new(|_| {}));
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/shard_simulation");
        let scenario = RunScenario::load(&source.join("fixture.toml")).expect("the fixture's scenario");
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().to_path_buf();
        let originals = FILES.iter().map(|f| fs::read(source.join(f)).expect("a fixture file")).collect();
        Fixture { _tmp: tmp, dir, scenario, originals }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let f = fixture();
    let file = pick as usize % FILES.len();
    for (name, bytes) in FILES.iter().zip(&f.originals) {
        fs::write(f.dir.join(name), bytes).expect("write a fixture file");
    }
    let bytes = match rest.strip_prefix(b"RAW") {
        Some(raw) => raw.to_vec(),
        None => {
            let mut bytes = f.originals[file].clone();
            let len = bytes.len().max(1);
            for edit in rest.chunks_exact(5) {
                let at = u32::from_le_bytes([edit[0], edit[1], edit[2], edit[3]]) as usize;
                if let Some(b) = bytes.get_mut(at % len) {
                    *b ^= edit[4];
                }
            }
            bytes
        }
    };
    fs::write(f.dir.join(FILES[file]), &bytes).expect("write the fuzzed file");
    match SimulationPart::read(&f.dir) {
        Ok(part) => {
            let settings = f.scenario.simulation.as_ref().expect("the fixture simulates");
            let _ = join_parts(settings, vec![part]);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(FILES.iter().any(|name| message.contains(name)), "a refusal names no file: {message}");
        }
    }
});
