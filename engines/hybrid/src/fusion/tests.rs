use proptest::prelude::*;

use super::*;

fn hits(pairs: &[(u32, f32)]) -> Vec<Hit> {
    pairs.iter().map(|&(item, score)| Hit { item: ItemId(item), score }).collect()
}

fn items(hits: &[Hit]) -> Vec<u32> {
    hits.iter().map(|h| h.item.0).collect()
}

fn score_of(hits: &[Hit], item: u32) -> f64 {
    hits.iter().find(|h| h.item.0 == item).map(|h| f64::from(h.score)).unwrap_or(f64::NAN)
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-6 * expected.abs().max(1.0)
}

// Two lists over items a = 1, b = 2, c = 3, d = 4 used by the hand-computed
// examples: A ranks a, b, c (scores 9, 5, 1); B ranks c, d, a (0.75, 0.5, 0.25).
fn list_a() -> Vec<Hit> {
    hits(&[(2, 5.0), (1, 9.0), (3, 1.0)]) // deliberately unsorted: ranks come from scores
}
fn list_b() -> Vec<Hit> {
    hits(&[(3, 0.75), (4, 0.5), (1, 0.25)])
}

#[test]
fn rrf_matches_hand_computation() {
    let (a, b) = (list_a(), list_b());
    let fused = reciprocal_rank(&[Weighted { hits: &a, weight: 0.7 }, Weighted { hits: &b, weight: 0.3 }], 60.0);
    // a: 0.7/(60+1) + 0.3/(60+3) = 0.0114754 + 0.0047619 = 0.0162373
    // c: 0.7/(60+3) + 0.3/(60+1) = 0.0111111 + 0.0049180 = 0.0160291
    // b: 0.7/(60+2)                                      = 0.0112903
    // d:                0.3/(60+2)                       = 0.0048387
    assert_eq!(items(&fused), vec![1, 3, 2, 4]);
    for (item, expected) in [(1, 0.016237314597970336), (3, 0.016029143897996354), (2, 0.0112903225), (4, 0.0048387096)]
    {
        assert!(close(score_of(&fused, item), expected), "item {item}: {fused:?}");
    }
}

#[test]
fn rrf_equal_weights_tie_by_item_id() {
    let (a, b) = (list_a(), list_b());
    let fused = reciprocal_rank(&[Weighted { hits: &a, weight: 0.5 }, Weighted { hits: &b, weight: 0.5 }], 60.0);
    // a: 0.5/61 + 0.5/63 = c: 0.5/63 + 0.5/61 = 0.0161332; b = d = 0.5/62 = 0.0080645.
    // Equal scores go in ascending item order: a (1) before c (3), b (2) before d (4).
    assert_eq!(items(&fused), vec![1, 3, 2, 4]);
    assert_eq!(score_of(&fused, 1), score_of(&fused, 3));
    assert!(close(score_of(&fused, 2), 0.5 / 62.0));
}

#[test]
fn min_max_matches_hand_computation() {
    let (a, b) = (list_a(), list_b());
    // A: (s − 1) / (9 − 1): a 1, b 0.5, c 0.   B: (s − 0.25) / 0.5: c 1, d 0.5, a 0.
    let n = normalise(&a, Normalisation::MinMax);
    assert_eq!(n.values, vec![(ItemId(1), 1.0), (ItemId(2), 0.5), (ItemId(3), 0.0)]);
    assert_eq!(n.missing, 0.0);
    let fused =
        linear(&[Weighted { hits: &a, weight: 0.7 }, Weighted { hits: &b, weight: 0.3 }], Normalisation::MinMax);
    // a: 0.7·1   + 0.3·0         = 0.7
    // b: 0.7·0.5 + 0.3·0 (absent) = 0.35
    // c: 0.7·0   + 0.3·1         = 0.3
    // d: 0.7·0 (absent) + 0.3·0.5 = 0.15
    assert_eq!(items(&fused), vec![1, 2, 3, 4]);
    for (item, expected) in [(1, 0.7), (2, 0.35), (3, 0.3), (4, 0.15)] {
        assert!(close(score_of(&fused, item), expected), "item {item}: {fused:?}");
    }
}

#[test]
fn z_score_matches_hand_computation() {
    let (a, b) = (list_a(), list_b());
    // A: mean 5, sd = √((16 + 0 + 16) / 3) = √(32/3); z = ±4 / √(32/3) = ±√1.5 = ±1.2247449.
    // B: mean 0.5, sd = √(2/16 / 3) = √(1/24); z = ±0.25 / √(1/24) = ±√1.5.
    let r = 1.5f64.sqrt();
    let n = normalise(&a, Normalisation::ZScore);
    assert_eq!(n.values.iter().map(|(i, _)| i.0).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert!(close(n.values[0].1, r) && close(n.values[1].1, 0.0) && close(n.values[2].1, -r), "{n:?}");
    assert!(close(n.missing, -r));
    let fused =
        linear(&[Weighted { hits: &a, weight: 0.7 }, Weighted { hits: &b, weight: 0.3 }], Normalisation::ZScore);
    // Absent items get the list's lowest z, −√1.5.
    // a: 0.7·√1.5 + 0.3·(−√1.5)          =  0.4·√1.5 =  0.4898979
    // b: 0.7·0    + 0.3·(−√1.5) (absent)  = −0.3·√1.5 = −0.3674235
    // c: 0.7·(−√1.5) + 0.3·√1.5           = −0.4·√1.5 = −0.4898979
    // d: 0.7·(−√1.5) (absent) + 0.3·0     = −0.7·√1.5 = −0.8573214
    assert_eq!(items(&fused), vec![1, 2, 3, 4]);
    for (item, expected) in [(1, 0.4 * r), (2, -0.3 * r), (3, -0.4 * r), (4, -0.7 * r)] {
        assert!(close(score_of(&fused, item), expected), "item {item}: {fused:?}");
    }
}

#[test]
fn personalised_rerank_example() {
    // The engine's rerank: (1 − β)·minmax(bm25) + β·minmax(affinity), β = 0.3.
    let bm25 = hits(&[(10, 10.0), (11, 8.0), (12, 4.0)]);
    let affinity = hits(&[(10, 0.25), (11, 0.75), (12, 0.5)]);
    let fused = linear(
        &[Weighted { hits: &bm25, weight: 0.7 }, Weighted { hits: &affinity, weight: 0.3 }],
        Normalisation::MinMax,
    );
    // bm25 (s − 4)/6: x 1, y 2/3, z 0.   affinity (s − 0.25)/0.5: x 0, y 1, z 0.5.
    // x: 0.7·1 + 0.3·0 = 0.7;  y: 0.7·2/3 + 0.3·1 = 0.7666667;  z: 0 + 0.3·0.5 = 0.15.
    assert_eq!(items(&fused), vec![11, 10, 12]);
    assert!(close(score_of(&fused, 11), 0.7 * 2.0 / 3.0 + 0.3));
}

#[test]
fn degenerate_lists() {
    let one = hits(&[(5, 3.0)]);
    assert_eq!(normalise(&one, Normalisation::MinMax).values, vec![(ItemId(5), 1.0)]);
    assert_eq!(normalise(&one, Normalisation::ZScore).values, vec![(ItemId(5), 0.0)]);
    let flat = hits(&[(1, 2.0), (2, 2.0)]);
    assert_eq!(
        normalise(&flat, Normalisation::ZScore),
        Normalised { values: vec![(ItemId(1), 0.0), (ItemId(2), 0.0)], missing: 0.0 }
    );
    assert_eq!(normalise(&[], Normalisation::ZScore), Normalised { values: vec![], missing: 0.0 });
    assert!(reciprocal_rank(&[], 60.0).is_empty());
    assert!(linear(&[Weighted { hits: &[], weight: 1.0 }], Normalisation::MinMax).is_empty());
}

#[test]
fn duplicates_keep_their_best_hit_and_non_finite_scores_are_dropped() {
    let list = hits(&[(1, 1.0), (2, f32::NAN), (1, 5.0), (3, f32::INFINITY), (4, 2.0)]);
    assert_eq!(items(&ranked(&list)), vec![1, 4]);
    let n = normalise(&list, Normalisation::MinMax);
    // Item 1 at its best score 5 is the max: (5 − 2) / 3 = 1; item 4 the min.
    assert_eq!(n.values, vec![(ItemId(1), 1.0), (ItemId(4), 0.0)]);
}

// ---- properties ------------------------------------------------------------

/// A list of distinct items (ids < 40) with integer scores in [−1000, 1000]:
/// exact in `f32`, so rounding never merges two scores.
fn grid_list() -> impl Strategy<Value = Vec<Hit>> {
    proptest::collection::btree_map(0u32..40, -1000i32..=1000, 0..25)
        .prop_map(|m| m.into_iter().map(|(item, s)| Hit { item: ItemId(item), score: s as f32 }).collect())
}

/// Any list, duplicates and non-finite scores included.
fn wild_list() -> impl Strategy<Value = Vec<Hit>> {
    let score = prop_oneof![
        8 => -1e30f32..1e30,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
    ];
    proptest::collection::vec((0u32..30, score), 0..30)
        .prop_map(|v| v.into_iter().map(|(item, score)| Hit { item: ItemId(item), score }).collect())
}

/// Maps each distinct score of `list` to a strictly increasing sequence
/// built from `steps`: an arbitrary strictly increasing transform.
fn monotone(list: &[Hit], steps: &[u16]) -> Vec<Hit> {
    let mut distinct: Vec<f32> = list.iter().map(|h| h.score).collect();
    distinct.sort_by(f32::total_cmp);
    distinct.dedup();
    let mut level = -5000.0f32;
    let image: Vec<f32> = distinct
        .iter()
        .enumerate()
        .map(|(i, _)| {
            level += f32::from(steps[i % steps.len()]) + 1.0;
            level
        })
        .collect();
    list.iter()
        .map(|h| {
            let at = distinct.partition_point(|&d| d < h.score);
            Hit { item: h.item, score: image[at] }
        })
        .collect()
}

fn assert_contract(fused: &[Hit]) -> Result<(), TestCaseError> {
    let mut seen = HashSet::new();
    for h in fused {
        prop_assert!(seen.insert(h.item), "duplicate item {:?} in {fused:?}", h.item);
        prop_assert!(h.score.is_finite(), "{fused:?}");
    }
    let mut sorted = fused.to_vec();
    sort_hits(&mut sorted);
    prop_assert_eq!(sorted, fused.to_vec());
    Ok(())
}

fn all_methods(lists: &[Weighted<'_>]) -> [Vec<Hit>; 3] {
    [reciprocal_rank(lists, 60.0), linear(lists, Normalisation::MinMax), linear(lists, Normalisation::ZScore)]
}

proptest! {
    #[test]
    fn rrf_depends_only_on_ranks(
        a in grid_list(),
        b in grid_list(),
        steps_a in proptest::collection::vec(0u16..500, 1..10),
        steps_b in proptest::collection::vec(0u16..500, 1..10),
        w in 0.0f64..=1.0,
        k in 0.0f64..100.0,
    ) {
        let (ta, tb) = (monotone(&a, &steps_a), monotone(&b, &steps_b));
        let before = reciprocal_rank(&[Weighted { hits: &a, weight: w }, Weighted { hits: &b, weight: 1.0 - w }], k);
        let after = reciprocal_rank(&[Weighted { hits: &ta, weight: w }, Weighted { hits: &tb, weight: 1.0 - w }], k);
        prop_assert_eq!(before, after);
    }

    #[test]
    fn min_max_values_lie_in_the_unit_interval(list in wild_list()) {
        let n = normalise(&list, Normalisation::MinMax);
        prop_assert_eq!(n.missing, 0.0);
        for &(_, v) in &n.values {
            prop_assert!((0.0..=1.0).contains(&v), "{v} in {n:?}");
        }
        if let Some(&(_, best)) = n.values.first() {
            prop_assert_eq!(best, 1.0);
        }
    }

    #[test]
    fn z_scores_have_mean_zero_and_unit_spread(list in wild_list()) {
        let n = normalise(&list, Normalisation::ZScore);
        if !n.values.is_empty() {
            let len = n.values.len() as f64;
            let mean = n.values.iter().map(|(_, z)| z).sum::<f64>() / len;
            prop_assert!(mean.abs() < 1e-6, "mean {mean} of {n:?}");
            let spread = n.values.iter().map(|(_, z)| z * z).sum::<f64>() / len;
            // 1 for a list with two distinct scores or more, 0 for a flat one.
            prop_assert!((spread - 1.0).abs() < 1e-6 || spread == 0.0, "variance {spread}");
            let lowest = n.values.iter().map(|&(_, z)| z).fold(f64::INFINITY, f64::min);
            prop_assert_eq!(n.missing, lowest);
        }
    }

    #[test]
    fn weights_sum_as_documented(a in grid_list(), b in grid_list(), w in 0.0f64..=1.0) {
        // A champion above everything in both lists: first in each.
        let champion = |list: &[Hit]| {
            let mut out = list.to_vec();
            out.push(Hit { item: ItemId(99), score: 2000.0 });
            out
        };
        let (a, b) = (champion(&a), champion(&b));
        let lists = [Weighted { hits: &a, weight: w }, Weighted { hits: &b, weight: 1.0 - w }];
        // RRF: Σ w_i / (k + 1) = 1 / 61 for the item first everywhere, the maximum.
        let rrf = reciprocal_rank(&lists, 60.0);
        prop_assert_eq!(rrf[0].item, ItemId(99));
        prop_assert!(close(f64::from(rrf[0].score), 1.0 / 61.0), "{rrf:?}");
        // Min-max: Σ w_i · 1 = 1 for it, and everything in [0, Σ w_i] = [0, 1].
        let mm = linear(&lists, Normalisation::MinMax);
        prop_assert_eq!(mm[0].item, ItemId(99));
        prop_assert!(close(f64::from(mm[0].score), 1.0), "{mm:?}");
        for h in &mm {
            prop_assert!((0.0..=1.0 + 1e-6).contains(&h.score), "{mm:?}");
        }
        // Each fused min-max score is the weighted sum of the two normalised values.
        let (na, nb) = (normalise(&a, Normalisation::MinMax), normalise(&b, Normalisation::MinMax));
        let value = |n: &Normalised, item| n.values.iter().find(|(i, _)| *i == item).map_or(n.missing, |&(_, v)| v);
        for h in &mm {
            let expected = w * value(&na, h.item) + (1.0 - w) * value(&nb, h.item);
            prop_assert!(close(f64::from(h.score), expected), "{h:?}: expected {expected}");
        }
    }

    #[test]
    fn fusing_a_list_with_itself_keeps_its_order(list in grid_list(), w in 0.0f64..=1.0) {
        let lists = [Weighted { hits: &list, weight: w }, Weighted { hits: &list, weight: 1.0 - w }];
        let expected = items(&ranked(&list));
        for fused in all_methods(&lists) {
            prop_assert_eq!(items(&fused), expected.clone());
        }
    }

    #[test]
    fn output_is_deduplicated_sorted_and_covers_every_ranked_item(
        a in wild_list(),
        b in wild_list(),
        w in 0.0f64..=1.0,
    ) {
        let lists = [Weighted { hits: &a, weight: w }, Weighted { hits: &b, weight: 1.0 - w }];
        let mut union: Vec<u32> = items(&ranked(&a)).into_iter().chain(items(&ranked(&b))).collect();
        union.sort_unstable();
        union.dedup();
        for fused in all_methods(&lists) {
            assert_contract(&fused)?;
            let mut got = items(&fused);
            got.sort_unstable();
            prop_assert_eq!(got, union.clone());
        }
    }
}
