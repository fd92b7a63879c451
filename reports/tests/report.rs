//! The HTML report: escaping, determinism, sections, self-containment.

use searchrec_harness::simulate::Estimate;
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
    // The grid's second parameter names the heatmap's axis and title; the worlds' method is a sentence.
    assert!(html.contains("data-chart=\"sensitivity-map\""));
    assert!(html.contains("× &lt;script&gt;alert(1)&lt;/script&gt;\"><title>"), "heatmap title escaped");
    assert!(html.contains("Interval: &lt;script&gt;alert(1)&lt;&#x2f;script&gt;."));
    // A purchase path the report does not know heads a column and names a row of Δ's split.
    assert!(html.contains("<span class=\"swatch path-other\"></span>&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</th>"));
    assert!(html.contains(
        "<span class=\"swatch path-other\"></span>&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</td>\
         <td>A path this report does not describe</td>"
    ));
    // The data loop's arm and statement.
    assert!(html.contains("<tr><td>&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</td><td class=\"num\">12</td>"));
    assert!(html.contains("<p class=\"statement\">&lt;script&gt;alert(1)&lt;&#x2f;script&gt;</p>"));
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
        "data-chart=\"sensitivity-map\"",
        "data-chart=\"worlds\"",
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
    // 2 build, GMV, interaction, Δ per world, 2 sensitivity sweeps and 1 grid.
    let charts = html.matches(&format!("class=\"{CHART_CLASS}\"")).count();
    assert_eq!(charts, 13);
    assert!(html.contains("data-chart-count=\"13\""));
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
fn per_session_figures_the_channel_interaction_the_positive_control_and_the_paired_a_a_check_are_shown() {
    let html = render_html(&fixture::results()).unwrap();
    for needle in [
        // GMV per session beside GMV per user, per arm.
        "<th class=\"num\">GMV/session</th>",
        "<td class=\"num\">7.68</td><td class=\"num\">[7.45, 7.91]</td><td class=\"num\">0.118</td>",
        // The per-session difference beside each comparison's uplift, and its caption.
        "<tr class=\"sub-row per-session\"><td colspan=\"2\">GMV/session difference</td><td class=\"num\">−2.51</td><td class=\"num\">[−2.81, −2.21]</td><td class=\"num\">0.153</td>",
        "<td class=\"bad\">below zero</td>",
        "per-session figures remove the traffic difference between channel arms: a search-only arm only gets visits \
         from users with an open need",
        // The channel-level interaction.
        "<h3>Channel-level interaction</h3>",
        "Channel interaction = <strong>−18.2</strong> GMV per user, 95% CI [−19.8, −16.6], SE 0.816, MDE 2.29",
        "GMV per user: −44.2%, CI [−48.1%, −40.3%], SE 2.0%, MDE 5.6%",
        "GMV(neither) − GMV(search_only) − GMV(feed_only) + 0",
        "Baseline: no channel: 0 GMV per user",
        // The positive control.
        "<div class=\"verdict control good\">",
        "a planted interaction X = <strong>−4.00</strong> GMV per user (95% CI [−4.40, −3.60], SE 0.204, MDE 0.572)",
        "estimated as Δ = <strong>−1.30</strong>, CI [−2.40, −0.200], SE 0.561, MDE 1.57: \
         <strong class=\"word\">sub_additive</strong>, <span class=\"good\">detected</span>.",
        "demoted by 20 on 50% of sessions) was estimated as -1.30",
        "GMV&#x2f;user &lt;script&gt;",
        "cell a_b handicapped (search results demoted by 20 on 50% of its sessions",
        // The A/A check: count, rate with its Wilson interval, nominal rate, pairing.
        "excluded zero in 19 of 400 replicates, a false-positive rate of 4.8% (95% Wilson interval [3.1%, 7.3%]; nominal 5%)",
        "Consistent with the nominal rate",
        "Paired: both copies shared every random stream and differed only by an irrelevant tie-break",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    for absent in ["No channel-level interaction", "No positive control", "Unpaired", "— of"] {
        assert!(!html.contains(absent), "{absent:?} in a report that has it");
    }
    // The positive control sits right after the factorial's verdict, before its plot.
    let verdict = html.find("is <strong class=\"word\">super_additive</strong> at 95%").unwrap();
    let control = html.find("<strong>Positive control:</strong>").unwrap();
    let plot = html.find("data-chart=\"interaction\"").unwrap();
    assert!(verdict < control && control < plot);

    // A missed control, and an A/A rate whose interval excludes the nominal rate.
    let mut r = fixture::results();
    let s = r.simulation.as_mut().unwrap();
    let planted = s.planted.as_mut().unwrap();
    planted.detected = false;
    planted.verdict = "inconclusive".into();
    s.aa.as_mut().unwrap().rate_interval = Some([0.061, 0.094]);
    let html = render_html(&r).unwrap();
    assert!(html.contains("<div class=\"verdict control bad\">"));
    assert!(html.contains("<strong class=\"word\">inconclusive</strong>, <span class=\"bad\">missed</span>."));
    assert!(html.contains("The verdict missed the planted sign"));
    assert!(html.contains("Far from the nominal rate"));
}

#[test]
fn cuped_figures_are_shown_under_the_raw_ones_for_every_arm_and_uplift() {
    let html = render_html(&fixture::results()).unwrap();
    for needle in [
        // search_only's GMV per user, then its CUPED line: large reductions for arm means.
        "<tr class=\"has-sub\"><td>search_only</td><td class=\"num\">31.5</td>",
        "</tr>\n<tr class=\"sub-row cuped\"><td title=\"θ = 0.710\">with CUPED, var. −33.0%</td><td class=\"num\">31.3</td>\
         <td class=\"num\">[30.3, 32.2]</td><td class=\"num\">0.460</td><td class=\"num\">1.29</td><td colspan=\"4\"></td></tr>",
        "with CUPED, var. −47.0%",
        // Comparisons: small reductions, one slightly negative (the variance grew); before the per-session line.
        "<tr class=\"sub-row cuped has-sub\"><td colspan=\"2\" title=\"θ = 0.230\">with CUPED, var. −2.1%</td>\
         <td class=\"num\">+17.0</td><td class=\"num\">[+15.8, +18.2]</td><td class=\"num\">0.606</td>",
        "with CUPED, var. +0.6%</td><td class=\"num\">+20.7</td>",
        // The factorial's uplifts.
        "<tr class=\"sub-row cuped\"><td colspan=\"3\" title=\"θ = 0.0300\">with CUPED, var. −3.4%</td>\
         <td class=\"num\">+2.79</td><td class=\"num\">[+1.90, +3.67]</td>",
        "with CUPED, var. −4.7%</td><td class=\"num\">+7.38</td>",
        // The caption: the covariate, its known mean, θ per resample, and that the verdicts use the raw figures.
        "the covariate is each simulated user's GMV in the world's observable logs, whose mean over all the \
         world's users is known exactly, with θ re-fitted in every bootstrap resample",
        "it is reported beside the raw figures, which the verdicts use.",
        "CUPED narrows a difference only as far as the difference correlates with logged GMV",
        // Δ with CUPED names the same covariate.
        "With CUPED (logged GMV as covariate, θ = 0.0100, variance −1.8%): Δ = +2.70, CI [+1.61, +3.79], SE 0.556",
        "pre-period (recorded per user, not CUPED&#x27;s covariate)",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    // Nine arms (the scenario's six and the oracle's three), two comparisons, three uplifts.
    assert_eq!(html.matches("<tr class=\"sub-row cuped").count(), 9 + 2 + 3);
    assert!(!html.contains("pre-period GMV") && !html.contains("No CUPED figures"));
    // In the comparisons, the CUPED line comes between the uplift and the per-session line.
    let uplift = html.find("<td>a_b</td><td>search_only</td>").unwrap();
    let cuped = html.find("with CUPED, var. −2.1%").unwrap();
    let per_session = html.find("GMV/session difference</td>").unwrap();
    assert!(uplift < cuped && cuped < per_session);

    // Without them (results before schema 3), no CUPED line and a sentence saying so; Δ's stays.
    let mut r = fixture::results();
    fixture::without_schema_3(r.simulation.as_mut().unwrap());
    let html = render_html(&r).unwrap();
    assert!(!html.contains("sub-row cuped") && !html.contains("with CUPED, var."));
    assert!(html.contains("No CUPED figures per arm or uplift"));
    assert!(html.contains("With CUPED (logged GMV as covariate"));
}

#[test]
fn results_before_schema_3_show_dashes_and_say_which_blocks_they_lack() {
    let mut r = fixture::results();
    fixture::without_schema_3(r.simulation.as_mut().unwrap());
    let html = render_html(&r).unwrap();
    // The per-session columns stay, with "—" in every cell: 6 arms and 2 comparisons, 4 cells each;
    // so do the sweeps' p, Holm p and seed columns: 8 points (the grid was schema 3's), 3 cells each.
    assert!(html.contains("<th class=\"num\">GMV/session</th>"));
    assert_eq!(html.matches("<td colspan=\"2\">GMV/session difference</td>").count(), 2);
    assert!(!html.contains(">7.68<") && !html.contains(">−2.51<"));
    assert_eq!(html.matches("<td class=\"num\">—</td>").count(), 6 * 4 + 2 * 4 + 8 * 3);
    assert_eq!(html.matches("<td class=\"retrained\">—</td>").count(), 8);
    assert_eq!(html.matches("<td class=\"neutral\">—</td>").count(), 2);
    for needle in [
        "No channel-level interaction",
        "No positive control",
        "excluded zero in — of 400 replicates",
        "95% Wilson interval —;",
        "Unpaired: the two copies ran on independent seeds",
        // Without an interval, calibration is judged by the binomial standard error.
        "Consistent with the nominal rate",
        "No replication over worlds",
        "No sizing to a target MDE",
        "Points reuse the experiment&#x27;s world, engines and seeds",
        "Verdicts carry no multiplicity correction",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    for absent in [
        "Channel interaction =",
        "Positive control:",
        "Paired:",
        "Pooled over",
        "Sized for",
        "Holm-adjusted across",
        "✓ retrained",
        "data-chart=\"worlds\"",
        "data-chart=\"sensitivity-map\"",
    ] {
        assert!(!html.contains(absent), "{absent:?} without the figures");
    }
}

#[test]
fn the_worlds_pooled_delta_the_sizing_and_the_two_parameter_grid_are_shown() {
    let html = render_html(&fixture::results()).unwrap();
    for needle in [
        // The experiment's sizing, in the settings card.
        "<p class=\"note sizing\">Sized for an MDE of 1.65 GMV&#x2f;user (4% of the pilot&#x27;s `neither` GMV per user): \
         the last pilot of 10,000 users reached 2.33, so the experiment ran 20,000 users (budget 50,000).</p>",
        // The pooled Δ, its verdict, the between-world spread and the method.
        "<h4>Replication over worlds</h4>",
        "Pooled over 3 worlds, Δ = <strong>+2.50</strong> GMV per user, 95% CI [+1.30, +3.70], SE 0.612, MDE 1.72: \
         <strong class=\"word\">super_additive</strong>.",
        "super_additive over 3 worlds: Δ = 2.50 GMV&#x2f;user [1.30, 3.70] &lt;script&gt;",
        "Between-world standard deviation of Δ: <strong>0.917</strong> GMV per user",
        "Interval: two-stage bootstrap: worlds with replacement, then users within each drawn world",
        "(2% of the worlds&#x27; mean `neither` GMV per user)",
        // One row per world.
        "<tr><td class=\"num\">11</td><td class=\"num\">11</td><td class=\"num\">+1.50</td><td class=\"num\">[−0.100, +3.10]</td>\
         <td class=\"num\">0.816</td><td class=\"num\">2.29</td><td class=\"neutral\">inconclusive</td></tr>",
        "<tr><td class=\"num\">19</td><td class=\"num\">19</td><td class=\"num\">+3.30</td>",
        // The sweeps' caption, p-value columns and retrained marker.
        "Each point is an independent experiment: the world regenerated with the point&#x27;s parameters",
        "Verdicts are Holm-adjusted across all 14 points: the chance of any false super- or sub-additive verdict \
         among them stays at 5% (1 − confidence)",
        "<th class=\"num\">p</th><th class=\"num\">Holm p</th><th>verdict</th><th>retrained</th>",
        "<td class=\"num\">0.462</td><td class=\"num\">1.000</td>",
        "<td class=\"mono\">behaviour.seed_offset × behaviour.examination_eta</td><td class=\"num\">3.5 × 1.5</td>",
        "<td class=\"retrained\">✓ retrained</td><td class=\"num\">9113</td>",
        "Δ over behaviour.seed_offset × behaviour.examination_eta",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    assert_eq!(html.matches("<td class=\"retrained\">✓ retrained</td>").count(), 14);
    assert!(!html.contains("No replication over worlds") && !html.contains("No sizing"));
    // The replication follows the factorial's verdict and its positive control, before this world's plot.
    let order = [
        "is <strong class=\"word\">super_additive</strong> at 95%",
        "<strong>Positive control:</strong>",
        "<h4>Replication over worlds</h4>",
        "data-chart=\"worlds\"",
        "data-chart=\"interaction\"",
    ]
    .map(|needle| html.find(needle).unwrap());
    assert!(order.is_sorted(), "{order:?}");

    // The Δ-per-world chart: a dot per world, a diamond for the pooled Δ.
    let forest = chart(&html, "worlds");
    assert_eq!(forest.matches("<circle").count(), 3);
    assert_eq!(forest.matches("transform=\"rotate(45").count(), 1);
    assert!(forest.contains("pooled (3 worlds)") && forest.contains("+1.50 [−0.100, +3.10] inconclusive"));

    // The heatmap: one cell per grid point, each marked with its verdict, in the fixture's order.
    let map = chart(&html, "sensitivity-map");
    let grid: Vec<_> = fixture::simulation().sensitivity.into_iter().filter(|p| p.by_parameter.is_some()).collect();
    assert_eq!(grid.len(), 6);
    assert_eq!(map.matches("class=\"cell\"").count(), grid.len());
    let want: Vec<&str> = grid
        .iter()
        .map(|p| match p.verdict.as_str() {
            "super_additive" => "+",
            "sub_additive" => "−",
            "additive" => "=",
            _ => "?",
        })
        .collect();
    assert_eq!(cell_marks(map), want);
    assert_eq!(want, ["+", "+", "?", "=", "?", "−"]);
    // Δ relative to `neither` at the point, on a symmetric scale past the largest (+3.40 / 44.0 = +7.7%).
    assert!(map.contains(">+7.7%</text>") && map.contains(">−5.6%</text>"));
    assert!(map.contains(">−8.0%</text>") && map.contains(">+8.0%</text>"));
    assert!(map.contains("colour: Δ / neither"));
    for legend in
        ["super_additive (Δ above 0)", "sub_additive (Δ below 0)", "additive (within ±margin)", "inconclusive"]
    {
        assert!(map.contains(legend), "legend {legend:?}");
    }
    assert!(map.contains("Holm-adjusted p = 0.957: inconclusive</title>"));
    assert!(map.contains("Holm-adjusted p &lt; 0.001: sub_additive</title>"));
    // One-parameter sweeps keep their line charts.
    assert_eq!(html.matches("data-chart=\"sensitivity\"").count(), 2);

    // A grid point without the control's GMV turns the map to absolute Δ, and says so.
    let mut r = fixture::results();
    let s = r.simulation.as_mut().unwrap();
    s.sensitivity.iter_mut().rfind(|p| p.by_parameter.is_some()).unwrap().gmv_neither = None;
    let html = render_html(&r).unwrap();
    let map = chart(&html, "sensitivity-map");
    assert!(map.contains("colour: Δ, GMV per user (absolute)") && map.contains(">+3.40</text>"));
    assert!(html.contains("coloured by the absolute Δ, GMV per user"));
}

#[test]
fn gmv_per_arm_and_delta_are_split_by_purchase_path() {
    let html = render_html(&fixture::results()).unwrap();
    for needle in [
        // Per arm: a column per path, the arm's GMV per user, each path's figure with its interval as a tooltip.
        "<h4>GMV per user by purchase path</h4>",
        "<span class=\"swatch path-1\"></span>search_seeded</th>",
        "<tr class=\"has-sub\"><td>neither</td><td class=\"num\">41.2</td>\
         <td class=\"num\" title=\"95% CI [14.1, 15.9], SE 0.459, MDE 1.29\">15.0</td>\
         <td class=\"num\" title=\"95% CI [3.76, 4.24], SE 0.122, MDE 0.343\">4.00</td>",
        // ...and each path's share of it, summing to 100%.
        "<tr class=\"sub-row share\"><td>share</td><td class=\"num\">100.0%</td><td class=\"num\">36.4%</td>\
         <td class=\"num\">9.7%</td><td class=\"num\">19.4%</td><td class=\"num\">12.1%</td><td class=\"num\">14.6%</td>\
         <td class=\"num\">7.8%</td><td></td></tr>",
        "<span class=\"path-1\" style=\"width: 18.1%\" title=\"search_seeded: 8.80 GMV per user, 18.1% of a_b\"></span>",
        // A channel arm reaches only its channel's paths.
        "<tr class=\"has-sub\"><td>search_only</td><td class=\"num\">31.5</td>\
         <td class=\"num\" title=\"95% CI [23.8, 26.8], SE 0.775, MDE 2.17\">25.3</td>\
         <td class=\"num\" title=\"95% CI [0, 0], SE 0, MDE 0\">0</td>",
        // Where Δ comes from: signal gained in search, substituted away from the feed's impulses.
        "<h4>Where Δ comes from</h4>",
        "search_seeded</td><td>Bought in search, closing a need the feed seeded earlier: seeded demand coming back as a \
         search</td><td class=\"num\">+2.90</td><td class=\"num\">[+2.20, +3.60]</td><td class=\"num\">0.357</td>\
         <td class=\"num\">1.00</td><td class=\"good nowrap\">above zero</td></tr>",
        "feed_impulse</td><td>Bought in the feed, closing a need seeded in that same session</td>\
         <td class=\"num\">−1.20</td><td class=\"num\">[−1.80, −0.600]</td><td class=\"num\">0.306</td>\
         <td class=\"num\">0.858</td><td class=\"bad nowrap\">below zero</td></tr>",
        "search_organic</td><td>Bought in search, closing a need that arose by itself</td><td class=\"num\">+0.300</td>\
         <td class=\"num\">[−0.200, +0.800]</td><td class=\"num\">0.255</td><td class=\"num\">0.715</td>\
         <td class=\"neutral nowrap\">spans zero</td></tr>",
        // The total is Δ itself, as the verdict states it.
        "<tr class=\"total\"><td>Δ</td><td>All paths: GMV(A+B) − GMV(A) − GMV(B) + GMV(neither)</td>\
         <td class=\"num\">+2.70</td><td class=\"num\">[+1.60, +3.80]</td><td class=\"num\">0.561</td>\
         <td class=\"num\">1.57</td><td class=\"good nowrap\">above zero</td></tr>",
        "Interaction Δ = <strong>+2.70</strong> GMV per user, 95% CI [+1.60, +3.80], SE 0.561, MDE 1.57",
        "so the parts sum to Δ exactly",
        "Opposite signs read as a trade",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    assert_eq!(html.matches("<tr class=\"sub-row share\">").count(), 9, "one share line per arm, the oracle's too");
    let split = &html
        [html.find("<h4>Where Δ comes from</h4>").unwrap()..html.find("<h4>Replication over worlds</h4>").unwrap()];
    assert_eq!(split.matches("<tr><td class=\"mono nowrap\"><span class=\"swatch path-").count(), 6);
    for absent in ["No purchase-path breakdown", "not Δ ="] {
        assert!(!html.contains(absent), "{absent:?} in a report that has the paths");
    }
    // The split follows the verdict and the positive control, before the replication over worlds.
    let order = [
        "is <strong class=\"word\">super_additive</strong> at 95%",
        "<strong>Positive control:</strong>",
        "<h4>Where Δ comes from</h4>",
        "<h4>Replication over worlds</h4>",
    ]
    .map(|needle| html.find(needle).unwrap());
    assert!(order.is_sorted(), "{order:?}");

    // Paths that do not sum to Δ are flagged.
    let mut r = fixture::results();
    r.simulation.as_mut().unwrap().factorial.as_mut().unwrap().interaction_by_path[0].gmv.value += 1.0;
    let html = render_html(&r).unwrap();
    assert!(html.contains("The paths sum to +3.70, not Δ = +2.70"));

    // Results before schema 3: neither table, a line saying so for each.
    let mut r = fixture::results();
    fixture::without_schema_3(r.simulation.as_mut().unwrap());
    let html = render_html(&r).unwrap();
    assert_no_paths(&html);
}

/// Results without purchase paths: both blocks replaced by a line.
pub(crate) fn assert_no_paths(html: &str) {
    assert!(html.contains("No purchase-path breakdown per arm"));
    assert!(html.contains("No purchase-path breakdown of Δ"));
    for absent in ["class=\"data paths", "sub-row share", "<tr class=\"total\">", "swatch path-"] {
        assert!(!html.contains(absent), "{absent:?} without the paths");
    }
}

/// The `<svg>` of the first chart of `kind` on the page.
fn chart<'a>(html: &'a str, kind: &str) -> &'a str {
    let start = html.find(&format!("data-chart=\"{kind}\"")).unwrap();
    let end = start + html[start..].find("</svg>").unwrap();
    &html[start..end]
}

/// The verdict marks drawn in a heatmap's cells, in drawing order.
fn cell_marks(svg: &str) -> Vec<&str> {
    svg.split("class=\"cell-mark\"")
        .skip(1)
        .map(|rest| {
            let text = &rest[rest.find('>').unwrap() + 1..];
            &text[..text.find("</text>").unwrap()]
        })
        .collect()
}

#[test]
fn the_fixture_s_figures_agree_with_each_other() {
    use searchrec_harness::simulate::holm;
    use searchrec_harness::simulate::stats::normal_cdf;

    let s = fixture::simulation();
    // Each sweep verdict is what the Holm-adjusted tests give (as the simulator judges them).
    let points = &s.sensitivity;
    let tost: Vec<f64> = points
        .iter()
        .map(|p| {
            let (d, se, m) = (p.interaction.value, p.interaction.se.unwrap(), p.equivalence.as_ref().unwrap().margin);
            normal_cdf(-(d + m) / se).max(normal_cdf(-(m - d) / se))
        })
        .collect();
    let adjusted_tost = holm(&tost);
    let raw: Vec<f64> = points.iter().map(|p| p.p_value.unwrap()).collect();
    for ((p, adjusted), tost) in points.iter().zip(holm(&raw)).zip(adjusted_tost) {
        let q = p.adjusted_p_value.unwrap();
        assert!(q >= p.p_value.unwrap() && (q - adjusted).abs() < 1e-12, "{p:?}");
        let verdict = match (q < 0.05, p.interaction.value > 0.0) {
            (true, true) => "super_additive",
            (true, false) => "sub_additive",
            _ if tost < 0.05 => "additive",
            _ => "inconclusive",
        };
        assert_eq!(p.verdict, verdict, "{p:?}");
        assert!(p.retrained && p.seed.is_some());
    }
    // The pooled Δ is the mean of the worlds' Δ, the run's own world first.
    let w = s.worlds.as_ref().unwrap();
    let mean = w.per_world.iter().map(|x| x.interaction.value).sum::<f64>() / w.per_world.len() as f64;
    assert!((w.interaction.value - mean).abs() < 1e-12);
    assert_eq!(w.per_world[0].interaction, s.factorial.as_ref().unwrap().interaction);
    assert_eq!(w.worlds, w.per_world.len());
    // The sizing ran the users it asked for: pilot users × (pilot MDE / target)².
    let z = s.sizing.as_ref().unwrap();
    let needed = z.pilot_users as f64 * (z.pilot_mde / z.target_mde).powi(2);
    assert!((needed - z.required_users as f64).abs() < 1.0 && z.required_users == s.users);
    let f = s.factorial.as_ref().unwrap();
    assert!(f.interaction.mde.unwrap() <= z.target_mde);
    // Every arm's paths sum to its GMV per user, in the report's order.
    for a in &s.arms {
        let names: Vec<&str> = a.paths.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(names, fixture::PATHS, "{}", a.name);
        let sum: f64 = a.paths.iter().map(|p| p.gmv.value).sum();
        assert!((sum - a.gmv_per_user.value).abs() < 1e-9, "{}: {sum}", a.name);
    }
    // Δ's paths are each path through the contrast, and sum to Δ; one gains, one loses.
    let path = |arm: &str, i: usize| s.arms.iter().find(|a| a.name == arm).unwrap().paths[i].gmv.value;
    for (i, p) in f.interaction_by_path.iter().enumerate() {
        assert_eq!(p.path, fixture::PATHS[i]);
        let contrast = path(&f.a_b, i) - path(&f.a, i) - path(&f.b, i) + path(&f.neither, i);
        assert!((p.gmv.value - contrast).abs() < 1e-9, "{p:?}");
    }
    let sum: f64 = f.interaction_by_path.iter().map(|p| p.gmv.value).sum();
    assert!((sum - f.interaction.value).abs() < 1e-9, "{sum}");
    assert!(f.interaction_by_path.iter().any(|p| p.gmv.lower > 0.0));
    assert!(f.interaction_by_path.iter().any(|p| p.gmv.upper < 0.0));

    // The oracle's arms follow the scenario's; each ceiling is its arm over `neither`, clearly above the
    // matching cell's uplift (the both-channel one above every cell's), and each share is that uplift over
    // its ceiling, between 0 and 100% with its interval.
    let o = s.oracle.as_ref().unwrap();
    let names: Vec<&str> = s.arms.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names[6..], fixture::ORACLE_ARMS);
    let gmv = |arm: &str| s.arms.iter().find(|a| a.name == arm).unwrap().gmv_per_user.value;
    let uplifts = [&f.uplift_a, &f.uplift_b, &f.uplift_a_b];
    for (i, (ceiling, share)) in
        [(&o.search, &o.share_a), (&o.feed, &o.share_b), (&o.both, &o.share_a_b)].into_iter().enumerate()
    {
        assert!((ceiling.value - (gmv(fixture::ORACLE_ARMS[i]) - gmv(&f.neither))).abs() < 1e-9, "{ceiling:?}");
        assert!(uplifts[i].absolute.upper < ceiling.lower, "{ceiling:?}");
        assert!((share.value - uplifts[i].absolute.value / ceiling.value).abs() < 1e-9, "{share:?}");
        assert!(0.0 < share.lower && share.lower < share.value && share.value < share.upper && share.upper < 1.0);
    }
    assert!(uplifts.iter().all(|u| u.absolute.upper < o.both.lower));
    let [search, feed, both] = fixture::ORACLE_ARMS.map(gmv);
    assert!((o.interaction.value - (both - search - feed + gmv(&f.neither))).abs() < 1e-9);
    // The data loop: Δ with it is the factorial's, its contribution Δ with − Δ without; every scenario arm
    // (not the oracle's) rebuilt every week of the horizon in each replicate, the hybrid arms two engines.
    let d = s.data_loop.as_ref().unwrap();
    assert!((d.contribution.value - (f.interaction.value - d.static_interaction.value)).abs() < 1e-9);
    assert!(d.contribution.lower > 0.0 && d.verdict == "super_additive");
    assert_eq!(d.arms.iter().map(|a| a.arm.as_str()).collect::<Vec<_>>(), names[..6]);
    let rebuilds = s.replicates as u32 * (s.horizon_days / d.retrain_days);
    for a in &d.arms {
        let engines = if s.arms.iter().any(|x| x.name == a.arm && x.engine == "hybrid") { 2 } else { 1 };
        assert_eq!(a.retrains, rebuilds * engines, "{}", a.arm);
    }
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
    assert!(html.contains("data-chart-count=\"13\""));

    crate::per_query_fixture::write_per_query(dir.path(), &r);
    let html = read(dir.path());
    assert!(html.contains("data-chart=\"per-query\""));
    assert!(html.contains("data-chart-count=\"14\""));
    assert!(html.contains("per-query nDCG@10, query set all"));
    assert_eq!(html, read(dir.path()), "the distribution renders deterministically");

    // A broken table is noted on the page; the report is still written.
    std::fs::write(dir.path().join("per_query.parquet"), b"not parquet").unwrap();
    let html = read(dir.path());
    assert!(html.contains("per_query.parquet could not be read"));
    assert!(html.contains("data-chart-count=\"13\""));
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

#[test]
fn the_oracle_s_ceilings_are_shown_with_the_share_each_cell_captures() {
    let html = render_html(&fixture::results()).unwrap();
    for needle in [
        "<h3>Headroom: the oracle's ceilings</h3>",
        "The oracle ranks by expected GMV under the simulated user's true behaviour: it reads the world's truth, which no engine may, so it \
         is a ceiling, not a competitor.",
        // A row per channel: the ceiling over `neither` with its interval, SE and MDE, the cell set against it
        // (the factorial's arm for A, B and A+B), and the share of the ceiling it captures with its interval.
        "<tr><td class=\"nowrap\" title=\"arm oracle (search)\">search</td><td class=\"num\">+9.60</td>\
         <td class=\"num\">[+8.80, +10.4]</td><td class=\"num\">0.408</td><td class=\"num\">1.14</td>\
         <td><span class=\"mono\">a</span> <span class=\"muted\">(A: feed signals in search)</span></td>\
         <td class=\"num\" title=\"SE 4.6%, MDE 12.9%\">29.2%</td><td class=\"num\">[20.2%, 38.2%]</td></tr>",
        "<tr><td class=\"nowrap\" title=\"arm oracle (feed)\">feed</td><td class=\"num\">+7.70</td>\
         <td class=\"num\">[+7.00, +8.40]</td><td class=\"num\">0.357</td><td class=\"num\">1.00</td>\
         <td><span class=\"mono\">b</span> <span class=\"muted\">(B: search signals in the feed)</span></td>\
         <td class=\"num\" title=\"SE 5.6%, MDE 15.7%\">24.7%</td><td class=\"num\">[13.7%, 35.7%]</td></tr>",
        "<tr><td class=\"nowrap\" title=\"arm oracle (both)\">both</td><td class=\"num\">+15.8</td>\
         <td class=\"num\">[+14.8, +16.8]</td><td class=\"num\">0.510</td><td class=\"num\">1.43</td>\
         <td><span class=\"mono\">a_b</span> <span class=\"muted\">(A+B: both couplings)</span></td>\
         <td class=\"num\" title=\"SE 3.1%, MDE 8.6%\">46.8%</td><td class=\"num\">[40.8%, 52.8%]</td></tr>",
        // The oracle arms' own Δ: perfect channels partly close the same needs.
        "<div class=\"verdict oracle bad\">",
        "Oracle interaction Δ = <strong>−1.50</strong> GMV per user, 95% CI [−2.70, −0.300], SE 0.612, MDE 1.72: \
         <strong class=\"word\">below zero</strong>.",
        "at their best they partly close the same needs",
        "Δ of the oracle arms = GMV(oracle (both)) − GMV(oracle (search)) − GMV(oracle (feed)) + GMV(neither), paired \
         over users",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    assert!(!html.contains("No oracle ceilings"));
    // After the factorial (its uplift table), before the data loop and the A/A check.
    let order = [
        "<td>A+B: both couplings</td>",
        "<h3>Headroom: the oracle's ceilings</h3>",
        "<h3>The data loop</h3>",
        "<h3>A/A check</h3>",
    ]
    .map(|needle| html.find(needle).unwrap());
    assert!(order.is_sorted(), "{order:?}");

    // Every figure is the summary's: change them and the page follows. A factorial naming other arms names
    // them as the cells that capture the ceilings.
    let mut r = fixture::results();
    let s = r.simulation.as_mut().unwrap();
    let o = s.oracle.as_mut().unwrap();
    o.search.value = 12.34;
    o.share_b = Estimate { value: 0.5, lower: 0.25, upper: 0.75, se: None, mde: None };
    o.interaction = Estimate { value: 0.2, lower: -0.9, upper: 1.3, se: Some(0.56), mde: Some(1.57) };
    s.factorial.as_mut().unwrap().b = "feed_coupled".into();
    let html = render_html(&r).unwrap();
    assert!(html.contains("search</td><td class=\"num\">+12.3</td>"));
    assert!(html.contains(
        "<span class=\"mono\">feed_coupled</span> <span class=\"muted\">(B: search signals in the feed)</span>"
    ));
    assert!(html.contains("<td class=\"num\" title=\"SE —, MDE —\">50.0%</td><td class=\"num\">[25.0%, 75.0%]</td>"));
    assert!(html.contains("<div class=\"verdict oracle neutral\">"));
    assert!(html.contains("<strong class=\"word\">spans zero</strong>"));
    assert!(html.contains("could only detect one of at least 1.57 GMV per user, its MDE"));
}

#[test]
fn the_oracle_s_arms_are_tagged_as_ceilings_and_leave_the_scenario_s_charts_alone() {
    let html = render_html(&fixture::results()).unwrap();
    let tag = |ranks: &str| {
        format!(
            " <span class=\"tag oracle\" title=\"The oracle ranks {ranks} by expected GMV under the simulated user's true behaviour: a \
             ceiling, not a competitor\">ceiling</span></td>"
        )
    };
    for (arm, ranks, gmv) in [
        ("oracle (search)", "search", "50.8"),
        ("oracle (feed)", "the feed", "48.9"),
        ("oracle (both)", "both search and the feed", "57.0"),
    ] {
        let tagged = format!("<td>{arm}{}", tag(ranks));
        // The GMV table, the GMV-by-path table and the guardrails.
        assert!(
            html.contains(&format!("<tr class=\"has-sub\">{tagged}<td class=\"num\">{gmv}</td><td class=\"num\">["))
        );
        assert!(
            html.contains(&format!(
                "<tr class=\"has-sub\">{tagged}<td class=\"num\">{gmv}</td><td class=\"num\" title="
            ))
        );
        assert!(html.contains(&format!("<tr>{tagged}<td class=\"engine\">hybrid</td>")));
        // The GMV chart: a grey bar marked as a ceiling.
        let bar = format!("fill=\"#6B7280\"><title>{arm}: {gmv} (ceiling)</title>");
        assert!(chart(&html, "gmv").contains(&bar), "{bar}");
    }
    assert_eq!(html.matches("<span class=\"tag oracle\" title=").count(), 3 * 3, "three arms in three tables");
    assert_eq!(chart(&html, "gmv").matches("(ceiling)</text>").count(), 3);
    for needle in [
        "<p class=\"note oracle\">Arms tagged <span class=\"tag oracle\">ceiling</span> are the oracle's",
        "Grey bars marked (ceiling): the oracle&#x27;s arms",
        "their p50 / p99 time the oracle's own ranking",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    // No scenario arm is tagged.
    for arm in ["search_only", "feed_only", "neither", "a", "b", "a_b"] {
        assert!(!html.contains(&format!("<td>{arm} <span class=\"tag")), "{arm} tagged");
    }

    // Without the oracle's arms, the scenario's charts are the same: the interaction plot reads the four
    // cells alone, the GMV chart keeps each engine's colour, and the page has as many charts.
    let mut r = fixture::results();
    fixture::without_oracle(r.simulation.as_mut().unwrap());
    let without = render_html(&r).unwrap();
    assert_eq!(chart(&html, "interaction"), chart(&without, "interaction"));
    let gmv = chart(&without, "gmv");
    assert!(!gmv.contains("oracle") && !gmv.contains("#6B7280"));
    let bars = |svg: &str| svg.matches("class=\"bar-label\"").count();
    assert_eq!((bars(chart(&html, "gmv")), bars(gmv)), (9, 6));
    for arm in ["search_only", "feed_only", "neither", "a_b"] {
        let fill = |svg: &str| {
            let at = svg.find(&format!("><title>{arm}: ")).unwrap();
            svg[svg[..at].rfind("fill=").unwrap()..at].to_string()
        };
        assert_eq!(fill(chart(&html, "gmv")), fill(gmv), "{arm}'s colour");
    }
    let count = |html: &str| html.matches(&format!("class=\"{CHART_CLASS}\"")).count();
    assert_eq!((count(&html), count(&without)), (13, 13));
}

#[test]
fn the_data_loop_shows_delta_with_and_without_it_and_each_arm_s_rebuilds() {
    let html = render_html(&fixture::results()).unwrap();
    for needle in [
        "<h3>The data loop</h3>",
        "Engines retrained every 7 simulated days on each arm's own traffic",
        // Δ with the loop is the factorial's; without, the same factorial with its engines trained once.
        "<tr><td>with the loop (the factorial's Δ)</td><td class=\"num\">+2.70</td><td class=\"num\">[+1.60, +3.80]</td>\
         <td class=\"num\">0.561</td><td class=\"num\">1.57</td><td class=\"good nowrap\">above zero</td></tr>",
        "<tr><td>without: engines trained once</td><td class=\"num\">+1.60</td><td class=\"num\">[+0.600, +2.60]</td>\
         <td class=\"num\">0.510</td><td class=\"num\">1.43</td><td class=\"good nowrap\">above zero</td></tr>",
        "<tr class=\"total\"><td>the loop's contribution (with − without, paired)</td><td class=\"num\">+1.10</td>\
         <td class=\"num\">[+0.500, +1.70]</td><td class=\"num\">0.306</td><td class=\"num\">0.858</td>",
        // The contribution's verdict, worded as Δ's, and its statement, escaped.
        "<div class=\"verdict loop good\">",
        "The loop's contribution to Δ = <strong>+1.10</strong> GMV per user, 95% CI [+0.500, +1.70], SE 0.306, \
         MDE 0.858: <strong class=\"word\">super_additive</strong> at 95%.",
        "<p class=\"statement\">the data loop&#x27;s contribution to Δ: super_additive: Δ = 1.10 GMV&#x2f;user [0.50, \
         1.70] &lt;script&gt;</p>",
        "Super-additive: the 95% interval lies above zero: retraining on each arm&#x27;s own traffic raises Δ",
        // Each arm's rebuilds.
        "<h4>Rebuilds per arm</h4>",
        "<tr><td>search_only</td><td class=\"num\">12</td><td class=\"num\">31.8 s</td><td class=\"num\">163,402</td></tr>",
        "<tr><td>a_b</td><td class=\"num\">24</td><td class=\"num\">186 s</td><td class=\"num\">402,733</td></tr>",
        "engines rebuilt over all 3 replicates",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    let loop_block = &html[html.find("<h3>The data loop</h3>").unwrap()..html.find("<h3>A/A check</h3>").unwrap()];
    assert_eq!(loop_block.matches("<tr><td>").count(), 2 + 6, "two Δ rows and six arms");
    assert!(!html.contains("<script") && !html.contains("No data loop"));

    // Every figure is the summary's; other verdicts read as Δ's do.
    let mut r = fixture::results();
    let d = r.simulation.as_mut().unwrap().data_loop.as_mut().unwrap();
    d.retrain_days = 1;
    d.contribution = Estimate { value: 0.4, lower: -0.8, upper: 1.6, se: Some(0.61), mde: Some(1.71) };
    d.verdict = "inconclusive".into();
    d.arms.truncate(1);
    d.arms[0].events = 1_234_567;
    let html = render_html(&r).unwrap();
    for needle in [
        "Engines retrained every simulated day",
        "<div class=\"verdict loop neutral\">",
        "<strong class=\"word\">inconclusive</strong>",
        "could only detect a contribution of at least 1.71 GMV per user either way",
        "<td class=\"num\">+0.400</td><td class=\"num\">[−0.800, +1.60]</td>",
        "<td class=\"num\">1,234,567</td>",
    ] {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    let mut r = fixture::results();
    r.simulation.as_mut().unwrap().data_loop.as_mut().unwrap().verdict = "sub_additive".into();
    let html = render_html(&r).unwrap();
    assert!(html.contains("<div class=\"verdict loop bad\">") && html.contains("lowers Δ"));
}

#[test]
fn without_the_oracle_or_the_data_loop_their_blocks_say_so() {
    let mut r = fixture::results();
    let s = r.simulation.as_mut().unwrap();
    fixture::without_oracle(s);
    s.data_loop = None;
    let html = render_html(&r).unwrap();
    for needle in
        ["No oracle ceilings: the scenario did not ask for the oracle", "No data loop: the engines were trained once"]
    {
        assert!(html.contains(needle), "missing {needle:?}");
    }
    // (The fixture's flat metrics, listed after this section, still name the oracle's arms.)
    let section =
        &html[html.find("<section id=\"simulation\">").unwrap()..html.find("<section id=\"metrics\">").unwrap()];
    for absent in [
        "class=\"data oracle\"",
        "Oracle interaction",
        "tag oracle",
        "(ceiling)",
        "Grey bars",
        "oracle (",
        "class=\"data loop",
        "Rebuilds per arm",
        "The loop's contribution",
        "Engines retrained",
    ] {
        assert!(!section.contains(absent), "{absent:?} without the oracle or the loop");
    }
    assert!(html.contains("data-chart-count=\"13\""));
    // Results before schema 3 had neither.
    let mut r = fixture::results();
    fixture::without_schema_3(r.simulation.as_mut().unwrap());
    let html = render_html(&r).unwrap();
    assert!(html.contains("No oracle ceilings") && html.contains("No data loop") && !html.contains("tag oracle"));
}
