//! The graph backend: an in-process HNSW index (Malkov & Yashunin) in the hnswlib layout.
//!
//! * **Distance** is `1 - <a, b>` on unit vectors (the caller guarantees unit, finite rows).
//! * **Algorithm** as hnswlib: levels `floor(-ln(U) · mL)` with `mL = 1/ln(M)` drawn from a
//!   seeded `ChaCha8Rng` (capped at `max_layer`), greedy descent through the upper levels,
//!   a beam search of width `ef_construction` on each level of the new node, the
//!   diversity heuristic (keep-pruned off) choosing `M` links for the new node, reverse
//!   links added to each chosen neighbour and, when its list is full (`M` on upper levels,
//!   `2·M` on level 0), the heuristic re-run over the old list plus the new node.
//! * **Layout**: level 0 is one contiguous `Vec<u32>` of fixed-width, cache-line aligned
//!   blocks, one per node: `2·M` neighbour ids (unused slots hold `u32::MAX`, so no count
//!   word is needed and at M = 16 the list fills exactly two cache lines), then the vector
//!   as `f32` bit patterns, zero-padded to a multiple of 16 lanes. Upper levels live in a
//!   separate array (`count + M ids` per node and level).
//! * **Speed**: when a node is expanded, its unvisited neighbours are gathered first, one
//!   plain load per cache line of each of their vectors is issued (and the next
//!   candidate's list is touched), and only then are the distances computed, so the cache
//!   misses overlap: a safe stand-in for hnswlib's `_mm_prefetch`. The kernel is plain
//!   safe Rust (16-lane accumulation, see `kernel.rs`); no `unsafe` anywhere.
//! * **Scratch**: searches reuse a thread-local scratch: an epoch-stamped `u16` visited
//!   array (cleared only when the epoch wraps; sized to the largest index this thread
//!   has searched) and two binary heaps kept between calls, so after warm-up a search
//!   allocates only the returned `Vec`.
//! * **Determinism**: the sequential build (`parallel_build = false`) inserts in id order
//!   and is fully deterministic: the same rows and parameters give the same graph and the
//!   same answers. The parallel build (`parallel_build = true`) inserts on the rayon pool
//!   with per-node locks; the graph, and hence the answers, then depend on thread timing.
//!
//! Self-contained: only `std`, `rayon`, `rand` and `rand_chacha`.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering as Mem};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

mod kernel;

use kernel::{LANES, distance};

#[cfg(test)]
mod tests;

/// Build parameters of a [`GraphIndex`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphParams {
    /// Links per node on the upper levels (`2·m` on level 0); values below 2 are raised to 2.
    pub m: usize,
    /// Beam width of the construction search (raised to `m` if smaller).
    pub ef_construction: usize,
    /// Cap on a node's level (at most 255 is used).
    pub max_layer: usize,
    /// Seed of the level generator.
    pub seed: u64,
    /// Insert on the rayon pool (faster, but the graph then depends on timing).
    pub parallel_build: bool,
    /// Fill a list the diversity heuristic left short with the nearest
    /// pruned candidates (the paper's `keepPrunedConnections`). Without it,
    /// clusters of near-duplicate vectors keep one link into the cluster and
    /// most of its members lose every in-link on level 0.
    pub keep_pruned: bool,
}

impl Default for GraphParams {
    fn default() -> Self {
        GraphParams { m: 16, ef_construction: 200, max_layer: 16, seed: 0, parallel_build: false, keep_pruned: false }
    }
}

/// An immutable HNSW graph over unit vectors; see the module documentation.
#[derive(Debug, Clone)]
pub struct GraphIndex {
    n: usize,
    dim: usize,
    /// `dim` rounded up to a multiple of 16.
    dim_pad: usize,
    /// Capacity of an upper-level list.
    m: usize,
    /// Capacity of a level-0 list.
    m0: usize,
    /// Words per level-0 block (a multiple of 16, so blocks stay 64-byte aligned).
    block: usize,
    /// Offset of the vector inside a block (`m0` rounded up to 16).
    voff: usize,
    /// Offset of node 0's block in `level0` (aligns the blocks to 64 bytes).
    base: usize,
    level0: Vec<u32>,
    /// Per node, the offset of its level-1 list in `upper` (unused for level-0 nodes).
    upper_off: Vec<u32>,
    upper: Vec<u32>,
    levels: Vec<u8>,
    entry: u32,
    max_level: usize,
}

/// Read access to a graph under construction or finished, for the shared search code.
trait Layers {
    /// Distance from the padded query (bit patterns) to node `id`.
    fn dist(&self, q: &[u32], id: u32) -> f32;
    /// The neighbour list of `id` on `level`; may be copied into `buf` (`buf.len() >= 2·M`).
    /// The list may be followed by [`NONE`] padding: readers stop at the first `NONE`.
    fn neighbours<'a>(&'a self, id: u32, level: usize, buf: &'a mut [u32]) -> &'a [u32];
    /// Starts loading node `id`'s vector (a plain load whose value is discarded).
    #[inline(always)]
    fn touch(&self, _id: u32) {}
    /// Starts loading node `id`'s neighbour list on `level`.
    #[inline(always)]
    fn touch_links(&self, _id: u32, _level: usize) {}
}

/// Marks an empty level-0 slot.
const NONE: u32 = u32::MAX;

impl Layers for GraphIndex {
    #[inline(always)]
    fn dist(&self, q: &[u32], id: u32) -> f32 {
        let start = self.base + id as usize * self.block + self.voff;
        distance(q, &self.level0[start..start + self.dim_pad])
    }

    #[inline(always)]
    fn touch(&self, id: u32) {
        let start = self.base + id as usize * self.block + self.voff;
        for w in self.level0[start..start + self.dim_pad].iter().step_by(LANES) {
            std::hint::black_box(*w);
        }
    }

    #[inline(always)]
    fn touch_links(&self, id: u32, level: usize) {
        if level == 0 {
            std::hint::black_box(self.level0[self.base + id as usize * self.block]);
        }
    }

    #[inline(always)]
    fn neighbours<'a>(&'a self, id: u32, level: usize, _buf: &'a mut [u32]) -> &'a [u32] {
        if level == 0 {
            let start = self.base + id as usize * self.block;
            &self.level0[start..start + self.m0]
        } else {
            let start = self.upper_off[id as usize] as usize + (level - 1) * (self.m + 1);
            let count = self.upper[start] as usize;
            &self.upper[start + 1..start + 1 + count]
        }
    }
}

// ---------------------------------------------------------------------------------------
// Heaps and scratch.

/// A (distance, id) pair ordered by distance then id: the max-heap of results keeps the
/// farthest on top.
#[derive(Debug, Clone, Copy)]
struct Far {
    d: f32,
    id: u32,
}

impl PartialEq for Far {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Far {}
impl PartialOrd for Far {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Far {
    #[inline(always)]
    fn cmp(&self, o: &Self) -> Ordering {
        cmp_f32(self.d, o.d).then(self.id.cmp(&o.id))
    }
}

/// A (distance, id) pair in reverse order of distance only (ties in an unspecified but
/// deterministic order): the max-heap of candidates keeps the nearest on top.
#[derive(Debug, Clone, Copy)]
struct Near {
    d: f32,
    id: u32,
}

impl PartialEq for Near {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Near {}
impl PartialOrd for Near {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Near {
    #[inline(always)]
    fn cmp(&self, o: &Self) -> Ordering {
        cmp_f32(o.d, self.d)
    }
}

/// Orders distances; NaN (only from a NaN query) compares equal to everything, which
/// leaves heap order unspecified but never panics.
#[inline(always)]
fn cmp_f32(a: f32, b: f32) -> Ordering {
    if a < b {
        Ordering::Less
    } else if a > b {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// Epoch-stamped visited set: `tags[i] == epoch` means visited in the current search.
#[derive(Debug, Default)]
struct Visited {
    tags: Vec<u16>,
    epoch: u16,
}

impl Visited {
    /// Starts a new search over `n` nodes.
    #[inline]
    fn reset(&mut self, n: usize) {
        if self.tags.len() < n {
            self.tags.resize(n, 0);
        }
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.tags.iter_mut().for_each(|t| *t = 0);
            self.epoch = 1;
        }
    }

    /// Marks `id`; returns whether it was already visited.
    #[inline(always)]
    fn test_and_set(&mut self, id: u32) -> bool {
        let t = &mut self.tags[id as usize];
        let seen = *t == self.epoch;
        *t = self.epoch;
        seen
    }
}

/// Per-thread reusable search state.
#[derive(Debug, Default)]
struct Scratch {
    visited: Visited,
    cand: BinaryHeap<Near>,
    res: BinaryHeap<Far>,
    /// The padded query as bit patterns.
    query: Vec<u32>,
    /// Copy buffer for neighbour lists read during construction.
    nbuf: Vec<u32>,
    /// Unvisited neighbours of the node being expanded.
    fresh: Vec<u32>,
    /// Candidate and selection lists of the construction.
    list: Vec<(f32, u32)>,
    picked: Vec<(f32, u32)>,
    /// Scratch of the reverse-link update.
    pair: PairScratch,
}

/// Two candidate lists: the reverse-link update's input and its selection.
type PairScratch = (Vec<(f32, u32)>, Vec<(f32, u32)>);

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's scratch (or a fresh one if it is already in use).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// Writes `row` into `out` as bit patterns, zero-padded to `dim_pad`.
#[inline]
fn pad_into(out: &mut Vec<u32>, row: &[f32], dim_pad: usize) {
    out.clear();
    out.extend(row.iter().map(|x| x.to_bits()));
    out.resize(dim_pad, 0f32.to_bits());
}

// ---------------------------------------------------------------------------------------
// Search primitives shared by the build and the queries.

/// Greedy walk from `(cur, cur_d)` through levels `from` down to `to + 1`: on each level,
/// move to any closer neighbour until none is closer.
#[inline]
fn greedy<L: Layers>(
    g: &L,
    q: &[u32],
    mut cur: u32,
    mut cur_d: f32,
    from: usize,
    to: usize,
    buf: &mut [u32],
) -> (u32, f32) {
    let mut level = from;
    while level > to {
        loop {
            let mut changed = false;
            let at = cur;
            let list = g.neighbours(at, level, buf);
            for &nb in list {
                if nb == NONE {
                    break;
                }
                g.touch(nb);
            }
            for &nb in list {
                if nb == NONE {
                    break;
                }
                let d = g.dist(q, nb);
                if d < cur_d {
                    cur_d = d;
                    cur = nb;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        level -= 1;
    }
    (cur, cur_d)
}

/// Beam search of width `ef` on `level` from one entry point; leaves the (at most `ef`)
/// nearest found in `res` (a max-heap: farthest on top).
#[allow(clippy::too_many_arguments)]
#[inline]
fn search_layer<L: Layers>(
    g: &L,
    q: &[u32],
    ep: u32,
    ep_d: f32,
    level: usize,
    ef: usize,
    n: usize,
    visited: &mut Visited,
    cand: &mut BinaryHeap<Near>,
    res: &mut BinaryHeap<Far>,
    buf: &mut [u32],
    fresh: &mut Vec<u32>,
) {
    visited.reset(n);
    cand.clear();
    res.clear();
    visited.test_and_set(ep);
    cand.push(Near { d: ep_d, id: ep });
    res.push(Far { d: ep_d, id: ep });
    let mut bound = ep_d;
    while let Some(c) = cand.pop() {
        if c.d > bound {
            break;
        }
        if let Some(next) = cand.peek() {
            g.touch_links(next.id, level);
        }
        fresh.clear();
        for &nb in g.neighbours(c.id, level, buf) {
            if nb == NONE {
                break;
            }
            if !visited.test_and_set(nb) {
                fresh.push(nb);
            }
        }
        for &nb in fresh.iter() {
            g.touch(nb);
        }
        for &nb in fresh.iter() {
            let d = g.dist(q, nb);
            if res.len() < ef {
                cand.push(Near { d, id: nb });
                res.push(Far { d, id: nb });
                if let Some(top) = res.peek() {
                    bound = top.d;
                }
            } else if d < bound {
                cand.push(Near { d, id: nb });
                // Replace the farthest in place: one sift-down instead of a push and a pop.
                if let Some(mut top) = res.peek_mut() {
                    *top = Far { d, id: nb };
                }
                if let Some(top) = res.peek() {
                    bound = top.d;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The index.

impl GraphIndex {
    /// Builds the graph over `rows` (row-major, `rows.len() == n * dim`, every row finite
    /// and unit length — the caller checks). Distance is `1 - <a, b>`.
    ///
    /// # Panics
    /// If `dim > 0` and `rows.len()` is not a multiple of `dim`, or if there are more
    /// than `u32::MAX - 1` rows.
    pub fn build(rows: &[f32], dim: usize, params: &GraphParams) -> GraphIndex {
        let n = rows.len().checked_div(dim).unwrap_or(0);
        assert!(dim == 0 || rows.len() == n * dim, "rows.len() must be a multiple of dim");
        assert!(n < u32::MAX as usize, "too many rows for u32 ids");
        let m = params.m.max(2);
        let m0 = 2 * m;
        let ef_c = params.ef_construction.max(m);
        let dim_pad = dim.div_ceil(LANES).max(1) * LANES;
        let cap = params.max_layer.min(u8::MAX as usize);

        // Levels, drawn up front so that the parallel build draws the same ones.
        let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
        let mult = 1.0 / (m as f64).ln();
        let levels: Vec<u8> = (0..n)
            .map(|_| {
                let u: f64 = rng.random::<f64>();
                let l = (-(1.0 - u).ln() * mult).floor();
                (l as usize).min(cap) as u8
            })
            .collect();
        let mut upper_off = vec![0u32; n];
        let mut total_upper = 0usize;
        for (i, &l) in levels.iter().enumerate() {
            upper_off[i] = u32::try_from(total_upper).expect("upper levels too large");
            total_upper += l as usize * (m + 1);
        }

        let mut vecs = Vec::with_capacity(n * dim_pad);
        for row in rows.chunks_exact(dim.max(1)).take(n) {
            vecs.extend(row.iter().map(|x| x.to_bits()));
            vecs.resize(vecs.len() + dim_pad - dim, 0f32.to_bits());
        }

        let b = Builder {
            n,
            dim_pad,
            m,
            m0,
            ef_c,
            keep_pruned: params.keep_pruned,
            vecs,
            links0: (0..n * (m0 + 1)).map(|_| AtomicU32::new(0)).collect(),
            upper: (0..total_upper).map(|_| AtomicU32::new(0)).collect(),
            upper_off,
            levels,
            locks: (0..n).map(|_| Mutex::new(())).collect(),
            global: Mutex::new(None),
        };
        if n > 0 {
            with_scratch(|s| b.insert(0, s));
            if params.parallel_build {
                (1..n as u32).into_par_iter().for_each(|i| with_scratch(|s| b.insert(i, s)));
            } else {
                with_scratch(|s| (1..n as u32).for_each(|i| b.insert(i, s)));
            }
        }
        b.finish(dim)
    }

    /// Up to `k` `(id, distance)` pairs, nearest first (ties by id). `ef` is raised to `k`.
    /// A query shorter or longer than `dim` is zero-padded or truncated; it need not be
    /// unit length (distances are then `1 - <a, q>` as usual).
    pub fn search(&self, query: &[f32], k: usize, ef: usize) -> Vec<(u32, f32)> {
        if k == 0 || self.n == 0 {
            return Vec::new();
        }
        let ef = ef.max(k);
        with_scratch(|s| {
            let Scratch { visited, cand, res, query: q, nbuf, fresh, .. } = s;
            let row = &query[..query.len().min(self.dim)];
            pad_into(q, row, self.dim_pad);
            if nbuf.len() < self.m0 {
                nbuf.resize(self.m0, 0);
            }
            let ep = self.entry;
            let ep_d = self.dist(q, ep);
            let (ep, ep_d) = greedy(self, q, ep, ep_d, self.max_level, 0, nbuf);
            search_layer(self, q, ep, ep_d, 0, ef, self.n, visited, cand, res, nbuf, fresh);
            while res.len() > k {
                res.pop();
            }
            let mut out = Vec::with_capacity(res.len());
            while let Some(f) = res.pop() {
                out.push((f.id, f.d));
            }
            out.reverse();
            out
        })
    }

    /// Number of indexed vectors.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether the index holds no vectors.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Dimension of the indexed vectors.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Total number of directed links over all levels.
    pub fn links(&self) -> u64 {
        let mut total = 0u64;
        for i in 0..self.n {
            let start = self.base + i * self.block;
            total += self.level0[start..start + self.m0].iter().filter(|&&x| x != NONE).count() as u64;
            for l in 1..=self.levels[i] as usize {
                total += self.upper[self.upper_off[i] as usize + (l - 1) * (self.m + 1)] as u64;
            }
        }
        total
    }

    /// Highest level of any node (0 for an empty or one-level graph).
    pub fn max_level(&self) -> usize {
        self.max_level
    }

    /// Heap bytes held by the index (vectors included).
    pub fn memory_bytes(&self) -> u64 {
        (self.level0.capacity() * 4
            + self.upper.capacity() * 4
            + self.upper_off.capacity() * 4
            + self.levels.capacity()
            + std::mem::size_of::<Self>()) as u64
    }

    /// Nodes reachable from the entry point over level-0 links (a health check; O(n)).
    pub fn reachable(&self) -> usize {
        if self.n == 0 {
            return 0;
        }
        let mut seen = vec![false; self.n];
        let mut stack = vec![self.entry];
        seen[self.entry as usize] = true;
        let mut count = 1;
        let mut buf = vec![0u32; self.m0];
        while let Some(v) = stack.pop() {
            for &nb in self.neighbours(v, 0, &mut buf) {
                if nb == NONE {
                    break;
                }
                if !seen[nb as usize] {
                    seen[nb as usize] = true;
                    count += 1;
                    stack.push(nb);
                }
            }
        }
        count
    }
}

// ---------------------------------------------------------------------------------------
// Construction.

/// The graph under construction: vectors separate and immutable, links in atomics so that
/// the parallel build can read lists without locks (writers hold the node's lock; a reader
/// may see a list mid-rewrite, which only ever holds valid ids).
struct Builder {
    n: usize,
    dim_pad: usize,
    m: usize,
    m0: usize,
    ef_c: usize,
    keep_pruned: bool,
    vecs: Vec<u32>,
    /// Per node: count, then `m0` ids.
    links0: Vec<AtomicU32>,
    /// Per node and level ≥ 1: count, then `m` ids.
    upper: Vec<AtomicU32>,
    upper_off: Vec<u32>,
    levels: Vec<u8>,
    locks: Vec<Mutex<()>>,
    /// Entry point and its level, once the first node is in.
    global: Mutex<Option<(u32, usize)>>,
}

impl Layers for Builder {
    #[inline(always)]
    fn dist(&self, q: &[u32], id: u32) -> f32 {
        distance(q, self.row(id))
    }

    #[inline(always)]
    fn touch(&self, id: u32) {
        for w in self.row(id).iter().step_by(LANES) {
            std::hint::black_box(*w);
        }
    }

    #[inline(always)]
    fn touch_links(&self, id: u32, level: usize) {
        std::hint::black_box(self.list(id, level).0[0].load(Mem::Relaxed));
    }

    #[inline(always)]
    fn neighbours<'a>(&'a self, id: u32, level: usize, buf: &'a mut [u32]) -> &'a [u32] {
        let (list, cap) = self.list(id, level);
        let count = (list[0].load(Mem::Acquire) as usize).min(cap);
        for (dst, src) in buf[..count].iter_mut().zip(&list[1..]) {
            *dst = src.load(Mem::Relaxed);
        }
        &buf[..count]
    }
}

impl Builder {
    #[inline(always)]
    fn row(&self, id: u32) -> &[u32] {
        let s = id as usize * self.dim_pad;
        &self.vecs[s..s + self.dim_pad]
    }

    /// The atomic list (count first) of `id` on `level` and its capacity.
    #[inline(always)]
    fn list(&self, id: u32, level: usize) -> (&[AtomicU32], usize) {
        if level == 0 {
            let s = id as usize * (self.m0 + 1);
            (&self.links0[s..s + self.m0 + 1], self.m0)
        } else {
            let s = self.upper_off[id as usize] as usize + (level - 1) * (self.m + 1);
            (&self.upper[s..s + self.m + 1], self.m)
        }
    }

    fn write_list(&self, id: u32, level: usize, ids: impl Iterator<Item = u32>) {
        let (list, cap) = self.list(id, level);
        let mut c = 0;
        for (slot, v) in list[1..].iter().zip(ids.take(cap)) {
            slot.store(v, Mem::Relaxed);
            c += 1;
        }
        list[0].store(c as u32, Mem::Release);
    }

    /// hnswlib's `getNeighborsByHeuristic2`: from `cands` (sorted nearest first), keep a
    /// candidate only if it is closer to the base than to every one already kept, up to
    /// `m`. With fewer than `m` candidates all are kept. With `keep_pruned`, a list left
    /// short is filled with the nearest pruned candidates, in order.
    fn heuristic(&self, cands: &[(f32, u32)], m: usize, out: &mut Vec<(f32, u32)>) {
        out.clear();
        if cands.len() < m {
            out.extend_from_slice(cands);
            return;
        }
        let mut pruned = 0;
        for &(d, c) in cands {
            if out.len() >= m {
                break;
            }
            let rc = self.row(c);
            if out.iter().all(|&(_, r)| distance(rc, self.row(r)) >= d) {
                out.push((d, c));
            } else {
                pruned += 1;
            }
        }
        if self.keep_pruned && out.len() < m && pruned > 0 {
            let kept = out.len();
            for &candidate in cands {
                if out.len() >= m {
                    break;
                }
                if !out[..kept].iter().any(|&(_, r)| r == candidate.1) {
                    out.push(candidate);
                }
            }
        }
    }

    fn insert(&self, id: u32, s: &mut Scratch) {
        let level = self.levels[id as usize] as usize;
        let Scratch { visited, cand, res, query: q, nbuf, fresh, list, picked, pair } = s;
        q.clear();
        q.extend_from_slice(self.row(id));
        if nbuf.len() < self.m0 {
            nbuf.resize(self.m0, 0);
        }

        let mut global = self.global.lock().unwrap_or_else(|e| e.into_inner());
        let Some((ep, top)) = *global else {
            *global = Some((id, level));
            return;
        };
        // Hold the global lock through the insert only when this node becomes the new top.
        let hold = if level > top {
            Some(global)
        } else {
            drop(global);
            None
        };

        let ep_d = self.dist(q, ep);
        let (mut cur, mut cur_d) = greedy(self, q, ep, ep_d, top, level, nbuf);
        for l in (0..=level.min(top)).rev() {
            search_layer(self, q, cur, cur_d, l, self.ef_c, self.n, visited, cand, res, nbuf, fresh);
            list.clear();
            list.extend(res.drain().filter(|f| f.id != id).map(|f| (f.d, f.id)));
            list.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            self.heuristic(list, self.m, picked);
            {
                let _own = self.locks[id as usize].lock().unwrap_or_else(|e| e.into_inner());
                self.write_list(id, l, picked.iter().map(|p| p.1));
            }
            for &(d_new, nb) in picked.iter() {
                self.connect(nb, id, d_new, l, pair);
            }
            if let Some(&(d, c)) = picked.first() {
                cur = c;
                cur_d = d;
            }
        }
        if let Some(mut g) = hold {
            *g = Some((id, level));
        }
    }

    /// Adds the reverse link `nb -> id` on `level`, re-running the heuristic over the old
    /// list plus `id` when `nb`'s list is full. `scratch` is reused storage.
    fn connect(&self, nb: u32, id: u32, d_new: f32, level: usize, scratch: &mut PairScratch) {
        let (tmp, kept) = scratch;
        let _lock = self.locks[nb as usize].lock().unwrap_or_else(|e| e.into_inner());
        let (slots, cap) = self.list(nb, level);
        let count = (slots[0].load(Mem::Acquire) as usize).min(cap);
        if slots[1..1 + count].iter().any(|s| s.load(Mem::Relaxed) == id) {
            return;
        }
        if count < cap {
            slots[1 + count].store(id, Mem::Relaxed);
            slots[0].store(count as u32 + 1, Mem::Release);
            return;
        }
        let base = self.row(nb);
        tmp.clear();
        tmp.push((d_new, id));
        for s in &slots[1..1 + count] {
            let x = s.load(Mem::Relaxed);
            tmp.push((distance(base, self.row(x)), x));
        }
        tmp.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        self.heuristic(tmp, cap, kept);
        self.write_list(nb, level, kept.iter().map(|p| p.1));
    }

    /// Freezes the graph into the search layout.
    fn finish(self, dim: usize) -> GraphIndex {
        let n = self.n;
        let voff = self.m0.div_ceil(LANES) * LANES;
        let block = voff + self.dim_pad;
        let mut level0: Vec<u32> = Vec::with_capacity(n * block + LANES);
        // Align node 0's block (and so every block) to 64 bytes.
        let misalign = (level0.as_ptr() as usize / 4) % LANES;
        let base = (LANES - misalign) % LANES;
        level0.resize(base, 0);
        for i in 0..n {
            let start = level0.len();
            let list = &self.links0[i * (self.m0 + 1)..(i + 1) * (self.m0 + 1)];
            let count = (list[0].load(Mem::Relaxed) as usize).min(self.m0);
            level0.extend(list[1..1 + count].iter().map(|a| a.load(Mem::Relaxed)));
            level0.resize(start + voff, NONE);
            level0.extend_from_slice(&self.vecs[i * self.dim_pad..(i + 1) * self.dim_pad]);
        }
        let (entry, max_level) = self.global.into_inner().unwrap_or_else(|e| e.into_inner()).unwrap_or((0, 0));
        GraphIndex {
            n,
            dim,
            dim_pad: self.dim_pad,
            m: self.m,
            m0: self.m0,
            block,
            voff,
            base,
            level0,
            upper_off: self.upper_off,
            upper: self.upper.into_iter().map(AtomicU32::into_inner).collect(),
            levels: self.levels,
            entry,
            max_level,
        }
    }
}
