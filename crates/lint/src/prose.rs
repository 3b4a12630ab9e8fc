//! The prose of a body as the page shows it: blocks of rendered text (no Markdown
//! syntax), each remembering where its text came from in the source, read with the
//! same parser and options as pages. The structural rules (`empty-list`,
//! `headings`, `alt-text`, `link`) are judged on the same walk, since they are
//! about the shape the parser sees.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::Found;

/// What a block of prose is on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A paragraph (also inside a block quote).
    Paragraph,
    /// A heading of this level.
    Heading(u8),
    /// The text of a list item.
    Item,
    /// A table cell.
    Cell,
    /// A footnote.
    Note,
    /// The text of a code block.
    Code,
}

/// A block of rendered text.
#[derive(Debug, Clone)]
pub struct Block {
    /// What it is.
    pub kind: BlockKind,
    /// The text a reader sees; a soft line break is a space.
    pub text: String,
    /// `(offset in text, offset in the body)` where each piece of text starts, in order.
    segments: Vec<(usize, usize, bool)>,
    /// Where the block starts in the body.
    pub start: usize,
    /// Whether it holds a link or a footnote reference (a citation).
    pub cited: bool,
    /// Whether it sits in a block quote (a pull-quote).
    pub quoted: bool,
    /// Whether an image comes after its last text (what a colon announced).
    figure_last: bool,
}

impl Block {
    /// The body offset of the text offset `at`.
    pub fn source(&self, at: usize) -> usize {
        let i = self.segments.partition_point(|s| s.0 <= at);
        match i.checked_sub(1).map(|i| self.segments[i]) {
            Some((text, src, exact)) if exact => src + (at - text),
            Some((_, src, _)) => src,
            None => self.start,
        }
    }
}

/// The prose of a body, with what the structural rules found.
pub struct Prose {
    /// The blocks, in page order (notes where they are defined).
    pub blocks: Vec<Block>,
    /// Structural findings (body offsets).
    pub found: Vec<Found>,
    /// How many images the body shows.
    pub images: usize,
}

/// Whether `text` ends by announcing something to follow ("include:", "are:").
fn announces(text: &str) -> bool {
    text.trim_end_matches(|c: char| c.is_whitespace() || super::rules::invisible(c))
        .ends_with([':', '：', '﹕', '꞉', '∶'])
}

/// Whether text shows anything (not only spaces and invisible characters).
fn visible(text: &str) -> bool {
    text.chars()
        .any(|c| !c.is_whitespace() && !super::rules::invisible(c))
}

/// Reads the prose of `body`.
pub fn read(body: &str) -> Prose {
    let mut w = Walker::default();
    for (event, range) in
        Parser::new_ext(body, medreview_core::markdown::options()).into_offset_iter()
    {
        w.event(event, range);
    }
    w.not_a_figure();
    if let Some(at) = w.announced.take() {
        w.found.push(announced_nothing(at));
    }
    w.flush();
    Prose {
        blocks: w.blocks,
        found: w.found,
        images: w.images,
    }
}

fn announced_nothing(at: usize) -> Found {
    Found::new(
        "empty-list",
        at,
        "this announces a list (it ends with a colon), but no list follows; \
         add the list, or end the sentence with a period"
            .to_owned(),
    )
}

#[derive(Default)]
struct Walker {
    blocks: Vec<Block>,
    current: Option<Block>,
    found: Vec<Found>,
    quote: usize,
    /// Where a block that announces a list ended, until the next block shows one.
    announced: Option<usize>,
    /// An announcement the paragraph just begun may satisfy: by starting with an
    /// image ("The dosing chart:" and the chart).
    deferred: Option<usize>,
    /// Open list items: where each started and whether it has content yet.
    items: Vec<(usize, bool)>,
    /// The last heading level (the page title is the level-1 heading).
    heading: u8,
    /// An open link: its address, where it starts, and whether it has text yet.
    link: Option<(String, usize, bool)>,
    /// An open image: its address, where it starts, and its alt text so far.
    image: Option<(String, usize, String)>,
    /// Inside a footnote definition.
    note: bool,
    /// Inside a code block.
    code: bool,
    /// Images seen.
    images: usize,
}

impl Walker {
    fn start(&mut self, kind: BlockKind, at: usize) {
        self.flush();
        self.current = Some(Block {
            kind,
            text: String::new(),
            segments: Vec::new(),
            start: at,
            cited: false,
            quoted: self.quote > 0,
            figure_last: false,
        });
    }

    fn flush(&mut self) {
        if let Some(block) = self.current.take()
            && !block.text.trim().is_empty()
        {
            self.blocks.push(block);
        }
    }

    /// A new block starts: one announced before must have been a list.
    fn block_begins(&mut self, is_list: bool) {
        self.not_a_figure();
        if let Some(at) = self.announced.take()
            && !is_list
        {
            self.found.push(announced_nothing(at));
        }
    }

    /// The current block's text ends (at `at` in the body).
    fn block_ends(&mut self, at: usize) {
        if let Some(block) = &self.current
            && announces(&block.text)
            && !block.figure_last
            && !matches!(block.kind, BlockKind::Heading(_) | BlockKind::Cell)
        {
            // At the colon itself (the block's text ends with it).
            let colon = block.text.trim_end().len().saturating_sub(1);
            self.announced = Some(block.source(colon).min(at).max(block.start));
        }
    }

    /// Starts a block for inline content outside any (a tight list item's first
    /// line), so a link or footnote reference that opens the item cites it.
    fn ensure_block(&mut self, at: usize) {
        if self.current.is_none() {
            let kind = if self.code {
                BlockKind::Code
            } else if self.items.is_empty() {
                BlockKind::Paragraph
            } else {
                BlockKind::Item
            };
            self.start(kind, at);
        }
    }

    /// What comes first in a paragraph after an announcement is not an image.
    fn not_a_figure(&mut self) {
        if let Some(at) = self.deferred.take() {
            self.found.push(announced_nothing(at));
        }
    }

    fn text(&mut self, text: &str, at: usize, exact: bool) {
        if self.image.is_none() {
            self.not_a_figure();
        }
        if let Some(item) = self.items.last_mut()
            && visible(text)
        {
            item.1 = true;
        }
        if let Some(link) = &mut self.link
            && visible(text)
        {
            link.2 = true;
        }
        if let Some(image) = &mut self.image {
            image.2.push_str(text);
            return;
        }
        self.ensure_block(at);
        if let Some(block) = &mut self.current {
            block.figure_last = false;
            block.segments.push((block.text.len(), at, exact));
            block.text.push_str(text);
        }
    }

    fn event(&mut self, event: Event<'_>, range: std::ops::Range<usize>) {
        match event {
            Event::Start(tag) => self.open(tag, range.start),
            Event::End(tag) => self.close(tag, range),
            Event::Text(t) => {
                let exact = t.len() == range.len();
                self.text(&t, range.start, exact);
            }
            Event::Code(t) => self.text(&t, range.start + 1, false),
            Event::SoftBreak | Event::HardBreak => self.text(" ", range.start, false),
            Event::FootnoteReference(_) => {
                if let Some(item) = self.items.last_mut() {
                    item.1 = true;
                }
                self.ensure_block(range.start);
                if let Some(block) = &mut self.current {
                    block.cited = true;
                }
            }
            Event::Html(_) | Event::InlineHtml(_) | Event::Rule => {
                if matches!(event, Event::Rule | Event::Html(_)) {
                    self.block_begins(false);
                    // Inline tags alone (`- <span></span>`) show nothing: not content.
                    if let Some(item) = self.items.last_mut() {
                        item.1 = true;
                    }
                }
            }
            _ => {}
        }
    }

    fn open(&mut self, tag: Tag<'_>, at: usize) {
        match tag {
            Tag::Paragraph => {
                self.not_a_figure();
                self.deferred = self.announced.take();
                let in_item = self.items.last().is_some_and(|i| !i.1);
                match &self.current {
                    // The first paragraph of a loose list item is the item's text.
                    Some(b) if in_item && b.kind == BlockKind::Item && b.text.is_empty() => {}
                    _ if in_item => self.start(BlockKind::Item, at),
                    // A footnote's paragraphs are the note (a citation, not a claim).
                    _ if self.note => self.start(BlockKind::Note, at),
                    _ => self.start(BlockKind::Paragraph, at),
                }
            }
            Tag::Heading { level, .. } => {
                self.block_begins(false);
                let level = medreview_core::markdown::heading_level(level);
                if level == 1 {
                    self.found.push(Found::new(
                        "headings",
                        at,
                        "a level-1 heading in the body: the page title is the only one; use `##`"
                            .to_owned(),
                    ));
                } else if level > self.heading.max(1) + 1 {
                    self.found.push(Found::new(
                        "headings",
                        at,
                        format!(
                            "this heading skips from level {} to level {level}; use {}",
                            self.heading.max(1),
                            "#".repeat(usize::from(self.heading.max(1)) + 1)
                        ),
                    ));
                }
                self.heading = level;
                self.start(BlockKind::Heading(level), at);
            }
            Tag::List(_) => {
                // A list satisfies what the block before announced (also nested in an item).
                if let Some(block) = &self.current
                    && announces(&block.text)
                {
                    self.announced = None;
                }
                self.flush();
                self.block_begins(true);
                if let Some(item) = self.items.last_mut() {
                    item.1 = true;
                }
            }
            Tag::Item => {
                self.block_begins(false);
                self.flush();
                self.items.push((at, false));
            }
            Tag::Table(_) | Tag::BlockQuote(_) | Tag::CodeBlock(_) => {
                // A table, a quote or a code block can be what a colon announces.
                self.block_begins(true);
                self.flush();
                if let Some(item) = self.items.last_mut() {
                    item.1 = true;
                }
                if matches!(tag, Tag::BlockQuote(_)) {
                    self.quote += 1;
                }
                if matches!(tag, Tag::CodeBlock(_)) {
                    self.code = true;
                }
            }
            Tag::TableCell => self.start(BlockKind::Cell, at),
            Tag::FootnoteDefinition(_) => {
                self.block_begins(false);
                self.note = true;
                self.start(BlockKind::Note, at);
            }
            Tag::Link { dest_url, .. } => {
                self.ensure_block(at);
                // A citation links to a source elsewhere, not to `#top` or `mailto:`.
                let lower = dest_url.to_ascii_lowercase();
                if let Some(block) = &mut self.current
                    && (lower.starts_with("https://") || lower.starts_with("http://"))
                {
                    block.cited = true;
                }
                self.link = Some((dest_url.to_string(), at, false));
            }
            Tag::Image { dest_url, .. } => {
                self.images += 1;
                self.deferred = None;
                if let Some(block) = &mut self.current {
                    block.figure_last = true;
                }
                if let Some(item) = self.items.last_mut() {
                    item.1 = true;
                }
                self.image = Some((dest_url.to_string(), at, String::new()));
            }
            _ => {}
        }
    }

    fn close(&mut self, tag: TagEnd, range: std::ops::Range<usize>) {
        if !matches!(tag, TagEnd::Image) {
            self.not_a_figure();
        }
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::TableCell => {
                self.block_ends(range.end);
                self.flush();
            }
            TagEnd::FootnoteDefinition => {
                self.block_ends(range.end);
                self.flush();
                self.note = false;
                // What a note's last line announced cannot be the text after it.
                self.announced = None;
            }
            TagEnd::Item => {
                self.block_ends(range.end);
                self.flush();
                if let Some((start, false)) = self.items.pop() {
                    self.found.push(Found::new(
                        "empty-list",
                        start,
                        "an empty list item: write what it should say, or remove the bullet"
                            .to_owned(),
                    ));
                }
            }
            // A list's last item that announces a list and ends it is still an
            // announcement: what comes next must be a list.
            TagEnd::List(_) => {}
            TagEnd::CodeBlock => {
                self.flush();
                self.code = false;
            }
            TagEnd::BlockQuote(_) => {
                self.block_ends(range.end);
                self.flush();
                self.quote = self.quote.saturating_sub(1);
            }
            TagEnd::Link => {
                if let Some((url, at, has_text)) = self.link.take() {
                    if !has_text {
                        self.found.push(Found::new(
                            "link",
                            at,
                            format!("a link to {url} with no text: write what it links to"),
                        ));
                    }
                    if let Some(why) = address_problem(&url) {
                        self.found.push(Found::new("link", at, why));
                    }
                }
            }
            TagEnd::Image => {
                if let Some((url, at, alt)) = self.image.take() {
                    if !visible(&alt) {
                        self.found.push(Found::new(
                            "alt-text",
                            at,
                            format!(
                                "the image {url} has no alt text: describe it in the brackets, `![what it shows]({url})`"
                            ),
                        ));
                    }
                    if let Some(why) = address_problem(&url) {
                        self.found.push(Found::new("link", at, why));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Why an address is a problem for a patient page, if it is: not `https`.
pub(crate) fn address_problem(url: &str) -> Option<String> {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("http://") {
        return Some(format!(
            "{url} is not https: readers' browsers warn, and the page can be altered on the way; use https://"
        ));
    }
    let scheme_end = lower.find(':');
    let path_start = lower.find(['/', '?', '#']).unwrap_or(lower.len());
    if let Some(end) = scheme_end
        && end < path_start
    {
        let scheme = &lower[..end];
        if !matches!(scheme, "https" | "mailto" | "tel") {
            return Some(format!(
                "{url} uses `{scheme}:`, which pages do not link to; use an https:// address"
            ));
        }
    }
    if url.trim().is_empty() {
        return Some("a link with no address".to_owned());
    }
    None
}
