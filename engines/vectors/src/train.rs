//! Implicit-feedback ALS (Hu, Koren & Volinsky, 2008) over the interaction
//! matrix.
//!
//! Minimises `Σ_{u,i} c_ui (p_ui − x_uᵀ y_i)² + λ (Σ|x_u|² + Σ|y_i|²)` where
//! `p_ui = 1` for pairs with a logged interaction (confidence
//! `c_ui = 1 + α r_ui`) and 0 with confidence 1 for all other pairs. Each
//! sweep solves every user row with the items fixed, then every item row with
//! the users fixed, using the `YᵀY + Yᵀ(C_u − I)Y` trick so a row costs
//! O(nnz·d + d²) per conjugate-gradient step rather than O(items·d).
//!
//! Deterministic: a row's solve reads only shared inputs and its own previous
//! value, the initial factors come from per-row random streams, and every
//! reduction over rows has a fixed order — the same seed gives the same bits
//! on any thread count.

use rand::RngExt;
use rayon::prelude::*;

use crate::interactions::{Csr, Interactions};
use crate::linalg::{cholesky_solve, gram, matvec};
use crate::seeds::{Purpose, row_rng};
use crate::table::{VectorTable, dot};
use crate::{EmbeddingConfig, Solver, VectorError};

/// Scale of the initial factors: small, so the first sweep is driven by the
/// data, and divided by √dim so the initial dot products do not grow with dim.
const INIT_SCALE: f32 = 0.1;

/// A residual this small means the row is solved; more CG steps would divide by ~0.
const CG_TOLERANCE: f32 = 1e-20;

/// Learned factors: row `u` of `users` and row `i` of `items` predict the
/// preference of user `u` for item `i` as their inner product.
#[derive(Clone, Debug, PartialEq)]
pub struct Embeddings {
    /// Item factors, one row per item id.
    pub items: VectorTable,
    /// User factors, one row per user id. Users without interactions have a zero row.
    pub users: VectorTable,
}

/// The outcome of [`train`].
#[derive(Clone, Debug, PartialEq)]
pub struct Training {
    /// The factors after the last sweep.
    pub embeddings: Embeddings,
    /// The training loss after each sweep; non-increasing up to rounding.
    pub loss_history: Vec<f64>,
}

/// Trains user and item factors from the interaction matrix.
///
/// Fails on an invalid config, on a matrix without interactions, and when
/// training produced NaN or infinite values (an extreme `alpha`).
pub fn train(interactions: &Interactions, config: &EmbeddingConfig) -> Result<Training, VectorError> {
    config.validate()?;
    if interactions.by_user().nnz() == 0 {
        return Err(VectorError::InvalidData(
            "the logs hold no clicks, add-to-carts or purchases to learn embeddings from (search-only data such as \
             ESCI, BEIR or TREC has no logs at all): engines that learn from logs cannot be built on this world; \
             use a search engine that needs none (`shelf`)"
                .to_string(),
        ));
    }
    let mut users = init_factors(interactions.users(), config, Purpose::UserInit)?;
    let mut items = init_factors(interactions.items(), config, Purpose::ItemInit)?;
    let mut loss_history = Vec::with_capacity(config.iterations);
    for _ in 0..config.iterations {
        solve_side(&mut users, &items, interactions.by_user(), config)?;
        solve_side(&mut items, &users, interactions.by_item(), config)?;
        loss_history.push(loss(interactions, &users, &items, config));
    }
    if let Some(last) = loss_history.last().filter(|l| !l.is_finite()) {
        return Err(VectorError::InvalidData(format!(
            "training diverged (loss {last}); lower embedding.alpha or the action weights, or raise \
             embedding.regularization"
        )));
    }
    for (name, table) in [("item", &items), ("user", &users)] {
        if let Some(row) = table.first_non_finite_row() {
            return Err(VectorError::InvalidData(format!(
                "training produced a non-finite {name} vector (row {row}); lower embedding.alpha or the action \
                 weights, or raise embedding.regularization"
            )));
        }
    }
    Ok(Training { embeddings: Embeddings { items, users }, loss_history })
}

/// The training objective for the given factors (see the module docs).
pub fn loss(interactions: &Interactions, users: &VectorTable, items: &VectorTable, config: &EmbeddingConfig) -> f64 {
    let d = users.dim();
    let gram_items = gram(items);
    let alpha = config.alpha as f64;
    let by_user = interactions.by_user();
    let per_user: Vec<f64> = (0..users.len())
        .into_par_iter()
        .map_init(
            || vec![0.0f32; d],
            |gx, u| {
                let x = users.row(u);
                // Σ over all items of (xᵀy)², then correct the observed pairs.
                matvec(&gram_items, x, gx);
                let mut l = dot(x, gx) as f64;
                for (i, r) in by_user.row(u) {
                    let s = dot(x, items.row(i as usize)) as f64;
                    let c = 1.0 + alpha * r as f64;
                    l += c * (1.0 - s) * (1.0 - s) - s * s;
                }
                l
            },
        )
        .collect();
    let squares = |t: &VectorTable| t.as_slice().iter().map(|&v| v as f64 * v as f64).sum::<f64>();
    per_user.iter().sum::<f64>() + config.regularization as f64 * (squares(users) + squares(items))
}

fn init_factors(rows: usize, config: &EmbeddingConfig, purpose: Purpose) -> Result<VectorTable, VectorError> {
    let d = config.dim;
    let scale = INIT_SCALE / (d as f32).sqrt();
    let mut table = VectorTable::zeros(rows, d)?;
    table.as_mut_slice().par_chunks_mut(d).enumerate().for_each(|(row, x)| {
        let mut rng = row_rng(config.seed, purpose, row);
        for v in x {
            *v = rng.random_range(-scale..scale);
        }
    });
    Ok(table)
}

/// Per-thread work space of the row solvers.
struct Scratch {
    r: Vec<f32>,
    p: Vec<f32>,
    ap: Vec<f32>,
    a64: Vec<f64>,
    b64: Vec<f64>,
}

impl Scratch {
    fn new(d: usize) -> Self {
        Scratch { r: vec![0.0; d], p: vec![0.0; d], ap: vec![0.0; d], a64: vec![0.0; d * d], b64: vec![0.0; d] }
    }
}

/// Re-solves every row of `target` with `other` fixed. `rows` holds, for each
/// row of `target`, its interactions as (row of `other`, strength).
fn solve_side(
    target: &mut VectorTable,
    other: &VectorTable,
    rows: &Csr,
    config: &EmbeddingConfig,
) -> Result<(), VectorError> {
    let d = target.dim();
    let g = gram(other);
    let failures = target
        .as_mut_slice()
        .par_chunks_mut(d)
        .enumerate()
        .map_init(
            || Scratch::new(d),
            |scratch, (r, x)| {
                if rows.row(r).len() == 0 {
                    // The exact optimum without data; CG would only approach it.
                    x.fill(0.0);
                    return true;
                }
                match config.solver {
                    Solver::Cg => cg_row(x, &g, other, rows, r, config, scratch),
                    Solver::Cholesky => cholesky_row(x, &g, other, rows, r, config, scratch),
                }
            },
        )
        .filter(|solved| !solved)
        .count();
    if failures > 0 {
        return Err(VectorError::InvalidData(format!(
            "{failures} ALS rows had no positive definite system (values overflowed); lower embedding.alpha or \
             raise embedding.regularization"
        )));
    }
    Ok(())
}

/// Warm-started conjugate gradient on
/// `(G + λI + Σ (c−1) y yᵀ) x = Σ c y` for one row. False when the system
/// overflowed: with λ > 0 it is positive definite, so a non-finite or
/// non-positive curvature can only come from values beyond f32.
fn cg_row(
    x: &mut [f32],
    g: &[f32],
    other: &VectorTable,
    rows: &Csr,
    r: usize,
    cfg: &EmbeddingConfig,
    s: &mut Scratch,
) -> bool {
    let lambda = cfg.regularization;
    let alpha = cfg.alpha;
    // residual = b − A x
    matvec(g, x, &mut s.r);
    for (ri, xi) in s.r.iter_mut().zip(x.iter()) {
        *ri = -*ri - lambda * xi;
    }
    for (j, strength) in rows.row(r) {
        let y = other.row(j as usize);
        let c = 1.0 + alpha * strength;
        axpy(c - (c - 1.0) * dot(y, x), y, &mut s.r);
    }
    s.p.copy_from_slice(&s.r);
    let mut rs_old = dot(&s.r, &s.r);
    if !rs_old.is_finite() {
        return false;
    }
    for _ in 0..cfg.cg_steps {
        if rs_old < CG_TOLERANCE {
            break;
        }
        matvec(g, &s.p, &mut s.ap);
        axpy(lambda, &s.p, &mut s.ap);
        for (j, strength) in rows.row(r) {
            let y = other.row(j as usize);
            axpy(alpha * strength * dot(y, &s.p), y, &mut s.ap);
        }
        let p_ap = dot(&s.p, &s.ap);
        if !(p_ap > 0.0 && p_ap.is_finite()) {
            return false;
        }
        let step = rs_old / p_ap;
        axpy(step, &s.p, x);
        axpy(-step, &s.ap, &mut s.r);
        let rs_new = dot(&s.r, &s.r);
        let beta = rs_new / rs_old;
        for (pi, ri) in s.p.iter_mut().zip(&s.r) {
            *pi = ri + beta * *pi;
        }
        rs_old = rs_new;
    }
    true
}

/// Exact solve of the same system in f64; false when it is not positive definite.
fn cholesky_row(
    x: &mut [f32],
    g: &[f32],
    other: &VectorTable,
    rows: &Csr,
    r: usize,
    cfg: &EmbeddingConfig,
    s: &mut Scratch,
) -> bool {
    let d = x.len();
    for (a, &gv) in s.a64.iter_mut().zip(g) {
        *a = gv as f64;
    }
    for k in 0..d {
        s.a64[k * d + k] += cfg.regularization as f64;
    }
    s.b64.fill(0.0);
    for (j, strength) in rows.row(r) {
        let y = other.row(j as usize);
        let extra = (cfg.alpha * strength) as f64;
        for ((b, a_row), &ya) in s.b64.iter_mut().zip(s.a64.chunks_exact_mut(d)).zip(y) {
            let ya = ya as f64;
            *b += (1.0 + extra) * ya;
            for (a, &yb) in a_row.iter_mut().zip(y) {
                *a += extra * ya * yb as f64;
            }
        }
    }
    if !cholesky_solve(&mut s.a64, &mut s.b64) {
        return false;
    }
    for (xi, bi) in x.iter_mut().zip(&s.b64) {
        *xi = *bi as f32;
    }
    true
}

/// `y += a · x`.
fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{FixtureSpec, clustered};

    fn small() -> (Interactions, EmbeddingConfig) {
        let world = clustered(&FixtureSpec { items: 120, users: 80, ..FixtureSpec::default() });
        let cfg = EmbeddingConfig { dim: 8, iterations: 6, ..EmbeddingConfig::default() };
        let m = Interactions::from_logs(&world.logs, world.users.len(), world.catalog.len(), &cfg).unwrap();
        (m, cfg)
    }

    fn assert_non_increasing(history: &[f64]) {
        for w in history.windows(2) {
            assert!(w[1] <= w[0] * (1.0 + 1e-5), "loss rose: {history:?}");
        }
    }

    #[test]
    fn cg_loss_decreases() {
        let (m, cfg) = small();
        let t = train(&m, &cfg).unwrap();
        assert_eq!(t.loss_history.len(), cfg.iterations);
        assert_non_increasing(&t.loss_history);
        assert!(t.loss_history[cfg.iterations - 1] < t.loss_history[0] * 0.999, "{:?}", t.loss_history);
    }

    #[test]
    fn cholesky_loss_decreases_and_cg_approaches_it() {
        let (m, cfg) = small();
        let exact = train(&m, &EmbeddingConfig { solver: Solver::Cholesky, ..cfg.clone() }).unwrap();
        assert_non_increasing(&exact.loss_history);
        let cg = train(&m, &EmbeddingConfig { cg_steps: 8, ..cfg }).unwrap();
        let (a, b) = (exact.loss_history.last().unwrap(), cg.loss_history.last().unwrap());
        assert!((a - b).abs() <= 0.02 * a, "cholesky {a} vs cg {b}");
    }

    #[test]
    fn users_without_interactions_get_zero_rows() {
        let (m, cfg) = small();
        let t = train(&m, &cfg).unwrap();
        let cold = (0..m.users()).find(|&u| m.by_user().row(u).len() == 0).expect("fixture has cold users");
        assert!(t.embeddings.users.row(cold).iter().all(|&v| v == 0.0));
        let warm = (0..m.users()).find(|&u| m.by_user().row(u).len() > 0).unwrap();
        assert!(t.embeddings.users.row(warm).iter().any(|&v| v != 0.0));
    }

    #[test]
    fn same_seed_same_bits_on_one_and_two_threads() {
        let (m, cfg) = small();
        let on = |threads| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| train(&m, &cfg).unwrap())
        };
        let (one, two) = (on(1), on(2));
        let bits = |t: &Training| t.embeddings.items.as_slice().iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&one), bits(&two));
        assert_eq!(one, two);
        let other_seed = train(&m, &EmbeddingConfig { seed: 7, ..cfg.clone() }).unwrap();
        assert_ne!(one.embeddings.items, other_seed.embeddings.items);
    }

    #[test]
    fn no_interactions_is_invalid_data() {
        let (_, cfg) = small();
        let empty = Interactions::from_logs(&Default::default(), 3, 3, &cfg).unwrap();
        assert!(matches!(train(&empty, &cfg), Err(VectorError::InvalidData(_))));
    }

    #[test]
    fn overflowing_confidence_is_reported_not_returned() {
        let (m, cfg) = small();
        for solver in [Solver::Cg, Solver::Cholesky] {
            let result = train(&m, &EmbeddingConfig { alpha: 3e38, solver, ..cfg.clone() });
            assert!(matches!(result, Err(VectorError::InvalidData(_))), "{solver:?}");
        }
    }
}
