//! Writing a run folder all or nothing.
//!
//! Every file of a run is written into a staging folder beside the target;
//! only when all of them are written does the staging folder take the
//! target's place. A failed or interrupted run leaves the previous run
//! folder (or nothing) — never a mix of old and new files.

use std::fs;
use std::path::{Path, PathBuf};

use crate::results::RESULTS_FILE;
use crate::{HarnessError, Result};

/// Checks, before any work, that `out` can receive a run: it is missing, an
/// empty folder, or a previous run folder (which the new run replaces).
pub fn check_out(out: &Path) -> Result<()> {
    if !out.exists() {
        return Ok(());
    }
    let invalid = |message: &str| HarnessError::Invalid { what: out.display().to_string(), message: message.into() };
    if !out.is_dir() {
        return Err(invalid("exists and is not a folder; choose another --out"));
    }
    let mut entries = fs::read_dir(out).map_err(|source| HarnessError::Io { path: out.into(), source })?;
    if entries.next().is_some() && !out.join(RESULTS_FILE).is_file() {
        return Err(invalid(
            "is a folder with files but no results.json, so not a run folder this run may replace; choose another --out",
        ));
    }
    Ok(())
}

/// Runs `write` on a fresh staging folder, then puts it in `out`'s place.
pub fn publish(out: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    check_out(out)?;
    let staging = sibling(out, "staging")?;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| HarnessError::Io { path, source }
    };
    if let Some(parent) = staging.parent() {
        fs::create_dir_all(parent).map_err(io(parent))?;
    }
    let _ = fs::remove_dir_all(&staging);
    fs::create_dir(&staging).map_err(io(&staging))?;
    let swapped = write(&staging).and_then(|()| swap_in(&staging, out));
    if swapped.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    swapped
}

/// Replaces `out` by `staging`; the old folder is moved aside first and
/// removed last, so a failure in between leaves the old run in place.
fn swap_in(staging: &Path, out: &Path) -> Result<()> {
    let io = |path: &Path, source| HarnessError::Io { path: path.into(), source };
    if out.exists() {
        let old = sibling(out, "old")?;
        let _ = fs::remove_dir_all(&old);
        fs::rename(out, &old).map_err(|e| io(out, e))?;
        if let Err(e) = fs::rename(staging, out) {
            let _ = fs::rename(&old, out);
            return Err(io(out, e));
        }
        fs::remove_dir_all(&old).map_err(|e| io(&old, e))?;
    } else {
        fs::rename(staging, out).map_err(|e| io(out, e))?;
    }
    Ok(())
}

/// `.<name>.<what>-<pid>` beside `out`.
fn sibling(out: &Path, what: &str) -> Result<PathBuf> {
    let name = out.file_name().ok_or_else(|| HarnessError::Invalid {
        what: out.display().to_string(),
        message: "not a folder name; give --out a path such as runs/ci".into(),
    })?;
    let mut hidden = std::ffi::OsString::from(".");
    hidden.push(name);
    hidden.push(format!(".{what}-{}", std::process::id()));
    Ok(out.with_file_name(hidden))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_previous_run_and_no_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        publish(&out, |s| {
            fs::write(s.join(RESULTS_FILE), "old").map_err(|e| HarnessError::Io { path: s.into(), source: e })
        })
        .unwrap();
        let failed = publish(&out, |s| {
            fs::write(s.join(RESULTS_FILE), "new").unwrap();
            Err(HarnessError::Invalid { what: "test".into(), message: "boom".into() })
        });
        assert!(failed.is_err());
        assert_eq!(fs::read_to_string(out.join(RESULTS_FILE)).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only the run folder remains");
        publish(&out, |s| {
            fs::write(s.join(RESULTS_FILE), "new").map_err(|e| HarnessError::Io { path: s.into(), source: e })
        })
        .unwrap();
        assert_eq!(fs::read_to_string(out.join(RESULTS_FILE)).unwrap(), "new");
    }

    #[test]
    fn a_folder_of_other_files_is_refused_before_work() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let err = check_out(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a run folder"), "{err}");
        assert!(publish(dir.path(), |_| Ok(())).is_err());
        assert_eq!(fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");
    }
}
