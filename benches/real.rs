//! Real-data loading speed: each loader on its fixture, written in the data
//! set's own layout, at a size where parsing rather than start-up dominates
//! (throughput in bytes of input files read).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput};
use searchrec_datasets::real::{Source, beir, esci, kuaisar};

/// The `[world.source]` table of a fixture folder.
fn source(toml: &str) -> Source {
    toml::from_str(toml).expect("a valid source table")
}

/// Bytes of every file under `dir`.
fn bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() { bytes(&entry.path()) } else { meta.len() }
        })
        .sum()
}

/// Benchmarks every loader on its fixture.
pub fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    esci::write_fixture(&at("esci"), &esci::EsciFixture { queries: 2_000, products_per_query: 20, seed: 1 }).unwrap();
    let text = beir::TextFixture { documents: 20_000, queries: 2_000, seed: 1 };
    beir::write_beir_fixture(&at("beir"), &text).unwrap();
    beir::write_trec_fixture(&at("trec"), &text).unwrap();
    kuaisar::write_fixture(&at("kuaisar"), &kuaisar::KuaisarFixture { users: 2_000, items: 20_000, days: 7, seed: 1 })
        .unwrap();
    let sources = [
        ("esci", source("format = \"esci\"\ndir = \"esci\"")),
        ("beir", source("format = \"beir\"\ndir = \"beir\"")),
        (
            "trec",
            source(
                "format = \"trec\"\ncorpus = \"trec/documents.sgml\"\ntopics = \"trec/topics.txt\"\nqrels = \"trec/qrels.txt\"",
            ),
        ),
        ("kuaisar", source("format = \"kuaisar\"\ndir = \"kuaisar\"")),
    ];
    let mut group = c.benchmark_group("load_real");
    for (name, source) in &sources {
        let base: &Path = dir.path();
        group.throughput(Throughput::Bytes(bytes(&at(name))));
        group.bench_function(*name, |b| b.iter(|| black_box(source.load(base).unwrap())));
    }
    group.finish();
}
