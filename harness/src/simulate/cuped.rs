//! CUPED (Deng, Xu, Kohavi and Walker, 2013) where it can help, with θ
//! re-fitted in every bootstrap resample.
//!
//! CUPED estimates a mean as ȳ − θ (x̄ − μₓ), where X is a covariate fixed
//! before the experiment and μₓ its mean. The adjustment only removes
//! variance when μₓ is known better than x̄ (or differs between the groups
//! compared). In this simulator every arm sees the *same* users, so for a
//! paired difference x̄ − x̄ = 0 and any covariate of the users alone is
//! already cancelled by the pairing; what is left is the sampling of users
//! from the world. So the covariate here is each user's GMV in the world's
//! **observable logs**, known for *every* world user: μₓ is the exact
//! population mean, and CUPED corrects an unlucky draw of users. It helps
//! arm-level means (whose variance is mostly which users were drawn) and
//! helps a difference only as far as the difference correlates with logged
//! GMV; the variance reduction is reported per quantity, so a reader sees
//! which. θ = cov(X, Y) / var(X) is re-fitted inside every resample, so the
//! interval carries θ's own uncertainty.

use rand::RngExt;
use rayon::prelude::*;
use searchrec_datasets::Action;
use searchrec_datasets::rng::{Purpose, stream};
use searchrec_datasets::{UserId, World};

use super::stats::{BLOCK, Bootstrap, summarise};
use super::summary::Cuped;
use crate::{HarnessError, Result};

/// The CUPED covariate of the simulated users and its population mean.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Covariate {
    /// Per simulated user, in simulation order.
    pub values: Vec<f64>,
    /// Mean over every user of the world: the exact μₓ.
    pub population_mean: f64,
}

impl Covariate {
    /// Each of `users`' GMV in the world's logs (purchases × catalogue
    /// price), with the mean over all the world's users.
    pub fn logged_gmv(world: &World, users: &[UserId]) -> Covariate {
        let catalog = &world.observable.catalog;
        let mut gmv = vec![0.0; world.observable.users.len()];
        for event in &world.observable.logs.events {
            if let (Action::Purchase, Some(item), Some(slot)) =
                (event.action, event.item, gmv.get_mut(event.user.index()))
            {
                *slot += catalog.item(item).price as f64;
            }
        }
        let population_mean = if gmv.is_empty() { 0.0 } else { gmv.iter().sum::<f64>() / gmv.len() as f64 };
        Covariate {
            values: users.iter().map(|u| gmv.get(u.index()).copied().unwrap_or(0.0)).collect(),
            population_mean,
        }
    }
}

impl Bootstrap {
    /// The CUPED estimate of the mean of `outcome` (per user, in the
    /// covariate's order): the point with θ fitted on the sample, a
    /// percentile interval and SE from resamples that each re-fit θ, and
    /// the variance reduction against the raw mean over the same resamples.
    ///
    /// Errors: lengths that differ, no user, a value that is not finite, or no resample.
    pub(crate) fn cuped(&self, outcome: &[f64], covariate: &Covariate) -> Result<Cuped> {
        let x = &covariate.values;
        let invalid = |message: &str| HarnessError::Invalid { what: "CUPED".into(), message: message.into() };
        let n = outcome.len();
        if n == 0 || x.len() != n {
            return Err(invalid("the outcome and the covariate must cover the same, non-empty set of users"));
        }
        if outcome.iter().chain(x).any(|v| !v.is_finite()) || self.resamples == 0 {
            return Err(invalid("a value is not finite, or no resample was asked for"));
        }
        let mu = covariate.population_mean;
        let fit = |sums: &Sums| -> (f64, f64) {
            let theta = sums.theta();
            (theta, sums.y / sums.n - theta * (sums.x / sums.n - mu))
        };
        let mut full = Sums::default();
        (0..n).for_each(|u| full.add(x[u], outcome[u]));
        let (theta, value) = fit(&full);
        let draws: Vec<(f64, f64)> = (0..self.resamples.div_ceil(BLOCK))
            .into_par_iter()
            .flat_map_iter(|block| {
                let mut rng = stream(self.seed, Purpose::SimulationBootstrap, 0, block as u64);
                (0..BLOCK.min(self.resamples - block * BLOCK))
                    .map(|_| {
                        let mut sums = Sums::default();
                        for _ in 0..n {
                            let u = rng.random_range(0..n);
                            sums.add(x[u], outcome[u]);
                        }
                        (sums.y / sums.n, fit(&sums).1)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let spread = |values: Vec<f64>| super::stats::variance(&values);
        let raw_variance = spread(draws.iter().map(|d| d.0).collect());
        let mut adjusted: Vec<f64> = draws.iter().map(|d| d.1).collect();
        let adjusted_variance = spread(adjusted.clone());
        adjusted.sort_unstable_by(f64::total_cmp);
        let variance_reduction = if raw_variance > 0.0 { 1.0 - adjusted_variance / raw_variance } else { 0.0 };
        Ok(Cuped { theta, variance_reduction, adjusted: summarise(value, &adjusted, self.confidence) })
    }
}

/// Running sums for a regression of Y on X, centred at the first pair so
/// that sums of squares of raw GMV do not cancel.
#[derive(Default)]
struct Sums {
    origin: Option<(f64, f64)>,
    n: f64,
    x: f64,
    y: f64,
    dx: f64,
    dy: f64,
    xx: f64,
    xy: f64,
}

impl Sums {
    fn add(&mut self, x: f64, y: f64) {
        let (ox, oy) = *self.origin.get_or_insert((x, y));
        let (dx, dy) = (x - ox, y - oy);
        self.n += 1.0;
        self.x += x;
        self.y += y;
        self.dx += dx;
        self.dy += dy;
        self.xx += dx * dx;
        self.xy += dx * dy;
    }

    /// cov(X, Y) / var(X); 0 when X does not vary.
    fn theta(&self) -> f64 {
        let var = self.xx - self.dx * self.dx / self.n;
        let cov = self.xy - self.dx * self.dy / self.n;
        if var > 1e-12 * self.xx.max(1.0) { cov / var } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bootstrap() -> Bootstrap {
        Bootstrap { resamples: 4_000, confidence: 0.95, seed: 3 }
    }

    #[test]
    fn theta_of_a_hand_computed_example() {
        // x̄ = 2.5, ȳ = 5; Σ(x − x̄)(y − ȳ) = 11, Σ(x − x̄)² = 5 → θ = 2.2.
        let mut sums = Sums::default();
        for (x, y) in [(1.0, 2.0), (2.0, 4.0), (3.0, 5.0), (4.0, 9.0)] {
            sums.add(x, y);
        }
        assert!((sums.theta() - 2.2).abs() < 1e-12);
        // With the population mean of X at 2 the sample's x̄ = 2.5 is high:
        // the estimate moves down by θ · 0.5 = 1.1.
        let c = Covariate { values: vec![1.0, 2.0, 3.0, 4.0], population_mean: 2.0 };
        let cuped = bootstrap().cuped(&[2.0, 4.0, 5.0, 9.0], &c).unwrap();
        assert!((cuped.theta - 2.2).abs() < 1e-12);
        assert!((cuped.adjusted.value - 3.9).abs() < 1e-12, "{cuped:?}");
    }

    #[test]
    fn a_correlated_covariate_with_a_known_mean_removes_variance() {
        // Y = 3X + noise: corr² ≈ 0.9, so about 90% of the variance goes.
        let x: Vec<f64> = (0..500).map(|i| ((i * 7919) % 997) as f64 / 10.0).collect();
        let y: Vec<f64> = x.iter().enumerate().map(|(i, x)| 3.0 * x + ((i * 31) % 101) as f64 / 2.0).collect();
        let mu = x.iter().sum::<f64>() / 500.0 + 1.0;
        let cuped = bootstrap().cuped(&y, &Covariate { values: x, population_mean: mu }).unwrap();
        assert!(cuped.variance_reduction > 0.85, "{cuped:?}");
        assert!(cuped.adjusted.lower < cuped.adjusted.value && cuped.adjusted.value < cuped.adjusted.upper);
    }

    #[test]
    fn an_unrelated_covariate_removes_nothing() {
        let x: Vec<f64> = (0..400).map(|i| (i % 2) as f64).collect();
        let y: Vec<f64> = (0..400).map(|i| ((i / 2) % 7) as f64).collect();
        let cuped = bootstrap().cuped(&y, &Covariate { values: x, population_mean: 0.5 }).unwrap();
        assert!(cuped.variance_reduction.abs() < 0.05, "{cuped:?}");
        let constant = Covariate { values: vec![3.0; 400], population_mean: 3.0 };
        let cuped = bootstrap().cuped(&y, &constant).unwrap();
        assert_eq!((cuped.theta, cuped.variance_reduction), (0.0, 0.0));
        assert!(bootstrap().cuped(&y[..3], &constant).is_err());
    }
}
