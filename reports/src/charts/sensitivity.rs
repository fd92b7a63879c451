//! The sensitivity sweep: the interaction Δ with its interval at each value
//! of one behaviour parameter, coloured by verdict, against a zero line, so
//! a reader sees where "1+1>2" holds and where it breaks.

use searchrec_harness::simulate::SensitivityPoint;

use crate::format;
use crate::svg::Svg;
use crate::svg::frame::{Axis, Frame, LegendEntry, Mark, WIDTH};
use crate::svg::palette::{ADDITIVE, BAD, GOOD, NEUTRAL};
use crate::svg::scale::{Fit, Scale};

/// The colour of a verdict (schema 2's words, and schema 1's).
pub(crate) fn verdict_colour(verdict: &str) -> &'static str {
    match verdict {
        "super_additive" | "supported" => GOOD,
        "sub_additive" | "contradicted" => BAD,
        "additive" => ADDITIVE,
        _ => NEUTRAL,
    }
}

/// Δ against one parameter's values (`points` all share the parameter).
pub(crate) fn sensitivity_chart(parameter: &str, points: &[&SensitivityPoint]) -> String {
    let mut pts: Vec<&SensitivityPoint> = points.iter().copied().filter(|p| p.value.is_finite()).collect();
    pts.sort_by(|a, b| a.value.total_cmp(&b.value));
    let x = Axis::new(Scale::fit(pts.iter().map(|p| p.value), Fit { pad: 0.06, ..Fit::default() }), parameter);
    let ys = pts.iter().flat_map(|p| [p.interaction.value, p.interaction.lower, p.interaction.upper]);
    let y =
        Axis::new(Scale::fit(ys, Fit { zero: true, log_from_ratio: None, pad: 0.06 }), "interaction Δ, GMV per user");
    let frame = Frame::standard(x, y, 240.0);
    let legend = [
        LegendEntry::new(GOOD, Mark::Dot, "super_additive (CI above 0)"),
        LegendEntry::new(ADDITIVE, Mark::Dot, "additive (TOST within ±margin)"),
        LegendEntry::new(NEUTRAL, Mark::Dot, "inconclusive (CI spans 0, wider than ±margin)"),
        LegendEntry::new(BAD, Mark::Dot, "sub_additive (CI below 0)"),
    ];
    let title = format!("interaction Δ against {parameter}");
    let mut svg = Svg::new("sensitivity", WIDTH, frame.chart_height(legend.len()), &title);
    frame.draw(&mut svg);
    let zero = frame.py(0.0);
    svg.line(frame.left, zero, frame.left + frame.width, zero, r#"class="zero""#);
    let line: Vec<(f64, f64)> = pts.iter().map(|p| (frame.px(p.value), frame.py(p.interaction.value))).collect();
    svg.polyline(&line, &format!(r#"stroke="{NEUTRAL}" stroke-width="1.5""#));
    for p in &pts {
        let colour = verdict_colour(&p.verdict);
        let x = frame.px(p.value);
        svg.v_error_bar(x, frame.py(p.interaction.lower), frame.py(p.interaction.upper), colour);
        let mde = p.interaction.mde.map_or_else(String::new, |m| format!(", MDE {}", format::sig(m)));
        let tip = format!(
            "{} = {}: Δ = {} {}{mde}, {}",
            parameter,
            format::sig(p.value),
            format::signed(p.interaction.value),
            format::interval(p.interaction.lower, p.interaction.upper, format::signed),
            p.verdict
        );
        svg.circle(
            x,
            frame.py(p.interaction.value),
            5.0,
            &format!(r#"fill="{colour}" stroke="white" stroke-width="1.2""#),
            Some(&tip),
        );
    }
    frame.legend(&mut svg, &legend);
    svg.finish()
}
