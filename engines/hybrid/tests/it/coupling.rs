//! The coupling switches: off means the context cannot matter, on means it
//! moves results in the documented direction.

use searchrec_datasets::{ItemId, UserId};
use searchrec_engine::{Context, Engine, FeedRequest, SearchRequest};
use searchrec_hybrid::{Fusion, HybridConfig, HybridEngine};

use crate::world::{LAMP_FAN, MUG_FAN, WORDS, arm, build, count_in, world};

/// Items of leaf 5 (mugs), the lamp fan's non-taste.
fn mugs(n: usize) -> Vec<ItemId> {
    (0..n as u32).map(|i| ItemId(5 + 12 * (i + 3))).collect()
}

fn search(engine: &HybridEngine, query: &str, user: Option<u32>, context: Context<'_>) -> Vec<searchrec_engine::Hit> {
    let request = SearchRequest { query, k: 10, user: user.map(UserId), context };
    engine.search(&request).expect("search answers")
}

fn feed(engine: &HybridEngine, user: u32, k: usize, context: Context<'_>) -> Vec<searchrec_engine::Hit> {
    engine.recommend(&FeedRequest { user: UserId(user), k, context }).expect("feed answers")
}

#[test]
fn capabilities_report_the_switches() {
    for (a, b) in [(false, false), (false, true), (true, false), (true, true)] {
        let c = arm(a, b).capabilities();
        assert!(c.search && c.recommend);
        assert_eq!((c.personalised_search, c.query_aware_feed), (a, b));
    }
}

#[test]
fn a_switched_off_side_gives_identical_results_with_or_without_context() {
    let queries = vec!["kettle".to_string(), "tent".to_string()];
    let clicks = mugs(8);
    let bought = [ItemId(7)];
    let context = Context { recent_queries: &queries, recent_clicks: &clicks, recent_purchases: &bought };
    for (a, b) in [(false, false), (false, true), (true, false), (true, true)] {
        let engine = arm(a, b);
        for user in [LAMP_FAN, MUG_FAN, 150, 299] {
            if !a {
                for query in ["desk", "kettle", "leaf 3", "home classic"] {
                    let anonymous = search(engine, query, None, Context::default());
                    assert_eq!(search(engine, query, Some(user), context), anonymous, "A off, {query:?}, user {user}");
                    assert_eq!(anonymous, engine.shelf().search(&SearchRequest::new(query, 10)).unwrap());
                }
            }
            if !b {
                let plain = feed(engine, user, 20, Context::default());
                assert_eq!(feed(engine, user, 20, context), plain, "B off, user {user}");
            }
        }
    }
}

#[test]
fn a_switched_on_side_reads_the_context() {
    let queries = vec!["kettle".to_string()];
    let clicks = mugs(8);
    let context = Context { recent_queries: &queries, recent_clicks: &clicks, recent_purchases: &[] };
    let engine = arm(true, true);
    assert_ne!(
        search(engine, "desk", Some(LAMP_FAN), context),
        search(engine, "desk", Some(LAMP_FAN), Context::default())
    );
    assert_ne!(feed(engine, LAMP_FAN, 20, context), feed(engine, LAMP_FAN, 20, Context::default()));
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

#[test]
fn feed_clicks_in_a_search_context_pull_search_towards_them() {
    let engine = arm(true, false);
    let clicks = mugs(10);
    let context = Context { recent_clicks: &clicks, ..Context::default() };
    let before = search(engine, "desk", Some(LAMP_FAN), Context::default());
    let after = search(engine, "desk", Some(LAMP_FAN), context);
    eprintln!("mugs before {} after {}", count_in(&before, 5), count_in(&after, 5));
    assert!(count_in(&after, 5) > count_in(&before, 5), "{before:?}\n{after:?}");
}

#[test]
fn an_anonymous_personalised_search_is_the_shelf_ranking() {
    let engine = arm(true, true);
    let clicks = mugs(3);
    let context = Context { recent_clicks: &clicks, ..Context::default() };
    for query in ["desk", "kettle", "leaf 3"] {
        let shelf = engine.shelf().search(&SearchRequest::new(query, 10)).unwrap();
        assert_eq!(search(engine, query, None, context), shelf, "{query:?}");
    }
}

#[test]
fn query_aware_feed_follows_recent_queries() {
    let engine = arm(false, true);
    let plain = feed(engine, LAMP_FAN, 20, Context::default());
    let kettles = vec![WORDS[1].to_string()];
    let after = feed(engine, LAMP_FAN, 20, Context { recent_queries: &kettles, ..Context::default() });
    eprintln!("kettles before {} after {}", count_in(&plain, 1), count_in(&after, 1));
    assert!(count_in(&after, 1) > count_in(&plain, 1), "{plain:?}\n{after:?}");
    // Queries that find nothing, or are blank, carry no intent: the feed stays put.
    let nothing = vec!["zzzz".to_string(), "   ".to_string()];
    assert_eq!(feed(engine, LAMP_FAN, 20, Context { recent_queries: &nothing, ..Context::default() }), plain);
}

#[test]
fn query_aware_feed_still_leaves_out_purchases() {
    let engine = arm(false, true);
    let kettles = vec![WORDS[1].to_string()];
    let shown = feed(engine, LAMP_FAN, 20, Context { recent_queries: &kettles, ..Context::default() });
    let bought = [shown[0].item, shown[1].item];
    let context = Context { recent_queries: &kettles, recent_purchases: &bought, ..Context::default() };
    let after = feed(engine, LAMP_FAN, 20, context);
    assert!(after.iter().all(|h| !bought.contains(&h.item)), "{after:?}");
    assert_eq!(after.len(), 20);
}

#[test]
fn the_worlds_users_exist() {
    // Guards the constants above against a change of the fixture.
    assert!(world().users.len() > 299);
}
