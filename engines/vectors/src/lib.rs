//! The vector layer of searchrec: what the interest, exact and hybrid
//! engines share, and what an ANN benchmark measures.
//!
//! - **Tables and the kernel** ([`VectorTable`], [`dot`]): dense row-major
//!   f32 tables and the one inner-product summation order every score goes
//!   through, so different indexes report bit-identical scores for the same
//!   (query, item) pair.
//! - **Embeddings from the logs** ([`train`]): implicit-feedback ALS
//!   (Hu–Koren–Volinsky) over clicks, add-to-carts and purchases, each with a
//!   configurable strength; impressions are exposure, not interest. Rows are
//!   solved with warm-started conjugate gradient (or Cholesky) on the rayon
//!   pool, deterministically: the same seed gives the same bits on any
//!   thread count.
//! - **The search space** ([`index_table`]): item vectors made unit length so
//!   inner-product ranking is nearest-neighbour search (the MIPS → NN
//!   reduction when item norms count).
//! - **ANN indexes** ([`ann`]): one [`AnnIndex`] trait with several
//!   backends ([`AnnBackend`]), their reachability measured the same way.

pub mod ann;
mod config;
mod error;
#[cfg(any(test, feature = "test-fixtures"))]
pub mod fixtures;
mod interactions;
mod linalg;
mod seeds;
mod space;
mod table;
mod train;

pub use ann::{AnnBackend, AnnIndex, ExactIndex, HnswIndex, Reachability, UnitDot, build_index, reachability};
pub use config::{EmbeddingConfig, HnswConfig, Solver};
pub use error::VectorError;
pub use interactions::{Csr, Interactions};
pub use seeds::{Purpose, row_rng};
pub use space::{index_table, query_vector};
pub use table::{LANES, VectorTable, check_query, dot, norm, normalized, reduce_lanes};
pub use train::{Embeddings, Training, loss, train};
