//! What a reviewer's public page says about them beyond the byline: who checked
//! their license and where (`verified`), their conflicts of interest
//! (`disclosures`) and their profiles elsewhere (`same_as`), and the rules those
//! fields keep.
//!
//! Invariants: every address is `http://` or `https://` (a page links it); every
//! text is one line of printable text of bounded length (a page shows it); and a
//! verification names an admin of the roster the change that sets it was
//! recorded in ([`verification_problem`], the one rule `reviewer add|edit`, the
//! roster's record and through it `check`, `status` and `publish` apply). Old
//! roster files without the fields stay valid.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::Id;
use crate::roster::Reviewer;

/// The longest text a disclosure or a verification source may hold, in characters.
pub const MAX_TEXT: usize = 500;
/// The most disclosures a reviewer file may hold.
pub const MAX_DISCLOSURES: usize = 20;
/// The most profile addresses a reviewer file may hold.
pub const MAX_SAME_AS: usize = 10;

/// Who checked a reviewer's license, when, and where (`verified:`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// The admin who checked it.
    pub by: Id,
    /// The day they checked it.
    pub on: NaiveDate,
    /// Where: the licensing board's lookup page (an address) or a short text.
    pub source: String,
}

impl Verification {
    /// The source as an address a page may link, when it is one.
    pub fn source_url(&self) -> Option<&str> {
        is_web_address(&self.source).then_some(self.source.as_str())
    }
}

/// Whether `text` is an `http(s)://` address with a host.
pub fn is_web_address(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty()
            && !r
                .chars()
                .any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
    })
}

/// Why a line of text cannot be shown on a page, if it cannot.
fn text_problem(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return Some("it is empty".into());
    }
    if text.chars().count() > MAX_TEXT {
        return Some(format!(
            "it is {} characters long; the most is {MAX_TEXT}",
            text.chars().count()
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| crate::roster::is_invisible_control(*c))
    {
        return Some(format!(
            "it contains the control character {c:?}; it is shown as one line of plain text"
        ));
    }
    None
}

/// Why an address cannot be linked from a page, if it cannot.
fn address_problem(url: &str) -> Option<String> {
    if url.chars().count() > MAX_TEXT {
        return Some(format!("it is longer than {MAX_TEXT} characters"));
    }
    (!is_web_address(url)).then(|| "it is not an http:// or https:// address".to_owned())
}

/// The first field of `r`'s profile that a page could not show, as
/// `(field, why)`: `same_as[2]`, "it is not an http:// or https:// address".
pub fn problem(r: &Reviewer) -> Option<(String, String)> {
    if let Some(v) = &r.verified {
        let why = text_problem(&v.source).or_else(|| {
            (v.source.contains("://") && !is_web_address(&v.source))
                .then(|| "it looks like an address but is not an http:// or https:// one".into())
        });
        if let Some(why) = why {
            return Some(("verified.source".into(), why));
        }
    }
    let disclosures = r.disclosures.as_deref().unwrap_or_default();
    if disclosures.len() > MAX_DISCLOSURES {
        return Some((
            "disclosures".into(),
            format!(
                "it holds {}; the most is {MAX_DISCLOSURES}",
                disclosures.len()
            ),
        ));
    }
    for (i, d) in disclosures.iter().enumerate() {
        if let Some(why) = text_problem(d) {
            return Some((format!("disclosures[{i}]"), why));
        }
    }
    if r.same_as.len() > MAX_SAME_AS {
        return Some((
            "same_as".into(),
            format!("it holds {}; the most is {MAX_SAME_AS}", r.same_as.len()),
        ));
    }
    for (i, url) in r.same_as.iter().enumerate() {
        if let Some(why) = address_problem(url) {
            return Some((format!("same_as[{i}]"), why));
        }
    }
    None
}

/// Why a roster change from `before` to `after` cannot be recorded, if it cannot:
/// it sets or changes a license verification that names someone who is not an
/// admin in `admins` (the roster the change was made in). A verification the
/// change leaves as it was is not judged again, so an admin who checked a license
/// and later stepped down leaves it standing.
pub fn verification_problem(
    before: Option<&Reviewer>,
    after: &Reviewer,
    admins: &[Id],
) -> Option<String> {
    let v = after.verified.as_ref()?;
    if before.and_then(|b| b.verified.as_ref()) == Some(v) || admins.contains(&v.by) {
        return None;
    }
    Some(format!(
        "its license verification names {}, who is not an admin (admins: {}); only an admin vouches that a license was checked",
        v.by,
        match admins.is_empty() {
            true => "none".to_owned(),
            false => admins.iter().map(Id::as_str).collect::<Vec<_>>().join(", "),
        }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified(by: &str) -> Reviewer {
        let mut r = Reviewer::named("Ana Example", "M.D.");
        r.verified = Some(Verification {
            by: Id::parse("id", by).unwrap(),
            on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            source: "https://www.op.nysed.gov/verification-search".into(),
        });
        r
    }

    #[test]
    fn addresses_are_web_addresses_only() {
        assert!(is_web_address("https://orcid.org/0000-0002-1825-0097"));
        assert!(is_web_address("http://example.org"));
        assert!(!is_web_address("javascript:alert(1)"));
        assert!(!is_web_address("https://"));
        assert!(!is_web_address("https://a b"));
        assert!(!is_web_address("ftp://example.org"));
    }

    #[test]
    fn profile_fields_are_bounded_and_linkable() {
        let mut r = verified("rosa-editor");
        assert_eq!(problem(&r), None);
        r.same_as = vec!["https://orcid.org/x".into(), "javascript:alert(1)".into()];
        assert_eq!(problem(&r).unwrap().0, "same_as[1]");
        r.same_as.clear();
        r.disclosures = Some(vec!["x".repeat(MAX_TEXT + 1)]);
        assert_eq!(problem(&r).unwrap().0, "disclosures[0]");
        r.disclosures = Some(vec!["Consults for Acme\nPharma".into()]);
        assert!(problem(&r).unwrap().1.contains("control character"));
        r.disclosures = Some(Vec::new());
        r.verified.as_mut().unwrap().source = "file:///etc/passwd".into();
        assert_eq!(problem(&r).unwrap().0, "verified.source");
        r.verified.as_mut().unwrap().source = "NY State Education Department".into();
        assert_eq!(problem(&r), None);
    }

    #[test]
    fn a_new_verification_must_name_an_admin_and_an_old_one_stands() {
        let admins = [Id::parse("id", "rosa-editor").unwrap()];
        assert_eq!(
            verification_problem(None, &verified("rosa-editor"), &admins),
            None
        );
        let by_writer = verified("suzanne-example");
        assert!(verification_problem(None, &by_writer, &admins).is_some());
        assert_eq!(
            verification_problem(Some(&by_writer), &by_writer, &admins),
            None
        );
    }
}
