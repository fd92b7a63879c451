//! A two-parameter sensitivity grid as a heatmap: one cell per point, x the
//! first parameter's value, y the second's, the cell's colour Δ relative to
//! the control (`neither`) arm's GMV per user at that point on a diverging
//! scale centred at zero, and a mark for the point's verdict, so a reader
//! sees over which region of the two parameters "1+1>2" holds.

use searchrec_harness::simulate::SensitivityPoint;

use crate::format;
use crate::svg::frame::{Axis, Frame, WIDTH};
use crate::svg::palette::{diverging, diverging_needs_light_text};
use crate::svg::scale::Scale;
use crate::svg::{Svg, truncate_middle};

/// Steps of the colour bar in the legend.
const BAR_STEPS: usize = 11;
/// Width of one colour bar step, px.
const BAR_STEP: f64 = 18.0;
/// Room per character of the y axis title, px.
const Y_TITLE_CHAR: f64 = 7.5;

/// The mark of a verdict in a cell (schema 2's words, and schema 1's).
pub(crate) fn verdict_mark(verdict: &str) -> &'static str {
    match verdict {
        "super_additive" | "supported" => "+",
        "sub_additive" | "contradicted" => "−",
        "additive" => "=",
        _ => "?",
    }
}

/// The marks' legend rows, in the order they are explained.
const MARKS: [(&str, &str); 4] = [
    ("+", "super_additive (Δ above 0)"),
    ("−", "sub_additive (Δ below 0)"),
    ("=", "additive (within ±margin)"),
    ("?", "inconclusive"),
];

/// The distinct finite values of `values`, ascending.
fn distinct(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}

/// A categorical axis: one tick per value, at 0, 1, …, with the cells
/// spanning ±½ around them.
fn categories(values: &[f64], label: &str) -> Axis {
    let n = values.len().max(1) as f64;
    Axis {
        scale: Scale::Linear { lo: -0.5, hi: n - 0.5, step: 1.0 },
        label: label.to_string(),
        ticks: values.iter().enumerate().map(|(i, v)| (i as f64, format::short(*v))).collect(),
    }
}

/// The heatmap of the points of one grid (`points` share `parameter` and
/// `by_parameter`; points missing either value are left out).
///
/// Colour is Δ / GMV(neither) at the point when every point carries the
/// control's GMV; otherwise every cell is coloured by the absolute Δ and
/// the legend says so. The scale is symmetric around zero, up to a nice
/// bound over the largest |Δ|.
pub(crate) fn sensitivity_map_chart(parameter: &str, by_parameter: &str, points: &[&SensitivityPoint]) -> String {
    let pts: Vec<(&SensitivityPoint, f64)> = points
        .iter()
        .filter(|p| p.value.is_finite())
        .filter_map(|p| p.by_value.filter(|v| v.is_finite()).map(|by| (*p, by)))
        .collect();
    let xs = distinct(pts.iter().map(|(p, _)| p.value));
    let ys = distinct(pts.iter().map(|(_, by)| *by));
    let relative = pts.iter().all(|(p, _)| p.gmv_neither.is_some_and(|g| g.is_finite() && g != 0.0));
    let shade = |p: &SensitivityPoint| match (relative, p.gmv_neither) {
        (true, Some(g)) => p.interaction.value / g,
        _ => p.interaction.value,
    };
    let largest = pts.iter().map(|(p, _)| shade(p).abs()).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let range = match Scale::linear(0.0, largest) {
        Scale::Linear { hi, .. } if largest > 0.0 && hi > 0.0 => hi,
        _ => {
            if relative {
                0.01
            } else {
                1.0
            }
        }
    };
    let show = |v: f64| if relative { format::signed_percent(v) } else { format::signed(v) };

    let plot_height = (ys.len().max(1) as f64 * 72.0).clamp(200.0, 432.0);
    // The rotated y title must fit beside the plot (the chart's title names both in full).
    let y_title = truncate_middle(by_parameter, (plot_height / Y_TITLE_CHAR) as usize);
    let frame = Frame::standard(categories(&xs, parameter), categories(&ys, &y_title), plot_height);
    let title = format!("interaction Δ over {parameter} × {by_parameter}");
    let legend_rows = 4 + MARKS.len() + usize::from(!relative);
    let mut svg = Svg::new("sensitivity-map", WIDTH, frame.chart_height(legend_rows), &title);
    frame.draw(&mut svg);

    for (p, by) in &pts {
        let (Some(ix), Some(iy)) = (xs.iter().position(|x| *x == p.value), ys.iter().position(|y| y == by)) else {
            continue;
        };
        let (ix, iy) = (ix as f64, iy as f64);
        let (x0, x1) = (frame.px(ix - 0.5), frame.px(ix + 0.5));
        let (y0, y1) = (frame.py(iy + 0.5), frame.py(iy - 0.5));
        let t = shade(p) / range;
        let d = &p.interaction;
        let mut tip = format!(
            "{parameter} = {}, {by_parameter} = {}: Δ = {} {} GMV per user",
            format::short(p.value),
            format::short(*by),
            format::signed(d.value),
            format::interval(d.lower, d.upper, format::signed)
        );
        if let Some(g) = p.gmv_neither {
            tip.push_str(&format!(" ({} of neither's {})", format::signed_percent(d.value / g), format::sig(g)));
        }
        if let Some(q) = p.adjusted_p_value {
            let q = format::p_value(q);
            let q = q.strip_prefix('<').map_or_else(|| format!("= {q}"), |small| format!("< {small}"));
            tip.push_str(&format!(", Holm-adjusted p {q}"));
        }
        tip.push_str(&format!(": {}", p.verdict));
        svg.rect(
            x0 + 1.0,
            y0 + 1.0,
            x1 - x0 - 2.0,
            y1 - y0 - 2.0,
            &format!(r#"class="cell" fill="{}""#, diverging(t)),
            Some(&tip),
        );
        let ink = if diverging_needs_light_text(t) { "#FFFFFF" } else { "#111827" };
        let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        svg.text(
            cx,
            cy + 2.0,
            &format!(r#"class="cell-mark" text-anchor="middle" fill="{ink}""#),
            verdict_mark(&p.verdict),
        );
        svg.text(cx, cy + 20.0, &format!(r#"class="cell-value" text-anchor="middle" fill="{ink}""#), &show(shade(p)));
    }

    // The legend: what the colour means, the colour bar with its range, the marks.
    let x = frame.left + frame.width + 18.0;
    let mut y = frame.top + 8.0;
    let what = if relative { "colour: Δ / neither's GMV per user" } else { "colour: Δ, GMV per user (absolute)" };
    svg.text(x, y + 4.0, r#"class="legend""#, what);
    if !relative {
        y += 20.0;
        svg.text(x, y + 4.0, r#"class="legend""#, "(no control GMV at some point)");
    }
    y += 14.0;
    for i in 0..BAR_STEPS {
        let t = -1.0 + 2.0 * i as f64 / (BAR_STEPS - 1) as f64;
        svg.rect(x + i as f64 * BAR_STEP, y, BAR_STEP, 12.0, &format!(r#"fill="{}""#, diverging(t)), None);
    }
    let bar_end = x + BAR_STEPS as f64 * BAR_STEP;
    y += 26.0;
    svg.text(x, y, r#"class="tick" text-anchor="start""#, &show(-range));
    svg.text((x + bar_end) / 2.0, y, r#"class="tick" text-anchor="middle""#, "0");
    svg.text(bar_end, y, r#"class="tick" text-anchor="end""#, &show(range));
    y += 12.0;
    for (mark, label) in MARKS {
        y += 20.0;
        svg.text(x + 8.0, y + 5.0, r#"class="legend-mark" text-anchor="middle""#, mark);
        svg.text(x + 24.0, y + 4.0, r#"class="legend""#, label);
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use searchrec_harness::simulate::Estimate;

    fn point(value: f64, by: f64, delta: f64, gmv: Option<f64>, verdict: &str) -> SensitivityPoint {
        SensitivityPoint {
            parameter: "p".into(),
            value,
            by_parameter: Some("q".into()),
            by_value: Some(by),
            interaction: Estimate { value: delta, lower: delta - 1.0, upper: delta + 1.0, se: None, mde: None },
            gmv_neither: gmv,
            p_value: None,
            adjusted_p_value: None,
            verdict: verdict.into(),
            statement: String::new(),
            equivalence: None,
            retrained: true,
            seed: None,
        }
    }

    /// The verdict marks drawn in cells, in drawing order.
    pub(crate) fn cell_marks(svg: &str) -> Vec<String> {
        svg.split("class=\"cell-mark\"")
            .skip(1)
            .map(|rest| {
                let text = &rest[rest.find('>').unwrap() + 1..];
                text[..text.find("</text>").unwrap()].to_string()
            })
            .collect()
    }

    #[test]
    fn one_cell_per_point_with_its_mark_and_a_symmetric_legend() {
        let points = [
            point(1.0, 0.1, 4.0, Some(40.0), "super_additive"),
            point(2.0, 0.1, -2.0, Some(40.0), "sub_additive"),
            point(1.0, 0.2, 0.0, Some(40.0), "additive"),
            point(2.0, 0.2, 0.5, Some(40.0), "inconclusive"),
        ];
        let refs: Vec<&SensitivityPoint> = points.iter().collect();
        let svg = sensitivity_map_chart("p", "q", &refs);
        assert!(svg.contains("data-chart=\"sensitivity-map\""));
        assert_eq!(svg.matches("class=\"cell\"").count(), 4);
        assert_eq!(cell_marks(&svg), ["+", "−", "=", "?"]);
        // Δ / GMV: +10% is the largest, so the range is ±10%, the +10% cell the bluest.
        assert!(svg.contains(">−10.0%</text>") && svg.contains(">+10.0%</text>"), "{svg}");
        assert!(svg.contains("fill=\"#2166AC\"><title>p = 1, q = 0.1"));
        assert!(svg.contains("colour: Δ / neither"));
        assert_eq!(svg, sensitivity_map_chart("p", "q", &refs), "deterministic");
    }

    #[test]
    fn without_the_control_s_gmv_cells_show_the_absolute_delta_and_say_so() {
        let points = [point(1.0, 0.1, 3.0, Some(40.0), "super_additive"), point(2.0, 0.1, -1.0, None, "inconclusive")];
        let refs: Vec<&SensitivityPoint> = points.iter().collect();
        let svg = sensitivity_map_chart("p", "q", &refs);
        assert!(svg.contains("colour: Δ, GMV per user (absolute)"));
        assert!(svg.contains(">+3.00</text>") && svg.contains(">−1.00</text>"));
        assert_eq!(svg.matches("class=\"cell\"").count(), 2);
    }
}
