//! The engine conformance suite: the [`Engine`] contract, checked the same
//! way for every engine.
//!
//! Written once against `dyn Engine`; each engine crate runs it from its own
//! tests with the `conformance` feature:
//!
//! ```toml
//! [dev-dependencies]
//! searchrec-engine = { workspace = true, features = ["conformance"] }
//! ```
//!
//! ```no_run
//! use searchrec_engine::conformance::{Probe, assert_conforms};
//! use searchrec_engine::{BuildInput, Engine};
//!
//! fn check(engine: &dyn Engine, input: BuildInput<'_>) {
//!     assert_conforms(engine, &Probe::from_input(input, &["red hoodie", "dog leash"]));
//! }
//! ```
//!
//! For each request kind the engine claims ([`Capabilities`]), over the
//! probe's queries and users and with k = 1, 10, far above the catalogue and
//! `usize::MAX`: at most k hits, no duplicates, ids inside the catalogue,
//! finite scores, scores non-increasing with ties in ascending item id, the
//! same answer twice and from several threads at once, and at least one
//! non-empty answer. Query text with query-language syntax, emoji or
//! megabytes of junk is answered, not refused. k = 0, an empty query and an
//! unknown user are [`EngineError::InvalidRequest`]; a kind the engine does
//! not claim is [`EngineError::Unsupported`]. A panic inside the engine is
//! caught and reported as a failed check, like any other.

use std::collections::HashSet;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

use searchrec_datasets::{ItemId, UserId};

use crate::{BuildInput, Capabilities, Context, Engine, EngineError, FeedRequest, Hit, SearchRequest, Signals};

/// Text no engine may refuse: query syntax of popular engines, odd Unicode,
/// control characters and sizes no user types.
const HOSTILE_QUERIES: &[&str] = &[
    "\"unbalanced quote",
    "(open paren",
    "close paren)",
    "title:hoodie",
    "brand:",
    "AND",
    "OR NOT",
    "red AND OR hoodie",
    "-",
    "--red -hoodie",
    "+red +",
    "*",
    "red*",
    "?",
    "hoodie~2",
    "red^3",
    "[1 TO 5]",
    "{}",
    "\\",
    "/regex/",
    "!!!",
    "'; DROP TABLE items; --",
    "😀 🛒",
    "ｆｕｌｌ ｗｉｄｔｈ",
    "naïve café",
    "nul\u{0}byte",
    "red\" OR (hoodie: [",
];

/// What to ask an engine while checking it.
#[derive(Clone, Debug, PartialEq)]
pub struct Probe {
    /// Queries to search for. Include ones that match catalogue text: the
    /// ranking checks are only as good as the hits they see, and an engine
    /// that answers every probe query with nothing fails.
    pub queries: Vec<String>,
    /// Users the engine was built with, for feed requests and personalised search.
    pub users: Vec<UserId>,
    /// A user id the engine was not built with.
    pub unknown_user: UserId,
    /// Number of items in the catalogue the engine was built from.
    pub catalog_len: usize,
    /// Threads in the concurrency check (at least 2 to mean anything).
    pub threads: usize,
}

impl Probe {
    /// A probe for an engine built from `input`: the given queries plus the
    /// first few distinct logged ones, the first, middle and last user, the
    /// first id past the user table as the unknown user, and 4 threads.
    pub fn from_input(input: BuildInput<'_>, queries: &[&str]) -> Probe {
        const LOGGED_QUERIES: usize = 8;
        let mut all: Vec<String> = queries.iter().map(|q| q.to_string()).collect();
        let mut logged = 0;
        for query in &input.logs.queries {
            if logged == LOGGED_QUERIES {
                break;
            }
            if !all.contains(query) {
                all.push(query.clone());
                logged += 1;
            }
        }
        let n = input.users.len();
        let mut users: Vec<UserId> =
            [0, n / 2, n.saturating_sub(1)].into_iter().filter_map(|row| input.users.get(row)).map(|u| u.id).collect();
        users.dedup();
        Probe {
            queries: all,
            users,
            unknown_user: UserId(u32::try_from(n).unwrap_or(u32::MAX)),
            catalog_len: input.catalog.len(),
            threads: 4,
        }
    }
}

/// One failed check.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The engine's instance name.
    pub engine: String,
    /// The request, rendered.
    pub request: String,
    /// Which rule of the contract failed.
    pub check: &'static str,
    /// What was seen.
    pub detail: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "engine `{}`, {}: {}: {}", self.engine, self.request, self.check, self.detail)
    }
}

/// Runs every check and panics with the list of failures, if any.
pub fn assert_conforms(engine: &dyn Engine, probe: &Probe) {
    let failures = check_conformance(engine, probe);
    if !failures.is_empty() {
        const SHOWN: usize = 30;
        let mut message = format!("engine `{}` fails {} conformance check(s):", engine.name(), failures.len());
        for failure in failures.iter().take(SHOWN) {
            message.push_str(&format!("\n  - {failure}"));
        }
        if failures.len() > SHOWN {
            message.push_str(&format!("\n  … and {} more", failures.len() - SHOWN));
        }
        panic!("{message}");
    }
}

/// Runs every check and returns the failures (empty when the engine conforms).
pub fn check_conformance(engine: &dyn Engine, probe: &Probe) -> Vec<Failure> {
    let mut checker = Checker { engine, name: engine.name().to_string(), failures: Vec::new() };
    let capabilities = engine.capabilities();
    checker.capabilities(capabilities);
    checker.report();
    let (searches, feeds) = (search_requests(probe), feed_requests(probe));
    if capabilities.search {
        checker.search_contract(&searches, probe);
    } else {
        checker.unsupported(Request::Search(SearchRequest::new("hoodie", 10)), "search");
    }
    if capabilities.recommend {
        checker.feed_contract(&feeds, probe);
    } else {
        checker.unsupported(Request::Feed(FeedRequest::new(UserId(0), 10)), "recommend");
    }
    let searches = searches.into_iter().filter(|r| capabilities.search && r.k == 10).map(Request::Search);
    let feeds = feeds.into_iter().filter(|r| capabilities.recommend && r.k == 10).map(Request::Feed);
    checker.concurrent(&searches.chain(feeds).collect::<Vec<_>>(), probe.threads);
    checker.failures
}

/// k = 1, 10, far above the catalogue, and the largest k there is.
fn ks(probe: &Probe) -> [usize; 4] {
    [1, 10, probe.catalog_len.saturating_mul(10).max(1_000), usize::MAX]
}

/// Signals on both channels, as the simulator sends them.
fn context(probe: &Probe) -> Context<'_> {
    const CLICKED: &[ItemId] = &[ItemId(0)];
    static SHOWN: LazyLock<Vec<Vec<ItemId>>> = LazyLock::new(|| vec![vec![ItemId(0)]]);
    let search = Signals { queries: &probe.queries, shown: &SHOWN, clicks: CLICKED, purchases: CLICKED };
    let feed = Signals { queries: &[], shown: &SHOWN, clicks: CLICKED, purchases: CLICKED };
    Context { search, feed }
}

/// Every probe query at every k, anonymously; then known users with a context.
fn search_requests(probe: &Probe) -> Vec<SearchRequest<'_>> {
    let mut requests = Vec::new();
    for query in &probe.queries {
        requests.extend(ks(probe).map(|k| SearchRequest::new(query, k)));
    }
    for &user in &probe.users {
        for query in probe.queries.iter().take(2) {
            requests.push(SearchRequest { query, k: 10, user: Some(user), context: context(probe) });
        }
    }
    requests
}

/// Every probe user at every k, then with a context.
fn feed_requests(probe: &Probe) -> Vec<FeedRequest<'_>> {
    let mut requests = Vec::new();
    for &user in &probe.users {
        requests.extend(ks(probe).map(|k| FeedRequest::new(user, k)));
        requests.push(FeedRequest { user, k: 10, context: context(probe) });
    }
    requests
}

/// Queries far longer than anyone types: many words, and one endless word.
fn long_queries() -> [String; 2] {
    ["red hoodie (".repeat(10_000), "x".repeat(100_000)]
}

#[derive(Clone, Copy, Debug)]
enum Request<'a> {
    Search(SearchRequest<'a>),
    Feed(FeedRequest<'a>),
}

/// An answer, or the panic message when the engine panicked.
type Outcome = std::result::Result<crate::Result<Vec<Hit>>, String>;

impl Request<'_> {
    fn run(&self, engine: &dyn Engine) -> Outcome {
        catch_unwind(AssertUnwindSafe(|| match self {
            Request::Search(r) => engine.search(r),
            Request::Feed(r) => engine.recommend(r),
        }))
        .map_err(|payload| {
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string panic payload)".to_string())
        })
    }

    fn k(&self) -> usize {
        match self {
            Request::Search(r) => r.k,
            Request::Feed(r) => r.k,
        }
    }
}

impl fmt::Display for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn context(c: &Context<'_>) -> &'static str {
            if c.is_empty() { "empty" } else { "set" }
        }
        match self {
            Request::Search(r) => {
                const SHOWN: usize = 40;
                let mut query: String = r.query.chars().take(SHOWN).collect();
                if r.query.chars().nth(SHOWN).is_some() {
                    query.push('…');
                }
                let user = r.user.map_or("none".to_string(), |u| u.to_string());
                write!(f, "search(query {query:?}, k {}, user {user}, context {})", r.k, context(&r.context))
            }
            Request::Feed(r) => {
                write!(f, "recommend(user {}, k {}, context {})", r.user, r.k, context(&r.context))
            }
        }
    }
}

/// Hits compared bit for bit: "the same answer" means the same scores too.
fn same_hits(a: &[Hit], b: &[Hit]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.item == y.item && x.score.to_bits() == y.score.to_bits())
}

fn same_outcome(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Ok(Ok(x)), Ok(Ok(y))) => same_hits(x, y),
        (Ok(Err(x)), Ok(Err(y))) => x.to_string() == y.to_string(),
        _ => false,
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Ok(Ok(hits)) => format!("Ok with {} hits", hits.len()),
        Ok(Err(e)) => format!("Err({e})"),
        Err(panic) => format!("panicked: {panic}"),
    }
}

struct Checker<'e> {
    engine: &'e dyn Engine,
    name: String,
    failures: Vec<Failure>,
}

impl Checker<'_> {
    fn fail(&mut self, request: impl ToString, check: &'static str, detail: String) {
        self.failures.push(Failure { engine: self.name.clone(), request: request.to_string(), check, detail });
    }

    fn capabilities(&mut self, c: Capabilities) {
        if c.personalised_search && !c.search {
            self.fail("capabilities()", "capabilities are consistent", "personalised_search without search".into());
        }
        if c.query_aware_feed && !c.recommend {
            self.fail("capabilities()", "capabilities are consistent", "query_aware_feed without recommend".into());
        }
    }

    fn report(&mut self) {
        let report = self.engine.report();
        if !(report.build_seconds.is_finite() && report.build_seconds >= 0.0) {
            self.fail("report()", "report is finite", format!("build_seconds = {}", report.build_seconds));
        }
        for (name, value) in &report.diagnostics {
            if !value.is_finite() {
                self.fail("report()", "report is finite", format!("diagnostic {name} = {value}"));
            }
        }
    }

    fn search_contract(&mut self, requests: &[SearchRequest<'_>], probe: &Probe) {
        let lists: Vec<_> = requests.iter().map(|&r| self.answered(Request::Search(r), probe)).collect();
        if !lists.iter().flatten().any(|hits| !hits.is_empty()) {
            self.fail("every probe query", "answers something", "no probe query found anything".to_string());
        }
        for query in HOSTILE_QUERIES.iter().map(|q| q.to_string()).chain(long_queries()) {
            self.answered(Request::Search(SearchRequest::new(&query, 10)), probe);
        }
        for query in ["", " ", "\t\n"] {
            self.invalid(Request::Search(SearchRequest::new(query, 10)), "an empty query is InvalidRequest");
        }
        let query = probe.queries.first().map_or("hoodie", String::as_str);
        self.invalid(Request::Search(SearchRequest::new(query, 0)), "k = 0 is InvalidRequest");
        let unknown = SearchRequest { user: Some(probe.unknown_user), ..SearchRequest::new(query, 10) };
        self.invalid(Request::Search(unknown), "an unknown user is InvalidRequest");
    }

    fn feed_contract(&mut self, requests: &[FeedRequest<'_>], probe: &Probe) {
        let lists: Vec<_> = requests.iter().map(|&r| self.answered(Request::Feed(r), probe)).collect();
        if !lists.iter().flatten().any(|hits| !hits.is_empty()) {
            self.fail("every probe user", "answers something", "no probe user got a feed".to_string());
        }
        let user = probe.users.first().copied().unwrap_or(UserId(0));
        self.invalid(Request::Feed(FeedRequest::new(user, 0)), "k = 0 is InvalidRequest");
        let unknown = FeedRequest::new(probe.unknown_user, 10);
        self.invalid(Request::Feed(unknown), "an unknown user is InvalidRequest");
    }

    /// The request must succeed with a well-formed list, twice the same.
    fn answered(&mut self, request: Request<'_>, probe: &Probe) -> Option<Vec<Hit>> {
        let first = request.run(self.engine);
        let hits = match &first {
            Ok(Ok(hits)) => hits.clone(),
            other => {
                self.fail(request, "a valid request is answered", describe(other));
                return None;
            }
        };
        self.well_formed(request, &hits, probe);
        let second = request.run(self.engine);
        if !same_outcome(&first, &second) {
            self.fail(request, "the same answer twice", format!("{} then {}", describe(&first), describe(&second)));
        }
        Some(hits)
    }

    fn well_formed(&mut self, request: Request<'_>, hits: &[Hit], probe: &Probe) {
        if hits.len() > request.k() {
            self.fail(request, "k respected", format!("{} hits", hits.len()));
        }
        if hits.len() > probe.catalog_len {
            self.fail(request, "no more hits than items", format!("{} hits, {} items", hits.len(), probe.catalog_len));
        }
        let mut seen = HashSet::new();
        for (rank, hit) in hits.iter().enumerate() {
            if hit.item.index() >= probe.catalog_len {
                self.fail(request, "items inside the catalogue", format!("item {} at rank {rank}", hit.item));
            }
            if !seen.insert(hit.item) {
                self.fail(request, "no duplicate items", format!("item {} again at rank {rank}", hit.item));
            }
            if !hit.score.is_finite() {
                self.fail(request, "finite scores", format!("score {} at rank {rank}", hit.score));
            }
        }
        for (rank, pair) in hits.windows(2).enumerate() {
            let (a, b) = (pair[0], pair[1]);
            let ordered = a.score > b.score || (a.score == b.score && a.item < b.item);
            if !ordered && a.score.is_finite() && b.score.is_finite() {
                self.fail(
                    request,
                    "scores non-increasing, ties by ascending item",
                    format!("rank {rank} ({}, {}) before ({}, {})", a.item, a.score, b.item, b.score),
                );
            }
        }
    }

    fn invalid(&mut self, request: Request<'_>, check: &'static str) {
        let outcome = request.run(self.engine);
        if !matches!(outcome, Ok(Err(EngineError::InvalidRequest { .. }))) {
            self.fail(request, check, describe(&outcome));
        }
    }

    fn unsupported(&mut self, request: Request<'_>, operation: &'static str) {
        let outcome = request.run(self.engine);
        let ok = matches!(&outcome, Ok(Err(EngineError::Unsupported { operation: op, .. })) if *op == operation);
        if !ok {
            self.fail(request, "an unclaimed request kind is Unsupported", describe(&outcome));
        }
    }

    /// Every thread runs every request; each answer must equal the
    /// sequential one.
    fn concurrent(&mut self, requests: &[Request<'_>], threads: usize) {
        if requests.is_empty() {
            return;
        }
        let engine = self.engine;
        let expected: Vec<Outcome> = requests.iter().map(|r| r.run(engine)).collect();
        let answers: Vec<Vec<Outcome>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    scope.spawn(move || {
                        // Threads walk the list from different offsets so
                        // that different requests really overlap.
                        let mut out: Vec<Option<Outcome>> = requests.iter().map(|_| None).collect();
                        for i in 0..requests.len() {
                            let j = (i + t * requests.len() / threads.max(1)) % requests.len();
                            out[j] = Some(requests[j].run(engine));
                        }
                        out.into_iter().map(|o| o.unwrap_or_else(|| Err("not run".to_string()))).collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| requests.iter().map(|_| Err("thread panicked".into())).collect()))
                .collect()
        });
        for (t, outcomes) in answers.iter().enumerate() {
            for ((request, want), got) in requests.iter().zip(&expected).zip(outcomes) {
                if !same_outcome(want, got) {
                    self.fail(
                        *request,
                        "the same answer from several threads at once",
                        format!("thread {t}: {} instead of {}", describe(got), describe(want)),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::{EngineReport, Result};

    /// What a toy engine gets wrong.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Fault {
        None,
        IgnoresK,
        Duplicates,
        TiesByDescendingItem,
        NanScore,
        EmptyInsteadOfUnsupported,
        PanicsOnHugeK,
        Nondeterministic,
        AcceptsEmptyQuery,
        ErrorsOnSyntax,
        IgnoresUnknownUser,
        AlwaysEmpty,
    }

    const ITEMS: usize = 5;
    const USERS: u32 = 3;

    /// Search returns items in a fixed order with scores 3, 2, 2, 1, 0.5;
    /// there is no feed.
    struct Toy {
        fault: Fault,
        calls: AtomicU32,
    }

    impl Toy {
        fn new(fault: Fault) -> Toy {
            Toy { fault, calls: AtomicU32::new(0) }
        }
    }

    impl Engine for Toy {
        fn name(&self) -> &str {
            "toy"
        }

        fn capabilities(&self) -> Capabilities {
            Capabilities { search: true, ..Capabilities::default() }
        }

        fn search(&self, request: &SearchRequest<'_>) -> Result<Vec<Hit>> {
            if self.fault != Fault::AcceptsEmptyQuery {
                request.validate("toy")?;
            }
            if self.fault != Fault::IgnoresUnknownUser && request.user.is_some_and(|u| u.0 >= USERS) {
                return Err(EngineError::InvalidRequest { engine: "toy".into(), message: "unknown user".into() });
            }
            if self.fault == Fault::ErrorsOnSyntax && request.query.contains(':') {
                return Err(EngineError::Backend { engine: "toy".into(), message: "syntax error".into() });
            }
            if self.fault == Fault::PanicsOnHugeK && request.k == usize::MAX {
                let _ = Vec::<Hit>::with_capacity(request.k);
            }
            if self.fault == Fault::AlwaysEmpty {
                return Ok(Vec::new());
            }
            let ranked = [(4, 3.0), (1, 2.0), (2, 2.0), (0, 1.0), (3, 0.5)];
            let mut hits: Vec<Hit> = ranked.iter().map(|&(i, s)| Hit { item: ItemId(i), score: s }).collect();
            match self.fault {
                Fault::Duplicates => hits[3].item = ItemId(4),
                Fault::TiesByDescendingItem => hits.swap(1, 2),
                Fault::NanScore => hits[4].score = f32::NAN,
                Fault::Nondeterministic => hits[0].score += self.calls.fetch_add(1, Ordering::Relaxed) as f32,
                _ => {}
            }
            if self.fault != Fault::IgnoresK {
                hits.truncate(request.k);
            }
            Ok(hits)
        }

        fn recommend(&self, _: &FeedRequest<'_>) -> Result<Vec<Hit>> {
            if self.fault == Fault::EmptyInsteadOfUnsupported {
                return Ok(Vec::new());
            }
            Err(EngineError::Unsupported { engine: "toy".into(), operation: "recommend" })
        }

        fn report(&self) -> EngineReport {
            EngineReport::default()
        }
    }

    fn probe() -> Probe {
        Probe {
            queries: vec!["red hoodie".into(), "dog leash".into()],
            users: vec![UserId(0), UserId(2)],
            unknown_user: UserId(USERS),
            catalog_len: ITEMS,
            threads: 3,
        }
    }

    fn failed_checks(fault: Fault) -> Vec<&'static str> {
        let mut checks: Vec<_> = check_conformance(&Toy::new(fault), &probe()).into_iter().map(|f| f.check).collect();
        checks.dedup();
        checks
    }

    #[test]
    fn a_correct_engine_conforms() {
        assert_conforms(&Toy::new(Fault::None), &probe());
    }

    #[test]
    fn each_fault_is_caught_by_its_check() {
        let cases = [
            (Fault::IgnoresK, "k respected"),
            (Fault::Duplicates, "no duplicate items"),
            (Fault::TiesByDescendingItem, "scores non-increasing, ties by ascending item"),
            (Fault::NanScore, "finite scores"),
            (Fault::EmptyInsteadOfUnsupported, "an unclaimed request kind is Unsupported"),
            (Fault::PanicsOnHugeK, "a valid request is answered"),
            (Fault::Nondeterministic, "the same answer twice"),
            (Fault::AcceptsEmptyQuery, "an empty query is InvalidRequest"),
            (Fault::ErrorsOnSyntax, "a valid request is answered"),
            (Fault::IgnoresUnknownUser, "an unknown user is InvalidRequest"),
            (Fault::AlwaysEmpty, "answers something"),
        ];
        for (fault, check) in cases {
            let checks = failed_checks(fault);
            assert!(checks.contains(&check), "{fault:?} should fail `{check}`, failed {checks:?}");
        }
    }

    #[test]
    fn nondeterminism_shows_across_threads_too() {
        assert!(failed_checks(Fault::Nondeterministic).contains(&"the same answer from several threads at once"));
    }

    #[test]
    fn messages_name_engine_request_and_check() {
        let failure = check_conformance(&Toy::new(Fault::IgnoresK), &probe()).remove(0);
        let text = failure.to_string();
        assert!(
            text.starts_with("engine `toy`, search(query \"red hoodie\", k 1, user none, context empty): k respected:"),
            "{text}"
        );
    }

    #[test]
    #[should_panic(expected = "engine `toy` fails")]
    fn assert_conforms_panics_on_failure() {
        assert_conforms(&Toy::new(Fault::Duplicates), &probe());
    }
}
