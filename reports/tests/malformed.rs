//! A `results.json` altered anywhere — a value of the wrong type, a negative,
//! a huge number, an emptied list, a truncated file — is either refused with
//! a message that says where, or read and then rendered and compared without
//! a panic. Structure-aware mutations of the fixture, one node at a time, so
//! every part of the schema is reached (the cargo-fuzz target
//! `results_json` under `fuzz/` explores byte-level mutations further).

use searchrec_harness::results::parse_results;
use searchrec_reports::{compare, render_html};
use serde_json::Value;

use crate::fixture;

/// What a node is replaced with, in turn.
fn replacements() -> Vec<Value> {
    vec![
        Value::Null,
        Value::from("x"),
        Value::from(-1),
        Value::from(1e308),
        Value::from(u64::MAX),
        Value::Array(Vec::new()),
        Value::Object(serde_json::Map::new()),
    ]
}

/// Every node of `value` in pre-order, as JSON pointers.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| pointers(v, format!("{at}/{i}"), out)),
        Value::Object(map) => {
            map.iter().for_each(|(k, v)| pointers(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out))
        }
        _ => {}
    }
    out.push(at);
}

/// Whether the path in `message` (``at `engines[0].load[0].mode` ``) is
/// the altered node or one of its ancestors: serde stops at the innermost
/// value that cannot take the alteration, which may be an enclosing one.
fn names_an_ancestor(message: &str, pointer: &str) -> bool {
    let Some(path) = message.split("at `").nth(1).and_then(|rest| rest.split('`').next()) else {
        return false;
    };
    let named: Vec<String> =
        path.split(['.', '[', ']']).filter(|p| !p.is_empty() && *p != "?").map(str::to_string).collect();
    let altered: Vec<&str> = pointer.split('/').filter(|p| !p.is_empty()).collect();
    named.len() <= altered.len() && named.iter().zip(&altered).all(|(a, b)| a == b)
}

#[test]
fn altered_results_are_refused_where_they_break_or_render_without_a_panic() {
    let results = fixture::results();
    let original = serde_json::to_value(&results).unwrap();
    let mut nodes = Vec::new();
    pointers(&original, String::new(), &mut nodes);
    let replacements = replacements();
    // A stride through the pre-order list spreads the cases over the whole
    // file; about 1,000 cases keep the test to a few seconds.
    let stride = (nodes.len() / 1000).max(1) | 1;
    let (mut refused, mut read) = (0, 0);
    for (case, pointer) in nodes.iter().enumerate().step_by(stride) {
        let mut altered = original.clone();
        *altered.pointer_mut(pointer).unwrap() = replacements[case % replacements.len()].clone();
        match parse_results(&altered.to_string()) {
            Err(message) => {
                refused += 1;
                assert!(
                    names_an_ancestor(&message, pointer) || message.contains("schema_version"),
                    "{pointer}: the refusal does not say where: {message}"
                );
            }
            Ok(parsed) => {
                read += 1;
                let _ = render_html(&parsed);
                let _ = compare(&results, &parsed, 0.05).to_text();
            }
        }
    }
    assert!(refused > 0 && read > 0, "refused {refused}, read {read}: the mutations reach both outcomes");
}

#[test]
fn truncated_results_are_refused_as_truncated() {
    let text = serde_json::to_string_pretty(&fixture::results()).unwrap();
    for cut in (0..text.len()).step_by(text.len() / 97 + 1) {
        let err = parse_results(&text[..cut]).err().unwrap_or_else(|| panic!("a file cut at byte {cut} was read"));
        assert!(err.contains("truncated") || err.contains("schema_version"), "cut at {cut}: {err}");
    }
}
