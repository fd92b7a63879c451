//! Measuring one built engine: quality over the query sets, ANN recall,
//! load, and a few example answers.

use std::time::Duration;

use rayon::prelude::*;
use searchrec_datasets::{Grade, Judgement, Qrels, QueryId, UserId, World};
use searchrec_engine::{Engine, FeedRequest, Hit, Registry, SearchRequest};

use crate::ann::{DEFAULT_EPSILON, feed_recall, reachability};
use crate::load::{Amount, BatchLoop, ClosedLoop, OpenLoop, Request, Timeout};
use crate::metrics::{MetricSettings, QueryMetrics, QueryPolicy, evaluate};
use crate::results::{AnnRow, BuildInfo, EngineRun, Example, LoadMode, LoadRow, QualityRow};
use crate::run::context::LoggedContexts;
use crate::run::plan::{PlannedRun, value_at};
use crate::run::query_sets::QuerySet;
use crate::scenario::RunScenario;
use crate::{HarnessError, Result};

/// What every engine is measured against.
pub(crate) struct Bench<'a> {
    pub scenario: &'a RunScenario,
    /// The engine kinds: each masks its own secrets in the parameters written.
    pub registry: &'a Registry,
    pub world: &'a World,
    pub settings: MetricSettings,
    pub policy: QueryPolicy,
    pub query_sets: &'a [QuerySet],
    /// Users whose feeds are measured (ANN recall, feed load), deterministic.
    pub feed_users: &'a [UserId],
    /// Each evaluation user's logged recent signals
    /// (`evaluation.context_window`; empty contexts at 0).
    pub contexts: &'a LoggedContexts,
    /// The world's held-out feed interactions as qrels, each user's id as
    /// the query id (`None` when the world has none: generated worlds).
    pub feed_qrels: Option<&'a Qrels>,
    /// Told each measurement step as it starts: a load row at its bound can
    /// run for minutes, and the user should see which one it is.
    pub progress: &'a (dyn Fn(&str) + Sync),
}

/// One engine run, measured.
pub(crate) struct Measured {
    pub run: EngineRun,
    /// Per query set, per-query metrics in query order (engines that search).
    pub per_query: Vec<(String, Vec<QueryMetrics>)>,
    /// The ranked lists of every evaluation query (engines that search).
    pub hits: Vec<(QueryId, Vec<Hit>)>,
}

/// Measures `engine`, a searcher for `planned` over an index built in
/// `build_seconds` for run `index` (this run's id, or the id of the first
/// run sharing the index). ANN recall is measured against `against` when
/// given, else against the engine's exact twin when it has one.
pub(crate) fn measure(
    bench: &Bench<'_>,
    planned: &PlannedRun,
    engine: &dyn Engine,
    build_seconds: f64,
    index: &str,
    against: Option<&dyn Engine>,
) -> Result<Measured> {
    let caps = engine.capabilities();
    let report = engine.report();
    // Results show parameters as the engine's kind allows: secrets masked.
    let public = bench.registry.public_params(&planned.spec)?;
    let params = serde_json::to_value(&public).map_err(|e| invalid(&planned.id, e.to_string()))?;
    let swept = planned
        .swept
        .iter()
        .map(|(k, v)| {
            let shown = value_at(&public, k).unwrap_or(v);
            Ok((k.clone(), serde_json::to_value(shown).map_err(|e| invalid(&planned.id, e.to_string()))?))
        })
        .collect::<Result<_>>()?;
    let mut run = EngineRun {
        id: planned.id.clone(),
        name: planned.spec.name.clone(),
        kind: planned.spec.kind.clone(),
        swept,
        params,
        search: caps.search,
        recommend: caps.recommend,
        build: BuildInfo {
            index: index.to_string(),
            seconds: build_seconds,
            memory_bytes: report.memory_bytes,
            diagnostics: report.diagnostics.clone(),
        },
        quality: Vec::new(),
        ann: None,
        load: Vec::new(),
        trec_run: None,
        examples: examples(bench, engine)?,
    };
    let mut per_query = Vec::new();
    let mut hits = Vec::new();
    if caps.search {
        hits = search_all(bench, engine)?;
        for set in bench.query_sets {
            let subset: Vec<(QueryId, &[Hit])> =
                hits.iter().filter(|(q, _)| set.contains(*q)).map(|(q, h)| (*q, h.as_slice())).collect();
            let evaluation = evaluate(&bench.world.qrels, &subset, &bench.settings, bench.policy)
                .map_err(|e| invalid(&planned.id, format!("query set `{}`: {e}", set.name)))?;
            run.quality.push(QualityRow { query_set: set.name.clone(), mean: evaluation.mean });
            per_query.push((set.name.clone(), evaluation.per_query));
        }
    }
    if let (true, Some(qrels)) = (caps.recommend, bench.feed_qrels) {
        (bench.progress)(&format!("measuring {}: feed quality on held-out interactions", planned.id));
        let lists = feed_all(bench, engine, qrels)?;
        let evaluation = evaluate(qrels, &lists, &bench.settings, bench.policy)
            .map_err(|e| invalid(&planned.id, format!("feed judgements: {e}")))?;
        run.quality.push(QualityRow { query_set: FEED_SET.into(), mean: evaluation.mean });
        per_query.push((FEED_SET.into(), evaluation.per_query));
    }
    if against.is_some() && !caps.recommend {
        return Err(invalid(&planned.id, "has `ann_against` but does not recommend; remove `ann_against`".into()));
    }
    // Without users to ask (`ann_users = 0`) there is no recall to measure against the twin.
    let twin =
        if against.is_none() && caps.recommend && !bench.feed_users.is_empty() { engine.exact_twin() } else { None };
    let reference = match (against, &twin) {
        (Some(named), _) => Some((named, planned.ann_against.clone().unwrap_or_default())),
        (None, Some(twin)) => Some((twin.as_ref(), EXACT_TWIN.to_string())),
        (None, None) => None,
    };
    if let Some((exact, against)) = reference {
        let k = bench.scenario.evaluation.ann_k;
        (bench.progress)(&format!("measuring {}: feed recall@{k} of {} users", planned.id, bench.feed_users.len()));
        let recall = feed_recall(engine, exact, bench.feed_users, k, DEFAULT_EPSILON).map_err(|e| match e {
            // The recall's own argument names, as the scenario spells them.
            HarnessError::Invalid { what, message } => {
                let field = match what.as_str() {
                    "users" => "evaluation.ann_users",
                    "k" => "evaluation.ann_k",
                    other => other,
                };
                bench.scenario.field_error(field, format!("engine `{}`: {message}", planned.id))
            }
            other => other,
        })?;
        run.ann = Some(AnnRow {
            k,
            users: bench.feed_users.len(),
            against,
            overlap: recall.mean.overlap,
            ann_benchmarks: recall.mean.ann_benchmarks,
            epsilon: recall.epsilon,
            reachability: reachability(&report),
        });
    }
    run.load = load(bench, &planned.id, engine, caps.search, caps.recommend)?;
    Ok(Measured { run, per_query, hits })
}

/// Every evaluation query, searched by its own user, in query order, in
/// batches (answers are those of one-at-a-time searches).
fn search_all(bench: &Bench<'_>, engine: &dyn Engine) -> Result<Vec<(QueryId, Vec<Hit>)>> {
    let depth = bench.scenario.evaluation.depth;
    let queries = &bench.world.observable.queries;
    let batches: Vec<Vec<Vec<Hit>>> = queries
        .par_chunks(EVALUATION_BATCH)
        .map(|chunk| {
            let requests: Vec<SearchRequest<'_>> = chunk
                .iter()
                .map(|q| SearchRequest {
                    user: Some(q.user),
                    context: bench.contexts.of(q.user),
                    ..SearchRequest::new(&q.text, depth)
                })
                .collect();
            engine.search_batch(&requests)
        })
        .collect::<std::result::Result<_, _>>()?;
    Ok(queries.iter().map(|q| q.id).zip(batches.into_iter().flatten()).collect())
}

/// The feed of every user with held-out interactions, at the evaluation
/// depth, as a run keyed by the user's id (the feed qrels' query ids).
fn feed_all(bench: &Bench<'_>, engine: &dyn Engine, qrels: &Qrels) -> Result<Vec<(QueryId, Vec<Hit>)>> {
    let depth = bench.scenario.evaluation.depth;
    let mut users: Vec<QueryId> = qrels.judgements.iter().map(|j| j.query).collect();
    users.dedup();
    let batches: Vec<Vec<Vec<Hit>>> = users
        .par_chunks(EVALUATION_BATCH)
        .map(|chunk| {
            let requests: Vec<FeedRequest<'_>> = chunk
                .iter()
                .map(|q| FeedRequest {
                    context: bench.contexts.of(UserId(q.0)),
                    ..FeedRequest::new(UserId(q.0), depth)
                })
                .collect();
            engine.recommend_batch(&requests)
        })
        .collect::<std::result::Result<_, _>>()?;
    Ok(users.into_iter().zip(batches.into_iter().flatten()).collect())
}

/// The name of the quality row scored on held-out feed interactions.
pub(crate) const FEED_SET: &str = "feed";

/// The feed judgements as qrels: each user's id stands for the query id and
/// every held-out item is graded Exact.
pub(crate) fn feed_qrels(world: &World) -> Option<Qrels> {
    (!world.feed_judgements.is_empty()).then(|| Qrels {
        judgements: world
            .feed_judgements
            .iter()
            .flat_map(|f| f.items.iter().map(|&item| Judgement { query: QueryId(f.user.0), item, grade: Grade::Exact }))
            .collect(),
    })
}

/// Evaluation queries per [`Engine::search_batch`] call.
const EVALUATION_BATCH: usize = 256;

/// What `ann.against` says when recall is measured against the engine's own
/// exact twin (the same index with an exact scan).
pub(crate) const EXACT_TWIN: &str = "exact scan of the same index";

/// The closed-loop sweep, the open-loop run and the batch run of each
/// request kind the engine serves (open and batch at the largest thread
/// count, when the scenario turns them on).
fn load(bench: &Bench<'_>, id: &str, engine: &dyn Engine, search: bool, recommend: bool) -> Result<Vec<LoadRow>> {
    let settings = &bench.scenario.load;
    if settings.requests == 0 {
        return Ok(Vec::new());
    }
    let k = bench.scenario.evaluation.k;
    let mut workloads = Vec::new();
    if search {
        let requests = bench
            .world
            .observable
            .queries
            .iter()
            .map(|q| Request::Search { query: q.text.clone(), k, user: Some(q.user) })
            .collect::<Vec<_>>();
        workloads.push(("search", requests));
    }
    if recommend {
        workloads.push(("recommend", bench.feed_users.iter().map(|&user| Request::Feed { user, k }).collect()));
    }
    let mut rows = Vec::new();
    let (warm_up, requests) = (settings.warm_up, settings.requests);
    let timeout = Timeout((settings.timeout_ms > 0.0).then(|| Duration::from_secs_f64(settings.timeout_ms / 1e3)));
    let in_flight = settings.concurrency.unwrap_or_else(|| settings.threads.iter().copied().max().unwrap_or(1));
    for (request, workload) in workloads {
        let step = |mode: &str| {
            (bench.progress)(&format!("measuring {id}: {request} load, {mode}, {warm_up} + {requests} requests"));
        };
        for &threads in &settings.threads {
            step(&format!("closed loop at {threads} threads"));
            let closed = ClosedLoop {
                threads,
                warm_up: Amount::Requests(settings.warm_up),
                measure: Amount::Requests(settings.requests),
                timeout,
            };
            rows.push(LoadRow { request: request.into(), mode: LoadMode::Closed(closed.run(engine, &workload)?) });
        }
        if settings.open_loop_rate > 0.0 {
            step(&format!("open loop at {} requests/s, {in_flight} in flight", settings.open_loop_rate));
            let mut open = OpenLoop::new(settings.open_loop_rate, in_flight, Amount::Requests(settings.requests));
            open.warm_up = Amount::Requests(settings.warm_up);
            open.timeout = timeout;
            rows.push(LoadRow { request: request.into(), mode: LoadMode::Open(open.run(engine, &workload)?) });
        }
        if settings.batch > 0 {
            step(&format!("batches of {}, {in_flight} in flight", settings.batch));
            let batch = BatchLoop {
                batch: settings.batch,
                threads: in_flight,
                warm_up: Amount::Requests(settings.warm_up),
                measure: Amount::Requests(settings.requests),
                timeout,
            };
            rows.push(LoadRow { request: request.into(), mode: LoadMode::Batch(batch.run(engine, &workload)?) });
        }
    }
    Ok(rows)
}

/// The top three titles for the first three queries and two users.
fn examples(bench: &Bench<'_>, engine: &dyn Engine) -> Result<Vec<Example>> {
    let caps = engine.capabilities();
    let catalog = &bench.world.observable.catalog;
    let titles = |hits: Vec<Hit>| hits.iter().map(|h| catalog.item(h.item).title.clone()).collect();
    let mut out = Vec::new();
    if caps.search {
        for q in bench.world.observable.queries.iter().take(3) {
            let hits = engine.search(&SearchRequest { user: Some(q.user), ..SearchRequest::new(&q.text, 3) })?;
            out.push(Example { request: "search".into(), input: q.text.clone(), titles: titles(hits) });
        }
    }
    if caps.recommend {
        for &user in bench.feed_users.iter().take(2) {
            let hits = engine.recommend(&FeedRequest::new(user, 3))?;
            out.push(Example { request: "recommend".into(), input: format!("user {}", user.0), titles: titles(hits) });
        }
    }
    Ok(out)
}

fn invalid(engine: &str, message: String) -> HarnessError {
    HarnessError::Invalid { what: format!("engine `{engine}`"), message }
}
