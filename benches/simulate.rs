//! GMV simulation speed on the small world: sessions per second through the
//! hybrid engine with both couplings on. The setup first runs the synergy
//! experiment once with default settings and prints its figures — Δ, the
//! verdict, throughput and the share of time spent inside engines — to stderr.

use std::hint::black_box;

use criterion::{Criterion, Throughput};
use searchrec_datasets::{Scale, Scenario, World, generate};
use searchrec_engine::{BuildInput, Engine, EngineSpec};
use searchrec_harness::simulate::{
    ArmSettings, Channels, ComparisonSettings, FactorialArms, SimulationSettings, simulate,
};

/// The engines of the synergy experiment: the channel arms' shelf and
/// interest engines and the four hybrids of the coupling factorial.
fn engines(world: &World) -> Vec<(&'static str, Box<dyn Engine>)> {
    let o = &world.observable;
    let input = BuildInput { catalog: &o.catalog, users: &o.users, logs: &o.logs };
    let registry = searchrec::registry();
    let hybrid = |a: bool, b: bool| format!("personalised_search = {a}\nquery_aware_feed = {b}\n");
    [
        ("shelf", "shelf", String::new()),
        ("interest", "interest", String::new()),
        ("hybrid-neither", "hybrid", hybrid(false, false)),
        ("hybrid-a", "hybrid", hybrid(true, false)),
        ("hybrid-b", "hybrid", hybrid(false, true)),
        ("hybrid-a-b", "hybrid", hybrid(true, true)),
    ]
    .into_iter()
    .map(|(name, kind, params)| {
        let spec = EngineSpec { name: name.into(), kind: kind.into(), params: toml::from_str(&params).unwrap() };
        (name, registry.build(&spec, input).unwrap())
    })
    .collect()
}

fn arm(name: &str, engine: &str, channels: Channels) -> ArmSettings {
    ArmSettings { name: name.into(), engine: engine.into(), channels }
}

/// Benchmarks `simulate` on the small world.
pub fn bench(c: &mut Criterion) {
    let world = generate(&Scenario::preset(Scale::Small), 7).unwrap();
    let built = engines(&world);
    let engines: Vec<(&str, &dyn Engine)> = built.iter().map(|(n, e)| (*n, e.as_ref())).collect();

    let experiment = SimulationSettings {
        arms: vec![
            arm("search_only", "shelf", Channels::Search),
            arm("feed_only", "interest", Channels::Feed),
            arm("neither", "hybrid-neither", Channels::Both),
            arm("a", "hybrid-a", Channels::Both),
            arm("b", "hybrid-b", Channels::Both),
            arm("a_b", "hybrid-a-b", Channels::Both),
        ],
        factorial: Some(FactorialArms { neither: "neither".into(), a: "a".into(), b: "b".into(), a_b: "a_b".into() }),
        comparisons: ["search_only", "feed_only"]
            .map(|against| ComparisonSettings { arm: "a_b".into(), against: against.into() })
            .to_vec(),
        ..SimulationSettings::default()
    };
    let s = simulate(&world, &engines, &experiment, 7, None).unwrap().summary;
    let f = s.factorial.as_ref().unwrap();
    eprintln!(
        "simulate (small world, default settings: {} users × {} days × {} replicates, {} arms): {} sessions in {:.1} s = \
         {:.0} sessions/s, {:.1}% of the time inside engines",
        s.users,
        s.horizon_days,
        s.replicates,
        s.arms.len(),
        s.sessions,
        s.seconds,
        s.sessions_per_second,
        100.0 * s.engine_share
    );
    for a in &s.arms {
        eprintln!(
            "  {:<12} GMV/user {:>7.2} [{:.2}, {:.2}]  ctr {:.4}  conversion {:.4}  sessions/user {:.2}  p50 {:.0} µs  p99 {:.0} µs",
            a.name,
            a.gmv_per_user.value,
            a.gmv_per_user.lower,
            a.gmv_per_user.upper,
            a.guardrails.ctr,
            a.guardrails.conversion,
            a.guardrails.sessions_per_user,
            a.guardrails.latency_p50_us,
            a.guardrails.latency_p99_us
        );
    }
    eprintln!(
        "  uplift A {:+.2}, B {:+.2}, A+B {:+.2}; Δ = {:+.3} [{:+.3}, {:+.3}]: {}; CUPED θ {:.3}, variance reduction {:.1}%",
        f.uplift_a.absolute.value,
        f.uplift_b.absolute.value,
        f.uplift_a_b.absolute.value,
        f.interaction.value,
        f.interaction.lower,
        f.interaction.upper,
        f.verdict,
        f.interaction_cuped.theta,
        100.0 * f.interaction_cuped.variance_reduction
    );

    // The timed unit: 200 users through four weeks of the coupled hybrid.
    let timed = SimulationSettings {
        users: 200,
        pre_period_days: 0,
        replicates: 1,
        bootstrap_resamples: 100,
        arms: vec![arm("a_b", "hybrid-a-b", Channels::Both)],
        ..SimulationSettings::default()
    };
    let sessions = simulate(&world, &engines, &timed, 7, None).unwrap().summary.sessions;
    let mut group = c.benchmark_group("simulate");
    group.throughput(Throughput::Elements(sessions));
    group.bench_function("hybrid_a_b_200_users_28_days", |b| {
        b.iter(|| black_box(simulate(&world, &engines, &timed, 7, None).unwrap()))
    });
    group.finish();
}
