//! The rules one commit is held to, one function each, in the order their
//! problems are reported:
//!
//! 1. [`append_only`]: an entry file a parent had is neither removed nor edited
//!    (`entry-removed`, `entry-edited`; format-1 ledgers in [`super::legacy`]).
//! 2. Each new entry file is within size and readable ([`readable`]:
//!    `entry-invalid`, `entry-unreadable`) and parses (`entry-invalid`).
//! 3. A new roster entry was committed by the admin it names
//!    ([`roster_entry_committer`]: `committer-mismatch`).
//! 4. A new sign-off: no format-1 entry outside `migrate`
//!    ([`migrated_outside_migrate`]), its `at` agrees with its commit
//!    ([`entry_time`]), it is not dated after the checking machine's clock
//!    ([`entry_in_the_future`]), it saw every change to its signer's own roster
//!    file ([`roster_stale`]), and its committer is its signer or recorder
//!    ([`sign_off_committer`]).
//!    A new comment entry: its `at` agrees with its commit, and its committer
//!    is its author or recorder ([`comment_rules`]).
//! 5. The commit is not dated before its parent ([`commit_time_order`]).
//! 6. Every roster file changed under an audited roster is named by an admin's
//!    roster entry in the same commit ([`roster_unrecorded`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, FixedOffset, TimeDelta};

use crate::comments::entry::CommentEntry;
use crate::ids::Id;
use crate::record::entry::{self, Entry};
use crate::roster::Role;
use crate::roster::log::{RosterEntry, is_governed_path};
use medreview_store::gitstore::{CommitChanges, FileChange, GitStore};
use medreview_store::revision::RevId;

use super::format1::check_legacy;
use super::{FUTURE_TOLERANCE_MINUTES, HistoryProblem, Scope, TIME_TOLERANCE_MINUTES, join};

/// Where one commit's problems go, each naming the commit and the file.
struct Report<'a, 'p> {
    root: &'a str,
    commit: &'a CommitChanges,
    problems: &'p mut Vec<HistoryProblem>,
}

impl Report<'_, '_> {
    fn at(&mut self, code: &'static str, file: &str, message: String) {
        let short = &self.commit.commit[..10];
        self.problems.push(HistoryProblem {
            code,
            commit: Some(self.commit.commit.clone()),
            file: Some(join(self.root, file)),
            message: format!("commit {short} ({}): {message}", self.commit.subject),
            before: None,
        });
    }

    /// [`Report::at`] for an entry file edited or removed, keeping what it held before.
    fn at_change(&mut self, code: &'static str, change: &FileChange, message: String) {
        self.at(code, &change.path, message);
        if let Some(last) = self.problems.last_mut() {
            last.before = change.old.clone();
        }
    }
}

/// What one article folder's files did in one commit against one parent.
#[derive(Default)]
struct FolderChange<'a> {
    legacy: Option<&'a FileChange>,
    entries: Vec<&'a FileChange>,
}

/// The entry files a commit adds, and the roster files it changes where the
/// roster was audited.
struct Changes<'a> {
    added: BTreeMap<&'a str, &'a FileChange>,
    roster: Vec<(usize, &'a FileChange)>,
}

/// Checks one commit; returns how many new entry files it verified.
pub(super) fn check_commit(
    git: &GitStore,
    scope: &Scope<'_>,
    commit: &CommitChanges,
    problems: &mut Vec<HistoryProblem>,
) -> usize {
    let mut report = Report {
        root: scope.root,
        commit,
        problems,
    };
    let changes = append_only(git, commit, &mut report);
    if commit.shallow_boundary {
        return 0;
    }
    let migrating = migrating_slugs(commit);
    let mut verified = 0;
    // Roster files named by the admins' roster entries this commit adds.
    let mut recorded: BTreeMap<String, RevId> = BTreeMap::new();
    // Whether it adds a sign-off dated by the system clock.
    let mut adds_sign_off = false;
    for (path, change) in changes.added {
        let Some((name, bytes)) = readable(git, path, change, &mut report) else {
            continue;
        };
        if path.starts_with("roster/") {
            match entry::read_named::<RosterEntry>(name, &bytes, Path::new(path)) {
                Ok((_, entry)) => {
                    verified += 1;
                    second_genesis(commit, path, &entry, &mut report);
                    if roster_entry_committer(scope, commit, path, &entry, &mut report) {
                        recorded.extend(entry.files);
                    }
                }
                Err(err) => report.at("entry-invalid", path, err.to_string()),
            }
            continue;
        }
        if super::is_comment_path(path) {
            match entry::read_named::<CommentEntry>(name, &bytes, Path::new(path)) {
                Ok((_, comment)) => {
                    verified += 1;
                    comment_rules(scope, commit, &comment, path, &mut report);
                }
                Err(err) => report.at("entry-invalid", path, err.to_string()),
            }
            continue;
        }
        let entry = match entry::read(name, &bytes, Path::new(path)) {
            Ok((_, entry)) => entry,
            Err(message) => {
                report.at("entry-invalid", path, message.to_string());
                continue;
            }
        };
        verified += 1;
        // A clock set by MEDREVIEW_NOW (an import) is marked in the entry itself.
        adds_sign_off |= !entry.is_migrated() && entry.clock.is_none();
        migrated_outside_migrate(&entry, path, &migrating, &mut report);
        entry_time(&entry, commit, path, &mut report);
        entry_in_the_future(&entry, path, &mut report);
        revision_carried(git, scope, commit, &entry, path, &mut report);
        roster_stale(scope, commit, &entry, path, &mut report);
        recorded_after_end(scope, &commit.parents_roster, &entry, path, &mut report);
        sign_off_committer(scope, commit, &entry, path, &mut report);
    }
    merged_after_end(git, scope, commit, &mut report);
    commit_time_order(commit, adds_sign_off, &mut report);
    roster_unrecorded(commit, &changes.roster, &recorded, &mut report);
    verified
}

/// Rule 4d' for a merge: a sign-off one parent brings onto another parent's roster
/// is recorded there after every roster entry that parent holds (a backdated
/// approval made on a branch forked before the end, merged after it).
fn merged_after_end(
    git: &GitStore,
    scope: &Scope<'_>,
    commit: &CommitChanges,
    report: &mut Report<'_, '_>,
) {
    if commit.against_parents.len() < 2 {
        return;
    }
    for (k, changes) in commit.against_parents.iter().enumerate() {
        let Some(names) = commit.parents_rosters.get(k) else {
            continue;
        };
        for change in changes {
            let (None, Some(blob)) = (&change.old, &change.new) else {
                continue;
            };
            let in_signoffs = super::is_signoff_path(&change.path);
            // Added against every parent: judged with the commit's own additions.
            let everywhere = commit.against_parents.iter().all(|other| {
                other
                    .iter()
                    .any(|c| c.path == change.path && c.old.is_none())
            });
            if !in_signoffs || everywhere {
                continue;
            }
            let name = change.path.rsplit('/').next().unwrap_or_default();
            let Ok(bytes) = git.read_blob(blob) else {
                continue;
            };
            if let Ok((_, entry)) = entry::read(name, &bytes, Path::new(&change.path)) {
                recorded_after_end(scope, names, &entry, &change.path, report);
            }
        }
    }
}

/// Rule 1: entry files are append-only. Returns the files the commit adds (new
/// against its first parent and against every other) and the roster files it
/// changes where the roster was audited.
fn append_only<'c>(
    git: &GitStore,
    commit: &'c CommitChanges,
    report: &mut Report<'_, '_>,
) -> Changes<'c> {
    // A new entry is one no parent had; changed or removed ones are edits.
    let mut added: BTreeMap<&str, &FileChange> = BTreeMap::new();
    // Roster files changed where the roster was audited: each needs a roster entry.
    let mut roster: Vec<(usize, &FileChange)> = Vec::new();
    for (p, changes) in commit.against_parents.iter().enumerate() {
        let mut folders: BTreeMap<&str, FolderChange<'_>> = BTreeMap::new();
        let audited = commit.parents_audited.get(p).copied().unwrap_or(false);
        for change in changes {
            if audited && is_governed_path(&change.path) {
                roster.push((p, change));
            }
            if change.path.starts_with("roster/") {
                folders.entry("").or_default().entries.push(change);
                continue;
            }
            let Some((slug, rest)) = change
                .path
                .strip_prefix("articles/")
                .and_then(|p| p.split_once('/'))
            else {
                continue;
            };
            if rest == "signoffs.yaml" {
                folders.entry(slug).or_default().legacy = Some(change);
            } else if rest.starts_with("signoffs/") || rest.starts_with("comments/") {
                folders.entry(slug).or_default().entries.push(change);
            }
        }
        for (slug, folder) in folders {
            if let Some(legacy) = folder.legacy {
                check_legacy(
                    git,
                    commit,
                    slug,
                    legacy,
                    &folder.entries,
                    &mut |c, f, m| report.at(c, f, m),
                );
            }
            for change in folder.entries {
                match (&change.old, &change.new) {
                    (None, Some(_)) => {
                        if p == 0 {
                            added.insert(&change.path, change);
                        }
                    }
                    (Some(_), None) => report.at_change(
                        "entry-removed",
                        change,
                        format!(
                            "{} was removed; the record is append-only",
                            kind_of(&change.path)
                        ),
                    ),
                    _ => report.at_change(
                        "entry-edited",
                        change,
                        format!(
                            "{} was changed after it was recorded; the record is append-only",
                            kind_of(&change.path)
                        ),
                    ),
                }
            }
        }
        if p > 0 {
            // A file this parent had already is not new in this (merge) commit.
            let here: BTreeSet<&str> = changes
                .iter()
                .filter(|c| c.old.is_none() && c.new.is_some())
                .map(|c| c.path.as_str())
                .collect();
            added.retain(|path, _| here.contains(path));
        }
    }
    Changes { added, roster }
}

/// "a sign-off file", "a comment file" or "a roster entry file", for messages.
fn kind_of(path: &str) -> &'static str {
    if path.starts_with("roster/") {
        "a roster entry file"
    } else if super::is_comment_path(path) {
        "a comment file"
    } else {
        "a sign-off file"
    }
}

/// The articles whose format-1 ledger this commit removes (the `migrate` commit).
fn migrating_slugs(commit: &CommitChanges) -> BTreeSet<&str> {
    commit
        .against_parents
        .iter()
        .flatten()
        .filter(|c| c.path.ends_with("/signoffs.yaml") && c.new.is_none())
        .filter_map(|c| {
            c.path
                .strip_prefix("articles/")?
                .split_once('/')
                .map(|(s, _)| s)
        })
        .collect()
}

/// Rule 2: the new file's name and bytes, when it is an entry within size that can
/// be read (files whose names start with a dot are not entries).
fn readable<'p>(
    git: &GitStore,
    path: &'p str,
    change: &FileChange,
    report: &mut Report<'_, '_>,
) -> Option<(&'p str, Vec<u8>)> {
    let blob = change.new.as_ref()?;
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.starts_with('.') {
        return None;
    }
    if let Some(size) = git.blob_size(blob)
        && size > crate::record::MAX_ENTRY_BYTES
    {
        report.at(
            "entry-invalid",
            path,
            format!(
                "{size} bytes, larger than any entry medreview writes ({})",
                crate::record::MAX_ENTRY_BYTES
            ),
        );
        return None;
    }
    match git.read_blob(blob) {
        Ok(bytes) => Some((name, bytes)),
        Err(err) => {
            report.at("entry-unreadable", path, err.to_string());
            None
        }
    }
}

/// Rule 3: as for sign-offs, whoever committed a roster entry must be the admin
/// it names. Returns whether it was.
fn roster_entry_committer(
    scope: &Scope<'_>,
    commit: &CommitChanges,
    path: &str,
    entry: &RosterEntry,
    report: &mut Report<'_, '_>,
) -> bool {
    let committed_by_admin = committed_by(scope, commit, &entry.by);
    if !committed_by_admin {
        report.at(
            "committer-mismatch",
            path,
            format!(
                "the roster change by {} was committed by {}, who is not {}",
                entry.by, commit.committer_email, entry.by
            ),
        );
    }
    committed_by_admin
}

/// Rule 3b: a roster entry with nothing before it (a genesis) added where the
/// roster already had entries is a second genesis; it never counts beside the one
/// the team built on, and an admin voids it (`medreview repair`).
fn second_genesis(
    commit: &CommitChanges,
    path: &str,
    entry: &RosterEntry,
    report: &mut Report<'_, '_>,
) {
    if entry.after.is_empty() && commit.parents_audited.first() == Some(&true) {
        report.at(
            "roster-second-genesis",
            path,
            format!(
                "{} added a first roster entry (a genesis) to a roster that already had one; it does not count (`medreview repair`: an admin voids it)",
                entry.by
            ),
        );
    }
}

/// Whether `id`'s email on the roster is the commit's committer email.
fn committed_by(scope: &Scope<'_>, commit: &CommitChanges, id: &Id) -> bool {
    scope
        .roster
        .email_of(id)
        .is_some_and(|e| e.eq_ignore_ascii_case(&commit.committer_email))
}

/// Rule 4a: a format-1 entry appears only in the one conversion `migrate` makes.
fn migrated_outside_migrate(
    entry: &Entry,
    path: &str,
    migrating: &BTreeSet<&str>,
    report: &mut Report<'_, '_>,
) {
    let slug = path
        .strip_prefix("articles/")
        .and_then(|p| p.split('/').next())
        .unwrap_or_default();
    if entry.is_migrated() && !migrating.contains(slug) {
        report.at(
            "migrated-entry-added",
            path,
            "a format-1 entry was added outside the one conversion `medreview migrate` makes"
                .into(),
        );
    }
}

/// Rule 4b: a sign-off's `at` agrees with the commit that recorded it.
fn entry_time(entry: &Entry, commit: &CommitChanges, path: &str, report: &mut Report<'_, '_>) {
    if !entry.is_migrated()
        && let Some(why) = time_problem(entry.action, &entry.by, entry.at, commit)
    {
        report.at("entry-time", path, why);
    }
}

/// Rule 4c: an entry dated more than [`FUTURE_TOLERANCE_MINUTES`] after the clock
/// of the machine checking: one of the two clocks is off. A warning
/// ([`super::CLOCK_WARNINGS`]), never a failure: a clone whose clock is slow must
/// still sync and publish, so the message tells that person to look at their own
/// clock first. Only the system clock is evidence; a clock fixed by MEDREVIEW_NOW
/// (a demo, a test, an import) says nothing about when things happened.
fn entry_in_the_future(entry: &Entry, path: &str, report: &mut Report<'_, '_>) {
    if let Some(now) = system_now()
        && entry.at > now + TimeDelta::minutes(FUTURE_TOLERANCE_MINUTES)
    {
        report.at(
            "entry-in-the-future",
            path,
            format!(
                "the {} by {} is dated {}, {} after this machine's clock ({}): if this machine's clock is behind, set it right; otherwise {}'s clock was ahead. Clocks order nothing in the record, so this is a warning",
                entry.action,
                entry.by,
                crate::clock::rfc3339(&entry.at),
                crate::clock::span(entry.at - now),
                crate::clock::rfc3339(&now),
                entry.by
            ),
        );
    }
}

/// The checking machine's own clock, when it is the system's (not MEDREVIEW_NOW).
fn system_now() -> Option<DateTime<FixedOffset>> {
    crate::clock::fixed_by()
        .is_none()
        .then(crate::clock::now)
        .and_then(Result::ok)
}

/// Rule 4c': a new submission's revision is the article's text in the commit that
/// records it, as `medreview submit` makes it, so every clone and the server hold
/// the text it names. One rule for `check`, `publish`, `sync` and the gate
/// (regression: after `git pull --rebase` settled a conflict in article.md, the
/// submission named a text no commit carried; its writer's `check` was clean
/// because the text was loose in her clone, and the gate refused
/// `revision-missing` on every later sync).
fn revision_carried(
    git: &GitStore,
    scope: &Scope<'_>,
    commit: &CommitChanges,
    entry: &Entry,
    path: &str,
    report: &mut Report<'_, '_>,
) {
    if entry.is_migrated() || entry.action != crate::record::entry::Action::Submitted {
        return;
    }
    let Some(folder) = path.strip_suffix(&format!(
        "/signoffs/{}",
        path.rsplit('/').next().unwrap_or_default()
    )) else {
        return;
    };
    let carried = match commit.articles_text.iter().find(|(f, _)| f == folder) {
        Some((_, text)) => text.clone(),
        None => git.file_at(
            &commit.commit,
            &join(scope.root, &format!("{folder}/article.md")),
        ),
    };
    if carried.as_ref().map(|(blob, _)| blob.as_str()) != Some(entry.revision.as_str()) {
        report.at(
            "revision-not-carried",
            path,
            format!(
                "the submission by {} names revision {}, but the commit that records it holds {} in {folder}/article.md, so the text it names is in no shared commit (a rebase that settled a conflict in the article does this); submit the article again (`medreview submit`)",
                entry.by,
                entry.revision.short(),
                carried.map_or("no text".to_owned(), |(blob, _)| format!("revision {}", &blob[..blob.len().min(7)]))
            ),
        );
    }
}

/// Rule 4d: a sign-off must have seen every change to its signer's own roster
/// file that its commit's parents held, or an old key (or license) could be
/// passed off as the one of its time. Other roster changes it may miss: a
/// sign-off rebased onto a roster change made meanwhile is ordinary team work.
fn roster_stale(
    scope: &Scope<'_>,
    commit: &CommitChanges,
    entry: &Entry,
    path: &str,
    report: &mut Report<'_, '_>,
) {
    let seen = scope.roster_log.view_ids(&entry.roster);
    let own = [
        Role::Writer.file_rel(&entry.by),
        Role::Reviewer.file_rel(&entry.by),
    ];
    if let Some(unseen) = commit
        .parents_roster
        .iter()
        .filter_map(|name| name.strip_suffix(".yaml"))
        .filter(|id| !seen.contains(*id))
        .find(|id| {
            scope
                .roster_log
                .files_of(id)
                .is_some_and(|files| own.iter().any(|f| files.contains_key(f)))
        })
    {
        report.at(
            "roster-stale",
            path,
            format!(
                "the {} by {} names an older roster than its commit had: it did not see the roster change {unseen} to {}'s own file",
                entry.action, entry.by, entry.by
            ),
        );
    }
}

/// Rule 4d': time judged by history, in every clone. A sign-off is recorded after
/// every roster entry its commit's parents hold, whatever date it carries: if by
/// the latest of them its signer had retired, their license had ended or the key
/// it is signed with had been replaced, it is refused, however it is dated (an
/// approval backdated to before the end). Only a vouching sign-off (an approval
/// or a re-review) is held to it: the others can only keep a page off the site.
fn recorded_after_end(
    scope: &Scope<'_>,
    parents_roster: &[String],
    entry: &Entry,
    path: &str,
    report: &mut Report<'_, '_>,
) {
    if !entry.action.vouches() || entry.roster.is_empty() {
        return;
    }
    let heads: Vec<crate::ledger::entry::EntryId> = parents_roster
        .iter()
        .filter_map(|name| name.strip_suffix(".yaml"))
        .filter_map(crate::ledger::entry::EntryId::parse)
        .filter(|id| scope.roster_log.contains(id))
        .collect();
    let Some(latest) = scope.roster_log.latest_valid_at(&heads) else {
        return;
    };
    if latest <= entry.at {
        return;
    }
    let then = scope.roster_log.state(&heads);
    let day = latest.date_naive();
    let why = match then.roster.reviewers.get(&entry.by) {
        Some(r) if r.retired.is_some_and(|d| d <= day) => Some(format!(
            "{} had retired on {}",
            entry.by,
            r.retired.unwrap_or(day)
        )),
        Some(r) if !r.licensed_on(day) => Some(format!(
            "{}'s license had expired ({})",
            entry.by,
            r.license
                .as_ref()
                .and_then(|l| l.expires)
                .map_or("no date".to_owned(), |d| d.to_string())
        )),
        _ => entry.signature.as_ref().and_then(|_| {
            let key = scope.roster_log.state(&entry.roster);
            then.roster
                .revoked(&entry.by, key.roster.public_key_of(&entry.by), &latest)
                .map(|r| {
                    format!(
                        "the key it is signed with had been replaced on {}",
                        r.at.date_naive()
                    )
                })
        }),
    };
    if let Some(why) = why {
        report.at(
            "recorded-after-end",
            path,
            format!(
                "the {} by {} is dated {}, but it was recorded on top of the roster as it stood on {} (its commit, or a merge that brought it in), by which {why}: recorded after that, dated before it. It does not count; an admin voids it (`medreview repair --yes`), and an active reviewer reviews the article again",
                entry.action,
                entry.by,
                crate::clock::rfc3339(&entry.at),
                crate::clock::rfc3339(&latest),
            ),
        );
    }
}

/// Rule 4e: recorded under an audited roster, a sign-off was committed by its
/// signer or by the person who recorded it for them.
fn sign_off_committer(
    scope: &Scope<'_>,
    commit: &CommitChanges,
    entry: &Entry,
    path: &str,
    report: &mut Report<'_, '_>,
) {
    if entry.roster.is_empty() {
        return;
    }
    committer_is_signer(
        scope,
        commit,
        (entry.action.as_str(), &entry.by, entry.recorded_by.as_ref()),
        path,
        report,
    );
}

/// Reports `committer-mismatch` unless the commit was made by the entry's signer
/// (`by`) or by who recorded it for them: `(kind, by, recorded_by)`.
fn committer_is_signer(
    scope: &Scope<'_>,
    commit: &CommitChanges,
    (kind, by, recorded_by): (&str, &Id, Option<&Id>),
    path: &str,
    report: &mut Report<'_, '_>,
) {
    let people: Vec<&Id> = std::iter::once(by).chain(recorded_by).collect();
    if !people.iter().any(|id| committed_by(scope, commit, id)) {
        report.at(
            "committer-mismatch",
            path,
            format!(
                "the {kind} by {by} was committed by {}, who is not {}",
                commit.committer_email,
                people
                    .iter()
                    .map(|i| i.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        );
    }
}

/// Rule 4': a new comment entry's `at` agrees with its commit, and (where the
/// roster is audited) its committer is its author or the person recording for them.
fn comment_rules(
    scope: &Scope<'_>,
    commit: &CommitChanges,
    comment: &CommentEntry,
    path: &str,
    report: &mut Report<'_, '_>,
) {
    if let Some(why) = time_problem(comment.action.as_str(), &comment.by, comment.at, commit) {
        report.at("entry-time", path, why);
    }
    if comment.roster.is_empty() {
        return;
    }
    committer_is_signer(
        scope,
        commit,
        (
            comment.action.as_str(),
            &comment.by,
            comment.recorded_by.as_ref(),
        ),
        path,
        report,
    );
}

/// Rule 5: committer times. A rebase or `medreview sync` keeps a sign-off's author
/// time (its `at`) and commits it anew after its new parent (sync never before the
/// parent's time), so a commit dated before its parent means one of the two clocks
/// was off: the parent's was ahead, or this one's was behind or set back. A warning
/// ([`super::CLOCK_WARNINGS`]) that blames the parent when this machine's clock
/// shows it dated ahead, never a failure: an honest commit made after a fast one
/// must not turn anyone's `check`, sync or publish red (issue 22).
fn commit_time_order(commit: &CommitChanges, adds_sign_off: bool, report: &mut Report<'_, '_>) {
    if adds_sign_off
        && let Some(parent) = commit.parents_commit_time.max(commit.parents_time)
        && commit.commit_time < parent
    {
        // Only wording: which clock to suspect, by this machine's clock.
        let ahead = crate::clock::now()
            .ok()
            .map(|now| parent - now)
            .filter(|d| *d > TimeDelta::minutes(FUTURE_TOLERANCE_MINUTES));
        let whose = match ahead {
            Some(d) => format!(
                "the parent is dated {} after this machine's clock, so the parent's clock was ahead, not this commit's behind",
                crate::clock::span(d)
            ),
            None => "either the parent's clock was ahead or this commit's was behind".to_owned(),
        };
        report.at(
            "commit-time-order",
            "",
            format!(
                "the commit is dated {}, {} before its parent ({}): {whose}. Clocks order nothing in the record (`after:` links do), so this is a warning; whoever's clock is off should set it right",
                crate::clock::rfc3339(&commit.commit_time),
                crate::clock::span(parent - commit.commit_time),
                crate::clock::rfc3339(&parent)
            ),
        );
    }
}

/// Rule 6: a roster file changed where the roster was audited is named, with its
/// new bytes, by an admin's roster entry in the same commit.
fn roster_unrecorded(
    commit: &CommitChanges,
    changes: &[(usize, &FileChange)],
    recorded: &BTreeMap<String, RevId>,
    report: &mut Report<'_, '_>,
) {
    for (p, change) in changes {
        // A merge that takes a roster file as another parent has it changes nothing
        // there: that version came in with that parent, whose commits were checked.
        let from_another_parent = commit
            .against_parents
            .iter()
            .enumerate()
            .any(|(q, changes)| q != *p && !changes.iter().any(|c| c.path == change.path));
        if from_another_parent {
            continue;
        }
        match &change.new {
            None => report.at(
                "roster-unrecorded",
                &change.path,
                "a governed file was deleted without an admin's roster entry; people are retired (`medreview reviewer retire`), never deleted, and the roster's record still holds the file (`medreview repair` puts it back)".into(),
            ),
            Some(blob) if recorded.get(&change.path) != Some(blob) => report.at(
                "roster-unrecorded",
                &change.path,
                "a governed file was changed without an admin's roster entry naming its new content; that version judges no one (`medreview repair`: an admin adopts it, or it is put back)".into(),
            ),
            Some(_) => {}
        }
    }
}

/// Why an entry's time disagrees with the commit that added it, if it does.
pub(super) fn time_problem(
    action: impl std::fmt::Display,
    by: &Id,
    at: DateTime<FixedOffset>,
    commit: &CommitChanges,
) -> Option<String> {
    ((at - commit.author_time).abs() > TimeDelta::minutes(TIME_TOLERANCE_MINUTES)).then(|| {
        format!(
            "the entry {action} by {by} says {} but the commit that recorded it is dated {}",
            crate::clock::rfc3339(&at),
            crate::clock::rfc3339(&commit.author_time)
        )
    })
}
