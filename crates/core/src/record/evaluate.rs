//! The review state machine: an article's state, derived from its entry graph and
//! the roster. Nothing here is stored, nothing reads a clock except re-review-due,
//! and decisions are judged by what their signer had seen, never by their times.
//!
//! The rules (also in the README):
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
//! 2. A revision is *approved* when approvals by `required_approvals` distinct
//!    reviewers count and no live request for changes on it stands. The
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
//! Rule 1's policy is judged by the roster the entry names, and also by today's for
//! what has ended since: a retirement or a license end on or before its day.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, FixedOffset, Months};
use serde::Serialize;

use crate::ids::Id;
use crate::record::entry::{Action, Entry};
use crate::record::graph::{Ledger, Revision};
use medreview_store::revision::RevId;
use std::rc::Rc;

use crate::roster::Roster;
use crate::roster::log::RosterState;
use crate::roster::people::People;
use crate::signing;
use crate::workspace::ReviewPolicy;

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
}

/// Why an approval breaks the review policy, if it does: the approver is not a
/// reviewer, wrote the revision (submitted it, or is named its writer), or had no
/// valid license that day.
pub fn approval_policy_problem(
    entry: &Entry,
    revision: &Revision,
    roster: &Roster,
    front_writer: Option<&Id>,
) -> Option<String> {
    let Some(reviewer) = roster.reviewers.get(&entry.by) else {
        return Some(format!("{} is not in reviewers/", entry.by));
    };
    if entry.by == revision.submitted_by || front_writer == Some(&entry.by) {
        return Some(format!(
            "{} wrote {} and cannot approve it",
            entry.by,
            revision.label()
        ));
    }
    let day = entry.at.date_naive();
    if let Some(retired) = reviewer.retired
        && retired <= day
    {
        return Some(format!("{} retired on {retired}", entry.by));
    }
    if !reviewer.licensed_on(day) {
        let expires = reviewer.license.as_ref().and_then(|l| l.expires);
        return Some(match expires {
            Some(date) => format!(
                "{}'s license expired on {date}, before this approval",
                entry.by
            ),
            None => format!("{}'s license was not valid on {day}", entry.by),
        });
    }
    None
}

/// Why an approval entry of article `slug` fails the policy or its signature, if
/// it does (a forged or altered approval never counts).
pub fn approval_problem(
    slug: &Id,
    entry: &Entry,
    revision: &Revision,
    roster: &Roster,
    policy: &ReviewPolicy,
    front_writer: Option<&Id>,
) -> Option<String> {
    if let Some(problem) = approval_policy_problem(entry, revision, roster, front_writer) {
        return Some(problem);
    }
    signature_problem(slug, entry, roster, policy)
}

/// Why an entry's signature does not count, if it does not: it does not verify, or
/// it is missing where the policy requires one.
pub fn signature_problem(
    slug: &Id,
    entry: &Entry,
    roster: &Roster,
    policy: &ReviewPolicy,
) -> Option<String> {
    match (&entry.signature, policy.require_signatures) {
        (Some(_), _) => signing::verify(slug, entry, roster.public_key_of(&entry.by))
            .err()
            .map(|why| format!("its signature does not verify: {why}")),
        (None, true) => Some("it is unsigned and the policy requires signatures".into()),
        (None, false) => None,
    }
}

/// Derives the state of article `slug` from its record at time `now`.
pub fn evaluate(
    slug: &Id,
    ledger: &Ledger,
    people: &dyn People,
    policy: &ReviewPolicy,
    now: DateTime<FixedOffset>,
) -> Status {
    let entries = &ledger.entries;
    let n = entries.len();
    // Each entry is judged by the roster in force when it was recorded.
    let rosters: Vec<Rc<RosterState>> = entries.iter().map(|e| people.at(e)).collect();
    let now_roster = people.current();
    let revisions = ledger.revisions();
    let revision = |id: &RevId| revisions.iter().find(|r| &r.id == id);
    let last = entries.last().cloned();
    let Some((latest_id, settled)) = ledger.latest() else {
        return Status {
            state: State::Draft,
            latest: None,
            publishable: None,
            last,
            conflicts: Vec::new(),
            verdicts: vec![None; n],
        };
    };
    let latest = revision(&latest_id).cloned();
    let who = |i: usize| format!("{} by {}", entries[i].action, entries[i].by);
    let is = |i: usize, action: Action| entries[i].action == action;
    // A reviewer then; for decisions that can only keep a page off the site, a
    // reviewer now is enough too (fail closed: a roster change never cancels one).
    let reviewer = |i: usize| {
        rosters[i].roster.reviewers.contains_key(&entries[i].by)
            || (!is(i, Action::Approved)
                && now_roster.roster.reviewers.contains_key(&entries[i].by))
    };

    // Rule 1, the part of it that does not depend on concurrent entries.
    let mut verdicts: Vec<Option<String>> = vec![None; n];
    let mut policy_ok = vec![false; n];
    let mut current = vec![false; n];
    for a in (0..n).filter(|&a| entries[a].action.vouches()) {
        let entry = &entries[a];
        let why = match revision(&entry.revision) {
            None => Some("it names a revision that was never submitted".to_owned()),
            Some(rev) => approval_problem(
                slug,
                entry,
                rev,
                &rosters[a].roster,
                policy,
                people.writer_of(&entry.revision).as_ref(),
            )
            .or_else(|| roster_problem(ledger, a, people, &rosters[a].roster))
            .or_else(|| ended_since(entry, &now_roster.roster))
            .or_else(|| crate::roster::identity::proxy_problem(entry, &rosters[a])),
        };
        policy_ok[a] = why.is_none();
        let why = why.or_else(|| stale(ledger, a, &revisions));
        current[a] = why.is_none();
        verdicts[a] = why;
    }

    // A request for changes is live until a later valid decision of the same
    // reviewer on the same revision, or a valid withdrawal, saw it. Valid: by a
    // reviewer, its signature sound (and present where required), an approval
    // passing the policy; otherwise a forged entry could clear a doctor's request.
    let valid: Vec<bool> = (0..n)
        .map(|d| match entries[d].action {
            // A re-review renews an approval; it never answers a request or a conflict.
            Action::Submitted | Action::Recertified => false,
            Action::Approved => policy_ok[d],
            _ => {
                reviewer(d)
                    && signature_problem(slug, &entries[d], &rosters[d].roster, policy).is_none()
            }
        })
        .collect();
    let live_request = |c: usize| {
        is(c, Action::ChangesRequested)
            && reviewer(c)
            && !(c + 1..n).any(|d| {
                valid[d]
                    && ledger.saw(d, c)
                    && (is(d, Action::Withdrawn)
                        || (entries[d].by == entries[c].by
                            && entries[d].revision == entries[c].revision))
            })
    };
    let live: Vec<bool> = (0..n).map(live_request).collect();

    // The rest of rule 1, and rule 3's conflicts. A conflict is resolved by a
    // reviewer's decision that saw both sides (an approval must pass the policy).
    let resolver: Vec<bool> = (0..n)
        .map(|d| valid[d] && (!is(d, Action::Approved) || current[d]))
        .collect();
    let resolved =
        |x: usize, y: usize| (0..n).any(|d| resolver[d] && ledger.saw(d, x) && ledger.saw(d, y));
    let mut conflicts = Vec::new();
    let mut counts = current.clone();
    for a in (0..n).filter(|&a| current[a]) {
        let blockers: Vec<usize> = (0..n)
            .filter(|&x| {
                x != a
                    && !ledger.saw(a, x)
                    && ((is(x, Action::Withdrawn) && reviewer(x))
                        || (live[x] && entries[x].revision == entries[a].revision))
            })
            .collect();
        let Some(&first) = blockers.first() else {
            continue;
        };
        counts[a] = false;
        // One that came after the approval cancels it whatever else was concurrent
        // with it: it would not count anyway, so there is nothing to decide. Which
        // entry comes first in the list depends on names, that is on clocks, so
        // every blocker is looked at, never only the first.
        if let Some(&x) = blockers.iter().find(|&&x| ledger.saw(x, a)) {
            verdicts[a] = Some(if is(x, Action::Withdrawn) {
                format!("it was withdrawn afterwards ({})", who(x))
            } else {
                format!("changes were requested afterwards ({})", who(x))
            });
            continue;
        }
        verdicts[a] = Some(format!(
            "it did not see the {} at {}, made at the same time in another copy",
            who(first),
            crate::clock::rfc3339(&entries[first].at)
        ));
        // A re-review that missed a withdrawal or a request simply does not renew
        // anything: the entry it missed decides, so there is nothing to resolve.
        if is(a, Action::Approved)
            && let Some(&x) = blockers.iter().find(|&&x| !resolved(a, x))
        {
            conflicts.push(format!(
                "the approval by {} and the {} were made without seeing each other",
                entries[a].by,
                who(x)
            ));
        }
    }
    if !settled {
        let frontier = ledger.frontier_submissions(&|_| true);
        let texts: BTreeSet<String> = frontier
            .iter()
            .filter_map(|&s| revision(&entries[s].revision))
            .map(Revision::label)
            .collect();
        conflicts.push(format!(
            "{} were submitted at the same time in different copies",
            texts.into_iter().collect::<Vec<_>>().join(" and ")
        ));
    }

    // A re-review counts only where it renews an approval that counts and that its
    // signer had seen: it can keep a page's date fresh, never put a text on the site.
    let renewing: Vec<usize> = (0..n)
        .filter(|&r| is(r, Action::Recertified) && counts[r])
        .collect();
    for r in renewing {
        let renews = (0..n).any(|a| {
            is(a, Action::Approved)
                && counts[a]
                && entries[a].revision == entries[r].revision
                && ledger.saw(r, a)
        });
        if !renews {
            counts[r] = false;
            verdicts[r] = Some(format!(
                "{} had no approval that counts in its signer's view, so there was nothing to re-review",
                revision(&entries[r].revision)
                    .map_or_else(|| entries[r].revision.short().to_owned(), Revision::label)
            ));
        }
    }

    // Rule 2.
    let approved = |rev: &Revision| -> Option<(usize, Vec<Approval>)> {
        if (0..n).any(|c| live[c] && entries[c].revision == rev.id) {
            return None;
        }
        // One person counts once, under however many ids or keys they appear.
        let mut persons: Vec<BTreeSet<String>> = Vec::new();
        let mut approvals = Vec::new();
        let mut last_index = 0;
        for a in (0..n)
            .filter(|&a| counts[a] && is(a, Action::Approved) && entries[a].revision == rev.id)
        {
            last_index = a;
            let marks = rosters[a].roster.identity_marks(&entries[a].by);
            if !persons.iter().any(|p| !p.is_disjoint(&marks)) {
                persons.push(marks);
                approvals.push(Approval {
                    by: entries[a].by.clone(),
                    at: entries[a].at,
                    recorded_by: entries[a].recorded_by.clone(),
                });
            }
        }
        (approvals.len() >= policy.required_approvals as usize && !approvals.is_empty())
            .then_some((last_index, approvals))
    };
    let first_approved_at = (0..n)
        .find(|&a| policy_ok[a] && is(a, Action::Approved))
        .map(|a| entries[a].at);
    let publishable = revisions
        .iter()
        .filter_map(|r| approved(r).map(|(i, approvals)| (i, r, approvals)))
        .max_by_key(|(i, _, _)| *i)
        .map(|(i, rev, approvals)| {
            let renewals: Vec<usize> = (0..n)
                .filter(|&r| {
                    counts[r] && is(r, Action::Recertified) && entries[r].revision == rev.id
                })
                .collect();
            // The page's date only moves forward: a re-review dated before the
            // approval it renews (a wrong clock) leaves the approval's date.
            let reviewed_at = renewals
                .iter()
                .map(|&r| entries[r].at)
                .fold(entries[i].at, DateTime::max);
            let recertifications = renewals
                .iter()
                .map(|&r| Approval {
                    by: entries[r].by.clone(),
                    at: entries[r].at,
                    recorded_by: entries[r].recorded_by.clone(),
                })
                .collect();
            let due_at = reviewed_at
                .checked_add_months(Months::new(policy.interval_months))
                .unwrap_or(reviewed_at);
            Publishable {
                revision: rev.clone(),
                approvals,
                recertifications,
                reviewed_at,
                due_at,
                first_approved_at: first_approved_at.unwrap_or(reviewed_at),
            }
        });

    let latest_submissions: Vec<usize> = (0..n)
        .filter(|&s| is(s, Action::Submitted) && entries[s].revision == latest_id)
        .collect();
    let withdrawn = (0..n).any(|w| {
        is(w, Action::Withdrawn)
            && reviewer(w)
            && latest_submissions.iter().any(|&s| ledger.saw(w, s))
    });
    let sent_back = (0..n).any(|c| live[c] && entries[c].revision == latest_id);
    let state = if !conflicts.is_empty() {
        State::NeedsDecision
    } else {
        match &publishable {
            Some(p) if p.revision.id == latest_id => State::Approved.on(p.due_at, now),
            _ if withdrawn => State::Withdrawn,
            _ if sent_back => State::ChangesRequested,
            _ => State::InReview,
        }
    };
    Status {
        state,
        latest,
        publishable,
        last,
        conflicts,
        verdicts,
    }
}

/// Why a vouching entry does not count by today's roster, if it does not: its
/// reviewer had retired, or their license had ended, by the day it is dated. A
/// sign-off from a stale clone names the roster before the retirement; the roster
/// it names says when it was made, today's says what has ended since. This can only
/// stop an entry counting: past decisions made before the end keep their meaning.
fn ended_since(entry: &Entry, now: &Roster) -> Option<String> {
    let reviewer = now.reviewers.get(&entry.by)?;
    let day = entry.at.date_naive();
    if let Some(retired) = reviewer.retired
        && retired <= day
    {
        return Some(format!("{} retired on {retired}", entry.by));
    }
    let expired = reviewer.license.as_ref().and_then(|l| l.expires);
    match expired {
        Some(date) if date < day => Some(format!(
            "{}'s license expired on {date}, before this {}",
            entry.by, entry.action
        )),
        _ => None,
    }
}

/// Why approval `a` may not be judged by the roster it names, if it may not: the
/// roster is older than the one an entry its signer had seen names (a forged
/// "old" approval, or an old key), or it was dated before such an entry under a
/// license that had expired by then (a clock set back).
fn roster_problem(
    ledger: &Ledger,
    a: usize,
    people: &dyn People,
    roster: &Roster,
) -> Option<String> {
    let entry = &ledger.entries[a];
    let parents: Vec<&Entry> = entry
        .after
        .iter()
        .filter_map(|id| ledger.position(id))
        .map(|p| &ledger.entries[p])
        .collect();
    if let Some(p) = parents.iter().find(|p| !people.includes(entry, p)) {
        return Some(format!(
            "it names an older roster than the {} by {} its signer had seen",
            p.action, p.by
        ));
    }
    // The roster entries it names were seen too.
    let latest = parents
        .iter()
        .map(|p| p.at)
        .chain(people.roster_seen_at(entry))
        .max()?;
    let reviewer = roster.reviewers.get(&entry.by)?;
    if latest <= entry.at {
        return None;
    }
    let day = latest.date_naive();
    if let Some(retired) = reviewer.retired
        && retired <= day
    {
        return Some(format!(
            "it is dated before the entries its signer had seen, and {} had retired on {retired}",
            entry.by
        ));
    }
    (!reviewer.licensed_on(day)).then(|| {
        format!(
            "it is dated before the entries its signer had seen, and {}'s license had expired by {day}",
            entry.by
        )
    })
}

/// Why approval `a` is stale, if it is: its revision was not a latest submission in
/// its signer's view, or a submission of another text it did not see is not after it.
fn stale(ledger: &Ledger, a: usize, revisions: &[Revision]) -> Option<String> {
    let entries = &ledger.entries;
    let target = &entries[a].revision;
    let label = |id: &RevId| {
        revisions
            .iter()
            .find(|r| &r.id == id)
            .map_or_else(|| id.short().to_owned(), Revision::label)
    };
    let view = ledger.frontier_submissions(&|i| ledger.saw(a, i));
    if !view.iter().any(|&s| &entries[s].revision == target) {
        let newest = view
            .last()
            .map_or("no revision".to_owned(), |&s| label(&entries[s].revision));
        return Some(format!(
            "{} was not the latest revision its signer had seen ({newest} was)",
            label(target)
        ));
    }
    let unseen = (0..entries.len()).find(|&s| {
        entries[s].action == Action::Submitted
            && &entries[s].revision != target
            && ledger.concurrent(a, s)
    })?;
    Some(format!(
        "it was made without seeing {} submitted by {} at {}",
        label(&entries[unseen].revision),
        entries[unseen].by,
        crate::clock::rfc3339(&entries[unseen].at)
    ))
}

#[cfg(test)]
mod tests;
