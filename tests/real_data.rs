//! `searchrec run` on real data: each loader's fixture, written in the data
//! set's own layout, runs end to end through `[world.source]` into the same
//! results as a generated world; what needs the simulator's truth is refused
//! before any work, and engines that learn from logs say why they cannot be
//! built on search-only data.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use searchrec_datasets::real::{beir, esci, kuaisar};
use searchrec_harness::results::{Results, read_results};

fn searchrec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_searchrec")).args(args).arg("--quiet").output().expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Light evaluation and load settings shared by every scenario here.
const SETTINGS: &str = r#"
[evaluation]
k = 10
depth = 50
randomisation_trials = 200
ann_users = 20
[load]
threads = [1]
warm_up = 5
requests = 40
"#;

/// Writes `scenario` beside the data and runs it; the results on success,
/// stderr otherwise.
fn run(dir: &Path, scenario: &str) -> Result<Results, String> {
    let file = dir.join("scenario.toml");
    std::fs::write(&file, scenario).expect("writes the scenario");
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let out = dir.join(format!("out-{}", RUNS.fetch_add(1, Ordering::Relaxed)));
    let o = searchrec(&["run", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    if !o.status.success() {
        assert!(!out.exists(), "a failed run leaves no output folder");
        return Err(stderr(&o));
    }
    Ok(read_results(&out.join("results.json")).expect("readable results"))
}

fn ndcg(results: &Results, engine: &str, set: &str) -> f64 {
    let run = results.engines.iter().find(|e| e.id == engine).unwrap_or_else(|| panic!("no run `{engine}`"));
    let row =
        run.quality.iter().find(|q| q.query_set == set).unwrap_or_else(|| panic!("`{engine}` has no `{set}` row"));
    row.mean.ndcg_at_k
}

#[test]
fn esci_runs_shelf_search_and_refuses_what_needs_truth_or_logs() {
    let tmp = tempfile::tempdir().unwrap();
    esci::write_fixture(&tmp.path().join("esci"), &esci::EsciFixture::default()).unwrap();
    let world = "name = \"esci\"\n[world.source]\nformat = \"esci\"\ndir = \"esci\"\n";
    let shelf = "[[engines]]\nname = \"shelf\"\nkind = \"shelf\"\n";

    let results = run(tmp.path(), &format!("{world}{SETTINGS}{shelf}")).unwrap();
    assert_eq!(results.world.dataset, "esci-us-small-test");
    assert!(results.world.queries > 0 && results.world.judgements > 0 && results.world.events == 0);
    // The fixture's exact products carry their query's words: BM25 finds them.
    assert!(ndcg(&results, "shelf", "all") > 0.3, "{}", ndcg(&results, "shelf", "all"));

    let simulation = "[simulation]\nusers = 10\narms = [{ name = \"a\", engine = \"shelf\", channels = \"search\" }]\n";
    let err = run(tmp.path(), &format!("{world}{SETTINGS}{shelf}{simulation}")).unwrap_err();
    assert!(err.contains("field `simulation`") && err.contains("truth"), "{err}");

    let sets = SETTINGS.replace("k = 10\n", "k = 10\nquery_sets = [\"all\", \"typo\"]\n");
    let err = run(tmp.path(), &format!("{world}{sets}{shelf}")).unwrap_err();
    assert!(err.contains("evaluation.query_sets") && err.contains("`typo`"), "{err}");

    let err =
        run(tmp.path(), &format!("{world}{SETTINGS}[[engines]]\nname = \"feed\"\nkind = \"interest\"\n")).unwrap_err();
    assert!(err.contains("no logs") && err.contains("shelf"), "{err}");

    let err = run(tmp.path(), &format!("{world}locale = \"fr\"\n{SETTINGS}{shelf}")).unwrap_err();
    assert!(err.contains("world.source") && err.contains("fr"), "{err}");
}

#[test]
fn beir_and_trec_layouts_of_one_collection_give_the_same_figures() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = beir::TextFixture::default();
    beir::write_beir_fixture(&tmp.path().join("beir"), &spec).unwrap();
    beir::write_trec_fixture(&tmp.path().join("trec"), &spec).unwrap();
    let bm25 = "[[engines]]\nname = \"bm25\"\nkind = \"shelf\"\nparams = { sales_weight = 0.0, rating_weight = 0.0 }\n";
    let from_beir =
        run(tmp.path(), &format!("[world.source]\nformat = \"beir\"\ndir = \"beir\"\n{SETTINGS}{bm25}")).unwrap();
    let trec = "[world.source]\nformat = \"trec\"\ncorpus = \"trec/documents.sgml\"\ntopics = \"trec/topics.txt\"\n\
                qrels = \"trec/qrels.txt\"\n";
    let from_trec = run(tmp.path(), &format!("{trec}{SETTINGS}{bm25}")).unwrap();
    assert!(from_beir.world.dataset.starts_with("beir-") && from_trec.world.dataset.starts_with("trec-"));
    assert_eq!(from_beir.world.queries, from_trec.world.queries);
    let (a, b) = (ndcg(&from_beir, "bm25", "all"), ndcg(&from_trec, "bm25", "all"));
    assert!(a > 0.0 && a == b, "BEIR {a} against TREC {b}");
}

#[test]
fn kuaisar_measures_both_channels_on_held_out_behaviour() {
    let tmp = tempfile::tempdir().unwrap();
    kuaisar::write_fixture(&tmp.path().join("kuaisar"), &kuaisar::KuaisarFixture::default()).unwrap();
    let engines = "[[engines]]\nname = \"shelf\"\nkind = \"shelf\"\n\
                   [[engines]]\nname = \"exact\"\nkind = \"exact\"\n\
                   [[engines]]\nname = \"interest\"\nkind = \"interest\"\nann_against = \"exact\"\n\
                   [[engines]]\nname = \"hybrid\"\nkind = \"hybrid\"\n";
    let world = "[world.source]\nformat = \"kuaisar\"\ndir = \"kuaisar\"\n";
    let windowed = SETTINGS.replace("k = 10\n", "k = 10\ncontext_window = 10\n");
    let results = run(tmp.path(), &format!("{world}{windowed}{engines}")).unwrap();
    assert!(results.world.dataset.starts_with("kuaisar-"));
    assert!(results.world.events > 0 && results.world.feed_judgements > 0);
    for engine in ["shelf", "hybrid"] {
        assert!(ndcg(&results, engine, "all").is_finite());
    }
    for engine in ["exact", "interest", "hybrid"] {
        let feed = ndcg(&results, engine, "feed");
        assert!((0.0..=1.0).contains(&feed), "{engine}: {feed}");
    }
    let interest = results.engines.iter().find(|e| e.id == "interest").unwrap();
    assert!(interest.ann.as_ref().is_some_and(|a| a.overlap > 0.5), "{:?}", interest.ann);
    // The logged context reaches the engines that read it (the interest
    // feed reads its own channel's, the hybrid both) and no other.
    let alone = run(tmp.path(), &format!("{world}{SETTINGS}{engines}")).unwrap();
    assert_eq!(ndcg(&alone, "shelf", "all"), ndcg(&results, "shelf", "all"));
    let hybrid = |r: &Results| (ndcg(r, "hybrid", "all"), ndcg(r, "hybrid", "feed"));
    assert_ne!(hybrid(&alone), hybrid(&results), "a context window of 10 changed no hybrid figure");
}
