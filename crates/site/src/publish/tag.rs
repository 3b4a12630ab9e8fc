//! Recording a publication as an annotated tag `published/<UTC time>`.

use chrono::{DateTime, FixedOffset};
use medreview_core::ids::Id;

use super::*;

/// Where a publication is recorded: `published/<UTC time>`.
pub fn tag_name(now: &DateTime<FixedOffset>) -> String {
    format!(
        "published/{}",
        now.with_timezone(&chrono::Utc).format("%Y%m%dT%H%M%SZ")
    )
}

/// When the last publication was recorded: the time in the newest
/// `published/<UTC time>` tag name, if any.
pub fn last_publication(git: &medreview_core::repo::Repo) -> Option<DateTime<FixedOffset>> {
    git.refs_under("refs/tags/published/")
        .iter()
        .filter_map(|(name, _)| {
            let time = name.strip_prefix("refs/tags/published/")?;
            chrono::NaiveDateTime::parse_from_str(time, "%Y%m%dT%H%M%SZ").ok()
        })
        .max()
        .map(|t| t.and_utc().fixed_offset())
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
