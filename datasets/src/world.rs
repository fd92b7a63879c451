//! A whole world: the observable half, the judgements and the truth half.

use crate::catalog::Catalog;
use crate::judgements::Qrels;
use crate::latent::LatentSpace;
use crate::logs::Logs;
use crate::queries::Query;
use crate::scenario::Scenario;
use crate::taxonomy::Taxonomy;
use crate::truth::Truth;
use crate::users::UserProfile;

/// What a real platform would have: the only data engines may be built from.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Observable {
    /// The catalogue.
    pub catalog: Catalog,
    /// Users' coarse profiles, indexed by `UserId`.
    pub users: Vec<UserProfile>,
    /// Historical interactions.
    pub logs: Logs,
    /// The evaluation query set, indexed by `QueryId`.
    pub queries: Vec<Query>,
}

/// A generated or loaded world.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    /// The scenario it was generated from, every field resolved.
    pub scenario: Scenario,
    /// Its seed.
    pub seed: u64,
    /// The taxonomy behind the catalogue.
    pub taxonomy: Taxonomy,
    /// Leaf and attribute directions (derived from the seed).
    pub latent: LatentSpace,
    /// What engines may read.
    pub observable: Observable,
    /// Graded judgements of the evaluation queries.
    pub qrels: Qrels,
    /// What only the simulator and the judgements may read.
    pub truth: Truth,
}
