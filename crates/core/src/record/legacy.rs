//! Format 1 of the record: `articles/<slug>/signoffs.yaml`, one YAML list per
//! article. Kept only so `migrate` can convert it and `check` can verify the history
//! recorded before the conversion; nothing writes it any more.

use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use crate::clock;
use crate::error::{Code, Result};
use crate::ids::Id;
use crate::record::entry::Action;
use crate::yaml;
use medreview_store::revision::RevId;

/// One format-1 sign-off.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyEntry {
    /// What happened.
    pub action: Action,
    /// Who did it.
    pub by: Id,
    /// When, RFC 3339 with offset.
    #[serde(deserialize_with = "crate::record::entry::de_time")]
    pub at: DateTime<FixedOffset>,
    /// The revision it concerns.
    pub revision: RevId,
    /// The person's note.
    #[serde(default)]
    pub note: Option<String>,
    /// An SSH signature over the version 1 canonical text.
    #[serde(default)]
    pub signature: Option<String>,
}

impl LegacyEntry {
    /// Whether two entries are the same byte for byte as far as the record goes: the
    /// same instant written with another UTC offset is an edit, not the same entry.
    pub fn identical(&self, other: &LegacyEntry) -> bool {
        self == other && clock::rfc3339(&self.at) == clock::rfc3339(&other.at)
    }
}

/// Parses a format-1 ledger's text; `file` names it in errors.
pub fn parse(text: &str, file: &Path) -> Result<Vec<LegacyEntry>> {
    let entries: Option<Vec<LegacyEntry>> = yaml::parse(text, file, 1)?;
    let entries = entries.unwrap_or_default();
    // Format 1 never had recertifications: one in a format-1 file was written by hand.
    if entries.iter().any(|e| e.action == Action::Recertified) {
        return Err(crate::error::Error::with_hint(
            Code::DamagedRecord,
            format!(
                "{}: format 1 has no `recertified` entries; this one was written by hand",
                file.display()
            ),
            "restore the file from git (`git checkout -- FILE`) and run `medreview migrate`",
        ));
    }
    Ok(entries)
}

/// The entries in the order format 1 judged them: by time, and entries with the same
/// time in file order (a union merge appended one branch's entries after the other's).
pub(crate) fn in_time_order(mut entries: Vec<LegacyEntry>) -> Vec<LegacyEntry> {
    entries.sort_by_key(|e| e.at);
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_action_is_refused_with_the_line() {
        let text = "- action: approved\n  by: ana\n  at: 2025-03-03T10:12:00-05:00\n  revision: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n- action: rubber-stamped\n";
        let err = parse(text, Path::new("s.yaml")).expect_err("unknown action");
        assert!(err.to_string().contains("rubber-stamped"), "{err}");
        assert!(err.to_string().contains("s.yaml:5"), "{err}");
    }

    #[test]
    fn a_rewritten_offset_is_an_edit() {
        let text = "- action: approved\n  by: ana\n  at: 2025-03-03T10:12:00-05:00\n  revision: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n";
        let moved = text.replace("10:12:00-05:00", "15:12:00+00:00");
        let a = parse(text, Path::new("a")).expect("a");
        let b = parse(&moved, Path::new("b")).expect("b");
        let (a, b) = (&a[0], &b[0]);
        assert_eq!(a.at, b.at, "the same instant");
        assert!(!a.identical(b), "but not the same entry");
    }
}
