//! `report.html`: the view model rendered through the embedded templates.
//!
//! The templates are compiled into the binary (`include_str!`) so a report
//! renders the same wherever searchrec runs, and they are `.html` templates
//! so minijinja escapes every value they print; only the charts, built and
//! escaped by `crate::svg`, are passed through `|safe`. The page carries a
//! Content-Security-Policy that forbids scripts and every network fetch, so
//! even a mistake here could not make it load anything.

use std::path::{Path, PathBuf};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior, Value, context};
use searchrec_harness::results::Results;

use crate::per_query::PerQuery;
use crate::view::ReportView;
use crate::{ReportError, Result};
use searchrec_harness::atomic_file::write_atomically;

/// Name of the report inside a run folder.
pub const REPORT_FILE: &str = "report.html";

/// Class of every chart's `<svg>` element: what the headless-browser report
/// check (`scripts/report_check.sh`) looks for. The page's `<main>` carries
/// the number of charts in `data-chart-count`.
pub const CHART_CLASS: &str = "searchrec-chart";

/// The templates, by name. The main page includes the rest.
const TEMPLATES: [(&str, &str); 9] = [
    ("report.html", include_str!("../templates/report.html")),
    ("style.css", include_str!("../templates/style.css")),
    ("chart.html", include_str!("../templates/chart.html")),
    ("sections/run.html", include_str!("../templates/sections/run.html")),
    ("sections/quality.html", include_str!("../templates/sections/quality.html")),
    ("sections/tradeoffs.html", include_str!("../templates/sections/tradeoffs.html")),
    ("sections/speed.html", include_str!("../templates/sections/speed.html")),
    ("sections/simulation.html", include_str!("../templates/sections/simulation.html")),
    ("sections/metrics.html", include_str!("../templates/sections/metrics.html")),
];

fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    // A misspelt field must fail the tests, not print an empty cell.
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_syntax(SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build()?);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// Renders the report page of `results` as one self-contained HTML document,
/// from the results alone (the per-query distribution, which needs the run
/// folder's `per_query.parquet`, is left out; [`render_report`] draws it).
///
/// Deterministic: the same results give the same bytes. The only time shown
/// is the run's own start.
pub fn render_html(results: &Results) -> Result<String> {
    render(results, &PerQuery::NotLooked)
}

fn render(results: &Results, per_query: &PerQuery) -> Result<String> {
    let view = ReportView::new(results, per_query);
    let env = environment()?;
    let page = env.get_template("report.html")?;
    let html = page.render(context! { r => Value::from(Serde(&view)), chart_class => CHART_CLASS })?;
    Ok(html)
}

/// Renders `results` and writes `report.html` into the run folder `dir`
/// atomically (a reader sees the old report or the new one, never half).
/// Reads the folder's `per_query.parquet`, when there is one, for the
/// per-query distribution; an unreadable table is noted on the page, not an
/// error. Returns the report's path.
pub fn render_report(results: &Results, dir: &Path) -> Result<PathBuf> {
    if !dir.is_dir() {
        return Err(ReportError::Io {
            path: dir.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "the run folder does not exist"),
        });
    }
    let html = render(results, &PerQuery::load(dir, results))?;
    let path = dir.join(REPORT_FILE);
    write_atomically(&path, html.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        let env = environment().unwrap();
        for (name, _) in TEMPLATES {
            env.get_template(name).unwrap();
        }
    }
}
