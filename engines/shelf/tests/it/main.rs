//! The shelf engine's integration tests: one binary, one module per subject.

mod bm25;
mod conformance;
mod errors;
mod feed;
mod fixture;
mod prior;
mod queries;
