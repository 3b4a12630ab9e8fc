//! Wall time of `medreview diff` on a 2,000-word article, process start to exit.
//!
//! Run with `cargo bench --bench diff`. It builds a throwaway workspace with two
//! revisions of a 2,000-word article that differ in a few words, runs the real
//! binary many times, and prints the median and slowest run. The target is under
//! 50 ms on the CI machine.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_medreview");
const RUNS: usize = 40;

fn run(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("MEDREVIEW_NOW", "2025-03-03T10:00:00-05:00")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn article(words: &[String]) -> String {
    let body: Vec<String> = words.chunks(100).map(|c| c.join(" ")).collect();
    format!(
        "---\ntitle: Benchmark article\nwriter: sam-writer\n---\n{}\n",
        body.join("\n\n")
    )
}

fn time(dir: &Path, args: &[&str]) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            run(dir, BIN, args);
            started.elapsed()
        })
        .collect();
    times.sort();
    (times[RUNS / 2], times[RUNS - 1])
}

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    run(dir, "git", &["init", "-q", "-b", "main"]);
    run(dir, "git", &["config", "user.name", "Bench"]);
    run(dir, "git", &["config", "user.email", "bench@example.org"]);
    run(dir, BIN, &["init", "--publication", "Bench", "--no-admin"]);
    run(
        dir,
        BIN,
        &["writer", "add", "sam-writer", "--name", "Sam Writer"],
    );
    run(
        dir,
        BIN,
        &[
            "new",
            "bench",
            "--title",
            "Benchmark article",
            "--writer",
            "sam-writer",
        ],
    );
    let words: Vec<String> = (0..2000).map(|i| format!("word{}", i % 211)).collect();
    std::fs::write(dir.join("articles/bench/article.md"), article(&words)).expect("write r1");
    run(dir, BIN, &["submit", "bench", "--as", "sam-writer"]);
    let mut edited = words.clone();
    for i in [150, 777, 1500, 1999] {
        edited[i] = "changed".into();
    }
    std::fs::write(dir.join("articles/bench/article.md"), article(&edited)).expect("write r2");
    run(dir, BIN, &["submit", "bench", "--as", "sam-writer"]);
    for (name, args) in [
        ("text", &["diff", "bench", "r1", "r2"][..]),
        (
            "html",
            &["diff", "bench", "r1", "r2", "--format", "html"][..],
        ),
    ] {
        let (median, slowest) = time(dir, args);
        println!(
            "diff 2,000 words ({name}): median {:.1} ms, slowest {:.1} ms over {RUNS} runs",
            median.as_secs_f64() * 1000.0,
            slowest.as_secs_f64() * 1000.0
        );
    }
}
