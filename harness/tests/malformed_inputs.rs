//! The text loaders a user feeds — world scenarios, run scenarios, TREC
//! qrels and run files — never panic: whatever the bytes,
//! they answer a value or an error that names the file. The same loaders
//! have cargo-fuzz targets under `fuzz/`; these properties run them in the
//! ordinary suite on mutations of the repository's own files (truncations,
//! byte flips, spliced lines), where a loader's edge cases are likeliest.
//! `results.json` has its own property in `reports/tests/malformed.rs`,
//! beside the fixture it mutates.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use searchrec_datasets::Scenario;
use searchrec_datasets::io::qrels_from_trec;
use searchrec_harness::scenario::RunScenario;
use searchrec_harness::trec_run::run_from_trec;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn texts(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no scenario in {}", dir.display());
    out
}

/// A mutation of a text: cut it, overwrite a byte, or repeat/drop a line.
#[derive(Clone, Debug)]
enum Mutation {
    Truncate(usize),
    Byte(usize, u8),
    DuplicateLine(usize),
    DropLine(usize),
    Splice(usize, String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Byte(at, b)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::DropLine),
        (
            any::<usize>(),
            prop_oneof![
                Just("= nan".to_string()),
                Just("= inf".to_string()),
                Just("= -1".to_string()),
                Just("= 18446744073709551615".to_string()),
                Just("= 1e308".to_string()),
                Just("= \"\"".to_string()),
                Just("[[engines]]".to_string()),
                Just("= []".to_string()),
                "[ -~]{0,12}",
            ]
        )
            .prop_map(|(at, s)| Mutation::Splice(at, s)),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let bytes = text.as_bytes();
    let lines: Vec<&str> = text.lines().collect();
    match m {
        Mutation::Truncate(at) => String::from_utf8_lossy(&bytes[..at % (bytes.len() + 1)]).into_owned(),
        Mutation::Byte(at, b) => {
            let mut out = bytes.to_vec();
            if !out.is_empty() {
                let i = at % out.len();
                out[i] = *b;
            }
            String::from_utf8_lossy(&out).into_owned()
        }
        Mutation::DuplicateLine(at) if !lines.is_empty() => {
            let i = at % lines.len();
            let mut out = lines.clone();
            out.insert(i, lines[i]);
            out.join("\n")
        }
        Mutation::DropLine(at) if !lines.is_empty() => {
            let mut out = lines.clone();
            out.remove(at % lines.len());
            out.join("\n")
        }
        Mutation::Splice(at, s) if !lines.is_empty() => {
            // Replace the value of one `key = value` line (or append to a line).
            let i = at % lines.len();
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            out[i] = match lines[i].split_once('=') {
                Some((key, _)) if s.starts_with('=') => format!("{key}{s}"),
                _ => format!("{}{s}", lines[i]),
            };
            out.join("\n")
        }
        _ => text.to_string(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn world_scenarios_never_panic(pick in any::<usize>(), m in mutation()) {
        let files = texts(&repository().join("scenarios/worlds"));
        let (path, text) = &files[pick % files.len()];
        let mutated = apply(text, &m);
        if let Err(e) = Scenario::from_toml(&mutated, path) {
            prop_assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}");
        }
    }

    #[test]
    fn run_scenarios_never_panic(pick in any::<usize>(), m in mutation()) {
        let files = texts(&repository().join("scenarios"));
        let (path, text) = &files[pick % files.len()];
        let mutated = apply(text, &m);
        if let Err(e) = RunScenario::from_toml(&mutated, path) {
            let file = path.file_name().unwrap().to_string_lossy();
            prop_assert!(e.to_string().contains(&*file), "{e}");
        }
    }

    #[test]
    fn trec_files_never_panic(lines in prop::collection::vec(trec_line(), 0..8)) {
        let text = lines.join("\n");
        let _ = run_from_trec(&text, "run.txt");
        if let Err(e) = qrels_from_trec(&text, Path::new("qrels.txt")) {
            prop_assert!(e.to_string().contains("qrels.txt"), "{e}");
        }
    }
}

/// A TREC-like line: mostly well-formed fields, sometimes junk, huge or
/// negative numbers, NaN scores.
fn trec_line() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        "[0-9]{1,3}",
        Just("Q0".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("18446744073709551616".to_string()),
        "[ -~]{0,6}",
    ];
    prop::collection::vec(field, 0..7).prop_map(|f| f.join(" "))
}
