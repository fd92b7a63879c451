//! The registry entry of the shelf engine.

use searchrec_engine::{BuildInput, Capabilities, Engine, EngineFactory, Result, parse_params};

use crate::config::ShelfConfig;
use crate::engine::ShelfEngine;

/// Builds [`ShelfEngine`]s from `kind = "shelf"` sections, whose `params`
/// are a [`ShelfConfig`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ShelfFactory;

impl EngineFactory for ShelfFactory {
    fn kind(&self) -> &'static str {
        "shelf"
    }

    fn summary(&self) -> &'static str {
        "tantivy BM25 over title, brand and category path with a sales/rating trust prior; popularity feed"
    }

    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities> {
        parse_params::<ShelfConfig>(name, params)?;
        Ok(ShelfEngine::CAPABILITIES)
    }

    fn build(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Box<dyn Engine>> {
        let config: ShelfConfig = parse_params(name, params)?;
        Ok(Box::new(ShelfEngine::build(name, &config, input)?))
    }
}
