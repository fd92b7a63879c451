//! Building engines by name from typed configuration sections.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::{BuildInput, Capabilities, Engine, EngineError, Result};

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

    /// What an engine built from `params` will support, without building
    /// it: parses `params` (so a bad section fails before any work) and
    /// answers what the built engine's [`Engine::capabilities`] answers.
    fn capabilities(&self, name: &str, params: &toml::Table) -> Result<Capabilities>;

    /// Parses `params` into the kind's typed config (unknown fields are an
    /// error) and builds the engine from observable data only.
    fn build(&self, name: &str, params: &toml::Table, input: BuildInput<'_>) -> Result<Box<dyn Engine>>;
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

    /// Builds the engine a spec describes.
    pub fn build(&self, spec: &EngineSpec, input: BuildInput<'_>) -> Result<Box<dyn Engine>> {
        self.factory(&spec.kind)?.build(&spec.name, &spec.params, input)
    }
}

/// Deserialises a factory's parameter table into its typed config, turning a
/// serde error into [`EngineError::Config`] that names the engine and field.
pub fn parse_params<T: DeserializeOwned>(engine: &str, params: &toml::Table) -> Result<T> {
    T::deserialize(toml::Value::Table(params.clone())).map_err(|e| {
        let message = e.message().to_string();
        // serde names the field in the message (`unknown field `x``, `missing field `y``);
        // keep the whole message and point at the section.
        EngineError::Config { engine: engine.to_string(), field: "params".to_string(), message }
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
}
