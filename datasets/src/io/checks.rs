//! The column checks of world readers.
//!
//! Every column of every table is declared once, as a [`Col`]: its name, its
//! Arrow type, whether it may be null, and the [`Check`]s its values must pass.
//! Schemas are built from these declarations (`tables.rs`), so a column cannot
//! exist in a file without its line here: a new column's author has to say
//! what its values may be, even if the answer is [`Check::Any`].
//!
//! [`check_table`] runs the declared checks of a table before any row is
//! converted: one linear pass per check over each column, no allocation per
//! row. Rules that tie a column to another column or table (a null `item_id`
//! exactly for `search` rows, a brand index within its leaf's brands) cannot
//! be said column by column; their columns declare [`Check::Row`] and the row
//! readers of `tables.rs` enforce them, with errors built by [`bad`] in the
//! same form.
//!
//! Every error names the file, the row (counted from 0, so in a table with
//! dense ids the row of id N is row N) and the column.

use std::fmt::Display;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{ArrowPrimitiveType, Float32Type, UInt8Type, UInt16Type, UInt32Type};
use arrow_array::{Array, ArrayRef, PrimitiveArray, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::Manifest;
use super::parquet_file::Columns;
use crate::{DatasetError, Result};

/// Largest distance of a stored latent vector's norm from 1. Vectors are
/// normalised in f32, whose rounding stays orders of magnitude below this.
pub(crate) const UNIT_NORM_TOLERANCE: f32 = 1e-3;

/// The error for one bad value: the file, the row (from 0) and the column.
pub(crate) fn bad(path: &Path, row: usize, column: &str, message: impl Display) -> DatasetError {
    DatasetError::format(path, format!("row {row} (0-based), column `{column}`: {message}"))
}

/// A count a value is bounded by, known once the manifest is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Count {
    /// Rows of `items.parquet`.
    Items,
    /// Rows of `users.parquet`.
    Users,
    /// Rows of `queries.parquet`.
    Queries,
    /// Rows of `truth/needs.parquet`.
    Needs,
    /// Logged searches (`search_id`s of `interactions.parquet`).
    Searches,
    /// Leaves of the embedded taxonomy.
    Leaves,
    /// `world.regions`.
    Regions,
}

/// One end of an integer range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Limit {
    /// A constant.
    Const(u64),
    /// `logs.list_length`: the last position of a shown list.
    ListLength,
    /// The end of the logged period, `logs.days` × 86 400 seconds.
    LogEnd,
}

/// What every value of a column must satisfy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Check {
    /// The value is its row number: ids are dense.
    Dense,
    /// An integer in `lo..=hi`.
    Range(Limit, Limit),
    /// An integer below a count: a key into another table (or a code below a
    /// scenario size).
    Key(Count),
    /// Integers never decrease down the file.
    NonDecreasing,
    /// Integers never decrease between consecutive rows with the same value
    /// of the named `UInt32` column (e.g. times within a user).
    NonDecreasingWithin(&'static str),
    /// A finite float in `[min, max]`; `min` itself excluded when `open_min`.
    Float {
        /// Smallest allowed value.
        min: f32,
        /// Largest allowed value (may be infinite: finiteness is checked anyway).
        max: f32,
        /// Whether `min` itself is refused (`price > 0`).
        open_min: bool,
    },
    /// Fixed-size f32 vectors of the world's latent dimension, every component
    /// finite, norm 1 within [`UNIT_NORM_TOLERANCE`].
    UnitVectors,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// Any value of the column's type: free text, counts, flags.
    Any,
    /// Checked row by row against other columns or tables; says what.
    Row(&'static str),
}

impl Check {
    /// A finite float in `[min, max]`.
    pub(crate) const fn float(min: f32, max: f32) -> Check {
        Check::Float { min, max, open_min: false }
    }

    /// A finite float above zero.
    pub(crate) const fn positive() -> Check {
        Check::Float { min: 0.0, max: f32::INFINITY, open_min: true }
    }
}

/// The declaration of one column.
#[derive(Clone, Debug)]
pub(crate) struct Col {
    pub name: &'static str,
    pub ty: DataType,
    pub nullable: bool,
    pub checks: Vec<Check>,
}

/// A non-nullable column.
pub(crate) fn col(name: &'static str, ty: DataType, checks: &[Check]) -> Col {
    Col { name, ty, nullable: false, checks: checks.to_vec() }
}

/// A nullable column; its checks apply to the values that are set.
pub(crate) fn opt(name: &'static str, ty: DataType, checks: &[Check]) -> Col {
    Col { name, ty, nullable: true, checks: checks.to_vec() }
}

/// The Arrow schema of a table's declared columns, in order.
pub(crate) fn schema_of(cols: &[Col]) -> SchemaRef {
    std::sync::Arc::new(Schema::new(
        cols.iter().map(|c| Field::new(c.name, c.ty.clone(), c.nullable)).collect::<Vec<_>>(),
    ))
}

/// The sizes the checks compare values with, from a world's manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bounds {
    pub items: u64,
    pub users: u64,
    pub queries: u64,
    pub needs: u64,
    pub searches: u64,
    pub leaves: u64,
    pub regions: u64,
    pub list_length: u64,
    pub log_end: u64,
    pub dim: usize,
}

impl Bounds {
    /// The bounds of the world `manifest` describes, with `leaves` taxonomy
    /// leaves. The counts are the manifest's: each table's own row count is
    /// compared with them after reading, so a key below the manifest's count
    /// is below the table's too.
    pub(crate) fn of(manifest: &Manifest, leaves: usize) -> Bounds {
        let s = &manifest.scenario;
        let c = &manifest.counts;
        Bounds {
            items: c.items,
            users: c.users,
            queries: c.queries,
            needs: c.needs,
            searches: c.searches,
            leaves: leaves as u64,
            regions: s.world.regions as u64,
            list_length: s.logs.list_length as u64,
            log_end: s.logs.days as u64 * 86_400,
            dim: s.world.latent_dim as usize,
        }
    }

    fn count(&self, c: Count) -> (u64, &'static str) {
        match c {
            Count::Items => (self.items, "items"),
            Count::Users => (self.users, "users"),
            Count::Queries => (self.queries, "queries"),
            Count::Needs => (self.needs, "needs"),
            Count::Searches => (self.searches, "logged searches"),
            Count::Leaves => (self.leaves, "taxonomy leaves"),
            Count::Regions => (self.regions, "regions (`world.regions`)"),
        }
    }

    fn limit(&self, l: Limit) -> u64 {
        match l {
            Limit::Const(v) => v,
            Limit::ListLength => self.list_length,
            Limit::LogEnd => self.log_end,
        }
    }
}

/// Runs every declared check of `cols` over a table's batches.
pub(crate) fn check_table(path: &Path, cols: &[Col], batches: &[RecordBatch], bounds: &Bounds) -> Result<()> {
    for c in cols {
        let mut first = 0;
        for batch in batches {
            let array = column(path, batch, c.name)?;
            if !c.nullable
                && let Some(nulls) = array.nulls()
                && let Some(r) = (0..array.len()).find(|&r| nulls.is_null(r))
            {
                return Err(bad(path, first + r, c.name, "is null, but the column has no nulls"));
            }
            first += batch.num_rows();
        }
        for &check in &c.checks {
            run(path, c, check, batches, bounds)?;
        }
    }
    Ok(())
}

fn column<'a>(path: &Path, batch: &'a RecordBatch, name: &str) -> Result<&'a ArrayRef> {
    batch.column_by_name(name).ok_or_else(|| DatasetError::format(path, format!("missing column `{name}`")))
}

/// One check over every batch; state (previous value) runs across batches.
fn run(path: &Path, c: &Col, check: Check, batches: &[RecordBatch], bounds: &Bounds) -> Result<()> {
    let name = c.name;
    let mut first = 0usize;
    let mut previous: Option<(u64, u64)> = None;
    for batch in batches {
        let array = column(path, batch, name)?;
        match check {
            Check::Dense => ints(path, name, array, |r, v| {
                if v != (first + r) as u64 {
                    return Err(bad(
                        path,
                        first + r,
                        name,
                        format_args!("id {v}; ids must be 0, 1, 2, … in row order"),
                    ));
                }
                Ok(())
            })?,
            Check::Range(lo, hi) => {
                let (lo, hi) = (bounds.limit(lo), bounds.limit(hi));
                ints(path, name, array, |r, v| {
                    if v < lo || v > hi {
                        return Err(bad(path, first + r, name, format_args!("{v} is outside {lo}..={hi}")));
                    }
                    Ok(())
                })?
            }
            Check::Key(count) => {
                let (n, what) = bounds.count(count);
                ints(path, name, array, |r, v| {
                    if v >= n {
                        return Err(bad(
                            path,
                            first + r,
                            name,
                            format_args!("{v} names nothing: the world has {n} {what} (0..{n})"),
                        ));
                    }
                    Ok(())
                })?
            }
            Check::NonDecreasing => ints(path, name, array, |r, v| {
                if let Some((_, p)) = previous
                    && v < p
                {
                    return Err(bad(path, first + r, name, format_args!("{v} after {p}; the column never decreases")));
                }
                previous = Some((0, v));
                Ok(())
            })?,
            Check::NonDecreasingWithin(key) => {
                let keys = column(path, batch, key)?;
                let Some(keys) = keys.as_primitive_opt::<UInt32Type>() else {
                    return Err(misdeclared(path, name, "NonDecreasingWithin needs a UInt32 key"));
                };
                let keys = keys.values();
                ints(path, name, array, |r, v| {
                    let k = keys[r] as u64;
                    if let Some((pk, p)) = previous
                        && pk == k
                        && v < p
                    {
                        return Err(bad(
                            path,
                            first + r,
                            name,
                            format_args!("{v} after {p} for the same `{key}` {k}; it never decreases within one"),
                        ));
                    }
                    previous = Some((k, v));
                    Ok(())
                })?
            }
            Check::Float { min, max, open_min } => {
                let Some(a) = array.as_primitive_opt::<Float32Type>() else {
                    return Err(misdeclared(path, name, "a float check on a non-f32 column"));
                };
                for (r, &v) in a.values().iter().enumerate() {
                    let below = if open_min { v <= min } else { v < min };
                    if a.is_valid(r) && (!v.is_finite() || below || v > max) {
                        let want = match (open_min, max.is_finite()) {
                            (true, false) => format!("a finite number above {min}"),
                            (false, false) => format!("a finite number of at least {min}"),
                            (true, true) => format!("a finite number in ({min}, {max}]"),
                            (false, true) => format!("a finite number in [{min}, {max}]"),
                        };
                        return Err(bad(path, first + r, name, format_args!("{v} is not {want}")));
                    }
                }
            }
            Check::UnitVectors => {
                let values = Columns { path, batch }.vectors(name, bounds.dim)?;
                if let Some(child) = array.as_fixed_size_list_opt().map(|l| l.values())
                    && let Some(nulls) = child.nulls()
                    && let Some(i) = (0..child.len()).find(|&i| nulls.is_null(i))
                {
                    return Err(bad(path, first + i / bounds.dim.max(1), name, "has a null component"));
                }
                for (r, v) in values.chunks_exact(bounds.dim.max(1)).enumerate() {
                    if let Some(k) = v.iter().position(|x| !x.is_finite()) {
                        return Err(bad(path, first + r, name, format_args!("component {k} is {}", v[k])));
                    }
                    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                    if (norm - 1.0).abs() > UNIT_NORM_TOLERANCE {
                        return Err(bad(path, first + r, name, format_args!("has norm {norm}; vectors are unit-norm")));
                    }
                }
            }
            Check::OneOf(names) => {
                let Some(a) = array.as_string_opt::<i32>() else {
                    return Err(misdeclared(path, name, "a name check on a non-string column"));
                };
                for r in 0..a.len() {
                    if a.is_valid(r) && !names.contains(&a.value(r)) {
                        return Err(bad(
                            path,
                            first + r,
                            name,
                            format_args!("unknown value `{}`; expected one of {}", a.value(r), names.join(", ")),
                        ));
                    }
                }
            }
            Check::Any | Check::Row(_) => {}
        }
        first += batch.num_rows();
    }
    Ok(())
}

/// A declaration that does not fit its column's type: a bug in `tables.rs`,
/// reported rather than panicking.
fn misdeclared(path: &Path, column: &str, what: &str) -> DatasetError {
    DatasetError::format(path, format!("column `{column}`: internal error, {what}"))
}

/// Calls `f(row, value)` for every set value of an unsigned integer column.
fn ints(path: &Path, name: &str, array: &ArrayRef, f: impl FnMut(usize, u64) -> Result<()>) -> Result<()> {
    match array.data_type() {
        DataType::UInt8 => each::<UInt8Type>(array.as_primitive(), f),
        DataType::UInt16 => each::<UInt16Type>(array.as_primitive(), f),
        DataType::UInt32 => each::<UInt32Type>(array.as_primitive(), f),
        _ => Err(misdeclared(path, name, "an integer check on a non-integer column")),
    }
}

fn each<T: ArrowPrimitiveType>(a: &PrimitiveArray<T>, mut f: impl FnMut(usize, u64) -> Result<()>) -> Result<()>
where
    T::Native: Into<u64>,
{
    let values = a.values();
    match a.nulls() {
        None => values.iter().enumerate().try_for_each(|(r, &v)| f(r, v.into())),
        Some(nulls) => {
            values.iter().enumerate().filter(|&(r, _)| nulls.is_valid(r)).try_for_each(|(r, &v)| f(r, v.into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::UInt32Array;

    use super::*;

    fn bounds() -> Bounds {
        Bounds {
            items: 10,
            users: 10,
            queries: 10,
            needs: 10,
            searches: 10,
            leaves: 10,
            regions: 10,
            list_length: 10,
            log_end: 100,
            dim: 2,
        }
    }

    fn batches(cols: &[Col], rows: &[&[u32]]) -> Vec<RecordBatch> {
        rows.iter()
            .map(|values| {
                let columns: Vec<ArrayRef> =
                    cols.iter().map(|_| Arc::new(UInt32Array::from(values.to_vec())) as ArrayRef).collect();
                RecordBatch::try_new(schema_of(cols), columns).unwrap()
            })
            .collect()
    }

    /// Rows are counted over the whole file, and ordering state carries
    /// from one batch to the next.
    #[test]
    fn rows_and_order_run_across_batches() {
        let path = Path::new("t.parquet");
        let dense = [col("id", DataType::UInt32, &[Check::Dense])];
        assert!(check_table(path, &dense, &batches(&dense, &[&[0, 1], &[2, 3]]), &bounds()).is_ok());
        let err = check_table(path, &dense, &batches(&dense, &[&[0, 1], &[2, 4]]), &bounds()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.parquet: row 3 (0-based), column `id`: id 4; ids must be 0, 1, 2, … in row order"
        );

        let ordered = [col("t", DataType::UInt32, &[Check::NonDecreasing, Check::Key(Count::Users)])];
        let err = check_table(path, &ordered, &batches(&ordered, &[&[1, 5], &[4, 6]]), &bounds()).unwrap_err();
        assert!(err.to_string().starts_with("t.parquet: row 2 (0-based), column `t`: 4 after 5"), "{err}");
        let err = check_table(path, &ordered, &batches(&ordered, &[&[1, 5], &[6, 10]]), &bounds()).unwrap_err();
        assert!(err.to_string().starts_with("t.parquet: row 3 (0-based), column `t`: 10 names nothing"), "{err}");
    }
}
