//! The review block: the byline, the reviewers, the dates and a preview's
//! banner, rendered by medreview from the record and placed by the template,
//! which never sees the facts it could recombine into a review line of its own.
//! Every text here is escaped; the fragments are made to be marked safe.

use super::*;
use crate::render::escape_html;

/// `A`, `A and B`, `A, B and C`.
fn joined(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A reviewer as a byline names them: `Ana Example, M.D.`, escaped.
fn byline_name(r: &PersonView) -> String {
    match &r.credentials {
        Some(c) => format!("{}, {}", escape_html(&r.name), escape_html(c)),
        None => escape_html(&r.name),
    }
}

/// A reviewer as a byline names them, linked to their page where the site has
/// one (`reviewers/<id>.html`, relative: the site works from any folder).
fn linked_name(p: &Page, r: &PersonView) -> String {
    match (p.reviewer_pages, &r.credentials) {
        (true, Some(_)) => format!(
            "<a class=\"reviewer-link\" href=\"{}\">{}</a>",
            super::reviewer::page_rel(&r.id),
            byline_name(r)
        ),
        _ => byline_name(r),
    }
}

/// How the review block names a review other than a medical one: `Fact checked
/// by`, `Legal review by`, else `Reviewed for MEANING by`.
fn meaning_label(meaning: &str) -> String {
    match meaning {
        "fact-check" => "Fact checked by".to_owned(),
        "legal" => "Legal review by".to_owned(),
        other => format!("Reviewed for {} by", escape_html(&other.replace('-', " "))),
    }
}

/// The lines of the reviews other than medical ones, one per meaning in the
/// order first given: `Fact checked by Fred Example`, escaped.
fn other_reviews(p: &Page) -> Vec<String> {
    let mut meanings: Vec<&str> = Vec::new();
    for (m, _) in &p.others {
        if !meanings.contains(&m.as_str()) {
            meanings.push(m);
        }
    }
    meanings
        .into_iter()
        .map(|m| {
            let names: Vec<String> = p
                .others
                .iter()
                .filter(|(om, _)| om == m)
                .map(|(_, r)| linked_name(p, r))
                .collect();
            format!("{} {}", meaning_label(m), joined(&names))
        })
        .collect()
}

/// The page's review block: who reviewed it (or that no one did), who wrote it
/// and when it was last reviewed.
pub(super) fn review_block(p: &Page) -> String {
    let names: Vec<String> = p.reviewers.iter().map(|r| linked_name(p, r)).collect();
    let reviewed = if names.is_empty() {
        "<span class=\"part unreviewed\">Not medically reviewed</span>".to_owned()
    } else {
        format!(
            "<span class=\"part reviewed\">Medically reviewed by {}</span>",
            joined(&names)
        )
    };
    let mut reviewed = reviewed;
    for line in other_reviews(p) {
        reviewed.push_str(&format!(
            "<span class=\"sep\">&middot;</span>\n<span class=\"part other-review\">{line}</span>"
        ));
    }
    let date = DateView::of(&p.modified);
    // A re-review (or a minor change) leaves the "Updated on" date where the
    // meaning last changed; the review date is said too when it differs.
    let reviewed_on = if DateView::of(&p.reviewed).iso != date.iso && !p.reviewers.is_empty() {
        let r = DateView::of(&p.reviewed);
        format!(
            "<span class=\"sep\">&middot;</span>\n<span class=\"part\">Reviewed on <time datetime=\"{}\">{}</time></span>",
            r.iso, r.display
        )
    } else {
        String::new()
    };
    let changes = changes_list(p);
    let overdue = p.overdue.map_or(String::new(), |due| {
        format!(
            "<p class=\"overdue-notice\" role=\"note\"><strong>This page is due for medical re-review</strong> (since {}).</p>\n",
            due.format("%B %-d, %Y")
        )
    });
    format!(
        "<div class=\"review-block\" data-medreview=\"review-block\">\n{overdue}<p class=\"byline\">\n{reviewed}<span class=\"sep\">&middot;</span>\n<span class=\"part\">Written by {}</span><span class=\"sep\">&middot;</span>\n<span class=\"part\">Updated on <time datetime=\"{}\">{}</time></span>{reviewed_on}\n</p>\n{changes}</div>",
        escape_html(&p.writer.name),
        date.iso,
        date.display
    )
}

/// The corrections and updates of the page, newest first, each with its date and
/// public note (escaped); nothing when there are none.
fn changes_list(p: &Page) -> String {
    if p.changes.is_empty() {
        return String::new();
    }
    let mut html = String::from(
        "<ul class=\"changes\" data-medreview=\"changes\" aria-label=\"Corrections and updates\">\n",
    );
    for c in p.changes.iter().rev() {
        let date = DateView::of(&c.at);
        let kind = match c.kind {
            medreview_core::record::entry::Change::Correction => "Corrected",
            _ => "Updated",
        };
        html.push_str(&format!(
            "<li class=\"change {}\"><strong>{kind} on <time datetime=\"{}\">{}</time>:</strong> {}</li>\n",
            c.kind.as_str(),
            date.iso,
            date.display,
            escape_html(&c.note)
        ));
    }
    html.push_str("</ul>\n");
    html
}

/// The bios of the page's reviewers and writer.
pub(super) fn about_block(p: &Page) -> String {
    let heading = match p.reviewers.len() {
        0 => "About the writer",
        1 => "About the reviewer and writer",
        _ => "About the reviewers and writer",
    };
    let bio = |bio: &Option<String>| {
        bio.as_deref()
            .map(|b| format!("<p>{}</p>", escape_html(b)))
            .unwrap_or_default()
    };
    let mut html = format!("<section class=\"people\">\n<h2>{heading}</h2>\n");
    for r in &p.reviewers {
        html.push_str(&format!(
            "<div class=\"person\"><h3>{} <small>(medical reviewer)</small></h3>{}</div>\n",
            linked_name(p, r),
            bio(&r.bio)
        ));
    }
    html.push_str(&format!(
        "<div class=\"person\"><h3>{} <small>(writer)</small></h3>{}</div>\n</section>",
        escape_html(&p.writer.name),
        bio(&p.writer.bio)
    ));
    html
}

/// The index page's line for one article: who reviewed it and when.
pub(super) fn index_review_line(p: &Page) -> String {
    let names: Vec<String> = p.reviewers.iter().map(|r| linked_name(p, r)).collect();
    let date = DateView::of(&p.reviewed);
    format!(
        "<span class=\"review-line\" data-medreview=\"review-line\">Medically reviewed by {} &middot; Updated on <time datetime=\"{}\">{}</time></span>",
        joined(&names),
        date.iso,
        date.display
    )
}

/// A preview's banner, styled by the template's `.preview-banner` rule.
pub(super) fn banner_html(banner: &BannerView) -> String {
    format!(
        "<div class=\"preview-banner\" role=\"alert\"><strong>{}</strong> &mdash; {}</div>",
        escape_html(&banner.title),
        escape_html(&banner.detail)
    )
}
