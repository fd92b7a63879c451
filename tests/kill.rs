//! No lost data on a kill, and no write into a folder searchrec did not
//! write: `generate` and `run` killed at any instant (SIGKILL at seeded
//! random delays over the whole run, the final swap included, and SIGXFSZ
//! from a file-size limit) leave the complete old or the complete new output
//! at their path, and the next run into it succeeds; a foreign `--out` is
//! refused before anything is written.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use searchrec_datasets::io::{read_manifest, read_world};
use searchrec_harness::results::read_results;

fn searchrec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_searchrec")).args(args).arg("--quiet").output().expect("runs")
}

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_searchrec"))
        .args(args)
        .arg("--quiet")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// splitmix64: the test's own seeded stream of delays.
struct Delays(u64);

impl Delays {
    fn next_fraction(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// When kill `i` is sent: even kills at a delay spread over the whole
    /// run and a little past it; odd kills once `last_file` has appeared in
    /// the staging folder (everything is written, the sync and the swap are
    /// next), after up to 40 ms, so they land on the sync, the exchange,
    /// the removal of the old folder and the exit.
    fn kill_at(&mut self, i: usize, run: Duration, last_file: &Path) -> KillAt {
        let f = self.next_fraction();
        if i.is_multiple_of(2) {
            KillAt { after: None, delay: run.mul_f64(1.3 * f) }
        } else {
            KillAt { after: Some(last_file.to_path_buf()), delay: Duration::from_millis(40).mul_f64(f) }
        }
    }
}

struct KillAt {
    /// Wait for this file first.
    after: Option<PathBuf>,
    delay: Duration,
}

#[derive(Default, Debug)]
struct Tally {
    /// Processes killed (the others had finished before the signal).
    kills: usize,
    /// The old output remained.
    old: usize,
    /// The new output is there.
    new: usize,
    /// Killed with a complete folder under the staging name: the new one
    /// synced or syncing and not yet swapped in, or the old one swapped out
    /// and not yet removed.
    at_swap: usize,
}

/// Starts `args`, kills it with SIGKILL at `at`, and says whether it had
/// finished first.
fn kill_after(args: &[&str], at: &KillAt) -> bool {
    let spawned = SystemTime::now();
    let mut child = spawn(args);
    if let Some(file) = &at.after {
        // Written by this process, not a copy in what an earlier kill left
        // under the staging name (the next run removes that first).
        let written = || fs::metadata(file).and_then(|m| m.modified()).is_ok_and(|t| t >= spawned);
        let started = Instant::now();
        while !written() && child.try_wait().expect("waits").is_none() && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    std::thread::sleep(at.delay);
    let finished = child.try_wait().expect("waits").is_some();
    if !finished {
        child.kill().expect("SIGKILL");
    }
    child.wait().expect("reaped");
    finished
}

/// The two kill loops run one at a time: each calibrates its delays on its
/// own uninterrupted run, which the other's load would skew.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The entries of `dir` other than `keep`, i.e. what a writer left.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

fn world_seed(out: &Path) -> u64 {
    let manifest = read_manifest(out).unwrap_or_else(|e| panic!("the folder holds no complete world: {e}"));
    let world = read_world(out).unwrap_or_else(|e| panic!("the folder holds no complete world: {e}"));
    assert_eq!(world.seed, manifest.seed);
    manifest.seed
}

#[test]
fn a_killed_generate_leaves_the_old_or_the_new_world_whole() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w");
    let staging = dir.path().join(".w.searchrec-staging");
    let last_file = staging.join("world.toml");
    let started = Instant::now();
    let o = searchrec(&["generate", "--scale", "tiny", "--seed", "1", "--out", path(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = started.elapsed();
    assert_eq!(world_seed(&out), 1);

    let mut delays = Delays(13);
    let mut tally = Tally::default();
    let mut current = 1;
    let kills = 40;
    let started = Instant::now();
    for i in 0..kills {
        let seed = 100 + i as u64;
        let seed_arg = seed.to_string();
        let args = ["generate", "--scale", "tiny", "--seed", &seed_arg, "--out", path(&out)];
        let finished = kill_after(&args, &delays.kill_at(i, run, &last_file));
        let found = world_seed(&out);
        assert!(
            found == current || found == seed,
            "kill {i}: seed {found}, neither the old {current} nor the new {seed}"
        );
        tally.kills += usize::from(!finished);
        let staged = read_manifest(&staging).ok().map(|m| m.seed);
        let (before_swap, after_swap) =
            (staged == Some(seed) && found == current, staged == Some(current) && found == seed);
        tally.at_swap += usize::from(before_swap || after_swap);
        if found == seed {
            tally.new += 1;
            current = seed;
        } else {
            assert!(!finished, "kill {i}: finished but the old world is still there");
            tally.old += 1;
        }
    }
    let o = searchrec(&["generate", "--scale", "tiny", "--seed", "999", "--out", path(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(world_seed(&out), 999);
    assert_eq!(leftovers(dir.path(), &["w"]), Vec::<String>::new(), "the last writer cleared every staging folder");
    eprintln!(
        "generate: {kills} runs in {:.1} s (one run {:.2} s): {} killed, {} finished first; {} left the old world, {} the new; {} at the swap",
        started.elapsed().as_secs_f64(),
        run.as_secs_f64(),
        tally.kills,
        kills - tally.kills,
        tally.old,
        tally.new,
        tally.at_swap
    );
    assert!(tally.old > 0 && tally.new > 0, "kills landed both before and after the swap: {tally:?}");
}

/// A run as small as a run gets: a tiny world in memory, one engine, no load.
fn run_scenario(dir: &Path, name: &str) -> PathBuf {
    let file = dir.join(format!("{name}.toml"));
    let text = format!(
        "name = \"{name}\"\n[world]\nscale = \"tiny\"\nseed = 11\n[evaluation]\nk = 10\nrandomisation_trials = 10\nann_users = 10\n\
         [load]\nrequests = 0\n[[engines]]\nname = \"shelf\"\nkind = \"shelf\"\n"
    );
    fs::write(&file, text).unwrap();
    file
}

fn run_name(out: &Path) -> String {
    let results = read_results(out).unwrap_or_else(|e| panic!("the folder holds no complete run: {e}"));
    for file in ["per_query.parquet", "report.html"] {
        assert!(out.join(file).is_file(), "{file} missing beside results.json");
    }
    results.run.scenario
}

#[test]
fn a_killed_run_leaves_the_old_or_the_new_run_folder_whole() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    fs::create_dir(&scenarios).unwrap();
    let out = dir.path().join("run");
    // The report is rendered last into the staging folder.
    let staging = dir.path().join(".run.searchrec-staging");
    let last_file = staging.join("report.html");
    let first = run_scenario(&scenarios, "r0");
    let started = Instant::now();
    let o = searchrec(&["run", path(&first), "--out", path(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = started.elapsed();
    assert_eq!(run_name(&out), "r0");

    let mut delays = Delays(29);
    let mut tally = Tally::default();
    let mut current = "r0".to_string();
    let kills = 30;
    let started = Instant::now();
    for i in 0..kills {
        let name = format!("r{}", i + 1);
        let scenario = run_scenario(&scenarios, &name);
        let finished = kill_after(&["run", path(&scenario), "--out", path(&out)], &delays.kill_at(i, run, &last_file));
        let found = run_name(&out);
        assert!(
            found == current || found == name,
            "kill {i}: run {found}, neither the old {current} nor the new {name}"
        );
        tally.kills += usize::from(!finished);
        let staged = read_results(&staging).ok().map(|r| r.run.scenario);
        let (before_swap, after_swap) =
            (staged == Some(name.clone()) && found == current, staged == Some(current.clone()) && found == name);
        tally.at_swap += usize::from(before_swap || after_swap);
        if found == name {
            tally.new += 1;
            current = name;
        } else {
            assert!(!finished, "kill {i}: finished but the old run is still there");
            tally.old += 1;
        }
    }
    let last = run_scenario(&scenarios, "last");
    let o = searchrec(&["run", path(&last), "--out", path(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(run_name(&out), "last");
    assert_eq!(leftovers(dir.path(), &["run", "scenarios"]), Vec::<String>::new());
    eprintln!(
        "run: {kills} runs in {:.1} s (one run {:.2} s): {} killed, {} finished first; {} left the old run, {} the new; {} at the swap",
        started.elapsed().as_secs_f64(),
        run.as_secs_f64(),
        tally.kills,
        kills - tally.kills,
        tally.old,
        tally.new,
        tally.at_swap
    );
    assert!(tally.old > 0 && tally.new > 0, "kills landed both before and after the swap: {tally:?}");
}

#[test]
fn a_generate_killed_by_the_file_size_limit_leaves_the_old_world() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w");
    let o = searchrec(&["generate", "--scale", "tiny", "--seed", "1", "--out", path(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 64 KiB: the tables are written, then the process gets SIGXFSZ (or
    // EFBIG where the signal is ignored) part-way through one.
    let script = format!(
        "ulimit -f 64 && exec '{}' generate --scale tiny --seed 2 --out '{}' --quiet",
        env!("CARGO_BIN_EXE_searchrec"),
        path(&out)
    );
    let o = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    assert!(!o.status.success(), "the limit did not stop the run");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        let err = stderr(&o);
        assert!(o.status.signal() == Some(25) || err.contains("large"), "{:?} {err}", o.status);
    }
    assert_eq!(world_seed(&out), 1);
    let o = searchrec(&["generate", "--scale", "tiny", "--seed", "3", "--out", path(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(world_seed(&out), 3);
    assert_eq!(leftovers(dir.path(), &["w"]), Vec::<String>::new());
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push((p.clone(), fs::read(&p).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn a_foreign_out_folder_is_refused_and_left_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mine = root.join("mine");
    fs::create_dir(&mine).unwrap();
    fs::write(mine.join("qrels.txt"), "1 0 7 3\n").unwrap();
    fs::write(mine.join("notes.md"), "mine\n").unwrap();
    let world = root.join("world");
    let o = searchrec(&["generate", "--scale", "tiny", "--seed", "4", "--out", path(&world)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = root.join("run");
    let scenario = run_scenario(root, "r");
    let o = searchrec(&["run", path(&scenario), "--out", path(&run)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = snapshot(root);

    let generate = |out: &Path| searchrec(&["generate", "--scale", "tiny", "--seed", "5", "--out", path(out)]);
    let runs = |out: &Path| searchrec(&["run", path(&scenario), "--out", path(out)]);
    let cases: [(&str, Output, &[&str]); 6] = [
        ("generate into a user's folder", generate(&mine), &["qrels.txt", "no world.toml", "choose another --out"]),
        ("generate into world/truth", generate(&world.join("truth")), &["inside the world folder"]),
        ("generate into a new folder in a world", generate(&world.join("again")), &["inside the world folder"]),
        ("generate into a run folder", generate(&run), &["is a run folder", "results.json"]),
        ("run into a world folder", runs(&world), &["is a world folder", "world.toml"]),
        ("run inside a run folder", runs(&run.join("runs")), &["inside the run folder"]),
    ];
    for (what, o, needles) in cases {
        let err = stderr(&o);
        assert!(!o.status.success(), "{what}: succeeded");
        for needle in needles {
            assert!(err.contains(needle), "{what}: {err}");
        }
        assert!(!err.contains("panicked"), "{what}: {err}");
    }
    assert!(snapshot(root) == before, "a refused command changed a file");
    assert_eq!(leftovers(root, &["mine", "world", "run", "r.toml"]), Vec::<String>::new());
}
