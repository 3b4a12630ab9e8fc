//! The first two steps of `sync`: fetch the branch, refuse a remote whose branch
//! no longer holds what this clone fetched before or what its own checkpoint names
//! (a force-push or a deletion), and refuse incoming commits the server gate would
//! refuse.

use std::io::Write;

use crate::transport;
use medreview_core::error::{Code, Error, Result};
use medreview_core::upstream::{seen_ref, tracking_ref};
use medreview_core::workspace::Workspace;

/// What a verified fetch found.
pub(super) struct Fetched {
    /// What sync last found on the remote (or the last fetch), before this fetch.
    pub(super) before: Option<String>,
    /// The remote's branch now, if it has one.
    pub(super) remote_tip: Option<String>,
    /// HEAD.
    pub(super) local: Option<String>,
    /// What the user should know: clocks found off in what arrived, a remote
    /// checkpoint that was not trusted.
    pub(super) warnings: Vec<String>,
}

/// Fetches the branch, refuses a rewritten remote, and verifies what arrived.
pub(super) fn fetch_verified(
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
    let mut warnings = Vec::new();
    refuse_rewrite(
        ws,
        remote,
        &tracking,
        before.as_deref(),
        remote_tip.as_deref(),
        &mut warnings,
    )?;
    let local = ws.git.head_commit();
    if let Some(tip) = &remote_tip {
        verify_incoming(ws, remote, tip, local.as_deref(), &mut warnings)?;
    }
    Ok(Fetched {
        before,
        remote_tip,
        local,
        warnings,
    })
}

/// Refuses when the remote no longer holds what this clone fetched from it before:
/// a force-push or a deletion. The remote's own checkpoint is only a hint: any
/// pusher to a server without the gate can move it, so one that the remote's
/// branch does not descend from is said and set aside, never a reason to refuse
/// (regression: a pusher moved the server's checkpoint off main and every clone's
/// sync refused with a false "the remote was rewritten").
fn refuse_rewrite(
    ws: &Workspace,
    remote: &str,
    tracking: &str,
    before: Option<&str>,
    now: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let lost = match (before, now) {
        (Some(b), Some(n)) => !ws.git.is_ancestor(b, n),
        (Some(_), None) => true,
        _ => false,
    };
    let remote_checkpoint = format!("refs/medreview/remotes/{remote}/checked");
    if let (Some(c), Some(n)) = (ws.git.ref_commit(&remote_checkpoint), now)
        && !ws.git.is_ancestor(&c, n)
    {
        warnings.push(format!(
            "{remote}'s checkpoint (refs/medreview/checked) names commit {}, which its branch does not contain; it was not trusted. Ask whoever runs the server to install the gate (`medreview hook install --server`), which moves that ref itself",
            &c[..c.len().min(10)]
        ));
        let _ = ws.git.delete_ref(&remote_checkpoint);
    }
    if !lost {
        return Ok(());
    }
    // Keep pointing at what was fetched before, so the next sync refuses too.
    if let Some(b) = before {
        let _ = ws
            .git
            .set_ref(tracking, b, "medreview sync: remote rewritten");
    }
    let what = match before {
        Some(b) => format!("commit {} that this clone fetched before", &b[..10]),
        None => "what this clone fetched before".into(),
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
fn verify_incoming(
    ws: &Workspace,
    remote: &str,
    tip: &str,
    local: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let mut hide: Vec<String> = local.iter().map(|s| s.to_string()).collect();
    // Only a checkpoint this build verified (a hand-moved ref must not hide commits).
    hide.extend(
        medreview_core::record::history::trusted_checkpoint(
            &ws.git,
            ws.prefix().trim_end_matches('/'),
        )
        .ok()
        .flatten(),
    );
    if local.is_some_and(|l| ws.git.is_ancestor(tip, l)) {
        return Ok(());
    }
    let report = crate::gate::verify(&ws.git, ws.prefix(), tip, &hide, local)?;
    warnings.extend(report.warnings.iter().map(|w| {
        let place = w
            .file
            .as_deref()
            .map(|f| format!("{f}: "))
            .unwrap_or_default();
        format!("[{}] {place}{}", w.code, w.message)
    }));
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
