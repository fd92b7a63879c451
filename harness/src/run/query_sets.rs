//! Named subsets of the evaluation queries, from how each query was written
//! (the truth half: the harness may read it, engines may not). A world
//! loaded from real data has no truth half, and only `all` exists on it.

use searchrec_datasets::{QueryForm, QueryId, World};

use crate::Result;
use crate::scenario::RunScenario;

/// A named set of evaluation queries.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct QuerySet {
    pub name: String,
    /// Membership by query index.
    members: Vec<bool>,
    pub len: usize,
}

impl QuerySet {
    pub fn contains(&self, query: QueryId) -> bool {
        self.members.get(query.index()).copied().unwrap_or(false)
    }
}

/// The scenario's query sets over `world`; a set that holds no query is an
/// error, since its means would be undefined.
pub(crate) fn query_sets(scenario: &RunScenario, world: &World) -> Result<Vec<QuerySet>> {
    if world.observable.queries.is_empty() {
        return Err(scenario.field_error(
            "evaluation.query_sets",
            "the world has no evaluation query; generate it with `queries.count` ≥ 1",
        ));
    }
    scenario
        .evaluation
        .query_sets
        .iter()
        .map(|name| {
            if name == "all" {
                let len = world.observable.queries.len();
                return Ok(QuerySet { name: name.clone(), members: vec![true; len], len });
            }
            let truth = world.truth().map_err(|e| {
                scenario.field_error(
                    "evaluation.query_sets",
                    format!("query set `{name}` is read from how each query was written: {e}; keep only `all`"),
                )
            })?;
            let members: Vec<bool> = truth
                .queries
                .iter()
                .map(|t| match name.as_str() {
                    "typo" => t.noise.typo,
                    "synonym" => t.noise.synonym,
                    form => QueryForm::parse(form) == Some(t.noise.form),
                })
                .collect();
            let len = members.iter().filter(|&&m| m).count();
            if len == 0 {
                return Err(scenario.field_error(
                    "evaluation.query_sets",
                    format!("query set `{name}` holds no query of this world; remove it or raise its rate in the world scenario"),
                ));
            }
            Ok(QuerySet { name: name.clone(), members, len })
        })
        .collect()
}
