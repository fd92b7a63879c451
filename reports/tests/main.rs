//! searchrec-reports' integration tests, one binary (one link on two cores).

mod compare;
mod export;
mod fixture;
mod malformed;
mod per_query_fixture;
mod report;
mod schema;
