//! The simulated business outcome: GMV per arm (per user and per session),
//! the channel comparisons and the channel-level interaction, the 2×2
//! coupling factorial and its verdict in plain words with the planted
//! positive control and its replication over worlds, how the experiment was
//! sized, the A/A check, the sensitivity sweeps (one-parameter lines and
//! two-parameter heatmaps) and the guardrails. When the scenario asks for
//! them, the oracle's ceilings (the GMV perfect ranking of each channel would
//! add, and the share of it each factorial cell captures; the oracle's arms
//! are tagged as ceilings wherever arms are listed) and the data loop (Δ with
//! engines retrained on each arm's own traffic against Δ with engines trained
//! once). From schema 3, each arm's GMV
//! per user and Δ are also split by purchase path (where the GMV, and Δ,
//! come from). Each arm's GMV per user and
//! each uplift also show their CUPED adjustment (schema 3) as a muted line
//! under the raw figure, which the verdicts use. Every estimate shows its standard error (SE) and minimum
//! detectable effect (MDE) beside it — "—" for results of schema 1, which
//! had neither; figures schema 3 added show "—" (or their block says it is
//! absent) in older results. Every figure here is simulated, and the page
//! says so.

use searchrec_harness::simulate::stats::mde_multiplier;
use searchrec_harness::simulate::{
    AaCheck, ArmComparison, ArmSummary, ChannelInteraction, Cuped, DataLoopSummary, Equivalence, Estimate, Factorial,
    LoopArm, OracleCeilings, PathGmv, PlantedControl, SensitivityPoint, SimulationSummary, Sizing, Uplift,
    WorldReplication,
};
use serde::Serialize;

use super::{ChartView, Field};
use crate::charts::bars::{Bar, bar_chart};
use crate::charts::interaction::{Cells, interaction_chart};
use crate::charts::sensitivity::sensitivity_chart;
use crate::charts::sensitivity_map::sensitivity_map_chart;
use crate::charts::worlds::{ForestRow, worlds_chart};
use crate::format;
use crate::svg::palette::{Colours, NEUTRAL};

/// The simulation section.
#[derive(Debug, Serialize)]
pub(crate) struct SimulationView {
    label: String,
    confidence: String,
    settings: Vec<Field>,
    /// How the experiment was sized to a target MDE, in a sentence.
    sizing: Option<String>,
    gmv_chart: Option<ChartView>,
    gmv_rows: Vec<GmvRow>,
    /// CUPED's covariate in words: the world's logged GMV from schema 3,
    /// the pre-period's GMV before it.
    cuped_covariate: &'static str,
    /// Whether any arm or uplift has its CUPED figures (schema 3).
    cuped_figures: bool,
    /// The columns of the GMV-by-path table: the paths any arm reports.
    path_columns: Vec<PathColumn>,
    /// One row per arm; empty (the table omitted) when no arm has paths.
    path_rows: Vec<ArmPathsRow>,
    arms: Vec<ArmRow>,
    comparisons: Vec<ComparisonRow>,
    channel_interaction: Option<ChannelView>,
    factorial: Option<FactorialView>,
    planted: Option<PlantedView>,
    /// The oracle's ceilings and the shares of them the factorial's cells capture.
    oracle: Option<OracleView>,
    /// Whether any arm listed is one of the oracle's (a note says what they are).
    oracle_arms: bool,
    /// The data loop: Δ with engines retrained on each arm's own traffic and without.
    data_loop: Option<DataLoopView>,
    worlds: Option<WorldsView>,
    aa: Option<AaView>,
    sensitivity_charts: Vec<ChartView>,
    /// The sweeps' caption: whether points are independent experiments,
    /// whether verdicts are adjusted for multiplicity.
    sensitivity_notes: Vec<String>,
    sensitivity_rows: Vec<SensitivityRow>,
    cost: Vec<Field>,
}

#[derive(Debug, Serialize)]
struct ArmRow {
    name: String,
    /// What the oracle ranks (`the feed`), for one of the oracle's ceiling arms.
    ceiling: Option<&'static str>,
    engine: String,
    channels: String,
    /// Which couplings are on: `A+B`, `A`, `B` or `none`.
    coupling: &'static str,
    ctr: String,
    conversion: String,
    average_order_value: String,
    coverage: String,
    sessions_per_user: String,
    searches_per_user: String,
    latency_p50: String,
    latency_p99: String,
}

/// GMV per user and per session of one arm.
#[derive(Debug, Serialize)]
struct GmvRow {
    name: String,
    /// What the oracle ranks (`the feed`), for one of the oracle's ceiling arms.
    ceiling: Option<&'static str>,
    gmv: String,
    interval: String,
    se: String,
    mde: String,
    /// GMV per session: "—" throughout for results before schema 3.
    per_session: EstimateText,
    /// GMV per user with CUPED; `None` (no sub-row) before schema 3.
    cuped: Option<CupedText>,
}

/// The purchase paths in report order, each with what it is in plain words.
const PATHS: [(&str, &str); 6] = [
    ("search_organic", "Bought in search, closing a need that arose by itself"),
    (
        "search_seeded",
        "Bought in search, closing a need the feed seeded earlier: seeded demand coming back as a search",
    ),
    ("feed_impulse", "Bought in the feed, closing a need seeded in that same session"),
    ("feed_seeded", "Bought in the feed, closing a need the feed seeded in an earlier session"),
    ("feed_organic", "Bought in the feed, closing a need that arose by itself"),
    ("unplanned", "Bought matching no open need, in either channel"),
];

/// A path's position in [`PATHS`]; unknown paths after them.
fn path_rank(path: &str) -> usize {
    PATHS.iter().position(|p| p.0 == path).unwrap_or(PATHS.len())
}

/// What a path is, in plain words.
fn path_description(path: &str) -> &'static str {
    PATHS.get(path_rank(path)).map_or("A path this report does not describe", |p| p.1)
}

/// The CSS class colouring a path's swatch and bar segment.
fn path_class(path: &str) -> String {
    match path_rank(path) {
        i if i < PATHS.len() => format!("path-{i}"),
        _ => "path-other".to_string(),
    }
}

/// A column of the GMV-by-path table.
#[derive(Debug, Serialize)]
struct PathColumn {
    path: String,
    description: &'static str,
    class: String,
}

/// One arm's GMV per user by path.
#[derive(Debug, Serialize)]
struct ArmPathsRow {
    name: String,
    /// What the oracle ranks (`the feed`), for one of the oracle's ceiling arms.
    ceiling: Option<&'static str>,
    gmv: String,
    /// The paths' shares of the arm's GMV per user, summed (100.0%).
    share: String,
    /// One cell per column, "—" for a path the arm does not report.
    cells: Vec<PathCell>,
    /// The shares as a stacked bar, in column order.
    bar: Vec<BarSegment>,
}

/// One path of one arm.
#[derive(Debug, Serialize)]
struct PathCell {
    value: String,
    share: String,
    /// Its interval, SE and MDE, for the cell's tooltip.
    title: String,
}

/// One path's part of an arm's stacked share bar.
#[derive(Debug, Serialize)]
struct BarSegment {
    class: String,
    /// CSS width (`36.4%`).
    width: String,
    title: String,
}

/// Where Δ comes from: Δ split by purchase path.
#[derive(Debug, Serialize)]
struct DeltaPathsView {
    rows: Vec<DeltaPathRow>,
    /// Δ itself, the paths' sum.
    total: EstimateText,
    total_reading: &'static str,
    total_class: &'static str,
    /// Set when the paths do not sum to Δ (they should, exactly).
    mismatch: Option<String>,
}

/// One path's part of Δ.
#[derive(Debug, Serialize)]
struct DeltaPathRow {
    path: String,
    description: &'static str,
    class: String,
    delta: EstimateText,
    /// `above zero`, `below zero` or `spans zero`, of the path's interval.
    reading: &'static str,
    reading_class: &'static str,
}

/// A CUPED-adjusted estimate: the estimate, θ and the change in variance
/// against the raw estimate (`−38.1%`; positive when CUPED widened it).
#[derive(Debug, Serialize)]
struct CupedText {
    adjusted: EstimateText,
    theta: String,
    variance: String,
}

impl CupedText {
    fn new(c: &Cuped, value: impl Fn(f64) -> String) -> CupedText {
        CupedText {
            adjusted: EstimateText::new(Some(&c.adjusted), value, format::sig),
            theta: format::sig(c.theta),
            variance: variance_change(c.variance_reduction),
        }
    }
}

/// A variance reduction as the change in variance it is: 0.381 → `−38.1%`,
/// −0.006 → `+0.6%`.
fn variance_change(reduction: f64) -> String {
    format::signed_percent(-reduction)
}

/// One estimate as the cells of a table row or a sentence: value, interval,
/// SE and MDE, each "—" when the results lack it.
#[derive(Debug, Serialize)]
struct EstimateText {
    value: String,
    interval: String,
    se: String,
    mde: String,
}

impl EstimateText {
    /// `e` with its value and interval formatted by `value`, its SE and MDE
    /// (sizes, never signed) by `size`.
    fn new(e: Option<&Estimate>, value: impl Fn(f64) -> String, size: impl Fn(f64) -> String) -> EstimateText {
        match e {
            Some(e) => EstimateText {
                value: value(e.value),
                interval: format::interval(e.lower, e.upper, &value),
                se: se(e, &size),
                mde: mde(e, &size),
            },
            None => EstimateText { value: "—".into(), interval: "—".into(), se: "—".into(), mde: "—".into() },
        }
    }
}

/// A channel comparison: the uplift per user and the difference per session.
#[derive(Debug, Serialize)]
struct ComparisonRow {
    uplift: UpliftRow,
    /// The difference in GMV per session, "—" before schema 3.
    per_session: EstimateText,
    /// As [`UpliftRow::reading`], of the per-session interval ("—" without one).
    per_session_reading: &'static str,
    per_session_class: &'static str,
}

/// The channel-level interaction: both − search only − feed only + 0.
#[derive(Debug, Serialize)]
struct ChannelView {
    search: String,
    feed: String,
    both: String,
    interaction: EstimateText,
    relative: EstimateText,
    /// `above zero`, `below zero` or `spans zero`, of the interaction's interval.
    reading: &'static str,
    class: &'static str,
    explanation: String,
    baseline: String,
}

/// The planted-interaction positive control.
#[derive(Debug, Serialize)]
struct PlantedView {
    cell: String,
    channels: String,
    skip: usize,
    probability: String,
    /// X, the interaction planted.
    size: EstimateText,
    /// Δ of the factorial with the handicapped cell.
    delta: EstimateText,
    verdict: String,
    detected: bool,
    /// `good` when detected, `bad` when missed.
    class: &'static str,
    statement: String,
}

/// The names the simulator gives the oracle's ceiling arms, by the channel
/// the oracle ranks on each (the other channel is served as in `neither`).
const ORACLE_ARMS: [(&str, &str); 3] =
    [("search", "oracle (search)"), ("feed", "oracle (feed)"), ("both", "oracle (both)")];

/// Which arms are the oracle's: those named as the simulator names its
/// ceiling arms, in results that report the oracle's ceilings.
#[derive(Clone, Copy)]
struct OracleArms {
    reported: bool,
}

impl OracleArms {
    fn new(s: &SimulationSummary) -> OracleArms {
        OracleArms { reported: s.oracle.is_some() }
    }

    /// The channel the oracle ranks on arm `name`; `None` for a scenario arm.
    fn channel(self, name: &str) -> Option<&'static str> {
        if !self.reported {
            return None;
        }
        ORACLE_ARMS.iter().find(|(_, arm)| *arm == name).map(|(channel, _)| *channel)
    }

    /// What the oracle ranks on arm `name`, in words (`the feed`); `None`
    /// for a scenario arm.
    fn ranks(self, name: &str) -> Option<&'static str> {
        self.channel(name).map(|channel| match channel {
            "search" => "search",
            "feed" => "the feed",
            _ => "both search and the feed",
        })
    }
}

/// Headroom: the oracle's ceilings per channel, the share of each the
/// matching factorial cell captures, and the oracle arms' own Δ.
#[derive(Debug, Serialize)]
struct OracleView {
    /// The control arm every ceiling is measured from.
    neither: String,
    rows: Vec<CeilingRow>,
    /// The oracle arms' names, search, feed and both, for Δ's formula.
    search_arm: &'static str,
    feed_arm: &'static str,
    both_arm: &'static str,
    /// Δ of the oracle arms.
    interaction: EstimateText,
    /// `above zero`, `below zero` or `spans zero`, of its interval.
    reading: &'static str,
    class: &'static str,
    explanation: String,
}

/// One channel's ceiling and the cell that captures part of it.
#[derive(Debug, Serialize)]
struct CeilingRow {
    /// `search`, `feed` or `both`.
    channel: &'static str,
    /// The oracle arm the ceiling is read from.
    arm: &'static str,
    /// GMV per user that perfect ranking of the channel adds over `neither`.
    ceiling: EstimateText,
    /// The factorial cell (its arm's name) whose uplift is set against it.
    cell: String,
    /// What that cell couples, in words.
    factor: &'static str,
    /// The cell's uplift as a share of the ceiling.
    share: EstimateText,
}

/// The data loop: Δ with engines retrained on each arm's own traffic, Δ
/// with them trained once, the loop's contribution and each arm's rebuilds.
#[derive(Debug, Serialize)]
struct DataLoopView {
    /// "every 7 simulated days".
    every: String,
    /// Δ with the loop: the factorial's Δ ("—" without a factorial).
    looped: EstimateText,
    looped_reading: &'static str,
    looped_class: &'static str,
    /// Δ with the engines trained once.
    fixed: EstimateText,
    fixed_reading: &'static str,
    fixed_class: &'static str,
    /// Δ with the loop − Δ without, paired per user.
    contribution: EstimateText,
    contribution_reading: &'static str,
    contribution_class: &'static str,
    verdict: String,
    verdict_class: &'static str,
    statement: String,
    explanation: String,
    /// Replicates the rebuilds are counted over.
    replicates: usize,
    arms: Vec<LoopArmRow>,
}

/// One arm's rebuilds in the data loop.
#[derive(Debug, Serialize)]
struct LoopArmRow {
    arm: String,
    retrains: String,
    seconds: String,
    events: String,
}

#[derive(Debug, Serialize)]
struct UpliftRow {
    label: String,
    arm: String,
    against: String,
    absolute: String,
    absolute_interval: String,
    absolute_se: String,
    absolute_mde: String,
    relative: String,
    relative_interval: String,
    relative_se: String,
    relative_mde: String,
    /// `above zero`, `below zero` or `spans zero`, of the absolute interval.
    reading: &'static str,
    class: &'static str,
    /// The absolute uplift with CUPED; `None` (no sub-row) before schema 3.
    cuped: Option<CupedText>,
}

#[derive(Debug, Serialize)]
struct FactorialView {
    chart: Option<ChartView>,
    missing: Vec<String>,
    uplifts: Vec<UpliftRow>,
    delta: String,
    interval: String,
    se: String,
    mde: String,
    verdict: String,
    verdict_class: &'static str,
    /// The verdict's sentence from the results (empty for schema 1).
    statement: String,
    explanation: String,
    /// The equivalence test in words, when the results have one.
    equivalence: Option<String>,
    cuped_delta: String,
    cuped_interval: String,
    cuped_se: String,
    cuped_mde: String,
    cuped_theta: String,
    /// The change in Δ's variance with CUPED (`−38.0%`).
    cuped_variance: String,
    /// Δ by purchase path; `None` (a note instead) before schema 3.
    paths: Option<DeltaPathsView>,
}

#[derive(Debug, Serialize)]
struct AaView {
    replicates: usize,
    /// "k of N replicates", "— of N replicates" before schema 3.
    false_positives: String,
    rate: String,
    /// The rate's Wilson interval, "—" before schema 3.
    rate_interval: String,
    nominal: String,
    /// Both copies shared every stream and differed only by a tie-break;
    /// false for older results, whose copies ran on independent seeds.
    paired: bool,
    calibrated: bool,
}

/// Δ replicated over worlds and pooled.
#[derive(Debug, Serialize)]
struct WorldsView {
    worlds: usize,
    /// The pooled Δ.
    delta: EstimateText,
    verdict: String,
    verdict_class: &'static str,
    statement: String,
    between_world_sd: String,
    method: String,
    /// The pooled equivalence test in words.
    equivalence: String,
    chart: Option<ChartView>,
    rows: Vec<WorldRow>,
}

/// One world's own Δ.
#[derive(Debug, Serialize)]
struct WorldRow {
    world_seed: u64,
    simulation_seed: u64,
    delta: EstimateText,
    verdict: String,
    class: &'static str,
}

#[derive(Debug, Serialize)]
struct SensitivityRow {
    /// The parameter, or `first × second` for a point of a grid.
    parameter: String,
    /// Its value, or `first × second`.
    value: String,
    delta: String,
    interval: String,
    se: String,
    mde: String,
    /// Raw and Holm-adjusted p-values, "—" before schema 3.
    p: String,
    adjusted_p: String,
    verdict: String,
    statement: String,
    class: &'static str,
    /// World regenerated and engines retrained at the point.
    retrained: bool,
    /// The point's simulation seed, "—" when not reported.
    seed: String,
}

impl SimulationView {
    /// The section for `s`, from results of `schema_version`.
    pub(super) fn new(s: &SimulationSummary, schema_version: u32) -> SimulationView {
        let logged_covariate = schema_version >= 3;
        let confidence = format::percent(s.confidence, 0);
        let factorial = s.factorial.as_ref().map(|f| factorial_view(s, f, &confidence));
        let oracle_arms = OracleArms::new(s);
        let oracle = s.oracle.as_ref().map(|o| oracle_view(o, s.factorial.as_ref(), &confidence));
        let data_loop = s.data_loop.as_ref().map(|d| data_loop_view(d, s, &confidence));
        let (path_columns, path_rows) = arm_paths(&s.arms, &confidence, oracle_arms);
        let channel_interaction = s.channel_interaction.as_ref().map(|c| channel_view(c, &confidence));
        let (sensitivity_charts, sensitivity_rows) = sensitivity(s);
        let control = s.factorial.as_ref().map_or("neither", |f| f.neither.as_str());
        SimulationView {
            label: s.label.clone(),
            settings: vec![
                Field::new("simulated users", format::count(s.users as u64)),
                Field::new("horizon", format!("{} days", s.horizon_days)),
                Field::new(
                    if logged_covariate {
                        "pre-period (recorded per user, not CUPED's covariate)"
                    } else {
                        "pre-period (CUPED covariate)"
                    },
                    format!("{} days", s.pre_period_days),
                ),
                Field::new("replicates (each user's GMV averaged over them)", s.replicates.to_string()),
                Field::new("simulation seed", s.seed.to_string()),
                Field::new("bootstrap resamples", format::count(s.bootstrap_resamples as u64)),
                Field::new("confidence of every interval", confidence.clone()),
                Field::new(
                    "MDE of every estimate",
                    format!(
                        "{} power, two-sided at {}: {} × SE",
                        format::percent(s.power, 0),
                        format::percent(1.0 - s.confidence, 0),
                        format::fixed(mde_multiplier(s.confidence, s.power), 2)
                    ),
                ),
            ],
            sizing: s.sizing.as_ref().map(|z| sizing_sentence(z, control)),
            confidence,
            gmv_chart: gmv_chart(&s.arms, oracle_arms),
            gmv_rows: s
                .arms
                .iter()
                .map(|a| GmvRow {
                    name: a.name.clone(),
                    ceiling: oracle_arms.ranks(&a.name),
                    gmv: format::sig(a.gmv_per_user.value),
                    interval: format::interval(a.gmv_per_user.lower, a.gmv_per_user.upper, format::sig),
                    se: se(&a.gmv_per_user, format::sig),
                    mde: mde(&a.gmv_per_user, format::sig),
                    per_session: EstimateText::new(a.gmv_per_session.as_ref(), format::sig, format::sig),
                    cuped: a.cuped.as_ref().map(|c| CupedText::new(c, format::sig)),
                })
                .collect(),
            cuped_covariate: if logged_covariate { "logged GMV" } else { "pre-period GMV" },
            cuped_figures: s.arms.iter().any(|a| a.cuped.is_some())
                || s.comparisons.iter().any(|c| c.uplift.cuped.is_some())
                || s.factorial
                    .as_ref()
                    .is_some_and(|f| [&f.uplift_a, &f.uplift_b, &f.uplift_a_b].iter().any(|u| u.cuped.is_some())),
            path_columns,
            path_rows,
            arms: s.arms.iter().map(|a| arm_row(a, oracle_arms)).collect(),
            comparisons: s.comparisons.iter().map(comparison_row).collect(),
            channel_interaction,
            factorial,
            planted: s.planted.as_ref().map(planted_view),
            oracle,
            oracle_arms: s.arms.iter().any(|a| oracle_arms.channel(&a.name).is_some()),
            data_loop,
            worlds: s.worlds.as_ref().map(|w| worlds_view(w, control)),
            aa: s.aa.map(aa_view),
            sensitivity_charts,
            sensitivity_notes: sensitivity_notes(s),
            sensitivity_rows,
            cost: vec![
                Field::new("sessions simulated", format::count(s.sessions)),
                Field::new("wall time", format::seconds(s.seconds)),
                Field::new("sessions per second", format::sig(s.sessions_per_second)),
                Field::new("time inside engine calls", format::percent(s.engine_share, 1)),
            ],
        }
    }

    /// Charts in this section.
    pub(super) fn chart_count(&self) -> usize {
        usize::from(self.gmv_chart.is_some())
            + self.factorial.as_ref().map_or(0, |f| usize::from(f.chart.is_some()))
            + self.worlds.as_ref().map_or(0, |w| usize::from(w.chart.is_some()))
            + self.sensitivity_charts.len()
    }
}

/// GMV per user by arm, a bar each; the oracle's ceiling arms in grey,
/// marked as ceilings, so they read as bounds rather than competitors (and
/// leave the engines' colours as they are without them).
fn gmv_chart(arms: &[ArmSummary], oracle: OracleArms) -> Option<ChartView> {
    if arms.is_empty() {
        return None;
    }
    let is_ceiling = |a: &ArmSummary| oracle.channel(&a.name).is_some();
    let colours = Colours::new(arms.iter().filter(|a| !is_ceiling(a)).map(|a| a.engine.as_str()));
    let bars: Vec<Bar> = arms
        .iter()
        .map(|a| {
            let ceiling = is_ceiling(a);
            Bar {
                label: a.name.clone(),
                value: a.gmv_per_user.value,
                interval: Some((a.gmv_per_user.lower, a.gmv_per_user.upper)),
                colour: if ceiling { NEUTRAL } else { colours.colour(&a.engine) },
                text: if ceiling {
                    format!("{} (ceiling)", format::sig(a.gmv_per_user.value))
                } else {
                    format::sig(a.gmv_per_user.value)
                },
            }
        })
        .collect();
    let mut caption =
        "Whiskers: the paired-bootstrap confidence interval. Bars are coloured by the engine serving the arm."
            .to_string();
    if arms.iter().any(is_ceiling) {
        caption.push_str(
            " Grey bars marked (ceiling): the oracle's arms, which rank by expected GMV under the simulated user's true behaviour; \
             ceilings, not competitors.",
        );
    }
    Some(ChartView {
        title: "GMV per user by arm".into(),
        svg: bar_chart("gmv", "GMV per user by arm (simulated)", "GMV per user over the horizon (simulated)", &bars),
        caption: Some(caption),
    })
}

/// `e`'s interval, SE and MDE in a phrase, for a tooltip.
fn estimate_phrase(e: &Estimate, confidence: &str) -> String {
    format!(
        "{confidence} CI {}, SE {}, MDE {}",
        format::interval(e.lower, e.upper, format::sig),
        se(e, format::sig),
        mde(e, format::sig)
    )
}

/// The GMV-by-path table: a column per path any arm reports (in report
/// order, unknown paths last), a row per arm; both empty when no arm has paths.
fn arm_paths(arms: &[ArmSummary], confidence: &str, oracle: OracleArms) -> (Vec<PathColumn>, Vec<ArmPathsRow>) {
    let mut names: Vec<&str> = Vec::new();
    for p in arms.iter().flat_map(|a| &a.paths) {
        if !names.contains(&p.path.as_str()) {
            names.push(&p.path);
        }
    }
    if names.is_empty() {
        return (Vec::new(), Vec::new());
    }
    // Stable: unknown paths keep the order they first appear in.
    names.sort_by_key(|name| path_rank(name));
    let columns = names
        .iter()
        .map(|name| PathColumn { path: name.to_string(), description: path_description(name), class: path_class(name) })
        .collect();
    let rows = arms
        .iter()
        .map(|a| {
            let gmv = a.gmv_per_user.value;
            let found: Vec<Option<&PathGmv>> =
                names.iter().map(|name| a.paths.iter().find(|p| p.path == *name)).collect();
            let cells = found
                .iter()
                .map(|p| match p {
                    Some(p) => PathCell {
                        value: format::sig(p.gmv.value),
                        share: format::percent(p.gmv.value / gmv, 1),
                        title: estimate_phrase(&p.gmv, confidence),
                    },
                    None => PathCell { value: "—".into(), share: "—".into(), title: "not reported".into() },
                })
                .collect();
            let bar = found
                .iter()
                .flatten()
                .filter(|p| gmv > 0.0 && p.gmv.value > 0.0)
                .map(|p| BarSegment {
                    class: path_class(&p.path),
                    width: format::percent((p.gmv.value / gmv).min(1.0), 1),
                    title: format!(
                        "{}: {} GMV per user, {} of {}",
                        p.path,
                        format::sig(p.gmv.value),
                        format::percent(p.gmv.value / gmv, 1),
                        a.name
                    ),
                })
                .collect();
            let total: f64 = a.paths.iter().map(|p| p.gmv.value).sum();
            ArmPathsRow {
                name: a.name.clone(),
                ceiling: oracle.ranks(&a.name),
                gmv: format::sig(gmv),
                share: if a.paths.is_empty() { "—".into() } else { format::percent(total / gmv, 1) },
                cells,
                bar,
            }
        })
        .collect();
    (columns, rows)
}

/// Where Δ comes from: one row per path, Δ as the total; `None` without paths.
fn delta_paths(f: &Factorial) -> Option<DeltaPathsView> {
    if f.interaction_by_path.is_empty() {
        return None;
    }
    let rows = f
        .interaction_by_path
        .iter()
        .map(|p| {
            let (reading, reading_class) = reading(&p.gmv);
            DeltaPathRow {
                path: p.path.clone(),
                description: path_description(&p.path),
                class: path_class(&p.path),
                delta: EstimateText::new(Some(&p.gmv), format::signed, format::sig),
                reading,
                reading_class,
            }
        })
        .collect();
    let sum: f64 = f.interaction_by_path.iter().map(|p| p.gmv.value).sum();
    let delta = f.interaction.value;
    let mismatch = ((sum - delta).abs() > 1e-9 * delta.abs().max(1.0)).then(|| {
        format!(
            "The paths sum to {}, not Δ = {}: these results split Δ inconsistently, so read the paths with care.",
            format::signed(sum),
            format::signed(delta)
        )
    });
    let (total_reading, total_class) = reading(&f.interaction);
    Some(DeltaPathsView {
        rows,
        total: EstimateText::new(Some(&f.interaction), format::signed, format::sig),
        total_reading,
        total_class,
        mismatch,
    })
}

fn arm_row(a: &ArmSummary, oracle: OracleArms) -> ArmRow {
    let g = &a.guardrails;
    ArmRow {
        name: a.name.clone(),
        ceiling: oracle.ranks(&a.name),
        engine: a.engine.clone(),
        channels: a.channels.clone(),
        coupling: match (a.personalised_search, a.query_aware_feed) {
            (true, true) => "A+B",
            (true, false) => "A",
            (false, true) => "B",
            (false, false) => "none",
        },
        ctr: format::percent(g.ctr, 2),
        conversion: format::percent(g.conversion, 1),
        average_order_value: format::sig(g.average_order_value),
        coverage: format::percent(g.coverage, 1),
        sessions_per_user: format::sig(g.sessions_per_user),
        searches_per_user: format::sig(g.searches_per_user),
        latency_p50: format::micros(g.latency_p50_us),
        latency_p99: format::micros(g.latency_p99_us),
    }
}

/// An estimate's standard error, "—" when the results have none (schema 1).
fn se(e: &Estimate, f: impl Fn(f64) -> String) -> String {
    e.se.map_or_else(|| "—".to_string(), f)
}

/// An estimate's MDE, "—" when the results have none (schema 1).
fn mde(e: &Estimate, f: impl Fn(f64) -> String) -> String {
    e.mde.map_or_else(|| "—".to_string(), f)
}

fn unsigned_percent(x: f64) -> String {
    format::percent(x, 1)
}

/// The CSS class of a verdict word, of either schema.
fn verdict_class(verdict: &str) -> &'static str {
    match verdict {
        "super_additive" | "supported" => "good",
        "sub_additive" | "contradicted" => "bad",
        _ => "neutral",
    }
}

/// Where an interval lies relative to zero, and its CSS class.
fn reading(e: &Estimate) -> (&'static str, &'static str) {
    if e.lower > 0.0 {
        ("above zero", "good")
    } else if e.upper < 0.0 {
        ("below zero", "bad")
    } else {
        ("spans zero", "neutral")
    }
}

fn uplift_row(label: String, arm: &str, against: &str, u: &Uplift) -> UpliftRow {
    let (reading, class) = reading(&u.absolute);
    UpliftRow {
        label,
        arm: arm.to_string(),
        against: against.to_string(),
        absolute: format::signed(u.absolute.value),
        absolute_interval: format::interval(u.absolute.lower, u.absolute.upper, format::signed),
        absolute_se: se(&u.absolute, format::sig),
        absolute_mde: mde(&u.absolute, format::sig),
        relative: format::signed_percent(u.relative.value),
        relative_interval: format::interval(u.relative.lower, u.relative.upper, format::signed_percent),
        relative_se: se(&u.relative, unsigned_percent),
        relative_mde: mde(&u.relative, unsigned_percent),
        reading,
        class,
        cuped: u.cuped.as_ref().map(|c| CupedText::new(c, format::signed)),
    }
}

fn comparison_row(c: &ArmComparison) -> ComparisonRow {
    let (per_session_reading, per_session_class) = c.per_session.as_ref().map_or(("—", "neutral"), reading);
    ComparisonRow {
        uplift: uplift_row(String::new(), &c.arm, &c.against, &c.uplift),
        per_session: EstimateText::new(c.per_session.as_ref(), format::signed, format::sig),
        per_session_reading,
        per_session_class,
    }
}

fn channel_view(c: &ChannelInteraction, confidence: &str) -> ChannelView {
    let (reading, class) = reading(&c.interaction);
    let explanation = match reading {
        "above zero" => format!(
            "Above zero: the {confidence} interval lies above zero: the two channels together sell more than each alone \
             added up; each channel creates demand the other one converts."
        ),
        "below zero" => format!(
            "Below zero: the {confidence} interval lies below zero: the two channels together sell less than each alone \
             added up; they partly serve the same needs, so each one alone already makes some of the other's sales."
        ),
        _ => format!(
            "The {confidence} interval includes zero: no channel-level interaction is distinguishable at this precision \
             (the experiment could only detect one of at least {} GMV per user, its MDE).",
            c.interaction.mde.map_or_else(|| "—".to_string(), format::sig)
        ),
    };
    ChannelView {
        search: c.search.clone(),
        feed: c.feed.clone(),
        both: c.both.clone(),
        interaction: EstimateText::new(Some(&c.interaction), format::signed, format::sig),
        relative: EstimateText::new(Some(&c.relative), format::signed_percent, unsigned_percent),
        reading,
        class,
        explanation,
        baseline: c.baseline.clone(),
    }
}

fn planted_view(p: &PlantedControl) -> PlantedView {
    PlantedView {
        cell: p.cell.clone(),
        channels: p.channels.clone(),
        skip: p.skip,
        probability: format::percent(p.probability, 0),
        size: EstimateText::new(Some(&p.size), format::signed, format::sig),
        delta: EstimateText::new(Some(&p.interaction), format::signed, format::sig),
        verdict: p.verdict.clone(),
        detected: p.detected,
        class: if p.detected { "good" } else { "bad" },
        statement: p.statement.clone(),
    }
}

/// The oracle's ceilings: a row per channel with the factorial cell that
/// captures part of it (by role when the results have no factorial).
fn oracle_view(o: &OracleCeilings, f: Option<&Factorial>, confidence: &str) -> OracleView {
    let name = |arm: Option<&String>, role: &str| arm.map_or_else(|| role.to_string(), String::clone);
    let neither = name(f.map(|f| &f.neither), "neither");
    let cells = [
        (0, &o.search, name(f.map(|f| &f.a), "a"), "A: feed signals in search", &o.share_a),
        (1, &o.feed, name(f.map(|f| &f.b), "b"), "B: search signals in the feed", &o.share_b),
        (2, &o.both, name(f.map(|f| &f.a_b), "a_b"), "A+B: both couplings", &o.share_a_b),
    ];
    let rows = cells
        .into_iter()
        .map(|(i, ceiling, cell, factor, share)| CeilingRow {
            channel: ORACLE_ARMS[i].0,
            arm: ORACLE_ARMS[i].1,
            ceiling: EstimateText::new(Some(ceiling), format::signed, format::sig),
            cell,
            factor,
            share: EstimateText::new(Some(share), unsigned_percent, unsigned_percent),
        })
        .collect();
    let (reading, class) = reading(&o.interaction);
    let explanation = match reading {
        "above zero" => format!(
            "Above zero: the {confidence} interval lies above zero: perfect search and a perfect feed together add \
             more than each alone added up; at their best the channels feed each other."
        ),
        "below zero" => format!(
            "Below zero: the {confidence} interval lies below zero: perfect search and a perfect feed together add less \
             than each alone added up; at their best they partly close the same needs, so the headroom of each \
             channel is not all there to take once the other ranks well."
        ),
        _ => format!(
            "The {confidence} interval includes zero: no interaction between perfect channels is distinguishable at \
             this precision (the experiment could only detect one of at least {} GMV per user, its MDE).",
            o.interaction.mde.map_or_else(|| "—".to_string(), format::sig)
        ),
    };
    OracleView {
        neither,
        rows,
        search_arm: ORACLE_ARMS[0].1,
        feed_arm: ORACLE_ARMS[1].1,
        both_arm: ORACLE_ARMS[2].1,
        interaction: EstimateText::new(Some(&o.interaction), format::signed, format::sig),
        reading,
        class,
        explanation,
    }
}

/// The data loop: the three Δ figures, the contribution's verdict in words
/// (as Δ's), and each arm's rebuilds.
fn data_loop_view(d: &DataLoopSummary, s: &SimulationSummary, confidence: &str) -> DataLoopView {
    let looped = s.factorial.as_ref().map(|f| &f.interaction);
    let (looped_reading, looped_class) = looped.map_or(("—", "neutral"), reading);
    let (fixed_reading, fixed_class) = reading(&d.static_interaction);
    let (contribution_reading, contribution_class) = reading(&d.contribution);
    let explanation = match d.verdict.as_str() {
        "super_additive" => format!(
            "Super-additive: the {confidence} interval lies above zero: retraining on each arm's own traffic raises Δ; \
             the coupled arms' engines learn from the demand the couplings create, and the interaction compounds."
        ),
        "sub_additive" => format!(
            "Sub-additive: the {confidence} interval lies below zero: retraining on each arm's own traffic lowers Δ; \
             what the engines learn from their own traffic erodes the couplings' interaction."
        ),
        "additive" => "Additive: the equivalence test (TOST) puts the contribution inside the margin: the loop leaves \
                       Δ as it was, with no change larger than the margin."
            .to_string(),
        "inconclusive" => format!(
            "Inconclusive: the {confidence} interval includes zero and is too wide to rule out a contribution as large \
             as the margin; the experiment could only detect a contribution of at least {} GMV per user either way \
             (its MDE). More users or replicates narrow it.",
            d.contribution.mde.map_or_else(|| "?".to_string(), format::sig)
        ),
        _ => format!("The simulator's verdict at {confidence}."),
    };
    DataLoopView {
        every: match d.retrain_days {
            1 => "every simulated day".to_string(),
            n => format!("every {n} simulated days"),
        },
        looped: EstimateText::new(looped, format::signed, format::sig),
        looped_reading,
        looped_class,
        fixed: EstimateText::new(Some(&d.static_interaction), format::signed, format::sig),
        fixed_reading,
        fixed_class,
        contribution: EstimateText::new(Some(&d.contribution), format::signed, format::sig),
        contribution_reading,
        contribution_class,
        verdict: d.verdict.clone(),
        verdict_class: verdict_class(&d.verdict),
        statement: d.statement.clone(),
        explanation,
        replicates: s.replicates,
        arms: d.arms.iter().map(loop_arm_row).collect(),
    }
}

fn loop_arm_row(a: &LoopArm) -> LoopArmRow {
    LoopArmRow {
        arm: a.arm.clone(),
        retrains: format::count(u64::from(a.retrains)),
        seconds: format::seconds(a.seconds),
        events: format::count(a.events as u64),
    }
}

fn aa_view(aa: AaCheck) -> AaView {
    let calibrated = match aa.rate_interval {
        // The nominal rate inside the rate's Wilson interval.
        Some([lower, upper]) => lower <= aa.nominal && aa.nominal <= upper,
        // Within a binomial standard error or two of the nominal rate.
        None => {
            aa.replicates > 0
                && (aa.false_positive_rate - aa.nominal).abs()
                    <= 2.0 * (aa.nominal * (1.0 - aa.nominal) / aa.replicates as f64).sqrt() + 1e-12
        }
    };
    let of =
        format!("of {} replicate{}", format::count(aa.replicates as u64), if aa.replicates == 1 { "" } else { "s" });
    AaView {
        replicates: aa.replicates,
        false_positives: match aa.false_positives {
            Some(k) => format!("{} {of}", format::count(k as u64)),
            None => format!("— {of}"),
        },
        rate: format::percent(aa.false_positive_rate, 1),
        rate_interval: aa.rate_interval.map_or_else(
            || "—".to_string(),
            |[lower, upper]| format::interval(lower, upper, |x| format::percent(x, 1)),
        ),
        nominal: format::percent(aa.nominal, 0),
        paired: aa.paired,
        calibrated,
    }
}

fn factorial_view(s: &SimulationSummary, f: &Factorial, confidence: &str) -> FactorialView {
    let arm = |name: &str| s.arms.iter().find(|a| a.name == name).map(|a| a.gmv_per_user);
    let names = [&f.neither, &f.a, &f.b, &f.a_b];
    let missing: Vec<String> = names.iter().filter(|n| arm(n).is_none()).map(|n| n.to_string()).collect();
    let chart = match (arm(&f.neither), arm(&f.a), arm(&f.b), arm(&f.a_b)) {
        (Some(neither), Some(a), Some(b), Some(a_b)) => Some(ChartView {
            title: "2×2 interaction plot".into(),
            svg: interaction_chart(&Cells { neither, a, b, a_b }, &f.interaction),
            caption: Some(
                "Parallel lines would mean the couplings simply add up. The hollow point is where A+B would be if they did; \
                 the bracket is the interaction Δ."
                    .into(),
            ),
        }),
        _ => None,
    };
    let mde_text = f.interaction.mde.map(format::sig);
    let explanation = match f.verdict.as_str() {
        "super_additive" | "supported" => format!(
            "Super-additive: the {confidence} interval lies above zero: coupling search and feed both ways adds more GMV than the two couplings do separately."
        ),
        "sub_additive" | "contradicted" => format!(
            "Sub-additive: the {confidence} interval lies below zero: both couplings together add less than the sum of each alone \
             (for example a query-aware feed closing needs that search would have closed)."
        ),
        "additive" => {
            "Additive: the equivalence test (TOST) puts Δ inside the margin: the couplings add up, with no interaction larger than the margin."
                .to_string()
        }
        "inconclusive" => format!(
            "Inconclusive: the {confidence} interval includes zero and is too wide to rule out an interaction as large as the margin; \
             the experiment could only detect |Δ| ≥ {} GMV per user (its MDE). More users or replicates narrow it.",
            mde_text.as_deref().unwrap_or("?")
        ),
        "not supported" => format!(
            "The {confidence} interval includes zero (results of schema 1, which reported no MDE and no equivalence test): \
             this says nothing about how large an interaction the experiment could have missed."
        ),
        _ => format!("The simulator's verdict at {confidence}."),
    };
    let equivalence = f.equivalence.as_ref().map(|q| equivalence_text(q, &format!("`{}`'s", f.neither)));
    let i = &f.interaction;
    let c = &f.interaction_cuped;
    FactorialView {
        chart,
        missing,
        uplifts: vec![
            uplift_row("A: feed signals in search".into(), &f.a, &f.neither, &f.uplift_a),
            uplift_row("B: search signals in the feed".into(), &f.b, &f.neither, &f.uplift_b),
            uplift_row("A+B: both couplings".into(), &f.a_b, &f.neither, &f.uplift_a_b),
        ],
        delta: format::signed(i.value),
        interval: format::interval(i.lower, i.upper, format::signed),
        se: se(i, format::sig),
        mde: mde(i, format::sig),
        verdict: f.verdict.clone(),
        verdict_class: verdict_class(&f.verdict),
        statement: f.statement.clone(),
        explanation,
        equivalence,
        cuped_delta: format::signed(c.adjusted.value),
        cuped_interval: format::interval(c.adjusted.lower, c.adjusted.upper, format::signed),
        cuped_se: se(&c.adjusted, format::sig),
        cuped_mde: mde(&c.adjusted, format::sig),
        cuped_theta: format::sig(c.theta),
        cuped_variance: variance_change(c.variance_reduction),
        paths: delta_paths(f),
    }
}

/// The equivalence test in words; `whose` names the GMV a percentage margin
/// is taken of (`` `neither`'s ``).
fn equivalence_text(q: &Equivalence, whose: &str) -> String {
    let source = if q.margin_setting.ends_with('%') {
        format!("{} of {whose} GMV per user", q.margin_setting)
    } else {
        "set as an absolute figure".to_string()
    };
    format!(
        "Equivalence margin ±{} GMV per user ({source}); Δ's {} interval {} (TOST).",
        format::sig(q.margin),
        format::percent(q.confidence, 0),
        format::interval(q.lower, q.upper, format::signed)
    )
}

/// "Sized for an MDE of X GMV/user (setting): the last pilot of N users
/// reached M, so the experiment ran R users (budget B)."
fn sizing_sentence(z: &Sizing, control: &str) -> String {
    let setting = if z.target_setting.ends_with('%') {
        format!("{} of the pilot's `{control}` GMV per user", z.target_setting)
    } else {
        format!("set as {}", z.target_setting)
    };
    format!(
        "Sized for an MDE of {} GMV/user ({setting}): the last pilot of {} users reached {}, so the experiment ran {} \
         users (budget {}).",
        format::sig(z.target_mde),
        format::count(z.pilot_users as u64),
        format::sig(z.pilot_mde),
        format::count(z.required_users as u64),
        format::count(z.budget_users as u64)
    )
}

fn worlds_view(w: &WorldReplication, control: &str) -> WorldsView {
    let forest_row = |label: String, estimate: &Estimate, verdict: &str| ForestRow {
        label,
        estimate: *estimate,
        verdict: verdict.to_string(),
    };
    let chart = (!w.per_world.is_empty()).then(|| {
        let rows: Vec<ForestRow> = w
            .per_world
            .iter()
            .map(|e| forest_row(format!("world {}", e.world_seed), &e.interaction, &e.verdict))
            .collect();
        let pooled = forest_row(format!("pooled ({} worlds)", w.worlds), &w.interaction, &w.verdict);
        ChartView {
            title: "Δ per world".into(),
            svg: worlds_chart("interaction Δ per world and pooled", &rows, &pooled),
            caption: Some(
                "Dots: each world's Δ with its within-world interval; diamond: the pooled Δ with the two-stage \
                 interval, which carries the between-world variation. Colours follow the verdicts."
                    .into(),
            ),
        }
    });
    WorldsView {
        worlds: w.worlds,
        delta: EstimateText::new(Some(&w.interaction), format::signed, format::sig),
        verdict: w.verdict.clone(),
        verdict_class: verdict_class(&w.verdict),
        statement: w.statement.clone(),
        between_world_sd: format::sig(w.between_world_sd),
        method: w.method.clone(),
        equivalence: equivalence_text(&w.equivalence, &format!("the worlds' mean `{control}`")),
        chart,
        rows: w
            .per_world
            .iter()
            .map(|e| WorldRow {
                world_seed: e.world_seed,
                simulation_seed: e.simulation_seed,
                delta: EstimateText::new(Some(&e.interaction), format::signed, format::sig),
                verdict: e.verdict.clone(),
                class: verdict_class(&e.verdict),
            })
            .collect(),
    }
}

/// The sweeps' caption sentences.
fn sensitivity_notes(s: &SimulationSummary) -> Vec<String> {
    let points = &s.sensitivity;
    let retrained = points.iter().filter(|p| p.retrained).count();
    let mut notes = vec![match retrained {
        0 => "Points reuse the experiment's world, engines and seeds: only the simulated users' behaviour changes."
            .to_string(),
        n if n == points.len() => "Each point is an independent experiment: the world regenerated with the point's \
             parameters (its logs follow them), the arms' engines retrained on it, under its own simulation seed."
            .to_string(),
        _ => "Points marked retrained are independent experiments (the world regenerated with the point's parameters, \
              the engines retrained on it, under its own seed); the others reuse the experiment's world, engines and \
              seeds."
            .to_string(),
    }];
    notes.push(if points.iter().any(|p| p.adjusted_p_value.is_some()) {
        format!(
            "Verdicts are Holm-adjusted across all {} points: the chance of any false super- or sub-additive verdict \
             among them stays at {} (1 − confidence), whatever the dependence between points.",
            points.len(),
            format::percent(1.0 - s.confidence, 0)
        )
    } else {
        "Verdicts carry no multiplicity correction (results written before Holm-adjusted p-values): over many points, \
         some may be false positives by chance."
            .to_string()
    });
    notes
}

/// One chart per one-parameter sweep (a line), then one per two-parameter
/// grid (a heatmap); one table row per point.
fn sensitivity(s: &SimulationSummary) -> (Vec<ChartView>, Vec<SensitivityRow>) {
    let mut parameters: Vec<&str> = Vec::new();
    let mut grids: Vec<(&str, &str)> = Vec::new();
    for p in &s.sensitivity {
        match &p.by_parameter {
            None if !parameters.contains(&p.parameter.as_str()) => parameters.push(&p.parameter),
            Some(by) if !grids.contains(&(p.parameter.as_str(), by.as_str())) => grids.push((&p.parameter, by)),
            _ => {}
        }
    }
    let lines = parameters.iter().map(|name| {
        let points: Vec<_> =
            s.sensitivity.iter().filter(|p| p.parameter == *name && p.by_parameter.is_none()).collect();
        ChartView { title: format!("Δ against {name}"), svg: sensitivity_chart(name, &points), caption: None }
    });
    let maps = grids.iter().map(|&(name, by)| {
        let points: Vec<&SensitivityPoint> =
            s.sensitivity.iter().filter(|p| p.parameter == name && p.by_parameter.as_deref() == Some(by)).collect();
        let relative = points.iter().all(|p| p.gmv_neither.is_some_and(|g| g.is_finite() && g != 0.0));
        let colour = if relative {
            "Δ relative to the control (`neither`) arm's GMV per user at that point"
        } else {
            "the absolute Δ, GMV per user (a point lacks the control's GMV, so Δ cannot be made relative)"
        };
        ChartView {
            title: format!("Δ over {name} × {by}"),
            svg: sensitivity_map_chart(name, by, &points),
            caption: Some(format!(
                "One cell per point of the grid, coloured by {colour}: blue above zero, red below, on a scale \
                 symmetric around zero. Marks: + super_additive, − sub_additive, = additive (within ±margin), \
                 ? inconclusive. Hover a cell for Δ, its interval and its adjusted p-value."
            )),
        }
    });
    let charts = lines.chain(maps).collect();
    let rows = s
        .sensitivity
        .iter()
        .map(|p| {
            let (parameter, value) = match (&p.by_parameter, p.by_value) {
                (Some(by), by_value) => (
                    format!("{} × {by}", p.parameter),
                    format!("{} × {}", format::short(p.value), by_value.map_or_else(|| "—".into(), format::short)),
                ),
                (None, _) => (p.parameter.clone(), format::short(p.value)),
            };
            SensitivityRow {
                parameter,
                value,
                delta: format::signed(p.interaction.value),
                interval: format::interval(p.interaction.lower, p.interaction.upper, format::signed),
                se: se(&p.interaction, format::sig),
                mde: mde(&p.interaction, format::sig),
                p: p.p_value.map_or_else(|| "—".into(), format::p_value),
                adjusted_p: p.adjusted_p_value.map_or_else(|| "—".into(), format::p_value),
                verdict: p.verdict.clone(),
                statement: p.statement.clone(),
                class: verdict_class(&p.verdict),
                retrained: p.retrained,
                seed: p.seed.map_or_else(|| "—".into(), |seed| seed.to_string()),
            }
        })
        .collect();
    (charts, rows)
}

#[cfg(test)]
mod tests {
    use searchrec_harness::simulate::Guardrails;

    use super::*;

    #[test]
    fn a_missing_estimate_is_a_dash_in_every_cell() {
        let e = Estimate { value: -1.5, lower: -2.0, upper: -1.0, se: Some(0.25), mde: None };
        let t = EstimateText::new(Some(&e), format::signed, format::sig);
        assert_eq!((t.value.as_str(), t.interval.as_str()), ("−1.50", "[−2.00, −1.00]"));
        assert_eq!((t.se.as_str(), t.mde.as_str()), ("0.250", "—"));
        let t = EstimateText::new(None, format::signed, format::sig);
        assert!([t.value, t.interval, t.se, t.mde].iter().all(|c| c == "—"));
    }

    #[test]
    fn path_columns_follow_the_report_order_with_unknown_paths_last() {
        let path = |name: &str, value: f64| PathGmv { path: name.into(), gmv: Estimate::exact(value) };
        let arm = |name: &str, paths: Vec<PathGmv>| ArmSummary {
            name: name.into(),
            engine: "e".into(),
            channels: "both".into(),
            personalised_search: false,
            query_aware_feed: false,
            gmv_per_user: Estimate::exact(10.0),
            cuped: None,
            gmv_per_session: None,
            paths,
            budget_forgone: None,
            guardrails: Guardrails {
                ctr: 0.0,
                conversion: 0.0,
                average_order_value: 0.0,
                coverage: 0.0,
                sessions_per_user: 0.0,
                searches_per_user: 0.0,
                latency_p50_us: 0.0,
                latency_p99_us: 0.0,
            },
        };
        let arms = [
            arm("x", vec![path("later", 1.0), path("unplanned", 2.0), path("search_organic", 7.0)]),
            arm("y", vec![path("feed_impulse", 10.0)]),
            arm("old", Vec::new()),
        ];
        let (columns, rows) = arm_paths(&arms, "95%", OracleArms { reported: false });
        let names: Vec<&str> = columns.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(names, ["search_organic", "feed_impulse", "unplanned", "later"]);
        assert_eq!(columns[3].class, "path-other");
        assert_eq!(columns[3].description, "A path this report does not describe");
        let cells = |row: &ArmPathsRow| row.cells.iter().map(|c| c.share.clone()).collect::<Vec<_>>();
        assert_eq!(cells(&rows[0]), ["70.0%", "—", "20.0%", "10.0%"]);
        assert_eq!((rows[0].share.as_str(), rows[0].bar.len()), ("100.0%", 3));
        assert_eq!(cells(&rows[2]), ["—"; 4]);
        assert_eq!((rows[2].share.as_str(), rows[2].bar.len()), ("—", 0));
        assert!(
            arm_paths(&arms[2..], "95%", OracleArms { reported: false }).1.is_empty(),
            "no table when no arm has paths"
        );
    }

    #[test]
    fn the_oracle_s_arms_are_its_three_names_in_results_that_report_its_ceilings() {
        let oracle = OracleArms { reported: true };
        assert_eq!(oracle.channel("oracle (search)"), Some("search"));
        assert_eq!(oracle.ranks("oracle (feed)"), Some("the feed"));
        assert_eq!(oracle.ranks("oracle (both)"), Some("both search and the feed"));
        assert_eq!(oracle.channel("oracle"), None);
        assert_eq!(oracle.channel("neither"), None);
        // Without ceilings in the results, an arm so named is the scenario's own.
        assert_eq!(OracleArms { reported: false }.channel("oracle (search)"), None);
    }

    #[test]
    fn a_variance_reduction_shows_as_the_change_in_variance() {
        assert_eq!(variance_change(0.381), "−38.1%");
        assert_eq!(variance_change(-0.006), "+0.6%");
        assert_eq!(variance_change(0.0), "0.0%");
    }

    #[test]
    fn the_sizing_sentence_names_the_target_the_pilot_and_the_budget() {
        let z = Sizing {
            target_mde: 1.5,
            target_setting: "1.5".into(),
            pilot_users: 4_000,
            pilot_mde: 3.0,
            required_users: 16_000,
            budget_users: 100_000,
        };
        assert_eq!(
            sizing_sentence(&z, "control"),
            "Sized for an MDE of 1.50 GMV/user (set as 1.5): the last pilot of 4,000 users reached 3.00, so the \
             experiment ran 16,000 users (budget 100,000)."
        );
        let z = Sizing { target_setting: "2%".into(), ..z };
        assert!(sizing_sentence(&z, "control").contains("(2% of the pilot's `control` GMV per user)"));
    }

    #[test]
    fn the_sweep_caption_says_which_points_were_retrained_and_whether_verdicts_are_adjusted() {
        let point = |retrained: bool, adjusted: Option<f64>| SensitivityPoint {
            parameter: "p".into(),
            value: 1.0,
            by_parameter: None,
            by_value: None,
            interaction: Estimate::exact(0.0),
            gmv_neither: None,
            p_value: adjusted,
            adjusted_p_value: adjusted,
            verdict: "inconclusive".into(),
            statement: String::new(),
            equivalence: None,
            retrained,
            seed: None,
        };
        let notes = |points: Vec<SensitivityPoint>| {
            let s = SimulationSummary {
                label: "simulated".into(),
                users: 1,
                horizon_days: 1,
                pre_period_days: 0,
                seed: 1,
                replicates: 1,
                bootstrap_resamples: 1,
                confidence: 0.95,
                power: 0.8,
                arms: Vec::new(),
                comparisons: Vec::new(),
                factorial: None,
                worlds: None,
                sizing: None,
                channel_interaction: None,
                planted: None,
                oracle: None,
                data_loop: None,
                aa: None,
                sensitivity: points,
                sessions: 0,
                seconds: 0.0,
                sessions_per_second: 0.0,
                engine_share: 0.0,
            };
            sensitivity_notes(&s).join(" ")
        };
        let all = notes(vec![point(true, Some(0.2)), point(true, Some(0.9))]);
        assert!(all.starts_with("Each point is an independent experiment"), "{all}");
        assert!(all.contains("Holm-adjusted across all 2 points") && all.contains("stays at 5%"), "{all}");
        let mixed = notes(vec![point(true, None), point(false, None)]);
        assert!(mixed.starts_with("Points marked retrained") && mixed.contains("no multiplicity correction"));
        assert!(notes(vec![point(false, None)]).starts_with("Points reuse the experiment's world"));
    }

    #[test]
    fn the_a_a_check_is_judged_by_its_wilson_interval_when_it_has_one() {
        let aa = AaCheck {
            replicates: 400,
            false_positives: Some(19),
            false_positive_rate: 0.0475,
            rate_interval: Some([0.0306, 0.0731]),
            paired: true,
            nominal: 0.05,
        };
        let v = aa_view(aa);
        assert_eq!(v.false_positives, "19 of 400 replicates");
        assert_eq!(v.rate_interval, "[3.1%, 7.3%]");
        assert!(v.calibrated && v.paired);
        // An interval that excludes the nominal rate fails, even within two binomial SEs of it.
        let v = aa_view(AaCheck { rate_interval: Some([0.051, 0.08]), ..aa });
        assert!(!v.calibrated);
        // Older results: no count, no interval, unpaired; judged by the binomial SE.
        let v = aa_view(AaCheck { false_positives: None, rate_interval: None, paired: false, ..aa });
        assert_eq!((v.false_positives.as_str(), v.rate_interval.as_str()), ("— of 400 replicates", "—"));
        assert!(v.calibrated && !v.paired);
        let v = aa_view(AaCheck { replicates: 1, false_positives: Some(0), ..aa });
        assert_eq!(v.false_positives, "0 of 1 replicate");
    }
}
