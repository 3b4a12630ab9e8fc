//! The binary's side of the one output channel: notices to standard error and
//! progress bars drawn with indicatif, for the commands that can take long on a
//! large newsroom (`status`, `check`, `publish`). A bar is drawn only on a
//! terminal, only once the work has taken a second, never with `--json` (the
//! library asks for none then), and cleared when done.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use medreview_output::{Bar, Output};

/// How long a command runs before its bar appears.
const AFTER: Duration = Duration::from_secs(1);

/// Standard error, with indicatif for the bars.
pub struct Terminal;

impl Terminal {
    /// Installs it as the process's output.
    pub fn install() {
        medreview_output::install(Box::new(Terminal));
    }
}

impl Output for Terminal {
    fn notice(&self, text: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    fn progress(&self, len: u64, what: &str) -> Box<dyn Bar> {
        Box::new(Progress::new(len, what))
    }
}

/// Progress through `len` items (0: an unknown number).
struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: bool,
    wanted: bool,
}

impl Progress {
    fn new(len: u64, what: &str) -> Progress {
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
            wanted: std::io::stderr().is_terminal(),
        }
    }
}

impl Bar for Progress {
    fn tick(&mut self) {
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
