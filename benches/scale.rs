//! How `status`, `check` and `publish` grow with a newsroom's size, side by side
//! with the git commands a user would compare them with, in one run.
//!
//! Run with `cargo bench --bench scale` (MEDREVIEW_SCALE_ARTICLES sets the number
//! of articles, default 1,000; MEDREVIEW_SCALE_ROUNDS the revisions per article,
//! default 5). Every article gets ROUNDS revisions, each submitted and then
//! approved or sent back: 2 × ROUNDS sign-offs and commits per article, streamed
//! into `git fast-import` with exactly the files and commits the CLI writes (the
//! entry files come from the library's own `Entry::to_file`). Each command is run
//! five times, interleaved with its git anchor, and the medians are printed.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use medreview::gitstore::GitStore;
use medreview::ids::Id;
use medreview::record::entry::{Action, Entry, EntryId};

const BIN: &str = env!("CARGO_BIN_EXE_medreview");
const NOW: &str = "2025-12-01T00:00:00+00:00";

/// The clock of the workspace's first commits, before the streamed history.
const BOOT: &str = "2024-11-30T09:00:00+00:00";

fn command_at(dir: &Path, now: &str, program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("MEDREVIEW_NOW", now);
    cmd
}

fn command(dir: &Path, program: &str, args: &[&str]) -> Command {
    command_at(dir, NOW, program, args)
}

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    run_at(dir, NOW, program, args)
}

fn run_at(dir: &Path, now: &str, program: &str, args: &[&str]) -> String {
    let out = command_at(dir, now, program, args).output().expect("run");
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Seconds one run takes, output discarded.
fn time(dir: &Path, program: &str, args: &[&str]) -> f64 {
    let started = Instant::now();
    let status = command(dir, program, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run");
    assert!(status.success() || program == BIN, "{program} {args:?}");
    started.elapsed().as_secs_f64()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn id(s: &str) -> Id {
    Id::parse("id", s).expect("valid id")
}

/// Streams the article history into `git fast-import` on top of `main`.
fn build(dir: &Path, articles: usize, rounds: usize) {
    let mut child = command(dir, "git", &["fast-import", "--quiet", "--force"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    let parent = run(dir, "git", &["rev-parse", "HEAD"]);
    let mut out = std::io::BufWriter::new(child.stdin.take().expect("stdin"));
    let mut heads: Vec<Option<EntryId>> = vec![None; articles];
    let mut mark = 0usize;
    let start = chrono::DateTime::parse_from_rfc3339("2024-12-01T09:00:00+00:00").expect("time");
    let body: String = (0..12)
        .map(|p| format!("Paragraph {p} about staying healthy, with enough words to be a real paragraph of an article.\n\n"))
        .collect();
    let mut first = true;
    for round in 0..rounds {
        for (i, head) in heads.iter_mut().enumerate() {
            let slug = format!("article-{i}");
            let text = format!(
                "---\ntitle: Article {i}\nwriter: sam-writer\n---\n{body}Revision {round}.\n"
            );
            let revision = GitStore::blob_id(text.as_bytes());
            for (step, action) in [Action::Submitted, Action::Approved]
                .into_iter()
                .enumerate()
            {
                let action = if action == Action::Approved && round + 1 < rounds && i % 5 == 0 {
                    Action::ChangesRequested
                } else {
                    action
                };
                let at = start
                    + chrono::TimeDelta::seconds(((round * articles + i) * 120 + step * 60) as i64);
                let by = if action == Action::Submitted {
                    "sam-writer"
                } else {
                    "ana-doctor"
                };
                let entry = Entry {
                    action,
                    by: id(by),
                    at,
                    revision: revision.clone(),
                    after: head.iter().cloned().collect(),
                    note: None,
                    recorded_by: None,
                    roster: Vec::new(),
                    clock: None,
                    format: None,
                    signature: None,
                };
                let (entry_id, bytes) = entry.to_file();
                *head = Some(entry_id.clone());
                mark += 1;
                let (name, email) = if by == "sam-writer" {
                    ("Sam Writer", "sam@example.org")
                } else {
                    ("Ana Doctor", "ana@example.org")
                };
                let message = format!(
                    "{} {slug} r{}\n\nMedreview-Action: {action}\nMedreview-Article: {slug}\nMedreview-Revision: {revision}\nMedreview-By: {by}\nMedreview-Entry: {entry_id}\n",
                    action.verb(),
                    round + 1
                );
                let stamp = at.timestamp();
                write!(
                    out,
                    "commit refs/heads/main\nmark :{mark}\nauthor {name} <{email}> {stamp} +0000\ncommitter Bench <bench@example.org> {stamp} +0000\ndata {}\n{message}\n",
                    message.len()
                )
                .expect("write");
                if first {
                    writeln!(out, "from {}", parent.trim()).expect("write");
                    first = false;
                }
                if action == Action::Submitted {
                    write!(
                        out,
                        "M 100644 inline articles/{slug}/article.md\ndata {}\n{text}\n",
                        text.len()
                    )
                    .expect("write");
                }
                out.write_all(
                    format!(
                        "M 100644 inline articles/{slug}/signoffs/{}\ndata {}\n",
                        entry_id.file_name(),
                        bytes.len()
                    )
                    .as_bytes(),
                )
                .expect("write");
                out.write_all(&bytes).expect("write");
                out.write_all(b"\n").expect("write");
            }
        }
    }
    drop(out);
    assert!(child.wait().expect("fast-import").success());
    run(dir, "git", &["reset", "-q", "--hard", "main"]);
}

fn main() {
    let var = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    };
    let articles = var("MEDREVIEW_SCALE_ARTICLES", 1000);
    let rounds = var("MEDREVIEW_SCALE_ROUNDS", 5);
    let tmp = tempfile::tempdir().expect("temp dir");
    // MEDREVIEW_SCALE_DIR=PATH builds the workspace there, keeps it and stops
    // (for profiling one command by hand).
    let keep = std::env::var_os("MEDREVIEW_SCALE_DIR").map(std::path::PathBuf::from);
    if let Some(keep) = &keep {
        std::fs::create_dir_all(keep).expect("create the folder");
    }
    let dir = keep.as_deref().unwrap_or(tmp.path());
    run(dir, "git", &["init", "-q", "-b", "main"]);
    run(dir, "git", &["config", "user.name", "Bench"]);
    run(dir, "git", &["config", "user.email", "bench@example.org"]);
    run_at(dir, BOOT, BIN, &["init", "--publication", "Bench"]);
    run_at(
        dir,
        BOOT,
        BIN,
        &[
            "writer",
            "add",
            "sam-writer",
            "--name",
            "Sam Writer",
            "--email",
            "sam@example.org",
        ],
    );
    run_at(
        dir,
        BOOT,
        BIN,
        &[
            "reviewer",
            "add",
            "ana-doctor",
            "--name",
            "Ana Doctor",
            "--credentials",
            "M.D.",
            "--email",
            "ana@example.org",
        ],
    );
    let started = Instant::now();
    build(dir, articles, rounds);
    let commits: usize = run(dir, "git", &["rev-list", "--count", "HEAD"])
        .trim()
        .parse()
        .expect("count");
    println!(
        "built {articles} articles × {} sign-offs, {commits} commits in {:.1} s",
        2 * rounds,
        started.elapsed().as_secs_f64()
    );
    if keep.is_some() {
        return;
    }
    let reset = |dir: &Path| run(dir, "git", &["update-ref", "-d", "refs/medreview/checked"]);

    let mut rows: Vec<(String, f64, String, f64)> = Vec::new();
    let mut pair = |label: &str,
                    ours: &mut dyn FnMut() -> f64,
                    anchor: &str,
                    theirs: &mut dyn FnMut() -> f64| {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            a.push(ours());
            b.push(theirs());
        }
        rows.push((label.to_owned(), median(a), anchor.to_owned(), median(b)));
    };
    pair(
        "status",
        &mut || time(dir, BIN, &["status"]),
        "git status --porcelain",
        &mut || time(dir, "git", &["status", "--porcelain"]),
    );
    pair(
        "check (first run)",
        &mut || {
            reset(dir);
            time(dir, BIN, &["check"])
        },
        "git log --name-only",
        &mut || time(dir, "git", &["log", "--name-only"]),
    );
    // One more sign-off, then the second run walks only it.
    run(
        dir,
        BIN,
        &[
            "withdraw",
            "article-0",
            "--as",
            "ana-doctor",
            "-m",
            "Bench.",
        ],
    );
    reset(dir);
    run(dir, BIN, &["check"]);
    run(
        dir,
        BIN,
        &[
            "withdraw",
            "article-1",
            "--as",
            "ana-doctor",
            "-m",
            "Bench.",
        ],
    );
    let head = run(dir, "git", &["rev-parse", "HEAD~1"]);
    pair(
        "check (after one sign-off)",
        &mut || {
            run(
                dir,
                "git",
                &["update-ref", "refs/medreview/checked", head.trim()],
            );
            time(dir, BIN, &["check"])
        },
        "git log --name-only -1",
        &mut || time(dir, "git", &["log", "--name-only", "-1"]),
    );
    let out = dir.join("public");
    pair(
        "publish",
        &mut || {
            time(
                dir,
                BIN,
                &["publish", "--out", out.to_str().expect("utf-8")],
            )
        },
        "git archive HEAD",
        &mut || time(dir, "git", &["archive", "-o", "/dev/null", "HEAD"]),
    );
    println!(
        "{:<28} {:>10}   {:<26} {:>10} {:>7}",
        "medreview", "median", "anchor", "median", "ratio"
    );
    for (label, ours, anchor, theirs) in rows {
        println!(
            "{label:<28} {:>8.0} ms   {anchor:<26} {:>8.0} ms {:>6.1}×",
            ours * 1000.0,
            theirs * 1000.0,
            ours / theirs.max(1e-6)
        );
    }
}
