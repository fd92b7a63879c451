//! The dataset error type.

use std::path::PathBuf;

use thiserror::Error;

/// Everything that can go wrong generating, writing or reading a world. Every
/// variant names the file (and where it applies the field or column) so the
/// message alone tells the user what to fix.
#[derive(Debug, Error)]
pub enum DatasetError {
    /// A scenario file is not valid TOML or does not fit the schema.
    #[error("{file}: {message}")]
    ScenarioSyntax {
        /// The scenario file.
        file: PathBuf,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A scenario field has a value outside its allowed range.
    #[error("{file}: field `{field}`: {message}")]
    ScenarioField {
        /// The scenario file (or `<preset>` for built-in scales).
        file: PathBuf,
        /// Dotted path of the field, e.g. `queries.typo`.
        field: String,
        /// What is wrong and the allowed range.
        message: String,
    },
    /// The embedded taxonomy resource is inconsistent (a bug in the resource).
    #[error("taxonomy resource: {0}")]
    Taxonomy(String),
    /// A file could not be read, written or renamed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// A data file is corrupt, truncated or does not have the expected schema.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong (column, row, expected type), and the fix when known.
        message: String,
    },
}

/// Result alias for dataset operations.
pub type Result<T, E = DatasetError> = std::result::Result<T, E>;

impl DatasetError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        DatasetError::Io { path: path.into(), source }
    }

    pub(crate) fn format(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        DatasetError::Format { path: path.into(), message: message.into() }
    }
}
