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
use crate::{HarnessError, Result};

/// Longest horizon (and pre-period) accepted: ten years. Anything longer is
/// a typo, and the second counters of a session must fit in 32 bits.
pub const MAX_DAYS: u32 = 3_650;

/// How the GMV simulation runs and what it reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimulationSettings {
    /// Users simulated, drawn without replacement from the world's users by
    /// the seed (default 1 000; 1 to the world's user count).
    pub users: usize,
    /// Days each user lives through in every arm (default 28; 1 to 3 650).
    pub horizon_days: u32,
    /// Days of the pre-period each user lives through under the control arm
    /// before the experiment; its GMV is CUPED's covariate (default 14; 0
    /// switches CUPED off: θ = 0 and no variance reduction).
    pub pre_period_days: u32,
    /// Length of every list shown, search results and feed pages alike
    /// (default 20, the logging policy's list length; 1 to 1 000).
    pub k: usize,
    /// Recent queries, clicks and purchases of each kind the context carries
    /// to the engine, newest last (default 10; 0 sends empty contexts).
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
    /// A/A replicates: each runs the control arm as two arms under
    /// independent seeds and counts an interval that excludes zero as a false
    /// positive (default 0 = off; 200 pins the rate to about ±3 points; each
    /// costs 2 × `replicates` runs of the control arm).
    pub aa_replicates: usize,
    /// The arm whose pre-period GMV is the covariate and which the A/A check
    /// runs (default: the factorial's `neither`, else the first arm).
    pub control: Option<String>,
    /// The arms (default none; at least one is required).
    pub arms: Vec<ArmSettings>,
    /// The 2×2 coupling factorial, when wanted (default none).
    pub factorial: Option<FactorialArms>,
    /// Pairs of arms to compare (default none).
    pub comparisons: Vec<ComparisonSettings>,
    /// Sensitivity sweeps of the interaction Δ; need a factorial (default none).
    pub sensitivity: Vec<SweepSettings>,
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

/// One sensitivity sweep: the factorial rerun at each value of one parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepSettings {
    /// Dotted path into the world scenario: any `behaviour.*`, `needs.*` or
    /// `queries.*` field but `queries.count`, or
    /// `users.price_sensitivity_median` / `users.activity_mean` (every user's
    /// trait is rescaled by new / old). The three the design names:
    /// `behaviour.seed_offset` (how strongly the feed seeds needs, lower is
    /// stronger), `needs.leaf_temperature` (how closely search intent follows
    /// feed interest, 0 = not at all) and `users.price_sensitivity_median`.
    pub parameter: String,
    /// The values, each within the scenario's range for the parameter.
    pub values: Vec<f64>,
}

impl Default for SimulationSettings {
    fn default() -> Self {
        SimulationSettings {
            users: 1_000,
            horizon_days: 28,
            pre_period_days: 14,
            k: 20,
            context_window: 10,
            replicates: 3,
            seed: None,
            equivalence_margin: Margin::default(),
            bootstrap_resamples: 2_000,
            confidence: 0.95,
            aa_replicates: 0,
            control: None,
            arms: Vec::new(),
            factorial: None,
            comparisons: Vec::new(),
            sensitivity: Vec::new(),
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
        range("users", self.users as f64, 1.0, 1e7, "simulate at least 1 user")?;
        range("horizon_days", self.horizon_days as f64, 1.0, MAX_DAYS as f64, "use a horizon of days, e.g. 28")?;
        range("pre_period_days", self.pre_period_days as f64, 0.0, MAX_DAYS as f64, "use 0 to switch CUPED off")?;
        range("k", self.k as f64, 1.0, 1_000.0, "show lists of 1 to 1 000 items (default 20)")?;
        range("context_window", self.context_window as f64, 0.0, 1_000.0, "keep at most 1 000 recent signals")?;
        range("replicates", self.replicates as f64, 1.0, 1_000.0, "run at least 1 replicate (default 3)")?;
        range("bootstrap_resamples", self.bootstrap_resamples as f64, 100.0, 1e6, "use e.g. 2 000")?;
        if !(self.confidence > 0.5 && self.confidence < 1.0) {
            return Err(field_error(
                "confidence",
                format!("{} is not a confidence level; use a number between 0.5 and 1, e.g. 0.95", self.confidence),
            ));
        }
        range("aa_replicates", self.aa_replicates as f64, 0.0, 1e5, "use 0 (off) or e.g. 200")?;
        match self.equivalence_margin {
            Margin::Absolute(m) if !(m.is_finite() && m > 0.0) => {
                return Err(field_error(
                    "equivalence_margin",
                    format!(
                        "{m} is not a margin; use a positive GMV per user (e.g. 1.5) or a percentage (e.g. \"2%\")"
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
        if !self.sensitivity.is_empty() && self.factorial.is_none() {
            return Err(field_error(
                "sensitivity",
                "a sweep measures the factorial's Δ; add [simulation.factorial] or remove the sweeps",
            ));
        }
        for (i, sweep) in self.sensitivity.iter().enumerate() {
            let field = format!("sensitivity[{i}]");
            if !SWEEPABLE.iter().any(|prefix| sweep.parameter.starts_with(prefix)) || sweep.parameter == "queries.count"
            {
                return Err(field_error(
                    &format!("{field}.parameter"),
                    format!(
                        "`{}` cannot be swept: the simulator only reads `behaviour.*`, `needs.*`, `queries.*` \
                         (but not `queries.count`), `users.price_sensitivity_median` and `users.activity_mean`",
                        sweep.parameter
                    ),
                ));
            }
            if sweep.values.is_empty() {
                return Err(field_error(&format!("{field}.values"), "no value; list the values to sweep"));
            }
            if let Some(v) = sweep.values.iter().find(|v| !v.is_finite()) {
                return Err(field_error(&format!("{field}.values"), format!("{v} is not a finite number")));
            }
        }
        Ok(())
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
