//! BEIR and TREC: the fixtures, read back independently (serde_json, split
//! lines), give exactly the loader's world; the TREC layout of a collection
//! gives the BEIR layout's world; malformed and truncated files fail naming
//! file, line and column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use searchrec_datasets::real::Source;
use searchrec_datasets::real::beir::{self, BeirSource, TextFixture, TopicField, TrecSource};
use searchrec_datasets::{Gains, Grade, Origin, World};

fn small() -> TextFixture {
    TextFixture { documents: 60, queries: 15, seed: 5 }
}

fn beir_dir(spec: &TextFixture) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    beir::write_beir_fixture(dir.path(), spec).expect("fixture");
    dir
}

fn trec_dir(spec: &TextFixture) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    beir::write_trec_fixture(dir.path(), spec).expect("fixture");
    dir
}

fn beir_source(dir: &Path, split: &str) -> BeirSource {
    BeirSource { dir: dir.to_path_buf(), split: split.into() }
}

fn trec_source(dir: &Path) -> TrecSource {
    TrecSource {
        corpus: dir.join("documents.sgml"),
        topics: dir.join("topics.txt"),
        qrels: dir.join("qrels.txt"),
        topic_field: TopicField::Title,
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).expect("read").lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect()
}

/// (query texts, (title, text) per item, (query, item, grade) sorted).
type Contents = (Vec<String>, Vec<(String, String)>, Vec<(u32, u32, Grade)>);

/// What the loader must build from a BEIR folder, computed with serde_json.
fn expected(dir: &Path, split: &str) -> Contents {
    let json = |l: &String| serde_json::from_str::<serde_json::Value>(l).expect("json");
    let text = |v: &serde_json::Value, k: &str| v.get(k).and_then(|t| t.as_str()).unwrap_or_default().to_string();
    let docs: Vec<serde_json::Value> = lines(&dir.join("corpus.jsonl")).iter().map(json).collect();
    let doc_index: HashMap<String, u32> = docs.iter().enumerate().map(|(i, d)| (text(d, "_id"), i as u32)).collect();
    let queries: Vec<serde_json::Value> = lines(&dir.join("queries.jsonl")).iter().map(json).collect();
    let qrels: Vec<Vec<String>> = lines(&dir.join("qrels").join(format!("{split}.tsv")))
        .iter()
        .skip(1)
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    let judged: Vec<&serde_json::Value> =
        queries.iter().filter(|q| qrels.iter().any(|r| r[0] == text(q, "_id"))).collect();
    let query_index: HashMap<String, u32> =
        judged.iter().enumerate().map(|(i, q)| (text(q, "_id"), i as u32)).collect();
    let mut judgements: Vec<(u32, u32, Grade)> = qrels
        .iter()
        .map(|r| {
            let level: i32 = r[2].parse().expect("level");
            let grade = Grade::from_level(level.max(0) as u8).expect("0..=3");
            (query_index[&r[0]], doc_index[&r[1]], grade)
        })
        .collect();
    judgements.sort();
    (
        judged.iter().map(|q| text(q, "text")).collect(),
        docs.iter().map(|d| (text(d, "title"), text(d, "text"))).collect(),
        judgements,
    )
}

fn observed(w: &World) -> Contents {
    let o = &w.observable;
    (
        o.queries.iter().map(|q| q.text.clone()).collect(),
        o.catalog.items.iter().map(|i| (i.title.clone(), i.description.clone())).collect(),
        w.qrels.judgements.iter().map(|j| (j.query.0, j.item.0, j.grade)).collect(),
    )
}

#[test]
fn sources_parse_from_toml_and_refuse_unknown_fields() {
    let s: Source = toml::from_str("format = \"beir\"\ndir = \"scifact\"").expect("parses");
    assert_eq!(s, Source::Beir(beir_source(Path::new("scifact"), "test")));
    let s: Source = toml::from_str(
        "format = \"trec\"\ncorpus = \"c.jsonl\"\ntopics = \"t.txt\"\nqrels = \"q.txt\"\ntopic_field = \"description\"",
    )
    .expect("parses");
    let Source::Trec(t) = s else { panic!("not trec") };
    assert_eq!(t.topic_field, TopicField::Description);
    for bad in [
        "format = \"beir\"\ndir = \"x\"\nsplits = \"dev\"",
        "format = \"trec\"\ncorpus = \"c\"\ntopics = \"t\"\nqrels = \"q\"\nfield = \"title\"",
    ] {
        let e = toml::from_str::<Source>(bad).unwrap_err().to_string();
        assert!(e.contains("unknown field"), "{e}");
    }
    let e = toml::from_str::<Source>(
        "format = \"trec\"\ncorpus = \"c\"\ntopics = \"t\"\nqrels = \"q\"\ntopic_field = \"narr\"",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("unknown variant `narr`") && e.contains("expected `title` or `description`"), "{e}");
}

#[test]
fn beir_fixture_round_trips_each_split() {
    let dir = beir_dir(&small());
    for split in ["test", "train"] {
        let w = beir::load_beir(&beir_source(dir.path(), split), Path::new("/")).expect("loads");
        assert_eq!(observed(&w), expected(dir.path(), split), "{split}");
        let name = dir.path().file_name().expect("name").to_string_lossy().into_owned();
        assert_eq!(w.origin, Origin::Loaded { dataset: format!("beir-{name}-{split}") });
    }
    let (queries, items, judgements) = expected(dir.path(), "test");
    let all_queries = lines(&dir.path().join("queries.jsonl")).len();
    assert!(queries.len() < all_queries && !queries.is_empty(), "unjudged queries are dropped");
    assert_eq!(items.len(), 60);
    assert!(items.iter().any(|(t, _)| t.is_empty()), "some titles are missing or empty");
    for grade in [Grade::Irrelevant, Grade::Complement, Grade::Substitute, Grade::Exact] {
        assert!(judgements.iter().any(|j| j.2 == grade), "{grade:?}");
    }
}

#[test]
fn world_fields_follow_the_mapping() {
    let dir = beir_dir(&small());
    let w = beir::load_beir(&beir_source(dir.path(), "test"), Path::new("/")).expect("loads");
    assert!(w.truth.is_none());
    assert_eq!(w.scenario.judgements.gains, Gains { exact: 3.0, substitute: 2.0, complement: 1.0, irrelevant: 0.0 });
    for grade in [Grade::Irrelevant, Grade::Complement, Grade::Substitute, Grade::Exact] {
        assert_eq!(grade.gain(&w.scenario.judgements.gains), f64::from(grade.level()), "linear gain");
    }
    let o = &w.observable;
    assert_eq!(o.catalog.category_paths, ["BEIR corpus"]);
    assert!(o.catalog.items.iter().all(|i| i.brand.is_empty() && i.price == 1.0 && i.review_count == 0));
    for (n, q) in o.queries.iter().enumerate() {
        assert_eq!((q.id.index(), q.user.index(), q.time), (n, n, 0));
    }
    assert_eq!(o.users.len(), o.queries.len());
    // Level −1 is judged Irrelevant, like 0.
    let qrels = std::fs::read_to_string(dir.path().join("qrels/test.tsv")).expect("read");
    assert!(qrels.contains("\t-1\n"), "the fixture has negative levels");
}

#[test]
fn the_same_files_give_the_same_world_and_the_same_seed_the_same_files() {
    let (a, b) = (beir_dir(&small()), beir_dir(&small()));
    for file in ["corpus.jsonl", "queries.jsonl", "qrels/test.tsv", "qrels/train.tsv"] {
        assert_eq!(std::fs::read(a.path().join(file)).ok(), std::fs::read(b.path().join(file)).ok(), "{file}");
    }
    let other = beir_dir(&TextFixture { seed: 6, ..small() });
    assert_ne!(
        std::fs::read(a.path().join("corpus.jsonl")).ok(),
        std::fs::read(other.path().join("corpus.jsonl")).ok()
    );
    let s = beir_source(a.path(), "test");
    assert_eq!(
        beir::load_beir(&s, Path::new("/")).expect("loads"),
        beir::load_beir(&s, Path::new("/")).expect("loads")
    );
    let t = trec_dir(&small());
    let ts = trec_source(t.path());
    assert_eq!(
        beir::load_trec(&ts, Path::new("/")).expect("loads"),
        beir::load_trec(&ts, Path::new("/")).expect("loads")
    );
}

#[test]
fn trec_layouts_give_the_beir_world() {
    let spec = small();
    let (b, t) = (beir_dir(&spec), trec_dir(&spec));
    let beir_world = beir::load_beir(&beir_source(b.path(), "test"), Path::new("/")).expect("beir");
    // SGML corpus and classic topics, with paths relative to the base.
    let relative = TrecSource {
        corpus: PathBuf::from("documents.sgml"),
        topics: PathBuf::from("topics.txt"),
        qrels: PathBuf::from("qrels.txt"),
        topic_field: TopicField::Title,
    };
    let sgml = beir::load_trec(&relative, t.path()).expect("trec");
    assert_eq!(observed(&sgml), observed(&beir_world));
    assert_eq!(sgml.origin, Origin::Loaded { dataset: "trec-topics".into() });
    assert_eq!(sgml.scenario.judgements.gains, beir_world.scenario.judgements.gains);
    // BEIR's JSONL corpus and TSV topics, with TREC qrels.
    let tsv: Vec<String> = lines(&b.path().join("queries.jsonl"))
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json");
            format!("{}\t{}", v["_id"].as_str().expect("id"), v["text"].as_str().expect("text"))
        })
        .collect();
    std::fs::write(t.path().join("queries.tsv"), tsv.join("\n")).expect("write");
    let jsonl = TrecSource {
        corpus: b.path().join("corpus.jsonl"),
        topics: t.path().join("queries.tsv"),
        ..trec_source(t.path())
    };
    let from_jsonl = beir::load_trec(&jsonl, Path::new("/")).expect("trec jsonl");
    assert_eq!(observed(&from_jsonl), observed(&beir_world));
    assert_eq!(from_jsonl.origin, Origin::Loaded { dataset: "trec-queries".into() });
    // The description field.
    let desc =
        beir::load_trec(&TrecSource { topic_field: TopicField::Description, ..trec_source(t.path()) }, Path::new("/"))
            .expect("desc");
    for (d, q) in desc.observable.queries.iter().zip(&beir_world.observable.queries) {
        assert_eq!(d.text, format!("Find documents about {} and its effects.", q.text));
    }
}

#[test]
fn sgml_and_topics_parse_markup_variants() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    std::fs::write(
        p.join("docs.trec"),
        "<DOC>\n<DOCNO>FT911-1</DOCNO>\n<HEADLINE>ignored</HEADLINE>\n<TEXT>\nfirst   line\n<P>second</P> a<b\n</TEXT>\n</DOC>\n\
         <DOC><DOCNO> FT911-2 </DOCNO><TITLE>Short  title</TITLE><TEXT>one</TEXT><TEXT>two</TEXT></DOC>\n",
    )
    .expect("write");
    std::fs::write(
        p.join("topics.301-302"),
        "<top>\n<num> Number: 301 \n<title> Topic: International  Organized Crime \n\n<desc> Description:\nIdentify organizations.\n\n<narr> Narrative:\nA relevant document ...\n</top>\n\n\
         <top>\n<num> Number: 302\n<title> Poliomyelitis and Post-Polio\n<desc> Description:\nIs the disease under control?\n</top>\n",
    )
    .expect("write");
    std::fs::write(p.join("qrels"), "301 0 FT911-1 1\n302 0 FT911-2 2\n302 0 FT911-1 0\n").expect("write");
    let s = TrecSource {
        corpus: p.join("docs.trec"),
        topics: p.join("topics.301-302"),
        qrels: p.join("qrels"),
        topic_field: TopicField::Title,
    };
    let w = beir::load_trec(&s, Path::new("/")).expect("loads");
    let (queries, items, judgements) = observed(&w);
    assert_eq!(queries, ["International Organized Crime", "Poliomyelitis and Post-Polio"]);
    assert_eq!(items, [("".into(), "first line second a<b".into()), ("Short title".into(), "one two".into())]);
    assert_eq!(judgements, [(0, 0, Grade::Complement), (1, 0, Grade::Irrelevant), (1, 1, Grade::Substitute)]);
}

/// Loads `source`'s folder with one file replaced by `contents`, and gives
/// the error message.
fn beir_err(dir: &Path, file: &str, contents: &str) -> String {
    let path = dir.join(file);
    let saved = std::fs::read(&path).expect("read");
    std::fs::write(&path, contents).expect("write");
    let e = beir::load_beir(&beir_source(dir, "test"), Path::new("/")).expect_err("must fail").to_string();
    std::fs::write(&path, saved).expect("restore");
    assert!(e.contains(&path.display().to_string()), "file not named: {e}");
    e
}

fn assert_has(e: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(e.contains(w), "`{w}` not in: {e}");
    }
}

#[test]
fn malformed_beir_lines_name_file_line_and_column() {
    let dir = beir_dir(&small());
    let p = dir.path();
    let corpus = std::fs::read_to_string(p.join("corpus.jsonl")).expect("read");
    let qrels = std::fs::read_to_string(p.join("qrels/test.tsv")).expect("read");
    let first_doc = corpus.lines().next().expect("a line").to_string();

    let bad_json = corpus.replacen('\n', "\n{\"_id\": \"x\", \"text\": }\n", 1);
    assert_has(&beir_err(p, "corpus.jsonl", &bad_json), &["line 2, column ", "expected value"]);
    let no_text = format!("{corpus}\n{{\"_id\": \"late\", \"title\": \"t\"}}\n");
    let n = corpus.lines().count() + 2;
    assert_has(&beir_err(p, "corpus.jsonl", &no_text), &[&format!("line {n}, "), "missing field `text`"]);
    let duplicate = format!("{corpus}{first_doc}\n");
    let n = corpus.lines().count() + 1;
    assert_has(&beir_err(p, "corpus.jsonl", &duplicate), &[&format!("line {n}: "), "also at line 1"]);

    let row = |q: &str, d: &str, s: &str| format!("{qrels}{q}\t{d}\t{s}\n");
    let (q, d) = {
        let first: Vec<&str> = qrels.lines().nth(1).expect("a row").split('\t').collect();
        (first[0].to_string(), first[1].to_string())
    };
    let n = qrels.lines().count() + 1;
    let line = format!("line {n}: ");
    assert_has(
        &beir_err(p, "qrels/test.tsv", &row(&q, "NO-SUCH-DOC", "1")),
        &[&line, "column `corpus-id`", "`NO-SUCH-DOC`"],
    );
    assert_has(&beir_err(p, "qrels/test.tsv", &row("9999", &d, "1")), &[&line, "column `query-id`", "`9999`"]);
    assert_has(&beir_err(p, "qrels/test.tsv", &row(&q, &d, "4")), &[&line, "column `score`", "above 3"]);
    assert_has(&beir_err(p, "qrels/test.tsv", &row(&q, &d, "high")), &[&line, "column `score`", "`high`"]);
    assert_has(&beir_err(p, "qrels/test.tsv", &format!("{qrels}{q}\t{d}\n")), &[&line, "expected 3 columns"]);
    assert_has(&beir_err(p, "qrels/test.tsv", &row(&q, &d, "2")), &[&line, "repeats the judgement of line 2"]);
    assert_has(&beir_err(p, "queries.jsonl", "{\"_id\": 5, \"text\": \"x\"}\n"), &["line 1, column ", "invalid type"]);

    // Empty lines are skipped: the same world.
    let spaced = corpus.replace('\n', "\n\n");
    std::fs::write(p.join("corpus.jsonl"), &spaced).expect("write");
    let w = beir::load_beir(&beir_source(p, "test"), Path::new("/")).expect("loads");
    assert_eq!(observed(&w), expected(p, "test"));
}

#[test]
fn truncated_and_missing_files_are_refused_naming_the_file() {
    let dir = beir_dir(&small());
    let p = dir.path();
    for file in ["corpus.jsonl", "queries.jsonl"] {
        let text = std::fs::read_to_string(p.join(file)).expect("read");
        // Cut at half, moved off a line end so the last line is partial.
        let mut cut = text.len() / 2;
        while !text.is_char_boundary(cut) || text.as_bytes()[cut - 1] == b'\n' || text.as_bytes()[cut - 1] == b'}' {
            cut += 1;
        }
        let n = text[..cut].lines().count();
        assert_has(&beir_err(p, file, &text[..cut]), &[&format!("line {n}, column ")]);
    }
    let missing = beir::load_beir(&beir_source(p, "dev"), Path::new("/")).expect_err("no dev split").to_string();
    assert!(missing.contains(&p.join("qrels").join("dev.tsv").display().to_string()), "{missing}");

    let t = trec_dir(&small());
    let sgml = std::fs::read_to_string(t.path().join("documents.sgml")).expect("read");
    std::fs::write(t.path().join("documents.sgml"), &sgml[..sgml.len() / 2]).expect("write");
    let e = beir::load_trec(&trec_source(t.path()), Path::new("/")).expect_err("truncated").to_string();
    assert_has(&e, &["documents.sgml", "ends inside this <doc>"]);
    std::fs::remove_file(t.path().join("documents.sgml")).expect("remove");
    let e = beir::load_trec(&trec_source(t.path()), Path::new("/")).expect_err("missing").to_string();
    assert!(e.contains(&t.path().join("documents.sgml").display().to_string()), "{e}");
}

#[test]
fn malformed_trec_files_name_file_and_line() {
    let t = trec_dir(&small());
    let p = t.path();
    let load = |file: &str, contents: &str| {
        let path = p.join(file);
        let saved = std::fs::read(&path).expect("read");
        std::fs::write(&path, contents).expect("write");
        let e = beir::load_trec(&trec_source(p), Path::new("/")).expect_err("must fail").to_string();
        std::fs::write(&path, saved).expect("restore");
        assert!(e.contains(&path.display().to_string()), "file not named: {e}");
        e
    };
    let sgml = std::fs::read_to_string(p.join("documents.sgml")).expect("read");
    assert_has(&load("documents.sgml", &format!("{sgml}<DOC>\n<TEXT>x</TEXT>\n</DOC>\n")), &["has no <DOCNO>"]);
    assert_has(&load("documents.sgml", &format!("<DOC>\n{sgml}")), &["line 2: <doc> inside the <doc> of line 1"]);
    let qrels = std::fs::read_to_string(p.join("qrels.txt")).expect("read");
    let n = qrels.lines().count() + 1;
    assert_has(
        &load("qrels.txt", &format!("{qrels}301 0 NOPE 1\n")),
        &[&format!("line {n}: "), "column `docno`", "`NOPE`"],
    );
    assert_has(&load("qrels.txt", &format!("{qrels}301 0 DOC-00001 7\n")), &[&format!("line {n}: "), "column `rel`"]);
    assert_has(&load("topics.txt", "<top>\n<title> no number\n</top>\n"), &["line 1: ", "has no <num>"]);
}

#[test]
fn mutated_files_never_panic() {
    let dir = beir_dir(&TextFixture { documents: 20, queries: 6, seed: 2 });
    let t = trec_dir(&TextFixture { documents: 20, queries: 6, seed: 2 });
    let cases = [
        (dir.path().join("corpus.jsonl"), true),
        (dir.path().join("qrels/test.tsv"), true),
        (t.path().join("documents.sgml"), false),
        (t.path().join("topics.txt"), false),
    ];
    for (path, is_beir) in cases {
        let bytes = std::fs::read(&path).expect("read");
        for k in 0..60 {
            let mut b = bytes.clone();
            let at = k * (b.len() - 1) / 60;
            // Alternately a byte flip (sometimes invalid UTF-8) and a cut.
            if k % 2 == 0 {
                b[at] ^= 0xA5;
            } else {
                b.truncate(at);
            }
            std::fs::write(&path, &b).expect("write");
            let _ = if is_beir {
                beir::load_beir(&beir_source(dir.path(), "test"), Path::new("/"))
            } else {
                beir::load_trec(&trec_source(t.path()), Path::new("/"))
            };
        }
        std::fs::write(&path, &bytes).expect("restore");
    }
}
