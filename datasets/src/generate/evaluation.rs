//! The evaluation query set and its judgements.

use rand::RngExt;
use rayon::prelude::*;

use super::Generator;
use crate::catalog::Catalog;
use crate::ids::{ItemId, NeedId, QueryId, UserId};
use crate::judgements::{Grade, Judgement, grade};
use crate::queries::Query;
use crate::querygen::write_query;
use crate::rng::{Purpose, stream};
use crate::truth::{ItemTruth, Need, NeedOrigin, QueryTruth, Vectors};

/// Queries, their needs and their truth.
pub(crate) struct Evaluation {
    pub queries: Vec<Query>,
    pub needs: Vec<Need>,
    pub truth: Vec<QueryTruth>,
}

impl Generator<'_> {
    /// Each query comes from a fresh need of a random user at the end of the
    /// logged period; need ids continue after the log's `first_need`.
    pub(crate) fn evaluation(&self, user_vectors: &Vectors, first_need: u32) -> Evaluation {
        let s = self.scenario;
        let time = s.logs.days.saturating_mul(86_400);
        let rows: Vec<(Query, Need, QueryTruth)> = (0..s.queries.count)
            .into_par_iter()
            .map(|q| {
                let mut rng = stream(self.seed, Purpose::EvaluationQuery, q as u64, 0);
                let user = UserId(rng.random_range(0..s.world.users));
                let vector = user_vectors.row(user.index());
                let needs = self.need_model();
                let leaf_cdf = needs.leaf_cdf(vector);
                let mut need = needs.organic(user, vector, &leaf_cdf, time, NeedOrigin::Evaluation, &mut rng);
                need.id = NeedId(first_need + q);
                let (text, noise) = write_query(&self.taxonomy, &need, &s.queries, &mut rng);
                let query = Query { id: QueryId(q), user, time, text };
                let truth = QueryTruth { query: QueryId(q), need: need.id, noise };
                (query, need, truth)
            })
            .collect();
        let mut out = Evaluation { queries: Vec::new(), needs: Vec::new(), truth: Vec::new() };
        for (q, n, t) in rows {
            out.queries.push(q);
            out.needs.push(n);
            out.truth.push(t);
        }
        out
    }

    /// Judges every item of the need's leaf (Exact or Substitute) and of its
    /// complementary leaves (Complement). Exact items are all kept; Substitute
    /// and Complement are each sampled down to `max_per_grade` when there are
    /// more, so the ideal ranking stays exact for nDCG at any realistic cutoff.
    ///
    /// Queries are judged a fixed-size chunk at a time and each chunk's rows
    /// (sorted by query, then item) go to `each`, so a writer never holds all
    /// judgements at once: a large world has hundreds of millions.
    pub(crate) fn judge(
        &self,
        catalog: &Catalog,
        items: &[ItemTruth],
        needs: &[Need],
        mut each: impl FnMut(Vec<Judgement>) -> crate::Result<()>,
    ) -> crate::Result<()> {
        const QUERIES_PER_CHUNK: usize = 64;
        let mut by_leaf: Vec<Vec<ItemId>> = vec![Vec::new(); self.taxonomy.leaves.len()];
        for item in &catalog.items {
            by_leaf[item.leaf.index()].push(item.id);
        }
        for (c, chunk) in needs.chunks(QUERIES_PER_CHUNK).enumerate() {
            let first = c * QUERIES_PER_CHUNK;
            each(self.judge_chunk(&by_leaf, items, chunk, first))?;
        }
        Ok(())
    }

    /// Judges `needs`, the needs of queries `first..`.
    fn judge_chunk(
        &self,
        by_leaf: &[Vec<ItemId>],
        items: &[ItemTruth],
        needs: &[Need],
        first: usize,
    ) -> Vec<Judgement> {
        let cap = self.scenario.judgements.max_per_grade as usize;
        let per_query: Vec<Vec<Judgement>> = needs
            .par_iter()
            .enumerate()
            .map(|(offset, need)| {
                let q = first + offset;
                let query = QueryId(q as u32);
                let mut rng = stream(self.seed, Purpose::Judgements, q as u64, 0);
                let mut graded: [Vec<ItemId>; 4] = Default::default();
                let leaves =
                    std::iter::once(need.leaf).chain(self.taxonomy.leaf(need.leaf).complements.iter().copied());
                for leaf in leaves {
                    for &item in &by_leaf[leaf.index()] {
                        let g = grade(&self.taxonomy, need, leaf, &items[item.index()]);
                        graded[g as usize].push(item);
                    }
                }
                let mut rows = Vec::new();
                for g in [Grade::Exact, Grade::Substitute, Grade::Complement] {
                    let list = &mut graded[g as usize];
                    if g != Grade::Exact && list.len() > cap {
                        for i in 0..cap {
                            let j = rng.random_range(i..list.len());
                            list.swap(i, j);
                        }
                        list.truncate(cap);
                    }
                    rows.extend(list.iter().map(|&item| Judgement { query, item, grade: g }));
                }
                rows.sort_unstable_by_key(|j| j.item);
                rows
            })
            .collect();
        per_query.into_iter().flatten().collect()
    }
}
