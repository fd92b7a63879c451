//! Reading and writing one Parquet table, with errors that name the file and
//! the column.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, UInt8Type, UInt16Type, UInt32Type};
use arrow_array::{Array, ArrayRef, FixedSizeListArray, Float32Array, PrimitiveArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::{DatasetError, Result};

/// Rows per row group: fixed, so files do not depend on batch sizes.
const ROW_GROUP_ROWS: usize = 1 << 20;

/// A Parquet file being written batch by batch.
pub(crate) struct TableWriter {
    path: PathBuf,
    schema: SchemaRef,
    writer: ArrowWriter<File>,
}

impl TableWriter {
    pub(crate) fn create(path: &Path, schema: SchemaRef) -> Result<TableWriter> {
        let file = File::create(path).map_err(|e| DatasetError::io(path, e))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_created_by(format!("searchrec-datasets {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer = ArrowWriter::try_new(file, schema.clone(), Some(props))
            .map_err(|e| DatasetError::format(path, e.to_string()))?;
        Ok(TableWriter { path: path.to_path_buf(), schema, writer })
    }

    pub(crate) fn write(&mut self, columns: Vec<ArrayRef>) -> Result<()> {
        let batch = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| DatasetError::format(&self.path, e.to_string()))?;
        self.writer.write(&batch).map_err(|e| DatasetError::format(&self.path, e.to_string()))
    }

    pub(crate) fn finish(self) -> Result<()> {
        self.writer.close().map_err(|e| DatasetError::format(&self.path, e.to_string()))?;
        Ok(())
    }
}

/// Writes a whole table at once.
pub(crate) fn write_table(path: &Path, schema: SchemaRef, columns: Vec<ArrayRef>) -> Result<()> {
    let mut w = TableWriter::create(path, schema)?;
    w.write(columns)?;
    w.finish()
}

/// Reads every batch of a table, checking that it has the expected columns.
pub(crate) fn read_table(path: &Path, expected: &Schema) -> Result<Vec<RecordBatch>> {
    // The parquet crate panics on some corrupt pages instead of returning an
    // error (e.g. a flipped bit in definition levels: "offset + len out of
    // bounds", found by fuzz/world_tables). A corrupt file is bad input, so
    // the panic becomes an error naming the file; nothing outlives the
    // decoder, so no state is left half-updated.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_batches(path, expected))).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(DatasetError::format(
            path,
            format!("corrupt data (the Parquet decoder failed: {what}); regenerate it with `searchrec generate`"),
        ))
    })
}

fn read_batches(path: &Path, expected: &Schema) -> Result<Vec<RecordBatch>> {
    let file = File::open(path).map_err(|e| DatasetError::io(path, e))?;
    let corrupt = |e: parquet::errors::ParquetError| {
        DatasetError::format(
            path,
            format!("not a readable Parquet file ({e}); regenerate it with `searchrec generate`"),
        )
    };
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(corrupt)?
        .with_batch_size(65_536)
        .build()
        .map_err(corrupt)?;
    let mut batches = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| DatasetError::format(path, format!("corrupt data ({e})")))?;
        for field in expected.fields() {
            let column = batch.schema().column_with_name(field.name()).map(|(_, f)| f.data_type().clone());
            match column {
                None => return Err(DatasetError::format(path, format!("missing column `{}`", field.name()))),
                Some(t) if &t != field.data_type() => {
                    return Err(DatasetError::format(
                        path,
                        format!("column `{}` has type {t}, expected {}", field.name(), field.data_type()),
                    ));
                }
                Some(_) => {}
            }
        }
        batches.push(batch);
    }
    Ok(batches)
}

/// Typed access to the columns of one batch.
pub(crate) struct Columns<'a> {
    pub path: &'a Path,
    pub batch: &'a RecordBatch,
}

impl<'a> Columns<'a> {
    fn column(&self, name: &str) -> &'a ArrayRef {
        // read_table checked presence and type.
        self.batch.column_by_name(name).expect("column checked by read_table")
    }

    fn no_nulls(&self, name: &str, array: &dyn Array) -> Result<()> {
        if array.null_count() > 0 {
            return Err(DatasetError::format(self.path, format!("column `{name}` has nulls but must not")));
        }
        Ok(())
    }

    pub(crate) fn u32(&self, name: &str) -> Result<&'a PrimitiveArray<UInt32Type>> {
        let a = self.column(name).as_primitive::<UInt32Type>();
        self.no_nulls(name, a)?;
        Ok(a)
    }

    pub(crate) fn u16(&self, name: &str) -> Result<&'a PrimitiveArray<UInt16Type>> {
        let a = self.column(name).as_primitive::<UInt16Type>();
        self.no_nulls(name, a)?;
        Ok(a)
    }

    pub(crate) fn u8(&self, name: &str) -> Result<&'a PrimitiveArray<UInt8Type>> {
        let a = self.column(name).as_primitive::<UInt8Type>();
        self.no_nulls(name, a)?;
        Ok(a)
    }

    pub(crate) fn f32(&self, name: &str) -> Result<&'a Float32Array> {
        let a = self.column(name).as_primitive::<Float32Type>();
        self.no_nulls(name, a)?;
        Ok(a)
    }

    pub(crate) fn bool(&self, name: &str) -> Result<&'a arrow_array::BooleanArray> {
        let a = self.column(name).as_boolean();
        self.no_nulls(name, a)?;
        Ok(a)
    }

    pub(crate) fn str(&self, name: &str) -> Result<&'a StringArray> {
        let a = self.column(name).as_string::<i32>();
        self.no_nulls(name, a)?;
        Ok(a)
    }

    pub(crate) fn opt_u32(&self, name: &str) -> &'a PrimitiveArray<UInt32Type> {
        self.column(name).as_primitive::<UInt32Type>()
    }

    pub(crate) fn opt_u16(&self, name: &str) -> &'a PrimitiveArray<UInt16Type> {
        self.column(name).as_primitive::<UInt16Type>()
    }

    pub(crate) fn opt_u8(&self, name: &str) -> &'a PrimitiveArray<UInt8Type> {
        self.column(name).as_primitive::<UInt8Type>()
    }

    pub(crate) fn opt_str(&self, name: &str) -> &'a StringArray {
        self.column(name).as_string::<i32>()
    }

    /// A fixed-size list of f32 as flat rows of `dim` values.
    pub(crate) fn vectors(&self, name: &str, dim: usize) -> Result<&'a [f32]> {
        let list = self.column(name).as_fixed_size_list();
        self.no_nulls(name, list)?;
        if list.value_length() as usize != dim {
            return Err(DatasetError::format(
                self.path,
                format!("column `{name}` has vectors of dimension {}, expected {dim}", list.value_length()),
            ));
        }
        let values = list.values().as_primitive::<Float32Type>();
        let start = list.offset() * dim;
        Ok(&values.values()[start..start + list.len() * dim])
    }
}

/// The type of a `dim`-long f32 vector column.
pub(crate) fn vector_type(dim: usize) -> DataType {
    DataType::FixedSizeList(Arc::new(Field::new("item", DataType::Float32, false)), dim as i32)
}

/// A vector column from flat rows.
pub(crate) fn vector_column(data: &[f32], dim: usize) -> ArrayRef {
    let field = Arc::new(Field::new("item", DataType::Float32, false));
    Arc::new(FixedSizeListArray::new(field, dim as i32, Arc::new(Float32Array::from(data.to_vec())), None))
}
