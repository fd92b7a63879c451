//! KuaiSAR (Sun et al., CIKM 2023; github.com/Ethan00Si/KuaiSAR, Zenodo
//! record 8031220): one app's logs of *both* channels for the same users —
//! search sessions (`src_inter.csv`) and the recommendation feed
//! (`rec_inter.csv`) — with item and user features. It is the one public set
//! here on which both engines' channels can be trained from logs and
//! measured on what the same users did next.
//!
//! The last `holdout_days` of the logs are held out: everything before the
//! cut-off is the world's [`Logs`], what follows becomes judgements, so
//! engines are trained on the past and judged on the future, as deployed.
//!
//! | KuaiSAR | world | why |
//! |---|---|---|
//! | `timestamp`, `search_session_timestamp` (Unix ms) | [`Event::time`]: seconds since the earliest timestamp of either log | one clock for both channels |
//! | events at or after (latest timestamp − `holdout_days`) | not logged; judgements | train on the past, judge the future |
//! | held-out search session with a clicked item | a [`Query`] at the cut-off second, its clicked items judged [`Grade::Exact`] (gain 1) | a click is KuaiSAR's only relevance signal, and it is binary |
//! | held-out `rec_inter` rows with `click` = 1 | one [`FeedJudgement`] per user: the set of clicked items | what the feed should have shown |
//! | `user_id` of any log or of `user_features.csv` | [`UserProfile`], dense in ascending `user_id` order; `region` = `onehot_feat2` (0 when absent); `age_band` 0, `tenure_days` 0 | KuaiSAR has no age or sign-up date |
//! | `item_id` of either log | [`Item`], dense in ascending `item_id` order | items no log mentions are not loaded: memory is bounded by the logs |
//! | `caption` (token ids `[1, 213, 24]`) | `title` `w1 w213 w24`; empty when the item has no features | anonymised text, written as words so BM25 can index it |
//! | `keyword` (token ids) | query text, rendered like captions | see the assumption below |
//! | `author_id` | `brand` `author <id>`; empty for 0 (padding) | the uploader is the closest thing to a brand |
//! | (first, second) level category | the item's leaf, path `"<first_en> > <second_en>"`; a missing or 0 level is `uncategorised` | two levels give a few hundred leaves, as a shop's taxonomy |
//! | — | `price` 1, `rating` 0, `review_count` 0, `sales_count` 0, `description` empty | KuaiSAR has no prices or reviews |
//! | a user's `rec_inter` rows less than 30 minutes apart | one [`Channel::Feed`] session: per row an `Impression` at its position in the session, then a `Click` when `click` = 1 | the feed logs no page boundaries; 30 minutes is the usual session gap |
//! | a `search_session_id` | one [`Channel::Search`] session: a `Search` event (the keyword's text in [`Logs::queries`]), an `Impression` per shown item in file order, then a `Click` per item with `click_cnt` > 0 | the generator's session shape, so interaction training reads both alike |
//! | `social_network.csv`, `playing_time`, `duration_ms`, `forward`, `like`, `follow`, `search_source`, `item_type`, … | unused | no world field holds them |
//!
//! **Assumption:** KuaiSAR anonymised queries and captions with one token
//! vocabulary (a keyword token and a caption token with the same id are the
//! same word), so rendering both as `w<id>` lets lexical engines match them.
//! If they were anonymised separately, BM25 scores on this set mean nothing
//! and only the logs-trained engines are meaningful.
//!
//! A `search_session_id` must keep one user and one keyword over its rows
//! (a change is refused naming the line); its time is its first row's. Of
//! repeated `item_features.csv` or `user_features.csv` rows the first wins.
//!
//! Every CSV streams row by row; memory holds the compact log rows, the id
//! maps and the features of the items and users the logs mention. Columns
//! are found by header name (order free, extra columns ignored); every
//! malformed row fails naming the file, the line, the column, the value and
//! the expected form. [`write_fixture`] writes a small synthetic folder in
//! the real layout, for tests and benchmarks.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use rand::RngExt;
use serde::Deserialize;

use super::{IdMap, Parts};
use crate::calendar::civil_from_days;
use crate::catalog::{Catalog, Item};
use crate::ids::{ItemId, LeafId, QueryId, UserId};
use crate::judgements::{FeedJudgement, Grade, Judgement};
use crate::logs::{Action, Channel, Event, Logs};
use crate::queries::Query;
use crate::rng::{Purpose, stream};
use crate::scenario::Gains;
use crate::users::UserProfile;
use crate::{DatasetError, Result, World};

/// The recommendation log.
pub const REC_FILE: &str = "rec_inter.csv";
/// The search log.
pub const SEARCH_FILE: &str = "src_inter.csv";
/// Item features.
pub const ITEM_FILE: &str = "item_features.csv";
/// User features.
pub const USER_FILE: &str = "user_features.csv";
/// The follow graph (written by [`write_fixture`], never read).
pub const SOCIAL_FILE: &str = "social_network.csv";

const DAY_MS: f64 = 86_400_000.0;
/// Feed rows of one user further apart than this start a new session.
const SESSION_GAP_MS: i64 = 30 * 60 * 1000;
/// 2000-01-01 and 2100-01-01 in Unix milliseconds: the plausible range.
const MIN_MS: f64 = 946_684_800_000.0;
const MAX_MS: f64 = 4_102_444_800_000.0;

/// A scenario's `[world.source]` with `format = "kuaisar"`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KuaisarSource {
    /// The folder holding `rec_inter.csv`, `src_inter.csv`,
    /// `item_features.csv` and `user_features.csv` (relative to the
    /// scenario's folder).
    pub dir: PathBuf,
    /// The last this many days (before the latest timestamp) are held out as
    /// judgements; must be positive and finite (default 1).
    #[serde(default = "default_holdout_days")]
    pub holdout_days: f64,
    /// Keep only the first this many evaluation queries by (time, search
    /// session id); all when absent.
    #[serde(default)]
    pub max_queries: Option<u32>,
}

fn default_holdout_days() -> f64 {
    1.0
}

/// Loads a KuaiSAR folder (see the module doc for the mapping); `dir` is
/// resolved against `base`.
pub fn load(source: &KuaisarSource, base: &Path) -> Result<World> {
    let dir = super::resolve(base, &source.dir);
    if !(source.holdout_days.is_finite() && source.holdout_days > 0.0) {
        return Err(DatasetError::format(
            &dir,
            format!("holdout_days must be a positive number of days, got {}", source.holdout_days),
        ));
    }
    if source.max_queries == Some(0) {
        return Err(DatasetError::format(&dir, "max_queries must be at least 1 (omit it to keep every query)"));
    }
    let mut users = IdMap::new();
    let mut items = IdMap::new();
    let rec = read_rec(&dir.join(REC_FILE), &mut users, &mut items)?;
    let search = read_search(&dir.join(SEARCH_FILE), &mut users, &mut items)?;
    let features = read_items(&dir.join(ITEM_FILE), &items)?;
    let regions = read_users(&dir.join(USER_FILE), &mut users)?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| dir.canonicalize().ok()?.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "folder".into());
    build(&dir, source, name, Read { rec, search, features, regions, users, items })
}

/// One `rec_inter.csv` row, ids as first seen.
struct RecRow {
    user: u32,
    item: u32,
    ms: i64,
    click: bool,
}

/// One search session, from its first row.
struct SessionHead {
    id: i64,
    user: u32,
    ms: i64,
    keyword: u32,
}

/// One shown item of a search session.
struct Shown {
    session: u32,
    item: u32,
    clicked: bool,
}

struct SearchLog {
    heads: Vec<SessionHead>,
    /// Grouped by session, file order within a session.
    shown: Vec<Shown>,
    /// Rendered keyword texts, by `SessionHead::keyword`.
    keywords: Vec<String>,
}

struct ItemFeatures {
    title: String,
    author: i64,
    first: i64,
    second: i64,
}

struct FeatureTable {
    /// By first-seen item id.
    items: Vec<Option<ItemFeatures>>,
    first_names: HashMap<i64, String>,
    second_names: HashMap<i64, String>,
}

fn read_rec(path: &Path, users: &mut IdMap<i64>, items: &mut IdMap<i64>) -> Result<Vec<RecRow>> {
    let mut t = Table::open(path)?;
    let (user, item, ts, click) =
        (t.column("user_id")?, t.column("item_id")?, t.column("timestamp")?, t.column("click")?);
    let mut rows = Vec::new();
    while t.next()? {
        rows.push(RecRow {
            user: users.intern(&t.id(user)?),
            item: items.intern(&t.id(item)?),
            ms: t.timestamp(ts)?,
            click: t.flag(click)?,
        });
    }
    Ok(rows)
}

fn read_search(path: &Path, users: &mut IdMap<i64>, items: &mut IdMap<i64>) -> Result<SearchLog> {
    let mut t = Table::open(path)?;
    let user = t.column("user_id")?;
    let session = t.column("search_session_id")?;
    let ts = t.column("search_session_timestamp")?;
    let keyword = t.column("keyword")?;
    let item = t.column("item_id")?;
    let clicks = t.column("click_cnt")?;
    let mut sessions = IdMap::new();
    let mut keywords = IdMap::new();
    let mut heads = Vec::new();
    let mut shown = Vec::new();
    let mut text = String::new();
    while t.next()? {
        let id = t.id(session)?;
        let u = users.intern(&t.id(user)?);
        let s = sessions.intern(&id);
        let ms = t.timestamp(ts)?;
        t.tokens(keyword, &mut text)?;
        let k = keywords.intern(&text);
        if s as usize == heads.len() {
            heads.push(SessionHead { id, user: u, ms, keyword: k });
        } else if heads.get(s as usize).is_some_and(|h| h.user != u || h.keyword != k) {
            return Err(t.fault(
                session,
                format!("search session {id} changes user or keyword within the session (each session has one user and one keyword)"),
            ));
        }
        shown.push(Shown { session: s, item: items.intern(&t.id(item)?), clicked: t.count(clicks)? > 0 });
    }
    // Stable: file order within a session.
    shown.sort_by_key(|r| r.session);
    Ok(SearchLog { heads, shown, keywords: keywords.into_keys() })
}

fn read_items(path: &Path, items: &IdMap<i64>) -> Result<FeatureTable> {
    let mut t = Table::open(path)?;
    let id = t.column("item_id")?;
    let caption = t.column("caption")?;
    let author = t.column("author_id")?;
    let first = t.column("first_level_category_id")?;
    let first_en = t.column("first_level_category_name_en")?;
    let first_zh = t.optional_column("first_level_category_name");
    let second = t.column("second_level_category_id")?;
    let second_en = t.column("second_level_category_name_en")?;
    let second_zh = t.optional_column("second_level_category_name");
    let mut table = FeatureTable {
        items: (0..items.len()).map(|_| None).collect(),
        first_names: HashMap::new(),
        second_names: HashMap::new(),
    };
    let mut title = String::new();
    while t.next()? {
        // Every row is checked, even of items no log mentions.
        let key = t.id(id)?;
        t.tokens(caption, &mut title)?;
        let author = t.optional_id(author)?;
        let (first_id, second_id) = (t.optional_id(first)?.max(0), t.optional_id(second)?.max(0));
        let Some(slot) = items.get(&key).and_then(|i| table.items.get_mut(i as usize)) else { continue };
        if slot.is_some() {
            continue; // the first row of a repeated item wins
        }
        *slot = Some(ItemFeatures { title: title.clone(), author, first: first_id, second: second_id });
        for (cid, en, zh, names) in [
            (first_id, first_en, first_zh, &mut table.first_names),
            (second_id, second_en, second_zh, &mut table.second_names),
        ] {
            if cid > 0 && !names.contains_key(&cid) {
                let name = t.category_name(en, zh)?;
                names.insert(cid, if name.is_empty() { format!("category {cid}") } else { name });
            }
        }
    }
    Ok(table)
}

/// Interns every user of the file; returns the region by first-seen user id.
fn read_users(path: &Path, users: &mut IdMap<i64>) -> Result<Vec<u8>> {
    let mut t = Table::open(path)?;
    let (id, feat) = (t.column("user_id")?, t.column("onehot_feat2")?);
    let mut regions: Vec<Option<u8>> = vec![None; users.len()];
    while t.next()? {
        let u = users.intern(&t.id(id)?) as usize;
        let region = t.small(feat)?;
        if regions.len() <= u {
            regions.resize(u + 1, None);
        }
        regions[u] = regions[u].or(Some(region));
    }
    regions.resize(users.len(), None);
    Ok(regions.into_iter().map(Option::unwrap_or_default).collect())
}

/// Dense ids in ascending key order: `remap[first_seen] = dense`.
fn ascending(map: IdMap<i64>) -> Vec<u32> {
    let keys = map.into_keys();
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.sort_by_key(|&i| keys[i as usize]);
    let mut remap = vec![0u32; keys.len()];
    for (dense, &old) in order.iter().enumerate() {
        remap[old as usize] = dense as u32;
    }
    remap
}

/// Everything read from the files, ids as first seen.
struct Read {
    rec: Vec<RecRow>,
    search: SearchLog,
    features: FeatureTable,
    /// Region by first-seen user id.
    regions: Vec<u8>,
    users: IdMap<i64>,
    items: IdMap<i64>,
}

/// Splits at the cut-off and builds the world (the mapping of the module doc).
fn build(dir: &Path, source: &KuaisarSource, name: String, read: Read) -> Result<World> {
    let Read { rec, search, features, regions, users, items } = read;
    let fault = |message: String| DatasetError::format(dir, message);
    let times = rec.iter().map(|r| r.ms).chain(search.heads.iter().map(|h| h.ms));
    let (Some(first_ms), Some(last_ms)) = (times.clone().min(), times.max()) else {
        return Err(fault(format!("{REC_FILE} and {SEARCH_FILE} have no rows: there is nothing to load")));
    };
    // `as` saturates: a huge hold-out gives a cut-off before every event.
    let cutoff = (last_ms as f64 - source.holdout_days * DAY_MS).ceil() as i64;
    let second = |ms: i64| u32::try_from((ms - first_ms) / 1000).unwrap_or(u32::MAX);
    let user_remap = ascending(users);
    let item_remap = ascending(items);
    let user = |old: u32| UserId(user_remap[old as usize]);
    let item = |old: u32| ItemId(item_remap[old as usize]);

    // Users.
    let mut profiles = vec![UserProfile { id: UserId(0), age_band: 0, region: 0, tenure_days: 0 }; user_remap.len()];
    for (old, &dense) in user_remap.iter().enumerate() {
        profiles[dense as usize] = UserProfile {
            id: UserId(dense),
            age_band: 0,
            region: regions.get(old).copied().unwrap_or(0),
            tenure_days: 0,
        };
    }

    // Leaves: the (first, second) category pairs of loaded items, ascending.
    let leaf_key = |f: &Option<ItemFeatures>| f.as_ref().map_or((0, 0), |f| (f.first, f.second));
    let mut leaf_keys: Vec<(i64, i64)> = features.items.iter().map(leaf_key).collect();
    leaf_keys.sort_unstable();
    leaf_keys.dedup();
    if leaf_keys.len() > usize::from(u16::MAX) + 1 {
        return Err(fault(format!(
            "{ITEM_FILE}: the loaded items have {} (first, second) level category pairs; a world holds at most {}",
            leaf_keys.len(),
            usize::from(u16::MAX) + 1
        )));
    }
    let level_name = |names: &HashMap<i64, String>, id: i64| {
        names.get(&id).map_or_else(|| "uncategorised".to_string(), String::clone)
    };
    let category_paths = leaf_keys
        .iter()
        .map(|&(f, s)| match (f, s) {
            (0, 0) => "uncategorised".to_string(),
            _ => format!("{} > {}", level_name(&features.first_names, f), level_name(&features.second_names, s)),
        })
        .collect();
    let mut catalog_items: Vec<Option<Item>> = (0..item_remap.len()).map(|_| None).collect();
    for (old, f) in features.items.into_iter().enumerate() {
        let key = leaf_key(&f);
        let leaf = LeafId(leaf_keys.binary_search(&key).unwrap_or(0) as u16);
        let (title, brand) = match f {
            Some(f) => (f.title, if f.author > 0 { format!("author {}", f.author) } else { String::new() }),
            None => (String::new(), String::new()),
        };
        let id = item(old as u32);
        catalog_items[id.index()] = Some(Item {
            id,
            title,
            brand,
            description: String::new(),
            leaf,
            price: 1.0,
            rating: 0.0,
            review_count: 0,
            sales_count: 0,
        });
    }
    let catalog = Catalog { items: catalog_items.into_iter().flatten().collect(), category_paths };

    // Logged events, with provisional session numbers and keyword ids as queries.
    let mut events = Vec::new();
    let mut session = 0u64;
    let mut feed: Vec<&RecRow> = rec.iter().filter(|r| r.ms < cutoff).collect();
    feed.sort_by_key(|r| (user(r.user), r.ms)); // stable: file order breaks ties
    let mut position = 0u16;
    for (i, r) in feed.iter().enumerate() {
        let new_session = i == 0 || {
            let prev = feed[i - 1];
            prev.user != r.user || r.ms - prev.ms >= SESSION_GAP_MS
        };
        if new_session {
            session += 1;
            position = 0;
        }
        position = position.saturating_add(1);
        let e = |action: Action| Event {
            time: second(r.ms),
            user: user(r.user),
            session: session as u32,
            channel: Channel::Feed,
            action,
            item: Some(item(r.item)),
            position: Some(position),
            query: None,
        };
        events.push(e(Action::Impression));
        if r.click {
            events.push(e(Action::Click));
        }
    }
    let mut spans = Vec::with_capacity(search.heads.len());
    let mut start = 0;
    for s in 0..search.heads.len() {
        let end = start + search.shown[start..].iter().take_while(|r| r.session as usize == s).count();
        spans.push(start..end);
        start = end;
    }
    for (head, span) in search.heads.iter().zip(&spans) {
        if head.ms >= cutoff {
            continue;
        }
        session += 1;
        let e = |action: Action, shown: Option<(usize, &Shown)>| Event {
            time: second(head.ms),
            user: user(head.user),
            session: session as u32,
            channel: Channel::Search,
            action,
            item: shown.map(|(_, r)| item(r.item)),
            position: shown.map(|(p, _)| u16::try_from(p + 1).unwrap_or(u16::MAX)),
            query: Some(head.keyword),
        };
        let rows = &search.shown[span.clone()];
        events.push(e(Action::Search, None));
        events.extend(rows.iter().enumerate().map(|p| e(Action::Impression, Some(p))));
        events.extend(rows.iter().enumerate().filter(|(_, r)| r.clicked).map(|p| e(Action::Click, Some(p))));
    }
    if events.is_empty() {
        return Err(fault(format!(
            "holdout_days = {} holds out every event (the logs span {:.2} days); choose a smaller holdout_days",
            source.holdout_days,
            (last_ms - first_ms) as f64 / DAY_MS
        )));
    }
    if session > u64::from(u32::MAX) {
        return Err(fault(format!("the logs have {session} sessions; a world holds at most {}", u32::MAX)));
    }
    // Stable: each session keeps its own order (its Search event first).
    events.sort_by_key(|e| (e.user, e.time, e.session));
    // Renumber sessions and queries by first appearance.
    let mut sessions = IdMap::new();
    let mut texts = IdMap::new();
    for e in &mut events {
        e.session = sessions.intern(&e.session);
        e.query = e.query.map(|k| texts.intern(&k));
    }
    let queries_text = texts.into_keys().into_iter().map(|k| search.keywords[k as usize].clone()).collect();
    let logs = Logs { events, queries: queries_text };

    // Evaluation queries: held-out search sessions with a click.
    let mut held: Vec<(&SessionHead, &[Shown])> = search
        .heads
        .iter()
        .zip(&spans)
        .map(|(h, span)| (h, &search.shown[span.clone()]))
        .filter(|(h, rows)| h.ms >= cutoff && rows.iter().any(|r| r.clicked))
        .collect();
    held.sort_by_key(|(h, _)| (h.ms, h.id));
    held.truncate(source.max_queries.map_or(usize::MAX, |n| n as usize));
    if held.is_empty() {
        return Err(fault(format!(
            "holdout_days = {} leaves no held-out search session with a click, so there is no evaluation query; choose a larger holdout_days",
            source.holdout_days
        )));
    }
    let query_time = u32::try_from((cutoff - first_ms + 999) / 1000).unwrap_or(u32::MAX);
    let mut queries = Vec::with_capacity(held.len());
    let mut judgements = Vec::new();
    for (q, (head, rows)) in held.iter().enumerate() {
        let id = QueryId(q as u32);
        queries.push(Query {
            id,
            user: user(head.user),
            time: query_time,
            text: search.keywords[head.keyword as usize].clone(),
        });
        let mut clicked: Vec<ItemId> = rows.iter().filter(|r| r.clicked).map(|r| item(r.item)).collect();
        clicked.sort_unstable();
        clicked.dedup();
        judgements.extend(clicked.into_iter().map(|item| Judgement { query: id, item, grade: Grade::Exact }));
    }

    // Feed judgements: held-out recommendation clicks per user.
    let mut clicks: Vec<(UserId, ItemId)> =
        rec.iter().filter(|r| r.ms >= cutoff && r.click).map(|r| (user(r.user), item(r.item))).collect();
    clicks.sort_unstable();
    clicks.dedup();
    let mut feed_judgements: Vec<FeedJudgement> = Vec::new();
    for (u, i) in clicks {
        match feed_judgements.last_mut() {
            Some(f) if f.user == u => f.items.push(i),
            _ => feed_judgements.push(FeedJudgement { user: u, items: vec![i] }),
        }
    }

    super::assemble(Parts {
        dataset: format!("kuaisar-{name}"),
        catalog,
        users: profiles,
        logs,
        queries,
        judgements,
        feed_judgements,
        gains: Gains { exact: 1.0, ..Gains::default() },
    })
}

/// A column found by header name.
#[derive(Clone, Copy)]
struct Col {
    index: usize,
    name: &'static str,
}

/// One CSV file read row by row into a reused record.
struct Table {
    path: PathBuf,
    reader: csv::Reader<File>,
    header: Vec<String>,
    record: ByteRecord,
}

impl Table {
    fn open(path: &Path) -> Result<Table> {
        let file = File::open(path).map_err(|e| DatasetError::io(path, e))?;
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(file);
        let header = reader
            .byte_headers()
            .map_err(|e| csv_error(path, e))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        Ok(Table { path: path.to_path_buf(), reader, header, record: ByteRecord::new() })
    }

    fn optional_column(&self, name: &'static str) -> Option<Col> {
        self.header.iter().position(|h| h == name).map(|index| Col { index, name })
    }

    fn column(&self, name: &'static str) -> Result<Col> {
        self.optional_column(name).ok_or_else(|| {
            DatasetError::format(
                &self.path,
                format!(
                    "the header has no column `{name}` (it has: {}); is this KuaiSAR's file?",
                    self.header.join(", ")
                ),
            )
        })
    }

    /// Reads the next row; false at the end of the file.
    fn next(&mut self) -> Result<bool> {
        if !self.reader.read_byte_record(&mut self.record).map_err(|e| csv_error(&self.path, e))? {
            return Ok(false);
        }
        if self.record.len() != self.header.len() {
            let line = self.line();
            return Err(DatasetError::format(
                &self.path,
                format!(
                    "line {line} has {} fields but the header has {}{}",
                    self.record.len(),
                    self.header.len(),
                    if self.record.len() < self.header.len() {
                        " (if this is the last line, the file may be truncated: download it again)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        Ok(true)
    }

    fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    fn raw(&self, col: Col) -> &[u8] {
        self.record.get(col.index).unwrap_or_default()
    }

    fn str(&self, col: Col) -> Result<&str> {
        std::str::from_utf8(self.raw(col)).map(str::trim).map_err(|_| self.bad(col, "UTF-8 text"))
    }

    fn fault(&self, col: Col, message: String) -> DatasetError {
        DatasetError::format(&self.path, format!("line {}, column `{}`: {message}", self.line(), col.name))
    }

    fn bad(&self, col: Col, expected: &str) -> DatasetError {
        let value = String::from_utf8_lossy(self.raw(col));
        let shown: String = value.chars().take(60).collect();
        let more = if value.chars().count() > 60 { "…" } else { "" };
        self.fault(col, format!("{shown:?}{more} is not {expected}"))
    }

    /// An integer id; an integral float (`12.0`, as pandas writes integer
    /// columns with gaps) is accepted.
    fn id(&self, col: Col) -> Result<i64> {
        let s = self.str(col)?;
        s.parse::<i64>()
            .ok()
            .or_else(|| {
                s.parse::<f64>()
                    .ok()
                    .filter(|v| v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0)
                    .map(|v| v as i64)
            })
            .ok_or_else(|| self.bad(col, "an integer id"))
    }

    /// An id where an empty field means none (0).
    fn optional_id(&self, col: Col) -> Result<i64> {
        if self.str(col)?.is_empty() { Ok(0) } else { self.id(col) }
    }

    /// A small integer feature (0..=255); empty means 0.
    fn small(&self, col: Col) -> Result<u8> {
        let v = self.optional_id(col).map_err(|_| self.bad(col, "an integer in 0..=255"))?;
        u8::try_from(v).map_err(|_| self.bad(col, "an integer in 0..=255"))
    }

    fn timestamp(&self, col: Col) -> Result<i64> {
        match self.str(col)?.parse::<f64>() {
            Ok(v) if v.is_finite() && (MIN_MS..=MAX_MS).contains(&v) => Ok(v.round() as i64),
            _ => {
                Err(self.bad(col, "a time in Unix milliseconds between the years 2000 and 2100 (e.g. 1684742000000.0)"))
            }
        }
    }

    fn flag(&self, col: Col) -> Result<bool> {
        match self.str(col)? {
            "0" => Ok(false),
            "1" => Ok(true),
            _ => Err(self.bad(col, "0 or 1")),
        }
    }

    fn count(&self, col: Col) -> Result<u32> {
        self.str(col)?.parse::<u32>().map_err(|_| self.bad(col, "a count (an integer ≥ 0)"))
    }

    fn category_name(&self, en: Col, zh: Option<Col>) -> Result<String> {
        let name = self.str(en)?;
        match zh {
            Some(zh) if name.is_empty() => Ok(self.str(zh)?.to_string()),
            _ => Ok(name.to_string()),
        }
    }

    /// A token-id list `[20, 34, 3]` written into `out` as `w20 w34 w3`;
    /// an empty field or `[]` is no tokens.
    fn tokens(&self, col: Col, out: &mut String) -> Result<()> {
        out.clear();
        let s = self.str(col)?;
        if s.is_empty() {
            return Ok(());
        }
        let inner = s
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .ok_or_else(|| self.bad(col, "a token list like [20, 34, 3]"))?;
        if inner.trim().is_empty() {
            return Ok(());
        }
        for token in inner.split(',') {
            let id: u64 = token.trim().parse().map_err(|_| self.bad(col, "a token list like [20, 34, 3]"))?;
            if !out.is_empty() {
                out.push(' ');
            }
            out.push('w');
            out.push_str(&id.to_string());
        }
        Ok(())
    }
}

fn csv_error(path: &Path, e: csv::Error) -> DatasetError {
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => DatasetError::io(path, io),
        _ => DatasetError::format(path, message),
    }
}

/// What [`write_fixture`] writes: a small synthetic KuaiSAR folder.
#[derive(Clone, Debug)]
pub struct KuaisarFixture {
    /// Users with logs (at least 1; two more appear only in `user_features.csv`).
    pub users: usize,
    /// Items (at least 12; three more appear only in `item_features.csv`).
    pub items: usize,
    /// Days of logs.
    pub days: u32,
    /// Seed of every draw.
    pub seed: u64,
}

impl Default for KuaisarFixture {
    fn default() -> Self {
        KuaisarFixture { users: 40, items: 300, days: 4, seed: 7 }
    }
}

/// Fixture categories: (first-level English name, Chinese name, second-level English names).
const FIXTURE_CATEGORIES: [(&str, &str, [&str; 2]); 6] = [
    ("Food", "美食", ["Snacks", "Cooking"]),
    ("Games", "游戏", ["Mobile games", "Console games"]),
    ("Pets", "宠物", ["Cats", "Dogs"]),
    ("Travel", "旅行", ["Cities", "Outdoors"]),
    ("Music", "音乐", ["Singing", "Instruments"]),
    ("Sports", "体育", ["Football", "Basketball"]),
];
/// 2023-05-22 00:00 Beijing time, in Unix milliseconds.
const FIXTURE_START_MS: i64 = 1_684_684_800_000;
const ITEM_TYPES: [&str; 7] = ["VIDEO", "USER", "IMAGE_ATLAS", "LIVE", "COMMODITY", "MUSIC", "ADVERT"];

/// Writes a synthetic KuaiSAR folder in the real layout and header order,
/// deterministically from `spec.seed`: users favour two of six categories
/// and click their items more, in the feed and in search; search keywords
/// are tokens of the target item's caption; timestamps are float
/// milliseconds (some in exponent form); lists are quoted as in the real
/// files; a few items have no features, a few feature rows belong to items
/// no log mentions, and a few users have no features.
pub fn write_fixture(dir: &Path, spec: &KuaisarFixture) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| DatasetError::io(dir, e))?;
    let users = spec.users.max(1);
    let items = spec.items.max(12);
    let user_key = |u: usize| 1_000 + 37 * u as i64;
    let item_key = |i: usize| 50_000 + 11 * i as i64;
    // Items: category (first, second), caption tokens, author.
    struct FixtureItem {
        first: usize,
        second: usize,
        caption: Vec<u32>,
        author: i64,
    }
    let catalogue: Vec<FixtureItem> = (0..items)
        .map(|i| {
            let mut rng = stream(spec.seed, Purpose::Item, i as u64, 0);
            let first = rng.random_range(0..FIXTURE_CATEGORIES.len());
            let second = rng.random_range(0..2);
            let len = if rng.random_bool(0.1) { 0 } else { rng.random_range(2..7) };
            // Topic tokens of the category, plus common ones.
            let caption = (0..len)
                .map(|_| {
                    if rng.random_bool(0.7) {
                        100 + 20 * (2 * first + second) as u32 + rng.random_range(0..20)
                    } else {
                        rng.random_range(1..40)
                    }
                })
                .collect();
            let author = if rng.random_bool(0.1) { 0 } else { rng.random_range(1..=2 * users as i64) };
            FixtureItem { first, second, caption, author }
        })
        .collect();
    let mut by_first: Vec<Vec<usize>> = vec![Vec::new(); FIXTURE_CATEGORIES.len()];
    for (i, it) in catalogue.iter().enumerate() {
        by_first[it.first].push(i);
    }
    let pick = |rng: &mut crate::rng::StreamRng, taste: &[usize; 2]| -> usize {
        let pool = &by_first[taste[rng.random_range(0..2)]];
        if !pool.is_empty() && rng.random_bool(0.7) {
            pool[rng.random_range(0..pool.len())]
        } else {
            rng.random_range(0..items)
        }
    };
    let ms_text = |ms: i64, exp: bool| {
        if exp {
            // 1.684742000123e+12, as numpy writes large floats.
            format!("{:e}", ms as f64).replace('e', "e+")
        } else {
            format!("{ms}.0")
        }
    };
    let token_list =
        |tokens: &[u32]| format!("[{}]", tokens.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", "));

    // (ms, row) per log, sorted by time before writing.
    let mut rec_rows: Vec<(i64, Vec<String>)> = Vec::new();
    let mut src_rows: Vec<(i64, Vec<String>)> = Vec::new();
    let mut session_id = 7_000_000_000i64;
    let mut tastes = Vec::with_capacity(users);
    for u in 0..users {
        let mut rng = stream(spec.seed, Purpose::User, u as u64, 0);
        let a = rng.random_range(0..FIXTURE_CATEGORIES.len());
        let b = (a + rng.random_range(1..FIXTURE_CATEGORIES.len())) % FIXTURE_CATEGORIES.len();
        tastes.push([a, b]);
    }
    for (u, taste) in tastes.iter().enumerate() {
        for day in 0..spec.days {
            let mut rng = stream(spec.seed, Purpose::UserLogs, u as u64, u64::from(day));
            let day_ms = FIXTURE_START_MS + i64::from(day) * 86_400_000;
            for _ in 0..rng.random_range(1..4) {
                let mut ms = day_ms + rng.random_range(0..80_000_000);
                for _ in 0..rng.random_range(3..10) {
                    let i = pick(&mut rng, taste);
                    let liked = taste.contains(&catalogue[i].first);
                    let click = rng.random_bool(if liked { 0.5 } else { 0.1 });
                    let duration = rng.random_range(5_000..60_000);
                    let played = if click { rng.random_range(1_000..duration) } else { 0 };
                    let flag =
                        |p: f64, rng: &mut crate::rng::StreamRng| u8::from(click && rng.random_bool(p)).to_string();
                    let (forward, like, follow) = (flag(0.1, &mut rng), flag(0.3, &mut rng), flag(0.1, &mut rng));
                    rec_rows.push((
                        ms,
                        vec![
                            user_key(u).to_string(),
                            item_key(i).to_string(),
                            format!("{played}.0"),
                            format!("{duration}.0"),
                            beijing_time(ms),
                            ms_text(ms, rng.random_bool(0.2)),
                            u8::from(click).to_string(),
                            forward,
                            like,
                            follow,
                            u8::from(rng.random_bool(0.05)).to_string(),
                            "0".into(),
                        ],
                    ));
                    ms += rng.random_range(10_000..200_000);
                }
            }
            for _ in 0..rng.random_range(1..3) {
                let ms = day_ms + rng.random_range(0..80_000_000);
                let target = pick(&mut rng, taste);
                let it = &catalogue[target];
                let mut keyword: Vec<u32> = if it.caption.is_empty() {
                    vec![100 + 20 * (2 * it.first + it.second) as u32]
                } else {
                    (0..rng.random_range(1..3)).map(|_| it.caption[rng.random_range(0..it.caption.len())]).collect()
                };
                keyword.dedup();
                let mut shown = vec![target];
                for _ in 0..rng.random_range(4..10) {
                    let candidate = rng.random_range(0..items);
                    if !shown.contains(&candidate) {
                        shown.push(candidate);
                    }
                }
                let at = rng.random_range(0..shown.len());
                shown.swap(0, at);
                session_id += rng.random_range(1..1000);
                let source = ["USER_INPUT", "USER_INPUT", "HISTORY", "SUGGEST"][rng.random_range(0..4)];
                for &i in &shown {
                    let matches = catalogue[i].caption.iter().any(|t| keyword.contains(t));
                    let p = if i == target {
                        0.8
                    } else if matches {
                        0.4
                    } else {
                        0.05
                    };
                    let clicks = if rng.random_bool(p) { rng.random_range(1..4) } else { 0 };
                    src_rows.push((
                        ms,
                        vec![
                            user_key(u).to_string(),
                            session_id.to_string(),
                            beijing_time(ms),
                            ms_text(ms, rng.random_bool(0.2)),
                            token_list(&keyword),
                            source.to_string(),
                            item_key(i).to_string(),
                            clicks.to_string(),
                            ITEM_TYPES[if rng.random_bool(0.8) { 0 } else { rng.random_range(0..ITEM_TYPES.len()) }]
                                .into(),
                        ],
                    ));
                }
            }
        }
    }
    // Stable: a session's rows stay together, in order.
    rec_rows.sort_by_key(|(ms, _)| *ms);
    src_rows.sort_by_key(|(ms, _)| *ms);
    write_csv(
        &dir.join(REC_FILE),
        &[
            "user_id",
            "item_id",
            "playing_time",
            "duration_ms",
            "time",
            "timestamp",
            "click",
            "forward",
            "like",
            "follow",
            "search",
            "search_item_related",
        ],
        rec_rows.into_iter().map(|(_, r)| r),
    )?;
    write_csv(
        &dir.join(SEARCH_FILE),
        &[
            "user_id",
            "search_session_id",
            "search_session_time",
            "search_session_timestamp",
            "keyword",
            "search_source",
            "item_id",
            "click_cnt",
            "item_type",
        ],
        src_rows.into_iter().map(|(_, r)| r),
    )?;
    // Every 17th item has no features; three feature rows name items no log mentions.
    let feature_rows = (0..items + 3).filter(|i| i % 17 != 5).map(|i| {
        let mut rng = stream(spec.seed, Purpose::Item, i as u64, 1);
        let (caption, author, first, second) = match catalogue.get(i) {
            Some(it) => (it.caption.clone(), it.author, it.first, it.second),
            None => (vec![1, 2, 3], 0, 0, 0),
        };
        let (first_name, zh, seconds) = FIXTURE_CATEGORIES[first];
        let uncategorised = i >= items;
        let level = |id: usize, name: &str, zh: &str| -> [String; 3] {
            if uncategorised {
                ["0".into(), "UNKNOWN".into(), "UNKNOWN".into()]
            } else {
                [id.to_string(), zh.into(), name.into()]
            }
        };
        let [f_id, f_zh, f_en] = level(first + 1, first_name, zh);
        let [s_id, s_zh, s_en] = level(100 + 2 * first + second + 1, seconds[second], zh);
        let third = rng.random_range(1_000..1_010).to_string();
        vec![
            item_key(i).to_string(),
            token_list(&caption),
            author.to_string(),
            ITEM_TYPES[if rng.random_bool(0.8) { 0 } else { rng.random_range(0..ITEM_TYPES.len()) }].into(),
            beijing_time(FIXTURE_START_MS - rng.random_range(0..30 * 86_400_000)),
            ["ShortImport", "PictureSet", "LongImport"][rng.random_range(0..3)].into(),
            f_id,
            f_zh,
            f_en,
            s_id,
            s_zh,
            s_en,
            third.clone(),
            "其他".into(),
            format!("Other {third}"),
            "0".into(),
            "UNKNOWN".into(),
            "UNKNOWN".into(),
        ]
    });
    write_csv(
        &dir.join(ITEM_FILE),
        &[
            "item_id",
            "caption",
            "author_id",
            "item_type",
            "upload_time",
            "upload_type",
            "first_level_category_id",
            "first_level_category_name",
            "first_level_category_name_en",
            "second_level_category_id",
            "second_level_category_name",
            "second_level_category_name_en",
            "third_level_category_id",
            "third_level_category_name",
            "third_level_category_name_en",
            "fourth_level_category_id",
            "fourth_level_category_name",
            "fourth_level_category_name_en",
        ],
        feature_rows,
    )?;
    // Every 13th user has no features; two users appear only here.
    let user_rows = (0..users + 2).filter(|u| u % 13 != 4).map(|u| {
        let mut rng = stream(spec.seed, Purpose::User, u as u64, 1);
        vec![
            user_key(u).to_string(),
            rng.random_range(1..5).to_string(),
            rng.random_range(1..5).to_string(),
            rng.random_range(0..3).to_string(),
            rng.random_range(0..8).to_string(),
        ]
    });
    write_csv(
        &dir.join(USER_FILE),
        &["user_id", "search_active_level", "rec_active_level", "onehot_feat1", "onehot_feat2"],
        user_rows,
    )?;
    let social_rows = (0..users).step_by(3).map(|u| {
        let friends: Vec<u32> = vec![user_key((u + 1) % users) as u32, user_key((u + 5) % users) as u32];
        vec![user_key(u).to_string(), token_list(&friends)]
    });
    write_csv(&dir.join(SOCIAL_FILE), &["user_id", "friend_list"], social_rows)
}

fn write_csv(path: &Path, header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<()> {
    let file = File::create(path).map_err(|e| DatasetError::io(path, e))?;
    let mut w = csv::Writer::from_writer(file);
    w.write_record(header).map_err(|e| csv_error(path, e))?;
    for row in rows {
        w.write_record(&row).map_err(|e| csv_error(path, e))?;
    }
    w.flush().map_err(|e| DatasetError::io(path, e))
}

/// `ms` as Beijing time (UTC+8), `2023-05-22 15:53:20`.
fn beijing_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000) + 8 * 3600;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rest / 3600, rest / 60 % 60, rest % 60)
}
