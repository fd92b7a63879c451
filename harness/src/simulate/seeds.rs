//! Where every stream of a simulation gets its seed: the users simulated,
//! each replicate's periods and each bootstrap, all derived from the one
//! simulation seed by counter-based streams.

use rand::RngExt;
use searchrec_datasets::UserId;
use searchrec_datasets::rng::{Purpose, stream};

/// What a derived seed is for. The discriminants are part of the
/// simulation's definition: changing one changes every result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub(crate) enum Phase {
    /// The experiment period of a replicate (every arm).
    Experiment = 0,
    /// The pre-period of a replicate, under the control arm.
    PrePeriod = 1,
    /// The period of an A/A replicate, shared by its two arms (paired).
    AaPeriod = 2,
    /// The bootstrap of the main analysis (index 0).
    Bootstrap = 4,
    /// The bootstrap of an A/A replicate.
    AaBootstrap = 5,
    /// The tie-break of one arm of an A/A replicate (index 2 × run + arm).
    AaTieBreak = 7,
    /// The planted control's demotion in a replicate.
    Planted = 8,
    /// The two-stage bootstrap over worlds (index 0).
    WorldBootstrap = 9,
    /// The simulation seed of a sensitivity point (index: the point).
    SensitivityPoint = 10,
}

/// The seed of `phase` number `index` (a replicate, or a point of a sweep).
pub(crate) fn seed_of(seed: u64, phase: Phase, index: usize) -> u64 {
    stream(seed, Purpose::SimulationSeed, index as u64, phase as u64).random()
}

/// `count` of the world's `available` users, drawn without replacement by
/// the seed, in ascending order (so rows come in user order).
pub(crate) fn sample_users(available: usize, count: usize, seed: u64) -> Vec<UserId> {
    let mut rng = stream(seed, Purpose::SimulationSample, 0, 0);
    let mut users: Vec<UserId> = rand::seq::index::sample(&mut rng, available, count.min(available))
        .into_iter()
        .map(|i| UserId(i as u32))
        .collect();
    users.sort_unstable();
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_distinct_sorted_and_reproducible() {
        let a = sample_users(300, 40, 9);
        assert_eq!(a.len(), 40);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        assert!(a.iter().all(|u| u.index() < 300));
        assert_eq!(a, sample_users(300, 40, 9));
        assert_ne!(a, sample_users(300, 40, 10));
        assert_eq!(sample_users(5, 9, 1).len(), 5);
    }

    #[test]
    fn phases_and_replicates_get_their_own_seeds() {
        let s = seed_of(1, Phase::Experiment, 0);
        assert_ne!(s, seed_of(1, Phase::Experiment, 1));
        assert_ne!(s, seed_of(1, Phase::PrePeriod, 0));
        assert_ne!(s, seed_of(2, Phase::Experiment, 0));
    }
}
