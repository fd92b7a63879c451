//! The planted-interaction positive control: one cell of the 2×2 factorial
//! rerun with a handicap of known effect, so a reader sees whether this
//! design would have found an interaction of that size.
//!
//! ```toml
//! [simulation.planted]
//! cell = "a_b"          # the factorial cell handicapped: neither, a, b or a_b
//! channels = "search"   # whose lists are demoted: search, feed or both
//! skip = 20             # a demoted list shows results skip + 1 to skip + k
//! probability = 1.0     # share of the cell's sessions on those channels demoted
//! ```
//!
//! The handicapped cell runs on the same streams as the cell itself
//! ([`Perturbation::Demote`]), so the handicap's effect on each user is
//! exact: the per-user difference between the two runs. The planted
//! interaction X is that effect signed as Δ counts the cell (+ for `a_b` and
//! `neither`, − for `a` and `b`); the planted experiment's Δ is the real
//! experiment's Δ̂ plus X, and its verdict says whether the design's interval
//! separates it from zero. Demoting `a_b`'s search results plants a
//! sub-additive interaction; demoting `a`'s or `b`'s a super-additive one.

use serde::{Deserialize, Serialize};

use super::arms::Arm;
use super::perturb::Perturbation;
use super::settings::{Channels, FactorialArms, SimulationSettings, field_error};
use super::stats::{Bootstrap, Verdict, interactions, short};
use super::summary::{Estimate, PlantedControl};
use crate::Result;

/// The `[simulation.planted]` section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlantedSettings {
    /// The factorial role whose arm is handicapped: `neither`, `a`, `b` or
    /// `a_b` (default `a_b`: the couplings together lose, a sub-additive
    /// interaction, as demoting search only when both are on would).
    pub cell: String,
    /// The channels whose lists are demoted (default `search`).
    pub channels: Channels,
    /// Results skipped: a demoted list shows the engine's results `skip` + 1
    /// to `skip` + k (default 20, the next page of a 20-item list; 1 to 1 000).
    pub skip: usize,
    /// Share of the cell's sessions on `channels` that are demoted, drawn per
    /// session (default 1; above 0 and at most 1): the dial of X's size.
    pub probability: f64,
}

impl Default for PlantedSettings {
    fn default() -> Self {
        PlantedSettings { cell: "a_b".into(), channels: Channels::Search, skip: 20, probability: 1.0 }
    }
}

impl PlantedSettings {
    /// Checks the section; `factorial` is the scenario's, which it needs.
    pub(crate) fn validate(&self, factorial: Option<&FactorialArms>) -> Result<()> {
        if factorial.is_none() {
            return Err(field_error(
                "planted",
                "the planted control handicaps a cell of the factorial; add [simulation.factorial] or remove it",
            ));
        }
        if !["neither", "a", "b", "a_b"].contains(&self.cell.as_str()) {
            return Err(field_error(
                "planted.cell",
                format!("`{}` is not a factorial role; use neither, a, b or a_b", self.cell),
            ));
        }
        if !(1..=1_000).contains(&self.skip) {
            return Err(field_error(
                "planted.skip",
                format!("{} is out of range 1 to 1 000; skip e.g. 20 results (the next page)", self.skip),
            ));
        }
        if !(self.probability > 0.0 && self.probability <= 1.0) {
            return Err(field_error(
                "planted.probability",
                format!("{} is not a share of sessions; use a number above 0 and at most 1", self.probability),
            ));
        }
        Ok(())
    }

    /// The arm name of the handicapped cell.
    pub(crate) fn arm<'s>(&self, factorial: &'s FactorialArms) -> &'s str {
        factorial.roles().into_iter().find(|(role, ..)| *role == self.cell).map_or(&factorial.a_b, |r| r.1)
    }

    /// +1 when Δ adds the cell (`a_b`, `neither`), −1 when it subtracts it.
    fn sign(&self) -> f64 {
        if self.cell == "a" || self.cell == "b" { -1.0 } else { 1.0 }
    }

    /// The handicapped copy of `arm` for replicate `seed`.
    pub(crate) fn handicap<'e>(&self, arm: &Arm<'e>, seed: u64) -> Arm<'e> {
        arm.perturbed(Perturbation::Demote {
            seed,
            skip: self.skip,
            probability: self.probability,
            channels: self.channels,
        })
    }
}

/// The control's figures from per-user GMV: the four cells, in the order
/// neither, a, b, a_b, and the handicapped cell's run.
pub(crate) fn analyse(
    settings: &SimulationSettings,
    planted: &PlantedSettings,
    cells: [&[f64]; 4],
    handicapped: &[f64],
    design_mde: Option<f64>,
    bootstrap: &Bootstrap,
) -> Result<PlantedControl> {
    let position = ["neither", "a", "b", "a_b"].iter().position(|&c| c == planted.cell).unwrap_or(3);
    let mut planted_cells = cells;
    planted_cells[position] = handicapped;
    let [neither, a, b, a_b] = planted_cells;
    let per_user = interactions(neither, a, b, a_b)?;
    let effect: Vec<f64> = handicapped.iter().zip(cells[position]).map(|(h, c)| planted.sign() * (h - c)).collect();
    let size = bootstrap.mean(&effect)?;
    let margin = settings.equivalence_margin.resolve(super::stats::mean(cells[0]));
    let tested = bootstrap.test_interaction(&per_user, margin, &settings.equivalence_margin.setting())?;
    let detected = match tested.verdict {
        Verdict::SuperAdditive => size.value > 0.0,
        Verdict::SubAdditive => size.value < 0.0,
        Verdict::Additive | Verdict::Inconclusive => false,
    };
    let statement = statement(planted, &size, &tested.estimate, tested.verdict, detected, design_mde);
    Ok(PlantedControl {
        cell: planted.cell.clone(),
        channels: planted.channels.as_str().to_string(),
        skip: planted.skip,
        probability: planted.probability,
        size,
        interaction: tested.estimate,
        verdict: tested.verdict.as_str().to_string(),
        detected,
        statement,
    })
}

fn statement(
    planted: &PlantedSettings,
    size: &Estimate,
    delta: &Estimate,
    verdict: Verdict,
    detected: bool,
    design_mde: Option<f64>,
) -> String {
    let mde = design_mde.map(|m| format!("; the design's MDE for Δ is {} GMV/user", short(m))).unwrap_or_default();
    format!(
        "a planted interaction of {} GMV/user ({} results of `{}` demoted by {} on {}% of sessions) was \
         estimated as {} [{}, {}]: {}, {}{mde}",
        short(size.value),
        planted.channels.as_str(),
        planted.cell,
        planted.skip,
        (planted.probability * 100.0 * 1e6).round() / 1e6,
        short(delta.value),
        short(delta.lower),
        short(delta.upper),
        verdict.as_str(),
        if detected { "detected" } else { "missed" },
    )
}
