//! Historical interaction logs: the observable behaviour engines learn from.

use crate::ids::{ItemId, UserId};

/// Which surface an event happened on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// The search box and its result list (people find goods).
    Search,
    /// The recommendation feed (goods find people).
    Feed,
}

/// What the user did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// A query was typed; `item` and `position` are empty, `query` is set.
    Search,
    /// An item was shown and looked at (a viewable impression).
    Impression,
    /// The item's page was opened.
    Click,
    /// The item was put in the cart.
    AddToCart,
    /// The item was bought.
    Purchase,
}

impl Channel {
    /// Stable lower-case name, as written to files.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Search => "search",
            Channel::Feed => "feed",
        }
    }

    /// Parses [`Channel::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "search" => Some(Channel::Search),
            "feed" => Some(Channel::Feed),
            _ => None,
        }
    }
}

impl Action {
    /// Stable lower-case name, as written to files.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Search => "search",
            Action::Impression => "impression",
            Action::Click => "click",
            Action::AddToCart => "add_to_cart",
            Action::Purchase => "purchase",
        }
    }

    /// Parses [`Action::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "search" => Some(Action::Search),
            "impression" => Some(Action::Impression),
            "click" => Some(Action::Click),
            "add_to_cart" => Some(Action::AddToCart),
            "purchase" => Some(Action::Purchase),
            _ => None,
        }
    }
}

/// One logged event.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Seconds since the start of the logged period.
    pub time: u32,
    /// Who acted.
    pub user: UserId,
    /// Session number, unique across the whole log.
    pub session: u32,
    /// Surface of the session.
    pub channel: Channel,
    /// What happened.
    pub action: Action,
    /// The item acted on; `None` for [`Action::Search`].
    pub item: Option<ItemId>,
    /// 1-based rank at which the item was shown; `None` for [`Action::Search`].
    pub position: Option<u16>,
    /// Index into [`Logs::queries`] of the query this event belongs to, for
    /// every event of a search session; `None` in feed sessions.
    pub query: Option<u32>,
}

/// The interaction log, ordered by (user, time).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Logs {
    /// Events in (user, time) order.
    pub events: Vec<Event>,
    /// Text of every logged search, indexed by [`Event::query`].
    pub queries: Vec<String>,
}

impl Logs {
    /// Text of the query an event belongs to, if any.
    pub fn query_text(&self, event: &Event) -> Option<&str> {
        event.query.map(|q| self.queries[q as usize].as_str())
    }
}
