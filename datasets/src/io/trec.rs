//! TREC qrels text: `query_id 0 item_id grade`, one judgement a line, the
//! format trec_eval, pytrec_eval and ranx read. Grades are the integers of
//! [`Grade::level`] (E = 3, S = 2, C = 1).

use std::fmt::Write as _;
use std::path::Path;

use super::Counts;
use crate::ids::{ItemId, QueryId};
use crate::judgements::{Grade, Judgement};
use crate::{DatasetError, Result};

/// Renders qrels as TREC text.
pub fn qrels_to_trec(rows: &[Judgement]) -> String {
    let mut out = String::with_capacity(rows.len() * 16);
    for j in rows {
        let _ = writeln!(out, "{} 0 {} {}", j.query, j.item, j.grade.level());
    }
    out
}

/// Parses TREC qrels text whose ids are this world's numeric ids; `path`
/// names the source in errors. Rows are returned sorted by (query, item);
/// a repeated (query, item) pair is an error, as in trec_eval.
///
/// Ids are only checked to be numbers: to refuse qrels naming a query or an
/// item the world does not have (which would silently shift every metric),
/// use [`qrels_from_trec_for`].
pub fn qrels_from_trec(text: &str, path: &Path) -> Result<Vec<Judgement>> {
    parse(text, path, None)
}

/// [`qrels_from_trec`] for a world with `counts` rows: every query id must be
/// below `counts.queries` and every item id below `counts.items`. Errors name
/// the line (from 1) and the column (`query_id`, `item_id`, `grade`).
pub fn qrels_from_trec_for(text: &str, path: &Path, counts: &Counts) -> Result<Vec<Judgement>> {
    parse(text, path, Some(counts))
}

fn parse(text: &str, path: &Path, counts: Option<&Counts>) -> Result<Vec<Judgement>> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |column: &str, what: &str| {
            let at = if column.is_empty() { String::new() } else { format!(", column `{column}`") };
            DatasetError::format(
                path,
                format!("line {} (1-based){at}: {what} in `{line}`; expected `query_id 0 item_id grade`", n + 1),
            )
        };
        let mut parts = line.split_whitespace();
        let (Some(q), Some(_), Some(item), Some(grade), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("", "not four fields"));
        };
        let query: u32 = q.parse().map_err(|_| bad("query_id", "not a number"))?;
        let item: u32 = item.parse().map_err(|_| bad("item_id", "not a number"))?;
        let level: i32 = grade.parse().map_err(|_| bad("grade", "not an integer"))?;
        let grade = u8::try_from(level).ok().and_then(Grade::from_level).ok_or_else(|| bad("grade", "not 0–3"))?;
        if let Some(c) = counts {
            if u64::from(query) >= c.queries {
                return Err(bad("query_id", &format!("{query} names nothing: the world has {} queries", c.queries)));
            }
            if u64::from(item) >= c.items {
                return Err(bad("item_id", &format!("{item} names nothing: the world has {} items", c.items)));
            }
        }
        rows.push(Judgement { query: QueryId(query), item: ItemId(item), grade });
    }
    rows.sort_unstable_by_key(|j| (j.query, j.item));
    if let Some(w) = rows.windows(2).find(|w| (w[0].query, w[0].item) == (w[1].query, w[1].item)) {
        return Err(DatasetError::format(path, format!("query {} judges item {} twice", w[0].query, w[0].item)));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let rows = vec![
            Judgement { query: QueryId(0), item: ItemId(5), grade: Grade::Exact },
            Judgement { query: QueryId(1), item: ItemId(2), grade: Grade::Complement },
        ];
        let text = qrels_to_trec(&rows);
        assert_eq!(text, "0 0 5 3\n1 0 2 1\n");
        assert_eq!(qrels_from_trec(&text, Path::new("q.txt")).unwrap(), rows);
        let err = qrels_from_trec("0 0 5 3\n0 0 5 2\n", Path::new("q.txt")).unwrap_err().to_string();
        assert!(err.contains("twice"), "{err}");
        let err = qrels_from_trec("0 0 x 3\n", Path::new("q.txt")).unwrap_err().to_string();
        assert!(err.starts_with("q.txt: line 1 (1-based), column `item_id`"), "{err}");
        let counts = Counts { queries: 2, items: 6, ..Counts::default() };
        assert_eq!(qrels_from_trec_for(&text, Path::new("q.txt"), &counts).unwrap(), rows);
        for (bad, column) in [("2 0 5 3\n", "query_id"), ("0 0 6 3\n", "item_id"), ("0 0 5 4\n", "grade")] {
            let err = qrels_from_trec_for(bad, Path::new("q.txt"), &counts).unwrap_err().to_string();
            assert!(err.contains(&format!("line 1 (1-based), column `{column}`")), "{err}");
        }
    }
}
