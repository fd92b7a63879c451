//! A user's recent signals on one channel, as requests carry them: the
//! simulator keeps them as its users act, and the offline evaluation reads
//! them from the logs (`[evaluation] context_window`).

use searchrec_datasets::ItemId;
use searchrec_engine::Signals;

/// One channel's recent signals, each list keeping its newest `window` entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Recent {
    pub queries: Vec<String>,
    pub shown: Vec<Vec<ItemId>>,
    pub clicks: Vec<ItemId>,
    pub purchases: Vec<ItemId>,
}

impl Recent {
    pub fn signals(&self) -> Signals<'_> {
        Signals { queries: &self.queries, shown: &self.shown, clicks: &self.clicks, purchases: &self.purchases }
    }
}

/// Appends `value`, keeping the newest `window` values.
pub(crate) fn push_recent<T>(list: &mut Vec<T>, value: T, window: usize) {
    list.push(value);
    if list.len() > window {
        list.drain(..list.len() - window);
    }
}
