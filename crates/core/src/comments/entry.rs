//! One comment entry: a comment (a new thread anchored to words, or a reply), or
//! the resolution or reopening of a thread. Immutable files under
//! `articles/<slug>/comments/`, named and linked like sign-offs
//! (`<UTC time>-<comment|resolved|reopened>-<person>-<digest>.yaml`).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use super::anchor::{Anchor, MAX_QUOTE_CHARS};
use crate::clock;
use crate::ids::Id;
use crate::ledger::entry::{EntryId, Named};
use crate::ledger::graph::Node;
use medreview_store::revision::RevId;

/// The first line of every comment file.
pub const HEADER: &str = "# A review comment, written by medreview. Immutable: never edit, rename or remove this file.\n";

/// The SSHSIG namespace of comment entries, so a signature over a comment can
/// never be passed off as a sign-off or a roster change.
pub const NAMESPACE: &str = "medreview-comment";

/// The longest note or suggestion, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;

/// What a comment entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommentAction {
    /// A new thread (with `quote:`) or a reply (with `thread:`).
    Comment,
    /// The thread's author settled it.
    Resolved,
    /// Someone opened a settled thread again.
    Reopened,
}

impl CommentAction {
    /// The word in the record and in file names.
    pub fn as_str(self) -> &'static str {
        match self {
            CommentAction::Comment => "comment",
            CommentAction::Resolved => "resolved",
            CommentAction::Reopened => "reopened",
        }
    }
}

/// One comment entry, as its file holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentEntry {
    /// What it does.
    pub action: CommentAction,
    /// Who (a roster id).
    pub by: Id,
    /// When, RFC 3339 with offset: for people, never for ordering.
    #[serde(
        serialize_with = "crate::clock::ser",
        deserialize_with = "crate::ledger::entry::de_time"
    )]
    pub at: DateTime<FixedOffset>,
    /// The revision it was made on (for a new thread, the one its quote is in).
    pub revision: RevId,
    /// The comment entries that were the heads in the author's copy.
    #[serde(default)]
    pub after: Vec<EntryId>,
    /// The roster heads in the author's copy: the roster it is judged by.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roster: Vec<EntryId>,
    /// The thread it belongs to (its first comment's id); none for a new thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<EntryId>,
    /// Where a new thread points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Anchor>,
    /// What the person says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Words to put in place of the quote (a new thread only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggest: Option<String>,
    /// Who typed it in, when someone records for another person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<Id>,
    /// How `at` was set when not by the system clock (`MEDREVIEW_NOW`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
    /// An SSH signature over the canonical text, namespace [`NAMESPACE`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl Node for CommentEntry {
    fn after(&self) -> &[EntryId] {
        &self.after
    }
}

impl Named for CommentEntry {
    fn kind(&self) -> &'static str {
        self.action.as_str()
    }
    fn by(&self) -> &Id {
        &self.by
    }
    fn at(&self) -> &DateTime<FixedOffset> {
        &self.at
    }
    fn check(&self) -> Result<(), String> {
        self.shape_problem()
    }
}

impl CommentEntry {
    /// The file's bytes and the id they give.
    pub fn to_file(&self) -> (EntryId, Vec<u8>) {
        crate::ledger::entry::to_file(HEADER, self)
    }

    /// Why the entry is not one medreview writes, if it is not: a new thread has a
    /// quote and a note, a reply a thread and a note, a resolution or reopening a
    /// thread; texts are within size and hold no control characters.
    pub fn shape_problem(&self) -> Result<(), String> {
        match (self.action, &self.thread, &self.quote) {
            (CommentAction::Comment, None, None) => {
                return Err(
                    "a comment has neither quote: (a new thread) nor thread: (a reply)".into(),
                );
            }
            (CommentAction::Comment, Some(_), Some(_)) => {
                return Err("a reply (thread:) cannot have its own quote:".into());
            }
            (CommentAction::Resolved | CommentAction::Reopened, None, _) => {
                return Err(format!("a {} entry names no thread:", self.action.as_str()));
            }
            (CommentAction::Resolved | CommentAction::Reopened, _, Some(_)) => {
                return Err(format!(
                    "a {} entry cannot have a quote:",
                    self.action.as_str()
                ));
            }
            _ => {}
        }
        if self.suggest.is_some() && self.quote.is_none() {
            return Err("only a new thread (with quote:) can suggest wording".into());
        }
        if self.action == CommentAction::Comment
            && self.note.as_deref().is_none_or(|n| n.trim().is_empty())
            && self.suggest.is_none()
        {
            return Err("a comment says nothing (no note: and no suggest:)".into());
        }
        if let Some(quote) = &self.quote {
            if quote.exact.is_empty()
                || quote.start > quote.end
                || quote.end - quote.start != quote.exact.len()
            {
                return Err("its quote: offsets do not match its exact words".into());
            }
            text_problem("quote", &quote.exact, MAX_QUOTE_CHARS)?;
        }
        if let Some(note) = &self.note {
            text_problem("note", note, MAX_NOTE_CHARS)?;
        }
        if let Some(suggest) = &self.suggest {
            text_problem("suggestion", suggest, MAX_NOTE_CHARS)?;
        }
        Ok(())
    }

    /// The exact text a signature covers (version 1): one line per field, each
    /// `field: value`; `after` and `roster` JSON arrays of ids, `quote` a JSON
    /// object `{"exact","prefix","suffix","start","end"}` in that order, the other
    /// fields JSON strings or `null`.
    ///
    /// ```text
    /// medreview comment v1
    /// article: her2-treatment
    /// revision: 8c1f0e2d...(40 hex)
    /// action: comment
    /// by: ana-example
    /// at: 2025-03-05T09:00:00-05:00
    /// after: []
    /// roster: ["20250301T120000Z-roster-rosa-editor-0f1e2d3c4b5a"]
    /// thread: null
    /// quote: {"exact":"every three weeks","prefix":"is given ","suffix":" for a year","start":120,"end":137}
    /// note: "Weekly for the first dose."
    /// suggest: "weekly at first, then every three weeks"
    /// recorded_by: null
    /// clock: null
    /// ```
    pub fn canonical_text(&self, slug: &Id) -> String {
        let json = |v: serde_json::Value| v.to_string();
        let text = |v: Option<&str>| v.map_or("null".to_owned(), |t| json(t.into()));
        let ids = |list: &[EntryId]| {
            json(
                list.iter()
                    .map(|id| serde_json::Value::String(id.to_string()))
                    .collect(),
            )
        };
        let quote = self.quote.as_ref().map_or("null".to_owned(), |q| {
            format!(
                "{{\"exact\":{},\"prefix\":{},\"suffix\":{},\"start\":{},\"end\":{}}}",
                json(q.exact.as_str().into()),
                json(q.prefix.as_str().into()),
                json(q.suffix.as_str().into()),
                q.start,
                q.end
            )
        });
        format!(
            "medreview comment v1\narticle: {slug}\nrevision: {}\naction: {}\nby: {}\nat: {}\nafter: {}\nroster: {}\nthread: {}\nquote: {quote}\nnote: {}\nsuggest: {}\nrecorded_by: {}\nclock: {}\n",
            self.revision,
            self.action.as_str(),
            self.by,
            clock::rfc3339(&self.at),
            ids(&self.after),
            ids(&self.roster),
            text(self.thread.as_ref().map(EntryId::as_str)),
            text(self.note.as_deref()),
            text(self.suggest.as_deref()),
            text(self.recorded_by.as_ref().map(Id::as_str)),
            text(self.clock.as_deref()),
        )
    }

    /// The sign-off view of this entry the roster is looked up by (who, when, which
    /// roster it names).
    pub(crate) fn roster_view(&self) -> crate::ledger::entry::Entry {
        crate::ledger::entry::Entry {
            action: crate::ledger::entry::Action::Submitted,
            by: self.by.clone(),
            at: self.at,
            revision: self.revision.clone(),
            after: Vec::new(),
            roster: self.roster.clone(),
            note: None,
            recorded_by: self.recorded_by.clone(),
            clock: self.clock.clone(),
            format: None,
            viewed: None,
            meaning: None,
            name: None,
            credentials: None,
            change: None,
            schedule: None,
            signature: None,
        }
    }
}

/// Why a text cannot be part of a comment, if it cannot: too long, or holding a
/// control character or a mark that reorders text (a terminal or page would show
/// other words than the record holds).
pub fn text_problem(what: &str, text: &str, max: usize) -> Result<(), String> {
    let chars = text.chars().count();
    if chars > max {
        return Err(format!(
            "the {what} is {chars} characters; the limit is {max}"
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|&c| c != '\n' && c != '\t' && crate::roster::is_invisible_control(c))
    {
        return Err(format!(
            "the {what} holds the invisible character {c:?} (a control character or a mark that reorders text), which would make it read differently from what the record holds"
        ));
    }
    Ok(())
}
