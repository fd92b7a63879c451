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
    /// `absolute` with CUPED (logged GMV as covariate, θ per resample) and
    /// its variance reduction. `None` before schema 3.
    #[serde(default)]
    pub cuped: Option<Cuped>,
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
    /// GMV per user with CUPED: where CUPED helps most, as the variance of an
    /// arm's mean is mostly which users were drawn. `None` before schema 3.
    #[serde(default)]
    pub cuped: Option<Cuped>,
    /// GMV per session (Σ GMV / Σ sessions over the users, a ratio of
    /// means with a paired percentile interval): the arm's yield per visit,
    /// free of how many visits it draws. `None` before schema 3.
    #[serde(default)]
    pub gmv_per_session: Option<Estimate>,
    /// GMV per user by purchase path; the paths sum to `gmv_per_user`.
    /// Empty before schema 3.
    #[serde(default)]
    pub paths: Vec<PathGmv>,
    /// GMV per user of purchases chosen but over the user's budget (finite
    /// demand, `behaviour.budget_mean`): spending one channel's purchases
    /// took from another's. `None` when demand is unbounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_forgone: Option<Estimate>,
    /// The guardrails.
    pub guardrails: Guardrails,
}

/// CUPED's adjustment of one estimate (see `simulate::cuped`): the
/// covariate is each user's GMV in the world's logs, whose mean over the
/// world's users is known exactly (schema 3; before it, the pre-period's GMV).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cuped {
    /// θ = cov(X, Y) / var(X) on the sample (re-fitted in every resample).
    pub theta: f64,
    /// 1 − var(CUPED estimate) / var(raw estimate) over the same resamples.
    pub variance_reduction: f64,
    /// The estimate after adjustment.
    pub adjusted: Estimate,
}

/// GMV per user booked to one purchase path (see `simulate::paths`):
/// `search_organic`, `search_seeded`, `feed_impulse`, `feed_seeded`,
/// `feed_organic` or `unplanned`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathGmv {
    /// The path.
    pub path: String,
    /// GMV per user through it (for an arm), or its part of Δ (for the factorial).
    pub gmv: Estimate,
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
    /// Δ split by purchase path: each path's GMV put through the same
    /// contrast, so the paths' values sum to Δ's. Empty before schema 3.
    #[serde(default)]
    pub interaction_by_path: Vec<PathGmv>,
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
    /// The difference in GMV per session (treatment − control), paired over
    /// users: an arm that draws more visits cannot win this by traffic
    /// alone. `None` before schema 3.
    #[serde(default)]
    pub per_session: Option<Estimate>,
}

/// The channel-level interaction: do search and feed together sell more than
/// each alone?
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelInteraction {
    /// The search-only arm.
    pub search: String,
    /// The feed-only arm.
    pub feed: String,
    /// The arm with both channels.
    pub both: String,
    /// both − search − feed + baseline per user, paired, where the baseline
    /// (no channel) is 0 GMV by definition.
    pub interaction: Estimate,
    /// The interaction relative to the both-channel arm's GMV per user.
    pub relative: Estimate,
    /// How the baseline is defined, for readers.
    pub baseline: String,
}

/// The A/A validation: the control arm against itself.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AaCheck {
    /// Replicates run.
    pub replicates: usize,
    /// Replicates whose interval excluded zero. `None` before schema 3.
    #[serde(default)]
    pub false_positives: Option<usize>,
    /// Share of replicates whose interval (at the summary's confidence) excluded zero.
    pub false_positive_rate: f64,
    /// Wilson score interval of the rate at the summary's confidence: how
    /// precisely the replicates pin it. `None` before schema 3.
    #[serde(default)]
    pub rate_interval: Option<[f64; 2]>,
    /// Whether the two copies shared every stream and differed only by an
    /// irrelevant tie-break (schema 3), the pairing of the real comparisons,
    /// rather than running on independent seeds (before schema 3).
    #[serde(default)]
    pub paired: bool,
    /// The nominal rate, 1 − confidence (0.05).
    pub nominal: f64,
}

/// The planted-interaction positive control: a factorial cell rerun with a
/// handicap of known effect, on the same streams.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlantedControl {
    /// The factorial role handicapped: `neither`, `a`, `b` or `a_b`.
    pub cell: String,
    /// The channels demoted: `search`, `feed` or `both`.
    pub channels: String,
    /// Results skipped on a demoted list.
    pub skip: usize,
    /// Share of the cell's sessions on those channels demoted.
    pub probability: f64,
    /// X, the interaction planted: the handicap's effect on the cell's GMV
    /// per user, signed as Δ counts the cell. Its value is exact for the
    /// simulated users and streams (the two runs are paired session by
    /// session); its interval is the spread over users.
    pub size: Estimate,
    /// Δ of the factorial with the handicapped cell: the real Δ̂ plus X.
    pub interaction: Estimate,
    /// Its verdict, as in [`Factorial::verdict`].
    pub verdict: String,
    /// Whether the verdict found the planted sign (super-additive for X > 0,
    /// sub-additive for X < 0).
    pub detected: bool,
    /// "a planted interaction of X was estimated as Y \[CI\]: verdict, detected".
    pub statement: String,
}

/// How much GMV perfect ranking would add, per channel, and how much of it
/// the factorial's cells capture. Each ceiling is an oracle arm's GMV per
/// user minus `neither`'s, paired per user; each share is a cell's uplift
/// over `neither` divided by the matching ceiling (percentile interval).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OracleCeilings {
    /// Search ranked by the oracle, the feed as `neither`.
    pub search: Estimate,
    /// The feed ranked by the oracle, search as `neither`.
    pub feed: Estimate,
    /// Both ranked by the oracle.
    pub both: Estimate,
    /// Δ of perfect rankers: GMV(both) − GMV(search) − GMV(feed) +
    /// GMV(neither) of the oracle arms: how the channels combine when each
    /// is as good as it can be.
    pub interaction: Estimate,
    /// A's uplift as a share of the search ceiling.
    pub share_a: Estimate,
    /// B's uplift as a share of the feed ceiling.
    pub share_b: Estimate,
    /// A+B's uplift as a share of the both-channel ceiling.
    pub share_a_b: Estimate,
}

/// The data loop: engines retrained on each arm's own traffic, and what that
/// did to Δ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataLoopSummary {
    /// Days between rebuilds.
    pub retrain_days: u32,
    /// Each arm's rebuilds, in settings order.
    pub arms: Vec<LoopArm>,
    /// Δ of the same factorial with the engines trained once, on the same
    /// users and streams.
    pub static_interaction: Estimate,
    /// The loop's contribution to Δ: Δ with the loop − Δ without, paired
    /// per user.
    pub contribution: Estimate,
    /// The contribution's verdict, worded as Δ's (`super_additive`: the loop
    /// raises Δ).
    pub verdict: String,
    /// The contribution in a sentence, with its MDE.
    pub statement: String,
}

/// One arm's rebuilds in the data loop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoopArm {
    /// The arm.
    pub arm: String,
    /// Engines rebuilt, over all replicates.
    pub retrains: u32,
    /// Seconds spent rebuilding.
    pub seconds: f64,
    /// Simulated events the last rebuild learned from, besides the world's logs.
    pub events: usize,
}

/// How an experiment with a `target_mde` was sized from its pilot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sizing {
    /// The MDE for Δ asked for, GMV per user.
    pub target_mde: f64,
    /// As written: `1.5%` of the pilot's `neither` GMV per user, or `1.5`.
    pub target_setting: String,
    /// Users of the last pilot (the first runs the scenario's `users`).
    pub pilot_users: usize,
    /// Δ's MDE the last pilot reached.
    pub pilot_mde: f64,
    /// Users the target needs: pilot users × (pilot MDE / target)², since an
    /// MDE shrinks with √users; never fewer than the pilot's.
    pub required_users: usize,
    /// The most users the budget allowed (`max_users`, or the world's users).
    pub budget_users: usize,
}

/// One world's Δ in an experiment replicated over worlds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldEstimate {
    /// The world's generation seed.
    pub world_seed: u64,
    /// The simulation seed its experiment ran under.
    pub simulation_seed: u64,
    /// Its Δ, with the within-world interval.
    pub interaction: Estimate,
    /// Its verdict alone.
    pub verdict: String,
}

/// Δ pooled over worlds (`[simulation] world_seeds`): engines trained per
/// world, the between-world variation inside the interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldReplication {
    /// Worlds pooled.
    pub worlds: usize,
    /// How the interval was made.
    pub method: String,
    /// Standard deviation of the worlds' Δ (n − 1): how much one world's
    /// answer depends on the world drawn.
    pub between_world_sd: f64,
    /// The mean of the worlds' Δ with the two-stage interval, SE and MDE.
    pub interaction: Estimate,
    /// The verdict on the pooled Δ, as in [`Factorial::verdict`] (the margin
    /// follows the worlds' mean `neither` GMV).
    pub verdict: String,
    /// The verdict in a sentence.
    pub statement: String,
    /// The pooled equivalence test.
    pub equivalence: Equivalence,
    /// Every world's own estimate, in seed order as listed.
    pub per_world: Vec<WorldEstimate>,
}

/// Δ at one point of a sensitivity sweep: one value of one parameter, or
/// one cell of a two-parameter grid. From schema 3 every point is an
/// experiment of its own: the world regenerated with the point's parameters
/// (so its logs follow them), the arms' engines retrained on it, and its own
/// simulation seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivityPoint {
    /// The parameter (dotted scenario path, e.g. `behaviour.seed_offset`).
    pub parameter: String,
    /// Its value.
    pub value: f64,
    /// The grid's second parameter, for a two-parameter grid.
    #[serde(default)]
    pub by_parameter: Option<String>,
    /// Its value at this point.
    #[serde(default)]
    pub by_value: Option<f64>,
    /// Δ at that point.
    pub interaction: Estimate,
    /// The `neither` arm's GMV per user at the point, for Δ relative to GMV.
    #[serde(default)]
    pub gmv_neither: Option<f64>,
    /// Two-sided p-value of Δ = 0 (normal, from Δ's SE), before adjustment.
    #[serde(default)]
    pub p_value: Option<f64>,
    /// The p-value adjusted for every point of the scenario's sweeps by
    /// Holm's step-down method (the family-wise error rate stays at
    /// 1 − confidence whatever the dependence between points).
    #[serde(default)]
    pub adjusted_p_value: Option<f64>,
    /// As in [`Factorial::verdict`], but super- or sub-additive only when
    /// the Holm-adjusted p-value is below 1 − confidence, and additive only
    /// when the Holm-adjusted TOST p-value is; the margin follows the
    /// `neither` arm at this point.
    pub verdict: String,
    /// As in [`Factorial::statement`].
    #[serde(default)]
    pub statement: String,
    /// As in [`Factorial::equivalence`].
    #[serde(default)]
    pub equivalence: Option<Equivalence>,
    /// Whether the world's logs were regenerated and the engines retrained
    /// at this point (schema 3) rather than only the simulated users
    /// changing behaviour (schema 2).
    #[serde(default)]
    pub retrained: bool,
    /// The point's simulation seed (schema 3: independent per point).
    #[serde(default)]
    pub seed: Option<u64>,
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
    /// Pre-period under the control arm, days (0: none).
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
    /// Δ pooled over worlds, when `world_seeds` lists them (the other
    /// figures here are those of the run's own world).
    #[serde(default)]
    pub worlds: Option<WorldReplication>,
    /// How the experiment was sized, when `target_mde` asked for it.
    #[serde(default)]
    pub sizing: Option<Sizing>,
    /// The channel-level interaction, when the settings name its arms.
    #[serde(default)]
    pub channel_interaction: Option<ChannelInteraction>,
    /// The planted-interaction positive control, when the settings plant one.
    #[serde(default)]
    pub planted: Option<PlantedControl>,
    /// The oracle's ceilings, when `oracle` asked for them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oracle: Option<OracleCeilings>,
    /// The data loop, when `retrain_days` turned it on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_loop: Option<DataLoopSummary>,
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
