//! The registry entry of the `postgres` engine.

use std::sync::Arc;

use searchrec_engine::{BuildInput, Capabilities, EngineFactory, EngineIndex, Result, parse_params};

use crate::config::{BUILD_PATHS, PostgresConfig};
use crate::engine::{PostgresEngine, PostgresIndex};

/// Builds [`PostgresIndex`]es from `kind = "postgres"` sections, whose
/// `params` are a [`PostgresConfig`].
#[derive(Clone, Copy, Debug, Default)]
pub struct PostgresFactory;

impl EngineFactory for PostgresFactory {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn summary(&self) -> &'static str {
        "PostgreSQL: full-text search (ts_rank_cd × trust prior) and a pgvector HNSW feed over the interest embeddings"
    }

    fn build_paths(&self) -> &'static [&'static str] {
        BUILD_PATHS
    }

    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities> {
        parse_params::<PostgresConfig>(name, params)?.validate(name)?;
        Ok(PostgresEngine::CAPABILITIES)
    }

    fn build_index(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Arc<dyn EngineIndex>> {
        let config: PostgresConfig = parse_params(name, params)?;
        Ok(Arc::new(PostgresIndex::build(name, &config, input)?))
    }
}
