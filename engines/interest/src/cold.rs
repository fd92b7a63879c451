//! Vectors for items the logs never mention.
//!
//! Matrix factorisation leaves such items at zero: unrankable, and with the
//! cosine they would not even have a direction. The catalogue is observable,
//! so a cold item borrows the mean vector of the warm items of its leaf (of
//! all warm items when its leaf has none): it is then recalled for users who
//! like that leaf, and — being an average, hence shorter — below the leaf's
//! proven items whenever vector length counts in the ranking.

use rand::RngExt;
use searchrec_datasets::Item;

use searchrec_vectors::{Purpose, VectorError, VectorTable, norm, row_rng};

/// Jitter added to each cold item, relative to the mean warm-item norm.
/// Without it the cold items of one leaf would be exact duplicates: ties no
/// ANN index can order like the exact one, and points a graph cannot tell apart.
const COLD_JITTER: f32 = 0.05;

/// Fills the rows of items with `warm[i] == false` and returns how many.
pub(crate) fn fill_cold_items(
    vectors: &mut VectorTable,
    warm: &[bool],
    items: &[Item],
    seed: u64,
) -> Result<usize, VectorError> {
    let d = vectors.dim();
    let leaves = items.iter().map(|it| it.leaf.index() + 1).max().unwrap_or(0);
    let mut sums = vec![0.0f64; leaves * d];
    let mut counts = vec![0usize; leaves];
    let mut all = vec![0.0f64; d];
    let mut warm_count = 0usize;
    let mut norm_sum = 0.0f64;
    for (i, item) in items.iter().enumerate().filter(|(i, _)| warm[*i]) {
        let row = vectors.row(i);
        let leaf = item.leaf.index();
        for (k, &v) in row.iter().enumerate() {
            sums[leaf * d + k] += v as f64;
            all[k] += v as f64;
        }
        counts[leaf] += 1;
        warm_count += 1;
        norm_sum += norm(row) as f64;
    }
    if warm_count == 0 {
        return Err(VectorError::InvalidData("no item has an interaction to learn from".to_string()));
    }
    let jitter = COLD_JITTER * (norm_sum / warm_count as f64) as f32 / (d as f32).sqrt();
    let mut cold = 0;
    for (i, item) in items.iter().enumerate().filter(|(i, _)| !warm[*i]) {
        let leaf = item.leaf.index();
        let (sum, count) =
            if counts[leaf] > 0 { (&sums[leaf * d..(leaf + 1) * d], counts[leaf]) } else { (&all[..], warm_count) };
        let mut rng = row_rng(seed, Purpose::ColdJitter, i);
        for (v, s) in vectors.row_mut(i).iter_mut().zip(sum) {
            *v = (*s / count as f64) as f32 + rng.random_range(-jitter..=jitter);
        }
        cold += 1;
    }
    Ok(cold)
}

#[cfg(test)]
mod tests {
    use super::*;
    use searchrec_datasets::{ItemId, LeafId};

    fn item(id: u32, leaf: u16) -> Item {
        Item {
            id: ItemId(id),
            title: String::new(),
            brand: String::new(),
            description: String::new(),
            leaf: LeafId(leaf),
            price: 1.0,
            rating: 0.0,
            review_count: 0,
            sales_count: 0,
        }
    }

    #[test]
    fn cold_items_take_their_leaf_mean_or_the_global_mean() {
        let items = [item(0, 0), item(1, 0), item(2, 0), item(3, 1), item(4, 2)];
        let warm = [true, true, false, true, false];
        let mut v = VectorTable::new(2, vec![1.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 4.0, 0.0, 0.0]).unwrap();
        assert_eq!(fill_cold_items(&mut v, &warm, &items, 1).unwrap(), 2);
        // jitter ≤ 0.05 · mean norm (8/3) / √2 ≈ 0.094
        let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.1);
        assert!(close(v.row(2), &[2.0, 0.0]), "{:?}", v.row(2));
        assert!(close(v.row(4), &[4.0 / 3.0, 4.0 / 3.0]), "{:?}", v.row(4));
        assert_eq!(v.row(0), &[1.0, 0.0]);
        assert_ne!(v.row(2), &[2.0, 0.0]);
    }

    #[test]
    fn no_warm_item_is_an_error() {
        let mut v = VectorTable::zeros(1, 2).unwrap();
        assert!(fill_cold_items(&mut v, &[false], &[item(0, 0)], 1).is_err());
    }
}
