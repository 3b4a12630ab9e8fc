//! The hook's cost: a push of one sign-off to a remote that already holds hundreds
//! of articles, each with a few sign-offs. The hook checks only the pushed commits,
//! so its cost must not grow with the history. The big remote is written once with
//! `git fast-import` (one commit per sign-off, each committed by its signer at the
//! time it names), not by running the tool hundreds of times.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use chrono::DateTime;
use medreview_core::ids::Id;
use medreview_core::record::entry::{Action, Entry, EntryId};
use medreview_store::revision::RevId;

use super::fixture::{ANA, DAVID, Person, SUZANNE, Team};
use super::{T0900, accepted, audited_bundle, entries, install};
use crate::common::{SLUG, START};

/// Articles added to the fixture, and sign-offs each (r1 submitted and approved,
/// r2 submitted and approved).
const ARTICLES: usize = 200;
const SIGNOFFS_EACH: usize = 4;

/// The most a push of one sign-off may take with the hook (a debug build on a slow
/// CI machine; it takes a fraction of this).
const BOUND: Duration = Duration::from_secs(2);

/// The most the first push of the whole record to an empty gated server may take.
const FIRST_PUSH_BOUND: Duration = Duration::from_secs(60);

fn article_text(n: usize, revision: usize) -> String {
    format!(
        "---\ntitle: Article number {n}\nwriter: suzanne-example\nreviewer: ana-example\n\
         topic: oncology\nsummary: A generated article for the scale test.\n---\n\
         Body of article {n}, revision {revision}.\n\nSome more text for revision {revision}.\n"
    )
}

fn blob_id(bytes: &[u8]) -> String {
    medreview_store::gitstore::GitStore::blob_id(bytes).to_string()
}

/// One fast-import commit on main by `person` at `unix` time, writing `files`.
fn commit(stream: &mut String, person: Person, unix: i64, subject: &str, files: &[(&str, &str)]) {
    let who = format!("{} <{}> {unix} -0500", person.name, person.email);
    let _ = writeln!(stream, "commit refs/heads/main");
    let _ = writeln!(stream, "author {who}");
    let _ = writeln!(stream, "committer {who}");
    let _ = writeln!(stream, "data {}\n{subject}", subject.len());
    for (path, text) in files {
        let _ = writeln!(stream, "M 100644 inline {path}");
        let _ = writeln!(stream, "data {}\n{text}", text.len());
    }
    stream.push('\n');
}

/// The audited fixture plus `ARTICLES` × `SIGNOFFS_EACH` valid sign-offs, as the
/// bytes of a git bundle; built once.
fn big_bundle() -> &'static [u8] {
    static BUNDLE: OnceLock<Vec<u8>> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let team = Team::from_bundle(audited_bundle());
        let ana = team.clone_for(ANA);
        // The roster every generated sign-off is judged by: the one r1 of her2 saw.
        let (_, first) = entries(&ana).into_iter().next().expect("r1 of her2");
        let at = DateTime::parse_from_rfc3339(START).expect("START");
        let unix = at.timestamp();
        let tip = ana.git(&["rev-parse", "HEAD"]).trim().to_owned();
        let mut stream = String::new();
        let _ = writeln!(stream, "reset refs/heads/main\nfrom {tip}\n");
        let sign = |action: Action, by: Person, revision: &str, after: Option<&EntryId>| {
            let entry = Entry {
                action,
                by: Id::parse("id", by.id).expect("an id"),
                at,
                revision: RevId::parse(revision).expect("a blob id"),
                after: after.into_iter().cloned().collect(),
                roster: first.roster.clone(),
                note: Some(format!("{} (generated).", action.as_str())),
                recorded_by: None,
                clock: first.clock.clone(),
                format: None,
                viewed: None,
                meaning: None,
                name: None,
                credentials: None,
                change: None,
                schedule: None,
                signature: None,
            };
            let (id, bytes) = entry.to_file();
            (id, String::from_utf8(bytes).expect("UTF-8 entry"))
        };
        for n in 0..ARTICLES {
            let slug = format!("generated-article-{n:04}");
            let article = format!("articles/{slug}/article.md");
            let mut last: Option<EntryId> = None;
            for revision in 1..=SIGNOFFS_EACH / 2 {
                let text = article_text(n, revision);
                let rev = blob_id(text.as_bytes());
                let (sub, sub_file) = sign(Action::Submitted, SUZANNE, &rev, last.as_ref());
                let sub_path = format!("articles/{slug}/signoffs/{}", sub.file_name());
                commit(
                    &mut stream,
                    SUZANNE,
                    unix,
                    &format!("submit {slug} r{revision}"),
                    &[(&article, &text), (&sub_path, &sub_file)],
                );
                let reviewer = if revision % 2 == 1 { ANA } else { DAVID };
                let (app, app_file) = sign(Action::Approved, reviewer, &rev, Some(&sub));
                let app_path = format!("articles/{slug}/signoffs/{}", app.file_name());
                commit(
                    &mut stream,
                    reviewer,
                    unix,
                    &format!("approve {slug} r{revision}"),
                    &[(&app_path, &app_file)],
                );
                last = Some(app);
            }
        }
        let mut child = Command::new("git")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args(["fast-import", "--quiet"])
            .current_dir(team.remote())
            .stdin(Stdio::piped())
            .spawn()
            .expect("start git fast-import");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stream.as_bytes())
            .expect("feed git fast-import");
        assert!(child.wait().expect("git fast-import").success());
        let file = team.base().join("big.bundle");
        team.git_remote(&[
            "bundle",
            "create",
            "-q",
            file.to_str().expect("utf-8"),
            "--all",
        ]);
        std::fs::read(&file).expect("read the bundle")
    })
}

/// How long `git push` of HEAD to `url`'s main takes, asserting it was accepted.
fn timed_push(member: &super::Member, url: &str) -> Duration {
    let start = Instant::now();
    accepted(member, &["push", url, "HEAD:main"]);
    start.elapsed()
}

/// Guards "it checks only the pushed commits": pushing one approval to a remote of
/// 200 articles × 4 sign-offs stays well under 2 s with the hook, and the time is
/// printed next to the same push to an ungated copy.
#[test]
fn the_hook_checks_only_the_pushed_commits() {
    let team = Team::from_bundle(big_bundle());
    let ungated = team.base().join("ungated.git");
    team.git_remote(&[
        "clone",
        "-q",
        "--bare",
        ".",
        ungated.to_str().expect("utf-8"),
    ]);
    install(&team);
    let mut ana = team.clone_for(ANA);
    let count = ana.git(&["rev-list", "--count", "HEAD"]);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let plain = timed_push(&ana, ungated.to_str().expect("utf-8"));
    // Warm the page cache the same way for both, then the measured gated push.
    let gated = timed_push(&ana, "origin");
    let hook = gated.saturating_sub(plain);
    eprintln!(
        "server hook: push of 1 sign-off to a remote of {} articles x {SIGNOFFS_EACH} sign-offs \
         ({} commits): {:.0} ms with the hook, {:.0} ms without (hook ~{:.0} ms)",
        ARTICLES + 1,
        count.trim(),
        gated.as_secs_f64() * 1000.0,
        plain.as_secs_f64() * 1000.0,
        hook.as_secs_f64() * 1000.0,
    );
    assert!(
        gated < BOUND,
        "the gated push took {gated:?} (bound {BOUND:?})"
    );
    assert!(
        Path::new(&team.remote())
            .join("hooks/pre-receive")
            .is_file()
    );

    // The push that creates main on a new gated server brings the whole history,
    // which check's rules verify: slower, but bounded too.
    let empty = team.base().join("new-server.git");
    let empty_arg = empty.to_str().expect("utf-8");
    team.git_remote(&["init", "-q", "--bare", "-b", "main", empty_arg]);
    let run = super::medreview(team.base(), &["hook", "install", "--server", empty_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let start = Instant::now();
    accepted(&ana, &["push", empty_arg, "HEAD:refs/heads/main"]);
    let first = start.elapsed();
    eprintln!(
        "server hook: first push of the whole record ({} commits) to an empty gated server: {:.0} ms",
        count.trim(),
        first.as_secs_f64() * 1000.0
    );
    assert!(first < FIRST_PUSH_BOUND, "took {first:?}");
}
