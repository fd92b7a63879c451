//! A PostgreSQL server of the engine's own, for builds that name none: a
//! fresh cluster in a temporary directory on a free port, stopped and
//! removed on drop.
//!
//! The server is started and stopped by `scripts/ci/postgres.sh`, so that
//! there is one place that knows where the binaries are (`SEARCHREC_PG_BIN`,
//! else the venv `scripts/ci/postgres.sh install` made) and how to run them
//! when we are root (as an unprivileged user: PostgreSQL refuses root).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

/// Where the script is: `SEARCHREC_PG_SCRIPT`, else this source tree's.
pub const SCRIPT_ENV: &str = "SEARCHREC_PG_SCRIPT";

fn script() -> PathBuf {
    std::env::var_os(SCRIPT_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/ci/postgres.sh"))
}

/// A running throwaway server.
#[derive(Debug)]
pub struct ThrowawayServer {
    script: PathBuf,
    dir: PathBuf,
    url: String,
}

impl ThrowawayServer {
    /// Starts one; the error says what is missing and how to install it.
    pub fn start() -> Result<ThrowawayServer, String> {
        let script = script();
        let run = |args: &[&std::ffi::OsStr]| {
            Command::new("bash")
                .arg(&script)
                .args(args)
                .output()
                .map_err(|e| format!("cannot run {}: {e}", script.display()))
        };
        let bin = run(&["bin".as_ref()])?;
        if !bin.status.success() {
            return Err(format!(
                "no PostgreSQL with pgvector to start a throwaway server: run `scripts/ci/postgres.sh install` \
                 (or set SEARCHREC_PG_BIN to a bin directory with initdb and pg_ctl), or give the engine a `url` \
                 ({})",
                String::from_utf8_lossy(&bin.stderr).trim()
            ));
        }
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "searchrec-pg-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        // The server may run as another user: it must reach its data
        // directory through this one, but needs to list nothing here.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o711))
                .map_err(|e| format!("chmod {}: {e}", dir.display()))?;
        }
        // From here on, drop removes the directory (and stops a started server).
        let mut server = ThrowawayServer { script: script.clone(), dir, url: String::new() };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?
            .port();
        // Our pid: the script stops the server once this process is gone,
        // should it exit without dropping us (a static, a kill).
        let pid = std::process::id().to_string();
        let out = run(&["start".as_ref(), server.data().as_os_str(), port.to_string().as_ref(), pid.as_ref()])?;
        if !out.status.success() {
            return Err(format!(
                "scripts/ci/postgres.sh start {} {port} failed: {}",
                server.data().display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        server.url = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or_default().trim().to_string();
        Ok(server)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Its connection string.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for ThrowawayServer {
    fn drop(&mut self) {
        let data = self.data();
        if data.join("postmaster.pid").exists() {
            let stopped = Command::new("bash").arg(&self.script).arg("stop").arg(&data).status();
            if !matches!(stopped, Ok(s) if s.success()) {
                eprintln!("searchrec-postgres: could not stop the throwaway server in {}", data.display());
                return;
            }
        }
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("searchrec-postgres: could not remove {}: {e}", self.dir.display());
        }
    }
}
