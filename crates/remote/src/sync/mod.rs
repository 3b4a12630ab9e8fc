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

use std::io::Write;

use serde::Serialize;

use crate::transport::{self, Pushed};
use medreview_core::error::{Code, Error, Result};
use medreview_core::record::entry;
use medreview_core::record::history::CHECKPOINT_REF;
use medreview_core::upstream::{branch, remote_name, seen_ref, tracking_ref};
use medreview_core::workspace::Workspace;

mod fetch;
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
