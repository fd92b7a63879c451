//! Exact nearest neighbours for searchrec: brute-force inner-product top-k,
//! the ground truth for ANN recall and the upper line of recall–QPS plots.
//!
//! [`ExactIndex`] scans a vector table in cache-sized blocks, several queries
//! per pass, on the rayon pool, and selects the top k with a bounded heap in
//! the order of `searchrec_engine::sort_hits`. Every score comes from the
//! same summation order as `searchrec_interest::dot`, so batched and
//! one-at-a-time searches — and the HNSW index's rescored hits — agree to
//! the bit.
//!
//! [`ExactEngine`] (kind `"exact"`) trains the interest engine's model from
//! the same `embedding` and `feed` config sections and answers its feed
//! requests exactly.

mod engine;
mod factory;
mod index;
mod kernel;
mod topk;

pub use engine::{ExactConfig, ExactEngine};
pub use factory::ExactFactory;
pub use index::ExactIndex;
