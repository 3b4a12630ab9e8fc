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
        ("onco", None),
        ("onco2", None),
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
                specialties: if who.starts_with("onco") {
                    vec!["Oncology".into()]
                } else {
                    vec![]
                },
                license,
                email: None,
                bio: None,
                public_key: None,
                retired: None,
                verified: None,
                disclosures: None,
                same_as: Vec::new(),
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
    /// The topic of each revision's front matter, by revision letter.
    topics: std::collections::HashMap<char, String>,
    /// The meaning, printed name and credentials the next entry carries.
    next: (Option<String>, Option<String>, Option<String>),
}

impl Case {
    fn new() -> Case {
        Case {
            entries: Vec::new(),
            day: 1,
            policy: ReviewPolicy::default(),
            writer: None,
            topics: Default::default(),
            next: (None, None, None),
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
            meaning: self.next.0.take(),
            name: self.next.1.take(),
            credentials: self.next.2.take(),
            change: None,
            schedule: None,
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
            topics: self.topics.clone(),
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
    topics: std::collections::HashMap<char, String>,
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
    fn topic_of(&self, id: &RevId) -> Option<String> {
        let letter = id.as_str().chars().next()?;
        self.topics.get(&letter).cloned()
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

// Meanings and review rules (issue 24).

impl Case {
    /// Adds an approval that says what it means, after the current heads.
    fn approve_as(&mut self, by: &str, r: char, meaning: &str) -> usize {
        self.next.0 = Some(meaning.to_owned());
        self.add(Approved, by, r)
    }
}

/// Meanings `[medical-accuracy, fact-check]`, and `rules` (YAML) parsed as
/// medreview.yaml's `review.rules`.
fn policy_with_rules(rules: &str) -> ReviewPolicy {
    let text = format!(
        "publication: P\nreview:\n  meanings: [medical-accuracy, fact-check]\n  rules:\n{rules}"
    );
    crate::workspace::Config::parse(&text, std::path::Path::new("medreview.yaml"))
        .expect("valid settings")
        .review
}

const ONCOLOGY_RULE: &str = "    - topic: oncology\n      require:\n        - meaning: medical-accuracy\n          specialty: oncology\n        - meaning: fact-check\n";

#[test]
fn a_fact_check_alone_never_approves() {
    let mut c = Case::new();
    c.policy = policy_with_rules("    []\n");
    c.add(Submitted, "sam", 'a');
    c.approve_as("cy", 'a', "fact-check");
    let s = c.status();
    assert_eq!(s.state, State::InReview);
    assert_eq!(s.latest_approvals.len(), 1, "the fact-check counts as one");
    let missing = explain(&s.needs, &s.latest_approvals).expect("missing");
    assert_eq!(
        missing,
        "needs one medical-accuracy approval; has fact-check by cy"
    );
    c.add(Approved, "ana", 'a');
    assert_eq!(c.state(), State::Approved);
}

#[test]
fn an_approval_of_an_unlisted_meaning_does_not_count() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    let a = c.approve_as("ana", 'a', "legal");
    let s = c.status();
    assert_eq!(s.state, State::InReview);
    let why = s.verdicts[a - 1].as_deref().expect("does not count");
    assert!(
        why.contains("it means legal, which review.meanings in medreview.yaml does not list"),
        "{why}"
    );
}

#[test]
fn an_approval_printing_another_name_or_credentials_does_not_count() {
    let mut c = Case::new();
    c.add(Submitted, "sam", 'a');
    c.next = (
        Some("medical-accuracy".into()),
        Some("Dr Nobody".into()),
        None,
    );
    let a = c.add(Approved, "ana", 'a');
    c.next = (None, Some("ana".into()), Some("M.D., Ph.D.".into()));
    let b = c.add(Approved, "bob", 'a');
    let s = c.status();
    assert_eq!(s.state, State::InReview);
    let why = s.verdicts[a - 1].as_deref().expect("does not count");
    assert!(why.contains("prints the name \"Dr Nobody\""), "{why}");
    let why = s.verdicts[b - 1].as_deref().expect("does not count");
    assert!(why.contains("prints the name \"ana\""), "{why}");
    // The name and credentials of its time count.
    c.next = (None, Some("cy".into()), Some("M.D.".into()));
    c.add(Approved, "cy", 'a');
    assert_eq!(c.state(), State::Approved);
}

#[test]
fn a_rule_is_not_met_by_the_wrong_specialty_and_is_met_by_the_right_people() {
    let mut c = Case::new();
    c.policy = policy_with_rules(ONCOLOGY_RULE);
    c.topics.insert('a', "Oncology".into());
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "bob", 'a');
    let s = c.status();
    assert_eq!(s.state, State::InReview, "bob is no oncologist");
    assert_eq!(
        explain(&s.needs, &s.latest_approvals).as_deref(),
        Some(
            "needs one medical-accuracy approval by a reviewer in oncology and one fact-check approval; has medical-accuracy by bob"
        )
    );
    // Who can meet what is missing: the oncologists.
    let roster = roster();
    let day = time(1, 6, 2025).date_naive();
    let missing: Vec<&Need> = s.needs.iter().filter(|n| !n.met()).collect();
    let sam = id("sam");
    assert_eq!(
        who_can(missing[0], &roster, &[&sam], day),
        [id("onco"), id("onco2")]
    );
    c.add(Approved, "onco", 'a');
    assert_eq!(c.state(), State::InReview, "the fact-check is missing");
    // The same person's fact-check counts for the fact-check only.
    c.approve_as("cy", 'a', "fact-check");
    let s = c.status();
    assert_eq!(s.state, State::Approved);
    assert!(s.needs.iter().all(Need::met));
    let p = s.publishable.expect("publishable");
    let meanings: Vec<(&str, &str)> = p
        .approvals
        .iter()
        .map(|a| (a.by.as_str(), a.meaning.as_str()))
        .collect();
    assert_eq!(
        meanings,
        [
            ("bob", "medical-accuracy"),
            ("onco", "medical-accuracy"),
            ("cy", "fact-check")
        ]
    );
}

#[test]
fn a_count_is_met_by_distinct_people_only() {
    let mut c = Case::new();
    c.policy = policy_with_rules(
        "    - slug: \"her2-*\"\n      require:\n        - meaning: fact-check\n          count: 2\n",
    );
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    c.approve_as("cy", 'a', "fact-check");
    c.approve_as("cy", 'a', "fact-check");
    let s = c.status();
    assert_eq!(s.state, State::InReview);
    assert_eq!(
        explain(&s.needs, &s.latest_approvals).as_deref(),
        Some("needs one fact-check approval more; has medical-accuracy by ana, fact-check by cy")
    );
    c.approve_as("bob", 'a', "fact-check");
    assert_eq!(c.state(), State::Approved);
}

#[test]
fn the_writer_changing_the_topic_still_needs_the_oncologist() {
    let mut c = Case::new();
    c.policy = policy_with_rules(ONCOLOGY_RULE);
    c.topics.insert('a', "oncology".into());
    c.topics.insert('b', "general health".into());
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "onco", 'a');
    c.approve_as("cy", 'a', "fact-check");
    assert_eq!(c.state(), State::Approved);
    // r2 says it is not about oncology any more: the rules of r1's topic still apply.
    c.add(Submitted, "sam", 'b');
    c.add(Approved, "bob", 'b');
    c.approve_as("cy", 'b', "fact-check");
    let s = c.status();
    assert_eq!(s.state, State::InReview);
    assert_eq!(c.publishable(), Some('a'), "r1 stays on the site");
    assert!(
        explain(&s.needs, &s.latest_approvals)
            .expect("missing")
            .starts_with("needs one medical-accuracy approval by a reviewer in oncology;"),
    );
    c.add(Approved, "onco", 'b');
    assert_eq!(c.state(), State::Approved);
    assert_eq!(c.publishable(), Some('b'));
}

#[test]
fn a_rule_of_another_topic_or_slug_does_not_apply() {
    let mut c = Case::new();
    c.policy = policy_with_rules(ONCOLOGY_RULE);
    c.topics.insert('a', "cardiology".into());
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "bob", 'a');
    let s = c.status();
    assert_eq!(s.state, State::Approved);
    assert_eq!(s.needs.len(), 1, "only required_approvals");
}

#[test]
fn a_re_review_renews_an_approval_of_its_own_meaning_only() {
    let mut c = Case::new();
    c.policy = policy_with_rules("    []\n");
    c.add(Submitted, "sam", 'a');
    c.add(Approved, "ana", 'a');
    c.next.0 = Some("fact-check".into());
    let r = c.add(Recertified, "ana", 'a');
    let s = c.status();
    assert!(s.verdicts[r - 1].is_some(), "no fact-check to renew");
    let r = c.add(Recertified, "ana", 'a');
    let s = c.status();
    assert_eq!(s.verdicts[r - 1], None);
    assert_eq!(
        s.publishable.expect("publishable").reviewed_at,
        time(5, 3, 2025)
    );
}

#[test]
fn bad_rules_are_refused_with_the_file_and_the_fix() {
    let parse = |review: &str| {
        crate::workspace::Config::parse(
            &format!("publication: P\nreview:\n{review}"),
            std::path::Path::new("medreview.yaml"),
        )
        .map(|_| ())
        .map_err(|e| format!("{e} | {}", e.hint().unwrap_or_default()))
    };
    let cases = [
        (
            "  rules:\n    - topic: oncology\n      require:\n        - meaning: legal\n",
            "review.rules[1] (topic oncology) requires the meaning legal, which review.meanings does not list (medical-accuracy)",
        ),
        (
            "  rules:\n    - topic: oncology\n      require:\n        - meaning: medical-accuracy\n          count: 0\n",
            "requires 0 medical-accuracy approvals",
        ),
        (
            "  rules:\n    - slug: \"Breast/*\"\n      require:\n        - meaning: medical-accuracy\n",
            "slug pattern \"Breast/*\" can never match a slug",
        ),
        (
            "  rules:\n    - require:\n        - meaning: medical-accuracy\n",
            "review.rules[1] names neither a topic nor a slug",
        ),
        (
            "  rules:\n    - topic: oncology\n      requires:\n        - meaning: medical-accuracy\n",
            "unknown field `requires`",
        ),
        ("  meanings: []\n", "review.meanings is empty"),
        (
            "  meanings: [fact-check]\n",
            "review.meanings does not list medical-accuracy",
        ),
        (
            "  meanings: [medical-accuracy, Fact Check]\n",
            "\"Fact Check\" is not a meaning medreview can record",
        ),
    ];
    for (review, want) in cases {
        let err = parse(review).expect_err(want);
        assert!(err.starts_with("medreview.yaml"), "{err}");
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(parse("  meanings: [fact-check, medical-accuracy]\n").is_ok());
}
