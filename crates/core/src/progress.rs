//! A progress bar on standard error for the commands that can take long on a large
//! newsroom (`status`, `check`, `publish`): drawn only on a terminal, only once the
//! work has taken a second, never with `--json`, and cleared when done.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a command runs before its bar appears.
const AFTER: Duration = Duration::from_secs(1);

/// Progress through `len` items (0: an unknown number).
pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: bool,
    wanted: bool,
}

impl Progress {
    /// A bar for `len` items of `what` ("articles"), or none when `wanted` is false.
    pub fn new(len: u64, what: &str, wanted: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        let template = if len == 0 {
            format!("{{spinner}} {{pos}} {what} {{elapsed}}")
        } else {
            format!("{{bar:30}} {{pos}}/{{len}} {what} {{eta}} left")
        };
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            shown: false,
            wanted: wanted && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        }
    }

    /// One more item done.
    pub fn tick(&mut self) {
        self.bar.inc(1);
        if self.wanted && !self.shown && self.started.elapsed() >= AFTER {
            self.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
