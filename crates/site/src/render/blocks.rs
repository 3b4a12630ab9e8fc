//! The rendered text of a body as blocks (headings, paragraphs, list items, table
//! rows, notes) of marked text runs, read from the same Markdown parser and options
//! as pages, so a redline compares what patients read rather than Markdown source.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::footnotes;

/// A mark on a run of text: how the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Mark {
    /// Bold.
    Strong,
    /// Italic.
    Emphasis,
    /// Struck through (`~~text~~`).
    Strike,
    /// Inline code.
    Code,
    /// A link to this address.
    Link(String),
    /// An image at this address (the run is its alt text, or its address when it has none).
    Image(String),
    /// The title (tooltip) of the link or image whose mark comes just before.
    Title(String),
    /// A footnote reference (the run is the note's number).
    NoteRef,
    /// Raw HTML the writer typed, shown as its source.
    Html,
}

/// A run of text with its marks, outermost first. A hard line break is a run `"\n"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Run {
    /// The text.
    pub text: String,
    /// Its marks.
    pub marks: Vec<Mark>,
}

/// What a block is on the page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A paragraph.
    Paragraph,
    /// A heading, level 1 to 6.
    Heading(u8),
    /// A list item at `depth` (1: top level); `more` for a second paragraph of an item.
    Item {
        /// Numbered or bulleted.
        ordered: bool,
        /// Nesting, from 1.
        depth: usize,
        /// A later paragraph of the same item.
        more: bool,
        /// On the first item of a numbered list that does not start at 1: its number.
        start: Option<u64>,
    },
    /// A code block.
    Code,
    /// A horizontal rule.
    Rule,
    /// A block of raw HTML, shown as its source.
    Html,
    /// A table row; `head` for the header row.
    Row {
        /// The header row.
        head: bool,
    },
    /// A footnote, with its number on the page.
    Note(usize),
}

/// One block of the rendered body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block {
    /// What it is.
    pub kind: Kind,
    /// How many block quotes it sits in.
    pub quote: usize,
    /// Its text: one cell, or one per table column.
    pub cells: Vec<Vec<Run>>,
}

/// The blocks of `markdown`'s body, notes last in page order.
pub fn blocks(markdown: &str) -> Vec<Block> {
    blocks_of(Parser::new_ext(markdown, super::options()))
}

/// The blocks of a body's parser events (see [`blocks`]).
pub(crate) fn blocks_of<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Block> {
    let split = footnotes::split(events);
    let numbers = |label: &str| split.note(label).map_or(0, |n| n.number);
    let mut walker = Walker::default();
    for event in split.body.iter().cloned() {
        walker.event(event, &numbers);
    }
    walker.flush();
    for note in &split.notes {
        walker.note = Some(note.number);
        walker.start(Kind::Note(note.number));
        for event in note.events.iter().cloned() {
            walker.event(event, &numbers);
        }
        walker.note = None;
        walker.flush();
        walker.lists.clear();
        walker.marks.clear();
    }
    walker.out
}

#[derive(Default)]
struct Walker {
    out: Vec<Block>,
    current: Option<Block>,
    marks: Vec<Mark>,
    lists: Vec<bool>,
    quote: usize,
    in_head: bool,
    /// Inside a note, whose content is one block.
    note: Option<usize>,
    /// The list item whose first paragraph was seen.
    item_has_text: bool,
    /// Cells seen in the current row of a table inside a note.
    note_cells: usize,
    /// For each open image, whether it has shown any text (its alt text).
    images: Vec<bool>,
    /// The number a numbered list just opened starts at, when not 1, for its first item.
    list_start: Option<u64>,
    html: String,
}

impl Walker {
    /// Ends the current block (inside a note, the note's content stays one block).
    fn flush(&mut self) {
        if self.note.is_some() {
            return;
        }
        if !self.html.is_empty() {
            let text = std::mem::take(&mut self.html);
            self.out.push(Block {
                kind: Kind::Html,
                quote: self.quote,
                cells: vec![vec![Run {
                    text: text.trim_end().to_owned(),
                    marks: vec![Mark::Html],
                }]],
            });
        }
        if let Some(block) = self.current.take() {
            let empty = block.cells.iter().all(Vec::is_empty);
            if !empty || matches!(block.kind, Kind::Rule | Kind::Row { .. }) {
                self.out.push(block);
            }
        }
    }

    /// What text outside any block starts: a paragraph, or in a list a later
    /// paragraph of the item.
    fn text_kind(&self) -> Kind {
        match self.lists.last() {
            Some(&ordered) => Kind::Item {
                ordered,
                depth: self.lists.len(),
                more: true,
                start: None,
            },
            None => Kind::Paragraph,
        }
    }

    fn start(&mut self, kind: Kind) {
        if self.note.is_some() && self.current.is_some() {
            return;
        }
        self.flush();
        self.current = Some(Block {
            kind,
            quote: self.quote,
            cells: vec![Vec::new()],
        });
    }

    fn push(&mut self, text: &str, extra: Option<Mark>) {
        if self.current.is_none() {
            self.start(self.text_kind());
        }
        for shown in &mut self.images {
            *shown = true;
        }
        let mut marks = self.marks.clone();
        marks.extend(extra);
        if let Some(block) = self.current.as_mut()
            && let Some(cell) = block.cells.last_mut()
        {
            match cell.last_mut() {
                Some(last) if last.marks == marks && text != "\n" && last.text != "\n" => {
                    last.text.push_str(text)
                }
                _ => cell.push(Run {
                    text: text.to_owned(),
                    marks,
                }),
            }
        }
    }

    fn event(&mut self, event: Event<'_>, numbers: &dyn Fn(&str) -> usize) {
        match event {
            Event::Start(tag) => self.open(tag),
            Event::End(tag) => self.close(tag),
            Event::Text(text) => {
                if self.current.is_none() && !self.html.is_empty() {
                    self.html.push_str(&text);
                } else {
                    self.push(&text, None);
                }
            }
            Event::Code(text) => self.push(&text, Some(Mark::Code)),
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                self.push(&text, Some(Mark::Code))
            }
            Event::Html(text) => {
                if self.current.is_some() {
                    self.push(&text, Some(Mark::Html));
                } else {
                    self.html.push_str(&text);
                }
            }
            Event::InlineHtml(text) => self.push(&text, Some(Mark::Html)),
            Event::FootnoteReference(label) => {
                self.push(&numbers(&label).to_string(), Some(Mark::NoteRef))
            }
            Event::SoftBreak => self.push(" ", None),
            Event::HardBreak => self.push("\n", None),
            Event::Rule if self.note.is_some() => self.push(" ", None),
            Event::Rule => {
                self.flush();
                self.current = Some(Block {
                    kind: Kind::Rule,
                    quote: self.quote,
                    cells: Vec::new(),
                });
                self.flush();
            }
            Event::TaskListMarker(done) => self.push(if done { "[x] " } else { "[ ] " }, None),
        }
    }

    fn open(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                if self.note.is_some() {
                    let started = self
                        .current
                        .as_ref()
                        .is_some_and(|b| b.cells.iter().any(|c| !c.is_empty()));
                    if started {
                        self.push(" ", None);
                    }
                    return;
                }
                match self.current.as_ref().map(|b| &b.kind) {
                    // A tight or loose item's first paragraph is the item itself.
                    Some(Kind::Item { .. }) if !self.item_has_text => {}
                    _ => self.start(self.text_kind()),
                }
                self.item_has_text = true;
            }
            Tag::Heading { level, .. } => self.start(Kind::Heading(heading_level(level))),
            Tag::BlockQuote(_) => {
                self.flush();
                self.quote += 1;
            }
            Tag::CodeBlock(_) => self.start(Kind::Code),
            Tag::HtmlBlock => self.flush(),
            Tag::List(start) => {
                self.flush();
                self.lists.push(start.is_some());
                self.list_start = start.filter(|&n| n != 1);
            }
            Tag::Item => {
                let ordered = self.lists.last().copied().unwrap_or(false);
                let start = self.list_start.take();
                self.start(Kind::Item {
                    ordered,
                    depth: self.lists.len().max(1),
                    more: false,
                    start,
                });
                self.item_has_text = false;
            }
            Tag::Table(_) => self.flush(),
            // Inside a note, whose content is one block, a table's rows and cells
            // follow the note's text, set apart by separators.
            Tag::TableHead | Tag::TableRow if self.note.is_some() => {
                self.in_head = matches!(tag, Tag::TableHead);
                self.note_cells = 0;
                self.push(" ", None);
            }
            Tag::TableCell if self.note.is_some() => {
                if self.note_cells > 0 {
                    self.push(" | ", None);
                }
                self.note_cells += 1;
            }
            Tag::TableHead => {
                self.in_head = true;
                self.start(Kind::Row { head: true });
                self.cells_reset();
            }
            Tag::TableRow => {
                self.start(Kind::Row { head: false });
                self.cells_reset();
            }
            Tag::TableCell => {
                if let Some(block) = self.current.as_mut() {
                    block.cells.push(Vec::new());
                }
            }
            Tag::Emphasis => self.marks.push(Mark::Emphasis),
            Tag::Strong => self.marks.push(Mark::Strong),
            Tag::Strikethrough => self.marks.push(Mark::Strike),
            Tag::Link {
                dest_url, title, ..
            } => {
                self.marks.push(Mark::Link(dest_url.to_string()));
                if !title.is_empty() {
                    self.marks.push(Mark::Title(title.to_string()));
                }
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                self.marks.push(Mark::Image(dest_url.to_string()));
                if !title.is_empty() {
                    self.marks.push(Mark::Title(title.to_string()));
                }
                self.images.push(false);
            }
            _ => {}
        }
    }

    /// Ends a link's or image's marks: its title, if any, and its address.
    fn pop_link(&mut self) {
        if matches!(self.marks.last(), Some(Mark::Title(_))) {
            self.marks.pop();
        }
        self.marks.pop();
    }

    fn cells_reset(&mut self) {
        if let Some(block) = self.current.as_mut() {
            block.cells.clear();
        }
    }

    fn close(&mut self, tag: TagEnd) {
        match tag {
            // Inside a note, flush keeps the note's paragraphs one block.
            TagEnd::Paragraph => self.flush(),
            TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::TableRow | TagEnd::HtmlBlock => {
                self.flush()
            }
            TagEnd::TableHead => {
                self.in_head = false;
                self.flush();
            }
            TagEnd::Item => {
                self.flush();
                self.item_has_text = true;
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote = self.quote.saturating_sub(1);
            }
            TagEnd::Image => {
                // An image without alt text is shown by its address, so a change of
                // it is a change of the text.
                let url = self.marks.iter().rev().find_map(|m| match m {
                    Mark::Image(url) => Some(url.clone()),
                    _ => None,
                });
                if self.images.pop() == Some(false)
                    && let Some(url) = url
                {
                    self.push(&url, None);
                }
                self.pop_link();
            }
            TagEnd::Link => self.pop_link(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.marks.pop();
            }
            _ => {}
        }
    }
}

pub(crate) use medreview_core::markdown::heading_level;

#[cfg(test)]
mod tests {
    use super::*;

    fn text(block: &Block) -> String {
        block
            .cells
            .iter()
            .map(|c| c.iter().map(|r| r.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join(" | ")
    }

    #[test]
    fn headings_items_links_and_notes_are_blocks() {
        let blocks = blocks(
            "## Treatment\n\nSee the [NCI](https://cancer.gov) page.[^1]\n\n- one\n- two\n  - nested\n\n1. first\n\n[^1]: A note.\n",
        );
        let kinds: Vec<(&Kind, String)> = blocks.iter().map(|b| (&b.kind, text(b))).collect();
        assert_eq!(
            kinds,
            vec![
                (&Kind::Heading(2), "Treatment".to_owned()),
                (&Kind::Paragraph, "See the NCI page.1".to_owned()),
                (
                    &Kind::Item {
                        ordered: false,
                        depth: 1,
                        more: false,
                        start: None
                    },
                    "one".to_owned()
                ),
                (
                    &Kind::Item {
                        ordered: false,
                        depth: 1,
                        more: false,
                        start: None
                    },
                    "two".to_owned()
                ),
                (
                    &Kind::Item {
                        ordered: false,
                        depth: 2,
                        more: false,
                        start: None
                    },
                    "nested".to_owned()
                ),
                (
                    &Kind::Item {
                        ordered: true,
                        depth: 1,
                        more: false,
                        start: None
                    },
                    "first".to_owned()
                ),
                (&Kind::Note(1), "A note.".to_owned()),
            ]
        );
        let link = &blocks[1].cells[0][1];
        assert_eq!(link.marks, vec![Mark::Link("https://cancer.gov".into())]);
        assert_eq!(blocks[1].cells[0][3].marks, vec![Mark::NoteRef]);
    }

    #[test]
    fn tables_and_raw_html_are_kept() {
        let blocks = blocks("| a | b |\n|---|---|\n| 1 | 2 |\n\n<div>\nraw\n</div>\n");
        assert_eq!(blocks[0].kind, Kind::Row { head: true });
        assert_eq!(text(&blocks[0]), "a | b");
        assert_eq!(text(&blocks[1]), "1 | 2");
        assert_eq!(blocks[2].kind, Kind::Html);
        assert_eq!(text(&blocks[2]), "<div>\nraw\n</div>");
    }

    #[test]
    fn a_list_start_and_a_link_title_are_kept() {
        let blocks = blocks("3. three\n4. four\n\n[a](https://a.org \"T\")\n");
        assert!(
            matches!(blocks[0].kind, Kind::Item { start: Some(3), .. }),
            "{blocks:?}"
        );
        assert!(
            matches!(blocks[1].kind, Kind::Item { start: None, .. }),
            "{blocks:?}"
        );
        assert_eq!(
            blocks[2].cells[0][0].marks,
            vec![Mark::Link("https://a.org".into()), Mark::Title("T".into())]
        );
    }

    #[test]
    fn a_table_inside_a_note_keeps_the_note_text() {
        let blocks = blocks(
            "x[^1]\n\n[^1]: Take 10 mg.\n\n    | a | b |\n    |---|---|\n    | c | d |\n    | e | f |\n",
        );
        assert_eq!(blocks.len(), 2, "{blocks:?}");
        assert_eq!(text(&blocks[1]), "Take 10 mg. a | b c | d e | f");
    }
}
