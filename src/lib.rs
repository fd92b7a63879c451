//! The library half of the `searchrec` package: the one place that lists the
//! engine crates, shared by the binary, the integration tests and the benches.

mod registry;

pub use registry::registry;
