//! The report's view model: everything the templates show, already
//! formatted as text, built from [`Results`] in a fixed order so that the
//! same results always render to the same page.
//!
//! Strings here are plain text; the templates escape them. The only markup
//! is the charts' SVG, which is built by `crate::svg` with its own escaping
//! and passed through `|safe`.

mod meta;
mod per_query;
mod performance;
mod quality;
mod simulation;

use std::collections::BTreeMap;

use searchrec_harness::results::{Direction, Gate, Results};
use serde::Serialize;

use crate::charts::fronts::front_chart;
use crate::format;
use crate::per_query::PerQuery;
use crate::svg::palette::Colours;

/// A label and its value, in a definition list.
#[derive(Debug, Serialize)]
pub(crate) struct Field {
    label: &'static str,
    value: String,
}

impl Field {
    fn new(label: &'static str, value: impl Into<String>) -> Field {
        Field { label, value: value.into() }
    }
}

/// One chart with its heading and an optional caption.
#[derive(Debug, Serialize)]
pub(crate) struct ChartView {
    title: String,
    svg: String,
    caption: Option<String>,
}

/// One row of the flat metrics table.
#[derive(Debug, Serialize)]
struct MetricRow {
    name: String,
    value: String,
    unit: String,
    interval: String,
    direction: &'static str,
    gate: &'static str,
}

/// The whole page.
#[derive(Debug, Serialize)]
pub(crate) struct ReportView {
    title: String,
    scenario: String,
    started: String,
    tool_version: String,
    meta: Vec<Field>,
    world: Vec<Field>,
    evaluation: Vec<Field>,
    quality: quality::QualityView,
    distribution: per_query::DistributionView,
    fronts: Vec<ChartView>,
    performance: performance::PerformanceView,
    simulation: Option<simulation::SimulationView>,
    metrics: Vec<MetricRow>,
    /// How many charts the page has, for the report check to compare with what it finds.
    chart_count: usize,
}

/// Maps engine run ids to their scenario names (the colour key of a sweep's
/// points), and gives each name one colour for the whole report.
pub(crate) struct Families {
    names: BTreeMap<String, String>,
    /// Colours by scenario name, in scenario order (a sweep's points share one).
    pub(crate) colours: Colours,
    /// Colours by engine run id, in run order (one line per run, same colour in every chart).
    pub(crate) run_colours: Colours,
}

impl Families {
    fn new(results: &Results) -> Families {
        Families {
            names: results.engines.iter().map(|e| (e.id.clone(), e.name.clone())).collect(),
            colours: Colours::new(results.engines.iter().map(|e| e.name.as_str())),
            run_colours: Colours::new(results.engines.iter().map(|e| e.id.as_str())),
        }
    }

    /// The scenario name of an engine run id (the id itself when unknown).
    pub(crate) fn of(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
}

impl ReportView {
    /// Builds the page's view of `results` and, when read, the per-query table.
    pub(crate) fn new(results: &Results, per_query: &PerQuery) -> ReportView {
        let families = Families::new(results);
        let fronts: Vec<ChartView> = results
            .fronts
            .iter()
            .map(|f| {
                let hidden = f.points.iter().filter(|p| !(p.x.is_finite() && p.y.is_finite())).count();
                let on = f.points.iter().filter(|p| p.on_front).count();
                let mut caption = format!(
                    "{} of {} points on the front; faded points are dominated (another point is at least as good on both axes).",
                    on,
                    f.points.len()
                );
                if hidden > 0 {
                    caption.push_str(&format!(" {hidden} point(s) with a missing value are not drawn."));
                }
                ChartView { title: f.title.clone(), svg: front_chart(f, |id| families.of(id), &families.colours), caption: Some(caption) }
            })
            .collect();
        let quality = quality::QualityView::new(results);
        let distribution = per_query::DistributionView::new(per_query, results.evaluation.k, &families.run_colours);
        let performance = performance::PerformanceView::new(results, &families);
        let simulation =
            results.simulation.as_ref().map(|s| simulation::SimulationView::new(s, results.schema_version));
        let chart_count = fronts.len()
            + distribution.chart_count()
            + performance.chart_count()
            + simulation.as_ref().map_or(0, simulation::SimulationView::chart_count);
        ReportView {
            title: format!("searchrec report: {}", results.run.scenario),
            scenario: results.run.scenario.clone(),
            started: results.run.started.clone(),
            tool_version: results.run.tool_version.clone(),
            meta: meta::run_fields(results),
            world: meta::world_fields(results),
            evaluation: meta::evaluation_fields(results),
            quality,
            distribution,
            fronts,
            performance,
            simulation,
            metrics: results.metrics.iter().map(metric_row).collect(),
            chart_count,
        }
    }
}

fn metric_row(m: &searchrec_harness::results::Metric) -> MetricRow {
    let interval = match (m.lower, m.upper) {
        (Some(lo), Some(hi)) => format::interval(lo, hi, format::sig),
        (Some(lo), None) => format!("≥ {}", format::sig(lo)),
        (None, Some(hi)) => format!("≤ {}", format::sig(hi)),
        (None, None) => String::new(),
    };
    MetricRow {
        name: m.name.clone(),
        value: format::sig(m.value),
        unit: m.unit.clone(),
        interval,
        direction: match m.direction {
            Direction::Bigger => "↑ bigger is better",
            Direction::Smaller => "↓ smaller is better",
        },
        gate: match m.gate {
            Gate::Deterministic => "deterministic",
            Gate::WallClock => "wall clock",
        },
    }
}
