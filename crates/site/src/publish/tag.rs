//! Recording a publication as an annotated tag `published/<UTC time>-<commit>`.

use chrono::{DateTime, FixedOffset};
use medreview_core::ids::Id;

use super::*;

/// How many hex digits of the published commit a tag name carries.
pub const TAG_COMMIT_DIGITS: usize = 12;

/// Where the publication of `commit` at `now` is recorded:
/// `published/<UTC time>-<first 12 hex digits of the commit>`. Two publishers
/// publishing different commits in the same second record two tags; the same
/// commit is recorded once (`publish` reuses its tag).
pub fn tag_name(now: &DateTime<FixedOffset>, commit: &str) -> String {
    format!(
        "published/{}-{}",
        now.with_timezone(&chrono::Utc).format("%Y%m%dT%H%M%SZ"),
        &commit[..commit.len().min(TAG_COMMIT_DIGITS)]
    )
}

/// The time a publication tag's name gives (`published/` left off or not):
/// `20261127T091500Z-0123456789ab` (since issue 26) or `20261127T091500Z` (before).
pub fn tag_time(name: &str) -> Option<DateTime<FixedOffset>> {
    let name = name
        .strip_prefix("refs/tags/")
        .unwrap_or(name)
        .strip_prefix("published/")
        .unwrap_or(name);
    let stamp = match name.split_once('-') {
        Some((stamp, commit))
            if !commit.is_empty() && commit.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            stamp
        }
        Some(_) => return None,
        None => name,
    };
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc().fixed_offset())
}

/// When the last publication was recorded: the time in the newest
/// publication tag's name, if any.
pub fn last_publication(git: &medreview_core::repo::Repo) -> Option<DateTime<FixedOffset>> {
    git.refs_under("refs/tags/published/")
        .iter()
        .filter_map(|(name, _)| tag_time(name))
        .max()
}

/// The tag message: every page's slug and revision, then trailers.
pub fn tag_message(manifest: &Manifest, publisher: &Id) -> String {
    let mut message = format!(
        "Publish {} of {}\n\n",
        medreview_core::plural::plural(manifest.articles.len(), "article", "articles"),
        manifest.publication
    );
    for a in &manifest.articles {
        message.push_str(&format!(
            "{} r{} {}\n",
            a.slug, a.revision_number, a.revision
        ));
    }
    message.push_str(&format!(
        "\nMedreview-Action: published\nMedreview-By: {publisher}\n"
    ));
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_commit_and_both_forms_parse() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-27T10:15:00+01:00").unwrap();
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let name = tag_name(&now, commit);
        assert_eq!(name, "published/20261127T091500Z-0123456789ab");
        assert_eq!(
            tag_time(&name),
            Some(now.with_timezone(&chrono::Utc).fixed_offset())
        );
        assert_eq!(tag_time(&format!("refs/tags/{name}")), tag_time(&name));
        assert_eq!(tag_time("published/20261127T091500Z"), tag_time(&name));
        assert_eq!(tag_time("published/20261127T091500Z-"), None);
        assert_eq!(tag_time("published/20261127T091500Z-nothex"), None);
        assert_eq!(tag_time("published/yesterday"), None);
    }
}
