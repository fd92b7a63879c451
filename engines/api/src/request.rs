//! Requests.

use searchrec_datasets::{ItemId, UserId};

/// One channel's recent signals for one user, newest last.
#[derive(Clone, Copy, Debug, Default)]
pub struct Signals<'a> {
    /// Queries typed (search's signals only; empty for the feed).
    pub queries: &'a [String],
    /// The lists the channel showed, one per session, each best first.
    pub shown: &'a [Vec<ItemId>],
    /// Items clicked on the channel.
    pub clicks: &'a [ItemId],
    /// Items bought from the channel.
    pub purchases: &'a [ItemId],
}

impl Signals<'_> {
    /// True when the channel has no signal at all.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty() && self.shown.is_empty() && self.clicks.is_empty() && self.purchases.is_empty()
    }
}

/// A user's recent signals on each channel. The caller hands both; each
/// engine decides what it reads, and that choice is its coupling: a channel
/// that reads only its own signals is uncoupled, and a coupling switch adds
/// exactly the other channel's signals. Keeping the split explicit is what
/// lets a test show that switching one coupling changes nothing on the other
/// channel. An empty context (the default) is a request with no recent past.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context<'a> {
    /// What the user did in search.
    pub search: Signals<'a>,
    /// What the user did in the feed.
    pub feed: Signals<'a>,
}

impl Context<'_> {
    /// True when the context carries no signal at all.
    pub fn is_empty(&self) -> bool {
        self.search.is_empty() && self.feed.is_empty()
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
    /// That user's recent signals on both channels.
    pub context: Context<'a>,
}

/// A feed request (interest recommendation).
#[derive(Clone, Copy, Debug)]
pub struct FeedRequest<'a> {
    /// The user the feed is for.
    pub user: UserId,
    /// How many hits to return at most.
    pub k: usize,
    /// That user's recent signals on both channels.
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
