//! Hints that point the right way: "did you mean priya-shah?" for a mistyped id or
//! slug, and who can sign off when someone who cannot tries.

use super::{Reviewer, Role, Roster};
use crate::error::{Code, Error, Result};
use crate::ids::Id;

/// The known names `given` was most likely meant to be: those it is the start of
/// (`priya` for `priya-shah`) or one of the words of (`shah`), else those within a
/// small edit distance (`ana-exmple`). At most three, best first; none for an exact
/// match or when nothing is close.
pub(crate) fn closest<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let given = given.trim().to_ascii_lowercase();
    if given.is_empty() {
        return Vec::new();
    }
    let known: Vec<&str> = known.into_iter().collect();
    if known.contains(&given.as_str()) {
        return Vec::new();
    }
    let mut partial: Vec<&str> = known
        .iter()
        .copied()
        .filter(|k| {
            (given.len() >= 3 && k.starts_with(&given)) || k.split('-').any(|word| word == given)
        })
        .collect();
    if !partial.is_empty() {
        partial.truncate(3);
        return partial;
    }
    // Typos: one edit in a short id, up to a third of the letters in a long one.
    let limit = (given.chars().count() / 3).clamp(1, 3);
    let mut near: Vec<(usize, &str)> = known
        .iter()
        .map(|k| (strsim::levenshtein(&given, k), *k))
        .filter(|(d, _)| *d <= limit)
        .collect();
    near.sort();
    near.into_iter().take(3).map(|(_, k)| k).collect()
}

/// "did you mean `a`?" or "did you mean `a` or `b`?", for a hint.
pub(crate) fn did_you_mean(names: &[&str]) -> Option<String> {
    let (last, rest) = names.split_last()?;
    let listed = if rest.is_empty() {
        last.to_string()
    } else {
        format!("{} or {last}", rest.join(", "))
    };
    Some(format!("did you mean {listed}?"))
}

/// `hint`, led by "did you mean …?" when `given` is close to a known name.
pub fn hint_with<'a>(
    given: &str,
    known: impl IntoIterator<Item = &'a str>,
    hint: impl Into<String>,
) -> String {
    let hint = hint.into();
    match did_you_mean(&closest(given, known)) {
        Some(guess) => format!("{guess} Otherwise {hint}"),
        None => hint,
    }
}

impl Roster {
    /// The ids of the roster members in `role`, or in both roles when `None`.
    pub fn ids(&self, role: Option<Role>) -> Vec<&str> {
        let writers = self.writers.keys().map(|id| id.as_str());
        let reviewers = self.reviewers.keys().map(|id| id.as_str());
        match role {
            Some(Role::Writer) => writers.collect(),
            Some(Role::Reviewer) => reviewers.collect(),
            None => {
                let mut all: Vec<&str> = writers.chain(reviewers).collect();
                all.sort_unstable();
                all.dedup();
                all
            }
        }
    }

    /// `hint`, led by "did you mean …?" when `given` is close to an id in `role`.
    pub fn hint_for(&self, role: Option<Role>, given: &str, hint: impl Into<String>) -> String {
        hint_with(given, self.ids(role), hint)
    }
}

/// Who may make a reviewer's decision on an article, for someone who may not:
/// the reviewer it asks for (front matter `reviewer:`) and a few others on the
/// roster. `command` is the command tried (`approve`, `request-changes`, ...).
fn who_can(roster: &Roster, slug: &str, requested: Option<&Id>, command: &str) -> String {
    let active: Vec<&str> = roster
        .reviewers
        .iter()
        .filter(|(id, r)| r.retired.is_none() && Some(*id) != requested)
        .map(|(id, _)| id.as_str())
        .collect();
    let others = match active.len() {
        0 => String::new(),
        n if n <= 3 => active.join(", "),
        n => format!(
            "{} and {} more (`medreview reviewer list`)",
            active[..3].join(", "),
            n - 3
        ),
    };
    match requested.filter(|r| roster.reviewers.contains_key(*r)) {
        Some(r) if others.is_empty() => format!(
            "ask {r}, the reviewer {slug} asks for (`reviewer:` in its front matter), to run `medreview {command} {slug}`"
        ),
        Some(r) => format!(
            "ask {r}, the reviewer {slug} asks for (`reviewer:` in its front matter), to run `medreview {command} {slug}`; other reviewers on the roster: {others}"
        ),
        None if others.is_empty() => "there is no medical reviewer in reviewers/ yet; an admin adds one with `medreview reviewer add ID --name NAME --credentials CRED`".to_owned(),
        None => format!(
            "ask a medical reviewer on the roster ({others}) to run `medreview {command} {slug}`; the writer names the one to ask for in the front matter's `reviewer:` field"
        ),
    }
}

impl Roster {
    /// The reviewer `id` who is to run `command` on `slug`, or a refusal that says
    /// who can: a writer is told that writers cannot, and which reviewers can
    /// (`requested`, the front matter's `reviewer:`, first).
    pub fn require_reviewer_for(
        &self,
        id: &Id,
        slug: &Id,
        requested: Option<&Id>,
        command: &str,
    ) -> Result<&Reviewer> {
        if self.writers.contains_key(id) && !self.reviewers.contains_key(id) {
            let verb = match command {
                "request-changes" => "request changes",
                "withdraw" => "withdraw an article",
                other => other,
            };
            return Err(Error::with_hint(
                Code::WriterCannotSignOff,
                format!(
                    "{id} is a writer, and writers cannot {verb}: only a medical reviewer in reviewers/ can"
                ),
                who_can(self, slug.as_str(), requested, command),
            ));
        }
        self.require_reviewer(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: [&str; 4] = ["ana-example", "david-okafor", "priya-shah", "priya-patel"];

    #[test]
    fn prefixes_words_and_typos_are_suggested() {
        assert_eq!(closest("priya", IDS), ["priya-shah", "priya-patel"]);
        assert_eq!(closest("okafor", IDS), ["david-okafor"]);
        assert_eq!(closest("ana-exmple", IDS), ["ana-example"]);
        assert_eq!(closest("anna-example", IDS), ["ana-example"]);
        assert!(closest("ana-example", IDS).is_empty(), "an exact match");
        assert!(closest("zebra", IDS).is_empty());
        assert!(closest("pr", IDS).is_empty(), "too short to be a prefix");
    }

    #[test]
    fn the_hint_leads_with_the_guess() {
        assert_eq!(
            hint_with("priya", ["priya-shah"], "add them"),
            "did you mean priya-shah? Otherwise add them"
        );
        assert_eq!(
            did_you_mean(&["a", "b", "c"]).as_deref(),
            Some("did you mean a, b or c?")
        );
        assert_eq!(hint_with("zzz", ["priya-shah"], "add them"), "add them");
    }
}
