//! The flat metric list of a run: every figure with its stable name
//! `engine/dataset/metric`, unit, direction and gate tier.

use crate::metrics::MeanMetrics;
use crate::results::{Direction, Gate, LoadMode, Metric, Results};

/// Derives the flat list from the structured sections.
pub(crate) fn flat_metrics(results: &Results) -> Vec<Metric> {
    let dataset = &results.world.dataset;
    let k = results.evaluation.k;
    let mut out = Vec::new();
    for e in &results.engines {
        let name = |metric: &str| format!("{}/{dataset}/{metric}", e.id);
        for q in &e.quality {
            for m in &results.evaluation.metrics {
                let Some((label, value)) = quality_value(m, k, &q.mean) else { continue };
                out.push(Metric::new(
                    name(&format!("{}/{label}", q.query_set)),
                    "ratio",
                    Direction::Bigger,
                    value,
                    Gate::Deterministic,
                ));
            }
        }
        if let Some(a) = &e.ann {
            let ratio = |label: String, value| {
                Metric::new(name(&label), "ratio", Direction::Bigger, value, Gate::Deterministic)
            };
            out.push(ratio(format!("feed/recall@{}", a.k), a.ann_benchmarks));
            out.push(ratio(format!("feed/overlap_recall@{}", a.k), a.overlap));
            if let Some(r) = a.reachability {
                out.push(ratio("feed/reachability".into(), r));
            }
        }
        out.push(Metric::new(name("build/seconds"), "s", Direction::Smaller, e.build.seconds, Gate::WallClock));
        // An engine's memory figure is its own estimate; shown and trended, not gated.
        out.push(Metric::new(
            name("build/memory"),
            "bytes",
            Direction::Smaller,
            e.build.memory_bytes as f64,
            Gate::WallClock,
        ));
        for row in &e.load {
            let timed = |label: String, unit: &str, direction, value| {
                Metric::new(name(&format!("{}/{label}", row.request)), unit, direction, value, Gate::WallClock)
            };
            match &row.mode {
                LoadMode::Closed(s) => {
                    let t = s.threads;
                    out.push(timed(format!("throughput@{t}t"), "requests/s", Direction::Bigger, s.throughput));
                    out.push(timed(format!("p50@{t}t"), "us", Direction::Smaller, s.latency.p50_us));
                    out.push(timed(format!("p99@{t}t"), "us", Direction::Smaller, s.latency.p99_us));
                }
                LoadMode::Open(s) => {
                    let rate = s.rate;
                    out.push(timed(format!("open_p50@{rate}rps"), "us", Direction::Smaller, s.load.latency.p50_us));
                    out.push(timed(format!("open_p99@{rate}rps"), "us", Direction::Smaller, s.load.latency.p99_us));
                }
                // Requests per second, but the percentiles of whole batch calls.
                LoadMode::Batch(s) => {
                    let (b, t, l) = (s.batch, s.load.threads, &s.load.latency);
                    out.push(timed(
                        format!("batch{b}_throughput@{t}t"),
                        "requests/s",
                        Direction::Bigger,
                        s.load.throughput,
                    ));
                    out.push(timed(format!("batch{b}_p50@{t}t"), "us", Direction::Smaller, l.p50_us));
                    out.push(timed(format!("batch{b}_p99@{t}t"), "us", Direction::Smaller, l.p99_us));
                }
            }
        }
    }
    if let Some(sim) = &results.simulation {
        for arm in &sim.arms {
            let name = |metric: &str| format!("simulation[{}]/{dataset}/{metric}", arm.name);
            let gmv = arm.gmv_per_user;
            out.push(Metric {
                lower: Some(gmv.lower),
                upper: Some(gmv.upper),
                ..Metric::new(name("gmv_per_user"), "currency/user", Direction::Bigger, gmv.value, Gate::Deterministic)
            });
            let conversion = arm.guardrails.conversion;
            out.push(Metric::new(name("conversion"), "ratio", Direction::Bigger, conversion, Gate::Deterministic));
        }
        // The smallest interaction the experiment detects (80% power): a
        // design change that costs power is a regression. Δ itself is not
        // tracked: a relative change of a figure near zero gates nothing.
        if let Some(mde) = sim.factorial.as_ref().and_then(|f| f.interaction.mde) {
            out.push(Metric::new(
                format!("simulation/{dataset}/interaction_mde"),
                "currency/user",
                Direction::Smaller,
                mde,
                Gate::Deterministic,
            ));
        }
        let throughput = sim.sessions_per_second;
        out.push(Metric::new(
            format!("simulation/{dataset}/sessions_per_second"),
            "sessions/s",
            Direction::Bigger,
            throughput,
            Gate::WallClock,
        ));
    }
    out
}

/// A scenario metric name's label (k filled in) and value; `None` for a
/// name the scenario check would have refused.
fn quality_value(metric: &str, k: usize, m: &MeanMetrics) -> Option<(String, f64)> {
    Some(match metric {
        "ndcg@k" => (format!("ndcg@{k}"), m.ndcg_at_k),
        "ndcg" => ("ndcg".into(), m.ndcg),
        "recall@k" => (format!("recall@{k}"), m.recall_at_k),
        "mrr@k" => (format!("mrr@{k}"), m.mrr_at_k),
        "success@k" => (format!("success@{k}"), m.success_at_k),
        "map" => ("map".into(), m.map),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::parse_results;
    use crate::results::tests::V1;

    #[test]
    fn the_interaction_mde_is_a_deterministic_smaller_is_better_metric() {
        let mut results = parse_results(V1).unwrap();
        // Schema 1 had no MDE: no metric.
        assert!(!flat_metrics(&results).iter().any(|m| m.name.ends_with("interaction_mde")));
        let f = results.simulation.as_mut().unwrap().factorial.as_mut().unwrap();
        f.interaction.mde = Some(4.2);
        let metrics = flat_metrics(&results);
        let mde = metrics.iter().find(|m| m.name == "simulation/small-7/interaction_mde").expect("the MDE metric");
        assert_eq!((mde.value, mde.direction, mde.gate), (4.2, Direction::Smaller, Gate::Deterministic));
        assert_eq!(mde.unit, "currency/user");
    }
}
