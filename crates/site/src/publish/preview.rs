//! Previews: the page of any revision (or of the working tree) rendered exactly as
//! publish renders pages, with a banner when the text is not the approved one and a
//! byline that names no reviewer whose approval does not count.

use chrono::{DateTime, FixedOffset};

use super::{
    BannerView, Names, PersonView, PublicationView, article_page, page_from, person_view,
    template_source,
};
use crate::diff::Side;
use crate::diff::lint_marks::LintLevel;
use crate::render::{self, Templates};
use crate::templates;
use medreview_core::error::{Code, Error, Result};
use medreview_core::record::ArticleRecord;
use medreview_core::record::evaluate::{State, Status};
use medreview_core::source::{Committed, Source};
use medreview_core::workspace::{CONFIG_FILE, Config, Workspace};

/// A rendered preview.
pub struct Preview {
    /// The page.
    pub html: String,
    /// `r2`, or `working tree`.
    pub label: String,
    /// The banner shown on the page; none when the text is the approved, publishable one.
    pub banner: Option<BannerView>,
    /// The text's state in words (`in review: submitted, waiting for a medical review`).
    pub state: String,
    /// What a publish shows of the article instead, when the text is not approved.
    pub published: String,
    /// The lint findings of the text that `lint` shows, marked on the page when it
    /// is not the approved one (the approved page is the published page, unmarked).
    pub findings: Vec<medreview_lint::Finding>,
    /// Which findings were looked for and shown.
    pub lint: LintLevel,
    /// Whether the findings are marked on the page.
    pub marked: bool,
    /// The review comment threads on the text (none with `--no-comments`).
    pub comments: Vec<crate::diff::comment_marks::Note>,
    /// Whether they are shown on the page (in the margin), as findings are.
    pub comments_shown: bool,
}

/// The page of `side` of `record` as patients would see it, judged as publish
/// judges: by the sign-offs of the last commit, so a sign-off file no commit holds
/// never makes a page look approved. What `preview` writes and the desk frames.
pub fn committed_preview(
    ws: &Workspace,
    people: &dyn medreview_core::roster::people::People,
    record: ArticleRecord,
    side: &Side,
    now: DateTime<FixedOffset>,
    comments: bool,
    lint: LintLevel,
) -> Result<Preview> {
    let committed = Committed {
        snapshot: ws.git.head_snapshot()?,
        prefix: ws.prefix().to_owned(),
        root: ws.root().to_path_buf(),
    };
    let ledger = medreview_core::record::load_ledger(&committed, &record.slug, &*ws.voids()?)?;
    ledger.require_intact(&record.slug)?;
    let record = ArticleRecord { ledger, ..record };
    let status = record.status(ws, people, now);
    render_preview_with(ws, &record, &status, side, now, comments, lint)
}

/// The class of the banner element; a template that shows `preview` itself uses it,
/// and its absence from a page tells that the banner must be put in.
pub(crate) const BANNER_CLASS: &str = "preview-banner";

/// Renders the page of `side` (a revision or the working tree) of `record`, with the
/// templates, settings and roster of the last commit, as `publish` would; review
/// comments in the margin where lint findings are marked.
pub fn render_preview(
    ws: &Workspace,
    record: &ArticleRecord,
    status: &Status,
    side: &Side,
    now: DateTime<FixedOffset>,
) -> Result<Preview> {
    render_preview_with(ws, record, status, side, now, true, LintLevel::default())
}

/// [`render_preview`], with the review comments left out unless `comments`, and
/// the lint findings `lint` shows.
pub fn render_preview_with(
    ws: &Workspace,
    record: &ArticleRecord,
    status: &Status,
    side: &Side,
    now: DateTime<FixedOffset>,
    comments: bool,
    lint: LintLevel,
) -> Result<Preview> {
    let src = Committed {
        snapshot: ws.git.head_snapshot()?,
        prefix: ws.prefix().to_owned(),
        root: ws.root().to_path_buf(),
    };
    let config = match src.read_text(CONFIG_FILE)? {
        Some(text) => Config::parse(&text, &src.shown(CONFIG_FILE))?,
        None => ws.config.clone(),
    };
    let people = medreview_core::roster::people::load(&src, &ws.git)?;
    let roster = people.current().roster.clone();
    let names = Names {
        root: src.root.clone(),
        commit: src.snapshot.commit_id()[..7].to_owned(),
    };
    let slug = record.slug.clone();
    let (article, label) = match side {
        Side::Revision(r) => (record.revision_article(ws, &r.id)?, r.label()),
        Side::Working => (record.working_article()?, "working tree".to_owned()),
        Side::Nothing => {
            return Err(Error::new(
                Code::MissingArticleFile,
                format!("{slug} has no text to preview"),
            ));
        }
    };
    let bytes = crate::diff::bytes(ws, record, side)?;
    let looked = lint.findings(ws, &bytes, &record.article_path)?;
    let findings = looked.clone().unwrap_or_default();
    let approved = match (side, &status.publishable) {
        (Side::Revision(r), Some(p)) if p.revision.id == r.id => Some(p.clone()),
        _ => None,
    };
    let (state, published) = describe(status, side);
    let banner = match approved {
        Some(_) => None,
        None => Some(BannerView {
            title: "Not approved".to_owned(),
            detail: format!(
                "preview of {}, not medically reviewed. State: {state}. {published}",
                if label == "working tree" {
                    "the working tree"
                } else {
                    &label
                }
            ),
        }),
    };
    let page = match approved {
        Some(publishable) => {
            // The page publish writes, byte for byte: its byline links the
            // reviewers' pages of the published site.
            let mut page = page_from(&names, &roster, slug, publishable, article)?;
            page.reviewer_pages = true;
            page
        }
        None => {
            let writer = person_view(&roster, &article.front.writer).unwrap_or_else(|| {
                // Publish refuses a writer who is not on file; a preview still shows the text.
                PersonView {
                    id: article.front.writer.clone(),
                    name: article.front.writer.to_string(),
                    credentials: None,
                    specialties: Vec::new(),
                    bio: None,
                    same_as: Vec::new(),
                }
            });
            let (revision, number, when) = match side {
                Side::Revision(r) => (r.id.clone(), r.number, r.submitted_at),
                _ => (
                    record.working_id.clone().unwrap_or_else(|| {
                        medreview_store::revision::RevId::from_oid_bytes(&[0; 20])
                    }),
                    record.ledger.revisions().len() + 1,
                    now,
                ),
            };
            super::Page {
                slug,
                article,
                revision,
                revision_number: number,
                writer,
                // No approval of this text counts: the byline names no reviewer.
                reviewers: Vec::new(),
                others: Vec::new(),
                approvals: Vec::new(),
                recorded_by: Default::default(),
                submission: None,
                reviewed: when,
                first_published: when,
                modified: when,
                changes: Vec::new(),
                overdue: None,
                fingerprint: String::new(),
                reused: false,
                reviewer_pages: false,
            }
        }
    };
    let templates = Templates::new(vec![template_source(
        &src,
        "article.html",
        templates::ARTICLE_HTML,
    )?])?;
    let publication = PublicationView {
        name: &config.publication,
        base_url: config.base_url.as_deref(),
    };
    let notes = if comments {
        crate::diff::comment_marks::notes(ws, record, &*people, side)?
    } else {
        Vec::new()
    };
    // A text that is not the approved one shows its lint findings in place, and
    // sums them up in a folded panel by the banner; and its review comments in
    // the margin.
    let marked = banner.is_some().then(|| {
        let (body, places, apart) = crate::diff::comment_marks::preview_body(
            &page.article.body,
            &String::from_utf8_lossy(&bytes),
            &findings,
            &notes,
        );
        let what = if label == "working tree" {
            "the working tree".to_owned()
        } else {
            label.clone()
        };
        let panel = looked.as_ref().map(|_| {
            let quotes =
                crate::diff::lint_marks::quotes(&body, &page.article.body, &findings, &places);
            crate::diff::lint_marks::panel(&findings, &places, &quotes, lint, &what)
        });
        (format!("{body}{apart}"), panel.unwrap_or_default())
    });
    let body = marked.as_ref().map(|(body, _)| body.as_str());
    let panel = marked
        .as_ref()
        .map(|(_, panel)| format!("\n{panel}"))
        .unwrap_or_default();
    // The templates are vetted whatever this article is, as publish vets them.
    super::probe_article(&templates, &config, &publication)?;
    let (mut html, shows_banner) = article_page(
        &templates,
        &config,
        &publication,
        &page,
        banner.as_ref(),
        body,
        &panel,
    )?;
    // The approved text previews exactly as published, with what the page names.
    if banner.is_none() {
        html = super::wellknown::mark_page(html, &page);
    }
    if let Some(banner) = banner.as_ref().filter(|_| !shows_banner) {
        html = after_body(&html, &format!("{}{panel}", banner_markup(banner)));
    }
    let comments_shown = marked.is_some() && !notes.is_empty();
    let lint_css = if marked.is_some() && looked.is_some() {
        crate::diff::lint_marks::CSS
    } else {
        ""
    };
    let css = format!(
        "{lint_css}{}",
        if comments_shown {
            crate::diff::comment_marks::CSS
        } else {
            ""
        }
    );
    if !css.is_empty() {
        html = with_style(&html, &css);
    }
    Ok(Preview {
        html,
        label,
        banner,
        state,
        published,
        marked: marked.is_some() && looked.is_some(),
        findings,
        lint,
        comments: notes,
        comments_shown,
    })
}

/// The state of the shown text in words, and what a publish shows instead.
fn describe(status: &Status, side: &Side) -> (String, String) {
    let latest = status.latest.as_ref();
    let publishable = status.publishable.as_ref();
    let state = match side {
        Side::Working => "unsubmitted edits, never submitted for review".to_owned(),
        Side::Revision(r) if publishable.is_some_and(|p| p.revision.id == r.id) => {
            // Approved: say only what a reader would not assume.
            let mut notes = Vec::new();
            if status.state == State::ReReviewDue {
                notes.push("re-review-due".to_owned());
            }
            if let Some(l) = latest.filter(|l| l.id != r.id) {
                notes.push(format!("{} is newer and not yet approved", l.label()));
            }
            notes.join("; ")
        }
        Side::Revision(r) if latest.is_some_and(|l| l.id == r.id) => {
            let what = match status.state {
                State::InReview => "submitted, waiting for a medical review",
                State::ChangesRequested => "a reviewer requested changes",
                State::Withdrawn => "its approval was withdrawn",
                State::NeedsDecision => {
                    "sign-offs made at the same time conflict; a reviewer must decide again"
                }
                State::Draft => "never submitted",
                // Approved, yet not publishable: the approvals do not count.
                State::Approved | State::ReReviewDue => {
                    "its approvals do not count under the review policy"
                }
            };
            format!("{} ({what})", status.state.as_str())
        }
        Side::Revision(_) => match latest {
            Some(l) => format!("superseded by {}", l.label()),
            None => "superseded".to_owned(),
        },
        Side::Nothing => "no text".to_owned(),
    };
    let published = match &status.publishable {
        Some(p) => format!("The published page shows {}.", p.revision.label()),
        None => "Nothing of this article is published.".to_owned(),
    };
    (state, published)
}

/// Puts the banner right after `<body …>` (or first, without one), for a template
/// that does not show `preview` itself.
#[cfg(test)]
fn inject_banner(html: &str, banner: &BannerView) -> String {
    after_body(html, &banner_markup(banner))
}

/// The banner as medreview draws it for a template that does not show `preview`.
fn banner_markup(banner: &BannerView) -> String {
    format!(
        "\n<div class=\"{BANNER_CLASS}\" role=\"alert\" style=\"background:#b42318;color:#ffffff;font:700 1.05rem/1.4 system-ui,sans-serif;padding:0.9rem 1.25rem;text-align:center\"><strong>{}</strong> &mdash; {}</div>\n",
        render::escape_html(&banner.title),
        render::escape_html(&banner.detail)
    )
}

/// Puts `markup` right after `<body …>` (or first, without one). The template's
/// markup comes first on a page: the writer's text is escaped or sanitized.
fn after_body(html: &str, markup: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let at = lower
        .find("<body")
        .and_then(|start| lower[start..].find('>').map(|end| start + end + 1))
        .unwrap_or(0);
    format!("{}{markup}{}", &html[..at], &html[at..])
}

/// Puts a style block with `css` before `</head>` (or first, without one).
fn with_style(html: &str, css: &str) -> String {
    let at = html.to_ascii_lowercase().find("</head").unwrap_or(0);
    format!("{}<style>\n{css}</style>\n{}", &html[..at], &html[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_goes_right_after_body_and_is_escaped() {
        let banner = BannerView {
            title: "Not approved".into(),
            detail: "<b>r2</b>".into(),
        };
        let html = inject_banner("<html><BODY class=x><p>t</p></BODY></html>", &banner);
        assert!(
            html.starts_with("<html><BODY class=x>\n<div class=\"preview-banner\""),
            "{html}"
        );
        assert!(
            html.contains("&mdash; &lt;b&gt;r2&lt;/b&gt;</div>\n<p>t</p>"),
            "{html}"
        );
        let html = inject_banner("<p>t</p>", &banner);
        assert!(
            html.starts_with("\n<div class=\"preview-banner\""),
            "{html}"
        );
    }
}
