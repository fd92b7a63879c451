//! Expanding each `[[engines]]` entry's parameter grid into the engine runs
//! to build and measure.

use std::collections::BTreeMap;

use searchrec_engine::{EngineSpec, Registry};

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

/// Checks every `ann_against` against the registry, before any build: ANN
/// recall means something only against an exact search over the same
/// vectors. So the measured engine must have an ANN index to measure (its
/// kind has an `index` build path: the backend choice), the reference must
/// be exact (an embedding among its build paths and no ANN index, or an
/// index set to `"exact"`), both must train the same kind of model (every
/// build path of the reference's model — all of an exact kind's, less the
/// backend choice and the `hnsw` section for an ANN kind set to `"exact"` —
/// exists, under the same name, in the measured engine's, e.g. `embedding` and `feed.item_norm_exponent` under
/// `interest.` in a hybrid), and with the same values there, as written (a
/// default left out and the same default written out differ: write both the
/// same). The errors name the file, the entry and its target. (Naming
/// itself, no entry or a swept one is refused at load by the scenario.)
pub fn check_ann_against(scenario: &RunScenario, planned: &[PlannedRun], registry: &Registry) -> Result<()> {
    for entry in &scenario.engines {
        let Some(against) = entry.ann_against.as_deref() else { continue };
        let error = |message: String| scenario.ann_against_error(entry, against, message);
        let Some(target) = scenario.engines.iter().find(|e| e.name == against) else {
            return Err(error("no [[engines]] entry has this name".into()));
        };
        if target.name == entry.name {
            return Err(error("an engine cannot be its own ANN reference".into()));
        }
        let target_paths = registry.factory(&target.kind).map_err(|e| error(e.to_string()))?.build_paths();
        let target_run = planned.iter().find(|p| p.spec.name == target.name && p.swept.is_empty());
        let Some(target_run) = target_run else {
            return Err(error("that engine is swept; the reference must be a single run".into()));
        };
        let target_index = index_path(target_paths);
        let target_exact = match target_index {
            None => target_paths.iter().any(|p| last_part(p) == "embedding"),
            Some(path) => value_at(&target_run.spec.params, path).and_then(toml::Value::as_str) == Some("exact"),
        };
        if !target_exact {
            return Err(error(format!(
                "`{}` (kind `{}`) is not an exact search over an embedding, so recall against it means nothing; \
                 name an engine of an exact kind (such as `exact`) trained like this one",
                target.name, target.kind
            )));
        }
        let paths = registry.factory(&entry.kind).map_err(|e| error(e.to_string()))?.build_paths();
        let Some(index) = index_path(paths) else {
            return Err(error(format!(
                "kind `{}` has no ANN index, so it has no ANN recall to measure; remove `ann_against`",
                entry.kind
            )));
        };
        // The measured engine's model sits where its index does: `interest.index` → `interest.`.
        let prefix = &index[..index.len() - "index".len()];
        let target_prefix = target_index.map_or("", |p| &p[..p.len() - "index".len()]);
        // The reference's model paths, relative to where its model sits: all
        // of an exact kind's; of an ANN kind set to `exact`, those beside its
        // index less the backend choice and the graph's own section.
        let model_paths = target_paths.iter().filter_map(|p| {
            let relative = p.strip_prefix(target_prefix)?;
            (Some(*p) != target_index && !relative.starts_with("hnsw.")).then_some((*p, relative))
        });
        for (path, relative) in model_paths {
            let own = format!("{prefix}{relative}");
            if !paths.contains(&own.as_str()) {
                return Err(error(format!(
                    "kind `{}` has no build parameter `{own}` to match `{}`'s `{path}`: the two engines do not \
                     train the same kind of model",
                    entry.kind, target.name
                )));
            }
            for run in planned.iter().filter(|p| p.spec.name == entry.name) {
                let mine = value_at(&run.spec.params, &own);
                let theirs = value_at(&target_run.spec.params, path);
                if mine != theirs {
                    let show = |v: Option<&toml::Value>| v.map_or("(default)".to_string(), ToString::to_string);
                    return Err(error(format!(
                        "run `{}` builds its embedding with `{own}` = {} but `{}` with `{path}` = {}; recall \
                         against a different embedding means nothing: set both the same (as written)",
                        run.id,
                        show(mine),
                        target.name,
                        show(theirs)
                    )));
                }
            }
        }
    }
    Ok(())
}

/// The build path that chooses the ANN backend: `index`, or `<side>.index`.
fn index_path<'a>(paths: &[&'a str]) -> Option<&'a str> {
    paths.iter().copied().find(|p| last_part(p) == "index")
}

fn last_part(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// The value at a dotted path of a parameter table, if set.
pub(crate) fn value_at<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut parts = path.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.as_table()?.get(part)?;
    }
    Some(value)
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

    fn registry() -> Registry {
        let mut registry = Registry::new();
        registry
            .register(Box::new(searchrec_shelf::ShelfFactory))
            .register(Box::new(searchrec_interest::InterestFactory))
            .register(Box::new(searchrec_exact::ExactFactory))
            .register(Box::new(searchrec_hybrid::HybridFactory));
        registry
    }

    /// `check_ann_against` on an `exact` reference (or `reference`) and one measured entry.
    fn ann_check(measured: &str, reference: &str) -> Result<()> {
        let text = format!("{reference}\n[[engines]]\nname = \"m\"\nann_against = \"x\"\n{measured}\n");
        let s = RunScenario::from_toml(&text, Path::new("scenarios/x.toml"))?;
        check_ann_against(&s, &plan(&s)?, &registry())
    }

    const EXACT: &str = "[[engines]]\nname = \"x\"\nkind = \"exact\"";

    #[test]
    fn ann_against_needs_an_ann_engine_and_an_exact_reference_over_the_same_embedding() {
        ann_check("kind = \"interest\"", EXACT).unwrap();
        ann_check("kind = \"interest\"\nsweep = { \"hnsw.ef_search\" = [16, 64] }", EXACT).unwrap();
        ann_check("kind = \"hybrid\"", EXACT).unwrap();
        let exact_interest = "[[engines]]\nname = \"x\"\nkind = \"interest\"\nparams = { index = \"exact\", hnsw = { max_nb_connection = 8 } }";
        ann_check("kind = \"interest\"", exact_interest).unwrap();
        let same = "[[engines]]\nname = \"x\"\nkind = \"exact\"\nparams = { embedding = { dim = 16 } }";
        ann_check("kind = \"hybrid\"\nparams = { interest = { embedding = { dim = 16 } } }", same).unwrap();

        let refused = |measured: &str, reference: &str, needle: &str| {
            let err = ann_check(measured, reference).unwrap_err().to_string();
            assert!(err.starts_with("scenarios/x.toml: [[engines]] 'm' ann_against = 'x': "), "{err}");
            assert!(err.contains(needle), "{measured} against {reference}: {err}");
        };
        let shelf = "[[engines]]\nname = \"x\"\nkind = \"shelf\"";
        refused("kind = \"interest\"", shelf, "is not an exact search");
        let hnsw = "[[engines]]\nname = \"x\"\nkind = \"interest\"";
        refused("kind = \"interest\"", hnsw, "is not an exact search");
        refused("kind = \"shelf\"", EXACT, "kind `shelf` has no ANN index");
        refused("kind = \"exact\"", EXACT, "kind `exact` has no ANN index");
        refused("kind = \"interest\"\nparams = { embedding = { dim = 16 } }", EXACT, "`embedding` = { dim = 16 }");
        refused(
            "kind = \"interest\"\nsweep = { \"embedding.iterations\" = [5, 15] }",
            EXACT,
            "run `m[embedding.iterations=5]`",
        );
        refused("kind = \"interest\"\nparams = { feed = { item_norm_exponent = 0.5 } }", EXACT, "item_norm_exponent");
    }

    #[test]
    fn a_sweep_through_a_scalar_is_an_error_naming_the_path() {
        let s =
            scenario("[[engines]]\nname = \"s\"\nkind = \"shelf\"\nparams = { a = 1 }\nsweep = { \"a.b\" = [1] }\n");
        let err = plan(&s).unwrap_err().to_string();
        assert!(err.contains("a.b") && err.contains("not a table"), "{err}");
    }
}
