//! The engine error type.

use thiserror::Error;

/// Everything that can go wrong building or querying an engine.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The registry has no engine kind of that name.
    #[error("unknown engine kind `{kind}`; registered kinds: {}", known.join(", "))]
    UnknownEngine {
        /// The name asked for.
        kind: String,
        /// The names the registry knows.
        known: Vec<String>,
    },
    /// A configuration section is malformed or a parameter is out of range.
    #[error("engine `{engine}`: parameter `{field}`: {message}")]
    Config {
        /// Engine instance name.
        engine: String,
        /// The offending parameter (dotted path), or `params` for the section.
        field: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The engine cannot serve this kind of request.
    #[error("engine `{engine}` does not support {operation}")]
    Unsupported {
        /// Engine instance name.
        engine: String,
        /// `"search"` or `"recommend"`.
        operation: &'static str,
    },
    /// The data the engine was built from is unusable (empty catalogue, NaN
    /// or wrongly sized vectors, …).
    #[error("engine `{engine}`: invalid input data: {message}")]
    InvalidData {
        /// Engine instance name.
        engine: String,
        /// What is wrong.
        message: String,
    },
    /// A request is malformed (k = 0, unknown user, …).
    #[error("engine `{engine}`: invalid request: {message}")]
    InvalidRequest {
        /// Engine instance name.
        engine: String,
        /// What is wrong.
        message: String,
    },
    /// The underlying library failed.
    #[error("engine `{engine}`: {message}")]
    Backend {
        /// Engine instance name.
        engine: String,
        /// The library's error, rendered.
        message: String,
    },
}

/// Result alias for engine operations.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
