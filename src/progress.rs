//! Progress bars for long work, hidden with `--quiet` or when stderr is not a terminal.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use searchrec_datasets::{Scenario, Stage};

/// One bar per generation stage.
pub struct GenerationBars {
    bars: [ProgressBar; 4],
    _multi: MultiProgress,
}

impl GenerationBars {
    /// Bars sized for a scenario.
    pub fn new(scenario: &Scenario, quiet: bool) -> GenerationBars {
        let multi = MultiProgress::with_draw_target(if quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        });
        let style = ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("static template")
            .progress_chars("=> ");
        let w = &scenario.world;
        let totals = [
            ("items", w.items as u64),
            ("users", w.users as u64),
            ("logs", w.users as u64),
            ("queries", scenario.queries.count as u64),
        ];
        let bars = totals.map(|(name, len)| {
            let bar = multi.add(ProgressBar::new(len));
            bar.set_style(style.clone());
            bar.set_prefix(name);
            bar
        });
        GenerationBars { bars, _multi: multi }
    }

    /// Advances the bar of a stage.
    pub fn advance(&self, stage: Stage, done: u64) {
        let bar = match stage {
            Stage::Items => &self.bars[0],
            Stage::Users => &self.bars[1],
            Stage::Logs => &self.bars[2],
            Stage::Queries => &self.bars[3],
        };
        bar.inc(done);
        if bar.position() >= bar.length().unwrap_or(0) {
            bar.finish();
        }
    }
}

/// A spinner that shows which step a long run is on.
pub struct StepSpinner {
    bar: ProgressBar,
}

impl StepSpinner {
    /// A spinner on stderr, hidden with `--quiet`.
    pub fn new(quiet: bool) -> StepSpinner {
        let bar = if quiet { ProgressBar::hidden() } else { ProgressBar::new_spinner() };
        bar.set_style(ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}").expect("static template"));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        StepSpinner { bar }
    }

    /// Shows the current step.
    pub fn step(&self, message: &str) {
        self.bar.set_message(message.to_string());
    }

    /// Removes the spinner.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
