//! The 2×2 interaction plot of the coupling factorial: GMV per user with
//! factor A (personalised search) off and on, one line per level of factor B
//! (query-aware feed). Parallel lines mean no interaction; the gap between
//! the A+B arm and the additive expectation GMV(A) + GMV(B) − GMV(neither)
//! is the interaction Δ.

use searchrec_harness::simulate::Estimate;

use crate::format;
use crate::svg::Svg;
use crate::svg::frame::{Axis, Frame, LegendEntry, Mark, WIDTH};
use crate::svg::scale::{Fit, Scale};

const B_OFF: &str = "#0072B2";
const B_ON: &str = "#E69F00";

/// GMV per user of the four arms.
pub(crate) struct Cells {
    /// Neither coupling.
    pub neither: Estimate,
    /// A only.
    pub a: Estimate,
    /// B only.
    pub b: Estimate,
    /// A and B.
    pub a_b: Estimate,
}

/// The interaction plot; `delta` is the reported interaction estimate.
pub(crate) fn interaction_chart(cells: &Cells, delta: &Estimate) -> String {
    let expected = cells.a.value + cells.b.value - cells.neither.value;
    let all = [cells.neither, cells.a, cells.b, cells.a_b];
    let values = all.iter().flat_map(|e| [e.value, e.lower, e.upper]).chain([expected]);
    let y =
        Axis::new(Scale::fit(values, Fit { zero: false, log_from_ratio: None, pad: 0.08 }), "GMV per user (simulated)");
    let x = Axis {
        scale: Scale::Linear { lo: -0.4, hi: 1.4, step: 1.0 },
        label: "factor A: personalised search (search uses feed signals)".into(),
        ticks: vec![(0.0, "A off".into()), (1.0, "A on".into())],
    };
    let frame = Frame::standard(x, y, 300.0);
    let legend = [
        LegendEntry::new(B_OFF, Mark::Line, "B off: feed ignores search"),
        LegendEntry::new(B_ON, Mark::Line, "B on: query-aware feed"),
        LegendEntry::new(B_ON, Mark::HollowDot, "A+B if additive (Δ = 0)"),
    ];
    let mut svg = Svg::new("interaction", WIDTH, frame.chart_height(legend.len()), "2×2 interaction plot");
    frame.draw(&mut svg);

    // Error bars sit slightly apart so the two lines' intervals do not overlap.
    let lines =
        [(B_OFF, -0.03, [(0.0, cells.neither), (1.0, cells.a)]), (B_ON, 0.03, [(0.0, cells.b), (1.0, cells.a_b)])];
    let names = [["neither", "A only"], ["B only", "A+B"]];
    for ((colour, dx, pts), names) in lines.iter().zip(names) {
        let poly: Vec<(f64, f64)> = pts.iter().map(|(x, e)| (frame.px(x + dx), frame.py(e.value))).collect();
        svg.polyline(&poly, &format!(r#"stroke="{colour}" stroke-width="2.5""#));
        for ((x, e), name) in pts.iter().zip(names) {
            let px = frame.px(x + dx);
            svg.v_error_bar(px, frame.py(e.lower), frame.py(e.upper), colour);
            let tip = format!(
                "{name}: {} per user {}",
                format::sig(e.value),
                format::interval(e.lower, e.upper, format::sig)
            );
            svg.circle(
                px,
                frame.py(e.value),
                5.0,
                &format!(r#"fill="{colour}" stroke="white" stroke-width="1.2""#),
                Some(&tip),
            );
        }
    }

    // The additive expectation and the gap Δ to the measured A+B arm.
    let (bx, by) = (frame.px(0.03), frame.py(cells.b.value));
    let (ex, ey) = (frame.px(1.03), frame.py(expected));
    svg.line(bx, by, ex, ey, &format!(r#"stroke="{B_ON}" stroke-width="1.5" stroke-dasharray="5 3""#));
    let tip = format!("A+B if the effects just added: {}", format::sig(expected));
    svg.circle(ex, ey, 5.0, &format!(r#"fill="white" stroke="{B_ON}" stroke-width="2""#), Some(&tip));
    let gx = frame.px(1.15);
    let ay = frame.py(cells.a_b.value);
    svg.line(gx, ey, gx, ay, r#"class="bracket""#);
    svg.line(gx - 4.0, ey, gx + 4.0, ey, r#"class="bracket""#);
    svg.line(gx - 4.0, ay, gx + 4.0, ay, r#"class="bracket""#);
    svg.text(gx + 8.0, (ey + ay) / 2.0 + 4.0, r#"class="value""#, &format!("Δ = {}", format::signed(delta.value)));
    frame.legend(&mut svg, &legend);
    svg.finish()
}
