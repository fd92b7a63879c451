//! Registry entry for the `interest` engine kind.

use std::sync::Arc;

use searchrec_engine::{BuildInput, Capabilities, EngineFactory, EngineIndex, Result, parse_params};

use crate::config::BUILD_PATHS;
use crate::{InterestConfig, InterestEngine, InterestIndex};

/// Builds [`InterestIndex`]es from an [`InterestConfig`] section.
#[derive(Clone, Copy, Debug, Default)]
pub struct InterestFactory;

impl EngineFactory for InterestFactory {
    fn kind(&self) -> &'static str {
        "interest"
    }

    fn summary(&self) -> &'static str {
        "interest recall: implicit-ALS embeddings from the logs, an ANN index (hnsw_rs, graph or exact), feed from history + search context"
    }

    fn build_paths(&self) -> &'static [&'static str] {
        BUILD_PATHS
    }

    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities> {
        let config: InterestConfig = parse_params(name, params)?;
        config.validate().map_err(|e| e.into_engine(name))?;
        Ok(InterestEngine::CAPABILITIES)
    }

    fn build_index(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Arc<dyn EngineIndex>> {
        let config: InterestConfig = parse_params(name, params)?;
        Ok(Arc::new(InterestIndex::build(name, &config, input)?))
    }
}
