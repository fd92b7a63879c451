//! Engine-level tests of the hybrid engine on a small clustered world: the
//! coupling switches, errors, the registry entry and the conformance suite.

mod conformance;
mod coupling;
mod errors;
mod lifecycle;
mod world;
