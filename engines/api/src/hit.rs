//! Results.

use searchrec_datasets::ItemId;

/// One ranked result.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    /// The item.
    pub item: ItemId,
    /// Engine score; higher is better. Only the order within one response is
    /// meaningful, never the scale across engines.
    pub score: f32,
}

/// Sorts hits by score, highest first, ties by ascending item id, so that
/// every engine orders equal scores the same reproducible way. NaN scores sort
/// last.
pub fn sort_hits(hits: &mut [Hit]) {
    hits.sort_unstable_by(|a, b| {
        b.score
            .partial_cmp(&a.score)
            .unwrap_or_else(|| a.score.is_nan().cmp(&b.score.is_nan()))
            .then(a.item.cmp(&b.item))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_break_by_item_and_nan_goes_last() {
        let mut hits = vec![
            Hit { item: ItemId(3), score: 1.0 },
            Hit { item: ItemId(1), score: f32::NAN },
            Hit { item: ItemId(2), score: 1.0 },
            Hit { item: ItemId(9), score: 2.0 },
        ];
        sort_hits(&mut hits);
        let order: Vec<u32> = hits.iter().map(|h| h.item.0).collect();
        assert_eq!(order, vec![9, 2, 3, 1]);
    }
}
