//! A complete `Results` built in code: two engine families (shelf, and
//! interest swept over `hnsw.ef_search`), quality with significance, ANN
//! recall, Pareto fronts, closed- and open-loop load with latency curves,
//! and a full simulation summary (with the oracle's ceilings and the data loop). Shared by this crate's tests, its
//! `fixture_report` example and the CLI tests (`tests/report_cli.rs`).

#![allow(dead_code)]

use std::collections::BTreeMap;

use searchrec_harness::MeanMetrics;
use searchrec_harness::load::{LatencySummary, LoadSummary, OpenLoopSummary};
use searchrec_harness::results::{
    AnnRow, BuildInfo, Direction, EngineRun, EvaluationInfo, Example, Gate, HostInfo, LoadMode, LoadRow, Metric,
    ParetoFront, QualityRow, QuerySetInfo, Results, RunInfo, SCHEMA_VERSION, Significance, WorldInfo, pareto_front,
};
use searchrec_harness::simulate::stats::normal_cdf;
use searchrec_harness::simulate::{
    AaCheck, ArmComparison, ArmSummary, ChannelInteraction, Cuped, DataLoopSummary, Equivalence, Estimate, Factorial,
    Guardrails, LoopArm, OracleCeilings, PathGmv, PlantedControl, SensitivityPoint, SimulationSummary, Sizing, Uplift,
    WorldEstimate, WorldReplication, holm,
};

/// The dataset name used in metric names.
pub const DATASET: &str = "small-7";

/// Text that would run as script if it reached the page unescaped.
pub const HOSTILE: &str = "<script>alert(1)</script>";

/// Shape of a latency distribution: (quantile, multiple of the median).
const SHAPE: [(f64, f64); 14] = [
    (0.0, 0.42),
    (0.1, 0.6),
    (0.25, 0.78),
    (0.5, 1.0),
    (0.75, 1.32),
    (0.9, 1.85),
    (0.95, 2.3),
    (0.99, 3.6),
    (0.995, 4.3),
    (0.999, 6.8),
    (0.9995, 7.9),
    (0.9999, 10.5),
    (0.99999, 14.0),
    (1.0, 19.0),
];

fn latency(p50_us: f64, count: u64) -> LatencySummary {
    let at = |q: f64| SHAPE.iter().find(|s| s.0 == q).map_or(1.0, |s| s.1) * p50_us;
    LatencySummary {
        count,
        mean_us: p50_us * 1.2,
        p50_us,
        p90_us: at(0.9),
        p99_us: at(0.99),
        p999_us: at(0.999),
        max_us: at(1.0),
        curve: SHAPE.iter().map(|&(q, m)| [q, m * p50_us]).collect(),
    }
}

fn closed(p50_us: f64, threads: usize) -> LoadSummary {
    let throughput = threads as f64 * 1e6 / (p50_us * 1.2);
    LoadSummary {
        threads,
        requests: (throughput * 5.0) as u64,
        errors: 0,
        timeouts: 0,
        first_error: None,
        seconds: 5.0,
        throughput,
        latency: latency(p50_us, (throughput * 5.0) as u64),
    }
}

fn mean(ndcg_at_k: f64, queries: usize) -> MeanMetrics {
    MeanMetrics {
        queries,
        ndcg_at_k,
        ndcg: ndcg_at_k * 1.18,
        recall_at_k: ndcg_at_k * 1.25,
        mrr_at_k: ndcg_at_k * 1.1,
        success_at_k: (ndcg_at_k * 1.6).min(1.0),
        map: ndcg_at_k * 0.82,
    }
}

struct Point {
    ef: Option<u64>,
    ndcg: f64,
    recall: f64,
    p50_us: f64,
    build_s: f64,
    memory_mb: f64,
}

fn engine(name: &str, kind: &str, p: &Point) -> EngineRun {
    let id = match p.ef {
        Some(ef) => format!("{name}[hnsw.ef_search={ef}]"),
        None => name.to_string(),
    };
    let swept: BTreeMap<String, serde_json::Value> =
        p.ef.map(|ef| [("hnsw.ef_search".to_string(), serde_json::json!(ef))].into()).unwrap_or_default();
    let mut diagnostics = BTreeMap::new();
    if p.ef.is_some() {
        diagnostics.insert("reachability".into(), 0.991);
        diagnostics.insert("als_loss".into(), 0.0412);
    }
    let is_interest = kind == "interest";
    let mut load = vec![LoadRow { request: "search".into(), mode: LoadMode::Closed(closed(p.p50_us, 2)) }];
    if is_interest {
        load.push(LoadRow { request: "recommend".into(), mode: LoadMode::Closed(closed(p.p50_us * 0.6, 2)) });
    }
    if p.ef == Some(64) || !is_interest {
        let rate = 2000.0;
        let load_at = closed(p.p50_us * 1.3, 2);
        load.push(LoadRow {
            request: "search".into(),
            mode: LoadMode::Open(OpenLoopSummary {
                rate,
                achieved_rate: Some(1994.0),
                late: 12,
                late_after_us: 1000.0,
                load: LoadSummary { throughput: 1992.0, ..load_at },
                service: latency(p.p50_us, 10_000),
            }),
        });
    }
    EngineRun {
        id: id.clone(),
        name: name.into(),
        kind: kind.into(),
        swept,
        params: serde_json::json!({ "k": 10 }),
        search: true,
        recommend: true,
        build: BuildInfo {
            index: id.clone(),
            seconds: p.build_s,
            memory_bytes: (p.memory_mb * 1024.0 * 1024.0) as u64,
            diagnostics,
        },
        quality: vec![
            QualityRow { query_set: "all".into(), mean: mean(p.ndcg, 500) },
            QualityRow { query_set: "vague".into(), mean: mean(p.ndcg * 0.7, 120) },
        ],
        ann: p.ef.map(|_| AnnRow {
            k: 10,
            users: 1000,
            against: "exact".into(),
            overlap: p.recall,
            ann_benchmarks: (p.recall + 0.01).min(1.0),
            epsilon: 1e-3,
            reachability: Some(0.991),
        }),
        load,
        trec_run: Some(format!("runs/{id}.txt")),
        examples: vec![
            Example {
                request: "search".into(),
                input: "red wool scarf".into(),
                titles: vec!["Nordvik red wool scarf".into(), "Alba merino scarf, crimson".into()],
            },
            Example {
                request: "recommend".into(),
                input: "user 42".into(),
                titles: vec!["Kestrel trail running shoe".into(), "Nordvik wool socks (3 pairs)".into()],
            },
        ],
    }
}

/// The MDE's multiple of the SE at 95% and 80% power.
pub const MDE_PER_SE: f64 = 2.801_585_218_112_968;

/// An estimate whose 95% interval is ± `half`: SE = half / 1.96, MDE = 2.80 SE.
fn estimate(value: f64, half: f64) -> Estimate {
    let se = half / 1.959_963_984_540_054;
    Estimate { value, lower: value - half, upper: value + half, se: Some(se), mde: Some(MDE_PER_SE * se) }
}

/// How far the simulated users' mean logged GMV lies above the world's:
/// the unlucky draw CUPED corrects (by θ times it).
const DRAWN_ABOVE_POPULATION: f64 = 0.35;

/// `raw` with CUPED: θ and the variance reduction given, the value moved by
/// θ times the draw's excess, the interval narrowed by √(1 − reduction) (so
/// the SEs' ratio matches the reduction exactly).
fn cuped(raw: &Estimate, (theta, variance_reduction): (f64, f64)) -> Cuped {
    let half = (raw.upper - raw.lower) / 2.0 * (1.0 - variance_reduction).sqrt();
    Cuped { theta, variance_reduction, adjusted: estimate(raw.value - theta * DRAWN_ABOVE_POPULATION, half) }
}

/// An uplift with its CUPED adjustment, `(θ, variance reduction)`: small in
/// this paired design, where the arms share their users.
fn uplift(absolute: f64, half: f64, control: f64, cuped_fit: (f64, f64)) -> Uplift {
    let relative = estimate(absolute / control, half / control);
    let absolute = estimate(absolute, half);
    Uplift { absolute, relative, cuped: Some(cuped(&absolute, cuped_fit)) }
}

/// The equivalence test of an interaction: margin 2% of `neither`, the 90%
/// interval (the 95% one narrowed by 1.645 / 1.96).
pub fn equivalence(delta: &Estimate, neither: f64) -> Equivalence {
    let half = (delta.upper - delta.lower) / 2.0 * 1.644_853_626_951_472 / 1.959_963_984_540_054;
    Equivalence {
        margin: 0.02 * neither,
        margin_setting: "2%".into(),
        confidence: 0.9,
        lower: delta.value - half,
        upper: delta.value + half,
    }
}

/// The sentence the simulator writes beside a verdict word (abridged).
fn statement(verdict: &str, delta: &Estimate) -> String {
    match verdict {
        "inconclusive" => format!(
            "inconclusive: the experiment could only detect |Δ| ≥ {:.2} GMV/user (80% power, 5% two-sided)",
            delta.mde.unwrap()
        ),
        word => format!("{word}: Δ = {:.2} GMV/user [{:.2}, {:.2}]", delta.value, delta.lower, delta.upper),
    }
}

/// Sessions per user of an arm serving `channels`: a search-only arm only
/// gets visits from users with an open need, so it draws the fewest.
fn sessions_per_user(channels: &str) -> f64 {
    match channels {
        "search" => 4.1,
        "feed" => 7.6,
        _ => 9.4,
    }
}

/// GMV per session of an arm with `gmv` per user serving `channels`.
fn gmv_per_session(gmv: f64, channels: &str) -> f64 {
    gmv / sessions_per_user(channels)
}

/// A channel comparison of `arm` against `against`, per user and per session.
fn comparison(arm: (&str, f64), against: (&str, &str, f64), half: f64, cuped_fit: (f64, f64)) -> ArmComparison {
    let (name, gmv) = arm;
    let (control, channels, control_gmv) = against;
    let per_session = gmv_per_session(gmv, "both") - gmv_per_session(control_gmv, channels);
    ArmComparison {
        arm: name.into(),
        against: control.into(),
        uplift: uplift(gmv - control_gmv, half, control_gmv, cuped_fit),
        per_session: Some(estimate(per_session, 0.3)),
    }
}

/// The purchase paths, in report order.
pub const PATHS: [&str; 6] =
    ["search_organic", "search_seeded", "feed_impulse", "feed_seeded", "feed_organic", "unplanned"];

/// An arm's GMV per user by path: the first five paths as given, `unplanned`
/// the rest, so the paths sum to `gmv`. A path the arm's channels cannot
/// reach is exactly zero; the others' intervals are ± 6% (at least 0.1).
fn arm_paths(gmv: f64, first_five: [f64; 5]) -> Vec<PathGmv> {
    let unplanned = gmv - first_five.iter().sum::<f64>();
    PATHS
        .iter()
        .zip(first_five.into_iter().chain([unplanned]))
        .map(|(path, value)| PathGmv {
            path: path.to_string(),
            gmv: if value == 0.0 { Estimate::exact(0.0) } else { estimate(value, (value * 0.06).max(0.1)) },
        })
        .collect()
}

/// Half-widths of the 95% intervals of Δ's paths.
const PATH_DELTA_HALF: [f64; 6] = [0.5, 0.7, 0.6, 0.4, 0.4, 0.3];

/// Δ by path: each path's GMV per user through a_b − a − b + neither, the
/// last path taking the rest of `delta`, so the paths sum to Δ.
fn interaction_by_path(arms: &[ArmSummary], delta: f64) -> Vec<PathGmv> {
    let path = |name: &str, i: usize| arms.iter().find(|a| a.name == name).unwrap().paths[i].gmv.value;
    let mut values: Vec<f64> =
        (0..PATHS.len() - 1).map(|i| path("a_b", i) - path("a", i) - path("b", i) + path("neither", i)).collect();
    values.push(delta - values.iter().sum::<f64>());
    PATHS
        .iter()
        .zip(values)
        .zip(PATH_DELTA_HALF)
        .map(|((path, value), half)| PathGmv { path: path.to_string(), gmv: estimate(value, half) })
        .collect()
}

/// An arm; `cuped_fit` is its GMV per user's CUPED `(θ, variance
/// reduction)`: large, as an arm's mean varies mostly by the users drawn.
/// `paths`: its GMV per user through the first five paths (see [`arm_paths`]).
fn arm(
    name: &str,
    engine: &str,
    channels: &str,
    (a, b): (bool, bool),
    gmv: f64,
    cuped_fit: (f64, f64),
    paths: [f64; 5],
) -> ArmSummary {
    let per_session = gmv_per_session(gmv, channels);
    let gmv_per_user = estimate(gmv, gmv * 0.035);
    ArmSummary {
        name: name.into(),
        engine: engine.into(),
        channels: channels.into(),
        personalised_search: a,
        query_aware_feed: b,
        gmv_per_user,
        cuped: Some(cuped(&gmv_per_user, cuped_fit)),
        gmv_per_session: Some(estimate(per_session, per_session * 0.03)),
        paths: arm_paths(gmv, paths),
        budget_forgone: None,
        guardrails: Guardrails {
            ctr: 0.031 + gmv / 4000.0,
            conversion: 0.042 + gmv / 3000.0,
            average_order_value: 38.5 + gmv / 20.0,
            coverage: 0.34 + gmv / 1000.0,
            sessions_per_user: sessions_per_user(channels),
            searches_per_user: if channels == "feed" { 0.0 } else { 4.1 },
            latency_p50_us: 310.0,
            latency_p99_us: 1850.0,
        },
    }
}

/// The sweeps' points before testing: parameter, value, the grid's second
/// parameter and its value, Δ, the half-width of its 95% interval, the
/// control's GMV per user at the point, and the verdict the Holm-adjusted
/// tests give (checked by `sensitivity_verdicts_follow_the_holm_adjusted_tests`).
type RawPoint = (&'static str, f64, Option<(&'static str, f64)>, f64, f64, f64, &'static str);

/// The first parameter of the fixture's two-parameter grid, and its second.
pub const GRID: (&str, &str) = ("behaviour.seed_offset", "behaviour.examination_eta");

/// Two one-parameter sweeps and a 2×3 grid: every verdict word appears in
/// both kinds.
const SWEEPS: [RawPoint; 14] = [
    ("behaviour.seed_strength", 0.0, None, -1.6, 0.7, 41.2, "sub_additive"),
    ("behaviour.seed_strength", 0.5, None, 0.3, 0.8, 41.2, "inconclusive"),
    ("behaviour.seed_strength", 1.0, None, 1.4, 0.8, 41.2, "super_additive"),
    ("behaviour.seed_strength", 1.5, None, 2.6, 0.9, 41.2, "super_additive"),
    ("behaviour.seed_strength", 2.0, None, 3.1, 1.0, 41.2, "super_additive"),
    ("behaviour.examination_eta", 0.5, None, 2.9, 0.9, 41.2, "super_additive"),
    ("behaviour.examination_eta", 1.0, None, 2.1, 0.8, 41.2, "super_additive"),
    ("behaviour.examination_eta", 1.5, None, 0.05, 0.3, 41.2, "additive"),
    (GRID.0, 1.5, Some((GRID.1, 0.5)), 3.4, 1.0, 44.0, "super_additive"),
    (GRID.0, 2.5, Some((GRID.1, 0.5)), 2.2, 0.9, 41.9, "super_additive"),
    (GRID.0, 3.5, Some((GRID.1, 0.5)), 0.4, 1.0, 39.6, "inconclusive"),
    (GRID.0, 1.5, Some((GRID.1, 1.5)), 0.02, 0.25, 42.3, "additive"),
    (GRID.0, 2.5, Some((GRID.1, 1.5)), -0.6, 0.9, 40.1, "inconclusive"),
    (GRID.0, 3.5, Some((GRID.1, 1.5)), -2.1, 0.8, 37.8, "sub_additive"),
];

/// The sweeps' points as the simulator reports them: each an experiment of
/// its own (retrained, its own seed), with its two-sided p-value from Δ's
/// SE and that p-value adjusted by Holm's method over all the points.
pub fn sensitivity_points() -> Vec<SensitivityPoint> {
    let tested: Vec<(Estimate, f64)> = SWEEPS
        .iter()
        .map(|&(_, _, _, d, half, _, _)| {
            let interaction = estimate(d, half);
            (interaction, 2.0 * normal_cdf(-d.abs() / interaction.se.unwrap()))
        })
        .collect();
    let adjusted = holm(&tested.iter().map(|t| t.1).collect::<Vec<_>>());
    SWEEPS
        .iter()
        .zip(tested)
        .zip(adjusted)
        .enumerate()
        .map(|(i, ((&(parameter, value, by, _, _, gmv_neither, verdict), (interaction, p)), adjusted))| {
            let statement = match verdict {
                "inconclusive" | "additive" => statement(verdict, &interaction),
                word => format!(
                    "{word}: Δ = {:.2} [{:.2}, {:.2}], Holm-adjusted p = {adjusted:.2e} over {} points",
                    interaction.value,
                    interaction.lower,
                    interaction.upper,
                    SWEEPS.len()
                ),
            };
            SensitivityPoint {
                parameter: parameter.into(),
                value,
                by_parameter: by.map(|b| b.0.into()),
                by_value: by.map(|b| b.1),
                interaction,
                gmv_neither: Some(gmv_neither),
                p_value: Some(p),
                adjusted_p_value: Some(adjusted),
                verdict: verdict.into(),
                statement,
                equivalence: Some(equivalence(&interaction, gmv_neither)),
                retrained: true,
                seed: Some(9_100 + i as u64),
            }
        })
        .collect()
}

/// Δ replicated over three worlds (the run's own, seed 7, first): the
/// pooled Δ is the mean of the worlds' Δ, its interval wider than the mean
/// within-world one by the between-world spread.
pub fn worlds(own: &Estimate, neither: f64) -> WorldReplication {
    let world = |world_seed: u64, interaction: Estimate, verdict: &str| WorldEstimate {
        world_seed,
        simulation_seed: world_seed,
        interaction,
        verdict: verdict.into(),
    };
    let per_world = vec![
        world(7, *own, "super_additive"),
        world(11, estimate(1.5, 1.6), "inconclusive"),
        world(19, estimate(3.3, 1.2), "super_additive"),
    ];
    let values: Vec<f64> = per_world.iter().map(|w| w.interaction.value).collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt();
    let interaction = estimate(mean, 1.2);
    WorldReplication {
        worlds: per_world.len(),
        method: "two-stage bootstrap: worlds with replacement, then users within each drawn world; normal interval \
                 from its standard error"
            .into(),
        between_world_sd: sd,
        interaction,
        verdict: "super_additive".into(),
        statement: format!(
            "super_additive over 3 worlds: Δ = {:.2} GMV/user [{:.2}, {:.2}] <script>",
            interaction.value, interaction.lower, interaction.upper
        ),
        equivalence: equivalence(&interaction, neither),
        per_world,
    }
}

/// The names the simulator gives the oracle's ceiling arms: search, feed, both.
pub const ORACLE_ARMS: [&str; 3] = ["oracle (search)", "oracle (feed)", "oracle (both)"];

/// GMV per user of the oracle's arms (search, feed, both): perfect ranking
/// of a channel beats every cell of the factorial; both channels perfect
/// add less than each alone added up (they partly close the same needs).
pub const ORACLE_GMV: [f64; 3] = [50.8, 48.9, 57.0];

/// The oracle's ceilings over `neither`, and the shares of them the
/// factorial's uplifts capture (each a ratio with its percentile interval).
fn oracle(neither: f64, (a, b, a_b): (f64, f64, f64)) -> OracleCeilings {
    let [search, feed, both] = ORACLE_GMV.map(|gmv| gmv - neither);
    OracleCeilings {
        search: estimate(search, 0.8),
        feed: estimate(feed, 0.7),
        both: estimate(both, 1.0),
        interaction: estimate(ORACLE_GMV[2] - ORACLE_GMV[0] - ORACLE_GMV[1] + neither, 1.2),
        share_a: estimate((a - neither) / search, 0.09),
        share_b: estimate((b - neither) / feed, 0.11),
        share_a_b: estimate((a_b - neither) / both, 0.06),
    }
}

/// Days between the data loop's rebuilds.
pub const RETRAIN_DAYS: u32 = 7;

/// The data loop: the engines retrained every week of the 30-day horizon
/// (4 rebuilds per replicate, 3 replicates; the hybrid arms rebuild two
/// engines each time). Δ without the loop is smaller: the loop's
/// contribution, Δ − Δ without, is super-additive. The statement carries
/// `<script>` to prove it is escaped.
fn data_loop(delta: f64) -> DataLoopSummary {
    let arm =
        |arm: &str, retrains: u32, seconds: f64, events: usize| LoopArm { arm: arm.into(), retrains, seconds, events };
    let static_interaction = estimate(1.6, 1.0);
    // Paired per user, so narrower than either Δ.
    let contribution = estimate(delta - static_interaction.value, 0.6);
    DataLoopSummary {
        retrain_days: RETRAIN_DAYS,
        arms: vec![
            arm("search_only", 12, 31.8, 163_402),
            arm("feed_only", 12, 148.2, 301_877),
            arm("neither", 24, 176.5, 371_590),
            arm("a", 24, 181.3, 384_211),
            arm("b", 24, 179.9, 379_046),
            arm("a_b", 24, 186.4, 402_733),
        ],
        static_interaction,
        contribution,
        verdict: "super_additive".into(),
        statement: format!(
            "the data loop's contribution to Δ: {} <script>",
            statement("super_additive", &contribution)
        ),
    }
}

/// The simulation: the factorial finds "1+1>2" (super-additive), and so do
/// three worlds pooled; the sweeps and the grid reach every verdict word;
/// the users were sized from a pilot; the oracle's arms bound each channel
/// and the data loop adds to Δ.
pub fn simulation() -> SimulationSummary {
    let (neither, a, b, a_b) = (41.2, 44.0, 43.1, 48.6);
    let (search_only, feed_only) = (31.5, 27.9);
    // both − search only − feed only + 0 (no channel), `neither` serving both.
    let channels = neither - search_only - feed_only;
    let delta = a_b - a - b + neither;
    let sensitivity = sensitivity_points();
    let interaction = estimate(delta, 1.1);
    // GMV per user by path (search organic, search seeded, feed impulse, feed
    // seeded, feed organic; unplanned the rest). A channel arm reaches only its
    // channel's paths. Through the factorial, personalised search converts
    // seeded demand in search (search_seeded +2.9 in Δ) that the feed would
    // otherwise have closed on impulse (feed_impulse −1.2).
    // The oracle's arms, after the scenario's, each serving the channel the
    // oracle does not rank as `neither` does (hybrid, no coupling).
    let [oracle_search, oracle_feed, oracle_both] = ORACLE_GMV;
    let arms = vec![
        arm("search_only", "shelf", "search", (false, false), search_only, (0.71, 0.33), [25.3, 0.0, 0.0, 0.0, 0.0]),
        arm("feed_only", "interest", "feed", (false, false), feed_only, (0.64, 0.41), [0.0, 0.0, 9.6, 7.1, 8.4]),
        arm("neither", "hybrid", "both", (false, false), neither, (0.88, 0.46), [15.0, 4.0, 8.0, 5.0, 6.0]),
        arm("a", "hybrid", "both", (true, false), a, (0.91, 0.45), [15.8, 5.6, 8.0, 5.0, 6.0]),
        arm("b", "hybrid", "both", (false, true), b, (0.9, 0.47), [14.8, 4.3, 9.4, 5.6, 5.8]),
        arm("a_b", "hybrid", "both", (true, true), a_b, (0.94, 0.44), [15.9, 8.8, 8.2, 6.1, 5.9]),
        arm(ORACLE_ARMS[0], "hybrid", "both", (false, false), oracle_search, (0.86, 0.43), [21.5, 6.2, 8.0, 5.0, 6.0]),
        arm(ORACLE_ARMS[1], "hybrid", "both", (false, false), oracle_feed, (0.87, 0.44), [15.0, 4.0, 12.6, 7.4, 6.9]),
        arm(ORACLE_ARMS[2], "hybrid", "both", (false, false), oracle_both, (0.85, 0.42), [20.8, 6.9, 12.1, 7.2, 6.6]),
    ];
    let interaction_by_path = interaction_by_path(&arms, delta);
    SimulationSummary {
        label: "simulated".into(),
        users: 20_000,
        horizon_days: 30,
        pre_period_days: 14,
        seed: 7,
        replicates: 3,
        bootstrap_resamples: 1000,
        confidence: 0.95,
        power: 0.8,
        arms,
        comparisons: vec![
            comparison(("a_b", a_b), ("search_only", "search", search_only), 1.2, (0.23, 0.021)),
            // Slightly negative: θ fitted on noise widens a difference that logged GMV does not predict.
            comparison(("a_b", a_b), ("feed_only", "feed", feed_only), 1.3, (0.02, -0.006)),
        ],
        factorial: Some(Factorial {
            neither: "neither".into(),
            a: "a".into(),
            b: "b".into(),
            a_b: "a_b".into(),
            uplift_a: uplift(a - neither, 0.9, neither, (0.03, 0.034)),
            uplift_b: uplift(b - neither, 0.9, neither, (0.02, 0.012)),
            uplift_a_b: uplift(a_b - neither, 1.0, neither, (0.06, 0.047)),
            interaction,
            // Δ is paired over the same users, so CUPED barely narrows it.
            interaction_cuped: cuped(&interaction, (0.01, 0.018)),
            interaction_by_path,
            verdict: "super_additive".into(),
            statement: statement("super_additive", &interaction),
            equivalence: Some(equivalence(&interaction, neither)),
        }),
        worlds: Some(worlds(&interaction, neither)),
        // A target of 4% of `neither` (1.65): the pilot of 10,000 users reached
        // √2 times that, so the experiment needed twice the users.
        sizing: Some(Sizing {
            target_mde: 0.04 * neither,
            target_setting: "4%".into(),
            pilot_users: 10_000,
            pilot_mde: 0.04 * neither * std::f64::consts::SQRT_2,
            required_users: 20_000,
            budget_users: 50_000,
        }),
        channel_interaction: Some(ChannelInteraction {
            search: "search_only".into(),
            feed: "feed_only".into(),
            both: "neither".into(),
            interaction: estimate(channels, 1.6),
            relative: estimate(channels / neither, 1.6 / neither),
            baseline: "no channel: 0 GMV per user (a user offered neither channel does not visit the simulated shop)"
                .into(),
        }),
        planted: Some(PlantedControl {
            cell: "a_b".into(),
            channels: "search".into(),
            skip: 20,
            probability: 0.5,
            size: estimate(-4.0, 0.4),
            interaction: estimate(delta - 4.0, 1.1),
            verdict: "sub_additive".into(),
            detected: true,
            statement: format!(
                "a planted interaction of -4.00 GMV/user (search results of `a_b` demoted by 20 on 50% of sessions) \
                 was estimated as {:.2} [{:.2}, {:.2}]: sub_additive, detected; the design's MDE for Δ is {:.2} \
                 GMV/user <script>",
                delta - 4.0,
                delta - 5.1,
                delta - 2.9,
                interaction.mde.unwrap()
            ),
        }),
        oracle: Some(oracle(neither, (a, b, a_b))),
        data_loop: Some(data_loop(delta)),
        aa: Some(AaCheck {
            replicates: 400,
            false_positives: Some(19),
            false_positive_rate: 0.0475,
            rate_interval: Some([0.0306, 0.0731]),
            paired: true,
            nominal: 0.05,
        }),
        sensitivity,
        sessions: 2_256_000,
        seconds: 48.2,
        sessions_per_second: 46_804.0,
        engine_share: 0.71,
    }
}

fn metric(name: String, unit: &str, direction: Direction, value: f64, gate: Gate) -> Metric {
    Metric::new(name, unit, direction, value, gate)
}

fn engine_metrics(e: &EngineRun) -> Vec<Metric> {
    let base = format!("{}/{DATASET}", e.id);
    let mut out = Vec::new();
    for q in &e.quality {
        let set = &q.query_set;
        let (d, det) = (Direction::Bigger, Gate::Deterministic);
        out.push(metric(format!("{base}/{set}/ndcg@10"), "ratio", d, q.mean.ndcg_at_k, det));
        out.push(metric(format!("{base}/{set}/recall@10"), "ratio", d, q.mean.recall_at_k, det));
    }
    if let Some(ann) = &e.ann {
        out.push(metric(
            format!("{base}/recommend/ann_recall@10"),
            "ratio",
            Direction::Bigger,
            ann.overlap,
            Gate::Deterministic,
        ));
    }
    for l in &e.load {
        if let LoadMode::Closed(s) = &l.mode {
            let r = &l.request;
            out.push(metric(format!("{base}/{r}/p50"), "us", Direction::Smaller, s.latency.p50_us, Gate::WallClock));
            out.push(metric(format!("{base}/{r}/p99"), "us", Direction::Smaller, s.latency.p99_us, Gate::WallClock));
            out.push(metric(
                format!("{base}/{r}/throughput"),
                "requests/s",
                Direction::Bigger,
                s.throughput,
                Gate::WallClock,
            ));
        }
    }
    out.push(metric(format!("{base}/build/seconds"), "s", Direction::Smaller, e.build.seconds, Gate::WallClock));
    out.push(metric(
        format!("{base}/build/memory"),
        "bytes",
        Direction::Smaller,
        e.build.memory_bytes as f64,
        Gate::WallClock,
    ));
    out
}

fn simulation_metrics(s: &SimulationSummary) -> Vec<Metric> {
    let mut out: Vec<Metric> = s
        .arms
        .iter()
        .map(|a| Metric {
            lower: Some(a.gmv_per_user.lower),
            upper: Some(a.gmv_per_user.upper),
            ..metric(
                format!("simulation/{DATASET}/{}/gmv_per_user", a.name),
                "currency/user",
                Direction::Bigger,
                a.gmv_per_user.value,
                Gate::Deterministic,
            )
        })
        .collect();
    if let Some(f) = &s.factorial {
        out.push(Metric {
            lower: Some(f.interaction.lower),
            upper: Some(f.interaction.upper),
            ..metric(
                format!("simulation/{DATASET}/interaction"),
                "currency/user",
                Direction::Bigger,
                f.interaction.value,
                Gate::Deterministic,
            )
        });
        out.push(metric(
            format!("simulation/{DATASET}/interaction_mde"),
            "currency/user",
            Direction::Smaller,
            f.interaction.mde.unwrap_or_default(),
            Gate::Deterministic,
        ));
    }
    out
}

/// The full fixture.
pub fn results() -> Results {
    // Slower than the best interest point and less accurate: dominated on the search front.
    let shelf = Point { ef: None, ndcg: 0.4123, recall: 0.0, p50_us: 260.0, build_s: 2.4, memory_mb: 48.0 };
    let sweep = [
        Point { ef: Some(16), ndcg: 0.3811, recall: 0.842, p50_us: 95.0, build_s: 11.8, memory_mb: 96.0 },
        Point { ef: Some(32), ndcg: 0.4090, recall: 0.913, p50_us: 120.0, build_s: 11.9, memory_mb: 96.0 },
        Point { ef: Some(64), ndcg: 0.4302, recall: 0.962, p50_us: 190.0, build_s: 12.1, memory_mb: 96.0 },
        Point { ef: Some(128), ndcg: 0.4318, recall: 0.987, p50_us: 340.0, build_s: 12.0, memory_mb: 97.0 },
    ];
    let mut engines = vec![engine("shelf", "shelf", &shelf)];
    engines.extend(sweep.iter().map(|p| engine("interest", "interest", p)));

    let throughput = |e: &EngineRun, request: &str| {
        e.load
            .iter()
            .find_map(|l| match &l.mode {
                LoadMode::Closed(s) if l.request == request => Some(s.throughput),
                _ => None,
            })
            .unwrap_or(f64::NAN)
    };
    let search_points =
        engines.iter().map(|e| (e.id.clone(), throughput(e, "search"), e.quality[0].mean.ndcg_at_k)).collect();
    let feed_points: Vec<_> = engines
        .iter()
        .filter_map(|e| e.ann.as_ref().map(|a| (e.id.clone(), a.overlap, throughput(e, "recommend"))))
        .collect();
    let fronts = vec![
        ParetoFront {
            title: "search: nDCG@10 vs throughput".into(),
            x_label: "throughput (requests/s)".into(),
            x_direction: Direction::Bigger,
            y_label: "nDCG@10".into(),
            y_direction: Direction::Bigger,
            points: pareto_front(search_points, Direction::Bigger, Direction::Bigger),
        },
        ParetoFront {
            title: "feed: recall@10 vs throughput".into(),
            x_label: "recall@10 against exact".into(),
            x_direction: Direction::Bigger,
            y_label: "throughput (requests/s)".into(),
            y_direction: Direction::Bigger,
            points: pareto_front(feed_points, Direction::Bigger, Direction::Bigger),
        },
    ];

    let significance = engines[1..]
        .iter()
        .map(|e| Significance {
            engine: e.id.clone(),
            baseline: "shelf".into(),
            query_set: "all".into(),
            metric: "ndcg@10".into(),
            mean_difference: e.quality[0].mean.ndcg_at_k - 0.4123,
            t_test_p: if e.quality[0].mean.ndcg_at_k > 0.42 || e.quality[0].mean.ndcg_at_k < 0.39 {
                0.0031
            } else {
                0.41
            },
            randomisation_p: if e.quality[0].mean.ndcg_at_k > 0.42 || e.quality[0].mean.ndcg_at_k < 0.39 {
                0.0042
            } else {
                0.39
            },
        })
        .collect();

    let simulation = simulation();
    let mut metrics: Vec<Metric> = engines.iter().flat_map(engine_metrics).collect();
    metrics.extend(simulation_metrics(&simulation));

    Results {
        schema_version: SCHEMA_VERSION,
        run: RunInfo {
            tool_version: "0.1.0".into(),
            git_revision: Some("d3e1b3e5c0ffee0123456789abcdef0123456789".into()),
            host: HostInfo {
                name: "ci-runner-1".into(),
                os: "linux".into(),
                arch: "x86_64".into(),
                cores: 2,
                memory_bytes: Some(24 * 1024 * 1024 * 1024),
            },
            started: "2026-11-22T06:00:00Z".into(),
            seconds: 312.5,
            threads: 2,
            scenario: "ci".into(),
            scenario_path: Some("scenarios/ci.toml".into()),
            seed: 7,
        },
        world: WorldInfo {
            dataset: DATASET.into(),
            path: "runs/ci/world".into(),
            seed: 7,
            items: 20_000,
            users: 10_000,
            events: 1_482_113,
            queries: 620,
            judgements: 48_211,
            feed_judgements: 0,
            load_seconds: 41.5,
        },
        evaluation: EvaluationInfo {
            k: 10,
            relevant_from: "substitute".into(),
            gains: [("exact".to_string(), 1.0), ("substitute".to_string(), 0.1), ("complement".to_string(), 0.01)]
                .into(),
            policy: "judged".into(),
            metrics: vec!["ndcg@10".into(), "recall@10".into(), "mrr@10".into(), "map".into()],
            query_sets: vec![
                QuerySetInfo { name: "all".into(), queries: 500 },
                QuerySetInfo { name: "vague".into(), queries: 120 },
            ],
            baseline: Some("shelf".into()),
        },
        engines,
        significance,
        fronts,
        simulation: Some(simulation),
        metrics,
        shard: None,
        shards: Vec::new(),
    }
}

/// The fixture with hostile text where data reaches the page: an engine's
/// name and id, an example's title and query, a front title, an arm name, a
/// purchase path, the data loop's first arm and its statement.
pub fn hostile() -> Results {
    let mut r = results();
    let e = &mut r.engines[0];
    e.name = HOSTILE.into();
    e.id = HOSTILE.into();
    e.examples[0].titles[0] = HOSTILE.into();
    e.examples[0].input = format!("\"quoted\" & {HOSTILE}");
    r.fronts[0].title = HOSTILE.into();
    r.fronts[0].points[0].engine = HOSTILE.into();
    r.significance[0].baseline = HOSTILE.into();
    r.evaluation.baseline = Some(HOSTILE.into());
    if let Some(s) = &mut r.simulation {
        s.arms[0].name = HOSTILE.into();
        s.sensitivity[0].parameter = HOSTILE.into();
        for p in s.sensitivity.iter_mut().filter(|p| p.by_parameter.is_some()) {
            p.by_parameter = Some(HOSTILE.into());
        }
        if let Some(w) = &mut s.worlds {
            w.method = HOSTILE.into();
        }
        if let Some(c) = &mut s.channel_interaction {
            c.baseline = HOSTILE.into();
        }
        if let Some(d) = &mut s.data_loop {
            d.arms[0].arm = HOSTILE.into();
            d.statement = HOSTILE.into();
        }
        // A path this report does not know, named in both path tables.
        s.arms[0].paths[5].path = HOSTILE.into();
        if let Some(f) = &mut s.factorial {
            f.interaction_by_path[5].path = HOSTILE.into();
        }
    }
    r.metrics[0].name = format!("{HOSTILE}/{DATASET}/all/ndcg@10");
    r
}

/// The full fixture as schema 1 wrote it: no SE or MDE, no statements or
/// equivalence tests, and the old verdict words; nor anything schema 3 added
/// (see [`without_schema_3`]).
pub fn schema_1() -> Results {
    let mut r = results();
    r.schema_version = 1;
    r.metrics.retain(|m| !m.name.ends_with("interaction_mde"));
    if let Some(s) = &mut r.simulation {
        let strip = |e: &mut Estimate| {
            e.se = None;
            e.mde = None;
        };
        let old_word = |word: &str| match word {
            "super_additive" => "supported",
            "sub_additive" => "contradicted",
            _ => "not supported",
        };
        without_schema_3(s);
        for arm in &mut s.arms {
            strip(&mut arm.gmv_per_user);
        }
        for c in &mut s.comparisons {
            strip(&mut c.uplift.absolute);
            strip(&mut c.uplift.relative);
        }
        if let Some(f) = &mut s.factorial {
            for u in [&mut f.uplift_a, &mut f.uplift_b, &mut f.uplift_a_b] {
                strip(&mut u.absolute);
                strip(&mut u.relative);
            }
            strip(&mut f.interaction);
            strip(&mut f.interaction_cuped.adjusted);
            f.verdict = old_word(&f.verdict).into();
            f.statement.clear();
            f.equivalence = None;
        }
        for p in &mut s.sensitivity {
            strip(&mut p.interaction);
            p.verdict = old_word(&p.verdict).into();
            p.statement.clear();
            p.equivalence = None;
        }
    }
    r
}

/// A simulation without the figures schema 3 added: no GMV per session, no
/// CUPED per arm or uplift (only Δ's), no purchase paths (per arm or of Δ),
/// no channel-level interaction, no positive control, an A/A check of
/// unpaired replicates with neither a count nor an interval, no replication
/// over worlds, no sizing, and one-parameter sweeps only, whose points were
/// neither retrained nor tested with p-values; nor the oracle's ceilings
/// (see [`without_oracle`]) or the data loop.
pub fn without_schema_3(s: &mut SimulationSummary) {
    without_oracle(s);
    s.data_loop = None;
    s.worlds = None;
    s.sizing = None;
    s.sensitivity.retain(|p| p.by_parameter.is_none());
    for p in &mut s.sensitivity {
        p.gmv_neither = None;
        p.p_value = None;
        p.adjusted_p_value = None;
        p.retrained = false;
        p.seed = None;
    }
    for arm in &mut s.arms {
        arm.gmv_per_session = None;
        arm.cuped = None;
        arm.paths.clear();
    }
    for c in &mut s.comparisons {
        c.per_session = None;
        c.uplift.cuped = None;
    }
    if let Some(f) = &mut s.factorial {
        for u in [&mut f.uplift_a, &mut f.uplift_b, &mut f.uplift_a_b] {
            u.cuped = None;
        }
        f.interaction_by_path.clear();
    }
    s.channel_interaction = None;
    s.planted = None;
    if let Some(aa) = &mut s.aa {
        aa.false_positives = None;
        aa.rate_interval = None;
        aa.paired = false;
    }
}

/// The simulation as a scenario without the oracle writes it: no ceilings,
/// and none of the oracle's arms.
pub fn without_oracle(s: &mut SimulationSummary) {
    s.oracle = None;
    s.arms.retain(|a| !ORACLE_ARMS.contains(&a.name.as_str()));
}

/// [`schema_1`] as the JSON schema 1 wrote: the fields schemas 2 and 3
/// added are absent, not null.
pub fn schema_1_json() -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for key in [
                    "se",
                    "mde",
                    "statement",
                    "equivalence",
                    "gmv_per_session",
                    "per_session",
                    "cuped",
                    "channel_interaction",
                    "planted",
                    "false_positives",
                    "rate_interval",
                    "paired",
                    "paths",
                    "interaction_by_path",
                ] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(schema_1()).unwrap();
    strip(&mut value);
    strip_schema_3_keys(&mut value);
    let simulation = value["simulation"].as_object_mut().unwrap();
    simulation.remove("seed");
    simulation.remove("power");
    value
}

/// The full fixture as schema 2 wrote it: SE, MDE, statements and
/// equivalence tests, but none of the fields schema 3 added (absent, not null).
pub fn schema_2_json() -> serde_json::Value {
    let mut r = results();
    r.schema_version = 2;
    if let Some(s) = &mut r.simulation {
        without_schema_3(s);
    }
    let mut value = serde_json::to_value(r).unwrap();
    strip_schema_3_keys(&mut value);
    let simulation = value["simulation"].as_object_mut().unwrap();
    for key in ["channel_interaction", "planted"] {
        simulation.remove(key);
    }
    for arm in simulation["arms"].as_array_mut().unwrap() {
        let arm = arm.as_object_mut().unwrap();
        arm.remove("gmv_per_session");
        arm.remove("cuped");
        arm.remove("paths");
    }
    for c in simulation["comparisons"].as_array_mut().unwrap() {
        let c = c.as_object_mut().unwrap();
        c.remove("per_session");
        c["uplift"].as_object_mut().unwrap().remove("cuped");
    }
    let factorial = simulation["factorial"].as_object_mut().unwrap();
    for key in ["uplift_a", "uplift_b", "uplift_a_b"] {
        factorial[key].as_object_mut().unwrap().remove("cuped");
    }
    factorial.remove("interaction_by_path");
    let aa = simulation["aa"].as_object_mut().unwrap();
    for key in ["false_positives", "rate_interval", "paired"] {
        aa.remove(key);
    }
    value
}

/// The simulation keys schema 3 added to the summary and its sensitivity
/// points, removed from results JSON (only there: `seed` is older elsewhere).
pub const SCHEMA_3_SIMULATION_KEYS: [&str; 4] = ["worlds", "sizing", "oracle", "data_loop"];
/// See [`SCHEMA_3_SIMULATION_KEYS`].
pub const SCHEMA_3_POINT_KEYS: [&str; 7] =
    ["by_parameter", "by_value", "gmv_neither", "p_value", "adjusted_p_value", "retrained", "seed"];

fn strip_schema_3_keys(value: &mut serde_json::Value) {
    let simulation = value["simulation"].as_object_mut().unwrap();
    for key in SCHEMA_3_SIMULATION_KEYS {
        simulation.remove(key);
    }
    for point in simulation["sensitivity"].as_array_mut().unwrap() {
        for key in SCHEMA_3_POINT_KEYS {
            point.as_object_mut().unwrap().remove(key);
        }
    }
}

/// The fixture without any optional section: no simulation, fronts, load,
/// significance or metrics.
pub fn bare() -> Results {
    let mut r = results();
    r.simulation = None;
    r.fronts.clear();
    r.significance.clear();
    r.metrics.clear();
    r.evaluation.baseline = None;
    for e in &mut r.engines {
        e.load.clear();
        e.ann = None;
        e.examples.clear();
    }
    r
}
