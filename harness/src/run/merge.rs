//! `searchrec merge SHARD_DIR... --out RUN_DIR`: the shards of one run
//! (`run --shard I/N`) put back together.
//!
//! Every deterministic figure of a shard is a pure function of the scenario
//! and the seed, so the engine runs, their per-query rows and TREC runs (and
//! a simulation one shard ran whole) are taken as the shard that owned them
//! measured them; what spans engine runs — significance against the
//! baseline, the Pareto fronts, the flat metric list — is recomputed here
//! from the merged per-query table, exactly as an unsharded run computes
//! it. A simulation split by users is joined from every shard's part and
//! analysed here once ([`simulate::join_parts`]). Wall-clock figures stay
//! those of the shard that measured them, and `shards` says which host that
//! was.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use searchrec_engine::Registry;

use crate::metrics::QueryMetrics;
use crate::results::{PER_QUERY_FILE, RESULTS_FILE, Results, ShardRecord, read_per_query, read_results};
use crate::run::environment::host;
use crate::run::{QRELS_FILE, check_engines, fronts, significance};
use crate::scenario::RunScenario;
use crate::simulate::{self, SESSIONS_FILE, SimulationOutput, SimulationPart, USERS_FILE};
use crate::{HarnessError, Result};

/// The scenario file a shard keeps beside its results.
pub const SCENARIO_FILE: &str = "scenario.toml";

/// A merged run, ready to be written.
pub struct Merged {
    /// The recomputed results, with every shard's record.
    pub results: Results,
    per_query: Vec<(String, String, Vec<QueryMetrics>)>,
    /// A simulation split by users, joined.
    joined: Option<SimulationOutput>,
    /// Files copied as they are: (from, relative path in the run folder).
    copies: Vec<(PathBuf, PathBuf)>,
}

/// What a shard folder holds, read.
struct ShardFolder {
    dir: PathBuf,
    results: Results,
    record: ShardRecord,
}

/// Reads and checks the shards in `dirs` (any order) and merges them; the
/// engine kinds of `registry` re-plan the scenario the shards carry.
/// Refuses shards of different scenarios, worlds, versions or shard
/// counts, a missing or repeated index, and a shard folder missing a file
/// its results name, before anything is written.
pub fn merge(dirs: &[PathBuf], registry: &Registry) -> Result<Merged> {
    let started = Instant::now();
    if dirs.is_empty() {
        return Err(invalid("merge", "no shard folder given; pass every SHARD_DIR of the run".into()));
    }
    let shards = dirs.iter().map(|d| read_shard(d)).collect::<Result<Vec<_>>>()?;
    let shards = check_set(shards)?;
    let first = &shards[0];
    let scenario = scenario_of(first)?;
    let planned = check_engines(&scenario, registry)?;
    let ids: Vec<String> = planned.iter().map(|p| p.id.clone()).collect();
    if ids != first.record.planned {
        return Err(invalid(
            &first.dir.display().to_string(),
            "its scenario plans other engine runs than the shard recorded; was it written by another searchrec?".into(),
        ));
    }
    let owner = owners(&shards, &ids)?;
    let simulating: Vec<&ShardFolder> = shards.iter().filter(|s| s.record.simulation).collect();
    let split = super::shard::splits_users(&scenario);
    if let Some(s) = shards.iter().find(|s| s.record.user_share != split) {
        return Err(invalid(
            &s.dir.display().to_string(),
            format!(
                "{} a share of the simulation's users, but the scenario's simulation {}; the shards do not \
                 partition the run",
                if split { "did not simulate" } else { "simulated" },
                if split { "splits by users" } else { "does not split" }
            ),
        ));
    }
    match (scenario.simulation.is_some() && !split, simulating.len()) {
        (false, 0) | (true, 1) => {}
        (wanted, n) => {
            return Err(invalid(
                "merge",
                format!(
                    "{n} shards ran the simulation, but the scenario {}; the shards do not partition the run",
                    if wanted { "has one" } else { "has none" }
                ),
            ));
        }
    }

    let mut per_shard_rows = Vec::with_capacity(shards.len());
    for s in &shards {
        let path = s.dir.join(PER_QUERY_FILE);
        let rows = read_per_query(&path)?;
        per_shard_rows.push(rows);
    }
    let mut engines = Vec::with_capacity(ids.len());
    let mut per_query = Vec::new();
    let mut copies = vec![(first.dir.join(QRELS_FILE), PathBuf::from(QRELS_FILE))];
    for id in &ids {
        let s = owner[id];
        let shard = &shards[s];
        let run = shard.results.engines.iter().find(|e| &e.id == id).ok_or_else(|| {
            invalid(
                &shard.dir.display().to_string(),
                format!("results.json lacks engine run `{id}` it says it measured"),
            )
        })?;
        let rows: Vec<_> = per_shard_rows[s].iter().filter(|(e, _, _)| e == id).cloned().collect();
        let sets: Vec<&str> = run.quality.iter().map(|q| q.query_set.as_str()).collect();
        if rows.iter().map(|(_, set, _)| set.as_str()).collect::<Vec<_>>() != sets {
            return Err(invalid(
                &shard.dir.join(PER_QUERY_FILE).display().to_string(),
                format!("the rows of `{id}` are not those of its quality rows ({sets:?}); the folder is incomplete"),
            ));
        }
        per_query.extend(rows);
        if let Some(trec) = &run.trec_run {
            copies.push((shard.dir.join(trec), PathBuf::from(trec)));
        }
        engines.push(run.clone());
    }
    let joined = match scenario.simulation.as_ref().filter(|_| split) {
        Some(settings) => {
            let parts = shards.iter().map(|s| SimulationPart::read(&s.dir)).collect::<Result<Vec<_>>>()?;
            Some(simulate::join_parts(&super::worlds::without_sweeps(settings), parts)?)
        }
        None => None,
    };
    let simulation = match &joined {
        Some(output) => Some(output.summary.clone()),
        None => simulating.first().and_then(|s| s.results.simulation.clone()),
    };
    if let Some(s) = simulating.first() {
        for file in [SESSIONS_FILE, USERS_FILE] {
            copies.push((s.dir.join(file), PathBuf::from(file)));
        }
    }
    for (from, _) in &copies {
        if !from.is_file() {
            return Err(invalid(
                &from.display().to_string(),
                "missing: the shard folder is incomplete (copy it again, or rerun that shard)".into(),
            ));
        }
    }

    let policy = scenario.policy()?;
    let k = first.results.evaluation.k;
    let targets: Vec<&str> = planned.iter().filter_map(|p| p.ann_against.as_deref()).collect();
    let significance = significance(&scenario, &planned, &per_query, policy)?;
    let fronts = fronts(&engines, &targets, k);
    let records: Vec<ShardRecord> = shards.iter().map(|s| s.record.clone()).collect();
    let mut run = first.results.run.clone();
    run.host = host();
    run.started = records.iter().map(|r| r.started.clone()).min().unwrap_or_default();
    run.seconds = records.iter().map(|r| r.seconds).fold(0.0, f64::max) + started.elapsed().as_secs_f64();
    let mut world = first.results.world.clone();
    world.load_seconds = shards.iter().map(|s| s.results.world.load_seconds).fold(0.0, f64::max);
    let mut results = Results {
        schema_version: first.results.schema_version,
        run,
        world,
        evaluation: first.results.evaluation.clone(),
        engines,
        significance,
        fronts,
        simulation,
        metrics: Vec::new(),
        shard: None,
        shards: records,
    };
    results.metrics = super::flat_metrics::flat_metrics(&results);
    Ok(Merged { results, per_query, joined, copies })
}

impl Merged {
    /// Writes `results.json`, `per_query.parquet`, the simulation tables
    /// and the copied files (qrels, TREC runs) into `dir`, a staging folder.
    pub fn write_into(&self, dir: &Path) -> Result<()> {
        if let Some(joined) = &self.joined {
            joined.write_tables(dir)?;
        }
        for (from, to) in &self.copies {
            let to = dir.join(to);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|source| HarnessError::Io { path: parent.into(), source })?;
            }
            std::fs::copy(from, &to).map_err(|source| HarnessError::Io { path: from.clone(), source })?;
        }
        let rows: Vec<_> = self
            .per_query
            .iter()
            .flat_map(|(id, set, rows)| rows.iter().map(move |q| (id.as_str(), set.as_str(), q)))
            .collect();
        crate::results::write_per_query(&dir.join(PER_QUERY_FILE), &rows)?;
        self.results.write(dir)
    }
}

fn read_shard(dir: &Path) -> Result<ShardFolder> {
    let what = dir.display().to_string();
    if !dir.join(RESULTS_FILE).is_file() {
        return Err(invalid(
            &what,
            format!("no {RESULTS_FILE}: not a shard folder, or one whose shard did not finish"),
        ));
    }
    let results = read_results(dir)?;
    let record = results.shard.clone().ok_or_else(|| {
        invalid(
            &what,
            "a run folder, not a shard folder (its results have no `shard` section): use `run --shard I/N`".into(),
        )
    })?;
    Ok(ShardFolder { dir: dir.to_path_buf(), results, record })
}

/// The shards in index order, once each, all of one run.
fn check_set(mut shards: Vec<ShardFolder>) -> Result<Vec<ShardFolder>> {
    shards.sort_by_key(|s| s.record.index);
    let first = &shards[0];
    let count = first.record.count;
    for s in &shards[1..] {
        let (a, b) = (&first.record, &s.record);
        let differs = |what: &str, x: &str, y: &str| {
            invalid(
                "merge",
                format!(
                    "{} and {} are not shards of one run: their {what} differ ({x} against {y})",
                    first.dir.display(),
                    s.dir.display()
                ),
            )
        };
        if a.count != b.count {
            return Err(differs("shard counts", &a.count.to_string(), &b.count.to_string()));
        }
        if a.scenario_hash != b.scenario_hash || a.sim_seed != b.sim_seed {
            return Err(differs("scenarios", &a.scenario_hash, &b.scenario_hash));
        }
        if a.world_fingerprint != b.world_fingerprint {
            return Err(differs("world fingerprints", &a.world_fingerprint, &b.world_fingerprint));
        }
        let (va, vb) = (&first.results.run.tool_version, &s.results.run.tool_version);
        if va != vb {
            return Err(differs("searchrec versions", va, vb));
        }
    }
    for pair in shards.windows(2) {
        if pair[0].record.index == pair[1].record.index {
            return Err(invalid(
                "merge",
                format!(
                    "shard {}/{count} is given twice: {} and {}",
                    pair[0].record.index,
                    pair[0].dir.display(),
                    pair[1].dir.display()
                ),
            ));
        }
    }
    let present: BTreeSet<usize> = shards.iter().map(|s| s.record.index).collect();
    let missing: Vec<String> = (0..count).filter(|i| !present.contains(i)).map(|i| format!("{i}/{count}")).collect();
    if !missing.is_empty() {
        return Err(invalid(
            "merge",
            format!("shard {} missing: pass every shard folder of the run", missing.join(", ")),
        ));
    }
    Ok(shards)
}

/// The run scenario a shard carries, with the `--sim-seed` it ran under.
fn scenario_of(shard: &ShardFolder) -> Result<RunScenario> {
    let path = shard.dir.join(SCENARIO_FILE);
    let mut scenario = RunScenario::load(&path)?;
    let record = &shard.record;
    if super::shard::scenario_hash(&scenario.text, record.sim_seed, record.simulation_only) != record.scenario_hash {
        return Err(invalid(
            &path.display().to_string(),
            "is not the scenario the shard ran (its hash differs); the folder was edited".into(),
        ));
    }
    if let (Some(seed), Some(simulation)) = (record.sim_seed, scenario.simulation.as_mut()) {
        simulation.seed = Some(seed);
    }
    if record.simulation_only {
        scenario.simulation_only()?;
    }
    Ok(scenario)
}

/// The shard that measured each engine run: every run exactly once.
fn owners(shards: &[ShardFolder], ids: &[String]) -> Result<BTreeMap<String, usize>> {
    let mut owner = BTreeMap::new();
    for (s, shard) in shards.iter().enumerate() {
        for id in &shard.record.measured {
            if !ids.contains(id) {
                return Err(invalid(
                    &shard.dir.display().to_string(),
                    format!("measured `{id}`, which the scenario does not plan"),
                ));
            }
            if let Some(other) = owner.insert(id.clone(), s) {
                return Err(invalid(
                    "merge",
                    format!(
                        "engine run `{id}` was measured by two shards: {} and {}",
                        shards[other].dir.display(),
                        shard.dir.display()
                    ),
                ));
            }
        }
    }
    if let Some(id) = ids.iter().find(|id| !owner.contains_key(*id)) {
        return Err(invalid(
            "merge",
            format!("no shard measured engine run `{id}`; the shards do not partition the run"),
        ));
    }
    Ok(owner)
}

fn invalid(what: &str, message: String) -> HarnessError {
    HarnessError::Invalid { what: what.to_string(), message }
}
