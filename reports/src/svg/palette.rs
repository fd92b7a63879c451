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
