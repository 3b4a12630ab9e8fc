//! A real terminal for tests: medreview run in a detached tmux session on a private
//! socket, its screen read with `capture-pane`, keys typed with `send-keys`. Every
//! wait is bounded; the tmux server is killed when the session is dropped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::TestEnv;

/// How long any one wait may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(15);

/// The `tmux` program, or `None` (with a message) to skip a test on a machine
/// without it; under `MEDREVIEW_REQUIRE_TOOLS` its absence fails the test.
pub fn tmux() -> Option<PathBuf> {
    program(
        &["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"],
        "tmux",
        "tmux",
    )
}

/// The first of `paths` that exists, or `None` (with a message naming the Debian
/// `package`) to skip a test; under `MEDREVIEW_REQUIRE_TOOLS` its absence fails it.
pub fn program(paths: &[&str], name: &str, package: &str) -> Option<PathBuf> {
    let found = paths.iter().map(PathBuf::from).find(|p| p.is_file());
    if found.is_some() {
        return found;
    }
    assert!(
        std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
        "{name} is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed"
    );
    eprintln!("skipped: {name} is not installed (apt-get install {package})");
    None
}

/// A command running on a terminal.
pub struct Terminal {
    tmux: PathBuf,
    socket: PathBuf,
    exit_file: PathBuf,
}

/// Quotes `text` for `sh`.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

impl Terminal {
    /// Starts `medreview args` at the workspace root of `env`, with the test
    /// environment and nothing else, on an 160x50 terminal.
    pub fn start(tmux: &Path, env: &TestEnv, args: &[&str]) -> Terminal {
        // A socket of its own for every terminal: a second terminal in the same
        // test never talks to the server the first one's drop is still killing.
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let socket = env.outside(&format!("tmux-{}-{n}.sock", std::process::id()));
        // remain-on-exit is set before the session starts: a command that ends at
        // once must still leave its screen, and `new-session` must not race it.
        let config = env.outside(&format!("tmux-{n}.conf"));
        std::fs::write(&config, "set-option -g remain-on-exit on\n").expect("write tmux config");
        let exit_file = env.outside("tty-exit");
        let _ = std::fs::remove_file(&exit_file);
        let mut line = String::from("env -i");
        for (key, value) in env.env_vars() {
            line.push_str(&format!(" {key}={}", quote(&value.to_string_lossy())));
        }
        line.push_str(" TERM=xterm");
        line.push(' ');
        line.push_str(&quote(env!("CARGO_BIN_EXE_medreview")));
        for arg in args {
            line.push(' ');
            line.push_str(&quote(arg));
        }
        line.push_str(&format!(
            "; echo $? > {}",
            quote(&exit_file.to_string_lossy())
        ));
        let out = Command::new(tmux)
            .arg("-S")
            .arg(&socket)
            .arg("-f")
            .arg(&config)
            .args(["new-session", "-d", "-s", "t", "-x", "160", "-y", "50"])
            .arg("-c")
            .arg(env.root())
            .arg(format!("sh -c {}", quote(&line)))
            .output()
            .expect("start tmux");
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Terminal {
            tmux: tmux.to_path_buf(),
            socket,
            exit_file,
        }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new(&self.tmux)
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen's text, trailing blank lines and spaces removed.
    pub fn screen(&self) -> String {
        let text = self.tmux(&["capture-pane", "-p", "-t", "t"]);
        // tmux's own "Pane is dead" line (remain-on-exit) is not the program's.
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.starts_with("Pane is dead"))
            .collect();
        let end = lines
            .iter()
            .rposition(|l| !l.is_empty())
            .map_or(0, |i| i + 1);
        lines[..end].join("\n")
    }

    /// Waits until the screen shows `text`; fails the test after [`PATIENCE`].
    pub fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "the terminal never showed {text:?}; it shows:\n{screen}"
            );
            sleep(Duration::from_millis(50));
        }
    }

    /// Types `keys` (tmux key names, e.g. `y`, `Enter`).
    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Waits for the command to end: its exit code and the final screen.
    pub fn finish(&self) -> (i32, String) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(text) = std::fs::read_to_string(&self.exit_file)
                && let Ok(code) = text.trim().parse()
            {
                return (code, self.screen());
            }
            assert!(
                Instant::now() < deadline,
                "the command never ended; the terminal shows:\n{}",
                self.screen()
            );
            sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.tmux(&["kill-server"]);
    }
}

/// The `script` program of util-linux (a command on a pseudo-terminal, every byte
/// it wrote kept), or `None` (with a message) to skip; under
/// `MEDREVIEW_REQUIRE_TOOLS` its absence fails the test.
pub fn script() -> Option<PathBuf> {
    program(&["/usr/bin/script", "/bin/script"], "script", "bsdutils")
}

/// Runs `medreview args` at the workspace root of `env` on a pseudo-terminal (with
/// the test environment, `vars` and `TERM=xterm`), to its end; returns every byte
/// it wrote to the terminal (standard output and error, escapes included) and its
/// exit code.
pub fn recorded(
    script: &Path,
    env: &TestEnv,
    vars: &[(&str, &str)],
    args: &[&str],
) -> (String, i32) {
    let mut line = String::from("env -i");
    for (key, value) in env.env_vars() {
        line.push_str(&format!(" {key}={}", quote(&value.to_string_lossy())));
    }
    line.push_str(" TERM=xterm");
    for (key, value) in vars {
        line.push_str(&format!(" {key}={}", quote(value)));
    }
    line.push(' ');
    line.push_str(&quote(env!("CARGO_BIN_EXE_medreview")));
    for arg in args {
        line.push(' ');
        line.push_str(&quote(arg));
    }
    let log = env.outside("typescript");
    let _ = std::fs::remove_file(&log);
    // -q: no start and end lines; -e: its exit code; -f: written as it comes;
    // `timeout`: a command that hangs fails the test instead of stopping it.
    let line = format!("timeout 30 {line}");
    let out = Command::new(script)
        .args(["-q", "-e", "-f", "-c", &line])
        .arg(&log)
        .current_dir(env.root())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script");
    let bytes = std::fs::read(&log).unwrap_or_default();
    (
        String::from_utf8_lossy(&bytes).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}
