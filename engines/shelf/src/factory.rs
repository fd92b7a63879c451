//! The registry entry of the shelf engine.

use std::sync::Arc;

use searchrec_engine::{BuildInput, Capabilities, EngineFactory, EngineIndex, Result, parse_params};

use crate::config::{BUILD_PATHS, ShelfConfig};
use crate::engine::{ShelfEngine, ShelfIndex};

/// Builds [`ShelfIndex`]es from `kind = "shelf"` sections, whose `params`
/// are a [`ShelfConfig`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ShelfFactory;

impl EngineFactory for ShelfFactory {
    fn kind(&self) -> &'static str {
        "shelf"
    }

    fn summary(&self) -> &'static str {
        "tantivy BM25 over title, brand, category path and description with a sales/rating trust prior; popularity feed"
    }

    fn build_paths(&self) -> &'static [&'static str] {
        BUILD_PATHS
    }

    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities> {
        parse_params::<ShelfConfig>(name, params)?.validate(name)?;
        Ok(ShelfEngine::CAPABILITIES)
    }

    fn build_index(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Arc<dyn EngineIndex>> {
        let config: ShelfConfig = parse_params(name, params)?;
        Ok(Arc::new(ShelfIndex::build(name, &config, input)?))
    }
}
