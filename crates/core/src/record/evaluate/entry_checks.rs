//! Why one entry does not count, judged by itself: an approval that breaks the
//! review policy (not a reviewer, the revision's writer, unlicensed that day), a
//! signature that does not verify or is missing, a roster it may not be judged by,
//! an end (retirement, license) since by today's roster, or a stale view of the
//! submissions. Nothing here looks at entries concurrent with it.

use crate::ids::Id;
use crate::record::entry::{Action, Entry};
use crate::record::graph::{Ledger, Revision};
use crate::roster::Roster;
use crate::roster::people::People;
use crate::signing;
use crate::workspace::ReviewPolicy;
use medreview_store::revision::RevId;

/// Why the public note of a correction or an update may not be shown to readers,
/// if it may not: it says the page was reviewed (a review claim, see
/// [`crate::claims`]), which only medreview's review block says, from the record.
/// `submit` refuses such a note and pages never list one.
pub fn public_note_problem(note: &str) -> Option<String> {
    crate::claims::review_claim(note).map(|phrase| {
        format!(
            "the public note says \"{phrase}\": who reviewed a page is said only by medreview's review block, from the sign-offs"
        )
    })
}

/// Why a schedule entry does not count, if it does not: only a publisher or an
/// admin in the settings of its time (`publishers`, `admins` in the roster state
/// `at` that the entry is judged by) decides when a page is on the site. Its
/// signature is judged like every entry's ([`signature_problem`]).
pub fn schedule_problem(entry: &Entry, at: &crate::roster::log::RosterState) -> Option<String> {
    let Some(config) = &at.config else {
        return Some(format!(
            "no settings are on record to say whether {} may schedule pages",
            entry.by
        ));
    };
    if !at.roster.contains(&entry.by) {
        return Some(format!("{} is not in writers/ or reviewers/", entry.by));
    }
    if config.publishers.contains(&entry.by) || config.admins.contains(&entry.by) {
        return None;
    }
    Some(format!(
        "{} was neither a publisher nor an admin in medreview.yaml when they set the schedule, so it does not count",
        entry.by
    ))
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
        .or_else(|| meaning_problem(entry, roster, policy))
}

/// Why an approval or a re-review's meaning or printed name does not count, if it
/// does not: its meaning is not one `review.meanings` lists, or the name or
/// credentials it signed are not what the roster of its time had for its signer.
pub fn meaning_problem(entry: &Entry, roster: &Roster, policy: &ReviewPolicy) -> Option<String> {
    let meaning = entry.meaning();
    if !policy.meanings.iter().any(|m| m == meaning) {
        return Some(format!(
            "it means {meaning}, which review.meanings in medreview.yaml does not list (it lists {})",
            policy.meanings.join(", ")
        ));
    }
    let reviewer = roster.reviewers.get(&entry.by)?;
    if let Some(name) = &entry.name
        && *name != reviewer.name
    {
        return Some(format!(
            "it prints the name {name:?}, but the roster of its time names {} {:?}",
            entry.by, reviewer.name
        ));
    }
    if let Some(credentials) = &entry.credentials
        && *credentials != reviewer.credentials
    {
        return Some(format!(
            "it prints the credentials {credentials:?}, but the roster of its time gives {} {:?}",
            entry.by, reviewer.credentials
        ));
    }
    None
}

/// Why an entry's signature does not count, if it does not: it does not verify, or
/// it is missing where the policy requires one.
pub fn signature_problem(
    slug: &Id,
    entry: &Entry,
    roster: &Roster,
    policy: &ReviewPolicy,
) -> Option<String> {
    let signed = Signed {
        namespace: signing::NAMESPACE,
        by: &entry.by,
        at: &entry.at,
        signature: entry.signature.as_deref(),
    };
    signed.problem(&|| signing::canonical_text(slug, entry), roster, policy)
}

/// A signed entry of any kind (a sign-off, a comment): who signed, when, in which
/// SSHSIG namespace, and the signature if any.
pub struct Signed<'a> {
    /// The namespace its kind of entry is signed in.
    pub namespace: &'a str,
    /// The signer.
    pub by: &'a Id,
    /// When the entry says it was made.
    pub at: &'a chrono::DateTime<chrono::FixedOffset>,
    /// The SSHSIG armour, if signed.
    pub signature: Option<&'a str>,
}

impl Signed<'_> {
    /// Why the signature does not count, if it does not: it does not verify
    /// against the signer's key in `roster` over `text`, that key had been replaced
    /// by `at`, or it is missing where the policy requires one. The one rule for
    /// every kind of entry.
    pub fn problem(
        &self,
        text: &dyn Fn() -> String,
        roster: &Roster,
        policy: &ReviewPolicy,
    ) -> Option<String> {
        match (self.signature, policy.require_signatures) {
            (Some(signature), _) => {
                let key = roster.public_key_of(self.by);
                signing::verify_text(self.namespace, &text(), self.by, Some(signature), key)
                    .err()
                    .map(|why| format!("its signature does not verify: {why}"))
                    // A replaced key is revoked on every branch, merged or not.
                    .or_else(|| roster.revoked(self.by, key, self.at).map(|r| r.describe()))
            }
            (None, true) => Some("it is unsigned and the policy requires signatures".into()),
            (None, false) => None,
        }
    }
}

/// Why a vouching entry does not count by today's roster, if it does not: its
/// reviewer had retired, or their license had ended, by the day it is dated. A
/// sign-off from a stale clone names the roster before the retirement; the roster
/// it names says when it was made, today's says what has ended since. This can only
/// stop an entry counting: past decisions made before the end keep their meaning.
pub(super) fn ended_since(entry: &Entry, now: &Roster) -> Option<String> {
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
pub(super) fn roster_problem(
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
pub(super) fn stale(ledger: &Ledger, a: usize, revisions: &[Revision]) -> Option<String> {
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
