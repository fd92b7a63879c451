//! The registry entry of the hybrid engine.

use std::sync::Arc;

use searchrec_engine::{BuildInput, Capabilities, EngineFactory, EngineIndex, Result, parse_params};

use crate::config::{BUILD_PATHS, HybridConfig};
use crate::engine::HybridIndex;

/// Builds [`HybridIndex`]es from `kind = "hybrid"` sections, whose `params`
/// are a [`HybridConfig`].
#[derive(Clone, Copy, Debug, Default)]
pub struct HybridFactory;

impl EngineFactory for HybridFactory {
    fn kind(&self) -> &'static str {
        "hybrid"
    }

    fn summary(&self) -> &'static str {
        "shelf + interest: RRF, min-max / z-score fusion or personalised rerank for search; query-aware interest feed"
    }

    fn build_paths(&self) -> &'static [&'static str] {
        BUILD_PATHS
    }

    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities> {
        let config: HybridConfig = parse_params(name, params)?;
        config.validate(name)?;
        Ok(config.capabilities())
    }

    fn build_index(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Arc<dyn EngineIndex>> {
        let config: HybridConfig = parse_params(name, params)?;
        Ok(Arc::new(HybridIndex::build(name, &config, input)?))
    }
}
