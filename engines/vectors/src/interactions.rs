//! The user × item interaction matrix, aggregated from the logs.

use searchrec_datasets::{Action, Logs};

use crate::{EmbeddingConfig, VectorError};

/// A compressed sparse row matrix: row `r` holds `(col[j], value[j])` for
/// `j in ptr[r]..ptr[r + 1]`, columns ascending.
#[derive(Clone, Debug, PartialEq)]
pub struct Csr {
    ptr: Vec<usize>,
    col: Vec<u32>,
    value: Vec<f32>,
}

impl Csr {
    /// Builds from `(row, col, value)` triples; duplicates are summed in the
    /// order given, so the same triples always give the same bits.
    fn from_triples(rows: usize, mut triples: Vec<(u32, u32, f32)>) -> Self {
        // Stable: duplicates keep log order, so their float sum is reproducible.
        triples.sort_by_key(|&(r, c, _)| (r, c));
        let mut ptr = vec![0usize; rows + 1];
        let mut col = Vec::with_capacity(triples.len());
        let mut value: Vec<f32> = Vec::with_capacity(triples.len());
        let mut last = None;
        for (r, c, v) in triples {
            if last == Some((r, c)) {
                if let Some(acc) = value.last_mut() {
                    *acc += v;
                }
                continue;
            }
            last = Some((r, c));
            ptr[r as usize + 1] += 1;
            col.push(c);
            value.push(v);
        }
        for r in 0..rows {
            ptr[r + 1] += ptr[r];
        }
        Csr { ptr, col, value }
    }

    /// The transpose, with `cols` rows.
    fn transpose(&self, cols: usize) -> Self {
        let triples = (0..self.rows()).flat_map(|r| self.row(r).map(move |(c, v)| (c, r as u32, v))).collect();
        Csr::from_triples(cols, triples)
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.ptr.len() - 1
    }

    /// Stored entries.
    pub fn nnz(&self) -> usize {
        self.col.len()
    }

    /// Entries of row `r` as `(column, value)`, columns ascending.
    pub fn row(&self, r: usize) -> impl ExactSizeIterator<Item = (u32, f32)> + '_ {
        let span = self.ptr[r]..self.ptr[r + 1];
        self.col[span.clone()].iter().copied().zip(self.value[span].iter().copied())
    }

    /// Columns of row `r`, ascending.
    pub fn row_cols(&self, r: usize) -> &[u32] {
        &self.col[self.ptr[r]..self.ptr[r + 1]]
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> u64 {
        (self.ptr.len() * 8 + self.col.len() * 4 + self.value.len() * 4) as u64
    }
}

/// Interaction strengths `r_ui` (Σ action weights over the logs) by user and
/// by item, plus each user's purchases.
#[derive(Clone, Debug, PartialEq)]
pub struct Interactions {
    by_user: Csr,
    by_item: Csr,
    purchases: Csr,
}

impl Interactions {
    /// Aggregates the logs of `users` users over `items` items with the
    /// action weights of `config`. An event naming a user or item outside
    /// those ranges, or an item action without an item, is an error: the logs
    /// belong to another world.
    pub fn from_logs(logs: &Logs, users: usize, items: usize, config: &EmbeddingConfig) -> Result<Self, VectorError> {
        let mut strengths = Vec::new();
        let mut purchases = Vec::new();
        for (i, event) in logs.events.iter().enumerate() {
            if event.action == Action::Search {
                continue;
            }
            let Some(item) = event.item else {
                return Err(VectorError::InvalidData(format!("log event {i} ({}) has no item", event.action.as_str())));
            };
            if event.user.index() >= users {
                return Err(VectorError::InvalidData(format!(
                    "log event {i} names user {} but the user table has {users} users",
                    event.user
                )));
            }
            if item.index() >= items {
                return Err(VectorError::InvalidData(format!(
                    "log event {i} names item {item} but the catalogue has {items} items"
                )));
            }
            let weight = config.weight(event.action);
            if weight > 0.0 {
                strengths.push((event.user.0, item.0, weight));
            }
            if event.action == Action::Purchase {
                purchases.push((event.user.0, item.0, 1.0));
            }
        }
        let by_user = Csr::from_triples(users, strengths);
        let by_item = by_user.transpose(items);
        Ok(Interactions { by_user, by_item, purchases: Csr::from_triples(users, purchases) })
    }

    /// Strengths by user: row = user, column = item.
    pub fn by_user(&self) -> &Csr {
        &self.by_user
    }

    /// Strengths by item: row = item, column = user.
    pub fn by_item(&self) -> &Csr {
        &self.by_item
    }

    /// Items each user bought: row = user, columns ascending.
    pub fn purchases(&self) -> &Csr {
        &self.purchases
    }

    /// Number of users (rows of [`Self::by_user`]).
    pub fn users(&self) -> usize {
        self.by_user.rows()
    }

    /// Number of items (rows of [`Self::by_item`]).
    pub fn items(&self) -> usize {
        self.by_item.rows()
    }

    /// Total strength of each item over all users: its popularity.
    pub fn item_popularity(&self) -> Vec<f32> {
        (0..self.items()).map(|i| self.by_item.row(i).map(|(_, v)| v).sum()).collect()
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> u64 {
        self.by_user.memory_bytes() + self.by_item.memory_bytes() + self.purchases.memory_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use searchrec_datasets::{Channel, Event, ItemId, UserId};

    fn event(user: u32, action: Action, item: Option<u32>) -> Event {
        Event {
            time: 0,
            user: UserId(user),
            session: 0,
            channel: Channel::Feed,
            action,
            item: item.map(ItemId),
            position: Some(1),
            query: None,
        }
    }

    #[test]
    fn strengths_sum_weights_and_ignore_exposure() {
        let logs = Logs {
            events: vec![
                event(0, Action::Impression, Some(2)),
                event(0, Action::Click, Some(2)),
                event(0, Action::Purchase, Some(2)),
                event(1, Action::AddToCart, Some(0)),
                event(1, Action::Impression, Some(1)),
                event(1, Action::Search, None),
            ],
            queries: vec![],
        };
        let m = Interactions::from_logs(&logs, 3, 3, &EmbeddingConfig::default()).unwrap();
        assert_eq!(m.by_user().row(0).collect::<Vec<_>>(), vec![(2, 5.0)]);
        assert_eq!(m.by_user().row(1).collect::<Vec<_>>(), vec![(0, 2.0)]);
        assert_eq!(m.by_user().row(2).count(), 0);
        assert_eq!(m.by_item().row(2).collect::<Vec<_>>(), vec![(0, 5.0)]);
        assert_eq!(m.by_item().row(1).count(), 0);
        assert_eq!(m.purchases().row_cols(0), &[2]);
        assert_eq!(m.item_popularity(), vec![2.0, 0.0, 5.0]);
        assert_eq!(m.by_user().nnz(), 2);
    }

    #[test]
    fn foreign_ids_are_errors() {
        let cfg = EmbeddingConfig::default();
        let logs = |e| Logs { events: vec![e], queries: vec![] };
        assert!(Interactions::from_logs(&logs(event(5, Action::Click, Some(0))), 3, 3, &cfg).is_err());
        assert!(Interactions::from_logs(&logs(event(0, Action::Click, Some(3))), 3, 3, &cfg).is_err());
        assert!(Interactions::from_logs(&logs(event(0, Action::Click, None)), 3, 3, &cfg).is_err());
    }
}
