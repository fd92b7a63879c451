//! Requests.

use searchrec_datasets::{ItemId, UserId};

/// The other channel's recent signals for one user, newest last. An engine
/// that couples channels reads it; one that does not ignores it. An empty
/// context (the default) switches coupling off for that request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// Recent search queries, newest last.
    pub recent_queries: &'a [String],
    /// Recently clicked items, newest last.
    pub recent_clicks: &'a [ItemId],
    /// Recently bought items, newest last.
    pub recent_purchases: &'a [ItemId],
}

impl Context<'_> {
    /// True when the context carries no signal at all.
    pub fn is_empty(&self) -> bool {
        self.recent_queries.is_empty() && self.recent_clicks.is_empty() && self.recent_purchases.is_empty()
    }
}

/// A typed query (shelf search).
#[derive(Clone, Copy, Debug)]
pub struct SearchRequest<'a> {
    /// The query text exactly as typed.
    pub query: &'a str,
    /// How many hits to return at most.
    pub k: usize,
    /// Who is searching, when known; lets personalised engines personalise.
    pub user: Option<UserId>,
    /// Recent feed-side signals of that user.
    pub context: Context<'a>,
}

/// A feed request (interest recommendation).
#[derive(Clone, Copy, Debug)]
pub struct FeedRequest<'a> {
    /// The user the feed is for.
    pub user: UserId,
    /// How many hits to return at most.
    pub k: usize,
    /// Recent search-side signals of that user.
    pub context: Context<'a>,
}

impl<'a> SearchRequest<'a> {
    /// An anonymous, context-free request.
    pub fn new(query: &'a str, k: usize) -> Self {
        SearchRequest { query, k, user: None, context: Context::default() }
    }
}

impl<'a> FeedRequest<'a> {
    /// A context-free feed request.
    pub fn new(user: UserId, k: usize) -> Self {
        FeedRequest { user, k, context: Context::default() }
    }
}

/// Rejects a user id past the user table the engine was built with; engines
/// call it so that every engine refuses an unknown user in the same words.
pub fn check_user(engine: &str, user: UserId, users: usize) -> crate::Result<()> {
    if user.index() >= users {
        return Err(crate::EngineError::InvalidRequest {
            engine: engine.to_string(),
            message: format!("unknown user {user}; the engine was built with {users} users"),
        });
    }
    Ok(())
}

/// Checks shared by every engine: `k` is positive and the query has a word.
pub(crate) fn check_k(engine: &str, k: usize) -> crate::Result<()> {
    if k == 0 {
        return Err(crate::EngineError::InvalidRequest {
            engine: engine.to_string(),
            message: "k must be at least 1".to_string(),
        });
    }
    Ok(())
}

impl SearchRequest<'_> {
    /// Rejects k = 0 and a query with no visible characters; every engine
    /// calls this first so all engines fail the same way on the same input.
    pub fn validate(&self, engine: &str) -> crate::Result<()> {
        check_k(engine, self.k)?;
        if self.query.trim().is_empty() {
            return Err(crate::EngineError::InvalidRequest {
                engine: engine.to_string(),
                message: "the query is empty".to_string(),
            });
        }
        Ok(())
    }
}

impl FeedRequest<'_> {
    /// Rejects k = 0; every engine calls this first.
    pub fn validate(&self, engine: &str) -> crate::Result<()> {
        check_k(engine, self.k)
    }
}
