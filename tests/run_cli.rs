//! `searchrec run`: a tiny scenario end to end, and the scenario errors that
//! must stop a run before any work and leave nothing behind.

use std::path::Path;
use std::process::{Command, Output};

use parquet::file::reader::{FileReader, SerializedFileReader};
use searchrec_datasets::{Grade, Scale, Scenario, generate};
use searchrec_harness::results::{LoadMode, read_results};
use searchrec_harness::{QueryPolicy, evaluate, read_run};

fn searchrec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_searchrec")).args(args).arg("--quiet").output().expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A tiny world, the four engine families, a two-point sweep, light load.
const TINY: &str = r#"
name = "tiny"
[world]
scale = "tiny"
seed = 11
[evaluation]
k = 10
query_sets = ["all", "full"]
baseline = "shelf"
randomisation_trials = 200
ann_users = 50
[load]
threads = [1, 2]
warm_up = 10
requests = 60
open_loop_rate = 2000.0
batch = 8
[[engines]]
name = "shelf"
kind = "shelf"
[[engines]]
name = "exact"
kind = "exact"
[[engines]]
name = "interest"
kind = "interest"
ann_against = "exact"
sweep = { "hnsw.ef_search" = [8, 64] }
[[engines]]
name = "hybrid"
kind = "hybrid"
[[engines]]
name = "hybrid-off"
kind = "hybrid"
params = { personalised_search = false, query_aware_feed = false }
[simulation]
users = 40
horizon_days = 7
pre_period_days = 7
replicates = 1
bootstrap_resamples = 200
arms = [
  { name = "off", engine = "hybrid-off", channels = "both" },
  { name = "on", engine = "hybrid", channels = "both" },
  { name = "search", engine = "shelf", channels = "search" },
]
comparisons = [{ arm = "on", against = "off" }]
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_run_writes_results_per_query_table_and_trec_runs_that_agree() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "tiny.toml", TINY);
    let out = dir.path().join("run");
    let o = searchrec(&["run", &scenario, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    let results = read_results(&out).unwrap();
    let ids: Vec<&str> = results.engines.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        ["shelf", "exact", "interest[hnsw.ef_search=8]", "interest[hnsw.ef_search=64]", "hybrid", "hybrid-off"]
    );
    assert_eq!(results.world.dataset, "tiny-11");

    // Quality for the engines that search, per query set; none for the others.
    for e in &results.engines {
        let sets: Vec<&str> = e.quality.iter().map(|q| q.query_set.as_str()).collect();
        assert_eq!(sets, if e.search { vec!["all", "full"] } else { vec![] }, "{}", e.id);
        let closed = e.load.iter().filter(|r| matches!(r.mode, LoadMode::Closed(_))).count();
        let kinds = e.search as usize + e.recommend as usize;
        assert_eq!(closed, 2 * kinds, "{}: a row per request kind and thread count", e.id);
        assert_eq!(
            e.load
                .iter()
                .filter(|r| matches!(&r.mode, LoadMode::Batch(b)
                    if b.batch == 8 && b.load.threads == 2 && b.load.requests == 60 && b.calls == 8))
                .map(|r| r.request.as_str())
                .collect::<Vec<_>>(),
            [(e.search, "search"), (e.recommend, "recommend")].iter().filter(|k| k.0).map(|k| k.1).collect::<Vec<_>>(),
            "{}: a batch row of 8 requests at 2 threads per request kind",
            e.id
        );
        let open: Vec<_> = e
            .load
            .iter()
            .filter_map(|r| match &r.mode {
                LoadMode::Open(s) => Some(s),
                LoadMode::Closed(_) | LoadMode::Batch(_) => None,
            })
            .collect();
        assert_eq!(open.len(), kinds, "{}: an open-loop row per request kind", e.id);
        assert!(open.iter().all(|s| s.rate == 2000.0 && s.load.requests == 60), "{}", e.id);
    }

    // The TREC run file re-evaluated gives the means in results.json.
    let world = generate(&Scenario::preset(Scale::Tiny), 11).unwrap();
    let shelf = &results.engines[0];
    // A query the engine found nothing for has no line in a run file (trec_eval -c counts it as 0).
    let mut listed = read_run(&out.join(shelf.trec_run.as_ref().unwrap())).unwrap();
    let run: Vec<_> = world
        .observable
        .queries
        .iter()
        .map(|q| match listed.iter().position(|(id, _)| *id == q.id) {
            Some(i) => listed.swap_remove(i),
            None => (q.id, Vec::new()),
        })
        .collect();
    let settings = searchrec_harness::MetricSettings {
        k: 10,
        relevant_from: Grade::Complement,
        gains: world.scenario.judgements.gains,
    };
    let again = evaluate(&world.qrels, &run, &settings, QueryPolicy::Judged).unwrap();
    let all = shelf.quality.iter().find(|q| q.query_set == "all").unwrap();
    assert!(
        (again.mean.ndcg_at_k - all.mean.ndcg_at_k).abs() < 1e-12,
        "{} vs {}",
        again.mean.ndcg_at_k,
        all.mean.ndcg_at_k
    );
    assert!((again.mean.map - all.mean.map).abs() < 1e-12);

    // ANN recall of the swept index: more ef, no less recall; the exact engine is not compared with itself.
    let recall = |i: usize| results.engines[i].ann.as_ref().unwrap().ann_benchmarks;
    assert!(results.engines[1].ann.is_none());
    assert!(recall(3) >= recall(2) && recall(3) > 0.5, "{} {}", recall(2), recall(3));
    // The hybrids' feeds are measured against their own exact twin (same index, exact scan).
    let hybrid_ann = results.engines[4].ann.as_ref().expect("the hybrid's feed has an ANN recall");
    assert_eq!(hybrid_ann.against, "exact scan of the same index");
    assert!(hybrid_ann.ann_benchmarks > 0.5, "{}", hybrid_ann.ann_benchmarks);

    // One index per set of build-time parameters: the ef_search sweep shares
    // one, and so do the two hybrids, which differ only in coupling switches.
    let index: Vec<&str> = results.engines.iter().map(|e| e.build.index.as_str()).collect();
    assert_eq!(
        index,
        ["shelf", "exact", "interest[hnsw.ef_search=8]", "interest[hnsw.ef_search=8]", "hybrid", "hybrid"]
    );
    assert_eq!(results.engines[2].build.seconds, results.engines[3].build.seconds);

    // Significance of every searching run against the baseline, per set.
    assert_eq!(results.significance.len(), 4, "hybrid and hybrid-off vs shelf on `all` and `full`");
    assert!(results.significance.iter().all(|s| (0.0..=1.0).contains(&s.t_test_p)));

    // The per-query table has a row per (searching run, set, query).
    let file = std::fs::File::open(out.join("per_query.parquet")).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    let rows = reader.metadata().file_metadata().num_rows() as usize;
    let sets = &results.evaluation.query_sets;
    assert_eq!(rows, 3 * sets.iter().map(|s| s.queries).sum::<usize>());
    assert!(out.join("qrels.txt").is_file());
    assert!(results.metrics.iter().any(|m| m.name == "shelf/tiny-11/all/ndcg@10"));

    // The simulation: its summary in the results, labelled, its tables and report beside them.
    let sim = results.simulation.as_ref().expect("the scenario simulates");
    assert_eq!(sim.label, "simulated");
    let arms: Vec<&str> = sim.arms.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(arms, ["off", "on", "search"]);
    assert!(results.metrics.iter().any(|m| m.name == "simulation[on]/tiny-11/gmv_per_user" && m.lower.is_some()));
    for file in ["sessions.parquet", "users.parquet", "report.html", "benchmark-bigger.json", "bmf.json"] {
        assert!(out.join(file).is_file(), "{file}");
    }
}

#[test]
fn scenario_errors_stop_the_run_before_work_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("missing world scenario", TINY.replace("seed = 11", "seed = 11\nscenario = \"nowhere.toml\""), "nowhere.toml"),
        ("unknown engine", TINY.replace("kind = \"hybrid\"", "kind = \"hybird\""), "hybird"),
        ("unknown metric", TINY.replace("k = 10", "k = 10\nmetrics = [\"ndgc@k\"]"), "ndgc@k"),
        ("k of 0", TINY.replace("k = 10", "k = 0"), "evaluation.k"),
        ("empty query set list", TINY.replace("query_sets = [\"all\", \"full\"]", "query_sets = []"), "query_sets"),
        (
            "a query set with no query",
            TINY.replace("seed = 11", "seed = 11\nscenario = \"no_vague.toml\"")
                .replace("[\"all\", \"full\"]", "[\"vague\"]"),
            "vague",
        ),
        ("unknown field", TINY.replace("[load]", "[load]\nthreds = [1]"), "threds"),
        ("impossible horizon", TINY.replace("horizon_days = 7", "horizon_days = 0"), "horizon_days"),
        ("no simulated user", TINY.replace("users = 40", "users = 0"), "users"),
        ("more users than the world", TINY.replace("users = 40", "users = 400000"), "users"),
        (
            "arm on an engine that cannot search",
            TINY.replace("engine = \"shelf\", channels = \"search\"", "engine = \"exact\", channels = \"search\""),
            "exact",
        ),
        (
            "arm on an unknown engine",
            TINY.replace("engine = \"hybrid-off\", channels", "engine = \"hybrid-of\", channels"),
            "hybrid-of",
        ),
        (
            "bad engine parameter",
            TINY.replace("query_aware_feed = false }", "query_aware_feed = false, fusoin = \"rrf\" }"),
            "fusoin",
        ),
        // Values, not only names, are checked before any world is generated.
        ("a swept value out of range", TINY.replace("[8, 64]", "[8, 0]"), "hnsw.ef_search"),
        (
            "an engine parameter out of range",
            TINY.replace("query_aware_feed = false }", "query_aware_feed = false, personalisation = 1.5 }"),
            "personalisation",
        ),
        (
            "an unknown backend",
            TINY.replace("kind = \"interest\"", "kind = \"interest\"\nparams = { index = \"faiss\" }"),
            "faiss",
        ),
    ];
    write(dir.path(), "no_vague.toml", "scale = \"tiny\"\n[queries]\nvague = 0.0\n");
    for (what, text, needle) in cases {
        let scenario = write(dir.path(), "bad.toml", &text);
        let out = dir.path().join("never");
        let o = searchrec(&["run", &scenario, "--out", out.to_str().unwrap()]);
        let err = stderr(&o);
        assert!(!o.status.success(), "{what}: succeeded");
        assert!(err.contains(needle), "{what}: {err}");
        assert!(err.contains("bad.toml") || err.contains("nowhere.toml"), "{what} names the file: {err}");
        assert!(!out.exists(), "{what}: wrote {}", out.display());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers.len(), 2, "{what}: only the scenario files remain: {leftovers:?}");
    }
    let o = searchrec(&["run", dir.path().join("absent.toml").to_str().unwrap()]);
    assert!(!o.status.success() && stderr(&o).contains("absent.toml"), "{}", stderr(&o));
}

#[test]
fn deterministic_figures_and_files_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "tiny.toml", TINY);
    let run = |threads: &str| {
        let out = dir.path().join(format!("run{threads}"));
        let o = searchrec(&["run", &scenario, "--out", out.to_str().unwrap(), "--threads", threads]);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let (one, two) = (run("1"), run("2"));
    let figures = deterministic_metrics(&one);
    assert!(figures.len() > 20);
    assert_eq!(figures, deterministic_metrics(&two));
    for file in
        ["per_query.parquet", "qrels.txt", "runs/shelf.txt", "runs/hybrid.txt", "sessions.parquet", "users.parquet"]
    {
        assert!(std::fs::read(one.join(file)).unwrap() == std::fs::read(two.join(file)).unwrap(), "{file} differs");
    }
}

#[test]
fn every_ready_scenario_loads_and_names_registered_engines() {
    let registry = searchrec::registry();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let scenario = searchrec_harness::scenario::RunScenario::load(&path).unwrap();
            searchrec_harness::run::check_engines(&scenario, &registry).unwrap();
            seen += 1;
        }
    }
    assert!(seen >= 3, "demo, ci and medium");
    // The real-data run scenarios (their files are not in the repository;
    // loading a scenario reads none of them).
    let mut real = 0;
    for entry in std::fs::read_dir(dir.join("real")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".toml") && !name.starts_with("ann-") {
            let scenario = searchrec_harness::scenario::RunScenario::load(&path).unwrap();
            assert!(scenario.world.source.is_some(), "{name} names its data set");
            searchrec_harness::run::check_engines(&scenario, &registry).unwrap();
            real += 1;
        }
    }
    assert_eq!(real, 4, "esci, beir, trec and kuaisar");
    let ann = dir.join("ann");
    for entry in std::fs::read_dir(&ann).unwrap() {
        searchrec_harness::ann_bench::AnnBenchScenario::load(&entry.unwrap().path()).unwrap();
    }
}

#[test]
fn simulate_needs_a_simulation_section_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "plain.toml", "[[engines]]\nname = \"s\"\nkind = \"shelf\"\n");
    let out = dir.path().join("never");
    let o = searchrec(&["simulate", &scenario, "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("plain.toml") && err.contains("[simulation]"), "{err}");
    assert!(!out.exists());
}

#[test]
fn the_simulation_seed_flags_seed_the_simulation_only() {
    let dir = tempfile::tempdir().unwrap();
    // --sim-seed needs a simulation to seed: refused before any work.
    let plain = write(dir.path(), "plain.toml", "[[engines]]\nname = \"s\"\nkind = \"shelf\"\n");
    let never = dir.path().join("never");
    let o = searchrec(&["run", &plain, "--sim-seed", "5", "--out", never.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("plain.toml") && err.contains("--sim-seed") && err.contains("[simulation]"), "{err}");
    assert!(!never.exists());

    // `simulate --seed` overrides `[simulation] seed`; the world keeps its own.
    let scenario = write(dir.path(), "tiny.toml", &TINY.replace("users = 40", "users = 20\nseed = 3"));
    let out = dir.path().join("sim");
    let o = searchrec(&["simulate", &scenario, "--seed", "5", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let results = read_results(&out).unwrap();
    assert_eq!(results.schema_version, searchrec_harness::results::SCHEMA_VERSION);
    let sim = results.simulation.as_ref().unwrap();
    assert_eq!((sim.seed, results.world.seed), (5, 11));
    let gmv = sim.arms[0].gmv_per_user;
    assert!(gmv.se.is_some() && gmv.mde.is_some(), "{gmv:?}");
    let printed = String::from_utf8_lossy(&o.stdout);
    assert!(printed.contains("simulation seed 5") && printed.contains("SE ") && printed.contains("MDE "), "{printed}");
}

/// The coupling factorial on hybrids, for the world-replication test.
const FACTORIAL: &str = r#"
name = "worlds"
[world]
scale = "tiny"
seed = 11
[[engines]]
name = "neither"
kind = "hybrid"
params = { personalised_search = false, query_aware_feed = false }
[[engines]]
name = "a"
kind = "hybrid"
params = { personalised_search = true, query_aware_feed = false }
[[engines]]
name = "b"
kind = "hybrid"
params = { personalised_search = false, query_aware_feed = true }
[[engines]]
name = "a_b"
kind = "hybrid"
[simulation]
users = 250
horizon_days = 28
replicates = 1
bootstrap_resamples = 300
world_seeds = [11, 12, 13]
arms = [
  { name = "neither", engine = "neither", channels = "both" },
  { name = "a", engine = "a", channels = "both" },
  { name = "b", engine = "b", channels = "both" },
  { name = "a_b", engine = "a_b", channels = "both" },
]
factorial = { neither = "neither", a = "a", b = "b", a_b = "a_b" }
"#;

#[test]
fn an_experiment_replicated_over_worlds_pools_their_delta() {
    let dir = tempfile::tempdir().unwrap();
    // One seed is no replication: refused before any work, naming the field.
    let single = write(dir.path(), "single.toml", &FACTORIAL.replace("[11, 12, 13]", "[11]"));
    let o = searchrec(&["simulate", &single, "--out", dir.path().join("never").to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("simulation.world_seeds"), "{}", stderr(&o));

    let scenario = write(dir.path(), "worlds.toml", FACTORIAL);
    let out = dir.path().join("sim");
    let o = searchrec(&["simulate", &scenario, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sim = read_results(&out).unwrap().simulation.unwrap();
    let w = sim.worlds.as_ref().expect("pooled over worlds");
    assert_eq!(w.worlds, 3);
    let seeds: Vec<u64> = w.per_world.iter().map(|e| e.world_seed).collect();
    assert_eq!(seeds, [11, 12, 13]);
    // The run's own world is one of them, not simulated twice: its Δ is the run's.
    assert_eq!(w.per_world[0].interaction, sim.factorial.as_ref().unwrap().interaction);
    // Each world has its own engines and users: the worlds' Δ differ.
    let deltas: Vec<f64> = w.per_world.iter().map(|e| e.interaction.value).collect();
    assert!(deltas[0] != deltas[1] && deltas[1] != deltas[2], "{deltas:?}");
    // The pooled Δ is the worlds' mean; its SE holds the between-world spread.
    let mean = deltas.iter().sum::<f64>() / 3.0;
    assert!((w.interaction.value - mean).abs() < 1e-9, "{} vs {mean}", w.interaction.value);
    let sd = (deltas.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
    assert!((w.between_world_sd - sd).abs() < 1e-9);
    let se = w.interaction.se.unwrap();
    assert!(se > 0.5 * sd * (2.0f64 / 3.0).sqrt(), "SE {se} ignores the between-world spread {sd}");
    assert!(w.statement.starts_with(&w.verdict), "{}", w.statement);
    let printed = String::from_utf8_lossy(&o.stdout);
    assert!(printed.contains("over 3 worlds") && printed.contains("world seed 12"), "{printed}");
}

#[test]
fn a_sensitivity_grid_is_independent_experiments_with_holm_adjusted_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let grid = "sensitivity = [{ parameter = \"behaviour.seed_offset\", values = [1.5, 3.5], by = { parameter = \
                \"needs.leaf_temperature\", values = [2.0, 6.0] } }]";
    let scenario = write(dir.path(), "grid.toml", &FACTORIAL.replace("world_seeds = [11, 12, 13]", grid));
    let out = dir.path().join("sim");
    let o = searchrec(&["simulate", &scenario, "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sim = read_results(&out).unwrap().simulation.unwrap();
    let points = &sim.sensitivity;
    let cells: Vec<(f64, Option<f64>)> = points.iter().map(|p| (p.value, p.by_value)).collect();
    assert_eq!(cells, [(1.5, Some(2.0)), (1.5, Some(6.0)), (3.5, Some(2.0)), (3.5, Some(6.0))]);
    let mut seeds: Vec<u64> = points.iter().map(|p| p.seed.unwrap()).collect();
    seeds.push(sim.seed);
    seeds.sort_unstable();
    seeds.dedup();
    assert_eq!(seeds.len(), 5, "every point simulates under its own seed");
    // Each point regenerated its world: the control arm's GMV moves with the parameters.
    let neither: Vec<f64> = points.iter().map(|p| p.gmv_neither.unwrap()).collect();
    assert!(neither.windows(2).all(|w| w[0] != w[1]), "{neither:?}");
    let raw: Vec<f64> = points.iter().map(|p| p.p_value.unwrap()).collect();
    let adjusted: Vec<f64> = points.iter().map(|p| p.adjusted_p_value.unwrap()).collect();
    assert_eq!(adjusted, searchrec_harness::simulate::holm(&raw));
    for p in points {
        assert!(p.retrained && p.by_parameter.as_deref() == Some("needs.leaf_temperature"));
        assert!(p.adjusted_p_value >= p.p_value);
        let significant = p.adjusted_p_value.unwrap() < 0.05;
        assert_eq!(significant, p.verdict.ends_with("_additive") && p.verdict != "additive", "{p:?}");
        assert!(p.statement.starts_with(&p.verdict) && p.interaction.mde.is_some(), "{p:?}");
    }
}

/// `results.json` without what moves with the machine and the shard layout:
/// wall-clock figures, hosts, times, the Pareto fronts (they rank by
/// throughput) and the flat metric list (compared on its deterministic
/// metrics instead).
fn without_timing(out: &Path) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        const TIMING: &[&str] = &[
            "run",
            "shard",
            "shards",
            "fronts",
            "metrics",
            "load",
            "sessions_per_second",
            "engine_share",
            "latency_p50_us",
            "latency_p99_us",
        ];
        match v {
            serde_json::Value::Object(map) => {
                // `seconds`, `load_seconds` and the build diagnostics' `*_seconds`.
                map.retain(|k, _| !TIMING.contains(&k.as_str()) && !k.ends_with("seconds"));
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    strip(&mut v);
    v
}

fn deterministic_metrics(out: &Path) -> Vec<(String, u64)> {
    read_results(out)
        .unwrap()
        .metrics
        .into_iter()
        .filter(|m| m.gate == searchrec_harness::results::Gate::Deterministic)
        .map(|m| (m.name, m.value.to_bits()))
        .collect()
}

#[test]
fn three_shards_merge_into_the_unsharded_run() {
    let dir = tempfile::tempdir().unwrap();
    // With the A/A check, whose per-user differences are split too.
    let tiny = TINY.replace("bootstrap_resamples = 200", "bootstrap_resamples = 200\naa_replicates = 3");
    let scenario = write(dir.path(), "tiny.toml", &tiny);
    let at = |name: &str| dir.path().join(name);
    let o = searchrec(&["run", &scenario, "--out", at("whole").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Each shard in its own process, as on separate machines.
    let shards: Vec<_> = (0..3)
        .map(|i| {
            let out = at(&format!("shard{i}"));
            let child = Command::new(env!("CARGO_BIN_EXE_searchrec"))
                .args(["run", &scenario, "--shard", &format!("{i}/3"), "--out", out.to_str().unwrap(), "--quiet"])
                .output()
                .unwrap();
            assert!(child.status.success(), "shard {i}: {}", stderr(&child));
            out
        })
        .collect();
    // Any order.
    let merge = |shards: &[&Path], out: &Path| {
        let mut args = vec!["merge".to_string()];
        args.extend(shards.iter().map(|s| s.to_str().unwrap().to_string()));
        args.extend(["--out".to_string(), out.to_str().unwrap().to_string()]);
        searchrec(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let o = merge(&[&shards[2], &shards[0], &shards[1]], &at("merged"));
    assert!(o.status.success(), "{}", stderr(&o));
    let (whole, merged) = (at("whole"), at("merged"));
    let (a, b) = (without_timing(&whole), without_timing(&merged));
    assert!(a == b, "results differ:\n{a:#}\n---\n{b:#}");
    let figures = deterministic_metrics(&whole);
    assert!(figures.len() > 20);
    assert_eq!(figures, deterministic_metrics(&merged));
    for file in [
        "per_query.parquet",
        "qrels.txt",
        "runs/shelf.txt",
        "runs/hybrid.txt",
        "runs/hybrid-off.txt",
        "sessions.parquet",
        "users.parquet",
    ] {
        assert!(
            std::fs::read(whole.join(file)).unwrap() == std::fs::read(merged.join(file)).unwrap(),
            "{file} differs"
        );
    }
    // The merged report says which shard's host timed what.
    let html = std::fs::read_to_string(merged.join("report.html")).unwrap();
    assert!(html.contains("0&#x2f;3: shelf") && html.contains("timed on"), "the report names the shards");
    let record = read_results(&merged).unwrap().shards;
    assert_eq!(record.iter().map(|s| s.index).collect::<Vec<_>>(), [0, 1, 2]);
    // The simulation was split by users: every shard simulated a third.
    assert!(record.iter().all(|s| s.user_share && !s.simulation), "{record:?}");
    let user_rows = |dir: &Path| {
        let reader = SerializedFileReader::new(std::fs::File::open(dir.join("users.parquet")).unwrap()).unwrap();
        reader.metadata().file_metadata().num_rows()
    };
    let per_shard: Vec<i64> = shards.iter().map(|s| user_rows(s)).collect();
    assert_eq!(per_shard.iter().sum::<i64>(), user_rows(&whole));
    assert!(per_shard.iter().all(|&n| n > 0 && n < user_rows(&whole)), "{per_shard:?}");
    let aa = read_results(&merged).unwrap().simulation.unwrap().aa.unwrap();
    assert_eq!(aa.replicates, 3);
    assert_eq!(record.iter().map(|s| s.measured.len()).sum::<usize>(), read_results(&whole).unwrap().engines.len());

    // The merged table reads through parquet's row API, a second reader
    // with its own schema handling (as DuckDB or Spark would read it).
    let file = std::fs::File::open(merged.join("per_query.parquet")).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    let rows = reader.get_row_iter(None).unwrap().count() as i64;
    assert_eq!(rows, reader.metadata().file_metadata().num_rows());
    assert!(rows > 0);
}

#[test]
fn simulate_shards_merge_into_the_unsharded_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "tiny.toml", TINY);
    let at = |name: &str| dir.path().join(name);
    let simulate = |extra: &[&str], out: &str| {
        let mut args = vec!["simulate", &scenario, "--seed", "4", "--out"];
        let out = at(out);
        args.push(out.to_str().unwrap());
        args.extend(extra);
        let o = searchrec(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let whole = simulate(&[], "whole");
    let shards = [simulate(&["--shard", "1/2"], "s1"), simulate(&["--shard", "0/2"], "s0")];
    let merged = at("merged");
    let o = searchrec(&[
        "merge",
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (a, b) = (without_timing(&whole), without_timing(&merged));
    assert!(a == b, "results differ:\n{a:#}\n---\n{b:#}");
    for file in ["users.parquet", "sessions.parquet", "per_query.parquet"] {
        assert!(
            std::fs::read(whole.join(file)).unwrap() == std::fs::read(merged.join(file)).unwrap(),
            "{file} differs"
        );
    }
    let results = read_results(&merged).unwrap();
    assert_eq!(results.simulation.unwrap().seed, 4);
    assert!(results.shards.iter().all(|s| s.simulation_only && s.user_share));
    // A `run` shard and a `simulate` shard are not shards of one run.
    let run_shard = at("run1");
    let o = searchrec(&["run", &scenario, "--sim-seed", "4", "--shard", "1/2", "--out", run_shard.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = searchrec(&[
        "merge",
        shards[1].to_str().unwrap(),
        run_shard.to_str().unwrap(),
        "--out",
        at("never").to_str().unwrap(),
    ]);
    assert!(!o.status.success() && stderr(&o).contains("not shards of one run"), "{}", stderr(&o));
}

#[test]
fn bad_shard_sets_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let tiny = write(dir.path(), "tiny.toml", TINY);
    let other = write(dir.path(), "other.toml", &TINY.replace("seed = 11", "seed = 12"));
    let shard = |scenario: &str, spec: &str, name: &str| {
        let out = at(name);
        let o = searchrec(&["run", scenario, "--shard", spec, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        out.to_str().unwrap().to_string()
    };
    let (a0, a1) = (shard(&tiny, "0/2", "a0"), shard(&tiny, "1/2", "a1"));
    let b1 = shard(&other, "1/2", "b1");
    let whole = at("whole");
    assert!(searchrec(&["run", &tiny, "--out", whole.to_str().unwrap()]).status.success());
    // A copy of shard a1's folder without one of its files.
    let without = |name: &str, file: &str| {
        let copy = at(name);
        std::fs::create_dir(&copy).unwrap();
        for entry in std::fs::read_dir(&a1).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() && path.file_name().unwrap() != file {
                std::fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
            }
        }
        copy
    };
    let truncated = without("truncated", "per_query.parquet");
    let partless = without("partless", "simulation_part.json");
    let out = at("never");
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        ("a shard without its simulation part", vec![&a0, partless.to_str().unwrap()], "simulation_part.json"),
        ("mixed scenarios", vec![&a0, &b1], "not shards of one run"),
        ("a missing shard", vec![&a0], "shard 1/2 missing"),
        ("a shard twice", vec![&a0, &a0, &a1], "given twice"),
        ("a truncated shard", vec![&a0, truncated.to_str().unwrap()], "per_query.parquet"),
        ("a run folder", vec![whole.to_str().unwrap()], "not a shard folder"),
    ];
    for (what, shards, needle) in cases {
        let mut args = vec!["merge"];
        args.extend(&shards);
        args.extend(["--out", out.to_str().unwrap()]);
        let o = searchrec(&args);
        assert!(!o.status.success(), "{what}: merged");
        assert!(stderr(&o).contains(needle), "{what}: {}", stderr(&o));
        assert!(!out.exists(), "{what}: wrote {}", out.display());
    }
    let o = searchrec(&["run", &tiny, "--shard", "2/2", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success() && stderr(&o).contains("2/2"), "{}", stderr(&o));
}
