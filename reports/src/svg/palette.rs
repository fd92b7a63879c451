//! Series colours: the Okabe–Ito palette (distinguishable with the common
//! colour-vision deficiencies), without its yellow, which vanishes on white.
//! Past eight series the colours repeat with a dash pattern.

use std::collections::BTreeMap;

const COLOURS: [&str; 8] = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#8C6D31", "#5A5A5A"];
const DASHES: [&str; 3] = ["", r#" stroke-dasharray="6 3""#, r#" stroke-dasharray="2 2""#];

/// Colours of "good" and "bad" verdicts and of neutral marks.
pub(crate) const GOOD: &str = "#009E73";
/// See [`GOOD`].
pub(crate) const BAD: &str = "#D55E00";
/// See [`GOOD`].
pub(crate) const NEUTRAL: &str = "#6B7280";
/// An "additive" verdict: shown to be within the equivalence margin.
pub(crate) const ADDITIVE: &str = "#0072B2";

/// A colour per series key, by first appearance, so one engine keeps its colour across a chart.
pub(crate) struct Colours {
    index: BTreeMap<String, usize>,
}

impl Colours {
    /// Assigns colours to `keys` in order (repeats keep their first colour).
    pub(crate) fn new<'a>(keys: impl IntoIterator<Item = &'a str>) -> Colours {
        let mut index = BTreeMap::new();
        for key in keys {
            let next = index.len();
            index.entry(key.to_string()).or_insert(next);
        }
        Colours { index }
    }

    /// The colour of `key` (grey for an unknown key).
    pub(crate) fn colour(&self, key: &str) -> &'static str {
        self.index.get(key).map_or(COLOURS[7], |&i| COLOURS[i % COLOURS.len()])
    }

    /// Extra stroke attributes (a dash pattern) once the colours have run out.
    pub(crate) fn dash(&self, key: &str) -> &'static str {
        self.index.get(key).map_or("", |&i| DASHES[(i / COLOURS.len()) % DASHES.len()])
    }
}

/// ColorBrewer's RdBu, red (negative) to blue (positive) through a light
/// grey: a diverging scale readable with the common colour-vision
/// deficiencies, for values centred on zero.
const DIVERGING: [(u8, u8, u8); 7] = [
    (0xB2, 0x18, 0x2B),
    (0xEF, 0x8A, 0x62),
    (0xFD, 0xDB, 0xC7),
    (0xF7, 0xF7, 0xF7),
    (0xD1, 0xE5, 0xF0),
    (0x67, 0xA9, 0xCF),
    (0x21, 0x66, 0xAC),
];

/// The diverging colour of `t` in [−1, 1] (clamped; 0 is the neutral middle,
/// a non-finite `t` too), as `#RRGGBB`, interpolated linearly between the
/// palette's stops.
pub(crate) fn diverging(t: f64) -> String {
    let t = if t.is_finite() { t.clamp(-1.0, 1.0) } else { 0.0 };
    let position = (t + 1.0) / 2.0 * (DIVERGING.len() - 1) as f64;
    let i = (position.floor() as usize).min(DIVERGING.len() - 2);
    let f = position - i as f64;
    let (a, b) = (DIVERGING[i], DIVERGING[i + 1]);
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * f).round() as u8;
    format!("#{:02X}{:02X}{:02X}", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Whether text on the [`diverging`] colour of `t` should be white (the
/// saturated ends) rather than dark.
pub(crate) fn diverging_needs_light_text(t: f64) -> bool {
    t.is_finite() && t.abs() > 0.6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diverging_scale_is_centred_and_clamped() {
        assert_eq!(diverging(0.0), "#F7F7F7");
        assert_eq!(diverging(f64::NAN), "#F7F7F7");
        assert_eq!(diverging(-1.0), "#B2182B");
        assert_eq!(diverging(-7.0), "#B2182B");
        assert_eq!(diverging(1.0), "#2166AC");
        assert_ne!(diverging(0.5), diverging(-0.5));
    }
}
