//! When the roster cannot judge: its record damaged, or one person's file in
//! conflict. One rule for every reader of the record (`status`, `log`, the inbox,
//! `publish`, `check`, the sign-off and roster commands), applied where the people
//! are loaded ([`crate::roster::people::load`]) and where an entry is judged
//! ([`crate::roster::people::People::unsettled`]).
//!
//! A roster that was audited never silently becomes unaudited. When the source
//! (HEAD's tree, a pushed commit, the working tree) holds no roster entry, the
//! roster is *damaged*, not absent, if `roster` there is anything but a folder (a
//! symbolic link, a submodule entry, a file) or if a commit behind it held roster
//! entries; then no approval counts (fail closed) until `medreview repair` puts
//! the record back. Cost: one `kind` lookup, plus a walk of the history (one tree
//! lookup per commit, stopping at the first that holds roster entries) only when
//! the source holds no roster entry. The memo remembers the last commit whose whole
//! history held none, and later walks stop there: the same trust as the checkpoint
//! (`check`'s history walk still reports a commit that removed roster entries).

use std::rc::Rc;

use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::roster::Role;
use crate::roster::log::{ROSTER_DIR, RosterState};
use crate::source::Source;
use medreview_store::gitstore::EntryKind;

/// What to do about a damaged roster record, for a commit.
pub const COMMITTED_HINT: &str = "run `medreview check` to see the commit that did it, then `medreview repair` for the recorded fix (an admin runs `medreview repair --yes`)";

/// What to do about a roster record missing from the working tree only.
pub const WORK_TREE_HINT: &str = "run `git checkout -- roster` to restore it from the last commit (`medreview check` lists what differs)";

/// Why `src`'s roster record is damaged, if it is, given that it holds no roster
/// entry: `roster` is not a folder there, or a commit behind it held entries.
/// Returns the sentence and the next step.
pub(crate) fn of_record(
    src: &dyn Source,
    git: &crate::repo::Repo,
) -> Result<Option<(String, String)>> {
    let lineage = src.lineage(git);
    let (place, hint) = match &lineage {
        Some(l) if l.work_tree => ("the working tree".to_owned(), WORK_TREE_HINT),
        Some(l) => (
            format!("commit {}", &l.commit[..l.commit.len().min(10)]),
            COMMITTED_HINT,
        ),
        None => ("the working tree".to_owned(), WORK_TREE_HINT),
    };
    let what = match src.kind(ROSTER_DIR) {
        Some(EntryKind::Dir) | None => None,
        Some(EntryKind::Symlink) => Some("a symbolic link"),
        Some(EntryKind::File) => Some("a file"),
        Some(EntryKind::Other) => Some("a submodule entry (gitlink)"),
    };
    if let Some(what) = what {
        return Ok(Some((
            format!(
                "the roster's record is damaged: {ROSTER_DIR} is {what} in {place}, not the folder of roster entries, so no approval counts"
            ),
            hint.to_owned(),
        )));
    }
    let Some(lineage) = lineage else {
        return Ok(None);
    };
    let path = format!("{}{ROSTER_DIR}", lineage.prefix);
    // The last commit this build found with no roster entry in all its history:
    // its history is not walked again (only what came since), so an unaudited
    // workspace pays for its new commits, not for its whole history, per command.
    let key = crate::memo::key(&[
        "roster-never-1",
        env!("CARGO_PKG_VERSION"),
        crate::memo::build_id(),
        &path,
    ]);
    let known: Option<String> = git.memo.summary(&key);
    let Some(found) = git.history_holds(&lineage.commit, &path, known.as_deref())? else {
        git.memo.keep_summary(&key, &lineage.commit);
        git.memo.save(false);
        return Ok(None);
    };
    let message = if found == lineage.commit {
        // The working tree lacks what HEAD holds.
        format!(
            "the roster's record is damaged: {ROSTER_DIR}/ is missing from {place}, though the last commit holds its entries"
        )
    } else {
        format!(
            "the roster's record is damaged: {ROSTER_DIR}/ holds no roster entry in {place}, but commit {} holds them, so the roster is audited and its record was removed; no approval counts",
            &found[..found.len().min(10)]
        )
    };
    Ok(Some((message, hint.to_owned())))
}

/// The error a command that would write to the record refuses with while the
/// roster's record is damaged.
pub fn refusal(why: &str, hint: &str) -> Error {
    Error::with_hint(Code::DamagedRecord, why.to_owned(), hint.to_owned())
}

/// The step that resolves a conflicted roster file: an admin records it again,
/// seeing both changes.
pub fn record_again(path: &str) -> String {
    format!("an admin must record {path} again (`medreview admin record {path} -m NOTE`)")
}

/// Why `by`'s approvals cannot be judged, if they cannot: their own roster file is
/// in conflict in the roster the entry names (`then`) or in today's (`now`). Fail
/// closed: with her file in conflict, no reader can say whether she was a reviewer,
/// retired, licensed or holding that key, so none of her approvals counts.
pub fn conflict_of(by: &Id, then: &Rc<RosterState>, now: &Rc<RosterState>) -> Option<String> {
    for role in [Role::Reviewer, Role::Writer] {
        let path = role.file_rel(by);
        let place = if now.conflicted.contains(&path) {
            "today's roster"
        } else if then.conflicted.contains(&path) {
            "the roster this entry names"
        } else {
            continue;
        };
        return Some(format!(
            "{path} is in conflict in {place} (two roster changes made at the same time give it different contents), so no approval by {by} counts; {}",
            record_again(&path)
        ));
    }
    None
}

/// The files in conflict in `state`, each with the sentence status shows.
pub fn conflicts(state: &RosterState) -> Vec<(String, String)> {
    state
        .conflicted
        .iter()
        .map(|path| {
            (
                path.clone(),
                format!(
                    "{path}: two roster changes made at the same time give it different contents, so it judges no one and the approvals of the person it describes do not count; {}",
                    record_again(path)
                ),
            )
        })
        .collect()
}
