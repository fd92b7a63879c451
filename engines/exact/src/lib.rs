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
//!
//! Items are stored in transposed panels of eight, so the kernel adds
//! vertically at SIMD width in exactly `dot`'s order. LLVM only vectorises it
//! at opt-level 3 (rustc runs the SLP vectoriser there, not at 2). Measured
//! at opt-level 3 on a 2-core EPYC (SSE2 baseline, k = 10, random unit
//! vectors): 20,000 × 33 — one query at a time 6.5k queries/s on one
//! thread, batched 7.6k (one thread) and 16k (two); 200,000 × 64 — 380 / 690
//! one at a time (one / two threads), batched 720 / 1,170. A naive
//! score-everything-and-sort loop managed 81 and 6.

mod engine;
mod factory;
mod index;
mod kernel;
mod topk;

pub use engine::{ExactConfig, ExactEngine};
pub use factory::ExactFactory;
pub use index::ExactIndex;
