//! Integrating the remote's work: fast-forward, or replay the user's unpushed
//! commits onto the remote tip path by path (a path both sides changed is
//! refused, never merged), re-judging each replayed decision against what the
//! remote now holds and dropping the ones that no longer stand.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::{Dropped, SyncReport};
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::record::entry::{self, Action, Entry, EntryId};
use medreview_core::record::evaluate;
use medreview_core::source::Committed;
use medreview_core::workspace::Workspace;
use medreview_store::gitstore::PathChange;

/// Works out the new local tip: the remote's (fast-forward), the local one, or the
/// local commits replayed onto the remote's. A local commit that changes a path
/// in `set_aside` (what the server's gate refused, with its reason) is set aside
/// as a decision that no longer stands is.
pub(super) fn integrate(
    ws: &Workspace,
    local: Option<&str>,
    remote: Option<&str>,
    set_aside: &BTreeMap<String, String>,
    report: &mut SyncReport,
) -> Result<(Option<String>, &'static str)> {
    let (Some(local), Some(remote)) = (local, remote) else {
        return Ok(match (local, remote) {
            (None, Some(r)) => (Some(r.to_owned()), "fast-forward"),
            (l, _) => (l.map(str::to_owned), "up-to-date"),
        });
    };
    if ws.git.is_ancestor(remote, local) && set_aside.is_empty() {
        return Ok((Some(local.to_owned()), "up-to-date"));
    }
    if ws.git.is_ancestor(local, remote) {
        return Ok((Some(remote.to_owned()), "fast-forward"));
    }
    let unpushed = ws.git.commits_between(local, &[remote.to_owned()])?;
    let now = medreview_core::clock::now()?;
    let mut base = remote.to_owned();
    let mut dropped_ids: BTreeSet<String> = BTreeSet::new();
    for commit in &unpushed {
        let short = &commit.id[..10];
        if commit.parents.len() > 1 {
            // A merge of the remote's work (`git pull`): what it brought is in the
            // remote tip already; anything else it holds cannot be replayed.
            let changes = ws.git.path_changes(Some(&commit.parents[0]), &commit.id)?;
            if let Some(c) = changes
                .iter()
                .find(|c| ws.git.file_at(&base, &c.path) != c.new)
            {
                return Err(Error::new(
                    Code::CannotReplay,
                    format!(
                        "your merge commit {short} ({}) changes {} in a way the remote does not hold, and sync replays no merges",
                        commit.subject, c.path
                    ),
                ));
            }
            continue;
        }
        let Some(parent) = commit.parents.first() else {
            return Err(Error::new(
                Code::UnrelatedHistories,
                format!(
                    "your branch and {} share no history (commit {short} has no parent)",
                    report.remote
                ),
            ));
        };
        let changes = ws.git.path_changes(Some(parent), &commit.id)?;
        if let Some(reason) = changes.iter().find_map(|c| set_aside.get(&c.path)) {
            drop_commit(ws, commit, &changes, reason, &mut dropped_ids, report);
            continue;
        }
        if let Some(reason) = superseded_submission(ws, &base, commit, &changes, report) {
            drop_commit(ws, commit, &changes, &reason, &mut dropped_ids, report);
            continue;
        }
        let mut apply: Vec<PathChange> = Vec::new();
        for change in changes {
            let here = ws.git.file_at(&base, &change.path);
            if here == change.new {
                continue;
            }
            if here != change.old {
                return Err(Error::with_hint(
                    Code::CannotReplay,
                    format!(
                        "cannot replay your commit {short} ({}): {} changed {} too, and sync never merges text",
                        commit.subject, report.remote, change.path
                    ),
                    "run `git pull --rebase`, resolve the file, then `medreview sync`; nothing was changed",
                ));
            }
            apply.push(change);
        }
        if let Some(why) = rejudge(ws, &base, &apply, &dropped_ids, now)? {
            for (id, entry, slug) in &why.entries {
                drop_entry(
                    id,
                    entry,
                    slug,
                    &why.reason,
                    commit,
                    &mut dropped_ids,
                    report,
                );
            }
            continue;
        }
        if apply.is_empty() {
            continue;
        }
        if let Some((reason, text)) = takes_page_down(ws, &base, &apply, now)? {
            drop_commit(ws, commit, &apply, &reason, &mut dropped_ids, report);
            report.restore.extend(text);
            continue;
        }
        base = ws.git.replay(&commit.id, &base, &apply, now)?;
        report.replayed += 1;
    }
    Ok((Some(base), "replayed"))
}

/// Sets a local commit aside: every sign-off it adds is reported as not pushed
/// with `reason`, and later commits that followed them are set aside too.
fn drop_commit(
    ws: &Workspace,
    commit: &medreview_store::gitstore::CommitInfo,
    changes: &[PathChange],
    reason: &str,
    dropped_ids: &mut BTreeSet<String>,
    report: &mut SyncReport,
) {
    let entries = added_entries(ws, changes);
    if entries.is_empty() {
        report.dropped.push(Dropped {
            slug: String::new(),
            action: "commit",
            by: commit.subject.clone(),
            revision: String::new(),
            reason: reason.to_owned(),
            commit: commit.id.clone(),
        });
    }
    for (id, entry, slug) in &entries {
        drop_entry(id, entry, slug, reason, commit, dropped_ids, report);
    }
}

/// Sets the sign-off `id` of `slug` aside, saying `reason`.
fn drop_entry(
    id: &EntryId,
    entry: &Entry,
    slug: &Id,
    reason: &str,
    commit: &medreview_store::gitstore::CommitInfo,
    dropped_ids: &mut BTreeSet<String>,
    report: &mut SyncReport,
) {
    dropped_ids.insert(id.as_str().to_owned());
    report.dropped.push(Dropped {
        slug: slug.to_string(),
        action: entry.action.as_str(),
        by: entry.by.to_string(),
        revision: entry.revision.to_string(),
        reason: reason.to_owned(),
        commit: commit.id.clone(),
    });
}

/// A local submission whose article text the remote changed meanwhile (another
/// writer submitted, say) cannot be replayed: its commit would have to hold the
/// remote's text, and then its entry would name a revision no commit carries
/// (regression: following sync's own `git pull --rebase` hint left an entry the
/// gate refused `revision-missing` on every later sync). It is set aside, its text
/// kept with the old branch, and the writer is told how to submit again.
fn superseded_submission(
    ws: &Workspace,
    base: &str,
    commit: &medreview_store::gitstore::CommitInfo,
    changes: &[PathChange],
    report: &SyncReport,
) -> Option<String> {
    let submitted = added_entries(ws, changes)
        .into_iter()
        .find(|(_, e, _)| e.action == Action::Submitted)?;
    let slug = &submitted.2;
    let article = changes.iter().find(|c| {
        c.path
            .strip_prefix(ws.prefix())
            .is_some_and(|p| p == format!("articles/{slug}/article.md"))
    })?;
    let here = ws.git.file_at(base, &article.path);
    if here == article.new || here == article.old {
        return None;
    }
    Some(format!(
        "{} changed {slug}'s text meanwhile (another submission), and sync never merges text. Your text is kept: see it with `git show {}:{}`, carry what is still needed into the article, then `medreview submit {slug}` again",
        report.remote,
        &commit.id[..10],
        article.path
    ))
}

/// A file to leave in the working tree after a set-aside: (path, blob id).
type Restore = (String, String);

/// Before a writer's submission is shared: whether it would stop an approval the
/// remote holds from counting (the writer had not synced since it was made, so
/// the submission did not see it, and an approval that did not see a newer
/// revision never counts: Invariant 8). Sharing it would take the approved
/// revision out of publication, so it is set aside, its text left in the working
/// tree, and the writer told to submit again: then it sees the approval and the
/// approved revision stays publishable while the new one is in review
/// (regression: a writer who had not synced took a live page down, untold).
fn takes_page_down(
    ws: &Workspace,
    base: &str,
    changes: &[PathChange],
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Option<(String, Option<Restore>)>> {
    let Some((id, entry, slug)) = added_entries(ws, changes)
        .into_iter()
        .find(|(_, e, _)| e.action == Action::Submitted)
    else {
        return Ok(None);
    };
    let (src, people) = at_commit(ws, base)?;
    let policy = ws.policy(&*people);
    let ledger = medreview_core::record::load_ledger(&src, &slug, &people.voids())?;
    let Some(live) = evaluate::evaluate(&slug, &ledger, &*people, &policy, now).publishable else {
        return Ok(None);
    };
    let (with, Some(_)) = ledger.with_entry(id, entry.clone()) else {
        return Ok(None);
    };
    let after = evaluate::evaluate(&slug, &with, &*people, &policy, now).publishable;
    if after.is_some_and(|p| p.revision.id == live.revision.id) {
        return Ok(None);
    }
    let by: Vec<String> = live.approvals.iter().map(|a| a.by.to_string()).collect();
    let article = format!("{}articles/{slug}/article.md", ws.prefix());
    let text = changes
        .iter()
        .find(|c| c.path == article)
        .and_then(|c| c.new.as_ref())
        .map(|(blob, _)| (article.clone(), blob.clone()));
    Ok(Some((
        format!(
            "it did not see {}'s approval of {} {}, made meanwhile, so sharing it would take the published page out of publication. Your text is left in {article}, not yet submitted: run `medreview submit {slug}` again now; the approved revision stays published while yours is in review",
            by.join(" and "),
            slug,
            live.revision.label()
        ),
        text,
    )))
}

/// Why a commit's decisions are not pushed.
struct Stale {
    entries: Vec<(EntryId, Entry, Id)>,
    reason: String,
}

/// The sign-off entries a set of changes adds, with their article.
fn added_entries(ws: &Workspace, changes: &[PathChange]) -> Vec<(EntryId, Entry, Id)> {
    let prefix = ws.prefix();
    changes
        .iter()
        .filter(|c| c.old.is_none())
        .filter_map(|c| {
            let rel = c.path.strip_prefix(prefix)?;
            let (slug, rest) = rel.strip_prefix("articles/")?.split_once('/')?;
            let name = rest.strip_prefix("signoffs/")?;
            let (blob, _) = c.new.as_ref()?;
            let bytes = ws
                .git
                .read_blob(&medreview_store::revision::RevId::parse(blob)?)
                .ok()?;
            let (id, entry) = entry::read(name, &bytes, std::path::Path::new(&c.path)).ok()?;
            Some((id, entry, Id::parse_slug("slug", slug).ok()?))
        })
        .collect()
}

/// Re-judges the decisions a replayed commit adds against the record at `base`.
fn rejudge(
    ws: &Workspace,
    base: &str,
    changes: &[PathChange],
    dropped: &BTreeSet<String>,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Option<Stale>> {
    let entries = added_entries(ws, changes);
    let (src, people) = at_commit(ws, base)?;
    let policy = ws.policy(&*people);
    for (id, entry, slug) in &entries {
        if let Some(gone) = entry.after.iter().find(|a| dropped.contains(a.as_str())) {
            return Ok(Some(Stale {
                entries: entries.clone(),
                reason: format!("it followed your {gone}, which was not pushed"),
            }));
        }
        if !matches!(
            entry.action,
            Action::Approved | Action::ChangesRequested | Action::Recertified
        ) {
            continue;
        }
        let ledger = medreview_core::record::load_ledger(&src, slug, &people.voids())?;
        let (with, position) = ledger.with_entry(id.clone(), entry.clone());
        let Some(position) = position else {
            return Ok(Some(Stale {
                entries: entries.clone(),
                reason: format!(
                    "it follows sign-offs of {slug} that {} does not hold",
                    "the remote"
                ),
            }));
        };
        let unseen = (0..with.entries.len())
            .filter(|j| *j != position && !with.saw(position, *j))
            .map(|j| &with.entries[j]);
        let mut reason = None;
        for other in unseen {
            let why = match other.action {
                Action::Submitted if other.revision != entry.revision => Some(format!(
                    "{} submitted a newer revision ({}) meanwhile",
                    other.by,
                    other.revision.short()
                )),
                Action::Withdrawn => Some(format!(
                    "{} withdrew {slug} meanwhile: {}",
                    other.by,
                    other.note.as_deref().unwrap_or("no note")
                )),
                Action::Approved | Action::ChangesRequested
                    if other.revision == entry.revision
                        && other.action != entry.action
                        && !(other.action == Action::Approved
                            && entry.action == Action::Recertified) =>
                {
                    Some(format!(
                        "{} {} this revision meanwhile: {}",
                        other.by,
                        if other.action == Action::Approved {
                            "approved"
                        } else {
                            "requested changes to"
                        },
                        other.note.as_deref().unwrap_or("no note")
                    ))
                }
                _ => None,
            };
            if why.is_some() {
                reason = why;
                break;
            }
        }
        if reason.is_none() {
            let status = evaluate::evaluate(slug, &with, &*people, &policy, now);
            reason = status.verdicts[position].clone();
        }
        if let Some(reason) = reason {
            return Ok(Some(Stale {
                entries: entries.clone(),
                reason: format!(
                    "{reason}; read what changed (`medreview diff {slug}`) and decide again"
                ),
            }));
        }
    }
    Ok(None)
}

/// The workspace as commit `base` holds it, and its people.
fn at_commit<'w>(
    ws: &'w Workspace,
    base: &str,
) -> Result<(
    Committed<'w>,
    Box<dyn medreview_core::roster::people::People + 'w>,
)> {
    let src = Committed {
        snapshot: ws.git.snapshot(base)?,
        prefix: ws.prefix().to_owned(),
        root: PathBuf::from(ws.root()),
    };
    let people = medreview_core::roster::people::load_lenient(&src, &ws.git)?;
    Ok((src, people))
}
