//! The append-only proof across history, and the checkpoint that makes it
//! incremental.
//!
//! Each commit not yet verified is compared with each of its parents under
//! `articles/`. Sign-off files are immutable: a file a parent had must be in the
//! commit with the same blob id (byte for byte), and a new file must carry a valid
//! name whose digest is its own blob id and an `at` that agrees with the commit.
//! Format-1 ledgers (`signoffs.yaml`) are checked as format 1 was (entries kept in
//! order, compared byte for byte), and may be removed only by the one conversion
//! `medreview migrate` makes, which must carry every entry over unchanged.
//!
//! The checkpoint `refs/medreview/checked` names the last commit whose whole history
//! verified; a later run walks only what it does not reach. It is moved only by a
//! clean walk, so a problem keeps being reported until it is dealt with, and a
//! checkpoint that HEAD no longer descends from means history was rewritten.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{DateTime, FixedOffset, TimeDelta};

use crate::error::{Error, Result};
use crate::ids::Id;
use crate::record::entry::{self, Entry};
use crate::record::legacy::{self, LegacyEntry};
use crate::roster::log::{ROSTER_DIR, RosterEntry, RosterLog, is_roster_path};
use crate::roster::{Role, Roster};
use medreview_store::gitstore::{CommitChanges, FileChange, GitStore, Walk};
use medreview_store::revision::RevId;

/// The ref `check` keeps its checkpoint in.
pub const CHECKPOINT_REF: &str = "refs/medreview/checked";

/// How far an entry's `at` may be from the author time of the commit that added it.
/// medreview writes both from the same clock, so they agree to the second; the
/// tolerance absorbs commits made by other tools.
pub const TIME_TOLERANCE_MINUTES: i64 = 5;

/// How far after the checking machine's clock an entry may be dated before `check`
/// (and the gate, and `publish`) call it a clock set ahead.
pub const FUTURE_TOLERANCE_HOURS: i64 = 24;

/// A problem found in history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryProblem {
    /// A stable code.
    pub code: &'static str,
    /// The commit, when the problem is in one.
    pub commit: Option<String>,
    /// The file, repository-relative.
    pub file: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// What the history pass found.
#[derive(Debug, Clone, Default)]
pub struct HistoryReport {
    /// The walk.
    pub walk: Walk,
    /// Problems, in the order found.
    pub problems: Vec<HistoryProblem>,
    /// Sign-off files whose addition was verified.
    pub entries_verified: usize,
    /// Whether the checkpoint was moved to HEAD.
    pub checkpoint_moved: bool,
}

/// What `verify` needs besides git: the workspace's root inside the repository
/// (`""` or `sub/dir`), and the roster now, for committers' emails.
pub struct Scope<'a> {
    /// The workspace root, repository-relative, without a trailing `/`.
    pub root: &'a str,
    /// The roster now.
    pub roster: &'a Roster,
    /// Whether a clean walk moves the checkpoint (only `check` writes it).
    pub move_checkpoint: bool,
    /// The roster's record now, to tell which roster entries a sign-off had seen.
    pub roster_log: &'a RosterLog<'a>,
    /// Whether to show a progress bar on a terminal.
    pub progress: bool,
}

/// Verifies the history of HEAD from the checkpoint, and moves the checkpoint when
/// everything walked is clean.
pub fn verify(git: &GitStore, scope: &Scope<'_>) -> Result<HistoryReport> {
    let checkpoint = git.ref_commit(CHECKPOINT_REF);
    let mut report = HistoryReport::default();
    let mut problems = Vec::new();
    let mut verified = 0;
    let roster_dir = join(scope.root, ROSTER_DIR);
    let mut progress = medreview_output::Progress::new(0, "commits verified", scope.progress);
    let walk = git.walk_since::<Error>(
        scope.root,
        &roster_dir,
        checkpoint.as_deref(),
        &mut |commit| {
            progress.tick();
            verified += check_commit(git, scope, &commit, &mut problems);
            Ok(())
        },
    )?;
    if walk.rewritten
        && let (Some(cp), Some(head)) = (&walk.checkpoint, &walk.head)
    {
        let mut gone = Vec::new();
        for change in git.diff_commits(scope.root, cp, head)? {
            let record_file =
                is_entry_path(&change.path) || change.path.ends_with("/signoffs.yaml");
            if record_file && change.old.is_some() && change.new != change.old {
                gone.push(HistoryProblem {
                    code: "verified-entry-gone",
                    commit: Some(cp.clone()),
                    file: Some(join(scope.root, &change.path)),
                    message: format!(
                        "the entry {} was verified at commit {} and is {} in HEAD",
                        change.path,
                        &cp[..10],
                        if change.new.is_none() {
                            "missing"
                        } else {
                            "different"
                        }
                    ),
                });
            }
        }
        // A rewrite that keeps every verified entry byte for byte loses nothing the
        // record proved (`git pull --rebase` of a commit checked before it was
        // pushed, an amend); the walk verifies every commit the checkpoint does not
        // reach, so only a loss is reported.
        if !gone.is_empty() {
            gone.insert(0, HistoryProblem {
                code: "history-rewritten",
                commit: Some(cp.clone()),
                file: None,
                message: format!(
                    "history was rewritten: commit {} that `medreview check` verified is no longer in the history of HEAD (a force-push or a reset), and entries it held are gone; if the rewrite was reviewed and intended, `git update-ref -d {CHECKPOINT_REF}` starts over",
                    &cp[..10]
                ),
            });
            problems.splice(0..0, gone);
        }
    }
    if problems.is_empty()
        && scope.move_checkpoint
        && !walk.shallow
        && let Some(head) = &walk.head
        && walk.checkpoint.as_ref() != Some(head)
    {
        git.set_ref(CHECKPOINT_REF, head, "medreview check: history verified")?;
        report.checkpoint_moved = true;
    }
    report.walk = walk;
    report.problems = problems;
    report.entries_verified = verified;
    Ok(report)
}

/// An entry file a walked commit added, for the checks only a server can make
/// (its clock, who pushed it).
#[derive(Debug, Clone)]
pub struct AddedEntry {
    /// The commit that added it.
    pub commit: String,
    /// The file, repository-relative.
    pub file: String,
    /// Its `at`.
    pub at: DateTime<FixedOffset>,
    /// Who it is by.
    pub by: Id,
    /// Who recorded it for them.
    pub recorded_by: Option<Id>,
    /// The article (`None` for a roster entry).
    pub slug: Option<String>,
}

/// What [`verify_range`] found.
#[derive(Debug, Default)]
pub struct RangeReport {
    /// Problems, in the order found.
    pub problems: Vec<HistoryProblem>,
    /// Commits walked.
    pub commits: usize,
    /// Articles whose folders the commits changed (slugs).
    pub articles: BTreeSet<String>,
    /// Whether any commit changed the roster or `medreview.yaml`.
    pub roster_changed: bool,
    /// Entry files added, in order.
    pub added: Vec<AddedEntry>,
}

/// Verifies the commits reachable from `tip` and from none of `hide` (what a push or
/// a fetch brings) by the same rules as [`verify`], and says what they touched.
pub fn verify_range(
    git: &GitStore,
    scope: &Scope<'_>,
    tip: &str,
    hide: &[String],
) -> Result<RangeReport> {
    let mut report = RangeReport::default();
    let roster_dir = join(scope.root, ROSTER_DIR);
    let mut problems = Vec::new();
    let mut articles = BTreeSet::new();
    let mut roster_changed = false;
    let mut added = Vec::new();
    report.commits =
        git.walk_range::<Error>(scope.root, &roster_dir, tip, hide, &mut |commit| {
            for change in commit.against_parents.iter().flatten() {
                if let Some((slug, _)) = change
                    .path
                    .strip_prefix("articles/")
                    .and_then(|p| p.split_once('/'))
                {
                    articles.insert(slug.to_owned());
                } else if change.path.starts_with("roster/")
                    || is_roster_path(&change.path)
                    || change.path == crate::workspace::CONFIG_FILE
                {
                    roster_changed = true;
                }
            }
            for change in commit.against_parents.first().into_iter().flatten() {
                let (None, Some(blob)) = (&change.old, &change.new) else {
                    continue;
                };
                if !is_entry_path(&change.path)
                    || commit.against_parents.iter().skip(1).any(|other| {
                        !other
                            .iter()
                            .any(|c| c.path == change.path && c.old.is_none())
                    })
                {
                    continue;
                }
                let name = change.path.rsplit('/').next().unwrap_or_default();
                if name.starts_with('.') {
                    continue;
                }
                let Ok(bytes) = git.read_blob(blob) else {
                    continue;
                };
                let slug = change
                    .path
                    .strip_prefix("articles/")
                    .and_then(|p| p.split('/').next())
                    .map(str::to_owned);
                let parsed = if slug.is_some() {
                    entry::read(name, &bytes, Path::new(&change.path))
                        .ok()
                        .map(|(_, e)| (e.at, e.by, e.recorded_by))
                } else {
                    entry::read_named::<RosterEntry>(name, &bytes, Path::new(&change.path))
                        .ok()
                        .map(|(_, e)| (e.at, e.by, None))
                };
                if let Some((at, by, recorded_by)) = parsed {
                    added.push(AddedEntry {
                        commit: commit.commit.clone(),
                        file: join(scope.root, &change.path),
                        at,
                        by,
                        recorded_by,
                        slug,
                    });
                }
            }
            check_commit(git, scope, &commit, &mut problems);
            Ok(())
        })?;
    report.problems = problems;
    report.articles = articles;
    report.roster_changed = roster_changed;
    report.added = added;
    Ok(report)
}

/// `root/rel`, or `rel` at the top of the repository.
fn join(root: &str, rel: &str) -> String {
    if root.is_empty() {
        rel.to_owned()
    } else {
        format!("{root}/{rel}")
    }
}

/// Whether `path` (workspace-relative) is an immutable entry file: a sign-off or a
/// roster entry.
fn is_entry_path(path: &str) -> bool {
    path.starts_with("roster/")
        || path
            .strip_prefix("articles/")
            .and_then(|p| p.split_once('/'))
            .is_some_and(|(_, rest)| rest.starts_with("signoffs/"))
}

/// "a sign-off file" or "a roster entry file", for messages.
fn kind_of(path: &str) -> &'static str {
    if path.starts_with("roster/") {
        "a roster entry file"
    } else {
        "a sign-off file"
    }
}

/// What one article folder's files did in one commit against one parent.
#[derive(Default)]
struct FolderChange<'a> {
    legacy: Option<&'a FileChange>,
    entries: Vec<&'a FileChange>,
}

/// Checks one commit; returns how many new entry files it verified.
fn check_commit(
    git: &GitStore,
    scope: &Scope<'_>,
    commit: &CommitChanges,
    problems: &mut Vec<HistoryProblem>,
) -> usize {
    let short = &commit.commit[..10];
    let mut report = |code: &'static str, file: &str, message: String| {
        problems.push(HistoryProblem {
            code,
            commit: Some(commit.commit.clone()),
            file: Some(join(scope.root, file)),
            message: format!("commit {short} ({}): {message}", commit.subject),
        });
    };
    // A new entry is one no parent had; changed or removed ones are edits.
    let mut added: BTreeMap<&str, &FileChange> = BTreeMap::new();
    // Roster files changed where the roster was audited: each needs a roster entry.
    let mut roster_changes: Vec<(usize, &FileChange)> = Vec::new();
    for (p, changes) in commit.against_parents.iter().enumerate() {
        let mut folders: BTreeMap<&str, FolderChange<'_>> = BTreeMap::new();
        let audited = commit.parents_audited.get(p).copied().unwrap_or(false);
        for change in changes {
            if audited && is_roster_path(&change.path) {
                roster_changes.push((p, change));
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
            } else if rest.starts_with("signoffs/") {
                folders.entry(slug).or_default().entries.push(change);
            }
        }
        for (slug, folder) in folders {
            if let Some(legacy) = folder.legacy {
                check_legacy(git, commit, slug, legacy, &folder.entries, &mut report);
            }
            for change in folder.entries {
                match (&change.old, &change.new) {
                    (None, Some(_)) => {
                        if p == 0 {
                            added.insert(&change.path, change);
                        }
                    }
                    (Some(_), None) => report(
                        "entry-removed",
                        &change.path,
                        format!(
                            "{} was removed; the record is append-only",
                            kind_of(&change.path)
                        ),
                    ),
                    _ => report(
                        "entry-edited",
                        &change.path,
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
    if commit.shallow_boundary {
        return 0;
    }
    let migrating: BTreeSet<&str> = commit
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
        .collect();
    let mut verified = 0;
    let mut recorded: BTreeMap<String, RevId> = BTreeMap::new();
    // Whether it adds a sign-off dated by the system clock.
    let mut adds_sign_off = false;
    for (path, change) in added {
        let Some(blob) = &change.new else { continue };
        let name = path.rsplit('/').next().unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if let Some(size) = git.blob_size(blob)
            && size > crate::record::MAX_ENTRY_BYTES
        {
            report(
                "entry-invalid",
                path,
                format!(
                    "{size} bytes, larger than any entry medreview writes ({})",
                    crate::record::MAX_ENTRY_BYTES
                ),
            );
            continue;
        }
        let bytes = match git.read_blob(blob) {
            Ok(bytes) => bytes,
            Err(err) => {
                report("entry-unreadable", path, err.to_string());
                continue;
            }
        };
        if path.starts_with("roster/") {
            match entry::read_named::<RosterEntry>(name, &bytes, Path::new(path)) {
                Ok((_, entry)) => {
                    verified += 1;
                    // As for sign-offs: whoever committed it must be the admin it names.
                    let committed_by_admin = scope
                        .roster
                        .email_of(&entry.by)
                        .is_some_and(|e| e.eq_ignore_ascii_case(&commit.committer_email));
                    if committed_by_admin {
                        recorded.extend(entry.files);
                    } else {
                        report(
                            "committer-mismatch",
                            path,
                            format!(
                                "the roster change by {} was committed by {}, who is not {}",
                                entry.by, commit.committer_email, entry.by
                            ),
                        );
                    }
                }
                Err(err) => report("entry-invalid", path, err.to_string()),
            }
            continue;
        }
        let entry = match entry::read(name, &bytes, Path::new(path)) {
            Ok((_, entry)) => entry,
            Err(message) => {
                report("entry-invalid", path, message.to_string());
                continue;
            }
        };
        verified += 1;
        // A clock set by MEDREVIEW_NOW (an import) is marked in the entry itself.
        adds_sign_off |= !entry.is_migrated() && entry.clock.is_none();
        let slug = path
            .strip_prefix("articles/")
            .and_then(|p| p.split('/').next())
            .unwrap_or_default();
        if entry.is_migrated() && !migrating.contains(slug) {
            report(
                "migrated-entry-added",
                path,
                "a format-1 entry was added outside the one conversion `medreview migrate` makes"
                    .into(),
            );
        }
        if !entry.is_migrated()
            && let Some(why) = time_problem(entry.action, &entry.by, entry.at, commit)
        {
            report("entry-time", path, why);
        }
        // The clock of the machine checking (the server's, for the gate): nothing was
        // signed a day or more after it, whatever clock the signer's machine had. A
        // day, not minutes: an honest clone whose clock is slow must still publish.
        // Only the system clock is evidence; a clock fixed by MEDREVIEW_NOW (a demo,
        // a test, an import) says nothing about when things happened.
        if crate::clock::fixed_by().is_none()
            && let Ok(now) = crate::clock::now()
            && entry.at > now + TimeDelta::hours(FUTURE_TOLERANCE_HOURS)
        {
            report(
                "entry-in-the-future",
                path,
                format!(
                    "the {} by {} is dated {}, after the time of this check: its clock was set ahead",
                    entry.action,
                    entry.by,
                    crate::clock::rfc3339(&entry.at)
                ),
            );
        }
        // A sign-off must have seen every change to its signer's own roster file
        // that its commit's parents held, or an old key (or license) could be passed
        // off as the one of its time. Other roster changes it may miss: a sign-off
        // rebased onto a roster change made meanwhile is ordinary team work.
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
            report(
                "roster-stale",
                path,
                format!(
                    "the {} by {} names an older roster than its commit had: it did not see the roster change {unseen} to {}'s own file",
                    entry.action, entry.by, entry.by
                ),
            );
        }
        // Recorded under an audited roster: whoever committed it must be its signer
        // or the person who recorded it for them.
        if !entry.roster.is_empty() {
            let people: Vec<&Id> = std::iter::once(&entry.by)
                .chain(&entry.recorded_by)
                .collect();
            let ok = people.iter().any(|id| {
                scope
                    .roster
                    .email_of(id)
                    .is_some_and(|e| e.eq_ignore_ascii_case(&commit.committer_email))
            });
            if !ok {
                report(
                    "committer-mismatch",
                    path,
                    format!(
                        "the {} by {} was committed by {}, who is not {}",
                        entry.action,
                        entry.by,
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
    }
    // Committer times: a rebase or `medreview sync` keeps a sign-off's author time
    // (its `at`) and commits it anew after its new parent, so only a clock set back
    // puts a commit before its parent.
    // A parent's author time counts too: a commit cannot be made before the work it
    // builds on was written.
    if adds_sign_off
        && let Some(parent) = commit.parents_commit_time.max(commit.parents_time)
        && commit.commit_time < parent
    {
        report(
            "commit-time-order",
            "",
            format!(
                "the commit is dated {}, before its parent ({}): its clock was set back",
                crate::clock::rfc3339(&commit.commit_time),
                crate::clock::rfc3339(&parent)
            ),
        );
    }
    for (p, change) in roster_changes {
        // A merge that takes a roster file as another parent has it changes nothing
        // there: that version came in with that parent, whose commits were checked.
        let from_another_parent = commit
            .against_parents
            .iter()
            .enumerate()
            .any(|(q, changes)| q != p && !changes.iter().any(|c| c.path == change.path));
        if from_another_parent {
            continue;
        }
        match &change.new {
            None => report(
                "roster-unrecorded",
                &change.path,
                "a roster file was deleted; people are retired (`medreview reviewer retire`), never deleted, and the roster's record still holds them".into(),
            ),
            Some(blob) if recorded.get(&change.path) != Some(blob) => report(
                "roster-unrecorded",
                &change.path,
                "a roster file was changed without an admin's roster entry naming its new content; that version judges no one".into(),
            ),
            Some(_) => {}
        }
    }
    verified
}

/// Checks a commit's change to a format-1 ledger against one parent.
fn check_legacy(
    git: &GitStore,
    commit: &CommitChanges,
    slug: &str,
    change: &FileChange,
    entries: &[&FileChange],
    report: &mut dyn FnMut(&'static str, &str, String),
) {
    let file = format!("articles/{slug}/signoffs.yaml");
    let parse =
        |blob: &Option<medreview_store::revision::RevId>| -> std::result::Result<Vec<LegacyEntry>, String> {
            let Some(blob) = blob else {
                return Ok(Vec::new());
            };
            let bytes = git.read_blob(blob).map_err(|e| e.to_string())?;
            legacy::parse(&String::from_utf8_lossy(&bytes), Path::new(&file))
                .map_err(|e| e.to_string())
        };
    let before = parse(&change.old).unwrap_or_default();
    match &change.new {
        Some(_) => {
            let after = match parse(&change.new) {
                Ok(after) => after,
                Err(why) => {
                    report(
                        "ledger-invalid",
                        &file,
                        format!("the format-1 ledger does not parse: {why}"),
                    );
                    return;
                }
            };
            if change.old.is_none() && !entries.is_empty() {
                report(
                    "ledger-after-migration",
                    &file,
                    "a format-1 ledger was added next to format-2 sign-offs".into(),
                );
            }
            // Every earlier entry must still be there, unchanged and in order.
            let mut rest = after.iter();
            for (i, old) in before.iter().enumerate() {
                if !rest.any(|new| new.identical(old)) {
                    report(
                        "entry-edited",
                        &file,
                        format!(
                            "entry {} ({} by {} at {}) was removed or edited",
                            i + 1,
                            old.action,
                            old.by,
                            crate::clock::rfc3339(&old.at)
                        ),
                    );
                    break;
                }
            }
            for entry in after
                .iter()
                .filter(|e| !before.iter().any(|b| b.identical(e)))
            {
                if let Some(why) = time_problem(entry.action, &entry.by, entry.at, commit) {
                    report("entry-time", &file, why);
                }
            }
        }
        None => {
            // The conversion: every format-1 entry carried over unchanged, as a
            // migrated file added by this very commit.
            let mut carried: Vec<Entry> = Vec::new();
            for added in entries.iter().filter(|c| c.old.is_none()) {
                let name = added.path.rsplit('/').next().unwrap_or_default();
                if let Some(blob) = &added.new
                    && let Ok(bytes) = git.read_blob(blob)
                    && let Ok((_, entry)) = entry::read(name, &bytes, Path::new(&added.path))
                    && entry.is_migrated()
                {
                    carried.push(entry);
                }
            }
            let missing = before
                .iter()
                .find(|old| !carried.iter().any(|new| migrated_from(new, old)));
            if before.is_empty() || carried.len() != before.len() || missing.is_some() {
                let what = match missing {
                    Some(old) => format!(
                        " ({} by {} at {} is not among the converted entries)",
                        old.action,
                        old.by,
                        crate::clock::rfc3339(&old.at)
                    ),
                    None => String::new(),
                };
                report(
                    "ledger-removed",
                    &file,
                    format!("the format-1 ledger was removed without converting every entry{what}"),
                );
            }
        }
    }
}

/// Whether `new` is `old` carried over by `migrate`: the same fields byte for byte.
pub fn migrated_from(new: &Entry, old: &LegacyEntry) -> bool {
    new.is_migrated()
        && new.action == old.action
        && new.by == old.by
        && crate::clock::rfc3339(&new.at) == crate::clock::rfc3339(&old.at)
        && new.revision == old.revision
        && new.note == old.note
        && new.signature == old.signature
        && new.recorded_by.is_none()
        && new.roster.is_empty()
        && new.clock.is_none()
}

/// Why an entry's time disagrees with the commit that added it, if it does.
fn time_problem(
    action: crate::record::entry::Action,
    by: &crate::ids::Id,
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
