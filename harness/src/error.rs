//! The harness error type.

use std::path::PathBuf;

use searchrec_engine::EngineError;
use thiserror::Error;

/// Everything that can go wrong measuring engines.
#[derive(Debug, Error)]
pub enum HarnessError {
    /// An engine failed to answer.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// Input that cannot be measured: a duplicate document in a run, a k of
    /// 0, an empty query set, mismatched pairs, a malformed run file line…
    #[error("{what}: {message}")]
    Invalid {
        /// What was being read or measured (a file, `run`, `qrels`, …).
        what: String,
        /// What is wrong and the fix when known.
        message: String,
    },
}

/// Result alias for harness operations.
pub type Result<T, E = HarnessError> = std::result::Result<T, E>;
