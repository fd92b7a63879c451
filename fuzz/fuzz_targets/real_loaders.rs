//! Bytes in place of one file of a valid real-data folder (ESCI's Parquet,
//! BEIR's JSONL and TSV, TREC's SGML, topics and qrels, KuaiSAR's CSVs):
//! loading never panics, and a refusal names the file.
//!
//! The first input byte picks the file. The rest is the whole file when it
//! starts with `RAW`, else a list of 5-byte edits — a little-endian u32
//! offset into the valid file and a byte XORed in there — which keeps most
//! inputs close to valid, so the fuzzer reaches the row and column checks.

#![no_main]

use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use searchrec_datasets::real::{Source, beir, esci, kuaisar};

/// (the source table, the file fuzzed) — relative to the fixture folder.
const FILES: [(usize, &str); 12] = [
    (0, "esci/shopping_queries_dataset_examples.parquet"),
    (0, "esci/shopping_queries_dataset_products.parquet"),
    (1, "beir/corpus.jsonl"),
    (1, "beir/queries.jsonl"),
    (1, "beir/qrels/test.tsv"),
    (2, "trec/documents.sgml"),
    (2, "trec/topics.txt"),
    (2, "trec/qrels.txt"),
    (3, "kuaisar/rec_inter.csv"),
    (3, "kuaisar/src_inter.csv"),
    (3, "kuaisar/item_features.csv"),
    (3, "kuaisar/user_features.csv"),
];

struct Fixture {
    /// Kept so the folder lives as long as the process.
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    sources: Vec<Source>,
    /// The valid bytes of each of `FILES`.
    originals: Vec<Vec<u8>>,
}

/// One small valid folder per format, written once per process.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // The parquet crate panics on some corrupt pages, which the ESCI
        // reader catches on purpose; libfuzzer-sys's hook would abort there.
        std::panic::set_hook(Box::new(|_| {}));
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().to_path_buf();
        esci::write_fixture(&dir.join("esci"), &esci::EsciFixture { queries: 12, products_per_query: 4, seed: 1 })
            .expect("esci fixture");
        let text = beir::TextFixture { documents: 30, queries: 6, seed: 1 };
        beir::write_beir_fixture(&dir.join("beir"), &text).expect("beir fixture");
        beir::write_trec_fixture(&dir.join("trec"), &text).expect("trec fixture");
        let spec = kuaisar::KuaisarFixture { users: 8, items: 40, days: 3, seed: 1 };
        kuaisar::write_fixture(&dir.join("kuaisar"), &spec).expect("kuaisar fixture");
        let sources = [
            "format = \"esci\"\ndir = \"esci\"",
            "format = \"beir\"\ndir = \"beir\"",
            "format = \"trec\"\ncorpus = \"trec/documents.sgml\"\ntopics = \"trec/topics.txt\"\nqrels = \"trec/qrels.txt\"",
            "format = \"kuaisar\"\ndir = \"kuaisar\"",
        ]
        .iter()
        .map(|t| toml::from_str(t).expect("a valid source"))
        .collect::<Vec<Source>>();
        for source in &sources {
            source.load(&dir).expect("every fixture loads");
        }
        let originals = FILES.iter().map(|(_, f)| fs::read(dir.join(f)).expect("fixture file")).collect();
        Fixture { _tmp: tmp, dir, sources, originals }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let fx = fixture();
    let i = pick as usize % FILES.len();
    let (source, file) = FILES[i];
    let original = &fx.originals[i];
    let bytes = match rest.strip_prefix(b"RAW") {
        Some(whole) => whole.to_vec(),
        None => {
            let mut b = original.clone();
            for edit in rest.chunks_exact(5) {
                let offset = u32::from_le_bytes([edit[0], edit[1], edit[2], edit[3]]) as usize % b.len();
                b[offset] ^= edit[4];
            }
            b
        }
    };
    let path = fx.dir.join(file);
    fs::write(&path, &bytes).expect("write the file");
    let result = fx.sources[source].load(&fx.dir);
    fs::write(&path, original).expect("restore the file");
    if let Err(e) = result {
        let message = e.to_string();
        let name = file.rsplit('/').next().unwrap_or(file);
        // A refusal names the fuzzed file, or (for what only the whole set
        // shows, e.g. a selection left empty) the data set it belongs to.
        assert!(
            message.contains(name) || message.contains(file.split('/').next().unwrap_or(file)),
            "{file}: names neither the file nor the set: {message}"
        );
    }
});
