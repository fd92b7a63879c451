//! The evaluation query set (observable: what was typed, by whom, when).

use crate::ids::{QueryId, UserId};

/// One evaluation query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Dense id.
    pub id: QueryId,
    /// Who typed it (they have history in the logs).
    pub user: UserId,
    /// Second at which it was typed: the end of the logged period.
    pub time: u32,
    /// The text as typed.
    pub text: String,
}
