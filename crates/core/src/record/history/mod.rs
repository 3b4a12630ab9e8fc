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
//!
//! The ref is local state anyone can move by hand, so it is honoured only when the
//! memo remembers that this build's clean walk put it there (see [`trusted_checkpoint`]);
//! otherwise the walk starts from the root, which costs time but can never skip a
//! commit (issue 23).
//!
//! A clone that pins the server gate's key may start instead from the gate's signed
//! statement that the history up to a commit verified (see [`gate`]); what it then
//! verifies on top is remembered as resting on that key, and honoured only while
//! the key stays pinned.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{DateTime, FixedOffset};

use crate::error::{Error, Result};
use crate::ids::Id;
use crate::record::entry::{self};
use crate::repo::Repo;
use crate::roster::Roster;
use crate::roster::log::{ROSTER_DIR, RosterEntry, RosterLog, is_governed_path};
use medreview_store::gitstore::{GitStore, Walk};
use medreview_store::revision::RevId;

/// The ref `check` keeps its checkpoint in.
pub const CHECKPOINT_REF: &str = "refs/medreview/checked";

/// How far an entry's `at` may be from the author time of the commit that added it.
/// medreview writes both from the same clock, so they agree to the second; the
/// tolerance absorbs commits made by other tools.
pub const TIME_TOLERANCE_MINUTES: i64 = 5;

/// How far after the checking machine's clock an entry may be dated before `check`
/// (and the gate, `sync` and `publish`) warn that one of the two clocks is off.
pub const FUTURE_TOLERANCE_MINUTES: i64 = 30;

/// The codes that say a clock was off, not that the record is wrong. They are
/// warnings: the order of decisions comes from `after:` links, never from clocks,
/// so one person's clock must never make the shared record fail to verify, sync or
/// publish for everyone else (issue 22). They are said to whoever checks, records
/// or syncs, named on the entry or commit whose clock was off.
pub const CLOCK_WARNINGS: [&str; 3] = [
    "commit-time-order",
    "entry-in-the-future",
    "entry-time-order",
];

/// Whether `code` is one of [`CLOCK_WARNINGS`].
pub fn is_clock_warning(code: &str) -> bool {
    CLOCK_WARNINGS.contains(&code)
}

/// Takes the clock warnings out of `problems` and returns them.
fn split_clock_warnings(problems: &mut Vec<HistoryProblem>) -> Vec<HistoryProblem> {
    let (warnings, rest): (Vec<_>, Vec<_>) = std::mem::take(problems)
        .into_iter()
        .partition(|p| is_clock_warning(p.code));
    *problems = rest;
    warnings
}

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
    /// For an entry file edited or removed: the bytes (blob id) it held before.
    pub before: Option<RevId>,
}

/// What the history pass found.
#[derive(Debug, Clone, Default)]
pub struct HistoryReport {
    /// The walk.
    pub walk: Walk,
    /// Problems, in the order found.
    pub problems: Vec<HistoryProblem>,
    /// Problems a later commit put right (see [`settle`]): listed, never counted.
    pub settled: Vec<HistoryProblem>,
    /// Clocks found off ([`CLOCK_WARNINGS`]): said, never a failure.
    pub warnings: Vec<HistoryProblem>,
    /// Sign-off files whose addition was verified.
    pub entries_verified: usize,
    /// Whether the checkpoint was moved to HEAD.
    pub checkpoint_moved: bool,
    /// A checkpoint found but not honoured (the memo does not remember this build
    /// verifying it: moved by hand, or by another build), so the walk started from
    /// the root.
    pub checkpoint_ignored: Option<String>,
    /// The gate's signed statement the walk started from, when it did (see [`gate`]).
    pub gate: Option<gate::Trusted>,
    /// The fingerprint of the gate key the starting checkpoint rests on: the
    /// statement's, or the one a local checkpoint was verified on top of.
    pub signed_by: Option<String>,
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
    /// The commit to verify the history of; `None` for HEAD.
    pub tip: Option<&'a str>,
}

/// The memo key that says this build's clean walk verified the history of `commit`
/// for the workspace at `root` (a walk looks at that folder only, so a walk of one
/// folder never vouches for another). Its value is what the walk started from:
/// [`FROM_ROOT`], or `gate <fingerprint>` for a walk on top of a gate statement
/// signed by that key.
fn checked_key(root: &str, commit: &str) -> String {
    crate::memo::key(&[
        "checked-2",
        env!("CARGO_PKG_VERSION"),
        crate::memo::build_id(),
        &gate::workspace_name(root),
        commit,
    ])
}

/// What a walk from the root rests on.
const FROM_ROOT: &str = "root";

/// The checkpoint and what its walk rested on, if it may be trusted: the memo
/// remembers that this build's clean walk verified it (a ref moved by hand is not
/// remembered), from the root or from a gate statement by a key still pinned.
/// `Err` holds the checkpoint ignored, to say so.
fn local_checkpoint(
    git: &Repo,
    root: &str,
) -> std::result::Result<Option<(String, String)>, String> {
    let Some(cp) = git.ref_commit(CHECKPOINT_REF) else {
        return Ok(None);
    };
    let honoured = match git.memo.summary::<String>(&checked_key(root, &cp)) {
        Some(basis) if basis == FROM_ROOT => Some(basis),
        Some(basis) => basis
            .strip_prefix("gate ")
            .is_some_and(|key| gate::pins(git).is_ok_and(|pins| pins.iter().any(|p| p == key)))
            .then_some(basis),
        None => None,
    };
    match honoured {
        Some(basis) => Ok(Some((cp, basis))),
        None => Err(cp),
    }
}

/// The checkpoint of the workspace at `root`, if it may be trusted (see
/// `local_checkpoint`). `Err` holds the checkpoint ignored, to say so.
pub fn trusted_checkpoint(git: &Repo, root: &str) -> std::result::Result<Option<String>, String> {
    local_checkpoint(git, root).map(|cp| cp.map(|(cp, _)| cp))
}

/// Verifies the history of HEAD from the checkpoint, and moves the checkpoint when
/// everything walked is clean.
pub fn verify(git: &Repo, scope: &Scope<'_>) -> Result<HistoryReport> {
    let mut report = HistoryReport::default();
    let gate_keys = scope
        .roster_log
        .current()
        .config
        .as_ref()
        .map(|c| c.sync.gate_keys.clone())
        .unwrap_or_default();
    // A checkpoint resting on a gate statement stands only while its key is still
    // listed in the record: removing the key revokes what was built on it too.
    let local = local_checkpoint(git, scope.root).and_then(|cp| match cp {
        Some((cp, basis))
            if basis.strip_prefix("gate ").is_some_and(|key| {
                !gate_keys
                    .iter()
                    .any(|k| crate::signing::key_fingerprint(k).as_deref() == Some(key))
            }) =>
        {
            Err(cp)
        }
        other => Ok(other),
    });
    let (mut checkpoint, mut basis) = match local {
        Ok(Some((cp, basis))) => (Some(cp), basis),
        Ok(None) => (None, FROM_ROOT.to_owned()),
        Err(cp) => {
            // Without the memo there is nothing to remember a walk by: every walk
            // starts from the root, silently.
            if git.memo.on() {
                report.checkpoint_ignored = Some(cp);
            }
            (None, FROM_ROOT.to_owned())
        }
    };
    let pins = gate::pins(git)?;
    let head = match scope.tip {
        Some(tip) => Some(tip.to_owned()),
        None => git.head_commit(),
    };
    if !pins.is_empty()
        && let Some(head) = &head
    {
        let (found, refused) = gate::find(git, scope.root, head, &pins, &gate_keys);
        for why in refused {
            medreview_output::notice(format!(
                "medreview: {why}; the commits it would cover are verified here instead"
            ));
        }
        if let Some(found) = found
            && checkpoint.as_ref().is_none_or(|cp| {
                *cp != found.statement.commit && git.is_ancestor(cp, &found.statement.commit)
            })
        {
            checkpoint = Some(found.statement.commit.clone());
            basis = format!("gate {}", found.statement.key);
            report.checkpoint_ignored = None;
            report.gate = Some(found);
        }
    }
    report.signed_by = basis.strip_prefix("gate ").map(str::to_owned);
    let mut problems = Vec::new();
    let mut verified = 0;
    let roster_dir = join(scope.root, ROSTER_DIR);
    let mut progress = medreview_output::Progress::new(0, "commits verified", scope.progress);
    let walk = git.walk_to::<Error>(
        scope.tip,
        scope.root,
        &roster_dir,
        checkpoint.as_deref(),
        &mut |commit| {
            progress.tick();
            verified += check_commit(git, scope, &commit, &mut problems);
            Ok(())
        },
    )?;
    report.warnings = split_clock_warnings(&mut problems);
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
                    before: change.old.clone(),
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
                before: None,
                message: format!(
                    "history was rewritten: commit {} that `medreview check` verified is no longer in the history of HEAD (a force-push or a reset), and entries it held are gone; if the rewrite was reviewed and intended, `git update-ref -d {CHECKPOINT_REF}` starts over",
                    &cp[..10]
                ),
            });
            problems.splice(0..0, gone);
        }
    }
    if let Some(head) = &walk.head {
        report.settled = settle(git, scope, head, &mut problems)?;
    }
    // Without the memo the walk could not be remembered, and an unremembered
    // checkpoint is never honoured: it is left where it is.
    if problems.is_empty()
        && scope.move_checkpoint
        && git.memo.on()
        && !walk.shallow
        && let Some(head) = &walk.head
    {
        // The checkpoint only saves time: a ref that cannot be written (a lock
        // file left by a killed process) costs the next run a longer walk, never
        // this command its verdict or its work.
        if git.ref_commit(CHECKPOINT_REF).as_ref() == Some(head) {
            git.memo
                .keep_summary(&checked_key(scope.root, head), &basis);
        } else {
            match git.set_ref(CHECKPOINT_REF, head, "medreview check: history verified") {
                Ok(()) => {
                    report.checkpoint_moved = true;
                    git.memo
                        .keep_summary(&checked_key(scope.root, head), &basis);
                }
                Err(e) => medreview_output::notice(format!(
                    "medreview: the history verified, but its checkpoint {CHECKPOINT_REF} could not be moved ({e}), so the next run walks these commits again; if that names a .lock file and no git or medreview command is running, remove the file"
                )),
            }
        }
    }
    report.walk = walk;
    report.problems = problems;
    report.entries_verified = verified;
    Ok(report)
}

/// The problems in HEAD's history that `check` would report (clock warnings and
/// problems put right aside): what keeps `publish` from publishing, and what
/// `status` says. The walk starts at the trusted checkpoint; with
/// `move_checkpoint`, a clean walk moves it, as `check`'s does.
pub fn unsupported(
    ws: &crate::workspace::Workspace,
    move_checkpoint: bool,
    progress: bool,
) -> Result<Vec<HistoryProblem>> {
    let src = crate::source::Committed {
        snapshot: ws.git.head_snapshot()?,
        prefix: ws.prefix().to_owned(),
        root: ws.root().to_path_buf(),
    };
    let log = RosterLog::load(&src, &ws.git)?;
    let roster = if log.is_empty() {
        crate::roster::Roster::load_lenient(&src)?.0
    } else {
        log.current().roster.clone()
    };
    let root = ws.prefix().trim_end_matches('/').to_owned();
    let scope = Scope {
        root: &root,
        roster: &roster,
        move_checkpoint,
        roster_log: &log,
        progress,
        tip: None,
    };
    Ok(verify(&ws.git, &scope)?.problems)
}

/// Verifies the whole history of commit `tip` in a repository without a working
/// tree (the server's), the workspace at `root` (`""` or `sub/dir`), by the same
/// walk as [`verify`]; with `move_checkpoint`, a clean walk moves the checkpoint
/// to `tip`. What the gate runs before it signs a statement.
pub fn verify_tip(
    git: &Repo,
    root: &str,
    tip: &str,
    move_checkpoint: bool,
) -> Result<HistoryReport> {
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    let src = crate::source::Committed {
        snapshot: git.snapshot(tip)?,
        prefix,
        root: std::path::PathBuf::new(),
    };
    let log = RosterLog::load(&src, git)?;
    let roster = if log.is_empty() {
        crate::roster::Roster::load_lenient(&src)?.0
    } else {
        log.current().roster.clone()
    };
    let scope = Scope {
        root,
        roster: &roster,
        move_checkpoint,
        roster_log: &log,
        progress: false,
        tip: Some(tip),
    };
    verify(git, &scope)
}

/// [`unsupported`], remembered for the rest of the command: an article whose own
/// folder a problem names counts no approval or re-review until the problem is put
/// right (publish refuses the whole history meanwhile). One rule for `status`,
/// `log` and `publish`: what `check` refuses, they do not count.
pub fn judge_history(
    ws: &crate::workspace::Workspace,
    progress: bool,
) -> Result<Vec<HistoryProblem>> {
    let problems = unsupported(ws, true, progress)?;
    ws.git.memo.save(false);
    let (mut unsound, mut refused) = (ws.unsound.borrow_mut(), ws.refused.borrow_mut());
    for p in &problems {
        let Some(file) = p.file.as_deref() else {
            continue;
        };
        let rel = file.strip_prefix(ws.prefix()).unwrap_or(file);
        let Some((slug, _)) = rel
            .strip_prefix("articles/")
            .and_then(|r| r.split_once('/'))
        else {
            continue;
        };
        // A sign-off removed or edited: what it said is not in the record read, so
        // nothing of the article counts. Any other problem refuses its own entry.
        if matches!(
            p.code,
            "entry-removed" | "entry-edited" | "verified-entry-gone"
        ) {
            unsound.entry(slug.to_owned()).or_insert_with(|| {
                format!(
                    "a sign-off of this article was removed or edited ({}, `medreview check`): no approval counts until it is put back (`medreview repair`)",
                    p.code
                )
            });
        } else {
            refused.entry(rel.to_owned()).or_insert_with(|| {
                format!(
                    "history refuses it ({}, `medreview check`; `medreview repair` names the fix)",
                    p.code
                )
            });
        }
    }
    Ok(problems)
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
    /// Problems a later commit of the range put right (see [`settle`]).
    pub settled: Vec<HistoryProblem>,
    /// Clocks found off ([`CLOCK_WARNINGS`]): said, never a refusal.
    pub warnings: Vec<HistoryProblem>,
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
                } else if change.path.starts_with("roster/") || is_governed_path(&change.path) {
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
    report.settled = settle(git, scope, tip, &mut problems)?;
    report.warnings = split_clock_warnings(&mut problems);
    report.problems = problems;
    report.articles = articles;
    report.roster_changed = roster_changed;
    report.added = added;
    Ok(report)
}

/// Takes out of `problems` those that the commit `tip` has put right, and returns
/// them, each saying how. A problem is put right, never by rewriting history, when:
///
/// - a governed file changed without an admin's entry (`roster-unrecorded`) holds
///   at `tip` exactly what the roster's record names for it (an admin recorded
///   the edit, or the file was restored to its recorded bytes), so the record
///   and the tree agree again; or
/// - an entry file that was edited or removed (the first problem found for it)
///   holds at `tip` the very bytes it held before, whose digest its name carries:
///   a revert restored it byte for byte, so nothing in the record was lost; the
///   revert's own problems on that file are put right with it; or
/// - a file that never read as an entry (junk) is gone again, or is voided by an
///   admin's roster entry naming its exact bytes.
///
/// The roster's record judges people and settings either way, never the tree, so
/// putting these right changes no decision; what stays wrong stays a problem.
pub(crate) fn settle(
    git: &GitStore,
    scope: &Scope<'_>,
    tip: &str,
    problems: &mut Vec<HistoryProblem>,
) -> Result<Vec<HistoryProblem>> {
    if problems.is_empty() {
        return Ok(Vec::new());
    }
    let snapshot = git.snapshot(tip)?;
    let recorded = scope.roster_log.current();
    let prefix = if scope.root.is_empty() {
        String::new()
    } else {
        format!("{}/", scope.root)
    };
    let mut first: std::collections::BTreeMap<&str, &HistoryProblem> = Default::default();
    for p in problems.iter() {
        if let Some(file) = &p.file {
            first.entry(file.as_str()).or_insert(p);
        }
    }
    let voids = scope.roster_log.voids();
    let mut put_right = Vec::new();
    for (i, p) in problems.iter().enumerate() {
        let Some(file) = p.file.as_deref() else {
            continue;
        };
        let rel = file.strip_prefix(&prefix).unwrap_or(file);
        let here = snapshot.file_id(file);
        // A voided sign-off's unreadable addition, or anything about a roster entry
        // that is voided and does not count, is moot.
        let roster_voided = rel
            .strip_prefix("roster/")
            .and_then(|name| name.strip_suffix(".yaml"))
            .and_then(crate::ledger::entry::EntryId::parse)
            .is_some_and(|id| scope.roster_log.is_voided(&id));
        let voided = voids
            .get(rel)
            .filter(|v| here.as_ref() == Some(&v.blob))
            .filter(|_| {
                roster_voided
                    || matches!(
                        p.code,
                        "entry-invalid" | "entry-unreadable" | "recorded-after-end"
                    )
            });
        let how = if let Some(void) = voided {
            put_right.push((i, void.describe()));
            continue;
        } else if p.code == "roster-unrecorded" {
            (here.as_ref() == recorded.files.get(rel))
                .then_some("put right: the file now holds what the roster's record names for it")
        } else if is_entry_path(rel) && snapshot.kind(file).is_none() && never_an_entry(git, rel, p)
        {
            Some("put right: the file never read as an entry, and it is gone, so nothing was lost")
        } else if is_entry_path(rel) {
            let origin = first[file];
            let restored = matches!(origin.code, "entry-edited" | "entry-removed")
                && origin.before.is_some()
                && here == origin.before
                && here.as_ref().is_some_and(|blob| {
                    let name = rel.rsplit('/').next().unwrap_or_default();
                    crate::ledger::entry::digest_matches(name, blob)
                });
            restored.then_some("put right: the file holds its recorded bytes again, byte for byte")
        } else {
            None
        };
        if let Some(how) = how {
            put_right.push((i, how.to_owned()));
        }
    }
    let mut settled = Vec::new();
    for (i, how) in put_right.into_iter().rev() {
        let mut p = problems.remove(i);
        p.message = format!("{} ({how})", p.message);
        settled.push(p);
    }
    settled.reverse();
    Ok(settled)
}

/// Whether problem `p` is about a file that never read as an entry: its addition
/// was refused as unreadable, or the bytes it was removed with do not read as one.
fn never_an_entry(git: &GitStore, rel: &str, p: &HistoryProblem) -> bool {
    match p.code {
        "entry-invalid" | "entry-unreadable" => true,
        "entry-removed" => p.before.as_ref().is_some_and(|blob| {
            let Ok(bytes) = git.read_blob(blob) else {
                return false;
            };
            let name = rel.rsplit('/').next().unwrap_or_default();
            let shown = Path::new(rel);
            if rel.starts_with("roster/") {
                entry::read_named::<RosterEntry>(name, &bytes, shown).is_err()
            } else {
                entry::read(name, &bytes, shown).is_err()
            }
        }),
        _ => false,
    }
}

/// `root/rel`, or `rel` at the top of the repository.
fn join(root: &str, rel: &str) -> String {
    if root.is_empty() {
        rel.to_owned()
    } else {
        format!("{root}/{rel}")
    }
}

/// Whether `path` (workspace-relative) is an immutable entry file: a sign-off, a
/// comment or a roster entry.
fn is_entry_path(path: &str) -> bool {
    path.starts_with("roster/") || is_signoff_path(path) || is_comment_path(path)
}

/// Whether `path` (workspace-relative) is in an article's `comments/` folder.
fn is_comment_path(path: &str) -> bool {
    path.strip_prefix("articles/")
        .and_then(|p| p.split_once('/'))
        .is_some_and(|(_, rest)| rest.starts_with("comments/"))
}

/// Whether `path` (workspace-relative) is in an article's `signoffs/` folder.
fn is_signoff_path(path: &str) -> bool {
    path.strip_prefix("articles/")
        .and_then(|p| p.split_once('/'))
        .is_some_and(|(_, rest)| rest.starts_with("signoffs/"))
}

mod format1;
pub mod gate;
mod rules;

pub use format1::migrated_from;
use rules::check_commit;
