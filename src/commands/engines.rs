//! `searchrec engines`: list the registered engine kinds and the parameters
//! that shape each kind's index (every other parameter is query-time).

use anyhow::Result;

use crate::cli::Cli;
use searchrec::registry;

pub fn run(cli: &Cli) -> Result<()> {
    let r = registry();
    let rows: Vec<_> = r
        .kinds()
        .map(|(kind, summary)| {
            let paths = r.factory(kind).map(|f| f.build_paths()).unwrap_or_default();
            (kind, summary, paths)
        })
        .collect();
    if cli.json {
        let kinds: Vec<_> = rows
            .iter()
            .map(|(kind, summary, paths)| serde_json::json!({"kind": kind, "summary": summary, "build_paths": paths}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&kinds)?);
    } else {
        for (kind, summary, paths) in rows {
            println!("{kind:<10} {summary}");
            println!("{:<10} build-time: {}", "", paths.join(", "));
        }
    }
    Ok(())
}
