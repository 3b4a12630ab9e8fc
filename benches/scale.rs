//! How `status`, `check` and `publish` grow with a newsroom's size.
//!
//! Run with `cargo bench --bench scale` (MEDREVIEW_SCALE_ARTICLES sets the number of
//! articles, default 300). It builds a workspace where every article went through
//! submit → request-changes → submit → approve (four sign-off commits each), then
//! times each command once and prints the cost per article and per commit.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_medreview");

fn run(dir: &Path, program: &str, args: &[&str], now: &str) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("MEDREVIEW_NOW", now)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn main() {
    let articles: usize = std::env::var("MEDREVIEW_SCALE_ARTICLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let t0 = "2024-01-01T09:00:00+00:00";
    run(dir, "git", &["init", "-q", "-b", "main"], t0);
    run(dir, "git", &["config", "user.name", "Bench"], t0);
    run(
        dir,
        "git",
        &["config", "user.email", "bench@example.org"],
        t0,
    );
    run(dir, BIN, &["init", "--publication", "Bench"], t0);
    run(
        dir,
        BIN,
        &["writer", "add", "sam-writer", "--name", "Sam Writer"],
        t0,
    );
    run(
        dir,
        BIN,
        &[
            "reviewer",
            "add",
            "ana-doctor",
            "--name",
            "Ana Doctor",
            "--credentials",
            "M.D.",
        ],
        t0,
    );
    let body: String = (0..12).map(|p| format!("Paragraph {p} about staying healthy, with enough words to be a real paragraph of an article.\n\n")).collect();
    let started = Instant::now();
    for i in 0..articles {
        let slug = format!("article-{i}");
        let time = |step: usize| {
            format!(
                "2024-{:02}-{:02}T{:02}:{:02}:00+00:00",
                1 + i / 800,
                1 + (i / 30) % 28,
                step * 4 + 1,
                i % 60
            )
        };
        run(
            dir,
            BIN,
            &[
                "new",
                &slug,
                "--title",
                &format!("Article {i}"),
                "--writer",
                "sam-writer",
            ],
            &time(0),
        );
        let path = dir.join(format!("articles/{slug}/article.md"));
        std::fs::write(
            &path,
            format!("---\ntitle: Article {i}\nwriter: sam-writer\n---\n{body}"),
        )
        .expect("write");
        run(dir, BIN, &["submit", &slug, "--as", "sam-writer"], &time(1));
        run(
            dir,
            BIN,
            &[
                "request-changes",
                &slug,
                "--as",
                "ana-doctor",
                "-m",
                "Cite a source.",
            ],
            &time(2),
        );
        std::fs::write(
            &path,
            format!("---\ntitle: Article {i}\nwriter: sam-writer\n---\n{body}Updated.\n"),
        )
        .expect("write");
        run(dir, BIN, &["submit", &slug, "--as", "sam-writer"], &time(3));
        run(
            dir,
            BIN,
            &["approve", &slug, "--as", "ana-doctor"],
            &time(4),
        );
    }
    let commits: usize = run(dir, "git", &["rev-list", "--count", "HEAD"], t0)
        .trim()
        .parse()
        .expect("count");
    println!(
        "built {articles} articles, {commits} commits in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let now = "2024-12-31T00:00:00+00:00";
    for (name, args) in [
        ("status", &["status"][..]),
        ("check", &["check"][..]),
        ("publish", &["publish", "--out", "public"][..]),
        (
            "one sign-off",
            &[
                "withdraw",
                "article-0",
                "--as",
                "ana-doctor",
                "-m",
                "Bench.",
            ][..],
        ),
    ] {
        let started = Instant::now();
        run(dir, BIN, args, now);
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{name:>12}: {:8.1} ms total, {:6.3} ms per article, {:6.3} ms per commit",
            secs * 1000.0,
            secs * 1000.0 / articles as f64,
            secs * 1000.0 / commits as f64
        );
    }
}
