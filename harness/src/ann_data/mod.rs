//! Real ANN benchmark files for `searchrec ann-bench`: ann-benchmarks' HDF5
//! (`train`, `test`, `neighbors`, `distances`, attribute `distance`; feature
//! `hdf5`) and TEXMEX fvecs/bvecs/ivecs (SIFT, GIST), read into one
//! [`AnnDataset`], then put into the backends' search space by
//! [`AnnDataset::search_space`].
//!
//! The backends rank by inner product over unit-length rows (see
//! `searchrec_vectors::space`), so:
//!
//! - **angular**: base and queries are normalised; the inner product of unit
//!   vectors is the cosine, and `1 − cos` is ann-benchmarks' angular distance.
//! - **euclidean**: the standard reduction of nearest-neighbour search to
//!   maximum inner product, then of that to search on the unit sphere. With
//!   μ the base mean (L2 is translation invariant; centring keeps the f32
//!   sums small) and R the largest |x − μ|, `y = [x − μ, −|x − μ|²/(2R)]`
//!   and `q̃ = [q − μ, R]` give `⟨q̃, y⟩ = (|q − μ|² − |q − x|²)/2`, largest
//!   for the nearest x. Each `y` is divided by the largest |y|, M, and given
//!   a last coordinate `√(1 − |y/M|²)` (unit length, dimension d + 2); the
//!   query is `[q̃/|q̃|, 0]` (Bachrach et al., 2014). The order by score is
//!   then the order by L2 distance for each query, exactly (up to f32
//!   rounding), so the exact backend's recall is 1.
//!
//!   The graphs, though, are built on base-to-base inner products in this
//!   space, which are not L2 distances: the two added coordinates move
//!   points of different norms apart. Dividing the quadratic coordinate by
//!   R (with `1/2R`, not the textbook `1/2`, and R in the query to
//!   compensate; the product is unchanged) keeps it on the data's scale, so
//!   that near points stay near; with the textbook `[x, −|x|²/2]` it
//!   dominates and graph recall on a clustered 16-d fixture fell from 1.0
//!   (angular) to 0.71 at ef 64. Graph recall on euclidean sets still
//!   measures the backends *through the reduction*, not a native L2 graph.
//!
//!   The L2 distances that ann-benchmarks' recall needs are recomputed from
//!   the rows (x = row·M + μ), not read off the scores, whose scale differs
//!   per query.

pub mod vecs;

#[cfg(feature = "hdf5")]
pub mod hdf5;

use std::path::Path;

use searchrec_vectors::VectorTable;
use serde::{Deserialize, Serialize};

use crate::{HarnessError, Result};

/// The distance the file's ground truth was computed with.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// `1 − cos`: vectors are normalised and ranked by inner product.
    Angular,
    /// L2, reduced to inner product on the unit sphere (see the module doc).
    #[default]
    Euclidean,
}

impl Metric {
    /// The name ann-benchmarks gives it.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Angular => "angular",
            Metric::Euclidean => "euclidean",
        }
    }
}

/// How much of a file to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Read at most this many base vectors. Cutting the base invalidates
    /// the file's ground truth, which is then not read.
    pub base: Option<usize>,
    /// Read at most this many queries (and their ground-truth rows).
    pub queries: Option<usize>,
    /// Most values (vectors × dimension) of one vector set.
    pub max_values: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { base: None, queries: None, max_values: 1 << 31 }
    }
}

/// A benchmark file set read into memory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnnDataset {
    /// Dimension of base and queries.
    pub dim: usize,
    /// Base vectors, row-major.
    pub train: Vec<f32>,
    /// Query vectors, row-major.
    pub test: Vec<f32>,
    /// The file's true neighbours of each query, nearest first; `None` when
    /// [`Limits::base`] cut the base (the truth must then be recomputed).
    pub neighbors: Option<Vec<Vec<u32>>>,
    /// The file's true distances, parallel to `neighbors`, when it has them
    /// (ann-benchmarks HDF5; TEXMEX has none).
    pub distances: Option<Vec<Vec<f32>>>,
    /// The metric of the ground truth.
    pub metric: Metric,
    /// Where the ground truth came from, for error messages.
    pub truth_source: String,
}

impl AnnDataset {
    /// Base vectors.
    pub fn train_len(&self) -> usize {
        self.train.len() / self.dim.max(1)
    }

    /// Query vectors.
    pub fn test_len(&self) -> usize {
        self.test.len() / self.dim.max(1)
    }

    /// Refuses ground truth too short for `k` neighbours, naming the row.
    pub fn check_k(&self, k: usize) -> Result<()> {
        let short = |lens: &mut dyn Iterator<Item = usize>| lens.enumerate().find(|&(_, n)| n < k);
        let found = short(&mut self.neighbors.iter().flatten().map(Vec::len))
            .or_else(|| short(&mut self.distances.iter().flatten().map(Vec::len)));
        if let Some((row, n)) = found {
            return Err(HarnessError::Invalid {
                what: format!("{}: row {row}", self.truth_source),
                message: format!("{n} true neighbours, fewer than k = {k}"),
            });
        }
        Ok(())
    }

    /// Moves the vectors into the backends' search space (see the module
    /// doc); `train` and `test` are left empty.
    pub fn search_space(&mut self) -> Result<SearchSpace> {
        let dim = self.dim;
        let train = std::mem::take(&mut self.train);
        let test = std::mem::take(&mut self.test);
        let table = |d: usize, data: Vec<f32>| {
            VectorTable::new(d, data)
                .map_err(|e| HarnessError::Invalid { what: "ann data".into(), message: e.to_string() })
        };
        match self.metric {
            Metric::Angular => {
                let unit = |mut data: Vec<f32>, what: &str| {
                    for (i, row) in data.chunks_exact_mut(dim).enumerate() {
                        let n = row.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt();
                        if !(n > 0.0 && n.is_finite()) {
                            return Err(HarnessError::Invalid {
                                what: format!("{what} vector {i}"),
                                message: "is the zero vector: it has no angle to any other".into(),
                            });
                        }
                        row.iter_mut().for_each(|v| *v = (f64::from(*v) / n) as f32);
                    }
                    Ok(data)
                };
                let base = table(dim, unit(train, "base")?)?;
                let queries = table(dim, unit(test, "query")?)?;
                let distances =
                    Distances { metric: Metric::Angular, dim, scale: 1.0, mean: Vec::new(), raw: Vec::new() };
                Ok(SearchSpace { base, queries, distances })
            }
            Metric::Euclidean => {
                let n = train.len() / dim.max(1);
                let mut mean = vec![0f64; dim];
                for row in train.chunks_exact(dim) {
                    mean.iter_mut().zip(row).for_each(|(m, &v)| *m += f64::from(v));
                }
                mean.iter_mut().for_each(|m| *m /= n.max(1) as f64);
                let centred_sq =
                    |row: &[f32]| row.iter().zip(&mean).map(|(&v, m)| (f64::from(v) - m).powi(2)).sum::<f64>();
                // R, the largest |x − μ|, scales the quadratic coordinate to
                // the data's own spread (see the module doc).
                let radius = train.chunks_exact(dim).map(centred_sq).fold(0.0f64, f64::max).sqrt();
                let y_sq = |s: f64| s + s * s / (4.0 * radius * radius);
                let max = train.chunks_exact(dim).map(|row| y_sq(centred_sq(row))).fold(0.0f64, f64::max).sqrt();
                if !(radius > 0.0 && max.is_finite()) {
                    return Err(HarnessError::Invalid {
                        what: "base vectors".into(),
                        message: "all equal (or too large to square): no nearest neighbour to find".into(),
                    });
                }
                let mut base = Vec::with_capacity(n * (dim + 2));
                for row in train.chunks_exact(dim) {
                    let s = centred_sq(row);
                    base.extend(row.iter().zip(&mean).map(|(&v, m)| ((f64::from(v) - m) / max) as f32));
                    base.push((-s / (2.0 * radius) / max) as f32);
                    base.push((1.0 - y_sq(s) / (max * max)).max(0.0).sqrt() as f32);
                }
                drop(train);
                let mut queries = Vec::with_capacity(test.len() / dim.max(1) * (dim + 2));
                for row in test.chunks_exact(dim) {
                    let len = (centred_sq(row) + radius * radius).sqrt();
                    queries.extend(row.iter().zip(&mean).map(|(&v, m)| ((f64::from(v) - m) / len) as f32));
                    queries.push((radius / len) as f32);
                    queries.push(0.0);
                }
                Ok(SearchSpace {
                    base: table(dim + 2, base)?,
                    queries: table(dim + 2, queries)?,
                    distances: Distances { metric: Metric::Euclidean, dim, scale: max, mean, raw: test },
                })
            }
        }
    }
}

/// Base and queries in the backends' space, and how to measure the file
/// metric's distance between them.
pub struct SearchSpace {
    /// Unit-length base rows.
    pub base: VectorTable,
    /// Unit-length queries.
    pub queries: VectorTable,
    /// The file metric's distances between rows of `queries` and `base`.
    pub distances: Distances,
}

/// The file metric's distance between a query and a base row of a
/// [`SearchSpace`].
#[derive(Clone, Debug)]
pub struct Distances {
    /// The metric.
    pub metric: Metric,
    dim: usize,
    scale: f64,
    mean: Vec<f64>,
    raw: Vec<f32>,
}

impl Distances {
    /// The distance between query `q` of `queries` and row `item` of `base`
    /// (both the [`SearchSpace`]'s tables), in f64: `1 − cos` (angular) or
    /// L2 (euclidean, the item recovered as row·M + μ, the query kept as read).
    pub fn distance(&self, base: &VectorTable, queries: &VectorTable, q: usize, item: usize) -> f64 {
        let x = base.row(item);
        match self.metric {
            Metric::Angular => {
                1.0 - queries.row(q).iter().zip(x).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum::<f64>()
            }
            Metric::Euclidean => {
                let query = &self.raw[q * self.dim..(q + 1) * self.dim];
                query
                    .iter()
                    .zip(x)
                    .zip(&self.mean)
                    .map(|((&a, &b), m)| (f64::from(a) - (f64::from(b) * self.scale + m)).powi(2))
                    .sum::<f64>()
                    .sqrt()
            }
        }
    }
}

/// Reads a TEXMEX set: `base` and `query` (`.fvecs` or `.bvecs`), the
/// ground truth `groundtruth` (`.ivecs`, nearest first). TEXMEX files carry
/// no metric; SIFT and GIST are `euclidean`.
pub fn load_vecs(base: &Path, query: &Path, groundtruth: &Path, metric: Metric, limits: &Limits) -> Result<AnnDataset> {
    let element = |path: &Path, allowed: &[vecs::Element]| match vecs::Element::of_path(path) {
        Some(e) if allowed.contains(&e) => Ok(e),
        _ => Err(HarnessError::Invalid {
            what: path.display().to_string(),
            message: format!(
                "expected a {} file",
                if allowed.contains(&vecs::Element::I32) { ".ivecs" } else { ".fvecs or .bvecs" }
            ),
        }),
    };
    let vectors = [vecs::Element::F32, vecs::Element::U8];
    let train = vecs::read(base, element(base, &vectors)?, limits.base, limits.max_values)?;
    let test = vecs::read(query, element(query, &vectors)?, limits.queries, limits.max_values)?;
    if test.dim != train.dim {
        return Err(HarnessError::Invalid {
            what: query.display().to_string(),
            message: format!("dimension {}, but the base {} has {}", test.dim, base.display(), train.dim),
        });
    }
    let neighbors = if train.cut {
        None
    } else {
        let truth =
            vecs::read(groundtruth, element(groundtruth, &[vecs::Element::I32])?, limits.queries, limits.max_values)?;
        Some(truth_rows(&groundtruth.display().to_string(), "record", truth.dim, &truth.ints, test.len, train.len)?)
    };
    Ok(AnnDataset {
        dim: train.dim,
        train: train.floats,
        test: test.floats,
        neighbors,
        distances: None,
        metric,
        truth_source: groundtruth.display().to_string(),
    })
}

/// Splits ground-truth ids into rows, checking there is a row per query and
/// every id is a base vector; errors name the file (`what`), the row (called
/// `unit`: a TEXMEX "record", an HDF5 "row") and the column.
pub(crate) fn truth_rows(
    what: &str,
    unit: &str,
    k: usize,
    ids: &[i32],
    queries: usize,
    base: usize,
) -> Result<Vec<Vec<u32>>> {
    let rows = ids.len() / k.max(1);
    if rows < queries {
        return Err(HarnessError::Invalid {
            what: what.to_string(),
            message: format!("{rows} ground-truth rows for {queries} queries"),
        });
    }
    ids.chunks_exact(k.max(1))
        .take(queries)
        .enumerate()
        .map(|(row, ids)| {
            ids.iter()
                .enumerate()
                .map(|(column, &id)| {
                    u32::try_from(id).ok().filter(|&id| (id as usize) < base).ok_or_else(|| HarnessError::Invalid {
                        what: format!("{what}: {unit} {row}, column {column}"),
                        message: format!("neighbour id {id} is not a base vector (0..{base})"),
                    })
                })
                .collect()
        })
        .collect()
}
