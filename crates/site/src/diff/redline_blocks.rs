//! The rendered redline as HTML: headings as headings, list items in lists, links as
//! links (with their address when they changed), table rows in tables, notes last,
//! each with `<del>` and `<ins>` inside. Every text is escaped here and the result is
//! sanitized again, so nothing a writer typed becomes markup.

use crate::diff::blocks::{Change, Shown, ShownBlock, Tag};
use crate::diff::comment_marks::{PartNotes, mark_words};
use crate::render::blocks::{Kind, Mark, Run};
use crate::render::{escape_html, sanitize_redline};

/// A mark around the text of one shown block (lint findings): markup medreview
/// writes, kept by the redline's sanitizer (classes and titles).
#[derive(Debug, Clone)]
pub struct BlockMark {
    /// Before the block's text.
    pub open: String,
    /// After it.
    pub close: String,
}

/// The body part of the redline page.
pub fn body_html(shown: &[Shown]) -> String {
    body_html_marked(shown, &[], &[])
}

/// The body part of the redline page, with `marks[i]` around the text of part `i`
/// and the comment threads `notes[i]` on it.
pub(crate) fn body_html_marked(
    shown: &[Shown],
    marks: &[Option<BlockMark>],
    notes: &[Option<PartNotes>],
) -> String {
    let mut out = Html::default();
    for (i, part) in shown.iter().enumerate() {
        match part {
            Shown::Elided(n) => {
                out.close_groups();
                out.push(&format!(
                    "<p class=\"elided\">⋯ {n} unchanged part{} ⋯</p>\n",
                    if *n == 1 { "" } else { "s" }
                ));
            }
            Shown::Block(block) => out.block(
                block,
                marks.get(i).and_then(Option::as_ref),
                notes.get(i).and_then(Option::as_ref),
            ),
        }
    }
    out.close_groups();
    sanitize_redline(&out.text)
}

#[derive(Default)]
struct Html {
    text: String,
    /// Open lists, outermost first: numbered or not.
    lists: Vec<bool>,
    table: bool,
    notes: bool,
}

fn class(block: &ShownBlock) -> String {
    let mut class = match block.change {
        Change::Same => "context",
        Change::Edited => "changed",
        Change::Deleted => "deleted",
        Change::Inserted => "inserted",
    }
    .to_owned();
    if block.quote > 0 {
        class.push_str(" quote");
    }
    class
}

/// A short label for a block whose sort changed (a heading's level, say).
fn kind_name(kind: &Kind) -> String {
    match kind {
        Kind::Paragraph => "a paragraph".into(),
        Kind::Heading(n) => format!("a level {n} heading"),
        Kind::Item {
            ordered: true,
            start: Some(n),
            ..
        } => format!("a numbered item from {n}"),
        Kind::Item { ordered: true, .. } => "a numbered item".into(),
        Kind::Item { .. } => "a bulleted item".into(),
        Kind::Code => "code".into(),
        Kind::Rule => "a rule".into(),
        Kind::Html => "HTML".into(),
        Kind::Row { .. } => "a table row".into(),
        Kind::Note(n) => format!("note {n}"),
    }
}

impl Html {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn close_lists(&mut self, depth: usize) {
        while self.lists.len() > depth {
            let ordered = self.lists.pop().unwrap_or(false);
            self.push(if ordered { "</ol>\n" } else { "</ul>\n" });
        }
    }

    fn close_groups(&mut self) {
        self.close_lists(0);
        if self.table {
            self.push("</table>\n");
            self.table = false;
        }
        if self.notes {
            self.push("</div>\n");
            self.notes = false;
        }
    }

    /// Labels before a block: moved, or a change of its sort.
    fn labels(block: &ShownBlock) -> String {
        let mut labels = String::new();
        if block.moved {
            labels.push_str("<span class=\"label\">moved</span> ");
        }
        if let Some(was) = &block.was {
            let name = match (was, &block.kind) {
                // Only the list's first number changed.
                (
                    Kind::Item {
                        ordered: true,
                        depth,
                        more,
                        start,
                    },
                    Kind::Item {
                        ordered: true,
                        depth: d,
                        more: m,
                        ..
                    },
                ) if depth == d && more == m => format!("numbered from {}", start.unwrap_or(1)),
                _ => kind_name(was),
            };
            labels.push_str(&format!(
                "<span class=\"label\">was {}</span> ",
                escape_html(&name)
            ));
        }
        labels
    }

    fn block(&mut self, block: &ShownBlock, mark: Option<&BlockMark>, notes: Option<&PartNotes>) {
        let class = class(block);
        let labels = Self::labels(block);
        // Margin notes stand before a paragraph, first inside an item or a row.
        let asides = notes.map_or("", |n| n.asides.as_str());
        let cell = |i: usize, pre: bool| {
            let html = block
                .cells
                .get(i)
                .map_or(String::new(), |runs| cell_html(runs, pre));
            let html = match notes {
                Some(n) if i == 0 && !pre => mark_words(&html, n),
                _ => html,
            };
            match mark {
                Some(m) => format!("{}{html}{}", m.open, m.close),
                None => html,
            }
        };
        match &block.kind {
            Kind::Item {
                ordered,
                depth,
                start,
                ..
            } => {
                if self.table || self.notes {
                    self.close_groups();
                }
                self.close_lists(*depth);
                if self.lists.len() == *depth && self.lists.last() != Some(ordered) {
                    self.close_lists(depth - 1);
                }
                while self.lists.len() < *depth {
                    self.lists.push(*ordered);
                    let open = match start {
                        Some(n) if *ordered && self.lists.len() == *depth => {
                            format!("<ol start=\"{n}\">\n")
                        }
                        _ if *ordered => "<ol>\n".to_owned(),
                        _ => "<ul>\n".to_owned(),
                    };
                    self.push(&open);
                }
                let more = matches!(block.kind, Kind::Item { more: true, .. });
                let class = if more { format!("{class} more") } else { class };
                let html = format!(
                    "<li class=\"{class}\">{asides}{labels}{}</li>\n",
                    cell(0, false)
                );
                self.push(&html);
            }
            Kind::Row { head } => {
                if !self.lists.is_empty() || self.notes {
                    self.close_groups();
                }
                if !self.table {
                    self.push("<table>\n");
                    self.table = true;
                }
                let tag = if *head { "th" } else { "td" };
                let cells: String = (0..block.cells.len())
                    .map(|i| {
                        let asides = if i == 0 { asides } else { "" };
                        format!("<{tag}>{asides}{}</{tag}>", cell(i, false))
                    })
                    .collect();
                let html = format!("<tr class=\"{class}\">{cells}</tr>\n");
                self.push(&html);
                if !labels.is_empty() {
                    let html = format!("<tr><td>{labels}</td></tr>\n");
                    self.push(&html);
                }
            }
            Kind::Note(n) => {
                if !self.lists.is_empty() || self.table {
                    self.close_groups();
                }
                if !self.notes {
                    self.push("<div class=\"notes\">\n<h2 class=\"notes-title\">Notes</h2>\n");
                    self.notes = true;
                }
                let html = format!(
                    "{asides}<p class=\"note {class}\">{labels}<sup>{n}</sup> {}</p>\n",
                    cell(0, false)
                );
                self.push(&html);
            }
            other => {
                self.close_groups();
                self.push(asides);
                let html = match other {
                    Kind::Heading(n) => {
                        format!(
                            "<h{n} class=\"{class}\">{labels}{}</h{n}>\n",
                            cell(0, false)
                        )
                    }
                    Kind::Code => format!(
                        "<pre class=\"{class}\">{labels}<code>{}</code></pre>\n",
                        cell(0, true)
                    ),
                    Kind::Rule => format!(
                        "<div class=\"rule {class}\">{labels}{}</div>\n",
                        match block.change {
                            Change::Deleted => "<del>―――</del>",
                            Change::Inserted => "<ins>―――</ins>",
                            _ => "<hr>",
                        }
                    ),
                    Kind::Html => format!(
                        "<pre class=\"html {class}\">{labels}<code>{}</code></pre>\n",
                        cell(0, true)
                    ),
                    _ => format!("<p class=\"{class}\">{labels}{}</p>\n", cell(0, false)),
                };
                self.push(&html);
            }
        }
    }
}

/// A cell's runs, each tagged run inside `<del>` or `<ins>`.
fn cell_html(runs: &[(Tag, Vec<Run>)], pre: bool) -> String {
    let mut out = String::new();
    for (tag, runs) in runs {
        let inner = runs_html(runs, pre, *tag != Tag::Same);
        match tag {
            Tag::Same => out.push_str(&inner),
            Tag::Deleted => out.push_str(&format!("<del>{inner}</del>")),
            Tag::Inserted => out.push_str(&format!("<ins>{inner}</ins>")),
        }
    }
    out
}

/// An address a redline may link to: the web, mail, phone, or a place on the page.
fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.find(':') {
        Some(colon) if !lower[..colon].contains(['/', '?', '#']) => {
            ["http", "https", "mailto", "tel"].contains(&&lower[..colon])
        }
        _ => true,
    }
}

/// Runs with their marks as HTML; in a changed run, the addresses of its image and
/// link are shown after it (the image's first), so a changed address can be read,
/// not only hovered.
fn runs_html(runs: &[Run], pre: bool, changed: bool) -> String {
    let mut out = String::new();
    for run in runs {
        if run.text == "\n" && !pre {
            out.push_str("<br>");
            continue;
        }
        let mut text = escape_html(&run.text);
        let mut after = String::new();
        // A title, shown after the address of its link or image.
        let mut title = String::new();
        for mark in run.marks.iter().rev() {
            text = match mark {
                Mark::Strong => format!("<strong>{text}</strong>"),
                Mark::Emphasis => format!("<em>{text}</em>"),
                Mark::Strike => format!("<s>{text}</s>"),
                Mark::Code | Mark::Html => format!("<code>{text}</code>"),
                Mark::NoteRef => format!("<sup class=\"noteref\">{text}</sup>"),
                Mark::Title(t) => {
                    if changed {
                        title = format!(" <span class=\"title\">“{}”</span>", escape_html(t));
                    }
                    text
                }
                Mark::Image(url) if run.text == *url => {
                    // An image without alt text, shown by its address.
                    if changed {
                        after.push_str(&std::mem::take(&mut title));
                    }
                    format!(
                        "<span class=\"image\">[image: {}]</span>",
                        escape_html(&percent_encoded(url))
                    )
                }
                Mark::Image(url) => {
                    if changed {
                        after.push_str(&href_html(url));
                        after.push_str(&std::mem::take(&mut title));
                    }
                    format!("<span class=\"image\">[image: {text}]</span>")
                }
                Mark::Link(url) => {
                    if changed {
                        after.push_str(&href_html(url));
                        after.push_str(&std::mem::take(&mut title));
                    }
                    if safe_url(url) {
                        format!("<a href=\"{}\">{text}</a>", escape_html(url))
                    } else {
                        format!("<span class=\"link\">{text}</span>")
                    }
                }
            };
        }
        out.push_str(&text);
        out.push_str(&after);
    }
    out
}

/// An address shown after a changed run, percent-encoded as the page writes it
/// (every byte outside printable ASCII), so a look-alike letter of another script
/// reads differently.
fn href_html(url: &str) -> String {
    format!(
        " <span class=\"href\">{}</span>",
        escape_html(&percent_encoded(url))
    )
}

/// `url` with every byte outside printable ASCII percent-encoded.
fn percent_encoded(url: &str) -> String {
    let mut encoded = String::with_capacity(url.len());
    for byte in url.bytes() {
        if byte.is_ascii_graphic() {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::blocks::rendered;
    use crate::render::blocks::blocks;

    fn html(old: &str, new: &str) -> String {
        body_html(&rendered(&blocks(old), &blocks(new)))
    }

    #[test]
    fn writer_text_never_becomes_markup() {
        let out = html(
            "Safe.\n",
            "<ins>fake</ins> [x](javascript:alert(1)) <p class=\"deleted\">\n",
        );
        assert!(!out.contains("<ins>fake"), "{out}");
        assert!(out.contains("&lt;ins&gt;"), "{out}");
        assert!(!out.contains("javascript:alert(1)\">"), "{out}");
        assert!(!out.contains("href=\"javascript"), "{out}");
    }

    #[test]
    fn a_renumbered_list_and_an_image_without_alt_text_read_clearly() {
        let out = html("1. a\n2. b\n", "3. a\n4. b\n");
        assert!(out.contains("<ol start=\"3\">"), "{out}");
        assert!(out.contains("was numbered from 1"), "{out}");
        let out = html(
            "![](https://x.org/a.png)\n",
            "![](https://x.org/\u{0430}.png)\n",
        );
        assert!(
            out.contains(
                "<ins><span class=\"image\">[image: https://x.org/%D0%B0.png]</span></ins>"
            ),
            "{out}"
        );
    }

    #[test]
    fn a_changed_address_is_shown_percent_encoded() {
        let out = html("[x](https://a.org/é)\n", "[x](https://\u{0430}.org/é)\n");
        assert!(out.contains("https://a.org/%C3%A9</span>"), "{out}");
        assert!(out.contains("https://%D0%B0.org/%C3%A9</span>"), "{out}");
    }

    #[test]
    fn a_heading_level_change_is_labelled() {
        let out = html("## Surgery\n", "### Surgery\n");
        assert_eq!(
            out,
            "<h3 class=\"changed\"><span class=\"label\">was a level 2 heading</span> Surgery</h3>\n"
        );
    }
}
