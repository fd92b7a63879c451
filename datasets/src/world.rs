//! A whole world: the observable half, the judgements and the truth half
//! (generated worlds only).

use crate::catalog::Catalog;
use crate::judgements::{FeedJudgement, Qrels};
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

/// Where a world came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Generated from `scenario` and `seed`: the truth half exists.
    Generated,
    /// Loaded from a public data set ([`crate::real`]): there is no truth
    /// half, `scenario` holds only the judgement gains the loader chose, and
    /// `taxonomy`, `latent` and `seed` describe nothing in the data (nothing
    /// reads them without the truth half).
    Loaded {
        /// The data set and the part of it loaded, e.g. `esci-us-small-test`.
        dataset: String,
    },
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
    /// Held-out feed interactions per user, the feed's judgements on real
    /// data with logs of both channels (KuaiSAR); empty otherwise.
    pub feed_judgements: Vec<FeedJudgement>,
    /// What only the simulator and the judgements may read; `None` on a
    /// world loaded from real data, where nobody knows it.
    pub truth: Option<Truth>,
    /// Generated or loaded.
    pub origin: Origin,
}

impl World {
    /// The truth half, or why there is none: analyses that need it (the GMV
    /// simulation, query sets by how queries were written) call this and
    /// pass the error on.
    pub fn truth(&self) -> Result<&Truth, MissingTruth> {
        match (&self.truth, &self.origin) {
            (Some(truth), _) => Ok(truth),
            (None, Origin::Loaded { dataset }) => Err(MissingTruth { dataset: dataset.clone() }),
            (None, Origin::Generated) => Err(MissingTruth { dataset: "(generated without truth)".into() }),
        }
    }

    /// The world's name in reports: the loaded data set, or `generated`.
    pub fn dataset(&self) -> Option<&str> {
        match &self.origin {
            Origin::Loaded { dataset } => Some(dataset),
            Origin::Generated => None,
        }
    }
}

/// A world loaded from real data has no truth half.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{dataset}` is real data: it has no simulator truth (latent tastes, needs, how each query was written), so \
     this analysis cannot run on it; run it on a generated world"
)]
pub struct MissingTruth {
    /// The loaded data set.
    pub dataset: String,
}
