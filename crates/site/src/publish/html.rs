//! HTML pages: the article template's view, the fragments medreview makes for it
//! (`block`: the review block, the bios, the banner; the JSON-LD) and the guard
//! every page passes before it is written.

use crate::render::guard::{Placement, Slots};
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

/// One entry of the index page; its review facts reach the page only as
/// `review_line`, which medreview renders.
#[derive(Serialize)]
pub(super) struct IndexEntry<'a> {
    slug: &'a Id,
    title: &'a str,
    summary: Option<&'a str>,
    topic: Option<&'a str>,
    url: String,
    writer_name: &'a str,
    review_line: minijinja::Value,
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
    // The probe first: a page kept from an earlier publish is not rendered again,
    // and the templates must pass whatever the articles are.
    probe_article(&templates, config, &publication)?;
    probe_index(&templates, config, &publication)?;
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
                let (html, _) = article_page(&templates, config, &publication, p, None, None, "")?;
                Ok((path, wellknown::mark_page(html, p).into_bytes()))
            })
            .collect()
    };
    let mut files = rendered.into_iter().collect::<Result<Vec<_>>>()?;
    let index = index_page(&templates, &publication, pages)?;
    files.push(("index.html".into(), index.into_bytes()));
    Ok(files)
}

/// A preview's banner: what `{{ preview_banner }}` shows (empty on published pages).
#[derive(Debug, Clone, Serialize)]
pub struct BannerView {
    /// `Not approved`
    pub title: String,
    /// What the shown text is and what state it is in.
    pub detail: String,
}

/// Renders one article page through `templates/article.html`; `body_html` replaces
/// the rendered body (a preview's, with its lint marks), and `after_banner` follows
/// the banner. The page is rendered with a token for each fragment medreview makes,
/// vetted (`render::guard`: the review block once, no review line of the
/// template's own), then filled. Gives the page and whether it shows the banner.
pub(super) fn article_page(
    templates: &Templates,
    config: &Config,
    publication: &PublicationView<'_>,
    p: &Page,
    preview: Option<&BannerView>,
    body_html: Option<&str>,
    after_banner: &str,
) -> Result<(String, bool)> {
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
    let body_html = match body_html {
        Some(html) => html.to_owned(),
        None => render::markdown_to_html(&p.article.body),
    };
    let excused = excused_texts(publication, p);
    let mut slots = Slots::new(&excused);
    // A published page marks its body, which `verify` compares with the signed
    // revision, and links to how readers check it.
    let (review_block, body_html) = match preview {
        None => (
            wellknown::with_verify_link(block::review_block(p)),
            format!(
                "{}\n{body_html}\n{}",
                crate::verify::format::BODY_START,
                crate::verify::format::BODY_END
            ),
        ),
        Some(_) => (block::review_block(p), body_html),
    };
    slots.add("review_block", Placement::Once, review_block);
    slots.add("about_block", Placement::Any, block::about_block(p));
    slots.add("body_html", Placement::Any, body_html);
    slots.add(
        "jsonld",
        Placement::AtMostOnce,
        render::script_json(&json_ld(config, p, &article))?,
    );
    if let Some(banner) = preview {
        let html = format!("{}{after_banner}", block::banner_html(banner));
        slots.add("preview_banner", Placement::AtMostOnce, html);
    }
    let tokens = slots.seal();
    let mut ctx = Context::default();
    ctx.insert("publication", publication);
    ctx.insert("article", &article);
    ctx.insert("writer", &p.writer);
    for (name, token) in &tokens {
        ctx.insert_safe(name, token.clone());
    }
    if preview.is_none() {
        ctx.insert_safe("preview_banner", String::new());
    }
    let page = templates.render(ARTICLE, &ctx)?;
    let counts = slots.vet(ARTICLE, &page, &excused)?;
    let shows_banner = preview.is_none() || counts.get(4).is_some_and(|&n| n > 0);
    Ok((slots.fill(&page), shows_banner))
}

/// The template of article pages, by the name messages use.
pub(super) const ARTICLE: &str = "templates/article.html";

/// The template of the index page.
pub(super) const INDEX: &str = "templates/index.html";

/// Texts the writer typed (and the doctor approved) or the settings hold, which a
/// template may show and which may say "reviewed".
fn excused_texts<'a>(publication: &PublicationView<'a>, p: &'a Page) -> Vec<&'a str> {
    let front = &p.article.front;
    let mut texts = vec![
        publication.name,
        front.title.as_str(),
        p.writer.name.as_str(),
    ];
    texts.extend(publication.base_url);
    texts.extend(front.summary.as_deref());
    texts.extend(front.topic.as_deref());
    texts.extend(p.writer.bio.as_deref());
    for s in &front.sources {
        texts.push(&s.title);
        texts.push(&s.url);
    }
    texts
}

/// Renders the index page through `templates/index.html`, vetted like an article page.
pub(super) fn index_page(
    templates: &Templates,
    publication: &PublicationView<'_>,
    pages: &[Page],
) -> Result<String> {
    let mut excused: Vec<&str> = vec![publication.name];
    excused.extend(publication.base_url);
    for p in pages {
        let front = &p.article.front;
        excused.extend([front.title.as_str(), p.writer.name.as_str()]);
        excused.extend(front.summary.as_deref());
        excused.extend(front.topic.as_deref());
    }
    let mut slots = Slots::new(&excused);
    for p in pages {
        slots.add(
            "review_line",
            Placement::AtMostOnce,
            block::index_review_line(p),
        );
    }
    let tokens = slots.seal();
    let entries: Vec<IndexEntry<'_>> = pages
        .iter()
        .zip(tokens)
        .map(|(p, (_, token))| IndexEntry {
            slug: &p.slug,
            title: &p.article.front.title,
            summary: p.article.front.summary.as_deref(),
            topic: p.article.front.topic.as_deref(),
            url: page_path(&p.slug, Format::Html),
            writer_name: &p.writer.name,
            review_line: minijinja::Value::from_safe_string(token),
        })
        .collect();
    let mut ctx = Context::default();
    ctx.insert("publication", publication);
    ctx.insert("articles", &entries);
    let page = templates.render(INDEX, &ctx)?;
    slots.vet(INDEX, &page, &excused)?;
    Ok(slots.fill(&page))
}

/// schema.org `MedicalWebPage` for one page.
pub(super) fn json_ld(config: &Config, p: &Page, article: &ArticleView<'_>) -> serde_json::Value {
    use serde_json::json;
    // Each approval as a schema.org Role, which schema.org allows in place of a
    // property's value: what it vouched for (`roleName`) and who, printed as
    // signed (the roster of its time), with when.
    let reviewers: Vec<serde_json::Value> = p
        .approvals
        .iter()
        .map(|(_, a)| {
            let view = p
                .reviewers
                .iter()
                .chain(p.others.iter().map(|(_, r)| r))
                .find(|r| r.id == a.by);
            let specialties = view.map(|r| r.specialties.clone()).unwrap_or_default();
            let mut person = json!({
                "@type": "Person",
                "name": a.name.clone().unwrap_or_else(|| a.by.to_string()),
                "honorificSuffix": a.credentials,
                "knowsAbout": specialties,
            });
            // The reviewer's page on this site, and their profiles elsewhere.
            if let Some(view) = view.filter(|_| p.reviewer_pages) {
                person["url"] = json!(super::reviewer::page_url(config, &view.id));
                if !view.same_as.is_empty() {
                    person["sameAs"] = json!(view.same_as);
                }
            }
            json!({
                "@type": "Role",
                "roleName": a.meaning,
                "startDate": medreview_core::clock::rfc3339(&a.at),
                "reviewedBy": person,
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
        "reviewedBy": reviewers,
        "lastReviewed": DateView::of(&p.reviewed).iso,
        "datePublished": DateView::of(&p.first_published).iso,
        "dateModified": DateView::of(&p.modified).iso,
        "publisher": { "@type": "Organization", "name": config.publication },
        "citation": article.sources.iter().map(|s| json!({ "@type": "CreativeWork", "name": s.title, "url": s.url })).collect::<Vec<_>>(),
    });
    if let Some(summary) = article.summary {
        doc["description"] = json!(summary);
    }
    // Corrections, as schema.org asks: the text of each and when it was made.
    let corrections: Vec<serde_json::Value> = p
        .changes
        .iter()
        .filter(|c| c.kind == medreview_core::record::entry::Change::Correction)
        .map(|c| {
            json!({
                "@type": "CorrectionComment",
                "text": c.note,
                "datePublished": medreview_core::clock::rfc3339(&c.at),
            })
        })
        .collect();
    if !corrections.is_empty() {
        doc["correction"] = json!(corrections);
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

/// A made-up article, so a template is vetted whatever the workspace's articles are.
pub(super) fn probe_page() -> Result<Page> {
    use medreview_core::article::{Article, FrontMatter};
    let when = chrono::DateTime::parse_from_rfc3339("2025-01-02T03:04:05+00:00")
        .map_err(|e| medreview_core::error::Error::internal(format!("probe date: {e}")))?;
    let person = |id: &str, name: &str, credentials: Option<&str>| -> Result<PersonView> {
        Ok(PersonView {
            id: Id::parse_slug("probe person", id)?,
            name: name.to_owned(),
            credentials: credentials.map(str::to_owned),
            specialties: vec!["probe".to_owned()],
            bio: Some(format!("{name} bio.")),
            same_as: vec!["https://example.org/probe-profile".to_owned()],
        })
    };
    let writer = person("probe-writer", "Probe Writer", None)?;
    Ok(Page {
        slug: Id::parse_slug("probe article", "medreview-probe")?,
        article: Article {
            front: FrontMatter {
                title: "Probe title".to_owned(),
                writer: writer.id.clone(),
                reviewer: None,
                topic: Some("probe".to_owned()),
                summary: Some("Probe summary.".to_owned()),
                sources: vec![Citation {
                    title: "Probe source".to_owned(),
                    url: "https://example.org/probe".to_owned(),
                }],
            },
            body: "Probe body.\n".to_owned(),
        },
        revision: RevId::from_oid_bytes(&[0; 20]),
        revision_number: 1,
        writer,
        reviewers: vec![person("probe-reviewer", "Probe Reviewer", Some("M.D."))?],
        others: vec![(
            "fact-check".to_owned(),
            person("probe-checker", "Probe Checker", Some("M.A."))?,
        )],
        approvals: vec![
            (
                "approved",
                medreview_core::record::evaluate::Approval {
                    by: Id::parse_slug("probe person", "probe-reviewer")?,
                    at: when,
                    recorded_by: None,
                    meaning: "medical-accuracy".to_owned(),
                    name: Some("Probe Reviewer".to_owned()),
                    credentials: Some("M.D.".to_owned()),
                    entry: String::new(),
                    public_key: None,
                },
            ),
            (
                "approved",
                medreview_core::record::evaluate::Approval {
                    by: Id::parse_slug("probe person", "probe-checker")?,
                    at: when,
                    recorded_by: None,
                    meaning: "fact-check".to_owned(),
                    name: Some("Probe Checker".to_owned()),
                    credentials: Some("M.A.".to_owned()),
                    entry: String::new(),
                    public_key: None,
                },
            ),
        ],
        recorded_by: Default::default(),
        submission: None,
        reviewed: when,
        first_published: when,
        modified: when,
        changes: Vec::new(),
        overdue: None,
        fingerprint: String::new(),
        reused: false,
        reviewer_pages: true,
    })
}

/// Renders the probe article published, and as a preview of a text no approval covers.
pub(super) fn probe_article(
    templates: &Templates,
    config: &Config,
    publication: &PublicationView<'_>,
) -> Result<()> {
    let mut page = probe_page()?;
    article_page(templates, config, publication, &page, None, None, "")?;
    page.reviewers.clear();
    page.others.clear();
    page.approvals.clear();
    let banner = BannerView {
        title: "Not approved".to_owned(),
        detail: "preview of r1, not medically reviewed. State: in-review.".to_owned(),
    };
    article_page(
        templates,
        config,
        publication,
        &page,
        Some(&banner),
        None,
        "",
    )?;
    Ok(())
}

/// Renders an index of the probe article.
fn probe_index(
    templates: &Templates,
    _config: &Config,
    publication: &PublicationView<'_>,
) -> Result<()> {
    index_page(templates, publication, &[probe_page()?]).map(|_| ())
}

/// Vets the templates of the commit `src` reads, as publish would: each problem
/// (`template-error`, `template-review-line`, `template-without-review-block`).
pub fn vet_templates(src: &dyn Source, config: &Config) -> Vec<medreview_core::error::Error> {
    let publication = PublicationView {
        name: &config.publication,
        base_url: config.base_url.as_deref(),
    };
    let mut problems = Vec::new();
    let runs: [(&str, &str, Probe); 3] = [
        ("article.html", templates::ARTICLE_HTML, probe_article),
        ("index.html", templates::INDEX_HTML, probe_index),
        (
            "reviewer.html",
            templates::REVIEWER_HTML,
            super::reviewer::probe_reviewer,
        ),
    ];
    for (name, builtin, run) in runs {
        let vetted = template_source(src, name, builtin)
            .and_then(|source| Templates::new(vec![source]))
            .and_then(|t| run(&t, config, &publication));
        if let Err(err) = vetted {
            problems.push(err);
        }
    }
    problems
}

/// A probe of one template.
type Probe = fn(&Templates, &Config, &PublicationView<'_>) -> Result<()>;

/// `check`'s view of the templates of the last commit (what publish reads): a
/// problem for each template a publish would refuse. None before the first commit.
pub fn template_problems(
    ws: &medreview_core::workspace::Workspace,
) -> Result<Vec<medreview_core::check::Problem>> {
    use medreview_core::source::Committed;
    use medreview_core::workspace::CONFIG_FILE;
    let Ok(snapshot) = ws.git.head_snapshot() else {
        return Ok(Vec::new());
    };
    let src = Committed {
        snapshot,
        prefix: ws.prefix().to_owned(),
        root: ws.root().to_path_buf(),
    };
    let config = match src.read_text(CONFIG_FILE)? {
        Some(text) => Config::parse(&text, &src.shown(CONFIG_FILE))?,
        None => ws.config.clone(),
    };
    Ok(vet_templates(&src, &config)
        .into_iter()
        .map(|err| {
            let message = err.to_string();
            let file = [ARTICLE, INDEX, super::reviewer::REVIEWER]
                .into_iter()
                .find(|name| message.starts_with(name))
                .unwrap_or("templates/");
            let rest = message.strip_prefix(file).unwrap_or(&message);
            // `templates/x.html:58: ...` names a line.
            let (line, rest) = match rest.strip_prefix(':').and_then(|r| r.split_once(':')) {
                Some((n, r)) if n.parse::<usize>().is_ok() => (n.parse().ok(), r),
                _ => (None, rest.trim_start_matches(':')),
            };
            let hint = err.hint().map(|h| format!("; {h}")).unwrap_or_default();
            medreview_core::check::Problem::at(
                err.code().as_str(),
                file,
                line,
                format!("{}{hint}", rest.trim_start()),
            )
        })
        .collect())
}

/// The JSON-LD of page `p` at `url` (relative to the site), ready to sit inside
/// `<script type="application/ld+json">` (the Hugo export's `json_ld`).
pub(super) fn page_json_ld(
    config: &Config,
    p: &Page,
    url: String,
    canonical_url: Option<String>,
) -> Result<String> {
    let front = &p.article.front;
    let article = ArticleView {
        slug: &p.slug,
        title: &front.title,
        summary: front.summary.as_deref(),
        topic: front.topic.as_deref(),
        sources: &front.sources,
        revision: &p.revision,
        revision_number: p.revision_number,
        canonical_url,
        url,
    };
    render::script_json(&json_ld(config, p, &article))
}
