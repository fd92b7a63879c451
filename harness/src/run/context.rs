//! The recent signals each evaluation request carries, read from the logs
//! (`[evaluation] context_window`): on real data with both channels'
//! logs (KuaiSAR), a coupled engine's offline figures then show what the
//! other channel's history does for it, as the simulator's sessions do.

use std::collections::HashMap;

use searchrec_datasets::{Action, Channel, ItemId, Logs, UserId};
use searchrec_engine::Context;

use crate::recent::{Recent, push_recent};

/// Each asked-for user's newest `window` signals per channel at the end of
/// the logged period.
#[derive(Debug, Default)]
pub(crate) struct LoggedContexts {
    by_user: HashMap<UserId, [Recent; 2]>,
}

impl LoggedContexts {
    /// Reads the logs once for `users` (a window of 0 keeps nothing).
    pub fn new(logs: &Logs, users: impl IntoIterator<Item = UserId>, window: usize) -> LoggedContexts {
        let mut by_user: HashMap<UserId, [Recent; 2]> = HashMap::new();
        if window == 0 {
            return LoggedContexts { by_user };
        }
        for user in users {
            by_user.entry(user).or_default();
        }
        // The shown list of the session being read, flushed when it ends.
        let mut open: Option<(UserId, u32, Channel, Vec<ItemId>)> = None;
        let flush = |open: &mut Option<(UserId, u32, Channel, Vec<ItemId>)>, by_user: &mut HashMap<_, [Recent; 2]>| {
            if let Some((user, _, channel, list)) = open.take().filter(|o| !o.3.is_empty())
                && let Some(recent) = by_user.get_mut(&user)
            {
                push_recent(&mut recent[slot(channel)].shown, list, window);
            }
        };
        for event in &logs.events {
            if !by_user.contains_key(&event.user) {
                continue;
            }
            if open.as_ref().is_none_or(|(u, s, _, _)| (*u, *s) != (event.user, event.session)) {
                flush(&mut open, &mut by_user);
                open = Some((event.user, event.session, event.channel, Vec::new()));
            }
            let Some(recent) = by_user.get_mut(&event.user) else { continue };
            let signals = &mut recent[slot(event.channel)];
            match (event.action, event.item) {
                (Action::Search, _) => {
                    if let Some(text) = logs.query_text(event) {
                        push_recent(&mut signals.queries, text.to_string(), window);
                    }
                }
                (Action::Impression, Some(item)) => {
                    if let Some((_, _, _, list)) = open.as_mut() {
                        list.push(item);
                    }
                }
                (Action::Click, Some(item)) => push_recent(&mut signals.clicks, item, window),
                (Action::Purchase, Some(item)) => push_recent(&mut signals.purchases, item, window),
                _ => {}
            }
        }
        flush(&mut open, &mut by_user);
        LoggedContexts { by_user }
    }

    /// `user`'s context (empty when the user was not asked for or has no past).
    pub fn of(&self, user: UserId) -> Context<'_> {
        match self.by_user.get(&user) {
            Some([search, feed]) => Context { search: search.signals(), feed: feed.signals() },
            None => Context::default(),
        }
    }
}

fn slot(channel: Channel) -> usize {
    match channel {
        Channel::Search => 0,
        Channel::Feed => 1,
    }
}
