//! Summaries of articles for listings (`status`, `log`), with the stable `--json` shape.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use medreview_core::clock;
use medreview_core::error::Result;
use medreview_core::ids::Id;
use medreview_core::record::ArticleRecord;
use medreview_core::record::entry::{Action, Entry};
use medreview_core::record::evaluate::{Approval, Need, State};
use medreview_core::record::graph::Revision;
use medreview_core::roster::people::People;
use medreview_core::workspace::Workspace;
use medreview_store::revision::RevId;

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
        let (words_added, words_removed) = crate::diff::revision_changes(ws, record, revision)?;
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
    /// When the last counted approval was given (`reviewed_at` is later when a
    /// re-review renewed it).
    #[serde(serialize_with = "clock::ser", deserialize_with = "clock::de")]
    pub approved_at: DateTime<FixedOffset>,
    /// When the last counted approval was given.
    #[serde(serialize_with = "clock::ser", deserialize_with = "clock::de")]
    pub reviewed_at: DateTime<FixedOffset>,
    /// When a re-review is due.
    #[serde(serialize_with = "clock::ser", deserialize_with = "clock::de")]
    pub due_at: DateTime<FixedOffset>,
    /// The approvals that count, each with its meaning, the reviewer's printed
    /// name and credentials of its time, and when it was given.
    #[serde(default)]
    pub approvals: Vec<Approval>,
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
    /// The writer named in the front matter (of the text `title` is from).
    pub writer: Id,
    /// The reviewer the front matter asks for (`reviewer:`), if any.
    pub reviewer: Option<Id>,
    /// The front matter's `topic`, if any.
    pub topic: Option<String>,
    /// For `changes-requested`: the request that sent the latest revision back.
    pub open_request: Option<RequestInfo>,
    /// Each reviewer's most recent decision, by reviewer id.
    pub decisions: Vec<DecisionInfo>,
    /// What the latest revision needs (`required_approvals` and the matching
    /// `review.rules`), each with the reviewers whose approvals meet it.
    #[serde(default)]
    pub needs: Vec<Need>,
    /// What the latest revision still lacks, in words (`needs one fact-check
    /// approval; has medical-accuracy by ana-example`); `null` when nothing.
    #[serde(default)]
    pub missing: Option<String>,
    /// The review conversation's threads.
    #[serde(default)]
    pub threads: ThreadCounts,
    /// When the article may be on the site (`medreview schedule`), if a schedule
    /// that counts says: `not_before` and `not_after`, RFC 3339, each when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<medreview_core::record::entry::Schedule>,
}

/// How many comment threads an article has, and whom the open ones wait on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ThreadCounts {
    /// Threads still open.
    pub open: usize,
    /// Threads their author resolved.
    pub resolved: usize,
    /// Open threads whose last word is not the writer's: they wait on the writer.
    pub awaiting_writer: usize,
    /// Per author of open threads, how many they opened and how many of those
    /// have a reply since their own last word (they wait on that author).
    pub by_author: Vec<AuthorThreads>,
}

/// One person's open threads on an article.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorThreads {
    /// Who opened them.
    pub by: Id,
    /// How many are open.
    pub open: usize,
    /// How many of them someone answered since the author last wrote.
    pub answered: usize,
}

impl ThreadCounts {
    /// The counts of `threads` on an article written by `writer`.
    pub fn of(threads: &[medreview_core::comments::Thread], writer: &Id) -> ThreadCounts {
        let mut counts = ThreadCounts::default();
        for t in threads {
            if !t.open {
                counts.resolved += 1;
                continue;
            }
            counts.open += 1;
            let last = t.replies.last().map_or(&t.by, |r| &r.by);
            if last != writer {
                counts.awaiting_writer += 1;
            }
            let answered = usize::from(last != &t.by);
            match counts.by_author.iter_mut().find(|a| a.by == t.by) {
                Some(a) => {
                    a.open += 1;
                    a.answered += answered;
                }
                None => counts.by_author.push(AuthorThreads {
                    by: t.by.clone(),
                    open: 1,
                    answered,
                }),
            }
        }
        counts.by_author.sort_by(|a, b| a.by.cmp(&b.by));
        counts
    }
}

/// A request for changes in listings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RequestInfo {
    /// The reviewer who asked.
    pub by: Id,
    /// The revision sent back (1 for r1).
    pub revision: usize,
    /// When.
    #[serde(serialize_with = "clock::ser", deserialize_with = "clock::de")]
    pub at: DateTime<FixedOffset>,
    /// What they asked for.
    pub note: Option<String>,
}

/// A reviewer's latest decision in listings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DecisionInfo {
    /// The reviewer.
    pub by: Id,
    /// What they decided.
    pub action: Action,
    /// On which revision (1 for r1; `null` for one that was never submitted).
    pub revision: Option<usize>,
    /// When.
    #[serde(serialize_with = "clock::ser", deserialize_with = "clock::de")]
    pub at: DateTime<FixedOffset>,
}

/// Summarizes one article at `now`.
pub fn summarize(
    ws: &Workspace,
    people: &dyn People,
    record: &ArticleRecord,
    now: DateTime<FixedOffset>,
) -> Result<ArticleSummary> {
    let status = record.status(ws, people, now);
    let front = match record.working_article() {
        Ok(article) => article.front,
        Err(err) => match &status.latest {
            Some(latest) => record.revision_article(ws, &latest.id)?.front,
            None => return Err(err),
        },
    };
    let revisions = record.ledger.revisions();
    let number = |id: &RevId| revisions.iter().find(|r| &r.id == id).map(|r| r.number);
    let open_request = match (status.state, &status.latest) {
        (State::ChangesRequested, Some(latest)) => record
            .ledger
            .entries
            .iter()
            .rev()
            .find(|e| e.action == Action::ChangesRequested && e.revision == latest.id)
            .map(|e| RequestInfo {
                by: e.by.clone(),
                revision: latest.number,
                at: e.at,
                note: e.note.clone(),
            }),
        _ => None,
    };
    let mut decisions: Vec<DecisionInfo> = Vec::new();
    for e in record
        .ledger
        .entries
        .iter()
        .filter(|e| e.action.is_decision())
    {
        let decision = DecisionInfo {
            by: e.by.clone(),
            action: e.action,
            revision: number(&e.revision),
            at: e.at,
        };
        match decisions.iter_mut().find(|d| d.by == e.by) {
            Some(d) => *d = decision,
            None => decisions.push(decision),
        }
    }
    decisions.sort_by(|a, b| a.by.cmp(&b.by));
    let threads = medreview_core::comments::Conversation::of_record(ws, record, people)?.threads();
    let threads = ThreadCounts::of(&threads, &front.writer);
    Ok(ArticleSummary {
        slug: record.slug.to_string(),
        title: front.title,
        state: status.state,
        unsubmitted_edits: record.has_unsubmitted_edits(),
        latest: status
            .latest
            .as_ref()
            .map(|r| RevisionInfo::with_change(ws, record, r))
            .transpose()?,
        publishable: status.publishable.as_ref().map(|p| PublishableInfo {
            revision: RevisionInfo::from(&p.revision),
            approved_by: {
                let mut ids: Vec<Id> = Vec::new();
                for a in &p.approvals {
                    if !ids.contains(&a.by) {
                        ids.push(a.by.clone());
                    }
                }
                ids
            },
            recertified_by: p.recertifications.iter().map(|a| a.by.clone()).collect(),
            approved_at: p.approvals.last().map_or(p.reviewed_at, |a| a.at),
            reviewed_at: p.reviewed_at,
            due_at: p.due_at,
            approvals: p.approvals.clone(),
        }),
        last: status.last.as_ref().map(EntryInfo::from),
        conflicts: status.conflicts.clone(),
        writer: front.writer,
        reviewer: front.reviewer,
        topic: front.topic,
        open_request,
        decisions,
        threads,
        missing: match status.state {
            State::Draft | State::Approved | State::ReReviewDue => None,
            _ => medreview_core::record::evaluate::explain(&status.needs, &status.latest_approvals),
        },
        needs: status.needs.clone(),
        schedule: status.schedule,
    })
}

/// The summary of article `slug` at `now`, from the memo when neither the article's
/// files nor the people changed since it was last derived (`people_key`: the key of
/// the files `people` was read from, e.g. [`Workspace::committed_people_key`]). It
/// is derived without the clock and the re-review date applied after, by the same
/// rule either way ([`State::on`]).
pub fn summary(
    ws: &Workspace,
    people: &dyn People,
    slug: &medreview_core::ids::Id,
    people_key: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Result<ArticleSummary> {
    let key = people_key
        .filter(|_| ws.unsound(slug.as_str()).is_none())
        .and_then(|people| {
            let article = ws.article_key(slug)?;
            Some(medreview_core::memo::key(&["status-3", people, &article]))
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

/// The summary of every article at `now`, judged by the people and policy HEAD
/// holds (as `publish` judges), through the memo; and the errors of the articles
/// that could not be read, in slug order. `progress`: show a progress bar on a
/// terminal.
pub fn all_summaries(
    ws: &Workspace,
    now: DateTime<FixedOffset>,
    progress: bool,
) -> Result<(Vec<ArticleSummary>, Vec<medreview_core::Error>)> {
    let people = ws.committed_people()?;
    ws.git.memo.bulk();
    // A damaged roster is judged afresh: no result kept under another judges it.
    let people_key = ws
        .git
        .memo
        .active()
        .then(|| ws.committed_people_key())
        .flatten()
        .filter(|_| people.damage().is_none());
    let slugs = ws.article_slugs()?;
    let mut articles = Vec::new();
    let mut problems = Vec::new();
    let mut bar = medreview_output::Progress::new(slugs.len() as u64, "articles", progress);
    for slug in slugs {
        bar.tick();
        match slug.and_then(|slug| summary(ws, &*people, &slug, people_key.as_deref(), now)) {
            Ok(summary) => articles.push(summary),
            Err(err) => problems.push(err),
        }
    }
    drop(bar);
    ws.git.memo.save(true);
    Ok((articles, problems))
}
