//! What an engine is built from.

use searchrec_datasets::{Catalog, Logs, UserProfile};

/// The observable half of a world, and nothing else: the type an engine
/// factory receives. Truth (latent vectors, needs, quality) has no way in.
#[derive(Clone, Copy, Debug)]
pub struct BuildInput<'a> {
    /// The catalogue.
    pub catalog: &'a Catalog,
    /// The users' coarse profiles.
    pub users: &'a [UserProfile],
    /// Historical interactions to learn from.
    pub logs: &'a Logs,
}
