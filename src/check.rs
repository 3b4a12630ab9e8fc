//! `check`: every file, every reference, every signature and the append-only
//! history of every ledger, with every problem listed (never only the first).
//!
//! Cost: the files of the working tree are read once (O(articles + sign-offs));
//! the history is one pass over the commits of HEAD, comparing each commit with
//! its parents by tree under `articles/*/signoffs.yaml` (unchanged folders are
//! skipped by id), and parsing only the ledger versions a commit changed
//! (O(commits + ledger changes × ledger size)).

use std::path::Path;

use chrono::{DateTime, FixedOffset, TimeDelta};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::gitstore::LedgerChange;
use crate::ledger::{Action, Entry, Ledger};
use crate::record::ArticleRecord;
use crate::roster::Roster;
use crate::signing;
use crate::source::WorkTree;
use crate::state::approval_policy_problem;
use crate::workspace::{CONFIG_FILE, Workspace};

/// How far a ledger entry's `at` may be from the author time of the commit that
/// added it. medreview writes both from the same clock, so they agree to the second;
/// the tolerance absorbs commits made by hand or by other tools.
pub const TIME_TOLERANCE_MINUTES: i64 = 5;

/// One problem found.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// The file, workspace-relative, when the problem is in one.
    pub file: Option<String>,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The commit, when the problem is in the history.
    pub commit: Option<String>,
    /// What is wrong and, where there is one, how to fix it.
    pub message: String,
}

impl Problem {
    fn at(file: &str, line: Option<usize>, message: String) -> Problem {
        Problem {
            file: Some(file.to_owned()),
            line,
            commit: None,
            message,
        }
    }

    fn from_error(err: &Error) -> Problem {
        let message = match err.hint() {
            Some(hint) => format!("{err} ({hint})"),
            None => err.to_string(),
        };
        let (file, line) = match err {
            Error::Yaml(y) => (Some(y.file.display().to_string()), y.line),
            _ => (None, None),
        };
        Problem {
            file,
            line,
            commit: None,
            message,
        }
    }
}

/// What `check` looked at and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Every problem, in the order found.
    pub problems: Vec<Problem>,
    /// Articles checked.
    pub articles: usize,
    /// Ledger entries checked.
    pub entries: usize,
    /// Commits walked.
    pub commits: usize,
    /// Ledger versions compared across history.
    pub ledger_changes: usize,
}

/// Checks the workspace.
pub fn run(ws: &Workspace) -> Result<Report> {
    let mut problems = Vec::new();
    let src = WorkTree(ws.root());
    let (roster, roster_errors) = Roster::load_lenient(&src)?;
    problems.extend(roster_errors.iter().map(Problem::from_error));
    check_roster(&roster, ws, &mut problems);
    let mut articles = 0;
    let mut entries = 0;
    for slug in ws.article_slugs()? {
        let slug = match slug {
            Ok(slug) => slug,
            Err(err) => {
                problems.push(Problem::from_error(&err));
                continue;
            }
        };
        articles += 1;
        match ArticleRecord::load(ws, &slug) {
            Ok(record) => {
                entries += record.ledger.entries.len();
                check_article(ws, &roster, &record, &mut problems);
            }
            Err(err) => problems.push(Problem::from_error(&err)),
        }
    }
    let (changes, commits) = ws
        .git
        .history_of(&ws.repo_path("articles"), "signoffs.yaml")?;
    for change in &changes {
        check_change(ws, change, &mut problems);
    }
    Ok(Report {
        problems,
        articles,
        entries,
        commits,
        ledger_changes: changes.len(),
    })
}

fn check_roster(roster: &Roster, ws: &Workspace, problems: &mut Vec<Problem>) {
    let keys = roster
        .writers
        .iter()
        .map(|(id, w)| ("writers", id, w.public_key.as_deref()))
        .chain(
            roster
                .reviewers
                .iter()
                .map(|(id, r)| ("reviewers", id, r.public_key.as_deref())),
        );
    for (folder, id, key) in keys {
        if let Some(key) = key
            && let Err(why) = signing::check_public_key(key)
        {
            problems.push(Problem::at(
                &format!("{folder}/{id}.yaml"),
                None,
                format!("public_key is not an OpenSSH public key: {why}"),
            ));
        }
    }
    for publisher in &ws.config.publishers {
        if !roster.contains(publisher) {
            problems.push(Problem::at(
                CONFIG_FILE,
                None,
                format!("publisher {publisher} is not in writers/ or reviewers/"),
            ));
        }
    }
}

/// The 1-based line of each entry (`- action:` at the start of a line) in a ledger's text.
fn entry_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- "))
        .map(|(i, _)| i + 1)
        .collect()
}

fn check_article(
    ws: &Workspace,
    roster: &Roster,
    record: &ArticleRecord,
    problems: &mut Vec<Problem>,
) {
    let slug = &record.slug;
    let article_rel = Workspace::article_rel(slug);
    let ledger_rel = Workspace::ledger_rel(slug);
    match record.working_article() {
        Ok(article) => {
            if let Err(err) = article.check_people(roster, Path::new(&article_rel)) {
                problems.push(Problem::from_error(&err));
            }
        }
        Err(err) => problems.push(Problem::from_error(&err)),
    }
    if let Err(err) = record.ensure_ledger_committed(ws) {
        problems.push(Problem::at(&ledger_rel, None, err.to_string()));
    }
    let lines = entry_lines(record.ledger.text());
    let revisions = record.ledger.revisions();
    let policy = &ws.config.review;
    for (i, entry) in record.ledger.entries.iter().enumerate() {
        let line = lines.get(i).copied();
        let mut report = |message: String| problems.push(Problem::at(&ledger_rel, line, message));
        let what = format!(
            "{} by {} at {}",
            entry.action,
            entry.by,
            crate::clock::rfc3339(&entry.at)
        );
        if !ws.git.has_blob(&entry.revision) {
            report(format!(
                "{what}: revision {} is not in the repository",
                entry.revision
            ));
        }
        let in_roster = match entry.action {
            Action::Submitted => roster.contains(&entry.by),
            _ => roster.reviewers.contains_key(&entry.by),
        };
        if !in_roster {
            let folder = if entry.action == Action::Submitted {
                "writers/ or reviewers/"
            } else {
                "reviewers/"
            };
            report(format!("{what}: {} is not in {folder}", entry.by));
        }
        let public_key = roster.public_key_of(&entry.by);
        match (&entry.signature, policy.require_signatures) {
            (Some(_), _) => {
                if let Err(why) = signing::verify(slug, entry, public_key) {
                    report(format!("{what}: the signature does not verify: {why}"));
                }
            }
            (None, true) => report(format!(
                "{what}: it is unsigned, and medreview.yaml requires signatures"
            )),
            (None, false) => {}
        }
        match revisions.iter().find(|r| r.id == entry.revision) {
            Some(revision) if entry.action == Action::Approved => {
                // Signature problems were reported above; the policy ones here.
                if let Some(why) = approval_policy_problem(entry, revision, roster)
                    && roster.reviewers.contains_key(&entry.by)
                {
                    report(format!("{what}: the approval does not count: {why}"));
                }
            }
            Some(_) => {}
            None => report(format!(
                "{what}: revision {} was never submitted",
                entry.revision.short()
            )),
        }
    }
}

/// Checks one commit's change to one ledger: nothing removed or edited, and each
/// new entry dated within the tolerance of the commit.
fn check_change(ws: &Workspace, change: &LedgerChange, problems: &mut Vec<Problem>) {
    let short = &change.commit[..10];
    let file = change
        .path
        .strip_prefix(ws.prefix())
        .unwrap_or(&change.path)
        .to_owned();
    let mut report = |message: String| {
        problems.push(Problem {
            file: Some(file.clone()),
            line: None,
            commit: Some(change.commit.clone()),
            message: format!("commit {short} ({}): {message}", change.subject),
        })
    };
    let parse = |bytes: &Option<Vec<u8>>| -> std::result::Result<Vec<Entry>, String> {
        match bytes {
            None => Ok(Vec::new()),
            Some(bytes) => {
                let text = String::from_utf8_lossy(bytes);
                Ledger::parse(&text, Path::new(&file))
                    .map(|l| l.entries)
                    .map_err(|e| e.to_string())
            }
        }
    };
    let after = match parse(&change.after) {
        Ok(entries) => entries,
        Err(why) => {
            report(format!("the ledger does not parse: {why}"));
            return;
        }
    };
    if change.after.is_none() {
        report("the ledger was deleted".into());
    }
    let mut known: Vec<&Entry> = Vec::new();
    let befores: Vec<Vec<Entry>> = change.before.iter().filter_map(|b| parse(b).ok()).collect();
    for before in &befores {
        // Every earlier entry must still be there, unchanged and in order.
        let mut rest = after.iter();
        for (i, old) in before.iter().enumerate() {
            if !rest.any(|new| new == old) {
                report(format!(
                    "entry {} ({} by {} at {}) was removed or edited",
                    i + 1,
                    old.action,
                    old.by,
                    crate::clock::rfc3339(&old.at)
                ));
                break;
            }
        }
        known.extend(before.iter());
    }
    for entry in after.iter().filter(|e| !known.contains(e)) {
        if !within_tolerance(entry.at, change.author_time) {
            report(format!(
                "the entry {} by {} says {} but the commit that recorded it is dated {}",
                entry.action,
                entry.by,
                crate::clock::rfc3339(&entry.at),
                crate::clock::rfc3339(&change.author_time)
            ));
        }
    }
}

fn within_tolerance(a: DateTime<FixedOffset>, b: DateTime<FixedOffset>) -> bool {
    (a - b).abs() <= TimeDelta::minutes(TIME_TOLERANCE_MINUTES)
}
