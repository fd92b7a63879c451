//! Writing a run folder all or nothing.
//!
//! Every file of a run is written into a staging folder beside the target;
//! only when all of them are written does the staging folder take the
//! target's place, by an atomic exchange where the system has one. This is
//! `searchrec_datasets::io::publish`, the one folder-publishing primitive
//! (its module doc has the rules: the writer lock, the recovery of what a
//! killed run left, the fallback's window): a failed or killed run leaves the
//! previous run folder (or nothing) — never a mix of old and new files — and
//! the next run removes its debris.

use std::path::Path;

use searchrec_datasets::DatasetError;
use searchrec_datasets::io::publish::{RUN_FOLDER, Staged, check_target};

use crate::{HarnessError, Result};

/// Checks, before any work, that `out` can receive a run: it is missing, an
/// empty folder, or a previous run folder (which the new run replaces), and
/// it is not inside a world or run folder.
pub fn check_out(out: &Path) -> Result<()> {
    check_target(out, &RUN_FOLDER).map(drop).map_err(harness_error)
}

/// Runs `write` on a fresh staging folder, then puts it in `out`'s place.
pub fn publish(out: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let staged = Staged::begin(out, &RUN_FOLDER).map_err(harness_error)?;
    // On an error `staged` is dropped, which removes the staging folder.
    write(staged.path())?;
    staged.commit().map_err(harness_error)
}

fn harness_error(e: DatasetError) -> HarnessError {
    match e {
        DatasetError::Io { path, source } => HarnessError::Io { path, source },
        DatasetError::Format { path, message } => HarnessError::Invalid { what: path.display().to_string(), message },
        other => HarnessError::Invalid { what: "run folder".into(), message: other.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::results::RESULTS_FILE;

    /// A results.json a run folder check recognises, carrying `body`.
    fn results(body: &str) -> String {
        format!("{{\"schema_version\": 3, \"body\": {body:?}}}")
    }

    #[test]
    fn the_run_folder_marker_is_the_results_file() {
        assert_eq!(RUN_FOLDER.marker, RESULTS_FILE);
    }

    #[test]
    fn a_failed_write_leaves_the_previous_run_and_no_staging_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        publish(&out, |s| {
            fs::write(s.join(RESULTS_FILE), results("old")).map_err(|e| HarnessError::Io { path: s.into(), source: e })
        })
        .unwrap();
        let failed = publish(&out, |s| {
            fs::write(s.join(RESULTS_FILE), results("new")).unwrap();
            Err(HarnessError::Invalid { what: "test".into(), message: "boom".into() })
        });
        assert!(failed.is_err());
        assert_eq!(fs::read_to_string(out.join(RESULTS_FILE)).unwrap(), results("old"));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only the run folder remains");
        publish(&out, |s| {
            fs::write(s.join(RESULTS_FILE), results("new")).map_err(|e| HarnessError::Io { path: s.into(), source: e })
        })
        .unwrap();
        assert_eq!(fs::read_to_string(out.join(RESULTS_FILE)).unwrap(), results("new"));
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

    #[test]
    fn a_world_folder_and_folders_inside_outputs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let world = dir.path().join("world");
        fs::create_dir(&world).unwrap();
        fs::write(world.join("world.toml"), "generator = \"searchrec-datasets 0\"\nseed = 1\n").unwrap();
        let err = check_out(&world).unwrap_err().to_string();
        assert!(err.contains("is a world folder") && err.contains("choose another --out"), "{err}");
        let err = check_out(&world.join("runs")).unwrap_err().to_string();
        assert!(err.contains("inside the world folder"), "{err}");
        let run = dir.path().join("run");
        publish(&run, |s| {
            fs::write(s.join(RESULTS_FILE), results("{}")).map_err(|e| HarnessError::Io { path: s.into(), source: e })
        })
        .unwrap();
        let err = check_out(&run.join("runs/again")).unwrap_err().to_string();
        assert!(err.contains("inside the run folder"), "{err}");
        assert!(!world.join("runs").exists() && !run.join("runs").exists());
    }

    #[test]
    fn debris_of_a_killed_run_is_removed_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        // What a run killed while writing leaves: its staging folder and lock file.
        fs::create_dir(dir.path().join(".run.searchrec-staging")).unwrap();
        fs::write(dir.path().join(".run.searchrec-staging").join(RESULTS_FILE), results("half")).unwrap();
        fs::write(dir.path().join(".run.searchrec-lock"), "").unwrap();
        publish(&out, |s| {
            fs::write(s.join(RESULTS_FILE), results("new")).map_err(|e| HarnessError::Io { path: s.into(), source: e })
        })
        .unwrap();
        assert_eq!(fs::read_to_string(out.join(RESULTS_FILE)).unwrap(), results("new"));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only the run folder remains");
    }
}
