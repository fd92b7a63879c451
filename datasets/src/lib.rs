//! Synthetic commerce worlds for searchrec.
//!
//! A world is generated from a [`Scenario`] and a seed, deterministically, and
//! has two halves that never mix:
//!
//! - **observable** ([`Observable`]): the catalogue, users' coarse profiles,
//!   interaction logs and evaluation queries — what a real platform has and
//!   what engines may read;
//! - **truth** ([`Truth`]): latent vectors, quality, price sensitivity,
//!   personas and needs — what only the simulator and the relevance
//!   judgements ([`Qrels`]) may read.
//!
//! The [`behaviour`] model (examination, click, purchase, seeding) and the
//! organic-[`needs`] model live here because the log generator and the GMV
//! simulator must share one user.
//! [`io`] writes worlds as Parquet (plus TREC qrels) and reads them back.

pub mod behaviour;
pub mod calendar;
mod catalog;
mod error;
pub mod fingerprint;
mod generate;
mod ids;
pub mod io;
mod judgements;
mod latent;
mod logs;
pub mod needs;
pub mod policy;
mod queries;
pub mod querygen;
pub mod real;
pub mod rng;
mod scenario;
mod taxonomy;
mod truth;
mod users;
mod world;

pub use catalog::{Catalog, Item};
pub use error::{DatasetError, Result};
pub use generate::{Progress, Stage, generate, generate_with_progress};
pub use ids::{ItemId, LeafId, NeedId, QueryId, UserId};
pub use judgements::{FeedJudgement, Grade, Judgement, Qrels, grade};
pub use latent::LatentSpace;
pub use logs::{Action, Channel, Event, Logs};
pub use queries::Query;
pub use scenario::{
    BehaviourParams, Gains, ItemParams, JudgementParams, LogParams, NeedParams, QueryParams, Scale, Scenario,
    UserParams, WorldParams,
};
pub use taxonomy::{AttributeValue, Dimension, Leaf, Taxonomy, Top};
pub use truth::{
    Attributes, ItemTruth, Need, NeedOrigin, Persona, QueryForm, QueryNoise, QueryTruth, Truth, UserTruth, Vectors,
};
pub use users::UserProfile;
pub use world::{MissingTruth, Observable, Origin, World};
