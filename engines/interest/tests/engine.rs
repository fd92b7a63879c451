//! The interest engine end to end on hand-built clustered worlds.

use std::collections::HashSet;

use searchrec_datasets::{Action, Catalog, ItemId, Logs, UserId};
use searchrec_engine::{
    BuildInput, Context, Engine, EngineError, EngineFactory, FeedRequest, Hit, SearchRequest, Signals, sort_hits,
};
use searchrec_interest::{InterestConfig, InterestEngine, InterestFactory, QuerySource};
use searchrec_vectors::fixtures::{Fixture, FixtureSpec, clustered};
use searchrec_vectors::{HnswConfig, dot};

fn world() -> Fixture {
    clustered(&FixtureSpec::default())
}

fn build(world: &Fixture, params: &str) -> Result<Box<dyn Engine>, EngineError> {
    let params: toml::Table = toml::from_str(params).unwrap();
    InterestFactory.build("interest", &params, world.input())
}

fn build_err(world: &Fixture, params: &str) -> EngineError {
    build(world, params).err().expect("the build should fail")
}

fn engine(world: &Fixture) -> InterestEngine {
    InterestEngine::build("interest", &InterestConfig::default(), world.input()).unwrap()
}

fn ids(hits: &[Hit]) -> Vec<u32> {
    hits.iter().map(|h| h.item.0).collect()
}

fn config_field(err: EngineError) -> String {
    match err {
        EngineError::Config { field, .. } => field,
        other => panic!("expected a config error, got {other}"),
    }
}

#[test]
fn builds_from_empty_params_and_reports_reachability() {
    let world = world();
    let engine = build(&world, "").unwrap();
    assert_eq!(engine.name(), "interest");
    assert!(engine.capabilities().recommend && !engine.capabilities().search);
    let report = engine.report();
    let reach = report.diagnostics["reachability"];
    assert!((0.0..=1.0).contains(&reach), "{reach}");
    assert!(report.diagnostics["unreachable_items"] >= 0.0);
    for key in ["train_seconds", "index_seconds", "train_loss", "cold_items", "cold_users", "hnsw_links"] {
        assert!(report.diagnostics.contains_key(key), "missing {key}");
    }
    // The 10 items the fixture never logs, plus tail items no session drew.
    assert!(report.diagnostics["cold_items"] >= 10.0);
    assert_eq!(report.diagnostics["cold_users"], 5.0);
    assert!(report.build_seconds > 0.0 && report.memory_bytes > 0);
}

#[test]
fn feed_respects_the_engine_contract() {
    let world = world();
    let engine = build(&world, "").unwrap();
    for user in [0u32, 17, 299] {
        let hits = engine.recommend(&FeedRequest::new(UserId(user), 20)).unwrap();
        assert_eq!(hits.len(), 20);
        let unique: HashSet<u32> = ids(&hits).into_iter().collect();
        assert_eq!(unique.len(), 20, "duplicates for user {user}");
        let mut sorted = hits.clone();
        sort_hits(&mut sorted);
        assert_eq!(sorted, hits, "not in sort_hits order");
        assert!(hits.iter().all(|h| h.score.is_finite()));
        assert_eq!(engine.recommend(&FeedRequest::new(UserId(user), 20)).unwrap(), hits);
    }
    let all = engine.recommend(&FeedRequest::new(UserId(3), usize::MAX)).unwrap();
    assert!(all.len() <= world.catalog.len() && all.len() > world.catalog.len() / 2, "{}", all.len());
}

#[test]
fn bad_requests_are_errors() {
    let world = world();
    let engine = build(&world, "").unwrap();
    assert!(matches!(engine.search(&SearchRequest::new("shoes", 5)), Err(EngineError::Unsupported { .. })));
    assert!(matches!(engine.recommend(&FeedRequest::new(UserId(0), 0)), Err(EngineError::InvalidRequest { .. })));
    let unknown = engine.recommend(&FeedRequest::new(UserId(300), 5)).unwrap_err();
    assert!(matches!(unknown, EngineError::InvalidRequest { .. }), "{unknown}");
    let clicks = [ItemId(10_000)];
    let request =
        FeedRequest { user: UserId(0), k: 5, context: feed_signals(Signals { clicks: &clicks, ..Signals::default() }) };
    assert!(matches!(engine.recommend(&request), Err(EngineError::InvalidRequest { .. })));
}

#[test]
fn config_errors_name_the_field() {
    let world = world();
    assert_eq!(config_field(build_err(&world, "[embedding]\ndimm = 3")), "embedding.dimm");
    assert_eq!(config_field(build_err(&world, "[embedding]\ndim = 0")), "embedding.dim");
    assert_eq!(config_field(build_err(&world, "[hnsw]\nmax_nb_connection = 300")), "hnsw.max_nb_connection");
    assert_eq!(config_field(build_err(&world, "[hnsw]\nef_search = 0")), "hnsw.ef_search");
    assert_eq!(config_field(build_err(&world, "[embedding]\nalpha = nan")), "embedding.alpha");
    assert_eq!(config_field(build_err(&world, "[feed]\ncontext_weight = -0.1")), "feed.context_weight");
    assert_eq!(config_field(build_err(&world, "[feed]\nitem_norm_exponent = 2.0")), "feed.item_norm_exponent");
    assert_eq!(config_field(build_err(&world, "[feed]\nscoring = \"dot\"")), "feed.scoring");
}

#[test]
fn unusable_data_is_invalid_data() {
    let world = world();
    let empty_catalog = Catalog::default();
    let input = BuildInput { catalog: &empty_catalog, ..world.input() };
    let err = InterestFactory.build("interest", &toml::Table::new(), input).err().expect("must fail");
    assert!(matches!(err, EngineError::InvalidData { .. }), "{err}");

    let exposure_only = Logs {
        events: world.logs.events.iter().filter(|e| e.action == Action::Impression).cloned().collect(),
        queries: vec![],
    };
    let input = BuildInput { logs: &exposure_only, ..world.input() };
    let err = InterestFactory.build("interest", &toml::Table::new(), input).err().expect("must fail");
    assert!(matches!(err, EngineError::InvalidData { .. }), "{err}");
}

#[test]
fn users_without_history_fall_back_to_context_then_popularity() {
    let world = world();
    let engine = engine(&world);
    let cold = [UserId(295), UserId(299)];
    let (q, source) = engine.model().user_vector(cold[0], &[], &engine.config().feed).unwrap();
    assert_eq!(source, QuerySource::Popularity);
    assert_eq!(engine.user_vector(cold[1], &[]).unwrap(), q);
    let a = engine.recommend(&FeedRequest::new(cold[0], 10)).unwrap();
    assert_eq!(a, engine.recommend(&FeedRequest::new(cold[1], 10)).unwrap());

    // Clicks in leaf 4 (items ≡ 4 mod 12) steer a cold user's feed into that leaf.
    let clicks = [ItemId(4), ItemId(16), ItemId(28)];
    let request = FeedRequest {
        context: feed_signals(Signals { clicks: &clicks, ..Signals::default() }),
        ..FeedRequest::new(cold[0], 10)
    };
    assert_eq!(
        engine.model().user_vector(request.user, &[request.context.feed], &engine.config().feed).unwrap().1,
        QuerySource::Context
    );
    let steered = engine.recommend(&request).unwrap();
    let in_leaf = steered.iter().filter(|h| world.catalog.item(h.item).leaf.0 == 4).count();
    assert!(in_leaf >= 8, "{in_leaf} of 10 in the clicked leaf: {:?}", ids(&steered));

    // A warm user's history is mixed with context, and weight 0 switches coupling off.
    let warm = FeedRequest { context: request.context, ..FeedRequest::new(UserId(0), 10) };
    assert_eq!(
        engine.model().user_vector(warm.user, &[warm.context.feed], &engine.config().feed).unwrap().1,
        QuerySource::HistoryAndContext
    );
    assert_ne!(engine.recommend(&warm).unwrap(), engine.recommend(&FeedRequest::new(UserId(0), 10)).unwrap());
    let off: InterestConfig = toml::from_str("[feed]\ncontext_weight = 0.0").unwrap();
    let uncoupled = InterestEngine::build("off", &off, world.input()).unwrap();
    assert_eq!(uncoupled.recommend(&warm).unwrap(), uncoupled.recommend(&FeedRequest::new(UserId(0), 10)).unwrap());
    assert_eq!(
        uncoupled.model().user_vector(request.user, &[request.context.feed], &uncoupled.config().feed).unwrap().1,
        QuerySource::Popularity
    );
}

#[test]
fn purchased_items_are_excluded_unless_configured() {
    let world = world();
    let bought: HashSet<ItemId> = world
        .logs
        .events
        .iter()
        .filter(|e| e.user == UserId(0) && e.action == Action::Purchase)
        .filter_map(|e| e.item)
        .collect();
    assert!(!bought.is_empty(), "fixture user 0 bought nothing");
    let engine = engine(&world);
    let just_bought = [ItemId(100)];
    let request = FeedRequest {
        context: feed_signals(Signals { purchases: &just_bought, ..Signals::default() }),
        ..FeedRequest::new(UserId(0), 60)
    };
    let hits = engine.recommend(&request).unwrap();
    assert_eq!(hits.len(), 60);
    assert!(hits.iter().all(|h| !bought.contains(&h.item) && h.item != ItemId(100)));

    let keep: InterestConfig = toml::from_str("[feed]\nexclude_purchased = false").unwrap();
    let keeping = InterestEngine::build("keep", &keep, world.input()).unwrap();
    let hits = keeping.recommend(&FeedRequest::new(UserId(0), 60)).unwrap();
    assert!(hits.iter().any(|h| bought.contains(&h.item)), "a buyer's own purchases rank high without exclusion");
}

#[test]
fn ann_search_matches_brute_force_at_defaults_for_every_graph_backend() {
    let world = clustered(&FixtureSpec { items: 3000, users: 600, clusters: 40, ..FixtureSpec::default() });
    for backend in ["hnsw_rs", "graph"] {
        let config: InterestConfig = toml::from_str(&format!("index = \"{backend}\"")).unwrap();
        let engine = InterestEngine::build("interest", &config, world.input()).unwrap();
        let table = engine.item_table();
        let (mut found, mut total) = (0usize, 0usize);
        for user in 0..world.users.len() as u32 {
            let q = engine.user_vector(UserId(user), &[]).unwrap();
            let mut truth: Vec<Hit> =
                table.rows().enumerate().map(|(i, r)| Hit { item: ItemId(i as u32), score: dot(&q, r) }).collect();
            sort_hits(&mut truth);
            let truth: HashSet<ItemId> = truth[..10].iter().map(|h| h.item).collect();
            let got = engine.search_vector(&q, 10, engine.config().hnsw.ef_search).unwrap();
            // Every backend reports the crate's own dot product as the score.
            for hit in &got {
                assert_eq!(hit.score.to_bits(), dot(&q, table.row(hit.item.index())).to_bits(), "{backend}");
            }
            found += got.iter().filter(|h| truth.contains(&h.item)).count();
            total += 10;
        }
        let recall = found as f64 / total as f64;
        assert!(recall >= 0.95, "{backend}: recall@10 {recall}");
        assert!(engine.reachability().unwrap().fraction() >= 0.99, "{backend}: {:?}", engine.reachability());
        assert_eq!(engine.ann().backend().name(), backend);
    }
}

#[test]
fn learned_feed_beats_popularity_on_held_out_purchases() {
    let world = clustered(&FixtureSpec { hold_out_last_purchase: true, ..FixtureSpec::default() });
    let engine = engine(&world);
    let mut popularity = vec![0.0f32; world.catalog.len()];
    for e in world.logs.events.iter().filter(|e| e.action == Action::Purchase || e.action == Action::Click) {
        if let Some(item) = e.item {
            popularity[item.index()] += 1.0;
        }
    }
    let mut popular: Vec<Hit> =
        popularity.iter().enumerate().map(|(i, &p)| Hit { item: ItemId(i as u32), score: p }).collect();
    sort_hits(&mut popular);
    let k = 50;
    let (mut learned, mut baseline) = (0, 0);
    for &(user, item) in &world.held_out {
        learned += engine.recommend(&FeedRequest::new(user, k)).unwrap().iter().any(|h| h.item == item) as usize;
        baseline += popular[..k].iter().any(|h| h.item == item) as usize;
    }
    let n = world.held_out.len() as f64;
    let (learned, baseline) = (learned as f64 / n, baseline as f64 / n);
    assert!(learned > baseline + 0.1, "recall@{k}: learned {learned:.3} vs popularity {baseline:.3}");
}

#[test]
fn sequential_builds_are_reproducible_and_parallel_builds_work() {
    let world = world();
    for backend in ["hnsw_rs", "graph"] {
        let config: InterestConfig = toml::from_str(&format!("index = \"{backend}\"")).unwrap();
        let build = |config: &InterestConfig| InterestEngine::build("interest", config, world.input()).unwrap();
        let (a, b) = (build(&config), build(&config));
        assert_eq!(a.model().embeddings(), b.model().embeddings());
        assert_eq!(a.reachability().unwrap().reachable, b.reachability().unwrap().reachable, "{backend}");
        assert_eq!(a.report().diagnostics, {
            let mut d = b.report().diagnostics;
            // Only timings may differ between two builds.
            for (key, value) in a.report().diagnostics.iter().filter(|(k, _)| k.ends_with("seconds")) {
                d.insert(key.clone(), *value);
            }
            d
        });
        for user in 0..40 {
            let request = FeedRequest::new(UserId(user), 15);
            assert_eq!(a.recommend(&request).unwrap(), b.recommend(&request).unwrap(), "{backend}");
        }
        let parallel = InterestConfig { hnsw: HnswConfig { parallel_build: true, ..config.hnsw.clone() }, ..config };
        let p = build(&parallel);
        assert_eq!(p.model().embeddings(), a.model().embeddings());
        assert_eq!(p.recommend(&FeedRequest::new(UserId(1), 15)).unwrap().len(), 15, "{backend}");
    }
}

/// A context with the feed's own signals only: what an uncoupled feed reads.
fn feed_signals(feed: Signals<'_>) -> Context<'_> {
    Context { feed, ..Context::default() }
}
