//! The boundary every searchrec engine plugs into.
//!
//! An engine is built once from *observable* data ([`BuildInput`]: the
//! catalogue, the user table and the interaction logs — never the world's
//! truth) and then answers two kinds of request through `dyn Engine`:
//! [`SearchRequest`] (a typed query, shelf search) and [`FeedRequest`] (a user
//! asking for a feed, interest recommendation). Both may carry a [`Context`]
//! with the user's recent [`Signals`] on each channel; whether a channel reads
//! the *other* channel's signals is how the synergy experiment switches
//! coupling on and off.
//!
//! Engines are created by name through a [`Registry`] of [`EngineFactory`]s,
//! each of which deserialises its own typed configuration section. A new engine
//! is one crate with one factory, plus one line where the registry is assembled.
//!
//! **Build once, query many.** A factory builds an [`EngineIndex`] (training,
//! indexing: the expensive part) and declares which parameter paths shape it
//! ([`EngineFactory::build_paths`]); every other parameter is read at query
//! time by the cheap searchers the index makes. Callers group parameter sets
//! by [`Registry::build_key`] and build one index per group.

mod build;
#[cfg(feature = "conformance")]
pub mod conformance;
mod engine;
mod error;
mod hit;
mod registry;
mod request;

pub use build::BuildInput;
pub use engine::{Capabilities, Engine, EngineIndex, EngineReport};
pub use error::{EngineError, Result};
pub use hit::{Hit, sort_hits};
pub use registry::{BuiltIndex, EngineFactory, EngineSpec, Registry, build_key, parse_params};
pub use request::{Context, FeedRequest, SearchRequest, Signals, check_user};
