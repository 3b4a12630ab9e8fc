//! Lint findings shown where they are: marks in a preview's text and on the HTML
//! redline's blocks, and a panel listing every finding. All of it is markup
//! medreview writes around the writer's sanitized text, with every text escaped;
//! published pages never carry it.

use std::path::Path;

use crate::diff::blocks::Shown;
use crate::diff::redline_blocks::BlockMark;
use crate::render::escape_html;
use crate::render::marks::{self, Pin, Scope};
use medreview_core::error::Result;
use medreview_lint::{Finding, Severity};

/// The style of the marks and the panel, for a page's own style block.
pub const CSS: &str = "\
mark.medreview-lint { color: inherit; background: #fff0b3; border-bottom: 2px solid #b54708; padding: 0 0.1em; border-radius: 2px; }
mark.medreview-lint-error { background: #ffd9cf; border-bottom-color: #c4320a; }
mark.medreview-lint-info { background: #dde9ff; border-bottom-color: #2f5bd3; }
mark.medreview-lint:empty::before { content: \"(empty)\"; font: italic 0.85em system-ui, sans-serif; }
sup.medreview-lint-ref { font: 700 0.7rem/1 system-ui, sans-serif; color: #8a2a0a; margin-left: 0.1em; }
.medreview-lint-panel { font: 0.92rem/1.45 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; color: #1d2a33; background: #fffaf0; border: 2px solid #b54708; border-radius: 6px; margin: 1rem auto; padding: 0.7rem 1rem; max-width: 46rem; text-align: left; }
.medreview-lint-panel h2.medreview-lint-title { font: 700 1rem/1.4 system-ui, sans-serif; text-transform: none; letter-spacing: 0; color: #7a2e0e; margin: 0 0 0.3rem; }
.medreview-lint-panel ol { margin: 0.4rem 0 0; padding-left: 1.6rem; }
.medreview-lint-panel li { margin: 0.15rem 0; }
.medreview-lint-panel .medreview-lint-severity { display: inline-block; min-width: 4.2rem; font-weight: 700; text-transform: uppercase; font-size: 0.75rem; letter-spacing: 0.04em; }
.medreview-lint-panel li.medreview-lint-error .medreview-lint-severity { color: #c4320a; }
.medreview-lint-panel li.medreview-lint-warning .medreview-lint-severity { color: #b54708; }
.medreview-lint-panel li.medreview-lint-info .medreview-lint-severity { color: #2f5bd3; }
.medreview-lint-panel .medreview-lint-where { color: #55636e; }
";

/// How much of the text a finding of `code` is about.
fn scope(code: &str) -> Scope {
    match code {
        "spelling" | "grammar" => Scope::Word,
        "reading-grade" | "headings" => Scope::Block,
        _ => Scope::Sentence,
    }
}

fn class(severity: Severity) -> String {
    format!("medreview-lint-{}", severity.as_str())
}

/// Where a finding shows on the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Marked in the text; on a preview, the mark's id.
    Marked(Option<String>),
    /// In the front matter, which the text does not show.
    FrontMatter,
    /// In a part of the text the page does not show, or where no mark fits (raw HTML).
    NotShown,
}

/// The id of finding `n`'s mark on a preview.
fn mark_id(n: usize) -> String {
    format!("medreview-lint-at-{n}")
}

/// A preview's body: `body` rendered as pages render it, each finding marked in
/// place; and where each finding is.
pub(crate) fn preview_body(body: &str, findings: &[Finding]) -> (String, Vec<Place>) {
    let (html, places, _) = preview_body_with(body, findings, Vec::new());
    (html, places)
}

/// [`preview_body`] with `extra` pins (review comments) marked too; and which of
/// those were placed.
pub(crate) fn preview_body_with(
    body: &str,
    findings: &[Finding],
    extra: Vec<Pin>,
) -> (String, Vec<Place>, Vec<bool>) {
    let mut pins = Vec::new();
    let mut of_pin = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if let Some(at) = f.offset {
            let n = i + 1;
            pins.push(Pin {
                at,
                scope: scope(&f.code),
                open: format!(
                    "<mark class=\"medreview-lint {}\" id=\"{}\" title=\"{}\">",
                    class(f.severity),
                    mark_id(n),
                    escape_html(&format!("{}: {}", f.code, f.message))
                ),
                close: format!("</mark><sup class=\"medreview-lint-ref\">{n}</sup>"),
            });
            of_pin.push(i);
        }
    }
    let lint = pins.len();
    pins.extend(extra);
    let (html, placed) = marks::markdown_to_html_marked(body, &pins);
    let mut places: Vec<Place> = findings
        .iter()
        .map(|f| match f.offset {
            Some(_) => Place::NotShown,
            None => Place::FrontMatter,
        })
        .collect();
    for (pin, i) in of_pin.into_iter().enumerate() {
        if placed.get(pin) == Some(&true) {
            places[i] = Place::Marked(Some(mark_id(i + 1)));
        }
    }
    let extra_placed = placed.get(lint..).unwrap_or_default().to_vec();
    (html, places, extra_placed)
}

/// The HTML redline's marks: one per shown block holding findings of the new side.
pub struct RedlineMarks {
    /// By index in the shown parts.
    pub blocks: Vec<Option<BlockMark>>,
    /// The findings panel.
    pub panel: String,
}

/// Marks the findings of the new side (`new`, the bytes of `file`) on the shown
/// parts of a rendered redline; `what` names the side in the panel.
pub fn redline(
    new: &[u8],
    file: &Path,
    findings: &[Finding],
    shown: &[Shown],
    what: &str,
) -> Result<RedlineMarks> {
    let article = medreview_core::article::Article::parse(new, file)?;
    let text = String::from_utf8_lossy(&medreview_core::article::normalize_eol(new)).into_owned();
    let compared =
        medreview_core::article::split_front_matter(&text).map_or(text.as_str(), |s| s.1);
    let new_index = crate::diff::blocks::new_side_index(shown);
    let places: Vec<(usize, Scope)> = findings
        .iter()
        .filter_map(|f| f.offset.map(|at| (at, Scope::Block)))
        .collect();
    let blocks_of = if compared == article.body && crate::diff::blocks::any_change(shown) {
        marks::block_of_places(&article.body, &places)
    } else {
        vec![None; places.len()]
    };
    let mut by_part: Vec<Vec<usize>> = vec![Vec::new(); shown.len()];
    let mut where_: Vec<Place> = Vec::with_capacity(findings.len());
    let mut next = 0;
    for (i, f) in findings.iter().enumerate() {
        if f.offset.is_none() {
            where_.push(Place::FrontMatter);
            continue;
        }
        let block = blocks_of.get(next).copied().flatten();
        next += 1;
        match block.and_then(|b| new_index.iter().position(|&n| n == Some(b))) {
            Some(part) => {
                by_part[part].push(i);
                where_.push(Place::Marked(None));
            }
            None => where_.push(Place::NotShown),
        }
    }
    let blocks = by_part
        .into_iter()
        .map(|list| {
            let worst = list.iter().map(|&i| findings[i].severity).min()?;
            let title: Vec<String> = list
                .iter()
                .map(|&i| format!("{}: {}", findings[i].code, findings[i].message))
                .collect();
            let numbers: Vec<String> = list.iter().map(|i| (i + 1).to_string()).collect();
            Some(BlockMark {
                open: format!(
                    "<mark class=\"medreview-lint {}\" title=\"{}\">",
                    class(worst),
                    escape_html(&title.join("\n"))
                ),
                close: format!(
                    "</mark><sup class=\"medreview-lint-ref\">{}</sup>",
                    numbers.join(",")
                ),
            })
        })
        .collect();
    Ok(RedlineMarks {
        blocks,
        panel: panel(findings, &where_, what),
    })
}

/// The panel listing every finding: severity, code, line:column and message, each
/// linked to its mark when it has an id. `what` names the text (`r2`).
pub fn panel(findings: &[Finding], places: &[Place], what: &str) -> String {
    let counts = medreview_lint::Counts::of(findings);
    let mut html = format!(
        "<section class=\"medreview-lint-panel\" aria-label=\"Editorial lint findings\">\n<h2 class=\"medreview-lint-title\">Editorial lint: {}</h2>\n<p class=\"medreview-lint-about\">What <code>medreview lint</code> finds in {}{}. This panel and the marks are not part of the published page.</p>\n",
        escape_html(&counts.describe()),
        escape_html(what),
        if findings.is_empty() {
            ""
        } else {
            ", marked in the text where it shows"
        }
    );
    if !findings.is_empty() {
        html.push_str("<ol class=\"medreview-lint-list\">\n");
        for (i, f) in findings.iter().enumerate() {
            let at = format!("line {}:{}", f.line, f.column);
            let place = match places.get(i) {
                Some(Place::Marked(Some(id))) => format!("<a href=\"#{id}\">{at}</a>"),
                Some(Place::Marked(None)) => at,
                Some(Place::FrontMatter) => format!("{at} (front matter)"),
                _ => format!("{at} (not marked)"),
            };
            html.push_str(&format!(
                "<li class=\"medreview-lint-item {}\" value=\"{}\"><span class=\"medreview-lint-severity\">{}</span> <code>{}</code> <span class=\"medreview-lint-where\">{place}</span>: {}</li>\n",
                class(f.severity),
                i + 1,
                f.severity.as_str(),
                escape_html(&f.code),
                escape_html(&f.message)
            ));
        }
        html.push_str("</ol>\n");
    }
    html.push_str("</section>\n");
    html
}
