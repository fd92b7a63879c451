//! The registry entry of the hybrid engine.

use searchrec_engine::{BuildInput, Capabilities, Engine, EngineFactory, Result, parse_params};

use crate::config::HybridConfig;
use crate::engine::HybridEngine;

/// Builds [`HybridEngine`]s from `kind = "hybrid"` sections, whose `params`
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

    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities> {
        Ok(parse_params::<HybridConfig>(name, params)?.capabilities())
    }

    fn build(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Box<dyn Engine>> {
        let config: HybridConfig = parse_params(name, params)?;
        Ok(Box::new(HybridEngine::build(name, &config, input)?))
    }
}
