//! What an approval may mean, and what each article needs: `review.meanings` and
//! `review.rules` in `medreview.yaml` (issue 24), their checks, and which
//! requirements apply to a revision. The judging itself is in
//! [`crate::record::evaluate`], the one place every command asks.
//!
//! ```yaml
//! review:
//!   meanings: [medical-accuracy, fact-check]
//!   rules:
//!     - topic: oncology            # or `slug: "breast-*"`
//!       require:
//!         - meaning: medical-accuracy
//!           specialty: oncology    # from the roster of the approval's time
//!           count: 1               # distinct people, default 1
//!         - meaning: fact-check
//! ```
//!
//! A revision always needs `required_approvals` distinct `medical-accuracy`
//! approvals (the simple case, and what makes a page "medically reviewed"); each
//! rule that matches adds its requirements.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::ledger::entry::MEDICAL_ACCURACY;

/// The meanings of the default configuration: only a medical review.
pub fn default_meanings() -> Vec<String> {
    vec![MEDICAL_ACCURACY.to_owned()]
}

/// One rule: which articles it covers, and what they need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRule {
    /// Articles whose front matter `topic:` is this (compared without case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    /// Articles whose slug matches this pattern (`*` stands for any letters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// What each revision of those articles needs.
    pub require: Vec<Requirement>,
}

/// One requirement: approvals with a meaning, by how many distinct people, of
/// which specialty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The meaning the approvals must carry.
    pub meaning: String,
    /// A specialty the approver had in the roster of the approval's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialty: Option<String>,
    /// How many distinct people (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Requirement {
    /// The simple case: `count` distinct `medical-accuracy` approvals.
    pub fn medical(count: u32) -> Requirement {
        Requirement {
            meaning: MEDICAL_ACCURACY.to_owned(),
            specialty: None,
            count,
        }
    }

    /// Whether a reviewer with `specialties` satisfies the specialty asked for.
    pub fn specialty_ok(&self, specialties: &[String]) -> bool {
        self.specialty.as_deref().is_none_or(|want| {
            specialties
                .iter()
                .any(|s| s.trim().eq_ignore_ascii_case(want.trim()))
        })
    }

    /// In words: `one medical-accuracy approval by an oncology specialist`.
    pub fn describe(&self, count: u32) -> String {
        let what = match count {
            1 => format!("one {} approval", self.meaning),
            n => format!("{n} {} approvals", self.meaning),
        };
        match &self.specialty {
            Some(s) => format!("{what} by a reviewer in {s}"),
            None => what,
        }
    }
}

/// Whether `slug` matches `pattern`, where `*` stands for any run of characters.
pub fn glob_matches(pattern: &str, slug: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    // One part: no `*`, the slug itself.
    let [first, middle @ .., last] = parts.as_slice() else {
        return pattern == slug;
    };
    let Some(mut rest) = slug.strip_prefix(first) else {
        return false;
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

impl ReviewRule {
    /// Whether the rule covers article `slug` whose revision has topic `topic`.
    pub fn matches(&self, slug: &Id, topic: Option<&str>) -> bool {
        if let Some(want) = &self.topic {
            return topic.is_some_and(|t| t.trim().eq_ignore_ascii_case(want.trim()));
        }
        self.slug
            .as_deref()
            .is_some_and(|pattern| glob_matches(pattern, slug.as_str()))
    }

    /// What the rule is about, for messages: `topic oncology`, `slug breast-*`.
    pub fn describe(&self) -> String {
        match (&self.topic, &self.slug) {
            (Some(topic), _) => format!("topic {topic}"),
            (None, Some(slug)) => format!("slug {slug}"),
            (None, None) => "no articles".to_owned(),
        }
    }
}

/// Checks `review.meanings` and `review.rules` of `file` (`medreview.yaml`).
pub fn validate(meanings: &[String], rules: &[ReviewRule], file: &Path) -> Result<()> {
    let bad = |what: String, fix: &str| {
        Err(Error::with_hint(
            Code::InvalidSetting,
            format!("{}: {what}", file.display()),
            fix.to_owned(),
        ))
    };
    if meanings.is_empty() {
        return bad(
            "review.meanings is empty, so no approval could mean anything".into(),
            "list at least one meaning, e.g. `meanings: [medical-accuracy]`, or remove the setting for that default",
        );
    }
    for (i, m) in meanings.iter().enumerate() {
        if Id::parse("meaning", m).is_err() {
            return bad(
                format!("review.meanings: {m:?} is not a meaning medreview can record"),
                "write each meaning in lowercase letters, digits and hyphens, e.g. medical-accuracy, fact-check, legal",
            );
        }
        if meanings[..i].contains(m) {
            return bad(
                format!("review.meanings lists {m} twice"),
                "list each meaning once",
            );
        }
    }
    if !meanings.iter().any(|m| m == MEDICAL_ACCURACY) {
        return bad(
            format!(
                "review.meanings does not list {MEDICAL_ACCURACY}, and every revision needs review.required_approvals {MEDICAL_ACCURACY} approvals"
            ),
            "add medical-accuracy to review.meanings, e.g. `meanings: [medical-accuracy, fact-check]`",
        );
    }
    for (n, rule) in rules.iter().enumerate() {
        let which = format!("review.rules[{}]", n + 1);
        match (&rule.topic, &rule.slug) {
            (None, None) => {
                return bad(
                    format!("{which} names neither a topic nor a slug"),
                    "give the rule `topic: TOPIC` (the front matter's topic) or `slug: \"PATTERN\"` (a slug, `*` for any letters)",
                );
            }
            (Some(_), Some(_)) => {
                return bad(
                    format!("{which} names both a topic and a slug"),
                    "write one rule per topic and one per slug pattern",
                );
            }
            (Some(topic), None) if topic.trim().is_empty() => {
                return bad(
                    format!("{which} has an empty topic"),
                    "write the topic as the articles' front matter says it, e.g. `topic: oncology`",
                );
            }
            (None, Some(pattern)) => {
                let ok = !pattern.is_empty()
                    && pattern.chars().all(|c| {
                        c == '*' || c == '-' || c.is_ascii_lowercase() || c.is_ascii_digit()
                    });
                if !ok {
                    return bad(
                        format!("{which}: slug pattern {pattern:?} can never match a slug"),
                        "write a slug with `*` for any letters, e.g. `slug: \"breast-*\"` (lowercase letters, digits, hyphens and *)",
                    );
                }
            }
            _ => {}
        }
        if rule.require.is_empty() {
            return bad(
                format!("{which} ({}) requires nothing", rule.describe()),
                "list what the articles need under `require:`, e.g. `- meaning: medical-accuracy`",
            );
        }
        for need in &rule.require {
            if !meanings.contains(&need.meaning) {
                return bad(
                    format!(
                        "{which} ({}) requires the meaning {}, which review.meanings does not list ({})",
                        rule.describe(),
                        need.meaning,
                        meanings.join(", ")
                    ),
                    "add the meaning to review.meanings, or correct its spelling in the rule",
                );
            }
            if need.count == 0 {
                return bad(
                    format!(
                        "{which} ({}) requires 0 {} approvals, which requires nothing",
                        rule.describe(),
                        need.meaning
                    ),
                    "set count to 1 or more, or remove the requirement",
                );
            }
            if need
                .specialty
                .as_deref()
                .is_some_and(|s| s.trim().is_empty())
            {
                return bad(
                    format!("{which} ({}) has an empty specialty", rule.describe()),
                    "write the specialty as reviewers' files list it, e.g. `specialty: oncology`, or remove it",
                );
            }
        }
    }
    Ok(())
}

/// The requirements for a revision of article `slug`: `required_approvals`
/// `medical-accuracy` approvals, then those of each rule matching any of
/// `topics`, in the order the rules are written, each once.
pub fn requirements(
    required_approvals: u32,
    rules: &[ReviewRule],
    slug: &Id,
    topics: &[Option<&str>],
) -> Vec<(Option<String>, Requirement)> {
    let mut out = vec![(None, Requirement::medical(required_approvals))];
    for rule in rules {
        if topics.iter().any(|t| rule.matches(slug, *t)) {
            for need in &rule.require {
                let item = (Some(rule.describe()), need.clone());
                if !out.iter().any(|(_, n)| n == need) {
                    out.push(item);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_with_stars() {
        assert!(glob_matches("breast-*", "breast-cancer"));
        assert!(glob_matches("*-cancer", "breast-cancer"));
        assert!(glob_matches("b*t-*r", "breast-cancer"));
        assert!(glob_matches("breast", "breast"));
        assert!(!glob_matches("breast", "breast-cancer"));
        assert!(!glob_matches("breast-*", "lung-cancer"));
        assert!(!glob_matches("a*a", "a"));
        assert!(glob_matches("*", "anything"));
    }
}
