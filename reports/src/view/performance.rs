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
    /// `closed, 2 threads`, `open, 2,000/s` or `batch of 64, 2 threads`.
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

/// One chart per (request, closed/open) that has curves, in order of first
/// appearance. Batch rows have no chart: their latencies are those of whole
/// batch calls, which do not belong on a per-request axis; the table shows them.
fn latency_charts(engines: &[EngineRun], colours: &Colours) -> Vec<ChartView> {
    let mut keys: Vec<(String, bool)> = Vec::new();
    for l in engines.iter().flat_map(|e| &e.load).filter(|l| !matches!(l.mode, LoadMode::Batch(_))) {
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
        LoadMode::Batch(s) => {
            let note = format!(
                "{} batch calls; req/s counts requests, latency columns are per batch call of {} requests",
                format::count(s.calls),
                format::count(s.batch as u64)
            );
            (format!("batch of {}, {} threads", format::count(s.batch as u64), s.load.threads), &s.load, note)
        }
    };
    let l = &summary.latency;
    LoadRow {
        engine: e.id.clone(),
        request: request.to_string(),
        setting,
        requests: format::count(summary.requests),
        errors: match summary.timeouts {
            0 => format::count(summary.errors),
            t => format!("{} ({} timed out)", format::count(summary.errors), format::count(t)),
        },
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

#[cfg(test)]
mod tests {
    use searchrec_harness::load::{BatchLoopSummary, LatencySummary, LoadSummary};
    use searchrec_harness::results::{BuildInfo, LoadRow as Row};

    use super::*;

    fn summary(threads: usize) -> LoadSummary {
        LoadSummary {
            threads,
            requests: 2_000,
            errors: 0,
            timeouts: 0,
            first_error: None,
            seconds: 0.5,
            throughput: 4_000.0,
            latency: LatencySummary {
                count: 32,
                mean_us: 1_500.0,
                p50_us: 1_500.0,
                p90_us: 1_600.0,
                p99_us: 1_700.0,
                p999_us: 1_800.0,
                max_us: 1_900.0,
                curve: vec![[0.0, 1_400.0], [1.0, 1_900.0]],
            },
        }
    }

    fn engine(load: Vec<Row>) -> EngineRun {
        EngineRun {
            id: "shelf".into(),
            name: "shelf".into(),
            kind: "shelf".into(),
            swept: Default::default(),
            params: serde_json::Value::Null,
            search: true,
            recommend: false,
            build: BuildInfo { index: String::new(), seconds: 1.0, memory_bytes: 0, diagnostics: Default::default() },
            quality: Vec::new(),
            ann: None,
            load,
            trec_run: None,
            examples: Vec::new(),
        }
    }

    #[test]
    fn batch_rows_are_in_the_table_but_not_in_the_latency_charts() {
        let batch = LoadMode::Batch(BatchLoopSummary { batch: 64, calls: 32, load: summary(2) });
        let e = engine(vec![Row { request: "search".into(), mode: batch.clone() }]);
        let row = load_row(&e, "search", &batch);
        assert_eq!(row.setting, "batch of 64, 2 threads");
        assert_eq!((row.requests.as_str(), row.throughput.as_str()), ("2,000", "4,000"));
        assert!(row.note.contains("per batch call of 64 requests"), "{}", row.note);
        assert!(latency_charts(std::slice::from_ref(&e), &Colours::new(["shelf"])).is_empty());
    }

    #[test]
    fn timeouts_are_counted_beside_the_errors_they_belong_to() {
        let closed = |errors, timeouts| LoadMode::Closed(LoadSummary { errors, timeouts, ..summary(2) });
        let e = engine(Vec::new());
        assert_eq!(load_row(&e, "search", &closed(0, 0)).errors, "0");
        assert_eq!(load_row(&e, "search", &closed(12, 0)).errors, "12");
        assert_eq!(load_row(&e, "search", &closed(1_200, 1_100)).errors, "1,200 (1,100 timed out)");
    }
}
