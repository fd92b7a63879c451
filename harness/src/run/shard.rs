//! Sharded runs (`run --shard I/N`): a deterministic partition of a run's
//! work into units that N independent processes share, and `merge`, which
//! puts their folders back together into exactly the unsharded result.
//!
//! A **unit** is work that must run in one process: the engine runs that
//! share an index (built once), joined with the runs measured against them
//! (`ann_against` needs its reference engine at hand). Units are numbered in
//! plan order and unit `u` goes to shard `u mod N`, so every shard computes
//! the same partition from the scenario alone.
//!
//! The simulation splits by users ([`splits_users`]): every shard builds
//! the arms' indexes and simulates the users at positions `p ≡ I (mod N)`
//! of the sample, and `merge` joins the shares before any statistic. A
//! simulation that needs every user at once (the data loop, sizing,
//! replication over worlds, sensitivity sweeps) is instead one unit with
//! every index its arms search.

use std::fmt;
use std::str::FromStr;

use searchrec_datasets::World;
use searchrec_datasets::fingerprint::fingerprint;

use crate::results::ShardRecord;
use crate::run::RunOutput;
use crate::run::plan::PlannedRun;
use crate::scenario::RunScenario;
use crate::simulate;

/// Most shards a run may be split into.
pub const MAX_SHARDS: usize = 1024;

/// One shard of N: `I/N` with `0 ≤ I < N` (0-based, as Kubernetes'
/// `JOB_COMPLETION_INDEX` and a Slurm array from 0 count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard's index.
    pub index: usize,
    /// How many shards share the run.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let form = "write it as I/N with 0 ≤ I < N, e.g. 0/3 for the first of three";
        let (i, n) = s.split_once('/').ok_or_else(|| format!("`{s}` is not a shard; {form}"))?;
        let parse = |v: &str| v.trim().parse::<usize>().map_err(|_| format!("`{s}` is not a shard; {form}"));
        let (index, count) = (parse(i)?, parse(n)?);
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("`{s}`: the shard count must be 1 to {MAX_SHARDS}"));
        }
        if index >= count {
            return Err(format!("`{s}`: index {index} is past the last shard, {}; {form}", count - 1));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The units of a run: the unit of each index group, and the simulation's.
#[derive(Debug, PartialEq)]
pub(crate) struct Units {
    /// Per index group (in the order given), its unit.
    pub of_group: Vec<usize>,
    /// The simulation's unit, when the scenario has one.
    pub simulation: Option<usize>,
}

impl Units {
    /// Joins index groups into units: groups linked by `ann_against`, and,
    /// unless the simulation's users are split (`split_users`), the groups
    /// its arms search together with the simulation.
    pub fn new(scenario: &RunScenario, planned: &[PlannedRun], groups: &[Vec<usize>], split_users: bool) -> Units {
        let group_of_run = |name: &str| {
            groups.iter().position(|g| g.iter().any(|&i| planned[i].spec.name == name && planned[i].swept.is_empty()))
        };
        let mut parent: Vec<usize> = (0..groups.len()).collect();
        fn root(parent: &mut [usize], mut g: usize) -> usize {
            while parent[g] != g {
                parent[g] = parent[parent[g]];
                g = parent[g];
            }
            g
        }
        // The smaller root wins, so a unit is named by its first group.
        let join = |parent: &mut Vec<usize>, a: usize, b: usize| {
            let (ra, rb) = (root(parent, a), root(parent, b));
            parent[ra.max(rb)] = ra.min(rb);
        };
        for (g, group) in groups.iter().enumerate() {
            for &i in group {
                if let Some(target) = planned[i].ann_against.as_deref().and_then(group_of_run) {
                    join(&mut parent, g, target);
                }
            }
        }
        let arm_groups: Vec<usize> = scenario
            .simulation
            .iter()
            .filter(|_| !split_users)
            .flat_map(|s| s.arms.iter().filter_map(|a| group_of_run(&a.engine)))
            .collect();
        for pair in arm_groups.windows(2) {
            join(&mut parent, pair[0], pair[1]);
        }
        // Units numbered by their first group, in group order.
        let roots: Vec<usize> = (0..groups.len()).map(|g| root(&mut parent, g)).collect();
        let mut numbers: Vec<usize> = roots.clone();
        numbers.sort_unstable();
        numbers.dedup();
        let unit = |r: usize| numbers.binary_search(&r).unwrap_or_default();
        let of_group: Vec<usize> = roots.iter().map(|&r| unit(r)).collect();
        let simulation = scenario.simulation.as_ref().filter(|_| !split_users).map(|_| match arm_groups.first() {
            Some(&g) => of_group[g],
            // A simulation without a measured arm engine is a unit of its own.
            None => numbers.len(),
        });
        Units { of_group, simulation }
    }
}

impl Shard {
    /// Whether unit `unit` is this shard's work.
    pub fn owns(&self, unit: usize) -> bool {
        unit % self.count == self.index
    }
}

/// Whether a sharded run of `scenario` splits its simulation by users
/// (rather than running it whole on one shard): it has one, and nothing in
/// it needs every user at once ([`simulate::unsplittable`]).
pub fn splits_users(scenario: &RunScenario) -> bool {
    scenario.simulation.as_ref().is_some_and(|s| simulate::unsplittable(s).is_none())
}

/// A shard as the command line asked for it: which one, and what `merge`
/// must replay to re-plan the same run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardRequest {
    /// The shard.
    pub shard: Shard,
    /// The `--sim-seed` (or `simulate --seed`) override.
    pub sim_seed: Option<u64>,
    /// Whether it is a shard of `searchrec simulate` (the scenario cut to
    /// its simulation, [`RunScenario::simulation_only`]).
    pub simulation_only: bool,
}

/// What shards of one run must agree on: the scenario's text, the
/// `--sim-seed` override and the command, hashed.
pub fn scenario_hash(text: &str, sim_seed: Option<u64>, simulation_only: bool) -> String {
    let command = if simulation_only { "\nsimulate" } else { "" };
    text_hash(&format!("{text}\n--sim-seed {sim_seed:?}{command}"))
}

/// The record a shard writes into its results: which shard, of what, on
/// which world, and what it measured.
pub fn record(
    request: ShardRequest,
    scenario: &RunScenario,
    planned: &[PlannedRun],
    world: &World,
    output: &RunOutput,
) -> ShardRecord {
    let ShardRequest { shard, sim_seed, simulation_only } = request;
    let results = &output.results;
    ShardRecord {
        index: shard.index,
        count: shard.count,
        scenario_hash: scenario_hash(&scenario.text, sim_seed, simulation_only),
        sim_seed,
        simulation_only,
        world_fingerprint: fingerprint(world),
        planned: planned.iter().map(|p| p.id.clone()).collect(),
        measured: results.engines.iter().map(|e| e.id.clone()).collect(),
        simulation: results.simulation.is_some(),
        user_share: output.simulates_a_share(),
        host: results.run.host.clone(),
        started: results.run.started.clone(),
        seconds: results.run.seconds,
    }
}

/// 64-bit FNV-1a of `text`, as 16 hex digits.
fn text_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in text.as_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_refuse_what_is_not_one() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!("0/1".parse::<Shard>().map(|s| s.to_string()), Ok("0/1".to_string()));
        for bad in ["3/3", "1/0", "a/2", "2", "-1/2", "0/2000"] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains(bad), "{bad}: {err}");
        }
    }

    #[test]
    fn ann_targets_and_arms_share_a_unit_and_units_follow_plan_order() {
        let scenario = RunScenario::from_toml(
            r#"
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
            [[engines]]
            name = "cold"
            kind = "interest"
            params = { embedding = { factors = 8 } }
            [simulation]
            users = 10
            arms = [{ name = "a", engine = "shelf", channels = "search" }, { name = "b", engine = "cold", channels = "feed" }]
            "#,
            std::path::Path::new("s.toml"),
        )
        .unwrap();
        let planned = crate::run::plan::plan(&scenario).unwrap();
        // One group per run here: each has its own build parameters.
        let groups: Vec<Vec<usize>> = (0..planned.len()).map(|i| vec![i]).collect();
        let units = Units::new(&scenario, &planned, &groups, false);
        // shelf + cold (the arms, with the simulation), exact + interest.
        assert_eq!(units.of_group, vec![0, 1, 1, 0]);
        assert_eq!(units.simulation, Some(0));
        // Split by users, the arms need not share a shard.
        let split = Units::new(&scenario, &planned, &groups, true);
        assert_eq!(split.of_group, vec![0, 1, 1, 2]);
        assert_eq!(split.simulation, None);
        assert!(splits_users(&scenario));
        let two = Shard { index: 1, count: 2 };
        assert!(two.owns(1) && !two.owns(0));
    }

    #[test]
    fn text_hashes_differ_with_the_text() {
        assert_eq!(text_hash("a"), text_hash("a"));
        assert_ne!(text_hash("a"), text_hash("b"));
        assert_eq!(text_hash("").len(), 16);
    }
}
