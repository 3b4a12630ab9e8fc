//! Previews: the page of any revision (or of the working tree) rendered exactly as
//! publish renders pages, with a banner when the text is not the approved one and a
//! byline that names no reviewer whose approval does not count.

use chrono::{DateTime, FixedOffset};

use super::{
    BannerView, Names, PersonView, PublicationView, article_page, page_from, person_view,
    template_source,
};
use crate::comparison::Side;
use crate::error::{Error, Result};
use crate::record::ArticleRecord;
use crate::record::evaluate::{State, Status};
use crate::render::{self, Templates};
use crate::source::{Committed, Source};
use crate::templates;
use crate::workspace::{CONFIG_FILE, Config, Workspace};

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
}

/// The class of the banner element; a template that shows `preview` itself uses it,
/// and its absence from a page tells that the banner must be put in.
pub const BANNER_CLASS: &str = "preview-banner";

/// Renders the page of `side` (a revision or the working tree) of `record`, with the
/// templates, settings and roster of the last commit, as `publish` would.
pub fn render_preview(
    ws: &Workspace,
    record: &ArticleRecord,
    status: &Status,
    side: &Side,
    now: DateTime<FixedOffset>,
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
    let people = crate::roster::people::load(&src, &ws.git)?;
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
            return Err(Error::refused(format!("{slug} has no text to preview")));
        }
    };
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
        Some(publishable) => page_from(&names, &roster, slug, publishable, article)?,
        None => {
            let writer = person_view(&roster, &article.front.writer).unwrap_or_else(|| {
                // Publish refuses a writer who is not on file; a preview still shows the text.
                PersonView {
                    id: article.front.writer.clone(),
                    name: article.front.writer.to_string(),
                    credentials: None,
                    specialties: Vec::new(),
                    bio: None,
                }
            });
            let (revision, number, when) = match side {
                Side::Revision(r) => (r.id.clone(), r.number, r.submitted_at),
                _ => (
                    record
                        .working_id
                        .clone()
                        .unwrap_or_else(|| crate::revision::RevId::from_oid_bytes(&[0; 20])),
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
                recorded_by: Default::default(),
                reviewed: when,
                first_published: when,
                fingerprint: String::new(),
                reused: false,
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
    let mut html = article_page(&templates, &config, &publication, &page, banner.as_ref())?;
    // Whether the template shows the banner is decided by rendering it without one,
    // never by searching the page: a writer's text could spell the banner's markup.
    if let Some(banner) = &banner
        && html == article_page(&templates, &config, &publication, &page, None)?
    {
        html = inject_banner(&html, banner);
    }
    Ok(Preview {
        html,
        label,
        banner,
        state,
        published,
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
fn inject_banner(html: &str, banner: &BannerView) -> String {
    let markup = format!(
        "\n<div class=\"{BANNER_CLASS}\" role=\"alert\" style=\"background:#b42318;color:#ffffff;font:700 1.05rem/1.4 system-ui,sans-serif;padding:0.9rem 1.25rem;text-align:center\"><strong>{}</strong> &mdash; {}</div>\n",
        render::escape_html(&banner.title),
        render::escape_html(&banner.detail)
    );
    let lower = html.to_ascii_lowercase();
    let at = lower
        .find("<body")
        .and_then(|start| lower[start..].find('>').map(|end| start + end + 1))
        .unwrap_or(0);
    format!("{}{markup}{}", &html[..at], &html[at..])
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
