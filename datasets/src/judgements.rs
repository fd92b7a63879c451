//! Graded relevance judgements, like the Amazon ESCI labels.
//!
//! A judgement grades an item against the *need* behind a query, not against
//! the query's words, so a query with a typo or a synonym still has the right
//! answers:
//!
//! | grade | when | integer in qrels | default gain |
//! |---|---|---|---|
//! | Exact | leaf and every wanted attribute (and brand) match | 3 | 1.0 |
//! | Substitute | leaf matches | 2 | 0.1 |
//! | Complement | the item's leaf complements the need's leaf | 1 | 0.01 |
//! | Irrelevant | otherwise (never written: unjudged counts as 0) | 0 | 0 |
//!
//! The default gains are the ESCI paper's. ESCI's own scoring script maps
//! S = 0.01 and C = 0.1 — the reverse; set `judgements.gains` to reproduce it.

use crate::LeafId;
use crate::ids::{ItemId, QueryId, UserId};
use crate::scenario::Gains;
use crate::taxonomy::Taxonomy;
use crate::truth::{ItemTruth, Need};

/// An ESCI grade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Grade {
    /// Not relevant.
    Irrelevant = 0,
    /// Useful together with an exact item.
    Complement = 1,
    /// The right kind of product, not every wanted attribute.
    Substitute = 2,
    /// What the need asked for.
    Exact = 3,
}

impl Grade {
    /// The integer written in TREC qrels.
    pub fn level(self) -> u8 {
        self as u8
    }

    /// Parses [`Grade::level`].
    pub fn from_level(level: u8) -> Option<Grade> {
        match level {
            0 => Some(Grade::Irrelevant),
            1 => Some(Grade::Complement),
            2 => Some(Grade::Substitute),
            3 => Some(Grade::Exact),
            _ => None,
        }
    }

    /// The gain of this grade under a gain table.
    pub fn gain(self, gains: &Gains) -> f64 {
        match self {
            Grade::Exact => gains.exact,
            Grade::Substitute => gains.substitute,
            Grade::Complement => gains.complement,
            Grade::Irrelevant => gains.irrelevant,
        }
    }
}

/// Grades one item against one need.
pub fn grade(taxonomy: &Taxonomy, need: &Need, item_leaf: LeafId, item: &ItemTruth) -> Grade {
    if item_leaf == need.leaf {
        let brand_ok = need.brand.is_none_or(|b| b == item.brand);
        if brand_ok && item.attributes.satisfies(&need.attributes) { Grade::Exact } else { Grade::Substitute }
    } else if taxonomy.leaf(need.leaf).complements.contains(&item_leaf) {
        Grade::Complement
    } else {
        Grade::Irrelevant
    }
}

/// One judgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judgement {
    /// The query.
    pub query: QueryId,
    /// The item.
    pub item: ItemId,
    /// Its grade (never Irrelevant in a generated world).
    pub grade: Grade,
}

/// The items one user interacted with after the logged period: the feed's
/// judgements on real data (each item gains as Exact).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedJudgement {
    /// The user asking for a feed at the end of the logged period.
    pub user: UserId,
    /// What they then interacted with, ascending, no repeats, never empty.
    pub items: Vec<ItemId>,
}

/// All judgements of a query set, sorted by (query, item).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Qrels {
    /// The judgements.
    pub judgements: Vec<Judgement>,
}

impl Qrels {
    /// The judgements of one query (binary search over the sorted rows).
    pub fn of(&self, query: QueryId) -> &[Judgement] {
        let start = self.judgements.partition_point(|j| j.query < query);
        let end = self.judgements.partition_point(|j| j.query <= query);
        &self.judgements[start..end]
    }
}
