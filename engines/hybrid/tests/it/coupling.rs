//! The coupling switches: each channel reads its own signals, and a switch
//! adds exactly the other channel's. Off means the other channel's signals
//! cannot matter; on means they move results in the documented direction;
//! and neither switch ever changes the other channel's answers.

use searchrec_datasets::{ItemId, UserId};
use searchrec_engine::{Context, Engine, FeedRequest, SearchRequest, Signals};
use searchrec_hybrid::{Fusion, HybridConfig, HybridEngine};

use crate::world::{LAMP_FAN, MUG_FAN, WORDS, arm, build, count_in, revisiting_arm, world};

/// Items of leaf 5 (mugs), the lamp fan's non-taste.
fn mugs(n: usize) -> Vec<ItemId> {
    (0..n as u32).map(|i| ItemId(5 + 12 * (i + 3))).collect()
}

/// Items of leaf 1 (kettles), nobody's taste among the fixed users.
fn kettles(n: usize) -> Vec<ItemId> {
    (0..n as u32).map(|i| ItemId(1 + 12 * i)).collect()
}

fn search(engine: &HybridEngine, query: &str, user: Option<u32>, context: Context<'_>) -> Vec<searchrec_engine::Hit> {
    let request = SearchRequest { query, k: 10, user: user.map(UserId), context };
    engine.search(&request).expect("search answers")
}

fn feed(engine: &HybridEngine, user: u32, k: usize, context: Context<'_>) -> Vec<searchrec_engine::Hit> {
    engine.recommend(&FeedRequest { user: UserId(user), k, context }).expect("feed answers")
}

const USERS: [u32; 4] = [LAMP_FAN, MUG_FAN, 150, 299];
const QUERIES: [&str; 4] = ["desk", "kettle", "leaf 3", "home classic"];

#[test]
fn capabilities_report_the_switches() {
    for (a, b) in [(false, false), (false, true), (true, false), (true, true)] {
        let c = arm(a, b).capabilities();
        assert!(c.search && c.recommend);
        assert_eq!((c.personalised_search, c.query_aware_feed), (a, b));
    }
}

/// Signals on both channels, different enough that reading them shows.
struct Busy {
    queries: Vec<String>,
    shown: Vec<Vec<ItemId>>,
    mugs: Vec<ItemId>,
    bought: Vec<ItemId>,
}

impl Busy {
    fn new() -> Busy {
        Busy {
            queries: vec!["kettle".to_string(), "tent".to_string()],
            shown: vec![kettles(10), mugs(10)],
            mugs: mugs(8),
            bought: vec![ItemId(7)],
        }
    }

    fn search(&self) -> Signals<'_> {
        Signals { queries: &self.queries, shown: &self.shown, clicks: &self.mugs, purchases: &self.bought }
    }

    fn feed(&self) -> Signals<'_> {
        Signals { queries: &[], shown: &self.shown[1..], clicks: &self.mugs[..4], purchases: &self.bought }
    }
}

/// How the tests name an arm builder.
type Arm = fn(bool, bool) -> &'static HybridEngine;

#[test]
fn switching_a_changes_no_feed_answer_and_switching_b_no_search_answer() {
    let busy = Busy::new();
    let contexts = [Context::default(), Context { search: busy.search(), feed: busy.feed() }];
    for (context, arm) in contexts.into_iter().flat_map(|c| [(c, arm as Arm), (c, revisiting_arm)]) {
        for user in USERS {
            for b in [false, true] {
                let (a_off, a_on) = (arm(false, b), arm(true, b));
                assert_eq!(feed(a_off, user, 20, context), feed(a_on, user, 20, context), "A moved the feed, B {b}");
            }
            for a in [false, true] {
                let (b_off, b_on) = (arm(a, false), arm(a, true));
                for query in QUERIES {
                    assert_eq!(
                        search(b_off, query, Some(user), context),
                        search(b_on, query, Some(user), context),
                        "B moved search {query:?}, A {a}"
                    );
                }
            }
        }
    }
}

#[test]
fn an_uncoupled_channel_never_reads_the_other_channels_signals() {
    let busy = Busy::new();
    let own_search = Context { search: busy.search(), ..Context::default() };
    let own_feed = Context { feed: busy.feed(), ..Context::default() };
    let both = Context { search: busy.search(), feed: busy.feed() };
    let cells = [(false, false), (false, true), (true, false), (true, true)];
    for (engine, (a, b)) in cells.into_iter().flat_map(|c| [(arm(c.0, c.1), c), (revisiting_arm(c.0, c.1), c)]) {
        for user in USERS {
            if !a {
                for query in QUERIES {
                    assert_eq!(search(engine, query, Some(user), both), search(engine, query, Some(user), own_search));
                }
            }
            if !b {
                assert_eq!(feed(engine, user, 20, both), feed(engine, user, 20, own_feed), "B off, user {user}");
            }
        }
    }
}

#[test]
fn a_coupling_reads_the_other_channels_signals() {
    let busy = Busy::new();
    let both = Context { search: busy.search(), feed: busy.feed() };
    let own_search = Context { search: busy.search(), ..Context::default() };
    let own_feed = Context { feed: busy.feed(), ..Context::default() };
    let engine = arm(true, true);
    assert_ne!(search(engine, "desk", Some(LAMP_FAN), both), search(engine, "desk", Some(LAMP_FAN), own_search));
    assert_ne!(feed(engine, LAMP_FAN, 20, both), feed(engine, LAMP_FAN, 20, own_feed));
}

#[test]
fn each_channel_reads_its_own_signals_without_any_coupling() {
    let engine = arm(false, false);
    let clicks = mugs(10);
    let own = Context { search: Signals { clicks: &clicks, ..Signals::default() }, ..Context::default() };
    let before = search(engine, "desk", Some(LAMP_FAN), Context::default());
    let after = search(engine, "desk", Some(LAMP_FAN), own);
    assert!(count_in(&after, 5) > count_in(&before, 5), "{before:?}\n{after:?}");

    let own = Context { feed: Signals { clicks: &clicks, ..Signals::default() }, ..Context::default() };
    let before = feed(engine, LAMP_FAN, 20, Context::default());
    let after = feed(engine, LAMP_FAN, 20, own);
    assert!(count_in(&after, 5) > count_in(&before, 5), "{before:?}\n{after:?}");
}

#[test]
fn the_feed_refreshes_past_its_recent_lists() {
    let engine = arm(false, false);
    let first: Vec<ItemId> = feed(engine, LAMP_FAN, 20, Context::default()).iter().map(|h| h.item).collect();
    let shown = vec![first.clone()];
    let context = Context { feed: Signals { shown: &shown, ..Signals::default() }, ..Context::default() };
    let second = feed(engine, LAMP_FAN, 20, context);
    assert_eq!(second.len(), 20);
    assert!(second.iter().all(|h| !first.contains(&h.item)), "{first:?}\n{second:?}");
    // Lists older than `refresh_sessions` are shown again.
    let refresh = HybridConfig::default().interest.feed.refresh_sessions;
    let old: Vec<Vec<ItemId>> = std::iter::once(first.clone()).chain((0..refresh).map(|_| Vec::new())).collect();
    let context = Context { feed: Signals { shown: &old, ..Signals::default() }, ..Context::default() };
    assert_eq!(feed(engine, LAMP_FAN, 20, context), feed(engine, LAMP_FAN, 20, Context::default()));
}

#[test]
fn personalised_search_leans_towards_the_searchers_taste() {
    // "desk" matches lamps (leaf 0) and mugs (leaf 5) alike; the lamp fan
    // should see more lamps and the mug fan more mugs than an anonymous searcher.
    let variants: Vec<(Fusion, HybridEngine)> = [Fusion::Rrf, Fusion::Minmax, Fusion::Zscore]
        .into_iter()
        .map(|fusion| (fusion, build(&HybridConfig { fusion, query_aware_feed: false, ..HybridConfig::default() })))
        .collect();
    let rerank = arm(true, false);
    let anonymous = search(rerank, "desk", None, Context::default());
    for (fusion, engine) in variants.iter().map(|(f, e)| (*f, e)).chain([(Fusion::Rerank, rerank)]) {
        let lamp_fan = search(engine, "desk", Some(LAMP_FAN), Context::default());
        let mug_fan = search(engine, "desk", Some(MUG_FAN), Context::default());
        eprintln!(
            "{fusion:?}: anonymous lamps {} mugs {}; lamp fan lamps {} mugs {}; mug fan lamps {} mugs {}",
            count_in(&anonymous, 0),
            count_in(&anonymous, 5),
            count_in(&lamp_fan, 0),
            count_in(&lamp_fan, 5),
            count_in(&mug_fan, 0),
            count_in(&mug_fan, 5)
        );
        assert!(count_in(&lamp_fan, 0) > count_in(&anonymous, 0), "{fusion:?}: {lamp_fan:?}");
        assert!(count_in(&mug_fan, 5) > count_in(&anonymous, 5), "{fusion:?}: {mug_fan:?}");
    }
}

#[test]
fn rerank_only_reorders_what_the_query_matched() {
    let engine = arm(true, false);
    let lexical: Vec<ItemId> =
        engine.shelf().search(&SearchRequest::new("desk", 100)).unwrap().iter().map(|h| h.item).collect();
    for user in [LAMP_FAN, MUG_FAN, 3] {
        for hit in search(engine, "desk", Some(user), Context::default()) {
            assert!(lexical.contains(&hit.item), "user {user}: {hit:?} was not a shelf candidate");
        }
    }
}

/// The 1-based rank of each of `items` in `hits`, `hits.len() + 1` when absent.
fn rank_sum(hits: &[searchrec_engine::Hit], items: &[ItemId]) -> usize {
    items.iter().map(|i| hits.iter().position(|h| h.item == *i).map_or(hits.len() + 1, |p| p + 1)).sum()
}

#[test]
fn revisiting_brings_back_what_the_user_clicked_in_the_feed() {
    // Two mugs the lexical ranking puts below the top 10 for the mug fan.
    let plain = search(arm(true, false), "mug", Some(MUG_FAN), Context::default());
    let clicked: Vec<ItemId> = mugs(25).into_iter().filter(|m| plain.iter().all(|h| h.item != *m)).take(2).collect();
    assert_eq!(clicked.len(), 2, "the fixture has mugs below the top 10: {plain:?}");
    let context = Context { feed: Signals { clicks: &clicked, ..Signals::default() }, ..Context::default() };
    let by_direction = search(arm(true, false), "mug", Some(MUG_FAN), context);
    let by_item = search(revisiting_arm(true, false), "mug", Some(MUG_FAN), context);
    assert!(rank_sum(&by_item, &clicked) < rank_sum(&by_direction, &clicked), "{by_direction:?}\n{by_item:?}");
    // Without A the feed's clicks are not search's to read, item by item or not.
    let uncoupled = search(revisiting_arm(false, false), "mug", Some(MUG_FAN), context);
    assert_eq!(uncoupled, search(revisiting_arm(false, false), "mug", Some(MUG_FAN), Context::default()));
}

#[test]
fn feed_signals_in_search_pull_it_towards_them() {
    let engine = arm(true, false);
    let clicks = mugs(10);
    let context = Context { feed: Signals { clicks: &clicks, ..Signals::default() }, ..Context::default() };
    let before = search(engine, "desk", Some(LAMP_FAN), Context::default());
    let after = search(engine, "desk", Some(LAMP_FAN), context);
    assert!(count_in(&after, 5) > count_in(&before, 5), "{before:?}\n{after:?}");
}

#[test]
fn an_anonymous_search_is_the_shelf_ranking() {
    let engine = arm(true, true);
    let clicks = mugs(3);
    let context = Context { feed: Signals { clicks: &clicks, ..Signals::default() }, ..Context::default() };
    for query in ["desk", "kettle", "leaf 3"] {
        let shelf = engine.shelf().search(&SearchRequest::new(query, 10)).unwrap();
        assert_eq!(search(engine, query, None, context), shelf, "{query:?}");
    }
}

#[test]
fn query_aware_feed_follows_the_search_results_the_user_saw() {
    let engine = arm(false, true);
    let plain = feed(engine, LAMP_FAN, 20, Context::default());
    let seen = vec![kettles(10)];
    let queries = vec!["something typed".to_string()];
    let search = Signals { queries: &queries, shown: &seen, ..Signals::default() };
    let after = feed(engine, LAMP_FAN, 20, Context { search, ..Context::default() });
    assert!(count_in(&after, 1) > count_in(&plain, 1), "{plain:?}\n{after:?}");
}

#[test]
fn query_aware_feed_follows_recent_queries_sent_without_lists() {
    let engine = arm(false, true);
    let plain = feed(engine, LAMP_FAN, 20, Context::default());
    let kettle_queries = vec![WORDS[1].to_string()];
    let context = Context { search: Signals { queries: &kettle_queries, ..Signals::default() }, ..Context::default() };
    let after = feed(engine, LAMP_FAN, 20, context);
    assert!(count_in(&after, 1) > count_in(&plain, 1), "{plain:?}\n{after:?}");
    // Queries that find nothing, or are blank, carry no intent: the feed stays put.
    let nothing = vec!["zzzz".to_string(), "   ".to_string()];
    let context = Context { search: Signals { queries: &nothing, ..Signals::default() }, ..Context::default() };
    assert_eq!(feed(engine, LAMP_FAN, 20, context), plain);
}

#[test]
fn query_aware_feed_still_leaves_out_purchases() {
    let engine = arm(false, true);
    let seen = vec![kettles(10)];
    let search = Signals { shown: &seen, ..Signals::default() };
    let shown = feed(engine, LAMP_FAN, 20, Context { search, ..Context::default() });
    let bought = [shown[0].item, shown[1].item];
    let search = Signals { shown: &seen, purchases: &bought, ..Signals::default() };
    let after = feed(engine, LAMP_FAN, 20, Context { search, ..Context::default() });
    assert!(after.iter().all(|h| !bought.contains(&h.item)), "{after:?}");
    assert_eq!(after.len(), 20);
}

#[test]
fn the_worlds_users_exist() {
    // Guards the constants above against a change of the fixture.
    assert!(world().users.len() > 299);
}
