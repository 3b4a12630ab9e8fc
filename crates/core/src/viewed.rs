//! What a reviewer last looked at in this clone: the revision a `diff` showed (and
//! what it was compared with) or a `preview` rendered. `approve` shows it before
//! asking for confirmation and records it in the entry (`viewed:`), so the record
//! says what the doctor had read. Kept in `.git/medreview/viewed/<slug>.json`, one
//! small file per article: local to the clone, never committed.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::ids::Id;
use crate::ledger::entry::{ViewKind, Viewed};
use crate::workspace::Workspace;
use medreview_store::revision::RevId;

/// The file's content: what was viewed, and by whom git said the user was.
#[derive(Debug, Serialize, Deserialize)]
struct LastView {
    /// git's `user.email` when it was viewed: a view counts only for that person.
    email: String,
    /// What was viewed.
    viewed: Viewed,
}

fn path(ws: &Workspace, slug: &Id) -> PathBuf {
    // The slug was validated, so it is a safe file name.
    ws.git
        .local_state_dir()
        .join("viewed")
        .join(format!("{slug}.json"))
}

/// Remembers that the person git names viewed `revision` of `slug` (compared with
/// `from` for a diff). Best effort: a clone whose `.git` cannot be written still
/// shows the diff, and the sign-off then says nothing about what was viewed.
pub fn remember(ws: &Workspace, slug: &Id, how: ViewKind, revision: &RevId, from: Option<&RevId>) {
    let Some(email) = ws.git.config_string("user.email") else {
        return;
    };
    let view = LastView {
        email,
        viewed: Viewed {
            how,
            revision: revision.clone(),
            from: from.cloned(),
        },
    };
    if let Ok(bytes) = serde_json::to_vec(&view) {
        let _ = medreview_store::gitstore::write_atomically(&path(ws, slug), &bytes);
    }
}

/// What the person git names last viewed of `slug` in this clone, if known.
pub fn recall(ws: &Workspace, slug: &Id) -> Option<Viewed> {
    let email = ws.git.config_string("user.email")?;
    let bytes = std::fs::read(path(ws, slug)).ok()?;
    let view: LastView = serde_json::from_slice(&bytes).ok()?;
    (view.email.eq_ignore_ascii_case(&email)).then_some(view.viewed)
}
