//! Bounded top-k selection in the order of `searchrec_engine::sort_hits`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use searchrec_datasets::ItemId;
use searchrec_engine::{Hit, sort_hits};

/// A candidate; `Ord` puts the *worse* hit last, exactly as `sort_hits` does
/// (score descending, NaN last, ties by ascending item), so the heap's
/// maximum is the hit to evict. Being a total order, it makes the selected
/// set independent of the order candidates arrive in — which is why batched,
/// blocked and one-at-a-time searches agree.
#[derive(Clone, Copy, Debug)]
struct Entry(Hit);

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.0, &other.0);
        b.score
            .partial_cmp(&a.score)
            .unwrap_or_else(|| a.score.is_nan().cmp(&b.score.is_nan()))
            .then(a.item.cmp(&b.item))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

/// The best `k` hits pushed so far.
#[derive(Clone, Debug)]
pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Entry>,
    /// The worst kept score once `k` hits are kept, −∞ before: almost every
    /// candidate of a long scan is rejected by one float comparison.
    threshold: f32,
}

impl TopK {
    /// An empty selection of at most `k` hits.
    pub(crate) fn new(k: usize) -> Self {
        TopK { k, heap: BinaryHeap::with_capacity(k), threshold: f32::NEG_INFINITY }
    }

    /// Offers one candidate.
    #[inline]
    pub(crate) fn push(&mut self, score: f32, item: u32) {
        // `<` is false for NaN, so NaN reaches the exact comparison, which
        // ranks it last; a score equal to the threshold may still win on id.
        if score < self.threshold {
            return;
        }
        let entry = Entry(Hit { item: ItemId(item), score });
        if self.heap.len() < self.k {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry < *worst
        {
            // Replacing through PeekMut sifts once instead of pop + push.
            *worst = entry;
        } else {
            return;
        }
        if self.heap.len() == self.k
            && let Some(worst) = self.heap.peek()
            && !worst.0.score.is_nan()
        {
            self.threshold = worst.0.score;
        }
    }

    /// Scores below this are rejected by [`Self::push`] without a look at
    /// the heap (−∞ until `k` hits are kept).
    #[inline]
    pub(crate) fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Offers everything another selection holds.
    pub(crate) fn merge(&mut self, other: TopK) {
        for Entry(hit) in other.heap {
            self.push(hit.score, hit.item.0);
        }
    }

    /// The selection, best first.
    pub(crate) fn into_hits(self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self.heap.into_iter().map(|Entry(h)| h).collect();
        sort_hits(&mut hits);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_with_ties_by_item() {
        let mut top = TopK::new(3);
        for (item, score) in [(5, 1.0), (1, 3.0), (9, 2.0), (2, 2.0), (7, f32::NAN), (0, 0.5)] {
            top.push(score, item);
        }
        let got: Vec<u32> = top.into_hits().iter().map(|h| h.item.0).collect();
        assert_eq!(got, vec![1, 2, 9]);
    }

    #[test]
    fn merge_equals_one_pass() {
        let scores = [0.3f32, -0.0, 0.0, 0.9, 0.3, 0.1, 0.9];
        let mut whole = TopK::new(4);
        let (mut left, mut right) = (TopK::new(4), TopK::new(4));
        for (i, &s) in scores.iter().enumerate() {
            whole.push(s, i as u32);
            if i % 2 == 0 { left.push(s, i as u32) } else { right.push(s, i as u32) }
        }
        right.merge(left);
        assert_eq!(whole.into_hits(), right.into_hits());
    }

    #[test]
    fn zero_k_keeps_nothing() {
        let mut top = TopK::new(0);
        top.push(1.0, 1);
        assert!(top.into_hits().is_empty());
    }
}
