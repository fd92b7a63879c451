//! The per-session and per-user tables of a simulation, and their Parquet
//! files (`docs/results-format.md`, "Simulation tables").
//!
//! The tables hold only what the random streams decide, never a timing, so
//! the same seed gives byte-identical files whatever the thread count.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use searchrec_datasets::{Channel, ItemId, UserId};

use crate::atomic_file::write_atomically;
use crate::{HarnessError, Result};

/// File name of the per-session table.
pub const SESSIONS_FILE: &str = "sessions.parquet";

/// File name of the per-user table.
pub const USERS_FILE: &str = "users.parquet";

/// One session of the experiment period (the pre-period, the A/A check and
/// the sensitivity sweep keep no rows).
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRow {
    /// Replicate (seed index) from 0.
    pub replicate: u32,
    /// The arm.
    pub arm: String,
    /// The user.
    pub user: UserId,
    /// The session's arrival number within the period, from 0. The same
    /// number is the same visit in every arm; a number is missing where a
    /// search-only arm had no need to search for.
    pub session: u32,
    /// Seconds since the start of the horizon.
    pub time: u32,
    /// Search or feed.
    pub channel: Channel,
    /// The query typed (search sessions).
    pub query: Option<String>,
    /// Needs open when the session started.
    pub open_needs: u32,
    /// Items shown.
    pub shown: u32,
    /// Items examined.
    pub examined: u32,
    /// Items clicked.
    pub clicks: u32,
    /// Items carted (including the purchase).
    pub carts: u32,
    /// Needs the feed seeded.
    pub seeded: u32,
    /// The item bought, if any.
    pub purchase: Option<ItemId>,
    /// Its rank, from 1.
    pub position: Option<u32>,
    /// The price paid, 0 without a purchase.
    pub gmv: f64,
}

/// One user's experiment period under one arm in one replicate.
#[derive(Clone, Debug, PartialEq)]
pub struct UserRow {
    /// Replicate (seed index) from 0.
    pub replicate: u32,
    /// The arm.
    pub arm: String,
    /// The user.
    pub user: UserId,
    /// Sessions served.
    pub sessions: u32,
    /// Of which search sessions.
    pub searches: u32,
    /// Items shown over all sessions.
    pub impressions: u32,
    /// Clicks.
    pub clicks: u32,
    /// Purchases.
    pub orders: u32,
    /// GMV over the horizon.
    pub gmv: f64,
    /// GMV over the pre-period under the control arm (the same in every arm
    /// of a replicate, 0 without a pre-period).
    pub pre_period_gmv: f64,
    /// Needs that arose by themselves.
    pub organic_needs: u32,
    /// Needs the feed seeded.
    pub seeded_needs: u32,
    /// Needs a purchase closed.
    pub needs_bought: u32,
    /// Needs abandoned when patience ran out.
    pub needs_abandoned: u32,
}

/// Writes both tables into `dir`, each atomically.
pub(crate) fn write(dir: &Path, sessions: &[SessionRow], users: &[UserRow]) -> Result<()> {
    write_sessions(&dir.join(SESSIONS_FILE), sessions)?;
    write_users(&dir.join(USERS_FILE), users)
}

fn write_sessions(path: &Path, rows: &[SessionRow]) -> Result<()> {
    let u32s = |f: fn(&SessionRow) -> u32| -> ArrayRef { Arc::new(UInt32Array::from_iter_values(rows.iter().map(f))) };
    let columns: Vec<(&str, bool, ArrayRef)> = vec![
        ("replicate", false, u32s(|r| r.replicate)),
        ("arm", false, Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.arm.as_str())))),
        ("user", false, u32s(|r| r.user.0)),
        ("session", false, u32s(|r| r.session)),
        ("time", false, u32s(|r| r.time)),
        ("channel", false, Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.channel.as_str())))),
        ("query", true, Arc::new(rows.iter().map(|r| r.query.as_deref()).collect::<StringArray>())),
        ("open_needs", false, u32s(|r| r.open_needs)),
        ("shown", false, u32s(|r| r.shown)),
        ("examined", false, u32s(|r| r.examined)),
        ("clicks", false, u32s(|r| r.clicks)),
        ("carts", false, u32s(|r| r.carts)),
        ("seeded", false, u32s(|r| r.seeded)),
        ("purchase", true, Arc::new(rows.iter().map(|r| r.purchase.map(|i| i.0)).collect::<UInt32Array>())),
        ("position", true, Arc::new(rows.iter().map(|r| r.position).collect::<UInt32Array>())),
        ("gmv", false, Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.gmv)))),
    ];
    write_table(path, columns)
}

fn write_users(path: &Path, rows: &[UserRow]) -> Result<()> {
    let u32s = |f: fn(&UserRow) -> u32| -> ArrayRef { Arc::new(UInt32Array::from_iter_values(rows.iter().map(f))) };
    let f64s = |f: fn(&UserRow) -> f64| -> ArrayRef { Arc::new(Float64Array::from_iter_values(rows.iter().map(f))) };
    let columns: Vec<(&str, bool, ArrayRef)> = vec![
        ("replicate", false, u32s(|r| r.replicate)),
        ("arm", false, Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.arm.as_str())))),
        ("user", false, u32s(|r| r.user.0)),
        ("sessions", false, u32s(|r| r.sessions)),
        ("searches", false, u32s(|r| r.searches)),
        ("impressions", false, u32s(|r| r.impressions)),
        ("clicks", false, u32s(|r| r.clicks)),
        ("orders", false, u32s(|r| r.orders)),
        ("gmv", false, f64s(|r| r.gmv)),
        ("pre_period_gmv", false, f64s(|r| r.pre_period_gmv)),
        ("organic_needs", false, u32s(|r| r.organic_needs)),
        ("seeded_needs", false, u32s(|r| r.seeded_needs)),
        ("needs_bought", false, u32s(|r| r.needs_bought)),
        ("needs_abandoned", false, u32s(|r| r.needs_abandoned)),
    ];
    write_table(path, columns)
}

/// Encodes the columns (name, nullable, values) as one Parquet file in
/// memory and writes it atomically.
fn write_table(path: &Path, columns: Vec<(&str, bool, ArrayRef)>) -> Result<()> {
    let invalid = |e: &dyn std::fmt::Display| HarnessError::Invalid {
        what: path.display().to_string(),
        message: format!("cannot encode the table: {e}"),
    };
    let fields: Vec<Field> =
        columns.iter().map(|(name, nullable, array)| Field::new(*name, array.data_type().clone(), *nullable)).collect();
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns.into_iter().map(|(.., array)| array).collect())
        .map_err(|e| invalid(&e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("searchrec-harness {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, schema, Some(props)).map_err(|e| invalid(&e))?;
    writer.write(&batch).map_err(|e| invalid(&e))?;
    writer.close().map_err(|e| invalid(&e))?;
    write_atomically(path, &bytes)
}
