//! One user's life through one period under one arm.
//!
//! Sessions and organic needs arrive as Poisson processes (the user's
//! activity, the scenario's organic rate); needs are abandoned after an
//! exponential patience. A session searches when the user has an open need
//! and the arm serves search (in an arm with both channels, with the
//! probability the user's persona gives), and otherwise opens the feed; in a
//! search-only arm a user without a need does not visit. What the user does
//! with the list is [`Behaviour::react`], the model that wrote the logs.
//!
//! Common random numbers: arrivals come from one stream per user, and each
//! session draws from its own streams keyed by (user, session, purpose), so
//! every arm sees the same users, needs and coin flips, whatever its engine
//! showed in earlier sessions.
//!
//! The context an engine receives holds the user's recent signals on both
//! channels from earlier in this period — search's queries, result lists,
//! clicks and purchases; the feed's lists, clicks and purchases — whatever
//! the arm: which of them a channel reads is the engine's coupling, so the
//! arms differ only in their engines.

use std::time::Instant;

use rand::RngExt;
use searchrec_datasets::behaviour::{BUDGET_PERIOD_DAYS, Behaviour, Market, Reaction, Shopper, Shown, user_budget};
use searchrec_datasets::needs::NeedModel;
use searchrec_datasets::querygen::write_query;
use searchrec_datasets::rng::{Purpose, StreamRng, stream};
use searchrec_datasets::{
    Action as LogAction, Channel, Event, ItemId, Need, NeedOrigin, Truth, UserId, UserTruth, World,
};
use searchrec_engine::{Context, FeedRequest, Hit, SearchRequest};

use super::arms::Arm;
use super::oracle::{Ask, Oracle, REFRESH};
use super::paths::{PATHS, Path};
use super::perturb::Action;
use super::settings::Channels;
use super::tables::SessionRow;
use crate::recent::{Recent, push_recent};
use crate::{HarnessError, Result};

const DAY: f64 = 86_400.0;

/// The fixed parts every user's life reads.
pub(crate) struct Life<'a> {
    world: &'a World,
    truth: &'a Truth,
    market: Market<'a>,
    behaviour: Behaviour<'a>,
    needs: NeedModel<'a>,
    oracle: Oracle,
    k: usize,
    window: usize,
}

/// One period of one replicate.
#[derive(Clone, Copy)]
pub(crate) struct Period {
    /// Seed of every stream of the period.
    pub seed: u64,
    /// Its length.
    pub days: u32,
    /// The replicate, for the rows.
    pub replicate: u32,
    /// Whether to keep session rows, shown items and latencies (the main
    /// experiment) or only the totals (pre-period, A/A, sensitivity).
    pub detail: bool,
    /// Whether to keep the sessions as log events, for the data loop to
    /// retrain the arm's engines on ([`Journey::take_log`]).
    pub log: bool,
}

/// Counts of one user's period.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Totals {
    pub sessions: u32,
    pub searches: u32,
    pub impressions: u32,
    pub clicks: u32,
    pub orders: u32,
    pub gmv: f64,
    pub organic_needs: u32,
    pub seeded_needs: u32,
    pub needs_bought: u32,
    pub needs_abandoned: u32,
    /// GMV by purchase path ([`Path::ALL`] order).
    pub path_gmv: [f64; PATHS],
    /// Purchases the user chose but could not afford (finite demand:
    /// `behaviour.budget_mean`), and their value.
    pub declined: u32,
    pub forgone_gmv: f64,
}

/// What one user's period produced.
#[derive(Default)]
pub(crate) struct UserRun {
    pub totals: Totals,
    /// Session rows (detail only).
    pub sessions: Vec<SessionRow>,
    /// Distinct items shown, ascending (detail only).
    pub shown: Vec<ItemId>,
    /// Engine call latencies in nanoseconds (detail only).
    pub latencies: Vec<u64>,
    /// Nanoseconds spent inside the engine.
    pub engine_ns: u64,
    /// Nanoseconds the whole period took to simulate.
    pub busy_ns: u64,
    /// Log events not yet taken (with [`Period::log`]), in time order; their
    /// `session` is the user's session number and their `query` indexes `queries`.
    events: Vec<Event>,
    queries: Vec<String>,
}

/// One user part-way through a period: everything the next event depends
/// on, so a life can stop at a retraining and resume unchanged.
pub(crate) struct Journey {
    user: UserId,
    state: State,
    /// The user's arrival stream, mid-way.
    arrivals: StreamRng,
    leaf_cdf: Vec<f64>,
    next_need: f64,
    next_session: f64,
    session: u32,
}

impl Journey {
    /// The period's results so far.
    pub fn finish(self) -> UserRun {
        let mut run = self.state.run;
        run.shown.sort_unstable();
        run.shown.dedup();
        run
    }

    /// The log events since the last call (see [`Period::log`]), with the
    /// texts their `query` fields index; the journey keeps none.
    pub fn take_log(&mut self) -> (Vec<Event>, Vec<String>) {
        let run = &mut self.state.run;
        (std::mem::take(&mut run.events), std::mem::take(&mut run.queries))
    }
}

/// A user's open needs and recent signals, and what the period produced so far.
#[derive(Default)]
struct State {
    run: UserRun,
    open: Vec<Need>,
    deadlines: Vec<f64>,
    /// Seeded needs not open yet (the seeded-search path), with deadlines.
    deferred: Vec<(Need, f64)>,
    /// The current budget period (`None` before the first session) and what is left of it.
    budget: Option<(u32, f64)>,
    search: Recent,
    feed: Recent,
}

impl<'a> Life<'a> {
    /// The world under its own scenario, lists of `k`, contexts of `window` signals.
    pub fn new(world: &'a World, k: usize, window: usize) -> Result<Life<'a>> {
        let s = &world.scenario;
        let t = super::check::world_truth(world)?;
        Ok(Life {
            world,
            truth: t,
            market: Market::new(&world.taxonomy, &world.observable.catalog, &t.items, &t.item_vectors, &s.behaviour),
            behaviour: Behaviour { params: &s.behaviour, needs: &s.needs },
            needs: NeedModel::new(world, &s.needs),
            oracle: Oracle::new(world),
            k,
            window,
        })
    }

    /// The world lived in.
    pub fn world(&self) -> &'a World {
        self.world
    }

    /// Items in the catalogue.
    pub fn catalogue_size(&self) -> usize {
        self.world.observable.catalog.items.len()
    }

    /// Simulates `user` through `period` under `arm`.
    pub fn live(&self, user: UserId, arm: &Arm<'_>, period: &Period) -> Result<UserRun> {
        let mut journey = self.begin(user, period);
        self.advance(&mut journey, arm, period, period.days)?;
        Ok(journey.finish())
    }

    /// `user` at the start of `period`, before any event.
    pub fn begin(&self, user: UserId, period: &Period) -> Journey {
        let started = Instant::now();
        let traits: &UserTruth = &self.truth.users[user.index()];
        let leaf_cdf = self.needs.leaf_cdf(self.truth.user_vectors.row(user.index()));
        let mut arrivals = stream(period.seed, Purpose::SimulationTimeline, user.0 as u64, 0);
        let next_need = exponential(&mut arrivals, self.world.scenario.needs.organic_rate / DAY);
        let next_session = exponential(&mut arrivals, traits.activity as f64 / DAY);
        let mut journey =
            Journey { user, state: State::default(), arrivals, leaf_cdf, next_need, next_session, session: 0 };
        journey.state.run.busy_ns = nanos(started);
        journey
    }

    /// Lives `journey` on under `arm` through every event before the end of
    /// day `until` of `period` (or its end): the data loop stops users
    /// there, retrains the arm's engines, and goes on.
    pub fn advance(&self, journey: &mut Journey, arm: &Arm<'_>, period: &Period, until: u32) -> Result<()> {
        let started = Instant::now();
        let (s, truth) = (&self.world.scenario, self.truth);
        let user = journey.user;
        let traits: &UserTruth = &truth.users[user.index()];
        let vector = truth.user_vectors.row(user.index());
        let shopper = Shopper { user, vector, truth: traits };
        let stop = until.min(period.days) as f64 * DAY;
        let (need_rate, session_rate) = (s.needs.organic_rate / DAY, traits.activity as f64 / DAY);
        let Journey { state, arrivals, leaf_cdf, next_need, next_session, session, .. } = journey;
        loop {
            let now = next_need.min(*next_session);
            if now >= stop {
                break;
            }
            state.activate(now);
            state.expire(now);
            if *next_need <= *next_session {
                let need = self.needs.organic(user, vector, leaf_cdf, now as u32, NeedOrigin::Organic, arrivals);
                let deadline = now + exponential(arrivals, self.patience_rate());
                state.open.push(need);
                state.deadlines.push(deadline);
                state.run.totals.organic_needs += 1;
                *next_need = now + exponential(arrivals, need_rate);
            } else {
                *next_session = now + exponential(arrivals, session_rate);
                self.session(&shopper, arm, period, *session, now, state)?;
                *session += 1;
            }
        }
        state.run.busy_ns += nanos(started);
        Ok(())
    }

    /// What the user has left to spend at second `time` of `period`: each
    /// 28-day budget period starts with the user's budget (the same person's
    /// as in the logs: drawn under the world's seed; pro-rated when the
    /// period ends inside it), and purchases draw it down.
    fn budget_left(&self, state: &mut State, user: UserId, period: &Period, time: u32) -> f64 {
        let index = (time as f64 / (BUDGET_PERIOD_DAYS * DAY)) as u32;
        if state.budget.is_none_or(|(current, _)| current != index) {
            let start = index as f64 * BUDGET_PERIOD_DAYS;
            let days = (period.days as f64 - start).clamp(0.0, BUDGET_PERIOD_DAYS);
            let behaviour = &self.world.scenario.behaviour;
            state.budget = Some((index, user_budget(behaviour, self.world.seed, user, days)));
        }
        state.budget.map_or(f64::INFINITY, |(_, left)| left)
    }

    /// Abandonment rate of a need, per second.
    fn patience_rate(&self) -> f64 {
        1.0 / (self.world.scenario.needs.patience_days * DAY)
    }

    /// Session number `index`, starting at second `now`.
    fn session(
        &self,
        shopper: &Shopper<'_>,
        arm: &Arm<'_>,
        period: &Period,
        index: u32,
        now: f64,
        state: &mut State,
    ) -> Result<()> {
        let user = shopper.user;
        let key = |purpose| stream(period.seed, purpose, user.0 as u64, index as u64);
        // Both draws are always taken, so the streams stay aligned across arms.
        let mut choice = key(Purpose::Simulation);
        let (channel_draw, need_draw): (f64, f64) = (choice.random(), choice.random());
        let persona = &shopper.truth.persona;
        let search_share = (persona.shelf / (persona.shelf + persona.interest)) as f64;
        let searches = !state.open.is_empty()
            && match arm.channels {
                Channels::Search => true,
                Channels::Feed => false,
                Channels::Both => channel_draw < search_share,
            };
        if !searches && !arm.channels.feed() {
            return Ok(()); // nothing to look for and no feed to browse: no visit
        }
        let time = now as u32;
        let open_needs = state.open.len();
        let (channel, query, hits, action, latency) = if searches {
            let pick = ((need_draw * open_needs as f64) as usize).min(open_needs - 1);
            let (text, _) = write_query(
                &self.world.taxonomy,
                &state.open[pick],
                &self.world.scenario.queries,
                &mut key(Purpose::SimulationQuery),
            );
            let context = state.context();
            let action = perturbation(arm, user, index, Channel::Search);
            let request = SearchRequest { query: &text, k: action.depth(self.k), user: Some(user), context };
            let started = Instant::now();
            let hits = if arm.oracle.is_some_and(Channels::search) {
                let ask = Ask { shopper, time: now as u32, k: self.k };
                ranked(self.oracle.search((&self.market, &self.behaviour), &ask, &state.open[pick]))
            } else {
                arm.engine.search(&request)?
            };
            (Channel::Search, Some(text), hits, action, nanos(started))
        } else {
            let context = state.context();
            let action = perturbation(arm, user, index, Channel::Feed);
            let started = Instant::now();
            let hits = if arm.oracle.is_some_and(Channels::feed) {
                let ask = Ask { shopper, time: now as u32, k: self.k };
                let excluded = state.oracle_excluded();
                ranked(self.oracle.feed((&self.market, &self.behaviour, self.world), &ask, &state.open, &excluded))
            } else {
                arm.engine.recommend(&FeedRequest { user, k: action.depth(self.k), context })?
            };
            (Channel::Feed, None, hits, action, nanos(started))
        };
        let items = action.apply(self.shown_items(arm, hits, action.depth(self.k))?, self.k);
        let mut rng = key(Purpose::SimulationReaction);
        let shown = Shown { items: &items, channel, time };
        let budget = self.budget_left(state, user, period, time);
        let reaction = self.behaviour.react(&self.market, shopper, &shown, &state.open, budget, &mut rng);
        // Drawn after the reaction, from its stream, in seeding order; a
        // deferred need's patience runs from when it opens.
        let patience: Vec<f64> = reaction
            .seeded
            .iter()
            .map(|need| (need.opened as f64).max(now) + exponential(&mut rng, self.patience_rate()))
            .collect();

        let purchase = reaction.purchased.map(|pos| items[pos]);
        let gmv = purchase.map_or(0.0, |item| self.world.observable.catalog.item(item).price as f64);
        if let Some((_, left)) = state.budget.as_mut() {
            *left -= gmv;
        }
        let run = &mut state.run;
        let t = &mut run.totals;
        if let Some(pos) = reaction.declined_for_budget {
            t.declined += 1;
            t.forgone_gmv += self.market.price(items[pos]) as f64;
        }
        t.sessions += 1;
        t.searches += searches as u32;
        t.impressions += items.len() as u32;
        t.clicks += reaction.clicked.len() as u32;
        t.orders += purchase.is_some() as u32;
        t.gmv += gmv;
        if purchase.is_some() {
            t.path_gmv[Path::of(channel, reaction.closes, &state.open).index()] += gmv;
        }
        t.seeded_needs += reaction.seeded.len() as u32;
        t.needs_bought += reaction.closes.is_some() as u32;
        run.engine_ns += latency;
        if period.detail {
            run.latencies.push(latency);
            run.shown.extend_from_slice(&items);
            run.sessions.push(SessionRow {
                replicate: period.replicate,
                arm: arm.name.clone(),
                user,
                session: index,
                time,
                channel,
                query: query.clone(),
                open_needs: open_needs as u32,
                shown: items.len() as u32,
                examined: reaction.examined.len() as u32,
                clicks: reaction.clicked.len() as u32,
                carts: reaction.carted.len() as u32,
                seeded: reaction.seeded.len() as u32,
                purchase,
                position: reaction.purchased.map(|pos| pos as u32 + 1),
                gmv,
            });
        }
        if period.log {
            log_session(&mut state.run, user, index, (time, channel), query.as_deref(), &items, &reaction);
        }
        state.remember(self.window, channel, query, &items, &reaction);
        state.settle(reaction, patience, time);
        Ok(())
    }

    /// The items of an engine's answer, at most `depth`, each checked against
    /// the catalogue so a faulty engine is an error, not an out-of-range index.
    fn shown_items(&self, arm: &Arm<'_>, hits: Vec<Hit>, depth: usize) -> Result<Vec<ItemId>> {
        let n = self.world.observable.catalog.items.len();
        hits.into_iter()
            .take(depth)
            .map(|hit| {
                if hit.item.index() < n {
                    Ok(hit.item)
                } else {
                    Err(HarnessError::Invalid {
                        what: format!("engine `{}`", arm.engine_name),
                        message: format!("returned item {}, but the catalogue has {n} items", hit.item),
                    })
                }
            })
            .collect()
    }
}

impl State {
    /// Opens the deferred needs whose time has come, in the order seeded.
    fn activate(&mut self, now: f64) {
        let mut i = 0;
        while i < self.deferred.len() {
            if self.deferred[i].0.opened as f64 <= now {
                let (need, deadline) = self.deferred.remove(i);
                self.open.push(need);
                self.deadlines.push(deadline);
            } else {
                i += 1;
            }
        }
    }

    /// Abandons the needs whose patience ran out before `now`.
    fn expire(&mut self, now: f64) {
        let mut i = 0;
        while i < self.open.len() {
            if self.deadlines[i] < now {
                self.open.remove(i);
                self.deadlines.remove(i);
                self.run.totals.needs_abandoned += 1;
            } else {
                i += 1;
            }
        }
    }

    /// What the oracle's feed leaves out: the period's recent purchases on
    /// either channel and its last [`REFRESH`] feed lists.
    fn oracle_excluded(&self) -> Vec<ItemId> {
        let recent = self.feed.shown.len().saturating_sub(REFRESH);
        let shown = self.feed.shown[recent..].iter().flatten();
        let mut out: Vec<ItemId> =
            self.search.purchases.iter().chain(&self.feed.purchases).chain(shown).copied().collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Both channels' recent signals, as every request carries them.
    fn context(&self) -> Context<'_> {
        Context { search: self.search.signals(), feed: self.feed.signals() }
    }

    /// Records the session's query, list, clicks and purchase as signals of its channel.
    fn remember(&mut self, window: usize, channel: Channel, query: Option<String>, items: &[ItemId], r: &Reaction) {
        let recent = match channel {
            Channel::Search => &mut self.search,
            Channel::Feed => &mut self.feed,
        };
        for &pos in &r.clicked {
            push_recent(&mut recent.clicks, items[pos], window);
        }
        if let Some(pos) = r.purchased {
            push_recent(&mut recent.purchases, items[pos], window);
        }
        if let Some(q) = query {
            push_recent(&mut recent.queries, q, window);
        }
        if window > 0 {
            push_recent(&mut recent.shown, items.to_vec(), window);
        }
    }

    /// Opens the needs the reaction seeded at second `time` (deferred ones
    /// wait for their time), except one it closed at once, and closes the
    /// open need the purchase satisfied.
    fn settle(&mut self, reaction: Reaction, patience: Vec<f64>, time: u32) {
        let open = self.open.len();
        for (j, (need, deadline)) in reaction.seeded.into_iter().zip(patience).enumerate() {
            if need.opened > time {
                self.deferred.push((need, deadline));
            } else if reaction.closes != Some(open + j) {
                self.open.push(need);
                self.deadlines.push(deadline);
            }
        }
        if let Some(k) = reaction.closes.filter(|&k| k < open) {
            self.open.remove(k);
            self.deadlines.remove(k);
        }
    }
}

/// Appends a session as the log generator writes one: the query, then an
/// impression per examined item, a click (and add-to-cart) per clicked one,
/// the purchase.
fn log_session(
    run: &mut UserRun,
    user: UserId,
    session: u32,
    (time, channel): (u32, Channel),
    query: Option<&str>,
    items: &[ItemId],
    r: &Reaction,
) {
    let query = query.map(|text| {
        run.queries.push(text.to_string());
        (run.queries.len() - 1) as u32
    });
    let event = |action, pos: Option<usize>| Event {
        time,
        user,
        session,
        channel,
        action,
        item: pos.map(|p| items[p]),
        position: pos.map(|p| u16::try_from(p + 1).unwrap_or(u16::MAX)),
        query,
    };
    if query.is_some() {
        run.events.push(event(LogAction::Search, None));
    }
    run.events.extend(r.examined.iter().map(|&p| event(LogAction::Impression, Some(p))));
    for &p in &r.clicked {
        run.events.push(event(LogAction::Click, Some(p)));
        if r.carted.contains(&p) {
            run.events.push(event(LogAction::AddToCart, Some(p)));
        }
    }
    run.events.extend(r.purchased.map(|p| event(LogAction::Purchase, Some(p))));
}

/// An oracle's ranking as hits, scored by rank so that they read as any
/// engine's answer.
fn ranked(items: Vec<ItemId>) -> Vec<Hit> {
    let n = items.len();
    items.into_iter().enumerate().map(|(rank, item)| Hit { item, score: (n - rank) as f32 }).collect()
}

/// What the arm's perturbation does to this session (nothing without one).
fn perturbation(arm: &Arm<'_>, user: UserId, session: u32, channel: Channel) -> Action {
    arm.perturbation.map_or(Action::Keep, |p| p.action(user, session, channel))
}

/// Waiting time of a Poisson process with the given rate (infinite for rate 0).
fn exponential(rng: &mut StreamRng, rate: f64) -> f64 {
    if rate <= 0.0 {
        return f64::INFINITY;
    }
    let u: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
    -u.ln() / rate
}

/// Nanoseconds since `started`.
fn nanos(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)
}
