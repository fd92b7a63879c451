//! Perturbations of the lists an arm shows, each with a known effect: the
//! A/A check's irrelevant tie-break (no effect in expectation) and the
//! planted control's demotion (an effect the simulator measures exactly on
//! the same streams).
//!
//! Every draw comes from a stream keyed by (perturbation seed, user,
//! session), never from the session's own streams, so a perturbed arm sees
//! the same users, needs and coin flips as the arm it perturbs: the pairing
//! of the real comparisons. A session the perturbation leaves alone makes
//! the very engine call the unperturbed arm makes.

use rand::RngExt;
use searchrec_datasets::rng::{Purpose, StreamRng, stream};
use searchrec_datasets::{Channel, ItemId, UserId};

use super::settings::Channels;

/// How an arm's lists are changed before the user sees them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Perturbation {
    /// Each adjacent pair of positions (1–2, 3–4, …) swapped with
    /// probability ½: two arms that differ only in this seed are the same
    /// arm in distribution, so any difference between them is noise.
    TieBreak { seed: u64 },
    /// On a share `probability` of the sessions of `channels`, the list shows
    /// the engine's results `skip` + 1 to `skip` + k instead of 1 to k.
    Demote { seed: u64, skip: usize, probability: f64, channels: Channels },
}

/// What a perturbation does to one session.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Action {
    /// Nothing: the engine's first k results.
    Keep,
    /// Swap the pairs whose bits are set (pair i is positions 2i and 2i + 1;
    /// pairs past 64 are left alone).
    Swap(u64),
    /// Drop the first `n` results.
    Skip(usize),
}

impl Perturbation {
    /// The action for session `session` of `user` on `channel`.
    pub fn action(&self, user: UserId, session: u32, channel: Channel) -> Action {
        match *self {
            Perturbation::TieBreak { seed } => Action::Swap(self.rng(seed, user, session).random()),
            Perturbation::Demote { seed, skip, probability, channels } => {
                let applies = match channel {
                    Channel::Search => channels.search(),
                    Channel::Feed => channels.feed(),
                };
                // Drawn even when the channel is spared, so the decision of a
                // session does not depend on the channel of earlier ones.
                let draw: f64 = self.rng(seed, user, session).random();
                if applies && draw < probability { Action::Skip(skip) } else { Action::Keep }
            }
        }
    }

    fn rng(&self, seed: u64, user: UserId, session: u32) -> StreamRng {
        stream(seed, Purpose::SimulationPerturbation, user.0 as u64, session as u64)
    }
}

impl Action {
    /// Results to ask the engine for, to show `k`.
    pub fn depth(self, k: usize) -> usize {
        match self {
            Action::Skip(n) => k + n,
            Action::Keep | Action::Swap(_) => k,
        }
    }

    /// The list shown: at most `k` of `items` (the engine's answer to
    /// [`Action::depth`]), perturbed.
    pub fn apply(self, mut items: Vec<ItemId>, k: usize) -> Vec<ItemId> {
        match self {
            Action::Keep => items.truncate(k),
            Action::Skip(n) => {
                items.drain(..n.min(items.len()));
                items.truncate(k);
            }
            Action::Swap(bits) => {
                items.truncate(k);
                for pair in 0..(items.len() / 2).min(64) {
                    if bits >> pair & 1 == 1 {
                        items.swap(2 * pair, 2 * pair + 1);
                    }
                }
            }
        }
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(n: u32) -> Vec<ItemId> {
        (0..n).map(ItemId).collect()
    }

    #[test]
    fn skip_shows_the_next_page_and_keep_the_first() {
        assert_eq!(Action::Skip(3).depth(4), 7);
        assert_eq!(Action::Skip(3).apply(items(7), 4), vec![ItemId(3), ItemId(4), ItemId(5), ItemId(6)]);
        // An engine with fewer results than the skip shows what is left.
        assert_eq!(Action::Skip(3).apply(items(5), 4), vec![ItemId(3), ItemId(4)]);
        assert_eq!(Action::Skip(9).apply(items(5), 4), Vec::<ItemId>::new());
        assert_eq!(Action::Keep.apply(items(6), 4), items(4));
    }

    #[test]
    fn swaps_exchange_only_the_marked_pairs() {
        let shown = Action::Swap(0b101).apply(items(7), 7);
        let want = [1, 0, 2, 3, 5, 4, 6].map(ItemId);
        assert_eq!(shown, want.to_vec());
        assert_eq!(Action::Swap(u64::MAX).apply(items(3), 2), vec![ItemId(1), ItemId(0)]);
    }

    #[test]
    fn demotion_follows_its_probability_and_channels() {
        let demote = |probability, channels| Perturbation::Demote { seed: 5, skip: 20, probability, channels };
        let share = |p: &Perturbation, channel| {
            let hits = (0..4_000).filter(|&s| p.action(UserId(s % 7), s, channel) != Action::Keep).count();
            hits as f64 / 4_000.0
        };
        let some = demote(0.3, Channels::Search);
        assert!((share(&some, Channel::Search) - 0.3).abs() < 0.03, "{}", share(&some, Channel::Search));
        assert_eq!(share(&some, Channel::Feed), 0.0);
        assert_eq!(share(&demote(1.0, Channels::Both), Channel::Feed), 1.0);
        // Reproducible per (seed, user, session); another seed draws anew.
        let a: Vec<Action> = (0..50).map(|s| some.action(UserId(1), s, Channel::Search)).collect();
        let again: Vec<Action> = (0..50).map(|s| some.action(UserId(1), s, Channel::Search)).collect();
        assert_eq!(a, again);
        let tie = |seed| Perturbation::TieBreak { seed }.action(UserId(2), 9, Channel::Feed);
        assert_eq!(tie(1), tie(1));
        assert_ne!(tie(1), tie(2));
    }
}
