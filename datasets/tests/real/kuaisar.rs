//! KuaiSAR: the fixture round-trips against counts computed here from the
//! CSVs themselves; the hold-out split, the session shape and the errors on
//! malformed files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use searchrec_datasets::real::Source;
use searchrec_datasets::real::kuaisar::{self, KuaisarFixture, KuaisarSource};
use searchrec_datasets::{Action, Channel, DatasetError, World};

const DAY_MS: f64 = 86_400_000.0;

fn fixture() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("small");
    kuaisar::write_fixture(&dir, &KuaisarFixture::default()).expect("fixture");
    (tmp, dir)
}

fn source(dir: &Path, holdout_days: f64) -> KuaisarSource {
    KuaisarSource { dir: dir.to_path_buf(), holdout_days, max_queries: None }
}

fn load(dir: &Path, holdout_days: f64) -> Result<World, DatasetError> {
    kuaisar::load(&source(dir, holdout_days), Path::new("/"))
}

/// The rows of a CSV as maps from header name to value.
fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).expect("csv");
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| header.iter().cloned().zip(r.expect("record").iter().map(str::to_string)).collect())
        .collect()
}

fn int(row: &BTreeMap<String, String>, column: &str) -> i64 {
    row[column].parse().expect("integer")
}

fn ms(row: &BTreeMap<String, String>, column: &str) -> i64 {
    row[column].parse::<f64>().expect("float").round() as i64
}

/// `[20, 34, 3]` → `w20 w34 w3`.
fn render(list: &str) -> String {
    let inner = list.trim().trim_start_matches('[').trim_end_matches(']');
    inner.split(',').map(str::trim).filter(|t| !t.is_empty()).map(|t| format!("w{t}")).collect::<Vec<_>>().join(" ")
}

/// What loading `dir` with `holdout_days` must give, computed from the CSVs.
#[derive(Debug, PartialEq)]
struct Expected {
    users: Vec<i64>,
    items: Vec<i64>,
    /// (channel, action) → count of logged events.
    counts: BTreeMap<(&'static str, &'static str), usize>,
    /// Per query in (time, session id) order: text, user key, judged item keys.
    queries: Vec<(String, i64, BTreeSet<i64>)>,
    /// User key → held-out clicked item keys.
    feed: BTreeMap<i64, BTreeSet<i64>>,
}

fn expected(dir: &Path, holdout_days: f64) -> Expected {
    let rec = rows(&dir.join("rec_inter.csv"));
    let src = rows(&dir.join("src_inter.csv"));
    let user_rows = rows(&dir.join("user_features.csv"));
    let users: BTreeSet<i64> = rec.iter().chain(&src).chain(&user_rows).map(|r| int(r, "user_id")).collect();
    let items: BTreeSet<i64> = rec.iter().chain(&src).map(|r| int(r, "item_id")).collect();
    let times = rec.iter().map(|r| ms(r, "timestamp")).chain(src.iter().map(|r| ms(r, "search_session_timestamp")));
    let last = times.max().expect("rows");
    let cutoff = (last as f64 - holdout_days * DAY_MS).ceil() as i64;
    let mut counts = BTreeMap::new();
    let mut feed: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
    for r in &rec {
        if ms(r, "timestamp") < cutoff {
            *counts.entry(("feed", "impression")).or_insert(0) += 1;
            if r["click"] == "1" {
                *counts.entry(("feed", "click")).or_insert(0) += 1;
            }
        } else if r["click"] == "1" {
            feed.entry(int(r, "user_id")).or_default().insert(int(r, "item_id"));
        }
    }
    // Session id → (ms, user, text, clicked item keys).
    let mut sessions: BTreeMap<i64, (i64, i64, String, BTreeSet<i64>)> = BTreeMap::new();
    for r in &src {
        let t = ms(r, "search_session_timestamp");
        let clicked = int(r, "click_cnt") > 0;
        let s = sessions
            .entry(int(r, "search_session_id"))
            .or_insert_with(|| (t, int(r, "user_id"), render(&r["keyword"]), BTreeSet::new()));
        if clicked {
            s.3.insert(int(r, "item_id"));
        }
        if t < cutoff {
            *counts.entry(("search", "impression")).or_insert(0) += 1;
            if clicked {
                *counts.entry(("search", "click")).or_insert(0) += 1;
            }
        }
    }
    let mut held = Vec::new();
    for (id, (t, user, text, clicked)) in sessions {
        if t < cutoff {
            *counts.entry(("search", "search")).or_insert(0) += 1;
        } else if !clicked.is_empty() {
            held.push(((t, id), (text, user, clicked)));
        }
    }
    held.sort_by_key(|(k, _)| *k);
    Expected {
        users: users.into_iter().collect(),
        items: items.into_iter().collect(),
        counts,
        queries: held.into_iter().map(|(_, q)| q).collect(),
        feed,
    }
}

/// The same figures read from a loaded world, keys translated back through
/// the ascending-id mapping.
fn observed(world: &World, expected: &Expected) -> Expected {
    let o = &world.observable;
    let mut counts = BTreeMap::new();
    for e in &o.logs.events {
        *counts.entry((e.channel.as_str(), e.action.as_str())).or_insert(0) += 1;
    }
    let item_key = |i: searchrec_datasets::ItemId| expected.items[i.index()];
    let user_key = |u: searchrec_datasets::UserId| expected.users[u.index()];
    let queries = o
        .queries
        .iter()
        .map(|q| (q.text.clone(), user_key(q.user), world.qrels.of(q.id).iter().map(|j| item_key(j.item)).collect()))
        .collect();
    let feed = world
        .feed_judgements
        .iter()
        .map(|f| (user_key(f.user), f.items.iter().map(|&i| item_key(i)).collect()))
        .collect();
    Expected {
        users: (0..o.users.len()).map(|u| expected.users.get(u).copied().unwrap_or(-1)).collect(),
        items: (0..o.catalog.items.len()).map(|i| expected.items.get(i).copied().unwrap_or(-1)).collect(),
        counts,
        queries,
        feed,
    }
}

#[test]
fn fixture_round_trips_against_the_csvs() {
    let (_tmp, dir) = fixture();
    let world = load(&dir, 1.0).expect("load");
    let want = expected(&dir, 1.0);
    assert_eq!(observed(&world, &want), want);
    assert!(want.queries.len() >= 10, "the fixture's last day has searches with clicks: {}", want.queries.len());
    assert!(want.feed.len() >= 10, "the fixture's last day has feed clicks: {}", want.feed.len());
    assert!(want.users.len() > KuaisarFixture::default().users, "users only in user_features.csv are loaded");
    assert_eq!(world.dataset(), Some("kuaisar-small"));
    let o = &world.observable;
    assert!(o.queries.iter().all(|q| q.time == o.queries[0].time), "every query is at the cut-off second");
    assert!(o.logs.events.iter().all(|e| e.time < o.queries[0].time), "logged events precede the cut-off");
    assert_eq!(world.scenario.judgements.gains.exact, 1.0);
    assert!(world.truth.is_none());
}

/// Writes a folder by hand: every mapping rule checked value by value.
fn handwritten(dir: &Path) {
    const T0: i64 = 1_684_742_000_000;
    const DAY: i64 = 86_400_000;
    std::fs::create_dir_all(dir).expect("dir");
    // Columns in another order than KuaiSAR's, plus one it does not have.
    let rec = [
        "item_id,user_id,timestamp,click,extra".to_string(),
        format!("900,20,{T0}.0,1,x"),
        "901,20,1.68474206e+12,0,x".to_string(),    // T0 + 60 s: same session
        format!("900,20,{}.0,0,x", T0 + 3_600_000), // an hour later: a new session
        format!("901,10,{}.0,1,x", T0 + 10_000),
        format!("902,10,{}.0,1,x", T0 + 2 * DAY),         // held out
        format!("903,20,{}.0,1,x", T0 + 2 * DAY - 5_000), // held out
        format!("901,20,{}.0,0,x", T0 + 3 * DAY / 2),     // held out, no click
    ];
    let src = [
        "user_id,search_session_id,search_session_timestamp,keyword,item_id,click_cnt".to_string(),
        format!("10,555,{}.0,\"[20, 34, 3]\",901,0", T0 + 100_000),
        format!("30,777,{}.0,[7],904,1", T0 + 19 * DAY / 10), // held out, clicked: a query
        format!("10,555,{}.0,\"[20, 34, 3]\",905,2", T0 + 100_000),
        format!("30,777,{}.0,[7],900,0", T0 + 19 * DAY / 10),
        format!("20,666,{}.0,\"[8, 9]\",906,0", T0 + 18 * DAY / 10), // held out, no click
    ];
    let items = [
        "item_id,caption,author_id,first_level_category_id,first_level_category_name_en,second_level_category_id,second_level_category_name_en",
        "900,\"[1, 2]\",5,1,Food,2,Snacks",
        "901,[],0,0,UNKNOWN,0,UNKNOWN",
        "904,\"[20, 34]\",0,1,Food,3,Cooking",
        "999,[5],1,1,Food,2,Snacks",
    ];
    let users = ["user_id,onehot_feat2", "10,3", "40,6"];
    for (file, lines) in [
        ("rec_inter.csv", rec.to_vec()),
        ("src_inter.csv", src.to_vec()),
        ("item_features.csv", items.iter().map(|l| l.to_string()).collect()),
        ("user_features.csv", users.iter().map(|l| l.to_string()).collect()),
    ] {
        std::fs::write(dir.join(file), lines.join("\n") + "\n").expect("write");
    }
}

#[test]
fn a_handwritten_folder_maps_field_by_field() {
    use searchrec_datasets::{Grade, ItemId, QueryId, UserId};
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("hand");
    handwritten(&dir);
    let world = load(&dir, 1.0).expect("load");
    let o = &world.observable;
    assert_eq!(world.dataset(), Some("kuaisar-hand"));
    // Users 10, 20, 30, 40 (40 only in user_features.csv), regions from onehot_feat2.
    assert_eq!(o.users.iter().map(|u| u.region).collect::<Vec<_>>(), [3, 0, 0, 6]);
    // Items 900..=906 in order; 999 is in no log.
    let items: Vec<(&str, &str, &str)> =
        o.catalog.items.iter().map(|i| (i.title.as_str(), i.brand.as_str(), o.catalog.category_path(i.leaf))).collect();
    assert_eq!(
        items,
        [
            ("w1 w2", "author 5", "Food > Snacks"),
            ("", "", "uncategorised"),
            ("", "", "uncategorised"),
            ("", "", "uncategorised"),
            ("w20 w34", "", "Food > Cooking"),
            ("", "", "uncategorised"),
            ("", "", "uncategorised"),
        ]
    );
    assert_eq!(o.logs.queries, ["w20 w34 w3"]);
    type Row = (u32, u32, u32, Channel, Action, Option<u32>, Option<u16>, Option<u32>);
    let events: Vec<Row> = o
        .logs
        .events
        .iter()
        .map(|e| (e.time, e.user.0, e.session, e.channel, e.action, e.item.map(|i| i.0), e.position, e.query))
        .collect();
    let (f, s) = (Channel::Feed, Channel::Search);
    let want: Vec<Row> = vec![
        (10, 0, 0, f, Action::Impression, Some(1), Some(1), None),
        (10, 0, 0, f, Action::Click, Some(1), Some(1), None),
        (100, 0, 1, s, Action::Search, None, None, Some(0)),
        (100, 0, 1, s, Action::Impression, Some(1), Some(1), Some(0)),
        (100, 0, 1, s, Action::Impression, Some(5), Some(2), Some(0)),
        (100, 0, 1, s, Action::Click, Some(5), Some(2), Some(0)),
        (0, 1, 2, f, Action::Impression, Some(0), Some(1), None),
        (0, 1, 2, f, Action::Click, Some(0), Some(1), None),
        (60, 1, 2, f, Action::Impression, Some(1), Some(2), None),
        (3600, 1, 3, f, Action::Impression, Some(0), Some(1), None),
    ];
    assert_eq!(events, want);
    // One query: user 30's held-out session with a click, at the cut-off (one day after T0).
    assert_eq!(o.queries.len(), 1);
    assert_eq!((o.queries[0].user, o.queries[0].time, o.queries[0].text.as_str()), (UserId(2), 86_400, "w7"));
    let judged: Vec<_> = world.qrels.of(QueryId(0)).iter().map(|j| (j.item, j.grade)).collect();
    assert_eq!(judged, [(ItemId(4), Grade::Exact)]);
    let feed: Vec<_> = world.feed_judgements.iter().map(|f| (f.user, f.items.clone())).collect();
    assert_eq!(feed, [(UserId(0), vec![ItemId(2)]), (UserId(1), vec![ItemId(3)])]);
}

#[test]
fn captions_authors_categories_and_regions_are_mapped() {
    let (_tmp, dir) = fixture();
    let world = load(&dir, 1.0).expect("load");
    let want = expected(&dir, 1.0);
    let catalog = &world.observable.catalog;
    let features: BTreeMap<i64, BTreeMap<String, String>> =
        rows(&dir.join("item_features.csv")).into_iter().map(|r| (int(&r, "item_id"), r)).collect();
    let mut without = 0;
    for item in &catalog.items {
        let key = want.items[item.id.index()];
        assert_eq!((item.price, item.rating, item.review_count, item.sales_count), (1.0, 0.0, 0, 0));
        match features.get(&key) {
            Some(f) => {
                assert_eq!(item.title, render(&f["caption"]), "item {key}");
                let author = int(f, "author_id");
                assert_eq!(item.brand, if author == 0 { String::new() } else { format!("author {author}") });
                let path = if f["first_level_category_id"] == "0" {
                    "uncategorised".to_string()
                } else {
                    format!("{} > {}", f["first_level_category_name_en"], f["second_level_category_name_en"])
                };
                assert_eq!(catalog.category_path(item.leaf), path, "item {key}");
            }
            None => {
                without += 1;
                assert_eq!((item.title.as_str(), item.brand.as_str()), ("", ""));
                assert_eq!(catalog.category_path(item.leaf), "uncategorised");
            }
        }
    }
    assert!(without > 0, "the fixture has items without features");
    assert!(features.keys().any(|k| want.items.binary_search(k).is_err()), "the fixture has unused feature rows");
    assert!(catalog.items.iter().any(|i| i.title.starts_with('w') && i.title.contains(" w")));
    let regions: BTreeMap<i64, u8> = rows(&dir.join("user_features.csv"))
        .iter()
        .map(|r| (int(r, "user_id"), r["onehot_feat2"].parse().expect("u8")))
        .collect();
    for u in &world.observable.users {
        let key = want.users[u.id.index()];
        assert_eq!(u.region, regions.get(&key).copied().unwrap_or(0), "user {key}");
        assert_eq!((u.age_band, u.tenure_days), (0, 0));
    }
    assert!(want.users.iter().any(|k| !regions.contains_key(k)), "the fixture has users without features");
    // Query texts use the caption rendering.
    assert!(
        world
            .observable
            .queries
            .iter()
            .all(|q| q.text.split(' ').all(|w| w.starts_with('w') && w[1..].parse::<u64>().is_ok()))
    );
}

#[test]
fn sessions_have_the_generator_shape() {
    let (_tmp, dir) = fixture();
    let world = load(&dir, 1.0).expect("load");
    let logs = &world.observable.logs;
    assert!(logs.events.is_sorted_by_key(|e| (e.user, e.time)));
    let mut sessions: BTreeMap<u32, Vec<&searchrec_datasets::Event>> = BTreeMap::new();
    for e in &logs.events {
        sessions.entry(e.session).or_default().push(e);
    }
    // Sessions are numbered by first appearance: 0..n.
    assert_eq!(sessions.keys().copied().collect::<Vec<_>>(), (0..sessions.len() as u32).collect::<Vec<_>>());
    let (mut search, mut feed) = (0, 0);
    for events in sessions.values() {
        let first = events[0];
        assert!(events.iter().all(|e| e.user == first.user && e.channel == first.channel));
        match first.channel {
            Channel::Search => {
                search += 1;
                assert_eq!((first.action, first.item, first.position), (Action::Search, None, None));
                assert!(first.query.is_some());
                assert!(events.iter().all(|e| e.query == first.query && e.time == first.time));
                assert_eq!(events.iter().filter(|e| e.action == Action::Search).count(), 1);
                let shown: Vec<u16> =
                    events.iter().filter(|e| e.action == Action::Impression).filter_map(|e| e.position).collect();
                assert_eq!(shown, (1..=shown.len() as u16).collect::<Vec<_>>());
            }
            Channel::Feed => {
                feed += 1;
                assert!(events.iter().all(|e| e.query.is_none() && e.item.is_some() && e.action != Action::Search));
                let shown: Vec<u16> =
                    events.iter().filter(|e| e.action == Action::Impression).filter_map(|e| e.position).collect();
                assert_eq!(shown, (1..=shown.len() as u16).collect::<Vec<_>>());
                // A click follows its impression at the same time and position.
                for (i, e) in events.iter().enumerate().filter(|(_, e)| e.action == Action::Click) {
                    let before = events[i - 1];
                    assert_eq!(
                        (before.action, before.item, before.position, before.time),
                        (Action::Impression, e.item, e.position, e.time)
                    );
                }
                assert!(events.windows(2).all(|w| w[1].time - w[0].time < 30 * 60));
            }
        }
    }
    assert!(search > 0 && feed > 0);
    // Every logged query text is used.
    let used: BTreeSet<u32> = logs.events.iter().filter_map(|e| e.query).collect();
    assert_eq!(used, (0..logs.queries.len() as u32).collect());
}

#[test]
fn loading_twice_gives_the_same_world_and_fixtures_are_deterministic() {
    let (tmp, dir) = fixture();
    assert_eq!(load(&dir, 1.0).expect("first"), load(&dir, 1.0).expect("second"));
    let again = tmp.path().join("again");
    kuaisar::write_fixture(&again, &KuaisarFixture::default()).expect("fixture");
    for file in ["rec_inter.csv", "src_inter.csv", "item_features.csv", "user_features.csv", "social_network.csv"] {
        assert_eq!(
            std::fs::read(dir.join(file)).expect("read"),
            std::fs::read(again.join(file)).expect("read"),
            "{file}"
        );
    }
    let other = tmp.path().join("other");
    kuaisar::write_fixture(&other, &KuaisarFixture { seed: 8, ..KuaisarFixture::default() }).expect("fixture");
    assert_ne!(std::fs::read(dir.join("rec_inter.csv")).ok(), std::fs::read(other.join("rec_inter.csv")).ok());
}

#[test]
fn holdout_days_moves_the_split() {
    let (_tmp, dir) = fixture();
    let one = load(&dir, 1.0).expect("one day");
    let two = load(&dir, 2.0).expect("two days");
    let want = expected(&dir, 2.0);
    assert_eq!(observed(&two, &want), want);
    assert!(two.observable.logs.events.len() < one.observable.logs.events.len());
    assert!(two.observable.queries.len() > one.observable.queries.len());
    assert!(two.observable.queries[0].time < one.observable.queries[0].time);
    // The tables do not depend on the split.
    assert_eq!(two.observable.catalog, one.observable.catalog);
    assert_eq!(two.observable.users, one.observable.users);
    // max_queries keeps the first queries by (time, session id).
    let some =
        kuaisar::load(&KuaisarSource { max_queries: Some(3), ..source(&dir, 1.0) }, Path::new("/")).expect("load");
    assert_eq!(some.observable.queries, one.observable.queries[..3]);
    assert_eq!(
        some.qrels.judgements,
        one.qrels.judgements.iter().filter(|j| j.query.index() < 3).copied().collect::<Vec<_>>()
    );
}

#[test]
fn holdouts_that_leave_nothing_are_refused() {
    let (_tmp, dir) = fixture();
    let message = load(&dir, 30.0).expect_err("everything held out").to_string();
    assert!(message.contains("holds out every event") && message.contains("smaller holdout_days"), "{message}");
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let message = load(&dir, bad).expect_err("bad holdout").to_string();
        assert!(message.contains("holdout_days must be a positive"), "{message}");
    }
    // A hold-out of a few milliseconds keeps only the last instant; it has
    // a query only if that instant is a search session with a click.
    let tiny = 1e-7;
    match (load(&dir, tiny), expected(&dir, tiny).queries.is_empty()) {
        (Err(e), true) => assert!(e.to_string().contains("larger holdout_days"), "{e}"),
        (Ok(w), false) => assert_eq!(observed(&w, &expected(&dir, tiny)), expected(&dir, tiny)),
        (r, none) => {
            panic!("tiny hold-out: {:?} with no expected query = {none}", r.map(|w| w.observable.queries.len()))
        }
    }
    let message = kuaisar::load(&KuaisarSource { max_queries: Some(0), ..source(&dir, 1.0) }, Path::new("/"))
        .expect_err("0")
        .to_string();
    assert!(message.contains("max_queries"), "{message}");
}

#[test]
fn sources_parse_from_toml() {
    let parsed: Source = toml::from_str("format = \"kuaisar\"\ndir = \"x\"").expect("parse");
    assert_eq!(parsed, Source::Kuaisar(KuaisarSource { dir: "x".into(), holdout_days: 1.0, max_queries: None }));
    assert_eq!(parsed.format(), "kuaisar");
    let full: Source =
        toml::from_str("format = \"kuaisar\"\ndir = \"x\"\nholdout_days = 2.5\nmax_queries = 10").expect("parse");
    assert_eq!(full, Source::Kuaisar(KuaisarSource { dir: "x".into(), holdout_days: 2.5, max_queries: Some(10) }));
    let unknown =
        toml::from_str::<Source>("format = \"kuaisar\"\ndir = \"x\"\nsplit = \"test\"").expect_err("unknown field");
    assert!(unknown.to_string().contains("split"), "{unknown}");
    assert!(toml::from_str::<Source>("format = \"kuaisar\"").is_err(), "dir is required");
}

/// Rewrites `file` with `edit` applied to its header and rows.
fn rewrite(dir: &Path, file: &str, edit: impl FnOnce(&mut Vec<String>, &mut Vec<Vec<String>>)) {
    let path = dir.join(file);
    let mut reader = csv::Reader::from_path(&path).expect("csv");
    let mut header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    let mut records: Vec<Vec<String>> =
        reader.records().map(|r| r.expect("record").iter().map(str::to_string).collect()).collect();
    edit(&mut header, &mut records);
    let mut writer = csv::WriterBuilder::new().flexible(true).from_path(&path).expect("writer");
    writer.write_record(&header).expect("write");
    for r in &records {
        writer.write_record(r).expect("write");
    }
    writer.flush().expect("flush");
}

/// Sets `column` of data row `row` (0-based; the file's line `row + 2`).
fn set(dir: &Path, file: &str, row: usize, column: &str, value: &str) {
    rewrite(dir, file, |header, records| {
        let c = header.iter().position(|h| h == column).expect("column");
        records[row][c] = value.to_string();
    });
}

fn error(dir: &Path) -> String {
    match load(dir, 1.0) {
        Ok(_) => panic!("loaded a malformed folder"),
        Err(e) => e.to_string(),
    }
}

fn assert_names(message: &str, parts: &[&str]) {
    for p in parts {
        assert!(message.contains(p), "{message:?} does not name {p:?}");
    }
}

#[test]
fn malformed_rows_name_file_line_column_and_value() {
    let cases: [(&str, usize, &str, &str, &str); 9] = [
        ("rec_inter.csv", 3, "item_id", "x17", "integer id"),
        ("rec_inter.csv", 4, "user_id", "", "integer id"),
        ("rec_inter.csv", 5, "timestamp", "nan", "Unix milliseconds"),
        ("rec_inter.csv", 6, "timestamp", "1684742", "Unix milliseconds"),
        ("rec_inter.csv", 7, "click", "2", "0 or 1"),
        ("src_inter.csv", 8, "keyword", "[1, x]", "token list"),
        ("src_inter.csv", 9, "click_cnt", "-1", "integer ≥ 0"),
        ("src_inter.csv", 10, "search_session_timestamp", "1.7e+30", "Unix milliseconds"),
        ("user_features.csv", 2, "onehot_feat2", "999", "0..=255"),
    ];
    for (file, row, column, value, expected) in cases {
        let (_tmp, dir) = fixture();
        set(&dir, file, row, column, value);
        let message = error(&dir);
        assert_names(
            &message,
            &[file, &format!("line {}", row + 2), &format!("`{column}`"), &format!("{value:?}"), expected],
        );
    }
    // A malformed caption fails even on an item no log mentions.
    let (_tmp, dir) = fixture();
    set(&dir, "item_features.csv", 1, "caption", "[3, 4");
    assert_names(&error(&dir), &["item_features.csv", "line 3", "`caption`", "\"[3, 4\"", "token list"]);
}

#[test]
fn missing_columns_files_and_short_rows_are_refused() {
    for (file, column) in [
        ("rec_inter.csv", "click"),
        ("src_inter.csv", "keyword"),
        ("item_features.csv", "caption"),
        ("user_features.csv", "onehot_feat2"),
    ] {
        let (_tmp, dir) = fixture();
        rewrite(&dir, file, |header, records| {
            let c = header.iter().position(|h| h == column).expect("column");
            header.remove(c);
            records.iter_mut().for_each(|r| {
                r.remove(c);
            });
        });
        assert_names(&error(&dir), &[file, &format!("`{column}`")]);
    }
    // Columns in another order, with an extra one, load the same world.
    let (_tmp, dir) = fixture();
    let before = load(&dir, 1.0).expect("load");
    rewrite(&dir, "rec_inter.csv", |header, records| {
        header.reverse();
        header.push("extra".into());
        records.iter_mut().for_each(|r| {
            r.reverse();
            r.push("1".into());
        });
    });
    assert_eq!(load(&dir, 1.0).expect("reordered"), before);

    let (_tmp, dir) = fixture();
    std::fs::remove_file(dir.join("user_features.csv")).expect("remove");
    match load(&dir, 1.0) {
        Err(DatasetError::Io { path, .. }) => assert!(path.ends_with("user_features.csv"), "{path:?}"),
        other => panic!("missing file: {:?}", other.map(|_| ())),
    }

    let (_tmp, dir) = fixture();
    rewrite(&dir, "src_inter.csv", |_, records| records[4].truncate(3));
    assert_names(&error(&dir), &["src_inter.csv", "line 6", "3 fields", "header has 9"]);
}

#[test]
fn truncated_files_are_refused() {
    for file in ["rec_inter.csv", "src_inter.csv", "user_features.csv"] {
        let (_tmp, dir) = fixture();
        let path = dir.join(file);
        let bytes = std::fs::read(&path).expect("read");
        // Half the file, then back to just after a comma: the last row is cut mid-row.
        let mut cut = bytes.len() / 2;
        while bytes[cut - 1] != b',' {
            cut -= 1;
        }
        std::fs::write(&path, &bytes[..cut]).expect("write");
        assert_names(&error(&dir), &[file, "line", "truncated"]);
    }
}

#[test]
fn damaged_files_never_panic() {
    let (_tmp, dir) = fixture();
    let files = ["rec_inter.csv", "src_inter.csv", "item_features.csv", "user_features.csv"];
    let originals: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(dir.join(f)).expect("read")).collect();
    for (f, original) in files.iter().zip(&originals) {
        let path = dir.join(f);
        for k in 1..8u64 {
            // Cut at a spread of lengths, and flip a byte elsewhere.
            let cut = original.len() * k as usize / 8;
            std::fs::write(&path, &original[..cut]).expect("write");
            let _ = load(&dir, 1.0);
            let mut flipped = original.clone();
            let at = (k as usize * 7919) % flipped.len();
            flipped[at] = [b'"', b',', b'\n', b'x', 0xff, b'['][k as usize % 6];
            std::fs::write(&path, &flipped).expect("write");
            let _ = load(&dir, 1.0);
        }
        std::fs::write(&path, original).expect("restore");
    }
}
