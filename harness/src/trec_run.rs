//! TREC run files: `qid Q0 docno rank score run_id`, one retrieved item a line,
//! the format trec_eval, pytrec_eval and ranx read. Query and item ids are
//! this world's numeric ids, as in the qrels `searchrec_datasets::io` writes.
//!
//! trec_eval ignores the rank column and re-sorts each query by score, ties by
//! docno *descending*. The writer therefore derives the score from the rank,
//! `score = n − rank + 1` for a list of n items: strictly decreasing integers,
//! so the re-sort keeps the engine's order exactly, ties included. A query
//! with an empty list leaves no line (trec_eval then skips it unless `-c`).
//!
//! The reader orders each query the way trec_eval does (score descending,
//! docno descending), so scoring what it returns gives trec_eval's numbers
//! even for a foreign run with tied scores.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use searchrec_datasets::{ItemId, QueryId};
use searchrec_engine::Hit;

use crate::{HarnessError, Result};

/// Renders a run as TREC text. `run` holds each query's list in rank order.
///
/// Errors: a `run_id` that is empty or contains whitespace, a query twice, or
/// an item twice in one list.
pub fn run_to_trec<H: AsRef<[Hit]>>(run_id: &str, run: &[(QueryId, H)]) -> Result<String> {
    let bad = |message: String| HarnessError::Invalid { what: "run".into(), message };
    if run_id.is_empty() || run_id.contains(char::is_whitespace) {
        return Err(bad(format!("run id `{run_id}` must be one non-empty word")));
    }
    let mut queries: Vec<QueryId> = run.iter().map(|(q, _)| *q).collect();
    queries.sort_unstable();
    if let Some(w) = queries.windows(2).find(|w| w[0] == w[1]) {
        return Err(bad(format!("query {} appears twice", w[0])));
    }
    let lines: usize = run.iter().map(|(_, h)| h.as_ref().len()).sum();
    let mut out = String::with_capacity(lines * 32);
    let mut items = Vec::new();
    for (query, hits) in run {
        let hits = hits.as_ref();
        items.clear();
        items.extend(hits.iter().map(|h| h.item));
        items.sort_unstable();
        if let Some(w) = items.windows(2).find(|w| w[0] == w[1]) {
            return Err(bad(format!("query {query} lists item {} twice", w[0])));
        }
        let n = hits.len();
        for (i, hit) in hits.iter().enumerate() {
            let rank = i + 1;
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{query} Q0 {} {rank} {} {run_id}", hit.item, n - rank + 1);
        }
    }
    Ok(out)
}

/// Writes a run file atomically (see [`run_to_trec`] for the checks).
pub fn write_run<H: AsRef<[Hit]>>(path: &Path, run_id: &str, run: &[(QueryId, H)]) -> Result<()> {
    crate::atomic_file::write_atomically(path, run_to_trec(run_id, run)?.as_bytes())
}

/// Parses TREC run text; `what` names the source in errors. Returns each
/// query's hits in trec_eval's order (score descending, docno descending),
/// queries ascending. The `Q0` and `run_id` columns are not checked, as in
/// trec_eval; the rank must be an integer but is otherwise ignored.
///
/// Errors, with the line number: not six fields, a non-numeric id, rank or
/// score, a non-finite score, or an item twice for one query.
pub fn run_from_trec(text: &str, what: &str) -> Result<Vec<(QueryId, Vec<Hit>)>> {
    // (query, item, score, line) so that a duplicate can name both lines.
    let mut rows: Vec<(QueryId, ItemId, f64, usize)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |problem: &str| HarnessError::Invalid {
            what: what.into(),
            message: format!("line {}: {problem} in `{line}`; expected `qid Q0 docno rank score run_id`", n + 1),
        };
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [query, _, item, rank, score, _] = fields[..] else {
            return Err(bad("not six fields"));
        };
        let query = QueryId(query.parse().map_err(|_| bad("query id is not a number"))?);
        let item = ItemId(item.parse().map_err(|_| bad("docno is not an item id"))?);
        rank.parse::<i64>().map_err(|_| bad("rank is not an integer"))?;
        let score: f64 = score.parse().map_err(|_| bad("score is not a number"))?;
        if !score.is_finite() {
            return Err(bad("score is not finite"));
        }
        rows.push((query, item, score, n + 1));
    }
    rows.sort_unstable_by_key(|r| (r.0, r.1, r.3));
    if let Some(w) = rows.windows(2).find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1)) {
        return Err(HarnessError::Invalid {
            what: what.into(),
            message: format!(
                "line {}: query {} lists item {} again (first on line {})",
                w[1].3, w[0].0, w[0].1, w[0].3
            ),
        });
    }
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.2.total_cmp(&a.2)).then(b.1.cmp(&a.1)));
    let mut run: Vec<(QueryId, Vec<Hit>)> = Vec::new();
    for (query, item, score, _) in rows {
        let hit = Hit { item, score: score as f32 };
        match run.last_mut() {
            Some((q, hits)) if *q == query => hits.push(hit),
            _ => run.push((query, vec![hit])),
        }
    }
    Ok(run)
}

/// Reads a run file (see [`run_from_trec`]).
pub fn read_run(path: &Path) -> Result<Vec<(QueryId, Vec<Hit>)>> {
    let text = fs::read_to_string(path).map_err(|source| HarnessError::Io { path: path.into(), source })?;
    run_from_trec(&text, &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(items: &[u32]) -> Vec<Hit> {
        items.iter().map(|&i| Hit { item: ItemId(i), score: 0.5 }).collect()
    }

    #[test]
    fn writes_strictly_decreasing_rank_derived_scores() {
        let run = vec![(QueryId(7), hits(&[30, 10, 20])), (QueryId(2), hits(&[]))];
        let text = run_to_trec("bm25", &run).unwrap();
        assert_eq!(text, "7 Q0 30 1 3 bm25\n7 Q0 10 2 2 bm25\n7 Q0 20 3 1 bm25\n");
    }

    #[test]
    fn round_trip_keeps_the_engine_order() {
        // Equal engine scores: trec_eval would break the tie by docno
        // descending (30, 20, 10); the rank-derived scores keep 10, 30, 20.
        let run = vec![(QueryId(1), hits(&[10, 30, 20])), (QueryId(4), hits(&[5]))];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run.txt");
        write_run(&path, "r", &run).unwrap();
        let back = read_run(&path).unwrap();
        let items: Vec<(QueryId, Vec<u32>)> =
            back.iter().map(|(q, h)| (*q, h.iter().map(|h| h.item.0).collect())).collect();
        assert_eq!(items, vec![(QueryId(1), vec![10, 30, 20]), (QueryId(4), vec![5])]);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn reader_orders_ties_like_trec_eval() {
        let text = "1 Q0 10 1 2.0 x\n1 Q0 30 2 1.0 x\n1 Q0 20 3 1.0 x\n1 Q0 40 4 3.5 x\n";
        let run = run_from_trec(text, "run").unwrap();
        let items: Vec<u32> = run[0].1.iter().map(|h| h.item.0).collect();
        assert_eq!(items, vec![40, 10, 30, 20]);
    }

    #[test]
    fn writer_rejects_duplicates_and_bad_run_ids() {
        let err = run_to_trec("r", &[(QueryId(1), hits(&[3, 4, 3]))]).unwrap_err().to_string();
        assert!(err.contains("query 1 lists item 3 twice"), "{err}");
        let err = run_to_trec("r", &[(QueryId(1), hits(&[3])), (QueryId(1), hits(&[4]))]).unwrap_err().to_string();
        assert!(err.contains("query 1 appears twice"), "{err}");
        assert!(run_to_trec("my run", &[(QueryId(1), hits(&[3]))]).is_err());
        assert!(run_to_trec("", &[(QueryId(1), hits(&[3]))]).is_err());
    }

    #[test]
    fn reader_rejects_duplicates_and_malformed_lines_with_line_numbers() {
        let err = run_from_trec("1 Q0 5 1 2 r\n\n1 Q0 5 2 1 r\n", "run.txt").unwrap_err().to_string();
        assert_eq!(err, "run.txt: line 3: query 1 lists item 5 again (first on line 1)");
        for (text, problem) in [
            ("1 Q0 5 1 2\n", "line 1: not six fields"),
            ("1 Q0 5 1 2 r\nx Q0 5 1 2 r\n", "line 2: query id is not a number"),
            ("1 Q0 doc5 1 2 r\n", "line 1: docno is not an item id"),
            ("1 Q0 5 one 2 r\n", "line 1: rank is not an integer"),
            ("1 Q0 5 1 high r\n", "line 1: score is not a number"),
            ("1 Q0 5 1 NaN r\n", "line 1: score is not finite"),
        ] {
            let err = run_from_trec(text, "run.txt").unwrap_err().to_string();
            assert!(err.starts_with(&format!("run.txt: {problem}")), "{err}");
        }
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing").join("run.txt");
        let err = write_run(&path, "r", &[(QueryId(1), hits(&[1]))]).unwrap_err();
        assert!(matches!(err, HarnessError::Io { .. }), "{err}");
        assert!(!dir.path().join("missing").exists());
    }
}
