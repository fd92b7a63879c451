//! Loaders for public data sets: each reads the files in the layout users
//! already have on disk and builds a [`World`] without a truth half
//! ([`Origin::Loaded`]).
//!
//! | `format` | data set | what the world gets |
//! |---|---|---|
//! | `esci` | Amazon Shopping Queries (ESCI) Parquet | catalogue, queries, E/S/C/I judgements; no logs |
//! | `beir` | a BEIR folder (`corpus.jsonl`, `queries.jsonl`, `qrels/SPLIT.tsv`) | catalogue, queries, graded judgements; no logs |
//! | `trec` | TREC topics and qrels over a JSONL or SGML corpus | the same |
//! | `kuaisar` | KuaiSAR CSV logs of search and recommendation | catalogue, users, both channels' logs; held-out searches and feed interactions as judgements |
//!
//! Files stream (Parquet row groups, lines), so memory is bounded by what
//! the world keeps, not by the files; a malformed row fails naming file,
//! line or row, and column. `docs/real-data.md` says where to get each set
//! and what can and cannot be measured on it.

pub mod beir;
pub mod esci;
pub mod kuaisar;

use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::catalog::Catalog;
use crate::ids::{QueryId, UserId};
use crate::judgements::{FeedJudgement, Judgement, Qrels};
use crate::latent::LatentSpace;
use crate::logs::Logs;
use crate::queries::Query;
use crate::scenario::{Gains, Scale, Scenario};
use crate::taxonomy::Taxonomy;
use crate::users::UserProfile;
use crate::world::{Observable, Origin, World};
use crate::{DatasetError, Result};

/// A run scenario's `[world.source]`: which data set, where, which part.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "format", rename_all = "lowercase")]
pub enum Source {
    /// Amazon ESCI Shopping Queries.
    Esci(esci::EsciSource),
    /// A BEIR folder.
    Beir(beir::BeirSource),
    /// TREC topics and qrels.
    Trec(beir::TrecSource),
    /// KuaiSAR logs.
    Kuaisar(kuaisar::KuaisarSource),
}

impl Source {
    /// Loads the data set; relative paths are resolved against `base` (the
    /// scenario file's folder).
    pub fn load(&self, base: &Path) -> Result<World> {
        match self {
            Source::Esci(s) => esci::load(s, base),
            Source::Beir(s) => beir::load_beir(s, base),
            Source::Trec(s) => beir::load_trec(s, base),
            Source::Kuaisar(s) => kuaisar::load(s, base),
        }
    }

    /// The `format` tag, as written in scenarios.
    pub fn format(&self) -> &'static str {
        match self {
            Source::Esci(_) => "esci",
            Source::Beir(_) => "beir",
            Source::Trec(_) => "trec",
            Source::Kuaisar(_) => "kuaisar",
        }
    }
}

/// `path` against `base` unless absolute.
pub(crate) fn resolve(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() { path.to_path_buf() } else { base.join(path) }
}

/// Dense ids for a data set's own keys, in first-seen order, so the same
/// files always give the same ids.
#[derive(Debug)]
pub(crate) struct IdMap<K> {
    ids: HashMap<K, u32>,
    keys: Vec<K>,
}

impl<K: Clone + Eq + Hash> IdMap<K> {
    pub(crate) fn new() -> Self {
        IdMap { ids: HashMap::new(), keys: Vec::new() }
    }

    /// The id of `key`, assigned on first sight.
    pub(crate) fn intern(&mut self, key: &K) -> u32 {
        if let Some(&id) = self.ids.get(key) {
            return id;
        }
        let id = self.keys.len() as u32;
        self.ids.insert(key.clone(), id);
        self.keys.push(key.clone());
        id
    }

    /// The id of `key`, if seen.
    pub(crate) fn get(&self, key: &K) -> Option<u32> {
        self.ids.get(key).copied()
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The keys in id order.
    pub(crate) fn into_keys(self) -> Vec<K> {
        self.keys
    }
}

/// One anonymous user per query text (data sets without users): query `q`
/// is typed by user `q` at time 0.
pub(crate) fn anonymous_queries(texts: Vec<String>) -> (Vec<UserProfile>, Vec<Query>) {
    let users = (0..texts.len() as u32)
        .map(|u| UserProfile { id: UserId(u), age_band: 0, region: 0, tenure_days: 0 })
        .collect();
    let queries = texts
        .into_iter()
        .enumerate()
        .map(|(q, text)| Query { id: QueryId(q as u32), user: UserId(q as u32), time: 0, text })
        .collect();
    (users, queries)
}

/// What a loader read, before it becomes a [`World`].
#[derive(Debug, Default)]
pub(crate) struct Parts {
    /// The data set and part, e.g. `esci-us-small-test` (shown in reports).
    pub dataset: String,
    pub catalog: Catalog,
    pub users: Vec<UserProfile>,
    pub logs: Logs,
    pub queries: Vec<Query>,
    /// Any order; sorted by (query, item) here.
    pub judgements: Vec<Judgement>,
    pub feed_judgements: Vec<FeedJudgement>,
    /// The gain of each grade the loader writes.
    pub gains: Gains,
}

/// Checks what every world promises engines and the harness (dense ids,
/// every reference in range, judgements unique) and builds the world.
pub(crate) fn assemble(parts: Parts) -> Result<World> {
    let Parts { dataset, catalog, users, logs, queries, mut judgements, mut feed_judgements, gains } = parts;
    let fault = |message: String| DatasetError::Format { path: PathBuf::from(&dataset), message };
    if catalog.items.is_empty() {
        return Err(fault("no item was loaded; check the file names and the selected part".into()));
    }
    for (row, item) in catalog.items.iter().enumerate() {
        if item.id.index() != row || item.leaf.index() >= catalog.category_paths.len() {
            return Err(fault(format!("loader bug: item row {row} has id {} and leaf {}", item.id, item.leaf)));
        }
    }
    for (row, user) in users.iter().enumerate() {
        if user.id.index() != row {
            return Err(fault(format!("loader bug: user row {row} has id {}", user.id)));
        }
    }
    let item_ok = |i: crate::ItemId| i.index() < catalog.items.len();
    let user_ok = |u: crate::UserId| u.index() < users.len();
    for (row, q) in queries.iter().enumerate() {
        if q.id.index() != row || !user_ok(q.user) {
            return Err(fault(format!("loader bug: query row {row} has id {} and user {}", q.id, q.user)));
        }
    }
    if let Some(e) = logs.events.iter().find(|e| {
        !user_ok(e.user) || !e.item.is_none_or(item_ok) || e.query.is_some_and(|q| (q as usize) >= logs.queries.len())
    }) {
        return Err(fault(format!("loader bug: event {e:?} refers outside the tables")));
    }
    if !logs.events.is_sorted_by_key(|e| (e.user, e.time)) {
        return Err(fault("loader bug: events are not in (user, time) order".into()));
    }
    judgements.sort_by_key(|j| (j.query, j.item));
    if let Some(w) = judgements.windows(2).find(|w| (w[0].query, w[0].item) == (w[1].query, w[1].item)) {
        return Err(fault(format!("query {} judges item {} twice", w[0].query, w[0].item)));
    }
    if let Some(j) = judgements.iter().find(|j| j.query.index() >= queries.len() || !item_ok(j.item)) {
        return Err(fault(format!("loader bug: judgement {j:?} refers outside the tables")));
    }
    feed_judgements.sort_by_key(|f| f.user);
    for f in &feed_judgements {
        if !user_ok(f.user)
            || f.items.is_empty()
            || !f.items.is_sorted_by(|a, b| a < b)
            || !f.items.iter().all(|&i| item_ok(i))
        {
            return Err(fault(format!("loader bug: feed judgement of user {} is not a sorted set of items", f.user)));
        }
    }
    let mut scenario = Scenario::preset(Scale::Tiny);
    scenario.judgements.gains = gains;
    let taxonomy = Taxonomy::embedded()?;
    let latent = LatentSpace::generate(0, &taxonomy, scenario.world.latent_dim as usize);
    Ok(World {
        scenario,
        seed: 0,
        taxonomy,
        latent,
        observable: Observable { catalog, users, logs, queries },
        qrels: Qrels { judgements },
        feed_judgements,
        truth: None,
        origin: Origin::Loaded { dataset },
    })
}
