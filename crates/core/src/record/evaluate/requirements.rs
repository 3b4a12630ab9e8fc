//! What a revision needs and what it has: the approvals that count on it, held
//! against `required_approvals` and the `review.rules` that match it (issue 24).
//! The one function every command asks (`status`, `inbox`, `publish`, `check`,
//! the server gate, through [`super::evaluate`]); [`who_can`] names the people on
//! the roster who can give what is missing.
//!
//! A rule matches by the article's slug, or by the topic of the revision judged
//! *or* of the last revision approved before it: the writer controls `topic:`,
//! so changing it does not escape the rules of the text a reviewer approved.

use std::collections::BTreeSet;
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::Approval;
use crate::ids::Id;
use crate::review_rules::{Requirement, requirements};
use crate::roster::Roster;
use crate::workspace::ReviewPolicy;

/// One requirement of a revision, and who meets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Need {
    /// The rule it comes from (`topic oncology`), or none for `required_approvals`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The meaning the approvals must carry.
    pub meaning: String,
    /// The specialty the approver must have had, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialty: Option<String>,
    /// How many distinct people.
    pub count: u32,
    /// The people whose approvals that count meet it, one per person.
    pub by: Vec<Id>,
}

impl Need {
    /// Whether enough distinct people meet it.
    pub fn met(&self) -> bool {
        self.by.len() >= self.count as usize
    }

    /// How many more people it needs.
    pub fn missing(&self) -> u32 {
        self.count.saturating_sub(self.by.len() as u32)
    }

    /// The requirement as configured.
    pub fn requirement(&self) -> Requirement {
        Requirement {
            meaning: self.meaning.clone(),
            specialty: self.specialty.clone(),
            count: self.count,
        }
    }

    /// What is missing, in words (`one fact-check approval`), or `None` when met.
    pub fn describe_missing(&self) -> Option<String> {
        (!self.met()).then(|| {
            let what = self.requirement().describe(self.missing());
            if self.by.is_empty() {
                what
            } else {
                format!("{what} more")
            }
        })
    }
}

/// A counted approval as requirements see it: its meaning, and the specialties
/// and identity marks (one person under any id) from the roster of its time.
pub(super) struct Counted<'a> {
    pub(super) approval: &'a Approval,
    pub(super) specialties: &'a [String],
    pub(super) marks: Rc<BTreeSet<String>>,
}

/// The requirements of a revision of `slug` whose topics are `topics` (its own
/// and the last approved one's), each with the distinct people among `counted`
/// who meet it. The writer never appears in `counted` (such an approval never
/// counts), so never meets a requirement.
pub(super) fn judge(
    policy: &ReviewPolicy,
    slug: &Id,
    topics: &[Option<&str>],
    counted: &[Counted<'_>],
) -> Vec<Need> {
    requirements(policy.required_approvals, &policy.rules, slug, topics)
        .into_iter()
        .map(|(rule, need)| {
            let mut persons: Vec<&Rc<BTreeSet<String>>> = Vec::new();
            let mut by = Vec::new();
            for c in counted {
                if c.approval.meaning == need.meaning
                    && need.specialty_ok(c.specialties)
                    && !persons.iter().any(|p| !p.is_disjoint(&c.marks))
                {
                    persons.push(&c.marks);
                    by.push(c.approval.by.clone());
                }
            }
            Need {
                rule,
                meaning: need.meaning,
                specialty: need.specialty,
                count: need.count,
                by,
            }
        })
        .collect()
}

/// Each unmet need in words, with who meets part of it, e.g. `needs one
/// fact-check approval; has medical-accuracy by ana-example`.
pub fn explain(needs: &[Need], approvals: &[Approval]) -> Option<String> {
    let missing: Vec<String> = needs.iter().filter_map(Need::describe_missing).collect();
    if missing.is_empty() {
        return None;
    }
    let mut text = format!("needs {}", missing.join(" and "));
    let has: Vec<String> = approvals
        .iter()
        .map(|a| format!("{} by {}", a.meaning, a.by))
        .collect();
    if !has.is_empty() {
        text.push_str(&format!("; has {}", has.join(", ")));
    }
    Some(text)
}

/// The reviewers on `roster` who can meet `need` on a revision written by
/// `writers`: on file, not retired, licensed on `day`, of the specialty it asks
/// for, not already among those meeting it. Sorted by id.
pub fn who_can(need: &Need, roster: &Roster, writers: &[&Id], day: chrono::NaiveDate) -> Vec<Id> {
    let requirement = need.requirement();
    roster
        .reviewers
        .iter()
        .filter(|(id, r)| {
            !writers.contains(id)
                && !need.by.contains(id)
                && r.retired.is_none_or(|d| d > day)
                && r.licensed_on(day)
                && requirement.specialty_ok(&r.specialties)
        })
        .map(|(id, _)| id.clone())
        .collect()
}
