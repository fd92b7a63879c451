//! What a simulation reports: the contract between the simulator, the
//! `results.json` schema and the HTML report. Every figure here is
//! simulated, and says so (`label`).

use serde::{Deserialize, Serialize};

/// A point estimate with its confidence interval, standard error and
/// minimum detectable effect.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Lower end of the interval.
    pub lower: f64,
    /// Upper end of the interval.
    pub upper: f64,
    /// Bootstrap standard error: the standard deviation (n − 1) of the
    /// statistic over the same paired resamples the interval comes from.
    /// `None` in results written before schema 2.
    #[serde(default)]
    pub se: Option<f64>,
    /// Minimum detectable effect at 80% power in a two-sided test at
    /// 1 − confidence: (z₍₁₋α/₂₎ + z₀.₈) · `se`, 2.80 · `se` at 95%. The
    /// smallest true effect (difference from zero, or from any fixed value
    /// for an arm's mean) this experiment finds four times out of five.
    /// `None` in results written before schema 2.
    #[serde(default)]
    pub mde: Option<f64>,
}

impl Estimate {
    /// An estimate without interval width, standard error or MDE (all zero):
    /// what a statistic that cannot vary reports.
    pub fn exact(value: f64) -> Estimate {
        Estimate { value, lower: value, upper: value, se: Some(0.0), mde: Some(0.0) }
    }
}

/// The equivalence test (TOST) behind an `additive` verdict: Δ counts as
/// additive when the (1 − 2α) interval, α = 1 − confidence, lies inside
/// [−margin, margin] — both one-sided tests at level α reject.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Equivalence {
    /// The margin m, GMV per user.
    pub margin: f64,
    /// How m was set: a percentage of the control (`neither`) arm's GMV per
    /// user (`2%`), or an absolute figure (`1.5`).
    pub margin_setting: String,
    /// Confidence of the TOST interval: 1 − 2α = 2 · confidence − 1 (0.9 at 0.95).
    pub confidence: f64,
    /// Lower end of the TOST interval.
    pub lower: f64,
    /// Upper end of the TOST interval.
    pub upper: f64,
}

/// An uplift of one arm over another, absolute and relative.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uplift {
    /// Difference in GMV per user (treatment − control), paired over users.
    pub absolute: Estimate,
    /// `absolute` divided by the control's GMV per user.
    pub relative: Estimate,
}

/// Guardrail figures of one arm: what must not get worse while GMV rises.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guardrails {
    /// Clicks per shown item examined or not (clicks / impressions).
    pub ctr: f64,
    /// Sessions with a purchase / sessions.
    pub conversion: f64,
    /// GMV / orders.
    pub average_order_value: f64,
    /// Share of the catalogue shown at least once.
    pub coverage: f64,
    /// Sessions per simulated user.
    pub sessions_per_user: f64,
    /// Search sessions per simulated user.
    pub searches_per_user: f64,
    /// Median engine latency inside the simulation, µs.
    pub latency_p50_us: f64,
    /// 99th-percentile engine latency inside the simulation, µs.
    pub latency_p99_us: f64,
}

/// One arm of the experiment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmSummary {
    /// The arm's name (`search_only`, `feed_only`, `both`, `neither`, `a`, `b`, `a_b`, …).
    pub name: String,
    /// The engine (scenario name) serving it.
    pub engine: String,
    /// Which channels it serves: `search`, `feed` or `both`.
    pub channels: String,
    /// Whether search used feed signals (factor A).
    pub personalised_search: bool,
    /// Whether the feed used search signals (factor B).
    pub query_aware_feed: bool,
    /// GMV per user over the horizon.
    pub gmv_per_user: Estimate,
    /// The guardrails.
    pub guardrails: Guardrails,
}

/// CUPED's adjustment of one comparison.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cuped {
    /// θ = cov(X, Y) / var(X), X the user's pre-period GMV.
    pub theta: f64,
    /// 1 − var(adjusted) / var(raw) of the paired differences.
    pub variance_reduction: f64,
    /// The estimate after adjustment.
    pub adjusted: Estimate,
}

/// The 2×2 coupling factorial and its interaction term.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factorial {
    /// Arm with neither coupling.
    pub neither: String,
    /// Arm with A only (personalised search).
    pub a: String,
    /// Arm with B only (query-aware feed).
    pub b: String,
    /// Arm with A and B.
    pub a_b: String,
    /// A's uplift over neither.
    pub uplift_a: Uplift,
    /// B's uplift over neither.
    pub uplift_b: Uplift,
    /// A+B's uplift over neither.
    pub uplift_a_b: Uplift,
    /// Δ = GMV(A+B) − GMV(A) − GMV(B) + GMV(neither), per user, paired.
    pub interaction: Estimate,
    /// Δ with CUPED.
    pub interaction_cuped: Cuped,
    /// `super_additive` when Δ's interval lies above zero, `sub_additive`
    /// below it, `additive` when the equivalence test puts Δ within ±margin,
    /// `inconclusive` otherwise. Schema 1 wrote `supported`, `contradicted`
    /// or `not supported` (the first two mean the same as the first two now).
    pub verdict: String,
    /// The verdict in a sentence; an inconclusive one names the MDE ("the
    /// experiment could only detect |Δ| ≥ …"). Empty before schema 2.
    #[serde(default)]
    pub statement: String,
    /// The equivalence test; `None` before schema 2.
    #[serde(default)]
    pub equivalence: Option<Equivalence>,
}

/// A comparison of two channel arms (for example both channels against search only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmComparison {
    /// Treatment arm.
    pub arm: String,
    /// Control arm.
    pub against: String,
    /// The uplift.
    pub uplift: Uplift,
}

/// The A/A validation: two identical arms under independent seeds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AaCheck {
    /// Replicates run.
    pub replicates: usize,
    /// Share of replicates whose interval (at the summary's confidence) excluded zero.
    pub false_positive_rate: f64,
    /// The nominal rate, 1 − confidence (0.05).
    pub nominal: f64,
}

/// Δ at one setting of one behaviour parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivityPoint {
    /// The parameter (dotted scenario path, e.g. `behaviour.seed_strength`).
    pub parameter: String,
    /// Its value.
    pub value: f64,
    /// Δ at that value.
    pub interaction: Estimate,
    /// As in [`Factorial::verdict`], with the margin taken from the
    /// `neither` arm at this point.
    pub verdict: String,
    /// As in [`Factorial::statement`].
    #[serde(default)]
    pub statement: String,
    /// As in [`Factorial::equivalence`].
    #[serde(default)]
    pub equivalence: Option<Equivalence>,
}

/// Everything a simulation reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationSummary {
    /// Always `simulated`: these are not measured business figures.
    pub label: String,
    /// Simulated users.
    pub users: usize,
    /// Horizon, days.
    pub horizon_days: u32,
    /// Pre-period (CUPED covariate), days.
    pub pre_period_days: u32,
    /// The simulation seed every stream of the simulation is keyed by (the
    /// world seed unless `[simulation] seed` or a command-line flag set it).
    /// Results of schema 1 are read with the world seed, which they used.
    pub seed: u64,
    /// Replicates: independent seeds per user, whose GMV is averaged per user.
    pub replicates: usize,
    /// Bootstrap resamples per interval.
    pub bootstrap_resamples: usize,
    /// Confidence level of every interval (0.95).
    pub confidence: f64,
    /// Power at which every MDE is stated (0.8).
    #[serde(default = "default_power")]
    pub power: f64,
    /// Every arm.
    pub arms: Vec<ArmSummary>,
    /// Channel comparisons.
    pub comparisons: Vec<ArmComparison>,
    /// The 2×2 factorial, when the scenario names its four arms.
    pub factorial: Option<Factorial>,
    /// The A/A check, when run.
    pub aa: Option<AaCheck>,
    /// The sensitivity sweep, when run.
    pub sensitivity: Vec<SensitivityPoint>,
    /// Sessions simulated over all arms and replicates, the pre-period, the
    /// A/A check and the sensitivity sweep included.
    pub sessions: u64,
    /// Wall time, seconds.
    pub seconds: f64,
    /// Sessions per second of wall time.
    pub sessions_per_second: f64,
    /// Share of the simulation's time spent inside engine calls: engine time
    /// over the time spent simulating users, both summed over threads.
    pub engine_share: f64,
}

fn default_power() -> f64 {
    0.8
}
