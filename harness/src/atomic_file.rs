//! Writing a file so that a reader sees the old file or the whole new one,
//! never half of it.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::{HarnessError, Result};

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it
/// over `path`, so a reader never sees a half-written file; the temporary
/// file is removed on failure.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| HarnessError::Io { path: path.into(), source };
    let name = path
        .file_name()
        .ok_or_else(|| HarnessError::Invalid { what: path.display().to_string(), message: "not a file path".into() })?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".tmp{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let written = fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    if let Err(e) = written.and_then(|()| fs::rename(&tmp, path)) {
        let _ = fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}
