//! `check`: every file, every reference, every signature and the append-only
//! history of every record, with every problem listed (never only the first).
//!
//! Cost: the files of the working tree are read once (O(articles + sign-offs)); the
//! history is walked from the checkpoint `refs/medreview/checked` (see
//! [`crate::record::history`]), so a second run costs only the commits since the
//! last clean one, and each commit costs a tree comparison that skips unchanged
//! folders by id plus one read per sign-off file it added.

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::ledger::entry::Action;
use crate::record::ArticleRecord;
use crate::record::evaluate::{approval_policy_problem, meaning_problem, signature_problem};
use crate::record::history::{self, HistoryProblem};
use crate::roster::Roster;
use crate::roster::people::People;
use crate::signing;
use crate::source::WorkTree;
use crate::workspace::{CONFIG_FILE, Workspace};

pub use crate::record::history::TIME_TOLERANCE_MINUTES;

/// One problem found.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A stable code naming the rule (`entry-edited`, `signature`, ...).
    pub code: &'static str,
    /// The file, workspace-relative, when the problem is in one.
    pub file: Option<String>,
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The commit, when the problem is in the history.
    pub commit: Option<String>,
    /// What is wrong and, where there is one, how to fix it.
    pub message: String,
    /// The 1-based column in characters, when known (editorial findings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// `error`, `warning` or `info` for an editorial finding (`lint`); a record
    /// problem has none and is always an error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<&'static str>,
    /// For an entry file edited or removed in history: the bytes it held before
    /// (what `repair` puts back).
    #[serde(skip)]
    pub before: Option<medreview_store::revision::RevId>,
}

impl Problem {
    /// A problem in `file`.
    pub fn at(code: &'static str, file: &str, line: Option<usize>, message: String) -> Problem {
        Problem {
            code,
            file: Some(file.to_owned()),
            line,
            commit: None,
            message,
            column: None,
            severity: None,
            before: None,
        }
    }

    /// A problem from an error reading something.
    pub fn from_error(code: &'static str, err: &Error) -> Problem {
        let message = match err.hint() {
            Some(hint) => format!("{err} ({hint})"),
            None => err.to_string(),
        };
        let (file, line) = match err {
            Error::Yaml(y) => (Some(y.file.display().to_string()), y.line),
            _ => (None, None),
        };
        Problem {
            code,
            file,
            line,
            commit: None,
            message,
            column: None,
            severity: None,
            before: None,
        }
    }
}

impl Problem {
    /// Where it is, as a message starts (`file:line: `, `file: `, or nothing).
    pub fn place(&self) -> String {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => format!("{file}:{line}: "),
            (Some(file), None) => format!("{file}: "),
            (None, _) => String::new(),
        }
    }

    /// The problem with `root` (the workspace folder) taken off its file, so the file
    /// is workspace-relative as everywhere else.
    pub fn relative_to(mut self, root: &std::path::Path) -> Problem {
        let prefix = format!("{}/", root.display());
        if let Some(file) = &self.file
            && let Some(rel) = file.strip_prefix(&prefix)
        {
            self.file = Some(rel.to_owned());
        }
        self.message = self.message.replace(&prefix, "");
        self
    }
}

impl From<HistoryProblem> for Problem {
    fn from(p: HistoryProblem) -> Problem {
        Problem {
            code: p.code,
            file: p.file,
            line: None,
            commit: p.commit,
            message: p.message,
            column: None,
            severity: history::is_clock_warning(p.code).then_some("warning"),
            before: p.before,
        }
    }
}

/// What `check` looked at and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Every problem, in the order found.
    pub problems: Vec<Problem>,
    /// What could not be checked and why (a shallow clone), which is not a problem.
    pub notes: Vec<String>,
    /// Problems in history that a later commit put right (a hand edit an admin
    /// recorded or restored, an entry reverted byte for byte), and files an
    /// admin voided: listed, never counted.
    pub repaired: Vec<Problem>,
    /// Clocks found off (`commit-time-order`, `entry-in-the-future`,
    /// `entry-time-order`): said to whoever checks, never a failure, because clocks
    /// order nothing in the record (see docs/sync.md).
    pub warnings: Vec<Problem>,
    /// Articles checked.
    pub articles: usize,
    /// Sign-offs checked in the working tree.
    pub entries: usize,
    /// Commits walked (those since the checkpoint).
    pub commits: usize,
    /// Sign-off files whose addition was verified in the commits walked.
    pub entries_verified: usize,
    /// The checkpoint the walk started from, if any.
    pub checkpoint: Option<String>,
    /// Whether the checkpoint now names HEAD.
    pub checkpoint_moved: bool,
    /// When the walk's starting point rests on the server gate's signed
    /// checkpoint: the fingerprint of the key that signed it (see `history::gate`).
    pub checkpoint_signed_by: Option<String>,
}

/// Checks the workspace.
/// `progress`: show progress bars on a terminal (not with `--json`).
pub fn run(ws: &Workspace, progress: bool) -> Result<Report> {
    let mut problems = Vec::new();
    let src = WorkTree(ws.root());
    let (roster, roster_errors) = Roster::load_lenient(&src)?;
    problems.extend(
        roster_errors
            .iter()
            .map(|e| Problem::from_error("roster-file", e)),
    );
    check_roster(&roster, ws, &mut problems);
    let committed = || -> Result<Option<crate::source::Committed<'_>>> {
        Ok(match ws.git.head_snapshot() {
            Ok(snapshot) => Some(crate::source::Committed {
                snapshot,
                prefix: ws.prefix().to_owned(),
                root: ws.root().to_path_buf(),
            }),
            Err(_) => None,
        })
    };
    let log = match crate::roster::log::RosterLog::load(&src, &ws.git) {
        Ok(log) => log,
        // A working tree whose `roster` is a link or a file: reported, and the
        // history is judged by the committed record instead.
        Err(err) => match committed()? {
            Some(head) => {
                problems.push(Problem::from_error("roster-damaged", &err).relative_to(ws.root()));
                crate::roster::log::RosterLog::load(&head, &ws.git)?
            }
            None => return Err(err),
        },
    };
    // Sign-offs are judged by HEAD's roster and settings, as approve, status and
    // publish judge them; the working tree's files are still checked above.
    let people = match committed()? {
        Some(head) => crate::roster::people::load_lenient(&head, &ws.git)?,
        None => crate::roster::people::load_lenient(&src, &ws.git)?,
    };
    if let Some((why, _)) = people.damage() {
        problems.push(Problem::at(
            "roster-damaged",
            crate::roster::log::ROSTER_DIR,
            None,
            format!("{why} (the problems below name the commit that did it; `medreview repair` lists the recorded fix)"),
        ));
    }
    let current = people.current().roster.clone();
    let mut voided = Vec::new();
    for p in crate::roster::audit::audit(&log, &src, &current)? {
        let problem = Problem::at(p.code, &p.file, None, p.message);
        match p.code {
            "voided" => voided.push(problem),
            _ => problems.push(problem),
        }
    }
    if let Err(err) = crate::workspace::ensure_folder_committed(ws, crate::roster::log::ROSTER_DIR)
    {
        problems.push(Problem::at(
            "uncommitted",
            crate::roster::log::ROSTER_DIR,
            None,
            err.to_string(),
        ));
    }
    ws.git.memo.bulk();
    // A damaged roster is judged afresh: no result kept under another judges it.
    let people_key = ws
        .git
        .memo
        .active()
        .then(|| ws.committed_people_key())
        .flatten()
        .filter(|_| people.damage().is_none());
    let mut articles = 0;
    let mut entries = 0;
    let slugs = ws.article_slugs()?;
    let mut bar = medreview_output::Progress::new(slugs.len() as u64, "articles checked", progress);
    let head = ws.git.head_snapshot().ok();
    // In a shallow clone, revisions submitted before its oldest commit are not here.
    let mut not_fetched = if ws.git.is_shallow() { Some(0) } else { None };
    for slug in slugs {
        bar.tick();
        let slug = match slug {
            Ok(slug) => slug,
            Err(err) => {
                problems.push(Problem::from_error("article-folder", &err));
                continue;
            }
        };
        articles += 1;
        // A clean article whose files, people and committed record are as they were
        // when it was last found clean is clean (never kept in a shallow clone, whose
        // missing revisions are counted, not checked).
        let key = people_key
            .as_deref()
            .filter(|_| not_fetched.is_none())
            .and_then(|people| {
                let article = ws.article_key(&slug)?;
                let folder = |rel: String| {
                    head.as_ref()
                        .and_then(|h| h.folder_id(&format!("{}{rel}", ws.prefix())))
                };
                let committed = folder(Workspace::signoffs_rel(&slug));
                let comments = folder(Workspace::comments_rel(&slug));
                Some(crate::memo::key(&[
                    "check-1",
                    people,
                    &article,
                    committed.as_ref().map_or("-", |c| c.as_str()),
                    comments.as_ref().map_or("-", |c| c.as_str()),
                ]))
            });
        if let Some(clean) = key.as_deref().and_then(|k| ws.git.memo.summary::<usize>(k)) {
            entries += clean;
            continue;
        }
        match ArticleRecord::load_lenient(ws, &slug) {
            Ok(record) => {
                entries += record.ledger.entries.len();
                let before = problems.len();
                let voided_before = voided.len();
                check_article(
                    ws,
                    head.as_ref(),
                    &*people,
                    &record,
                    &mut problems,
                    &mut voided,
                    &mut not_fetched,
                );
                if let Some(key) = &key
                    && problems.len() == before
                    && voided.len() == voided_before
                {
                    ws.git.memo.keep_summary(key, &record.ledger.entries.len());
                }
            }
            Err(err) => problems.push(Problem::from_error("record", &err)),
        }
    }
    let root = ws.prefix().trim_end_matches('/').to_owned();
    let scope = history::Scope {
        root: &root,
        roster: &current,
        move_checkpoint: true,
        roster_log: &log,
        progress,
        tip: None,
    };
    let history = history::verify(&ws.git, &scope)?;
    let mut notes = Vec::new();
    if let Some(cp) = &history.checkpoint_ignored {
        notes.push(format!(
            "the checkpoint {CHECKPOINT} names commit {}, which this build of medreview did not verify (it was moved by hand, by another version, or verified on top of a gate checkpoint this clone no longer trusts), so the whole history was checked",
            &cp[..cp.len().min(10)],
            CHECKPOINT = history::CHECKPOINT_REF
        ));
    }
    if history.walk.shallow {
        notes.push(format!(
            "this is a shallow clone: the {} here were checked, but entries recorded before its oldest commit cannot be proved unedited, and the checkpoint was not moved; `git fetch --unshallow` fetches the rest",
            crate::plural::plural(history.walk.commits, "commit", "commits")
        ));
    }
    if let Some(n) = not_fetched.filter(|n| *n > 0) {
        notes.push(format!(
            "{} a revision that this shallow clone does not hold, so {} not checked",
            crate::plural::plural(n, "sign-off names", "sign-offs name"),
            if n == 1 {
                "its revision was"
            } else {
                "their revisions were"
            }
        ));
    }
    problems.extend(history.problems.into_iter().map(Problem::from));
    let mut repaired: Vec<Problem> = history.settled.into_iter().map(Problem::from).collect();
    repaired.extend(voided);
    let mut warnings = split_warnings(&mut problems);
    warnings.extend(history.warnings.into_iter().map(Problem::from));
    Ok(Report {
        problems,
        notes,
        repaired,
        warnings,
        articles,
        entries,
        commits: history.walk.commits,
        entries_verified: history.entries_verified,
        checkpoint: history.walk.checkpoint,
        checkpoint_moved: history.checkpoint_moved,
        checkpoint_signed_by: history.signed_by,
    })
}

/// Takes the clock warnings ([`history::CLOCK_WARNINGS`]) out of `problems` and
/// returns them, each marked `severity: warning`.
pub fn split_warnings(problems: &mut Vec<Problem>) -> Vec<Problem> {
    let (warnings, rest): (Vec<_>, Vec<_>) = std::mem::take(problems)
        .into_iter()
        .partition(|p| history::is_clock_warning(p.code) || p.code == "key-reset-waiting");
    *problems = rest;
    warnings
        .into_iter()
        .map(|p| Problem {
            severity: Some("warning"),
            ..p
        })
        .collect()
}

fn check_roster(roster: &Roster, ws: &Workspace, problems: &mut Vec<Problem>) {
    check_keys(roster, problems);
    for publisher in &ws.config.publishers {
        if !roster.contains(publisher) {
            problems.push(Problem::at(
                "publisher",
                CONFIG_FILE,
                None,
                format!("publisher {publisher} is not in writers/ or reviewers/"),
            ));
        }
    }
}

/// Every roster member's public key must be an OpenSSH public key.
pub fn check_keys(roster: &Roster, problems: &mut Vec<Problem>) {
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
                "public-key",
                &format!("{folder}/{id}.yaml"),
                None,
                format!("public_key is not an OpenSSH public key: {why}"),
            ));
        }
    }
}

fn check_article(
    ws: &Workspace,
    head: Option<&medreview_store::gitstore::Snapshot<'_>>,
    people: &dyn People,
    record: &ArticleRecord,
    problems: &mut Vec<Problem>,
    voided: &mut Vec<Problem>,
    not_fetched: &mut Option<usize>,
) {
    let slug = &record.slug;
    let article_rel = Workspace::article_rel(slug);
    let dir = Workspace::signoffs_rel(slug);
    let now = people.current();
    match record.working_article() {
        Ok(article) => {
            if let Err(err) = article.check_people(&now.roster, Path::new(&article_rel)) {
                problems.push(Problem::from_error("article", &err));
            }
        }
        Err(err) => problems.push(Problem::from_error("article", &err)),
    }
    report_damage(&record.ledger, problems);
    if let Err(err) = record.ensure_ledger_committed_in(ws, head) {
        problems.push(Problem::at("uncommitted", &dir, None, err.to_string()));
    }
    check_entries(
        &ws.git,
        people,
        &ws.policy(people),
        slug,
        &record.ledger,
        problems,
        not_fetched,
    );
    unsettled_approvals(people, record, problems);
    check_comments(ws, head, people, record, problems);
    if !record.ledger.voided.is_empty() {
        let listed = voided_files(&record.ledger, problems, &people.voids());
        voided.extend(listed);
    }
}

/// The article's comment entries in the working tree ([`check_conversation`]),
/// and a folder that differs from the committed one (`uncommitted`).
fn check_comments(
    ws: &Workspace,
    head: Option<&medreview_store::gitstore::Snapshot<'_>>,
    people: &dyn People,
    record: &ArticleRecord,
    problems: &mut Vec<Problem>,
) {
    let src = crate::source::WorkTree(ws.root());
    let held = check_conversation(
        &src,
        people,
        &ws.policy(people),
        &record.slug,
        &record.ledger,
        problems,
    );
    if held {
        let dir = Workspace::comments_rel(&record.slug);
        if let Err(err) = crate::workspace::ensure_folder_committed_in(ws, head, &dir) {
            problems.push(Problem::at("uncommitted", &dir, None, err.to_string()));
        }
    }
}

/// The rules every comment entry of one article must meet, wherever the record is
/// read from (the working tree for `check`, a pushed commit for the server gate):
/// files that cannot be read as comments (`comment-damaged`), and entries the
/// conversation's rules do not count (`comment-refused`: the rule `comments` and
/// the approval gate apply). Returns whether the article has comment files.
pub fn check_conversation(
    src: &dyn crate::source::Source,
    people: &dyn People,
    policy: &crate::workspace::ReviewPolicy,
    slug: &crate::ids::Id,
    ledger: &crate::ledger::graph::Ledger,
    problems: &mut Vec<Problem>,
) -> bool {
    let mut conversation = match crate::comments::Conversation::load(src, slug) {
        Ok(conversation) => conversation,
        Err(err) => {
            problems.push(Problem::from_error("comment-damaged", &err));
            return true;
        }
    };
    if conversation.dag.entries.is_empty() && conversation.damage().is_empty() {
        return false;
    }
    conversation.judge(slug, people, policy, &ledger.revisions());
    for damage in conversation.damage() {
        problems.push(Problem::at(
            "comment-damaged",
            &damage.file,
            damage.line,
            damage.message.clone(),
        ));
    }
    for (file, why) in conversation.refused_files(slug) {
        problems.push(Problem::at(
            "comment-refused",
            &file,
            None,
            format!("the comment entry does not count: {why}"),
        ));
    }
    true
}

/// The approvals the roster cannot judge because their signer's file is in
/// conflict ([`People::unsettled`], the rule `evaluate` applies for status, log and
/// publish): `roster-conflict` on each. A damaged roster is reported once, above.
fn unsettled_approvals(people: &dyn People, record: &ArticleRecord, problems: &mut Vec<Problem>) {
    if people.damage().is_some() {
        return;
    }
    let dir = Workspace::signoffs_rel(&record.slug);
    for (i, entry) in record.ledger.entries.iter().enumerate() {
        if !entry.action.vouches() {
            continue;
        }
        if let Some(why) = people.unsettled(entry) {
            problems.push(Problem::at(
                "roster-conflict",
                &format!("{dir}/{}", record.ledger.ids[i].file_name()),
                None,
                format!("the {} by {} does not count: {why}", entry.action, entry.by),
            ));
        }
    }
}

/// The files of a record that could not be read as entries.
pub fn report_damage(ledger: &crate::ledger::graph::Ledger, problems: &mut Vec<Problem>) {
    for damage in &ledger.damage {
        problems.push(Problem::at(
            "entry-damaged",
            &damage.file,
            damage.line,
            damage.message.clone(),
        ));
    }
}

/// The rules every sign-off of one article's record must meet, wherever the record is
/// read from (the working tree for `check`, a pushed or fetched commit for the server
/// gate and `sync`): revisions, roles, signatures, the order of what each
/// signer had seen, and the approval policy.
pub fn check_entries(
    git: &medreview_store::gitstore::GitStore,
    people: &dyn People,
    policy: &crate::workspace::ReviewPolicy,
    slug: &crate::ids::Id,
    ledger: &crate::ledger::graph::Ledger,
    problems: &mut Vec<Problem>,
    not_fetched: &mut Option<usize>,
) {
    let dir = Workspace::signoffs_rel(slug);
    let revisions = ledger.revisions();
    for (i, entry) in ledger.entries.iter().enumerate() {
        // Judged by the roster its signer had.
        let at = people.at(entry);
        let roster = &at.roster;
        let file = format!("{dir}/{}", ledger.ids[i].file_name());
        let mut mine: Vec<Problem> = Vec::new();
        let mut report = |code: &'static str, message: String| {
            mine.push(Problem::at(code, &file, None, message))
        };
        let what = format!(
            "{} by {} at {}",
            entry.action,
            entry.by,
            crate::clock::rfc3339(&entry.at)
        );
        if !git.has_blob(&entry.revision) {
            if let Some(n) = not_fetched {
                *n += 1;
            } else {
                report(
                    "revision-missing",
                    format!(
                        "{what}: revision {} is not in the repository",
                        entry.revision
                    ),
                );
            }
        }
        let in_roster = match entry.action {
            Action::Submitted => roster.contains(&entry.by),
            Action::Scheduled => {
                if let Some(why) = crate::record::evaluate::schedule_problem(
                    entry,
                    &at,
                    people.settings().as_ref(),
                ) {
                    report("signer-role", format!("{what}: {why}"));
                }
                true
            }
            _ => roster.reviewers.contains_key(&entry.by),
        };
        if !in_roster {
            let folder = if entry.action == Action::Submitted {
                "writers/ or reviewers/"
            } else {
                "reviewers/"
            };
            report(
                "signer-role",
                format!("{what}: {} is not in {folder}", entry.by),
            );
        }
        if let Some(why) = crate::roster::identity::proxy_problem(entry, &at) {
            report("proxy-not-allowed", format!("{what}: {why}"));
        }
        if let Some(why) = signature_problem(slug, entry, roster, policy) {
            report("signature", format!("{what}: {why}"));
        }
        // An entry dated before one its signer had seen: one of the two clocks is
        // wrong. A warning (the `after:` link orders them, not the clocks).
        for parent in entry.after.iter().filter_map(|id| ledger.position(id)) {
            let seen = &ledger.entries[parent];
            if !people.includes(entry, seen) {
                report(
                    "roster-order",
                    format!(
                        "{what}: it names an older roster than the {} by {} that its signer had seen",
                        seen.action, seen.by
                    ),
                );
            }
            if entry.at < seen.at {
                report(
                    "entry-time-order",
                    format!(
                        "{what}: it is dated before the {} by {} at {} that its signer had already seen; one of the two clocks is wrong (a warning: `after:` links order the record, not clocks)",
                        seen.action,
                        seen.by,
                        crate::clock::rfc3339(&seen.at)
                    ),
                );
            }
        }
        match revisions.iter().find(|r| r.id == entry.revision) {
            Some(revision) if entry.action.vouches() => {
                // Signature problems were reported above; the policy ones here.
                let writer = people.writer_of(&entry.revision);
                if let Some(why) = approval_policy_problem(entry, revision, roster, writer.as_ref())
                    .or_else(|| meaning_problem(entry, roster, policy))
                    && roster.reviewers.contains_key(&entry.by)
                {
                    report(
                        "approval-policy",
                        format!(
                            "{what}: the {} does not count: {why}",
                            if entry.action == Action::Approved {
                                "approval"
                            } else {
                                "re-review"
                            }
                        ),
                    );
                }
            }
            Some(_) => {}
            None => report(
                "revision-not-submitted",
                format!(
                    "{what}: revision {} was never submitted",
                    entry.revision.short()
                ),
            ),
        }
        if !ledger.voided.contains(&file) {
            problems.append(&mut mine);
        } else if !entry.action.vouches()
            && !mine
                .iter()
                .any(|p| crate::ledger::voids::DOES_NOT_COUNT.contains(&p.code))
        {
            // A void never takes out a sign-off that counts.
            problems.append(&mut mine);
            problems.push(Problem::at(
                "void-refused",
                &file,
                None,
                format!(
                    "an admin's roster entry voids this {} by {}, but it counts; a valid sign-off is never voided, so the void is ignored",
                    entry.action, entry.by
                ),
            ));
        }
    }
}

/// The files of the record admins voided, for `check` and `log` to list: the
/// article's voided sign-off files (those `check_entries` did not refuse the void
/// of) and the roster's.
pub fn voided_files(
    ledger: &crate::ledger::graph::Ledger,
    problems: &[Problem],
    voids: &crate::ledger::voids::Voids,
) -> Vec<Problem> {
    ledger
        .voided
        .iter()
        .filter(|file| {
            !problems
                .iter()
                .any(|p| p.code == "void-refused" && p.file.as_deref() == Some(file.as_str()))
        })
        .filter_map(|file| {
            let void = voids.get(file)?;
            Some(Problem::at("voided", file, None, void.describe()))
        })
        .collect()
}
