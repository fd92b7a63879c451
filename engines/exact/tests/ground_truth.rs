//! The exact engine as the interest engine's ground truth.

use std::collections::HashSet;

use searchrec_datasets::{ItemId, UserId};
use searchrec_engine::{
    Context, Engine, EngineError, EngineFactory, FeedRequest, Hit, SearchRequest, Signals, sort_hits,
};
use searchrec_exact::{ExactConfig, ExactFactory};
use searchrec_interest::{InterestConfig, InterestEngine};
use searchrec_vectors::fixtures::{Fixture, FixtureSpec, clustered};
use searchrec_vectors::{ExactIndex, VectorTable, dot};

fn pair(world: &Fixture, params: &str) -> (InterestEngine, InterestEngine) {
    let interest: InterestConfig = toml::from_str(params).unwrap();
    let exact = ExactConfig { embedding: interest.embedding.clone(), feed: interest.feed.clone() };
    (InterestEngine::build("interest", &interest, world.input()).unwrap(), exact.build("exact", world.input()).unwrap())
}

fn naive_top(table: &VectorTable, q: &[f32], k: usize) -> Vec<Hit> {
    let mut all: Vec<Hit> =
        table.rows().enumerate().map(|(i, r)| Hit { item: ItemId(i as u32), score: dot(q, r) }).collect();
    sort_hits(&mut all);
    all.truncate(k);
    all
}

#[test]
fn same_sections_train_identical_vectors() {
    let world = clustered(&FixtureSpec::default());
    for params in ["", "[embedding]\nseed = 9\ndim = 12\n[feed]\nitem_norm_exponent = 0.0"] {
        let (interest, exact) = pair(&world, params);
        assert_eq!(interest.model().embeddings(), exact.model().embeddings());
        assert_eq!(interest.item_table(), exact.item_table());
        for user in [0, 7, 299] {
            let request = FeedRequest::new(UserId(user), 10);
            assert_eq!(
                interest.user_vector(request.user, &[request.context.feed]).unwrap(),
                exact.user_vector(request.user, &[request.context.feed]).unwrap()
            );
        }
    }
}

#[test]
fn hnsw_recall_at_10_against_exact_is_at_least_095_at_defaults() {
    let world = clustered(&FixtureSpec { items: 3000, users: 1500, clusters: 60, ..FixtureSpec::default() });
    let (interest, exact) = pair(&world, "");
    let queries: Vec<Vec<f32>> =
        (0..world.users.len() as u32).map(|u| exact.user_vector(UserId(u), &[]).unwrap()).collect();
    let truth = exact.ann().search_batch(&VectorTable::from_rows(&queries).unwrap(), 10, 0).unwrap();
    let ef = interest.config().hnsw.ef_search;
    let mut found = 0;
    for (q, truth) in queries.iter().zip(&truth) {
        let truth: HashSet<ItemId> = truth.iter().map(|h| h.item).collect();
        found += interest.search_vector(q, 10, ef).unwrap().iter().filter(|h| truth.contains(&h.item)).count();
    }
    let recall = found as f64 / (10 * queries.len()) as f64;
    assert!(recall >= 0.95, "recall@10 = {recall}");
    let reachability = interest.report().diagnostics["reachability"];
    assert!(!exact.report().diagnostics.contains_key("reachability"), "an exact scan has no reachability");
    assert!((0.0..=1.0).contains(&reachability) && reachability >= 0.99, "{reachability}");
}

#[test]
fn exact_feed_is_the_naive_top_k_minus_purchases() {
    let world = clustered(&FixtureSpec::default());
    let (_, exact) = pair(&world, "");
    let bought = [ItemId(5)];
    for user in [0u32, 11, 298] {
        let request = FeedRequest {
            user: UserId(user),
            k: 25,
            context: Context { feed: Signals { purchases: &bought, ..Signals::default() }, ..Context::default() },
        };
        let own = [request.context.feed];
        let q = exact.user_vector(request.user, &own).unwrap();
        let excluded = exact.model().excluded_items(request.user, &own, &[], &exact.config().feed);
        assert!(excluded.contains(&ItemId(5)));
        let mut want = naive_top(exact.item_table(), &q, exact.item_table().len());
        want.retain(|h| !excluded.contains(&h.item));
        want.truncate(25);
        assert_eq!(exact.recommend(&request).unwrap(), want);
    }
}

#[test]
fn ann_hits_carry_the_exact_scores() {
    let world = clustered(&FixtureSpec::default());
    let (interest, exact) = pair(&world, "");
    let q = exact.user_vector(UserId(3), &[]).unwrap();
    let truth = exact.search_vector(&q, 10, 0).unwrap();
    for hit in interest.search_vector(&q, 10, 64).unwrap() {
        if let Some(t) = truth.iter().find(|t| t.item == hit.item) {
            assert_eq!(t.score.to_bits(), hit.score.to_bits());
        }
    }
}

#[test]
fn batched_and_single_searches_agree_on_a_trained_table() {
    let world = clustered(&FixtureSpec::default());
    let (_, exact) = pair(&world, "");
    let index = ExactIndex::new(exact.item_table().clone()).unwrap();
    let queries: Vec<Vec<f32>> = (0..70u32).map(|u| exact.user_vector(UserId(u), &[]).unwrap()).collect();
    let batch = index.search_batch(&VectorTable::from_rows(&queries).unwrap(), 17).unwrap();
    for (q, hits) in queries.iter().zip(&batch) {
        assert_eq!(&index.search(q, 17).unwrap(), hits);
        assert_eq!(hits, &naive_top(index.table(), q, 17));
    }
}

#[test]
fn requests_and_configs_fail_clearly() {
    let world = clustered(&FixtureSpec::default());
    let (_, exact) = pair(&world, "");
    assert!(matches!(exact.search(&SearchRequest::new("x", 3)), Err(EngineError::Unsupported { .. })));
    assert!(matches!(exact.recommend(&FeedRequest::new(UserId(300), 3)), Err(EngineError::InvalidRequest { .. })));
    assert!(matches!(exact.search_vector(&[1.0], 3, 0), Err(EngineError::InvalidRequest { .. })));
    let mut nan = exact.user_vector(UserId(0), &[]).unwrap();
    nan[0] = f32::NAN;
    assert!(matches!(exact.search_vector(&nan, 3, 0), Err(EngineError::InvalidRequest { .. })));

    let build = |params: &str| {
        let params: toml::Table = toml::from_str(params).unwrap();
        ExactFactory.build("exact", &params, world.input()).err().expect("must fail")
    };
    let field = |err: EngineError| match err {
        EngineError::Config { field, .. } => field,
        other => panic!("expected a config error, got {other}"),
    };
    assert_eq!(field(build("[hnsw]\nef_search = 10")), "hnsw");
    assert_eq!(field(build("[embedding]\ndim = 0")), "embedding.dim");
    assert_eq!(field(build("[feed]\ncontext_weight = 2.0")), "feed.context_weight");
}

#[test]
fn the_exact_twin_answers_as_a_separately_built_exact_engine() {
    let world = clustered(&FixtureSpec::default());
    for params in ["", "[feed]\nitem_norm_exponent = 0.5\ncontext_weight = 0.2"] {
        let (interest, exact) = pair(&world, params);
        let twin = interest.exact_twin().expect("an ANN engine has an exact twin");
        assert!(exact.exact_twin().is_none(), "an exact engine is its own ground truth");
        let bought = [ItemId(5)];
        for user in [0u32, 11, 150, 298] {
            let request = FeedRequest {
                user: UserId(user),
                k: 20,
                context: Context { feed: Signals { purchases: &bought, ..Signals::default() }, ..Context::default() },
            };
            assert_eq!(twin.recommend(&request).unwrap(), exact.recommend(&request).unwrap(), "{params:?} {user}");
        }
    }
}

#[test]
fn batched_feeds_equal_single_feeds() {
    let world = clustered(&FixtureSpec::default());
    let (interest, exact) = pair(&world, "");
    let clicks = [ItemId(7), ItemId(8)];
    // Warm users, cold users (popularity), context, and k from 1 to past the catalogue.
    let requests: Vec<FeedRequest<'_>> = (0..world.users.len() as u32)
        .map(|u| FeedRequest {
            user: UserId(u),
            k: [1, 10, 37, 100_000][u as usize % 4],
            context: if u % 3 == 0 {
                Context { feed: Signals { clicks: &clicks, ..Signals::default() }, ..Context::default() }
            } else {
                Context::default()
            },
        })
        .collect();
    for engine in [&interest, &exact] {
        let batch = engine.recommend_batch(&requests).unwrap();
        assert_eq!(batch.len(), requests.len());
        for (request, hits) in requests.iter().zip(&batch) {
            assert_eq!(&engine.recommend(request).unwrap(), hits, "user {}", request.user);
        }
    }
    let mut bad = requests.clone();
    bad[5].k = 0;
    assert!(exact.recommend_batch(&bad).is_err());
}
