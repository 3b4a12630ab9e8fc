//! The sign-off ledger: `articles/<slug>/signoffs.yaml`, an append-only list of entries.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::clock;
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::revision::RevId;
use crate::yaml;

/// The first lines of every ledger file.
pub const HEADER: &str =
    "# Sign-off ledger, written by medreview. Append-only: do not edit by hand.\n";

/// What a sign-off did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// A writer submitted a revision for review.
    Submitted,
    /// A reviewer approved a revision.
    Approved,
    /// A reviewer sent a revision back.
    ChangesRequested,
    /// A reviewer withdrew the article from publication.
    Withdrawn,
}

impl Action {
    /// The word used in the ledger and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submitted => "submitted",
            Action::Approved => "approved",
            Action::ChangesRequested => "changes-requested",
            Action::Withdrawn => "withdrawn",
        }
    }

    /// The verb used in commit subjects (`approve her2-treatment r2`).
    pub fn verb(self) -> &'static str {
        match self {
            Action::Submitted => "submit",
            Action::Approved => "approve",
            Action::ChangesRequested => "request-changes",
            Action::Withdrawn => "withdraw",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One sign-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// What happened.
    pub action: Action,
    /// Who did it (a roster id).
    pub by: Id,
    /// When, RFC 3339 with offset.
    #[serde(serialize_with = "ser_time", deserialize_with = "de_time")]
    pub at: DateTime<FixedOffset>,
    /// The revision it concerns.
    pub revision: RevId,
    /// The person's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// An SSH signature over the entry's canonical text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

fn ser_time<S: Serializer>(
    time: &DateTime<FixedOffset>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&clock::rfc3339(time))
}

fn de_time<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<DateTime<FixedOffset>, D::Error> {
    let text = String::deserialize(d)?;
    DateTime::parse_from_rfc3339(&text).map_err(|err| {
        serde::de::Error::custom(format!(
            "{text:?} is not an RFC 3339 time with offset: {err}"
        ))
    })
}

/// A revision as the ledger knows it: numbered in the order first submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// 1 for r1, ...
    pub number: usize,
    /// The blob id.
    pub id: RevId,
    /// Who first submitted it: its writer.
    pub submitted_by: Id,
    /// When it was first submitted.
    pub submitted_at: DateTime<FixedOffset>,
}

impl Revision {
    /// `r2`.
    pub fn label(&self) -> String {
        format!("r{}", self.number)
    }

    /// `r2 1a2b3c4`.
    pub fn label_with_id(&self) -> String {
        format!("r{} {}", self.number, self.id.short())
    }
}

/// A parsed ledger and the text it came from (appends extend the text, never rewrite it).
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// The entries, oldest first.
    pub entries: Vec<Entry>,
    text: String,
}

impl Ledger {
    /// Parses ledger text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Ledger> {
        let entries: Option<Vec<Entry>> = yaml::parse(text, file, 1)?;
        Ok(Ledger {
            entries: entries.unwrap_or_default(),
            text: text.to_owned(),
        })
    }

    /// The text the ledger was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The ledger text with `entry` appended.
    pub fn appended(&self, entry: &Entry) -> String {
        let mut text = if self.text.is_empty() {
            HEADER.to_owned()
        } else {
            self.text.clone()
        };
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&yaml::to_string(&[entry]));
        text
    }

    /// The entries in time order. A union merge of two branches' ledgers appends one
    /// branch's new entries after the other's, so file order is not always time order;
    /// the sort is stable, so entries with the same time keep their file order.
    pub fn chronological(&self) -> Vec<&Entry> {
        let mut entries: Vec<&Entry> = self.entries.iter().collect();
        entries.sort_by_key(|e| e.at);
        entries
    }

    /// The same ledger with its entries in time order.
    pub fn in_time_order(&self) -> Ledger {
        Ledger {
            entries: self.chronological().into_iter().cloned().collect(),
            text: self.text.clone(),
        }
    }

    /// The distinct revisions in the order they were first submitted.
    pub fn revisions(&self) -> Vec<Revision> {
        let mut revisions: Vec<Revision> = Vec::new();
        for entry in self
            .chronological()
            .into_iter()
            .filter(|e| e.action == Action::Submitted)
        {
            if !revisions.iter().any(|r| r.id == entry.revision) {
                revisions.push(Revision {
                    number: revisions.len() + 1,
                    id: entry.revision.clone(),
                    submitted_by: entry.by.clone(),
                    submitted_at: entry.at,
                });
            }
        }
        revisions
    }

    /// The revision of the most recent submission.
    pub fn latest_submitted(&self) -> Option<&RevId> {
        self.chronological()
            .into_iter()
            .rev()
            .find(|e| e.action == Action::Submitted)
            .map(|e| &e.revision)
    }

    /// The most recently submitted revision, with its number.
    pub fn latest_revision(&self) -> Option<Revision> {
        let latest = self.latest_submitted()?;
        self.revisions().into_iter().find(|r| &r.id == latest)
    }

    /// Resolves `r<N>` or a unique prefix of a submitted revision's id.
    pub fn resolve(&self, name: &str) -> Result<Revision> {
        let revisions = self.revisions();
        let listing = || {
            if revisions.is_empty() {
                "no revision has been submitted yet".to_owned()
            } else {
                let names: Vec<String> = revisions.iter().map(Revision::label_with_id).collect();
                format!("revisions: {}", names.join(", "))
            }
        };
        if let Some(number) = name.strip_prefix('r').and_then(|n| n.parse::<usize>().ok()) {
            return revisions
                .iter()
                .find(|r| r.number == number)
                .cloned()
                .ok_or_else(|| {
                    Error::refused_with_hint(format!("there is no revision {name}"), listing())
                });
        }
        let lower = name.to_ascii_lowercase();
        if lower.len() < 4 || !lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::refused_with_hint(
                format!("{name:?} does not name a revision"),
                format!(
                    "name one by number (r1) or by at least 4 hex digits of its id; {}",
                    listing()
                ),
            ));
        }
        let found: Vec<&Revision> = revisions
            .iter()
            .filter(|r| r.id.as_str().starts_with(&lower))
            .collect();
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::refused_with_hint(
                format!("no submitted revision starts with {name}"),
                listing(),
            )),
            many => Err(Error::refused_with_hint(
                format!("{name} is ambiguous: it starts {} revisions", many.len()),
                format!("give more digits; {}", listing()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(c: char) -> RevId {
        RevId::parse(&c.to_string().repeat(40)).expect("valid")
    }

    fn entry(action: Action, by: &str, revision: char) -> Entry {
        Entry {
            action,
            by: Id::parse("id", by).expect("valid"),
            at: DateTime::parse_from_rfc3339("2025-03-03T10:12:00-05:00").expect("valid"),
            revision: rev(revision),
            note: Some("Line one: with a colon\nand a second line".into()),
            signature: None,
        }
    }

    #[test]
    fn appending_extends_the_text_and_round_trips() {
        let path = Path::new("signoffs.yaml");
        let mut ledger = Ledger::default();
        let mut texts = Vec::new();
        for e in [
            entry(Action::Submitted, "sam", 'a'),
            entry(Action::ChangesRequested, "ana", 'a'),
        ] {
            let text = ledger.appended(&e);
            if let Some(prev) = texts.last() {
                assert!(text.starts_with(prev), "append-only");
            }
            ledger = Ledger::parse(&text, path).expect("round trip");
            texts.push(text);
        }
        assert_eq!(
            ledger.entries[1],
            entry(Action::ChangesRequested, "ana", 'a')
        );
        assert!(texts[0].contains("at: 2025-03-03T10:12:00-05:00"));
    }

    #[test]
    fn revisions_are_numbered_by_first_submission() {
        let mut ledger = Ledger::default();
        for (a, r) in [
            (Action::Submitted, 'a'),
            (Action::Submitted, 'b'),
            (Action::Submitted, 'a'),
        ] {
            ledger.entries.push(entry(a, "sam", r));
        }
        let revs = ledger.revisions();
        assert_eq!(revs.len(), 2);
        assert_eq!(ledger.resolve("r2").expect("r2").id, rev('b'));
        assert_eq!(ledger.resolve("aaaa").expect("prefix").number, 1);
        assert!(ledger.resolve("r3").is_err());
        assert!(ledger.resolve("cccc").is_err());
        assert!(ledger.resolve("zz").is_err());
        assert_eq!(ledger.latest_submitted(), Some(&rev('a')));
    }

    #[test]
    fn unknown_action_is_refused_with_the_line() {
        let text = "- action: approved\n  by: ana\n  at: 2025-03-03T10:12:00-05:00\n  revision: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n- action: rubber-stamped\n";
        let err = Ledger::parse(text, Path::new("s.yaml")).expect_err("unknown action");
        assert!(err.to_string().contains("rubber-stamped"), "{err}");
        assert!(err.to_string().contains("s.yaml:5"), "{err}");
    }
}
