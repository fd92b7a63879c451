//! Connections: opening them with errors that name the server, and a small
//! fixed-size pool shared by every searcher of one index.
//!
//! A pool of our own rather than r2d2: it is forty lines, and each pooled
//! connection carries state the engine needs (its prepared statements and
//! the `hnsw.*` settings last sent on it).

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use postgres::{Client, Config, NoTls, Statement};
use searchrec_engine::{EngineError, Result};

use crate::config::IterativeScan;

/// How long to wait for a server before calling it unreachable, unless the
/// connection string sets `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The connection string with any password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@') {
            let userinfo = &rest[..at];
            if let Some(colon) = userinfo.find(':') {
                return format!("{}{}:***{}", &url[..scheme_end + 3], &userinfo[..colon], &rest[at..]);
            }
        }
        return url.to_string();
    }
    let mut out = Vec::new();
    let mut hide = false;
    for word in url.split_whitespace() {
        let key = word.split('=').next().unwrap_or("").trim();
        if hide {
            // `password = secret`: the value is its own word.
            if word == "=" {
                out.push(word.to_string());
                continue;
            }
            out.push(if word.starts_with('=') { "=***".to_string() } else { "***".to_string() });
            hide = false;
        } else if key.eq_ignore_ascii_case("password") {
            match word.split_once('=') {
                Some((k, v)) if !v.is_empty() => out.push(format!("{k}=***")),
                _ => {
                    out.push(word.to_string());
                    hide = true;
                }
            }
        } else {
            out.push(word.to_string());
        }
    }
    out.join(" ")
}

/// Where to connect, parsed, with its redacted text for messages.
#[derive(Clone)]
pub(crate) struct Server {
    config: Config,
    shown: String,
}

impl Server {
    /// Parses `url`; the error names the engine, `url` and the redacted string.
    pub(crate) fn parse(engine: &str, url: &str) -> Result<Server> {
        let shown = redact(url);
        let mut config: Config = url.parse().map_err(|e| EngineError::Config {
            engine: engine.to_string(),
            field: "url".to_string(),
            message: format!("`{shown}` is not a connection string: {e}"),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        config.application_name("searchrec");
        Ok(Server { config, shown })
    }

    /// The redacted connection string.
    pub(crate) fn shown(&self) -> &str {
        &self.shown
    }

    /// One new connection.
    pub(crate) fn connect(&self, engine: &str) -> Result<Client> {
        self.config.connect(NoTls).map_err(|e| EngineError::Backend {
            engine: engine.to_string(),
            message: format!(
                "cannot connect to PostgreSQL at `{}`: {e}; start a server (scripts/ci/postgres.sh start DIR PORT) \
                 or set the engine's `url` (or SEARCHREC_PG_URL)",
                self.shown
            ),
        })
    }

    /// A query error, naming the server and what was being done.
    pub(crate) fn error(&self, engine: &str, doing: &str, e: impl std::fmt::Display) -> EngineError {
        EngineError::Backend { engine: engine.to_string(), message: format!("{doing} on `{}`: {e}", self.shown) }
    }
}

/// The statements every request kind runs, prepared once per connection.
pub(crate) struct Statements {
    /// Search with `websearch_to_tsquery`.
    pub(crate) websearch: Statement,
    /// Search with an OR of words (`to_tsquery`).
    pub(crate) any: Statement,
    /// Nearest items by inner product.
    pub(crate) nearest: Statement,
}

/// A pooled connection and the session settings last sent on it.
pub(crate) struct Conn {
    pub(crate) client: Client,
    pub(crate) statements: Statements,
    hnsw: Option<(usize, IterativeScan)>,
}

impl Conn {
    /// Sends `hnsw.ef_search` and `hnsw.iterative_scan` unless this
    /// connection already has them: searchers with different settings share
    /// the pool, and a session-level SET costs one round trip only on change.
    pub(crate) fn hnsw_settings(&mut self, ef_search: usize, scan: IterativeScan) -> Result<(), postgres::Error> {
        if self.hnsw != Some((ef_search, scan)) {
            self.hnsw = None;
            let sql = format!("SET hnsw.ef_search = {ef_search}; SET hnsw.iterative_scan = {}", scan.as_sql());
            self.client.batch_execute(&sql)?;
            self.hnsw = Some((ef_search, scan));
        }
        Ok(())
    }
}

/// Opens and prepares a connection for the pool.
pub(crate) type Opener = Box<dyn Fn() -> Result<(Client, Statements)> + Send + Sync>;

/// At most `size` connections, opened on demand and reused.
pub(crate) struct Pool {
    open: Opener,
    size: usize,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    idle: Vec<Conn>,
    /// Connections in existence: idle, lent out, or being opened.
    live: usize,
}

impl Pool {
    /// An empty pool of `size` connections made by `open`.
    pub(crate) fn new(size: usize, open: Opener) -> Pool {
        Pool { open, size, state: Mutex::new(State { idle: Vec::new(), live: 0 }), freed: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves the state consistent (every
        // update is a single push, pop or counter step), so poison is ignored.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A connection, waiting while all `size` are lent out.
    pub(crate) fn get(&self) -> Result<Lease<'_>> {
        let mut state = self.lock();
        loop {
            if let Some(conn) = state.idle.pop() {
                return Ok(Lease { pool: self, conn: Some(conn) });
            }
            if state.live < self.size {
                state.live += 1;
                drop(state);
                return match (self.open)() {
                    Ok((client, statements)) => {
                        Ok(Lease { pool: self, conn: Some(Conn { client, statements, hnsw: None }) })
                    }
                    Err(e) => {
                        self.lock().live -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            state = self.freed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// A lent connection, returned to the pool on drop (closed instead when the
/// server dropped it).
pub(crate) struct Lease<'a> {
    pool: &'a Pool,
    conn: Option<Conn>,
}

impl std::ops::Deref for Lease<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn.as_ref().expect("a lease holds its connection until dropped")
    }
}

impl std::ops::DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("a lease holds its connection until dropped")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let mut state = self.pool.lock();
        if conn.client.is_closed() {
            state.live -= 1;
        } else {
            state.idle.push(conn);
        }
        drop(state);
        self.pool.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(redact("postgresql://me:secret@db:5432/x"), "postgresql://me:***@db:5432/x");
        assert_eq!(redact("postgres://me@db/x"), "postgres://me@db/x");
        assert_eq!(redact("host=db password=secret user=me"), "host=db password=*** user=me");
        assert_eq!(redact("host=db password= secret"), "host=db password= ***");
        assert_eq!(redact("host=db password = secret"), "host=db password = ***");
        assert_eq!(redact("host=/tmp port=5"), "host=/tmp port=5");
    }
}
