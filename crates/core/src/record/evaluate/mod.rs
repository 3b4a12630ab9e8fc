//! The review state machine: an article's state, derived from its entry graph and
//! the roster. Nothing here is stored, nothing reads a clock except re-review-due,
//! and decisions are judged by what their signer had seen, never by their times.
//!
//! The rules (also in docs/record.md):
//!
//! 1. An approval *counts* when it passes the policy (a reviewer on the roster, not
//!    the revision's writer, licensed that day, signed when signatures are
//!    required, its signature valid) and:
//!    - its revision was a latest submission in its signer's view;
//!    - it saw every submission of another text that is not after it (a
//!      submission it did not see makes it stale);
//!    - it saw every withdrawal (one after it cancels it; one concurrent with it
//!      is a conflict);
//!    - no request for changes on its revision that it did not see is *live*
//!      (not yet answered by a later decision of the same reviewer that saw it).
//! 2. A revision is *approved* when the approvals that count meet what it needs
//!    and no live request for changes on it stands. It needs `required_approvals`
//!    distinct reviewers' `medical-accuracy` approvals, and each requirement of
//!    the `review.rules` matching its slug, its topic or the topic of the last
//!    revision approved before it (a meaning, a specialty in the roster of the
//!    approval's time, a number of distinct people; see `requirements`). The
//!    publishable revision is the approved one approved last in graph order.
//! 3. A *conflict* is an approval that would count but for an entry concurrent
//!    with it: a withdrawal, or a request for changes on the same revision; or
//!    two latest submissions of different texts. A reviewer's decision that saw
//!    both sides resolves it. An unresolved conflict makes the article
//!    `needs-decision`; what is publishable stays as rule 2 says, so publish keeps
//!    what was approved before the conflict, and nothing when a withdrawal is in it.
//! 4. A *re-review* (`recertified`) passes the same policy and the same parts of
//!    rule 1 as an approval, and counts only where it renews an approval that
//!    counts and that its signer had seen. It moves the publishable revision's
//!    review date forward (never back) and does nothing else: it is not an
//!    approval, never answers a request for changes and never resolves a conflict.
//!
//! Rule 1's policy includes what the entry says it means and who signed it: a
//! meaning `review.meanings` lists (none recorded: `medical-accuracy`), and a
//! printed name and credentials that are the roster's of its time.
//!
//! Rule 1's policy is judged by the roster the entry names, and also by today's for
//! what has ended since: a retirement or a license end on or before its day.
//!
//! This file holds the types of a derived state and `evaluate`, which applies the
//! rules one function each (`rules`); why one entry does not count by itself is
//! in `entry_checks`.

use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::ids::Id;
use crate::record::entry::Entry;
use crate::record::graph::{Ledger, Revision};
use crate::roster::people::People;
use crate::workspace::ReviewPolicy;

mod entry_checks;
mod requirements;
mod rules;
pub use entry_checks::{
    Signed, approval_policy_problem, approval_problem, meaning_problem, public_note_problem,
    schedule_problem, signature_problem,
};
pub use requirements::{Need, explain, who_can};

/// The states an article can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// The text was never submitted.
    Draft,
    /// The latest revision is waiting for a decision.
    InReview,
    /// A reviewer sent the latest revision back.
    ChangesRequested,
    /// The latest revision has all required approvals.
    Approved,
    /// Approved, but the approval is older than the review interval.
    ReReviewDue,
    /// A reviewer withdrew the approval.
    Withdrawn,
    /// Concurrent sign-offs conflict; a reviewer must decide again, seeing both.
    NeedsDecision,
}

impl State {
    /// The state's name as the spec and `--json` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::InReview => "in-review",
            State::ChangesRequested => "changes-requested",
            State::Approved => "approved",
            State::ReReviewDue => "re-review-due",
            State::Withdrawn => "withdrawn",
            State::NeedsDecision => "needs-decision",
        }
    }
}

impl State {
    /// The state at `now` of an article whose state does not depend on the clock
    /// but for its re-review date: an approval older than the review interval is
    /// due. The one place the clock enters the state machine.
    pub fn on(self, due_at: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> State {
        match self {
            State::Approved if due_at < now => State::ReReviewDue,
            other => other,
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An approval that counts.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Approval {
    /// The reviewer.
    pub by: Id,
    /// When they approved.
    #[serde(
        serialize_with = "crate::clock::ser",
        deserialize_with = "crate::clock::de"
    )]
    pub at: DateTime<FixedOffset>,
    /// Who recorded it for them, when someone else did.
    pub recorded_by: Option<Id>,
    /// What it vouches for (`medical-accuracy` for approvals made before meanings).
    #[serde(default = "medical_accuracy")]
    pub meaning: String,
    /// The reviewer's printed name as the roster of its time had it.
    #[serde(default)]
    pub name: Option<String>,
    /// The reviewer's credentials as the roster of its time had them.
    #[serde(default)]
    pub credentials: Option<String>,
    /// The id of its entry (the file name without `.yaml`).
    #[serde(default)]
    pub entry: String,
    /// The public key its signer had in the roster it names: the key its
    /// signature was verified with.
    #[serde(default)]
    pub public_key: Option<String>,
}

/// The submission of a published revision: the entry the writer's text came in by.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Submission {
    /// The id of its entry.
    pub entry: String,
    /// Who submitted it.
    pub by: Id,
    /// The public key the submitter had in the roster the entry names.
    pub public_key: Option<String>,
}

fn medical_accuracy() -> String {
    crate::ledger::entry::MEDICAL_ACCURACY.to_owned()
}

impl Approval {
    /// Whether it is a medical review, the only kind a "Medically reviewed by"
    /// byline names.
    pub fn is_medical(&self) -> bool {
        self.meaning == crate::ledger::entry::MEDICAL_ACCURACY
    }
}

/// The revision a publisher may put on the site, and the approvals behind it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Publishable {
    /// The approved revision.
    pub revision: Revision,
    /// The approvals that count, in graph order.
    pub approvals: Vec<Approval>,
    /// Re-reviews of the revision that count (`recertify`), in graph order.
    #[serde(default)]
    pub recertifications: Vec<Approval>,
    /// When the last counted approval or re-review was given: the page's
    /// "reviewed" date.
    #[serde(
        serialize_with = "crate::clock::ser",
        deserialize_with = "crate::clock::de"
    )]
    pub reviewed_at: DateTime<FixedOffset>,
    /// When the approval runs out and a re-review is due.
    #[serde(
        serialize_with = "crate::clock::ser",
        deserialize_with = "crate::clock::de"
    )]
    pub due_at: DateTime<FixedOffset>,
    /// When the first approval that counts (of any revision) was given.
    #[serde(
        serialize_with = "crate::clock::ser",
        deserialize_with = "crate::clock::de"
    )]
    pub first_approved_at: DateTime<FixedOffset>,
    /// When the page's text last changed in meaning: the approval of the published
    /// revision or, when that was a minor change (`submit --change minor`), of the
    /// last approved revision before it that was not. A re-review never moves it.
    #[serde(
        serialize_with = "crate::clock::ser",
        deserialize_with = "crate::clock::de"
    )]
    pub modified_at: DateTime<FixedOffset>,
    /// The corrections and updates readers are told of, oldest first: one per
    /// approved revision up to the published one submitted as a correction or an
    /// update, with its public note and the time it was approved.
    #[serde(default)]
    pub changes: Vec<PublicChange>,
    /// When the page may be on the site, by the last schedule entry that counts.
    #[serde(default)]
    pub schedule: Option<crate::ledger::entry::Schedule>,
    /// The first submission of the revision in graph order, if on record.
    #[serde(default)]
    pub submission: Option<Submission>,
}

/// A correction or an update, as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PublicChange {
    /// `correction` or `update`.
    pub kind: crate::ledger::entry::Change,
    /// The public note its writer submitted with it.
    pub note: String,
    /// The revision that made it (r1 = 1).
    pub revision_number: usize,
    /// When it was approved, so went on the site.
    #[serde(
        serialize_with = "crate::clock::ser",
        deserialize_with = "crate::clock::de"
    )]
    pub at: DateTime<FixedOffset>,
}

/// An article's derived state.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// The state.
    pub state: State,
    /// The most recently submitted revision.
    pub latest: Option<Revision>,
    /// The revision that may be published, if any.
    pub publishable: Option<Publishable>,
    /// The last entry in graph order.
    pub last: Option<Entry>,
    /// Each unresolved conflict, in words.
    pub conflicts: Vec<String>,
    /// For each entry (by position): why it does not count, for approvals that do not.
    pub verdicts: Vec<Option<String>>,
    /// What the latest revision needs (`required_approvals` and the matching
    /// `review.rules`), and who meets each part of it.
    pub needs: Vec<Need>,
    /// The approvals that count on the latest revision, one per person and meaning.
    pub latest_approvals: Vec<Approval>,
    /// When the article may be on the site, by the last schedule entry that
    /// counts (`medreview schedule`); none: whenever it is publishable.
    pub schedule: Option<crate::ledger::entry::Schedule>,
}

/// Derives the state of article `slug` from its record at time `now`.
pub fn evaluate(
    slug: &Id,
    ledger: &Ledger,
    people: &dyn People,
    policy: &ReviewPolicy,
    now: DateTime<FixedOffset>,
) -> Status {
    let judge = rules::Judge::new(slug, ledger, people, policy);
    let last = ledger.entries.last().cloned();
    let Some((latest_id, settled)) = ledger.latest() else {
        return Status {
            state: State::Draft,
            latest: None,
            publishable: None,
            last,
            conflicts: Vec::new(),
            verdicts: vec![None; judge.n],
            needs: Vec::new(),
            latest_approvals: Vec::new(),
            schedule: None,
        };
    };
    let latest = judge.revision(&latest_id).cloned();
    // Rule 1, the part of it that does not depend on concurrent entries.
    let rules::Alone {
        mut verdicts,
        policy_ok,
        current,
    } = judge.judge_alone();
    // Which requests for changes are live, answered by no valid later decision.
    let valid = judge.valid_answers(&policy_ok);
    let live = judge.live_requests(&valid);
    // The rest of rule 1, and rule 3's conflicts.
    let (mut counts, mut conflicts) = judge.concurrent(&current, &valid, &live, &mut verdicts);
    if !settled {
        conflicts.push(judge.concurrent_submissions());
    }
    // Rule 4.
    judge.renewals(&mut counts, &mut verdicts);
    // Rule 2.
    let (mut publishable, (needs, latest_approvals)) =
        judge.publishable(&counts, &live, &policy_ok, &latest_id);
    // When the page may be on the site.
    let schedule = judge.schedule(&mut verdicts);
    if let Some(p) = &mut publishable {
        p.schedule = schedule;
    }
    let state = judge.state(&latest_id, &conflicts, &publishable, &live, now);
    Status {
        state,
        latest,
        publishable,
        last,
        conflicts,
        verdicts,
        needs,
        latest_approvals,
        schedule,
    }
}

#[cfg(test)]
mod tests;
