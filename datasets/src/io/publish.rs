//! Publishing a folder all or nothing: the one way searchrec writes a world
//! folder (`generate`) or a run folder (`run`, `simulate`, `demo`).
//!
//! The writer builds the whole new folder in a staging folder beside its
//! target, `.NAME.searchrec-staging`, syncs it to disk, and only then puts it
//! in the target's place in one step:
//!
//! - when the target exists, `renameat2(RENAME_EXCHANGE)` (Linux;
//!   `renameatx_np(RENAME_SWAP)` on macOS) swaps the two folders atomically,
//!   so at every instant the path holds the complete old folder or the
//!   complete new one; the swapped-out old folder, now under the staging
//!   name, is then removed;
//! - when the target does not exist, a plain rename;
//! - where the exchange is unsupported (another OS, a file system that
//!   refuses it), the old folder is renamed aside to `.NAME.searchrec-old`
//!   and the staging folder renamed in. Between those two renames the path is
//!   absent: a reader then finds no folder, and a writer killed there leaves
//!   the old folder aside, which the next writer to the same target renames
//!   back before doing anything else.
//!
//! **One writer per target.** A writer holds an exclusive `flock` on
//! `.NAME.searchrec-lock` from before it stages until it has published; the
//! kernel drops the lock when the process dies, however it dies, and a second
//! writer is refused at once rather than made to wait. Holding the lock is
//! also what proves that a staging or aside folder found beside the target is
//! debris of a killed writer, so the next writer removes it (or restores an
//! aside folder whose target is missing) before staging: names are fixed,
//! not per process, precisely so that they are found. Debris of older
//! searchrec versions (`.NAME.staging-PID`, `.NAME.old-PID`) is handled the
//! same way once its process is gone. The lock file is removed when the
//! writer finishes; on systems without `flock` (not Unix) there is no lock.
//!
//! **Only its own kind of folder.** Before anything is written,
//! [`check_target`] refuses a target that a writer of that [`FolderKind`] did
//! not write: a file, a non-empty folder without the kind's marker file,
//! another kind's folder, a folder inside any searchrec output, a world
//! folder holding files a world does not have, or the current folder.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::{DatasetError, Result};

/// A kind of folder searchrec writes, recognised by its marker file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FolderKind {
    /// What the folder is called in messages ("world folder").
    pub noun: &'static str,
    /// The file only this kind of folder holds; its writer writes it last.
    pub marker: &'static str,
    /// Text the marker's first [`SIGNATURE_BYTES`] bytes hold when searchrec
    /// wrote it: a user's own `world.toml` scenario or another tool's
    /// `results.json` beside an `--out` must not read as a searchrec folder.
    pub signature: &'static str,
    /// The command that writes it, for messages.
    pub writer: &'static str,
    /// Every top-level entry the writer may leave, when the layout is fixed;
    /// replacing a folder with other entries would delete a user's files.
    /// `None` when the layout varies (a run folder's files depend on the
    /// scenario).
    pub entries: Option<&'static [&'static str]>,
}

/// A world folder (`searchrec generate`); `docs/world-format.md`.
pub const WORLD_FOLDER: FolderKind = FolderKind {
    noun: "world folder",
    marker: "world.toml",
    signature: "generator = \"searchrec-datasets",
    writer: "searchrec generate",
    // `.searchrec-staging` is where earlier searchrec versions staged
    // tables inside the world; a world they wrote may still hold one.
    entries: Some(&[
        "world.toml",
        "items.parquet",
        "users.parquet",
        "interactions.parquet",
        "queries.parquet",
        "qrels.parquet",
        "qrels.txt",
        "truth",
        ".searchrec-staging",
    ]),
};

/// A run folder (`searchrec run`, `simulate`, `demo`); its marker is the
/// harness's `results.json`.
pub const RUN_FOLDER: FolderKind = FolderKind {
    noun: "run folder",
    marker: "results.json",
    signature: "\"schema_version\"",
    writer: "searchrec run",
    entries: None,
};

/// Every kind of folder searchrec writes: no writer writes inside any of them.
pub const KINDS: [FolderKind; 2] = [WORLD_FOLDER, RUN_FOLDER];

/// How much of a marker file is read to find its signature.
pub const SIGNATURE_BYTES: usize = 4096;

impl FolderKind {
    /// Whether `dir` is a folder of this kind: it holds the marker file, and
    /// the marker starts with what searchrec writes there.
    pub fn marks(&self, dir: &Path) -> bool {
        use std::io::Read;
        let Ok(file) = File::open(dir.join(self.marker)) else { return false };
        let mut head = Vec::with_capacity(SIGNATURE_BYTES);
        if file.take(SIGNATURE_BYTES as u64).read_to_end(&mut head).is_err() {
            return false;
        }
        String::from_utf8_lossy(&head).contains(self.signature)
    }
}

/// How many entries a refusal names before "and N more".
const NAMED: usize = 5;

/// Checks, before any work, that `target` may receive a folder of `kind`:
/// it is missing, an empty folder, or a folder of that kind (which the new
/// one will replace). Returns the target with symbolic links resolved, the
/// place a [`Staged`] folder for it is published. Writes nothing.
pub fn check_target(target: &Path, kind: &FolderKind) -> Result<PathBuf> {
    let refuse = |message: String| DatasetError::format(target, message);
    let resolved = resolve(target)?;
    if resolved.file_name().is_none() || resolved.parent().is_none() {
        return Err(refuse("is a file-system root, not a folder that can be replaced; choose another --out".into()));
    }
    // Replacing the folder a process runs in would leave that process (and
    // the user's shell) in a deleted folder.
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize)
        && cwd.starts_with(&resolved)
    {
        return Err(refuse(format!(
            "is the current folder or holds it; {} replaces the whole folder — run it from elsewhere or choose another --out",
            kind.writer
        )));
    }
    for ancestor in resolved.ancestors().skip(1) {
        for other in &KINDS {
            if other.marks(ancestor) {
                return Err(refuse(format!(
                    "is inside the {} {} (it holds {}); searchrec never writes into its own outputs — choose an --out outside it",
                    other.noun,
                    ancestor.display(),
                    other.marker
                )));
            }
        }
    }
    match fs::symlink_metadata(&resolved) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(resolved),
        Err(e) => return Err(DatasetError::io(target, e)),
        Ok(meta) if !meta.is_dir() => {
            return Err(refuse("exists and is not a folder; choose another --out".into()));
        }
        Ok(_) => {}
    }
    let names = entries(&resolved)?;
    if names.is_empty() {
        return Ok(resolved);
    }
    for other in KINDS.iter().filter(|k| *k != kind) {
        if other.marks(&resolved) {
            return Err(refuse(format!(
                "is a {} (it holds {}), not a {}; {} never replaces it — choose another --out",
                other.noun, other.marker, kind.noun, kind.writer
            )));
        }
    }
    if !kind.marks(&resolved) {
        return Err(refuse(format!(
            "is a folder holding {} but no {} that searchrec wrote, so not a {} that {} may replace; choose another --out (a missing or empty folder, or a {})",
            name_some(&names),
            kind.marker,
            kind.noun,
            kind.writer,
            kind.noun
        )));
    }
    if let Some(allowed) = kind.entries {
        let extra: Vec<String> = names.into_iter().filter(|n| !allowed.contains(&n.as_str())).collect();
        if !extra.is_empty() {
            return Err(refuse(format!(
                "is a {} but also holds {}, which {} did not write; replacing the folder would delete them — move them out or choose another --out",
                kind.noun,
                name_some(&extra),
                kind.writer
            )));
        }
    }
    Ok(resolved)
}

/// A folder being built beside its target, published by [`Staged::commit`].
///
/// Dropping it unpublished removes the staging folder; a process killed
/// before that leaves debris that the next writer to the target removes.
#[derive(Debug)]
pub struct Staged {
    target: PathBuf,
    staging: PathBuf,
    aside: PathBuf,
    published: bool,
    // Dropped after `Drop::drop` has removed the staging folder.
    _lock: Lock,
}

impl Staged {
    /// Checks `target` ([`check_target`]), takes the writer lock, clears what
    /// a killed writer left beside the target, and makes an empty staging
    /// folder to write into.
    pub fn begin(target: &Path, kind: &FolderKind) -> Result<Staged> {
        let resolved = check_target(target, kind)?;
        let parent = resolved.parent().unwrap_or(Path::new("/"));
        fs::create_dir_all(parent).map_err(|e| DatasetError::io(parent, e))?;
        let lock = Lock::acquire(sibling(&resolved, "lock"), target)?;
        let staged = Staged {
            staging: sibling(&resolved, "staging"),
            aside: sibling(&resolved, "old"),
            target: resolved,
            published: false,
            _lock: lock,
        };
        staged.recover()?;
        // What counts is the target as found under the lock, after recovery.
        check_target(target, kind)?;
        fs::create_dir(&staged.staging).map_err(|e| DatasetError::io(&staged.staging, e))?;
        Ok(staged)
    }

    /// The staging folder to write every file into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// The target, symbolic links resolved.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Syncs the staging folder and puts it in the target's place.
    pub fn commit(mut self) -> Result<()> {
        self.publish(true)
    }

    fn publish(&mut self, try_exchange: bool) -> Result<()> {
        sync_tree(&self.staging)?;
        if !present(&self.target) {
            fs::rename(&self.staging, &self.target).map_err(|e| DatasetError::io(&self.target, e))?;
            self.published = true;
        } else if try_exchange
            && exchange(&self.staging, &self.target).map_err(|e| DatasetError::io(&self.target, e))?
        {
            self.published = true;
            // The old folder now has the staging name. Failing to remove it
            // loses nothing: the next writer removes it as debris.
            let _ = remove_all(&self.staging);
        } else {
            // No atomic exchange here: the target is absent between the two
            // renames, and `recover` restores the aside folder if the process
            // dies in between.
            fs::rename(&self.target, &self.aside).map_err(|e| DatasetError::io(&self.target, e))?;
            if let Err(e) = fs::rename(&self.staging, &self.target) {
                let _ = fs::rename(&self.aside, &self.target);
                return Err(DatasetError::io(&self.target, e));
            }
            self.published = true;
            let _ = remove_all(&self.aside);
        }
        if let Some(parent) = self.target.parent() {
            sync_dir(parent);
        }
        Ok(())
    }

    /// Applies the recovery rule for what a killed writer left beside the
    /// target: an aside folder comes back if the target is missing, else it
    /// is removed with any staging folder.
    fn recover(&self) -> Result<()> {
        if present(&self.aside) {
            if present(&self.target) {
                remove_all(&self.aside)?;
            } else {
                fs::rename(&self.aside, &self.target).map_err(|e| DatasetError::io(&self.aside, e))?;
            }
        }
        if present(&self.staging) {
            remove_all(&self.staging)?;
        }
        self.recover_legacy()
    }

    /// Debris of searchrec before the fixed names: `.NAME.old-PID` and
    /// `.NAME.staging-PID`, handled only when process PID is gone (known
    /// from `/proc`; without it they are left alone).
    fn recover_legacy(&self) -> Result<()> {
        let (Some(parent), Some(name)) = (self.target.parent(), self.target.file_name()) else {
            return Ok(());
        };
        if !Path::new("/proc/self").exists() {
            return Ok(());
        }
        let prefix = format!(".{}.", name.to_string_lossy());
        let mut found: Vec<(bool, PathBuf)> = Vec::new();
        let Ok(read) = fs::read_dir(parent) else { return Ok(()) };
        for entry in read.flatten() {
            let entry_name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = entry_name.strip_prefix(&prefix) else { continue };
            let (old, pid) = match (rest.strip_prefix("old-"), rest.strip_prefix("staging-")) {
                (Some(pid), _) => (true, pid),
                (_, Some(pid)) => (false, pid),
                _ => continue,
            };
            if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || Path::new("/proc").join(pid).exists() {
                continue;
            }
            found.push((old, entry.path()));
        }
        // Aside folders first, so a missing target gets its old folder back.
        found.sort_by_key(|(old, _)| !old);
        for (old, path) in found {
            if old && !present(&self.target) {
                fs::rename(&path, &self.target).map_err(|e| DatasetError::io(&path, e))?;
            } else {
                remove_all(&path)?;
            }
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.published {
            let _ = remove_all(&self.staging);
        }
    }
}

/// The exclusive writer lock on `.NAME.searchrec-lock`.
#[derive(Debug)]
struct Lock {
    path: PathBuf,
    // Closing the file releases the lock; `Drop` unlinks the path first.
    _file: File,
}

impl Lock {
    fn acquire(path: PathBuf, target: &Path) -> Result<Lock> {
        // A holder unlinks the file as it finishes; if that happened between
        // our open and our lock, we hold a lock on a dead file: open again.
        for _ in 0..16 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| DatasetError::io(&path, e))?;
            if !try_lock(&file).map_err(|e| DatasetError::io(&path, e))? {
                break;
            }
            if same_file(&file, &path) {
                // The holder's PID, for the message a refused writer prints.
                let _ = file.set_len(0).and_then(|()| writeln!(file, "{}", std::process::id()));
                return Ok(Lock { path, _file: file });
            }
        }
        let owner = fs::read_to_string(&path).ok().and_then(|s| s.trim().parse::<u32>().ok());
        Err(DatasetError::format(
            target,
            format!(
                "another searchrec process{} is writing this folder (it holds {}); wait for it to finish or choose another --out",
                owner.map(|pid| format!(" ({pid})")).unwrap_or_default(),
                path.display()
            ),
        ))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
fn try_lock(file: &File) -> std::io::Result<bool> {
    use rustix::fs::{FlockOperation, flock};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(unix))]
fn try_lock(_: &File) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    true
}

/// Swaps two existing paths atomically; `Ok(false)` where the system or the
/// file system cannot.
#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP || e == Errno::NOTSUP => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// `.NAME.searchrec-WHAT` beside `target`.
fn sibling(target: &Path, what: &str) -> PathBuf {
    let mut name = OsString::from(".");
    name.push(target.file_name().unwrap_or(OsStr::new("out")));
    name.push(format!(".searchrec-{what}"));
    target.with_file_name(name)
}

/// `target` made absolute, symbolic links in its existing part resolved and
/// `.` / `..` in the rest removed, so the ancestor check and the sibling
/// names see the real place.
fn resolve(target: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(target).map_err(|e| DatasetError::io(target, e))?;
    let mut existing = absolute.as_path();
    let mut rest: Vec<&OsStr> = Vec::new();
    let base = loop {
        if let Ok(real) = fs::canonicalize(existing) {
            break real;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            // `..` or the root: normalise the whole path lexically.
            _ => break PathBuf::new(),
        }
    };
    let joined = if base.as_os_str().is_empty() {
        absolute.clone()
    } else {
        rest.iter().rev().fold(base, |p, name| p.join(name))
    };
    let mut normal = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            c => normal.push(c),
        }
    }
    Ok(normal)
}

fn entries(dir: &Path) -> Result<Vec<String>> {
    let read = fs::read_dir(dir).map_err(|e| DatasetError::io(dir, e))?;
    let mut names = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| DatasetError::io(dir, e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names)
}

/// The first few names, and how many more.
fn name_some(names: &[String]) -> String {
    let shown: Vec<&str> = names.iter().take(NAMED).map(String::as_str).collect();
    let mut text = shown.join(", ");
    if names.len() > NAMED {
        text.push_str(&format!(" and {} more", names.len() - NAMED));
    }
    text
}

fn present(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn remove_all(path: &Path) -> Result<()> {
    let removed = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => Err(e),
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
    };
    removed.map_err(|e| DatasetError::io(path, e))
}

/// Syncs every file under `dir`, then the folders, so a power cut after the
/// rename cannot publish a folder whose data never reached the disk. The
/// files are synced in parallel: the file system commits concurrent syncs
/// together, which makes a folder of many small files several times faster.
fn sync_tree(dir: &Path) -> Result<()> {
    use rayon::prelude::*;
    let (mut files, mut dirs) = (Vec::new(), vec![dir.to_path_buf()]);
    let mut next = 0;
    while next < dirs.len() {
        let d = dirs[next].clone();
        next += 1;
        for entry in fs::read_dir(&d).map_err(|e| DatasetError::io(&d, e))? {
            let entry = entry.map_err(|e| DatasetError::io(&d, e))?;
            let kind = entry.file_type().map_err(|e| DatasetError::io(entry.path(), e))?;
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    files
        .par_iter()
        .try_for_each(|path| File::open(path).and_then(|f| f.sync_data()).map_err(|e| DatasetError::io(path, e)))?;
    dirs.par_iter().for_each(|d| sync_dir(d));
    Ok(())
}

/// Best effort: not every system can open or sync a folder.
fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `body` as `marker`, after the signature searchrec writes there.
    fn write_kind(dir: &Path, marker: &str, body: &str) {
        let signature = KINDS.iter().find(|k| k.marker == marker).map_or("", |k| k.signature);
        fs::write(dir.join(marker), format!("{signature}{body}")).unwrap();
    }

    /// A marker's body as [`write_kind`] wrote it.
    fn read_body(path: &Path) -> String {
        let text = fs::read_to_string(path).unwrap();
        let signature = KINDS.iter().find(|k| path.ends_with(k.marker)).map_or("", |k| k.signature);
        text.strip_prefix(signature).unwrap_or(&text).to_string()
    }

    fn publish(target: &Path, kind: &FolderKind, body: &str, try_exchange: bool) -> Result<()> {
        let mut staged = Staged::begin(target, kind)?;
        write_kind(staged.path(), kind.marker, body);
        staged.publish(try_exchange)
    }

    fn names(dir: &Path) -> Vec<String> {
        entries(dir).unwrap()
    }

    #[test]
    fn a_missing_target_is_renamed_into_place_and_nothing_is_left_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nested/world");
        publish(&out, &WORLD_FOLDER, "one", true).unwrap();
        assert_eq!(read_body(&out.join("world.toml")), "one");
        assert_eq!(names(&dir.path().join("nested")), ["world"]);
    }

    #[test]
    fn an_existing_target_is_exchanged_and_the_old_folder_removed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("world");
        publish(&out, &WORLD_FOLDER, "one", true).unwrap();
        fs::create_dir(out.join("truth")).unwrap();
        publish(&out, &WORLD_FOLDER, "two", true).unwrap();
        assert_eq!(read_body(&out.join("world.toml")), "two");
        assert!(!out.join("truth").exists(), "no file of the old folder survives");
        assert_eq!(names(dir.path()), ["world"]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_exchange_is_atomic_on_linux_file_systems() {
        // ext4, xfs, btrfs and tmpfs support RENAME_EXCHANGE; if this fails the
        // tests' file system makes every publish take the fallback's window.
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        write_kind(&a, "x", "a");
        assert!(exchange(&a, &b).unwrap(), "RENAME_EXCHANGE unsupported under {}", dir.path().display());
        assert_eq!(fs::read_to_string(b.join("x")).unwrap(), "a");
        assert!(!a.join("x").exists());
    }

    #[test]
    fn the_fallback_without_exchange_also_replaces_the_whole_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        publish(&out, &RUN_FOLDER, "one", false).unwrap();
        publish(&out, &RUN_FOLDER, "two", false).unwrap();
        assert_eq!(read_body(&out.join("results.json")), "two");
        assert_eq!(names(dir.path()), ["run"]);
    }

    #[test]
    fn an_empty_folder_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        publish(dir.path(), &WORLD_FOLDER, "one", true).unwrap();
        assert_eq!(read_body(&dir.path().join("world.toml")), "one");
    }

    #[test]
    fn dropping_an_unpublished_folder_leaves_the_old_one_and_no_debris() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("world");
        publish(&out, &WORLD_FOLDER, "one", true).unwrap();
        let staged = Staged::begin(&out, &WORLD_FOLDER).unwrap();
        write_kind(staged.path(), "world.toml", "two");
        drop(staged);
        assert_eq!(read_body(&out.join("world.toml")), "one");
        assert_eq!(names(dir.path()), ["world"]);
    }

    #[test]
    fn debris_of_a_killed_writer_is_removed_and_an_aside_folder_restored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("world");
        // Killed while staging: a half-written staging folder and a stale lock file.
        publish(&out, &WORLD_FOLDER, "one", true).unwrap();
        fs::create_dir(dir.path().join(".world.searchrec-staging")).unwrap();
        fs::write(dir.path().join(".world.searchrec-staging/items.parquet"), "half").unwrap();
        fs::write(dir.path().join(".world.searchrec-lock"), "4194304\n").unwrap();
        publish(&out, &WORLD_FOLDER, "two", true).unwrap();
        assert_eq!(names(dir.path()), ["world"]);

        // Killed inside the fallback's window: the old folder aside, the target missing.
        fs::rename(&out, dir.path().join(".world.searchrec-old")).unwrap();
        fs::create_dir(dir.path().join(".world.searchrec-staging")).unwrap();
        let staged = Staged::begin(&out, &WORLD_FOLDER).unwrap();
        assert_eq!(read_body(&out.join("world.toml")), "two", "the old folder is back first");
        drop(staged);
        assert_eq!(names(dir.path()), ["world"]);
    }

    #[test]
    fn debris_of_older_versions_is_handled_once_its_process_is_gone() {
        if !Path::new("/proc/self").exists() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        // PIDs above the kernel's maximum (2^22) are never alive.
        let dead = 4_194_305;
        for name in [format!(".run.old-{dead}"), format!(".run.staging-{dead}")] {
            fs::create_dir(dir.path().join(&name)).unwrap();
            write_kind(&dir.path().join(&name), "results.json", &name);
        }
        let live = format!(".run.staging-{}", std::process::id());
        fs::create_dir(dir.path().join(&live)).unwrap();
        let staged = Staged::begin(&out, &RUN_FOLDER).unwrap();
        assert_eq!(read_body(&out.join("results.json")), format!(".run.old-{dead}"));
        drop(staged);
        assert_eq!(names(dir.path()), [live, "run".to_string()], "a live process's folder is left alone");
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("world");
        let first = Staged::begin(&out, &WORLD_FOLDER).unwrap();
        let err = Staged::begin(&out, &WORLD_FOLDER).unwrap_err().to_string();
        assert!(err.contains("another searchrec process") && err.contains(".world.searchrec-lock"), "{err}");
        assert!(first.path().is_dir(), "the refused writer did not touch the first one's staging folder");
        drop(first);
        publish(&out, &WORLD_FOLDER, "one", true).unwrap();
        assert_eq!(names(dir.path()), ["world"]);
    }

    #[test]
    fn foreign_folders_are_refused_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let mine = dir.path().join("mine");
        fs::create_dir(&mine).unwrap();
        fs::write(mine.join("qrels.txt"), "mine").unwrap();
        let err = check_target(&mine, &WORLD_FOLDER).unwrap_err().to_string();
        assert!(
            err.contains("qrels.txt") && err.contains("no world.toml") && err.contains("choose another --out"),
            "{err}"
        );

        let world = dir.path().join("world");
        publish(&world, &WORLD_FOLDER, "w", true).unwrap();
        let err = check_target(&world.join("truth"), &WORLD_FOLDER).unwrap_err().to_string();
        assert!(err.contains("inside the world folder"), "{err}");
        let err = check_target(&world.join("run"), &RUN_FOLDER).unwrap_err().to_string();
        assert!(err.contains("inside the world folder"), "{err}");
        let err = check_target(&world, &RUN_FOLDER).unwrap_err().to_string();
        assert!(err.contains("is a world folder"), "{err}");

        let run = dir.path().join("run");
        publish(&run, &RUN_FOLDER, "r", true).unwrap();
        let err = check_target(&run, &WORLD_FOLDER).unwrap_err().to_string();
        assert!(err.contains("is a run folder") && err.contains("results.json"), "{err}");
        let err = check_target(&run.join("w"), &WORLD_FOLDER).unwrap_err().to_string();
        assert!(err.contains("inside the run folder"), "{err}");
        // `..` does not hide an ancestor: run/x/.. is the run folder itself.
        let err = check_target(&run.join("x/../w"), &WORLD_FOLDER).unwrap_err().to_string();
        assert!(err.contains("inside the run folder"), "{err}");

        fs::write(world.join("notes.txt"), "mine").unwrap();
        let err = check_target(&world, &WORLD_FOLDER).unwrap_err().to_string();
        assert!(err.contains("notes.txt") && err.contains("delete"), "{err}");

        let file = dir.path().join("file");
        fs::write(&file, "x").unwrap();
        let err = check_target(&file, &WORLD_FOLDER).unwrap_err().to_string();
        assert!(err.contains("not a folder"), "{err}");
        assert!(Staged::begin(&mine, &WORLD_FOLDER).is_err());
        assert_eq!(fs::read_to_string(mine.join("qrels.txt")).unwrap(), "mine");
        assert_eq!(names(dir.path()), ["file", "mine", "run", "world"], "refusals write nothing");
    }

    #[test]
    fn marker_names_that_searchrec_did_not_write_mark_nothing() {
        // A project folder with the user's scenario called world.toml and
        // another tool's results.json: outputs below it are fine, and the
        // folder itself is still refused as nobody's output.
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("world.toml"), "scale = \"small\"\n").unwrap();
        fs::write(dir.path().join("results.json"), "{\"accuracy\": 0.9}").unwrap();
        publish(&dir.path().join("world"), &WORLD_FOLDER, "w", true).unwrap();
        publish(&dir.path().join("run"), &RUN_FOLDER, "r", true).unwrap();
        let err = check_target(dir.path(), &WORLD_FOLDER).unwrap_err().to_string();
        assert!(err.contains("no world.toml that searchrec wrote"), "{err}");
    }

    #[test]
    fn a_symbolic_link_target_is_published_through() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        publish(&real, &RUN_FOLDER, "one", true).unwrap();
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&real, &link).unwrap();
            publish(&link, &RUN_FOLDER, "two", true).unwrap();
            assert!(fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
            assert_eq!(read_body(&real.join("results.json")), "two");
        }
    }
}
