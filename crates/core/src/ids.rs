//! Validated slugs and roster ids: the only names a path is ever built from.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest slug or id accepted.
pub const MAX_LEN: usize = 80;

/// Names Windows reserves for devices; a folder with such a name cannot be checked out there.
const WINDOWS_DEVICE_NAMES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {shown} is not valid: {rule}")]
pub struct IdError {
    /// What the name was meant to be ("slug", "writer id", ...).
    pub what: String,
    /// The refused name, escaped for display.
    pub shown: String,
    /// The rule it broke.
    pub rule: String,
}

/// A slug or roster id: `[a-z0-9]+(-[a-z0-9]+)*`, at most 80 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Id(String);

/// Slugs that would collide with files `publish` writes (`index.html`, Hugo's `index.md`).
const RESERVED_SLUGS: &[&str] = &["index"];

impl Id {
    /// Checks an article slug: the id rules, and not a name `publish` needs for itself.
    pub fn parse_slug(what: &str, name: &str) -> Result<Id, IdError> {
        let id = Id::parse(what, name)?;
        if RESERVED_SLUGS.contains(&name) {
            return Err(IdError {
                what: what.to_owned(),
                shown: format!("{name:?}"),
                rule: "it is reserved for the site's index page".into(),
            });
        }
        Ok(id)
    }

    /// Checks `name` against the rules; `what` says what the name is for in the message.
    ///
    /// ```
    /// use medreview_core::ids::Id;
    ///
    /// assert!(Id::parse("slug", "her2-treatment").is_ok());
    /// let err = Id::parse("slug", "../etc").unwrap_err();
    /// assert_eq!(err.rule, "it contains '.'; only a-z, 0-9 and '-' are allowed");
    /// ```
    pub fn parse(what: &str, name: &str) -> Result<Id, IdError> {
        match broken_rule(name) {
            None => Ok(Id(name.to_owned())),
            Some(rule) => Err(IdError {
                what: what.to_owned(),
                shown: format!("{name:?}"),
                rule,
            }),
        }
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Returns the first rule `name` breaks, if any.
fn broken_rule(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        let why = if c.is_ascii_uppercase() {
            format!("it contains the capital letter {c:?}")
        } else {
            format!("it contains {c:?}; only a-z, 0-9 and '-' are allowed")
        };
        return Some(why);
    }
    if name.len() > MAX_LEN {
        return Some(format!(
            "it is {} characters long; the limit is {MAX_LEN}",
            name.len()
        ));
    }
    if name.starts_with('-') || name.ends_with('-') {
        return Some("it starts or ends with a hyphen".into());
    }
    if name.contains("--") {
        return Some("it contains a doubled hyphen".into());
    }
    if WINDOWS_DEVICE_NAMES.contains(&name) {
        return Some(format!("{name:?} is a reserved device name on Windows"));
    }
    None
}

impl TryFrom<String> for Id {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Id::parse("id", &value)
    }
}

impl From<Id> for String {
    fn from(id: Id) -> String {
        id.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_hyphenated_lowercase_words() {
        for ok in [
            "a",
            "her2-treatment",
            "ana-example",
            "x1-2-3",
            &"a".repeat(80),
        ] {
            assert!(Id::parse("slug", ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn refuses_each_broken_rule_with_its_reason() {
        let cases = [
            ("", "empty"),
            ("..", "contains '.'"),
            ("a/b", "contains '/'"),
            ("a\\b", "contains '\\\\'"),
            ("a\0b", "contains '\\0'"),
            ("Her2", "capital letter 'H'"),
            ("-a", "starts or ends"),
            ("a-", "starts or ends"),
            ("a--b", "doubled hyphen"),
            ("con", "reserved device name"),
            ("lpt1", "reserved device name"),
            ("caf\u{e9}", "contains '\u{e9}'"),
        ];
        for (name, want) in cases {
            let err = Id::parse("slug", name).expect_err(name);
            assert!(err.rule.contains(want), "{name:?}: {}", err.rule);
        }
        assert!(Id::parse_slug("slug", "index").is_err());
        assert!(Id::parse("id", "index").is_ok(), "only slugs are reserved");
        // Regression: non-ASCII names were refused as too long before naming the character.
        assert!(
            Id::parse("id", &"\u{e9}".repeat(41))
                .unwrap_err()
                .rule
                .contains("contains")
        );
        let long = "a".repeat(81);
        assert!(
            Id::parse("slug", &long)
                .unwrap_err()
                .rule
                .contains("81 characters")
        );
    }
}
