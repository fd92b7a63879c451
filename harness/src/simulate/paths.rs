//! Where GMV comes from: every purchase is booked to one path, by the
//! channel it was made in and the need it closed, so that each arm's GMV and
//! the factorial's Δ split exactly into paths (the paths' Δ sum to Δ). A
//! coupling that helps through one path and costs through another — signal
//! gained in search, demand substituted away from the feed — shows as two
//! terms of opposite sign.

use searchrec_datasets::{Channel, Need, NeedOrigin};

/// The paths, in report order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Path {
    /// Bought in a search session, closing a need that arose by itself.
    SearchOrganic,
    /// Bought in a search session, closing a need the feed seeded earlier:
    /// seeded demand coming back as a search.
    SearchSeeded,
    /// Bought in a feed session, closing a need seeded in that same session.
    FeedImpulse,
    /// Bought in a feed session, closing a need the feed seeded earlier.
    FeedSeeded,
    /// Bought in a feed session, closing a need that arose by itself.
    FeedOrganic,
    /// Bought matching no open need, in either channel.
    Unplanned,
}

/// Number of paths.
pub(crate) const PATHS: usize = 6;

impl Path {
    /// Every path, in report order.
    pub const ALL: [Path; PATHS] = [
        Path::SearchOrganic,
        Path::SearchSeeded,
        Path::FeedImpulse,
        Path::FeedSeeded,
        Path::FeedOrganic,
        Path::Unplanned,
    ];

    /// The path of a purchase made on `channel` that closed `closes`, an
    /// index into the session's `open` needs followed by the needs it seeded.
    pub fn of(channel: Channel, closes: Option<usize>, open: &[Need]) -> Path {
        let Some(index) = closes else { return Path::Unplanned };
        let seeded = match open.get(index) {
            None => return if channel == Channel::Feed { Path::FeedImpulse } else { Path::SearchSeeded },
            Some(need) => matches!(need.origin, NeedOrigin::Seeded(_)),
        };
        match (channel, seeded) {
            (Channel::Search, false) => Path::SearchOrganic,
            (Channel::Search, true) => Path::SearchSeeded,
            (Channel::Feed, true) => Path::FeedSeeded,
            (Channel::Feed, false) => Path::FeedOrganic,
        }
    }

    /// The name written to `results.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Path::SearchOrganic => "search_organic",
            Path::SearchSeeded => "search_seeded",
            Path::FeedImpulse => "feed_impulse",
            Path::FeedSeeded => "feed_seeded",
            Path::FeedOrganic => "feed_organic",
            Path::Unplanned => "unplanned",
        }
    }

    /// Its position in [`Path::ALL`].
    pub fn index(self) -> usize {
        Path::ALL.iter().position(|&p| p == self).unwrap_or(PATHS - 1)
    }
}

#[cfg(test)]
mod tests {
    use searchrec_datasets::{Attributes, ItemId, LeafId, NeedId, UserId};

    use super::*;

    fn need(origin: NeedOrigin) -> Need {
        Need {
            id: NeedId(0),
            user: UserId(0),
            leaf: LeafId(0),
            attributes: Attributes::EMPTY,
            brand: None,
            origin,
            opened: 0,
            closed: None,
            bought: None,
        }
    }

    #[test]
    fn each_purchase_has_one_path() {
        let open = [need(NeedOrigin::Organic), need(NeedOrigin::Seeded(ItemId(3)))];
        assert_eq!(Path::of(Channel::Search, Some(0), &open), Path::SearchOrganic);
        assert_eq!(Path::of(Channel::Search, Some(1), &open), Path::SearchSeeded);
        assert_eq!(Path::of(Channel::Feed, Some(0), &open), Path::FeedOrganic);
        assert_eq!(Path::of(Channel::Feed, Some(1), &open), Path::FeedSeeded);
        // Past the open needs: a need seeded in this very session.
        assert_eq!(Path::of(Channel::Feed, Some(2), &open), Path::FeedImpulse);
        assert_eq!(Path::of(Channel::Search, None, &open), Path::Unplanned);
        let names: Vec<&str> = Path::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(names.len(), PATHS);
        assert!(Path::ALL.iter().enumerate().all(|(i, p)| p.index() == i));
    }
}
