//! Typed identifiers. Every table is indexed densely from zero, so an id is
//! also the row number of its entity in the table that owns it.

use std::fmt;

macro_rules! dense_id {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[repr(transparent)]
        pub struct $name(pub $inner);

        impl $name {
            /// The row of this entity in its table.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

dense_id!(
    /// An item of the catalogue.
    ItemId(u32)
);
dense_id!(
    /// A user of the platform.
    UserId(u32)
);
dense_id!(
    /// A leaf category of the taxonomy.
    LeafId(u16)
);
dense_id!(
    /// A query of an evaluation query set.
    QueryId(u32)
);
dense_id!(
    /// A need (the truth behind a search or a feed purchase).
    NeedId(u32)
);
