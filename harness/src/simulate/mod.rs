//! The GMV simulator (issue 5): users live through sessions over a horizon
//! and the world's behaviour model decides what they click and buy.

mod summary;

pub use summary::{
    AaCheck, ArmComparison, ArmSummary, Cuped, Estimate, Factorial, Guardrails, SensitivityPoint, SimulationSummary,
    Uplift,
};
