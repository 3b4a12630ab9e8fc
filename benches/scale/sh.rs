//! Running commands: the fixed environment, failures with their stderr, timing and
//! peak memory.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

pub const BIN: &str = env!("CARGO_BIN_EXE_medreview");
/// The clock of every measured command: every article approved within its interval.
pub const NOW: &str = "2025-12-01T00:00:00+00:00";

pub fn command_at(dir: &Path, now: &str, program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("MEDREVIEW_NOW", now)
        .env_remove("NO_COLOR");
    cmd
}

pub fn command(dir: &Path, program: &str, args: &[&str]) -> Command {
    command_at(dir, NOW, program, args)
}

pub fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    run_at(dir, NOW, program, args)
}

fn describe(program: &str) -> &str {
    if program == BIN { "medreview" } else { program }
}

/// Runs a command to its end; a failure stops the bench with its output.
pub fn run_at(dir: &Path, now: &str, program: &str, args: &[&str]) -> String {
    let out = command_at(dir, now, program, args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{} {args:?} in {} failed ({}):\n{}{}",
        describe(program),
        dir.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Seconds one run takes, its output discarded; a failure stops the bench.
pub fn time(dir: &Path, program: &str, args: &[&str]) -> f64 {
    let mut cmd = command(dir, program, args);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let took = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{} {args:?} failed ({}):\n{}",
        describe(program),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

/// Where `/usr/bin/time` is (GNU time, for the peak memory of one command).
pub fn gnu_time() -> Option<&'static str> {
    let path = "/usr/bin/time";
    Command::new(path)
        .args(["-f", "%M", "true"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| path)
}

/// The peak resident memory of one run, in bytes (GNU time's `%M`).
pub fn max_rss(dir: &Path, program: &str, args: &[&str]) -> Option<u64> {
    let time = gnu_time()?;
    let report = tempfile::NamedTempFile::new().expect("a temporary file");
    let report_path = report.path().to_str().expect("utf-8").to_owned();
    let mut all = vec!["-f", "%M", "-o", &report_path, program];
    all.extend_from_slice(args);
    time_quiet(dir, time, &all);
    let kib: u64 = std::fs::read_to_string(report.path())
        .ok()?
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn time_quiet(dir: &Path, program: &str, args: &[&str]) {
    time(dir, program, args);
}

pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}
