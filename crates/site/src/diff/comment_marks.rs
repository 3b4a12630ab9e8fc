//! Review comments shown where the doctor reads: each thread whose words stand in
//! the shown text gets them highlighted and a note in the margin (on a terminal,
//! an indented block after the paragraph; on the HTML redline and on previews, an
//! `<aside class="comment">` floated into a right-hand column), and threads whose
//! words changed are listed apart with the old words and what stands there now.
//!
//! Notes, replies and suggestions are untrusted text: they are escaped for HTML,
//! and control and bidi characters are shown as `\u{…}` escapes everywhere, so
//! none of them becomes markup, moves the text around or drives a terminal.
//! The marks and notes are markup medreview writes; published pages never carry them.

use medreview_core::comments::anchor::{self, Place};
use medreview_core::comments::{Conversation, Locator, Thread, revision_reader};
use medreview_core::error::Result;
use medreview_core::record::ArticleRecord;
use medreview_core::roster::people::People;
use medreview_core::workspace::Workspace;

use crate::diff::Side;
use crate::diff::blocks::Shown;
use crate::render::escape_html;
use crate::render::marks::{self, Scope};

mod preview;
mod text;

pub(crate) use preview::preview_body;
pub use text::{TextMargin, text_margin};

/// Resolved threads a terminal redline shows at their place; with more, it only
/// counts them (`medreview comments` lists them all).
pub const FEW_RESOLVED: usize = 3;

/// The most threads a margin shows (open ones first): a page or a terminal with
/// thousands of notes helps no one, and each costs a pass over the page.
/// `medreview comments` lists them all.
pub const MAX_SHOWN: usize = 200;

/// The style of the marks, the margin notes and the list of threads shown apart.
pub const CSS: &str = "\
mark.comment-anchor { color: inherit; background: #ece4ff; border-bottom: 2px solid #6941c6; padding: 0 0.05em; border-radius: 2px; }
mark.comment-anchor.comment-resolved { background: #f5f2fb; border-bottom: 1px dashed #b9a7e0; }
aside.comment { font: 0.85rem/1.4 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; color: #1d2a33; background: #f7f4ff; border: 0; border-left: 3px solid #6941c6; border-radius: 4px; padding: 0.4rem 0.6rem; margin: 0.4rem 0 0.6rem; text-align: left; text-transform: none; letter-spacing: 0; }
aside.comment.comment-resolved { opacity: 0.6; background: #fafafa; border-left-color: #b9a7e0; }
aside.comment p { margin: 0.15rem 0; border: 0; padding: 0; background: none; color: inherit; font: inherit; }
aside.comment .comment-id { font-family: ui-monospace, monospace; font-size: 0.8rem; }
aside.comment .comment-by { font-weight: 700; }
aside.comment .comment-state { font-weight: 700; text-transform: uppercase; font-size: 0.68rem; letter-spacing: 0.05em; color: #6941c6; }
aside.comment.comment-resolved .comment-state { color: #55636e; }
aside.comment .comment-note { white-space: pre-wrap; overflow-wrap: anywhere; }
aside.comment ol.comment-replies { margin: 0.2rem 0 0; padding-left: 1rem; }
aside.comment ol.comment-replies li { border: 0; padding: 0; margin: 0.1rem 0; background: none; white-space: pre-wrap; overflow-wrap: anywhere; }
@media (min-width: 84rem) { aside.comment { float: right; clear: right; width: 16rem; margin: 0 -18rem 0.6rem 1rem; } }
section.comments-apart { font: 0.92rem/1.45 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; border-top: 1px solid #d9e1e6; margin: 1.5rem 0 0; padding-top: 0.5rem; }
section.comments-apart h2 { font: 700 0.95rem/1.4 system-ui, sans-serif; text-transform: uppercase; letter-spacing: 0.06em; color: #55636e; }
section.comments-apart aside.comment { float: none; width: auto; margin: 0.5rem 0; }
";

/// One thread and where its words stand in the shown text.
#[derive(Debug, Clone)]
pub struct Note {
    /// The thread.
    pub thread: Thread,
    /// Its words' place in the shown text (`article.md`, front matter included).
    pub place: Place,
}

/// The threads of `record` placed in the text of `side` (for the working tree:
/// through the latest revision): open ones first, then by where their words are,
/// the outdated last, at most [`MAX_SHOWN`]. Threads made on a later revision than
/// `side` are left out.
pub fn notes(
    ws: &Workspace,
    record: &ArticleRecord,
    people: &dyn People,
    side: &Side,
) -> Result<Vec<Note>> {
    let target = match side {
        Side::Nothing => return Ok(Vec::new()),
        Side::Revision(r) => r.id.clone(),
        Side::Working => match record.ledger.latest_revision() {
            Some(latest) => latest.id,
            None => return Ok(Vec::new()),
        },
    };
    let conversation = Conversation::of_record(ws, record, people)?;
    let threads = conversation.threads();
    if threads.is_empty() {
        return Ok(Vec::new());
    }
    let revisions = record.ledger.revisions();
    let read = revision_reader(ws, record);
    let mut locator = Locator::new(&revisions, &read);
    let text =
        |bytes: Option<Vec<u8>>| String::from_utf8_lossy(&bytes.unwrap_or_default()).into_owned();
    // The working tree's text, with the latest revision's to carry anchors from.
    let working = match side {
        Side::Working => Some((text(read(&target)), text(record.working.clone()))),
        _ => None,
    };
    let mut notes = Vec::new();
    for thread in &threads {
        let Some(located) = locator.locate(thread, &target) else {
            continue;
        };
        let place = match (&working, located.place.range()) {
            (Some((latest, now)), Some((start, end))) => {
                anchor::relocate(&anchor::at(latest, start, end), now)
            }
            _ => located.place,
        };
        notes.push(Note {
            thread: located.thread,
            place,
        });
    }
    notes.sort_by_key(|n| {
        let range = n.place.range();
        (!n.thread.open, range.is_none(), range.map_or(0, |r| r.0))
    });
    notes.truncate(MAX_SHOWN);
    Ok(notes)
}

/// `text` as inert: control characters (but line breaks) and the characters that
/// reorder text (bidi controls) shown as `\u{…}` escapes.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if bidi || (c.is_control() && c != '\n') {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` inert on one line, cut at `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let line = inert(text).split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// `open`, or `resolved by ID`.
fn state(thread: &Thread) -> String {
    match &thread.resolved {
        Some((by, _)) if !thread.open => format!("resolved by {by}"),
        _ => "open".to_owned(),
    }
}

/// What stands where an outdated thread's words were, in words.
fn now_text(place: &Place) -> Option<String> {
    match place {
        Place::Outdated { now: Some(now) } => Some(format!("Now: \"{}\"", one_line(now, 100))),
        Place::Outdated { now: None } => Some("The quoted words are gone.".to_owned()),
        _ => None,
    }
}

/// The classes of a thread's mark and note.
fn class(thread: &Thread) -> &'static str {
    if thread.open {
        "comment-open"
    } else {
        "comment-resolved"
    }
}

/// A thread's margin note.
pub(crate) fn aside_html(note: &Note) -> String {
    let t = &note.thread;
    let text = |s: &str| escape_html(&inert(s));
    let mut html = format!(
        "<aside class=\"comment {}\" data-thread=\"{}\"><p class=\"comment-head\"><span class=\"comment-id\">{}</span> <span class=\"comment-by\">{}</span> <span class=\"comment-state\">{}</span></p>",
        class(t),
        text(&t.short),
        text(&t.short),
        text(t.by.as_str()),
        text(&state(t))
    );
    if note.place.range().is_none() {
        html.push_str(&format!(
            "<p class=\"comment-was\">Was: <q>{}</q></p>",
            text(&t.anchor.exact)
        ));
        match &note.place {
            Place::Outdated { now: Some(now) } => html.push_str(&format!(
                "<p class=\"comment-now\">Now: <q>{}</q></p>",
                text(now)
            )),
            _ => html.push_str("<p class=\"comment-now\">The quoted words are gone.</p>"),
        }
    }
    if let Some(n) = &t.note {
        html.push_str(&format!("<p class=\"comment-note\">{}</p>", text(n)));
    }
    if let Some(s) = &t.suggest {
        html.push_str(&format!(
            "<p class=\"comment-suggest\">Suggests: <q>{}</q></p>",
            text(s)
        ));
    }
    if !t.replies.is_empty() {
        html.push_str("<ol class=\"comment-replies\">");
        for r in &t.replies {
            html.push_str(&format!(
                "<li><span class=\"comment-by\">{}</span>: {}</li>",
                text(r.by.as_str()),
                text(&r.note)
            ));
        }
        html.push_str("</ol>");
    }
    html.push_str("</aside>\n");
    html
}

/// The section listing threads shown apart: outdated ones, and ones on words the
/// page does not show (`apart`). Empty when there are none.
pub(crate) fn apart_html(outdated: &[&Note], apart: &[&Note]) -> String {
    let mut html = String::new();
    for (notes, title, about) in [
        (
            outdated,
            "Comments no longer anchored",
            "The words these threads were about changed since: the words then, and what stands there now.",
        ),
        (
            apart,
            "Comments on text not shown here",
            "Their words are in the front matter, in unchanged text left out, or where no mark fits.",
        ),
    ] {
        if notes.is_empty() {
            continue;
        }
        html.push_str(&format!(
            "<section class=\"comments-apart\" aria-label=\"{title}\">\n<h2>{title}</h2>\n<p class=\"comments-about\">{about}</p>\n"
        ));
        for note in notes {
            if note.place.range().is_some() {
                // The words are there: say which.
                let mut aside = aside_html(note);
                let head_end = aside.find("</p>").map_or(0, |i| i + 4);
                aside.insert_str(
                    head_end,
                    &format!(
                        "<p class=\"comment-was\">On: <q>{}</q></p>",
                        escape_html(&inert(&note.thread.anchor.exact))
                    ),
                );
                html.push_str(&aside);
            } else {
                html.push_str(&aside_html(note));
            }
        }
        html.push_str("</section>\n");
    }
    html
}

/// The mark around a thread's words.
fn mark_open(thread: &Thread) -> String {
    format!(
        "<mark class=\"comment-anchor {}\" data-thread=\"{}\">",
        class(thread),
        escape_html(&thread.short)
    )
}

/// The body text of `text` (`article.md`) and where it starts, when offsets in
/// `text` are offsets in the body as pages render it.
fn body_of(text: &str) -> Option<(&str, usize)> {
    if text.contains('\r') {
        return None;
    }
    let body = medreview_core::article::split_front_matter(text).map_or(text, |s| s.1);
    Some((body, text.len() - body.len()))
}

/// The notes of one shown block of the HTML redline.
#[derive(Debug, Clone, Default)]
pub(crate) struct PartNotes {
    /// The margin notes, put before the block (or first inside an item or row).
    pub(crate) asides: String,
    /// Each thread's mark and its words as the block's escaped text may hold them.
    pub(crate) words: Vec<(String, String)>,
}

/// The HTML redline's comments: per shown part, and the section shown apart.
#[derive(Debug, Default)]
pub struct RedlineNotes {
    /// By index in the shown parts.
    pub(crate) parts: Vec<Option<PartNotes>>,
    /// The section of threads shown apart (may be empty).
    pub(crate) apart: String,
}

/// Places `notes` (on the newer side's text `new`) on the shown parts of a
/// rendered redline: by the block holding the start of their words.
pub fn redline(new: &[u8], notes: &[Note], shown: &[Shown]) -> RedlineNotes {
    let text = String::from_utf8_lossy(new);
    let mut parts: Vec<Option<PartNotes>> = vec![None; shown.len()];
    let new_index = crate::diff::blocks::new_side_index(shown);
    let placed: Vec<&Note> = notes.iter().filter(|n| n.place.range().is_some()).collect();
    let blocks: Vec<Option<usize>> = match body_of(&text) {
        Some((body, start)) if crate::diff::blocks::any_change(shown) => {
            let places: Vec<(usize, Scope)> = placed
                .iter()
                .map(|n| {
                    let at = n.place.range().map_or(0, |r| r.0);
                    (at.checked_sub(start).unwrap_or(usize::MAX), Scope::Word)
                })
                .collect();
            marks::block_of_places(body, &places)
        }
        _ => vec![None; placed.len()],
    };
    let mut apart: Vec<&Note> = Vec::new();
    for (note, block) in placed.iter().zip(blocks) {
        let part = block.and_then(|b| new_index.iter().position(|&n| n == Some(b)));
        let Some(part) = part else {
            apart.push(note);
            continue;
        };
        let entry = parts[part].get_or_insert_with(PartNotes::default);
        entry.asides.push_str(&aside_html(note));
        entry.words.push((
            mark_open(&note.thread),
            escape_html(&note.thread.anchor.exact),
        ));
    }
    let outdated: Vec<&Note> = notes.iter().filter(|n| n.place.range().is_none()).collect();
    RedlineNotes {
        parts,
        apart: apart_html(&outdated, &apart),
    }
}

/// `html` (one cell of the redline, escaped text in markup) with each thread's
/// words marked where they stand whole in one run of text on the newer side; the
/// threads whose words were not found get one mark around the whole cell.
pub(crate) fn mark_words(html: &str, notes: &PartNotes) -> String {
    let mut out = html.to_owned();
    let mut missed: Vec<&str> = Vec::new();
    for (open, words) in &notes.words {
        let found = (!words.is_empty())
            .then(|| {
                out.match_indices(words.as_str())
                    .map(|(i, _)| i)
                    .find(|&i| in_text(&out[..i]))
            })
            .flatten();
        match found {
            Some(i) => {
                out.insert_str(i + words.len(), "</mark>");
                out.insert_str(i, open);
            }
            None => missed.push(open),
        }
    }
    match missed.first() {
        Some(open) => {
            let open = open.replacen("comment-anchor", "comment-anchor comment-block", 1);
            format!("{open}{out}</mark>")
        }
        None => out,
    }
}

/// Whether the end of `html` is in text of the newer side: outside any tag, and
/// not inside deleted text.
fn in_text(html: &str) -> bool {
    let mut inside = false;
    let mut quoted = false;
    for c in html.chars() {
        match c {
            '"' if inside => quoted = !quoted,
            '<' if !inside => inside = true,
            '>' if inside && !quoted => inside = false,
            _ => {}
        }
    }
    !inside && html.matches("<del>").count() == html.matches("</del>").count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_and_control_characters_are_shown_not_obeyed() {
        assert_eq!(
            inert("a\u{202E}b\x1b[31mc\nd"),
            "a\\u{202E}b\\u{001B}[31mc\nd"
        );
    }

    #[test]
    fn words_are_marked_in_new_text_only_else_the_cell() {
        let notes = PartNotes {
            asides: String::new(),
            words: vec![("<mark class=\"comment-anchor\">".into(), "old".into())],
        };
        assert_eq!(
            mark_words("<del>old</del><ins>new</ins> old", &notes),
            "<del>old</del><ins>new</ins> <mark class=\"comment-anchor\">old</mark>"
        );
        assert_eq!(
            mark_words("<del>old</del> x", &notes),
            "<mark class=\"comment-anchor comment-block\"><del>old</del> x</mark>"
        );
    }
}
