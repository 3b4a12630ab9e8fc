//! What `check` says about the roster: its record's damage and invalid entries,
//! roster files that differ from the record, and people who look like each other.

use crate::error::Result;
use crate::roster::Roster;
use crate::roster::log::{ROSTER_DIR, RosterLog, roster_files};
use crate::source::Source;
use medreview_store::gitstore::GitStore;

/// One roster problem, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterProblem {
    /// `roster-damaged`, `roster-entry-invalid`, `roster-conflict`, `roster-unrecorded`
    /// or `shared-identity`.
    pub code: &'static str,
    /// The file, workspace-relative.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

/// Audits the roster as `src` (the working tree) holds it against its record.
pub fn audit(log: &RosterLog<'_>, src: &dyn Source, roster: &Roster) -> Result<Vec<RosterProblem>> {
    let mut problems = Vec::new();
    let mut push = |code, file: String, message: String| {
        problems.push(RosterProblem {
            code,
            file,
            message,
        })
    };
    for damage in log.damage() {
        push(
            "roster-damaged",
            damage.file.clone(),
            damage.message.clone(),
        );
    }
    let voids = log.voids();
    for file in log.voided_junk() {
        if let Some(void) = voids.get(file) {
            push("voided", file.clone(), void.describe());
        }
    }
    for (file, void) in log.refused_voids() {
        push(
            "void-refused",
            file,
            format!(
                "roster entry {} voids this roster entry, but it counts; a valid entry is never voided, so the void is ignored",
                void.entry
            ),
        );
    }
    for (id, _, why) in log.entries() {
        if log.is_voided(id) {
            let file = format!("{ROSTER_DIR}/{}", id.file_name());
            if let Some(void) = voids.get(&file) {
                push("voided", file, void.describe());
            }
            continue;
        }
        if let Some(why) = why.filter(|_| log.is_waiting(id)) {
            push(
                "key-reset-waiting",
                format!("{ROSTER_DIR}/{}", id.file_name()),
                format!("this key reset does not apply yet: {why}"),
            );
            continue;
        }
        if let Some(why) = why {
            push(
                "roster-entry-invalid",
                format!("{ROSTER_DIR}/{}", id.file_name()),
                format!("this roster change does not count: {why}"),
            );
        }
    }
    if !log.is_empty() {
        let state = log.current();
        for problem in &state.problems {
            push("roster-conflict", ROSTER_DIR.into(), problem.clone());
        }
        let mut files = roster_files(src)?;
        files.extend(state.files.keys().cloned());
        files.sort();
        files.dedup();
        for rel in files {
            let here = src.read(&rel)?.map(|b| GitStore::blob_id(&b));
            match (state.files.get(&rel), here) {
                // A key reset waiting for more admins: said once, as a warning.
                (Some(_), Some(here)) if log.waiting_for(&rel, &here) => {}
                (Some(recorded), Some(here)) if *recorded != here => push(
                    "roster-unrecorded",
                    rel,
                    "differs from the roster's record (it was changed without an admin's roster entry); the recorded version is the one that counts until an admin records this one (`medreview repair`)".into(),
                ),
                (Some(_), None) => push(
                    "roster-unrecorded",
                    rel,
                    "was removed, but the roster's record still holds it: people are retired, never deleted".into(),
                ),
                (None, Some(_)) => push(
                    "roster-unrecorded",
                    rel,
                    "is not in the roster's record (it was added without an admin's roster entry), so it judges no one".into(),
                ),
                _ => {}
            }
        }
    }
    for (a, b, how) in roster.shared_identities() {
        push(
            "shared-identity",
            roster
                .file_of(&b)
                .unwrap_or_else(|| format!("reviewers/{b}.yaml")),
            format!(
                "{a} and {b} share {}: they count as one person, and a byline could name one for the other",
                how.what()
            ),
        );
    }
    Ok(problems)
}
