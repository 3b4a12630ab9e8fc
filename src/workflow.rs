//! The sign-off commands' rules: who may do what to which revision, and the commit
//! that records it. Each function takes the repository lock, checks everything,
//! then makes exactly one commit holding the article's files and nothing else.

use chrono::{DateTime, FixedOffset};

use crate::error::{Error, Result};
use crate::ids::Id;
use crate::ledger::{Action, Entry, Revision};
use crate::record::ArticleRecord;
use crate::roster::Roster;
use crate::signing::SigningKey;
use crate::state::State;
use crate::workspace::Workspace;

/// What a recorded sign-off did.
#[derive(Debug)]
pub struct Recorded {
    /// The commit that holds it.
    pub commit: String,
    /// The revision it concerns.
    pub revision: Revision,
    /// The article's state afterwards.
    pub state: State,
    /// Things the person should know (e.g. unsubmitted edits were not part of it).
    pub warnings: Vec<String>,
}

/// A sign-off to record: who, what, and the note.
pub struct Request<'a> {
    /// The article.
    pub slug: &'a Id,
    /// The person acting.
    pub by: &'a Id,
    /// Their note.
    pub note: Option<String>,
    /// The time to record.
    pub now: DateTime<FixedOffset>,
    /// The key to sign the entry with, if any.
    pub key: Option<&'a SigningKey>,
}

/// `submit`: records the working-tree `article.md` as a new revision for review.
pub fn submit(ws: &Workspace, req: &Request<'_>) -> Result<Recorded> {
    let _lock = ws.git.lock()?;
    let roster = Roster::load(ws)?;
    if !roster.contains(req.by) {
        return Err(Error::refused_with_hint(
            format!("{} is not in writers/ or reviewers/", req.by),
            format!(
                "add them with `medreview writer add {} --name NAME`",
                req.by
            ),
        ));
    }
    let record = ArticleRecord::load(ws, req.slug)?;
    let article = record.working_article()?;
    article.check_people(&roster, &record.article_path)?;
    if article.body.trim().is_empty() {
        return Err(Error::refused_with_hint(
            format!(
                "{}: the article has no body text",
                record.article_path.display()
            ),
            "write the article below the front matter, then submit it",
        ));
    }
    let (Some(bytes), Some(revision_id)) = (record.working.clone(), record.working_id.clone())
    else {
        return Err(Error::refused(format!(
            "{} is missing",
            record.article_path.display()
        )));
    };
    if let Some(latest) = record.ledger.latest_revision()
        && latest.id == revision_id
    {
        return Err(Error::refused_with_hint(
            format!(
                "nothing changed: {} is {} as submitted on {}",
                record.article_path.display(),
                latest.label_with_id(),
                latest.submitted_at.date_naive()
            ),
            "edit the article, then submit it again",
        ));
    }
    let entry = Entry {
        action: Action::Submitted,
        by: req.by.clone(),
        at: req.now,
        revision: revision_id,
        note: req.note.clone(),
        signature: None,
    };
    record_entry(
        ws,
        &roster,
        &record,
        entry,
        req.key,
        Some(bytes),
        Vec::new(),
    )
}

/// `approve` and `request-changes`: a reviewer's decision on the latest submitted revision.
pub fn decide(
    ws: &Workspace,
    req: &Request<'_>,
    action: Action,
    revision: Option<&str>,
) -> Result<Recorded> {
    let _lock = ws.git.lock()?;
    let roster = Roster::load(ws)?;
    let reviewer = roster.require_reviewer(req.by)?;
    let record = ArticleRecord::load(ws, req.slug)?;
    let latest = latest_revision(&record)?;
    let target = match revision {
        Some(name) => record.ledger.resolve(name)?,
        None => latest.clone(),
    };
    if target.id != latest.id {
        return Err(Error::refused_with_hint(
            format!(
                "{} is not the latest submitted revision of {}; {} is",
                target.label_with_id(),
                req.slug,
                latest.label_with_id()
            ),
            format!(
                "read {} (`medreview diff {}`) and sign off on that one",
                latest.label(),
                req.slug
            ),
        ));
    }
    let front_writer = record.revision_article(ws, &target.id)?.front.writer;
    if *req.by == target.submitted_by || *req.by == front_writer {
        return Err(Error::refused_with_hint(
            format!(
                "{} wrote {} of {}, and the writer of a revision cannot review it",
                req.by,
                target.label(),
                req.slug
            ),
            "ask another medical reviewer to review it",
        ));
    }
    let today = req.now.date_naive();
    if !reviewer.licensed_on(today) {
        let expires = reviewer
            .license
            .as_ref()
            .and_then(|l| l.expires)
            .map(|d| d.to_string())
            .unwrap_or_default();
        return Err(Error::refused_with_hint(
            format!(
                "{}'s license expired on {expires}; a sign-off given now would not count",
                req.by
            ),
            format!(
                "update license.expires in reviewers/{}.yaml once the license is renewed",
                req.by
            ),
        ));
    }
    let status = record.status(ws, &roster, req.now);
    if action == Action::Approved
        && status.publishable.as_ref().is_some_and(|p| {
            p.revision.id == target.id && p.approvals.iter().any(|a| &a.by == req.by)
        })
    {
        return Err(Error::refused_with_hint(
            format!(
                "{} has already approved {} of {}",
                req.by,
                target.label(),
                req.slug
            ),
            format!(
                "nothing to do; `medreview log {}` shows the record",
                req.slug
            ),
        ));
    }
    let mut warnings = Vec::new();
    if record.has_unsubmitted_edits() {
        warnings.push(format!(
            "the working tree has edits to {} that were not submitted; this sign-off is for {} only",
            record.article_path.display(),
            target.label_with_id()
        ));
    }
    if action == Action::Approved && ws.config.review.require_signatures && req.key.is_none() {
        return Err(Error::refused_with_hint(
            "medreview.yaml requires signed approvals, and no key was given",
            "pass --key ~/.ssh/id_ed25519 (or set `git config medreview.signingKey PATH`)",
        ));
    }
    let entry = Entry {
        action,
        by: req.by.clone(),
        at: req.now,
        revision: target.id.clone(),
        note: req.note.clone(),
        signature: None,
    };
    record_entry(ws, &roster, &record, entry, req.key, None, warnings)
}

/// `withdraw`: a reviewer takes the article out of publication.
pub fn withdraw(ws: &Workspace, req: &Request<'_>) -> Result<Recorded> {
    let _lock = ws.git.lock()?;
    let roster = Roster::load(ws)?;
    roster.require_reviewer(req.by)?;
    let record = ArticleRecord::load(ws, req.slug)?;
    let status = record.status(ws, &roster, req.now);
    let Some(publishable) = status.publishable else {
        return Err(Error::refused_with_hint(
            format!(
                "{} has no approved revision, so there is nothing to withdraw (it is {})",
                req.slug, status.state
            ),
            "use `medreview request-changes` to send the latest revision back instead",
        ));
    };
    let entry = Entry {
        action: Action::Withdrawn,
        by: req.by.clone(),
        at: req.now,
        revision: publishable.revision.id.clone(),
        note: req.note.clone(),
        signature: None,
    };
    record_entry(ws, &roster, &record, entry, req.key, None, Vec::new())
}

fn latest_revision(record: &ArticleRecord) -> Result<Revision> {
    record.ledger.latest_revision().ok_or_else(|| {
        Error::refused_with_hint(
            format!("{} has no submitted revision yet", record.slug),
            format!(
                "the writer submits it first: `medreview submit {} --as WRITER`",
                record.slug
            ),
        )
    })
}

/// Appends `entry` to the ledger and commits it (with the article text when submitting).
fn record_entry(
    ws: &Workspace,
    roster: &Roster,
    record: &ArticleRecord,
    mut entry: Entry,
    key: Option<&SigningKey>,
    article: Option<Vec<u8>>,
    warnings: Vec<String>,
) -> Result<Recorded> {
    record.ensure_ledger_committed(ws)?;
    if let Some(last) = record.ledger.chronological().last()
        && entry.at < last.at
    {
        return Err(Error::refused_with_hint(
            format!(
                "the clock ({}) is earlier than the last sign-off of {} ({})",
                crate::clock::rfc3339(&entry.at),
                record.slug,
                crate::clock::rfc3339(&last.at)
            ),
            "check the system clock or MEDREVIEW_NOW; the ledger must stay in time order",
        ));
    }
    if let Some(key) = key {
        entry.signature = Some(key.sign(
            &record.slug,
            &entry,
            &entry.by,
            roster.public_key_of(&entry.by),
        )?);
    }
    let mut ledger = record.ledger.clone();
    let text = ledger.appended(&entry);
    ledger.entries.push(entry.clone());
    let revision = ledger
        .revisions()
        .into_iter()
        .find(|r| r.id == entry.revision)
        .ok_or_else(|| {
            Error::refused(format!(
                "{} names a revision that was never submitted",
                entry.action
            ))
        })?;
    let mut files = vec![(Workspace::ledger_rel(&record.slug), text.into_bytes())];
    if let Some(bytes) = article {
        files.insert(0, (Workspace::article_rel(&record.slug), bytes));
    }
    let subject = format!(
        "{} {} {}",
        entry.action.verb(),
        record.slug,
        revision.label()
    );
    let mut message = format!("{subject}\n\n");
    if let Some(note) = entry.note.as_deref().filter(|n| !n.trim().is_empty()) {
        message.push_str(note.trim());
        message.push_str("\n\n");
    }
    message.push_str(&format!(
        "Medreview-Action: {}\nMedreview-Article: {}\nMedreview-Revision: {}\nMedreview-By: {}\n",
        entry.action, record.slug, entry.revision, entry.by
    ));
    let author = roster.identity(&entry.by);
    let commit = ws.commit(files, &message, Some(&author), entry.at)?;
    let state =
        crate::state::evaluate(&record.slug, &ledger, roster, &ws.config.review, entry.at).state;
    Ok(Recorded {
        commit,
        revision,
        state,
        warnings,
    })
}
