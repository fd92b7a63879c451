//! The trust prior: text relevance scaled by how much shoppers trust an item.
//!
//! ```text
//! score = bm25 · (1 + w_s · S + w_r · R)
//! S = ln(1 + sales) / ln(1 + max_sales)   ∈ [0, 1], 0 when nothing in the catalogue ever sold
//! R = (rating − 1) / 4                    ∈ [0, 1], rating clamped to the 1–5 star scale
//! ```
//!
//! `sales` and `rating` are fast fields; `rating` already holds
//! `unrated_rating` for an item without reviews, and `max_sales` is the
//! catalogue's largest sales count. The prior is multiplicative so that text
//! stays in charge: it never lifts an item that does not match, its weights
//! read as relative boosts (with `w_s = 0.1` the best seller gains at most
//! 10 %), and with both weights 0 the factor is exactly 1, i.e. pure BM25.
//! Sales enter through a logarithm because they are heavy-tailed: the
//! thousandth sale says less about trust than the tenth.
//!
//! The sort key is `(score, Reverse(item id))`, so tantivy's top-k itself
//! breaks score ties by ascending item id — the [`searchrec_engine::sort_hits`]
//! order — whatever the segment layout, and never cuts a tie at `k` by
//! document address.

use std::cmp::Reverse;
use std::sync::Arc;

use tantivy::collector::sort_key::NaturalComparator;
use tantivy::collector::{SegmentSortKeyComputer, SortKeyComputer};
use tantivy::columnar::ColumnValues;
use tantivy::{DocId, Score, SegmentReader};

use crate::index::{ITEM_FIELD, RATING_FIELD, SALES_FIELD};

/// The sort key of one hit: final score, then item id ascending.
pub(crate) type TrustKey = (Score, Reverse<u64>);

/// The prior's parameters, shared by every segment.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TrustPrior {
    sales_weight: f32,
    rating_weight: f32,
    /// `1 / ln(1 + max_sales)`, or 0 when nothing sold.
    sales_scale: f32,
}

impl TrustPrior {
    /// A prior with weights `w_s`, `w_r` over a catalogue whose best seller sold `max_sales`.
    pub(crate) fn new(sales_weight: f64, rating_weight: f64, max_sales: u64) -> TrustPrior {
        let ln_max = (max_sales as f64).ln_1p();
        let sales_scale = if ln_max > 0.0 { 1.0 / ln_max } else { 0.0 };
        TrustPrior {
            sales_weight: sales_weight as f32,
            rating_weight: rating_weight as f32,
            sales_scale: sales_scale as f32,
        }
    }

    /// The factor BM25 is multiplied by.
    pub(crate) fn factor(&self, sales: u64, rating: f64) -> f32 {
        let s = (sales as f32).ln_1p() * self.sales_scale;
        let r = ((rating as f32 - 1.0) / 4.0).clamp(0.0, 1.0);
        1.0 + self.sales_weight * s + self.rating_weight * r
    }
}

impl SortKeyComputer for TrustPrior {
    type SortKey = TrustKey;
    type Child = SegmentTrust;
    type Comparator = NaturalComparator;

    fn requires_scoring(&self) -> bool {
        true
    }

    fn segment_sort_key_computer(&self, segment: &SegmentReader) -> tantivy::Result<SegmentTrust> {
        let fast = segment.fast_fields();
        Ok(SegmentTrust {
            prior: *self,
            item: fast.u64(ITEM_FIELD)?.first_or_default_col(0),
            sales: fast.u64(SALES_FIELD)?.first_or_default_col(0),
            rating: fast.f64(RATING_FIELD)?.first_or_default_col(0.0),
        })
    }
}

/// The prior bound to one segment's fast fields.
pub(crate) struct SegmentTrust {
    prior: TrustPrior,
    item: Arc<dyn ColumnValues<u64>>,
    sales: Arc<dyn ColumnValues<u64>>,
    rating: Arc<dyn ColumnValues<f64>>,
}

impl SegmentSortKeyComputer for SegmentTrust {
    type SortKey = TrustKey;
    type SegmentSortKey = TrustKey;
    type SegmentComparator = NaturalComparator;

    fn segment_sort_key(&mut self, doc: DocId, score: Score) -> TrustKey {
        let factor = self.prior.factor(self.sales.get_val(doc), self.rating.get_val(doc));
        (score * factor, Reverse(self.item.get_val(doc)))
    }

    fn convert_segment_sort_key(&self, key: TrustKey) -> TrustKey {
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_weights_give_exactly_one() {
        let prior = TrustPrior::new(0.0, 0.0, 1_000);
        for (sales, rating) in [(0, 0.0), (1_000, 5.0), (7, 3.2)] {
            assert_eq!(prior.factor(sales, rating), 1.0);
        }
    }

    #[test]
    fn factor_follows_the_documented_formula() {
        let prior = TrustPrior::new(0.2, 0.4, 999);
        // S = ln(100)/ln(1000) = 2/3, R = (4 − 1)/4 = 3/4.
        let expected = 1.0 + 0.2 * (2.0 / 3.0) + 0.4 * 0.75;
        assert!((prior.factor(99, 4.0) - expected).abs() < 1e-6);
        assert!((prior.factor(999, 5.0) - 1.6).abs() < 1e-6);
        assert_eq!(prior.factor(0, 1.0), 1.0);
        // Nothing ever sold: the sales term vanishes instead of dividing by zero.
        assert_eq!(TrustPrior::new(1.0, 0.0, 0).factor(0, 3.0), 1.0);
    }
}
