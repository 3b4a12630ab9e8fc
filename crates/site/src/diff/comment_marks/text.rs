//! Review comments on a terminal redline: each thread as an indented block
//! behind a bar, after the paragraph holding its words.

use std::collections::BTreeMap;

use super::{FEW_RESOLVED, Note, inert, now_text, one_line, state};

/// The margin of a terminal redline: each thread's block of lines by the paragraph
/// (of the newer side's body) holding its words, and the threads shown apart.
#[derive(Debug, Default)]
pub struct TextMargin {
    /// Blocks by paragraph index (as the redline counts the newer side's paragraphs).
    pub(crate) by_paragraph: BTreeMap<usize, Vec<String>>,
    /// Blocks of threads on words the redline does not show (front matter).
    pub(crate) elsewhere: Vec<String>,
    /// Blocks of outdated threads.
    pub(crate) outdated: Vec<String>,
    /// Resolved threads left out, and the slug to list them with.
    pub(crate) hidden: Option<(usize, String)>,
}

impl TextMargin {
    /// No threads: the redline as it always was.
    pub fn is_empty(&self) -> bool {
        self.by_paragraph.is_empty()
            && self.elsewhere.is_empty()
            && self.outdated.is_empty()
            && self.hidden.is_none()
    }
}

/// The terminal margin of `notes` on `text` (the newer side's `article.md`).
pub fn text_margin(notes: &[Note], text: &[u8], colour: bool, slug: &str) -> TextMargin {
    let text = String::from_utf8_lossy(text);
    let resolved = notes.iter().filter(|n| !n.thread.open).count();
    let hide_resolved = resolved > FEW_RESOLVED;
    let mut margin = TextMargin::default();
    for note in notes {
        if hide_resolved && !note.thread.open {
            continue;
        }
        let block = text_block(note, colour);
        match note.place.range() {
            None => margin.outdated.push(block),
            Some((start, _)) => match crate::diff::text::paragraph_of(&text, start) {
                Some(k) => margin.by_paragraph.entry(k).or_default().push(block),
                None => margin.elsewhere.push(block),
            },
        }
    }
    if hide_resolved {
        margin.hidden = Some((resolved, slug.to_owned()));
    }
    margin
}

/// One thread as indented lines behind a bar: who, open or resolved, the words,
/// the note, the suggestion and the replies.
fn text_block(note: &Note, colour: bool) -> String {
    let t = &note.thread;
    let mut lines = vec![format!(
        "[comment {}] {} ({}) on \"{}\"",
        t.short,
        t.by,
        state(t),
        one_line(&t.anchor.exact, 80)
    )];
    if let Some(now) = now_text(&note.place) {
        lines.push(format!("  {now}"));
    }
    if let Some(text) = &t.note {
        lines.extend(inert(text).lines().map(|l| format!("  {l}")));
    }
    if let Some(suggest) = &t.suggest {
        lines.push(format!("  Suggests: \"{}\"", one_line(suggest, 100)));
    }
    for r in &t.replies {
        lines.push(format!("  ↳ {}: {}", r.by, one_line(&r.note, 200)));
    }
    let (bar, dim) = match (colour, t.open) {
        (false, _) => ("┃".to_owned(), false),
        (true, true) => ("\x1b[35m┃\x1b[0m".to_owned(), false),
        (true, false) => ("┃".to_owned(), true),
    };
    lines
        .iter()
        .map(|l| {
            if dim {
                format!("  \x1b[2m{bar} {l}\x1b[0m\n")
            } else {
                format!("  {bar} {l}\n")
            }
        })
        .collect()
}
