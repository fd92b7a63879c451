//! Run metadata, the world and the evaluation settings, as label/value lists.

use searchrec_harness::results::{HostInfo, Results};

use super::Field;
use crate::format;

/// Who ran what, where and when.
pub(super) fn run_fields(r: &Results) -> Vec<Field> {
    let run = &r.run;
    let host = machine(&run.host);
    let scenario = match &run.scenario_path {
        Some(path) => format!("{} ({path})", run.scenario),
        None => run.scenario.clone(),
    };
    let mut fields = vec![
        Field::new("scenario", scenario),
        Field::new("seed", run.seed.to_string()),
        Field::new("searchrec version", run.tool_version.clone()),
        Field::new(
            "git revision",
            // Twelve hex digits identify a commit in any repository this size; the full hash is in results.json.
            run.git_revision
                .as_ref()
                .map_or_else(|| "unknown (not a git checkout)".into(), |r| r.chars().take(12).collect::<String>()),
        ),
        Field::new("host", host),
        Field::new("started", run.started.clone()),
        Field::new("wall time", format::seconds(run.seconds)),
        Field::new("worker threads", run.threads.to_string()),
        Field::new("results schema", format!("version {}", r.schema_version)),
    ];
    // A merged run: each engine run's wall-clock figures are its shard's.
    for s in &r.shards {
        let runs = if s.measured.is_empty() { "no engine run".to_string() } else { s.measured.join(", ") };
        let simulation = if s.simulation { " and the simulation" } else { "" };
        fields.push(Field::new(
            "shard",
            format!(
                "{}/{}: {runs}{simulation}, timed on {}, started {}, {}",
                s.index,
                s.count,
                machine(&s.host),
                s.started,
                format::seconds(s.seconds)
            ),
        ));
    }
    fields
}

fn machine(host: &HostInfo) -> String {
    let mut machine = format!("{} ({}/{}, {} cores", host.name, host.os, host.arch, host.cores);
    if let Some(m) = host.memory_bytes {
        machine.push_str(&format!(", {} memory", format::bytes(m as f64)));
    }
    machine.push(')');
    machine
}

/// The world in brief.
pub(super) fn world_fields(r: &Results) -> Vec<Field> {
    let w = &r.world;
    let mut fields = vec![
        Field::new("dataset", w.dataset.clone()),
        Field::new("folder", w.path.clone()),
        Field::new("world seed", w.seed.to_string()),
        Field::new("items", format::count(w.items)),
        Field::new("users", format::count(w.users)),
        Field::new("logged events", format::count(w.events)),
        Field::new("evaluation queries", format::count(w.queries)),
        Field::new("judgements", format::count(w.judgements)),
    ];
    if w.feed_judgements > 0 {
        fields.push(Field::new("users with held-out feed interactions", format::count(w.feed_judgements)));
    }
    if w.load_seconds > 0.0 {
        fields.push(Field::new("world generated or loaded in", format::seconds(w.load_seconds)));
    }
    fields
}

/// The settings every quality figure was computed with.
pub(super) fn evaluation_fields(r: &Results) -> Vec<Field> {
    let e = &r.evaluation;
    // Highest gain first (exact, substitute, complement), ties by name.
    let mut gains: Vec<(&String, &f64)> = e.gains.iter().collect();
    gains.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
    let gains: Vec<String> = gains.iter().map(|(grade, gain)| format!("{grade} {}", format::short(**gain))).collect();
    let sets: Vec<String> =
        e.query_sets.iter().map(|s| format!("{} ({})", s.name, format::count(s.queries as u64))).collect();
    let policy = match e.policy.as_str() {
        "judged" => "every judged query, unanswered ones scoring 0 (as trec_eval ‑c)".to_string(),
        "judged_and_retrieved" => "judged queries the engine answered (as trec_eval without ‑c)".to_string(),
        "all" => "every query, unjudged ones scoring 0".to_string(),
        other => other.to_string(),
    };
    vec![
        Field::new("cut-off k", e.k.to_string()),
        Field::new("relevant from grade", e.relevant_from.clone()),
        Field::new("gains", gains.join(", ")),
        Field::new("queries averaged", policy),
        Field::new("metrics asked for", e.metrics.join(", ")),
        Field::new("query sets", sets.join(", ")),
        Field::new("significance baseline", e.baseline.clone().unwrap_or_else(|| "none".into())),
    ]
}
