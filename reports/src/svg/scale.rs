//! Axis scales with "nice" ticks (1, 2, 5 × 10ᵏ), linear or logarithmic.

/// A mapping from data values to the unit interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Scale {
    /// Evenly spaced values.
    Linear {
        /// Lowest value shown.
        lo: f64,
        /// Highest value shown.
        hi: f64,
        /// Distance between ticks.
        step: f64,
    },
    /// Values spanning decades (throughput, tail latency).
    Log {
        /// Lowest value shown (a power of ten).
        lo: f64,
        /// Highest value shown (a power of ten).
        hi: f64,
    },
}

/// How to fit a scale to data.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Fit {
    /// A linear domain must contain zero (bars start at zero).
    pub zero: bool,
    /// A log scale is allowed when the data are positive and span at least this ratio.
    pub log_from_ratio: Option<f64>,
    /// Room added on both sides, as a share of the range, so marks clear the frame.
    pub pad: f64,
}

/// More ticks than any axis draws: a nice step over a finite range gives
/// about five; past this the range was not finite in practice.
const MAX_TICKS: f64 = 100.0;

impl Scale {
    /// A scale that shows every finite value of `values`.
    pub(crate) fn fit(values: impl IntoIterator<Item = f64>, fit: Fit) -> Scale {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if lo > hi {
            return Scale::linear(0.0, 1.0);
        }
        if let Some(ratio) = fit.log_from_ratio
            && lo > 0.0
            && hi / lo >= ratio
        {
            return Scale::log(lo, hi);
        }
        if fit.zero {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }
        let pad = (hi - lo) * fit.pad;
        let (plo, phi) = (lo - pad, hi + pad);
        // Padding must not push a positive-only axis below zero.
        let plo = if lo >= 0.0 && plo < 0.0 { 0.0 } else { plo };
        Scale::linear(plo, phi)
    }

    /// A linear scale over at least `lo..hi`, widened to nice tick values
    /// (the unit scale when `lo..hi` is not finite).
    pub(crate) fn linear(lo: f64, hi: f64) -> Scale {
        // Results read from a file may hold any number; a range that does not
        // fit in finite arithmetic gets the unit scale rather than a tick
        // count no memory can hold.
        const UNIT: Scale = Scale::Linear { lo: 0.0, hi: 1.0, step: 0.2 };
        if !(lo.is_finite() && hi.is_finite() && (hi - lo).is_finite()) {
            return UNIT;
        }
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else if lo == 0.0 {
            (0.0, 1.0)
        } else {
            let d = lo.abs() * 0.1;
            (lo - d, lo + d)
        };
        let step = nice_step((hi - lo) / 5.0);
        // The tolerance keeps a bound that already sits on a tick from growing by a step.
        let lo = (lo / step + 1e-9).floor() * step;
        let hi = (hi / step - 1e-9).ceil() * step;
        let ticks = (hi - lo) / step;
        if !(step > 0.0 && lo.is_finite() && hi.is_finite() && ticks.is_finite() && ticks <= MAX_TICKS) {
            return UNIT;
        }
        Scale::Linear { lo, hi, step }
    }

    /// A log scale over whole decades containing `lo..hi` (both positive).
    pub(crate) fn log(lo: f64, hi: f64) -> Scale {
        let lo = 10f64.powf(lo.log10().floor());
        let mut hi = 10f64.powf(hi.log10().ceil());
        if hi <= lo {
            hi = lo * 10.0;
        }
        Scale::Log { lo, hi }
    }

    /// Where `v` falls, 0 at the low end and 1 at the high end.
    pub(crate) fn unit(&self, v: f64) -> f64 {
        match *self {
            Scale::Linear { lo, hi, .. } => (v - lo) / (hi - lo),
            Scale::Log { lo, hi } => {
                let v = v.max(lo * 1e-3);
                (v.log10() - lo.log10()) / (hi.log10() - lo.log10())
            }
        }
    }

    /// Tick values and labels.
    pub(crate) fn ticks(&self) -> Vec<(f64, String)> {
        match *self {
            Scale::Linear { lo, hi, step } => {
                let n = ((hi - lo) / step).round() as i64;
                (0..=n)
                    .map(|i| {
                        let v = lo + i as f64 * step;
                        (v, tick_label(v, step))
                    })
                    .collect()
            }
            Scale::Log { lo, hi } => {
                let (a, b) = (lo.log10().round() as i32, hi.log10().round() as i32);
                // Few decades: label 1-2-5 within each; many: only the powers of ten.
                let mantissas: &[f64] = if b - a <= 2 { &[1.0, 2.0, 5.0] } else { &[1.0] };
                let mut ticks = Vec::new();
                for e in a..=b {
                    for &m in mantissas {
                        let v = m * 10f64.powi(e);
                        if v <= hi * (1.0 + 1e-9) {
                            ticks.push((v, tick_label(v, v)));
                        }
                    }
                }
                ticks
            }
        }
    }
}

/// 1, 2 or 5 × 10ᵏ, the smallest not below `raw`.
fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= 0.0 || raw.is_infinite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let f = raw / magnitude;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// A tick value with as many decimals as its step needs, thousands grouped.
fn tick_label(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 { 0 } else { (-step.log10().floor()) as usize };
    if decimals == 0 && v.abs() >= 1000.0 {
        return crate::format::sig(v);
    }
    crate::format::fixed(v, decimals.min(9))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_nice_and_cover_the_data() {
        let s = Scale::fit([0.31, 0.87], Fit::default());
        let ticks: Vec<String> = s.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(ticks, ["0.2", "0.4", "0.6", "0.8", "1.0"]);
        assert!(s.unit(0.31) >= 0.0 && s.unit(0.87) <= 1.0);
    }

    #[test]
    fn ranges_beyond_finite_arithmetic_get_a_few_ticks_not_a_panic() {
        // Found by the structure-aware results.json mutations
        // (reports/tests/malformed.rs): a value of 1e308 beside a negative
        // one asked for more ticks than memory can hold.
        for (lo, hi) in [(-1e308, 1e308), (-1.0, f64::MAX), (f64::NEG_INFINITY, 1.0), (0.0, f64::NAN), (1e308, 1e308)] {
            let ticks = Scale::linear(lo, hi).ticks();
            assert!(!ticks.is_empty() && ticks.len() as f64 <= MAX_TICKS + 1.0, "{lo}..{hi}: {}", ticks.len());
        }
    }

    #[test]
    fn zero_is_included_for_bars_and_large_values_are_grouped() {
        let s = Scale::fit([1200.0, 4800.0], Fit { zero: true, ..Fit::default() });
        let ticks: Vec<String> = s.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(ticks, ["0", "1,000", "2,000", "3,000", "4,000", "5,000"]);
    }

    #[test]
    fn wide_positive_ranges_go_logarithmic() {
        let s = Scale::fit([80.0, 25_000.0], Fit { log_from_ratio: Some(30.0), ..Fit::default() });
        assert_eq!(s, Scale::Log { lo: 10.0, hi: 100_000.0 });
        assert_eq!(s.ticks().len(), 5);
        assert!((s.unit(1000.0) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn degenerate_input_still_gives_a_usable_scale() {
        for values in [vec![], vec![f64::NAN], vec![3.0, 3.0], vec![0.0]] {
            let s = Scale::fit(values, Fit::default());
            assert!(!s.ticks().is_empty());
            assert!(s.unit(3.0).is_finite());
        }
    }
}
