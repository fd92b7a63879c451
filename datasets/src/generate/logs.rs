//! The historical log period: each user lives through their sessions under
//! the logging policy, reacting by the behaviour model.
//!
//! Budgets are tracked per 28-day period from the start of the log (days
//! 0–27, 28–55, …): each period starts with [`user_budget`] for its length
//! (a last, shorter period gets the pro-rated budget) drawn under the world's
//! seed, and every purchase spends from it. Deferred seeded needs wait aside
//! until they open; one that would open after the log's end belongs to no
//! logged session and is not written.

use rand::RngExt;
use rayon::prelude::*;

use super::Generator;
use crate::Result;
use crate::behaviour::{BUDGET_PERIOD_DAYS, Behaviour, Market, Shopper, Shown, user_budget};
use crate::ids::{ItemId, NeedId, UserId};
use crate::logs::{Action, Channel, Event};
use crate::policy::{PopularityFeed, TermMatchSearch};
use crate::querygen::write_query;
use crate::rng::{Purpose, StreamRng, stream};
use crate::scenario::Scenario;
use crate::truth::{Need, NeedOrigin, UserTruth, Vectors};

/// Users simulated per chunk. Fixed (never derived from the thread count) so
/// chunk boundaries, and with them Parquet row groups, are the same on every
/// machine.
pub(crate) const USERS_PER_CHUNK: usize = 16_384;

const DAY: f64 = 86_400.0;

/// One chunk of logs, with ids already global.
pub(crate) struct LogChunk {
    pub events: Vec<Event>,
    /// Query texts; `events[i].query` indexes the whole log, so the first
    /// text here has index `first_query`.
    pub queries: Vec<String>,
    pub first_query: u32,
    pub needs: Vec<Need>,
}

/// Receives log chunks in user order.
pub(crate) trait LogSink {
    fn accept(&mut self, chunk: LogChunk) -> Result<()>;
}

/// What the per-user simulation reads.
pub(crate) struct LogContext<'w> {
    pub market: Market<'w>,
    pub search: TermMatchSearch,
    pub feed: PopularityFeed,
    pub users: &'w [UserTruth],
    pub user_vectors: &'w Vectors,
}

/// One user's log, with user-local session, query and need numbers.
struct UserLog {
    events: Vec<Event>,
    queries: Vec<String>,
    needs: Vec<Need>,
    sessions: u32,
}

impl Generator<'_> {
    /// Simulates every user and hands the chunks to `sink`; returns the number of needs.
    pub(crate) fn write_logs(
        &self,
        ctx: &LogContext<'_>,
        sink: &mut dyn LogSink,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<u32> {
        let n = ctx.users.len();
        let (mut sessions, mut queries, mut needs) = (0u32, 0u32, 0u32);
        for start in (0..n).step_by(USERS_PER_CHUNK) {
            let end = (start + USERS_PER_CHUNK).min(n);
            let logs: Vec<UserLog> =
                (start..end).into_par_iter().map(|u| self.user_log(ctx, UserId(u as u32))).collect();
            let mut chunk =
                LogChunk { events: Vec::new(), queries: Vec::new(), first_query: queries, needs: Vec::new() };
            for mut log in logs {
                for e in &mut log.events {
                    e.session += sessions;
                    e.query = e.query.map(|q| q + queries);
                }
                for need in &mut log.needs {
                    need.id = NeedId(need.id.0 + needs);
                }
                sessions += log.sessions;
                queries += log.queries.len() as u32;
                needs += log.needs.len() as u32;
                chunk.events.append(&mut log.events);
                chunk.queries.append(&mut log.queries);
                chunk.needs.append(&mut log.needs);
            }
            sink.accept(chunk)?;
            progress((end - start) as u64);
        }
        Ok(needs)
    }

    fn user_log(&self, ctx: &LogContext<'_>, user: UserId) -> UserLog {
        let s = self.scenario;
        let mut rng = stream(self.seed, Purpose::UserLogs, user.0 as u64, 0);
        let truth = &ctx.users[user.index()];
        let vector = ctx.user_vectors.row(user.index());
        let shopper = Shopper { user, vector, truth };
        let behaviour = Behaviour { params: &s.behaviour, needs: &s.needs };
        let need_model = self.need_model();
        let leaf_cdf = need_model.leaf_cdf(vector);
        let horizon = s.logs.days as f64 * DAY;
        let search_share = (truth.persona.shelf / (truth.persona.shelf + truth.persona.interest)) as f64;

        let mut log = UserLog { events: Vec::new(), queries: Vec::new(), needs: Vec::new(), sessions: 0 };
        // Open needs as indices into log.needs, with their abandonment deadlines.
        let mut open: Vec<(usize, f64)> = Vec::new();
        // Deferred seeded needs with their deadlines, in the order seeded.
        let mut deferred: Vec<(Need, f64)> = Vec::new();
        let mut budget = Budget { period: u32::MAX, left: 0.0 };
        let mut busy_until = 0u32;
        let mut next_need = exponential(&mut rng, s.needs.organic_rate / DAY);
        let mut next_session = exponential(&mut rng, truth.activity as f64 / DAY);
        loop {
            let now = next_need.min(next_session);
            if now >= horizon {
                break;
            }
            let t = now as u32;
            activate(&mut log.needs, &mut open, &mut deferred, t);
            expire(&mut log.needs, &mut open, now);
            if next_need <= next_session {
                let mut need = need_model.organic(user, vector, &leaf_cdf, t, NeedOrigin::Organic, &mut rng);
                need.id = NeedId(log.needs.len() as u32);
                open.push((log.needs.len(), now + exponential(&mut rng, 1.0 / (s.needs.patience_days * DAY))));
                log.needs.push(need);
                next_need = now + exponential(&mut rng, s.needs.organic_rate / DAY);
                continue;
            }
            next_session = now + exponential(&mut rng, truth.activity as f64 / DAY);
            let session = log.sessions;
            log.sessions += 1;
            // A session that starts while the previous one is still going waits for it.
            let mut w = SessionWriter { user, session, clock: t.max(busy_until) };
            budget.enter(self.seed, s, user, w.clock);
            let search_draw = rng.random::<f64>();
            let (channel, shown, query) = if !open.is_empty() && search_draw < search_share {
                let need = &log.needs[open[rng.random_range(0..open.len())].0];
                let (text, _) = write_query(&self.taxonomy, need, &s.queries, &mut rng);
                let shown = ctx.search.search(&text, s.logs.list_length as usize);
                let q = log.queries.len() as u32;
                log.queries.push(text);
                w.emit(&mut log, Channel::Search, Action::Search, None, Some(q));
                (Channel::Search, shown, Some(q))
            } else {
                (Channel::Feed, ctx.feed.sample(s.logs.list_length as usize, &mut rng), None)
            };
            let open_needs: Vec<Need> = open.iter().map(|&(i, _)| log.needs[i].clone()).collect();
            let shown_at = w.clock;
            let reaction = behaviour.react(
                &ctx.market,
                &shopper,
                &Shown { items: &shown, channel, time: shown_at },
                &open_needs,
                budget.left,
                &mut rng,
            );
            for &pos in &reaction.examined {
                w.emit(&mut log, channel, Action::Impression, Some((pos, shown[pos])), query);
            }
            for &pos in &reaction.clicked {
                w.emit(&mut log, channel, Action::Click, Some((pos, shown[pos])), query);
                if reaction.carted.contains(&pos) {
                    w.emit(&mut log, channel, Action::AddToCart, Some((pos, shown[pos])), query);
                }
            }
            // Where each seeded need went in log.needs; None while deferred.
            let mut seeded_at = Vec::with_capacity(reaction.seeded.len());
            for mut need in reaction.seeded {
                let patience = exponential(&mut rng, 1.0 / (s.needs.patience_days * DAY));
                let deadline = need.opened as f64 + patience;
                if need.opened > shown_at {
                    seeded_at.push(None);
                    deferred.push((need, deadline));
                } else {
                    need.id = NeedId(log.needs.len() as u32);
                    seeded_at.push(Some(log.needs.len()));
                    open.push((log.needs.len(), deadline));
                    log.needs.push(need);
                }
            }
            if let Some(pos) = reaction.purchased {
                w.emit(&mut log, channel, Action::Purchase, Some((pos, shown[pos])), query);
                budget.left -= ctx.market.price(shown[pos]) as f64;
                // `closes` never names a deferred need (react's contract), so
                // every closed need has its place in log.needs.
                let closed = reaction.closes.and_then(|k| match open_needs.get(k) {
                    Some(need) => Some(need.id.index()),
                    None => seeded_at.get(k - open_needs.len()).copied().flatten(),
                });
                if let Some(index) = closed {
                    log.needs[index].closed = Some(w.clock);
                    log.needs[index].bought = Some(shown[pos]);
                    open.retain(|&(i, _)| i != index);
                }
            }
            busy_until = w.clock;
        }
        log
    }
}

/// Writes the events of one session, three seconds apart.
struct SessionWriter {
    user: UserId,
    session: u32,
    clock: u32,
}

impl SessionWriter {
    fn emit(
        &mut self,
        log: &mut UserLog,
        channel: Channel,
        action: Action,
        item: Option<(usize, ItemId)>,
        query: Option<u32>,
    ) {
        log.events.push(Event {
            time: self.clock,
            user: self.user,
            session: self.session,
            channel,
            action,
            item: item.map(|(_, i)| i),
            position: item.map(|(p, _)| (p + 1) as u16),
            query,
        });
        self.clock = self.clock.saturating_add(3);
    }
}

/// The money a user has left in the current 28-day budget period.
struct Budget {
    /// Index of the current period; `u32::MAX` before the first session.
    period: u32,
    left: f64,
}

impl Budget {
    /// Moves to the period holding second `clock`, starting it with the
    /// period's budget (pro-rated when the log ends inside it).
    fn enter(&mut self, seed: u64, scenario: &Scenario, user: UserId, clock: u32) {
        let period_secs = BUDGET_PERIOD_DAYS * DAY;
        let period = (clock as f64 / period_secs) as u32;
        if period != self.period {
            let start = period as f64 * BUDGET_PERIOD_DAYS;
            let days = (scenario.logs.days as f64 - start).clamp(0.0, BUDGET_PERIOD_DAYS);
            self.period = period;
            self.left = user_budget(&scenario.behaviour, seed, user, days);
        }
    }
}

/// Opens the deferred needs whose time has come (at or before second `now`),
/// in the order they were seeded.
fn activate(needs: &mut Vec<Need>, open: &mut Vec<(usize, f64)>, deferred: &mut Vec<(Need, f64)>, now: u32) {
    let mut i = 0;
    while i < deferred.len() {
        if deferred[i].0.opened <= now {
            let (mut need, deadline) = deferred.remove(i);
            need.id = NeedId(needs.len() as u32);
            open.push((needs.len(), deadline));
            needs.push(need);
        } else {
            i += 1;
        }
    }
}

/// Closes needs whose patience ran out before `now`.
fn expire(needs: &mut [Need], open: &mut Vec<(usize, f64)>, now: f64) {
    open.retain(|&(i, deadline)| {
        if deadline < now {
            needs[i].closed = Some(deadline as u32);
            false
        } else {
            true
        }
    });
}

/// Waiting time of a Poisson process with the given rate (infinite for rate 0).
fn exponential(rng: &mut StreamRng, rate: f64) -> f64 {
    if rate <= 0.0 {
        return f64::INFINITY;
    }
    let u: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
    -u.ln() / rate
}
