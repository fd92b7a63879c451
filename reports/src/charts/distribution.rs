//! The per-query distribution of nDCG@k per engine run, as empirical CDFs:
//! for each value x, the share of queries scoring at most x. A curve further
//! right and lower is better; its height at 0 is the share of queries with
//! nothing relevant in the top k.

use crate::svg::Svg;
use crate::svg::frame::{Axis, Frame, LegendEntry, Mark, WIDTH};
use crate::svg::palette::Colours;
use crate::svg::scale::Scale;

/// Evaluation points of each curve: a fixed grid keeps the SVG small and the
/// output independent of the number of queries.
const GRID: usize = 200;

/// The share of `sorted` values at most `x`.
pub(crate) fn share_at_most(sorted: &[f64], x: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted.partition_point(|v| *v <= x) as f64 / sorted.len() as f64
}

/// ECDF chart of `engines` (id, values sorted ascending) over [0, 1], coloured by run id.
pub(crate) fn distribution_chart(
    title: &str,
    x_label: &str,
    engines: &[(String, Vec<f64>)],
    colours: &Colours,
) -> String {
    let x = Axis::new(Scale::linear(0.0, 1.0), x_label);
    let y = Axis::new(Scale::linear(0.0, 1.0), "share of queries ≤ x");
    let frame = Frame::standard(x, y, 280.0);
    let legend: Vec<LegendEntry> =
        engines.iter().map(|(id, _)| LegendEntry::new(colours.colour(id), Mark::Line, id.clone())).collect();
    let mut svg = Svg::new("per-query", WIDTH, frame.chart_height(legend.len()), title);
    frame.draw(&mut svg);
    for (id, values) in engines.iter().filter(|(_, v)| !v.is_empty()) {
        let points: Vec<(f64, f64)> = (0..=GRID)
            .map(|i| {
                let x = i as f64 / GRID as f64;
                (frame.px(x), frame.py(share_at_most(values, x)))
            })
            .collect();
        svg.polyline(&points, &format!(r#"stroke="{}" stroke-width="2"{}"#, colours.colour(id), colours.dash(id)));
    }
    frame.better_hint(&mut svg, true, false);
    frame.legend(&mut svg, &legend);
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_counts_ties_as_at_most() {
        let v = [0.0, 0.0, 0.5, 1.0];
        assert_eq!(share_at_most(&v, 0.0), 0.5);
        assert_eq!(share_at_most(&v, 0.7), 0.75);
        assert_eq!(share_at_most(&v, 1.0), 1.0);
        assert_eq!(share_at_most(&[], 1.0), 0.0);
    }
}
