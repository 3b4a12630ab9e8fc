//! Markdown export: front matter + body that Hugo and Zola take as content.

use medreview_core::article::Source as Citation;
use medreview_core::clock;
use medreview_core::error::{Error, Result};
use medreview_core::ids::Id;
use medreview_core::workspace::Config;
use medreview_store::revision::RevId;
use serde::Serialize;

use super::*;

/// The review facts a static site generator's theme can show.
#[derive(Serialize)]
pub(super) struct ReviewParams<'a> {
    slug: &'a Id,
    publication: &'a str,
    revision: &'a RevId,
    revision_number: usize,
    /// The sign-offs behind the page, which `medreview verify` checks.
    signoffs: Vec<&'a str>,
    /// Where the publication's manifest is, relative to the site's root.
    manifest: String,
    medically_reviewed_by: Vec<ReviewerParam<'a>>,
    last_reviewed: String,
    writer: &'a str,
    writer_id: &'a Id,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    sources: &'a [Citation],
    /// Corrections and updates, oldest first: `{kind, note, date, revision_number}`.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    changes: Vec<ChangeParam<'a>>,
}

/// A correction or an update, as a theme lists it.
#[derive(Serialize)]
pub(super) struct ChangeParam<'a> {
    kind: &'static str,
    note: &'a str,
    date: String,
    revision_number: usize,
}

#[derive(Serialize)]
pub(super) struct ReviewerParam<'a> {
    id: &'a Id,
    name: &'a str,
    credentials: &'a str,
    /// The reviewer's page among the exported content (`reviewers/<id>.md`; a
    /// Markdown export only).
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<String>,
}

/// Front matter that Hugo and Zola both accept: their shared fields, Hugo's
/// `lastmod` and Zola's `updated`, and the review facts twice: at the top level,
/// where every Hugo version reads unknown keys as `.Params` (Zola ignores them),
/// and under Zola's `extra`.
#[derive(Serialize)]
pub(super) struct SiteFrontMatter<'a> {
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    date: String,
    lastmod: String,
    updated: String,
    authors: Vec<&'a str>,
    #[serde(flatten)]
    params: &'a ReviewParams<'a>,
    extra: &'a ReviewParams<'a>,
    /// What medreview renders for a Hugo layout to place (`--format hugo`).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    hugo: Option<&'a HugoFields>,
}

/// The page of `p` as front matter + Markdown, at its path in `format`.
pub(super) fn markdown_file(
    config: &Config,
    p: &Page,
    format: Format,
    hugo: Option<&HugoFields>,
) -> Result<(String, Vec<u8>)> {
    let front = &p.article.front;
    let params = ReviewParams {
        slug: &p.slug,
        publication: &config.publication,
        revision: &p.revision,
        revision_number: p.revision_number,
        signoffs: p.signoff_ids(),
        manifest: format!(
            "{}/{}",
            crate::verify::format::DIR,
            crate::verify::format::MANIFEST
        ),
        medically_reviewed_by: p
            .reviewers
            .iter()
            .map(|r| ReviewerParam {
                id: &r.id,
                name: &r.name,
                credentials: r.credentials.as_deref().unwrap_or_default(),
                page: (format == Format::Markdown).then(|| super::reviewer::content_rel(&r.id)),
            })
            .collect(),
        last_reviewed: DateView::of(&p.reviewed).iso,
        writer: &p.writer.name,
        writer_id: &p.writer.id,
        topic: front.topic.as_deref(),
        sources: &front.sources,
        changes: p
            .changes
            .iter()
            .map(|c| ChangeParam {
                kind: c.kind.as_str(),
                note: &c.note,
                date: DateView::of(&c.at).iso,
                revision_number: c.revision_number,
            })
            .collect(),
    };
    let site = SiteFrontMatter {
        title: &front.title,
        description: front.summary.as_deref(),
        date: clock::rfc3339(&p.first_published),
        lastmod: clock::rfc3339(&p.modified),
        updated: clock::rfc3339(&p.modified),
        authors: vec![&p.writer.name],
        params: &params,
        extra: &params,
        hugo,
    };
    // JSON is YAML too, and every string in it is quoted, so no YAML 1.1 parser (Hugo's)
    // can read a title `NO` or a credential `yes` as a boolean (the Norway problem).
    let front_matter = serde_json::to_string_pretty(&site).map_err(|e| {
        Error::internal(format!("cannot write the front matter of {}: {e}", p.slug))
    })?;
    let text = format!(
        "---\n{front_matter}\n---\n\n{}",
        p.article.body.trim_start_matches('\n')
    );
    Ok((page_path(&p.slug, format), text.into_bytes()))
}
