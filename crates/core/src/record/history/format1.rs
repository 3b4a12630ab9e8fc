//! Format-1 ledgers (`signoffs.yaml`) across history: entries kept in order and
//! compared byte for byte, and removed only by the one conversion `migrate` makes,
//! which must carry every entry over unchanged.

use std::path::Path;

use crate::record::entry::{self, Entry};
use crate::record::legacy::{self, LegacyEntry};
use medreview_store::gitstore::{CommitChanges, FileChange, GitStore};

use super::rules::time_problem;

/// Checks a commit's change to a format-1 ledger against one parent.
pub(super) fn check_legacy(
    git: &GitStore,
    commit: &CommitChanges,
    slug: &str,
    change: &FileChange,
    entries: &[&FileChange],
    report: &mut dyn FnMut(&'static str, &str, String),
) {
    let file = format!("articles/{slug}/signoffs.yaml");
    let parse =
        |blob: &Option<medreview_store::revision::RevId>| -> std::result::Result<Vec<LegacyEntry>, String> {
            let Some(blob) = blob else {
                return Ok(Vec::new());
            };
            let bytes = git.read_blob(blob).map_err(|e| e.to_string())?;
            legacy::parse(&String::from_utf8_lossy(&bytes), Path::new(&file))
                .map_err(|e| e.to_string())
        };
    let before = parse(&change.old).unwrap_or_default();
    match &change.new {
        Some(_) => {
            let after = match parse(&change.new) {
                Ok(after) => after,
                Err(why) => {
                    report(
                        "ledger-invalid",
                        &file,
                        format!("the format-1 ledger does not parse: {why}"),
                    );
                    return;
                }
            };
            if change.old.is_none() && !entries.is_empty() {
                report(
                    "ledger-after-migration",
                    &file,
                    "a format-1 ledger was added next to format-2 sign-offs".into(),
                );
            }
            // Every earlier entry must still be there, unchanged and in order.
            let mut rest = after.iter();
            for (i, old) in before.iter().enumerate() {
                if !rest.any(|new| new.identical(old)) {
                    report(
                        "entry-edited",
                        &file,
                        format!(
                            "entry {} ({} by {} at {}) was removed or edited",
                            i + 1,
                            old.action,
                            old.by,
                            crate::clock::rfc3339(&old.at)
                        ),
                    );
                    break;
                }
            }
            for entry in after
                .iter()
                .filter(|e| !before.iter().any(|b| b.identical(e)))
            {
                if let Some(why) = time_problem(entry.action, &entry.by, entry.at, commit) {
                    report("entry-time", &file, why);
                }
            }
        }
        None => {
            // The conversion: every format-1 entry carried over unchanged, as a
            // migrated file added by this very commit.
            let mut carried: Vec<Entry> = Vec::new();
            for added in entries.iter().filter(|c| c.old.is_none()) {
                let name = added.path.rsplit('/').next().unwrap_or_default();
                if let Some(blob) = &added.new
                    && let Ok(bytes) = git.read_blob(blob)
                    && let Ok((_, entry)) = entry::read(name, &bytes, Path::new(&added.path))
                    && entry.is_migrated()
                {
                    carried.push(entry);
                }
            }
            let missing = before
                .iter()
                .find(|old| !carried.iter().any(|new| migrated_from(new, old)));
            if before.is_empty() || carried.len() != before.len() || missing.is_some() {
                let what = match missing {
                    Some(old) => format!(
                        " ({} by {} at {} is not among the converted entries)",
                        old.action,
                        old.by,
                        crate::clock::rfc3339(&old.at)
                    ),
                    None => String::new(),
                };
                report(
                    "ledger-removed",
                    &file,
                    format!("the format-1 ledger was removed without converting every entry{what}"),
                );
            }
        }
    }
}

/// Whether `new` is `old` carried over by `migrate`: the same fields byte for byte.
pub fn migrated_from(new: &Entry, old: &LegacyEntry) -> bool {
    new.is_migrated()
        && new.action == old.action
        && new.by == old.by
        && crate::clock::rfc3339(&new.at) == crate::clock::rfc3339(&old.at)
        && new.revision == old.revision
        && new.note == old.note
        && new.signature == old.signature
        && new.recorded_by.is_none()
        && new.roster.is_empty()
        && new.clock.is_none()
}
