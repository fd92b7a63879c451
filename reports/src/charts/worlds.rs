//! Δ replicated over worlds as a forest plot: one row per world with its
//! within-world interval, then the pooled Δ (a diamond) with the two-stage
//! interval, against a zero line, each coloured by its verdict.

use searchrec_harness::simulate::Estimate;

use super::sensitivity::verdict_colour;
use crate::format;
use crate::svg::frame::WIDTH;
use crate::svg::scale::{Fit, Scale};
use crate::svg::{Svg, c, truncate_middle};

const LABEL_WIDTH: f64 = 190.0;
const LABEL_CHARS: usize = 26;
const VALUE_WIDTH: f64 = 290.0;
const ROW: f64 = 28.0;
const TOP: f64 = 12.0;

/// One row of the plot.
pub(crate) struct ForestRow {
    /// Row label (data: escaped when written).
    pub label: String,
    /// Δ with its interval.
    pub estimate: Estimate,
    /// Its verdict word.
    pub verdict: String,
}

/// The forest plot of `worlds` and their `pooled` estimate below them.
pub(crate) fn worlds_chart(title: &str, worlds: &[ForestRow], pooled: &ForestRow) -> String {
    let rows: Vec<&ForestRow> = worlds.iter().chain([pooled]).collect();
    let values = rows.iter().flat_map(|r| [r.estimate.value, r.estimate.lower, r.estimate.upper]);
    let scale = Scale::fit(values, Fit { zero: true, log_from_ratio: None, pad: 0.04 });
    let (left, right) = (LABEL_WIDTH, WIDTH - VALUE_WIDTH);
    let px = |v: f64| left + scale.unit(v) * (right - left);
    // The pooled row sits half a row below the worlds, past a rule.
    let y_of = |i: usize| TOP + i as f64 * ROW + if i == worlds.len() { ROW / 2.0 } else { 0.0 };
    let bottom = y_of(rows.len());
    let height = bottom + 46.0;

    let mut svg = Svg::new("worlds", WIDTH, height, title);
    svg.rect(left, TOP, right - left, bottom - TOP, r#"class="plot-bg""#, None);
    for (v, label) in scale.ticks() {
        let x = px(v);
        svg.line(x, TOP, x, bottom, r#"class="grid""#);
        svg.text(x, bottom + 17.0, r#"class="tick" text-anchor="middle""#, &label);
    }
    let rule = y_of(worlds.len()) - ROW / 4.0;
    svg.line(left, rule, right, rule, r#"class="axis""#);
    svg.line(px(0.0), TOP, px(0.0), bottom, r#"class="zero""#);
    for (i, r) in rows.iter().enumerate() {
        let mid = y_of(i) + ROW / 2.0;
        let is_pooled = i == worlds.len();
        let colour = verdict_colour(&r.verdict);
        let e = &r.estimate;
        let shown = truncate_middle(&r.label, LABEL_CHARS);
        let class = if is_pooled {
            r#"class="bar-label pooled" text-anchor="end""#
        } else {
            r#"class="bar-label" text-anchor="end""#
        };
        svg.text_with_title(left - 10.0, mid + 4.0, class, &shown, &r.label);
        let text =
            format!("{} {} {}", format::signed(e.value), format::interval(e.lower, e.upper, format::signed), r.verdict);
        if e.lower.is_finite() && e.upper.is_finite() {
            svg.h_error_bar(mid, px(e.lower), px(e.upper), colour);
        }
        if e.value.is_finite() {
            let (x, tip) = (px(e.value), format!("{}: Δ = {text}", r.label));
            if is_pooled {
                let attrs = format!(
                    r#"fill="{colour}" stroke="white" stroke-width="1.2" transform="rotate(45 {} {})""#,
                    c(x),
                    c(mid)
                );
                svg.rect(x - 6.0, mid - 6.0, 12.0, 12.0, &attrs, Some(&tip));
            } else {
                svg.circle(x, mid, 5.0, &format!(r#"fill="{colour}" stroke="white" stroke-width="1.2""#), Some(&tip));
            }
        }
        svg.text(right + 12.0, mid + 4.0, r#"class="value""#, &text);
    }
    svg.line(left, bottom, right, bottom, r#"class="axis""#);
    svg.text(
        (left + right) / 2.0,
        bottom + 40.0,
        r#"class="axis-label" text-anchor="middle""#,
        "interaction Δ, GMV per user",
    );
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_world_and_the_pooled_estimate_get_a_row() {
        let row = |label: &str, v: f64, verdict: &str| ForestRow {
            label: label.into(),
            estimate: Estimate { value: v, lower: v - 1.0, upper: v + 1.0, se: None, mde: None },
            verdict: verdict.into(),
        };
        let worlds = [row("world 7", 2.0, "super_additive"), row("world <11>", 0.5, "inconclusive")];
        let svg = worlds_chart("Δ per world", &worlds, &row("pooled", 1.25, "super_additive"));
        assert!(svg.contains("data-chart=\"worlds\""));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches("transform=\"rotate(45").count(), 1);
        assert!(svg.contains("world &lt;11&gt;") && svg.contains("+1.25 [+0.250, +2.25] super_additive"));
    }
}
