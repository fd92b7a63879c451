//! Registry entry for the `exact` engine kind.

use searchrec_engine::{BuildInput, Capabilities, Engine, EngineFactory, Result, parse_params};

use crate::{ExactConfig, ExactEngine};

/// Builds [`ExactEngine`]s from an [`ExactConfig`] section.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExactFactory;

impl EngineFactory for ExactFactory {
    fn kind(&self) -> &'static str {
        "exact"
    }

    fn summary(&self) -> &'static str {
        "exact recall: the interest engine's embeddings searched by brute force, the ground truth for ANN recall"
    }

    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities> {
        parse_params::<ExactConfig>(name, params)?;
        Ok(ExactEngine::CAPABILITIES)
    }

    fn build(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Box<dyn Engine>> {
        let config: ExactConfig = parse_params(name, params)?;
        Ok(Box::new(ExactEngine::build(name, &config, input)?))
    }
}
