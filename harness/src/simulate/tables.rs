//! The per-session and per-user tables of a simulation, and their Parquet
//! files (`docs/results-format.md`, "Simulation tables").
//!
//! The tables hold only what the random streams decide, never a timing, so
//! the same seed gives byte-identical files whatever the thread count.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, UInt32Type};
use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use searchrec_datasets::{Channel, ItemId, UserId};

use crate::atomic_file::write_atomically;
use crate::decoder_panic::guarded;
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

/// The per-session table's columns, in order: what [`write`] writes and
/// [`read`] requires.
fn sessions_schema() -> Schema {
    let u32 = |name: &str| Field::new(name, DataType::UInt32, false);
    Schema::new(vec![
        u32("replicate"),
        Field::new("arm", DataType::Utf8, false),
        u32("user"),
        u32("session"),
        u32("time"),
        Field::new("channel", DataType::Utf8, false),
        Field::new("query", DataType::Utf8, true),
        u32("open_needs"),
        u32("shown"),
        u32("examined"),
        u32("clicks"),
        u32("carts"),
        u32("seeded"),
        Field::new("purchase", DataType::UInt32, true),
        Field::new("position", DataType::UInt32, true),
        Field::new("gmv", DataType::Float64, false),
    ])
}

/// The per-user table's columns, in order: what [`write`] writes and
/// [`read`] requires.
fn users_schema() -> Schema {
    let u32 = |name: &str| Field::new(name, DataType::UInt32, false);
    let f64 = |name: &str| Field::new(name, DataType::Float64, false);
    Schema::new(vec![
        u32("replicate"),
        Field::new("arm", DataType::Utf8, false),
        u32("user"),
        u32("sessions"),
        u32("searches"),
        u32("impressions"),
        u32("clicks"),
        u32("orders"),
        f64("gmv"),
        f64("pre_period_gmv"),
        u32("organic_needs"),
        u32("seeded_needs"),
        u32("needs_bought"),
        u32("needs_abandoned"),
    ])
}

/// Writes both tables into `dir`, each atomically.
pub(crate) fn write(dir: &Path, sessions: &[SessionRow], users: &[UserRow]) -> Result<()> {
    write_table(&dir.join(SESSIONS_FILE), sessions_schema(), sessions_columns(sessions))?;
    write_table(&dir.join(USERS_FILE), users_schema(), users_columns(users))
}

/// Reads both tables back from `dir` (what `write` wrote), rows in file order.
pub(crate) fn read(dir: &Path) -> Result<(Vec<SessionRow>, Vec<UserRow>)> {
    let sessions = read_sessions(&dir.join(SESSIONS_FILE))?;
    let users = read_users(&dir.join(USERS_FILE))?;
    Ok((sessions, users))
}

/// The per-session columns, in the order of [`sessions_schema`].
fn sessions_columns(rows: &[SessionRow]) -> Vec<ArrayRef> {
    let u32s = |f: fn(&SessionRow) -> u32| -> ArrayRef { Arc::new(UInt32Array::from_iter_values(rows.iter().map(f))) };
    vec![
        u32s(|r| r.replicate),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.arm.as_str()))),
        u32s(|r| r.user.0),
        u32s(|r| r.session),
        u32s(|r| r.time),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.channel.as_str()))),
        Arc::new(rows.iter().map(|r| r.query.as_deref()).collect::<StringArray>()),
        u32s(|r| r.open_needs),
        u32s(|r| r.shown),
        u32s(|r| r.examined),
        u32s(|r| r.clicks),
        u32s(|r| r.carts),
        u32s(|r| r.seeded),
        Arc::new(rows.iter().map(|r| r.purchase.map(|i| i.0)).collect::<UInt32Array>()),
        Arc::new(rows.iter().map(|r| r.position).collect::<UInt32Array>()),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.gmv))),
    ]
}

/// The per-user columns, in the order of [`users_schema`].
fn users_columns(rows: &[UserRow]) -> Vec<ArrayRef> {
    let u32s = |f: fn(&UserRow) -> u32| -> ArrayRef { Arc::new(UInt32Array::from_iter_values(rows.iter().map(f))) };
    let f64s = |f: fn(&UserRow) -> f64| -> ArrayRef { Arc::new(Float64Array::from_iter_values(rows.iter().map(f))) };
    vec![
        u32s(|r| r.replicate),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.arm.as_str()))),
        u32s(|r| r.user.0),
        u32s(|r| r.sessions),
        u32s(|r| r.searches),
        u32s(|r| r.impressions),
        u32s(|r| r.clicks),
        u32s(|r| r.orders),
        f64s(|r| r.gmv),
        f64s(|r| r.pre_period_gmv),
        u32s(|r| r.organic_needs),
        u32s(|r| r.seeded_needs),
        u32s(|r| r.needs_bought),
        u32s(|r| r.needs_abandoned),
    ]
}

/// Encodes the columns (in the order of `schema`) as one Parquet file in
/// memory and writes it atomically.
fn write_table(path: &Path, schema: Schema, columns: Vec<ArrayRef>) -> Result<()> {
    let invalid = |e: &dyn std::fmt::Display| HarnessError::Invalid {
        what: path.display().to_string(),
        message: format!("cannot encode the table: {e}"),
    };
    let schema = Arc::new(schema);
    let batch = RecordBatch::try_new(schema.clone(), columns).map_err(|e| invalid(&e))?;
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

/// The per-session table at `path`, rows in file order.
fn read_sessions(path: &Path) -> Result<Vec<SessionRow>> {
    read_table(path, "per-session", &sessions_schema(), |batch, first, out| {
        // `read_table` has checked every column's type against the schema.
        let c = |i: usize| batch.column(i);
        let u = |i: usize| c(i).as_primitive::<UInt32Type>();
        let (replicate, arm, user, session, time) = (u(0), c(1).as_string::<i32>(), u(2), u(3), u(4));
        let (channel, query) = (c(5).as_string::<i32>(), c(6).as_string::<i32>());
        let (open_needs, shown, examined, clicks, carts, seeded) = (u(7), u(8), u(9), u(10), u(11), u(12));
        let (purchase, position, gmv) = (u(13), u(14), c(15).as_primitive::<Float64Type>());
        let optional = |a: &UInt32Array, r: usize| (!a.is_null(r)).then(|| a.value(r));
        out.reserve(batch.num_rows());
        for r in 0..batch.num_rows() {
            let channel = Channel::parse(channel.value(r)).ok_or_else(|| {
                format!(
                    "row {} (counting from 0) has channel `{}`, which is neither `{}` nor `{}`",
                    first + r,
                    channel.value(r),
                    Channel::Search.as_str(),
                    Channel::Feed.as_str()
                )
            })?;
            out.push(SessionRow {
                replicate: replicate.value(r),
                arm: arm.value(r).to_string(),
                user: UserId(user.value(r)),
                session: session.value(r),
                time: time.value(r),
                channel,
                query: (!query.is_null(r)).then(|| query.value(r).to_string()),
                open_needs: open_needs.value(r),
                shown: shown.value(r),
                examined: examined.value(r),
                clicks: clicks.value(r),
                carts: carts.value(r),
                seeded: seeded.value(r),
                purchase: optional(purchase, r).map(ItemId),
                position: optional(position, r),
                gmv: gmv.value(r),
            });
        }
        Ok(())
    })
}

/// The per-user table at `path`, rows in file order.
fn read_users(path: &Path) -> Result<Vec<UserRow>> {
    read_table(path, "per-user", &users_schema(), |batch, _, out| {
        // `read_table` has checked every column's type against the schema.
        let c = |i: usize| batch.column(i);
        let u = |i: usize| c(i).as_primitive::<UInt32Type>();
        let f = |i: usize| c(i).as_primitive::<Float64Type>();
        let (replicate, arm, user) = (u(0), c(1).as_string::<i32>(), u(2));
        let (sessions, searches, impressions, clicks, orders) = (u(3), u(4), u(5), u(6), u(7));
        let (gmv, pre_period_gmv) = (f(8), f(9));
        let (organic_needs, seeded_needs, needs_bought, needs_abandoned) = (u(10), u(11), u(12), u(13));
        out.reserve(batch.num_rows());
        for r in 0..batch.num_rows() {
            out.push(UserRow {
                replicate: replicate.value(r),
                arm: arm.value(r).to_string(),
                user: UserId(user.value(r)),
                sessions: sessions.value(r),
                searches: searches.value(r),
                impressions: impressions.value(r),
                clicks: clicks.value(r),
                orders: orders.value(r),
                gmv: gmv.value(r),
                pre_period_gmv: pre_period_gmv.value(r),
                organic_needs: organic_needs.value(r),
                seeded_needs: seeded_needs.value(r),
                needs_bought: needs_bought.value(r),
                needs_abandoned: needs_abandoned.value(r),
            });
        }
        Ok(())
    })
}

/// Reads the Parquet file at `path`, which must have exactly the columns of
/// `expected` (the `table` searchrec writes), handing each batch to `rows`
/// with the file-order number of its first row. `rows` may downcast every
/// column to its `expected` type and read non-nullable columns without a
/// null check; its `Err` is a message about the file.
fn read_table<T>(
    path: &Path,
    table: &str,
    expected: &Schema,
    rows: impl FnMut(&RecordBatch, usize, &mut Vec<T>) -> std::result::Result<(), String>,
) -> Result<Vec<T>> {
    guarded(path, || read_rows(path, table, expected, rows))
}

fn read_rows<T>(
    path: &Path,
    table: &str,
    expected: &Schema,
    mut rows: impl FnMut(&RecordBatch, usize, &mut Vec<T>) -> std::result::Result<(), String>,
) -> Result<Vec<T>> {
    let format = |message: String| HarnessError::Invalid { what: path.display().to_string(), message };
    let not_ours = |difference: String| format(format!("not the {table} table searchrec writes: {difference}"));
    let file = File::open(path).map_err(|source| HarnessError::Io { path: path.into(), source })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| format(format!("not a readable Parquet file ({e}); the folder may be truncated")))?;
    // Checked before any batch, so an empty file of another table is refused too.
    if let Some(difference) = schema_difference(builder.schema(), expected) {
        return Err(not_ours(difference));
    }
    let reader = builder
        .build()
        .map_err(|e| format(format!("not a readable Parquet file ({e}); the folder may be truncated")))?;
    let mut out = Vec::new();
    let mut first = 0;
    for batch in reader {
        let batch = batch.map_err(|e| format(format!("unreadable rows ({e}); the file may be truncated")))?;
        if let Some(difference) = schema_difference(&batch.schema(), expected) {
            return Err(not_ours(difference));
        }
        for (field, column) in expected.fields().iter().zip(batch.columns()) {
            if !field.is_nullable()
                && column.null_count() > 0
                && let Some(r) = (0..column.len()).find(|&r| column.is_null(r))
            {
                return Err(format(format!(
                    "row {} (counting from 0) has no `{}`, which searchrec always writes; \
                     not the {table} table searchrec writes",
                    first + r,
                    field.name()
                )));
            }
        }
        rows(&batch, first, &mut out).map_err(format)?;
        first += batch.num_rows();
    }
    Ok(out)
}

/// How the columns of `found` differ from `expected` (name, order, type,
/// nullability, count), or `None` when they are the same.
fn schema_difference(found: &Schema, expected: &Schema) -> Option<String> {
    let present = |name: &str| found.fields().iter().any(|f| f.name() == name);
    for (i, want) in expected.fields().iter().enumerate() {
        let Some(got) = found.fields().get(i) else {
            return Some(format!(
                "column `{}` is missing (the file has {} columns)",
                want.name(),
                found.fields().len()
            ));
        };
        if got.name() != want.name() {
            return Some(if present(want.name()) {
                format!("column {} is `{}` where searchrec writes `{}`", i + 1, got.name(), want.name())
            } else {
                format!("column `{}` is missing (column {} is `{}`)", want.name(), i + 1, got.name())
            });
        }
        if got.data_type() != want.data_type() {
            return Some(format!(
                "column `{}` holds {} where searchrec writes {}",
                want.name(),
                got.data_type(),
                want.data_type()
            ));
        }
        if got.is_nullable() != want.is_nullable() {
            let nullable = |n: bool| if n { "nullable" } else { "non-nullable" };
            return Some(format!(
                "column `{}` is {} where searchrec writes it {}",
                want.name(),
                nullable(got.is_nullable()),
                nullable(want.is_nullable())
            ));
        }
    }
    found.fields().get(expected.fields().len()).map(|extra| format!("it has an extra column `{}`", extra.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows with every field varied: both channels, `None` and `Some`,
    /// several replicates and arms, awkward floats and extreme integers.
    fn sample() -> (Vec<SessionRow>, Vec<UserRow>) {
        let floats = [0.1 + 0.2, 1e-300, 0.0, -0.0, f64::MAX, f64::MIN_POSITIVE / 3.0, 12.5, f64::INFINITY];
        let arms = ["control", "treatment", "", "héllo wörld"];
        let sessions = (0..24u32)
            .map(|i| SessionRow {
                replicate: i % 3,
                arm: arms[i as usize % arms.len()].to_string(),
                user: UserId(i * 7 + if i == 5 { u32::MAX - 7 * 5 } else { 0 }),
                session: i,
                time: i * 1_000 + 17,
                channel: if i % 2 == 0 { Channel::Search } else { Channel::Feed },
                query: match i % 3 {
                    0 => None,
                    1 => Some(format!("red shoes {i}")),
                    _ => Some(String::new()),
                },
                open_needs: i % 4,
                shown: 10 + i,
                examined: i % 10,
                clicks: i % 5,
                carts: i % 2,
                seeded: i % 3,
                purchase: (i % 4 == 1).then_some(ItemId(i * 11)),
                position: (i % 4 == 1 || i % 5 == 0).then_some(i % 7 + 1),
                gmv: floats[i as usize % floats.len()],
            })
            .collect();
        let users = (0..10u32)
            .map(|i| UserRow {
                replicate: i % 2,
                arm: arms[i as usize % arms.len()].to_string(),
                user: UserId(i),
                sessions: i * 3,
                searches: i,
                impressions: i * 40,
                clicks: i * 2,
                orders: i % 3,
                gmv: floats[i as usize % floats.len()],
                pre_period_gmv: floats[(i as usize + 3) % floats.len()],
                organic_needs: i + 1,
                seeded_needs: i % 2,
                needs_bought: i % 3,
                needs_abandoned: if i == 9 { u32::MAX } else { i % 4 },
            })
            .collect();
        (sessions, users)
    }

    #[test]
    fn tables_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let (sessions, users) = sample();
        write(dir.path(), &sessions, &users).unwrap();
        let (s, u) = read(dir.path()).unwrap();
        assert_eq!(s, sessions);
        assert_eq!(u, users);
        // Bit-exact, which `==` does not check for -0.0.
        let bits = |v: &[SessionRow]| v.iter().map(|r| r.gmv.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&s), bits(&sessions));
        let bits = |v: &[UserRow]| v.iter().map(|r| (r.gmv.to_bits(), r.pre_period_gmv.to_bits())).collect::<Vec<_>>();
        assert_eq!(bits(&u), bits(&users));
    }

    #[test]
    fn nan_round_trips_bit_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let (mut sessions, mut users) = sample();
        let nan = f64::from_bits(0x7ff8_0000_dead_beef);
        sessions[0].gmv = nan;
        users[0].gmv = -nan;
        write(dir.path(), &sessions, &users).unwrap();
        let (s, u) = read(dir.path()).unwrap();
        assert_eq!(s[0].gmv.to_bits(), nan.to_bits());
        assert_eq!(u[0].gmv.to_bits(), (-nan).to_bits());
    }

    #[test]
    fn empty_tables_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[], &[]).unwrap();
        let (s, u) = read(dir.path()).unwrap();
        assert!(s.is_empty() && u.is_empty());
    }

    #[test]
    fn truncated_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let (sessions, users) = sample();
        write(dir.path(), &sessions, &users).unwrap();
        for name in [SESSIONS_FILE, USERS_FILE] {
            let path = dir.path().join(name);
            let whole = std::fs::read(&path).unwrap();
            std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
            let message = read(dir.path()).unwrap_err().to_string();
            assert!(message.contains(name), "{message}");
            assert!(message.contains("truncated"), "{message}");
            // Other cuts (a sample, as each read costs) are refused too, without a panic.
            let cuts =
                (0..whole.len()).step_by(whole.len() / 64 + 1).chain(whole.len().saturating_sub(12)..whole.len());
            for len in cuts {
                std::fs::write(&path, &whole[..len]).unwrap();
                let message = read(dir.path()).unwrap_err().to_string();
                assert!(message.contains(name), "{len}: {message}");
            }
            std::fs::write(&path, &whole).unwrap();
        }
        read(dir.path()).unwrap();
    }

    #[test]
    fn another_table_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let (sessions, users) = sample();
        write(dir.path(), &sessions, &users).unwrap();
        std::fs::copy(dir.path().join(SESSIONS_FILE), dir.path().join(USERS_FILE)).unwrap();
        let message = read(dir.path()).unwrap_err().to_string();
        assert!(message.contains(USERS_FILE), "{message}");
        assert!(message.contains("not the per-user table searchrec writes"), "{message}");
        assert!(message.contains("`sessions`"), "{message}");

        // Empty, the other table is refused just the same.
        write(dir.path(), &[], &[]).unwrap();
        std::fs::copy(dir.path().join(USERS_FILE), dir.path().join(SESSIONS_FILE)).unwrap();
        let message = read(dir.path()).unwrap_err().to_string();
        assert!(message.contains(SESSIONS_FILE), "{message}");
        assert!(message.contains("not the per-session table"), "{message}");
    }

    #[test]
    fn schema_differences_are_named() {
        let expected = users_schema();
        let mut fields: Vec<Field> = expected.fields().iter().map(|f| f.as_ref().clone()).collect();
        let same = Schema::new(fields.clone());
        assert_eq!(schema_difference(&same, &expected), None);
        fields[8] = Field::new("gmv", DataType::Float32, false);
        let message = schema_difference(&Schema::new(fields.clone()), &expected).unwrap();
        assert!(message.contains("`gmv`") && message.contains("Float32"), "{message}");
        fields[8] = Field::new("gmv", DataType::Float64, true);
        let message = schema_difference(&Schema::new(fields.clone()), &expected).unwrap();
        assert!(message.contains("`gmv` is nullable"), "{message}");
        fields[8] = Field::new("gmv", DataType::Float64, false);
        let message = schema_difference(&Schema::new(fields[..13].to_vec()), &expected).unwrap();
        assert!(message.contains("`needs_abandoned` is missing"), "{message}");
        fields.push(Field::new("extra", DataType::UInt32, false));
        let message = schema_difference(&Schema::new(fields), &expected).unwrap();
        assert!(message.contains("extra column `extra`"), "{message}");
    }

    #[test]
    fn unknown_channel_is_an_error_naming_row_and_value() {
        let dir = tempfile::tempdir().unwrap();
        let (sessions, _) = sample();
        let mut columns = sessions_columns(&sessions);
        let channels: Vec<&str> = (0..sessions.len()).map(|i| if i == 3 { "mail" } else { "feed" }).collect();
        columns[5] = Arc::new(StringArray::from(channels));
        let path = dir.path().join(SESSIONS_FILE);
        write_table(&path, sessions_schema(), columns).unwrap();
        let message = read_sessions(&path).unwrap_err().to_string();
        assert!(message.contains(SESSIONS_FILE), "{message}");
        assert!(message.contains("row 3") && message.contains("`mail`"), "{message}");
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path()).unwrap_err();
        assert!(matches!(&err, HarnessError::Io { path, .. } if path.ends_with(SESSIONS_FILE)), "{err}");
    }
}
