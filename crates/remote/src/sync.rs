//! `medreview sync`: share the record with the team's remote without a text merge.
//!
//! 1. Fetch the branch (the `git` program, see [`crate::transport`]).
//! 2. Refuse a remote whose branch no longer holds what was fetched before, or its
//!    own checkpoint (a force-push), and incoming commits the gate refuses
//!    ([`crate::gate`]: `check`'s rules on what arrived).
//! 3. Integrate: fast-forward, or replay the user's unpushed commits onto the remote
//!    tip path by path; a path both sides changed is refused, never merged.
//! 4. Re-judge each replayed decision against what the remote now holds: an approval
//!    or request for changes that did not see a newer revision, a withdrawal, or the
//!    opposite decision on its revision is dropped (kept under
//!    `refs/medreview/dropped/`), never pushed. Withdrawals are never dropped.
//! 5. Push with a lease (only if the remote still holds what was fetched); if it
//!    moved, start again, at most [`ATTEMPTS`] times. Then the publication tags and
//!    the checkpoint.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::transport::{self, Pushed};
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::record::entry::{self, Action, Entry, EntryId};
use medreview_core::record::evaluate;
use medreview_core::record::history::CHECKPOINT_REF;
use medreview_core::source::Committed;
use medreview_core::upstream::{branch, remote_name, seen_ref, tracking_ref};
use medreview_core::workspace::Workspace;
use medreview_store::gitstore::PathChange;

/// How many times `sync` fetches again when the remote moved during a push.
pub const ATTEMPTS: usize = 5;

/// Where the old tip is kept when decisions are dropped.
pub const DROPPED_PREFIX: &str = "refs/medreview/dropped/";

/// A decision that was not pushed.
#[derive(Debug, Clone, Serialize)]
pub struct Dropped {
    /// The article.
    pub slug: String,
    /// What it was.
    pub action: &'static str,
    /// Who made it.
    pub by: String,
    /// The revision it was about.
    pub revision: String,
    /// Why it was dropped.
    pub reason: String,
    /// The local commit that held it.
    pub commit: String,
}

/// What `sync` did.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// The remote.
    pub remote: String,
    /// The branch.
    pub branch: String,
    /// Commits received that were not here before.
    pub fetched: usize,
    /// `up-to-date`, `fast-forward`, `replayed` or `pushed-only`.
    pub integration: &'static str,
    /// Local commits replayed onto the remote.
    pub replayed: usize,
    /// Decisions not pushed.
    pub dropped: Vec<Dropped>,
    /// Whether the branch was pushed (or was already there).
    pub pushed: bool,
    /// Fetch-and-push rounds.
    pub attempts: usize,
    /// Things the user should know.
    pub warnings: Vec<String>,
    /// Where the old tip is kept, when decisions were dropped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept_as: Option<String>,
}

/// Runs `sync`. `progress` gets one line per step.
pub fn sync(ws: &Workspace, progress: &mut dyn Write) -> Result<SyncReport> {
    let remote = remote_name(ws);
    let (short, full) = branch(ws)?;
    let workdir = ws.git.workdir().to_path_buf();
    if !transport::remote_exists(&workdir, &remote) {
        return Err(Error::with_hint(
            Code::NoRemote,
            format!("there is no git remote {remote} to sync with"),
            format!(
                "add the team's repository with `git remote add {remote} URL`, or name another with `git config medreview.remote NAME`"
            ),
        ));
    }
    let _lock = ws.git.lock()?;
    let tracking = tracking_ref(&remote, &short);
    let seen = seen_ref(&remote, &short);
    let mut report = SyncReport {
        remote: remote.clone(),
        branch: short.clone(),
        fetched: 0,
        integration: "up-to-date",
        replayed: 0,
        dropped: Vec::new(),
        pushed: false,
        attempts: 0,
        warnings: Vec::new(),
        kept_as: None,
    };
    let original = ws.git.head_commit();
    for attempt in 1..=ATTEMPTS {
        report.attempts = attempt;
        let Fetched {
            before,
            remote_tip,
            local,
        } = fetch_verified(ws, &remote, &short, progress)?;
        if let Some(tip) = &remote_tip {
            let known: Vec<String> = local.iter().chain(before.iter()).cloned().collect();
            report.fetched += ws.git.commits_between(tip, &known)?.len();
        }
        let (new_tip, integration) =
            integrate(ws, local.as_deref(), remote_tip.as_deref(), &mut report)?;
        if new_tip != local {
            let to = new_tip.as_deref().unwrap_or_default();
            transport::move_branch(&workdir, &full, local.as_deref(), to)?;
        }
        if report.integration == "up-to-date" || integration != "up-to-date" {
            report.integration = integration;
        }
        let Some(new_tip) = new_tip else {
            return Ok(report);
        };
        if remote_tip.as_deref() == Some(new_tip.as_str()) {
            report.pushed = true;
            ws.git
                .set_ref(&seen, &new_tip, "medreview sync: up to date")?;
            break;
        }
        let _ = writeln!(progress, "Pushing to {remote}/{short}…");
        match transport::push_branch(&workdir, &remote, &short, &new_tip, remote_tip.as_deref())? {
            Pushed::Done => {
                report.pushed = true;
                // The remote-tracking ref now names what is on the remote.
                ws.git
                    .set_ref(&tracking, &new_tip, "medreview sync: pushed")?;
                ws.git.set_ref(&seen, &new_tip, "medreview sync: pushed")?;
                if report.integration == "up-to-date" {
                    report.integration = "pushed-only";
                }
                break;
            }
            Pushed::Moved => {
                let _ = writeln!(progress, "{remote} moved meanwhile; trying again");
                continue;
            }
            Pushed::Refused(said) => {
                return Err(Error::new(
                    Code::PushRejected,
                    format!("{remote} refused the push:\n{said}"),
                ));
            }
        }
    }
    if !report.pushed {
        return Err(Error::new(
            Code::RemoteKeptMoving,
            format!(
                "{remote} kept moving: the push was refused {ATTEMPTS} times because others pushed in between"
            ),
        ));
    }
    if !report.dropped.is_empty()
        && let Some(old) = &original
    {
        // The time says when; the old tip's id keeps two drops in one second apart.
        let name = format!(
            "{DROPPED_PREFIX}{}-{}",
            entry::utc_stamp(&medreview_core::clock::now()?),
            &old[..12]
        );
        ws.git
            .set_ref(&name, old, "medreview sync: decisions not pushed")?;
        report.kept_as = Some(name);
    }
    push_extras(ws, &remote, &mut report);
    report
        .warnings
        .extend(transport::fetch_tags(&workdir, &remote));
    Ok(report)
}

/// What a verified fetch found.
struct Fetched {
    /// What sync last found on the remote (or the last fetch), before this fetch.
    before: Option<String>,
    /// The remote's branch now, if it has one.
    remote_tip: Option<String>,
    /// HEAD.
    local: Option<String>,
}

/// Fetches the branch, refuses a rewritten remote, and verifies what arrived.
fn fetch_verified(
    ws: &Workspace,
    remote: &str,
    short: &str,
    progress: &mut dyn Write,
) -> Result<Fetched> {
    let tracking = tracking_ref(remote, short);
    let _ = writeln!(progress, "Fetching {remote}/{short}…");
    let before = ws
        .git
        .ref_commit(&seen_ref(remote, short))
        .or_else(|| ws.git.ref_commit(&tracking));
    let there = transport::fetch(ws.git.workdir(), remote, short)?;
    let remote_tip = if there {
        ws.git.ref_commit(&tracking)
    } else {
        None
    };
    refuse_rewrite(
        ws,
        remote,
        &tracking,
        before.as_deref(),
        remote_tip.as_deref(),
    )?;
    let local = ws.git.head_commit();
    if let Some(tip) = &remote_tip {
        verify_incoming(ws, remote, tip, local.as_deref())?;
    }
    Ok(Fetched {
        before,
        remote_tip,
        local,
    })
}

/// Refuses when the remote no longer holds what this clone fetched from it before,
/// or what its own checkpoint names: a force-push or a deletion.
fn refuse_rewrite(
    ws: &Workspace,
    remote: &str,
    tracking: &str,
    before: Option<&str>,
    now: Option<&str>,
) -> Result<()> {
    let lost = match (before, now) {
        (Some(b), Some(n)) => !ws.git.is_ancestor(b, n),
        (Some(_), None) => true,
        _ => false,
    };
    let checkpoint = ws
        .git
        .ref_commit(&format!("refs/medreview/remotes/{remote}/checked"));
    let lost_checked =
        matches!((&checkpoint, now), (Some(c), Some(n)) if !ws.git.is_ancestor(c, n));
    if !lost && !lost_checked {
        return Ok(());
    }
    // Keep pointing at what was fetched before, so the next sync refuses too.
    if let Some(b) = before {
        let _ = ws
            .git
            .set_ref(tracking, b, "medreview sync: remote rewritten");
    }
    let what = if lost {
        match before {
            Some(b) => format!("commit {} that this clone fetched before", &b[..10]),
            None => "what this clone fetched before".into(),
        }
    } else {
        "the commit its own checkpoint names as verified".into()
    };
    Err(Error::with_hint(
        Code::RemoteRewritten,
        format!(
            "the remote {remote} was rewritten: its branch no longer holds {what} (a force-push or a deletion can drop sign-offs, a withdrawal among them); nothing was changed here"
        ),
        format!(
            "ask whoever runs the server what happened; install the server gate (`medreview hook install --server`) so it cannot happen again. If the rewrite was reviewed and intended, `git update-ref -d {}` and sync again",
            seen_ref(
                remote,
                tracking
                    .strip_prefix(&format!("refs/remotes/{remote}/"))
                    .unwrap_or_default()
            )
        ),
    ))
}

/// Refuses incoming commits that do not pass the gate.
fn verify_incoming(ws: &Workspace, remote: &str, tip: &str, local: Option<&str>) -> Result<()> {
    let mut hide: Vec<String> = local.iter().map(|s| s.to_string()).collect();
    hide.extend(ws.git.ref_commit(CHECKPOINT_REF));
    if local.is_some_and(|l| ws.git.is_ancestor(tip, l)) {
        return Ok(());
    }
    let report = crate::gate::verify(&ws.git, ws.prefix(), tip, &hide, local)?;
    if report.problems.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = report
        .problems
        .iter()
        .map(|p| {
            let place = p
                .file
                .as_deref()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            format!("  [{}] {place}{}", p.code, p.message)
        })
        .collect();
    Err(Error::new(
        Code::RemoteDoesNotVerify,
        format!(
            "the record on {remote} does not verify, so it was not merged here ({}):\n{}",
            medreview_core::plural::plural(report.problems.len(), "problem", "problems"),
            lines.join("\n")
        ),
    ))
}

/// Works out the new local tip: the remote's (fast-forward), the local one, or the
/// local commits replayed onto the remote's.
fn integrate(
    ws: &Workspace,
    local: Option<&str>,
    remote: Option<&str>,
    report: &mut SyncReport,
) -> Result<(Option<String>, &'static str)> {
    let (Some(local), Some(remote)) = (local, remote) else {
        return Ok(match (local, remote) {
            (None, Some(r)) => (Some(r.to_owned()), "fast-forward"),
            (l, _) => (l.map(str::to_owned), "up-to-date"),
        });
    };
    if ws.git.is_ancestor(remote, local) {
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
                dropped_ids.insert(id.as_str().to_owned());
                report.dropped.push(Dropped {
                    slug: slug.to_string(),
                    action: entry.action.as_str(),
                    by: entry.by.to_string(),
                    revision: entry.revision.to_string(),
                    reason: why.reason.clone(),
                    commit: commit.id.clone(),
                });
            }
            continue;
        }
        if apply.is_empty() {
            continue;
        }
        base = ws.git.replay(&commit.id, &base, &apply, now)?;
        report.replayed += 1;
    }
    Ok((Some(base), "replayed"))
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
    let src = Committed {
        snapshot: ws.git.snapshot(base)?,
        prefix: ws.prefix().to_owned(),
        root: PathBuf::from(ws.root()),
    };
    let people = medreview_core::roster::people::load_lenient(&src, &ws.git)?;
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
        let ledger = medreview_core::record::load_ledger(&src, slug)?;
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

/// Pushes publication tags and the checkpoint; what the remote does not take is a
/// warning.
fn push_extras(ws: &Workspace, remote: &str, report: &mut SyncReport) {
    let mut specs: Vec<String> = ws
        .git
        .refs_under("refs/tags/published/")
        .into_iter()
        .map(|(name, _)| format!("{name}:{name}"))
        .collect();
    if let (Some(cp), Some(head)) = (ws.git.ref_commit(CHECKPOINT_REF), ws.git.head_commit()) {
        let theirs = ws
            .git
            .ref_commit(&format!("refs/medreview/remotes/{remote}/checked"));
        let forward = theirs
            .as_deref()
            .is_none_or(|t| t != cp && ws.git.is_ancestor(t, &cp));
        if forward && ws.git.is_ancestor(&cp, &head) {
            specs.push(format!("{cp}:{CHECKPOINT_REF}"));
        }
    }
    report
        .warnings
        .extend(transport::push_refs(ws.git.workdir(), remote, &specs));
}

/// Before a sign-off with `--sync`: fetch, verify, and fast-forward when the remote
/// is ahead; refuse when the two have diverged.
pub fn prepare(ws: &Workspace, progress: &mut dyn Write) -> Result<()> {
    let remote = remote_name(ws);
    let (short, full) = branch(ws)?;
    let workdir = ws.git.workdir().to_path_buf();
    if !transport::remote_exists(&workdir, &remote) {
        return Err(Error::with_hint(
            Code::NoRemote,
            format!("--sync: there is no git remote {remote}"),
            format!("add it with `git remote add {remote} URL`, or leave out --sync"),
        ));
    }
    let _lock = ws.git.lock()?;
    let Fetched {
        remote_tip, local, ..
    } = fetch_verified(ws, &remote, &short, progress)?;
    let Some(tip) = remote_tip else {
        return Ok(());
    };
    match local.as_deref() {
        Some(l) if ws.git.is_ancestor(&tip, l) => {}
        Some(l) if ws.git.is_ancestor(l, &tip) => {
            transport::move_branch(&workdir, &full, Some(l), &tip)?
        }
        None => transport::move_branch(&workdir, &full, None, &tip)?,
        Some(_) => {
            return Err(Error::new(
                Code::Diverged,
                format!(
                    "--sync: this clone and {remote}/{short} have diverged, so nothing was recorded"
                ),
            ));
        }
    }
    ws.git
        .set_ref(&seen_ref(&remote, &short), &tip, "medreview sync: fetched")?;
    Ok(())
}
