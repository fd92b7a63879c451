//! TREC qrels text (`io::qrels_from_trec`, `io::qrels_from_trec_for`): never
//! panics; accepted rows read back equal from `qrels_to_trec`; the checked
//! reader accepts exactly the texts whose ids are within the world's counts.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use searchrec_datasets::io::{Counts, qrels_from_trec, qrels_from_trec_for, qrels_to_trec};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("fuzz-qrels.txt");
    let counts = Counts { queries: 50, items: 500, ..Counts::default() };
    let checked = qrels_from_trec_for(text, path, &counts);
    match qrels_from_trec(text, path) {
        Ok(rows) => {
            let again = qrels_from_trec(&qrels_to_trec(&rows), path).expect("written qrels read back");
            assert_eq!(again, rows);
            let within =
                rows.iter().all(|j| u64::from(j.query.0) < counts.queries && u64::from(j.item.0) < counts.items);
            assert_eq!(checked.is_ok(), within, "{checked:?}");
        }
        Err(e) => {
            assert!(checked.is_err(), "the checked reader accepted what the plain one refused: {e}");
            assert!(e.to_string().starts_with("fuzz-qrels.txt: "), "{e}");
        }
    }
});
