//! A pager for long output on a terminal, chosen and run the way git does it:
//! `MEDREVIEW_PAGER`, else `GIT_PAGER`, else `PAGER`, else `less` (with `LESS=FRX`
//! when `LESS` is unset); an empty value or `cat` means no pager.

use std::ffi::OsString;
use std::io::{self, BufWriter, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use signal_hook::SigId;
use signal_hook::consts::{SIGINT, SIGQUIT};

/// The variables that name a pager, first one set wins.
const VARIABLES: [&str; 3] = ["MEDREVIEW_PAGER", "GIT_PAGER", "PAGER"];

/// The pager to run, as a shell command line, or `None` for no pager. `var` reads
/// the environment (a parameter so the choice can be tested).
pub fn program(var: impl Fn(&str) -> Option<OsString>) -> Option<String> {
    let chosen = VARIABLES
        .iter()
        .find_map(|name| var(name))
        .map(|value| value.to_string_lossy().trim().to_owned())
        .unwrap_or_else(|| "less".to_owned());
    (!chosen.is_empty() && chosen != "cat").then_some(chosen)
}

/// A running pager: what is written to it is what it shows.
pub struct Pager {
    child: Child,
    input: BufWriter<ChildStdin>,
    /// Set by Ctrl-C (SIGINT) or SIGQUIT while the pager runs.
    interrupted: Arc<AtomicBool>,
    /// The handlers that set it, removed once the pager has exited.
    handlers: Vec<SigId>,
}

impl Pager {
    /// Starts the pager the environment names through `sh -c`, or returns `None`
    /// when it names none or the shell cannot be started (output then goes to the
    /// terminal directly).
    pub fn start() -> Option<Pager> {
        let program = program(|name| std::env::var_os(name))?;
        // No pager named and no `less` installed: print directly rather than lose the text.
        if program == "less" && !on_path("less") {
            return None;
        }
        let mut command = Command::new("sh");
        command.arg("-c").arg(&program).stdin(Stdio::piped());
        // As git does: quit when the text fits one screen, keep colours, leave the
        // text on the screen afterwards.
        if std::env::var_os("LESS").is_none() {
            command.env("LESS", "FRX");
        }
        if std::env::var_os("LV").is_none() {
            command.env("LV", "-c");
        }
        let mut child = command.spawn().ok()?;
        let input = BufWriter::new(child.stdin.take()?);
        // Ctrl-C reaches the pager too, which stays: as git does, medreview stops
        // writing but waits for the pager to exit, so the shell never gets the
        // terminal back while the pager still draws on it.
        let interrupted = Arc::new(AtomicBool::new(false));
        let handlers = [SIGINT, SIGQUIT]
            .into_iter()
            .filter_map(|signal| signal_hook::flag::register(signal, Arc::clone(&interrupted)).ok())
            .collect();
        Some(Pager {
            child,
            input,
            interrupted,
            handlers,
        })
    }

    /// Sends the rest of the output, closes the pager's input and waits until the
    /// user quits it. A pager quit early reports a broken pipe, which the caller ends
    /// quietly. The flag says whether Ctrl-C was pressed meanwhile.
    pub fn finish(self) -> (io::Result<()>, bool) {
        let Pager {
            mut child,
            input,
            interrupted,
            handlers,
        } = self;
        let flushed = input.into_inner().map(drop).map_err(|e| e.into_error());
        // Waiting even after a failed write: the terminal belongs to the pager until it exits.
        let waited = child.wait().map(drop);
        for handler in handlers {
            signal_hook::low_level::unregister(handler);
        }
        (flushed.and(waited), interrupted.load(Ordering::SeqCst))
    }
}

/// Whether `name` is an executable file in a folder of `PATH`.
fn on_path(name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            std::fs::metadata(dir.join(name))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

impl Write for Pager {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.interrupted.load(Ordering::SeqCst) {
            // Stop producing output, and end as quietly as a closed pipe does.
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "interrupted"));
        }
        self.input.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.input.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(vars: &[(&str, &str)]) -> Option<String> {
        program(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn the_pager_is_chosen_like_git() {
        assert_eq!(choose(&[]).as_deref(), Some("less"));
        assert_eq!(choose(&[("PAGER", "more")]).as_deref(), Some("more"));
        assert_eq!(
            choose(&[("PAGER", "more"), ("GIT_PAGER", "most")]).as_deref(),
            Some("most")
        );
        assert_eq!(
            choose(&[("GIT_PAGER", "most"), ("MEDREVIEW_PAGER", "less -S")]).as_deref(),
            Some("less -S")
        );
        // Set but empty stops the search, as in git.
        assert_eq!(choose(&[("MEDREVIEW_PAGER", ""), ("PAGER", "more")]), None);
        assert_eq!(choose(&[("PAGER", "cat")]), None);
    }
}
