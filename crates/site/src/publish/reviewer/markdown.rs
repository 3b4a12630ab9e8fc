//! Reviewer pages of a Markdown export: `reviewers/<id>.md`, front matter only
//! (JSON, which YAML parsers read with every string quoted), for the site's theme
//! to lay out, with the facts the HTML page shows.

use serde::Serialize;

use super::{FOLDER, profiles};
use crate::publish::{Format, Page, page_path};
use medreview_core::error::Result;
use medreview_core::ids::Id;
use medreview_core::roster::Roster;

/// Reviewer `id`'s page in a Markdown export: `reviewers/ana-example.md`.
pub(in crate::publish) fn content_rel(id: &Id) -> String {
    format!("{FOLDER}/{id}.md")
}

/// A license verification as a Markdown export's front matter holds it.
#[derive(Serialize)]
struct VerifiedParam<'a> {
    by: &'a Id,
    by_name: &'a str,
    on: String,
    source: &'a str,
}

/// A published article a reviewer vouched for, in their front matter.
#[derive(Serialize)]
struct ReviewedParam<'a> {
    slug: &'a Id,
    title: &'a str,
    page: String,
    meanings: &'a [String],
    at: String,
}

/// What a reviewer page of a Markdown export says, for a theme to show.
#[derive(Serialize)]
struct ReviewerContent<'a> {
    id: &'a Id,
    name: &'a str,
    credentials: &'a str,
    specialties: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<&'a medreview_core::roster::License>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<VerifiedParam<'a>>,
    /// `null` when none are on file, `[]` when the reviewer declared none.
    disclosures: Option<&'a [String]>,
    same_as: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    bio: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retired: Option<String>,
    reviewed: Vec<ReviewedParam<'a>>,
}

/// The front matter of a reviewer page: Hugo's and Zola's `title`, the facts at
/// the top level (Hugo's `.Params`) and under Zola's `extra`, as article pages.
#[derive(Serialize)]
struct ReviewerFront<'a> {
    title: &'a str,
    #[serde(flatten)]
    params: &'a ReviewerContent<'a>,
    extra: &'a ReviewerContent<'a>,
}

/// The reviewer pages of a Markdown export: front matter only (JSON, which YAML
/// parsers read with every string quoted), for the site's theme to lay out.
pub(in crate::publish) fn reviewer_content(
    roster: &Roster,
    pages: &[Page],
) -> Result<Vec<(String, Vec<u8>)>> {
    profiles(roster, pages)
        .iter()
        .map(|profile| {
            let r = profile.reviewer;
            let content = ReviewerContent {
                id: profile.id,
                name: &r.name,
                credentials: &r.credentials,
                specialties: &r.specialties,
                license: r.license.as_ref(),
                verified: r.verified.as_ref().map(|v| VerifiedParam {
                    by: &v.by,
                    by_name: roster.name_of(&v.by).unwrap_or(v.by.as_str()),
                    on: v.on.format("%Y-%m-%d").to_string(),
                    source: &v.source,
                }),
                disclosures: r.disclosures.as_deref(),
                same_as: &r.same_as,
                bio: r.bio.as_deref(),
                retired: r.retired.map(|d| d.format("%Y-%m-%d").to_string()),
                reviewed: profile
                    .reviewed
                    .iter()
                    .map(|rv| ReviewedParam {
                        slug: &rv.page.slug,
                        title: &rv.page.article.front.title,
                        page: page_path(&rv.page.slug, Format::Markdown),
                        meanings: &rv.meanings,
                        at: medreview_core::clock::rfc3339(&rv.at),
                    })
                    .collect(),
            };
            let front = ReviewerFront {
                title: &r.name,
                params: &content,
                extra: &content,
            };
            let json = serde_json::to_string_pretty(&front).map_err(|e| {
                medreview_core::error::Error::internal(format!(
                    "cannot write the front matter of reviewer {}: {e}",
                    profile.id
                ))
            })?;
            Ok((
                content_rel(profile.id),
                format!("---\n{json}\n---\n").into_bytes(),
            ))
        })
        .collect()
}
