//! The plot area of an x/y chart: axes, grid, tick labels, axis titles, and
//! a legend column on the right.

use super::scale::Scale;
use super::{Svg, truncate_middle};

/// Width of a chart, px (the page's content column).
pub(crate) const WIDTH: f64 = 1000.0;
/// Width of the legend column, px.
pub(crate) const LEGEND_WIDTH: f64 = 250.0;
/// Legend labels longer than this are shortened (the full text shows on hover).
const LEGEND_CHARS: usize = 36;

/// One axis.
pub(crate) struct Axis {
    /// The mapping of data values.
    pub scale: Scale,
    /// The axis title, with its unit.
    pub label: String,
    /// Tick positions and labels.
    pub ticks: Vec<(f64, String)>,
}

impl Axis {
    /// An axis with the scale's own ticks.
    pub(crate) fn new(scale: Scale, label: impl Into<String>) -> Axis {
        Axis { ticks: scale.ticks(), scale, label: label.into() }
    }
}

/// The plot rectangle and its axes.
pub(crate) struct Frame {
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// Left edge of the plot area, px.
    pub left: f64,
    /// Top edge, px.
    pub top: f64,
    /// Width, px.
    pub width: f64,
    /// Height, px.
    pub height: f64,
}

impl Frame {
    /// A frame filling a chart of [`WIDTH`] and `plot_height` px of plot, with a legend column.
    pub(crate) fn standard(x: Axis, y: Axis, plot_height: f64) -> Frame {
        Frame { x, y, left: 70.0, top: 18.0, width: WIDTH - 70.0 - LEGEND_WIDTH - 16.0, height: plot_height }
    }

    /// The chart height this frame needs (plot, x labels and title), or more for a long legend.
    pub(crate) fn chart_height(&self, legend_entries: usize) -> f64 {
        let plot = self.top + self.height + 50.0;
        let legend = self.top + 8.0 + legend_entries as f64 * 20.0;
        plot.max(legend)
    }

    /// Horizontal position of `v`.
    pub(crate) fn px(&self, v: f64) -> f64 {
        self.left + self.x.scale.unit(v) * self.width
    }

    /// Vertical position of `v`.
    pub(crate) fn py(&self, v: f64) -> f64 {
        self.top + (1.0 - self.y.scale.unit(v)) * self.height
    }

    /// Grid, axes, ticks and titles.
    pub(crate) fn draw(&self, svg: &mut Svg) {
        let (l, t, r, b) = (self.left, self.top, self.left + self.width, self.top + self.height);
        svg.rect(l, t, self.width, self.height, r#"class="plot-bg""#, None);
        for (v, label) in &self.y.ticks {
            let y = self.py(*v);
            svg.line(l, y, r, y, r#"class="grid""#);
            svg.text(l - 8.0, y + 4.0, r#"class="tick" text-anchor="end""#, label);
        }
        for (v, label) in &self.x.ticks {
            let x = self.px(*v);
            svg.line(x, t, x, b, r#"class="grid""#);
            svg.text(x, b + 17.0, r#"class="tick" text-anchor="middle""#, label);
        }
        svg.line(l, b, r, b, r#"class="axis""#);
        svg.line(l, t, l, b, r#"class="axis""#);
        svg.text(l + self.width / 2.0, b + 40.0, r#"class="axis-label" text-anchor="middle""#, &self.x.label);
        let (lx, ly) = (16.0, t + self.height / 2.0);
        svg.text(
            lx,
            ly,
            &format!(
                r#"class="axis-label" text-anchor="middle" transform="rotate(-90 {} {})""#,
                super::c(lx),
                super::c(ly)
            ),
            &self.y.label,
        );
    }

    /// A small "better" hint in the corner the directions point to
    /// (`x_bigger`: right is better; `y_bigger`: up is better).
    pub(crate) fn better_hint(&self, svg: &mut Svg, x_bigger: bool, y_bigger: bool) {
        let arrow = match (x_bigger, y_bigger) {
            (true, true) => "better ↗",
            (true, false) => "better ↘",
            (false, true) => "↖ better",
            (false, false) => "↙ better",
        };
        let x = if x_bigger { self.left + self.width - 6.0 } else { self.left + 6.0 };
        let y = if y_bigger { self.top + 14.0 } else { self.top + self.height - 8.0 };
        let anchor = if x_bigger { "end" } else { "start" };
        svg.text(x, y, &format!(r#"class="hint" text-anchor="{anchor}""#), arrow);
    }

    /// The legend column to the right of the plot.
    pub(crate) fn legend(&self, svg: &mut Svg, entries: &[LegendEntry]) {
        let x = self.left + self.width + 18.0;
        for (i, e) in entries.iter().enumerate() {
            let y = self.top + 8.0 + i as f64 * 20.0;
            let stroke = format!(r#"stroke="{}" stroke-width="2""#, e.colour);
            match e.mark {
                Mark::Dot => svg.circle(x + 8.0, y, 4.5, &format!(r#"fill="{}""#, e.colour), None),
                Mark::FadedDot => svg.circle(
                    x + 8.0,
                    y,
                    4.5,
                    &format!(r#"fill="{c}" fill-opacity="0.3" stroke="{c}" stroke-opacity="0.55""#, c = e.colour),
                    None,
                ),
                Mark::HollowDot => svg.circle(x + 8.0, y, 4.5, &format!(r#"fill="white" {stroke}"#), None),
                Mark::Line => svg.line(x, y, x + 16.0, y, &stroke),
                Mark::DashedLine => svg.line(x, y, x + 16.0, y, &format!(r#"{stroke} stroke-dasharray="5 3""#)),
            }
            let shown = truncate_middle(&e.label, LEGEND_CHARS);
            svg.text_with_title(x + 24.0, y + 4.0, r#"class="legend""#, &shown, &e.label);
        }
    }
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Mark {
    /// A filled point.
    Dot,
    /// A faded point (dominated, off the front).
    FadedDot,
    /// A hollow point (an expectation rather than a measurement).
    HollowDot,
    /// A solid line.
    Line,
    /// A dashed line.
    DashedLine,
}

/// One legend row.
pub(crate) struct LegendEntry {
    /// Its colour.
    pub colour: String,
    /// How it is drawn.
    pub mark: Mark,
    /// Its label (data: escaped when written).
    pub label: String,
}

impl LegendEntry {
    /// A legend row.
    pub(crate) fn new(colour: &str, mark: Mark, label: impl Into<String>) -> LegendEntry {
        LegendEntry { colour: colour.to_string(), mark, label: label.into() }
    }
}
