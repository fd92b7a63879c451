//! The reports error type.

use std::path::PathBuf;

use searchrec_harness::HarnessError;
use thiserror::Error;

/// Everything that can go wrong turning results into reports and exports.
#[derive(Debug, Error)]
pub enum ReportError {
    /// `results.json` could not be read (missing, truncated, not JSON, or
    /// from another schema version), or a file could not be written
    /// atomically; the message names the file and the fix.
    #[error(transparent)]
    Results(#[from] HarnessError),
    /// A file could not be written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// The regression threshold of `compare` is not a fraction or a percentage.
    #[error("bad regression threshold `{given}`: {message}")]
    Threshold {
        /// What was given.
        given: String,
        /// Why it was refused and what to write instead.
        message: String,
    },
    /// The embedded templates failed to render: a bug in searchrec, not in the input.
    #[error("rendering the report failed (a searchrec bug; please report it): {0:#}")]
    Template(#[from] minijinja::Error),
    /// An export could not be serialised.
    #[error("{path}: cannot serialise: {source}")]
    Serialise {
        /// The file being written.
        path: PathBuf,
        /// The serialiser's error.
        #[source]
        source: serde_json::Error,
    },
}

/// Result alias for report operations.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
