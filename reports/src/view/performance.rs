//! Speed: latency distributions and the load table; build time and memory.

use searchrec_harness::results::{EngineRun, LoadMode, Results};
use serde::Serialize;

use super::{ChartView, Families};
use crate::charts::bars::{Bar, bar_chart};
use crate::charts::latency::{Series, latency_chart};
use crate::format;
use crate::svg::palette::Colours;

/// The speed section.
#[derive(Debug, Serialize)]
pub(crate) struct PerformanceView {
    latency_charts: Vec<ChartView>,
    load_rows: Vec<LoadRow>,
    build_charts: Vec<ChartView>,
    build_rows: Vec<BuildRow>,
}

#[derive(Debug, Serialize)]
struct LoadRow {
    engine: String,
    request: String,
    /// `closed, 2 threads` or `open, 2,000/s`.
    setting: String,
    requests: String,
    errors: String,
    first_error: Option<String>,
    throughput: String,
    p50: String,
    p90: String,
    p99: String,
    p999: String,
    max: String,
    note: String,
}

#[derive(Debug, Serialize)]
struct BuildRow {
    engine: String,
    kind: String,
    swept: String,
    seconds: String,
    memory: String,
    diagnostics: String,
}

impl PerformanceView {
    pub(super) fn new(r: &Results, families: &Families) -> PerformanceView {
        PerformanceView {
            latency_charts: latency_charts(&r.engines, &families.run_colours),
            load_rows: r
                .engines
                .iter()
                .flat_map(|e| e.load.iter().map(move |l| load_row(e, &l.request, &l.mode)))
                .collect(),
            build_charts: build_charts(&r.engines, families),
            build_rows: r.engines.iter().map(build_row).collect(),
        }
    }

    /// Charts in this section.
    pub(super) fn chart_count(&self) -> usize {
        self.latency_charts.len() + self.build_charts.len()
    }
}

/// One chart per (request, closed/open) that has curves, in order of first appearance.
fn latency_charts(engines: &[EngineRun], colours: &Colours) -> Vec<ChartView> {
    let mut keys: Vec<(String, bool)> = Vec::new();
    for l in engines.iter().flat_map(|e| &e.load) {
        let key = (l.request.clone(), matches!(l.mode, LoadMode::Open(_)));
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .filter_map(|(request, open)| {
            let mut series = Vec::new();
            for e in engines {
                for l in e.load.iter().filter(|l| l.request == request) {
                    match &l.mode {
                        LoadMode::Closed(s) if !open => {
                            series.push((e.id.clone(), format!("{} threads", s.threads), &s.latency.curve[..], false))
                        }
                        LoadMode::Open(s) if open => {
                            let at = format!("{}/s", format::sig(s.rate));
                            series.push((e.id.clone(), at.clone(), &s.load.latency.curve[..], false));
                            series.push((e.id.clone(), at, &s.service.curve[..], true));
                        }
                        _ => {}
                    }
                }
            }
            series.retain(|s| !s.2.is_empty());
            if series.is_empty() {
                return None;
            }
            // An engine measured at several concurrencies or rates gets them in its label.
            let solid = |id: &str| series.iter().filter(|s| !s.3 && s.0 == id).count();
            let labelled: Vec<Series> = series
                .iter()
                .map(|(id, at, curve, dashed)| Series {
                    label: if solid(id) > 1 { format!("{id} ({at})") } else { id.clone() },
                    id: id.clone(),
                    curve,
                    dashed: *dashed,
                })
                .collect();
            let (title, caption) = if open {
                (
                    format!("{request} latency, open loop"),
                    "Latency measured from each request's intended send time (queueing included, no coordinated omission); dashed: service time from the actual start.",
                )
            } else {
                (
                    format!("{request} latency, closed loop"),
                    "Each client sends its next request when the previous one returns; warm-up excluded.",
                )
            };
            Some(ChartView { svg: latency_chart(&title, &labelled, colours), title, caption: Some(caption.into()) })
        })
        .collect()
}

fn build_charts(engines: &[EngineRun], families: &Families) -> Vec<ChartView> {
    if engines.is_empty() {
        return Vec::new();
    }
    let colours = &families.colours;
    let bars = |value: &dyn Fn(&EngineRun) -> f64, text: &dyn Fn(f64) -> String| -> Vec<Bar> {
        engines
            .iter()
            .map(|e| {
                let v = value(e);
                Bar {
                    label: e.id.clone(),
                    value: v,
                    interval: None,
                    colour: colours.colour(&families.of(&e.id)),
                    text: text(v),
                }
            })
            .collect()
    };
    let seconds = bars(&|e| e.build.seconds, &format::seconds);
    let mib = bars(&|e| e.build.memory_bytes as f64 / (1024.0 * 1024.0), &|v| format::bytes(v * 1024.0 * 1024.0));
    vec![
        ChartView {
            title: "build time".into(),
            svg: bar_chart("build-time", "build time per engine", "build time (s)", &seconds),
            caption: Some("Wall time of each engine's build as the harness timed it.".into()),
        },
        ChartView {
            title: "index memory".into(),
            svg: bar_chart("build-memory", "index memory per engine", "index memory (MiB)", &mib),
            caption: Some("Each engine's own estimate of its index memory.".into()),
        },
    ]
}

fn load_row(e: &EngineRun, request: &str, mode: &LoadMode) -> LoadRow {
    let (setting, summary, note) = match mode {
        LoadMode::Closed(s) => (format!("closed, {} threads", s.threads), s, String::new()),
        LoadMode::Open(s) => {
            let mut note = match s.achieved_rate {
                Some(a) => format!("achieved {}/s", format::sig(a)),
                None => "achieved rate unknown".into(),
            };
            if s.late > 0 {
                note.push_str(&format!(
                    "; {} started late (> {})",
                    format::count(s.late),
                    format::micros(s.late_after_us)
                ));
            }
            note.push_str(&format!(
                "; service time p50 {}, p99 {} (latency minus queueing)",
                format::micros(s.service.p50_us),
                format::micros(s.service.p99_us)
            ));
            (format!("open, {}/s", format::sig(s.rate)), &s.load, note)
        }
    };
    let l = &summary.latency;
    LoadRow {
        engine: e.id.clone(),
        request: request.to_string(),
        setting,
        requests: format::count(summary.requests),
        errors: format::count(summary.errors),
        first_error: summary.first_error.clone(),
        throughput: format::sig(summary.throughput),
        p50: format::micros(l.p50_us),
        p90: format::micros(l.p90_us),
        p99: format::micros(l.p99_us),
        p999: format::micros(l.p999_us),
        max: format::micros(l.max_us),
        note,
    }
}

fn build_row(e: &EngineRun) -> BuildRow {
    let swept: Vec<String> = e.swept.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let diagnostics: Vec<String> =
        e.build.diagnostics.iter().map(|(k, v)| format!("{k} {}", format::sig(*v))).collect();
    BuildRow {
        engine: e.id.clone(),
        kind: e.kind.clone(),
        swept: swept.join(", "),
        seconds: format::seconds(e.build.seconds),
        memory: format::bytes(e.build.memory_bytes as f64),
        diagnostics: diagnostics.join(", "),
    }
}
