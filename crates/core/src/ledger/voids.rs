//! Voided files: entry files the record already refuses to count (junk, a file
//! that does not read as an entry, a sign-off whose signature does not count, a
//! roster entry by someone who was not an admin, a second genesis), which an
//! admin's roster entry names with their exact bytes. A voided file stays in the
//! repository, since the record is append-only, and is listed as voided in `check`
//! and `log` instead of as a problem. A file that counts is never voided: the
//! rules that honour a void ([`honoured`], [`crate::check::check_entries`] and the
//! roster's record) are the ones `repair` proposes by.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};

use crate::ids::Id;
use crate::ledger::ROSTER_DIR;
use crate::ledger::entry::EntryId;
use crate::ledger::graph::Damage;
use crate::source::Source;
use medreview_store::gitstore::GitStore;
use medreview_store::revision::RevId;

/// One voided file: its bytes and who voided it, when and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Void {
    /// The exact bytes voided.
    pub blob: RevId,
    /// The admin.
    pub by: Id,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// The admin's note.
    pub note: Option<String>,
    /// The roster entry that voided it.
    pub entry: EntryId,
}

impl Void {
    /// `voided by rosa-editor on 2025-03-05 (roster entry ...): NOTE`.
    pub fn describe(&self) -> String {
        format!(
            "voided by {} on {} (roster entry {}){}",
            self.by,
            self.at.format("%Y-%m-%d"),
            self.entry,
            self.note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        )
    }
}

/// Voided files by workspace-relative path.
pub type Voids = BTreeMap<String, Void>;

/// The check codes that mean a sign-off does not count: only a sign-off with one of
/// them may be voided.
pub const DOES_NOT_COUNT: [&str; 5] = [
    "signature",
    "signer-role",
    "proxy-not-allowed",
    "approval-policy",
    "revision-not-submitted",
];

/// Whether `path` (workspace-relative) is where an entry file lives: an article's
/// `signoffs/` folder or `roster/`.
pub fn is_entry_file(path: &str) -> bool {
    let name_ok = |name: &str| {
        !name.is_empty()
            && !name.starts_with('.')
            && !name.contains(['/', '\\'])
            && !name.chars().any(char::is_control)
    };
    if let Some(name) = path
        .strip_prefix(ROSTER_DIR)
        .and_then(|p| p.strip_prefix('/'))
    {
        return name_ok(name);
    }
    path.strip_prefix("articles/")
        .and_then(|p| p.split_once('/'))
        .and_then(|(slug, rest)| Some((slug, rest.strip_prefix("signoffs/")?)))
        .is_some_and(|(slug, name)| Id::parse_slug("slug", slug).is_ok() && name_ok(name))
}

/// Whether the file at `rel` in `src` holds exactly the voided bytes.
pub(crate) fn holds(src: &dyn Source, rel: &str, void: &Void) -> bool {
    src.read(rel)
        .ok()
        .flatten()
        .is_some_and(|bytes| GitStore::blob_id(&bytes) == void.blob)
}

/// Takes out of `damage` (the files of a folder that do not read as entries, before
/// the graph is built) those a void names with their exact bytes, and returns their
/// paths. Damage the graph finds later (a missing parent, a cycle) is never set
/// aside: those files read as entries, and what they say may count.
pub(crate) fn honoured(src: &dyn Source, damage: &mut Vec<Damage>, voids: &Voids) -> Vec<String> {
    if voids.is_empty() {
        return Vec::new();
    }
    let mut voided = Vec::new();
    damage.retain(|d| match voids.get(&d.file) {
        Some(void) if holds(src, &d.file, void) => {
            voided.push(d.file.clone());
            false
        }
        _ => true,
    });
    voided
}
