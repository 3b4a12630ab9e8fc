//! Summaries of articles for listings (`status`, `log`), with the stable `--json` shape.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::clock;
use crate::error::Result;
use crate::ids::Id;
use crate::record::ArticleRecord;
use crate::record::entry::{Action, Entry};
use crate::record::evaluate::State;
use crate::record::graph::Revision;
use crate::revision::RevId;
use crate::roster::people::People;
use crate::workspace::Workspace;

/// A revision in listings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevisionInfo {
    /// 1 for r1.
    pub number: usize,
    /// The blob id.
    pub id: RevId,
    /// Who submitted it first.
    pub submitted_by: Id,
    /// When.
    #[serde(serialize_with = "clock::ser", deserialize_with = "clock::de")]
    pub submitted_at: DateTime<FixedOffset>,
    /// The change against the revision before it (r1: against nothing), where computed.
    pub change: Option<WordChange>,
}

/// Words added and removed by a revision against the one before it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct WordChange {
    /// Words only in this revision.
    pub words_added: usize,
    /// Words only in the one before.
    pub words_removed: usize,
}

impl WordChange {
    /// `+62 -3` for tables.
    pub fn short(&self) -> String {
        format!("+{} -{}", self.words_added, self.words_removed)
    }
}

impl RevisionInfo {
    /// The revision with its change against the one before it.
    pub fn with_change(
        ws: &Workspace,
        record: &ArticleRecord,
        revision: &Revision,
    ) -> Result<RevisionInfo> {
        let (words_added, words_removed) =
            crate::comparison::revision_changes(ws, record, revision)?;
        Ok(RevisionInfo {
            change: Some(WordChange {
                words_added,
                words_removed,
            }),
            ..RevisionInfo::from(revision)
        })
    }

    /// `r2 1a2b3c4`.
    pub fn label(&self) -> String {
        format!("r{} {}", self.number, self.id.short())
    }
}

impl From<&Revision> for RevisionInfo {
    fn from(r: &Revision) -> Self {
        RevisionInfo {
            number: r.number,
            id: r.id.clone(),
            submitted_by: r.submitted_by.clone(),
            submitted_at: r.submitted_at,
            change: None,
        }
    }
}

/// The publishable revision in listings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishableInfo {
    /// The revision.
    pub revision: RevisionInfo,
    /// The reviewers whose approvals count.
    pub approved_by: Vec<Id>,
    /// The reviewers whose re-reviews (`recertify`) count, in order.
    #[serde(default)]
    pub recertified_by: Vec<Id>,
    /// When the last counted approval was given.
    #[serde(serialize_with = "clock::ser", deserialize_with = "clock::de")]
    pub reviewed_at: DateTime<FixedOffset>,
    /// When a re-review is due.
    #[serde(serialize_with = "clock::ser", deserialize_with = "clock::de")]
    pub due_at: DateTime<FixedOffset>,
}

/// A ledger entry in listings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EntryInfo {
    /// What happened.
    pub action: Action,
    /// Who.
    pub by: Id,
    /// When.
    #[serde(serialize_with = "clock::ser", deserialize_with = "clock::de")]
    pub at: DateTime<FixedOffset>,
    /// Who typed it in for them, when someone else did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<Id>,
    /// How `at` was set when not by the system clock (`MEDREVIEW_NOW`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<String>,
}

impl From<&Entry> for EntryInfo {
    fn from(e: &Entry) -> Self {
        EntryInfo {
            action: e.action,
            by: e.by.clone(),
            at: e.at,
            recorded_by: e.recorded_by.clone(),
            clock: e.clock.clone(),
        }
    }
}

/// One article's line in `status`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ArticleSummary {
    /// The slug.
    pub slug: String,
    /// The title of the working text (or of the latest revision when the working text does not parse).
    pub title: String,
    /// The derived state.
    pub state: State,
    /// Whether the working tree holds text not yet submitted.
    pub unsubmitted_edits: bool,
    /// The latest submitted revision.
    pub latest: Option<RevisionInfo>,
    /// The revision a publisher may put on the site.
    pub publishable: Option<PublishableInfo>,
    /// The most recent sign-off.
    pub last: Option<EntryInfo>,
    /// For `needs-decision`: the concurrent sign-offs that conflict, in words.
    pub conflicts: Vec<String>,
}

/// Summarizes one article at `now`.
pub fn summarize(
    ws: &Workspace,
    people: &dyn People,
    record: &ArticleRecord,
    now: DateTime<FixedOffset>,
) -> Result<ArticleSummary> {
    let status = record.status(ws, people, now);
    let title = match record.working_article() {
        Ok(article) => article.front.title,
        Err(err) => match &status.latest {
            Some(latest) => record.revision_article(ws, &latest.id)?.front.title,
            None => return Err(err),
        },
    };
    Ok(ArticleSummary {
        slug: record.slug.to_string(),
        title,
        state: status.state,
        unsubmitted_edits: record.has_unsubmitted_edits(),
        latest: status
            .latest
            .as_ref()
            .map(|r| RevisionInfo::with_change(ws, record, r))
            .transpose()?,
        publishable: status.publishable.as_ref().map(|p| PublishableInfo {
            revision: RevisionInfo::from(&p.revision),
            approved_by: p.approvals.iter().map(|a| a.by.clone()).collect(),
            recertified_by: p.recertifications.iter().map(|a| a.by.clone()).collect(),
            reviewed_at: p.reviewed_at,
            due_at: p.due_at,
        }),
        last: status.last.as_ref().map(EntryInfo::from),
        conflicts: status.conflicts.clone(),
    })
}

/// The summary of article `slug` at `now`, from the memo when neither the article's
/// files nor the people changed since it was last derived (`people_key`: see
/// [`Workspace::people_key`]). It is derived without the clock and the re-review
/// date applied after, by the same rule either way ([`State::on`]).
pub fn summary(
    ws: &Workspace,
    people: &dyn People,
    slug: &crate::ids::Id,
    people_key: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<ArticleSummary> {
    let key = people_key.and_then(|people| {
        let article = ws.article_key(slug)?;
        Some(crate::memo::key(&["status-1", people, &article]))
    });
    let kept = key
        .as_deref()
        .and_then(|key| ws.git.memo.summary::<ArticleSummary>(key));
    let mut summary = match kept {
        Some(summary) => summary,
        None => {
            let record = ArticleRecord::load(ws, slug)?;
            let timeless = DateTime::<chrono::Utc>::MIN_UTC.fixed_offset();
            let summary = summarize(ws, people, &record, timeless)?;
            if let Some(key) = &key {
                ws.git.memo.keep_summary(key, &summary);
            }
            summary
        }
    };
    if let Some(p) = &summary.publishable {
        summary.state = summary.state.on(p.due_at, now);
    }
    Ok(summary)
}
