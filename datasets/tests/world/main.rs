//! Integration tests of world generation, files and the world's realism.

mod determinism;
mod errors;
mod fixtures;
mod invariants;
mod properties;
mod realism;
mod roundtrip;
mod separation;
