//! Build once, query many: searchers made from one index answer exactly as
//! engines built separately for their parameters, and batches answer as
//! one-at-a-time requests.

use std::sync::Arc;

use searchrec_datasets::{ItemId, UserId};
use searchrec_engine::{Context, Engine, EngineFactory, FeedRequest, Registry, SearchRequest, Signals};
use searchrec_hybrid::{Fusion, HybridConfig, HybridFactory, HybridIndex};

use crate::world::{WORDS, build, world};

/// Query-time variations of the default configuration: every fusion, the
/// coupling switches, weights, depths and the interest side's ef_search.
fn variants() -> Vec<HybridConfig> {
    let base = HybridConfig::default();
    let mut out = Vec::new();
    for fusion in [Fusion::Rerank, Fusion::Rrf, Fusion::Minmax, Fusion::Zscore] {
        for (a, b) in [(false, false), (true, false), (false, true), (true, true)] {
            out.push(HybridConfig { fusion, personalised_search: a, query_aware_feed: b, ..base.clone() });
        }
    }
    let mut tuned = HybridConfig { rrf_k: 10.0, candidate_depth: 30, query_weight: 0.8, ..base.clone() };
    tuned.interest.hnsw.ef_search = 16;
    tuned.interest.feed.context_weight = 0.2;
    tuned.shelf.sales_weight = 0.0;
    tuned.shelf.title_boost = 2.0;
    out.push(tuned);
    out
}

fn requests<'a>(queries: &'a [String], clicks: &'a [ItemId]) -> (Vec<SearchRequest<'a>>, Vec<FeedRequest<'a>>) {
    let signals = Signals { queries, clicks, ..Signals::default() };
    let context = Context { search: signals, feed: Signals { queries: &[], ..signals } };
    let searches = (0..24u32)
        .map(|u| SearchRequest {
            query: WORDS[u as usize % WORDS.len()],
            k: [1, 10, 40][u as usize % 3],
            user: (u % 4 != 0).then_some(UserId(u)),
            context: if u % 2 == 0 { context } else { Context::default() },
        })
        .collect();
    let feeds = (0..24u32)
        .map(|u| FeedRequest {
            user: UserId(u),
            k: [3, 20][u as usize % 2],
            context: if u % 3 == 0 { context } else { Context::default() },
        })
        .collect();
    (searches, feeds)
}

#[test]
fn searchers_from_one_index_answer_as_separately_built_engines() {
    let index = HybridIndex::build("hybrid", &HybridConfig::default(), world().input()).unwrap();
    let queries = vec!["desk lamp".to_string(), "tent".to_string()];
    let clicks = [ItemId(5), ItemId(17)];
    let (searches, feeds) = requests(&queries, &clicks);
    for config in variants() {
        let shared = index.searcher_for("hybrid", &config);
        let separate = build(&config);
        for r in &searches {
            assert_eq!(shared.search(r).unwrap(), separate.search(r).unwrap(), "{config:?} {r:?}");
        }
        for r in &feeds {
            assert_eq!(shared.recommend(r).unwrap(), separate.recommend(r).unwrap(), "{config:?} {r:?}");
        }
    }
}

#[test]
fn batches_answer_as_single_requests() {
    let queries = vec!["kettle".to_string()];
    let clicks = [ItemId(2)];
    let (searches, feeds) = requests(&queries, &clicks);
    let index = Arc::new(HybridIndex::build("hybrid", &HybridConfig::default(), world().input()).unwrap());
    for config in variants().into_iter().step_by(3) {
        let engine = index.searcher_for("hybrid", &config);
        let single: Vec<_> = searches.iter().map(|r| engine.search(r).unwrap()).collect();
        assert_eq!(engine.search_batch(&searches).unwrap(), single);
        let single: Vec<_> = feeds.iter().map(|r| engine.recommend(r).unwrap()).collect();
        assert_eq!(engine.recommend_batch(&feeds).unwrap(), single);
        // The shelf side's own batch path (one tantivy searcher per chunk).
        let lexical: Vec<_> = searches.iter().map(|r| SearchRequest { user: None, ..*r }).collect();
        let single: Vec<_> = lexical.iter().map(|r| engine.search(r).unwrap()).collect();
        assert_eq!(engine.search_batch(&lexical).unwrap(), single);
    }
}

#[test]
fn the_registry_refuses_a_searcher_whose_build_parameters_differ() {
    let mut registry = Registry::new();
    registry.register(Box::new(HybridFactory));
    let spec = |params: &str| searchrec_engine::EngineSpec {
        name: "h".into(),
        kind: "hybrid".into(),
        params: toml::from_str(params).unwrap(),
    };
    let built = registry.build_index(&spec(""), world().input()).unwrap();
    // Query-time differences share the index...
    for params in ["fusion = \"rrf\"\nrrf_k = 10.0", "personalised_search = false", "[interest.hnsw]\nef_search = 8"] {
        registry.searcher(&built, &spec(params)).unwrap();
        assert_eq!(registry.build_key(&spec(params)).unwrap(), *built.key(), "{params}");
    }
    // ...build-time ones do not.
    for params in
        ["[interest.embedding]\ndim = 4", "[shelf]\nstemming = false", "[interest.hnsw]\nef_construction = 50"]
    {
        let err = registry.searcher(&built, &spec(params)).err().expect("refused").to_string();
        assert!(err.contains("build-time"), "{err}");
    }
    assert!(HybridFactory.build_paths().iter().any(|p| p == &"interest.embedding"));
}
