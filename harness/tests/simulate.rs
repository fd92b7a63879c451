//! The GMV simulator on a tiny generated world with real engines.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use searchrec_datasets::policy::TermMatchSearch;
use searchrec_datasets::{Action, ItemId, Logs, Scale, Scenario, World, generate};
use searchrec_engine::{
    BuildInput, Capabilities, Engine, EngineError, EngineReport, EngineSpec, FeedRequest, Hit, Registry, SearchRequest,
};
use searchrec_harness::HarnessError;
use searchrec_harness::simulate::{
    ArmSettings, ChannelArms, Channels, ComparisonSettings, Estimate, FactorialArms, Margin, PlantedSettings, Retrain,
    SimulationOutput, SimulationPart, SimulationSettings, SimulationSummary, Stage, SweepSettings, UserShare, check,
    join_parts, simulate, simulate_learning, simulate_share,
};
use searchrec_hybrid::{HybridConfig, HybridEngine};

// ---------------------------------------------------------------- fixtures

/// The tiny preset, seed 3: 600 items, 300 users.
fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| generate(&Scenario::preset(Scale::Tiny), 3).expect("tiny world"))
}

/// Engines built by the shipped factories with default parameters, and the
/// four hybrids of the coupling factorial.
fn built() -> &'static [(&'static str, Box<dyn Engine>)] {
    static ENGINES: OnceLock<Vec<(&'static str, Box<dyn Engine>)>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let mut registry = Registry::new();
        registry
            .register(Box::new(searchrec_shelf::ShelfFactory))
            .register(Box::new(searchrec_interest::InterestFactory))
            .register(Box::new(searchrec_exact::ExactFactory))
            .register(Box::new(searchrec_hybrid::HybridFactory));
        let o = &world().observable;
        let input = BuildInput { catalog: &o.catalog, users: &o.users, logs: &o.logs };
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
            (name, registry.build(&spec, input).unwrap_or_else(|e| panic!("{name}: {e}")))
        })
        .collect()
    })
}

/// Every built engine plus the test engines below, by name.
fn engines() -> Vec<(&'static str, &'static dyn Engine)> {
    static CHEAP: OnceLock<Cheap> = OnceLock::new();
    let cheap = CHEAP.get_or_init(|| Cheap::new(world()));
    let mut all: Vec<(&'static str, &'static dyn Engine)> = built().iter().map(|(n, e)| (*n, e.as_ref())).collect();
    all.push(("cheap", cheap));
    all.push(("cheap-again", cheap));
    all
}

fn engine(name: &str) -> &'static dyn Engine {
    engines().into_iter().find(|(n, _)| *n == name).map(|(_, e)| e).expect("test engine")
}

/// A cheap engine: the logging policy's term-match search and a fixed
/// best-seller feed, so statistical tests can afford many replicates.
struct Cheap {
    search: TermMatchSearch,
    best_sellers: Vec<ItemId>,
}

impl Cheap {
    fn new(world: &World) -> Cheap {
        let catalog = &world.observable.catalog;
        let mut best_sellers: Vec<ItemId> = catalog.items.iter().map(|i| i.id).collect();
        best_sellers.sort_by_key(|&i| std::cmp::Reverse(catalog.item(i).sales_count));
        Cheap { search: TermMatchSearch::new(catalog, 300), best_sellers }
    }
}

fn ranked(items: impl IntoIterator<Item = ItemId>) -> Vec<Hit> {
    items.into_iter().enumerate().map(|(r, item)| Hit { item, score: -(r as f32) }).collect()
}

impl Engine for Cheap {
    fn name(&self) -> &str {
        "cheap"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities { search: true, recommend: true, ..Capabilities::default() }
    }
    fn search(&self, request: &SearchRequest<'_>) -> Result<Vec<Hit>, EngineError> {
        Ok(ranked(self.search.search(request.query, request.k)))
    }
    fn recommend(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>, EngineError> {
        Ok(ranked(self.best_sellers.iter().copied().take(request.k)))
    }
    fn report(&self) -> EngineReport {
        EngineReport::default()
    }
}

/// A deliberately crippled engine: the inner engine's 10·k hits, worst first.
struct Reversed(&'static dyn Engine);

impl Reversed {
    fn worst(hits: Vec<Hit>, k: usize) -> Vec<Hit> {
        ranked(hits.into_iter().rev().take(k).map(|h| h.item))
    }
}

impl Engine for Reversed {
    fn name(&self) -> &str {
        "reversed"
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    fn search(&self, r: &SearchRequest<'_>) -> Result<Vec<Hit>, EngineError> {
        Ok(Reversed::worst(self.0.search(&SearchRequest { k: r.k * 10, ..*r })?, r.k))
    }
    fn recommend(&self, r: &FeedRequest<'_>) -> Result<Vec<Hit>, EngineError> {
        Ok(Reversed::worst(self.0.recommend(&FeedRequest { k: r.k * 10, ..*r })?, r.k))
    }
    fn report(&self) -> EngineReport {
        EngineReport::default()
    }
}

/// Counts its calls and answers with an item past the catalogue.
struct Faulty {
    calls: AtomicUsize,
}

impl Engine for Faulty {
    fn name(&self) -> &str {
        "faulty"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities { search: true, recommend: true, ..Capabilities::default() }
    }
    fn search(&self, _: &SearchRequest<'_>) -> Result<Vec<Hit>, EngineError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Ok(vec![Hit { item: ItemId(u32::MAX), score: 1.0 }])
    }
    fn recommend(&self, _: &FeedRequest<'_>) -> Result<Vec<Hit>, EngineError> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Ok(vec![Hit { item: ItemId(u32::MAX), score: 1.0 }])
    }
    fn report(&self) -> EngineReport {
        EngineReport::default()
    }
}

fn arm(name: &str, engine: &str, channels: Channels) -> ArmSettings {
    ArmSettings { name: name.into(), engine: engine.into(), channels }
}

fn compare(arm: &str, against: &str) -> ComparisonSettings {
    ComparisonSettings { arm: arm.into(), against: against.into() }
}

/// Small and quick: 120 users over two weeks, one replicate.
fn quick(arms: Vec<ArmSettings>) -> SimulationSettings {
    SimulationSettings {
        users: 120,
        horizon_days: 14,
        pre_period_days: 7,
        replicates: 1,
        bootstrap_resamples: 500,
        arms,
        ..SimulationSettings::default()
    }
}

fn factorial_settings() -> SimulationSettings {
    SimulationSettings {
        arms: vec![
            arm("search_only", "shelf", Channels::Search),
            arm("feed_only", "interest", Channels::Feed),
            arm("neither", "hybrid-neither", Channels::Both),
            arm("a", "hybrid-a", Channels::Both),
            arm("b", "hybrid-b", Channels::Both),
            arm("a_b", "hybrid-a-b", Channels::Both),
        ],
        factorial: Some(FactorialArms { neither: "neither".into(), a: "a".into(), b: "b".into(), a_b: "a_b".into() }),
        comparisons: vec![compare("a_b", "search_only"), compare("a_b", "feed_only")],
        channel_arms: Some(ChannelArms {
            search: "search_only".into(),
            feed: "feed_only".into(),
            both: "neither".into(),
        }),
        planted: Some(PlantedSettings::default()),
        ..SimulationSettings::default()
    }
}

/// The summary with its wall-clock figures zeroed: the only ones that may
/// differ between two runs of the same seed.
fn without_timings(mut s: SimulationSummary) -> SimulationSummary {
    s.seconds = 0.0;
    s.sessions_per_second = 0.0;
    s.engine_share = 0.0;
    for arm in &mut s.arms {
        arm.guardrails.latency_p50_us = 0.0;
        arm.guardrails.latency_p99_us = 0.0;
    }
    s
}

fn run(settings: &SimulationSettings, seed: u64) -> SimulationOutput {
    simulate(world(), &engines(), settings, seed, None).unwrap()
}

fn invalid_what(result: Result<SimulationOutput, HarnessError>) -> (String, String) {
    match result {
        Err(HarnessError::Invalid { what, message }) => (what, message),
        Err(other) => panic!("expected Invalid, got {other}"),
        Ok(_) => panic!("expected an error"),
    }
}

// ---------------------------------------------------------------- settings

#[test]
fn settings_read_from_toml_with_defaults() {
    let s: SimulationSettings = toml::from_str(
        r#"
        users = 50
        [[arms]]
        name = "search_only"
        engine = "shelf"
        channels = "search"
        [[sensitivity]]
        parameter = "behaviour.seed_offset"
        values = [1.5, 2.5]
        "#,
    )
    .unwrap();
    assert_eq!(s.users, 50);
    assert_eq!(s.horizon_days, SimulationSettings::default().horizon_days);
    assert_eq!(s.arms, vec![arm("search_only", "shelf", Channels::Search)]);
    let typo = toml::from_str::<SimulationSettings>("user = 5").unwrap_err().to_string();
    assert!(typo.contains("unknown field `user`"), "{typo}");
    let bad_channel = toml::from_str::<SimulationSettings>("[[arms]]\nname='x'\nengine='y'\nchannels='email'");
    assert!(bad_channel.is_err());
    // The seed defaults to none (the world's); the margin to 2% of the control.
    assert_eq!((s.seed, s.equivalence_margin), (None, Margin::Relative(0.02)));
}

#[test]
fn seed_and_equivalence_margin_read_from_toml() {
    let read = |text: &str| toml::from_str::<SimulationSettings>(text);
    let s = read("seed = 42\nequivalence_margin = \"2.5%\"").unwrap();
    assert_eq!((s.seed, s.equivalence_margin), (Some(42), Margin::Relative(0.025)));
    assert_eq!(read("equivalence_margin = 1.5").unwrap().equivalence_margin, Margin::Absolute(1.5));
    assert_eq!(read("equivalence_margin = 2").unwrap().equivalence_margin, Margin::Absolute(2.0));
    let err = read("equivalence_margin = \"two\"").unwrap_err().to_string();
    assert!(err.contains("equivalence_margin `two`") && err.contains("\"2%\""), "{err}");
    assert!(read("seed = -1").is_err());
    // Written back as it was given.
    assert_eq!(Margin::Relative(0.07).setting(), "7%");
    assert_eq!(Margin::Absolute(1.5).setting(), "1.5");
    assert_eq!(Margin::Relative(0.02).resolve(110.0), 2.2);
    let back: SimulationSettings = toml::from_str(&toml::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
}

#[test]
fn validate_names_the_field_and_the_fix() {
    let base = quick(vec![arm("x", "cheap", Channels::Both)]);
    let field = |s: SimulationSettings| match s.validate() {
        Err(HarnessError::Invalid { what, message }) => format!("{what}: {message}"),
        other => panic!("expected an error, got {other:?}"),
    };
    assert!(field(SimulationSettings { users: 0, ..base.clone() }).starts_with("simulation.users"));
    assert!(field(SimulationSettings { horizon_days: 0, ..base.clone() }).starts_with("simulation.horizon_days"));
    assert!(field(SimulationSettings { horizon_days: 100_000, ..base.clone() }).starts_with("simulation.horizon_days"));
    assert!(field(SimulationSettings { k: 0, ..base.clone() }).starts_with("simulation.k"));
    assert!(field(SimulationSettings { confidence: 1.0, ..base.clone() }).starts_with("simulation.confidence"));
    assert!(field(SimulationSettings { arms: vec![], ..base.clone() }).contains("[[simulation.arms]]"));
    let twice = SimulationSettings { arms: vec![base.arms[0].clone(), base.arms[0].clone()], ..base.clone() };
    assert!(field(twice).starts_with("simulation.arms[1].name"));
    let factorial = FactorialArms { neither: "x".into(), a: "nope".into(), b: "x".into(), a_b: "x".into() };
    let unknown = SimulationSettings { factorial: Some(factorial), ..base.clone() };
    assert!(field(unknown).starts_with("simulation.factorial.a: no arm is called `nope`"));
    let sweep = |parameter: &str| SweepSettings { parameter: parameter.into(), values: vec![1.0], by: None };
    let no_factorial = SimulationSettings { sensitivity: vec![sweep("behaviour.seed_offset")], ..base.clone() };
    assert!(field(no_factorial).starts_with("simulation.sensitivity"));
    let mut world_param = factorial_settings();
    world_param.sensitivity = vec![sweep("world.items")];
    assert!(field(world_param).contains("cannot be swept"));
    for margin in [Margin::Absolute(0.0), Margin::Absolute(-1.0), Margin::Relative(0.0), Margin::Relative(1.5)] {
        let s = SimulationSettings { equivalence_margin: margin, ..base.clone() };
        assert!(field(s).starts_with("simulation.equivalence_margin"), "{margin:?}");
    }
    base.validate().unwrap();
}

#[test]
fn check_refuses_bad_experiments_before_any_work() {
    let faulty = Faulty { calls: AtomicUsize::new(0) };
    let mut engines = engines();
    engines.push(("faulty", &faulty));
    let attempt = |settings: SimulationSettings| invalid_what(simulate(world(), &engines, &settings, 1, None));
    let ok_arm = arm("ok", "faulty", Channels::Both);

    let (what, message) = attempt(quick(vec![arm("x", "nope", Channels::Both)]));
    assert_eq!(what, "simulation.arms[0].engine");
    assert!(message.contains("`nope`"), "{message}");
    // The interest engine has no search: a search arm on it is refused.
    let (what, message) = attempt(quick(vec![ok_arm.clone(), arm("s", "interest", Channels::Both)]));
    assert_eq!(what, "simulation.arms[1].engine");
    assert!(message.contains("cannot search"), "{message}");
    let (what, _) = attempt(SimulationSettings { users: 301, ..quick(vec![ok_arm.clone()]) });
    assert_eq!(what, "simulation.users");
    let (what, _) = attempt(SimulationSettings { users: 0, ..quick(vec![ok_arm.clone()]) });
    assert_eq!(what, "simulation.users");
    let (what, _) = attempt(SimulationSettings { horizon_days: 0, ..quick(vec![ok_arm.clone()]) });
    assert_eq!(what, "simulation.horizon_days");
    let (what, _) = attempt(SimulationSettings { horizon_days: 40_000, ..quick(vec![ok_arm.clone()]) });
    assert_eq!(what, "simulation.horizon_days");
    // A factorial role on an engine whose switches do not match it.
    let mut swapped = SimulationSettings { users: 50, ..factorial_settings() };
    swapped.factorial.as_mut().unwrap().a = "b".into();
    swapped.factorial.as_mut().unwrap().b = "a".into();
    let (what, message) = attempt(swapped);
    assert_eq!(what, "simulation.factorial.a");
    assert!(message.contains("personalised_search = false"), "{message}");
    // A sweep value outside the scenario's range.
    let mut sweep = SimulationSettings { users: 50, ..factorial_settings() };
    sweep.sensitivity =
        vec![SweepSettings { parameter: "behaviour.cart_abandon".into(), values: vec![0.1, 2.0], by: None }];
    let (what, message) = attempt(sweep);
    assert_eq!(what, "simulation.sensitivity[0]");
    assert_eq!(message, "`behaviour.cart_abandon` = 2: 2 is out of range; allowed: 0 to 1");
    // Valid sweeps are still not the simulation's to run: each point needs a new world and engines.
    let mut sweep = SimulationSettings { users: 50, ..factorial_settings() };
    sweep.sensitivity = vec![SweepSettings { parameter: "behaviour.cart_abandon".into(), values: vec![0.1], by: None }];
    let (what, message) = attempt(sweep);
    assert_eq!(what, "simulation.sensitivity");
    assert!(message.contains("searchrec run"), "{message}");
    assert_eq!(faulty.calls.load(Ordering::Relaxed), 0, "a refused experiment must not call an engine");

    // The same checks answer without engines being built.
    let caps = |name: &str| (name == "shelf").then(|| engine("shelf").capabilities());
    assert!(check(&quick(vec![arm("x", "shelf", Channels::Both)]), world(), &caps).is_ok());
    assert!(check(&quick(vec![arm("x", "interest", Channels::Both)]), world(), &caps).is_err());

    // An engine answering with an unknown item is an error, not a panic.
    let (what, message) = attempt(quick(vec![ok_arm]));
    assert_eq!(what, "engine `faulty`");
    assert!(message.contains("catalogue"), "{message}");
}

// ---------------------------------------------------------------- behaviour

#[test]
fn arms_identical_in_config_differ_by_exactly_zero() {
    let mut settings = quick(vec![arm("one", "shelf", Channels::Both), arm("two", "shelf", Channels::Both)]);
    settings.comparisons = vec![compare("two", "one")];
    let out = run(&settings, 5);
    let uplift = out.summary.comparisons[0].uplift;
    assert_eq!((uplift.absolute.value, uplift.absolute.lower, uplift.absolute.upper), (0.0, 0.0, 0.0));
    assert_eq!(out.summary.arms[0].gmv_per_user, out.summary.arms[1].gmv_per_user);
    assert!(out.summary.arms[0].gmv_per_user.value > 0.0, "the world should buy something");
    let (one, two): (Vec<_>, Vec<_>) = out.users.iter().partition(|r| r.arm == "one");
    assert_eq!(one.len(), two.len());
    for (a, b) in one.iter().zip(&two) {
        assert_eq!((a.user, a.gmv, a.sessions, a.clicks), (b.user, b.gmv, b.sessions, b.clicks));
    }
}

#[test]
fn same_results_with_one_and_two_threads() {
    let mut settings = factorial_settings();
    settings.users = 60;
    settings.horizon_days = 14;
    settings.pre_period_days = 7;
    settings.replicates = 2;
    settings.bootstrap_resamples = 300;
    settings.aa_replicates = 2;
    let in_pool = |threads| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| run(&settings, 11))
    };
    let (one, two) = (in_pool(1), in_pool(2));
    assert_eq!(without_timings(one.summary.clone()), without_timings(two.summary.clone()));
    assert_eq!(one.sessions, two.sessions);
    assert_eq!(one.users, two.users);
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    one.write_tables(dirs[0].path()).unwrap();
    two.write_tables(dirs[1].path()).unwrap();
    for file in ["sessions.parquet", "users.parquet"] {
        let bytes = |d: &tempfile::TempDir| std::fs::read(d.path().join(file)).unwrap();
        assert_eq!(bytes(&dirs[0]), bytes(&dirs[1]), "{file}");
    }
}

#[test]
fn a_crippled_engine_loses_gmv() {
    let reversed = Reversed(engine("shelf"));
    let mut engines = engines();
    engines.push(("reversed", &reversed));
    let mut settings = quick(vec![arm("good", "shelf", Channels::Both), arm("crippled", "reversed", Channels::Both)]);
    settings.users = 300;
    settings.horizon_days = 28;
    settings.comparisons = vec![compare("crippled", "good")];
    let out = simulate(world(), &engines, &settings, 2, None).unwrap();
    let loss = out.summary.comparisons[0].uplift;
    eprintln!(
        "crippled vs good: {:.2} GMV/user ({:.1}%), CI [{:.2}, {:.2}]; good {:.2}/user",
        loss.absolute.value,
        100.0 * loss.relative.value,
        loss.absolute.lower,
        loss.absolute.upper,
        out.summary.arms[0].gmv_per_user.value
    );
    assert!(loss.absolute.upper < 0.0, "{loss:?}");
    assert!(loss.relative.value < -0.3, "{loss:?}");
    let (good, bad) = (out.summary.arms[0].guardrails, out.summary.arms[1].guardrails);
    assert!(bad.ctr < good.ctr && bad.conversion < good.conversion, "{good:?} vs {bad:?}");
}

#[test]
fn aa_false_positive_rate_is_near_nominal() {
    let mut settings = quick(vec![arm("control", "cheap", Channels::Both)]);
    settings.users = 300;
    settings.horizon_days = 14;
    settings.pre_period_days = 0;
    settings.aa_replicates = 240;
    settings.bootstrap_resamples = 2_000;
    let out = run(&settings, 17);
    let aa = out.summary.aa.expect("A/A ran");
    eprintln!(
        "A/A false-positive rate {:.3} over {} replicates (nominal {})",
        aa.false_positive_rate, aa.replicates, aa.nominal
    );
    assert_eq!(aa.replicates, 240);
    assert_eq!(aa.nominal, 0.05);
    assert!((0.02..=0.09).contains(&aa.false_positive_rate), "{aa:?}");
}

#[test]
fn the_factorial_reports_delta_cuped_and_its_controls() {
    let mut settings = factorial_settings();
    settings.users = 200;
    settings.replicates = 1;
    settings.bootstrap_resamples = 500;
    let progress = AtomicUsize::new(0);
    let on_progress = |stage: Stage, n: u64| {
        assert_ne!(stage, Stage::AaCheck);
        progress.fetch_add(n as usize, Ordering::Relaxed);
    };
    let out = simulate(world(), &engines(), &settings, 4, Some(&on_progress)).unwrap();
    assert_eq!(progress.load(Ordering::Relaxed) as u64, settings.planned_runs(Stage::Experiment));

    let s = &out.summary;
    assert_eq!(s.label, "simulated");
    assert_eq!((s.users, s.horizon_days, s.replicates), (200, 28, 1));
    let f = s.factorial.as_ref().expect("factorial");
    let gmv = |name: &str| s.arms.iter().find(|a| a.name == name).unwrap().gmv_per_user.value;
    let delta = gmv("a_b") - gmv("a") - gmv("b") + gmv("neither");
    assert!((f.interaction.value - delta).abs() < 1e-9, "{} vs {delta}", f.interaction.value);
    assert!(f.interaction.lower <= f.interaction.value && f.interaction.value <= f.interaction.upper);
    assert!((f.uplift_a.absolute.value - (gmv("a") - gmv("neither"))).abs() < 1e-9);
    assert!(["super_additive", "sub_additive", "additive", "inconclusive"].contains(&f.verdict.as_str()));
    assert!(f.statement.starts_with(&f.verdict), "{}", f.statement);
    if f.verdict == "inconclusive" {
        assert!(f.statement.contains("the experiment could only detect |Δ| ≥"), "{}", f.statement);
    }
    // The equivalence test: the default margin is 2% of `neither`, its
    // interval the 90% one, nested in the 95% interval.
    let q = f.equivalence.as_ref().expect("equivalence test");
    assert_eq!((q.margin_setting.as_str(), q.confidence), ("2%", 0.9));
    assert!((q.margin - 0.02 * gmv("neither")).abs() < 1e-9);
    assert!(f.interaction.lower <= q.lower && q.upper <= f.interaction.upper);
    // Every estimate carries its SE and the MDE = 2.80 SE.
    let mut estimates: Vec<Estimate> = s.arms.iter().map(|a| a.gmv_per_user).collect();
    for u in [&f.uplift_a, &f.uplift_b, &f.uplift_a_b].into_iter().chain(s.comparisons.iter().map(|c| &c.uplift)) {
        estimates.extend([u.absolute, u.relative]);
    }
    estimates.extend([f.interaction, f.interaction_cuped.adjusted]);
    for e in &estimates {
        let (se, mde) = (e.se.expect("se"), e.mde.expect("mde"));
        assert!(se > 0.0, "{e:?}");
        assert!((mde / se - 2.801_585_218_112_968).abs() < 1e-9, "{e:?}");
    }
    assert_eq!((s.seed, s.power), (4, 0.8));
    assert!(s.sensitivity.is_empty(), "sweeps are the run's, not the simulation's");
    // CUPED on Δ: θ fitted, the reduction a share of the variance (it can
    // be slightly negative when θ's own noise costs more than it removes).
    assert!(f.interaction_cuped.theta.is_finite());
    assert!((-0.5..=1.0).contains(&f.interaction_cuped.variance_reduction), "{:?}", f.interaction_cuped);
    // The channel-level interaction: both − search only − feed only + 0.
    let c = s.channel_interaction.as_ref().expect("channel interaction");
    let channel = gmv("neither") - gmv("search_only") - gmv("feed_only");
    assert!((c.interaction.value - channel).abs() < 1e-9, "{} vs {channel}", c.interaction.value);
    // Per session: Σ GMV / Σ sessions over the users.
    for arm in &s.arms {
        let rows: Vec<_> = out.users.iter().filter(|r| r.arm == arm.name).collect();
        let (gmv, sessions) = rows.iter().fold((0.0, 0u32), |(g, n), r| (g + r.gmv, n + r.sessions));
        let per_session = arm.gmv_per_session.expect("per session").value;
        assert!((per_session - gmv / sessions as f64).abs() < 1e-9, "{}: {per_session}", arm.name);
    }
    // Purchase paths split every arm's GMV and Δ exactly; a channel arm has only its own paths.
    for arm in &s.arms {
        let total: f64 = arm.paths.iter().map(|p| p.gmv.value).sum();
        assert!((total - arm.gmv_per_user.value).abs() < 1e-9, "{}: {total}", arm.name);
        let through =
            |prefix: &str| arm.paths.iter().filter(|p| p.path.starts_with(prefix)).map(|p| p.gmv.value).sum::<f64>();
        match arm.channels.as_str() {
            "search" => assert_eq!(through("feed_"), 0.0, "{}", arm.name),
            "feed" => assert_eq!(through("search_"), 0.0, "{}", arm.name),
            _ => assert!(through("search_") > 0.0 && through("feed_") > 0.0, "{}", arm.name),
        }
    }
    let by_path: f64 = f.interaction_by_path.iter().map(|p| p.gmv.value).sum();
    assert!((by_path - f.interaction.value).abs() < 1e-9, "{by_path} vs {}", f.interaction.value);
    assert_eq!(f.interaction_by_path.len(), 6);
    // The planted control: Δ plus X exactly; demoting `a_b`'s search costs GMV.
    let p = s.planted.as_ref().expect("planted control");
    assert!((p.interaction.value - (f.interaction.value + p.size.value)).abs() < 1e-9);
    assert!(p.size.value < 0.0, "{p:?}");
    assert_eq!(p.detected, p.verdict == "sub_additive");
    assert!(p.statement.starts_with("a planted interaction of"), "{}", p.statement);
    // The coupling flags come from the engines.
    let flags = |name: &str| {
        let a = s.arms.iter().find(|a| a.name == name).unwrap();
        (a.personalised_search, a.query_aware_feed)
    };
    assert_eq!(
        [flags("neither"), flags("a"), flags("b"), flags("a_b")],
        [(false, false), (true, false), (false, true), (true, true)]
    );
    assert_eq!(
        s.arms.iter().find(|a| a.name == "search_only").unwrap().guardrails.searches_per_user,
        s.arms.iter().find(|a| a.name == "search_only").unwrap().guardrails.sessions_per_user
    );
    eprintln!(
        "tiny world: Δ = {:.3} [{:.3}, {:.3}] SE {:.3} ({}), CUPED θ {:.3}, variance reduction {:.3}",
        f.interaction.value,
        f.interaction.lower,
        f.interaction.upper,
        f.interaction.se.unwrap(),
        f.statement,
        f.interaction_cuped.theta,
        f.interaction_cuped.variance_reduction,
    );

    // Rows: one user row per (user, arm), sessions adding up to the totals.
    assert_eq!(out.users.len(), 200 * settings.arms.len());
    let sessions: u32 = out.users.iter().map(|u| u.sessions).sum();
    assert_eq!(sessions as usize, out.sessions.len());
    let gmv_rows: f64 = out.sessions.iter().filter(|r| r.arm == "a_b").map(|r| r.gmv).sum();
    assert!((gmv_rows / 200.0 - gmv("a_b")).abs() < 1e-6);
    assert!(out.sessions.iter().filter(|r| r.arm == "search_only").all(|r| r.query.is_some()));
    assert!(out.sessions.iter().filter(|r| r.arm == "feed_only").all(|r| r.query.is_none()));

    let dir = tempfile::tempdir().unwrap();
    out.write_tables(dir.path()).unwrap();
    for (file, rows) in [("sessions.parquet", out.sessions.len()), ("users.parquet", out.users.len())] {
        let reader =
            parquet::file::reader::SerializedFileReader::new(std::fs::File::open(dir.path().join(file)).unwrap())
                .unwrap();
        use parquet::file::reader::FileReader;
        assert_eq!(reader.metadata().file_metadata().num_rows() as usize, rows, "{file}");
    }
    let json = serde_json::to_string(s).unwrap();
    let back: SimulationSummary = serde_json::from_str(&json).unwrap();
    assert_eq!((back.arms.len(), back.factorial.map(|f| f.verdict)), (s.arms.len(), Some(f.verdict.clone())));
}

// ---------------------------------------------------------------- seeds

#[test]
fn the_simulation_seed_moves_the_figures_on_a_fixed_world_and_reproduces_them() {
    let world_before = (world().seed, world().observable.logs.events.len());
    // One world (seed 3), two simulation seeds.
    let mut settings = quick(vec![arm("one", "cheap", Channels::Both)]);
    settings.users = 100;
    settings.aa_replicates = 2;
    let with = |seed: Option<u64>| {
        let s = SimulationSettings { seed, ..settings.clone() };
        without_timings(run(&s, 3).summary)
    };
    let (five, six) = (with(Some(5)), with(Some(6)));
    assert_eq!((five.seed, six.seed), (5, 6));
    assert_ne!(five.arms[0].gmv_per_user, six.arms[0].gmv_per_user, "another seed, other figures");
    assert_ne!(five.sessions, six.sessions);
    // The same seed reproduces every figure bit for bit, whatever the default seed.
    assert_eq!(with(Some(5)), five);
    let five_by_default = without_timings(run(&SimulationSettings { seed: None, ..settings.clone() }, 5).summary);
    assert_eq!(five_by_default, five, "no seed setting: the seed passed in (a run's world seed)");
    let again = without_timings(run(&SimulationSettings { seed: Some(5), ..settings.clone() }, 99).summary);
    assert_eq!(again, five, "the setting wins over the default");
    assert_eq!((world().seed, world().observable.logs.events.len()), world_before, "the world is untouched");
}

// ---------------------------------------------------------------- data loop

/// An engine answering as another: what the loop below hands back for an
/// engine it is not meant to change.
struct Same(&'static dyn Engine);

impl Engine for Same {
    fn name(&self) -> &str {
        self.0.name()
    }
    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }
    fn search(&self, request: &SearchRequest<'_>) -> Result<Vec<Hit>, EngineError> {
        self.0.search(request)
    }
    fn recommend(&self, request: &FeedRequest<'_>) -> Result<Vec<Hit>, EngineError> {
        self.0.recommend(request)
    }
    fn report(&self) -> EngineReport {
        self.0.report()
    }
}

/// Retrains `target` for real, from the world's logs plus the arm's traffic;
/// hands every other engine back unchanged. Records each call.
struct RetrainOne {
    target: &'static str,
    calls: Mutex<Vec<(String, Logs)>>,
}

impl Retrain for RetrainOne {
    fn retrain(&self, engine: &str, simulated: &Logs) -> Result<Box<dyn Engine>, HarnessError> {
        self.calls.lock().unwrap().push((engine.to_string(), simulated.clone()));
        if engine != self.target {
            return Ok(Box::new(Same(self::engine(engine))));
        }
        let world = &world().observable;
        let shift = world.logs.queries.len() as u32;
        let mut logs = world.logs.clone();
        logs.queries.extend_from_slice(&simulated.queries);
        logs.events.extend(simulated.events.iter().cloned().map(|mut e| {
            e.query = e.query.map(|q| q + shift);
            e
        }));
        let config = HybridConfig { personalised_search: true, query_aware_feed: true, ..HybridConfig::default() };
        let input = BuildInput { catalog: &world.catalog, users: &world.users, logs: &logs };
        Ok(Box::new(HybridEngine::build(engine, &config, input).expect("the retrained engine builds")))
    }
}

#[test]
fn the_data_loop_retrains_an_arms_engines_on_its_own_traffic_and_nothing_else() {
    let arms = vec![
        arm("neither", "hybrid-neither", Channels::Both),
        arm("a", "hybrid-a", Channels::Both),
        arm("b", "hybrid-b", Channels::Both),
        arm("a_b", "hybrid-a-b", Channels::Both),
    ];
    let factorial = FactorialArms { neither: "neither".into(), a: "a".into(), b: "b".into(), a_b: "a_b".into() };
    let fixed = SimulationSettings { pre_period_days: 0, factorial: Some(factorial), ..quick(arms) };
    let looped = SimulationSettings { retrain_days: 7, ..fixed.clone() };

    // A simulation alone cannot rebuild engines, and says so.
    let (what, _) = invalid_what(simulate(world(), &engines(), &looped, 5, None));
    assert_eq!(what, "simulation.retrain_days");

    let retrain = RetrainOne { target: "hybrid-a-b", calls: Mutex::new(Vec::new()) };
    let with_loop = simulate_learning(world(), &engines(), Some(&retrain), &looped, 5, None).unwrap();
    let without = run(&fixed, 5);
    // Each arm rebuilt once (14 days, every 7), from its own traffic only:
    // the purchases it learned from are the arm's own in the first week.
    let calls = retrain.calls.into_inner().unwrap();
    let names: Vec<&str> = calls.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["hybrid-neither", "hybrid-a", "hybrid-b", "hybrid-a-b"]);
    for ((_, logs), arm) in calls.iter().zip(["neither", "a", "b", "a_b"]) {
        let bought = logs.events.iter().filter(|e| e.action == Action::Purchase).count();
        let first_week = with_loop.sessions.iter().filter(|s| s.arm == arm && s.time < 7 * 86_400);
        assert_eq!(bought, first_week.filter(|s| s.purchase.is_some()).count(), "arm {arm}");
        assert!(!logs.events.is_empty());
        assert!(logs.events.iter().all(|e| e.time >= world().scenario.logs.days * 86_400));
    }
    // The retrained arm changed; the others, handed their engines back, did not.
    assert_ne!(with_loop.arm_gmv[3], without.arm_gmv[3]);
    assert_eq!(with_loop.arm_gmv[..3], without.arm_gmv[..3]);
    // The loop's contribution is Δ with the loop minus Δ without, on the same users.
    let summary = with_loop.summary.data_loop.as_ref().expect("a data-loop summary");
    assert_eq!(summary.arms.iter().map(|a| a.retrains).collect::<Vec<_>>(), [1, 1, 1, 1]);
    let delta = |s: &SimulationSummary| s.factorial.as_ref().unwrap().interaction.value;
    assert!((summary.static_interaction.value - delta(&without.summary)).abs() < 1e-9);
    let contribution = delta(&with_loop.summary) - delta(&without.summary);
    assert!((summary.contribution.value - contribution).abs() < 1e-9, "{summary:?}");
    assert!(summary.contribution.se.is_some_and(f64::is_finite) && summary.contribution.mde.is_some());
}

// ---------------------------------------------------------------- shares of users

#[test]
fn shares_of_users_join_into_exactly_the_unsplit_simulation() {
    // Every per-user figure the analysis reads: arms and their paths, the
    // pre-period, the planted cell, the oracle's arms, the A/A check, two
    // replicates.
    let settings = SimulationSettings {
        users: 60,
        horizon_days: 14,
        pre_period_days: 7,
        replicates: 2,
        bootstrap_resamples: 300,
        aa_replicates: 3,
        oracle: true,
        ..factorial_settings()
    };
    let whole = run(&settings, 5);
    let dir = tempfile::tempdir().unwrap();
    let parts: Vec<SimulationPart> = [2, 0, 1]
        .into_iter()
        .map(|index| {
            let share = UserShare { index, count: 3 };
            let part = simulate_share(world(), &engines(), &settings, 5, share).unwrap();
            assert_eq!(part.share(), share);
            // Through the files, as a merge reads them.
            let folder = dir.path().join(format!("share{index}"));
            std::fs::create_dir(&folder).unwrap();
            part.write(&folder).unwrap();
            SimulationPart::read(&folder).unwrap()
        })
        .collect();
    let joined = join_parts(&settings, parts).unwrap();
    assert_eq!(without_timings(joined.summary.clone()), without_timings(whole.summary.clone()));
    assert!(joined.summary.aa.is_some() && joined.summary.oracle.is_some() && joined.summary.planted.is_some());
    assert_eq!(joined.users, whole.users);
    assert_eq!(joined.sessions, whole.sessions);
    assert_eq!(joined.arm_gmv, whole.arm_gmv);

    // Shares of two simulations, or too few shares, do not join.
    let share = |seed: u64, index: usize| {
        simulate_share(
            world(),
            &engines(),
            &quick(vec![arm("s", "cheap", Channels::Both)]),
            seed,
            UserShare { index, count: 2 },
        )
        .unwrap()
    };
    let quick_settings = quick(vec![arm("s", "cheap", Channels::Both)]);
    let err = join_parts(&quick_settings, vec![share(1, 0), share(2, 1)]).unwrap_err().to_string();
    assert!(err.contains("another simulation"), "{err}");
    let err = join_parts(&quick_settings, vec![share(1, 0)]).unwrap_err().to_string();
    assert!(err.contains("1 of the simulation's 2 shares"), "{err}");
    assert!(join_parts(&quick_settings, vec![share(1, 1), share(1, 0)]).is_ok());
}

#[test]
fn a_simulation_that_needs_every_user_at_once_is_not_split() {
    let settings = SimulationSettings { retrain_days: 7, users: 40, ..factorial_settings() };
    let share = UserShare { index: 0, count: 2 };
    match simulate_share(world(), &engines(), &settings, 1, share) {
        Err(HarnessError::Invalid { what, message }) => {
            assert_eq!(what, "simulation.retrain_days");
            assert!(message.contains("cannot be split"), "{message}");
        }
        other => panic!("expected a refusal, got {:?}", other.map(|p| p.share())),
    }
}
