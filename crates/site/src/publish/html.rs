//! HTML pages: the article template's view, the byline and the JSON-LD.

use crate::render::{self, Context, TemplateSource, Templates};
use crate::templates;
use medreview_core::article::Source as Citation;
use medreview_core::error::Result;
use medreview_core::ids::Id;
use medreview_core::source::Source;
use medreview_core::workspace::Config;
use medreview_store::revision::RevId;
use serde::Serialize;

use super::*;

/// The article fields templates see as `article`.
#[derive(Serialize)]
pub(super) struct ArticleView<'a> {
    slug: &'a Id,
    title: &'a str,
    summary: Option<&'a str>,
    topic: Option<&'a str>,
    sources: &'a [Citation],
    revision: &'a RevId,
    revision_number: usize,
    url: String,
    canonical_url: Option<String>,
}

/// The publication fields templates see as `publication`.
#[derive(Serialize)]
pub(super) struct PublicationView<'a> {
    pub(super) name: &'a str,
    pub(super) base_url: Option<&'a str>,
}

/// One entry of the index page.
#[derive(Serialize)]
pub(super) struct IndexEntry<'a> {
    slug: &'a Id,
    title: &'a str,
    summary: Option<&'a str>,
    topic: Option<&'a str>,
    url: String,
    writer_name: &'a str,
    reviewer_names: Vec<&'a str>,
    reviewers: Vec<BylineName<'a>>,
    reviewed: DateView,
}

/// A reviewer as a byline names them: `Ana Example, M.D.`.
#[derive(Serialize)]
pub(super) struct BylineName<'a> {
    name: &'a str,
    credentials: Option<&'a str>,
}

pub(super) fn canonical_url(config: &Config, rel: &str) -> Option<String> {
    config
        .base_url
        .as_deref()
        .map(|base| format!("{}/{rel}", base.trim_end_matches('/')))
}

/// Loads a workspace template from the commit, or the built-in one.
pub(super) fn template_source(
    src: &dyn Source,
    name: &str,
    builtin: &str,
) -> Result<TemplateSource> {
    let rel = format!("templates/{name}");
    Ok(TemplateSource {
        text: src.read_text(&rel)?.unwrap_or_else(|| builtin.to_owned()),
        name: rel,
    })
}

pub(super) fn html_files(
    src: &dyn Source,
    config: &Config,
    pages: &[Page],
) -> Result<Vec<(String, Vec<u8>)>> {
    let templates = Templates::new(vec![
        template_source(src, "article.html", templates::ARTICLE_HTML)?,
        template_source(src, "index.html", templates::INDEX_HTML)?,
    ])?;
    let publication = PublicationView {
        name: &config.publication,
        base_url: config.base_url.as_deref(),
    };
    // Rendered on every core, kept in slug order: the same bytes as one by one.
    let rendered: Vec<Result<(String, Vec<u8>)>> = {
        use rayon::prelude::*;
        pages
            .par_iter()
            .map(|p| {
                let path = page_path(&p.slug, Format::Html);
                if p.reused {
                    // Linked from the last output by `write_output`, never rendered.
                    return Ok((path, Vec::new()));
                }
                let html = article_page(&templates, config, &publication, p, None, None)?;
                Ok((path, html.into_bytes()))
            })
            .collect()
    };
    let mut files = rendered.into_iter().collect::<Result<Vec<_>>>()?;
    let entries: Vec<IndexEntry<'_>> = pages
        .iter()
        .map(|p| IndexEntry {
            slug: &p.slug,
            title: &p.article.front.title,
            summary: p.article.front.summary.as_deref(),
            topic: p.article.front.topic.as_deref(),
            url: page_path(&p.slug, Format::Html),
            writer_name: &p.writer.name,
            reviewer_names: p.reviewers.iter().map(|r| r.name.as_str()).collect(),
            reviewers: p
                .reviewers
                .iter()
                .map(|r| BylineName {
                    name: &r.name,
                    credentials: r.credentials.as_deref(),
                })
                .collect(),
            reviewed: DateView::of(&p.reviewed),
        })
        .collect();
    let mut ctx = Context::default();
    ctx.insert("publication", &publication);
    ctx.insert("articles", &entries);
    let index = templates.render("templates/index.html", &ctx)?;
    files.push(("index.html".into(), index.into_bytes()));
    Ok(files)
}

/// A preview's banner, as templates see it (`preview`; none on published pages).
#[derive(Debug, Clone, Serialize)]
pub struct BannerView {
    /// `Not approved`
    pub title: String,
    /// What the shown text is and what state it is in.
    pub detail: String,
}

/// Renders one article page through `templates/article.html`; `body_html` replaces
/// the rendered body (a preview's, with its lint marks).
pub(super) fn article_page(
    templates: &Templates,
    config: &Config,
    publication: &PublicationView<'_>,
    p: &Page,
    preview: Option<&BannerView>,
    body_html: Option<&str>,
) -> Result<String> {
    let path = page_path(&p.slug, Format::Html);
    let front = &p.article.front;
    let article = ArticleView {
        slug: &p.slug,
        title: &front.title,
        summary: front.summary.as_deref(),
        topic: front.topic.as_deref(),
        sources: &front.sources,
        revision: &p.revision,
        revision_number: p.revision_number,
        canonical_url: canonical_url(config, &path),
        url: path,
    };
    let mut ctx = Context::default();
    ctx.insert("publication", publication);
    ctx.insert("article", &article);
    let body_html = match body_html {
        Some(html) => html.to_owned(),
        None => render::markdown_to_html(&p.article.body),
    };
    ctx.insert_safe("body_html", body_html);
    ctx.insert("writer", &p.writer);
    ctx.insert("reviewers", &p.reviewers);
    ctx.insert("reviewed", &DateView::of(&p.reviewed));
    ctx.insert("published", &DateView::of(&p.first_published));
    ctx.insert("modified", &DateView::of(&p.reviewed));
    ctx.insert("preview", &preview);
    ctx.insert_safe(
        "jsonld",
        render::script_json(&json_ld(config, p, &article))?,
    );
    templates.render("templates/article.html", &ctx)
}

/// schema.org `MedicalWebPage` for one page.
pub(super) fn json_ld(config: &Config, p: &Page, article: &ArticleView<'_>) -> serde_json::Value {
    use serde_json::json;
    let reviewers: Vec<serde_json::Value> = p
        .reviewers
        .iter()
        .map(|r| {
            json!({
                "@type": "Person",
                "name": r.name,
                "honorificSuffix": r.credentials,
                "knowsAbout": r.specialties,
            })
        })
        .collect();
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "inLanguage": "en",
        "author": { "@type": "Person", "name": p.writer.name },
        "reviewedBy": if reviewers.len() == 1 { reviewers[0].clone() } else { json!(reviewers) },
        "lastReviewed": DateView::of(&p.reviewed).iso,
        "datePublished": DateView::of(&p.first_published).iso,
        "dateModified": DateView::of(&p.reviewed).iso,
        "publisher": { "@type": "Organization", "name": config.publication },
        "citation": article.sources.iter().map(|s| json!({ "@type": "CreativeWork", "name": s.title, "url": s.url })).collect::<Vec<_>>(),
    });
    if let Some(summary) = article.summary {
        doc["description"] = json!(summary);
    }
    if p.reviewers.is_empty()
        && let Some(fields) = doc.as_object_mut()
    {
        // A preview of a text no counted approval covers claims no review.
        fields.remove("reviewedBy");
        fields.remove("lastReviewed");
    }
    if let Some(url) = &article.canonical_url {
        doc["url"] = json!(url);
    }
    doc
}
