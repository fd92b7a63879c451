//! Expanding each `[[engines]]` entry's parameter grid into the engine runs
//! to build and measure.

use std::collections::BTreeMap;

use searchrec_engine::EngineSpec;

use crate::Result;
use crate::scenario::{EngineEntry, RunScenario};

/// One (engine, parameter set) to build.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedRun {
    /// Unique label: the entry's name, plus `[path=value,…]` when swept.
    pub id: String,
    /// The spec the registry builds it from (sweep values applied).
    pub spec: EngineSpec,
    /// The swept values of this point, by dotted path.
    pub swept: BTreeMap<String, toml::Value>,
    /// The engine whose feed this one's ANN recall is measured against.
    pub ann_against: Option<String>,
}

/// Every engine run of a scenario, entries in file order, each entry's grid
/// in lexicographic order of its paths (the last path varies fastest).
pub fn plan(scenario: &RunScenario) -> Result<Vec<PlannedRun>> {
    let mut runs = Vec::new();
    for entry in &scenario.engines {
        for swept in grid(entry) {
            let mut params = entry.params.clone();
            for (path, value) in &swept {
                set_path(&mut params, path, value.clone()).map_err(|message| {
                    scenario.field_error(
                        &format!("engines.sweep.\"{path}\""),
                        format!("engine `{}`: {message}", entry.name),
                    )
                })?;
            }
            let id = if swept.is_empty() {
                entry.name.clone()
            } else {
                let values: Vec<String> = swept.iter().map(|(p, v)| format!("{p}={}", show(v))).collect();
                format!("{}[{}]", entry.name, values.join(","))
            };
            runs.push(PlannedRun {
                id,
                spec: EngineSpec { name: entry.name.clone(), kind: entry.kind.clone(), params },
                swept,
                ann_against: entry.ann_against.clone(),
            });
        }
    }
    Ok(runs)
}

/// The cartesian product of an entry's sweep.
fn grid(entry: &EngineEntry) -> Vec<BTreeMap<String, toml::Value>> {
    let mut points = vec![BTreeMap::new()];
    for (path, values) in &entry.sweep {
        points = points
            .into_iter()
            .flat_map(|point| {
                values.iter().map(move |v| {
                    let mut p = point.clone();
                    p.insert(path.clone(), v.clone());
                    p
                })
            })
            .collect();
    }
    points
}

/// Sets `a.b.c` in a table, creating the intermediate tables.
fn set_path(table: &mut toml::Table, path: &str, value: toml::Value) -> std::result::Result<(), String> {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap_or(path);
    let mut here = table;
    for part in parts {
        let next = here.entry(part.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        here = match next {
            toml::Value::Table(t) => t,
            other => return Err(format!("`{part}` in `{path}` is a {}, not a table", other.type_str())),
        };
    }
    here.insert(last.to_string(), value);
    Ok(())
}

/// A value as written in an id: strings bare, others as TOML.
fn show(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn scenario(text: &str) -> RunScenario {
        RunScenario::from_toml(text, Path::new("s.toml")).unwrap()
    }

    #[test]
    fn a_grid_expands_to_every_combination_with_readable_ids() {
        let s = scenario(
            r#"
            [[engines]]
            name = "hy"
            kind = "hybrid"
            params = { fusion = { method = "rrf" } }
            [engines.sweep]
            "fusion.rrf_k" = [30, 60]
            "interest.hnsw.ef_search" = [16, 64]
            "#,
        );
        let runs = plan(&s).unwrap();
        let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "hy[fusion.rrf_k=30,interest.hnsw.ef_search=16]",
                "hy[fusion.rrf_k=30,interest.hnsw.ef_search=64]",
                "hy[fusion.rrf_k=60,interest.hnsw.ef_search=16]",
                "hy[fusion.rrf_k=60,interest.hnsw.ef_search=64]",
            ]
        );
        let last = &runs[3].spec.params;
        assert_eq!(last["fusion"]["method"].as_str(), Some("rrf"), "given params are kept");
        assert_eq!(last["fusion"]["rrf_k"].as_integer(), Some(60));
        assert_eq!(last["interest"]["hnsw"]["ef_search"].as_integer(), Some(64));
    }

    #[test]
    fn an_entry_without_a_sweep_is_one_run_named_as_the_entry() {
        let runs = plan(&scenario("[[engines]]\nname = \"s\"\nkind = \"shelf\"\n")).unwrap();
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].id, "s");
        assert!(runs[0].swept.is_empty());
    }

    #[test]
    fn a_sweep_through_a_scalar_is_an_error_naming_the_path() {
        let s =
            scenario("[[engines]]\nname = \"s\"\nkind = \"shelf\"\nparams = { a = 1 }\nsweep = { \"a.b\" = [1] }\n");
        let err = plan(&s).unwrap_err().to_string();
        assert!(err.contains("a.b") && err.contains("not a table"), "{err}");
    }
}
