//! The postgres engine's integration tests, against a throwaway server the
//! suite starts itself (`server.rs`): one binary, one module per subject.

mod conformance;
mod errors;
mod feed;
mod search;
mod server;
mod world;
