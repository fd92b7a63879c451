//! The simulated business outcome: GMV per arm, the 2×2 coupling factorial
//! and its verdict in plain words, the A/A check, the sensitivity sweep and
//! the guardrails. Every estimate shows its standard error (SE) and minimum
//! detectable effect (MDE) beside it — "—" for results of schema 1, which
//! had neither. Every figure here is simulated, and the page says so.

use searchrec_harness::simulate::stats::mde_multiplier;
use searchrec_harness::simulate::{ArmSummary, Estimate, Factorial, SimulationSummary, Uplift};
use serde::Serialize;

use super::{ChartView, Field};
use crate::charts::bars::{Bar, bar_chart};
use crate::charts::interaction::{Cells, interaction_chart};
use crate::charts::sensitivity::sensitivity_chart;
use crate::format;
use crate::svg::palette::Colours;

/// The simulation section.
#[derive(Debug, Serialize)]
pub(crate) struct SimulationView {
    label: String,
    confidence: String,
    settings: Vec<Field>,
    gmv_chart: Option<ChartView>,
    gmv_rows: Vec<GmvRow>,
    arms: Vec<ArmRow>,
    comparisons: Vec<UpliftRow>,
    factorial: Option<FactorialView>,
    aa: Option<AaView>,
    sensitivity_charts: Vec<ChartView>,
    sensitivity_rows: Vec<SensitivityRow>,
    cost: Vec<Field>,
}

#[derive(Debug, Serialize)]
struct ArmRow {
    name: String,
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

/// GMV per user of one arm.
#[derive(Debug, Serialize)]
struct GmvRow {
    name: String,
    gmv: String,
    interval: String,
    se: String,
    mde: String,
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
    cuped_variance_reduction: String,
}

#[derive(Debug, Serialize)]
struct AaView {
    replicates: usize,
    rate: String,
    nominal: String,
    calibrated: bool,
}

#[derive(Debug, Serialize)]
struct SensitivityRow {
    parameter: String,
    value: String,
    delta: String,
    interval: String,
    se: String,
    mde: String,
    verdict: String,
    statement: String,
    class: &'static str,
}

impl SimulationView {
    pub(super) fn new(s: &SimulationSummary) -> SimulationView {
        let confidence = format::percent(s.confidence, 0);
        let factorial = s.factorial.as_ref().map(|f| factorial_view(s, f, &confidence));
        let (sensitivity_charts, sensitivity_rows) = sensitivity(s);
        SimulationView {
            label: s.label.clone(),
            settings: vec![
                Field::new("simulated users", format::count(s.users as u64)),
                Field::new("horizon", format!("{} days", s.horizon_days)),
                Field::new("pre-period (CUPED covariate)", format!("{} days", s.pre_period_days)),
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
            confidence,
            gmv_chart: gmv_chart(&s.arms),
            gmv_rows: s
                .arms
                .iter()
                .map(|a| GmvRow {
                    name: a.name.clone(),
                    gmv: format::sig(a.gmv_per_user.value),
                    interval: format::interval(a.gmv_per_user.lower, a.gmv_per_user.upper, format::sig),
                    se: se(&a.gmv_per_user, format::sig),
                    mde: mde(&a.gmv_per_user, format::sig),
                })
                .collect(),
            arms: s.arms.iter().map(arm_row).collect(),
            comparisons: s
                .comparisons
                .iter()
                .map(|c| uplift_row(String::new(), &c.arm, &c.against, &c.uplift))
                .collect(),
            factorial,
            aa: s.aa.map(|aa| AaView {
                replicates: aa.replicates,
                rate: format::percent(aa.false_positive_rate, 1),
                nominal: format::percent(aa.nominal, 0),
                // Within a binomial standard error or two of the nominal rate.
                calibrated: aa.replicates > 0
                    && (aa.false_positive_rate - aa.nominal).abs()
                        <= 2.0 * (aa.nominal * (1.0 - aa.nominal) / aa.replicates as f64).sqrt() + 1e-12,
            }),
            sensitivity_charts,
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
            + self.sensitivity_charts.len()
    }
}

fn gmv_chart(arms: &[ArmSummary]) -> Option<ChartView> {
    if arms.is_empty() {
        return None;
    }
    let colours = Colours::new(arms.iter().map(|a| a.engine.as_str()));
    let bars: Vec<Bar> = arms
        .iter()
        .map(|a| Bar {
            label: a.name.clone(),
            value: a.gmv_per_user.value,
            interval: Some((a.gmv_per_user.lower, a.gmv_per_user.upper)),
            colour: colours.colour(&a.engine),
            text: format::sig(a.gmv_per_user.value),
        })
        .collect();
    Some(ChartView {
        title: "GMV per user by arm".into(),
        svg: bar_chart("gmv", "GMV per user by arm (simulated)", "GMV per user over the horizon (simulated)", &bars),
        caption: Some(
            "Whiskers: the paired-bootstrap confidence interval. Bars are coloured by the engine serving the arm."
                .into(),
        ),
    })
}

fn arm_row(a: &ArmSummary) -> ArmRow {
    let g = &a.guardrails;
    ArmRow {
        name: a.name.clone(),
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
    let equivalence = f.equivalence.as_ref().map(|q| {
        let source = if q.margin_setting.ends_with('%') {
            format!("{} of `{}`'s GMV per user", q.margin_setting, f.neither)
        } else {
            "set as an absolute figure".to_string()
        };
        format!(
            "Equivalence margin ±{} GMV per user ({source}); Δ's {} interval {} (TOST).",
            format::sig(q.margin),
            format::percent(q.confidence, 0),
            format::interval(q.lower, q.upper, format::signed)
        )
    });
    let i = &f.interaction;
    let c = &f.interaction_cuped;
    FactorialView {
        chart,
        missing,
        uplifts: vec![
            uplift_row("A: personalised search".into(), &f.a, &f.neither, &f.uplift_a),
            uplift_row("B: query-aware feed".into(), &f.b, &f.neither, &f.uplift_b),
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
        cuped_variance_reduction: format::percent(c.variance_reduction, 1),
    }
}

fn sensitivity(s: &SimulationSummary) -> (Vec<ChartView>, Vec<SensitivityRow>) {
    let mut parameters: Vec<&str> = Vec::new();
    for p in &s.sensitivity {
        if !parameters.contains(&p.parameter.as_str()) {
            parameters.push(&p.parameter);
        }
    }
    let charts = parameters
        .iter()
        .map(|name| {
            let points: Vec<_> = s.sensitivity.iter().filter(|p| p.parameter == *name).collect();
            ChartView { title: format!("Δ against {name}"), svg: sensitivity_chart(name, &points), caption: None }
        })
        .collect();
    let rows = s
        .sensitivity
        .iter()
        .map(|p| SensitivityRow {
            parameter: p.parameter.clone(),
            value: format::short(p.value),
            delta: format::signed(p.interaction.value),
            interval: format::interval(p.interaction.lower, p.interaction.upper, format::signed),
            se: se(&p.interaction, format::sig),
            mde: mde(&p.interaction, format::sig),
            verdict: p.verdict.clone(),
            statement: p.statement.clone(),
            class: verdict_class(&p.verdict),
        })
        .collect();
    (charts, rows)
}
