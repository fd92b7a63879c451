//! A simulation split by users (`run --shard I/N`). Every user's sessions
//! come from streams keyed by the user, so a share of the sampled users can
//! run in its own process; each share keeps what its users produced before
//! any statistic (per-user GMV and its parts, pooled counts, the A/A
//! check's per-user differences, the CUPED covariate, the rows), and
//! [`join_parts`] puts the shares back in user order and runs the analysis
//! once. Every estimate, interval, MDE and verdict is then the unsplit
//! simulation's, to the bit; only the timings are the shares' sums.
//!
//! A share is the users at positions `p ≡ index (mod count)` of the
//! sampled, ascending list, so shares stay balanced whatever the sample.

use std::path::Path;

use searchrec_datasets::UserId;
use serde::{Deserialize, Serialize};

use super::arms::ArmLabel;
use super::cuped::Covariate;
use super::experiment::{Outcome, Tally, Work};
use super::paths::PATHS;
use super::settings::SimulationSettings;
use super::tables::{self, SessionRow, UserRow};
use super::{Collected, SimulationOutput, analyse};
use crate::atomic_file::write_atomically;
use crate::{HarnessError, Result};

/// The file a share writes beside its `sessions.parquet` and `users.parquet`.
pub const PART_FILE: &str = "simulation_part.json";

/// The part file's format; a reader refuses others.
const FORMAT: u32 = 1;

/// Most catalogue items a part's tallies may count: past any world
/// searchrec generates or loads (`large`: 10M items), so that an edited
/// file cannot make the reader allocate without bound.
const MAX_ITEMS: usize = 1 << 28;

/// Which of the sampled users one process simulates: those at positions
/// `p` with `p mod count == index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserShare {
    /// This share, from 0.
    pub index: usize,
    /// How many shares split the users.
    pub count: usize,
}

impl UserShare {
    /// Every user.
    pub const ALL: UserShare = UserShare { index: 0, count: 1 };

    /// This share's users of `users`, in their order.
    pub(crate) fn pick(self, users: Vec<UserId>) -> Vec<UserId> {
        users.into_iter().enumerate().filter(|(p, _)| p % self.count.max(1) == self.index).map(|(_, u)| u).collect()
    }
}

/// Why a simulation of `settings` cannot be split by users, if it cannot:
/// the setting (a field of `[simulation]`) and the reason. Such a
/// simulation runs whole on one shard.
pub fn unsplittable(settings: &SimulationSettings) -> Option<(&'static str, &'static str)> {
    if settings.retrain_days > 0 {
        Some(("retrain_days", "the data loop retrains each arm's engines on the traffic of all its users at once"))
    } else if settings.target_mde.is_some() {
        Some(("target_mde", "sizing runs pilots of growing size, each needing every user's result"))
    } else if !settings.world_seeds.is_empty() {
        Some(("world_seeds", "replication over worlds regenerates the world and retrains the engines"))
    } else if !settings.sensitivity.is_empty() {
        Some(("sensitivity", "every sweep point regenerates the world and retrains the engines"))
    } else {
        None
    }
}

/// What one share of users produced: its part file and its table rows.
#[derive(Debug)]
pub struct SimulationPart {
    file: PartFile,
    sessions: Vec<SessionRow>,
    users: Vec<UserRow>,
}

/// The part file: everything but the rows (which go to the Parquet tables).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PartFile {
    format: u32,
    index: usize,
    count: usize,
    /// The simulation seed.
    seed: u64,
    /// Users sampled over all shares.
    sampled: usize,
    /// This share's users, ascending.
    users: Vec<u32>,
    arms: Vec<ArmLabel>,
    bounded: bool,
    /// Per arm, per user of this share (as [`Outcome`]).
    gmv: Vec<Vec<f64>>,
    sessions_per_user: Vec<Vec<f64>>,
    forgone: Vec<Vec<f64>>,
    path_gmv: Vec<Vec<Vec<f64>>>,
    planted_gmv: Option<Vec<f64>>,
    tallies: Vec<TallyCounts>,
    /// Per A/A replicate, per user of this share.
    aa: Option<Vec<Vec<f64>>>,
    covariate: Vec<f64>,
    population_mean: f64,
    sessions: u64,
    engine_ns: u64,
    busy_ns: u64,
    seconds: f64,
}

/// A [`Tally`] as numbers: the shown items by index, the latency histogram
/// as (value, count) pairs of its recorded buckets.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TallyCounts {
    user_runs: u64,
    sessions: u64,
    searches: u64,
    impressions: u64,
    clicks: u64,
    orders: u64,
    items: usize,
    shown: Vec<u32>,
    latency: Vec<[u64; 2]>,
}

impl TallyCounts {
    fn of(t: &Tally) -> TallyCounts {
        TallyCounts {
            user_runs: t.user_runs,
            sessions: t.sessions,
            searches: t.searches,
            impressions: t.impressions,
            clicks: t.clicks,
            orders: t.orders,
            items: t.shown.len(),
            shown: t.shown.iter().enumerate().filter(|(_, s)| **s).map(|(i, _)| i as u32).collect(),
            latency: t.latency.iter_recorded().map(|v| [v.value_iterated_to(), v.count_at_value()]).collect(),
        }
    }

    fn tally(&self, what: &str) -> Result<Tally> {
        let mut t = Tally::new(self.items)?;
        (t.user_runs, t.sessions, t.searches, t.impressions, t.clicks, t.orders) =
            (self.user_runs, self.sessions, self.searches, self.impressions, self.clicks, self.orders);
        for &item in &self.shown {
            *t.shown.get_mut(item as usize).ok_or_else(|| inconsistent(what, "a shown item past the catalogue"))? =
                true;
        }
        for &[value, count] in &self.latency {
            t.latency.record_n(value, count).map_err(|e| inconsistent(what, &format!("a latency of {value}: {e}")))?;
        }
        Ok(t)
    }
}

impl SimulationPart {
    /// The part of `share` from what its users produced; `sampled` is the
    /// number of users over all shares.
    pub(crate) fn new(share: UserShare, seed: u64, sampled: usize, c: Collected) -> Result<SimulationPart> {
        if c.data_loop.is_some() {
            return Err(HarnessError::Invalid {
                what: "simulation.retrain_days".into(),
                message: "a simulation with the data loop cannot be split by users".into(),
            });
        }
        let o = c.outcome;
        let file = PartFile {
            format: FORMAT,
            index: share.index,
            count: share.count,
            seed,
            sampled,
            users: c.users.iter().map(|u| u.0).collect(),
            arms: c.arms,
            bounded: c.bounded,
            gmv: o.gmv,
            sessions_per_user: o.sessions_per_user,
            forgone: o.forgone,
            path_gmv: o.path_gmv,
            planted_gmv: o.planted_gmv,
            tallies: o.tallies.iter().map(TallyCounts::of).collect(),
            aa: c.aa,
            covariate: c.covariate.values,
            population_mean: c.covariate.population_mean,
            sessions: c.work.sessions,
            engine_ns: c.work.engine_ns,
            busy_ns: c.work.busy_ns,
            seconds: c.seconds,
        };
        Ok(SimulationPart { file, sessions: o.sessions, users: o.users })
    }

    /// Which share this is.
    pub fn share(&self) -> UserShare {
        UserShare { index: self.file.index, count: self.file.count }
    }

    /// Writes [`PART_FILE`] and the share's `sessions.parquet` and
    /// `users.parquet` into `dir` (which must exist), each atomically.
    pub fn write(&self, dir: &Path) -> Result<()> {
        tables::write(dir, &self.sessions, &self.users)?;
        let path = dir.join(PART_FILE);
        let json =
            serde_json::to_vec(&self.file).map_err(|e| inconsistent(&path.display().to_string(), &e.to_string()))?;
        write_atomically(&path, &json)
    }

    /// Reads what [`SimulationPart::write`] wrote into `dir`, checking that
    /// its figures fit together.
    pub fn read(dir: &Path) -> Result<SimulationPart> {
        let path = dir.join(PART_FILE);
        let what = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|source| HarnessError::Io { path: path.clone(), source })?;
        let file: PartFile = serde_json::from_slice(&bytes).map_err(|e| {
            inconsistent(&what, &format!("not a simulation part searchrec can read ({e}); the file may be truncated"))
        })?;
        if file.format != FORMAT {
            return Err(inconsistent(
                &what,
                &format!(
                    "format {} (this searchrec reads {FORMAT}): merge with the searchrec that ran the shards",
                    file.format
                ),
            ));
        }
        file.check(&what)?;
        let (sessions, users) = tables::read(dir)?;
        Ok(SimulationPart { file, sessions, users })
    }
}

impl PartFile {
    /// Whether this part's shape is that of a simulation of `settings`:
    /// its arms (the oracle's after the scenario's), paths, planted cell
    /// and A/A replicates.
    fn fits(&self, settings: &SimulationSettings) -> bool {
        let names: Vec<&str> = self.arms.iter().map(|a| a.name.as_str()).collect();
        let scenario: Vec<&str> = settings.arms.iter().map(|a| a.name.as_str()).collect();
        let oracle = settings.factorial.is_some() && settings.oracle;
        names.len() == scenario.len() + 3 * oracle as usize
            && names.starts_with(&scenario)
            && self.path_gmv.iter().all(|p| p.len() == PATHS)
            && self.planted_gmv.is_some() == (settings.planted.is_some() && settings.factorial.is_some())
            && self.aa.as_ref().map_or(0, Vec::len) == settings.aa_replicates
    }

    /// Every per-user vector has one entry per user, every per-arm list one per arm.
    fn check(&self, what: &str) -> Result<()> {
        let (arms, users) = (self.arms.len(), self.users.len());
        let per_user = |v: &Vec<f64>| v.len() == users;
        let fits = self.count > 0
            && self.index < self.count
            && self.users.windows(2).all(|w| w[0] < w[1])
            && [&self.gmv, &self.sessions_per_user, &self.forgone]
                .iter()
                .all(|m| m.len() == arms && m.iter().all(per_user))
            && self.path_gmv.len() == arms
            && self.path_gmv.iter().flatten().all(per_user)
            && self.planted_gmv.iter().all(per_user)
            && self.tallies.len() == arms
            && self.tallies.iter().all(|t| t.items <= MAX_ITEMS && t.items == self.tallies[0].items)
            && self.aa.iter().flatten().all(per_user)
            && per_user(&self.covariate);
        if fits {
            Ok(())
        } else {
            Err(inconsistent(what, "its figures do not fit together (one per user and arm); the file was edited"))
        }
    }
}

/// The unsplit simulation from every share's part (any order): the users
/// back in simulation order, the rows in the unsplit tables' order, and the
/// analysis run once under `settings` (those every share ran).
pub fn join_parts(settings: &SimulationSettings, mut parts: Vec<SimulationPart>) -> Result<SimulationOutput> {
    parts.sort_by_key(|p| p.file.index);
    let Some(first) = parts.first() else {
        return Err(inconsistent("merge", "no simulation part to join"));
    };
    let f = &first.file;
    let count = f.count;
    for (i, p) in parts.iter().enumerate() {
        let q = &p.file;
        if q.index != i || q.count != count {
            return Err(inconsistent(
                "merge",
                &format!("the simulation's shares are not 0..{count}, each once: found share {}/{}", q.index, q.count),
            ));
        }
        if (q.seed, q.sampled, &q.arms, q.bounded) != (f.seed, f.sampled, &f.arms, f.bounded)
            || q.population_mean.to_bits() != f.population_mean.to_bits()
            || q.aa.is_some() != f.aa.is_some()
            || q.planted_gmv.is_some() != f.planted_gmv.is_some()
            || q.tallies.first().map(|t| t.items) != f.tallies.first().map(|t| t.items)
        {
            return Err(inconsistent("merge", &format!("share {i} ran another simulation than share 0")));
        }
    }
    if parts.len() != count {
        return Err(inconsistent("merge", &format!("{} of the simulation's {count} shares given", parts.len())));
    }
    if let Some(p) = parts.iter().find(|p| !p.file.fits(settings)) {
        return Err(inconsistent(
            "merge",
            &format!(
                "share {} ran other arms, checks or replicates than the simulation's settings name; it comes \
                 from another scenario or was edited",
                p.file.index
            ),
        ));
    }
    let mut all: Vec<u32> = parts.iter().flat_map(|p| p.file.users.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    let total: usize = parts.iter().map(|p| p.file.users.len()).sum();
    if all.len() != total || total != f.sampled {
        return Err(inconsistent(
            "merge",
            &format!("the shares hold {total} users ({} distinct), the simulation sampled {}", all.len(), f.sampled),
        ));
    }
    let position = |user: u32| all.binary_search(&user).unwrap_or_default();
    let (arms, n, seed, bounded) = (f.arms.clone(), all.len(), f.seed, f.bounded);
    let zeros = || vec![vec![0.0; n]; arms.len()];
    let mut outcome = Outcome {
        gmv: zeros(),
        sessions_per_user: zeros(),
        forgone: zeros(),
        path_gmv: vec![vec![vec![0.0; n]; f.path_gmv.first().map_or(0, Vec::len)]; arms.len()],
        planted_gmv: f.planted_gmv.as_ref().map(|_| vec![0.0; n]),
        tallies: f.tallies.iter().map(|t| Tally::new(t.items)).collect::<Result<_>>()?,
        sessions: Vec::new(),
        users: Vec::new(),
    };
    let mut aa = f.aa.as_ref().map(|r| vec![vec![0.0; n]; r.len()]);
    let mut covariate = Covariate { values: vec![0.0; n], population_mean: f.population_mean };
    let mut work = Work::default();
    let mut seconds = 0.0;
    let spread = |to: &mut [f64], from: &[f64], users: &[u32]| {
        for (&u, &v) in users.iter().zip(from) {
            to[position(u)] = v;
        }
    };
    for p in parts {
        let q = &p.file;
        let what = format!("simulation share {}/{count}", q.index);
        for (to, from) in [
            (&mut outcome.gmv, &q.gmv),
            (&mut outcome.sessions_per_user, &q.sessions_per_user),
            (&mut outcome.forgone, &q.forgone),
        ] {
            for (to, from) in to.iter_mut().zip(from) {
                spread(to, from, &q.users);
            }
        }
        for (to, from) in outcome.path_gmv.iter_mut().flatten().zip(q.path_gmv.iter().flatten()) {
            spread(to, from, &q.users);
        }
        if let (Some(to), Some(from)) = (outcome.planted_gmv.as_mut(), &q.planted_gmv) {
            spread(to, from, &q.users);
        }
        if let (Some(to), Some(from)) = (aa.as_mut(), &q.aa) {
            if to.len() != from.len() {
                return Err(inconsistent(&what, "another number of A/A replicates than share 0"));
            }
            for (to, from) in to.iter_mut().zip(from) {
                spread(to, from, &q.users);
            }
        }
        spread(&mut covariate.values, &q.covariate, &q.users);
        for (tally, counts) in outcome.tallies.iter_mut().zip(&q.tallies) {
            tally.absorb(&counts.tally(&what)?)?;
        }
        work.sessions += q.sessions;
        work.engine_ns = work.engine_ns.saturating_add(q.engine_ns);
        work.busy_ns = work.busy_ns.saturating_add(q.busy_ns);
        seconds += q.seconds;
        outcome.sessions.extend(p.sessions);
        outcome.users.extend(p.users);
    }
    // The unsplit tables' order: replicate, user, arm (then, for sessions,
    // the order they ran in, which a stable sort keeps).
    let arm_index = |name: &str| arms.iter().position(|a| a.name == name).unwrap_or(usize::MAX);
    outcome.users.sort_by_key(|r| (r.replicate, position(r.user.0), arm_index(&r.arm)));
    outcome.sessions.sort_by_key(|r| (r.replicate, position(r.user.0), arm_index(&r.arm)));
    let collected = Collected {
        users: all.into_iter().map(UserId).collect(),
        arms,
        bounded,
        outcome,
        data_loop: None,
        aa,
        covariate,
        work,
        seconds,
    };
    analyse(settings, seed, collected)
}

fn inconsistent(what: &str, message: &str) -> HarnessError {
    HarnessError::Invalid { what: what.to_string(), message: message.to_string() }
}
