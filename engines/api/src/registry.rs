//! Building engines by name from typed configuration sections.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use std::sync::Arc;

use crate::{BuildInput, Capabilities, Engine, EngineError, EngineIndex, EngineReport, Result};

/// One engine to build, as written in a scenario file:
///
/// ```toml
/// [[engines]]
/// name = "bm25-trust"   # instance name, unique within a run
/// kind = "shelf"        # registry key
/// [engines.params]      # the kind's own typed section; omitted fields take defaults
/// trust_weight = 0.3
/// ```
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EngineSpec {
    /// Instance name, used in results and file names.
    pub name: String,
    /// Which factory builds it.
    pub kind: String,
    /// The factory's parameters.
    #[serde(default)]
    pub params: toml::Table,
}

/// Builds one kind of engine.
pub trait EngineFactory: Send + Sync {
    /// Registry key, e.g. `"shelf"`.
    fn kind(&self) -> &'static str;

    /// One line for `searchrec engines`.
    fn summary(&self) -> &'static str;

    /// The dotted parameter paths that shape the index (a path names a
    /// value or a whole sub-table); every other parameter is query-time.
    /// Two parameter tables whose values at these paths are equal share one
    /// index (see [`build_key`]).
    fn build_paths(&self) -> &'static [&'static str];

    /// What an engine built from `params` will support, without building
    /// it: parses and validates `params` — names and values, so a bad
    /// section fails before any work — and answers what the built engine's
    /// [`Engine::capabilities`] answers.
    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities>;

    /// Parses `params` into the kind's typed config (unknown fields are an
    /// error) and builds the index from observable data only.
    fn build_index(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Arc<dyn EngineIndex>>;

    /// Builds an index and its one searcher.
    fn build(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Box<dyn Engine>> {
        self.build_index(name, params, input)?.searcher(name, params)
    }

    /// `params` as results, reports and logs may show them: a kind whose
    /// parameters hold secrets (a connection string's password) masks them
    /// here. The default shows everything.
    fn public_params(&self, params: &toml::Table) -> toml::Table {
        params.clone()
    }
}

/// The part of `params` at `paths`: what decides the index. Values are
/// compared as written, so a parameter left at its default and one set
/// explicitly to it make two keys (and two builds).
pub fn build_key(params: &toml::Table, paths: &[&str]) -> toml::Table {
    let mut key = toml::Table::new();
    for path in paths {
        let parts: Vec<&str> = path.split('.').collect();
        let mut here = Some(params);
        let (last, sections) = parts.split_last().expect("split yields at least one part");
        for part in sections {
            here = here.and_then(|t| t.get(*part)).and_then(toml::Value::as_table);
        }
        if let Some(value) = here.and_then(|t| t.get(*last)) {
            key.insert(path.to_string(), value.clone());
        }
    }
    key
}

/// An index built by a [`Registry`], with what it was built from.
#[derive(Clone)]
pub struct BuiltIndex {
    kind: String,
    key: toml::Table,
    index: Arc<dyn EngineIndex>,
}

impl BuiltIndex {
    /// The engine kind that built it.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Its build-time parameters (see [`build_key`]).
    pub fn key(&self) -> &toml::Table {
        &self.key
    }

    /// The index's own report.
    pub fn report(&self) -> EngineReport {
        self.index.report()
    }
}

/// The set of engine kinds a binary knows.
#[derive(Default)]
pub struct Registry {
    factories: Vec<Box<dyn EngineFactory>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a factory; a later factory with the same kind replaces the earlier one.
    pub fn register(&mut self, factory: Box<dyn EngineFactory>) -> &mut Self {
        self.factories.retain(|f| f.kind() != factory.kind());
        self.factories.push(factory);
        self
    }

    /// Registered kinds with their summaries, in registration order.
    pub fn kinds(&self) -> impl Iterator<Item = (&'static str, &'static str)> + '_ {
        self.factories.iter().map(|f| (f.kind(), f.summary()))
    }

    /// The factory for a kind.
    pub fn factory(&self, kind: &str) -> Result<&dyn EngineFactory> {
        self.factories.iter().find(|f| f.kind() == kind).map(|f| f.as_ref()).ok_or_else(|| EngineError::UnknownEngine {
            kind: kind.to_string(),
            known: self.factories.iter().map(|f| f.kind().to_string()).collect(),
        })
    }

    /// What the engine a spec describes will support, without building it.
    pub fn capabilities(&self, spec: &EngineSpec) -> Result<Capabilities> {
        self.factory(&spec.kind)?.capabilities(&spec.name, &spec.params)
    }

    /// The build-time part of a spec's parameters: specs of one kind with
    /// equal keys can share one index.
    pub fn build_key(&self, spec: &EngineSpec) -> Result<toml::Table> {
        Ok(build_key(&spec.params, self.factory(&spec.kind)?.build_paths()))
    }

    /// A spec's parameters with its kind's secrets masked
    /// ([`EngineFactory::public_params`]).
    pub fn public_params(&self, spec: &EngineSpec) -> Result<toml::Table> {
        Ok(self.factory(&spec.kind)?.public_params(&spec.params))
    }

    /// Builds the index a spec describes.
    pub fn build_index(&self, spec: &EngineSpec, input: BuildInput<'_>) -> Result<BuiltIndex> {
        let factory = self.factory(&spec.kind)?;
        Ok(BuiltIndex {
            kind: spec.kind.clone(),
            key: build_key(&spec.params, factory.build_paths()),
            index: factory.build_index(&spec.name, &spec.params, input)?,
        })
    }

    /// A searcher for `spec` on `index`. Fails when the spec's kind or
    /// build-time parameters are not those the index was built with.
    pub fn searcher(&self, index: &BuiltIndex, spec: &EngineSpec) -> Result<Box<dyn Engine>> {
        let key = self.build_key(spec)?;
        if spec.kind != index.kind || key != index.key {
            return Err(EngineError::Config {
                engine: spec.name.clone(),
                field: "params".to_string(),
                message: format!(
                    "its build-time parameters ({} {key}) differ from the index's ({} {}); build an index for it",
                    spec.kind, index.kind, index.key
                ),
            });
        }
        Arc::clone(&index.index).searcher(&spec.name, &spec.params)
    }

    /// Builds the engine a spec describes: an index and its one searcher.
    pub fn build(&self, spec: &EngineSpec, input: BuildInput<'_>) -> Result<Box<dyn Engine>> {
        self.factory(&spec.kind)?.build(&spec.name, &spec.params, input)
    }
}

/// Deserialises a factory's parameter table into its typed config, turning a
/// serde error into [`EngineError::Config`] that names the engine and the
/// dotted path of the offending value (`hnsw.ef_search`, or an unknown key's
/// own path), or `params` when the error is about the whole section (a
/// missing field, which serde names in the message).
pub fn parse_params<T: DeserializeOwned>(engine: &str, params: &toml::Table) -> Result<T> {
    // A table deserialised from a `toml::Value` carries no spans, so without
    // the tracked path a wrong type would only say "invalid type: string".
    serde_path_to_error::deserialize(toml::Value::Table(params.clone())).map_err(|e| {
        let path = e.path().to_string();
        let field = if path.is_empty() || path == "." { "params".to_string() } else { path };
        EngineError::Config { engine: engine.to_string(), field, message: e.inner().message().to_string() }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Params {
        #[serde(default = "one")]
        weight: f64,
    }
    fn one() -> f64 {
        1.0
    }

    #[test]
    fn build_keys_keep_only_build_paths() {
        let params: toml::Table = toml::from_str("a = 1\nq = 2\n[s]\nb = 3\nq = 4\n[t]\nc = 5\n[u]\nd = 6").unwrap();
        let key = build_key(&params, &["a", "s.b", "t", "missing", "u.missing"]);
        let expected: toml::Table = toml::from_str("a = 1\n\"s.b\" = 3\n[t]\nc = 5").unwrap();
        assert_eq!(key, expected);
        let query_time_only: toml::Table = toml::from_str("q = 9\n[s]\nb = 3\nq = 0").unwrap();
        assert_eq!(build_key(&query_time_only, &["s.b"]), build_key(&params, &["s.b"]));
        assert_ne!(build_key(&query_time_only, &["a"]), build_key(&params, &["a"]));
    }

    #[test]
    fn unknown_kind_lists_known_kinds() {
        let registry = Registry::new();
        let err = registry.factory("nope").err().unwrap();
        assert!(err.to_string().contains("unknown engine kind `nope`"), "{err}");
    }

    #[test]
    fn params_take_defaults_and_reject_unknown_fields() {
        let empty = toml::Table::new();
        assert_eq!(parse_params::<Params>("e", &empty).unwrap(), Params { weight: 1.0 });
        let bad: toml::Table = toml::from_str("wieght = 2.0").unwrap();
        let err = parse_params::<Params>("e", &bad).unwrap_err().to_string();
        assert!(err.contains("engine `e`") && err.contains("wieght"), "{err}");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // read only through Debug: the test is about the error
    struct Nested {
        #[serde(default)]
        hnsw: Hnsw,
    }
    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    #[allow(dead_code)]
    struct Hnsw {
        ef_search: usize,
    }

    #[test]
    fn a_wrong_type_names_the_dotted_parameter_path() {
        for text in ["[hnsw]\nef_search = \"many\"", "[hnsw]\nef_search = -1", "hnsw = 3"] {
            let bad: toml::Table = toml::from_str(text).unwrap();
            let err = parse_params::<Nested>("e", &bad).unwrap_err();
            let want = if text.starts_with("hnsw =") { "`hnsw`" } else { "`hnsw.ef_search`" };
            assert!(err.to_string().contains(&format!("parameter {want}")), "{text}: {err}");
        }
        // An unknown key is named by its own path, with the known ones in the message.
        let bad: toml::Table = toml::from_str("[hnsw]\nef_serch = 3").unwrap();
        let err = parse_params::<Nested>("e", &bad).unwrap_err().to_string();
        assert!(err.contains("parameter `hnsw.ef_serch`") && err.contains("expected `ef_search`"), "{err}");
        let bad: toml::Table = toml::from_str("hnws = 3").unwrap();
        let err = parse_params::<Nested>("e", &bad).unwrap_err().to_string();
        assert!(err.contains("parameter `hnws`"), "{err}");
    }
}
