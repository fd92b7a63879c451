//! A bounded memo of query intents, shared by a searcher and its clones.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// Query texts remembered at most; past this, intents are computed afresh
/// (the answers are the same, only slower), so memory stays bounded
/// whatever the workload.
const CAPACITY: usize = 200_000;

/// Query text → its unit intent direction (`None`: the query finds nothing
/// with a direction). Reads take a shared lock; a poisoned lock (a panic
/// while inserting) only disables the memo.
#[derive(Clone, Debug, Default)]
pub(crate) struct IntentMemo {
    map: Arc<RwLock<HashMap<String, Option<Vec<f32>>>>>,
}

impl IntentMemo {
    pub(crate) fn get(&self, query: &str) -> Option<Option<Vec<f32>>> {
        self.map.read().ok()?.get(query).cloned()
    }

    pub(crate) fn insert(&self, query: &str, direction: Option<Vec<f32>>) {
        if let Ok(mut map) = self.map.write()
            && map.len() < CAPACITY
        {
            map.insert(query.to_string(), direction);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_is_shared_by_clones() {
        let memo = IntentMemo::default();
        assert_eq!(memo.get("a"), None);
        memo.insert("a", Some(vec![1.0]));
        memo.insert("b", None);
        let clone = memo.clone();
        assert_eq!(clone.get("a"), Some(Some(vec![1.0])));
        assert_eq!(clone.get("b"), Some(None));
    }
}
