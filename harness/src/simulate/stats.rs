//! The statistics of a simulation, as pure functions over per-user values:
//! a paired bootstrap over users, the 2×2 interaction, CUPED.
//!
//! Users are the unit: every arm sees the same users, so each statistic is a
//! function of per-arm *means over the same users*, and a bootstrap resample
//! draws users (not sessions or events) once for all arms, which keeps the
//! pairing. Intervals are percentile intervals.

use rand::RngExt;
use rayon::prelude::*;
use searchrec_datasets::rng::{Purpose, stream};

use super::summary::{Estimate, Uplift};
use crate::{HarnessError, Result};

/// Resamples drawn from one stream; blocks are fixed, never derived from the
/// thread count, so an interval is the same on every machine.
const BLOCK: usize = 64;

/// `Factorial::verdict` when Δ's interval lies above zero.
pub const SUPPORTED: &str = "supported";
/// `Factorial::verdict` when Δ's interval lies below zero.
pub const CONTRADICTED: &str = "contradicted";
/// `Factorial::verdict` when Δ's interval contains zero.
pub const NOT_SUPPORTED: &str = "not supported";

/// A paired bootstrap over users.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bootstrap {
    /// Resamples drawn.
    pub resamples: usize,
    /// Confidence level of the intervals, in (0, 1).
    pub confidence: f64,
    /// Seed of the resampling streams.
    pub seed: u64,
}

impl Bootstrap {
    /// `statistic` of the column means, with its percentile interval.
    ///
    /// `columns` are per-user values of the same users in the same order
    /// (one column per arm, say); each resample draws users with replacement
    /// once and takes every column's mean over the same draw. Resamples where
    /// the statistic is not finite (a ratio over a zero mean) are left out.
    ///
    /// Errors: no column, no user, columns of different lengths, a value that
    /// is not finite, or no resample.
    pub fn estimate(&self, columns: &[&[f64]], statistic: impl Fn(&[f64]) -> f64 + Sync) -> Result<Estimate> {
        let invalid = |message: String| HarnessError::Invalid { what: "bootstrap".into(), message };
        let n = columns.first().map_or(0, |c| c.len());
        if n == 0 {
            return Err(invalid("no user to resample".into()));
        }
        if columns.iter().any(|c| c.len() != n) {
            return Err(unpaired());
        }
        if columns.iter().flat_map(|c| c.iter()).any(|v| !v.is_finite()) {
            return Err(invalid("a value is not finite".into()));
        }
        if self.resamples == 0 {
            return Err(invalid("0 resamples; use at least 100".into()));
        }
        let full: Vec<f64> = columns.iter().map(|c| mean(c)).collect();
        let blocks: Vec<Vec<f64>> = (0..self.resamples.div_ceil(BLOCK))
            .into_par_iter()
            .map(|block| {
                let mut rng = stream(self.seed, Purpose::SimulationBootstrap, 0, block as u64);
                let mut sums = vec![0.0; columns.len()];
                (0..BLOCK.min(self.resamples - block * BLOCK))
                    .map(|_| {
                        sums.fill(0.0);
                        for _ in 0..n {
                            let user = rng.random_range(0..n);
                            sums.iter_mut().zip(columns).for_each(|(s, c)| *s += c[user]);
                        }
                        let means: Vec<f64> = sums.iter().map(|s| s / n as f64).collect();
                        statistic(&means)
                    })
                    .collect()
            })
            .collect();
        let mut draws: Vec<f64> = blocks.into_iter().flatten().filter(|v| v.is_finite()).collect();
        draws.sort_unstable_by(f64::total_cmp);
        let value = statistic(&full);
        if draws.is_empty() {
            return Ok(Estimate { value, lower: value, upper: value });
        }
        let tail = (1.0 - self.confidence) / 2.0;
        Ok(Estimate { value, lower: quantile(&draws, tail), upper: quantile(&draws, 1.0 - tail) })
    }

    /// The mean of one column with its interval.
    pub fn mean(&self, values: &[f64]) -> Result<Estimate> {
        self.estimate(&[values], |m| m[0])
    }

    /// The uplift of `treatment` over `control` (paired per user): absolute,
    /// and relative to the control's mean. The relative uplift is 0 when the
    /// control's mean is 0 (it is undefined there).
    ///
    /// Differences are taken per user before any mean, so users who fare
    /// exactly alike in both arms contribute exactly zero, free of rounding.
    pub fn uplift(&self, control: &[f64], treatment: &[f64]) -> Result<Uplift> {
        let difference = paired(control, treatment, |c, t| t - c)?;
        let absolute = self.mean(&difference)?;
        let relative = self.estimate(&[control, &difference], |m| m[1] / m[0])?;
        let relative =
            if relative.value.is_finite() { relative } else { Estimate { value: 0.0, lower: 0.0, upper: 0.0 } };
        Ok(Uplift { absolute, relative })
    }

    /// Δ = mean(a_b) − mean(a) − mean(b) + mean(neither), paired per user:
    /// the mean of the per-user interactions ([`interactions`]).
    pub fn interaction(&self, neither: &[f64], a: &[f64], b: &[f64], a_b: &[f64]) -> Result<Estimate> {
        self.mean(&interactions(neither, a, b, a_b)?)
    }
}

/// Each user's interaction term, `a_b − a − b + neither`.
///
/// Errors: columns of different lengths.
pub fn interactions(neither: &[f64], a: &[f64], b: &[f64], a_b: &[f64]) -> Result<Vec<f64>> {
    let n = neither.len();
    if [a.len(), b.len(), a_b.len()].iter().any(|&len| len != n) {
        return Err(unpaired());
    }
    Ok((0..n).map(|u| interaction(neither[u], a[u], b[u], a_b[u])).collect())
}

/// `f(x, y)` per user. Errors: columns of different lengths.
fn paired(x: &[f64], y: &[f64], f: impl Fn(f64, f64) -> f64) -> Result<Vec<f64>> {
    if x.len() != y.len() {
        return Err(unpaired());
    }
    Ok(x.iter().zip(y).map(|(&a, &b)| f(a, b)).collect())
}

fn unpaired() -> HarnessError {
    HarnessError::Invalid { what: "bootstrap".into(), message: "columns of different lengths cannot be paired".into() }
}

/// The interaction term of a 2×2 design from its four cell values:
/// `a_b − a − b + neither`, the part of the joint effect that the two single
/// effects do not explain ("1+1>2" when positive).
pub fn interaction(neither: f64, a: f64, b: f64, a_b: f64) -> f64 {
    // Grouped as (a_b − a) − (b − neither): B's effect with A minus without.
    (a_b - a) - (b - neither)
}

/// Arithmetic mean (0 for no values).
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / values.len() as f64 }
}

/// Sample variance with n − 1 (0 for fewer than two values).
pub fn variance(values: &[f64]) -> f64 {
    covariance(values, values)
}

/// Sample covariance with n − 1 over paired values (0 for fewer than two pairs).
pub fn covariance(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    if n < 2 {
        return 0.0;
    }
    let (mx, my) = (mean(&x[..n]), mean(&y[..n]));
    x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum::<f64>() / (n - 1) as f64
}

/// The `q` quantile of sorted values with linear interpolation between order
/// statistics (Hyndman–Fan type 7: R's and NumPy's default). NaN for no values.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let Some(&last) = sorted.last() else { return f64::NAN };
    let position = q.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    match sorted.get(below + 1) {
        Some(&above) => sorted[below] + (position - below as f64) * (above - sorted[below]),
        None => last,
    }
}

/// CUPED (Deng et al., 2013) of per-user outcomes against a pre-period covariate.
#[derive(Clone, Debug, PartialEq)]
pub struct CupedFit {
    /// θ = cov(X, Y) / var(X); 0 when X does not vary.
    pub theta: f64,
    /// 1 − var(Y') / var(Y); 0 when Y does not vary.
    pub variance_reduction: f64,
    /// Y' = Y − θ·(X − mean X): the same mean as Y, less variance.
    pub adjusted: Vec<f64>,
}

/// Fits CUPED for `outcome` (Y) with `covariate` (X), paired per user.
pub fn cuped(outcome: &[f64], covariate: &[f64]) -> CupedFit {
    let vx = variance(covariate);
    let theta = if vx > 0.0 { covariance(covariate, outcome) / vx } else { 0.0 };
    let mx = mean(covariate);
    let adjusted: Vec<f64> = outcome.iter().zip(covariate).map(|(y, x)| y - theta * (x - mx)).collect();
    let vy = variance(outcome);
    let variance_reduction = if vy > 0.0 { 1.0 - variance(&adjusted) / vy } else { 0.0 };
    CupedFit { theta, variance_reduction, adjusted }
}

/// The verdict on "1+1>2" from Δ's interval: [`SUPPORTED`] above zero,
/// [`CONTRADICTED`] below, [`NOT_SUPPORTED`] when it contains zero.
pub fn verdict(interaction: &Estimate) -> &'static str {
    if interaction.lower > 0.0 {
        SUPPORTED
    } else if interaction.upper < 0.0 {
        CONTRADICTED
    } else {
        NOT_SUPPORTED
    }
}

/// Whether an interval excludes zero (a "significant" difference).
pub fn excludes_zero(estimate: &Estimate) -> bool {
    estimate.lower > 0.0 || estimate.upper < 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bootstrap(confidence: f64) -> Bootstrap {
        Bootstrap { resamples: 20_000, confidence, seed: 11 }
    }

    #[test]
    fn quantile_interpolates_between_order_statistics() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 0.25), 1.75);
        assert_eq!(quantile(&v, 0.5), 2.5);
        assert_eq!(quantile(&v, 1.0), 4.0);
        assert_eq!(quantile(&[7.0], 0.3), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn bootstrap_of_two_users_follows_the_binomial() {
        // Two users 0 and 1: a resample's mean is 0, ½ or 1 with probability
        // ¼, ½, ¼. The 95% interval runs from 0 to 1; a 30% interval
        // (quantiles 0.35 and 0.65) lies inside the ½ block.
        let values = [0.0, 1.0];
        assert_eq!(bootstrap(0.95).mean(&values).unwrap(), Estimate { value: 0.5, lower: 0.0, upper: 1.0 });
        assert_eq!(bootstrap(0.3).mean(&values).unwrap(), Estimate { value: 0.5, lower: 0.5, upper: 0.5 });
    }

    #[test]
    fn paired_bootstrap_keeps_the_pairs() {
        // Every user gains exactly 5: any paired resample says 5, although
        // each arm's own mean varies a lot between resamples.
        let control = [1.0, 20.0, 300.0, 4.0];
        let treatment: Vec<f64> = control.iter().map(|c| c + 5.0).collect();
        let u = bootstrap(0.95).uplift(&control, &treatment).unwrap();
        assert_eq!(u.absolute, Estimate { value: 5.0, lower: 5.0, upper: 5.0 });
        assert!((u.relative.value - 5.0 / 81.25).abs() < 1e-12);
        assert!(u.relative.lower < u.relative.value && u.relative.value < u.relative.upper);
    }

    #[test]
    fn relative_uplift_over_nothing_is_zero() {
        let u = bootstrap(0.95).uplift(&[0.0, 0.0], &[1.0, 3.0]).unwrap();
        assert_eq!(u.absolute.value, 2.0);
        assert_eq!(u.relative, Estimate { value: 0.0, lower: 0.0, upper: 0.0 });
    }

    #[test]
    fn interaction_of_a_hand_made_two_by_two() {
        // Cell means: neither 15, a 17.5, b 21, a_b 30 → Δ = 30 − 17.5 − 21 + 15 = 6.5;
        // per user: 20 − 15 − 12 + 10 = 3 and 40 − 20 − 30 + 20 = 10.
        let (neither, a, b, a_b) = ([10.0, 20.0], [15.0, 20.0], [12.0, 30.0], [20.0, 40.0]);
        assert_eq!(interaction(15.0, 17.5, 21.0, 30.0), 6.5);
        let d = bootstrap(0.95).interaction(&neither, &a, &b, &a_b).unwrap();
        assert_eq!(d.value, 6.5);
        // Resamples of two users with per-user Δ 3 and 10: 3, 6.5 or 10.
        assert_eq!((d.lower, d.upper), (3.0, 10.0));
    }

    #[test]
    fn additive_effects_have_no_interaction() {
        let neither = [1.0, 5.0, 9.0];
        let a: Vec<f64> = neither.iter().map(|v| v + 2.0).collect();
        let b: Vec<f64> = neither.iter().map(|v| v + 3.0).collect();
        let a_b: Vec<f64> = neither.iter().map(|v| v + 5.0).collect();
        let d = bootstrap(0.95).interaction(&neither, &a, &b, &a_b).unwrap();
        assert_eq!(d, Estimate { value: 0.0, lower: 0.0, upper: 0.0 });
        assert_eq!(verdict(&d), NOT_SUPPORTED);
    }

    #[test]
    fn cuped_of_a_hand_computed_example() {
        // x̄ = 2.5, ȳ = 5; Σ(x − x̄)(y − ȳ) = 11, Σ(x − x̄)² = 5 → θ = 2.2;
        // Y' = [5.3, 5.1, 3.9, 5.7], Σ(Y' − 5)² = 1.8, Σ(y − ȳ)² = 26.
        let fit = cuped(&[2.0, 4.0, 5.0, 9.0], &[1.0, 2.0, 3.0, 4.0]);
        assert!((fit.theta - 2.2).abs() < 1e-12);
        for (got, want) in fit.adjusted.iter().zip([5.3, 5.1, 3.9, 5.7]) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        assert!((fit.variance_reduction - (1.0 - 1.8 / 26.0)).abs() < 1e-12);
        assert!((mean(&fit.adjusted) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn cuped_without_covariate_signal_changes_nothing() {
        let fit = cuped(&[1.0, 2.0, 6.0], &[3.0, 3.0, 3.0]);
        assert_eq!((fit.theta, fit.variance_reduction), (0.0, 0.0));
        assert_eq!(fit.adjusted, vec![1.0, 2.0, 6.0]);
    }

    #[test]
    fn verdict_follows_the_interval() {
        let e = |lower, upper| Estimate { value: (lower + upper) / 2.0, lower, upper };
        assert_eq!(verdict(&e(0.1, 2.0)), SUPPORTED);
        assert_eq!(verdict(&e(-2.0, -0.1)), CONTRADICTED);
        assert_eq!(verdict(&e(-1.0, 1.0)), NOT_SUPPORTED);
        assert_eq!(verdict(&e(0.0, 1.0)), NOT_SUPPORTED);
    }

    #[test]
    fn bad_input_is_an_error() {
        let b = bootstrap(0.95);
        assert!(b.mean(&[]).is_err());
        assert!(b.uplift(&[1.0], &[1.0, 2.0]).is_err());
        assert!(b.mean(&[f64::NAN]).is_err());
        assert!(Bootstrap { resamples: 0, ..b }.mean(&[1.0]).is_err());
    }

    #[test]
    fn same_seed_same_interval() {
        let v: Vec<f64> = (0..50).map(|i| (i * i % 17) as f64).collect();
        let b = Bootstrap { resamples: 1_000, confidence: 0.95, seed: 3 };
        assert_eq!(b.mean(&v).unwrap(), b.mean(&v).unwrap());
        assert_ne!(b.mean(&v).unwrap(), Bootstrap { seed: 4, ..b }.mean(&v).unwrap());
    }
}
