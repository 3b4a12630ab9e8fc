//! The workspace generator: the tool's own `init`, `writer add` and `reviewer add`
//! bootstrap the workspace, then every sign-off is streamed into `git fast-import`
//! exactly as `medreview submit`, `approve` and `request-changes` would commit it
//! (same files, entry bytes from the library's own `Entry::to_file`, same message,
//! author, committer and time), so commit ids match the CLI's (see `verify`).
//!
//! Cost: generating the texts takes about a second per 1,000 articles; `git
//! fast-import` dominates, because it re-serializes (sorts, formats, hashes and
//! deltas) the flat `articles/` tree, one entry per article, for every commit:
//! O(articles) per commit. 1,000 articles × 5 revisions take ~20 s, 10,000 × 5
//! ~17 minutes on 2 cores. Writing the pack directly (trees spliced in memory,
//! deltas known from the one changed entry) would remove that.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use chrono::{DateTime, FixedOffset, TimeDelta};
use medreview_core::ids::Id;
use medreview_core::record::entry::{Action, Entry, EntryId};
use medreview_core::workspace::Workspace;
use medreview_store::gitstore::GitStore;
use medreview_store::revision::RevId;

use crate::corpus::Article;
use crate::sh::{self, BIN};

/// The clock of the bootstrap commits (init and roster).
pub const BOOT: &str = "2025-01-05T09:00:00+00:00";
/// The first sign-off; every sign-off is spread over the 300 days after it.
const START: &str = "2025-01-06T09:00:00+00:00";
const SPAN_SECONDS: i64 = 300 * 86_400;
/// The repository's git identity: the committer of every commit.
pub const COMMITTER: (&str, &str) = ("Bench Runner", "bench@example.org");
pub const WRITERS: &[(&str, &str)] = &[
    ("amara-okafor", "Amara Okafor"),
    ("ben-fischer", "Ben Fischer"),
    ("chloe-tanaka", "Chloe Tanaka"),
    ("daniel-rossi", "Daniel Rossi"),
];
pub const REVIEWERS: &[(&str, &str, &str)] = &[
    ("elena-garcia", "Elena Garcia", "M.D."),
    ("farid-haddad", "Farid Haddad", "M.D., Ph.D."),
    ("grace-ito", "Grace Ito", "D.O."),
    ("hiro-jensen", "Hiro Jensen", "Pharm.D."),
    ("isabel-larsen", "Isabel Larsen", "R.N., M.S.N."),
    ("jonas-mbeki", "Jonas Mbeki", "M.D., M.P.H."),
];

pub fn email(id: &str) -> String {
    format!("{}@example.org", id.replace('-', "."))
}

pub fn writer_bio(name: &str) -> String {
    format!("{name} writes patient-education articles.")
}

pub fn reviewer_bio(name: &str) -> String {
    format!("{name} reviews health articles for accuracy.")
}

/// One sign-off of the plan.
pub struct Signoff {
    pub i: usize,
    pub slug: String,
    pub action: Action,
    pub by: &'static str,
    pub at: DateTime<FixedOffset>,
    /// The revision's number (`r1`…).
    pub number: usize,
    pub note: Option<String>,
    /// The article's text (its new revision) for a submission.
    pub text: Option<String>,
}

/// An article as it ends: its last revision, approved at `approved`.
pub struct Final {
    pub article: Article,
    pub text: String,
    pub approved: DateTime<FixedOffset>,
}

fn time(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("a valid time")
}

/// Every sign-off, in commit order: round by round, each article submitted and
/// then decided. The last revision is always approved; an earlier one is sent back
/// one time in five. `each` sees them in order; the articles' final state is returned.
pub fn plan(articles: usize, rounds: usize, mut each: impl FnMut(&Signoff)) -> Vec<Final> {
    let start = time(START);
    let total = (2 * articles * rounds).max(1) as i64;
    let step = (SPAN_SECONDS / total).max(1);
    let mut live: Vec<Article> = (0..articles)
        .map(|i| Article::new(i, WRITERS.len(), REVIEWERS.len()))
        .collect();
    let mut approved = vec![start; articles];
    let mut event = 0i64;
    for k in 0..rounds {
        for (i, article) in live.iter_mut().enumerate() {
            let note = if k == 0 {
                "First draft.".to_owned()
            } else {
                article.revise(i, k)
            };
            let writer = WRITERS[article.writer].0;
            let reviewer = REVIEWERS[article.reviewer].0;
            let text = article.render(writer, reviewer);
            let at = start + TimeDelta::seconds(event * step);
            event += 1;
            each(&Signoff {
                i,
                slug: article.slug.clone(),
                action: Action::Submitted,
                by: writer,
                at,
                number: k + 1,
                note: Some(note),
                text: Some(text),
            });
            let sent_back =
                k + 1 < rounds && crate::corpus::Rng::new((i * 131 + k) as u64).chance(0.2);
            let at = start + TimeDelta::seconds(event * step);
            event += 1;
            if !sent_back {
                approved[i] = at;
            }
            each(&Signoff {
                i,
                slug: article.slug.clone(),
                action: if sent_back {
                    Action::ChangesRequested
                } else {
                    Action::Approved
                },
                by: reviewer,
                at,
                number: k + 1,
                note: sent_back
                    .then(|| format!("Please check block {} against the sources.", k + 2)),
                text: None,
            });
        }
    }
    live.into_iter()
        .zip(approved)
        .map(|(article, approved)| {
            let text = article.render(WRITERS[article.writer].0, REVIEWERS[article.reviewer].0);
            Final {
                article,
                text,
                approved,
            }
        })
        .collect()
}

/// `git init` and the tool's own first commits, at `BOOT`.
pub fn bootstrap(dir: &Path) {
    std::fs::create_dir_all(dir).expect("create the workspace folder");
    sh::run(dir, "git", &["init", "-q", "-b", "main"]);
    sh::run(dir, "git", &["config", "user.name", COMMITTER.0]);
    sh::run(dir, "git", &["config", "user.email", COMMITTER.1]);
    sh::run_at(
        dir,
        BOOT,
        BIN,
        &["init", "--publication", "Bench Health", "--no-admin"],
    );
    for (id, name) in WRITERS {
        let (email, bio) = (email(id), writer_bio(name));
        sh::run_at(
            dir,
            BOOT,
            BIN,
            &[
                "writer", "add", id, "--name", name, "--email", &email, "--bio", &bio,
            ],
        );
    }
    for (id, name, credentials) in REVIEWERS {
        let (email, bio) = (email(id), reviewer_bio(name));
        sh::run_at(
            dir,
            BOOT,
            BIN,
            &[
                "reviewer",
                "add",
                id,
                "--name",
                name,
                "--credentials",
                credentials,
                "--specialty",
                "internal medicine",
                "--license-expires",
                "2030-12-31",
                "--email",
                &email,
                "--bio",
                &bio,
            ],
        );
    }
}

fn name_of(id: &str) -> &'static str {
    WRITERS
        .iter()
        .map(|w| (w.0, w.1))
        .chain(REVIEWERS.iter().map(|r| (r.0, r.1)))
        .find(|p| p.0 == id)
        .map(|p| p.1)
        .expect("a roster id")
}

/// Bootstraps `dir` and streams `articles × rounds` revisions into it; returns the
/// articles' final state and the number of sign-off commits.
pub fn build(dir: &Path, articles: usize, rounds: usize) -> (Vec<Final>, usize) {
    let started = std::time::Instant::now();
    bootstrap(dir);
    let booted = started.elapsed().as_secs_f64();
    let ws = Workspace::open(dir.to_path_buf()).expect("open the workspace");
    let roster = ws.people().expect("read the roster").heads();
    drop(ws);
    let parent = sh::run(dir, "git", &["rev-parse", "HEAD"])
        .trim()
        .to_owned();
    let mut child = sh::command(dir, "git", &["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("start git fast-import");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, child.stdin.take().expect("stdin"));
    let mut heads: Vec<Option<EntryId>> = vec![None; articles];
    let mut revisions: Vec<Option<RevId>> = vec![None; articles];
    let mut commits = 0usize;
    let finals = plan(articles, rounds, |s| {
        if let Some(text) = &s.text {
            revisions[s.i] = Some(GitStore::blob_id(text.as_bytes()));
        }
        let revision = revisions[s.i]
            .clone()
            .expect("submitted before it is decided");
        let entry = Entry {
            action: s.action,
            by: Id::parse("id", s.by).expect("an id"),
            at: s.at,
            revision: revision.clone(),
            after: heads[s.i].iter().cloned().collect(),
            note: s.note.clone(),
            recorded_by: None,
            roster: roster.clone(),
            clock: Some("MEDREVIEW_NOW".to_owned()),
            format: None,
            viewed: None,
            meaning: None,
            name: None,
            credentials: None,
            change: None,
            schedule: None,
            signature: None,
        };
        // Approvals and re-reviews say what they mean and print the signer's name
        // and credentials, as `approve` writes them.
        let mut entry = entry;
        if matches!(s.action, Action::Approved | Action::Recertified) {
            let (_, name, credentials) =
                REVIEWERS.iter().find(|r| r.0 == s.by).expect("a reviewer");
            entry.meaning = Some("medical-accuracy".to_owned());
            entry.name = Some((*name).to_owned());
            entry.credentials = Some((*credentials).to_owned());
        }
        let (entry_id, bytes) = entry.to_file();
        let mut message = format!("{} {} r{}\n\n", s.action.verb(), s.slug, s.number);
        if let Some(note) = s.note.as_deref().filter(|n| !n.trim().is_empty()) {
            message.push_str(note.trim());
            message.push_str("\n\n");
        }
        message.push_str(&format!(
            "Medreview-Action: {}\nMedreview-Article: {}\nMedreview-Revision: {revision}\nMedreview-By: {}\nMedreview-Entry: {entry_id}\n",
            s.action, s.slug, s.by
        ));
        let stamp = s.at.timestamp();
        let w = &mut out;
        write!(
            w,
            "commit refs/heads/main\nauthor {} <{}> {stamp} +0000\ncommitter {} <{}> {stamp} +0000\ndata {}\n{message}",
            name_of(s.by),
            email(s.by),
            COMMITTER.0,
            COMMITTER.1,
            message.len()
        )
        .expect("write to fast-import");
        if commits == 0 {
            writeln!(w, "from {parent}").expect("write to fast-import");
        }
        if let Some(text) = &s.text {
            write!(
                w,
                "M 100644 inline articles/{}/article.md\ndata {}\n{text}\n",
                s.slug,
                text.len()
            )
            .expect("write to fast-import");
        }
        write!(
            w,
            "M 100644 inline articles/{}/signoffs/{}\ndata {}\n",
            s.slug,
            entry_id.file_name(),
            bytes.len()
        )
        .expect("write to fast-import");
        w.write_all(&bytes).expect("write to fast-import");
        w.write_all(b"\n").expect("write to fast-import");
        heads[s.i] = Some(entry_id);
        commits += 1;
    });
    out.write_all(b"done\n").expect("write to fast-import");
    drop(out);
    assert!(
        child.wait().expect("git fast-import").success(),
        "git fast-import failed"
    );
    let imported = started.elapsed().as_secs_f64();
    sh::run(dir, "git", &["reset", "-q", "--hard", "main"]);
    if articles > 3 {
        println!(
            "  bootstrap {booted:.1} s, generate and fast-import {:.1} s, checkout {:.1} s",
            imported - booted,
            started.elapsed().as_secs_f64() - imported
        );
    }
    (finals, commits)
}

/// The same plan, command by command with the real binary.
pub fn build_with_cli(dir: &Path, articles: usize, rounds: usize) {
    bootstrap(dir);
    plan(articles, rounds, |s| {
        let now = medreview_core::clock::rfc3339(&s.at);
        let number = format!("r{}", s.number);
        let note = s.note.clone().unwrap_or_default();
        match s.action {
            Action::Submitted => {
                let path = dir.join("articles").join(&s.slug).join("article.md");
                std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
                std::fs::write(&path, s.text.as_deref().expect("a text")).expect("write");
                sh::run_at(
                    dir,
                    &now,
                    BIN,
                    &["submit", &s.slug, "--as", s.by, "-m", &note],
                );
            }
            Action::Approved => {
                sh::run_at(
                    dir,
                    &now,
                    BIN,
                    &["approve", &s.slug, "--as", s.by, "--revision", &number],
                );
            }
            _ => {
                sh::run_at(
                    dir,
                    &now,
                    BIN,
                    &["request-changes", &s.slug, "--as", s.by, "-m", &note],
                );
            }
        }
    });
}
