//! Counter-based random streams.
//!
//! Every random draw in a world comes from a stream keyed by
//! `(seed, purpose, a, b)` — for example `(seed, Purpose::Item, item_id, 0)` —
//! never from a generator shared across entities. So the value an entity gets
//! does not depend on the order in which threads reach it, generation is
//! bit-identical whatever the thread count, and the simulator can give every
//! arm of an experiment the same draws for the same user and session (common
//! random numbers).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator behind every stream: ChaCha8, whose output for a given seed
/// is fixed by its specification, so worlds are stable across platforms.
pub type StreamRng = ChaCha8Rng;

/// What a stream is for. The discriminants are part of the world's
/// definition: changing one changes every world.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
#[allow(missing_docs)]
pub enum Purpose {
    LatentSpace = 1,
    LeafOrder = 2,
    Item = 3,
    User = 4,
    UserLogs = 5,
    EvaluationQuery = 6,
    Judgements = 7,
    /// Reserved for the GMV simulator: sessions of a simulated user (which
    /// channel, which open need), keyed (user, session).
    Simulation = 8,
    /// Simulator: when a simulated user's sessions and organic needs arrive,
    /// and what those needs are, keyed (user, 0).
    SimulationTimeline = 9,
    /// Simulator: the query text of a search session, keyed (user, session).
    SimulationQuery = 10,
    /// Simulator: the reaction to a shown list and the patience of the needs
    /// it seeds, keyed (user, session).
    SimulationReaction = 11,
    /// Simulator: the seed of each replicate and period, keyed (replicate, period).
    SimulationSeed = 12,
    /// Simulator: which of the world's users are simulated, keyed (0, 0).
    SimulationSample = 13,
    /// Simulator: bootstrap resamples, keyed (statistic, block).
    SimulationBootstrap = 14,
    /// Simulator: an arm's perturbation of the lists it shows (the A/A
    /// check's tie-break, the planted control's demotion), keyed (user,
    /// session) under the perturbation's own seed.
    SimulationPerturbation = 15,
    /// A user's spending budget per 28 days, keyed (user, 0): one draw per
    /// user and seed, so the logs and every simulated arm see the same budget.
    Budget = 16,
}

/// Opens the stream for `(seed, purpose, a, b)`.
pub fn stream(seed: u64, purpose: Purpose, a: u64, b: u64) -> StreamRng {
    let mut h = mix(seed ^ 0x5EED_5EED_5EED_5EED);
    for part in [purpose as u64, a, b] {
        h = mix(h ^ mix(part.wrapping_add(0x9E37_79B9_7F4A_7C15)));
    }
    let mut key = [0u8; 32];
    for (i, chunk) in key.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&mix(h.wrapping_add(i as u64 + 1)).to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

/// SplitMix64's finaliser: a bijective 64-bit mix with full avalanche.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let draw = |p, a, b| stream(7, p, a, b).random::<u64>();
        assert_eq!(draw(Purpose::Item, 1, 0), draw(Purpose::Item, 1, 0));
        assert_ne!(draw(Purpose::Item, 1, 0), draw(Purpose::Item, 2, 0));
        assert_ne!(draw(Purpose::Item, 1, 0), draw(Purpose::User, 1, 0));
        assert_ne!(draw(Purpose::Item, 1, 0), draw(Purpose::Item, 0, 1));
        assert_ne!(stream(7, Purpose::Item, 1, 0).random::<u64>(), stream(8, Purpose::Item, 1, 0).random::<u64>());
    }
}
