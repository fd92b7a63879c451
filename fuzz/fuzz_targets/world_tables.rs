//! Bytes in place of one table of a valid world folder (`io::read_world`):
//! reading never panics, and a refusal names a file of the folder.
//!
//! The first input byte picks the table. The rest is either a whole file (when
//! it starts with Parquet's magic `PAR1`) or a list of 5-byte edits — a
//! little-endian u32 offset into the valid file and a byte XORed in there —
//! which keeps most inputs readable Parquet, so the fuzzer reaches the column
//! checks rather than stopping at the footer.

#![no_main]

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use searchrec_datasets::io::{read_world, write_world};
use searchrec_datasets::{Scale, Scenario};

const TABLES: [&str; 9] = [
    "items.parquet",
    "users.parquet",
    "interactions.parquet",
    "queries.parquet",
    "qrels.parquet",
    "truth/items.parquet",
    "truth/users.parquet",
    "truth/needs.parquet",
    "truth/queries.parquet",
];

struct Fixture {
    /// Kept so the folder lives as long as the process.
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    /// The valid bytes of each of `TABLES`.
    originals: Vec<Vec<u8>>,
}

/// A small valid world, written once per process.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // libfuzzer-sys's panic hook aborts on every panic, even one that
        // `read_table` catches on purpose (the parquet crate panics on some
        // corrupt pages; the reader turns that into an error). A panic that
        // escapes the target still aborts: libfuzzer-sys runs the target
        // under `catch_unwind` and aborts on an unwinding panic.
        std::panic::set_hook(Box::new(|_| {}));
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("world");
        let mut s = Scenario::preset(Scale::Tiny);
        s.world.items = 200;
        s.world.users = 40;
        s.logs.days = 5;
        s.queries.count = 8;
        write_world(&s, 1, &dir, &|_, _| {}).expect("a valid world");
        let originals = TABLES.iter().map(|t| fs::read(dir.join(t)).expect("table")).collect();
        Fixture { _tmp: tmp, dir, originals }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let fx = fixture();
    let i = pick as usize % TABLES.len();
    let original = &fx.originals[i];
    let bytes = if rest.starts_with(b"PAR1") {
        rest.to_vec()
    } else {
        let mut b = original.clone();
        for edit in rest.chunks_exact(5) {
            let offset = u32::from_le_bytes([edit[0], edit[1], edit[2], edit[3]]) as usize % b.len();
            b[offset] ^= edit[4];
        }
        b
    };
    let path = fx.dir.join(TABLES[i]);
    fs::write(&path, &bytes).expect("write the table");
    let result = read_world(&fx.dir);
    fs::write(&path, original).expect("restore the table");
    if let Err(e) = result {
        let message = e.to_string();
        assert!(message.contains(".parquet") || message.contains("world.toml"), "names no file: {message}");
    }
});
