//! Trade-off charts over parameter sweeps, drawn as ann-benchmarks draws
//! them: every (engine, parameter set) is a point, the Pareto front is a line
//! through the points nothing beats, and dominated points are faded.

use searchrec_harness::results::{Direction, ParetoFront};

use crate::format;
use crate::svg::Svg;
use crate::svg::frame::{Axis, Frame, LegendEntry, Mark, WIDTH};
use crate::svg::palette::{Colours, NEUTRAL};
use crate::svg::scale::{Fit, Scale};

/// Positive axes spanning this ratio or more (throughput over a sweep) are drawn in log scale.
const LOG_FROM_RATIO: f64 = 30.0;

/// One front as a scatter chart. `family` gives the colour key (the engine's
/// scenario name) of an engine run id, so every point of one engine's sweep
/// shares a colour; `colours` is the report-wide assignment, so an engine
/// has the same colour on every front.
pub(crate) fn front_chart(front: &ParetoFront, family: impl Fn(&str) -> String, colours: &Colours) -> String {
    let points: Vec<_> = front.points.iter().filter(|p| p.x.is_finite() && p.y.is_finite()).collect();
    let fit = Fit { zero: false, log_from_ratio: Some(LOG_FROM_RATIO), pad: 0.05 };
    let x = Axis::new(Scale::fit(points.iter().map(|p| p.x), fit), front.x_label.clone());
    let y = Axis::new(Scale::fit(points.iter().map(|p| p.y), fit), front.y_label.clone());
    let frame = Frame::standard(x, y, 300.0);

    let families: Vec<String> = points.iter().map(|p| family(&p.engine)).collect();
    let mut legend: Vec<LegendEntry> = Vec::new();
    for f in &families {
        if !legend.iter().any(|e| &e.label == f) {
            legend.push(LegendEntry::new(colours.colour(f), Mark::Dot, f.clone()));
        }
    }
    legend.push(LegendEntry::new(NEUTRAL, Mark::Line, "Pareto front"));
    if points.iter().any(|p| !p.on_front) {
        legend.push(LegendEntry::new(NEUTRAL, Mark::FadedDot, "dominated (faded)"));
    }

    let mut svg = Svg::new("pareto", WIDTH, frame.chart_height(legend.len()), &front.title);
    frame.draw(&mut svg);

    let mut on_front: Vec<(f64, f64)> =
        points.iter().filter(|p| p.on_front).map(|p| (frame.px(p.x), frame.py(p.y))).collect();
    on_front.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    svg.polyline(&on_front, &format!(r#"stroke="{NEUTRAL}" stroke-width="1.5""#));

    let tooltip = |p: &searchrec_harness::results::FrontPoint| {
        let status = if p.on_front { "on the front" } else { "dominated" };
        format!(
            "{}: {} = {}, {} = {} ({status})",
            p.engine,
            front.x_label,
            format::sig(p.x),
            front.y_label,
            format::sig(p.y)
        )
    };
    // Dominated points first, so front points are drawn on top of them.
    for (p, f) in points.iter().zip(&families).filter(|(p, _)| !p.on_front) {
        let c = colours.colour(f);
        let attrs = format!(r#"fill="{c}" fill-opacity="0.3" stroke="{c}" stroke-opacity="0.55""#);
        svg.circle(frame.px(p.x), frame.py(p.y), 4.5, &attrs, Some(&tooltip(p)));
    }
    for (p, f) in points.iter().zip(&families).filter(|(p, _)| p.on_front) {
        let attrs = format!(r#"fill="{}" stroke="white" stroke-width="1.2""#, colours.colour(f));
        svg.circle(frame.px(p.x), frame.py(p.y), 5.5, &attrs, Some(&tooltip(p)));
    }
    frame.better_hint(&mut svg, front.x_direction == Direction::Bigger, front.y_direction == Direction::Bigger);
    frame.legend(&mut svg, &legend);
    svg.finish()
}
