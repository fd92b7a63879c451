//! Text-retrieval collections: BEIR folders (`format = "beir"`) and TREC
//! topics and qrels (`format = "trec"`). Both become the same world: a
//! catalogue of documents, the judged queries, and graded judgements.
//!
//! | collection | world |
//! |---|---|
//! | document (`corpus.jsonl` line, or SGML `<DOC>`), in file order | an [`Item`]: `title` = title (missing → empty), `description` = text, brand empty, price 1.0, no ratings or sales |
//! | — | one leaf, `BEIR corpus` |
//! | query (`queries.jsonl` line, TREC `<top>` or TSV line) with at least one qrels row, in file order | a [`Query`](crate::Query) (time 0) |
//! | — (no users) | one anonymous [`UserProfile`](crate::UserProfile) per query, the query's `user` |
//! | qrels relevance 1, 2, 3 | [`Grade::Complement`], `Substitute`, `Exact` |
//! | qrels relevance ≤ 0 | [`Grade::Irrelevant`] (judged, not relevant) |
//!
//! The gains are the relevance levels themselves (Irrelevant 0, Complement
//! 1, Substitute 2, Exact 3): trec_eval's and pytrec_eval's `ndcg` use the
//! judged level as the gain (linear gain) and treat a level ≤ 0 as not
//! relevant, so nDCG on a loaded collection matches theirs exactly. A level
//! above 3 has no grade and is refused.
//!
//! Queries without a qrels row in the split are dropped, as BEIR's own
//! evaluation does. A qrels row naming an unknown query or document is an
//! error: the published collections are consistent, so it means the wrong
//! split or corpus. Files stream line by line; lines count from 1 and empty
//! lines are skipped.
//!
//! - **BEIR**: `DIR/corpus.jsonl` (`{"_id", "title", "text"}`; other fields
//!   such as `metadata` are ignored), `DIR/queries.jsonl` (`{"_id",
//!   "text"}`), `DIR/qrels/SPLIT.tsv` (header `query-id corpus-id score`,
//!   tab-separated). Dataset name `beir-DIRNAME-SPLIT`.
//! - **TREC**: `corpus` is BEIR's JSONL when it ends in `.jsonl`, else TREC
//!   SGML (`<DOC><DOCNO>id</DOCNO> <TITLE>…</TITLE>? <TEXT>…</TEXT></DOC>`;
//!   other tags are dropped, whitespace collapsed); `topics` is classic TREC
//!   (`<top> <num> Number: 301 <title> … <desc> Description: … <narr>
//!   Narrative: … </top>`, the field `topic_field` says) or `qid<TAB>text`
//!   when it ends in `.tsv`; `qrels` is TREC's `qid iter docno rel`.
//!   Dataset name `trec-TOPICS_STEM`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use super::anonymous_queries;
use super::{IdMap, Parts, assemble, resolve};
use crate::scenario::Gains;
use crate::{Catalog, DatasetError, Grade, Item, ItemId, Judgement, LeafId, QueryId, Result, World};

/// `[world.source]` with `format = "beir"`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeirSource {
    /// The collection's folder (holding `corpus.jsonl`, `queries.jsonl`, `qrels/`).
    pub dir: PathBuf,
    /// The qrels file `qrels/SPLIT.tsv` (default `test`).
    #[serde(default = "test_split")]
    pub split: String,
}

fn test_split() -> String {
    "test".into()
}

/// `[world.source]` with `format = "trec"`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrecSource {
    /// The documents: BEIR JSONL when the name ends in `.jsonl`, else TREC SGML.
    pub corpus: PathBuf,
    /// The topics: `qid<TAB>text` when the name ends in `.tsv`, else classic TREC topics.
    pub topics: PathBuf,
    /// TREC qrels (`qid iter docno rel`).
    pub qrels: PathBuf,
    /// Which topic field is the query text (default title; TSV topics have one).
    #[serde(default)]
    pub topic_field: TopicField,
}

/// The field of a classic TREC topic that becomes the query's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TopicField {
    /// `<title>`: a few keywords, as users type.
    #[default]
    Title,
    /// `<desc>`: a sentence.
    Description,
}

/// Linear gains: each grade gains its qrels level (see the module doc).
const GAINS: Gains = Gains { exact: 3.0, substitute: 2.0, complement: 1.0, irrelevant: 0.0 };

/// Loads a BEIR folder's corpus, queries and one split's qrels.
pub fn load_beir(source: &BeirSource, base: &Path) -> Result<World> {
    let dir = resolve(base, &source.dir);
    let docs = read_jsonl_corpus(&dir.join("corpus.jsonl"))?;
    let queries = dir.join("queries.jsonl");
    let mut topics = Topics::default();
    for_each_line(&queries, |line, text| {
        if let Some(q) = json_line::<JsonQuery>(&queries, line, text)? {
            topics.add(&queries, line, q.id, q.text)?;
        }
        Ok(())
    })?;
    let qrels = dir.join("qrels").join(format!("{}.tsv", source.split));
    let judged = read_qrels(&qrels, QrelsLayout::Beir, &topics, &docs)?;
    let name = dir.file_name().map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into_owned());
    finish(format!("beir-{name}-{}", source.split), docs, topics, judged, &qrels)
}

/// Loads TREC topics and qrels over a JSONL or SGML corpus.
pub fn load_trec(source: &TrecSource, base: &Path) -> Result<World> {
    let corpus = resolve(base, &source.corpus);
    let docs = if has_extension(&corpus, "jsonl") { read_jsonl_corpus(&corpus)? } else { read_sgml_corpus(&corpus)? };
    let topics_path = resolve(base, &source.topics);
    let topics = if has_extension(&topics_path, "tsv") {
        read_tsv_topics(&topics_path)?
    } else {
        read_trec_topics(&topics_path, source.topic_field)?
    };
    let qrels = resolve(base, &source.qrels);
    let judged = read_qrels(&qrels, QrelsLayout::Trec, &topics, &docs)?;
    let stem = topics_path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    finish(format!("trec-{stem}"), docs, topics, judged, &qrels)
}

fn has_extension(path: &Path, ext: &str) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Calls `f(line number, line)` for every line of `path`, without the line
/// ending, reusing one buffer.
fn for_each_line(path: &Path, mut f: impl FnMut(u64, &str) -> Result<()>) -> Result<()> {
    let file = File::open(path).map_err(|e| DatasetError::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut buf = String::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        line += 1;
        match reader.read_line(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => f(line, buf.trim_end_matches(['\n', '\r']))?,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(DatasetError::format(path, format!("line {line}: not UTF-8 text")));
            }
            Err(e) => return Err(DatasetError::io(path, e)),
        }
    }
}

fn line_fault(path: &Path, line: u64, message: impl std::fmt::Display) -> DatasetError {
    DatasetError::format(path, format!("line {line}: {message}"))
}

/// A JSONL line parsed as `T`; `None` for an empty line.
fn json_line<T: for<'de> Deserialize<'de>>(path: &Path, line: u64, text: &str) -> Result<Option<T>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(text).map(Some).map_err(|e| {
        // serde's position is within the line; say it once, as the file's.
        let message = e.to_string();
        let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
        DatasetError::format(path, format!("line {line}, column {}: {message}", e.column()))
    })
}

/// A `corpus.jsonl` line.
#[derive(Deserialize)]
struct JsonDoc {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    title: Option<String>,
    text: String,
}

/// A `queries.jsonl` line.
#[derive(Deserialize)]
struct JsonQuery {
    #[serde(rename = "_id")]
    id: String,
    text: String,
}

/// The documents read so far, as items, with the line each started on.
struct Docs {
    ids: IdMap<String>,
    lines: Vec<u64>,
    items: Vec<Item>,
}

impl Docs {
    fn new() -> Docs {
        Docs { ids: IdMap::new(), lines: Vec::new(), items: Vec::new() }
    }

    fn add(&mut self, path: &Path, line: u64, id: String, title: String, text: String) -> Result<()> {
        if let Some(first) = self.ids.get(&id) {
            let first = self.lines[first as usize];
            return Err(line_fault(path, line, format!("document id `{id}` is also at line {first}")));
        }
        let item = ItemId(self.ids.intern(&id));
        self.lines.push(line);
        self.items.push(Item {
            id: item,
            title,
            brand: String::new(),
            description: text,
            leaf: LeafId(0),
            // Documents have no price; a constant keeps price-aware code neutral.
            price: 1.0,
            rating: 0.0,
            review_count: 0,
            sales_count: 0,
        });
        Ok(())
    }
}

fn read_jsonl_corpus(path: &Path) -> Result<Docs> {
    let mut docs = Docs::new();
    for_each_line(path, |line, text| {
        if let Some(d) = json_line::<JsonDoc>(path, line, text)? {
            docs.add(path, line, d.id, d.title.unwrap_or_default(), d.text)?;
        }
        Ok(())
    })?;
    Ok(docs)
}

/// Every query of the topics file, judged or not, in file order.
#[derive(Default)]
struct Topics {
    index: HashMap<String, usize>,
    lines: Vec<u64>,
    texts: Vec<String>,
}

impl Topics {
    fn add(&mut self, path: &Path, line: u64, id: String, text: String) -> Result<()> {
        if let Some(&first) = self.index.get(&id) {
            return Err(line_fault(path, line, format!("query id `{id}` is also at line {}", self.lines[first])));
        }
        self.index.insert(id, self.texts.len());
        self.lines.push(line);
        self.texts.push(text);
        Ok(())
    }
}

fn read_tsv_topics(path: &Path) -> Result<Topics> {
    let mut topics = Topics::default();
    for_each_line(path, |line, text| {
        if text.trim().is_empty() {
            return Ok(());
        }
        let Some((id, query)) = text.split_once('\t') else {
            return Err(line_fault(path, line, "expected `qid<TAB>text`, found no tab"));
        };
        topics.add(path, line, id.trim().to_string(), query.trim().to_string())
    })?;
    Ok(topics)
}

/// A piece of an SGML line: text, or a tag's lower-cased name (`/top` for a
/// closing tag).
enum Piece<'a> {
    Text(&'a str),
    Tag(String),
}

/// Splits a line into text and tags; a `<` without a `>` is text.
fn pieces(line: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else { break };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        let name = rest[open + 1..open + close].split_whitespace().next().unwrap_or_default();
        out.push(Piece::Tag(name.to_ascii_lowercase()));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// Appends `text` to `buf` with runs of whitespace collapsed to one space.
fn push_words(buf: &mut String, text: &str) {
    for word in text.split_whitespace() {
        if !buf.is_empty() {
            buf.push(' ');
        }
        buf.push_str(word);
    }
}

/// The record an SGML reader is inside: where it started and its fields
/// (one buffer per field name the reader collects).
struct Record {
    line: u64,
    fields: HashMap<&'static str, String>,
}

/// Streams the `<open>` … `</open>` records of an SGML file. Inside a
/// record, text goes to the field whose tag (one of `fields`) last opened,
/// until its closing tag or the next field's tag (classic topics never close
/// theirs); other tags (`<P>`, `<DOCID>`…) are markup and dropped, and text
/// outside fields is ignored. `emit` gets each complete record.
fn read_sgml(
    path: &Path,
    open: &str,
    fields: &[&'static str],
    mut emit: impl FnMut(Record) -> Result<()>,
) -> Result<()> {
    let close = format!("/{open}");
    let mut record: Option<Record> = None;
    let mut field: Option<&'static str> = None;
    for_each_line(path, |line, text| {
        for piece in pieces(text) {
            match piece {
                Piece::Tag(tag) if tag == open => {
                    if let Some(r) = &record {
                        return Err(line_fault(path, line, format!("<{open}> inside the <{open}> of line {}", r.line)));
                    }
                    record = Some(Record { line, fields: HashMap::new() });
                    field = None;
                }
                Piece::Tag(tag) if tag == close => {
                    let Some(r) = record.take() else {
                        return Err(line_fault(path, line, format!("<{close}> without <{open}>")));
                    };
                    emit(r)?;
                }
                Piece::Tag(tag) => {
                    if let Some(&f) = fields.iter().find(|&&f| f == tag) {
                        field = Some(f);
                    } else if fields.iter().any(|f| tag.strip_prefix('/') == Some(f)) {
                        field = None;
                    }
                    // Other tags (`<P>`, `<DOCID>`…) are markup: dropped.
                }
                Piece::Text(t) => {
                    if let (Some(r), Some(f)) = (&mut record, field) {
                        push_words(r.fields.entry(f).or_default(), t);
                    }
                }
            }
        }
        Ok(())
    })?;
    match record {
        Some(r) => Err(line_fault(path, r.line, format!("the file ends inside this <{open}> (truncated?)"))),
        None => Ok(()),
    }
}

fn read_sgml_corpus(path: &Path) -> Result<Docs> {
    let mut docs = Docs::new();
    read_sgml(path, "doc", &["docno", "title", "text"], |mut r| {
        let id = r.fields.remove("docno").unwrap_or_default();
        if id.is_empty() {
            return Err(line_fault(path, r.line, "this <DOC> has no <DOCNO>"));
        }
        let title = r.fields.remove("title").unwrap_or_default();
        docs.add(path, r.line, id, title, r.fields.remove("text").unwrap_or_default())
    })?;
    Ok(docs)
}

fn read_trec_topics(path: &Path, field: TopicField) -> Result<Topics> {
    let (tag, prefix) = match field {
        TopicField::Title => ("title", "Topic:"),
        TopicField::Description => ("desc", "Description:"),
    };
    let mut topics = Topics::default();
    read_sgml(path, "top", &["num", "title", "desc", "narr"], |mut r| {
        let num = r.fields.remove("num").unwrap_or_default();
        let id = num.strip_prefix("Number:").unwrap_or(&num).trim().to_string();
        if id.is_empty() {
            return Err(line_fault(path, r.line, "this <top> has no <num>"));
        }
        let text = r.fields.remove(tag).unwrap_or_default();
        let text = text.strip_prefix(prefix).unwrap_or(&text).trim().to_string();
        if text.is_empty() {
            return Err(line_fault(path, r.line, format!("topic {id} has an empty <{tag}>")));
        }
        topics.add(path, r.line, id, text)
    })?;
    Ok(topics)
}

/// The two qrels layouts: column names (for messages) and separators.
#[derive(Clone, Copy)]
enum QrelsLayout {
    /// `query-id<TAB>corpus-id<TAB>score`, after a header line.
    Beir,
    /// `qid iter docno rel`, whitespace-separated, no header.
    Trec,
}

impl QrelsLayout {
    fn columns(self) -> &'static [&'static str] {
        match self {
            QrelsLayout::Beir => &["query-id", "corpus-id", "score"],
            QrelsLayout::Trec => &["qid", "iter", "docno", "rel"],
        }
    }

    /// The (query, document, level) columns' positions.
    fn positions(self) -> (usize, usize, usize) {
        match self {
            QrelsLayout::Beir => (0, 1, 2),
            QrelsLayout::Trec => (0, 2, 3),
        }
    }
}

/// A qrels row: topic index, item, grade, and its line for messages.
struct Judged {
    topic: usize,
    item: ItemId,
    grade: Grade,
    line: u64,
}

fn read_qrels(path: &Path, layout: QrelsLayout, topics: &Topics, docs: &Docs) -> Result<Vec<Judged>> {
    let names = layout.columns();
    let (q_at, d_at, level_at) = layout.positions();
    let mut judged = Vec::new();
    let mut header_checked = false;
    for_each_line(path, |line, text| {
        if text.trim().is_empty() {
            return Ok(());
        }
        let row: Vec<&str> = match layout {
            QrelsLayout::Beir => text.split('\t').map(str::trim).collect(),
            QrelsLayout::Trec => text.split_whitespace().collect(),
        };
        if matches!(layout, QrelsLayout::Beir) && !std::mem::replace(&mut header_checked, true) && row[0] == names[0] {
            return Ok(());
        }
        if row.len() != names.len() {
            let expected = names.join(" ");
            return Err(line_fault(
                path,
                line,
                format!("expected {} columns ({expected}), found {}", names.len(), row.len()),
            ));
        }
        let fault = |c: usize, message: String| line_fault(path, line, format!("column `{}`: {message}", names[c]));
        let Some(&topic) = topics.index.get(row[q_at]) else {
            return Err(fault(q_at, format!("unknown query `{}` (not in the topics or queries file)", row[q_at])));
        };
        let Some(item) = docs.ids.get(&row[d_at].to_string()) else {
            return Err(fault(d_at, format!("unknown document `{}` (not in the corpus)", row[d_at])));
        };
        let level: i64 = row[level_at]
            .parse()
            .map_err(|_| fault(level_at, format!("`{}` is not an integer relevance level", row[level_at])))?;
        let grade = match level {
            ..=0 => Grade::Irrelevant,
            1..=3 => Grade::from_level(level as u8).unwrap_or(Grade::Irrelevant),
            _ => {
                return Err(fault(
                    level_at,
                    format!("relevance {level} is above 3, the highest level with a grade (gains 0 to 3)"),
                ));
            }
        };
        judged.push(Judged { topic, item: ItemId(item), grade, line });
        Ok(())
    })?;
    // Name both lines of a repeated pair here: assemble could only name ids.
    judged.sort_by_key(|j| (j.topic, j.item, j.line));
    if let Some(w) = judged.windows(2).find(|w| (w[0].topic, w[0].item) == (w[1].topic, w[1].item)) {
        return Err(line_fault(path, w[1].line, format!("repeats the judgement of line {}", w[0].line)));
    }
    Ok(judged)
}

/// The world of the judged topics, in topics-file order.
fn finish(dataset: String, docs: Docs, topics: Topics, judged: Vec<Judged>, qrels: &Path) -> Result<World> {
    if judged.is_empty() {
        // No query would be kept: a world that measures nothing.
        return Err(DatasetError::format(qrels, "no judgement: the qrels file has no rows"));
    }
    // Dense query ids for the judged topics only, in topics-file order.
    let mut is_judged = vec![false; topics.texts.len()];
    for j in &judged {
        is_judged[j.topic] = true;
    }
    let mut dense = vec![None; is_judged.len()];
    let mut texts = Vec::new();
    for (topic, text) in topics.texts.into_iter().enumerate() {
        if is_judged[topic] {
            dense[topic] = Some(texts.len() as u32);
            texts.push(text);
        }
    }
    let judgements = judged
        .iter()
        .filter_map(|j| dense[j.topic].map(|q| Judgement { query: QueryId(q), item: j.item, grade: j.grade }))
        .collect();
    let (users, queries) = anonymous_queries(texts);
    let catalog = Catalog { items: docs.items, category_paths: vec!["BEIR corpus".into()] };
    assemble(Parts { dataset, catalog, users, queries, judgements, gains: GAINS, ..Parts::default() })
}

/// What [`write_beir_fixture`] and [`write_trec_fixture`] write.
#[derive(Clone, Debug)]
pub struct TextFixture {
    /// Documents in the corpus.
    pub documents: usize,
    /// Queries in the topics (about four in five are judged).
    pub queries: usize,
    /// Seed of every choice: the same spec writes the same files.
    pub seed: u64,
}

impl Default for TextFixture {
    fn default() -> Self {
        TextFixture { documents: 200, queries: 20, seed: 11 }
    }
}

const WORDS: &[&str] = &[
    "ocean", "climate", "protein", "virus", "market", "court", "election", "solar", "battery", "river", "forest",
    "vaccine", "trade", "energy", "school", "city", "policy", "drug", "cancer", "storm", "café", "naïve",
];

/// One collection, written in either layout: the BEIR and TREC fixtures of
/// one spec hold the same documents, queries and judgements.
struct Collection {
    /// (id, title — empty for some —, text).
    docs: Vec<(String, String, String)>,
    /// (id, title, description).
    queries: Vec<(String, String, String)>,
    /// (query id, document id, level) of the test split.
    test: Vec<(String, String, i32)>,
    /// The same for the train split (other queries).
    train: Vec<(String, String, i32)>,
}

impl Collection {
    fn new(spec: &TextFixture) -> Collection {
        let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
        let words = |rng: &mut ChaCha8Rng, n: usize| -> String {
            (0..n).map(|_| *WORDS.choose(rng).unwrap_or(&"word")).collect::<Vec<_>>().join(" ")
        };
        let mut docs: Vec<_> = (0..spec.documents)
            .map(|d| {
                let title = if d % 5 == 3 { String::new() } else { words(&mut rng, 3) };
                (format!("DOC-{:05}", d * 3 + 1), title, words(&mut rng, 12))
            })
            .collect();
        let queries: Vec<_> = (0..spec.queries)
            .map(|q| {
                let title = words(&mut rng, 2);
                let desc = format!("Find documents about {title} and its effects.");
                ((301 + q).to_string(), title, desc)
            })
            .collect();
        let (mut test, mut train) = (Vec::new(), Vec::new());
        if !docs.is_empty() {
            for (q, (qid, title, _)) in queries.iter().enumerate() {
                // Every fifth query is unjudged; the rest alternate splits
                // three to one.
                let split = match q % 5 {
                    4 => continue,
                    3 => &mut train,
                    _ => &mut test,
                };
                let mut picked: Vec<usize> =
                    (0..rng.random_range(1..=6)).map(|_| rng.random_range(0..docs.len())).collect();
                picked.sort_unstable();
                picked.dedup();
                for d in picked {
                    let level = rng.random_range(-1..=3);
                    // Relevant documents mention the query's words, so a
                    // lexical ranker has something to find.
                    if level > 0 {
                        docs[d].2.push(' ');
                        docs[d].2.push_str(title);
                    }
                    split.push((qid.clone(), docs[d].0.clone(), level));
                }
            }
        }
        Collection { docs, queries, test, train }
    }
}

/// Writes a BEIR folder under `dir`: `corpus.jsonl` (some titles missing or
/// empty, a `metadata` field BEIR sets carry), `queries.jsonl` (some queries
/// unjudged), `qrels/test.tsv` and `qrels/train.tsv` with levels −1 to 3.
pub fn write_beir_fixture(dir: &Path, spec: &TextFixture) -> Result<()> {
    let c = Collection::new(spec);
    let json = |v: serde_json::Value| v.to_string();
    let corpus = c.docs.iter().enumerate().map(|(i, (id, title, text))| match i % 10 {
        // A missing title, and the `metadata` some sets carry.
        8 => json(
            serde_json::json!({ "_id": id, "text": text, "metadata": { "url": format!("https://example.org/{id}") } }),
        ),
        _ => json(serde_json::json!({ "_id": id, "title": title, "text": text })),
    });
    write_lines(&dir.join("corpus.jsonl"), corpus)?;
    let queries =
        c.queries.iter().map(|(id, title, _)| json(serde_json::json!({ "_id": id, "text": title, "metadata": {} })));
    write_lines(&dir.join("queries.jsonl"), queries)?;
    for (split, rows) in [("test", &c.test), ("train", &c.train)] {
        let header = std::iter::once("query-id\tcorpus-id\tscore".to_string());
        let rows = rows.iter().map(|(q, d, level)| format!("{q}\t{d}\t{level}"));
        write_lines(&dir.join("qrels").join(format!("{split}.tsv")), header.chain(rows))?;
    }
    Ok(())
}

/// Writes a TREC collection under `dir`: `documents.sgml` (`<DOC>` records,
/// some without `<TITLE>`, text in `<P>` paragraphs), `topics.txt` (classic
/// topics with title, description and narrative), `qrels.txt` (the BEIR
/// fixture's test split as `qid 0 docno rel`).
pub fn write_trec_fixture(dir: &Path, spec: &TextFixture) -> Result<()> {
    let c = Collection::new(spec);
    let docs = c.docs.iter().map(|(id, title, text)| {
        let mut s = format!("<DOC>\n<DOCNO> {id} </DOCNO>\n");
        if !title.is_empty() {
            let _ = writeln!(s, "<TITLE>{title}</TITLE>");
        }
        let _ = write!(s, "<TEXT>\n<P>\n{text}\n</P>\n</TEXT>\n</DOC>");
        s
    });
    write_lines(&dir.join("documents.sgml"), docs)?;
    let topics = c.queries.iter().map(|(id, title, desc)| {
        format!(
            "<top>\n<num> Number: {id}\n<title> {title}\n\n<desc> Description:\n{desc}\n\n<narr> Narrative:\nA relevant document discusses {title}.\n</top>\n"
        )
    });
    write_lines(&dir.join("topics.txt"), topics)?;
    write_lines(&dir.join("qrels.txt"), c.test.iter().map(|(q, d, level)| format!("{q} 0 {d} {level}")))
}

fn write_lines(path: &Path, lines: impl Iterator<Item = String>) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| DatasetError::io(parent, e))?;
    }
    let file = File::create(path).map_err(|e| DatasetError::io(path, e))?;
    let mut w = BufWriter::new(file);
    for line in lines {
        writeln!(w, "{line}").map_err(|e| DatasetError::io(path, e))?;
    }
    w.flush().map_err(|e| DatasetError::io(path, e))
}
