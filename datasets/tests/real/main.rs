//! The real-data loaders (`searchrec_datasets::real`): each round-trips a
//! fixture written in the data set's own layout, and refuses truncated and
//! malformed files naming file, line or row, and column.

mod beir;
mod esci;
mod kuaisar;
