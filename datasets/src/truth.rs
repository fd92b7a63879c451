//! The truth half of a world: what only the simulator and the judgements may
//! read. Engines never receive these types (see `searchrec_engine::BuildInput`).

use crate::ids::{ItemId, LeafId, NeedId, QueryId, UserId};
use crate::taxonomy::Dimension;

/// Attribute values per [`Dimension`] slot: an index into the leaf's value
/// list, or [`Attributes::NONE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Attributes(pub [u8; 4]);

impl Attributes {
    /// "Not applicable" for an item, "don't care" for a need.
    pub const NONE: u8 = u8::MAX;
    /// No value in any slot.
    pub const EMPTY: Attributes = Attributes([Self::NONE; 4]);

    /// The value in one slot.
    pub fn get(&self, dimension: Dimension) -> Option<u8> {
        let v = self.0[dimension as usize];
        (v != Self::NONE).then_some(v)
    }

    /// True when every value set in `wanted` is also in `self`.
    pub fn satisfies(&self, wanted: &Attributes) -> bool {
        self.0.iter().zip(wanted.0).all(|(&have, want)| want == Self::NONE || have == want)
    }
}

/// Latent facts about an item.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemTruth {
    /// Quality in `[0, 1]`; drives rating and sales.
    pub quality: f32,
    /// The item's attribute values.
    pub attributes: Attributes,
    /// Index into the leaf's brand list.
    pub brand: u16,
    /// Index into the leaf's noun list (0 = canonical).
    pub noun: u8,
}

/// How a user splits between the three ways of buying.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Persona {
    /// Shelf search: demand first, then search.
    pub shelf: f32,
    /// Interest: the feed seeds demand.
    pub interest: f32,
    /// Social: trust in a person first (for a future engine).
    pub social: f32,
}

/// Latent facts about a user.
#[derive(Clone, Debug, PartialEq)]
pub struct UserTruth {
    /// λ: how strongly ln(price) lowers purchase utility.
    pub price_sensitivity: f32,
    /// Mean sessions per day.
    pub activity: f32,
    /// Mode weights, summing to one.
    pub persona: Persona,
}

/// Where a need came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeedOrigin {
    /// It arose by itself (Poisson, by affinity to the leaf).
    Organic,
    /// A feed item seeded it (touchpoint → demand).
    Seeded(ItemId),
    /// It stands behind a query of the evaluation set.
    Evaluation,
}

/// A need: a user wanting a kind of product.
#[derive(Clone, Debug, PartialEq)]
pub struct Need {
    /// Dense id.
    pub id: NeedId,
    /// Whose need.
    pub user: UserId,
    /// The product type wanted.
    pub leaf: LeafId,
    /// Wanted attribute values ([`Attributes::NONE`] = any).
    pub attributes: Attributes,
    /// Wanted brand (index into the leaf's brands), if any.
    pub brand: Option<u16>,
    /// How it arose.
    pub origin: NeedOrigin,
    /// Second it opened. A seeded need the feed deferred (`needs.seeded_defer`)
    /// opens this long after the session that seeded it: until then it is
    /// not open, matches no item and cannot be bought.
    pub opened: u32,
    /// Second it closed (bought or abandoned); `None` if still open at the end.
    pub closed: Option<u32>,
    /// What closed it, if a purchase did.
    pub bought: Option<ItemId>,
}

/// How a query was written from its need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryForm {
    /// Words for the product, possibly with attributes and brand.
    Full,
    /// The brand name alone.
    BrandOnly,
    /// A vague phrase for the broad category.
    Vague,
}

impl QueryForm {
    /// Lower-case name as written to files.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryForm::Full => "full",
            QueryForm::BrandOnly => "brand_only",
            QueryForm::Vague => "vague",
        }
    }

    /// Parses [`QueryForm::as_str`].
    pub fn parse(s: &str) -> Option<QueryForm> {
        [QueryForm::Full, QueryForm::BrandOnly, QueryForm::Vague].into_iter().find(|f| f.as_str() == s)
    }
}

/// The truth behind one written query: which noise was applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryNoise {
    /// The form of the query.
    pub form: QueryForm,
    /// Wanted attributes and brand the need had (Full form only).
    pub wanted: u8,
    /// How many of those the query left out.
    pub dropped: u8,
    /// Whether the noun or a value was typed as a synonym.
    pub synonym: bool,
    /// Whether the noun had a synonym to choose (leaf has more than one noun).
    pub synonym_possible: bool,
    /// Whether a typo was made.
    pub typo: bool,
}

/// The truth behind one evaluation query.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueryTruth {
    /// The query.
    pub query: QueryId,
    /// Its need.
    pub need: NeedId,
    /// How it was written.
    pub noise: QueryNoise,
}

/// Dense row-major vectors.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Vectors {
    /// Dimension of each row.
    pub dim: usize,
    /// `rows × dim` values.
    pub data: Vec<f32>,
}

impl Vectors {
    /// Row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.data.len().checked_div(self.dim).unwrap_or(0)
    }
}

/// The truth half of a world.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Truth {
    /// Per item, indexed by [`ItemId`].
    pub items: Vec<ItemTruth>,
    /// Unit-norm latent item vectors φ_i.
    pub item_vectors: Vectors,
    /// Per user, indexed by [`UserId`].
    pub users: Vec<UserTruth>,
    /// Unit-norm latent user vectors θ_u.
    pub user_vectors: Vectors,
    /// Every need of the logged period, then the evaluation queries' needs.
    pub needs: Vec<Need>,
    /// Per evaluation query, indexed by [`QueryId`].
    pub queries: Vec<QueryTruth>,
}
