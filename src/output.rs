//! The binary's side of the one output channel: notices to standard error and
//! progress bars drawn with indicatif, for the commands that can take long on a
//! large newsroom (`lint`, `status`, `check`, `publish`). A bar is drawn only on a
//! terminal, never in CI (the `CI` variable that CI services set) nor on a `dumb`
//! terminal, only once the work has taken a second (`MEDREVIEW_PROGRESS_AFTER`,
//! in milliseconds, changes that), never with `--json` (the library asks for none
//! then), and cleared when done.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use medreview_output::{Bar, Output};

/// How long a command runs before its bar appears.
const AFTER: Duration = Duration::from_secs(1);

/// Whether bars are drawn at all: on a terminal, outside CI, not on a `dumb` one.
fn wanted() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false" || v == "0")
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// [`AFTER`], or `MEDREVIEW_PROGRESS_AFTER` milliseconds.
fn after() -> Duration {
    std::env::var("MEDREVIEW_PROGRESS_AFTER")
        .ok()
        .and_then(|ms| ms.trim().parse().ok())
        .map_or(AFTER, Duration::from_millis)
}

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
    after: Duration,
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
            after: after(),
            shown: false,
            wanted: wanted(),
        }
    }
}

impl Bar for Progress {
    fn tick(&mut self) {
        self.bar.inc(1);
        if self.wanted && !self.shown && self.started.elapsed() >= self.after {
            self.shown = true;
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            // Drawn now, not at the next item: the next may be the last.
            self.bar.tick();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
