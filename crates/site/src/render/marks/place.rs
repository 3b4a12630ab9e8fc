//! Where a mark goes among a body's parser events: the word, the sentence, the
//! inline element or the block holding a byte offset of the source.

use std::ops::Range;

use pulldown_cmark::{Event, Tag};

use super::Scope;

/// A place between events (`within: None`: before event `event`) or inside the
/// text of event `event`, at byte `within` of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Pos {
    pub(super) event: usize,
    pub(super) within: Option<usize>,
}

pub(super) type Events<'a> = Vec<(Event<'a>, Range<usize>)>;
/// Where each place's mark opens and closes, when it can be put anywhere; marks
/// that would cross another are left out.
pub(super) fn spans(
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

    pub(super) fn before(event: usize) -> Pos {
        Pos {
            event,
            within: None,
        }
    }

    pub(super) fn inside(event: usize, at: usize) -> Pos {
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
        let text_at = |at: usize, ending: bool| {
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
        if let Scope::Until(end) = scope {
            let open = text_at(at, false)?;
            let close = text_at(end, true)?;
            return (open < close)
                .then_some((Pos::inside(open.0, open.1), Pos::inside(close.0, close.1)));
        }
        if scope != Scope::Block {
            if let Some((i, local)) = text_at(at, false) {
                return self.text_span(events, i, local, scope);
            }
            if let Some(span) = inline() {
                return Some(span);
            }
            if let Some((i, local)) = text_at(at, true) {
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
