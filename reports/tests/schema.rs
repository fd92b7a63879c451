//! Results from another schema version are refused with a clear error;
//! schemas 1 and 2 are still read.

use searchrec_harness::results::SCHEMA_VERSION;
use searchrec_reports::{compare, load_results, render_html};

use crate::fixture;

#[test]
fn an_older_schema_version_is_refused_naming_the_file_and_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let mut value = serde_json::to_value(fixture::results()).unwrap();
    value["schema_version"] = 0.into();
    let path = dir.path().join("results.json");
    std::fs::write(&path, serde_json::to_string(&value).unwrap()).unwrap();
    let err = load_results(dir.path()).unwrap_err().to_string();
    assert!(err.contains("results.json"), "{err}");
    let reads = format!("reads schema {SCHEMA_VERSION}");
    assert!(err.contains("schema 0") && err.contains(&reads) && err.contains("schema 1"), "{err}");
}

#[test]
fn a_newer_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut value = serde_json::to_value(fixture::results()).unwrap();
    let newer = SCHEMA_VERSION + 1;
    value["schema_version"] = newer.into();
    std::fs::write(dir.path().join("results.json"), serde_json::to_string(&value).unwrap()).unwrap();
    let err = load_results(dir.path()).unwrap_err().to_string();
    let reads = format!("reads schema {SCHEMA_VERSION}");
    assert!(err.contains(&format!("schema {newer};")) && err.contains(&reads), "{err}");
}

#[test]
fn a_schema_1_file_loads_renders_and_compares() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = fixture::schema_1_json();
    assert!(!v1.to_string().contains("\"se\""), "the fixture must look like schema 1");
    std::fs::write(dir.path().join("results.json"), v1.to_string()).unwrap();
    let old = load_results(dir.path()).unwrap();
    assert_eq!(old.schema_version, 1);
    let sim = old.simulation.as_ref().unwrap();
    assert_eq!(sim.seed, old.world.seed, "schema 1 simulated under the world seed");
    assert_eq!(sim.arms[0].gmv_per_user.se, None);
    assert_eq!(sim.factorial.as_ref().unwrap().verdict, "supported");
    // The report shows the old verdict and "—" where SE and MDE are unknown.
    let html = render_html(&old).unwrap();
    assert!(html.contains("<strong class=\"word\">supported</strong>"));
    assert!(html.contains("<td class=\"num\">—</td>"));
    // Nor the figures schema 3 added.
    assert!(html.contains("No positive control") && html.contains("No channel-level interaction"));
    assert!(html.contains("— of 400 replicates") && html.contains("Unpaired"));
    assert!(html.contains("No replication over worlds") && html.contains("No sizing to a target MDE"));
    assert!(html.contains("Verdicts carry no multiplicity correction") && !html.contains("sensitivity-map"));
    assert!(sim.arms.iter().all(|a| a.cuped.is_none()) && sim.comparisons.iter().all(|c| c.uplift.cuped.is_none()));
    assert_cuped_of_its_time(&html);
    assert!(sim.arms.iter().all(|a| a.paths.is_empty()));
    assert!(sim.factorial.as_ref().unwrap().interaction_by_path.is_empty());
    crate::report::assert_no_paths(&html);
    // compare matches metrics by name across the versions: the MDE metric is new.
    let c = compare(&old, &fixture::results(), 0.05);
    assert!(c.passed(), "{}", c.to_text());
    assert!(c.to_text().contains("interaction_mde"), "{}", c.to_text());
}

#[test]
fn a_schema_2_file_loads_and_renders_without_the_schema_3_figures() {
    let dir = tempfile::tempdir().unwrap();
    let v2 = fixture::schema_2_json();
    let schema_3 = [
        "gmv_per_session",
        "per_session",
        "cuped",
        "paths",
        "interaction_by_path",
        "channel_interaction",
        "planted",
        "false_positives",
        "paired",
    ];
    let schema_3 = schema_3.iter().chain(&fixture::SCHEMA_3_SIMULATION_KEYS).chain(&fixture::SCHEMA_3_POINT_KEYS);
    for key in schema_3.filter(|k| **k != "seed") {
        assert!(!v2.to_string().contains(&format!("\"{key}\"")), "the fixture must look like schema 2: {key}");
    }
    for point in v2["simulation"]["sensitivity"].as_array().unwrap() {
        assert!(point.get("seed").is_none(), "points had no seed before schema 3");
    }
    std::fs::write(dir.path().join("results.json"), v2.to_string()).unwrap();
    let old = load_results(dir.path()).unwrap();
    assert_eq!(old.schema_version, 2);
    let sim = old.simulation.as_ref().unwrap();
    assert!(sim.arms[0].gmv_per_user.se.is_some(), "schema 2 has SE and MDE");
    assert_eq!(sim.arms[0].gmv_per_session, None);
    assert!(sim.planted.is_none() && sim.channel_interaction.is_none());
    assert!(sim.worlds.is_none() && sim.sizing.is_none());
    assert!(sim.sensitivity.iter().all(|p| p.by_parameter.is_none() && p.p_value.is_none() && !p.retrained));
    assert!(!sim.aa.unwrap().paired);
    let f = sim.factorial.as_ref().unwrap();
    assert!([&f.uplift_a, &f.uplift_b, &f.uplift_a_b].iter().all(|u| u.cuped.is_none()));
    assert!(sim.arms.iter().all(|a| a.cuped.is_none()) && sim.comparisons.iter().all(|c| c.uplift.cuped.is_none()));
    assert!(sim.arms.iter().all(|a| a.paths.is_empty()) && f.interaction_by_path.is_empty());
    let html = render_html(&old).unwrap();
    assert_cuped_of_its_time(&html);
    crate::report::assert_no_paths(&html);
    assert!(html.contains("<strong class=\"word\">super_additive</strong>"));
    assert!(html.contains("No positive control") && html.contains("No channel-level interaction"));
    assert!(html.contains("— of 400 replicates") && html.contains("Unpaired"));
    assert!(html.contains("No replication over worlds") && html.contains("No sizing to a target MDE"));
    assert_eq!(
        html.matches("<td class=\"num\">—</td>").count(),
        6 * 4 + 2 * 4 + 8 * 3,
        "only the per-session cells and the sweeps' p, Holm p and seed"
    );
}

/// Results before schema 3: CUPED for Δ alone, on the pre-period's GMV.
fn assert_cuped_of_its_time(html: &str) {
    assert!(!html.contains("sub-row cuped") && !html.contains("with CUPED, var."));
    assert!(html.contains("No CUPED figures per arm or uplift"));
    assert!(html.contains("With CUPED (pre-period GMV as covariate, θ = 0.0100, variance −1.8%)"));
    assert!(html.contains("pre-period (CUPED covariate)") && !html.contains("logged GMV"));
}

#[test]
fn current_results_load_from_the_folder_or_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let r = fixture::results();
    r.write(dir.path()).unwrap();
    for path in [dir.path().to_path_buf(), dir.path().join("results.json")] {
        let loaded = load_results(&path).unwrap();
        assert_eq!(loaded.metrics.len(), r.metrics.len());
        assert_eq!(loaded.run, r.run);
    }
}

#[test]
fn a_missing_results_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let err = load_results(dir.path()).unwrap_err().to_string();
    assert!(err.contains("results.json"), "{err}");
}
