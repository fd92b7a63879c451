//! Issue 13 at the command line: absurd sizes and flags are refused at
//! once, before any work, naming the flag or the file and field; nothing is
//! written.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn searchrec(args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_searchrec")).args(args).arg("--quiet").output().expect("runs");
    (output, started.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A refusal is fast: the checks run before any allocation or thread.
const FAST: Duration = Duration::from_secs(10);

#[test]
fn thread_counts_outside_1_to_1024_are_refused_by_the_flag() {
    for threads in ["0", "1025", "100000", "-1", "many"] {
        let (o, took) = searchrec(&["--threads", threads, "engines"]);
        let err = stderr(&o);
        assert!(!o.status.success() && took < FAST, "--threads {threads}: {err}");
        assert!(err.contains("--threads") && err.contains("1024"), "--threads {threads}: {err}");
    }
    let (o, _) = searchrec(&["--threads", "2", "engines"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_negative_regression_threshold_is_the_threshold_and_refused_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none");
    let missing = missing.to_str().unwrap();
    let (o, _) = searchrec(&["compare", missing, missing, "--max-regression", "-5%"]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("`-5%`") && err.contains("non-negative") && !err.contains("unexpected argument"), "{err}");
    let (o, _) = searchrec(&["compare", missing, missing, "--max-regression", "5"]);
    let err = stderr(&o);
    assert!(err.contains("a 500% regression") && !err.contains("%%"), "{err}");
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn absurd_world_sizes_are_refused_at_load_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (body, field) in [
        ("[world]\nitems = 4294967295\n", "world.items"),
        ("[queries]\ncount = 4000000000\n", "queries.count"),
        ("[behaviour]\ntrust_sales_reference = inf\n", "behaviour.trust_sales_reference"),
    ] {
        let scenario = write(dir.path(), "big.toml", body);
        let out = dir.path().join("never");
        let (o, took) = searchrec(&["generate", "--scenario", &scenario, "--out", out.to_str().unwrap()]);
        let err = stderr(&o);
        assert!(!o.status.success() && took < FAST, "{body}: {err}");
        assert!(err.contains("big.toml") && err.contains(field), "{body}: {err}");
        assert!(!out.exists(), "{body}: wrote {}", out.display());
    }
}

#[test]
fn absurd_run_sizes_and_meaningless_ann_references_are_refused_before_the_world() {
    let dir = tempfile::tempdir().unwrap();
    let engines = "[[engines]]\nname = \"shelf\"\nkind = \"shelf\"\n[[engines]]\nname = \"exact\"\nkind = \"exact\"\n";
    let cases = [
        (format!("[load]\nrequests = 1000000000000000000\n{engines}"), "field `load.requests`".to_string()),
        (format!("[evaluation]\nrandomisation_trials = 1000000000000\n{engines}"), "randomisation_trials".into()),
        (
            format!("{engines}[[engines]]\nname = \"feed-hnsw\"\nkind = \"interest\"\nann_against = \"shelf\"\n"),
            "[[engines]] 'feed-hnsw' ann_against = 'shelf': ".into(),
        ),
        (
            format!("{engines}[[engines]]\nname = \"feed-hnsw\"\nkind = \"interest\"\nann_against = \"feed-hnsw\"\n"),
            "[[engines]] 'feed-hnsw' ann_against = 'feed-hnsw': ".into(),
        ),
        (
            format!("{engines}[[engines]]\nname = \"bm25\"\nkind = \"shelf\"\nann_against = \"exact\"\n"),
            "'bm25' ann_against = 'exact': kind `shelf` has no ANN index".into(),
        ),
        (
            format!(
                "{engines}[[engines]]\nname = \"feed-hnsw\"\nkind = \"interest\"\nann_against = \"exact\"\n\
                 params = {{ embedding = {{ dim = 16 }} }}\n"
            ),
            "`embedding` = { dim = 16 }".into(),
        ),
    ];
    for (body, needle) in cases {
        let scenario = write(dir.path(), "x.toml", &body);
        let out = dir.path().join("never");
        let (o, took) = searchrec(&["run", &scenario, "--out", out.to_str().unwrap()]);
        let err = stderr(&o);
        assert!(!o.status.success() && took < FAST, "{body}: {err}");
        assert!(err.contains("x.toml") && err.contains(&needle), "{body}: {err}");
        assert!(!out.exists(), "{body}: wrote {}", out.display());
    }
    // A hybrid trains the interest model under `interest.`: its embedding is compared from there.
    let body = format!(
        "[world]\nscale = \"tiny\"\n[load]\nrequests = 0\n{engines}[[engines]]\nname = \"h\"\nkind = \"hybrid\"\n\
         ann_against = \"exact\"\nparams = {{ interest = {{ embedding = {{ dim = 8 }} }} }}\n"
    );
    let scenario = write(dir.path(), "x.toml", &body);
    let out = dir.path().join("never");
    let (o, _) = searchrec(&["run", &scenario, "--out", out.to_str().unwrap()]);
    assert!(stderr(&o).contains("`interest.embedding` = { dim = 8 }"), "{}", stderr(&o));
}

/// The bounds must admit every scenario the project ships: world, run (with
/// the registry's `ann_against` check) and ANN benchmark files.
#[test]
fn every_shipped_scenario_is_within_the_bounds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = |dir: &Path| -> Vec<std::path::PathBuf> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        files
    };
    let registry = searchrec::registry();
    let runs = files(&root);
    assert!(runs.len() >= 3, "{runs:?}");
    for file in runs {
        let scenario = searchrec_harness::scenario::RunScenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
        searchrec_harness::run::check_engines(&scenario, &registry).unwrap_or_else(|e| panic!("{e}"));
    }
    for file in files(&root.join("worlds")) {
        searchrec_datasets::Scenario::from_file(&file).unwrap_or_else(|e| panic!("{e}"));
    }
    for file in files(&root.join("ann")) {
        searchrec_harness::ann_bench::AnnBenchScenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
    }
}
