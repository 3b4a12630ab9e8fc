//! Review diffs, in one group:
//!
//! - this module chooses what `diff` compares: revisions by name, the working
//!   tree, and the default range a re-reviewing doctor needs (last decision or
//!   last approval → latest);
//! - [`text`] compares two revisions' source (front matter field by field, the
//!   body by paragraph, line and word) and [`redline`] shows that comparison on a
//!   terminal or as the HTML page;
//! - [`blocks`] compares the rendered blocks (what the page shows) and
//!   [`redline_blocks`] shows that as the HTML redline.

pub mod blocks;
pub mod comment_marks;
pub mod lint_marks;
pub mod redline;
pub mod redline_blocks;
pub mod text;

use crate::diff::redline::{Header, SideInfo};
use crate::diff::text::Redline;
use medreview_core::clock;
use medreview_core::error::{Code, Error, Result};
use medreview_core::record::ArticleRecord;
use medreview_core::record::entry::Action;
use medreview_core::record::graph::Revision;
use medreview_core::roster::Roster;
use medreview_core::roster::people::People;
use medreview_core::workspace::Workspace;

/// One side of a comparison.
#[derive(Debug, Clone)]
pub enum Side {
    /// No text: everything on the other side is new.
    Nothing,
    /// A submitted revision.
    Revision(Revision),
    /// The working tree's `article.md`.
    Working,
}

/// A computed comparison, ready to show.
pub struct Comparison {
    /// What was compared.
    pub header: Header,
    /// The differences.
    pub redline: Redline,
    /// The bodies' differences as rendered.
    pub rendered: Vec<blocks::Shown>,
}

/// Resolves `r<N>`, a unique id prefix, or `working`.
pub fn side(record: &ArticleRecord, name: &str) -> Result<Side> {
    if name == "working" {
        return Ok(Side::Working);
    }
    record
        .ledger
        .resolve(name)
        .map(Side::Revision)
        .map_err(|err| {
            let hint = err.hint().unwrap_or_default();
            match err {
                Error::Refused { code, message, .. } => Error::with_hint(
                    code,
                    message,
                    format!("{hint}; or `working` for the working tree"),
                ),
                other => other,
            }
        })
}

/// Why the older side of a default comparison is what it is.
#[derive(Debug, Clone)]
pub struct Base {
    /// The older side.
    pub side: Side,
    /// In words: which decision it is (`your request for changes on r1 (2025-03-04)`).
    pub why: String,
    /// The note of the reviewer's own decision, when the base is one.
    pub note: Option<String>,
    /// Whether the base is the reviewer's own last decision.
    pub mine: bool,
}

/// The default older side for reviewer `me`: the revision of their own last
/// decision on the article (an approval, a request for changes or a re-review),
/// else the last approved revision (even if since withdrawn), else nothing.
pub fn default_base(
    ws: &Workspace,
    people: &dyn People,
    record: &ArticleRecord,
    me: Option<&medreview_core::ids::Id>,
) -> Base {
    let revisions = record.ledger.revisions();
    let find =
        |id: &medreview_store::revision::RevId| revisions.iter().find(|r| &r.id == id).cloned();
    let mine = me.and_then(|me| {
        record.ledger.entries.iter().rev().find(|e| {
            &e.by == me
                && matches!(
                    e.action,
                    Action::Approved | Action::ChangesRequested | Action::Recertified
                )
        })
    });
    if let Some(entry) = mine
        && let Some(revision) = find(&entry.revision)
    {
        let what = match entry.action {
            Action::Approved => "your approval of",
            Action::Recertified => "your re-review of",
            _ => "your request for changes on",
        };
        return Base {
            why: format!("{what} {} ({})", revision.label(), clock::short(&entry.at)),
            side: Side::Revision(revision),
            note: entry.note.clone().filter(|n| !n.trim().is_empty()),
            mine: true,
        };
    }
    // Which revision is publishable does not depend on the clock (only re-review-due
    // does), so any time will do here.
    let status = record.status(ws, people, chrono::DateTime::UNIX_EPOCH.fixed_offset());
    let approved = status.publishable.map(|p| p.revision).or_else(|| {
        record
            .ledger
            .entries
            .iter()
            .rev()
            .find(|e| e.action == Action::Approved)
            .and_then(|e| find(&e.revision))
    });
    match approved {
        Some(revision) => Base {
            why: format!("the last approved revision, {}", revision.label()),
            side: Side::Revision(revision),
            note: None,
            mine: false,
        },
        None => Base {
            why: "nothing: no revision was approved yet".into(),
            side: Side::Nothing,
            note: None,
            mine: false,
        },
    }
}

/// The default newer side: the working tree when it holds unsubmitted edits, else the latest revision.
pub fn default_to(record: &ArticleRecord) -> Side {
    match record.ledger.latest_revision() {
        Some(latest) if !record.has_unsubmitted_edits() || record.working.is_none() => {
            Side::Revision(latest)
        }
        _ => Side::Working,
    }
}

/// Compares two sides of one article.
pub fn compare(
    ws: &Workspace,
    roster: &Roster,
    record: &ArticleRecord,
    from: &Side,
    to: &Side,
) -> Result<Comparison> {
    let old = bytes(ws, record, from)?;
    let new = bytes(ws, record, to)?;
    let redline = text::redline(&old, &new);
    let rendered = text::rendered_redline(&old, &new);
    let title = [to, from]
        .iter()
        .filter_map(|side| match side {
            Side::Working => record.working_article().ok(),
            Side::Revision(r) => record.revision_article(ws, &r.id).ok(),
            Side::Nothing => None,
        })
        .map(|a| a.front.title)
        .next()
        .unwrap_or_else(|| record.slug.to_string());
    Ok(Comparison {
        header: Header {
            slug: record.slug.to_string(),
            title,
            from: info(record, roster, from),
            to: info(record, roster, to),
        },
        redline,
        rendered,
    })
}

/// The HTML redline page of `comparison` (whose newer side is `to`): the newer
/// side's lint findings that `level` shows marked where the redline shows them, and `notes` (the review
/// comments on its words, maybe none) in the margin. What `diff --format html`
/// writes and the review desk frames.
pub fn html_page(
    ws: &Workspace,
    record: &ArticleRecord,
    comparison: &Comparison,
    to: &Side,
    notes: &[comment_marks::Note],
    level: lint_marks::LintLevel,
) -> Result<String> {
    let lint = match to {
        Side::Nothing => None,
        _ if level == lint_marks::LintLevel::None => None,
        side => {
            let bytes = bytes(ws, record, side)?;
            let findings = level
                .findings(ws, &bytes, &record.article_path)?
                .unwrap_or_default();
            Some(lint_marks::redline(
                &bytes,
                &record.article_path,
                &findings,
                &comparison.rendered,
                &match side {
                    Side::Working => "the working tree".to_owned(),
                    _ => comparison.header.to.label.clone(),
                },
                level,
            )?)
        }
    };
    let comments = if notes.is_empty() {
        None
    } else {
        let new_text = bytes(ws, record, to)?;
        Some(comment_marks::redline(
            &new_text,
            notes,
            &comparison.rendered,
        ))
    };
    redline::html(
        &comparison.header,
        &comparison.redline,
        &comparison.rendered,
        lint.as_ref(),
        comments.as_ref(),
    )
}

/// The text of one side of an article (empty for nothing).
pub fn bytes(ws: &Workspace, record: &ArticleRecord, side: &Side) -> Result<Vec<u8>> {
    match side {
        Side::Nothing => Ok(Vec::new()),
        Side::Revision(r) => {
            medreview_core::article::read_revision(&ws.git, &r.id, &record.signoffs_path)
        }
        Side::Working => record.working.clone().ok_or_else(|| {
            Error::with_hint(
                Code::MissingArticleFile,
                format!(
                    "{} is missing, so there is no working text to compare",
                    record.article_path.display()
                ),
                "name two revisions instead, e.g. `medreview diff SLUG r1 r2`",
            )
        }),
    }
}

/// The header line for one side: its label, and who submitted and signed it when.
fn info(record: &ArticleRecord, roster: &Roster, side: &Side) -> SideInfo {
    match side {
        Side::Nothing => SideInfo {
            label: "nothing".into(),
            detail: "no approved revision yet, so the whole text is shown as new".into(),
            signatures: Vec::new(),
        },
        Side::Working => SideInfo {
            label: "working tree".into(),
            detail: "the file as it is now, not submitted".into(),
            signatures: Vec::new(),
        },
        Side::Revision(r) => {
            let who = |id: &medreview_core::ids::Id| {
                roster
                    .name_of(id)
                    .map_or(id.to_string(), |n| format!("{n} ({id})"))
            };
            let signed: Vec<String> = record
                .ledger
                .entries
                .iter()
                .filter(|e| e.revision == r.id)
                .map(|e| {
                    let what = match e.action {
                        Action::Submitted => "submitted",
                        Action::Approved => "approved",
                        Action::ChangesRequested => "changes requested",
                        Action::Withdrawn => "withdrawn",
                        Action::Recertified => "re-reviewed",
                        Action::Scheduled => "scheduled",
                    };
                    let proxy = e
                        .recorded_by
                        .as_ref()
                        .map_or(String::new(), |r| format!(" (recorded by {})", who(r)));
                    format!("{what} by {}{proxy} on {}", who(&e.by), clock::short(&e.at))
                })
                .collect();
            let signatures = record
                .ledger
                .entries
                .iter()
                .filter(|e| e.revision == r.id && e.action.vouches())
                .map(|e| {
                    let then = roster.reviewers.get(&e.by);
                    let name = e
                        .name
                        .clone()
                        .or_else(|| then.map(|t| t.name.clone()))
                        .unwrap_or_else(|| e.by.to_string());
                    let credentials = e
                        .credentials
                        .clone()
                        .or_else(|| then.map(|t| t.credentials.clone()))
                        .map_or(String::new(), |c| format!(", {c}"));
                    let what = match e.action {
                        Action::Recertified => "re-reviewed",
                        _ => "approved",
                    };
                    format!(
                        "{what} for {} by {name}{credentials} ({}) on {}",
                        e.meaning(),
                        e.by,
                        clock::short(&e.at)
                    )
                })
                .collect();
            SideInfo {
                label: r.label_with_id(),
                detail: signed.join("; "),
                signatures,
            }
        }
    }
}

/// Words added and removed by each revision against the one before it (r1: against nothing).
pub(crate) fn revision_changes(
    ws: &Workspace,
    record: &ArticleRecord,
    revision: &Revision,
) -> Result<(usize, usize)> {
    let previous = record
        .ledger
        .revisions()
        .into_iter()
        .find(|r| r.number + 1 == revision.number);
    let old_id = previous.as_ref().map_or("", |p| p.id.as_str());
    if let Some(change) = ws.git.memo.words(old_id, revision.id.as_str()) {
        return Ok(change);
    }
    let old = match &previous {
        Some(p) => medreview_core::article::read_revision(&ws.git, &p.id, &record.signoffs_path)?,
        None => Vec::new(),
    };
    let new = medreview_core::article::read_revision(&ws.git, &revision.id, &record.signoffs_path)?;
    let r = text::redline(&old, &new);
    ws.git.memo.keep_words(
        old_id,
        revision.id.as_str(),
        (r.words_added, r.words_removed),
    );
    Ok((r.words_added, r.words_removed))
}
