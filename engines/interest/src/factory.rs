//! Registry entry for the `interest` engine kind.

use searchrec_engine::{BuildInput, Capabilities, Engine, EngineFactory, Result, parse_params};

use crate::{InterestConfig, InterestEngine};

/// Builds [`InterestEngine`]s from an [`InterestConfig`] section.
#[derive(Clone, Copy, Debug, Default)]
pub struct InterestFactory;

impl EngineFactory for InterestFactory {
    fn kind(&self) -> &'static str {
        "interest"
    }

    fn summary(&self) -> &'static str {
        "interest recall: implicit-ALS embeddings from the logs, hnsw_rs ANN index, feed from history + search context"
    }

    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities> {
        parse_params::<InterestConfig>(name, params)?;
        Ok(InterestEngine::CAPABILITIES)
    }

    fn build(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Box<dyn Engine>> {
        let config: InterestConfig = parse_params(name, params)?;
        Ok(Box::new(InterestEngine::build(name, &config, input)?))
    }
}
