//! The observable user table: ids and the coarse profile a platform keeps.

use crate::ids::UserId;

/// A user as the platform knows them. Latent interests, price sensitivity and
/// persona live in [`crate::truth::UserTruth`], never here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserProfile {
    /// Dense id, equal to the user's row.
    pub id: UserId,
    /// Coarse age band, `0` = 18–24 … `5` = 65+.
    pub age_band: u8,
    /// Region code, `0..regions`.
    pub region: u8,
    /// Days since sign-up at the start of the logged period.
    pub tenure_days: u16,
}
