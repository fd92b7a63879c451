//! Arms bound to the engines that serve them.

use searchrec_engine::{Capabilities, Engine};
use serde::{Deserialize, Serialize};

use super::perturb::Perturbation;
use super::settings::{Channels, SimulationSettings};
use crate::{HarnessError, Result};

/// One arm, ready to run.
#[derive(Clone)]
pub(crate) struct Arm<'e> {
    /// The arm's name.
    pub name: String,
    /// The engine's scenario name.
    pub engine_name: String,
    /// The engine.
    pub engine: &'e dyn Engine,
    /// The channels it serves.
    pub channels: Channels,
    /// What the engine reported it can do.
    pub capabilities: Capabilities,
    /// How its lists are perturbed (the A/A check, the planted control); `None` for the scenario's arms.
    pub perturbation: Option<Perturbation>,
    /// The channels the oracle ranks instead of the engine (the ceiling
    /// arms, [`super::oracle`]); `None` for the scenario's arms.
    pub oracle: Option<Channels>,
}

/// What the analysis says about an arm, without its engine: all a merge of
/// shares of users ([`super::part`]) knows of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArmLabel {
    pub name: String,
    pub engine: String,
    pub channels: String,
    /// Whether search used feed signals (factor A), on an arm that searches.
    pub personalised_search: bool,
    /// Whether the feed used search signals (factor B), on an arm with a feed.
    pub query_aware_feed: bool,
}

impl<'e> Arm<'e> {
    /// The arm's label.
    pub fn label(&self) -> ArmLabel {
        ArmLabel {
            name: self.name.clone(),
            engine: self.engine_name.clone(),
            channels: self.channels.as_str().to_string(),
            // A coupling only counts where the arm serves the channel it shapes.
            personalised_search: self.capabilities.personalised_search && self.channels.search(),
            query_aware_feed: self.capabilities.query_aware_feed && self.channels.feed(),
        }
    }

    /// The same arm with its lists perturbed.
    pub fn perturbed(&self, perturbation: Perturbation) -> Arm<'e> {
        Arm { perturbation: Some(perturbation), ..self.clone() }
    }
}

/// The three ceiling arms: the oracle on search, on the feed, and on both,
/// each serving any other channel as `neither` does.
pub(crate) fn oracle_arms<'e>(neither: &Arm<'e>) -> Vec<Arm<'e>> {
    [Channels::Search, Channels::Feed, Channels::Both]
        .into_iter()
        .map(|oracle| Arm {
            name: format!("oracle ({})", oracle.as_str()),
            channels: Channels::Both,
            oracle: Some(oracle),
            ..neither.clone()
        })
        .collect()
}

/// Binds every arm of `settings` to its engine, in settings order.
pub(crate) fn resolve<'e>(settings: &SimulationSettings, engines: &[(&str, &'e dyn Engine)]) -> Result<Vec<Arm<'e>>> {
    settings
        .arms
        .iter()
        .map(|arm| {
            let engine = engines.iter().find(|(name, _)| *name == arm.engine).map(|&(_, e)| e).ok_or_else(|| {
                HarnessError::Invalid {
                    what: format!("simulation arm `{}`", arm.name),
                    message: format!("no engine is called `{}`", arm.engine),
                }
            })?;
            Ok(Arm {
                name: arm.name.clone(),
                engine_name: arm.engine.clone(),
                engine,
                channels: arm.channels,
                capabilities: engine.capabilities(),
                perturbation: None,
                oracle: None,
            })
        })
        .collect()
}
