//! The one output channel of the library crates.
//!
//! Library code never prints: what a person should see while it works (a notice
//! that an interrupted command was recovered, a warning after a commit, progress
//! through a long run) goes through [`Output`], which the binary implements once
//! (with indicatif for the bars) and installs at start with [`install`]. Without
//! an installed output (the server gate's tests, a library user) nothing is shown.
//! This is the `log` crate's shape: callers need no handle passed down through
//! every signature, and the binary alone owns the terminal.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::sync::OnceLock;

/// Where notices and progress go: implemented by the binary.
pub trait Output: Send + Sync {
    /// Shows one notice (a complete sentence, no trailing newline).
    fn notice(&self, text: &str);
    /// A bar for `len` items of `what` ("articles checked"; 0 items: a spinner).
    fn progress(&self, len: u64, what: &str) -> Box<dyn Bar>;
}

/// One progress bar; it is cleared when dropped. A bar may be ticked from the
/// threads of a parallel run (behind a lock), so it is `Send`.
pub trait Bar: Send {
    /// One more item done.
    fn tick(&mut self);
}

static OUTPUT: OnceLock<Box<dyn Output>> = OnceLock::new();

/// Installs the process's output; a second call is ignored and returns false.
pub fn install(output: Box<dyn Output>) -> bool {
    OUTPUT.set(output).is_ok()
}

/// Shows a notice through the installed output, if any.
pub fn notice(text: impl AsRef<str>) {
    if let Some(output) = OUTPUT.get() {
        output.notice(text.as_ref());
    }
}

/// Progress through a run of items, shown only when wanted and an output is installed.
pub struct Progress {
    bar: Option<Box<dyn Bar>>,
}

impl Progress {
    /// A bar for `len` items of `what`, or none when `wanted` is false (`--json`).
    pub fn new(len: u64, what: &str, wanted: bool) -> Progress {
        let bar = wanted
            .then(|| OUTPUT.get().map(|o| o.progress(len, what)))
            .flatten();
        Progress { bar }
    }

    /// One more item done.
    pub fn tick(&mut self) {
        if let Some(bar) = self.bar.as_mut() {
            bar.tick();
        }
    }
}

/// A [`Progress`] that the threads of a parallel run tick together.
pub struct SharedProgress(std::sync::Mutex<Progress>);

impl SharedProgress {
    /// A shared bar for `len` items of `what`, or none when `wanted` is false.
    pub fn new(len: u64, what: &str, wanted: bool) -> SharedProgress {
        SharedProgress(std::sync::Mutex::new(Progress::new(len, what, wanted)))
    }

    /// One more item done, from any thread.
    pub fn tick(&self) {
        if let Ok(mut progress) = self.0.lock() {
            progress.tick();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static TICKS: AtomicUsize = AtomicUsize::new(0);
    static NOTICES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    struct Recorder;
    struct RecBar;
    impl Bar for RecBar {
        fn tick(&mut self) {
            TICKS.fetch_add(1, Ordering::SeqCst);
        }
    }
    impl Output for Recorder {
        fn notice(&self, text: &str) {
            NOTICES.lock().unwrap().push(text.to_owned());
        }
        fn progress(&self, _len: u64, _what: &str) -> Box<dyn Bar> {
            Box::new(RecBar)
        }
    }

    #[test]
    fn notices_and_ticks_reach_the_installed_output_and_unwanted_bars_do_not() {
        assert!(install(Box::new(Recorder)));
        assert!(!install(Box::new(Recorder)), "a second output is refused");
        notice("recovered");
        let mut wanted = Progress::new(2, "articles", true);
        wanted.tick();
        wanted.tick();
        let mut unwanted = Progress::new(2, "articles", false);
        unwanted.tick();
        assert_eq!(TICKS.load(Ordering::SeqCst), 2);
        assert_eq!(*NOTICES.lock().unwrap(), vec!["recovered".to_owned()]);
    }
}
