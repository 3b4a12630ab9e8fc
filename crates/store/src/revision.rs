//! Revision ids: the 40-hex git blob id of an `article.md`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A git blob id in lowercase hex, validated on the way in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RevId(String);

impl RevId {
    /// Accepts exactly 40 lowercase hex digits.
    pub fn parse(text: &str) -> Option<RevId> {
        let ok = text.len() == 40 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        ok.then(|| RevId(text.to_owned()))
    }

    /// Builds the id from the 20 raw bytes of a SHA-1 object id.
    pub fn from_oid_bytes(bytes: &[u8]) -> RevId {
        RevId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The full id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first seven digits, as git shows short ids.
    pub fn short(&self) -> &str {
        &self.0[..7]
    }
}

impl TryFrom<String> for RevId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        RevId::parse(&value).ok_or_else(|| {
            format!("{value:?} is not a revision id (40 lowercase hex digits of a git blob id)")
        })
    }
}

impl From<RevId> for String {
    fn from(id: RevId) -> String {
        id.0
    }
}

impl fmt::Display for RevId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
