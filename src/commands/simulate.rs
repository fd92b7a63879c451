//! `searchrec simulate SCENARIO`: only the GMV simulation of a run scenario —
//! the arms' engines are built, the load test is skipped — and its summary.

use std::path::Path;

use anyhow::{Result, bail};
use searchrec_harness::scenario::RunScenario;
use searchrec_harness::simulate::{Estimate, SimulationSummary};

use searchrec_harness::run::shard::{Shard, ShardRequest};

use crate::cli::Cli;
use crate::commands::run::{print_summary, run_scenario};

pub fn run(cli: &Cli, scenario: &Path, out: &Path, seed: Option<u64>, shard: Option<Shard>) -> Result<()> {
    let file = scenario.display().to_string();
    let mut scenario = RunScenario::load(scenario)?;
    let Some(simulation) = &mut scenario.simulation else {
        bail!("{file}: no [simulation] section; add one with its [[simulation.arms]], or use `searchrec run`")
    };
    if seed.is_some() {
        simulation.seed = seed;
    }
    scenario.simulation_only()?;
    let request = shard.map(|shard| ShardRequest { shard, sim_seed: seed, simulation_only: true });
    let results = run_scenario(cli, &scenario, out, request)?;
    print_summary(cli, &results, out)
}

/// The simulation in plain text: GMV per user of every arm, the factorial
/// and its verdict, the comparisons, the checks and the guardrails. Every
/// estimate is shown as `value [interval] SE se, MDE mde`.
pub fn print_simulation(s: &SimulationSummary) {
    let pct = (s.confidence * 100.0).round();
    println!(
        "\nsimulated GMV per user ({} users, {} days, {} replicates, simulation seed {}; {pct}% intervals, paired \
         bootstrap over users; SE = bootstrap standard error, MDE = smallest effect detected with {:.0}% power):",
        s.users,
        s.horizon_days,
        s.replicates,
        s.seed,
        s.power * 100.0
    );
    for arm in &s.arms {
        let per_session = arm.gmv_per_session.as_ref().map(|e| format!("  per session {}", estimate(e)));
        println!(
            "  {:<14} {:<16} {:<7} {}{}",
            arm.name,
            arm.engine,
            arm.channels,
            estimate(&arm.gmv_per_user),
            per_session.unwrap_or_default()
        );
    }
    let reductions: Vec<String> = s
        .arms
        .iter()
        .filter_map(|a| a.cuped.map(|c| format!("{} {:.0}%", a.name, c.variance_reduction * 100.0)))
        .collect();
    if !reductions.is_empty() {
        println!("  CUPED on logged GMV (θ per resample) reduces each arm's variance: {}", reductions.join(", "));
    }
    if let Some(f) = &s.factorial {
        let uplift = |what: &str, u: &searchrec_harness::simulate::Uplift| {
            println!("  {what:<28} {}  ({} relative)", estimate(&u.absolute), percent(&u.relative));
        };
        println!(
            "2×2 coupling factorial (A: the feed's signals in search, B: search's signals in the feed), uplift over `{}`:",
            f.neither
        );
        uplift("A", &f.uplift_a);
        uplift("B", &f.uplift_b);
        uplift("A+B", &f.uplift_a_b);
        println!("  interaction Δ                {}", estimate(&f.interaction));
        for p in &f.interaction_by_path {
            println!("    through {:<20} {}", p.path, estimate(&p.gmv));
        }
        println!(
            "  Δ with CUPED                 {}  (θ {:.3}, variance reduced {:.1}%)",
            estimate(&f.interaction_cuped.adjusted),
            f.interaction_cuped.theta,
            f.interaction_cuped.variance_reduction * 100.0
        );
        if let Some(q) = &f.equivalence {
            println!(
                "  equivalence (TOST): margin ±{:.2} GMV/user ({}), {:.0}% interval [{:.2}, {:.2}]",
                q.margin,
                margin_source(&q.margin_setting),
                q.confidence * 100.0,
                q.lower,
                q.upper
            );
        }
        println!("  \"1+1>2\": {}", verdict_line(&f.verdict, &f.statement, pct));
    }
    if let Some(w) = &s.worlds {
        println!(
            "over {} worlds (engines trained per world; between-world sd of Δ {:.2}): Δ {}\n  {}",
            w.worlds,
            w.between_world_sd,
            estimate(&w.interaction),
            w.statement
        );
        for e in &w.per_world {
            println!("  world seed {:<6} Δ {}  {}", e.world_seed, estimate(&e.interaction), e.verdict);
        }
    }
    if let Some(p) = &s.planted {
        println!("  positive control: {}", p.statement);
    }
    if let Some(d) = &s.data_loop {
        println!(
            "data loop (engines retrained every {} days on each arm's own traffic): Δ without it {}; its \
             contribution {}\n  {}",
            d.retrain_days,
            estimate(&d.static_interaction),
            estimate(&d.contribution),
            d.statement
        );
    }
    if let Some(o) = &s.oracle {
        println!(
            "oracle ceilings over `neither` (expected-GMV ranking from the truth; not an engine): search {}, feed {}, \
             both {}; oracle Δ {}",
            estimate(&o.search),
            estimate(&o.feed),
            estimate(&o.both),
            estimate(&o.interaction)
        );
        println!(
            "  share of the ceiling captured: A {}, B {}, A+B {}",
            percent(&o.share_a),
            percent(&o.share_b),
            percent(&o.share_a_b)
        );
    }
    for arm in &s.arms {
        if let Some(forgone) = &arm.budget_forgone {
            println!("  {:<14} GMV forgone to the budget {}", arm.name, estimate(forgone));
        }
    }
    if let Some(c) = &s.channel_interaction {
        println!(
            "channel interaction ({} − {} − {} + 0) {}  ({} relative to `{}`)",
            c.both,
            c.search,
            c.feed,
            estimate(&c.interaction),
            percent(&c.relative),
            c.both
        );
    }
    for c in &s.comparisons {
        let per_session = c.per_session.as_ref().map(|e| format!("; per session {}", estimate(e)));
        println!(
            "  {} vs {}: {}  ({} relative{})",
            c.arm,
            c.against,
            estimate(&c.uplift.absolute),
            percent(&c.uplift.relative),
            per_session.unwrap_or_default()
        );
    }
    if let Some(aa) = &s.aa {
        let interval = aa.rate_interval.map(|[lo, hi]| format!(" [{:.1}%, {:.1}%]", lo * 100.0, hi * 100.0));
        println!(
            "A/A check ({}): {:.1}%{} false positives over {} replicates (nominal {:.0}%)",
            if aa.paired { "paired: same streams, tie-break apart" } else { "unpaired" },
            aa.false_positive_rate * 100.0,
            interval.unwrap_or_default(),
            aa.replicates,
            aa.nominal * 100.0
        );
    }
    for p in &s.sensitivity {
        let by = match (&p.by_parameter, p.by_value) {
            (Some(parameter), Some(value)) => format!(", {parameter} = {value}"),
            _ => String::new(),
        };
        println!(
            "  sensitivity {} = {}{by}: Δ {} → {}",
            p.parameter,
            p.value,
            estimate(&p.interaction),
            verdict_line(&p.verdict, &p.statement, pct)
        );
    }
    println!("guardrails:       CTR   conversion      AOV  coverage  sessions/user  p50 µs  p99 µs");
    for arm in &s.arms {
        let g = &arm.guardrails;
        println!(
            "  {:<14} {:>6.3} {:>10.3} {:>8.2} {:>9.3} {:>14.2} {:>7.0} {:>7.0}",
            arm.name,
            g.ctr,
            g.conversion,
            g.average_order_value,
            g.coverage,
            g.sessions_per_user,
            g.latency_p50_us,
            g.latency_p99_us
        );
    }
    println!(
        "{} sessions in {:.1} s ({:.0}/s, {:.0}% of the time inside engines) — all figures simulated",
        s.sessions,
        s.seconds,
        s.sessions_per_second,
        s.engine_share * 100.0
    );
}

/// The verdict's sentence, or for results written before sentences existed
/// (schema 1) the bare word and level.
fn verdict_line(verdict: &str, statement: &str, pct: f64) -> String {
    if statement.is_empty() { format!("{verdict} at {pct}%") } else { statement.to_string() }
}

fn margin_source(setting: &str) -> String {
    if setting.ends_with('%') { format!("{setting} of the control's GMV/user") } else { "absolute".to_string() }
}

fn estimate(e: &Estimate) -> String {
    let mut text = format!("{:>8.2} [{:.2}, {:.2}]", e.value, e.lower, e.upper);
    if let (Some(se), Some(mde)) = (e.se, e.mde) {
        text.push_str(&format!(" SE {se:.2}, MDE {mde:.2}"));
    }
    text
}

fn percent(e: &Estimate) -> String {
    let mut text = format!("{:+.1}% [{:+.1}%, {:+.1}%]", e.value * 100.0, e.lower * 100.0, e.upper * 100.0);
    if let (Some(se), Some(mde)) = (e.se, e.mde) {
        text.push_str(&format!(" SE {:.1}%, MDE {:.1}%", se * 100.0, mde * 100.0));
    }
    text
}
