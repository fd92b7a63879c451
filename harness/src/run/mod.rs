//! `searchrec run`: a scenario in, a run folder out.
//!
//! The steps, in order, each failing before the next starts:
//! 1. [`RunScenario::load`](crate::scenario::RunScenario::load) checks the file;
//!    [`check_engines`] expands the sweeps and checks every kind against the
//!    registry; [`folder::check_out`] checks the output folder — all before any work.
//! 2. [`load_world`] generates the world in memory (or reads a world folder).
//! 3. [`execute`] checks the simulation against the world, groups the
//!    (engine, parameter set) runs by the index they share ([`index_groups`]),
//!    builds each index once from the observable half, measures a searcher
//!    per run and drops the index after its group (the engines other runs
//!    compare against and the simulation's arms are kept), simulates, then
//!    derives significance, fronts and the flat metric list.
//! 4. [`RunOutput::write_into`] writes the files into a staging folder that
//!    [`folder::publish`] swaps into place.

mod context;
mod environment;
mod flat_metrics;
pub mod folder;
mod measure;
pub mod merge;
mod plan;
mod query_sets;
mod retrain;
mod sensitivity;
pub mod shard;
mod worlds;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use searchrec_datasets::io::{qrels_to_trec, read_world};
use searchrec_datasets::{Grade, QueryId, Scenario, UserId, World, generate};
use searchrec_engine::{BuildInput, Engine, Hit, Registry};

use crate::load::LoadSummary;
use crate::metrics::QueryMetrics;
use crate::results::{
    Direction, EngineRun, EvaluationInfo, LoadMode, PER_QUERY_FILE, ParetoFront, PerQueryRow, QuerySetInfo, Results,
    RunInfo, SCHEMA_VERSION, Significance, WorldInfo, pareto_front, write_per_query,
};
use crate::scenario::RunScenario;
use crate::significance::{paired_randomisation_test, paired_t_test};
use crate::simulate::{self, SimulationOutput, SimulationPart, UserShare};
use crate::trec_run::write_run;
use crate::{HarnessError, Result};
use context::LoggedContexts;
use shard::{Shard, Units};

pub use environment::{git_revision, host, now_utc};
pub use plan::{PlannedRun, plan};

/// Folder of the TREC run files inside a run folder.
pub const RUNS_DIR: &str = "runs";
/// The qrels of the run's world, as TREC text.
pub const QRELS_FILE: &str = "qrels.txt";

/// What the caller supplies besides the scenario.
pub struct RunContext<'a> {
    /// The engine kinds this binary knows.
    pub registry: &'a Registry,
    /// The `searchrec` version, written into the results.
    pub tool_version: &'a str,
    /// Threads of the rayon pool the run executes in.
    pub threads: usize,
    /// Told what the run is doing, step by step (for progress display).
    pub progress: &'a (dyn Fn(&str) + Sync),
    /// The shard of the run to do (`run --shard I/N`); `None` does it all.
    pub shard: Option<Shard>,
}

/// One engine run's ranked lists, by query.
type Run = Vec<(QueryId, Vec<Hit>)>;

/// A finished run, in memory.
pub struct RunOutput {
    /// The results.
    pub results: Results,
    per_query: Vec<(String, String, Vec<QueryMetrics>)>,
    runs: Vec<(String, Run)>,
    qrels: String,
    simulation: Option<SimulationOutput>,
    /// A shard's share of a simulation split by users.
    simulation_part: Option<SimulationPart>,
}

/// Expands the sweeps and checks each kind is registered and each
/// parameter table parses, before any work.
pub fn check_engines(scenario: &RunScenario, registry: &Registry) -> Result<Vec<PlannedRun>> {
    for entry in &scenario.engines {
        registry.factory(&entry.kind).map_err(|e| scenario.field_error("engines.kind", e.to_string()))?;
    }
    let planned = plan(scenario)?;
    for p in &planned {
        registry.capabilities(&p.spec).map_err(|e| scenario.field_error("engines.params", e.to_string()))?;
    }
    plan::check_ann_against(scenario, &planned, registry)?;
    Ok(planned)
}

/// The scenario's world: generated in memory, or read from its folder.
pub fn load_world(scenario: &RunScenario) -> Result<(World, WorldInfo)> {
    let dataset_error = |field: &str, e: searchrec_datasets::DatasetError| scenario.field_error(field, e.to_string());
    let started = Instant::now();
    let (world, path, dataset) = match (&scenario.world.source, &scenario.world.path) {
        (Some(source), _) => {
            let world = source.load(&scenario.base_dir).map_err(|e| dataset_error("world.source", e))?;
            let dataset = world.dataset().unwrap_or(source.format()).to_string();
            (world, format!("(loaded from {} files)", source.format()), dataset)
        }
        (None, Some(path)) => {
            let path = scenario.resolve(path);
            let world = read_world(&path).map_err(|e| dataset_error("world.path", e))?;
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "world".into());
            (world, path.display().to_string(), name)
        }
        (None, None) => {
            let scale = scenario.scale()?;
            let world_scenario = match &scenario.world.scenario {
                Some(file) => {
                    Scenario::load(Some(&scenario.resolve(file)), scenario.world.scale.as_ref().map(|_| scale))
                        .map_err(|e| dataset_error("world.scenario", e))?
                }
                None => Scenario::preset(scale),
            };
            let seed = scenario.world.seed.unwrap_or(7);
            let world = generate(&world_scenario, seed).map_err(|e| dataset_error("world", e))?;
            let dataset = format!("{}-{seed}", world_scenario.scale.as_str());
            (world, "(generated in memory)".to_string(), dataset)
        }
    };
    let o = &world.observable;
    let info = WorldInfo {
        dataset,
        path,
        seed: world.seed,
        items: o.catalog.len() as u64,
        users: o.users.len() as u64,
        events: o.logs.events.len() as u64,
        queries: o.queries.len() as u64,
        judgements: world.qrels.judgements.len() as u64,
        feed_judgements: world.feed_judgements.len() as u64,
        load_seconds: started.elapsed().as_secs_f64(),
    };
    Ok((world, info))
}

/// Builds and measures every planned engine run on `world`.
pub fn execute(
    scenario: &RunScenario,
    planned: &[PlannedRun],
    world: &World,
    world_info: WorldInfo,
    context: &RunContext<'_>,
) -> Result<RunOutput> {
    let started = Instant::now();
    let started_at = now_utc();
    let settings = scenario.metric_settings(world.scenario.judgements.gains)?;
    let policy = scenario.policy()?;
    let query_sets = query_sets::query_sets(scenario, world)?;
    let feed_users = feed_users(world, scenario.evaluation.ann_users);
    let feed_qrels = measure::feed_qrels(world);
    let asking = world.observable.queries.iter().map(|q| q.user).chain(world.feed_judgements.iter().map(|f| f.user));
    let contexts = LoggedContexts::new(&world.observable.logs, asking, scenario.evaluation.context_window);
    let bench = measure::Bench {
        scenario,
        registry: context.registry,
        world,
        settings,
        policy,
        query_sets: &query_sets,
        feed_users: &feed_users,
        feed_qrels: feed_qrels.as_ref(),
        contexts: &contexts,
        progress: context.progress,
    };
    let input =
        BuildInput { catalog: &world.observable.catalog, users: &world.observable.users, logs: &world.observable.logs };
    if let Some(simulation) = &scenario.simulation {
        // Against the world and the engines' declared capabilities, before any engine is built.
        let declared = |name: &str| {
            let p = planned.iter().find(|p| p.spec.name == name)?;
            context.registry.capabilities(&p.spec).ok()
        };
        simulate::check(simulation, world, &declared).map_err(|e| scenario.locate(e))?;
    }

    // Runs whose build-time parameters agree share one index, built once
    // (sweeps over query-time parameters, the cells of the coupling
    // factorial). Indexes are built group by group and dropped after their
    // last run; the searchers other runs compare against and the
    // simulation's arms are kept (they hold their index).
    let targets: Vec<&str> = planned.iter().filter_map(|p| p.ann_against.as_deref()).collect();
    let arms: Vec<&str> = scenario.simulation.iter().flat_map(|s| s.arms.iter().map(|a| a.engine.as_str())).collect();
    for target in &targets {
        if planned.iter().any(|p| p.spec.name == *target && !p.swept.is_empty()) {
            return Err(scenario.field_error(
                "engines.ann_against",
                format!("`{target}` is swept; the engine compared against must be a single run"),
            ));
        }
    }
    let groups = index_groups(context.registry, planned).map_err(|e| scenario.field_error("engines.params", e))?;
    // A shard builds and measures only its own units (`shard.rs`); when the
    // simulation splits by users, every shard also builds the arms' indexes
    // (without measuring them) to simulate its share.
    let share =
        context.shard.filter(|_| shard::splits_users(scenario)).map(|s| UserShare { index: s.index, count: s.count });
    let units = Units::new(scenario, planned, &groups, share.is_some());
    let owns = |unit: usize| context.shard.is_none_or(|s| s.owns(unit));
    let is_arm = |p: &PlannedRun| arms.contains(&p.spec.name.as_str()) && p.swept.is_empty();
    let mut groups: Vec<(Vec<usize>, bool)> = groups
        .into_iter()
        .zip(&units.of_group)
        .map(|(g, &u)| (g, owns(u)))
        .filter(|(g, measured)| *measured || (share.is_some() && g.iter().any(|&i| is_arm(&planned[i]))))
        .collect();
    let simulate_here = units.simulation.is_some_and(owns);
    // Groups holding an engine others are measured against go first (stable otherwise).
    groups.sort_by_key(|(g, _)| !g.iter().any(|&i| targets.contains(&planned[i].spec.name.as_str())));
    let kept_name = |p: &PlannedRun| {
        let name = p.spec.name.as_str();
        ((targets.contains(&name) || is_arm(p)) && p.swept.is_empty()).then(|| name.to_string())
    };
    let mut kept: BTreeMap<String, (Box<dyn Engine>, f64)> = BTreeMap::new();
    let mut engines: Vec<(usize, EngineRun)> = Vec::new();
    let mut per_query = Vec::new();
    let mut runs = Vec::new();
    for (group, measured) in &groups {
        let first = &planned[group[0]];
        (context.progress)(&format!("building the index of {}", first.id));
        let started = Instant::now();
        let index = context
            .registry
            .build_index(&first.spec, input)
            .map_err(|e| HarnessError::Invalid { what: format!("engine `{}`", first.id), message: e.to_string() })?;
        let seconds = started.elapsed().as_secs_f64();
        // Kept searchers first, so a run measured against one in its own group finds it.
        for &i in group {
            let p = &planned[i];
            if let Some(name) = kept_name(p).filter(|_| *measured || is_arm(p)) {
                let engine = context.registry.searcher(&index, &p.spec).map_err(|e| HarnessError::Invalid {
                    what: format!("engine `{}`", p.id),
                    message: e.to_string(),
                })?;
                kept.insert(name, (engine, seconds));
            }
        }
        for &i in group.iter().filter(|_| *measured) {
            let p = &planned[i];
            let fresh;
            let engine = match kept_name(p).and_then(|n| kept.get(&n)) {
                Some((engine, _)) => engine.as_ref(),
                None => {
                    fresh = context.registry.searcher(&index, &p.spec).map_err(|e| HarnessError::Invalid {
                        what: format!("engine `{}`", p.id),
                        message: e.to_string(),
                    })?;
                    fresh.as_ref()
                }
            };
            let against = p.ann_against.as_ref().and_then(|t| kept.get(t)).map(|(e, _)| e.as_ref());
            if p.ann_against.is_some() && against.is_none() {
                return Err(scenario.field_error(
                    "engines.ann_against",
                    format!(
                        "engine `{}` is measured against `{}`, which names no single engine run of this scenario",
                        p.id,
                        p.ann_against.as_deref().unwrap_or_default()
                    ),
                ));
            }
            (context.progress)(&format!("measuring {}", p.id));
            let mut measured = measure::measure(&bench, p, engine, seconds, &first.id, against)?;
            if !measured.hits.is_empty() {
                measured.run.trec_run = Some(format!("{RUNS_DIR}/{}.txt", file_stem(&p.id)));
                runs.push((i, p.id.clone(), measured.hits));
            }
            for (set, rows) in measured.per_query {
                per_query.push((i, p.id.clone(), set, rows));
            }
            engines.push((i, measured.run));
        }
    }
    // Back to plan order, whatever the grouping.
    engines.sort_by_key(|(i, _)| *i);
    runs.sort_by_key(|(i, _, _)| *i);
    per_query.sort_by_key(|(i, _, _, _)| *i);
    let engines: Vec<EngineRun> = engines.into_iter().map(|(_, e)| e).collect();
    let runs: Vec<(String, Run)> = runs.into_iter().map(|(_, id, hits)| (id, hits)).collect();
    let per_query: Vec<(String, String, Vec<QueryMetrics>)> =
        per_query.into_iter().map(|(_, id, set, rows)| (id, set, rows)).collect();

    let engines_of_arms =
        || -> Vec<(&str, &dyn Engine)> { kept.iter().map(|(n, (e, _))| (n.as_str(), e.as_ref())).collect() };
    let simulation_part = match (&scenario.simulation, share) {
        (Some(settings), Some(share)) => {
            (context.progress)(&format!("simulating share {}/{} of the users", share.index, share.count));
            let alone = worlds::without_sweeps(settings);
            Some(simulate::simulate_share(world, &engines_of_arms(), &alone, world.seed, share)?)
        }
        _ => None,
    };
    let simulation = match &scenario.simulation {
        Some(settings) if simulate_here => {
            (context.progress)("simulating");
            let engines = engines_of_arms();
            let rebuilder = retrain::Rebuilder { planned, world, context };
            let alone = worlds::without_sweeps(settings);
            let mut output = simulate::simulate_learning(world, &engines, Some(&rebuilder), &alone, world.seed, None)?;
            if !settings.world_seeds.is_empty() {
                output.summary.worlds = Some(worlds::replicate(settings, planned, world, &output, context)?);
            }
            if !settings.sensitivity.is_empty() {
                output.summary.sensitivity = sensitivity::sweep(settings, planned, world, context)?;
            }
            Some(output)
        }
        _ => None,
    };
    if scenario.evaluation.baseline.is_some() {
        (context.progress)(&format!(
            "significance against the baseline: paired t and randomisation tests ({} trials each)",
            scenario.evaluation.randomisation_trials
        ));
    }
    let significance = significance(scenario, planned, &per_query, policy)?;
    let fronts = fronts(&engines, &targets, settings.k);
    let mut results = Results {
        schema_version: SCHEMA_VERSION,
        run: RunInfo {
            tool_version: context.tool_version.to_string(),
            git_revision: git_revision(),
            host: host(),
            started: started_at,
            seconds: 0.0,
            threads: context.threads,
            scenario: scenario.name.clone(),
            scenario_path: scenario.file.as_ref().map(|f| f.display().to_string()),
            seed: world.seed,
        },
        evaluation: EvaluationInfo {
            k: settings.k,
            relevant_from: grade_name(settings.relevant_from).into(),
            gains: BTreeMap::from([
                ("exact".into(), settings.gains.exact),
                ("substitute".into(), settings.gains.substitute),
                ("complement".into(), settings.gains.complement),
                ("irrelevant".into(), settings.gains.irrelevant),
            ]),
            policy: policy.name().into(),
            metrics: scenario.evaluation.metrics.clone(),
            query_sets: query_sets.iter().map(|s| QuerySetInfo { name: s.name.clone(), queries: s.len }).collect(),
            baseline: scenario.evaluation.baseline.clone(),
        },
        world: world_info,
        engines,
        significance,
        fronts,
        simulation: simulation.as_ref().map(|s| s.summary.clone()),
        metrics: Vec::new(),
        shard: None,
        shards: Vec::new(),
    };
    results.metrics = flat_metrics::flat_metrics(&results);
    results.run.seconds = started.elapsed().as_secs_f64();
    Ok(RunOutput {
        results,
        per_query,
        runs,
        qrels: qrels_to_trec(&world.qrels.judgements),
        simulation,
        simulation_part,
    })
}

impl RunOutput {
    /// Whether this (shard's) run simulated a share of the users.
    pub fn simulates_a_share(&self) -> bool {
        self.simulation_part.is_some()
    }

    /// Writes `results.json`, `per_query.parquet`, `qrels.txt` and the TREC
    /// runs into `dir` (a staging folder: see [`folder::publish`]).
    pub fn write_into(&self, dir: &Path) -> Result<()> {
        let runs_dir = dir.join(RUNS_DIR);
        std::fs::create_dir_all(&runs_dir).map_err(|source| HarnessError::Io { path: runs_dir.clone(), source })?;
        for (id, run) in &self.runs {
            write_run(&runs_dir.join(format!("{}.txt", file_stem(id))), id, run)?;
        }
        let qrels = dir.join(QRELS_FILE);
        std::fs::write(&qrels, &self.qrels).map_err(|source| HarnessError::Io { path: qrels, source })?;
        let rows: Vec<PerQueryRow<'_>> = self
            .per_query
            .iter()
            .flat_map(|(id, set, rows)| rows.iter().map(move |q| (id.as_str(), set.as_str(), q)))
            .collect();
        write_per_query(&dir.join(PER_QUERY_FILE), &rows)?;
        if let Some(simulation) = &self.simulation {
            simulation.write_tables(dir)?;
        }
        if let Some(part) = &self.simulation_part {
            part.write(dir)?;
        }
        self.results.write(dir)
    }
}

/// The planned runs grouped by the index they can share: same kind, same
/// build-time parameters ([`Registry::build_key`]). Groups in order of their
/// first run, runs in plan order within a group.
pub fn index_groups(registry: &Registry, planned: &[PlannedRun]) -> std::result::Result<Vec<Vec<usize>>, String> {
    let mut keys: Vec<(String, toml::Table)> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        let key = (p.spec.kind.clone(), registry.build_key(&p.spec).map_err(|e| e.to_string())?);
        match keys.iter().position(|k| *k == key) {
            Some(g) => groups[g].push(i),
            None => {
                keys.push(key);
                groups.push(vec![i]);
            }
        }
    }
    Ok(groups)
}

/// The users of the evaluation queries, in query order without repeats, at most `n`.
fn feed_users(world: &World, n: usize) -> Vec<UserId> {
    let mut seen = vec![false; world.observable.users.len()];
    let mut users = Vec::new();
    for q in &world.observable.queries {
        if users.len() == n {
            break;
        }
        if let Some(s) = seen.get_mut(q.user.index())
            && !*s
        {
            *s = true;
            users.push(q.user);
        }
    }
    users
}

/// A run id as a file name: `hybrid[rrf_k=10,w=0.5]` → `hybrid--rrf_k=10--w=0.5`;
/// characters other than letters, digits, `-`, `_`, `.` and `=` become `_`.
fn file_stem(id: &str) -> String {
    let spaced = id.replace(['[', ','], "--").replace(']', "");
    spaced.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.=".contains(c) { c } else { '_' }).collect()
}

fn grade_name(grade: Grade) -> &'static str {
    match grade {
        Grade::Exact => "exact",
        Grade::Substitute => "substitute",
        Grade::Complement => "complement",
        Grade::Irrelevant => "irrelevant",
    }
}

/// Each searching run against the baseline's first run, per query set, on
/// per-query nDCG@k over the queries the policy counts for both.
fn significance(
    scenario: &RunScenario,
    planned: &[PlannedRun],
    per_query: &[(String, String, Vec<QueryMetrics>)],
    policy: crate::metrics::QueryPolicy,
) -> Result<Vec<Significance>> {
    let Some(baseline) = &scenario.evaluation.baseline else { return Ok(Vec::new()) };
    let Some(base_id) = planned.iter().find(|p| &p.spec.name == baseline).map(|p| p.id.as_str()) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (base_engine, set, base_rows) in per_query.iter().filter(|(id, _, _)| id == base_id) {
        for (engine, _, rows) in per_query.iter().filter(|(id, s, _)| id != base_engine && s == set) {
            let (a, b): (Vec<f64>, Vec<f64>) = rows
                .iter()
                .zip(base_rows)
                .filter(|(x, y)| policy.counts(x) && policy.counts(y))
                .map(|(x, y)| (x.ndcg_at_k, y.ndcg_at_k))
                .unzip();
            if a.len() < 2 {
                continue;
            }
            let t = paired_t_test(&a, &b)?;
            let r = paired_randomisation_test(&a, &b, scenario.evaluation.randomisation_trials, 0x5eed)?;
            out.push(Significance {
                engine: engine.clone(),
                baseline: base_id.to_string(),
                query_set: set.clone(),
                metric: "ndcg@k".into(),
                mean_difference: t.mean_difference,
                t_test_p: t.p_value,
                randomisation_p: r.p_value,
            });
        }
    }
    Ok(out)
}

/// Search quality against throughput and tail latency, and feed recall
/// against throughput, over every engine run that has both figures.
fn fronts(engines: &[EngineRun], ann_targets: &[&str], k: usize) -> Vec<ParetoFront> {
    let top_throughput =
        |e: &EngineRun, request: &str| closed_loads(e, request).max_by_key(|s| s.threads).map(|s| s.throughput);
    let single_p99 =
        |e: &EngineRun, request: &str| closed_loads(e, request).min_by_key(|s| s.threads).map(|s| s.latency.p99_us);
    let ndcg = |e: &EngineRun| e.quality.iter().find(|q| q.query_set == "all").map(|q| q.mean.ndcg_at_k);
    let mut out = Vec::new();
    let mut front = |title: String, x_label: String, xd, y_label: String, yd, points: Vec<(String, f64, f64)>| {
        if points.len() >= 2 {
            out.push(ParetoFront {
                title,
                x_label,
                x_direction: xd,
                y_label,
                y_direction: yd,
                points: pareto_front(points, xd, yd),
            });
        }
    };
    let search_qps: Vec<_> =
        engines.iter().filter_map(|e| Some((e.id.clone(), top_throughput(e, "search")?, ndcg(e)?))).collect();
    front(
        format!("search: nDCG@{k} vs throughput"),
        "throughput (requests/s, most threads)".into(),
        Direction::Bigger,
        format!("nDCG@{k}"),
        Direction::Bigger,
        search_qps,
    );
    let search_p99: Vec<_> =
        engines.iter().filter_map(|e| Some((e.id.clone(), single_p99(e, "search")?, ndcg(e)?))).collect();
    front(
        format!("search: nDCG@{k} vs p99 latency"),
        "p99 latency (µs, one thread)".into(),
        Direction::Smaller,
        format!("nDCG@{k}"),
        Direction::Bigger,
        search_p99,
    );
    let feed: Vec<_> = engines
        .iter()
        .filter_map(|e| {
            let recall = match &e.ann {
                Some(a) => a.ann_benchmarks,
                None if ann_targets.contains(&e.name.as_str()) => 1.0,
                None => return None,
            };
            Some((e.id.clone(), recall, top_throughput(e, "recommend")?))
        })
        .collect();
    front(
        "feed: recall vs throughput".into(),
        "recall@k (ann-benchmarks)".into(),
        Direction::Bigger,
        "throughput (requests/s, most threads)".into(),
        Direction::Bigger,
        feed,
    );
    out
}

/// The closed-loop measurements of one request kind.
fn closed_loads<'a>(e: &'a EngineRun, request: &'a str) -> impl Iterator<Item = &'a LoadSummary> + 'a {
    e.load.iter().filter(move |r| r.request == request).filter_map(|r| match &r.mode {
        LoadMode::Closed(s) => Some(s),
        LoadMode::Open(_) | LoadMode::Batch(_) => None,
    })
}
