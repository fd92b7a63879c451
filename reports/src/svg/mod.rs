//! A small SVG writer for the report's charts.
//!
//! Hand-written rather than plotters: the charts need a handful of lines,
//! circles and labels, and a plotting crate would cost more compile time
//! than this file. Every string that came from data goes through [`esc`];
//! attribute values built here (colours, classes) are constants.

pub(crate) mod frame;
pub(crate) mod palette;
pub(crate) mod scale;

use std::fmt::Write;

use crate::html::CHART_CLASS;

/// Escapes text for SVG/XML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Shortens `s` to `max` characters by cutting its middle, so labels that
/// differ only at the end (`interest[hnsw.ef_search=16]` and `…=128]`) stay apart.
pub(crate) fn truncate_middle(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(1);
    let head = keep / 2;
    let tail = keep - head;
    let mut out: String = s.chars().take(head).collect();
    out.push('…');
    out.extend(s.chars().skip(n - tail));
    out
}

/// A coordinate: one decimal, ASCII minus, never `NaN` (a non-finite
/// coordinate would make the browser drop the element silently).
pub(crate) fn c(v: f64) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.1}");
    if s == "-0.0" { "0.0".into() } else { s }
}

/// One chart being written.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// Opens a chart of `width` × `height` px. `kind` names the chart for the
    /// report check; `title` is its accessible name.
    pub(crate) fn new(kind: &str, width: f64, height: f64, title: &str) -> Svg {
        let mut out = String::with_capacity(8 * 1024);
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="{CHART_CLASS}" data-chart="{}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><title>{t}</title>"#,
            esc(kind),
            w = c(width),
            h = c(height),
            t = esc(title),
        );
        Svg { out }
    }

    /// A straight line with the given (constant) attributes.
    pub(crate) fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, attrs: &str) {
        let _ = write!(self.out, r#"<line x1="{}" y1="{}" x2="{}" y2="{}" {attrs}/>"#, c(x1), c(y1), c(x2), c(y2));
    }

    /// An open polyline through `points`.
    pub(crate) fn polyline(&mut self, points: &[(f64, f64)], attrs: &str) {
        if points.len() < 2 {
            return;
        }
        let pts: Vec<String> = points.iter().map(|&(x, y)| format!("{},{}", c(x), c(y))).collect();
        let _ = write!(self.out, r#"<polyline points="{}" fill="none" {attrs}/>"#, pts.join(" "));
    }

    /// A circle with an optional hover tooltip (escaped).
    pub(crate) fn circle(&mut self, cx: f64, cy: f64, r: f64, attrs: &str, tooltip: Option<&str>) {
        let _ = write!(self.out, r#"<circle cx="{}" cy="{}" r="{}" {attrs}"#, c(cx), c(cy), c(r));
        self.close_with_tooltip("circle", tooltip);
    }

    /// A rectangle with an optional hover tooltip (escaped).
    pub(crate) fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, attrs: &str, tooltip: Option<&str>) {
        let _ = write!(
            self.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" {attrs}"#,
            c(x),
            c(y),
            c(w.max(0.0)),
            c(h.max(0.0))
        );
        self.close_with_tooltip("rect", tooltip);
    }

    /// A text label (escaped); `attrs` sets class and anchor.
    pub(crate) fn text(&mut self, x: f64, y: f64, attrs: &str, text: &str) {
        let _ = write!(self.out, r#"<text x="{}" y="{}" {attrs}>{}</text>"#, c(x), c(y), esc(text));
    }

    /// A text label that shows `full` on hover when `shown` was shortened.
    pub(crate) fn text_with_title(&mut self, x: f64, y: f64, attrs: &str, shown: &str, full: &str) {
        if shown == full {
            return self.text(x, y, attrs, shown);
        }
        let _ = write!(
            self.out,
            r#"<text x="{}" y="{}" {attrs}><title>{}</title>{}</text>"#,
            c(x),
            c(y),
            esc(full),
            esc(shown)
        );
    }

    /// A vertical error bar from `lo` to `hi` at `x`, with caps.
    pub(crate) fn v_error_bar(&mut self, x: f64, lo: f64, hi: f64, colour: &str) {
        let attrs = format!(r#"stroke="{colour}" stroke-width="1.5""#);
        self.line(x, lo, x, hi, &attrs);
        self.line(x - 4.0, lo, x + 4.0, lo, &attrs);
        self.line(x - 4.0, hi, x + 4.0, hi, &attrs);
    }

    /// A horizontal error bar from `lo` to `hi` at `y`, with caps.
    pub(crate) fn h_error_bar(&mut self, y: f64, lo: f64, hi: f64, colour: &str) {
        let attrs = format!(r#"stroke="{colour}" stroke-width="1.5""#);
        self.line(lo, y, hi, y, &attrs);
        self.line(lo, y - 4.0, lo, y + 4.0, &attrs);
        self.line(hi, y - 4.0, hi, y + 4.0, &attrs);
    }

    /// Closes the chart.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }

    fn close_with_tooltip(&mut self, tag: &str, tooltip: Option<&str>) {
        match tooltip {
            Some(t) => {
                let _ = write!(self.out, "><title>{}</title></{tag}>", esc(t));
            }
            None => self.out.push_str("/>"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_text_is_escaped_everywhere() {
        let evil = r#"<script>alert("x")</script>&'"#;
        let mut svg = Svg::new(evil, 10.0, 10.0, evil);
        svg.text(0.0, 0.0, r#"class="t""#, evil);
        svg.circle(1.0, 1.0, 1.0, "", Some(evil));
        svg.text_with_title(0.0, 0.0, "", "short", evil);
        let out = svg.finish();
        assert!(!out.contains("<script"), "{out}");
        assert!(out.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;"));
    }

    #[test]
    fn coordinates_are_fixed_and_finite() {
        assert_eq!(c(-0.01), "0.0");
        assert_eq!(c(f64::NAN), "0.0");
        assert_eq!(c(12.345), "12.3");
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate_middle("héllo wörld", 6), "hé…rld");
        assert_eq!(truncate_middle("interest[hnsw.ef_search=128]", 16), "interes…rch=128]");
        assert_eq!(truncate_middle("short", 6), "short");
    }
}
