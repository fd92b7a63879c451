//! Load generation: closed-loop throughput and open-loop latency.
//!
//! A workload is a list of owned [`Request`]s, replayed round-robin against a
//! `&dyn Engine` from several threads at once:
//!
//! - [`ClosedLoop`]: N threads, each issuing its next request as soon as the
//!   previous one returns. This measures the most the engine can serve
//!   (throughput), but its latencies are service times only: a client that
//!   waits for a slow answer also stops sending, so nothing queues.
//! - [`OpenLoop`]: requests arrive on a fixed schedule whatever the engine
//!   does, and latency is measured from each request's *intended* send time.
//!   This is the latency a user sees under that arrival rate, queueing
//!   included (no coordinated omission).
//! - [`BatchLoop`]: N threads, each sending the next `batch` requests of the
//!   workload as one [`Engine::search_batch`] / [`Engine::recommend_batch`]
//!   call as soon as its previous batch returns: the throughput of the
//!   engine's batch path. Its latencies are those of whole batch calls.
//!
//! Latencies go into HdrHistograms in nanoseconds with 3 significant figures
//! (0.1 % resolution), one per thread, merged at the end; summaries report
//! them in **microseconds** (`*_us` fields, `f64`). Only successful requests
//! are timed: a fast failure would otherwise pull the percentiles down and
//! make a broken engine look quick. Errors — an engine `Err` or a panic — are
//! counted and the run goes on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use searchrec_datasets::UserId;
use searchrec_engine::{Engine, FeedRequest, SearchRequest};
use serde::{Deserialize, Serialize};

use crate::{HarnessError, Result};

/// Largest batch a [`BatchLoop`] sends. Every thread builds a whole batch of
/// requests and holds all its answers at once (a batch of 100 000 searches
/// at depth 100 is already ~10⁷ hits, hundreds of MB per thread): beyond
/// this a batch run measures the allocator and the machine's memory, not the
/// engine, and a typo such as `batch = 6400000` would exhaust memory.
pub const MAX_BATCH: usize = 100_000;

/// HdrHistogram precision: 3 significant figures keeps every recorded
/// latency within 0.1 % of its true value at any magnitude.
const SIGNIFICANT_FIGURES: u8 = 3;

/// One request of a workload. Owns its data, so a workload is built once (from
/// a query set or a user list) and replayed as often as needed. Requests carry
/// no [`searchrec_engine::Context`]: load is measured without channel coupling.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// A typed query, answered by [`Engine::search`].
    Search {
        /// The query text.
        query: String,
        /// How many hits to ask for.
        k: usize,
        /// The searching user, for personalised engines.
        user: Option<UserId>,
    },
    /// A feed request, answered by [`Engine::recommend`].
    Feed {
        /// The user the feed is for.
        user: UserId,
        /// How many hits to ask for.
        k: usize,
    },
}

impl Request {
    /// Sends the request; `Err` carries the engine's error or panic message.
    /// A panicking engine is caught so that one bad request cannot abort a
    /// long run or hide the results of every other thread.
    fn send(&self, engine: &dyn Engine) -> std::result::Result<(), String> {
        let outcome = catch_unwind(AssertUnwindSafe(|| match self {
            Request::Search { query, k, user } => {
                engine.search(&SearchRequest { user: *user, ..SearchRequest::new(query, *k) })
            }
            Request::Feed { user, k } => engine.recommend(&FeedRequest::new(*user, *k)),
        }));
        match outcome {
            Ok(Ok(_hits)) => Ok(()),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err(format!("engine `{}` panicked", engine.name())),
        }
    }
}

/// How much to run: a number of requests or a span of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Amount {
    /// This many requests, across all threads.
    Requests(u64),
    /// Requests until this much time has passed. In a closed loop, requests
    /// already in flight at the deadline complete and are counted; in an open
    /// loop, it means the requests scheduled inside the span
    /// (`ceil(seconds × rate)`).
    Duration(Duration),
}

impl Amount {
    /// No warm-up.
    pub const NONE: Amount = Amount::Requests(0);

    fn is_zero(self) -> bool {
        matches!(self, Amount::Requests(0)) || self == Amount::Duration(Duration::ZERO)
    }
}

/// Quantiles of the latency curve kept for plotting, HdrHistogram's
/// "percentile distribution" style: dense towards the tail.
const CURVE_QUANTILES: [f64; 14] =
    [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999, 0.99999, 1.0];

/// Latency percentiles of successful requests, in microseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Timed (successful) requests.
    pub count: u64,
    /// Mean, µs.
    pub mean_us: f64,
    /// Median, µs.
    pub p50_us: f64,
    /// 90th percentile, µs.
    pub p90_us: f64,
    /// 99th percentile, µs.
    pub p99_us: f64,
    /// 99.9th percentile, µs.
    pub p999_us: f64,
    /// Maximum, µs.
    pub max_us: f64,
    /// (quantile, µs) pairs from the minimum to the maximum, for plotting
    /// the whole distribution.
    pub curve: Vec<[f64; 2]>,
}

impl LatencySummary {
    /// Summarises a histogram of nanoseconds. An empty histogram gives zeros.
    pub fn from_histogram(histogram: &Histogram<u64>) -> LatencySummary {
        let us = |ns: u64| ns as f64 / 1_000.0;
        LatencySummary {
            count: histogram.len(),
            mean_us: histogram.mean() / 1_000.0,
            p50_us: us(histogram.value_at_quantile(0.5)),
            p90_us: us(histogram.value_at_quantile(0.9)),
            p99_us: us(histogram.value_at_quantile(0.99)),
            p999_us: us(histogram.value_at_quantile(0.999)),
            max_us: us(histogram.max()),
            curve: if histogram.is_empty() {
                Vec::new()
            } else {
                CURVE_QUANTILES.iter().map(|&q| [q, us(histogram.value_at_quantile(q))]).collect()
            },
        }
    }
}

/// What one measured run did.
///
/// Throughput is *counted*: successful requests divided by measured wall
/// time. It is not 1 / mean latency (ann-benchmarks' "QPS", which its users
/// object to in #423 and PR #618): that equals throughput only for a single
/// client with no gap between requests. With N threads the engine may serve
/// up to N / latency, or far less once threads contend for cores, locks or
/// memory bandwidth — then latency and throughput move apart and 1 / mean
/// latency describes neither. Failed requests are left out so that an engine
/// failing fast does not look fast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadSummary {
    /// Client threads.
    pub threads: usize,
    /// Measured requests completed, successful or not (warm-up excluded).
    pub requests: u64,
    /// How many of them failed (engine error, panic or timeout).
    pub errors: u64,
    /// How many of the errors were answers later than the run's timeout
    /// (0 without one; absent in results written before timeouts existed).
    #[serde(default)]
    pub timeouts: u64,
    /// The first failure seen, to explain a run full of errors.
    pub first_error: Option<String>,
    /// Measured wall time, seconds.
    pub seconds: f64,
    /// Successful requests per second of measured wall time.
    pub throughput: f64,
    /// Latency of successful requests.
    pub latency: LatencySummary,
}

/// What one open-loop run did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenLoopSummary {
    /// The target arrival rate, requests per second.
    pub rate: f64,
    /// The rate at which measured requests actually started:
    /// (n − 1) / (last start − first start). Below `rate` when the workers
    /// could not keep up. `None` with fewer than two measured requests.
    pub achieved_rate: Option<f64>,
    /// Measured requests that started more than `late_after_us` after their
    /// intended send time, because every worker was busy.
    pub late: u64,
    /// The lateness tolerated before a start counts as late, µs.
    pub late_after_us: f64,
    /// The run, with latency measured from each request's intended send
    /// time: what a user arriving on schedule waits, queueing included. The
    /// wall time runs from the first measured intended send time to the last
    /// measured completion.
    pub load: LoadSummary,
    /// Service time (from the actual start of each request), the number a
    /// naive load generator would report; compare it with `load.latency` to
    /// see how much of the latency is queueing.
    pub service: LatencySummary,
}

/// What one batch run did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchLoopSummary {
    /// Requests per batch call (the configured size; at most one call per
    /// phase, the last one claimed, is smaller when a request-counted amount
    /// is not a multiple of it).
    pub batch: usize,
    /// Measured batch calls, successful or not (warm-up excluded).
    pub calls: u64,
    /// The run, counted in **requests**, not batches: `requests` and
    /// `errors` are requests (every request of a failed batch call is an
    /// error: the call answers all or nothing) and `throughput` is
    /// successful requests per second of measured wall time. But `latency`
    /// is that of a **whole batch call** (from sending the batch to its last
    /// answer) of the successful calls, and `latency.count` counts calls:
    /// one request of a batch waits that long, so it is not comparable with a
    /// closed loop's per-request latency.
    pub load: LoadSummary,
}

/// A client-side timeout: an answer that takes longer counts as an error,
/// as it would for a client that gave up on it (a synchronous call cannot be
/// abandoned, so the worker still waits for it; only the accounting
/// changes). What a remote engine's users see when the server is slow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timeout(pub Option<Duration>);

impl Timeout {
    /// No timeout: every answer counts, however late.
    pub const NONE: Timeout = Timeout(None);

    fn exceeded(self, took: Duration) -> bool {
        self.0.is_some_and(|limit| took > limit)
    }

    fn message(self, took: Duration) -> String {
        let limit = self.0.unwrap_or_default();
        format!("timed out: answered after {:.1} ms, the timeout is {:.1} ms", ms(took), ms(limit))
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A closed-loop run: `threads` clients, each sending its next request as
/// soon as the previous one returns, so the engine is never idle and the
/// result is the throughput it sustains at that concurrency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosedLoop {
    /// Client threads, at least 1.
    pub threads: usize,
    /// Run first and not measured: fills caches and pages in the index.
    pub warm_up: Amount,
    /// The measured part; not zero.
    pub measure: Amount,
    /// A request answered later than this counts as a timeout (see [`Timeout`]).
    pub timeout: Timeout,
}

impl ClosedLoop {
    /// Runs the warm-up, then the measurement, over `workload` replayed
    /// round-robin; the measurement continues the workload where the warm-up
    /// left off.
    pub fn run(&self, engine: &dyn Engine, workload: &[Request]) -> Result<LoadSummary> {
        check_workload(workload)?;
        let (tally, seconds) = warm_then_measure(self.threads, self.warm_up, self.measure, |cursor, amount, what| {
            self.phase(engine, workload, cursor, amount, what)
        })?;
        Ok(tally.summary(self.threads, seconds))
    }

    /// One phase: every thread loops until the amount is used up.
    fn phase(
        &self,
        engine: &dyn Engine,
        workload: &[Request],
        cursor: &AtomicU64,
        amount: Amount,
        what: &str,
    ) -> Result<Tally> {
        let (limit, deadline) = match amount {
            Amount::Requests(n) => (n, None),
            Amount::Duration(span) => (u64::MAX, Some(deadline(span, what)?)),
        };
        let issued = AtomicU64::new(0);
        let worker = || -> Result<Tally> {
            let mut tally = Tally::new()?;
            while deadline.is_none_or(|d| Instant::now() < d) && issued.fetch_add(1, Ordering::Relaxed) < limit {
                let request = pick(workload, cursor.fetch_add(1, Ordering::Relaxed));
                let begin = Instant::now();
                let outcome = request.send(engine);
                let end = Instant::now();
                let took = end.saturating_duration_since(begin);
                let outcome = tally.time(outcome, took, self.timeout);
                tally.record(&outcome, took, end);
            }
            Ok(tally)
        };
        let tallies = thread::scope(|scope| {
            let handles: Vec<_> = (0..self.threads).map(|_| scope.spawn(worker)).collect();
            handles.into_iter().map(join).collect::<Vec<_>>()
        });
        merge_all(tallies)
    }
}

/// A batched closed-loop run: `threads` clients, each taking the next
/// `batch` requests of the workload (round-robin, as [`ClosedLoop`] does) and
/// sending them as ONE [`Engine::search_batch`] or [`Engine::recommend_batch`]
/// call, then the next batch as soon as that call returns.
///
/// Amounts count **requests**, not batches: `Amount::Requests(n)` sends
/// exactly n requests (the last batch claimed is smaller when n is not a
/// multiple of `batch`); `Amount::Duration` sends whole batches until the
/// deadline. The workload must hold one request kind only: a batch call
/// takes either searches or feed requests, so a mixed workload is an error
/// (measure each kind with its own workload). A batch larger than the
/// workload repeats requests, as round-robin replay does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchLoop {
    /// Requests per batch call, from 1 to [`MAX_BATCH`].
    pub batch: usize,
    /// Client threads, at least 1.
    pub threads: usize,
    /// Requests run first and not measured (in batches of `batch`).
    pub warm_up: Amount,
    /// The measured requests; not zero.
    pub measure: Amount,
    /// A batch call answered later than this counts as a timeout for each
    /// of its requests (see [`Timeout`]).
    pub timeout: Timeout,
}

impl BatchLoop {
    /// Runs the warm-up, then the measurement, over `workload` replayed
    /// round-robin in batches; the measurement continues the workload where
    /// the warm-up left off.
    pub fn run(&self, engine: &dyn Engine, workload: &[Request]) -> Result<BatchLoopSummary> {
        check_workload(workload)?;
        let searches = workload.iter().filter(|r| matches!(r, Request::Search { .. })).count();
        if searches != 0 && searches != workload.len() {
            return Err(invalid(
                "workload",
                "the workload mixes search and feed requests; a batch call takes one kind, so give each kind its own \
                 batch run"
                    .to_string(),
            ));
        }
        if !(1..=MAX_BATCH).contains(&self.batch) {
            return Err(invalid(
                "batch",
                format!("a batch must hold from 1 to {MAX_BATCH} requests, not {}", self.batch),
            ));
        }
        let ((tally, calls), seconds) =
            warm_then_measure(self.threads, self.warm_up, self.measure, |cursor, amount, what| {
                self.phase(engine, workload, cursor, amount, what)
            })?;
        Ok(BatchLoopSummary { batch: self.batch, calls: calls.0, load: tally.summary(self.threads, seconds) })
    }

    /// One phase: every thread claims batches until the amount is used up.
    fn phase(
        &self,
        engine: &dyn Engine,
        workload: &[Request],
        cursor: &AtomicU64,
        amount: Amount,
        what: &str,
    ) -> Result<(Tally, Calls)> {
        let (limit, deadline) = match amount {
            Amount::Requests(n) => (n, None),
            Amount::Duration(span) => (u64::MAX, Some(deadline(span, what)?)),
        };
        // `batch` ≤ MAX_BATCH, so it fits in a u64.
        let batch = self.batch as u64;
        let issued = AtomicU64::new(0);
        // Claims the next batch's size: `batch`, or what is left of `limit`.
        let claim = || {
            issued
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                    (n < limit).then(|| n.saturating_add(batch).min(limit))
                })
                .ok()
                .map(|before| before.saturating_add(batch).min(limit) - before)
        };
        let worker = || -> Result<(Tally, Calls)> {
            let mut tally = Tally::new()?;
            let mut calls = Calls(0);
            let mut searches: Vec<SearchRequest<'_>> = Vec::with_capacity(self.batch);
            let mut feeds: Vec<FeedRequest<'_>> = Vec::with_capacity(self.batch);
            while deadline.is_none_or(|d| Instant::now() < d) {
                let Some(size) = claim() else { break };
                let first = cursor.fetch_add(size, Ordering::Relaxed);
                searches.clear();
                feeds.clear();
                for position in first..first.saturating_add(size) {
                    match pick(workload, position) {
                        Request::Search { query, k, user } => {
                            searches.push(SearchRequest { user: *user, ..SearchRequest::new(query, *k) })
                        }
                        Request::Feed { user, k } => feeds.push(FeedRequest::new(*user, *k)),
                    }
                }
                let begin = Instant::now();
                let outcome = send_batch(engine, &searches, &feeds);
                let end = Instant::now();
                let took = end.saturating_duration_since(begin);
                let timed_out = self.timeout.exceeded(took);
                let outcome = match outcome {
                    Ok(()) if timed_out => Err(self.timeout.message(took)),
                    other => other,
                };
                if timed_out {
                    tally.timeouts += size;
                }
                tally.record_batch(size, &outcome, took, end);
                calls.0 += 1;
            }
            Ok((tally, calls))
        };
        let tallies = thread::scope(|scope| {
            let handles: Vec<_> = (0..self.threads).map(|_| scope.spawn(worker)).collect();
            handles.into_iter().map(join).collect::<Vec<_>>()
        });
        merge_all(tallies)
    }
}

/// Sends one batch (searches or feed requests: one of the two is empty) as
/// one call; `Err` carries the engine's error or panic message, or says the
/// engine answered a different number of requests than it was sent. A panic
/// is caught as [`Request::send`] catches one.
fn send_batch(
    engine: &dyn Engine,
    searches: &[SearchRequest<'_>],
    feeds: &[FeedRequest<'_>],
) -> std::result::Result<(), String> {
    let sent = searches.len() + feeds.len();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if searches.is_empty() { engine.recommend_batch(feeds) } else { engine.search_batch(searches) }
    }));
    match outcome {
        Ok(Ok(answers)) if answers.len() == sent => Ok(()),
        Ok(Ok(answers)) => {
            Err(format!("engine `{}` answered {} of a batch of {sent} requests", engine.name(), answers.len()))
        }
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("engine `{}` panicked in a batch of {sent} requests", engine.name())),
    }
}

/// Batch calls one thread made.
struct Calls(u64);

impl Merge for Calls {
    fn merge(&mut self, other: Calls) -> Result<()> {
        self.0 += other.0;
        Ok(())
    }
}

/// The unmeasured warm-up, then the measured phase, of a closed-loop run:
/// both phases share one workload cursor, so the measurement continues the
/// workload where the warm-up left off. Checks the thread count and both
/// amounts first; returns the measured phase's outcome and its wall seconds.
fn warm_then_measure<T>(
    threads: usize,
    warm_up: Amount,
    measure: Amount,
    phase: impl Fn(&AtomicU64, Amount, &str) -> Result<T>,
) -> Result<(T, f64)> {
    check_threads(threads)?;
    check_amount("warm_up", warm_up, true)?;
    check_amount("measure", measure, false)?;
    let cursor = AtomicU64::new(0);
    if !warm_up.is_zero() {
        phase(&cursor, warm_up, "warm_up")?;
    }
    let start = Instant::now();
    let outcome = phase(&cursor, measure, "measure")?;
    Ok((outcome, start.elapsed().as_secs_f64()))
}

/// An open-loop run: request i is due at t0 + i / `rate`, whatever the
/// engine is doing, and is served by the next free worker of a pool of
/// `threads`.
///
/// Latency is measured from the intended send time, not from when a worker
/// got round to it. A closed loop, or an open loop timed from the actual
/// start, stops the clock while requests wait behind a slow one: one 200 ms
/// stall at 100 requests/s delays about 20 requests, but such a load
/// generator records one slow request and 19 fast ones ("coordinated
/// omission", Gil Tene). Here those 20 waits are all counted, and the naive
/// figure is kept beside it in [`OpenLoopSummary::service`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OpenLoop {
    /// Arrival rate, requests per second; finite and positive.
    pub rate: f64,
    /// Worker threads serving the arrivals, at least 1. With too few, the
    /// achieved rate falls below the target and requests start late.
    pub threads: usize,
    /// Arrivals served first and not measured.
    pub warm_up: Amount,
    /// The measured arrivals; not zero.
    pub measure: Amount,
    /// A request starting later than this after its intended time counts as
    /// late; a little slack absorbs the sleep granularity of the OS.
    pub late_after: Duration,
    /// A request whose service (from its actual start) takes longer than
    /// this counts as a timeout (see [`Timeout`]).
    pub timeout: Timeout,
}

impl OpenLoop {
    /// Default lateness tolerance: well above the OS's sleep overshoot (tens
    /// of µs), well below any queueing worth reporting.
    pub const DEFAULT_LATE_AFTER: Duration = Duration::from_millis(1);

    /// `rate` requests per second over `threads` workers for `measure`, with
    /// no warm-up and the default lateness tolerance.
    pub fn new(rate: f64, threads: usize, measure: Amount) -> OpenLoop {
        OpenLoop {
            rate,
            threads,
            warm_up: Amount::NONE,
            measure,
            late_after: OpenLoop::DEFAULT_LATE_AFTER,
            timeout: Timeout::NONE,
        }
    }

    /// Runs the warm-up arrivals then the measured ones, on one schedule.
    pub fn run(&self, engine: &dyn Engine, workload: &[Request]) -> Result<OpenLoopSummary> {
        check_workload(workload)?;
        check_threads(self.threads)?;
        if !(self.rate.is_finite() && self.rate > 0.0) {
            return Err(invalid(
                "rate",
                format!("the arrival rate must be a positive number of requests per second, not {}", self.rate),
            ));
        }
        check_amount("warm_up", self.warm_up, true)?;
        check_amount("measure", self.measure, false)?;
        let warm = self.arrivals(self.warm_up);
        let total = warm.saturating_add(self.arrivals(self.measure));
        let t0 = Instant::now();
        // Every due time up to the last must be representable, so the
        // workers below never meet an overflow.
        let due =
            |ticket: u64| Duration::try_from_secs_f64(ticket as f64 / self.rate).ok().and_then(|o| t0.checked_add(o));
        let (Some(first_measured), Some(_)) = (due(warm), due(total)) else {
            return Err(invalid(
                "rate",
                format!("{total} requests at {} per second last longer than a clock can count", self.rate),
            ));
        };
        let next = AtomicU64::new(0);
        let worker = || -> Result<(Tally, Service)> {
            let mut tally = Tally::new()?;
            let mut service = Service::new()?;
            loop {
                let ticket = next.fetch_add(1, Ordering::Relaxed);
                if ticket >= total {
                    break;
                }
                let Some(intended) = due(ticket) else { break };
                let now = Instant::now();
                if intended > now {
                    thread::sleep(intended - now);
                }
                let begin = Instant::now();
                let outcome = pick(workload, ticket).send(engine);
                let end = Instant::now();
                if ticket < warm {
                    continue;
                }
                let late = begin.saturating_duration_since(intended) > self.late_after;
                let outcome = tally.time(outcome, end.saturating_duration_since(begin), self.timeout);
                let took = outcome.is_ok().then(|| end.saturating_duration_since(begin));
                tally.record(&outcome, end.saturating_duration_since(intended), end);
                service.record(begin, took, late);
            }
            Ok((tally, service))
        };
        let results = thread::scope(|scope| {
            let handles: Vec<_> = (0..self.threads).map(|_| scope.spawn(worker)).collect();
            handles.into_iter().map(join).collect::<Vec<_>>()
        });
        let (tally, service) = merge_all(results)?;
        let seconds = tally.last_end.map_or(0.0, |end| end.saturating_duration_since(first_measured).as_secs_f64());
        let achieved_rate = match (service.first_start, service.last_start) {
            (Some(first), Some(last)) if service.started >= 2 && last > first => {
                Some((service.started - 1) as f64 / last.duration_since(first).as_secs_f64())
            }
            _ => None,
        };
        Ok(OpenLoopSummary {
            rate: self.rate,
            achieved_rate,
            late: service.late,
            late_after_us: self.late_after.as_secs_f64() * 1e6,
            load: tally.summary(self.threads, seconds),
            service: LatencySummary::from_histogram(&service.histogram),
        })
    }

    /// The number of arrivals an amount stands for (at least 1 unless zero).
    fn arrivals(&self, amount: Amount) -> u64 {
        match amount {
            Amount::Requests(n) => n,
            Amount::Duration(span) if span.is_zero() => 0,
            // `as` saturates: an absurd span becomes "forever", which is what was asked.
            Amount::Duration(span) => ((span.as_secs_f64() * self.rate).ceil() as u64).max(1),
        }
    }
}

/// One thread's measurements; merged into one at the end.
struct Tally {
    latency: Histogram<u64>,
    requests: u64,
    errors: u64,
    first_error: Option<String>,
    last_end: Option<Instant>,
    /// How many of `errors` were answers later than the timeout.
    timeouts: u64,
}

/// Open-loop extras: service times of successful requests, and the start
/// times and lateness of all measured ones.
struct Service {
    histogram: Histogram<u64>,
    started: u64,
    late: u64,
    first_start: Option<Instant>,
    last_start: Option<Instant>,
}

/// Per-thread results that can be folded together.
trait Merge: Sized {
    fn merge(&mut self, other: Self) -> Result<()>;
}

/// Folds every thread's results; the first failure wins.
fn merge_all<T: Merge>(parts: Vec<Result<T>>) -> Result<T> {
    let mut total: Option<T> = None;
    for part in parts {
        let part = part?;
        match &mut total {
            None => total = Some(part),
            Some(sum) => sum.merge(part)?,
        }
    }
    total.ok_or_else(|| invalid("threads", "no thread ran".to_string()))
}

impl Tally {
    fn new() -> Result<Tally> {
        Ok(Tally { latency: histogram()?, requests: 0, errors: 0, first_error: None, last_end: None, timeouts: 0 })
    }

    /// `outcome`, or a timeout error when it succeeded later than `timeout`
    /// allows (counted in `timeouts`; [`Self::record`] then counts it as an error).
    fn time(
        &mut self,
        outcome: std::result::Result<(), String>,
        took: Duration,
        timeout: Timeout,
    ) -> std::result::Result<(), String> {
        match outcome {
            Ok(()) if timeout.exceeded(took) => {
                self.timeouts += 1;
                Err(timeout.message(took))
            }
            other => other,
        }
    }

    /// Records one completed request; only a success is timed.
    fn record(&mut self, outcome: &std::result::Result<(), String>, latency: Duration, end: Instant) {
        self.requests += 1;
        self.last_end = self.last_end.max(Some(end));
        match outcome {
            Ok(()) => record(&mut self.latency, latency),
            Err(message) => {
                self.errors += 1;
                self.first_error.get_or_insert_with(|| message.clone());
            }
        }
    }

    /// Records one completed batch call of `size` requests: all of them
    /// succeed or fail together, and a success times the whole call once.
    fn record_batch(&mut self, size: u64, outcome: &std::result::Result<(), String>, latency: Duration, end: Instant) {
        self.requests += size;
        self.last_end = self.last_end.max(Some(end));
        match outcome {
            Ok(()) => record(&mut self.latency, latency),
            Err(message) => {
                self.errors += size;
                self.first_error.get_or_insert_with(|| message.clone());
            }
        }
    }

    fn summary(&self, threads: usize, seconds: f64) -> LoadSummary {
        let successes = self.requests - self.errors;
        LoadSummary {
            threads,
            requests: self.requests,
            errors: self.errors,
            timeouts: self.timeouts,
            first_error: self.first_error.clone(),
            seconds,
            throughput: if seconds > 0.0 { successes as f64 / seconds } else { 0.0 },
            latency: LatencySummary::from_histogram(&self.latency),
        }
    }
}

impl Merge for Tally {
    fn merge(&mut self, other: Tally) -> Result<()> {
        add(&mut self.latency, &other.latency)?;
        self.requests += other.requests;
        self.errors += other.errors;
        self.timeouts += other.timeouts;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
        self.last_end = self.last_end.max(other.last_end);
        Ok(())
    }
}

impl Merge for Service {
    fn merge(&mut self, other: Service) -> Result<()> {
        add(&mut self.histogram, &other.histogram)?;
        self.started += other.started;
        self.late += other.late;
        self.first_start = match (self.first_start, other.first_start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last_start = self.last_start.max(other.last_start);
        Ok(())
    }
}

impl<A: Merge, B: Merge> Merge for (A, B) {
    fn merge(&mut self, other: (A, B)) -> Result<()> {
        self.0.merge(other.0)?;
        self.1.merge(other.1)
    }
}

impl Service {
    fn new() -> Result<Service> {
        Ok(Service { histogram: histogram()?, started: 0, late: 0, first_start: None, last_start: None })
    }

    /// Records one measured start; `service` is `None` for a failure.
    fn record(&mut self, begin: Instant, service: Option<Duration>, late: bool) {
        if let Some(service) = service {
            record(&mut self.histogram, service);
        }
        self.started += 1;
        self.late += u64::from(late);
        self.first_start = Some(self.first_start.map_or(begin, |first| first.min(begin)));
        self.last_start = self.last_start.max(Some(begin));
    }
}

fn histogram() -> Result<Histogram<u64>> {
    Histogram::new(SIGNIFICANT_FIGURES).map_err(|e| invalid("latency histogram", e.to_string()))
}

fn add(into: &mut Histogram<u64>, from: &Histogram<u64>) -> Result<()> {
    into.add(from).map_err(|e| invalid("latency histogram", e.to_string()))
}

/// Records a duration in nanoseconds. The histogram grows to fit: its
/// `saturating_record` would instead clamp everything to the histogram's
/// initial tiny range. Growing fails only past `usize` counts, then the
/// value is clamped to the largest one the histogram holds.
fn record(histogram: &mut Histogram<u64>, duration: Duration) {
    let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
    if histogram.record(nanos).is_err() {
        histogram.saturating_record(nanos);
    }
}

/// The workload entry for a position; the workload is replayed round-robin.
fn pick(workload: &[Request], position: u64) -> &Request {
    // The workload is checked non-empty and `usize` → `u64` never truncates on
    // supported targets, so the remainder is always an index into it.
    &workload[(position % workload.len() as u64) as usize]
}

/// Waits for a load thread. Engine panics are caught inside the thread, so a
/// panic here is the harness's own; it is reported, not propagated.
fn join<T>(handle: thread::ScopedJoinHandle<'_, Result<T>>) -> Result<T> {
    handle.join().unwrap_or_else(|_| Err(invalid("load thread", "a load thread panicked".to_string())))
}

fn deadline(span: Duration, what: &str) -> Result<Instant> {
    Instant::now().checked_add(span).ok_or_else(|| invalid(what, format!("{span:?} is longer than a clock can count")))
}

fn check_workload(workload: &[Request]) -> Result<()> {
    if workload.is_empty() {
        return Err(invalid("workload", "the workload is empty; give at least one request".to_string()));
    }
    Ok(())
}

fn check_threads(threads: usize) -> Result<()> {
    if threads == 0 {
        return Err(invalid("threads", "at least 1 thread is needed to send requests".to_string()));
    }
    Ok(())
}

fn check_amount(what: &str, amount: Amount, zero_allowed: bool) -> Result<()> {
    if amount.is_zero() && !zero_allowed {
        return Err(invalid(what, "a run must measure at least one request or a positive duration".to_string()));
    }
    if let Amount::Duration(span) = amount {
        deadline(span, what)?;
    }
    Ok(())
}

fn invalid(what: &str, message: String) -> HarnessError {
    HarnessError::Invalid { what: what.to_string(), message }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use searchrec_engine::{Capabilities, EngineError, EngineReport, Hit};

    use super::*;

    /// An engine that sleeps per request, optionally stalls once, fails for
    /// users divisible by `fail_every`, and panics for one user.
    #[derive(Default)]
    struct Fake {
        delay: Duration,
        stall: Option<(u64, Duration)>,
        fail_every: Option<u32>,
        panic_on: Option<u32>,
        calls: AtomicU64,
        users: Mutex<Vec<u32>>,
    }

    impl Fake {
        fn sleeping(delay: Duration) -> Fake {
            Fake { delay, ..Fake::default() }
        }

        fn calls(&self) -> u64 {
            self.calls.load(Ordering::Relaxed)
        }

        fn answer(&self, user: Option<UserId>) -> searchrec_engine::Result<Vec<Hit>> {
            let call = self.calls.fetch_add(1, Ordering::Relaxed);
            let pause = match self.stall {
                Some((at, stall)) if at == call => stall,
                _ => self.delay,
            };
            if !pause.is_zero() {
                thread::sleep(pause);
            }
            let user = user.map_or(1, |u| u.0);
            if let Ok(mut users) = self.users.lock() {
                users.push(user);
            }
            if self.panic_on == Some(user) {
                panic!("fake engine told to panic");
            }
            if self.fail_every.is_some_and(|n| user.is_multiple_of(n)) {
                return Err(EngineError::Backend { engine: "fake".into(), message: format!("user {user} fails") });
            }
            Ok(Vec::new())
        }
    }

    impl Engine for Fake {
        fn name(&self) -> &str {
            "fake"
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities { search: true, recommend: true, ..Capabilities::default() }
        }
        fn search(&self, request: &SearchRequest<'_>) -> searchrec_engine::Result<Vec<Hit>> {
            self.answer(request.user)
        }
        fn recommend(&self, request: &FeedRequest<'_>) -> searchrec_engine::Result<Vec<Hit>> {
            self.answer(Some(request.user))
        }
        fn report(&self) -> EngineReport {
            EngineReport::default()
        }
    }

    fn feeds(users: u32) -> Vec<Request> {
        (0..users).map(|u| Request::Feed { user: UserId(u), k: 10 }).collect()
    }

    fn closed(threads: usize, warm_up: Amount, measure: Amount) -> ClosedLoop {
        ClosedLoop { threads, warm_up, measure, timeout: Timeout::NONE }
    }

    fn what(error: HarnessError) -> String {
        match error {
            HarnessError::Invalid { what, .. } => what,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn closed_loop_throughput_is_bounded_by_threads_over_latency() {
        let delay = Duration::from_millis(2);
        let engine = Fake::sleeping(delay);
        let workload = vec![Request::Search { query: "red hoodie".into(), k: 10, user: None }];
        let mut throughput = Vec::new();
        for threads in [1, 4] {
            let s = closed(threads, Amount::NONE, Amount::Requests(100)).run(&engine, &workload).unwrap();
            assert_eq!((s.requests, s.errors, s.latency.count, s.threads), (100, 0, 100, threads));
            // Each request sleeps at least `delay`, so nothing beats threads / delay…
            let ceiling = threads as f64 / delay.as_secs_f64();
            assert!(s.throughput <= ceiling * 1.05, "{threads} threads: {} > {ceiling}", s.throughput);
            // …and even a loaded machine gets within a wide factor of it.
            assert!(s.throughput >= ceiling / 20.0, "{threads} threads: {} ≪ {ceiling}", s.throughput);
            assert!(s.latency.p50_us >= 2_000.0 && s.latency.mean_us >= 2_000.0, "{:?}", s.latency);
            assert!(s.latency.p50_us <= s.latency.p90_us && s.latency.p99_us <= s.latency.max_us);
            throughput.push(s.throughput);
        }
        // Sleeping threads need no CPU, so 4 of them serve well over 1.5× of 1.
        assert!(throughput[1] > 1.5 * throughput[0], "{throughput:?}");
    }

    #[test]
    fn closed_loop_runs_for_a_duration() {
        let engine = Fake::sleeping(Duration::from_millis(5));
        let s = closed(2, Amount::NONE, Amount::Duration(Duration::from_millis(100))).run(&engine, &feeds(3)).unwrap();
        assert!(s.seconds >= 0.1, "{}", s.seconds);
        assert!(s.requests >= 2 && s.requests == engine.calls(), "{} vs {}", s.requests, engine.calls());
        assert!(s.throughput <= 2.0 / 0.005 * 1.05, "{}", s.throughput);
    }

    #[test]
    fn warm_up_is_excluded_from_counts() {
        let engine = Fake::default();
        let s = closed(3, Amount::Requests(7), Amount::Requests(20)).run(&engine, &feeds(4)).unwrap();
        assert_eq!((engine.calls(), s.requests, s.latency.count), (27, 20, 20));

        let engine = Fake::sleeping(Duration::from_millis(1));
        let warm_up = Amount::Duration(Duration::from_millis(30));
        let s = closed(2, warm_up, Amount::Requests(20)).run(&engine, &feeds(4)).unwrap();
        assert_eq!(s.requests, 20);
        assert!(engine.calls() > 20, "the warm-up sent nothing");

        let engine = Fake::default();
        let open = OpenLoop { warm_up: Amount::Requests(5), ..OpenLoop::new(2_000.0, 2, Amount::Requests(10)) };
        let s = open.run(&engine, &feeds(4)).unwrap();
        assert_eq!((engine.calls(), s.load.requests, s.load.latency.count, s.service.count), (15, 10, 10, 10));
    }

    #[test]
    fn answers_later_than_the_timeout_are_errors_and_the_run_continues() {
        // Every answer takes at least 3 ms: a 1 ms timeout fails them all,
        // a 10 s one none, in each kind of row.
        let engine = Fake::sleeping(Duration::from_millis(3));
        let strict = Timeout(Some(Duration::from_millis(1)));
        let lenient = Timeout(Some(Duration::from_secs(10)));
        for (timeout, failed) in [(strict, 12), (lenient, 0), (Timeout::NONE, 0)] {
            let closed = ClosedLoop { timeout, ..closed(2, Amount::NONE, Amount::Requests(12)) };
            let s = closed.run(&engine, &feeds(4)).unwrap();
            assert_eq!((s.requests, s.errors, s.timeouts, s.latency.count), (12, failed, failed, 12 - failed));
            let open = OpenLoop { timeout, ..OpenLoop::new(2_000.0, 4, Amount::Requests(12)) };
            let s = open.run(&engine, &feeds(4)).unwrap();
            assert_eq!((s.load.errors, s.load.timeouts, s.service.count), (failed, failed, 12 - failed));
            let batch = BatchLoop { timeout, ..batched(4, 2, Amount::NONE, Amount::Requests(12)) };
            let s = batch.run(&engine, &feeds(4)).unwrap().load;
            assert_eq!((s.errors, s.timeouts), (failed, failed));
            if failed > 0 {
                assert_eq!(s.throughput, 0.0, "a timed-out answer is no success");
                assert!(s.first_error.as_deref().is_some_and(|e| e.contains("timed out")), "{:?}", s.first_error);
            }
        }
    }

    #[test]
    fn errors_are_counted_and_the_run_continues() {
        // Users 0, 3, …, 27 fail: 10 of 30.
        let engine = Fake { fail_every: Some(3), ..Fake::default() };
        let s = closed(2, Amount::NONE, Amount::Requests(30)).run(&engine, &feeds(30)).unwrap();
        assert_eq!((s.requests, s.errors, s.latency.count), (30, 10, 20));
        assert!(s.first_error.as_deref().is_some_and(|e| e.contains("fails")), "{:?}", s.first_error);

        let s = OpenLoop::new(3_000.0, 2, Amount::Requests(30)).run(&engine, &feeds(30)).unwrap();
        assert_eq!((s.load.requests, s.load.errors, s.load.latency.count, s.service.count), (30, 10, 20, 20));
    }

    #[test]
    fn a_panicking_engine_is_an_error_not_a_crash() {
        let engine = Fake { panic_on: Some(2), ..Fake::default() };
        let s = closed(2, Amount::NONE, Amount::Requests(8)).run(&engine, &feeds(4)).unwrap();
        assert_eq!((s.requests, s.errors), (8, 2));
        assert!(s.first_error.as_deref().is_some_and(|e| e.contains("panicked")), "{:?}", s.first_error);
    }

    #[test]
    fn open_loop_counts_queueing_behind_a_stall() {
        // One worker, 100 arrivals/s, 1 ms service, and one 200 ms stall on
        // the 11th request: ~20 arrivals queue behind it.
        let engine =
            Fake { delay: Duration::from_millis(1), stall: Some((10, Duration::from_millis(200))), ..Fake::default() };
        let s = OpenLoop::new(100.0, 1, Amount::Requests(120)).run(&engine, &feeds(5)).unwrap();
        assert_eq!((s.load.requests, s.load.errors), (120, 0));
        // Measured from the intended send time, the queue shows at p99…
        assert!(s.load.latency.p99_us >= 100_000.0, "intended-time p99 {:?}", s.load.latency);
        assert!(s.load.latency.max_us >= 199_000.0, "{:?}", s.load.latency);
        // …while service times hide it behind the single slow request.
        assert!(s.service.p99_us < 50_000.0, "service p99 {:?}", s.service);
        assert!(s.service.max_us >= 199_000.0, "{:?}", s.service);
        assert!(s.late >= 10, "late {}", s.late);
        assert!(s.load.latency.p99_us > 2.0 * s.service.p99_us);
    }

    #[test]
    fn open_loop_keeps_to_the_schedule() {
        let engine = Fake::default();
        let s = OpenLoop::new(500.0, 2, Amount::Requests(50)).run(&engine, &feeds(5)).unwrap();
        // 50 arrivals 2 ms apart span at least 98 ms: an open loop never runs ahead.
        assert!(s.load.seconds >= 0.098, "{}", s.load.seconds);
        let achieved = s.achieved_rate.unwrap();
        assert!(achieved <= 500.0 * 1.05 && achieved > 50.0, "{achieved}");

        // A duration means the arrivals scheduled inside it.
        let engine = Fake::default();
        let s = OpenLoop::new(400.0, 1, Amount::Duration(Duration::from_millis(50))).run(&engine, &feeds(1)).unwrap();
        assert_eq!((engine.calls(), s.load.requests), (20, 20));
    }

    #[test]
    fn invalid_settings_name_the_field() {
        let engine = Fake::default();
        let ok = closed(1, Amount::NONE, Amount::Requests(1));
        assert_eq!(what(ok.run(&engine, &[]).unwrap_err()), "workload");
        assert_eq!(what(closed(0, Amount::NONE, Amount::Requests(1)).run(&engine, &feeds(1)).unwrap_err()), "threads");
        assert_eq!(what(closed(1, Amount::NONE, Amount::Requests(0)).run(&engine, &feeds(1)).unwrap_err()), "measure");
        let forever = Amount::Duration(Duration::MAX);
        assert_eq!(what(closed(1, Amount::NONE, forever).run(&engine, &feeds(1)).unwrap_err()), "measure");
        assert_eq!(what(closed(1, forever, Amount::Requests(1)).run(&engine, &feeds(1)).unwrap_err()), "warm_up");

        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let open = OpenLoop::new(rate, 1, Amount::Requests(1));
            assert_eq!(what(open.run(&engine, &feeds(1)).unwrap_err()), "rate", "rate {rate}");
        }
        let tiny = OpenLoop::new(1e-300, 1, Amount::Requests(2));
        assert_eq!(what(tiny.run(&engine, &feeds(1)).unwrap_err()), "rate");
        assert_eq!(what(OpenLoop::new(1.0, 0, Amount::Requests(1)).run(&engine, &feeds(1)).unwrap_err()), "threads");
        assert_eq!(what(OpenLoop::new(1.0, 1, Amount::Requests(1)).run(&engine, &[]).unwrap_err()), "workload");
        assert_eq!(what(OpenLoop::new(1.0, 1, Amount::NONE).run(&engine, &feeds(1)).unwrap_err()), "measure");
        assert_eq!(engine.calls(), 0, "an invalid run must send nothing");
    }

    #[test]
    fn the_workload_is_replayed_round_robin() {
        let engine = Fake::default();
        closed(1, Amount::Requests(2), Amount::Requests(4)).run(&engine, &feeds(3)).unwrap();
        // Warm-up takes users 0, 1; the measurement continues at 2.
        assert_eq!(*engine.users.lock().unwrap(), vec![0, 1, 2, 0, 1, 2]);
    }

    /// An engine with real batch calls that records the size and the users
    /// of every batch, counts one-at-a-time calls, and can answer one
    /// request short.
    #[derive(Default)]
    struct Batcher {
        sizes: Mutex<Vec<usize>>,
        users: Mutex<Vec<u32>>,
        singles: AtomicU64,
        short: bool,
    }

    impl Batcher {
        fn batch(&self, users: impl Iterator<Item = u32>) -> searchrec_engine::Result<Vec<Vec<Hit>>> {
            let users: Vec<u32> = users.collect();
            let n = users.len();
            self.sizes.lock().unwrap().push(n);
            self.users.lock().unwrap().extend(users);
            Ok(vec![Vec::new(); if self.short { n - 1 } else { n }])
        }

        fn sizes(&self) -> Vec<usize> {
            let mut sizes = self.sizes.lock().unwrap().clone();
            sizes.sort_unstable();
            sizes
        }
    }

    impl Engine for Batcher {
        fn name(&self) -> &str {
            "batcher"
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities { search: true, recommend: true, ..Capabilities::default() }
        }
        fn search(&self, _: &SearchRequest<'_>) -> searchrec_engine::Result<Vec<Hit>> {
            self.singles.fetch_add(1, Ordering::Relaxed);
            Ok(Vec::new())
        }
        fn recommend(&self, _: &FeedRequest<'_>) -> searchrec_engine::Result<Vec<Hit>> {
            self.singles.fetch_add(1, Ordering::Relaxed);
            Ok(Vec::new())
        }
        fn report(&self) -> EngineReport {
            EngineReport::default()
        }
        fn search_batch(&self, requests: &[SearchRequest<'_>]) -> searchrec_engine::Result<Vec<Vec<Hit>>> {
            self.batch(requests.iter().map(|r| r.user.map_or(u32::MAX, |u| u.0)))
        }
        fn recommend_batch(&self, requests: &[FeedRequest<'_>]) -> searchrec_engine::Result<Vec<Vec<Hit>>> {
            self.batch(requests.iter().map(|r| r.user.0))
        }
    }

    fn batched(batch: usize, threads: usize, warm_up: Amount, measure: Amount) -> BatchLoop {
        BatchLoop { batch, threads, warm_up, measure, timeout: Timeout::NONE }
    }

    fn searches(users: u32) -> Vec<Request> {
        (0..users).map(|u| Request::Search { query: format!("query {u}"), k: 10, user: Some(UserId(u)) }).collect()
    }

    #[test]
    fn batch_loop_counts_requests_not_batches() {
        let engine = Batcher::default();
        let s = batched(8, 3, Amount::Requests(16), Amount::Requests(64)).run(&engine, &feeds(10)).unwrap();
        assert_eq!((s.batch, s.calls, s.load.requests, s.load.errors, s.load.threads), (8, 8, 64, 0, 3));
        // Latency is per batch call: one timing per successful call.
        assert_eq!(s.load.latency.count, 8);
        // Throughput is successful requests (not calls) per second.
        let expected = 64.0 / s.load.seconds;
        assert!((s.load.throughput - expected).abs() <= 1e-9 * expected, "{} vs {expected}", s.load.throughput);
        // Two warm-up batches and eight measured ones, all of the configured size.
        assert_eq!(engine.sizes(), vec![8; 10]);
        assert_eq!(engine.singles.load(Ordering::Relaxed), 0, "every request went through a batch call");

        // A request count that is not a multiple of the batch: exactly that
        // many requests, the last batch smaller.
        let engine = Batcher::default();
        let s = batched(8, 2, Amount::NONE, Amount::Requests(20)).run(&engine, &feeds(10)).unwrap();
        assert_eq!((s.calls, s.load.requests, s.load.latency.count), (3, 20, 3));
        assert_eq!(engine.sizes(), vec![4, 8, 8]);
    }

    #[test]
    fn batch_loop_sends_batches_of_the_configured_size_round_robin() {
        let engine = Batcher::default();
        let s = batched(3, 1, Amount::Requests(3), Amount::Requests(6)).run(&engine, &searches(5)).unwrap();
        assert_eq!((s.calls, s.load.requests), (2, 6));
        assert_eq!(*engine.sizes.lock().unwrap(), vec![3, 3, 3], "search_batch got batches of 3");
        // Warm-up takes users 0–2; the measurement continues at 3 and wraps round.
        assert_eq!(*engine.users.lock().unwrap(), vec![0, 1, 2, 3, 4, 0, 1, 2, 3]);
        assert_eq!(engine.singles.load(Ordering::Relaxed), 0);

        // A batch larger than the workload repeats it.
        let engine = Batcher::default();
        batched(5, 1, Amount::NONE, Amount::Requests(5)).run(&engine, &feeds(2)).unwrap();
        assert_eq!(*engine.users.lock().unwrap(), vec![0, 1, 0, 1, 0]);

        // A duration sends whole batches until the deadline.
        let engine = Fake::sleeping(Duration::from_millis(1));
        let s =
            batched(4, 2, Amount::NONE, Amount::Duration(Duration::from_millis(50))).run(&engine, &feeds(6)).unwrap();
        assert!(s.load.seconds >= 0.05, "{}", s.load.seconds);
        assert!(s.calls >= 2 && s.load.requests == 4 * s.calls, "{} requests in {} calls", s.load.requests, s.calls);
        assert_eq!(s.load.requests, engine.calls());
    }

    #[test]
    fn batch_errors_are_counted_per_request_and_the_run_continues() {
        // Users 0, 10 and 20 fail; the default batch path fails the whole
        // batch holding one: batches [0, 5), [10, 15) and [20, 25).
        let engine = Fake { fail_every: Some(10), ..Fake::default() };
        let s = batched(5, 2, Amount::NONE, Amount::Requests(30)).run(&engine, &feeds(30)).unwrap();
        assert_eq!((s.calls, s.load.requests, s.load.errors, s.load.latency.count), (6, 30, 15, 3));
        assert!(s.load.first_error.as_deref().is_some_and(|e| e.contains("fails")), "{:?}", s.load.first_error);
        let expected = 15.0 / s.load.seconds;
        assert!((s.load.throughput - expected).abs() <= 1e-9 * expected, "only successes count");

        // An answer list of the wrong length is an error for the whole batch.
        let engine = Batcher { short: true, ..Batcher::default() };
        let s = batched(4, 1, Amount::NONE, Amount::Requests(8)).run(&engine, &searches(4)).unwrap();
        assert_eq!((s.load.requests, s.load.errors, s.load.latency.count), (8, 8, 0));
        assert!(s.load.first_error.as_deref().is_some_and(|e| e.contains("answered 3 of")), "{:?}", s.load.first_error);
    }

    #[test]
    fn a_panicking_batch_is_an_error_not_a_crash() {
        // User 2 panics: batches [2, 3] panic, [0, 1] do not.
        let engine = Fake { panic_on: Some(2), ..Fake::default() };
        let s = batched(2, 2, Amount::NONE, Amount::Requests(8)).run(&engine, &feeds(4)).unwrap();
        assert_eq!((s.calls, s.load.requests, s.load.errors, s.load.latency.count), (4, 8, 4, 2));
        assert!(s.load.first_error.as_deref().is_some_and(|e| e.contains("panicked")), "{:?}", s.load.first_error);
    }

    #[test]
    fn invalid_batch_settings_name_the_field() {
        let engine = Batcher::default();
        let run = |b: BatchLoop, workload: &[Request]| what(b.run(&engine, workload).unwrap_err());
        let one = Amount::Requests(1);
        assert_eq!(run(batched(0, 1, Amount::NONE, one), &feeds(1)), "batch");
        assert_eq!(run(batched(MAX_BATCH + 1, 1, Amount::NONE, one), &feeds(1)), "batch");
        assert_eq!(run(batched(1, 0, Amount::NONE, one), &feeds(1)), "threads");
        assert_eq!(run(batched(1, 1, Amount::NONE, Amount::NONE), &feeds(1)), "measure");
        assert_eq!(run(batched(1, 1, Amount::Duration(Duration::MAX), one), &feeds(1)), "warm_up");
        assert_eq!(run(batched(1, 1, Amount::NONE, one), &[]), "workload");
        let mut mixed = feeds(2);
        mixed.extend(searches(2));
        assert_eq!(run(batched(1, 1, Amount::NONE, one), &mixed), "workload");
        assert!(engine.sizes().is_empty(), "an invalid run must send nothing");

        let s = batched(MAX_BATCH, 1, Amount::NONE, one).run(&engine, &feeds(1)).unwrap();
        assert_eq!((s.batch, s.calls, s.load.requests), (MAX_BATCH, 1, 1));
    }

    #[test]
    fn summaries_serialize() {
        let engine = Fake::default();
        let s = OpenLoop::new(5_000.0, 1, Amount::Requests(5)).run(&engine, &feeds(2)).unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"p999_us\"") && json.contains("\"achieved_rate\""), "{json}");
        // serde_json's default float parsing is not always correctly rounded,
        // so compare the counts exactly and the floats to a relative 1e-12.
        let back: OpenLoopSummary = serde_json::from_str(&json).unwrap();
        assert_eq!((back.load.requests, back.late, back.load.latency.count), (5, s.late, 5));
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
        assert!(
            close(back.load.throughput, s.load.throughput) && close(back.load.latency.p99_us, s.load.latency.p99_us)
        );
        assert!(back.achieved_rate.zip(s.achieved_rate).is_some_and(|(a, b)| close(a, b)));
    }
}
