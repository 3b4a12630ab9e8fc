//! Where this clone stands against the team's remote, read from local refs only
//! (no network): the remote's name, the branch, and how far ahead or behind the
//! last fetch HEAD is. `sync` moves these refs; `status` and `publish` read them.

use serde::Serialize;

use crate::error::Result;
use crate::workspace::Workspace;

/// The remote to sync with: `git config medreview.remote`, else `sync.remote` in
/// `medreview.yaml`, else `origin`.
pub fn remote_name(ws: &Workspace) -> String {
    ws.git
        .config_string("medreview.remote")
        .or_else(|| ws.config.sync.remote.clone())
        .unwrap_or_else(|| "origin".into())
}

/// The branch checked out (`main`) and its ref.
pub fn branch(ws: &Workspace) -> Result<(String, String)> {
    let full = ws.git.head_branch()?;
    let short = full.strip_prefix("refs/heads/").unwrap_or(&full).to_owned();
    Ok((short, full))
}

/// What `sync` last found on the remote's branch. Only `sync` moves it (a plain
/// `git fetch` moves the remote-tracking ref, even over a force-push), so a rewrite
/// is noticed however the clone fetched meanwhile.
pub fn seen_ref(remote: &str, branch: &str) -> String {
    format!("refs/medreview/seen/{remote}/{branch}")
}

/// The remote-tracking ref of the last fetch.
pub fn tracking_ref(remote: &str, branch: &str) -> String {
    format!("refs/remotes/{remote}/{branch}")
}

/// The local branch against the remote's last fetched state (no network).
#[derive(Debug, Clone, Serialize)]
pub struct Standing {
    /// The remote.
    pub name: String,
    /// The branch.
    pub branch: String,
    /// Commits here that the remote lacks.
    pub ahead: usize,
    /// Commits the remote has that are not here.
    pub behind: usize,
    /// When the remote-tracking ref last moved.
    #[serde(skip)]
    pub fetched_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// Where HEAD stands against the last fetch of the remote, if there is one.
pub fn standing(ws: &Workspace) -> Option<Standing> {
    let remote = remote_name(ws);
    let (short, _) = branch(ws).ok()?;
    let tracking = tracking_ref(&remote, &short);
    let upstream = ws.git.ref_commit(&tracking)?;
    let head = ws.git.head_commit()?;
    let (ahead, behind) = ws.git.ahead_behind(&head, &upstream)?;
    Some(Standing {
        name: remote,
        branch: short,
        ahead,
        behind,
        fetched_at: ws.git.ref_updated_at(&tracking),
    })
}
