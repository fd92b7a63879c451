//! The model's invariants.

use proptest::prelude::*;
use searchrec_datasets::{Grade, QueryForm, Scale, Scenario, Taxonomy, World, generate, grade};

use crate::fixtures::statistical;

/// Structural invariants that must hold in every world.
fn check_structure(w: &World) {
    let taxonomy = Taxonomy::embedded().unwrap();
    let n_leaves = taxonomy.leaves.len();
    for item in &w.observable.catalog.items {
        assert!(item.leaf.index() < n_leaves, "item {} has leaf {}", item.id, item.leaf);
        assert!(item.price.is_finite() && item.price > 0.0, "item {} price {}", item.id, item.price);
        assert!(item.rating == 0.0 || (1.0..=5.0).contains(&item.rating));
        assert_eq!(item.rating == 0.0, item.review_count == 0);
        let leaf = taxonomy.leaf(item.leaf);
        assert!(leaf.brands.contains(&item.brand));
        assert!(item.title.contains(&item.brand));
    }
    for (v, rows) in [
        (&w.truth().unwrap().item_vectors, w.observable.catalog.len()),
        (&w.truth().unwrap().user_vectors, w.observable.users.len()),
    ] {
        assert_eq!(v.rows(), rows);
        for r in 0..rows {
            let norm: f32 = v.row(r).iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-4, "latent vector {r} has norm² {norm}");
        }
    }
    let horizon = w.scenario.logs.days * 86_400;
    let mut last = (0, 0);
    for e in &w.observable.logs.events {
        assert!((e.user.0, e.time) >= last, "events out of (user, time) order");
        last = (e.user.0, e.time);
        assert!(e.time <= horizon + 3_600);
        assert_eq!(e.item.is_none(), e.action == searchrec_datasets::Action::Search);
        assert_eq!(e.query.is_some(), e.channel == searchrec_datasets::Channel::Search);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn every_world_is_well_formed(seed in any::<u64>()) {
        check_structure(&generate(&Scenario::preset(Scale::Tiny), seed).unwrap());
    }
}

#[test]
fn prices_follow_their_leaf_distribution() {
    let w = statistical();
    let lift = w.scenario.items.price_quality_lift;
    let mut checked = 0;
    for leaf in &w.taxonomy.leaves {
        let residuals: Vec<f64> = w
            .observable
            .catalog
            .items
            .iter()
            .filter(|i| i.leaf == leaf.id)
            .map(|i| {
                (i.price as f64).ln()
                    - leaf.price_median.ln()
                    - lift * (w.truth().unwrap().items[i.id.index()].quality as f64 - 0.5)
            })
            .collect();
        if residuals.len() < 40 {
            continue;
        }
        let n = residuals.len() as f64;
        let mean = residuals.iter().sum::<f64>() / n;
        let sd = (residuals.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        // Cent rounding and the 0.5 floor barely move ln(price); allow 5 standard errors.
        assert!(mean.abs() < 5.0 * leaf.price_spread / n.sqrt() + 0.01, "{}: mean residual {mean}", leaf.name);
        assert!((sd / leaf.price_spread - 1.0).abs() < 0.3, "{}: sd {sd} vs {}", leaf.name, leaf.price_spread);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} leaves had enough items");
}

#[test]
fn judgements_agree_with_their_definitions() {
    let w = statistical();
    let catalog = &w.observable.catalog;
    for q in &w.truth().unwrap().queries {
        let need = &w.truth().unwrap().needs[q.need.index()];
        assert_eq!(need.user, w.observable.queries[q.query.index()].user);
        let judged = w.qrels.of(q.query);
        for j in judged {
            let item = catalog.item(j.item);
            assert_eq!(
                grade(&w.taxonomy, need, item.leaf, &w.truth().unwrap().items[j.item.index()]),
                j.grade,
                "query {} item {}",
                q.query,
                j.item
            );
            assert_ne!(j.grade, Grade::Irrelevant);
        }
        // Exact judgements are complete: every exact item of the catalogue is judged.
        let exact_in_catalog = catalog
            .items
            .iter()
            .filter(|i| grade(&w.taxonomy, need, i.leaf, &w.truth().unwrap().items[i.id.index()]) == Grade::Exact)
            .count();
        assert_eq!(judged.iter().filter(|j| j.grade == Grade::Exact).count(), exact_in_catalog);
    }
}

/// |observed − p| within 4 binomial standard errors (plus a hair for tiny p).
fn assert_rate(name: &str, hits: usize, n: usize, p: f64) {
    assert!(n >= 200, "{name}: only {n} trials");
    let observed = hits as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!((observed - p).abs() <= 4.0 * se + 0.005, "{name}: observed {observed:.3} over {n}, configured {p}");
}

#[test]
fn query_noise_rates_match_the_scenario() {
    let w = statistical();
    let p = &w.scenario.queries;
    let noise: Vec<_> =
        w.truth().unwrap().queries.iter().map(|q| (q.noise, &w.truth().unwrap().needs[q.need.index()])).collect();
    let with_brand: Vec<_> = noise.iter().filter(|(_, need)| need.brand.is_some()).collect();
    assert_rate(
        "brand_only",
        with_brand.iter().filter(|(n, _)| n.form == QueryForm::BrandOnly).count(),
        with_brand.len(),
        p.brand_only,
    );
    let not_brand_only: Vec<_> = noise.iter().filter(|(n, _)| n.form != QueryForm::BrandOnly).collect();
    assert_rate(
        "vague",
        not_brand_only.iter().filter(|(n, _)| n.form == QueryForm::Vague).count(),
        not_brand_only.len(),
        p.vague,
    );
    let full: Vec<_> = noise.iter().filter(|(n, _)| n.form == QueryForm::Full).map(|(n, _)| n).collect();
    let synonymable: Vec<_> = full.iter().filter(|n| n.synonym_possible).collect();
    assert_rate("synonym", synonymable.iter().filter(|n| n.synonym).count(), synonymable.len(), p.synonym);
    let wanted: usize = full.iter().map(|n| n.wanted as usize).sum();
    assert_rate("drop_attribute", full.iter().map(|n| n.dropped as usize).sum(), wanted, p.drop_attribute);
    // A typo needs a word of four letters; nearly every full query has one (the noun).
    assert_rate("typo", full.iter().filter(|n| n.typo).count(), full.len(), p.typo);
}
