//! The sign-off commands' rules: who may do what to which revision, and the commit
//! that records it. Each function takes the repository lock, checks everything,
//! then makes exactly one commit holding the article's files and nothing else.

#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod comments;

use chrono::{DateTime, FixedOffset};

use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::record::ArticleRecord;
use medreview_core::record::entry::{Action, Change, Entry, Schedule, Viewed};
use medreview_core::record::evaluate::{self, State};
use medreview_core::record::graph::Revision;
use medreview_core::roster::people::People;
use medreview_core::signing::SigningKey;
use medreview_core::workspace::{ReviewPolicy, Workspace};

/// What a recorded sign-off did.
#[derive(Debug)]
pub struct Recorded {
    /// What was recorded: a sign-off's action (`approved`), or a comment entry's
    /// (`comment`, `resolved`, `reopened`).
    pub action: &'static str,
    /// The entry's id.
    pub entry: String,
    /// For a comment entry, the short id of its thread (what `reply`, `resolve`
    /// and `reopen` take).
    pub thread: Option<String>,
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
#[derive(Clone)]
pub struct Request<'a> {
    /// The article.
    pub slug: &'a Id,
    /// The person the entry is by.
    pub by: &'a Id,
    /// Who records it for them, when that is someone else.
    pub recorded_by: Option<&'a Id>,
    /// Their note.
    pub note: Option<String>,
    /// The time to record.
    pub now: DateTime<FixedOffset>,
    /// The key to sign the entry with, if any.
    pub key: Option<&'a SigningKey>,
    /// What the signer last looked at in this clone, where known.
    pub viewed: Option<Viewed>,
    /// Comments to record with a request for changes, in the same commit.
    pub comments: Vec<comments::NewComment>,
    /// What an approval or re-review means (`--meaning`); the policy's default
    /// meaning when not given.
    pub meaning: Option<String>,
    /// Asked before the entry changes what the site shows of the article (the
    /// live revision, or no page at all): `false` records nothing.
    pub confirm_live: Option<&'a dyn Fn(&LiveChange) -> bool>,
}

/// What a decision would change on the site: the revision shown now, and the one
/// shown after it (none: the article leaves the site).
#[derive(Debug, Clone)]
pub struct LiveChange {
    /// The article.
    pub slug: Id,
    /// The decision.
    pub action: Action,
    /// The revision the site shows now.
    pub now: Revision,
    /// The revision it would show after the decision, if any.
    pub next: Option<Revision>,
}

impl LiveChange {
    /// In words: `r2 is on the site now; after this request for changes the site
    /// shows r1 instead`.
    pub fn describe(&self) -> String {
        let what = match self.action {
            Action::ChangesRequested => "request for changes",
            Action::Withdrawn => "withdrawal",
            Action::Approved => "approval",
            _ => "sign-off",
        };
        let next = match &self.next {
            Some(next) => format!("the site shows {} instead", next.label_with_id()),
            None => format!("the site shows no page of {}", self.slug),
        };
        format!(
            "{} of {} is on the site now; after this {what} {next}",
            self.now.label_with_id(),
            self.slug
        )
    }
}

impl Request<'_> {
    /// The entry this request records: `action` on `revision`, after nothing yet
    /// (`record_entry` names the heads it saw).
    fn entry(&self, action: Action, revision: medreview_store::revision::RevId) -> Entry {
        Entry {
            action,
            by: self.by.clone(),
            at: self.now,
            revision,
            after: Vec::new(),
            note: self.note.clone(),
            recorded_by: self.recorded_by.cloned(),
            roster: Vec::new(),
            clock: None,
            format: None,
            viewed: self.viewed.clone(),
            meaning: None,
            name: None,
            credentials: None,
            change: None,
            schedule: None,
            signature: None,
        }
    }

    /// The meaning an approval or re-review records: `--meaning`, else the
    /// policy's default; refused when `review.meanings` does not list it.
    fn meaning(&self, policy: &ReviewPolicy) -> Result<String> {
        let meaning = self
            .meaning
            .clone()
            .unwrap_or_else(|| policy.default_meaning().to_owned());
        if policy.meanings.contains(&meaning) {
            return Ok(meaning);
        }
        Err(Error::with_hint(
            Code::WouldNotCount,
            format!(
                "an approval meaning {meaning} would not count: review.meanings in medreview.yaml lists {}",
                policy.meanings.join(", ")
            ),
            medreview_core::roster::hints::hint_with(
                &meaning,
                policy.meanings.iter().map(String::as_str),
                format!(
                    "choose one of them with `--meaning {}`; an admin adds a meaning with `medreview config set review.meanings \"[{}, {meaning}]\"`",
                    policy.default_meaning(),
                    policy.meanings.join(", ")
                ),
            ),
        ))
    }
}

/// The warning for a sign-off made while the working tree holds edits that were
/// not submitted: the sign-off is for `target` only.
fn unsubmitted_warning(record: &ArticleRecord, target: &Revision, what: &str) -> Vec<String> {
    if !record.has_unsubmitted_edits() {
        return Vec::new();
    }
    vec![format!(
        "the working tree has edits to {} that were not submitted; this {what} is for {} only",
        record.article_path.display(),
        target.label_with_id()
    )]
}

/// `submit`: records the working-tree `article.md` as a new revision for review.
/// `change` says, for readers, what kind of change the revision is (`--change`):
/// the entry's note is then the public note a correction or an update is listed
/// with on the page.
pub fn submit(ws: &Workspace, req: &Request<'_>, change: Option<Change>) -> Result<Recorded> {
    if matches!(change, Some(Change::Correction | Change::Update))
        && req.note.as_deref().is_none_or(|n| n.trim().is_empty())
    {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            format!(
                "a {} is listed on the page with a note for readers, and none was given",
                change.map_or("", Change::as_str)
            ),
            format!(
                "say what changed in words a reader follows: `medreview submit {} --change {} -m \"We corrected the dose of ...\"`",
                req.slug,
                change.map_or("", Change::as_str)
            ),
        ));
    }
    let _lock = ws.git.lock()?;
    let people = ws.people()?;
    let roster = people.current().roster.clone();
    if !roster.contains(req.by) {
        return Err(Error::with_hint(
            Code::UnknownPerson,
            format!("{} is not in writers/ or reviewers/", req.by),
            roster.hint_for(
                None,
                req.by.as_str(),
                format!(
                    "add them with `medreview writer add {} --name NAME`",
                    req.by
                ),
            ),
        ));
    }
    let record = ArticleRecord::load(ws, req.slug)?;
    let article = record.working_article()?;
    article.check_people(&roster, &record.article_path)?;
    if article.body.trim().is_empty() {
        return Err(Error::new(
            Code::EmptyArticle,
            format!(
                "{}: the article has no body text",
                record.article_path.display()
            ),
        ));
    }
    let (Some(bytes), Some(revision_id)) = (record.working.clone(), record.working_id.clone())
    else {
        return Err(Error::new(
            Code::MissingArticleFile,
            format!("{} is missing", record.article_path.display()),
        ));
    };
    if let Some(latest) = record.ledger.latest_revision()
        && latest.id == revision_id
    {
        return Err(Error::new(
            Code::UnchangedText,
            format!(
                "nothing changed: {} is {} as submitted on {}",
                record.article_path.display(),
                latest.label_with_id(),
                latest.submitted_at.date_naive()
            ),
        ));
    }
    if matches!(change, Some(Change::Correction | Change::Update))
        && let Some(why) = req.note.as_deref().and_then(evaluate::public_note_problem)
    {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            format!(
                "cannot submit {} as a {}: {why}",
                req.slug,
                change.map_or("", Change::as_str)
            ),
            "say what changed and leave out who reviewed it; the page names its reviewers itself",
        ));
    }
    // What a machine can find is fixed before a doctor reads it.
    let file = Workspace::article_rel(req.slug);
    let findings = medreview_lint::Linter::for_workspace(ws)?
        .without_info()
        .lint(&bytes, &record.article_path, None)?;
    let warnings = medreview_lint::refuse_errors(
        &findings,
        &file,
        &format!("cannot submit {}", req.slug),
        &format!(
            "fix them and submit again; `medreview lint {}` lists every finding, and an admin sets how much each rule counts with `medreview config set editorial.severity.RULE LEVEL`",
            req.slug
        ),
    )?;
    let mut entry = req.entry(Action::Submitted, revision_id);
    entry.change = change;
    let files = vec![(Workspace::article_rel(req.slug), bytes)];
    record_entry(ws, &*people, &record, entry, req, Some(files), warnings)
}

/// The reviewer the article asks for (front matter `reviewer:` of the working text),
/// for hints.
pub fn requested(record: &ArticleRecord) -> Option<Id> {
    record.working_article().ok()?.front.reviewer
}

/// `approve` and `request-changes`: a reviewer's decision on the latest submitted revision.
pub fn decide(
    ws: &Workspace,
    req: &Request<'_>,
    action: Action,
    revision: Option<&str>,
) -> Result<Recorded> {
    let _lock = ws.git.lock()?;
    let people = ws.people()?;
    let roster = people.current().roster.clone();
    let record = ArticleRecord::load(ws, req.slug)?;
    let command = if action == Action::Approved {
        "approve"
    } else {
        "request-changes"
    };
    let reviewer =
        roster.require_reviewer_for(req.by, req.slug, requested(&record).as_ref(), command)?;
    let latest = latest_revision(&record)?;
    let target = match revision {
        Some(name) => record.ledger.resolve(name)?,
        None => latest.clone(),
    };
    if target.id != latest.id {
        return Err(Error::with_hint(
            Code::RevisionNotLatest,
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
    may_review(ws, req, &record, reviewer, &target)?;
    let meaning = match action {
        Action::Approved => Some(req.meaning(&ws.policy(&*people))?),
        _ => None,
    };
    let status = record.status(ws, &*people, req.now);
    if let Some(meaning) = &meaning
        && status.publishable.as_ref().is_some_and(|p| {
            p.revision.id == target.id
                && p.approvals
                    .iter()
                    .any(|a| &a.by == req.by && &a.meaning == meaning)
        })
    {
        let hint = if status.state == State::ReReviewDue {
            format!(
                "the approval is due for its periodic re-review: read the page again (`medreview preview {}`), then `medreview recertify {}`",
                req.slug, req.slug
            )
        } else {
            format!(
                "nothing to do; `medreview log {}` shows the record",
                req.slug
            )
        };
        return Err(Error::with_hint(
            Code::AlreadyApproved,
            format!(
                "{} has already approved {} of {}",
                req.by,
                target.label(),
                req.slug
            ),
            hint,
        ));
    }
    let mut warnings = unsubmitted_warning(&record, &target, "sign-off");
    if action == Action::Approved {
        comments::approval_gate(ws, &*people, &record, req.by)?;
        warnings.extend(revision_lint_gate(ws, &record, &target, req.slug)?);
        require_key(ws, &*people, req)?;
    }
    let mut files = Vec::new();
    if !req.comments.is_empty() {
        let conversation =
            medreview_core::comments::Conversation::of_record(ws, &record, &*people)?;
        let entries = req
            .comments
            .iter()
            .map(|c| comments::thread_entry(ws, req, &record, &target, c))
            .collect::<Result<Vec<_>>>()?;
        let (comment_files, _, more) =
            comments::comment_files(ws, &*people, &record, &conversation, entries, req.key)?;
        files = comment_files;
        warnings.extend(more);
    }
    let mut entry = req.entry(action, target.id.clone());
    entry.meaning = meaning;
    record_entry(ws, &*people, &record, entry, req, Some(files), warnings)
}

/// The editorial findings of a submitted revision.
pub(crate) fn revision_findings(
    ws: &Workspace,
    record: &ArticleRecord,
    revision: &Revision,
) -> Result<Vec<medreview_lint::Finding>> {
    let bytes =
        medreview_core::article::read_revision(&ws.git, &revision.id, &record.signoffs_path)?;
    medreview_lint::Linter::for_workspace(ws)?
        .without_info()
        .lint(&bytes, &record.article_path, None)
}

/// An approval's editorial gate: refused while the revision has errors, else the
/// line that counts its findings (none when it has none).
pub fn revision_lint_gate(
    ws: &Workspace,
    record: &ArticleRecord,
    target: &Revision,
    slug: &Id,
) -> Result<Vec<String>> {
    let findings = revision_findings(ws, record, target)?;
    medreview_lint::refuse_errors(
        &findings,
        &Workspace::article_rel(slug),
        &format!("cannot approve {} of {slug}", target.label()),
        &format!(
            "send it back with the findings: `medreview request-changes {slug} -m NOTE`; `medreview preview {slug}` marks each one"
        ),
    )?;
    let counts = medreview_lint::Counts::of(&findings);
    Ok(if counts == medreview_lint::Counts::default() {
        Vec::new()
    } else {
        vec![format!(
            "the editorial check found {} in {}; `medreview preview {slug}` marks them",
            counts.describe(),
            target.label()
        )]
    })
}

/// `recertify`: a reviewer's periodic re-review of the approved, unchanged revision.
/// It renews the page's review date and makes no new revision.
pub fn recertify(ws: &Workspace, req: &Request<'_>) -> Result<Recorded> {
    let _lock = ws.git.lock()?;
    let people = ws.people()?;
    let roster = people.current().roster.clone();
    let record = ArticleRecord::load(ws, req.slug)?;
    let reviewer =
        roster.require_reviewer_for(req.by, req.slug, requested(&record).as_ref(), "recertify")?;
    let latest = latest_revision(&record)?;
    let status = record.status(ws, &*people, req.now);
    let target = match (&status.publishable, status.state) {
        (Some(p), State::Approved | State::ReReviewDue) if p.revision.id == latest.id => {
            p.revision.clone()
        }
        (Some(p), State::InReview | State::ChangesRequested) => {
            return Err(Error::with_hint(
                Code::NewerRevisionInReview,
                format!(
                    "{} has a newer revision in review ({}) than the approved {}; a re-review renews only the latest text",
                    req.slug,
                    latest.label(),
                    p.revision.label()
                ),
                format!(
                    "review {} instead: `medreview diff {}`, then approve or request changes",
                    latest.label(),
                    req.slug
                ),
            ));
        }
        (_, state) => {
            return Err(Error::with_hint(
                Code::NoApprovedRevision,
                format!(
                    "{} is {state}, so there is no approval to re-review",
                    req.slug
                ),
                format!(
                    "`medreview status {}` says what it needs; a re-review renews an approved revision",
                    req.slug
                ),
            ));
        }
    };
    may_review(ws, req, &record, reviewer, &target)?;
    require_key(ws, &*people, req)?;
    let warnings = unsubmitted_warning(&record, &target, "re-review");
    let mut entry = req.entry(Action::Recertified, target.id.clone());
    entry.meaning = Some(req.meaning(&ws.policy(&*people))?);
    record_entry(ws, &*people, &record, entry, req, None, warnings)
}

/// Refuses a reviewer who may not vouch for `target`: its writer, or a reviewer
/// whose license has expired.
fn may_review(
    ws: &Workspace,
    req: &Request<'_>,
    record: &ArticleRecord,
    reviewer: &medreview_core::roster::Reviewer,
    target: &Revision,
) -> Result<()> {
    let named_writer = record.revision_article(ws, &target.id)?.front.writer;
    if *req.by == target.submitted_by || *req.by == named_writer {
        return Err(Error::new(
            Code::CannotReviewOwnRevision,
            format!(
                "{} wrote {} of {}, and the writer of a revision cannot review it",
                req.by,
                target.label(),
                req.slug
            ),
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
        return Err(Error::with_hint(
            Code::LicenseExpired,
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
    Ok(())
}

/// Refuses an approval or re-review without a key where signatures are required.
fn require_key(ws: &Workspace, people: &dyn People, req: &Request<'_>) -> Result<()> {
    if ws.policy(people).require_signatures && req.key.is_none() {
        return Err(Error::new(
            Code::SignatureRequired,
            "medreview.yaml requires signed approvals, and no key was given",
        ));
    }
    Ok(())
}

/// `withdraw`: a reviewer takes the article out of publication.
pub fn withdraw(ws: &Workspace, req: &Request<'_>) -> Result<Recorded> {
    let _lock = ws.git.lock()?;
    let people = ws.people()?;
    let roster = people.current().roster.clone();
    let record = ArticleRecord::load(ws, req.slug)?;
    roster.require_reviewer_for(req.by, req.slug, requested(&record).as_ref(), "withdraw")?;
    let status = record.status(ws, &*people, req.now);
    // A conflict that may involve an approval is withdrawn from too: that is how a
    // reviewer who saw both sides takes the article down for good.
    let target = match (status.publishable, status.state, status.latest) {
        (Some(publishable), _, _) => publishable.revision,
        (None, State::NeedsDecision, Some(latest)) => latest,
        _ => {
            return Err(Error::with_hint(
                Code::NoApprovedRevision,
                format!(
                    "{} has no approved revision, so there is nothing to withdraw (it is {})",
                    req.slug, status.state
                ),
                "use `medreview request-changes` to send the latest revision back instead",
            ));
        }
    };
    let entry = req.entry(Action::Withdrawn, target.id.clone());
    record_entry(ws, &*people, &record, entry, req, None, Vec::new())
}

/// `schedule`: a publisher (or an admin) sets when the article may be on the site:
/// not before `schedule.not_before`, not after `schedule.not_after`. The entry
/// names the latest submitted revision, but the schedule holds for the article,
/// whichever revision is approved.
pub fn schedule(ws: &Workspace, req: &Request<'_>, schedule: Schedule) -> Result<Recorded> {
    let _lock = ws.git.lock()?;
    let people = ws.people()?;
    let record = ArticleRecord::load(ws, req.slug)?;
    let latest = latest_revision(&record)?;
    let mut warnings = Vec::new();
    let status = record.status(ws, &*people, req.now);
    if status.publishable.is_some() && !schedule.allows(req.now) {
        warnings.push(format!(
            "{} is publishable now, and this schedule keeps it off the site at {}: the next `medreview publish` leaves it out",
            req.slug,
            medreview_core::clock::rfc3339(&req.now)
        ));
    }
    let mut entry = req.entry(Action::Scheduled, latest.id);
    entry.schedule = Some(schedule);
    record_entry(ws, &*people, &record, entry, req, None, warnings)
}

/// Refuses an entry file larger than any entry may be: it could not be read back.
pub(crate) fn fits_in_an_entry(what: &str, bytes: &[u8]) -> Result<()> {
    let max = medreview_core::ledger::MAX_ENTRY_BYTES;
    if bytes.len() <= max {
        return Ok(());
    }
    Err(Error::with_hint(
        Code::InvalidArgument,
        format!(
            "this {what} would be a file of {} bytes, more than an entry may hold ({max})",
            bytes.len()
        ),
        "shorten the note, the quote or the suggestion",
    ))
}

pub(crate) fn latest_revision(record: &ArticleRecord) -> Result<Revision> {
    record.ledger.latest_revision().ok_or_else(|| {
        Error::with_hint(
            Code::NoSubmittedRevision,
            format!("{} has no submitted revision yet", record.slug),
            format!(
                "the writer submits it first: `medreview submit {} --as WRITER`",
                record.slug
            ),
        )
    })
}

/// Adds `entry` to the record after its current heads, and commits its file (with
/// `also`: the article text when submitting, comments sent with a request for
/// changes). An approval that the rules of the record
/// would not count is refused here by the same function that judges it everywhere.
fn record_entry(
    ws: &Workspace,
    people: &dyn People,
    record: &ArticleRecord,
    mut entry: Entry,
    req: &Request<'_>,
    also: Option<Vec<(String, Vec<u8>)>>,
    mut warnings: Vec<String>,
) -> Result<Recorded> {
    record.ensure_ledger_committed(ws)?;
    // Nothing is recorded under a damaged roster: it would count for no one.
    if let Some((why, hint)) = people.damage() {
        return Err(medreview_core::roster::damage::refusal(why, hint));
    }
    medreview_core::record::ensure_folder_committed(ws, medreview_core::roster::log::ROSTER_DIR)?;
    let roster = &people.current().roster;
    let ledger = &record.ledger;
    entry.after = ledger.heads();
    entry.roster = people.heads();
    entry.clock = medreview_core::clock::fixed_by().map(str::to_owned);
    // What a signature means names its signer as the roster it names has them.
    if entry.action.vouches()
        && let Some(reviewer) = roster.reviewers.get(&entry.by)
    {
        entry.name = Some(reviewer.name.clone());
        entry.credentials = Some(reviewer.credentials.clone());
    }
    if let Some(latest) = entry
        .after
        .iter()
        .filter_map(|id| ledger.position(id))
        .map(|i| ledger.entries[i].at)
        .max()
        && entry.at < latest
    {
        // Never refused: a withdrawal must not wait for another machine's clock.
        warnings.push(format!(
            "the clock ({}) is earlier than the latest sign-off of {} ({}); one of the two clocks is wrong, and `medreview check` will say so",
            medreview_core::clock::rfc3339(&entry.at),
            record.slug,
            medreview_core::clock::rfc3339(&latest)
        ));
    }
    // Asked before anything is signed (a passkey is asked once, for a decision the
    // person has confirmed): what the site shows once this entry counts.
    if let Some(confirm) = req.confirm_live {
        let (draft_id, _) = entry.to_file();
        let (preview, _) = ledger.with_entry(draft_id, entry.clone());
        // Judged as if signed: an entry that would not count is refused below.
        let mut policy = ws.policy(people);
        policy.require_signatures = false;
        let status = evaluate::evaluate(&record.slug, &preview, people, &policy, entry.at);
        let live =
            |status: &evaluate::Status| status.publishable.as_ref().map(|p| p.revision.clone());
        let before = live(&record.status(ws, people, entry.at));
        let next = live(&status);
        if let Some(now) = before
            && Some(&now.id) != next.as_ref().map(|r| &r.id)
        {
            let change = LiveChange {
                slug: record.slug.clone(),
                action: entry.action,
                now,
                next,
            };
            if !confirm(&change) {
                return Err(Error::with_hint(
                    Code::NothingToDo,
                    format!(
                        "nothing was recorded: {} stays on the site",
                        change.now.label_with_id()
                    ),
                    "run the command again and answer yes when you mean it (or pass --yes)",
                ));
            }
        }
    }
    if let Some(key) = req.key {
        let signer = medreview_core::signing::Signer {
            id: &entry.by,
            public_key: roster.public_key_of(&entry.by),
            roster_file: roster.file_of(&entry.by),
            recorded_by: entry.recorded_by.as_ref(),
        };
        let text = medreview_core::signing::canonical_text(&record.slug, &entry);
        let signature = match key.skip_reason(&signer) {
            Some(why) => {
                warnings.push(why);
                None
            }
            None => Some(key.sign_as(medreview_core::signing::NAMESPACE, &text, &signer)?),
        };
        entry.signature = signature;
    }
    let (id, bytes) = entry.to_file();
    fits_in_an_entry(entry.action.as_str(), &bytes)?;
    let (after, position) = ledger.with_entry(id.clone(), entry.clone());
    // The new entry names only heads of this very record, so it is always in it.
    let Some(position) = position else {
        return Err(Error::internal(format!(
            "the record of {} could not take the new entry; run `medreview check`",
            record.slug
        )));
    };
    let status = evaluate::evaluate(&record.slug, &after, people, &ws.policy(people), entry.at);
    if let Some(why) = &status.verdicts[position] {
        return Err(Error::with_hint(
            Code::WouldNotCount,
            format!(
                "this {} of {} would not count: {why}",
                match entry.action {
                    Action::Recertified => "re-review",
                    Action::Approved => "approval",
                    Action::Scheduled => "schedule",
                    _ => "sign-off",
                },
                record.slug
            ),
            format!(
                "`medreview status {}` and `medreview log {}` show the record as it stands",
                record.slug, record.slug
            ),
        ));
    }
    let revision = after
        .revisions()
        .into_iter()
        .find(|r| r.id == entry.revision)
        .ok_or_else(|| {
            Error::internal(format!(
                "{} names a revision that was never submitted",
                entry.action
            ))
        })?;
    let mut files = vec![(
        format!(
            "{}/{}",
            Workspace::signoffs_rel(&record.slug),
            id.file_name()
        ),
        bytes,
    )];
    // The article's text (a submission) or comments, in the same commit.
    files.splice(0..0, also.unwrap_or_default());
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
        "Medreview-Action: {}\nMedreview-Article: {}\nMedreview-Revision: {}\nMedreview-By: {}\nMedreview-Entry: {id}\n",
        entry.action, record.slug, entry.revision, entry.by
    ));
    let author = roster.identity(&entry.by);
    let commit = ws.commit(files, &message, Some(&author), entry.at)?;
    Ok(Recorded {
        action: entry.action.as_str(),
        entry: id.to_string(),
        thread: None,
        commit,
        revision,
        state: status.state,
        warnings,
    })
}
