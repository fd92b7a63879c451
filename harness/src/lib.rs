//! searchrec's measuring instrument.
//!
//! Its numbers must agree with the tools the IR and ANN communities trust, so
//! that a searchrec table can stand next to a trec_eval or ann-benchmarks
//! table: retrieval metrics follow trec_eval's conventions, ANN recall
//! ann-benchmarks' definition, and latencies are measured without
//! coordinated omission.

pub mod ann;
pub mod ann_bench;
pub mod ann_data;
pub mod atomic_file;
mod decoder_panic;
mod error;
pub mod load;
pub mod metrics;
mod recent;
pub mod results;
pub mod run;
pub mod scenario;
pub mod significance;
pub mod simulate;
pub mod trec_run;

pub use ann::{AnnRecall, QueryRecall, feed_recall, reachability};
pub use error::{HarnessError, Result};
pub use load::{Amount, ClosedLoop, LatencySummary, LoadSummary, OpenLoop, OpenLoopSummary};
pub use metrics::{Evaluation, MeanMetrics, MetricSettings, QueryMetrics, QueryPolicy, evaluate, score_query};
pub use significance::{RandomisationTest, TTest, paired_randomisation_test, paired_t_test};
pub use trec_run::{read_run, write_run};
