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
//! The context an engine receives holds the *other* channel's recent signals
//! from earlier in this period: a search carries the feed's clicks and
//! purchases, a feed request the recent queries and the search results'
//! clicks and purchases. An engine with its coupling switched off ignores it.

use std::time::Instant;

use rand::RngExt;
use searchrec_datasets::behaviour::{Behaviour, Market, Reaction, Shopper, Shown};
use searchrec_datasets::needs::NeedModel;
use searchrec_datasets::querygen::write_query;
use searchrec_datasets::rng::{Purpose, StreamRng, stream};
use searchrec_datasets::{Channel, ItemId, Need, NeedOrigin, UserId, UserTruth, World};
use searchrec_engine::{Context, FeedRequest, Hit, SearchRequest};

use super::arms::Arm;
use super::paths::{PATHS, Path};
use super::perturb::Action;
use super::settings::Channels;
use super::tables::SessionRow;
use crate::{HarnessError, Result};

const DAY: f64 = 86_400.0;

/// The fixed parts every user's life reads.
pub(crate) struct Life<'a> {
    world: &'a World,
    market: Market<'a>,
    behaviour: Behaviour<'a>,
    needs: NeedModel<'a>,
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
}

/// A user's open needs and recent signals, and what the period produced so far.
#[derive(Default)]
struct State {
    run: UserRun,
    open: Vec<Need>,
    deadlines: Vec<f64>,
    queries: Vec<String>,
    search_clicks: Vec<ItemId>,
    search_purchases: Vec<ItemId>,
    feed_clicks: Vec<ItemId>,
    feed_purchases: Vec<ItemId>,
}

impl<'a> Life<'a> {
    /// The world under its own scenario, lists of `k`, contexts of `window` signals.
    pub fn new(world: &'a World, k: usize, window: usize) -> Life<'a> {
        let s = &world.scenario;
        let t = &world.truth;
        Life {
            world,
            market: Market::new(&world.taxonomy, &world.observable.catalog, &t.items, &t.item_vectors, &s.behaviour),
            behaviour: Behaviour { params: &s.behaviour, needs: &s.needs },
            needs: NeedModel::new(world, &s.needs),
            k,
            window,
        }
    }

    /// Items in the catalogue.
    pub fn catalogue_size(&self) -> usize {
        self.world.observable.catalog.items.len()
    }

    /// Simulates `user` through `period` under `arm`.
    pub fn live(&self, user: UserId, arm: &Arm<'_>, period: &Period) -> Result<UserRun> {
        let started = Instant::now();
        let (s, truth) = (&self.world.scenario, &self.world.truth);
        let traits: &UserTruth = &truth.users[user.index()];
        let vector = truth.user_vectors.row(user.index());
        let shopper = Shopper { user, vector, truth: traits };
        let leaf_cdf = self.needs.leaf_cdf(vector);
        let horizon = period.days as f64 * DAY;
        let (need_rate, session_rate) = (s.needs.organic_rate / DAY, traits.activity as f64 / DAY);

        let mut state = State::default();
        let mut arrivals = stream(period.seed, Purpose::SimulationTimeline, user.0 as u64, 0);
        let mut next_need = exponential(&mut arrivals, need_rate);
        let mut next_session = exponential(&mut arrivals, session_rate);
        let mut session = 0u32;
        loop {
            let now = next_need.min(next_session);
            if now >= horizon {
                break;
            }
            state.expire(now);
            if next_need <= next_session {
                let need = self.needs.organic(user, vector, &leaf_cdf, now as u32, NeedOrigin::Organic, &mut arrivals);
                let deadline = now + exponential(&mut arrivals, self.patience_rate());
                state.open.push(need);
                state.deadlines.push(deadline);
                state.run.totals.organic_needs += 1;
                next_need = now + exponential(&mut arrivals, need_rate);
            } else {
                next_session = now + exponential(&mut arrivals, session_rate);
                self.session(&shopper, arm, period, session, now, &mut state)?;
                session += 1;
            }
        }
        let mut run = state.run;
        run.shown.sort_unstable();
        run.shown.dedup();
        run.busy_ns = nanos(started);
        Ok(run)
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
            let context = Context {
                recent_queries: &[],
                recent_clicks: &state.feed_clicks,
                recent_purchases: &state.feed_purchases,
            };
            let action = perturbation(arm, user, index, Channel::Search);
            let request = SearchRequest { query: &text, k: action.depth(self.k), user: Some(user), context };
            let started = Instant::now();
            let hits = arm.engine.search(&request)?;
            (Channel::Search, Some(text), hits, action, nanos(started))
        } else {
            let context = Context {
                recent_queries: &state.queries,
                recent_clicks: &state.search_clicks,
                recent_purchases: &state.search_purchases,
            };
            let action = perturbation(arm, user, index, Channel::Feed);
            let started = Instant::now();
            let hits = arm.engine.recommend(&FeedRequest { user, k: action.depth(self.k), context })?;
            (Channel::Feed, None, hits, action, nanos(started))
        };
        let items = action.apply(self.shown_items(arm, hits, action.depth(self.k))?, self.k);
        let mut rng = key(Purpose::SimulationReaction);
        let shown = Shown { items: &items, channel, time };
        let reaction = self.behaviour.react(&self.market, shopper, &shown, &state.open, &mut rng);
        // Drawn after the reaction, from its stream, in seeding order.
        let patience: Vec<f64> =
            reaction.seeded.iter().map(|_| now + exponential(&mut rng, self.patience_rate())).collect();

        let purchase = reaction.purchased.map(|pos| items[pos]);
        let gmv = purchase.map_or(0.0, |item| self.world.observable.catalog.item(item).price as f64);
        let run = &mut state.run;
        let t = &mut run.totals;
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
        state.remember(self.window, channel, query, &items, &reaction);
        state.settle(reaction, patience);
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

    /// Records the session's query, clicks and purchase as signals of its channel.
    fn remember(&mut self, window: usize, channel: Channel, query: Option<String>, items: &[ItemId], r: &Reaction) {
        let (clicks, purchases) = match channel {
            Channel::Search => (&mut self.search_clicks, &mut self.search_purchases),
            Channel::Feed => (&mut self.feed_clicks, &mut self.feed_purchases),
        };
        for &pos in &r.clicked {
            push_recent(clicks, items[pos], window);
        }
        if let Some(pos) = r.purchased {
            push_recent(purchases, items[pos], window);
        }
        if let Some(q) = query {
            push_recent(&mut self.queries, q, window);
        }
    }

    /// Opens the needs the reaction seeded, except one it closed at once,
    /// and closes the open need the purchase satisfied.
    fn settle(&mut self, reaction: Reaction, patience: Vec<f64>) {
        let open = self.open.len();
        for (j, (need, deadline)) in reaction.seeded.into_iter().zip(patience).enumerate() {
            if reaction.closes != Some(open + j) {
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

/// What the arm's perturbation does to this session (nothing without one).
fn perturbation(arm: &Arm<'_>, user: UserId, session: u32, channel: Channel) -> Action {
    arm.perturbation.map_or(Action::Keep, |p| p.action(user, session, channel))
}

/// Appends `value`, keeping the newest `window` values.
fn push_recent<T>(list: &mut Vec<T>, value: T, window: usize) {
    list.push(value);
    if list.len() > window {
        list.drain(..list.len() - window);
    }
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
