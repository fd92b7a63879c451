//! The `[simulation]` section of a run scenario.
//!
//! ```toml
//! [simulation]
//! users = 1000
//! horizon_days = 28
//! seed = 42                  # default: the world seed
//! equivalence_margin = "2%"  # of the control arm's GMV per user; or an absolute 1.5
//!
//! [[simulation.arms]]
//! name = "search_only"
//! engine = "shelf"          # the name of an [[engines]] entry
//! channels = "search"
//! [[simulation.arms]]
//! name = "neither"
//! engine = "hybrid-neither" # a hybrid with both switches off
//! channels = "both"
//! # … arms "a", "b", "a_b" on hybrids with the switches set accordingly
//!
//! [simulation.factorial]
//! neither = "neither"
//! a = "a"
//! b = "b"
//! a_b = "a_b"
//!
//! [simulation.channel_arms]  # both − search only − feed only (+ 0, no channel)
//! search = "search_only"
//! feed = "feed_only"
//! both = "neither"
//!
//! [[simulation.comparisons]]
//! arm = "a_b"
//! against = "search_only"
//!
//! [[simulation.sensitivity]]
//! parameter = "behaviour.seed_offset"
//! values = [1.5, 2.5, 3.5]
//! ```
//!
//! Every field is optional and takes the default documented on it; unknown
//! fields are errors. [`SimulationSettings::validate`] checks everything that
//! needs no world and no engine; [`crate::simulate::check`] the rest.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::model::SWEEPABLE;
use super::planted::PlantedSettings;
use crate::{HarnessError, Result};

/// Longest horizon (and pre-period) accepted: ten years. Anything longer is
/// a typo, and the second counters of a session must fit in 32 bits.
pub const MAX_DAYS: u32 = 3_650;

/// Most simulated users (`users`, `max_users`): 10 M, the `large` world's
/// user count; each is simulated in every arm and replicate and holds a
/// row of outcomes in memory.
pub const MAX_USERS: usize = 10_000_000;
/// Most simulated user-days of a whole run, estimated at load from the
/// sizes ([`SimulationSettings::user_days`]): 2×10⁹, about 20× what
/// `scenarios/ci.toml` simulates (10⁸, a few minutes on 2 cores), so hours
/// at most. Every field can be in range while their product is not.
pub const MAX_USER_DAYS: f64 = 2e9;
/// Most user draws of one bootstrap interval (`bootstrap_resamples` ×
/// users): 10¹⁰, 1 000× the default's 2 000 × 5 000; a run computes
/// dozens of intervals.
pub const MAX_BOOTSTRAP_DRAWS: f64 = 1e10;
/// Largest absolute margin or MDE, in GMV per user: 10⁹, the largest
/// `behaviour.budget_mean`; a wider margin calls every Δ additive.
pub const MAX_ABSOLUTE_MARGIN: f64 = 1e9;
/// Largest magnitude of a sensitivity value: no world-scenario field
/// accepts more (`behaviour.trust_sales_reference` tops out at 10¹²); each
/// value is checked against its field's own range once the world is known.
pub const MAX_SWEEP_VALUE: f64 = 1e12;

/// How the GMV simulation runs and what it reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimulationSettings {
    /// Users simulated, drawn without replacement from the world's users by
    /// the seed (default 1 000; 1 to the world's user count).
    pub users: usize,
    /// Days each user lives through in every arm (default 28; 1 to 3 650).
    pub horizon_days: u32,
    /// Days of a pre-period each user lives through under the control arm
    /// before the experiment, recorded per user in the users table
    /// (`pre_period_gmv`) for analysts' own adjustments (default 0: none).
    /// CUPED does not use it: in this paired design a covariate of the users
    /// alone is cancelled by the pairing, and the pre-period's population
    /// mean is unknown; CUPED reads the world's logs instead (`simulate::cuped`).
    pub pre_period_days: u32,
    /// The data loop: every `retrain_days` simulated days each arm's
    /// engines are rebuilt from the world's logs plus everything the
    /// simulation logged under that arm so far, as a platform retrains on
    /// its own traffic (default 0: engines trained once, before the
    /// experiment). With the loop on, the factorial also runs once without
    /// it, on the same users and streams, so the loop's contribution to Δ
    /// is estimated with its SE. Needs `searchrec run` (which can build
    /// engines); the A/A check, the sizing pilots and other world seeds use
    /// the engines as first trained.
    pub retrain_days: u32,
    /// Adds the oracle's ceiling arms beside the factorial — search, the
    /// feed, and both ranked by each item's expected GMV under the user's
    /// true click and purchase probabilities, the other channel
    /// served as `neither` serves it — and reports each channel's ceiling
    /// and the share of it each cell captures (default false: three more
    /// arms to simulate). Needs a factorial.
    pub oracle: bool,
    /// Length of every list shown, search results and feed pages alike
    /// (default 20, the logging policy's list length; 1 to 1 000).
    pub k: usize,
    /// Recent queries, shown lists, clicks and purchases of each kind and
    /// channel the context carries to the engine, newest last (default 10;
    /// 0 sends empty contexts).
    pub context_window: usize,
    /// Independent seeds the experiment is repeated under; a user's outcome
    /// is their mean over replicates (default 3; 1 to 1 000).
    pub replicates: usize,
    /// The simulation seed: every stream of the simulation (the users drawn,
    /// every replicate's sessions, the A/A check, every bootstrap) is keyed
    /// by it, independently of the world seed, so an experiment can be rerun
    /// on a fixed world under other seeds (default: the world seed, which
    /// keeps the figures of scenarios written before it existed).
    /// `searchrec simulate --seed N` and `searchrec run --sim-seed N` set it.
    pub seed: Option<u64>,
    /// The MDE for Δ the experiment must reach (default none): an absolute
    /// GMV per user (`1.5`) or a percentage of the `neither` arm's GMV per
    /// user (`"1.5%"`). The scenario's `users` then run as a pilot of the
    /// factorial alone; its MDE sizes the experiment (users × (pilot MDE /
    /// target)²), which runs in full at that size — or, when that exceeds
    /// `max_users`, the run is refused with the size it would need. Needs a
    /// factorial.
    pub target_mde: Option<Margin>,
    /// The budget of a sized experiment, in users (default: the world's
    /// users; at least `users`).
    pub max_users: Option<usize>,
    /// World seeds to replicate the whole experiment over (default none):
    /// each world is generated from the run's world scenario with that seed,
    /// the arms' engines are trained on it, and the experiment runs under
    /// `seed` (by default that world's seed); Δ is then pooled over the
    /// worlds by a two-stage bootstrap (`simulate::worlds`). The run's own
    /// world may be one of them (it is not simulated twice). Two to 100
    /// distinct seeds; costs one world generation, one engine training and
    /// one experiment per world.
    pub world_seeds: Vec<u64>,
    /// The equivalence margin m of the synergy verdict: Δ is `additive` when
    /// its TOST interval lies inside [−m, m]. An absolute GMV per user
    /// (`1.5`) or a percentage of the control (`neither`) arm's GMV per user
    /// (`"2%"`). Default `"2%"`: an interaction smaller than a fiftieth of
    /// the baseline's GMV is commercially negligible next to the uplifts
    /// the couplings themselves are tested for, yet not so wide that any
    /// noisy experiment passes as "additive".
    pub equivalence_margin: Margin,
    /// Bootstrap resamples behind every interval (default 2 000; 100 to 1 000 000).
    pub bootstrap_resamples: usize,
    /// Confidence level of every interval (default 0.95; between 0.5 and 1).
    pub confidence: f64,
    /// A/A replicates: each runs the control arm twice on the same streams,
    /// each copy with its own irrelevant tie-break, and counts an interval
    /// that excludes zero as a false positive (default 0 = off; 1 000 pin the
    /// rate to about ±1.4 points; each costs 2 × `replicates` runs of the
    /// control arm).
    pub aa_replicates: usize,
    /// The arm the pre-period and the A/A check run (default: the
    /// factorial's `neither`, else the first arm).
    pub control: Option<String>,
    /// The arms (default none; at least one is required).
    pub arms: Vec<ArmSettings>,
    /// The 2×2 coupling factorial, when wanted (default none).
    pub factorial: Option<FactorialArms>,
    /// Pairs of arms to compare (default none).
    pub comparisons: Vec<ComparisonSettings>,
    /// Sensitivity sweeps of the interaction Δ; need a factorial (default none).
    pub sensitivity: Vec<SweepSettings>,
    /// The planted-interaction positive control (`[simulation.planted]`);
    /// needs a factorial (default none).
    pub planted: Option<PlantedSettings>,
    /// The channel-level 2×2, by arm name (default none): its interaction is
    /// both − search only − feed only + no channel, where the no-channel
    /// baseline is 0 GMV by definition (a user offered neither channel does
    /// not visit the simulated shop).
    pub channel_arms: Option<ChannelArms>,
}

/// The arms of the channel-level comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelArms {
    /// An arm serving search only.
    pub search: String,
    /// An arm serving the feed only.
    pub feed: String,
    /// An arm serving both channels (with the same couplings as the other two).
    pub both: String,
}

/// An equivalence margin: absolute, or relative to the control arm's GMV per user.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Margin {
    /// GMV per user.
    Absolute(f64),
    /// A fraction of the control arm's GMV per user (0.02 is written `"2%"`).
    Relative(f64),
}

impl Margin {
    /// The margin in GMV per user, given the control arm's GMV per user.
    pub fn resolve(self, control_gmv_per_user: f64) -> f64 {
        match self {
            Margin::Absolute(m) => m,
            Margin::Relative(r) => r * control_gmv_per_user.abs(),
        }
    }

    /// As written in a scenario: `2%` or `1.5`.
    pub fn setting(self) -> String {
        match self {
            Margin::Absolute(m) => format!("{m}"),
            // Rounded so that 0.07 shows as 7%, not 7.000000000000001%.
            Margin::Relative(r) => format!("{}%", (r * 100.0 * 1e9).round() / 1e9),
        }
    }
}

impl Default for Margin {
    fn default() -> Self {
        Margin::Relative(0.02)
    }
}

impl Serialize for Margin {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Margin::Absolute(m) => serializer.serialize_f64(*m),
            Margin::Relative(_) => serializer.serialize_str(&self.setting()),
        }
    }
}

impl<'de> Deserialize<'de> for Margin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Number(f64),
            Text(String),
        }
        let bad = |text: &str| {
            serde::de::Error::custom(format!(
                "equivalence_margin `{text}` is neither a number (GMV per user, e.g. 1.5) nor a percentage of the \
                 control arm's GMV per user (e.g. \"2%\")"
            ))
        };
        match Written::deserialize(deserializer)? {
            Written::Number(m) => Ok(Margin::Absolute(m)),
            Written::Text(text) => {
                let number = text.trim().strip_suffix('%').ok_or_else(|| bad(&text))?;
                let percent: f64 = number.trim().parse().map_err(|_| bad(&text))?;
                Ok(Margin::Relative(percent / 100.0))
            }
        }
    }
}

/// Which channels an arm serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channels {
    /// Search only: a user without an open need does not visit.
    Search,
    /// The feed only.
    Feed,
    /// Both: a user with an open need searches with the probability their
    /// persona gives, and otherwise opens the feed.
    Both,
}

impl Channels {
    /// The name as written in scenarios and results.
    pub fn as_str(self) -> &'static str {
        match self {
            Channels::Search => "search",
            Channels::Feed => "feed",
            Channels::Both => "both",
        }
    }

    /// Whether the arm serves search sessions.
    pub fn search(self) -> bool {
        self != Channels::Feed
    }

    /// Whether the arm serves feed sessions.
    pub fn feed(self) -> bool {
        self != Channels::Search
    }
}

/// One arm of the experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmSettings {
    /// The arm's name, unique among arms (`search_only`, `a_b`, …).
    pub name: String,
    /// The engine serving it: the `name` of an `[[engines]]` entry.
    pub engine: String,
    /// The channels it serves (`search`, `feed` or `both`).
    pub channels: Channels,
}

/// The four arms of the coupling factorial, by arm name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactorialArms {
    /// Neither coupling.
    pub neither: String,
    /// A only: search reads feed signals (personalised search).
    pub a: String,
    /// B only: the feed reads search signals (query-aware feed).
    pub b: String,
    /// A and B.
    pub a_b: String,
}

impl FactorialArms {
    /// (role, arm name, personalised search, query-aware feed), in the order
    /// neither, a, b, a_b.
    pub fn roles(&self) -> [(&'static str, &str, bool, bool); 4] {
        [
            ("neither", &self.neither, false, false),
            ("a", &self.a, true, false),
            ("b", &self.b, false, true),
            ("a_b", &self.a_b, true, true),
        ]
    }
}

/// A comparison of two arms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparisonSettings {
    /// Treatment arm.
    pub arm: String,
    /// Control arm.
    pub against: String,
}

/// One sensitivity sweep: the factorial rerun at each value of one
/// parameter, or at each cell of a two-parameter grid (`by`). Every point is
/// an experiment of its own: the world regenerated from the run's world
/// scenario with the point's values (same world seed, so its logs follow
/// them), the arms' engines retrained on it, and its own simulation seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSettings {
    /// Dotted path into the world scenario: any number field under
    /// `behaviour.`, `needs.`, `queries.` (but `queries.count`) or `users.`.
    /// The mechanisms: `behaviour.seed_offset` (how strongly the feed seeds
    /// needs, lower is stronger), `needs.leaf_temperature` (how closely
    /// search intent follows feed interest, 0 = not at all),
    /// `users.activity_mean`, `users.price_sensitivity_median`.
    pub parameter: String,
    /// The values, each within the scenario's range for the parameter.
    pub values: Vec<f64>,
    /// A second parameter, for a grid of `values` × `by.values` (drawn as a
    /// heatmap in the report).
    #[serde(default)]
    pub by: Option<GridAxis>,
}

/// The second axis of a two-parameter sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridAxis {
    /// Dotted path, as [`SweepSettings::parameter`].
    pub parameter: String,
    /// Its values.
    pub values: Vec<f64>,
}

impl Default for SimulationSettings {
    fn default() -> Self {
        SimulationSettings {
            users: 1_000,
            horizon_days: 28,
            pre_period_days: 0,
            retrain_days: 0,
            oracle: false,
            k: 20,
            context_window: 10,
            replicates: 3,
            seed: None,
            target_mde: None,
            max_users: None,
            world_seeds: Vec::new(),
            equivalence_margin: Margin::default(),
            bootstrap_resamples: 2_000,
            confidence: 0.95,
            aa_replicates: 0,
            control: None,
            arms: Vec::new(),
            factorial: None,
            comparisons: Vec::new(),
            sensitivity: Vec::new(),
            planted: None,
            channel_arms: None,
        }
    }
}

/// An error about one field of the section.
pub(crate) fn field_error(field: &str, message: impl Into<String>) -> HarnessError {
    HarnessError::Invalid { what: format!("simulation.{field}"), message: message.into() }
}

impl SimulationSettings {
    /// Checks everything that needs no world and no engine: ranges, unique
    /// arm names, and that the factorial, the comparisons and the control
    /// name arms that exist. The error names `simulation.<field>` and the fix.
    pub fn validate(&self) -> Result<()> {
        let range = |field: &str, value: f64, lo: f64, hi: f64, fix: &str| {
            if (lo..=hi).contains(&value) {
                Ok(())
            } else {
                Err(field_error(field, format!("{value} is out of range {lo} to {hi}; {fix}")))
            }
        };
        range(
            "users",
            self.users as f64,
            1.0,
            MAX_USERS as f64,
            "simulate at least 1 user, and at most the large world's 10 000 000",
        )?;
        range("horizon_days", self.horizon_days as f64, 1.0, MAX_DAYS as f64, "use a horizon of days, e.g. 28")?;
        range("pre_period_days", self.pre_period_days as f64, 0.0, MAX_DAYS as f64, "use 0 for none")?;
        range("retrain_days", self.retrain_days as f64, 0.0, MAX_DAYS as f64, "use 0 (off) or e.g. 7")?;
        if self.oracle && self.factorial.is_none() {
            return Err(field_error(
                "oracle",
                "the ceilings are read against the coupling factorial's cells: name its four arms in \
                 [simulation.factorial], or set false",
            ));
        }
        if self.retrain_days > 0 && self.factorial.is_none() {
            return Err(field_error(
                "retrain_days",
                "the data loop's contribution is measured on the coupling factorial: name its four arms in \
                 [simulation.factorial], or set 0",
            ));
        }
        range("k", self.k as f64, 1.0, 1_000.0, "show lists of 1 to 1 000 items (default 20)")?;
        range("context_window", self.context_window as f64, 0.0, 1_000.0, "keep at most 1 000 recent signals")?;
        range("replicates", self.replicates as f64, 1.0, 1_000.0, "run at least 1 replicate (default 3)")?;
        range(
            "bootstrap_resamples",
            self.bootstrap_resamples as f64,
            100.0,
            1e6,
            "use e.g. 2 000; past 10⁶ the Monte Carlo error is nothing next to the sampling error",
        )?;
        if !(self.confidence > 0.5 && self.confidence < 1.0) {
            return Err(field_error(
                "confidence",
                format!("{} is not a confidence level; use a number between 0.5 and 1, e.g. 0.95", self.confidence),
            ));
        }
        range("aa_replicates", self.aa_replicates as f64, 0.0, 1e5, "use 0 (off) or e.g. 200")?;
        match self.equivalence_margin {
            Margin::Absolute(m) if !(m.is_finite() && m > 0.0 && m <= MAX_ABSOLUTE_MARGIN) => {
                return Err(field_error(
                    "equivalence_margin",
                    format!(
                        "{m} is not a margin; use a positive GMV per user up to {MAX_ABSOLUTE_MARGIN:e} (e.g. 1.5) \
                         or a percentage (e.g. \"2%\")"
                    ),
                ));
            }
            Margin::Relative(r) if !(r.is_finite() && r > 0.0 && r <= 1.0) => {
                return Err(field_error(
                    "equivalence_margin",
                    format!(
                        "{} is out of range; use a percentage above 0% and at most 100%, e.g. \"2%\"",
                        self.equivalence_margin.setting()
                    ),
                ));
            }
            _ => {}
        }
        if self.arms.is_empty() {
            return Err(field_error("arms", "no arm; add [[simulation.arms]] entries with name, engine and channels"));
        }
        for (i, arm) in self.arms.iter().enumerate() {
            if arm.name.trim().is_empty() {
                return Err(field_error(&format!("arms[{i}].name"), "an arm needs a name"));
            }
            if self.arms[..i].iter().any(|a| a.name == arm.name) {
                return Err(field_error(
                    &format!("arms[{i}].name"),
                    format!("arm `{}` is defined twice; give every arm its own name", arm.name),
                ));
            }
        }
        if let Some(control) = &self.control {
            self.arm_index(control).ok_or_else(|| self.unknown_arm("control", control))?;
        }
        if let Some(f) = &self.factorial {
            for (role, name, ..) in f.roles() {
                self.arm_index(name).ok_or_else(|| self.unknown_arm(&format!("factorial.{role}"), name))?;
            }
            let names = f.roles().map(|r| r.1);
            if (1..4).any(|i| names[..i].contains(&names[i])) {
                return Err(field_error("factorial", "the four roles need four different arms"));
            }
        }
        for (i, c) in self.comparisons.iter().enumerate() {
            self.arm_index(&c.arm).ok_or_else(|| self.unknown_arm(&format!("comparisons[{i}].arm"), &c.arm))?;
            self.arm_index(&c.against)
                .ok_or_else(|| self.unknown_arm(&format!("comparisons[{i}].against"), &c.against))?;
        }
        if let Some(target) = self.target_mde {
            let valid = match target {
                Margin::Absolute(m) => m.is_finite() && m > 0.0 && m <= MAX_ABSOLUTE_MARGIN,
                Margin::Relative(r) => r.is_finite() && r > 0.0 && r <= 1.0,
            };
            if !valid {
                return Err(field_error(
                    "target_mde",
                    format!(
                        "{} is not an MDE; use a positive GMV per user (e.g. 1.5) or a percentage (e.g. \"1.5%\")",
                        target.setting()
                    ),
                ));
            }
            if self.factorial.is_none() {
                return Err(field_error("target_mde", "the target is Δ's MDE; add [simulation.factorial]"));
            }
        }
        if let Some(budget) = self.max_users
            && !(self.users..=MAX_USERS).contains(&budget)
        {
            return Err(field_error(
                "max_users",
                format!(
                    "{budget} is out of range {} (users) to {MAX_USERS} (the large world's users); the budget holds \
                     at least the pilot",
                    self.users
                ),
            ));
        }
        if !self.world_seeds.is_empty() {
            let distinct: std::collections::BTreeSet<u64> = self.world_seeds.iter().copied().collect();
            if distinct.len() != self.world_seeds.len() || !(2..=100).contains(&distinct.len()) {
                return Err(field_error(
                    "world_seeds",
                    format!(
                        "{:?}: list 2 to 100 distinct world seeds, or none to simulate the run's world alone",
                        self.world_seeds
                    ),
                ));
            }
            if self.factorial.is_none() {
                return Err(field_error("world_seeds", "pooling over worlds pools Δ; add [simulation.factorial]"));
            }
        }
        if let Some(c) = &self.channel_arms {
            for (role, name, channels) in [
                ("search", &c.search, Channels::Search),
                ("feed", &c.feed, Channels::Feed),
                ("both", &c.both, Channels::Both),
            ] {
                let field = format!("channel_arms.{role}");
                let i = self.arm_index(name).ok_or_else(|| self.unknown_arm(&field, name))?;
                if self.arms[i].channels != channels {
                    return Err(field_error(
                        &field,
                        format!(
                            "arm `{name}` serves channels = \"{}\"; role `{role}` needs an arm with channels = \"{}\"",
                            self.arms[i].channels.as_str(),
                            channels.as_str()
                        ),
                    ));
                }
            }
        }
        if let Some(planted) = &self.planted {
            planted.validate(self.factorial.as_ref())?;
        }
        if !self.sensitivity.is_empty() && self.factorial.is_none() {
            return Err(field_error(
                "sensitivity",
                "a sweep measures the factorial's Δ; add [simulation.factorial] or remove the sweeps",
            ));
        }
        for (i, sweep) in self.sensitivity.iter().enumerate() {
            let field = format!("sensitivity[{i}]");
            check_axis(&field, &sweep.parameter, &sweep.values)?;
            if let Some(by) = &sweep.by {
                check_axis(&format!("{field}.by"), &by.parameter, &by.values)?;
                if by.parameter == sweep.parameter {
                    return Err(field_error(&format!("{field}.by.parameter"), "a grid needs two different parameters"));
                }
            }
        }
        let points: usize =
            self.sensitivity.iter().map(|s| s.values.len() * s.by.as_ref().map_or(1, |b| b.values.len())).sum();
        if points > 400 {
            return Err(field_error(
                "sensitivity",
                format!("{points} points; each regenerates a world and retrains the engines: keep it to 400 or fewer"),
            ));
        }
        // Every size is in range; their product must fit too. Checked last,
        // so a single absurd field is named as itself.
        let user_days = self.user_days();
        if user_days.is_nan() || user_days > MAX_USER_DAYS {
            return Err(field_error(
                "users",
                format!(
                    "the experiment would simulate about {user_days:.2e} user-days (users or max_users × replicates \
                     × arms × horizon_days, plus the A/A check, the pre-period, other world seeds and sensitivity \
                     points); at most {MAX_USER_DAYS:e}: lower users, replicates, aa_replicates or horizon_days"
                ),
            ));
        }
        let draws = self.bootstrap_resamples as f64 * self.users.max(self.max_users.unwrap_or(0)) as f64;
        if draws.is_nan() || draws > MAX_BOOTSTRAP_DRAWS {
            return Err(field_error(
                "bootstrap_resamples",
                format!(
                    "{} resamples of {} users are {draws:.2e} draws per interval; at most {MAX_BOOTSTRAP_DRAWS:e}: \
                     lower bootstrap_resamples",
                    self.bootstrap_resamples,
                    self.users.max(self.max_users.unwrap_or(0))
                ),
            ));
        }
        Ok(())
    }

    /// Estimated user-days the whole simulation lives through: every arm
    /// (with the oracle's three) over the horizon in every replicate, at the
    /// sized budget when `target_mde` may grow the experiment to `max_users`,
    /// plus the pre-period, the data loop's second factorial, the A/A
    /// check's two control runs per replicate, and one factorial per other
    /// world seed and per sensitivity point. An estimate of cost to refuse
    /// absurd experiments at load, not an exact count.
    pub fn user_days(&self) -> f64 {
        let users = self.users as f64;
        let sized =
            if self.target_mde.is_some() { self.max_users.unwrap_or(self.users).max(self.users) } else { self.users };
        let sized = sized as f64;
        let replicates = self.replicates as f64;
        let horizon = f64::from(self.horizon_days);
        let arms = (self.arms.len() + if self.oracle { 3 } else { 0 }) as f64;
        let mut days = sized * replicates * (arms * horizon + f64::from(self.pre_period_days));
        let factorial = users * replicates * 4.0 * horizon;
        if self.retrain_days > 0 {
            days += sized * replicates * 4.0 * horizon;
        }
        days += self.aa_replicates as f64 * 2.0 * replicates * users * horizon;
        let points: usize =
            self.sensitivity.iter().map(|s| s.values.len() * s.by.as_ref().map_or(1, |b| b.values.len())).sum();
        days + (self.world_seeds.len() + points) as f64 * factorial
    }

    /// The factorial's four arms alone, without comparisons, A/A check,
    /// planted control, channel arms, sweeps, replication over worlds,
    /// sizing, pre-period, data loop or oracle: what sizing pilots, sweep points and the other
    /// worlds of a replication run.
    pub fn factorial_only(&self) -> SimulationSettings {
        let cells: Vec<&str> = self.factorial.iter().flat_map(|f| f.roles().map(|r| r.1)).collect();
        SimulationSettings {
            arms: self.arms.iter().filter(|a| cells.contains(&a.name.as_str())).cloned().collect(),
            comparisons: Vec::new(),
            control: None,
            aa_replicates: 0,
            sensitivity: Vec::new(),
            planted: None,
            channel_arms: None,
            target_mde: None,
            max_users: None,
            world_seeds: Vec::new(),
            pre_period_days: 0,
            retrain_days: 0,
            oracle: false,
            ..self.clone()
        }
    }

    /// The arm called `name`, by position.
    pub fn arm_index(&self, name: &str) -> Option<usize> {
        self.arms.iter().position(|a| a.name == name)
    }

    /// The control arm: `control`, else the factorial's `neither`, else the first arm.
    pub fn control_arm(&self) -> &str {
        self.control
            .as_deref()
            .or(self.factorial.as_ref().map(|f| f.neither.as_str()))
            .or(self.arms.first().map(|a| a.name.as_str()))
            .unwrap_or_default()
    }

    fn unknown_arm(&self, field: &str, name: &str) -> HarnessError {
        let known: Vec<&str> = self.arms.iter().map(|a| a.name.as_str()).collect();
        field_error(field, format!("no arm is called `{name}`; arms: {}", known.join(", ")))
    }
}

/// Checks one axis of a sweep: a sweepable path and finite values.
fn check_axis(field: &str, parameter: &str, values: &[f64]) -> Result<()> {
    if !SWEEPABLE.iter().any(|prefix| parameter.starts_with(prefix)) || parameter == "queries.count" {
        return Err(field_error(
            &format!("{field}.parameter"),
            format!(
                "`{parameter}` cannot be swept: sweep a number field under `behaviour.`, `needs.`, `queries.` (but \
                 not `queries.count`) or `users.`; the other sections size the world itself"
            ),
        ));
    }
    if values.is_empty() {
        return Err(field_error(&format!("{field}.values"), "no value; list the values to sweep"));
    }
    if let Some(v) = values.iter().find(|v| !(v.is_finite() && v.abs() <= MAX_SWEEP_VALUE)) {
        return Err(field_error(
            &format!("{field}.values"),
            format!(
                "{v} is out of range: no world-scenario field accepts a value beyond ±{MAX_SWEEP_VALUE:e} (each \
                 value is checked against its field's own range once the world is known)"
            ),
        ));
    }
    Ok(())
}
