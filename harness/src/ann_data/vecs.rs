//! TEXMEX `.fvecs`, `.bvecs` and `.ivecs` (corpus-texmex.irisa.fr: SIFT,
//! GIST): every record is a little-endian `i32` dimension followed by that
//! many values — `f32` (fvecs), `u8` (bvecs) or `i32` (ivecs).
//!
//! Files are read record by record through a buffered reader, so memory
//! beyond the vectors kept is one record. Every record must have the first
//! record's dimension, and a trailing partial record is an error naming its
//! index and how many values it holds, not a silently shorter set.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::{HarnessError, Result};

/// Largest dimension a record may declare: past it the header is almost
/// surely not a TEXMEX file (GIST, the widest in use, has 960).
const MAX_DIM: usize = 1 << 16;

/// The value type of a vector file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Element {
    /// `.fvecs`: `f32`.
    F32,
    /// `.bvecs`: `u8` (SIFT1B).
    U8,
    /// `.ivecs`: `i32` (ground truth ids).
    I32,
}

impl Element {
    /// The element type a file name's extension announces, if any.
    pub fn of_path(path: &Path) -> Option<Element> {
        match path.extension()?.to_str()? {
            "fvecs" => Some(Element::F32),
            "bvecs" => Some(Element::U8),
            "ivecs" => Some(Element::I32),
            _ => None,
        }
    }

    fn bytes(self) -> usize {
        match self {
            Element::U8 => 1,
            Element::F32 | Element::I32 => 4,
        }
    }
}

/// The records of one file: their common dimension and the values in row
/// order (`u8` and `f32` widened to `f32`; `i32` kept in `ints`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Records {
    /// Values per record.
    pub dim: usize,
    /// Records read.
    pub len: usize,
    /// The values of `.fvecs` / `.bvecs`, row-major.
    pub floats: Vec<f32>,
    /// The values of `.ivecs`, row-major.
    pub ints: Vec<i32>,
    /// Whether `limit` stopped the read before the end of the file.
    pub cut: bool,
}

/// Reads at most `limit` records of `path`, of type `element`.
/// `max_values` bounds records × dimension, checked from the file size
/// before anything is read, so a huge file fails at once.
pub fn read(path: &Path, element: Element, limit: Option<usize>, max_values: u64) -> Result<Records> {
    let io = |source| HarnessError::Io { path: path.into(), source };
    let file = File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let at = |record: usize, message: String| HarnessError::Invalid {
        what: format!("{}: record {record}", path.display()),
        message,
    };
    let mut out = Records::default();
    let mut header = [0u8; 4];
    let mut buf = Vec::new();
    let limit = limit.unwrap_or(usize::MAX);
    while out.len < limit {
        let got = read_full(&mut reader, &mut header).map_err(io)?;
        if got == 0 {
            break;
        }
        if got < 4 {
            return Err(at(out.len, format!("truncated inside the dimension header ({got} of 4 bytes)")));
        }
        let declared = i32::from_le_bytes(header);
        if out.len == 0 {
            if declared <= 0 || declared as usize > MAX_DIM {
                return Err(at(0, format!("dimension {declared} is not in 1..={MAX_DIM}: not a TEXMEX vector file?")));
            }
            out.dim = declared as usize;
            let record_bytes = 4 + (out.dim * element.bytes()) as u64;
            let records = (size / record_bytes).min(limit as u64);
            let values = records.saturating_mul(out.dim as u64);
            if values > max_values {
                return Err(HarnessError::Invalid {
                    what: path.display().to_string(),
                    message: format!(
                        "{records} records × {} values is more than the {max_values} allowed; set a limit",
                        out.dim
                    ),
                });
            }
            // Sized from the file, so the vectors are the only large allocation.
            match element {
                Element::I32 => out.ints.reserve_exact(values as usize),
                _ => out.floats.reserve_exact(values as usize),
            }
            buf = vec![0u8; out.dim * element.bytes()];
        } else if declared != out.dim as i32 {
            return Err(at(out.len, format!("dimension {declared}, but record 0 has {}", out.dim)));
        }
        let got = read_full(&mut reader, &mut buf).map_err(io)?;
        if got < buf.len() {
            return Err(at(out.len, format!("truncated after {} of {} values", got / element.bytes(), out.dim)));
        }
        match element {
            Element::F32 => {
                for (column, b) in buf.chunks_exact(4).enumerate() {
                    let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                    if !v.is_finite() {
                        return Err(at(out.len, format!("value {column} is {v}")));
                    }
                    out.floats.push(v);
                }
            }
            Element::U8 => out.floats.extend(buf.iter().map(|&b| f32::from(b))),
            Element::I32 => {
                out.ints.extend(buf.chunks_exact(4).map(|b| i32::from_le_bytes([b[0], b[1], b[2], b[3]])));
            }
        }
        out.len += 1;
    }
    out.cut = out.len == limit && !reader.fill_buf().map_err(io)?.is_empty();
    if out.len == 0 {
        return Err(HarnessError::Invalid { what: path.display().to_string(), message: "holds no record".into() });
    }
    Ok(out)
}

/// Reads until `buf` is full or the file ends; returns the bytes read, so a
/// short count tells how much of a record was there.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
