//! The rules of the state machine, one function each, in the order `evaluate`
//! applies them: rule 1 alone (policy and staleness of each vouching entry), the
//! requests for changes still live, rule 1's concurrent part and rule 3's
//! conflicts, rule 4's renewals, rule 2's publishable revision, and the state.
//! `Judge` holds what they all read: the entries, the roster each entry is judged
//! by and today's.

use std::collections::BTreeSet;
use std::rc::Rc;

use chrono::{DateTime, FixedOffset, Months};

use super::entry_checks::{
    approval_problem, ended_since, public_note_problem, roster_problem, schedule_problem,
    signature_problem, stale,
};
use super::requirements::{self, Counted};
use super::{Approval, Need, Publishable, State, Submission};
use crate::ids::Id;
use crate::ledger::entry::Schedule;
use crate::record::entry::{Action, Change, Entry};
use crate::record::graph::{Ledger, Revision};
use crate::roster::log::RosterState;
use crate::roster::people::People;
use crate::workspace::ReviewPolicy;
use medreview_store::revision::RevId;

/// What every rule reads about one article's record.
pub(super) struct Judge<'a> {
    slug: &'a Id,
    ledger: &'a Ledger,
    entries: &'a [Entry],
    /// How many entries there are.
    pub(super) n: usize,
    people: &'a dyn People,
    policy: &'a ReviewPolicy,
    /// Each entry is judged by the roster in force when it was recorded.
    rosters: Vec<Rc<RosterState>>,
    now_roster: Rc<RosterState>,
    revisions: Vec<Revision>,
}

/// Rule 1's verdicts on entries judged alone.
pub(super) struct Alone {
    /// Why each entry does not count, where it does not.
    pub(super) verdicts: Vec<Option<String>>,
    /// Whether each vouching entry passes the policy.
    pub(super) policy_ok: Vec<bool>,
    /// Whether each vouching entry passes the policy and is not stale.
    pub(super) current: Vec<bool>,
}

impl<'a> Judge<'a> {
    /// Reads the rosters and revisions the rules judge by.
    pub(super) fn new(
        slug: &'a Id,
        ledger: &'a Ledger,
        people: &'a dyn People,
        policy: &'a ReviewPolicy,
    ) -> Judge<'a> {
        let entries = &ledger.entries;
        let n = entries.len();
        // Each entry is judged by the roster in force when it was recorded.
        let rosters: Vec<Rc<RosterState>> = entries.iter().map(|e| people.at(e)).collect();
        let now_roster = people.current();
        let revisions = ledger.revisions();
        Judge {
            slug,
            ledger,
            entries,
            n,
            people,
            policy,
            rosters,
            now_roster,
            revisions,
        }
    }

    /// The submitted revision `id`, if it was submitted.
    pub(super) fn revision(&self, id: &RevId) -> Option<&Revision> {
        self.revisions.iter().find(|r| &r.id == id)
    }

    fn who(&self, i: usize) -> String {
        format!("{} by {}", self.entries[i].action, self.entries[i].by)
    }

    fn is(&self, i: usize, action: Action) -> bool {
        self.entries[i].action == action
    }

    /// A reviewer then; for decisions that can only keep a page off the site, a
    /// reviewer now is enough too (fail closed: a roster change never cancels one).
    fn reviewer(&self, i: usize) -> bool {
        self.rosters[i]
            .roster
            .reviewers
            .contains_key(&self.entries[i].by)
            || (!self.is(i, Action::Approved)
                && self
                    .now_roster
                    .roster
                    .reviewers
                    .contains_key(&self.entries[i].by))
            || (!self.is(i, Action::Approved) && self.reviewer_in_conflict(i))
    }

    /// Whether entry `i`'s signer has a reviewer's file in conflict in the roster it
    /// names or in today's: her requests for changes and withdrawals still stand.
    fn reviewer_in_conflict(&self, i: usize) -> bool {
        let file = crate::roster::Role::Reviewer.file_rel(&self.entries[i].by);
        [&self.rosters[i], &self.now_roster]
            .iter()
            .any(|s| s.conflicted.contains(&file))
    }

    /// Rule 1, the part of it that does not depend on concurrent entries.
    pub(super) fn judge_alone(&self) -> Alone {
        let (slug, ledger, entries, n) = (self.slug, self.ledger, self.entries, self.n);
        let (people, policy, rosters) = (self.people, self.policy, &self.rosters);
        let mut verdicts: Vec<Option<String>> = vec![None; n];
        let mut policy_ok = vec![false; n];
        let mut current = vec![false; n];
        for a in (0..n).filter(|&a| entries[a].action.vouches()) {
            let entry = &entries[a];
            // An admin's void of an approval or a re-review is always honoured: it
            // can only keep a page off the site (one recorded after its signer's
            // role ended, `recorded-after-end`).
            let file = ledger.ids[a].file_name();
            let voided = ledger
                .voided
                .iter()
                .any(|f| f.rsplit('/').next() == Some(file.as_str()));
            let why = match self.revision(&entry.revision) {
                _ if voided => Some("an admin voided it".to_owned()),
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
                .or_else(|| ended_since(entry, &self.now_roster.roster))
                .or_else(|| crate::roster::identity::proxy_problem(entry, &rosters[a])),
            };
            // What `check` refuses in the history counts nowhere: the article's
            // record lost a sign-off, or this entry's own commit broke a rule.
            let why = why
                .or_else(|| ledger.unsound.clone())
                .or_else(|| ledger.refused.get(&file).cloned());
            // The roster cannot judge its signer (a damaged record, her own file in
            // conflict): it does not count, whatever else holds (fail closed).
            let why = people.unsettled(entry).or(why);
            policy_ok[a] = why.is_none();
            let why = why.or_else(|| stale(ledger, a, &self.revisions));
            current[a] = why.is_none();
            verdicts[a] = why;
        }
        Alone {
            verdicts,
            policy_ok,
            current,
        }
    }

    /// Which entries are valid answers to a request for changes: by a reviewer,
    /// its signature sound (and present where required), an approval passing the
    /// policy; otherwise a forged entry could clear a doctor's request.
    pub(super) fn valid_answers(&self, policy_ok: &[bool]) -> Vec<bool> {
        (0..self.n)
            .map(|d| match self.entries[d].action {
                // A re-review renews an approval; it never answers a request or a conflict.
                Action::Submitted | Action::Recertified => false,
                Action::Approved => policy_ok[d],
                _ => {
                    self.reviewer(d)
                        && signature_problem(
                            self.slug,
                            &self.entries[d],
                            &self.rosters[d].roster,
                            self.policy,
                        )
                        .is_none()
                }
            })
            .collect()
    }

    /// Which entries are live requests for changes: a request for changes is live
    /// until a later valid decision of the same reviewer on the same revision, or a
    /// valid withdrawal, saw it.
    pub(super) fn live_requests(&self, valid: &[bool]) -> Vec<bool> {
        let (ledger, entries, n) = (self.ledger, self.entries, self.n);
        let live_request = |c: usize| {
            self.is(c, Action::ChangesRequested)
                && self.reviewer(c)
                && !(c + 1..n).any(|d| {
                    valid[d]
                        && ledger.saw(d, c)
                        && (self.is(d, Action::Withdrawn)
                            || (entries[d].by == entries[c].by
                                && entries[d].revision == entries[c].revision))
                })
        };
        (0..n).map(live_request).collect()
    }

    /// The rest of rule 1, and rule 3's conflicts between entries: which entries
    /// count, and each unresolved conflict in words. A conflict is resolved by a
    /// reviewer's decision that saw both sides (an approval must pass the policy).
    pub(super) fn concurrent(
        &self,
        current: &[bool],
        valid: &[bool],
        live: &[bool],
        verdicts: &mut [Option<String>],
    ) -> (Vec<bool>, Vec<String>) {
        let (ledger, entries, n) = (self.ledger, self.entries, self.n);
        let resolver: Vec<bool> = (0..n)
            .map(|d| valid[d] && (!self.is(d, Action::Approved) || current[d]))
            .collect();
        let resolved = |x: usize, y: usize| {
            (0..n).any(|d| resolver[d] && ledger.saw(d, x) && ledger.saw(d, y))
        };
        let mut conflicts = Vec::new();
        let mut counts = current.to_vec();
        for a in (0..n).filter(|&a| current[a]) {
            let blockers: Vec<usize> = (0..n)
                .filter(|&x| {
                    x != a
                        && !ledger.saw(a, x)
                        && ((self.is(x, Action::Withdrawn) && self.reviewer(x))
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
                verdicts[a] = Some(if self.is(x, Action::Withdrawn) {
                    format!("it was withdrawn afterwards ({})", self.who(x))
                } else {
                    format!("changes were requested afterwards ({})", self.who(x))
                });
                continue;
            }
            verdicts[a] = Some(format!(
                "it did not see the {} at {}, made at the same time in another copy",
                self.who(first),
                crate::clock::rfc3339(&entries[first].at)
            ));
            // A re-review that missed a withdrawal or a request simply does not renew
            // anything: the entry it missed decides, so there is nothing to resolve.
            if self.is(a, Action::Approved)
                && let Some(&x) = blockers.iter().find(|&&x| !resolved(a, x))
            {
                conflicts.push(format!(
                    "the approval by {} and the {} were made without seeing each other",
                    entries[a].by,
                    self.who(x)
                ));
            }
        }
        (counts, conflicts)
    }

    /// Rule 3's other conflict, for an unsettled record: two latest submissions of
    /// different texts, in words.
    pub(super) fn concurrent_submissions(&self) -> String {
        let entries = self.entries;
        let frontier = self.ledger.frontier_submissions(&|_| true);
        let texts: BTreeSet<String> = frontier
            .iter()
            .filter_map(|&s| self.revision(&entries[s].revision))
            .map(Revision::label)
            .collect();
        format!(
            "{} were submitted at the same time in different copies",
            texts.into_iter().collect::<Vec<_>>().join(" and ")
        )
    }

    /// Rule 4: a re-review counts only where it renews an approval that counts and
    /// that its signer had seen: it can keep a page's date fresh, never put a text
    /// on the site.
    pub(super) fn renewals(&self, counts: &mut [bool], verdicts: &mut [Option<String>]) {
        let (ledger, entries, n) = (self.ledger, self.entries, self.n);
        let renewing: Vec<usize> = (0..n)
            .filter(|&r| self.is(r, Action::Recertified) && counts[r])
            .collect();
        for r in renewing {
            // A re-review renews an approval of its own meaning.
            let renews = (0..n).any(|a| {
                self.is(a, Action::Approved)
                    && counts[a]
                    && entries[a].revision == entries[r].revision
                    && entries[a].meaning() == entries[r].meaning()
                    && ledger.saw(r, a)
            });
            if !renews {
                counts[r] = false;
                verdicts[r] = Some(format!(
                    "{} had no approval that counts in its signer's view, so there was nothing to re-review",
                    self.revision(&entries[r].revision)
                        .map_or_else(|| entries[r].revision.short().to_owned(), Revision::label)
                ));
            }
        }
    }

    /// The approval or re-review `a` as the record shows it: its meaning, and the
    /// printed name and credentials it signed (else the roster's of its time).
    fn approval(&self, a: usize) -> Approval {
        let entry = &self.entries[a];
        let reviewer = self.rosters[a].roster.reviewers.get(&entry.by);
        Approval {
            by: entry.by.clone(),
            at: entry.at,
            recorded_by: entry.recorded_by.clone(),
            meaning: entry.meaning().to_owned(),
            name: entry
                .name
                .clone()
                .or_else(|| reviewer.map(|r| r.name.clone())),
            credentials: entry
                .credentials
                .clone()
                .or_else(|| reviewer.map(|r| r.credentials.clone())),
            entry: self.ledger.ids[a].to_string(),
            public_key: self.rosters[a]
                .roster
                .public_key_of(&entry.by)
                .map(str::to_owned),
        }
    }

    /// The first submission of revision `rev` in graph order, with the key its
    /// submitter had in the roster it names.
    fn submission(&self, rev: &RevId) -> Option<Submission> {
        let s = (0..self.n)
            .find(|&s| self.is(s, Action::Submitted) && &self.entries[s].revision == rev)?;
        let entry = &self.entries[s];
        Some(Submission {
            entry: self.ledger.ids[s].to_string(),
            by: entry.by.clone(),
            public_key: self.rosters[s]
                .roster
                .public_key_of(&entry.by)
                .map(str::to_owned),
        })
    }

    /// The approvals that count on revision `rev`, one per person and meaning,
    /// and what it needs with who meets it, when its own topic and `previous` (the
    /// topic of the last revision approved before it) choose the rules.
    fn needs_of(
        &self,
        counts: &[bool],
        rev: &Revision,
        previous: Option<&str>,
    ) -> (Vec<usize>, Vec<Approval>, Vec<Need>) {
        let (entries, n) = (self.entries, self.n);
        // One person counts once per meaning, under however many ids or keys.
        let mut persons: Vec<(Rc<BTreeSet<String>>, String)> = Vec::new();
        let mut positions = Vec::new();
        let mut approvals = Vec::new();
        for a in (0..n)
            .filter(|&a| counts[a] && self.is(a, Action::Approved) && entries[a].revision == rev.id)
        {
            let marks = self.rosters[a].identity_marks(&entries[a].by);
            let meaning = entries[a].meaning();
            if !persons
                .iter()
                .any(|(p, m)| m == meaning && !p.is_disjoint(&marks))
            {
                persons.push((marks, meaning.to_owned()));
                positions.push(a);
                approvals.push(self.approval(a));
            }
        }
        let no_specialties: Vec<String> = Vec::new();
        let counted: Vec<Counted<'_>> = positions
            .iter()
            .zip(&approvals)
            .map(|(&a, approval)| Counted {
                approval,
                specialties: self.rosters[a]
                    .roster
                    .reviewers
                    .get(&entries[a].by)
                    .map_or(&no_specialties, |r| &r.specialties),
                marks: self.rosters[a].identity_marks(&entries[a].by),
            })
            .collect();
        let topic = self.topic(rev);
        let needs = requirements::judge(
            self.policy,
            self.slug,
            &[topic.as_deref(), previous],
            &counted,
        );
        (positions, approvals, needs)
    }

    /// The topic of revision `rev`'s front matter, read only when a rule names a topic.
    fn topic(&self, rev: &Revision) -> Option<String> {
        self.policy
            .rules
            .iter()
            .any(|r| r.topic.is_some())
            .then(|| self.people.topic_of(&rev.id))
            .flatten()
    }

    /// Rule 2: the publishable revision, the approved one approved last in graph
    /// order, with the approvals and re-reviews behind it; and what the latest
    /// revision needs, with the approvals that count on it.
    pub(super) fn publishable(
        &self,
        counts: &[bool],
        live: &[bool],
        policy_ok: &[bool],
        latest_id: &RevId,
    ) -> (Option<Publishable>, (Vec<Need>, Vec<Approval>)) {
        let (entries, n, policy) = (self.entries, self.n, self.policy);
        // Revisions in the order they were first submitted: each is judged with
        // the rules of the topic of the last one approved before it.
        let mut previous: Option<String> = None;
        let mut approved: Vec<(usize, &Revision, Vec<Approval>)> = Vec::new();
        let mut latest = (Vec::new(), Vec::new());
        for rev in &self.revisions {
            let (positions, approvals, needs) = self.needs_of(counts, rev, previous.as_deref());
            let is_approved = !positions.is_empty()
                && needs.iter().all(Need::met)
                && !(0..n).any(|c| live[c] && entries[c].revision == rev.id);
            if &rev.id == latest_id {
                latest = (needs, approvals.clone());
            }
            if is_approved {
                previous = self.topic(rev);
                let last_index = positions.iter().copied().max().unwrap_or(0);
                approved.push((last_index, rev, approvals));
            }
        }
        let first_approved_at = (0..n)
            .find(|&a| policy_ok[a] && self.is(a, Action::Approved))
            .map(|a| entries[a].at);
        // What each approved revision changed for readers, in the order they were
        // approved.
        approved.sort_by_key(|(i, _, _)| *i);
        let told: Vec<(usize, usize, Option<Change>, Option<String>)> = approved
            .iter()
            .map(|(i, rev, _)| {
                let submission = (0..n)
                    .rev()
                    .find(|&s| self.is(s, Action::Submitted) && entries[s].revision == rev.id);
                let (change, note) = submission.map_or((None, None), |s| {
                    (entries[s].change, entries[s].note.clone())
                });
                (*i, rev.number, change, note)
            })
            .collect();
        let publishable =
            approved
                .into_iter()
                .max_by_key(|(i, _, _)| *i)
                .map(|(i, rev, approvals)| {
                    // The page's "Updated on" date: the last approval of a change that
                    // was not minor (the first approved revision's, when all were).
                    let modified_at = told
                        .iter()
                        .rev()
                        .find(|(_, _, change, _)| *change != Some(Change::Minor))
                        .or(told.first())
                        .map_or(entries[i].at, |(j, ..)| entries[*j].at);
                    let changes =
                        told.iter()
                            .filter_map(|(j, number, change, note)| {
                                let kind = (*change).filter(|c| *c != Change::Minor)?;
                                let note = note.as_deref().map(str::trim).filter(|n| {
                                    !n.is_empty() && public_note_problem(n).is_none()
                                })?;
                                Some(super::PublicChange {
                                    kind,
                                    note: note.to_owned(),
                                    revision_number: *number,
                                    at: entries[*j].at,
                                })
                            })
                            .collect();
                    let renewals: Vec<usize> = (0..n)
                        .filter(|&r| {
                            counts[r]
                                && self.is(r, Action::Recertified)
                                && entries[r].revision == rev.id
                        })
                        .collect();
                    // The page's date only moves forward: a re-review dated before the
                    // approval it renews (a wrong clock) leaves the approval's date.
                    let reviewed_at = renewals
                        .iter()
                        .map(|&r| entries[r].at)
                        .fold(entries[i].at, DateTime::max);
                    let recertifications = renewals.iter().map(|&r| self.approval(r)).collect();
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
                        modified_at,
                        changes,
                        schedule: None,
                        submission: self.submission(&rev.id),
                    }
                });
        (publishable, latest)
    }

    /// When the page may be on the site: the schedule of the last schedule entry
    /// in graph order that counts (a publisher's or an admin's, signed as the
    /// policy requires); each one that does not count says why in `verdicts`.
    pub(super) fn schedule(&self, verdicts: &mut [Option<String>]) -> Option<Schedule> {
        let mut schedule = None;
        for i in (0..self.n).filter(|&i| self.is(i, Action::Scheduled)) {
            let entry = &self.entries[i];
            let problem = schedule_problem(entry, &self.rosters[i]).or_else(|| {
                signature_problem(self.slug, entry, &self.rosters[i].roster, self.policy)
            });
            match problem {
                Some(why) => verdicts[i] = Some(why),
                None => schedule = entry.schedule,
            }
        }
        schedule
    }

    /// The article's state: a conflict needs a decision; otherwise approved when
    /// the latest revision is publishable, then withdrawn, sent back, or in review.
    pub(super) fn state(
        &self,
        latest_id: &RevId,
        conflicts: &[String],
        publishable: &Option<Publishable>,
        live: &[bool],
        now: DateTime<FixedOffset>,
    ) -> State {
        let (ledger, entries, n) = (self.ledger, self.entries, self.n);
        let latest_submissions: Vec<usize> = (0..n)
            .filter(|&s| self.is(s, Action::Submitted) && &entries[s].revision == latest_id)
            .collect();
        let withdrawn = (0..n).any(|w| {
            self.is(w, Action::Withdrawn)
                && self.reviewer(w)
                && latest_submissions.iter().any(|&s| ledger.saw(w, s))
        });
        let sent_back = (0..n).any(|c| live[c] && &entries[c].revision == latest_id);
        if !conflicts.is_empty() {
            State::NeedsDecision
        } else {
            match publishable {
                Some(p) if &p.revision.id == latest_id => State::Approved.on(p.due_at, now),
                _ if withdrawn => State::Withdrawn,
                _ if sent_back => State::ChangesRequested,
                _ => State::InReview,
            }
        }
    }
}
