//! Registry entry for the `exact` engine kind.

use std::sync::Arc;

use searchrec_engine::{BuildInput, Capabilities, EngineFactory, EngineIndex, Result, parse_params};
use searchrec_interest::{InterestEngine, InterestIndex};

use crate::{BUILD_PATHS, ExactConfig};

/// Builds exact interest indexes from an [`ExactConfig`] section.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExactFactory;

impl EngineFactory for ExactFactory {
    fn kind(&self) -> &'static str {
        "exact"
    }

    fn summary(&self) -> &'static str {
        "exact recall: the interest engine's embeddings searched by brute force, the ground truth for ANN recall"
    }

    fn build_paths(&self) -> &'static [&'static str] {
        BUILD_PATHS
    }

    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities> {
        let config: ExactConfig = parse_params(name, params)?;
        config.interest().validate().map_err(|e| e.into_engine(name))?;
        Ok(InterestEngine::CAPABILITIES)
    }

    fn build_index(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Arc<dyn EngineIndex>> {
        let config: ExactConfig = parse_params(name, params)?;
        Ok(Arc::new(InterestIndex::build(name, &config.interest(), input)?))
    }
}
