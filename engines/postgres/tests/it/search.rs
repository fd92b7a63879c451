//! Search: text matches ranked by ts_rank_cd times the shelf's trust prior.

use std::sync::Arc;

use searchrec_engine::{Engine, SearchRequest};
use searchrec_postgres::{PostgresConfig, PostgresIndex, QuerySyntax};

use crate::server::TestServer;
use crate::world::{input, params, world};

#[test]
fn the_prior_scales_text_scores_by_the_shelf_formula() {
    let server = TestServer::shared();
    let config: PostgresConfig = toml::Value::Table(params(server.url(), "index = \"exact\"")).try_into().unwrap();
    let index = Arc::new(PostgresIndex::build("pg", &config, input()).expect("builds"));
    let plain =
        index.searcher_for("plain", &PostgresConfig { sales_weight: 0.0, rating_weight: 0.0, ..config.clone() });
    let trusted = index.searcher_for("trusted", &PostgresConfig { sales_weight: 0.3, rating_weight: 0.2, ..config });
    let catalog = &world().observable.catalog;
    let max_sales = catalog.items.iter().map(|i| i.sales_count).max().unwrap() as f64;
    let mut checked = 0;
    for query in ["dog leash", "stroller", "white plate"] {
        let request = SearchRequest::new(query, 1_000);
        let base = plain.search(&request).unwrap();
        let boosted = trusted.search(&request).unwrap();
        assert_eq!(base.len(), boosted.len(), "{query}: the prior changes no match");
        for hit in &boosted {
            let text = base.iter().find(|b| b.item == hit.item).expect("same matches").score as f64;
            let item = &catalog.items[hit.item.index()];
            let rating = if item.review_count == 0 { 3.0 } else { (item.rating as f64).clamp(1.0, 5.0) };
            let factor = 1.0 + 0.3 * (item.sales_count as f64).ln_1p() / max_sales.ln_1p() + 0.2 * (rating - 1.0) / 4.0;
            assert!((hit.score as f64 - text * factor).abs() <= 1e-5 * text * factor, "{query}: {hit:?} vs {text}");
            checked += 1;
        }
    }
    assert!(checked > 0, "no query matched anything");
}

#[test]
fn websearch_is_conjunctive_and_any_is_not() {
    let server = TestServer::shared();
    let config: PostgresConfig = toml::Value::Table(params(server.url(), "index = \"exact\"")).try_into().unwrap();
    let index = Arc::new(PostgresIndex::build("pg", &config, input()).expect("builds"));
    let all = index.searcher_for("all", &config);
    let any = index.searcher_for("any", &PostgresConfig { query_syntax: QuerySyntax::Any, ..config });
    let mut wider = false;
    for query in ["dog leash", "red plate", "white classic plate set"] {
        let request = SearchRequest::new(query, 1_000);
        let (both, either) = (all.search(&request).unwrap(), any.search(&request).unwrap());
        assert!(both.iter().all(|h| either.iter().any(|e| e.item == h.item)), "{query}");
        wider |= either.len() > both.len();
    }
    assert!(wider, "an OR of words never found more than their AND");
}
