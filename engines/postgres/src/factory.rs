//! The registry entry of the `postgres` engine.

use std::sync::Arc;

use searchrec_engine::{BuildInput, Capabilities, EngineFactory, EngineIndex, Result, parse_params};

use crate::config::{BUILD_PATHS, PostgresConfig};
use crate::engine::{PostgresEngine, PostgresIndex};
use crate::pool::redact;

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

    /// The connection string's password never reaches results or reports.
    fn public_params(&self, params: &toml::Table) -> toml::Table {
        let mut shown = params.clone();
        if let Some(toml::Value::String(url)) = shown.get_mut("url") {
            *url = redact(url);
        }
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_params_mask_the_password_and_keep_the_rest() {
        let params: toml::Table =
            toml::from_str("url = \"postgresql://me:secret@db:5432/x\"\n[hnsw]\nm = 16").expect("valid TOML");
        let shown = PostgresFactory.public_params(&params);
        assert_eq!(shown["url"].as_str(), Some("postgresql://me:***@db:5432/x"));
        assert_eq!(shown["hnsw"], params["hnsw"]);
        assert!(!toml::to_string(&shown).expect("serialises").contains("secret"));
    }
}
