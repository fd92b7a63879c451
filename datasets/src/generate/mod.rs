//! World generation: a pure function of (scenario, seed).
//!
//! Every entity draws from its own counter-based stream (see [`crate::rng`])
//! and parallel steps collect in id order, so the world is bit-identical
//! whatever the thread count. Logs are produced in fixed-size chunks of users
//! and handed to a sink, so a writer can stream them to disk in bounded memory.

mod evaluation;
mod items;
mod logs;
mod users;

use rayon::prelude::*;

pub(crate) use logs::{LogChunk, LogContext, LogSink};

use crate::Result;
use crate::behaviour::Market;
use crate::catalog::Catalog;
use crate::ids::{ItemId, UserId};
use crate::judgements::Qrels;
use crate::latent::LatentSpace;
use crate::logs::Logs;
use crate::needs::{NeedModel, leaf_popularity};
use crate::policy::{PopularityFeed, TermMatchSearch};
use crate::scenario::Scenario;
use crate::taxonomy::Taxonomy;
use crate::truth::{ItemTruth, Need, Truth, UserTruth, Vectors};
use crate::users::UserProfile;
use crate::world::{Observable, Origin, World};

/// The fixed parts of a world every step reads.
pub(crate) struct Generator<'s> {
    pub scenario: &'s Scenario,
    pub seed: u64,
    pub taxonomy: Taxonomy,
    pub latent: LatentSpace,
    /// Cumulative popularity of leaves (Zipf over a seeded random order).
    pub leaf_cdf: Vec<f64>,
}

/// Progress callback: (stage, units done since the last call).
pub type Progress<'a> = &'a (dyn Fn(Stage, u64) + Sync);

/// Generation stages, for progress reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Items generated (total: `world.items`).
    Items,
    /// Users generated (total: `world.users`).
    Users,
    /// Users whose logs are written (total: `world.users`).
    Logs,
    /// Evaluation queries judged (total: `queries.count`).
    Queries,
}

/// The catalogue half of a generated world.
pub(crate) struct Items {
    pub catalog: Catalog,
    pub truth: Vec<ItemTruth>,
    pub vectors: Vectors,
}

/// The user half of a generated world.
pub(crate) struct Users {
    pub profiles: Vec<UserProfile>,
    pub truth: Vec<UserTruth>,
    pub vectors: Vectors,
}

impl<'s> Generator<'s> {
    /// Validates the scenario and derives the taxonomy and latent space.
    pub(crate) fn new(scenario: &'s Scenario, seed: u64) -> Result<Generator<'s>> {
        scenario.validate()?;
        let taxonomy = Taxonomy::embedded()?;
        let latent = LatentSpace::generate(seed, &taxonomy, scenario.world.latent_dim as usize);
        let leaf_cdf = leaf_popularity(seed, &taxonomy, scenario.world.leaf_zipf);
        Ok(Generator { scenario, seed, taxonomy, latent, leaf_cdf })
    }

    /// The organic-need model of the world being generated.
    pub(crate) fn need_model(&self) -> NeedModel<'_> {
        NeedModel::from_parts(&self.taxonomy, &self.latent, &self.scenario.needs, &self.leaf_cdf)
    }

    pub(crate) fn items(&self, progress: Progress<'_>) -> Items {
        let rows: Vec<_> = (0..self.scenario.world.items).into_par_iter().map(|i| self.item(ItemId(i))).collect();
        progress(Stage::Items, rows.len() as u64);
        let dim = self.latent.leaves.dim;
        let mut out = Items {
            catalog: Catalog {
                items: Vec::with_capacity(rows.len()),
                category_paths: self.taxonomy.leaves.iter().map(|l| l.path.clone()).collect(),
            },
            truth: Vec::with_capacity(rows.len()),
            vectors: Vectors { dim, data: Vec::with_capacity(rows.len() * dim) },
        };
        for (item, truth, vector) in rows {
            out.catalog.items.push(item);
            out.truth.push(truth);
            out.vectors.data.extend(vector);
        }
        out
    }

    pub(crate) fn users(&self, progress: Progress<'_>) -> Users {
        let rows: Vec<_> = (0..self.scenario.world.users).into_par_iter().map(|u| self.user(UserId(u))).collect();
        progress(Stage::Users, rows.len() as u64);
        let dim = self.latent.leaves.dim;
        let mut out = Users {
            profiles: Vec::with_capacity(rows.len()),
            truth: Vec::with_capacity(rows.len()),
            vectors: Vectors { dim, data: Vec::with_capacity(rows.len() * dim) },
        };
        for (profile, truth, vector) in rows {
            out.profiles.push(profile);
            out.truth.push(truth);
            out.vectors.data.extend(vector);
        }
        out
    }

    pub(crate) fn log_context<'w>(&'w self, items: &'w Items, users: &'w Users) -> LogContext<'w> {
        let s = self.scenario;
        LogContext {
            market: Market::new(&self.taxonomy, &items.catalog, &items.truth, &items.vectors, &s.behaviour),
            search: TermMatchSearch::new(&items.catalog, s.logs.term_depth as usize),
            feed: PopularityFeed::new(&items.catalog, s.logs.feed_popularity_exponent),
            users: &users.truth,
            user_vectors: &users.vectors,
        }
    }
}

/// Collects log chunks in memory.
#[derive(Default)]
struct MemorySink {
    logs: Logs,
    needs: Vec<Need>,
}

impl LogSink for MemorySink {
    fn accept(&mut self, mut chunk: LogChunk) -> Result<()> {
        self.logs.events.append(&mut chunk.events);
        self.logs.queries.append(&mut chunk.queries);
        self.needs.append(&mut chunk.needs);
        Ok(())
    }
}

/// Generates a whole world in memory.
pub fn generate(scenario: &Scenario, seed: u64) -> Result<World> {
    generate_with_progress(scenario, seed, &|_, _| {})
}

/// [`generate`], reporting progress.
pub fn generate_with_progress(scenario: &Scenario, seed: u64, progress: Progress<'_>) -> Result<World> {
    let g = Generator::new(scenario, seed)?;
    let items = g.items(progress);
    let users = g.users(progress);
    let mut sink = MemorySink::default();
    let log_needs = g.write_logs(&g.log_context(&items, &users), &mut sink, &|n| progress(Stage::Logs, n))?;
    let evaluation = g.evaluation(&users.vectors, log_needs);
    let mut judgements = Vec::new();
    g.judge(&items.catalog, &items.truth, &evaluation.needs, |mut rows| {
        judgements.append(&mut rows);
        Ok(())
    })?;
    progress(Stage::Queries, evaluation.queries.len() as u64);
    let mut needs = sink.needs;
    needs.extend(evaluation.needs);
    Ok(World {
        scenario: g.scenario.clone(),
        seed,
        taxonomy: g.taxonomy,
        latent: g.latent,
        observable: Observable {
            catalog: items.catalog,
            users: users.profiles,
            logs: sink.logs,
            queries: evaluation.queries,
        },
        qrels: Qrels { judgements },
        feed_judgements: Vec::new(),
        truth: Some(Truth {
            items: items.truth,
            item_vectors: items.vectors,
            users: users.truth,
            user_vectors: users.vectors,
            needs,
            queries: evaluation.truth,
        }),
        origin: Origin::Generated,
    })
}

/// Index of the first cumulative weight above `u · total`.
pub(crate) fn pick_weighted(cdf: &[f64], u: f64) -> usize {
    let total = cdf.last().copied().unwrap_or(0.0);
    cdf.partition_point(|&c| c <= u * total).min(cdf.len().saturating_sub(1))
}
