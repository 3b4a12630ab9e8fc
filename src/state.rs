//! The review state machine: an article's state, derived from its ledger and the roster.
//! Nothing here is stored; everything is recomputed from the record.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, FixedOffset, Months};
use serde::Serialize;

use crate::ids::Id;
use crate::ledger::{Action, Entry, Ledger, Revision};
use crate::revision::RevId;
use crate::roster::Roster;
use crate::signing;
use crate::workspace::ReviewPolicy;

/// The states an article can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An approval that counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    /// The reviewer.
    pub by: Id,
    /// When they approved.
    pub at: DateTime<FixedOffset>,
}

/// The revision a publisher may put on the site, and the approvals behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Publishable {
    /// The approved revision.
    pub revision: Revision,
    /// The approvals that count, oldest first.
    pub approvals: Vec<Approval>,
    /// When the last counted approval was given: the page's "reviewed" date.
    pub reviewed_at: DateTime<FixedOffset>,
    /// When the approval runs out and a re-review is due.
    pub due_at: DateTime<FixedOffset>,
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
    /// The most recent ledger entry.
    pub last: Option<Entry>,
}

/// Why an approval breaks the review policy, if it does: the approver is not a
/// reviewer, wrote the revision, or had no valid license that day.
pub fn approval_policy_problem(
    entry: &Entry,
    revision: &Revision,
    roster: &Roster,
) -> Option<String> {
    let Some(reviewer) = roster.reviewers.get(&entry.by) else {
        return Some(format!("{} is not in reviewers/", entry.by));
    };
    if entry.by == revision.submitted_by {
        return Some(format!(
            "{} wrote {} and cannot approve it",
            entry.by,
            revision.label()
        ));
    }
    let day = entry.at.date_naive();
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

/// Why an approval entry of article `slug` does not count, if it does not: a policy
/// problem, a signature that does not verify (a forged or altered approval never
/// counts), or no signature where the policy requires one.
pub fn approval_problem(
    slug: &Id,
    entry: &Entry,
    revision: &Revision,
    roster: &Roster,
    policy: &ReviewPolicy,
) -> Option<String> {
    if let Some(problem) = approval_policy_problem(entry, revision, roster) {
        return Some(problem);
    }
    match (&entry.signature, policy.require_signatures) {
        (Some(_), _) => signing::verify(slug, entry, roster.public_key_of(&entry.by))
            .err()
            .map(|why| format!("its signature does not verify: {why}")),
        (None, true) => Some("it is unsigned and the policy requires signatures".into()),
        (None, false) => None,
    }
}

/// Derives the state of article `slug` from its ledger at time `now`.
pub fn evaluate(
    slug: &Id,
    ledger: &Ledger,
    roster: &Roster,
    policy: &ReviewPolicy,
    now: DateTime<FixedOffset>,
) -> Status {
    // Decisions are read in time order, whatever order a merge left the file in.
    let ledger = &ledger.in_time_order();
    let revisions = ledger.revisions();
    let last = ledger.entries.last().cloned();
    let Some(latest_id) = ledger.latest_submitted().cloned() else {
        return Status {
            state: State::Draft,
            latest: None,
            publishable: None,
            last,
        };
    };
    let latest = revisions.iter().find(|r| r.id == latest_id).cloned();
    let entries = &ledger.entries;
    // A withdrawal cancels every decision before it.
    let live_from = entries
        .iter()
        .rposition(|e| e.action == Action::Withdrawn)
        .map_or(0, |i| i + 1);
    let live = &entries[live_from..];

    // Each reviewer's current decision on each revision, in ledger order.
    let mut decisions: BTreeMap<(&RevId, &Id), (usize, &Entry)> = BTreeMap::new();
    for (i, entry) in live.iter().enumerate() {
        if matches!(entry.action, Action::Approved | Action::ChangesRequested) {
            decisions.insert((&entry.revision, &entry.by), (i, entry));
        }
    }
    let approved_revision = |revision: &Revision| -> Option<(usize, Publishable)> {
        let mut approvals: Vec<(usize, Approval)> = Vec::new();
        for ((rev, _), (i, entry)) in &decisions {
            if *rev != &revision.id {
                continue;
            }
            match entry.action {
                Action::ChangesRequested if roster.reviewers.contains_key(&entry.by) => {
                    return None;
                }
                Action::Approved
                    if approval_problem(slug, entry, revision, roster, policy).is_none() =>
                {
                    approvals.push((
                        *i,
                        Approval {
                            by: entry.by.clone(),
                            at: entry.at,
                        },
                    ));
                }
                _ => {}
            }
        }
        if approvals.len() < policy.required_approvals as usize {
            return None;
        }
        approvals.sort_by_key(|(i, _)| *i);
        let (last_index, last_approval) = approvals.last()?.clone();
        let due_at = last_approval
            .at
            .checked_add_months(Months::new(policy.interval_months))
            .unwrap_or(last_approval.at);
        Some((
            last_index,
            Publishable {
                revision: revision.clone(),
                approvals: approvals.into_iter().map(|(_, a)| a).collect(),
                reviewed_at: last_approval.at,
                due_at,
            },
        ))
    };
    let publishable = revisions
        .iter()
        .filter_map(approved_revision)
        .max_by_key(|(index, _)| *index)
        .map(|(_, p)| p);

    let latest_submission = entries
        .iter()
        .rposition(|e| e.action == Action::Submitted)
        .unwrap_or(0);
    let state = match (&latest, &publishable) {
        (Some(l), Some(p)) if p.revision.id == l.id => {
            if p.due_at < now {
                State::ReReviewDue
            } else {
                State::Approved
            }
        }
        _ if live_from > latest_submission => State::Withdrawn,
        _ => {
            let sent_back = entries[latest_submission..].iter().any(|e| {
                e.action == Action::ChangesRequested
                    && e.revision == latest_id
                    && decisions
                        .get(&(&latest_id, &e.by))
                        .is_some_and(|(_, d)| d.action == Action::ChangesRequested)
            });
            if sent_back {
                State::ChangesRequested
            } else {
                State::InReview
            }
        }
    };
    Status {
        state,
        latest,
        publishable,
        last,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roster::{License, Reviewer, Writer};
    use chrono::NaiveDate;

    fn id(s: &str) -> Id {
        Id::parse("id", s).expect("valid id")
    }

    fn rev(c: char) -> RevId {
        RevId::parse(&c.to_string().repeat(40)).expect("valid rev")
    }

    fn time(day: u32, month: u32, year: i32) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("{year}-{month:02}-{day:02}T10:00:00+00:00"))
            .expect("valid time")
    }

    fn roster() -> Roster {
        let mut r = Roster::default();
        r.writers.insert(
            id("sam"),
            Writer {
                name: "Sam".into(),
                email: None,
                bio: None,
                public_key: None,
            },
        );
        for (who, expires) in [("ana", None), ("bob", None), ("old", Some((2024, 1, 31)))] {
            let license = expires.map(|(y, m, d)| License {
                expires: NaiveDate::from_ymd_opt(y, m, d),
                ..License::default()
            });
            r.reviewers.insert(
                id(who),
                Reviewer {
                    name: who.into(),
                    credentials: "M.D.".into(),
                    specialties: vec![],
                    license,
                    email: None,
                    bio: None,
                    public_key: None,
                },
            );
        }
        r
    }

    struct Case {
        ledger: Ledger,
        day: u32,
    }

    impl Case {
        fn new() -> Case {
            Case {
                ledger: Ledger::default(),
                day: 1,
            }
        }
        fn add(mut self, action: Action, by: &str, r: char) -> Case {
            self.day += 1;
            self.ledger.entries.push(Entry {
                action,
                by: id(by),
                at: time(self.day, 3, 2025),
                revision: rev(r),
                note: None,
                signature: None,
            });
            self
        }
        fn status_with(&self, policy: &ReviewPolicy, now: DateTime<FixedOffset>) -> Status {
            evaluate(&id("her2-treatment"), &self.ledger, &roster(), policy, now)
        }
        fn status(&self) -> Status {
            self.status_with(&ReviewPolicy::default(), time(1, 6, 2025))
        }
        fn publishable(&self) -> Option<char> {
            self.status()
                .publishable
                .map(|p| p.revision.id.as_str().chars().next().unwrap_or('?'))
        }
    }

    use Action::*;

    #[test]
    fn draft_until_submitted() {
        assert_eq!(Case::new().status().state, State::Draft);
    }

    #[test]
    fn submitted_is_in_review() {
        let c = Case::new().add(Submitted, "sam", 'a');
        assert_eq!(c.status().state, State::InReview);
        assert_eq!(c.status().latest.map(|r| r.number), Some(1));
        assert_eq!(c.publishable(), None);
    }

    #[test]
    fn approval_makes_it_approved_and_publishable() {
        let c = Case::new()
            .add(Submitted, "sam", 'a')
            .add(Approved, "ana", 'a');
        let s = c.status();
        assert_eq!(s.state, State::Approved);
        let p = s.publishable.expect("publishable");
        assert_eq!(p.reviewed_at, time(3, 3, 2025));
        assert_eq!(p.due_at, time(3, 3, 2026));
    }

    #[test]
    fn changes_requested_then_resubmitted() {
        let c = Case::new()
            .add(Submitted, "sam", 'a')
            .add(ChangesRequested, "ana", 'a');
        assert_eq!(c.status().state, State::ChangesRequested);
        let c = c.add(Submitted, "sam", 'b');
        assert_eq!(c.status().state, State::InReview);
        assert_eq!(c.status().latest.map(|r| r.number), Some(2));
    }

    #[test]
    fn older_approval_stays_publishable_while_new_revision_in_review() {
        let c = Case::new()
            .add(Submitted, "sam", 'a')
            .add(Approved, "ana", 'a')
            .add(Submitted, "sam", 'b');
        assert_eq!(c.status().state, State::InReview);
        assert_eq!(c.publishable(), Some('a'));
        let c = c.add(Approved, "ana", 'b');
        assert_eq!(c.status().state, State::Approved);
        assert_eq!(c.publishable(), Some('b'));
    }

    #[test]
    fn withdrawal_takes_it_out_of_publication() {
        let c = Case::new()
            .add(Submitted, "sam", 'a')
            .add(Approved, "ana", 'a')
            .add(Withdrawn, "bob", 'a');
        assert_eq!(c.status().state, State::Withdrawn);
        assert_eq!(c.publishable(), None);
        let c = c.add(Submitted, "sam", 'b');
        assert_eq!(c.status().state, State::InReview);
        assert_eq!(c.publishable(), None, "the old approval stays withdrawn");
    }

    #[test]
    fn approval_ages_into_re_review_due() {
        let c = Case::new()
            .add(Submitted, "sam", 'a')
            .add(Approved, "ana", 'a');
        let policy = ReviewPolicy::default();
        assert_eq!(
            c.status_with(&policy, time(2, 3, 2026)).state,
            State::Approved
        );
        assert_eq!(
            c.status_with(&policy, time(4, 3, 2026)).state,
            State::ReReviewDue
        );
        assert!(
            c.status_with(&policy, time(4, 3, 2026))
                .publishable
                .is_some(),
            "still publishable"
        );
    }

    #[test]
    fn approvals_that_do_not_count() {
        // the writer of the revision, someone not in reviewers/, an expired license
        for by in ["sam", "zed", "old"] {
            let c = Case::new()
                .add(Submitted, "sam", 'a')
                .add(Approved, by, 'a');
            assert_eq!(c.status().state, State::InReview, "{by}");
        }
        let c = Case::new()
            .add(Submitted, "ana", 'a')
            .add(Approved, "ana", 'a');
        assert_eq!(
            c.status().state,
            State::InReview,
            "a reviewer who submitted cannot approve"
        );
    }

    #[test]
    fn required_approvals_counts_distinct_reviewers() {
        let policy = ReviewPolicy {
            required_approvals: 2,
            ..ReviewPolicy::default()
        };
        let now = time(1, 6, 2025);
        let c = Case::new()
            .add(Submitted, "sam", 'a')
            .add(Approved, "ana", 'a')
            .add(Approved, "ana", 'a');
        assert_eq!(c.status_with(&policy, now).state, State::InReview);
        let c = c.add(Approved, "bob", 'a');
        assert_eq!(c.status_with(&policy, now).state, State::Approved);
    }

    #[test]
    fn a_later_request_for_changes_replaces_the_same_reviewers_approval() {
        let c = Case::new()
            .add(Submitted, "sam", 'a')
            .add(Approved, "ana", 'a')
            .add(ChangesRequested, "ana", 'a');
        assert_eq!(c.status().state, State::ChangesRequested);
        assert_eq!(c.publishable(), None);
    }

    #[test]
    fn decisions_are_read_in_time_order_after_a_merge() {
        // A union merge put the later approval above the earlier request for changes.
        let mut c = Case::new()
            .add(Submitted, "sam", 'a')
            .add(Approved, "ana", 'a');
        c = c.add(ChangesRequested, "ana", 'a');
        let (approve_at, request_at) = (c.ledger.entries[1].at, c.ledger.entries[2].at);
        c.ledger.entries[1].at = request_at;
        c.ledger.entries[2].at = approve_at;
        assert_eq!(c.status().state, State::Approved);
    }

    #[test]
    fn unsigned_approval_does_not_count_when_signatures_are_required() {
        let policy = ReviewPolicy {
            require_signatures: true,
            ..ReviewPolicy::default()
        };
        let c = Case::new()
            .add(Submitted, "sam", 'a')
            .add(Approved, "ana", 'a');
        assert_eq!(
            c.status_with(&policy, time(1, 6, 2025)).state,
            State::InReview
        );
    }
}
