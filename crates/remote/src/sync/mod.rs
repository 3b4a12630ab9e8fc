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
//!
//! This file holds the sequence (steps 1 and 5) and its report; fetching and
//! refusing what arrived is in `fetch`, integrating and re-judging in `replay`.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use crate::transport::{self, Pushed};
use medreview_core::error::{Code, Error, Result};
use medreview_core::plural::plural;
use medreview_core::record::entry;
use medreview_core::record::history::CHECKPOINT_REF;
use medreview_core::upstream::{branch, remote_name, seen_ref, tracking_ref};
use medreview_core::workspace::Workspace;

mod fetch;
mod publications;
mod refused;
mod replay;
use fetch::{Fetched, fetch_verified};
use replay::integrate;

/// How many times `sync` fetches again when the remote moved during a push.
pub(crate) const ATTEMPTS: usize = 5;

/// Where the old tip is kept when decisions are dropped.
pub(crate) const DROPPED_PREFIX: &str = "refs/medreview/dropped/";

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
    /// Files (path, blob) to leave in the working tree after a set-aside: a
    /// submission's text, for the writer to submit again.
    #[serde(skip)]
    pub(crate) restore: Vec<(String, String)>,
}

/// Runs `sync`. `progress` gets one line per step.
pub fn sync(ws: &Workspace, progress: &mut dyn Write) -> Result<SyncReport> {
    let remote = remote_name(ws);
    let (short, full) = branch(ws)?;
    let workdir = ws.git.workdir().to_path_buf();
    if !transport::remote_exists(&workdir, &remote)? {
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
        restore: Vec::new(),
    };
    let original = ws.git.head_commit();
    // Local commits the gate refused, with its words: set aside on the next round.
    let mut set_aside: BTreeMap<String, String> = BTreeMap::new();
    for attempt in 1..=ATTEMPTS {
        report.attempts = attempt;
        let Fetched {
            before,
            remote_tip,
            local,
            warnings,
        } = fetch_verified(ws, &remote, &short, progress)?;
        for w in warnings {
            if !report.warnings.contains(&w) {
                report.warnings.push(w);
            }
        }
        if let Some(tip) = &remote_tip {
            let known: Vec<String> = local.iter().chain(before.iter()).cloned().collect();
            report.fetched += ws.git.commits_between(tip, &known)?.len();
        }
        let (new_tip, integration) = integrate(
            ws,
            local.as_deref(),
            remote_tip.as_deref(),
            &set_aside,
            &mut report,
        )?;
        if new_tip != local {
            let to = new_tip.as_deref().unwrap_or_default();
            transport::move_branch(&workdir, &full, local.as_deref(), to)?;
            // What was set aside is kept, and said, whatever happens next.
            keep_set_aside(ws, original.as_deref(), &mut report)?;
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
        if let Some(bad) = commit_time_warning(ws, &new_tip, remote_tip.as_deref()) {
            report.warnings.push(bad);
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
                let blamed = refused::blame(ws, &new_tip, remote_tip.as_deref(), &said)?;
                if blamed.is_empty() || blamed.keys().all(|c| set_aside.contains_key(c)) {
                    return Err(Error::with_hint(
                        Code::PushRejected,
                        format!("{remote} refused the push:\n{said}"),
                        "nothing of yours was lost: your commits are still here. Fix what the server names (`medreview check` helps), then `medreview sync` again",
                    ));
                }
                let _ = writeln!(
                    progress,
                    "{remote} refused {}; setting {} aside and trying again",
                    plural(blamed.len(), "commit", "commits"),
                    if blamed.len() == 1 { "it" } else { "them" }
                );
                set_aside.extend(blamed);
                continue;
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
    publications::exchange(ws, &remote, &mut report);
    Ok(report)
}

/// Keeps the branch as it was before sync set decisions aside (under
/// `refs/medreview/dropped/`), leaves set-aside texts in the working tree, and
/// keeps `check`'s checkpoint in HEAD's history.
fn keep_set_aside(ws: &Workspace, original: Option<&str>, report: &mut SyncReport) -> Result<()> {
    if !report.dropped.is_empty()
        && report.kept_as.is_none()
        && let Some(old) = original
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
    keep_checkpoint_in_history(ws, report);
    restore_texts(ws, report);
    Ok(())
}

/// After sync replayed or set aside local commits, `check`'s checkpoint may name a
/// commit HEAD no longer contains; it is moved back to the last commit both hold,
/// which was verified, so `check` walks the rest again instead of reporting a
/// rewrite (regression: a routine drop turned the doctor's own `check` red with
/// `history-rewritten`, and her publish refused).
fn keep_checkpoint_in_history(ws: &Workspace, report: &mut SyncReport) {
    let (Some(cp), Some(head)) = (ws.git.ref_commit(CHECKPOINT_REF), ws.git.head_commit()) else {
        return;
    };
    if ws.git.is_ancestor(&cp, &head) {
        return;
    }
    let moved = match ws.git.merge_base(&cp, &head) {
        Some(base) => ws
            .git
            .set_ref(CHECKPOINT_REF, &base, "medreview sync: commits set aside")
            .is_ok(),
        None => ws.git.delete_ref(CHECKPOINT_REF).is_ok(),
    };
    if !moved {
        report.warnings.push(format!(
            "`medreview check` may report a rewrite: its checkpoint names a commit sync set aside; `git update-ref -d {CHECKPOINT_REF}` starts it over"
        ));
    }
}

/// Leaves a set-aside submission's text in the working tree (not committed), so
/// the writer can submit it again at once.
fn restore_texts(ws: &Workspace, report: &mut SyncReport) {
    for (path, blob) in std::mem::take(&mut report.restore) {
        let bytes = medreview_store::revision::RevId::parse(&blob)
            .and_then(|id| ws.git.read_blob(&id).ok());
        let file = ws.git.workdir().join(&path);
        let written =
            bytes.is_some_and(|b| medreview_store::gitstore::write_atomically(&file, &b).is_ok());
        if !written {
            report.warnings.push(format!(
                "could not put your text back in {path}; it is kept in the set-aside commit (`git show {blob}`)"
            ));
        }
    }
}

/// Says, to the person about to push them, that their own commits are dated before
/// their parents (their clock is behind): a warning, never a refusal.
fn commit_time_warning(ws: &Workspace, tip: &str, remote_tip: Option<&str>) -> Option<String> {
    let hide: Vec<String> = remote_tip.iter().map(|s| s.to_string()).collect();
    let commits = ws.git.commits_between(tip, &hide).ok()?;
    let behind = commits.iter().find_map(|c| {
        let (time, parent) = ws.git.commit_times(&c.id)?;
        (time < parent).then(|| (c, parent - time))
    })?;
    Some(format!(
        "your commit {} ({}) is dated {} before its parent: this machine's clock seems to be behind. Clocks order nothing in the record, so it was shared; set the clock right",
        &behind.0.id[..10],
        behind.0.subject,
        medreview_core::clock::span(behind.1)
    ))
}

/// Before a sign-off with `--sync`: fetch, verify, and fast-forward when the remote
/// is ahead; refuse when the two have diverged.
pub fn prepare(ws: &Workspace, progress: &mut dyn Write) -> Result<()> {
    let remote = remote_name(ws);
    let (short, full) = branch(ws)?;
    let workdir = ws.git.workdir().to_path_buf();
    if !transport::remote_exists(&workdir, &remote)? {
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
