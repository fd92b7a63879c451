//! Horizontal bars with optional interval whiskers: build time and memory
//! per engine, GMV per simulated arm.

use crate::svg::frame::WIDTH;
use crate::svg::scale::{Fit, Scale};
use crate::svg::{Svg, truncate_middle};

const LABEL_WIDTH: f64 = 210.0;
const LABEL_CHARS: usize = 30;
const VALUE_WIDTH: f64 = 110.0;
const ROW: f64 = 28.0;
const TOP: f64 = 12.0;

/// One bar.
pub(crate) struct Bar {
    /// Row label (data: escaped when written).
    pub label: String,
    /// Length of the bar.
    pub value: f64,
    /// Confidence interval, drawn as a whisker.
    pub interval: Option<(f64, f64)>,
    /// Fill colour.
    pub colour: &'static str,
    /// Text shown after the bar (the formatted value).
    pub text: String,
}

/// A horizontal bar chart; `x_label` names the value and its unit.
pub(crate) fn bar_chart(kind: &str, title: &str, x_label: &str, bars: &[Bar]) -> String {
    let values = bars.iter().flat_map(|b| {
        let (lo, hi) = b.interval.unwrap_or((b.value, b.value));
        [b.value, lo, hi]
    });
    let scale = Scale::fit(values, Fit { zero: true, log_from_ratio: None, pad: 0.0 });
    let (left, right) = (LABEL_WIDTH, WIDTH - VALUE_WIDTH);
    let px = |v: f64| left + scale.unit(v) * (right - left);
    let bottom = TOP + bars.len().max(1) as f64 * ROW;
    let height = bottom + 46.0;

    let mut svg = Svg::new(kind, WIDTH, height, title);
    svg.rect(left, TOP, right - left, bottom - TOP, r#"class="plot-bg""#, None);
    for (v, label) in scale.ticks() {
        let x = px(v);
        svg.line(x, TOP, x, bottom, r#"class="grid""#);
        svg.text(x, bottom + 17.0, r#"class="tick" text-anchor="middle""#, &label);
    }
    let zero = px(0.0);
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + i as f64 * ROW;
        let mid = y + ROW / 2.0;
        let shown = truncate_middle(&b.label, LABEL_CHARS);
        svg.text_with_title(left - 10.0, mid + 4.0, r#"class="bar-label" text-anchor="end""#, &shown, &b.label);
        if b.value.is_finite() {
            let end = px(b.value);
            let tip = format!("{}: {}", b.label, b.text);
            svg.rect(
                end.min(zero),
                y + 6.0,
                (end - zero).abs(),
                ROW - 12.0,
                &format!(r#"fill="{}""#, b.colour),
                Some(&tip),
            );
        }
        let mut text_x = px(b.value.max(0.0));
        if let Some((lo, hi)) = b.interval.filter(|(lo, hi)| lo.is_finite() && hi.is_finite()) {
            svg.h_error_bar(mid, px(lo), px(hi), "#1F2937");
            text_x = text_x.max(px(hi));
        }
        let text_x = if text_x.is_finite() { text_x } else { zero };
        svg.text(text_x + 8.0, mid + 4.0, r#"class="value""#, &b.text);
    }
    svg.line(zero, TOP, zero, bottom, r#"class="axis""#);
    svg.text((left + right) / 2.0, bottom + 40.0, r#"class="axis-label" text-anchor="middle""#, x_label);
    svg.line(left, bottom, right, bottom, r#"class="axis""#);
    svg.finish()
}
