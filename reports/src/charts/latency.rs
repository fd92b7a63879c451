//! Latency distributions in HdrHistogram's style: latency against
//! percentile on an axis of "nines", so the tail (p99, p99.9, max) gets as
//! much room as the median.

use crate::format;
use crate::svg::Svg;
use crate::svg::frame::{Axis, Frame, LegendEntry, Mark, WIDTH};
use crate::svg::palette::{Colours, NEUTRAL};
use crate::svg::scale::{Fit, Scale};

/// Where the maximum (quantile 1) sits on the nines axis.
const MAX_NINES: f64 = 6.0;

/// One latency curve.
pub(crate) struct Series<'a> {
    /// Legend label (an engine run id, plus the load when one run has several).
    pub label: String,
    /// The engine run id: its colour key.
    pub id: String,
    /// (quantile, µs) pairs, as `LatencySummary::curve`.
    pub curve: &'a [[f64; 2]],
    /// Drawn dashed, in the colour of the solid series of the same label
    /// (service time beside latency from the intended send time).
    pub dashed: bool,
}

/// `q` on the nines axis: 0.9 → 1, 0.99 → 2, …, the maximum at [`MAX_NINES`].
fn nines(q: f64) -> f64 {
    if q >= 1.0 { MAX_NINES } else { (-(1.0 - q.max(0.0)).log10()).min(MAX_NINES - 0.2) }
}

/// Label of a quantile for tooltips (`p50`, `p99.9`, `max`).
fn quantile_label(q: f64) -> String {
    if q >= 1.0 {
        return "max".into();
    }
    if q <= 0.0 {
        return "min".into();
    }
    let p = format!("{:.4}", q * 100.0);
    format!("p{}", p.trim_end_matches('0').trim_end_matches('.'))
}

/// A latency-distribution chart of every series, coloured by run id.
pub(crate) fn latency_chart(title: &str, series: &[Series], colours: &Colours) -> String {
    let ticks = ["min", "p90", "p99", "p99.9", "p99.99", "p99.999", "max"];
    let x = Axis {
        scale: Scale::Linear { lo: 0.0, hi: MAX_NINES, step: 1.0 },
        label: "percentile (log scale of nines)".into(),
        ticks: ticks.iter().enumerate().map(|(i, t)| (i as f64, t.to_string())).collect(),
    };
    let values = series.iter().flat_map(|s| s.curve.iter().map(|p| p[1]));
    let y_scale = Scale::fit(values, Fit { zero: true, log_from_ratio: Some(20.0), pad: 0.0 });
    let frame = Frame::standard(x, Axis::new(y_scale, "latency (µs)"), 300.0);

    let mut legend: Vec<LegendEntry> = Vec::new();
    for s in series.iter().filter(|s| !s.dashed) {
        if !legend.iter().any(|e| e.label == s.label) {
            legend.push(LegendEntry::new(colours.colour(&s.id), Mark::Line, s.label.clone()));
        }
    }
    if series.iter().any(|s| s.dashed) {
        legend.push(LegendEntry::new(NEUTRAL, Mark::DashedLine, "service time (no queueing)"));
    }

    let mut svg = Svg::new("latency", WIDTH, frame.chart_height(legend.len()), title);
    frame.draw(&mut svg);
    for s in series {
        let colour = colours.colour(&s.id);
        let dash = if s.dashed { r#" stroke-dasharray="5 3""# } else { colours.dash(&s.id) };
        let points: Vec<(f64, f64)> = s
            .curve
            .iter()
            .filter(|p| p[0].is_finite() && p[1].is_finite())
            .map(|p| (frame.px(nines(p[0])), frame.py(p[1])))
            .collect();
        svg.polyline(&points, &format!(r#"stroke="{colour}" stroke-width="2"{dash}"#));
        if !s.dashed {
            for p in s.curve.iter().filter(|p| p[0].is_finite() && p[1].is_finite()) {
                let tip = format!("{}: {} = {}", s.label, quantile_label(p[0]), format::micros(p[1]));
                svg.circle(frame.px(nines(p[0])), frame.py(p[1]), 2.5, &format!(r#"fill="{colour}""#), Some(&tip));
            }
        }
    }
    frame.legend(&mut svg, &legend);
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nines_spread_the_tail() {
        assert_eq!(nines(0.0), 0.0);
        assert!((nines(0.99) - 2.0).abs() < 1e-9);
        assert_eq!(nines(1.0), MAX_NINES);
        assert!(nines(0.9999999) < MAX_NINES);
        assert_eq!(quantile_label(0.999), "p99.9");
        assert_eq!(quantile_label(0.5), "p50");
    }
}
