//! Placeholders for marks: put into the events, and replaced by the marks' markup
//! after sanitizing, only where that is safe.

use std::ops::Range;

use pulldown_cmark::Event;

use super::Pin;
use super::place::{Events, Pos};

/// The events with each span's placeholders put in.
pub(super) fn with_placeholders<'a>(
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
pub(super) struct Nonce {
    open: String,
}

const END: char = '\u{E003}';

impl Nonce {
    pub(super) fn for_source(source: &str) -> Nonce {
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

    pub(super) fn text(&self, kind: char, i: usize) -> String {
        format!("{}{kind}{i}{END}", self.open)
    }

    /// `text` without placeholders.
    pub(super) fn strip(&self, text: &str) -> String {
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
    pub(super) fn fill(&self, html: &str, pins: &[Pin]) -> (String, Vec<bool>) {
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
pub(super) fn in_tag(html: &str) -> bool {
    let mut state = TagState::default();
    state.scan(html);
    state.inside
}

/// Whether sanitized `html` closes every element it opens and nothing else.
pub(super) fn balanced(html: &str) -> bool {
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
