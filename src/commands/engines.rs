//! `searchrec engines`: list the registered engine kinds.

use anyhow::Result;

use crate::cli::Cli;
use searchrec::registry;

pub fn run(cli: &Cli) -> Result<()> {
    let r = registry();
    if cli.json {
        let kinds: Vec<_> =
            r.kinds().map(|(kind, summary)| serde_json::json!({"kind": kind, "summary": summary})).collect();
        println!("{}", serde_json::to_string_pretty(&kinds)?);
    } else {
        for (kind, summary) in r.kinds() {
            println!("{kind:<10} {summary}");
        }
    }
    Ok(())
}
