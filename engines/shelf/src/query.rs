//! Turning raw user text into a tantivy query that cannot fail to parse.
//!
//! No query parser is involved: the text goes through the index's own
//! analyzer and every resulting token becomes a SHOULD term query on every
//! searched field. Quotes, parentheses, colons, `AND`, `-` and the like are
//! therefore ordinary characters (separators, or the word "and"), and no user
//! text can produce a syntax error.

use std::collections::HashSet;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Term};

/// Words after this many distinct ones are ignored: no real query is that
/// long, and every word costs a posting-list scan per field.
const MAX_WORDS: usize = 256;

/// A query ready to run, with the terms it is made of.
pub(crate) struct UserQuery {
    /// The disjunction of boosted term queries.
    pub(crate) query: BooleanQuery,
    /// Every (field, term) pair in the query, for match-count bounds.
    pub(crate) terms: Vec<Term>,
}

/// Builds the query for `text` over `fields` (each with its boost; fields
/// with boost 0 are skipped). `None` when the text has no indexable token,
/// for example when it is only punctuation.
pub(crate) fn user_query(analyzer: &mut TextAnalyzer, fields: &[(Field, Score)], text: &str) -> Option<UserQuery> {
    // Each distinct word counts once: a query repeating a word is not asking
    // for it more, and de-duplication bounds the work a long paste can cause.
    // First-occurrence order keeps the float summation order, hence the
    // scores, identical between runs.
    let mut words: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let mut stream = analyzer.token_stream(text);
    while words.len() < MAX_WORDS && stream.advance() {
        let word = &stream.token().text;
        if seen.insert(word.clone()) {
            words.push(word.clone());
        }
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut terms = Vec::new();
    for word in &words {
        for &(field, boost) in fields.iter().filter(|(_, boost)| *boost > 0.0) {
            let term = Term::from_field_text(field, word);
            let query: Box<dyn Query> = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
            let query = if boost == 1.0 { query } else { Box::new(BoostQuery::new(query, boost)) };
            clauses.push((Occur::Should, query));
            terms.push(term);
        }
    }
    if clauses.is_empty() {
        return None;
    }
    Some(UserQuery { query: BooleanQuery::new(clauses), terms })
}
