//! Paired significance between two systems on the same queries, as ranx and
//! trec tooling report it: a paired Student t-test and a paired randomisation
//! (sign-flip permutation, "Fisher") test. Inputs are per-query values of one
//! metric, `a[i]` and `b[i]` from the same query; both tests are two-sided.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::{HarnessError, Result};

/// The default number of random sign flips of [`paired_randomisation_test`].
pub const DEFAULT_PERMUTATIONS: usize = 10_000;

/// Result of a paired t-test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TTest {
    /// Number of pairs.
    pub n: usize,
    /// Mean of `a − b`.
    pub mean_difference: f64,
    /// The t statistic (±∞ when every difference is the same non-zero value).
    pub t: f64,
    /// Degrees of freedom, n − 1.
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// Result of a paired randomisation test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RandomisationTest {
    /// Number of pairs.
    pub n: usize,
    /// Mean of `a − b`.
    pub mean_difference: f64,
    /// Random sign flips drawn.
    pub permutations: usize,
    /// Two-sided p-value, (flips at least as extreme + 1) / (permutations + 1).
    pub p_value: f64,
}

/// Paired two-sided t-test of `a` against `b`.
///
/// When every difference is 0 the systems are identical: t = 0 and p = 1
/// (scipy would give NaN). When every difference is the same non-zero value,
/// t = ±∞ and p = 0.
///
/// Errors: different lengths, fewer than two pairs, or a non-finite value.
pub fn paired_t_test(a: &[f64], b: &[f64]) -> Result<TTest> {
    let d = differences(a, b)?;
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let variance = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    let df = n - 1.0;
    let t = if variance > 0.0 {
        mean / (variance / n).sqrt()
    } else if mean == 0.0 {
        0.0
    } else {
        f64::INFINITY.copysign(mean)
    };
    Ok(TTest { n: d.len(), mean_difference: mean, t, df, p_value: student_t_two_sided_p(t, df) })
}

/// Paired two-sided randomisation test: each of `permutations` draws flips
/// the sign of every difference with probability ½ and counts draws whose
/// |sum| reaches the observed one. Deterministic for a `seed`, whatever the
/// thread count: draws come in fixed blocks, each from its own ChaCha stream.
///
/// Errors: different lengths, fewer than two pairs, a non-finite value, or
/// `permutations` of 0.
pub fn paired_randomisation_test(a: &[f64], b: &[f64], permutations: usize, seed: u64) -> Result<RandomisationTest> {
    let d = differences(a, b)?;
    if permutations == 0 {
        return Err(HarnessError::Invalid {
            what: "randomisation test".into(),
            message: "0 permutations; use at least 1 (default 10 000)".into(),
        });
    }
    let observed = d.iter().sum::<f64>();
    // A flip that reproduces the observed signs can sum in another order:
    // allow rounding so that it still counts as "at least as extreme".
    let slack = 1e-9 * d.iter().map(|x| x.abs()).sum::<f64>();
    let threshold = observed.abs() - slack;
    const BLOCK: usize = 256;
    let blocks = permutations.div_ceil(BLOCK);
    let extreme: usize = (0..blocks)
        .into_par_iter()
        .map(|block| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(block as u64);
            let draws = BLOCK.min(permutations - block * BLOCK);
            (0..draws).filter(|_| flipped_sum(&d, &mut rng).abs() >= threshold).count()
        })
        .sum();
    Ok(RandomisationTest {
        n: d.len(),
        mean_difference: observed / d.len() as f64,
        permutations,
        p_value: (extreme + 1) as f64 / (permutations + 1) as f64,
    })
}

/// Two-sided p-value of Student's t distribution with `df` degrees of
/// freedom: P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, ½), the regularized
/// incomplete beta function. NaN for a NaN `t` or a `df` that is not positive.
pub fn student_t_two_sided_p(t: f64, df: f64) -> f64 {
    if t.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if t.is_infinite() {
        return 0.0;
    }
    regularized_incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
}

/// The differences `a − b`, checked.
fn differences(a: &[f64], b: &[f64]) -> Result<Vec<f64>> {
    let bad = |message: String| Err(HarnessError::Invalid { what: "paired test".into(), message });
    if a.len() != b.len() {
        return bad(format!("{} values against {}; pair the same queries", a.len(), b.len()));
    }
    if a.len() < 2 {
        return bad(format!("{} pairs; a paired test needs at least 2", a.len()));
    }
    if let Some(i) = a.iter().zip(b).position(|(x, y)| !x.is_finite() || !y.is_finite()) {
        return bad(format!("pair {i} is not finite ({}, {})", a[i], b[i]));
    }
    Ok(a.iter().zip(b).map(|(x, y)| x - y).collect())
}

/// One random sign flip of `d`, summed; one 64-bit draw serves 64 signs.
fn flipped_sum(d: &[f64], rng: &mut ChaCha8Rng) -> f64 {
    let mut sum = 0.0;
    for chunk in d.chunks(64) {
        let bits = rng.next_u64();
        for (j, x) in chunk.iter().enumerate() {
            sum += if bits >> j & 1 == 1 { -x } else { *x };
        }
    }
    sum
}

/// I_x(a, b) by the continued fraction (Numerical Recipes `betai`), using
/// the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where it converges faster.
fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of I_x(a, b), modified Lentz's method.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    // Lentz keeps every partial denominator away from zero.
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    // One term of the fraction: returns the factor it multiplies h by.
    let term = |aa: f64, c: &mut f64, d: &mut f64| {
        *d = 1.0 / guard(1.0 + aa * *d);
        *c = guard(1.0 + aa / *c);
        *d * *c
    };
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        h *= term(m * (b - m) * x / ((qam + m2) * (a + m2)), &mut c, &mut d);
        let step = term(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), &mut c, &mut d);
        h *= step;
        if (step - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0, Lanczos approximation (g = 7, 9 terms; ~1e-15
/// relative), since `f64::ln_gamma` is not stable.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    #[test]
    fn t_distribution_matches_known_values() {
        // Reference values: scipy.stats 2 * t.sf(t, df).
        for (t, df, p) in [
            (2.0, 10.0, 0.073_388_034_770_740_37),
            (1.0, 1.0, 0.5),
            (3.5, 30.0, 0.001_476_807_437_644_253_2),
            (0.5, 4.0, 0.643_329_963_181_863_3),
            (-2.0, 10.0, 0.073_388_034_770_740_37),
            (10.0, 100.0, 9.901_688_984_594_13e-17),
        ] {
            let got = student_t_two_sided_p(t, df);
            assert!(close(got, p, 1e-9), "t={t} df={df}: {got} vs {p}");
        }
        assert_eq!(student_t_two_sided_p(0.0, 5.0), 1.0);
        assert_eq!(student_t_two_sided_p(f64::INFINITY, 5.0), 0.0);
        assert!(student_t_two_sided_p(1.0, 0.0).is_nan());
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        for (x, f) in [(1.0, 1.0f64), (2.0, 1.0), (5.0, 24.0), (11.0, 3_628_800.0)] {
            assert!((ln_gamma(x) - f.ln()).abs() < 1e-12, "{x}");
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
    }

    /// Student's (1908) sleep data, the classic paired example: the extra
    /// hours of sleep of ten patients under two drugs.
    const SLEEP_A: [f64; 10] = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const SLEEP_B: [f64; 10] = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    #[test]
    fn t_test_matches_the_textbook_sleep_example() {
        // scipy.stats.ttest_rel: t = −4.062127683382037, p = 0.002832890197384273.
        let r = paired_t_test(&SLEEP_A, &SLEEP_B).unwrap();
        assert_eq!((r.n, r.df), (10, 9.0));
        assert!(close(r.mean_difference, -1.58, 1e-12));
        assert!(close(r.t, -4.062_127_683_382_037, 1e-12), "{}", r.t);
        assert!(close(r.p_value, 0.002_832_890_197_384_273, 1e-9), "{}", r.p_value);
    }

    #[test]
    fn randomisation_matches_the_exact_sleep_permutation_p() {
        // Enumerating all 2^10 sign flips gives 4 / 1024 = 0.0039.
        let r = paired_randomisation_test(&SLEEP_A, &SLEEP_B, DEFAULT_PERMUTATIONS, 42).unwrap();
        assert_eq!(r.permutations, DEFAULT_PERMUTATIONS);
        assert!((r.p_value - 4.0 / 1024.0).abs() < 0.002, "{}", r.p_value);
    }

    #[test]
    fn identical_systems_give_p_one() {
        let a = [0.1, 0.5, 0.9, 0.3, 0.0];
        let t = paired_t_test(&a, &a).unwrap();
        assert_eq!((t.t, t.p_value), (0.0, 1.0));
        let r = paired_randomisation_test(&a, &a, 1000, 1).unwrap();
        assert_eq!(r.p_value, 1.0);
    }

    #[test]
    fn a_clearly_better_system_is_significant() {
        // 50 queries, b better by 0.2 ± small noise.
        let a: Vec<f64> = (0..50).map(|i| 0.3 + 0.01 * f64::from(i % 7)).collect();
        let b: Vec<f64> = a.iter().enumerate().map(|(i, x)| x + 0.2 + 0.02 * f64::from(i as u8 % 3)).collect();
        assert!(paired_t_test(&b, &a).unwrap().p_value < 0.01);
        let r = paired_randomisation_test(&b, &a, 2000, 3).unwrap();
        assert!(r.p_value < 0.01, "{}", r.p_value);
        // Every difference exactly equal (dyadic values): the t statistic is infinite.
        let d: Vec<f64> = (0..20).map(|i| f64::from(i) / 8.0).collect();
        let c: Vec<f64> = d.iter().map(|x| x + 0.25).collect();
        let t = paired_t_test(&c, &d).unwrap();
        assert_eq!((t.t, t.p_value), (f64::INFINITY, 0.0));
    }

    #[test]
    fn randomisation_is_deterministic_for_a_seed() {
        let a: Vec<f64> = (0..300).map(|i| f64::from(i % 11) / 10.0).collect();
        let b: Vec<f64> = (0..300).map(|i| f64::from(i % 13) / 12.0).collect();
        let first = paired_randomisation_test(&a, &b, 5000, 7).unwrap();
        assert_eq!(first, paired_randomisation_test(&a, &b, 5000, 7).unwrap());
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        assert_eq!(first, pool.install(|| paired_randomisation_test(&a, &b, 5000, 7)).unwrap());
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(paired_t_test(&[1.0, 2.0], &[1.0]).is_err());
        assert!(paired_t_test(&[1.0], &[1.0]).is_err());
        assert!(paired_t_test(&[1.0, f64::NAN], &[1.0, 2.0]).is_err());
        assert!(paired_randomisation_test(&[1.0, 2.0], &[0.0, 1.0], 0, 1).is_err());
    }
}
