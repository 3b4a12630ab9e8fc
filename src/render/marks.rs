//! Marks on a rendered body: places in the Markdown (byte offsets, as lint findings
//! give them) wrapped in markup medreview writes itself.
//!
//! Each place is put into the parser's events as a pair of placeholders no writer
//! can type (128 random bits per page, as for footnotes); the events go through the
//! very rendering and sanitizer pages use, and the markup replaces the placeholders
//! afterwards, only where both survived, outside any tag, around balanced HTML. A
//! writer's own `<mark class=…>` loses its class to the sanitizer like any other.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use super::blocks::{self, Block, Run};

/// How much of the text at a place a mark covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The word there.
    Word,
    /// The sentence around it.
    Sentence,
    /// The block (paragraph, heading, list item, cell) holding it.
    Block,
}

/// One place to mark, with the markup around it (already safe HTML).
pub struct Pin {
    /// A byte offset in the body.
    pub at: usize,
    /// How much to cover.
    pub scope: Scope,
    /// Markup before the covered text.
    pub open: String,
    /// Markup after it.
    pub close: String,
}

/// A place between events (`within: None`: before event `event`) or inside the
/// text of event `event`, at byte `within` of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Pos {
    event: usize,
    within: Option<usize>,
}

type Events<'a> = Vec<(Event<'a>, Range<usize>)>;

/// `markdown` as [`super::markdown_to_html`] renders it, with each pin's markup
/// around its place; and which pins were placed (the others are in the text nowhere).
pub fn markdown_to_html_marked(markdown: &str, pins: &[Pin]) -> (String, Vec<bool>) {
    let events: Events<'_> = Parser::new_ext(markdown, super::options())
        .into_offset_iter()
        .collect();
    let places: Vec<(usize, Scope)> = pins.iter().map(|p| (p.at, p.scope)).collect();
    let spans = spans(markdown, &events, &places);
    let nonce = Nonce::for_source(markdown);
    let pinned = with_placeholders(&events, &spans, &nonce);
    let split = super::footnotes::split(pinned.into_iter().map(|(e, _)| e));
    let marker = super::footnotes::Marker::for_source(markdown);
    let html = super::footnotes::render(split, &marker, |events| {
        let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
        pulldown_cmark::html::push_html(&mut unsafe_html, events.into_iter());
        super::SANITIZER.clean(&unsafe_html).to_string()
    });
    nonce.fill(&html, pins)
}

/// For each place, the index in [`blocks::blocks`] of `markdown` of the block
/// holding it, when it can be told.
pub fn block_of_places(markdown: &str, places: &[(usize, Scope)]) -> Vec<Option<usize>> {
    let events: Events<'_> = Parser::new_ext(markdown, super::options())
        .into_offset_iter()
        .collect();
    let plain = normalized(&blocks::blocks(markdown), None);
    let all = spans(markdown, &events, places);
    let nonce = Nonce::for_source(markdown);
    let found = |spans: &[Option<(Pos, Pos)>]| -> Option<Vec<Option<usize>>> {
        let pinned = blocks::blocks_of(
            with_placeholders(&events, spans, &nonce)
                .into_iter()
                .map(|(e, _)| e),
        );
        if normalized(&pinned, Some(&nonce)) != plain {
            return None;
        }
        Some(
            (0..spans.len())
                .map(|i| {
                    let open = nonce.text('O', i);
                    spans[i]?;
                    pinned
                        .iter()
                        .position(|b| b.cells.iter().flatten().any(|run| run.text.contains(&open)))
                })
                .collect(),
        )
    };
    if let Some(found) = found(&all) {
        return found;
    }
    // One at a time: a place that changes the blocks (an empty list item) is left out.
    (0..all.len())
        .map(|i| {
            let one: Vec<Option<(Pos, Pos)>> = (0..all.len())
                .map(|j| if j == i { all[j] } else { None })
                .collect();
            found(&one).and_then(|f| f[i])
        })
        .collect()
}

/// Blocks without placeholders, empty runs, or the run boundaries they made.
fn normalized(blocks: &[Block], nonce: Option<&Nonce>) -> Vec<Block> {
    blocks
        .iter()
        .map(|b| {
            let mut b = b.clone();
            for cell in &mut b.cells {
                let mut runs: Vec<Run> = Vec::new();
                for mut run in std::mem::take(cell) {
                    if let Some(nonce) = nonce {
                        run.text = nonce.strip(&run.text);
                    }
                    match runs.last_mut() {
                        _ if run.text.is_empty() => {}
                        Some(last)
                            if last.marks == run.marks && last.text != "\n" && run.text != "\n" =>
                        {
                            last.text.push_str(&run.text)
                        }
                        _ => runs.push(run),
                    }
                }
                *cell = runs;
            }
            b
        })
        .collect()
}

/// Where each place's mark opens and closes, when it can be put anywhere; marks
/// that would cross another are left out.
fn spans(
    markdown: &str,
    events: &Events<'_>,
    places: &[(usize, Scope)],
) -> Vec<Option<(Pos, Pos)>> {
    let tree = Tree::of(events);
    let mut spans: Vec<Option<(Pos, Pos)>> = places
        .iter()
        .map(|&(at, scope)| tree.span(markdown, events, at, scope))
        .collect();
    // Keep only marks that nest.
    let mut order: Vec<usize> = (0..spans.len()).filter(|&i| spans[i].is_some()).collect();
    order.sort_by_key(|&i| {
        let (open, close) = spans[i].unwrap_or((Pos::START, Pos::START));
        (open, std::cmp::Reverse(close), i)
    });
    let mut stack: Vec<Pos> = Vec::new();
    for i in order {
        let Some((open, close)) = spans[i] else {
            continue;
        };
        while stack.last().is_some_and(|&end| end <= open) {
            stack.pop();
        }
        if stack.last().is_some_and(|&end| close > end) {
            spans[i] = None;
        } else {
            stack.push(close);
        }
    }
    spans
}

impl Pos {
    const START: Pos = Pos {
        event: 0,
        within: None,
    };

    fn before(event: usize) -> Pos {
        Pos {
            event,
            within: None,
        }
    }

    fn inside(event: usize, at: usize) -> Pos {
        Pos {
            event,
            within: Some(at),
        }
    }
}

/// The nesting of the events.
struct Tree {
    /// For a `Start` event, the index of its `End`.
    end: Vec<Option<usize>>,
    /// The innermost `Start` enclosing each event.
    parent: Vec<Option<usize>>,
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Link { .. } | Tag::Image { .. }
    )
}

/// Events that render as text or as balanced markup of their own.
fn is_atom(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Text(_)
            | Event::Code(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::FootnoteReference(_)
    )
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\'' | '\u{2019}' | '-')
}

/// Where a sentence ends in `text`: after `.`, `!` or `?` followed by a space or the
/// end of the text.
fn sentence_ends(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.char_indices().filter_map(|(i, c)| {
        let after = i + c.len_utf8();
        (matches!(c, '.' | '!' | '?')
            && text[after..].chars().next().is_none_or(char::is_whitespace))
        .then_some(after)
    })
}

impl Tree {
    fn of(events: &Events<'_>) -> Tree {
        let mut end = vec![None; events.len()];
        let mut parent = vec![None; events.len()];
        let mut stack: Vec<usize> = Vec::new();
        for (i, (event, _)) in events.iter().enumerate() {
            if matches!(event, Event::End(_))
                && let Some(s) = stack.pop()
            {
                end[s] = Some(i);
            }
            parent[i] = stack.last().copied();
            if matches!(event, Event::Start(_)) {
                stack.push(i);
            }
        }
        Tree { end, parent }
    }

    fn ancestors(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.parent[i], |&p| self.parent[p])
    }

    /// Whether event `i` sits inside an image (its alt text is an attribute).
    fn in_image(&self, events: &Events<'_>, i: usize) -> bool {
        self.ancestors(i)
            .any(|p| matches!(events[p].0, Event::Start(Tag::Image { .. })))
    }

    fn span(
        &self,
        markdown: &str,
        events: &Events<'_>,
        at: usize,
        scope: Scope,
    ) -> Option<(Pos, Pos)> {
        // A text event whose source is its text, holding `at` (or ending there).
        let text_at = |ending: bool| {
            events.iter().enumerate().find_map(|(i, (event, range))| {
                let Event::Text(text) = event else {
                    return None;
                };
                let holds = range.start <= at && (at < range.end || (ending && at == range.end));
                (holds
                    && markdown.get(range.clone()) == Some(text.as_ref())
                    && !self.in_image(events, i))
                .then(|| {
                    let mut local = at - range.start;
                    while !text.is_char_boundary(local) {
                        local -= 1;
                    }
                    (i, local)
                })
            })
        };
        let inline = || {
            let mut found = None;
            for (i, (event, range)) in events.iter().enumerate() {
                if let Event::Start(tag) = event
                    && is_inline(tag)
                    && range.contains(&at)
                    && !self.in_image(events, i)
                {
                    found = Some(i);
                }
            }
            let start = found?;
            Some((Pos::before(start), Pos::before(self.end[start]? + 1)))
        };
        if scope != Scope::Block {
            if let Some((i, local)) = text_at(false) {
                return self.text_span(events, i, local, scope);
            }
            if let Some(span) = inline() {
                return Some(span);
            }
            if let Some((i, local)) = text_at(true) {
                return self.text_span(events, i, local, scope);
            }
        }
        self.block_span(events, at)
    }

    /// The word or sentence at byte `local` of text event `i`.
    fn text_span(
        &self,
        events: &Events<'_>,
        i: usize,
        local: usize,
        scope: Scope,
    ) -> Option<(Pos, Pos)> {
        let text = match &events[i].0 {
            Event::Text(t) => t.as_ref(),
            _ => return None,
        };
        if scope == Scope::Word {
            let start = text[..local]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| is_word(c))
                .last()
                .map_or(local, |(j, _)| j);
            let end = local
                + text[local..]
                    .char_indices()
                    .find(|&(_, c)| !is_word(c))
                    .map_or(text.len() - local, |(j, _)| j);
            if end > start {
                return Some((Pos::inside(i, start), Pos::inside(i, end)));
            }
        }
        // The sentence: back to the end of the one before, on through atoms.
        let start = match sentence_ends(&text[..local]).last() {
            Some(end) => {
                let skip = text[end..].len() - text[end..].trim_start().len();
                Pos::inside(i, end + skip)
            }
            None => {
                let mut first = Pos::before(i);
                let mut prev = i;
                while prev > 0 && is_atom(&events[prev - 1].0) {
                    prev -= 1;
                    if let Event::Text(t) = &events[prev].0
                        && let Some(end) = sentence_ends(t).last()
                    {
                        let skip = t[end..].len() - t[end..].trim_start().len();
                        if end + skip < t.len() {
                            first = Pos::inside(prev, end + skip);
                        }
                        break;
                    }
                    first = Pos::before(prev);
                }
                // Not from the line break after the sentence before.
                match first {
                    Pos {
                        event,
                        within: None,
                    } if event < i
                        && matches!(events[event].0, Event::SoftBreak | Event::HardBreak) =>
                    {
                        Pos::before(event + 1)
                    }
                    other => other,
                }
            }
        };
        let end = match sentence_ends(&text[local..]).next() {
            Some(end) => Pos::inside(i, local + end),
            None => {
                let mut last = i + 1;
                while last < events.len() && is_atom(&events[last].0) {
                    if let Event::Text(t) = &events[last].0
                        && let Some(end) = sentence_ends(t).next()
                    {
                        return Some((start, Pos::inside(last, end)));
                    }
                    last += 1;
                }
                Pos::before(last)
            }
        };
        Some((start, end))
    }

    /// The content of the innermost paragraph, heading, cell, code block or list
    /// item holding `at` (or the first such block of the container holding it).
    fn block_span(&self, events: &Events<'_>, at: usize) -> Option<(Pos, Pos)> {
        let leaf = |tag: &Tag<'_>| {
            matches!(
                tag,
                Tag::Paragraph
                    | Tag::Heading { .. }
                    | Tag::TableCell
                    | Tag::CodeBlock(_)
                    | Tag::Item
            )
        };
        let block = |tag: &Tag<'_>| {
            leaf(tag)
                || matches!(
                    tag,
                    Tag::BlockQuote(_)
                        | Tag::List(_)
                        | Tag::Table(_)
                        | Tag::TableHead
                        | Tag::TableRow
                        | Tag::FootnoteDefinition(_)
                        | Tag::HtmlBlock
                )
        };
        let mut holder = None;
        for (i, (event, range)) in events.iter().enumerate() {
            if let Event::Start(tag) = event
                && block(tag)
                && range.contains(&at)
            {
                holder = Some(i);
            }
        }
        let holder = holder?;
        let mut target = holder;
        loop {
            let Event::Start(tag) = &events[target].0 else {
                return None;
            };
            if matches!(tag, Tag::HtmlBlock) {
                return None;
            }
            let end = self.end[target]?;
            let first_child = (target + 1..end).find(|&c| {
                self.parent[c] == Some(target)
                    && matches!(&events[c].0, Event::Start(t) if block(t))
            });
            if leaf(tag) && !(matches!(tag, Tag::Item) && first_child == target.checked_add(1)) {
                // Up to the first block inside (a tight item's nested list).
                let close = first_child.unwrap_or(end);
                return Some((Pos::before(target + 1), Pos::before(close)));
            }
            // A container: its first leaf block from `at` on, else its first.
            let children: Vec<usize> = (target + 1..end)
                .filter(|&c| {
                    self.parent[c] == Some(target)
                        && matches!(&events[c].0, Event::Start(t) if block(t))
                })
                .collect();
            target = children
                .iter()
                .copied()
                .find(|&c| events[c].1.start >= at)
                .or_else(|| children.first().copied())?;
        }
    }
}

/// The events with each span's placeholders put in.
fn with_placeholders<'a>(
    events: &Events<'a>,
    spans: &[Option<(Pos, Pos)>],
    nonce: &Nonce,
) -> Events<'a> {
    // Everything at one place, in the order that keeps marks nested: closes (the
    // latest opened first), empty marks, then opens (the longest first).
    let mut at: std::collections::BTreeMap<Pos, Vec<(u8, Pos, usize)>> = Default::default();
    for (i, span) in spans.iter().enumerate() {
        let Some((open, close)) = *span else { continue };
        if open == close {
            at.entry(open).or_default().push((1, open, i));
            continue;
        }
        at.entry(close).or_default().push((0, open, i));
        at.entry(open).or_default().push((2, close, i));
    }
    let text_of = |entries: &mut Vec<(u8, Pos, usize)>| -> String {
        entries.sort_by(|a, b| match (a.0, b.0) {
            (0, 0) => b.1.cmp(&a.1).then(b.2.cmp(&a.2)),
            (2, 2) => b.1.cmp(&a.1).then(a.2.cmp(&b.2)),
            _ => a.0.cmp(&b.0).then(a.2.cmp(&b.2)),
        });
        entries
            .iter()
            .map(|&(kind, _, i)| match kind {
                0 => nonce.text('C', i),
                1 => format!("{}{}", nonce.text('O', i), nonce.text('C', i)),
                _ => nonce.text('O', i),
            })
            .collect()
    };
    let mut out = Vec::with_capacity(events.len() + spans.len() * 2);
    for (k, (event, range)) in events.iter().enumerate() {
        if let Some(mut entries) = at.remove(&Pos::before(k)) {
            out.push((
                Event::Text(text_of(&mut entries).into()),
                range.start..range.start,
            ));
        }
        let inside: Vec<Pos> = at
            .range(Pos::inside(k, 0)..=Pos::inside(k, usize::MAX))
            .map(|(p, _)| *p)
            .collect();
        match event {
            Event::Text(text) if !inside.is_empty() => {
                let mut new = String::with_capacity(text.len() + inside.len() * 48);
                let mut from = 0;
                for pos in inside {
                    let to = pos.within.unwrap_or(0).min(text.len());
                    if to >= from && text.is_char_boundary(to) {
                        new.push_str(&text[from..to]);
                        from = to;
                    }
                    if let Some(mut entries) = at.remove(&pos) {
                        new.push_str(&text_of(&mut entries));
                    }
                }
                new.push_str(&text[from..]);
                out.push((Event::Text(new.into()), range.clone()));
            }
            _ => out.push((event.clone(), range.clone())),
        }
    }
    for (_, mut entries) in at {
        out.push((Event::Text(text_of(&mut entries).into()), 0..0));
    }
    out
}

/// Placeholders no writer can type: 128 bits drawn at random for each page.
struct Nonce {
    open: String,
}

const END: char = '\u{E003}';

impl Nonce {
    fn for_source(source: &str) -> Nonce {
        use std::hash::{BuildHasher, Hasher};
        let nonce = |salt: u8| {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u8(salt);
            hasher.write(source.as_bytes());
            hasher.finish()
        };
        Nonce {
            open: format!("\u{E002}{:016x}{:016x}\u{E002}", nonce(2), nonce(3)),
        }
    }

    fn text(&self, kind: char, i: usize) -> String {
        format!("{}{kind}{i}{END}", self.open)
    }

    /// `text` without placeholders.
    fn strip(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(&self.open) {
            out.push_str(&rest[..at]);
            let after = &rest[at + self.open.len()..];
            rest = after
                .find(END)
                .map_or(after, |end| &after[end + END.len_utf8()..]);
        }
        out.push_str(rest);
        out
    }

    /// Every placeholder in `html` with where it is, and whether it is outside any tag.
    fn find(&self, html: &str) -> Vec<(Range<usize>, char, usize, bool)> {
        let mut found = Vec::new();
        let mut from = 0;
        let mut tags = TagState::default();
        while let Some(at) = html[from..].find(&self.open).map(|a| a + from) {
            tags.scan(&html[from..at]);
            let after = at + self.open.len();
            let Some(end) = html[after..].find(END).map(|e| e + after) else {
                break;
            };
            let body = &html[after..end];
            let mut chars = body.chars();
            if let (Some(kind), Ok(n)) = (chars.next(), chars.as_str().parse::<usize>()) {
                found.push((at..end + END.len_utf8(), kind, n, !tags.inside));
            }
            from = end + END.len_utf8();
        }
        found
    }

    /// `html` with the markup of every pin whose placeholders both survived, in
    /// order, outside tags and around balanced HTML; the other placeholders removed.
    fn fill(&self, html: &str, pins: &[Pin]) -> (String, Vec<bool>) {
        let found = self.find(html);
        let mut opens = vec![Vec::new(); pins.len()];
        let mut closes = vec![Vec::new(); pins.len()];
        for (k, (range, kind, n, text)) in found.iter().enumerate() {
            if *n < pins.len() && *text {
                match kind {
                    'O' => opens[*n].push((k, range.clone())),
                    'C' => closes[*n].push((k, range.clone())),
                    _ => {}
                }
            }
        }
        let placed: Vec<bool> = (0..pins.len())
            .map(|n| match (opens[n].as_slice(), closes[n].as_slice()) {
                ([(_, o)], [(_, c)]) => o.end <= c.start && balanced(&html[o.end..c.start]),
                _ => false,
            })
            .collect();
        let mut out = String::with_capacity(html.len() + pins.len() * 160);
        let mut from = 0;
        for (range, kind, n, text) in &found {
            out.push_str(&html[from..range.start]);
            if *text && placed.get(*n) == Some(&true) {
                match kind {
                    'O' => out.push_str(&pins[*n].open),
                    _ => out.push_str(&pins[*n].close),
                }
            }
            from = range.end;
        }
        out.push_str(&html[from..]);
        (out, placed)
    }
}

/// Whether sanitized HTML read so far ends inside a tag (after `<`, before its `>`).
#[derive(Default)]
struct TagState {
    inside: bool,
    quoted: bool,
}

impl TagState {
    fn scan(&mut self, html: &str) {
        for c in html.chars() {
            match c {
                '"' if self.inside => self.quoted = !self.quoted,
                '<' if !self.inside => self.inside = true,
                '>' if self.inside && !self.quoted => self.inside = false,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
fn in_tag(html: &str) -> bool {
    let mut state = TagState::default();
    state.scan(html);
    state.inside
}

/// Whether sanitized `html` closes every element it opens and nothing else.
fn balanced(html: &str) -> bool {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let tag = &rest[at + 1..];
        let mut quoted = false;
        let Some(end) = tag.char_indices().find_map(|(i, c)| match c {
            '"' => {
                quoted = !quoted;
                None
            }
            '>' if !quoted => Some(i),
            _ => None,
        }) else {
            return false;
        };
        let inner = &tag[..end];
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if closing {
            if open.pop().as_deref() != Some(name.as_str()) {
                return false;
            }
        } else if !VOID.contains(&name.as_str()) && !inner.ends_with('/') {
            open.push(name);
        }
        rest = &tag[end + 1..];
    }
    open.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pin(at: usize, scope: Scope, n: usize) -> Pin {
        Pin {
            at,
            scope,
            open: format!("<mark class=\"m\" title=\"{n}\">"),
            close: "</mark>".to_owned(),
        }
    }

    fn marked(markdown: &str, pins: &[Pin]) -> String {
        markdown_to_html_marked(markdown, pins).0
    }

    #[test]
    fn without_pins_the_page_is_the_published_one() {
        let md = "# T\n\nText[^1] <b>raw</b> & *more*.\n\n- a\n-\n\n[^1]: Note.\n";
        assert_eq!(marked(md, &[]), super::super::markdown_to_html(md));
    }

    #[test]
    fn words_sentences_and_blocks_are_marked() {
        let md = "One. About 20 percent of people\nhave it. Three.\n\nCommon examples include:\n\n## Heading\n\n- a\n-\n";
        let at = md.find("About").expect("about");
        let colon = md.find("include:").expect("include") + "include:".len();
        let head = md.find("## ").expect("heading");
        let empty = md.rfind("-\n").expect("empty item");
        let pins = [
            pin(at, Scope::Sentence, 1),
            pin(at + 9, Scope::Word, 2),
            pin(colon, Scope::Sentence, 3),
            pin(head, Scope::Block, 4),
            pin(empty, Scope::Sentence, 5),
        ];
        let (html, placed) = markdown_to_html_marked(md, &pins);
        assert_eq!(placed, vec![true; 5], "{html}");
        insta::assert_snapshot!(html, @r#"
        <p>One. <mark class="m" title="1">About 20 <mark class="m" title="2">percent</mark> of people
        have it.</mark> Three.</p>
        <p><mark class="m" title="3">Common examples include:</mark></p>
        <h2><mark class="m" title="4">Heading</mark></h2>
        <ul>
        <li>a</li>
        <li><mark class="m" title="5"></mark></li>
        </ul>
        "#);
    }

    #[test]
    fn links_images_and_notes_are_marked_whole_and_no_alt_text_holds_a_mark() {
        let md = "See ![](https://x.org/a.png) and [a *b*](http://x.org).[^1]\n\n[^1]: About 40 percent.\n";
        let pins = [
            pin(md.find("![").expect("img"), Scope::Sentence, 1),
            pin(md.find("[a").expect("link"), Scope::Sentence, 2),
            pin(md.find("About").expect("note"), Scope::Sentence, 3),
        ];
        let html = marked(md, &pins);
        assert!(
            html.contains(
                "<mark class=\"m\" title=\"1\"><img src=\"https://x.org/a.png\" alt=\"\"></mark>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<mark class=\"m\" title=\"2\"><a href=\"http://x.org\" rel=\"noopener noreferrer\">a <em>b</em></a></mark>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<p><mark class=\"m\" title=\"3\">About 40 percent.</mark> <a href=\"#fnref-1\""
            ),
            "{html}"
        );
    }

    #[test]
    fn a_writer_cannot_forge_or_break_a_mark() {
        let md = "<mark class=\"m\" title=\"forged\">Forged</mark> text \u{E002}00\u{E002}O0\u{E003}.\n\nPara <i>open\n";
        let pins = [
            pin(md.find("text").expect("text"), Scope::Word, 1),
            pin(md.find("Para").expect("para"), Scope::Block, 2),
        ];
        let (html, placed) = markdown_to_html_marked(md, &pins);
        assert!(
            html.contains(
                "<mark title=\"forged\">Forged</mark> <mark class=\"m\" title=\"1\">text</mark>"
            ),
            "{html}"
        );
        assert!(html.contains("\u{E002}00\u{E002}O0\u{E003}"), "{html}");
        // The writer's unclosed `<i>` makes the sanitizer move the paragraph's end:
        // that mark is left out whole rather than broken.
        assert_eq!(placed, vec![true, false], "{html}");
        assert_eq!(html.matches("<mark").count(), 2, "{html}");
        assert_eq!(html.matches("</mark>").count(), 2, "{html}");
    }

    #[test]
    fn places_map_to_their_blocks() {
        let md = "First para.\n\n- item one\n-\n\n| A | B |\n|---|---|\n| x | About 30 percent |\n\nLast[^n].\n\n[^n]: A note.\n";
        let places = [
            (md.find("First").expect("first"), Scope::Sentence),
            (md.find("one").expect("one"), Scope::Word),
            (md.rfind("-\n").expect("empty"), Scope::Sentence),
            (md.find("About").expect("about"), Scope::Sentence),
            (md.find("A note").expect("note"), Scope::Sentence),
        ];
        let blocks = blocks::blocks(md);
        let found = block_of_places(md, &places);
        let kinds: Vec<Option<&blocks::Kind>> =
            found.iter().map(|f| f.map(|i| &blocks[i].kind)).collect();
        assert_eq!(found[0], Some(0));
        assert!(
            matches!(kinds[1], Some(blocks::Kind::Item { .. })),
            "{kinds:?}"
        );
        assert_eq!(found[2], None, "an empty item is no block");
        assert!(
            matches!(kinds[3], Some(blocks::Kind::Row { head: false })),
            "{kinds:?}"
        );
        assert!(matches!(kinds[4], Some(blocks::Kind::Note(1))), "{kinds:?}");
    }

    #[test]
    fn balance_is_checked_on_sanitized_html() {
        assert!(balanced("a <b title=\"x>y\">c</b><br> d"));
        assert!(!balanced("a </p><p> b"));
        assert!(!balanced("<b>c"));
        assert!(in_tag("<a title=\"x"));
        assert!(!in_tag("<a title=\"x\">y"));
    }
}
