//! Showing a [`Redline`]: a terminal redline (colour or plain markers) and a
//! self-contained HTML page a doctor can open in a browser.

use serde::Serialize;

use crate::diff::blocks::Shown;
use crate::diff::comment_marks::{RedlineNotes, TextMargin};
use crate::diff::text::{Block, FieldChange, Piece, Redline};
use crate::render::{Context, TemplateSource, Templates};
use medreview_core::error::Result;

/// The built-in redline page template.
const REDLINE_HTML: &str = include_str!("../templates/redline.html");

/// One side of a comparison, as the header names it.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    /// `r2 1a2b3c4`, `working tree`, or `nothing`.
    pub label: String,
    /// Who submitted and signed it, and when.
    pub detail: String,
    /// Each approval and re-review of it as signed: the meaning, the printed name
    /// and credentials of its time, and the date and time (21 CFR 11.50).
    pub signatures: Vec<String>,
}

/// What is being compared.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// The article's slug.
    pub slug: String,
    /// Its title (of the newer side).
    pub title: String,
    /// The older side.
    pub from: SideInfo,
    /// The newer side.
    pub to: SideInfo,
}

/// `3 words added, 1 removed` (or `no changes`).
pub fn summary(redline: &Redline) -> String {
    if redline.is_empty() {
        return "No changes.".into();
    }
    format!(
        "{} added, {} removed.",
        medreview_core::plural::plural(redline.words_added, "word", "words"),
        redline.words_removed
    )
}

/// Markers for deleted and inserted text.
struct Marks {
    del: (&'static str, &'static str),
    ins: (&'static str, &'static str),
}

const PLAIN: Marks = Marks {
    del: ("[-", "-]"),
    ins: ("{+", "+}"),
};

/// Red strike-through and green underline.
const COLOUR: Marks = Marks {
    del: ("\x1b[9;31m", "\x1b[0m"),
    ins: ("\x1b[4;32m", "\x1b[0m"),
};

/// The terminal redline. `colour` switches plain markers for ANSI colours.
pub fn text(header: &Header, redline: &Redline, colour: bool) -> String {
    text_with_margin(header, redline, colour, &TextMargin::default())
}

/// The terminal redline with review comments: each thread's block after the
/// paragraph holding its words, and the threads shown apart at the end.
pub fn text_with_margin(
    header: &Header,
    redline: &Redline,
    colour: bool,
    margin: &TextMargin,
) -> String {
    let mut shown_paragraphs: Vec<usize> = Vec::new();
    // The newer side's paragraph each block shows, counted as the redline counts them.
    let mut next = 0;
    let marks = if colour { &COLOUR } else { &PLAIN };
    let mut out = String::new();
    out.push_str(&format!(
        "{}: {} → {}\n",
        header.slug, header.from.label, header.to.label
    ));
    for (sign, side) in [("---", &header.from), ("+++", &header.to)] {
        out.push_str(&format!("{sign} {}", side.label));
        if !side.detail.is_empty() {
            out.push_str(&format!(": {}", side.detail));
        }
        out.push('\n');
    }
    out.push_str(&summary(redline));
    out.push('\n');
    if !redline.fields.is_empty() {
        out.push_str("\nFront matter\n");
        for field in &redline.fields {
            match field {
                FieldChange::Value { name, old, new } => {
                    let old = old
                        .as_deref()
                        .map_or("(none)".to_owned(), |o| mark(marks.del, o));
                    let new = new
                        .as_deref()
                        .map_or("(removed)".to_owned(), |n| mark(marks.ins, n));
                    out.push_str(&format!("  {name}: {old} → {new}\n"));
                }
                FieldChange::List {
                    name,
                    added,
                    removed,
                } => {
                    for item in added {
                        out.push_str(&format!("  {name} added: {}\n", mark(marks.ins, item)));
                    }
                    for item in removed {
                        out.push_str(&format!("  {name} removed: {}\n", mark(marks.del, item)));
                    }
                }
            }
        }
    }
    let body_changed = redline
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Changed { .. }));
    if body_changed {
        out.push_str("\nText\n");
        for block in &redline.blocks {
            out.push('\n');
            let paragraph = match block {
                Block::Elided(n) => {
                    next += n;
                    None
                }
                Block::Context(_) => Some(next),
                Block::Changed { pieces, .. } => pieces
                    .iter()
                    .any(|p| !matches!(p, Piece::Deleted(_)))
                    .then_some(next),
            };
            if let Some(k) = paragraph {
                next = k + 1;
            }
            match block {
                Block::Elided(n) => out.push_str(&format!(
                    "  ⋯ {} ⋯\n",
                    medreview_core::plural::plural(
                        *n,
                        "unchanged paragraph",
                        "unchanged paragraphs"
                    )
                )),
                Block::Context(text) => {
                    out.push_str(text);
                    out.push('\n');
                }
                Block::Changed { pieces, moved } => {
                    if *moved {
                        out.push_str("(moved)\n");
                    }
                    for piece in pieces {
                        match piece {
                            Piece::Same(t) => out.push_str(t),
                            Piece::Deleted(t) => out.push_str(&mark(marks.del, t)),
                            Piece::Inserted(t) => out.push_str(&mark(marks.ins, t)),
                        }
                    }
                    out.push('\n');
                }
            }
            if let Some(notes) = paragraph.and_then(|k| margin.by_paragraph.get(&k)) {
                shown_paragraphs.extend(paragraph);
                for note in notes {
                    out.push_str(note);
                }
            }
        }
    }
    let mut apart: Vec<&String> = margin
        .by_paragraph
        .iter()
        .filter(|(k, _)| !shown_paragraphs.contains(k))
        .flat_map(|(_, notes)| notes)
        .collect();
    apart.extend(&margin.elsewhere);
    for (title, notes) in [
        ("Comments on text not shown above", apart),
        (
            "Comments no longer anchored (their words changed)",
            margin.outdated.iter().collect(),
        ),
    ] {
        if !notes.is_empty() {
            out.push_str(&format!("\n{title}\n\n"));
            for note in notes {
                out.push_str(note);
            }
        }
    }
    if let Some((n, slug)) = &margin.hidden {
        out.push_str(&format!(
            "\n{} not shown; `medreview comments {slug}` lists them.\n",
            medreview_core::plural::plural(*n, "resolved thread", "resolved threads")
        ));
    }
    out
}

/// Wraps `text` in markers; with colour, each line separately so a terminal's
/// line wrapping never carries a colour past the change.
fn mark(marker: (&str, &str), text: &str) -> String {
    text.split('\n')
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("{}{line}{}", marker.0, marker.1)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[derive(Serialize)]
struct FieldView<'a> {
    kind: &'static str,
    name: &'a str,
    old: Option<&'a str>,
    new: Option<&'a str>,
    added: &'a [String],
    removed: &'a [String],
}

/// The self-contained HTML redline page (inline CSS, no external assets, every text
/// escaped): front-matter fields one by one, and the body as rendered, compared block by block.
pub fn html(
    header: &Header,
    redline: &Redline,
    body: &[Shown],
    lint: Option<&crate::diff::lint_marks::RedlineMarks>,
    comments: Option<&RedlineNotes>,
) -> Result<String> {
    let templates = Templates::new(vec![TemplateSource {
        name: "redline.html".into(),
        text: REDLINE_HTML.into(),
    }])?;
    let empty: &[String] = &[];
    let fields: Vec<FieldView<'_>> = redline
        .fields
        .iter()
        .map(|f| match f {
            FieldChange::Value { name, old, new } => FieldView {
                kind: "value",
                name,
                old: old.as_deref(),
                new: new.as_deref(),
                added: empty,
                removed: empty,
            },
            FieldChange::List {
                name,
                added,
                removed,
            } => FieldView {
                kind: "list",
                name,
                old: None,
                new: None,
                added,
                removed,
            },
        })
        .collect();
    let mut ctx = Context::default();
    ctx.insert("slug", &header.slug);
    ctx.insert("title", &header.title);
    ctx.insert("from", &header.from);
    ctx.insert("to", &header.to);
    ctx.insert("summary", &summary(redline));
    ctx.insert("fields", &fields);
    if crate::diff::blocks::any_change(body) {
        let marks = lint.map_or(&[][..], |l| l.blocks.as_slice());
        let notes = comments.map_or(&[][..], |c| c.parts.as_slice());
        ctx.insert_safe(
            "body_html",
            super::redline_blocks::body_html_marked(body, marks, notes),
        );
    } else {
        ctx.insert("body_html", &None::<String>);
    }
    match lint.and_then(|l| l.panel.as_ref()) {
        Some(panel) => ctx.insert_safe("lint_panel", panel.clone()),
        None => ctx.insert("lint_panel", &None::<String>),
    }
    let shown = lint.is_some_and(|l| l.panel.is_some());
    ctx.insert_safe(
        "lint_css",
        if shown {
            crate::diff::lint_marks::CSS
        } else {
            ""
        }
        .to_owned(),
    );
    // Comments add their style and section only where there are threads, so a
    // redline without them is the page it always was.
    match comments {
        Some(c) => {
            ctx.insert_safe("comments_css", crate::diff::comment_marks::CSS.to_owned());
            ctx.insert_safe("comments_apart", c.apart.clone());
        }
        None => {
            ctx.insert_safe("comments_css", String::new());
            ctx.insert("comments_apart", &None::<String>);
        }
    }
    templates.render("redline.html", &ctx)
}
