//! ann-benchmarks' HDF5 layout (`ann_benchmarks/datasets.py`): 2-d datasets
//! `train` (base), `test` (queries), `neighbors` (true ids, nearest first)
//! and `distances` (their distances), and a string attribute `distance`,
//! `angular` or `euclidean` here (ann-benchmarks also has `jaccard` and
//! `hamming` sets, which the inner-product backends cannot measure).
//!
//! Datasets are read in blocks of rows, so beyond the vectors kept memory is
//! one block; the system's libhdf5 converts any stored float or integer type
//! to the `f32` and `i32` read.

use std::path::Path;

use h5::types::{FixedAscii, FixedUnicode, VarLenAscii, VarLenUnicode};
use hdf5_metno as h5;

use super::{AnnDataset, Limits, Metric, truth_rows};
use crate::{HarnessError, Result};

/// Values read per block.
const BLOCK_VALUES: usize = 1 << 20;

/// Reads an ann-benchmarks file. `metric`, when the scenario names one,
/// must agree with the file's `distance` attribute, and stands in for it in
/// a file without one.
pub fn load(path: &Path, metric: Option<Metric>, limits: &Limits) -> Result<AnnDataset> {
    // libhdf5's own message for a missing file is a page of its error stack.
    std::fs::metadata(path).map_err(|source| HarnessError::Io { path: path.into(), source })?;
    let name = path.display().to_string();
    let invalid = |what: String, message: String| HarnessError::Invalid { what, message };
    let file = h5::File::open(path)
        .map_err(|e| invalid(name.clone(), format!("libhdf5 cannot open it (not HDF5, or truncated): {e}")))?;
    let metric = match (file_metric(&file, &name)?, metric) {
        (Some(found), Some(asked)) if found != asked => {
            return Err(invalid(
                name,
                format!("attribute `distance` is {}, the scenario says {}", found.name(), asked.name()),
            ));
        }
        (Some(m), _) | (None, Some(m)) => m,
        (None, None) => {
            return Err(invalid(name, "no `distance` attribute: set `metric` in the scenario's [data]".into()));
        }
    };
    let (dim, train_len, train, cut) = floats(&file, &name, "train", limits.base, limits.max_values)?;
    let (test_dim, test_len, test, _) = floats(&file, &name, "test", limits.queries, limits.max_values)?;
    if test_dim != dim {
        return Err(invalid(format!("{name}: test"), format!("{test_dim} columns, but train has {dim}")));
    }
    let (neighbors, distances) = if cut {
        (None, None)
    } else {
        let (k, _, ids) = ints(&file, &name, "neighbors", test_len, limits.max_values)?;
        let neighbors = truth_rows(&format!("{name}: neighbors"), "row", k, &ids, test_len, train_len)?;
        let distances = match file.dataset("distances") {
            // Older ann-benchmarks files may lack it; the k-th distance is
            // then computed from the vectors, as for TEXMEX.
            Err(_) => None,
            Ok(_) => {
                let (columns, rows, values, _) = floats(&file, &name, "distances", Some(test_len), limits.max_values)?;
                if columns != k || rows < test_len {
                    return Err(invalid(
                        format!("{name}: distances"),
                        format!("{rows} × {columns}, but neighbors is {} × {k}", neighbors.len()),
                    ));
                }
                Some(values.chunks_exact(columns).map(<[f32]>::to_vec).collect())
            }
        };
        (Some(neighbors), distances)
    };
    Ok(AnnDataset { dim, train, test, neighbors, distances, metric, truth_source: format!("{name}: neighbors") })
}

/// The file's `distance` attribute, if it has one. h5py writes a Python
/// string as variable-length UTF-8; the other string types are tried too.
fn file_metric(file: &h5::File, name: &str) -> Result<Option<Metric>> {
    let Ok(attr) = file.attr("distance") else { return Ok(None) };
    let text = attr
        .read_scalar::<VarLenUnicode>()
        .map(|s| s.as_str().to_owned())
        .or_else(|_| attr.read_scalar::<VarLenAscii>().map(|s| s.as_str().to_owned()))
        .or_else(|_| attr.read_scalar::<FixedAscii<64>>().map(|s| s.as_str().to_owned()))
        .or_else(|_| attr.read_scalar::<FixedUnicode<64>>().map(|s| s.as_str().to_owned()))
        .map_err(|e| HarnessError::Invalid {
            what: format!("{name}: attribute `distance`"),
            message: format!("not a string: {e}"),
        })?;
    match text.trim() {
        "angular" => Ok(Some(Metric::Angular)),
        "euclidean" => Ok(Some(Metric::Euclidean)),
        other => Err(HarnessError::Invalid {
            what: format!("{name}: attribute `distance`"),
            message: format!(
                "is `{other}`; the backends rank by inner product, so only angular and euclidean can be measured"
            ),
        }),
    }
}

/// A 2-d dataset's shape, refusing a missing or other-rank one.
fn shape(file: &h5::File, name: &str, dataset: &str) -> Result<(h5::Dataset, usize, usize)> {
    let what = || format!("{name}: {dataset}");
    let ds = file.dataset(dataset).map_err(|_| HarnessError::Invalid {
        what: what(),
        message: "no such dataset (ann-benchmarks files hold train, test, neighbors and distances)".into(),
    })?;
    match ds.shape()[..] {
        [rows, columns] if rows > 0 && columns > 0 => Ok((ds, rows, columns)),
        ref other => Err(HarnessError::Invalid {
            what: what(),
            message: format!("shape {other:?}; expected rows × columns, both non-zero"),
        }),
    }
}

/// Reads up to `limit` rows of a float dataset in blocks, checking every
/// value is finite. Returns (columns, rows read, values, whether `limit`
/// cut the dataset).
fn floats(
    file: &h5::File,
    name: &str,
    dataset: &str,
    limit: Option<usize>,
    max_values: u64,
) -> Result<(usize, usize, Vec<f32>, bool)> {
    let (ds, rows, columns) = shape(file, name, dataset)?;
    let take = limit.map_or(rows, |l| l.min(rows));
    let values = read_blocks::<f32>(&ds, name, dataset, take, columns, max_values)?;
    if let Some((at, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(HarnessError::Invalid {
            what: format!("{name}: {dataset} row {}", at / columns),
            message: format!("value {} is {v}", at % columns),
        });
    }
    Ok((columns, take, values, take < rows))
}

/// Reads `queries` rows of an integer dataset: (columns, rows, values).
fn ints(
    file: &h5::File,
    name: &str,
    dataset: &str,
    queries: usize,
    max_values: u64,
) -> Result<(usize, usize, Vec<i32>)> {
    let (ds, rows, columns) = shape(file, name, dataset)?;
    let take = queries.min(rows);
    Ok((columns, take, read_blocks::<i32>(&ds, name, dataset, take, columns, max_values)?))
}

/// The first `rows` rows, a block of rows at a time.
fn read_blocks<T: h5::H5Type + Copy>(
    ds: &h5::Dataset,
    name: &str,
    dataset: &str,
    rows: usize,
    columns: usize,
    max_values: u64,
) -> Result<Vec<T>> {
    let total = (rows as u64).saturating_mul(columns as u64);
    if total > max_values {
        return Err(HarnessError::Invalid {
            what: format!("{name}: {dataset}"),
            message: format!("{rows} × {columns} values is more than the {max_values} allowed; set a limit"),
        });
    }
    let mut out = Vec::with_capacity(total as usize);
    let block = (BLOCK_VALUES / columns).max(1);
    let mut start = 0;
    while start < rows {
        let end = (start + block).min(rows);
        let part = ds.read_slice_2d::<T, _>((start..end, ..)).map_err(|e| HarnessError::Invalid {
            what: format!("{name}: {dataset} rows {start}..{end}"),
            message: e.to_string(),
        })?;
        out.extend(part.iter().copied());
        start = end;
    }
    Ok(out)
}
