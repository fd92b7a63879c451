//! Unit tests of the graph backend: recall against brute force, determinism, edge cases.

use super::*;

/// Clustered unit vectors (Box–Muller normals from a seeded ChaCha8Rng); `(base, queries)`.
fn clustered(n: usize, nq: usize, dim: usize, clusters: usize, sigma: f32, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut normal = move || {
        let u1: f64 = 1.0 - rng.random::<f64>();
        let u2: f64 = rng.random::<f64>();
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    };
    let centres: Vec<f32> = (0..clusters * dim).map(|_| normal()).collect();
    let mut pick = 0usize;
    let mut rows = |count: usize| {
        let mut out = Vec::with_capacity(count * dim);
        for _ in 0..count {
            pick = (pick * 7919 + 13) % clusters;
            let c = &centres[pick * dim..(pick + 1) * dim];
            let start = out.len();
            out.extend(c.iter().map(|&x| x + sigma * normal()));
            let norm = out[start..].iter().map(|x| x * x).sum::<f32>().sqrt();
            out[start..].iter_mut().for_each(|x| *x /= norm);
        }
        out
    };
    let base = rows(n);
    let queries = rows(nq);
    (base, queries)
}

fn exact(base: &[f32], q: &[f32], dim: usize, k: usize) -> Vec<u32> {
    let mut all: Vec<(f32, u32)> = base
        .chunks_exact(dim)
        .enumerate()
        .map(|(i, r)| (1.0 - r.iter().zip(q).map(|(a, b)| a * b).sum::<f32>(), i as u32))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    all.truncate(k);
    all.into_iter().map(|p| p.1).collect()
}

fn recall(index: &GraphIndex, base: &[f32], queries: &[f32], dim: usize, k: usize, ef: usize) -> f64 {
    let mut hit = 0usize;
    let mut total = 0usize;
    for q in queries.chunks_exact(dim) {
        let truth = exact(base, q, dim, k);
        let got: Vec<u32> = index.search(q, k, ef).into_iter().map(|p| p.0).collect();
        hit += truth.iter().filter(|t| got.contains(t)).count();
        total += truth.len();
    }
    hit as f64 / total as f64
}

fn params(seed: u64, parallel: bool) -> GraphParams {
    GraphParams { m: 16, ef_construction: 100, max_layer: 16, seed, parallel_build: parallel, keep_pruned: false }
}

#[test]
fn recall_against_brute_force() {
    let dim = 16;
    let (base, queries) = clustered(5_000, 200, dim, 50, 0.35, 7);
    let index = GraphIndex::build(&base, dim, &params(1, false));
    assert_eq!(index.len(), 5_000);
    assert_eq!(index.reachable(), 5_000);
    let r = recall(&index, &base, &queries, dim, 10, 64);
    assert!(r >= 0.98, "recall@10 at ef 64 = {r}");
    // Results are sorted nearest first and distances are 1 - dot.
    let q = &queries[..dim];
    let got = index.search(q, 10, 64);
    assert_eq!(got.len(), 10);
    for w in got.windows(2) {
        assert!(w[0].1 <= w[1].1);
    }
    let (id, d) = got[0];
    let row = &base[id as usize * dim..(id as usize + 1) * dim];
    let dot: f32 = row.iter().zip(q).map(|(a, b)| a * b).sum();
    assert!((d - (1.0 - dot)).abs() < 1e-5);
    assert!(index.links() > 5_000 && index.memory_bytes() > (5_000 * dim * 4) as u64);
}

#[test]
fn parallel_build_recall() {
    let dim = 16;
    let (base, queries) = clustered(3_000, 100, dim, 30, 0.35, 8);
    let index = GraphIndex::build(&base, dim, &params(2, true));
    assert_eq!(index.len(), 3_000);
    let r = recall(&index, &base, &queries, dim, 10, 64);
    assert!(r >= 0.97, "parallel recall@10 at ef 64 = {r}");
}

#[test]
fn sequential_build_is_deterministic() {
    let dim = 9;
    let (base, queries) = clustered(2_000, 50, dim, 20, 0.3, 9);
    let a = GraphIndex::build(&base, dim, &params(3, false));
    let b = GraphIndex::build(&base, dim, &params(3, false));
    assert_eq!(a.level0[a.base..], b.level0[b.base..]);
    assert_eq!(a.upper, b.upper);
    assert_eq!(a.links(), b.links());
    for q in queries.chunks_exact(dim) {
        assert_eq!(a.search(q, 10, 32), b.search(q, 10, 32));
    }
}

#[test]
fn edge_cases() {
    let dim = 4;
    let (base, queries) = clustered(300, 5, dim, 3, 0.2, 10);
    let index = GraphIndex::build(&base, dim, &params(4, false));
    let q = &queries[..dim];
    assert!(index.search(q, 0, 10).is_empty());
    // k > n: everything reachable, sorted.
    let all = index.search(q, 1_000, 10);
    assert_eq!(all.len(), 300);
    // ef < k is raised to k.
    assert_eq!(index.search(q, 20, 1).len(), 20);
    // Zero query and short/long queries do not panic.
    assert_eq!(index.search(&[0.0; 4], 5, 10).len(), 5);
    assert_eq!(index.search(&[1.0], 5, 10).len(), 5);
    assert_eq!(index.search(&[0.5; 9], 5, 10).len(), 5);
    assert_eq!(index.search(&[], 5, 10).len(), 5);
    assert_eq!(index.search(&[f32::NAN; 4], 5, 10).len(), 5);

    // n = 0 and n = 1.
    let empty = GraphIndex::build(&[], dim, &params(5, false));
    assert!(empty.is_empty());
    assert!(empty.search(q, 3, 10).is_empty());
    assert_eq!(empty.links(), 0);
    let zero_dim = GraphIndex::build(&[1.0, 2.0], 0, &params(5, false));
    assert!(zero_dim.search(&[], 3, 10).is_empty());
    let one = GraphIndex::build(&base[..dim], dim, &params(5, false));
    assert_eq!(one.search(q, 3, 10).len(), 1);
    assert_eq!(one.max_level(), 0);

    // Duplicates: 200 copies of one row plus 100 others.
    let mut dup = Vec::new();
    for _ in 0..200 {
        dup.extend_from_slice(&base[..dim]);
    }
    dup.extend_from_slice(&base[dim..101 * dim]);
    for parallel in [false, true] {
        let index = GraphIndex::build(&dup, dim, &params(6, parallel));
        let got = index.search(&base[..dim], 10, 20);
        assert_eq!(got.len(), 10);
        assert!(got[0].1.abs() < 1e-5);
        let got = index.search(&base[150 * dim..151 * dim], 5, 50);
        assert_eq!(got.len(), 5);
    }

    // Tiny M and a level cap of zero.
    let p = GraphParams { m: 0, ef_construction: 0, max_layer: 0, seed: 1, parallel_build: false, keep_pruned: false };
    let flat = GraphIndex::build(&base, dim, &p);
    assert_eq!(flat.max_level(), 0);
    assert_eq!(flat.search(q, 5, 5).len(), 5);
}

/// Clusters of near-duplicate vectors (as cold items sharing their leaf's
/// mean produce): the diversity heuristic keeps one link into each cluster,
/// so most members lose every level-0 in-link unless pruned candidates fill
/// the lists.
#[test]
fn keeping_pruned_links_connects_near_duplicate_clusters() {
    let (dim, clusters, per) = (8, 40, 100);
    let mut rows = Vec::with_capacity(clusters * per * dim);
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for c in 0..clusters {
        let centre: Vec<f32> = (0..dim).map(|d| ((c * 7 + d * 3) % 11) as f32 - 5.0 + 0.1).collect();
        for _ in 0..per {
            let v: Vec<f32> = centre.iter().map(|x| x + rng.random_range(-1e-4f32..1e-4)).collect();
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            rows.extend(v.iter().map(|x| x / n));
        }
    }
    let n = clusters * per;
    let build = |keep_pruned| GraphIndex::build(&rows, dim, &GraphParams { keep_pruned, ..params(3, false) });
    let (plain, kept) = (build(false), build(true));
    assert!(plain.reachable() < n * 9 / 10, "the heuristic alone orphans duplicates: {}", plain.reachable());
    assert!(
        kept.reachable() > plain.reachable() + n / 4,
        "pruned links fill the lists: {} vs {}",
        kept.reachable(),
        plain.reachable()
    );
}
