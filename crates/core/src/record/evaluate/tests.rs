//! The state machine on hand-built graphs: the sequential cases format 1 had, and
//! every kind of concurrency a team of clones produces.

use super::*;
use crate::record::entry::{Action, EntryId};
use crate::roster::log::RosterState;
use crate::roster::{License, Reviewer, Roster, Writer};
use chrono::NaiveDate;
use medreview_store::revision::RevId;
use std::rc::Rc;

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
    for (who, expires) in [
        ("ana", None),
        ("bob", None),
        ("cy", None),
        ("old", Some((2024, 1, 31))),
    ] {
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
                retired: None,
            },
        );
    }
    r
}

/// A record built entry by entry. `add` puts an entry after the current heads (one
/// clone working alone); `add_after` names what its signer had seen.
struct Case {
    entries: Vec<(EntryId, Entry)>,
    day: u32,
    policy: ReviewPolicy,
    writer: Option<Id>,
}

impl Case {
    fn new() -> Case {
        Case {
            entries: Vec::new(),
            day: 1,
            policy: ReviewPolicy::default(),
            writer: None,
        }
    }
    fn ledger(&self) -> Ledger {
        Ledger::build(self.entries.clone(), Vec::new(), &|id| id.to_string())
    }
    /// Adds an entry after the current heads; returns its handle (1-based, in order added).
    fn add(&mut self, action: Action, by: &str, r: char) -> usize {
        let heads = self.ledger().heads();
        self.push(action, by, r, heads)
    }
    /// Adds an entry after exactly the entries `seen` (handles from `add`).
    fn add_after(&mut self, action: Action, by: &str, r: char, seen: &[usize]) -> usize {
        let after = seen
            .iter()
            .map(|&h| self.entries[h - 1].0.clone())
            .collect();
        self.push(action, by, r, after)
    }
    fn push(&mut self, action: Action, by: &str, r: char, after: Vec<EntryId>) -> usize {
        self.day += 1;
        let entry = Entry {
            action,
            by: id(by),
            at: time(self.day, 3, 2025),
            revision: rev(r),
            after,
            note: None,
            recorded_by: None,
            roster: Vec::new(),
            clock: None,
            format: None,
            viewed: None,
            meaning: None,
            name: None,
            credentials: None,
            signature: None,
        };
        let (entry_id, _) = entry.to_file();
        self.entries.push((entry_id, entry));
        self.entries.len()
    }
    fn status_at(&self, now: DateTime<FixedOffset>) -> Status {
        let people = TestPeople {
            state: Rc::new(RosterState {
                roster: roster(),
                ..RosterState::default()
            }),
            writer: self.writer.clone(),
        };
        evaluate(
            &id("her2-treatment"),
            &self.ledger(),
            &people,
            &self.policy,
            now,
        )
    }
    fn status(&self) -> Status {
        self.status_at(time(1, 6, 2025))
    }
    fn state(&self) -> State {
        self.status().state
    }
    fn publishable(&self) -> Option<char> {
        self.status()
            .publishable
            .map(|p| p.revision.id.as_str().chars().next().unwrap_or('?'))
    }
}

/// One roster for every entry, and a fixed front-matter writer.
struct TestPeople {
    state: Rc<RosterState>,
    writer: Option<Id>,
}

impl People for TestPeople {
    fn at(&self, _: &Entry) -> Rc<RosterState> {
        self.state.clone()
    }
    fn current(&self) -> Rc<RosterState> {
        self.state.clone()
    }
    fn includes(&self, _: &Entry, _: &Entry) -> bool {
        true
    }
    fn heads(&self) -> Vec<EntryId> {
        Vec::new()
    }
    fn writer_of(&self, _: &RevId) -> Option<Id> {
        self.writer.clone()
    }
}

use Action::*;

#[test]
fn draft_until_submitted() {
    assert_eq!(Case::new().state(), State::Draft);
}

#[test]
fn submitted_is_in_review() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    assert_eq!(c.state(), State::InReview);
    assert_eq!(c.status().latest.map(|r| r.number), Some(1));
    assert_eq!(c.publishable(), None);
}

#[test]
fn approval_makes_it_approved_and_publishable() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    let s = c.status();
    assert_eq!(s.state, State::Approved);
    let p = s.publishable.expect("publishable");
    assert_eq!(p.reviewed_at, time(3, 3, 2025));
    assert_eq!(p.due_at, time(3, 3, 2026));
}

#[test]
fn changes_requested_then_resubmitted() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(ChangesRequested, "ana", 'a');
    assert_eq!(c.state(), State::ChangesRequested);
    c.add(Submitted, "sam", 'b');
    assert_eq!(c.state(), State::InReview);
    assert_eq!(c.status().latest.map(|r| r.number), Some(2));
}

#[test]
fn older_approval_stays_publishable_while_new_revision_in_review() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    c.add(Submitted, "sam", 'b');
    assert_eq!(c.state(), State::InReview);
    assert_eq!(c.publishable(), Some('a'));
    c.add(Approved, "ana", 'b');
    assert_eq!(c.state(), State::Approved);
    assert_eq!(c.publishable(), Some('b'));
}

#[test]
fn withdrawal_takes_it_out_of_publication() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    c.add(Withdrawn, "bob", 'a');
    assert_eq!(c.state(), State::Withdrawn);
    assert_eq!(c.publishable(), None);
    c.add(Submitted, "sam", 'b');
    assert_eq!(c.state(), State::InReview);
    assert_eq!(c.publishable(), None, "the old approval stays withdrawn");
    c.add(Approved, "ana", 'b');
    assert_eq!(c.state(), State::Approved, "a new approval after it counts");
}

#[test]
fn approval_ages_into_re_review_due() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    assert_eq!(c.status_at(time(2, 3, 2026)).state, State::Approved);
    let later = c.status_at(time(4, 3, 2026));
    assert_eq!(later.state, State::ReReviewDue);
    assert!(later.publishable.is_some(), "still publishable");
}

#[test]
fn approvals_that_do_not_count() {
    // the writer of the revision, someone not in reviewers/, an expired license
    for by in ["sam", "zed", "old"] {
        let mut c = Case::new();
        c.add(Submitted, "sam", 'a');
        let a = c.add(Approved, by, 'a');
        let s = c.status();
        assert_eq!(s.state, State::InReview, "{by}");
        assert!(s.verdicts[a - 1].is_some(), "{by}: says why");
    }
    let mut c = Case::new();
    c.add(Submitted, "ana", 'a');
    c.add(Approved, "ana", 'a');
    assert_eq!(
        c.state(),
        State::InReview,
        "a reviewer who submitted cannot approve"
    );
}

/// Regression: a reviewer named as the writer in the front matter approved her own
/// article after a colleague submitted it, and status, publish and check counted it.
#[test]
fn the_writer_in_the_front_matter_cannot_approve_whoever_submitted() {
    let mut c = Case::new();
    c.writer = Some(id("ana"));
    c.add(Submitted, "sam", 'a');
    let a = c.add(Approved, "ana", 'a');
    let s = c.status();
    assert_eq!(s.state, State::InReview);
    assert!(
        s.verdicts[a - 1]
            .as_deref()
            .is_some_and(|w| w.contains("wrote")),
        "{:?}",
        s.verdicts
    );
}

#[test]
fn required_approvals_counts_distinct_reviewers() {
    let mut c = Case::new();
    c.policy.required_approvals = 2;
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    c.add(Approved, "ana", 'a');
    assert_eq!(c.state(), State::InReview);
    c.add(Approved, "bob", 'a');
    assert_eq!(c.state(), State::Approved);
}

#[test]
fn a_later_request_for_changes_replaces_the_same_reviewers_approval() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    c.add(ChangesRequested, "ana", 'a');
    assert_eq!(c.state(), State::ChangesRequested);
    assert_eq!(c.publishable(), None);
    c.add(Approved, "ana", 'a');
    assert_eq!(
        c.state(),
        State::Approved,
        "and a later approval replaces it"
    );
}

#[test]
fn a_pending_request_from_another_reviewer_blocks_until_answered() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(ChangesRequested, "bob", 'a');
    c.add(Approved, "ana", 'a');
    assert_eq!(c.state(), State::ChangesRequested);
    c.add(Approved, "bob", 'a');
    assert_eq!(c.state(), State::Approved);
}

#[test]
fn unsigned_approval_does_not_count_when_signatures_are_required() {
    let mut c = Case::new();
    c.policy.require_signatures = true;
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    assert_eq!(c.state(), State::InReview);
}

// Concurrency: each case is two clones that had seen the same heads.

#[test]
fn two_concurrent_approvals_both_count() {
    let mut c = Case::new();
    c.policy.required_approvals = 2;
    let s = c.add(Submitted, "sam", 'a');
    c.add_after(Approved, "ana", 'a', &[s]);
    c.add_after(Approved, "bob", 'a', &[s]);
    let st = c.status();
    assert_eq!(st.state, State::Approved, "{:?}", st.conflicts);
    assert_eq!(st.publishable.map(|p| p.approvals.len()), Some(2));
}

/// Regression: an approval of r1 made in a clone that had not fetched r2 (a dose
/// correction) published r1's old text.
#[test]
fn an_approval_that_did_not_see_a_new_submission_does_not_count() {
    let mut c = Case::new();
    let s1 = c.add(Submitted, "sam", 'a');
    c.add_after(Submitted, "sam", 'b', &[s1]);
    let a = c.add_after(Approved, "ana", 'a', &[s1]);
    let st = c.status();
    assert_eq!(st.state, State::InReview);
    assert_eq!(st.publishable, None);
    assert!(
        st.verdicts[a - 1]
            .as_deref()
            .is_some_and(|w| w.contains("without seeing r2")),
        "{:?}",
        st.verdicts
    );
}

/// Regression: an approval of r1 arriving after r2 was approved rolled the site back to r1.
#[test]
fn a_stale_approval_never_rolls_the_site_back() {
    let mut c = Case::new();
    let s1 = c.add(Submitted, "sam", 'a');
    let s2 = c.add_after(Submitted, "sam", 'b', &[s1]);
    c.add_after(Approved, "bob", 'b', &[s2]);
    // Ana's clone had not fetched r2; her approval of r1 is recorded last.
    c.day += 20;
    c.add_after(Approved, "ana", 'a', &[s1]);
    assert_eq!(c.state(), State::Approved);
    assert_eq!(c.publishable(), Some('b'));
}

/// Regression: an approval made without having seen a withdrawal undid the withdrawal.
#[test]
fn withdrawal_concurrent_with_an_approval_needs_a_decision_and_publishes_nothing() {
    let mut c = Case::new();
    let s = c.add(Submitted, "sam", 'a');
    let a1 = c.add(Approved, "ana", 'a');
    let w = c.add_after(Withdrawn, "bob", 'a', &[a1]);
    let s2 = c.add_after(Submitted, "sam", 'b', &[a1]);
    let a2 = c.add_after(Approved, "ana", 'b', &[s2]);
    let st = c.status();
    assert_eq!(st.state, State::NeedsDecision, "{st:?}");
    assert_eq!(st.publishable, None, "a withdrawal is among them");
    assert_eq!(st.conflicts.len(), 1, "{:?}", st.conflicts);
    // Any reviewer's decision that saw both resolves it.
    c.add_after(Approved, "cy", 'b', &[w, a2]);
    assert_eq!(c.state(), State::Approved);
    assert_eq!(c.publishable(), Some('b'));
    let _ = s;
}

#[test]
fn withdrawal_resolution_can_also_keep_it_withdrawn() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    let a1 = c.add(Approved, "ana", 'a');
    let w = c.add_after(Withdrawn, "bob", 'a', &[a1]);
    let a2 = c.add_after(Approved, "cy", 'a', &[a1]);
    assert_eq!(c.state(), State::NeedsDecision);
    c.add_after(Withdrawn, "ana", 'a', &[w, a2]);
    assert_eq!(c.state(), State::Withdrawn);
    assert_eq!(c.publishable(), None);
}

#[test]
fn request_for_changes_concurrent_with_approval_keeps_what_was_publishable() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    let s2 = c.add(Submitted, "sam", 'b');
    c.add_after(Approved, "ana", 'b', &[s2]);
    c.add_after(ChangesRequested, "bob", 'b', &[s2]);
    let st = c.status();
    assert_eq!(st.state, State::NeedsDecision);
    assert_eq!(
        c.publishable(),
        Some('a'),
        "the approval before the conflict"
    );
}

/// Regression: a machine whose clock ran a year fast blocked everyone's
/// withdrawals and requests for changes until the real date caught up.
#[test]
fn a_fast_clock_orders_nothing() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.day = 27; // a year's worth of days is not needed: any later time will do
    let mut fast = c.add(Approved, "ana", 'a');
    c.entries[fast - 1].1.at = time(1, 3, 2026);
    let (entry_id, _) = c.entries[fast - 1].1.to_file();
    c.entries[fast - 1].0 = entry_id;
    fast = c.entries.len();
    assert_eq!(c.state(), State::Approved);
    c.day = 5; // the real date, earlier than the fast clone's entry
    c.add_after(Withdrawn, "bob", 'a', &[fast]);
    assert_eq!(c.state(), State::Withdrawn);
    assert_eq!(c.publishable(), None);
}

#[test]
fn concurrent_submissions_of_different_texts_need_a_decision() {
    let mut c = Case::new();
    let s1 = c.add(Submitted, "sam", 'a');
    let a = c.add(Approved, "ana", 'a');
    let s2 = c.add_after(Submitted, "sam", 'b', &[a]);
    let s3 = c.add_after(Submitted, "sam", 'c', &[a]);
    assert_eq!(c.state(), State::NeedsDecision);
    assert_eq!(c.publishable(), Some('a'));
    c.add_after(Approved, "bob", 'c', &[s2, s3]);
    assert_eq!(c.state(), State::Approved);
    assert_eq!(c.publishable(), Some('c'));
    let _ = s1;
}

#[test]
fn a_stale_approval_with_a_concurrent_withdrawal_is_no_conflict() {
    // The approval would not have counted anyway: nothing to decide.
    let mut c = Case::new();
    let s1 = c.add(Submitted, "sam", 'a');
    let a1 = c.add(Approved, "ana", 'a');
    c.add_after(Submitted, "sam", 'b', &[a1]);
    c.add_after(Withdrawn, "bob", 'a', &[a1]);
    c.add_after(Approved, "cy", 'a', &[a1]);
    let st = c.status();
    assert!(st.conflicts.is_empty(), "{:?}", st.conflicts);
    assert_eq!(st.publishable, None);
    let _ = s1;
}

/// Regression: a withdrawal by someone not on the reviewers' roster (or an
/// unsigned one where signatures are required) answered a doctor's request for
/// changes, so an approval that request was blocking counted again.
#[test]
fn only_a_valid_decision_answers_a_request_for_changes() {
    for (forger, require) in [("sam", false), ("bob", true)] {
        let mut c = Case::new();
        c.policy.require_signatures = require;
        c.add(Submitted, "sam", 'a');
        let request = c.add(ChangesRequested, "bob", 'a');
        c.add_after(Withdrawn, forger, 'a', &[request]);
        let s = c.status();
        assert!(s.publishable.is_none(), "{forger}: {s:?}");
        assert_ne!(s.state, State::Approved, "{forger}");
        // An approval after the forged entry still waits for bob.
        if !require {
            c.add(Approved, "ana", 'a');
            assert_eq!(c.publishable(), None, "{forger}");
        }
    }
}

/// Regression: only the first blocking entry in graph order (by name, so by clock)
/// was looked at, so a request for changes concurrent with an approval that its
/// own reviewer had since withdrawn gave `needs-decision` or `withdrawn` depending
/// on which clock was earlier.
#[test]
fn a_withdrawal_after_an_approval_settles_it_whatever_the_clocks() {
    for request_day in [2, 9] {
        let mut c = Case::new();
        let s = c.add(Submitted, "sam", 'a');
        c.day = 3;
        let a = c.add(Approved, "bob", 'a');
        c.day = 5;
        c.add_after(Withdrawn, "bob", 'a', &[a]);
        c.day = request_day;
        c.add_after(ChangesRequested, "ana", 'a', &[s]);
        let st = c.status();
        assert!(
            st.conflicts.is_empty(),
            "day {request_day}: {:?}",
            st.conflicts
        );
        assert_eq!(st.state, State::Withdrawn, "day {request_day}");
    }
}

#[test]
fn a_recertification_renews_the_review_date_without_a_new_revision() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    assert_eq!(
        c.status_at(time(4, 3, 2026)).state,
        State::ReReviewDue,
        "a year and a day later"
    );
    c.add(Recertified, "bob", 'a');
    let s = c.status_at(time(4, 3, 2026));
    assert_eq!(s.state, State::Approved);
    let p = s.publishable.expect("publishable");
    assert_eq!(p.revision.number, 1, "no new revision");
    assert_eq!(p.reviewed_at, time(4, 3, 2025));
    assert_eq!(p.due_at, time(4, 3, 2026));
    assert_eq!(p.first_approved_at, time(3, 3, 2025));
    assert_eq!(p.approvals.len(), 1, "a re-review is not an approval");
    assert_eq!(p.recertifications.len(), 1);
    assert_eq!(p.recertifications[0].by, id("bob"));
}

#[test]
fn a_recertification_never_puts_a_text_on_the_site() {
    // Without an approval, after a withdrawal it saw, or of a revision that is not
    // the latest: it renews nothing, and nothing becomes publishable.
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    let r = c.add(Recertified, "ana", 'a');
    assert_eq!(c.publishable(), None);
    assert!(c.status().verdicts[r - 1].is_some());

    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    c.add(Withdrawn, "bob", 'a');
    let r = c.add(Recertified, "ana", 'a');
    assert_eq!(c.state(), State::Withdrawn);
    assert_eq!(c.publishable(), None);
    assert!(c.status().verdicts[r - 1].is_some());

    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    c.add(Submitted, "sam", 'b');
    let r = c.add(Recertified, "ana", 'a');
    assert_eq!(c.state(), State::InReview);
    let p = c.status().publishable.expect("r1 stays publishable");
    assert!(p.recertifications.is_empty(), "r2 was the latest it saw");
    assert!(c.status().verdicts[r - 1].is_some());
}

#[test]
fn a_recertification_by_the_writer_or_unseen_withdrawal_does_not_count() {
    let mut c = Case::new();
    c.writer = Some(id("bob"));
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    let r = c.add(Recertified, "bob", 'a');
    let s = c.status();
    assert!(s.verdicts[r - 1].is_some(), "bob is named the writer");
    assert!(s.publishable.expect("approved").recertifications.is_empty());

    // A re-review concurrent with a withdrawal: the withdrawal decides, and there
    // is no conflict to resolve (a re-review is not a decision).
    let mut c = Case::new();
    let s = c.add(Submitted, "sam", 'a');
    let a = c.add(Approved, "ana", 'a');
    c.add_after(Withdrawn, "bob", 'a', &[a]);
    c.add_after(Recertified, "ana", 'a', &[a]);
    assert_eq!(c.state(), State::Withdrawn);
    assert_eq!(c.publishable(), None);
    let _ = s;
}

#[test]
fn a_recertification_does_not_answer_a_request_or_settle_a_conflict() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    c.add(ChangesRequested, "bob", 'a');
    c.add(Recertified, "bob", 'a');
    assert_eq!(c.state(), State::ChangesRequested);
    assert_eq!(c.publishable(), None);

    let mut c = Case::new();
    let s = c.add(Submitted, "sam", 'a');
    let a = c.add_after(Submitted, "sam", 'b', &[s]);
    let b = c.add_after(Submitted, "cy", 'c', &[s]);
    c.add_after(Recertified, "ana", 'b', &[a, b]);
    assert_eq!(c.state(), State::NeedsDecision);
}

#[test]
fn a_recertification_never_stands_in_for_a_second_approval() {
    // Regression: re-reviews were once counted with the approvals of their revision.
    let mut c = Case::new();
    c.policy.required_approvals = 2;
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    c.add(Recertified, "bob", 'a');
    assert_eq!(c.state(), State::InReview);
    assert_eq!(c.publishable(), None);
}
