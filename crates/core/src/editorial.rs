//! The rules' codes and default severities, and the `editorial:` settings.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `submit` and `approve` refuse; `lint` and `check --lint` exit 1.
    Error,
    /// Shown by `submit` and `approve`, counted by `status --json` and `check --lint`.
    Warning,
    /// Shown by `lint` only: the sign-off commands, `status` and `check` do not run
    /// these rules (harper's spelling and grammar cost about a second to load).
    Info,
    /// The rule does not run.
    Off,
}

impl Severity {
    /// Its name in settings and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Off => "off",
        }
    }
}

/// A rule: its code, default severity and what it finds.
pub struct Rule {
    /// The stable code.
    pub code: &'static str,
    /// Its severity unless `editorial.severity` says otherwise.
    pub default: Severity,
    /// One line on what it finds.
    pub about: &'static str,
}

/// Every rule, in the order findings are listed for one place.
pub const RULES: &[Rule] = &[
    Rule {
        code: "empty-list",
        default: Severity::Error,
        about: "a paragraph that announces a list (ends with a colon) followed by none; an empty list item",
    },
    Rule {
        code: "alt-text",
        default: Severity::Error,
        about: "an image without alt text",
    },
    Rule {
        code: "link",
        default: Severity::Warning,
        about: "a link or source address that is not https, or a link with no text",
    },
    Rule {
        code: "sources",
        default: Severity::Warning,
        about: "an article with no sources in its front matter",
    },
    Rule {
        code: "unsourced-claim",
        default: Severity::Warning,
        about: "a statistic (percentage, \"N times\", \"1 in N\", rate, dose) in a paragraph that cites nothing",
    },
    Rule {
        code: "near-duplicate",
        default: Severity::Warning,
        about: "two sentences of one article that say the same thing nearly word for word",
    },
    Rule {
        code: "reading-grade",
        default: Severity::Warning,
        about: "a Flesch–Kincaid grade of the body above the target (default 8)",
    },
    Rule {
        code: "headings",
        default: Severity::Warning,
        about: "a heading that skips a level, or a level-1 heading in the body",
    },
    Rule {
        code: "spelling",
        default: Severity::Info,
        about: "a word that neither harper's dictionary, the Hunspell dictionaries (editorial.dictionaries), the FDA drug names nor dictionary.txt knows",
    },
    Rule {
        code: "grammar",
        default: Severity::Info,
        about: "harper-core's rules for errors in running prose (a/an, agreement, confused words)",
    },
];

/// The rule with `code`.
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// The `editorial:` section of `medreview.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Editorial {
    /// Severity by rule code (`error`, `warning`, `info`, `off`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub severity: BTreeMap<String, Severity>,
    /// The Flesch–Kincaid grade the body should not exceed (default 8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reading_grade: Option<f64>,
    /// Words `spelling` accepts, beside `dictionary.txt`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_words: Vec<String>,
    /// harper-core rules to leave out, by name (`OxfordComma`); `lint` names the rule
    /// of each grammar finding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grammar_off: Vec<String>,
    /// Hunspell dictionaries `spelling` reads besides harper's, each a path without
    /// its extension (`/usr/share/hunspell/en_US` for `en_US.dic` and `en_US.aff`;
    /// relative paths are under the workspace). Not set: Debian's `en_US` and
    /// `en_med_glut` where installed. An empty list: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dictionaries: Option<Vec<String>>,
}

impl Editorial {
    /// Whether nothing is set.
    pub(crate) fn is_default(&self) -> bool {
        *self == Editorial::default()
    }

    /// Refuses an unknown code or an impossible target; `file` names the settings.
    pub(crate) fn validate(&self, file: &Path) -> Result<()> {
        for code in self.severity.keys() {
            if rule(code).is_none() {
                let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
                return Err(Error::with_hint(
                    Code::InvalidSetting,
                    format!(
                        "{}: editorial.severity names the rule `{code}`, which does not exist",
                        file.display()
                    ),
                    format!("the rules are: {}", codes.join(", ")),
                ));
            }
        }
        if let Some(grade) = self.reading_grade
            && !(grade.is_finite() && (1.0..=20.0).contains(&grade))
        {
            return Err(Error::with_hint(
                Code::InvalidSetting,
                format!("{}: editorial.reading_grade is {grade}", file.display()),
                "give a school grade between 1 and 20; 8 is the usual target for patient material",
            ));
        }
        for path in self.dictionaries.iter().flatten() {
            if path.trim().is_empty() {
                return Err(Error::with_hint(
                    Code::InvalidSetting,
                    format!(
                        "{}: editorial.dictionaries has an empty entry",
                        file.display()
                    ),
                    "give each Hunspell dictionary as a path without its extension, such as /usr/share/hunspell/en_US, or remove the entry",
                ));
            }
        }
        Ok(())
    }

    /// The severity of `code`.
    pub fn severity(&self, code: &str) -> Severity {
        self.severity
            .get(code)
            .copied()
            .or_else(|| rule(code).map(|r| r.default))
            .unwrap_or(Severity::Warning)
    }
}
