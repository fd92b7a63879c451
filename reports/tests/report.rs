//! The HTML report: escaping, determinism, sections, self-containment.

use searchrec_reports::{CHART_CLASS, REPORT_FILE, render_html, render_report};

use crate::fixture;

#[test]
fn hostile_text_is_escaped_and_no_script_element_appears() {
    let html = render_html(&fixture::hostile()).unwrap();
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "a raw <script> reached the page");
    assert!(!html.contains(fixture::HOSTILE));
    // Shown as text, escaped by the template (HTML) and by the SVG writer.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"), "template escaping");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "SVG escaping");
    assert!(html.contains("&quot;quoted&quot; &amp;"));
}

#[test]
fn rendering_twice_gives_identical_bytes() {
    let results = fixture::results();
    let a = render_html(&results).unwrap();
    let b = render_html(&results.clone()).unwrap();
    assert_eq!(a.as_bytes(), b.as_bytes());
}

#[test]
fn the_report_has_every_section_and_chart() {
    let html = render_html(&fixture::results()).unwrap();
    for needle in [
        "id=\"run\"",
        "d3e1b3e5c0ff<",
        "ci-runner-1",
        "scenarios&#x2f;ci.toml",
        "id=\"quality\"",
        "nDCG@10",
        "▲",
        "id=\"tradeoffs\"",
        "data-chart=\"pareto\"",
        "data-chart=\"latency\"",
        "data-chart=\"build-time\"",
        "data-chart=\"build-memory\"",
        "data-chart=\"gmv\"",
        "data-chart=\"interaction\"",
        "data-chart=\"sensitivity\"",
        "is <strong class=\"word\">super_additive</strong> at 95%",
        "super_additive: Δ = ",
        "Equivalence margin ±0.824 GMV per user (2% of `neither`",
        "MDE of every estimate",
        ">inconclusive</td>",
        ">additive</td>",
        ">sub_additive</td>",
        "SIMULATED.",
        "A/A check",
        "Guardrails",
        "simulation&#x2f;small-7&#x2f;interaction",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    // The page announces its chart count, and it matches the charts drawn:
    // 2 fronts, 3 latency (search closed, recommend closed, search open),
    // 2 build, GMV, interaction, 2 sensitivity.
    let charts = html.matches(&format!("class=\"{CHART_CLASS}\"")).count();
    assert_eq!(charts, 11);
    assert!(html.contains("data-chart-count=\"11\""));
}

#[test]
fn absent_sections_say_so() {
    let html = render_html(&fixture::bare()).unwrap();
    for needle in [
        "No Pareto fronts in this run",
        "No simulation in this run",
        "No latency distributions",
        "No significance tests in this run",
        "No ANN recall",
        "This run tracked no metrics.",
        "data-chart-count=\"2\"",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
}

#[test]
fn a_simulation_without_factorial_or_sweep_says_so() {
    let mut r = fixture::results();
    let s = r.simulation.as_mut().unwrap();
    s.factorial = None;
    s.aa = None;
    s.sensitivity.clear();
    let html = render_html(&r).unwrap();
    assert!(html.contains("No factorial"));
    assert!(html.contains("No A/A check"));
    assert!(html.contains("No sensitivity sweep"));
    // A factorial naming arms the simulation did not report keeps its table but not its plot.
    let mut r = fixture::results();
    r.simulation.as_mut().unwrap().factorial.as_mut().unwrap().a_b = "missing_arm".into();
    let html = render_html(&r).unwrap();
    assert!(html.contains("No interaction plot") && html.contains("missing_arm"));
}

#[test]
fn non_finite_values_render_without_breaking_the_svg() {
    let mut r = fixture::results();
    r.engines[1].quality[0].mean.ndcg_at_k = f64::NAN;
    r.fronts[0].points[1].x = f64::INFINITY;
    r.simulation.as_mut().unwrap().arms[0].gmv_per_user.upper = f64::NAN;
    let html = render_html(&r).unwrap();
    assert!(!html.contains("NaN") && !html.contains("inf\""));
    assert!(html.contains("with a missing value are not drawn"));
}

#[test]
fn the_report_is_self_contained() {
    let html = render_html(&fixture::results()).unwrap();
    let lower = html.to_ascii_lowercase();
    for external in ["http://", "https://", "src=", "<link", "@import", "url("] {
        // The SVG namespace is an identifier, never fetched.
        let count = lower.matches(external).count()
            - lower.matches("http://www.w3.org/2000/svg").count() * usize::from(external == "http://");
        assert_eq!(count, 0, "{external} in the report");
    }
    assert!(html.contains("Content-Security-Policy"));
}

#[test]
fn the_run_folder_s_per_query_table_adds_the_distribution() {
    let dir = tempfile::tempdir().unwrap();
    let r = fixture::results();
    let read = |dir: &std::path::Path| std::fs::read_to_string(render_report(&r, dir).unwrap()).unwrap();

    let html = read(dir.path());
    assert!(html.contains("No per_query.parquet beside results.json."));
    assert!(html.contains("data-chart-count=\"11\""));

    crate::per_query_fixture::write_per_query(dir.path(), &r);
    let html = read(dir.path());
    assert!(html.contains("data-chart=\"per-query\""));
    assert!(html.contains("data-chart-count=\"12\""));
    assert!(html.contains("per-query nDCG@10, query set all"));
    assert_eq!(html, read(dir.path()), "the distribution renders deterministically");

    // A broken table is noted on the page; the report is still written.
    std::fs::write(dir.path().join("per_query.parquet"), b"not parquet").unwrap();
    let html = read(dir.path());
    assert!(html.contains("per_query.parquet could not be read"));
    assert!(html.contains("data-chart-count=\"11\""));
}

#[test]
fn render_report_writes_the_file_atomically_and_names_a_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = render_report(&fixture::results(), dir.path()).unwrap();
    assert_eq!(path, dir.path().join(REPORT_FILE));
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("<!DOCTYPE html>"));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, [REPORT_FILE]);

    let missing = dir.path().join("nope");
    let err = render_report(&fixture::results(), &missing).unwrap_err().to_string();
    assert!(err.contains("nope"), "{err}");
}
