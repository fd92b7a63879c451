//! Errors of the vector layer, before an engine name is attached.

use searchrec_engine::EngineError;
use thiserror::Error;

/// What can go wrong training, indexing or querying, independent of which
/// engine instance is doing it. Engines turn it into an [`EngineError`] with
/// [`VectorError::into_engine`], so the exact engine reports the same
/// failures in the same words.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum VectorError {
    /// A configuration value is out of range.
    #[error("parameter `{field}`: {message}")]
    Config {
        /// Dotted path of the parameter, e.g. `embedding.dim`.
        field: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The data to train or index from is unusable.
    #[error("invalid input data: {0}")]
    InvalidData(String),
    /// A query or request is malformed (wrong dimension, NaN, unknown id).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

impl VectorError {
    /// A config error for `field`.
    pub fn config(field: &str, message: impl Into<String>) -> Self {
        VectorError::Config { field: field.to_string(), message: message.into() }
    }

    /// The engine-boundary error for engine instance `engine`.
    pub fn into_engine(self, engine: &str) -> EngineError {
        let engine = engine.to_string();
        match self {
            VectorError::Config { field, message } => EngineError::Config { engine, field, message },
            VectorError::InvalidData(message) => EngineError::InvalidData { engine, message },
            VectorError::InvalidRequest(message) => EngineError::InvalidRequest { engine, message },
        }
    }
}
