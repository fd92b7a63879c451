//! Truth never appears in observable tables.

use std::fs::File;

use parquet::file::reader::{FileReader, SerializedFileReader};
use searchrec_datasets::io::write_world;
use searchrec_datasets::{Scale, Scenario};

fn columns(path: &std::path::Path) -> Vec<String> {
    let reader = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
    reader.metadata().file_metadata().schema_descr().columns().iter().map(|c| c.name().to_string()).collect()
}

#[test]
fn observable_tables_hold_only_observable_columns() {
    let dir = tempfile::tempdir().unwrap();
    write_world(&Scenario::preset(Scale::Tiny), 2, dir.path(), &|_, _| {}).unwrap();
    let expected: [(&str, &[&str]); 4] = [
        (
            "items.parquet",
            &[
                "item_id",
                "title",
                "brand",
                "leaf_id",
                "category_path",
                "price",
                "rating",
                "review_count",
                "sales_count",
            ],
        ),
        ("users.parquet", &["user_id", "age_band", "region", "tenure_days"]),
        (
            "interactions.parquet",
            &["time", "user_id", "session_id", "channel", "action", "item_id", "position", "search_id", "query"],
        ),
        ("queries.parquet", &["query_id", "user_id", "time", "text"]),
    ];
    let truth_words = [
        "quality",
        "vector",
        "persona",
        "sensitivity",
        "activity",
        "need",
        "noun",
        "colour",
        "material",
        "style",
        "size",
        "form",
    ];
    for (file, cols) in expected {
        let found = columns(&dir.path().join(file));
        assert_eq!(found, cols, "{file}");
        for c in &found {
            assert!(!truth_words.iter().any(|t| c.contains(t)), "{file} has truth-like column {c}");
        }
    }
    // Truth lives in its own folder.
    assert!(columns(&dir.path().join("truth/items.parquet")).contains(&"quality".to_string()));
}
