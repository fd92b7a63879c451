//! Reading back the Parquet files a run wrote (per-query metrics, the
//! simulation tables) from folders that may have been copied between
//! machines: the parquet crate panics on some corrupt pages instead of
//! returning an error (e.g. a flipped bit in definition levels, found by
//! `fuzz/world_tables`). A corrupt file is bad input, so the panic becomes
//! an error naming the file; nothing outlives the decoder, so no state is
//! left half-updated.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use crate::{HarnessError, Result};

/// `read` (which reads the Parquet file at `path`), with a decoder panic
/// turned into an error naming the file.
pub(crate) fn guarded<T>(path: &Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(HarnessError::Invalid {
            what: path.display().to_string(),
            message: format!("corrupt data (the Parquet decoder failed: {what}); the file is damaged: copy it again, or rerun what wrote it"),
        })
    })
}
