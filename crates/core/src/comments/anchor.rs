//! Where a comment points: a W3C TextQuoteSelector (the exact words, with a few
//! words of context either side) on a revision's text, plus the source offsets,
//! and how it is found again in a later revision.
//!
//! The text is the revision's `article.md` as submitted (front matter and
//! Markdown). A doctor may quote what the page shows rather than the Markdown
//! source (`HER2-positive` for `**HER2-positive**`): a quote not found in the
//! source is looked for in the words the page shows, and the anchor keeps the
//! source words it covers.

use serde::{Deserialize, Serialize};

/// How many characters of context an anchor keeps either side of its words.
pub const CONTEXT_CHARS: usize = 32;

/// The longest quote a comment may anchor to.
pub const MAX_QUOTE_CHARS: usize = 2_000;

/// A W3C TextQuoteSelector with the source offsets of its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// The quoted words, exactly as the revision's source holds them.
    pub exact: String,
    /// Up to [`CONTEXT_CHARS`] characters before them.
    pub prefix: String,
    /// Up to [`CONTEXT_CHARS`] characters after them.
    pub suffix: String,
    /// The byte offset of the first quoted byte in the revision's text.
    pub start: usize,
    /// The byte offset just past the last.
    pub end: usize,
}

/// One place a quote was found, for a refusal that lists the candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The 1-based line.
    pub line: usize,
    /// The words around it, on one line.
    pub context: String,
    /// Text that tells this place apart (for `--prefix`).
    pub prefix: String,
}

/// Why a quote could not be anchored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// The words are not in the text; the lines that share most words with them.
    NotFound(Vec<Candidate>),
    /// The words are there more than once and the context given does not tell
    /// which; every place.
    Ambiguous(Vec<Candidate>),
}

/// Where an anchor stands in a later revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "place")]
pub enum Place {
    /// The same words with the same context.
    Anchored {
        /// Byte offsets in the later text.
        start: usize,
        /// End offset.
        end: usize,
    },
    /// The same words, elsewhere or with other words around them.
    Moved {
        /// Byte offsets in the later text.
        start: usize,
        /// End offset.
        end: usize,
    },
    /// The quoted words changed.
    Outdated {
        /// What stands now between the old context, where the context is still
        /// there; `None` when the passage is gone.
        now: Option<String>,
    },
}

impl Place {
    /// `anchored`, `moved` or `outdated`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Place::Anchored { .. } => "anchored",
            Place::Moved { .. } => "moved",
            Place::Outdated { .. } => "outdated",
        }
    }

    /// The byte range in the later text, unless outdated.
    pub fn range(&self) -> Option<(usize, usize)> {
        match self {
            Place::Anchored { start, end } | Place::Moved { start, end } => Some((*start, *end)),
            Place::Outdated { .. } => None,
        }
    }
}

/// The anchor of `quote` in `text`: found in the source, else in the words the
/// page shows; `prefix`/`suffix` (text right before/after the quote) tell apart
/// repeated words.
pub fn find(
    text: &str,
    quote: &str,
    prefix: Option<&str>,
    suffix: Option<&str>,
) -> Result<Anchor, Miss> {
    let mut hits = source_hits(text, quote);
    if hits.is_empty() {
        hits = shown_hits(text, quote);
    }
    if hits.is_empty() {
        return Err(Miss::NotFound(near_lines(text, quote)));
    }
    let fits = |&(start, end): &(usize, usize)| {
        prefix.is_none_or(|p| ends_with_loose(&text[..start], p))
            && suffix.is_none_or(|s| starts_with_loose(&text[end..], s))
    };
    let chosen: Vec<(usize, usize)> = hits.iter().copied().filter(fits).collect();
    match chosen.as_slice() {
        [(start, end)] => Ok(at(text, *start, *end)),
        [] => Err(Miss::NotFound(
            hits.iter().map(|&(s, e)| candidate(text, s, e)).collect(),
        )),
        many => Err(Miss::Ambiguous(
            many.iter().map(|&(s, e)| candidate(text, s, e)).collect(),
        )),
    }
}

/// The anchor covering `text[start..end]`, with its context.
pub fn at(text: &str, start: usize, end: usize) -> Anchor {
    let before = &text[..start];
    let prefix_start = before
        .char_indices()
        .rev()
        .nth(CONTEXT_CHARS - 1)
        .map_or(0, |(i, _)| i);
    let after = &text[end..];
    let suffix_end = after
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(after.len(), |(i, _)| i);
    Anchor {
        exact: text[start..end].to_owned(),
        prefix: before[prefix_start..].to_owned(),
        suffix: after[..suffix_end].to_owned(),
        start,
        end,
    }
}

/// Finds `anchor` (made on an earlier text) in `text`: the exact words with their
/// context, else the exact words alone where they are there once or the context
/// tells which, else the place between the old context (outdated, showing what
/// stands there now).
pub fn relocate(anchor: &Anchor, text: &str) -> Place {
    let hits = source_hits(text, &anchor.exact);
    let with_context: Vec<(usize, usize)> = hits
        .iter()
        .copied()
        .filter(|&(s, e)| {
            text[..s].ends_with(&anchor.prefix) && text[e..].starts_with(&anchor.suffix)
        })
        .collect();
    if let [(start, end)] = with_context.as_slice() {
        return if *start == anchor.start {
            Place::Anchored {
                start: *start,
                end: *end,
            }
        } else {
            Place::Moved {
                start: *start,
                end: *end,
            }
        };
    }
    let pick = match hits.as_slice() {
        [one] => Some(*one),
        [] => None,
        many => best_by_context(text, many, anchor),
    };
    if let Some((start, end)) = pick {
        return Place::Moved { start, end };
    }
    Place::Outdated {
        now: between_context(text, anchor),
    }
}

/// Every place the exact words stand in the source.
fn source_hits(text: &str, quote: &str) -> Vec<(usize, usize)> {
    if quote.is_empty() {
        return Vec::new();
    }
    text.match_indices(quote)
        .map(|(i, m)| (i, i + m.len()))
        .collect()
}

/// Every place the words stand in what the page shows (Markdown marks left out,
/// runs of white space as one space), as source byte ranges.
fn shown_hits(text: &str, quote: &str) -> Vec<(usize, usize)> {
    let wanted = squash(quote);
    if wanted.is_empty() {
        return Vec::new();
    }
    let (shown, map) = shown_text(text);
    shown
        .match_indices(&wanted)
        .filter_map(|(i, m)| {
            let start = *map.get(i)?;
            let last = *map.get(i + m.len() - 1)?;
            let end = last + text[last..].chars().next().map_or(1, char::len_utf8);
            Some((start, end))
        })
        .collect()
}

/// Runs of white space as one space, trimmed.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the page shows of the body (text and code spans, white space squashed), and
/// for each of its bytes the source byte it came from.
fn shown_text(text: &str) -> (String, Vec<usize>) {
    use pulldown_cmark::{Event, Parser};
    let body_start =
        crate::article::split_front_matter(text).map_or(0, |(_, body)| text.len() - body.len());
    let body = &text[body_start..];
    let mut shown = String::new();
    let mut map: Vec<usize> = Vec::new();
    let push = |piece: &str, origin: usize, shown: &mut String, map: &mut Vec<usize>| {
        for (i, c) in piece.char_indices() {
            if c.is_whitespace() {
                if shown.is_empty() || shown.ends_with(' ') {
                    continue;
                }
                shown.push(' ');
                map.push(origin + i);
                continue;
            }
            let at = shown.len();
            shown.push(c);
            map.extend(std::iter::repeat_n(origin + i, shown.len() - at));
        }
    };
    for (event, range) in Parser::new_ext(body, crate::markdown::options()).into_offset_iter() {
        match event {
            Event::Text(t) | Event::Code(t) => {
                // The event's text is the source slice where it is one; else (an
                // entity, say) its bytes map to the start of the range.
                let origin = body_start + range.start;
                if body.get(range.clone()) == Some(&*t) {
                    push(&t, origin, &mut shown, &mut map);
                } else if let Some(i) = body[range.clone()].find(&*t) {
                    push(&t, origin + i, &mut shown, &mut map);
                } else {
                    let at = shown.len();
                    push(&t, origin, &mut shown, &mut map);
                    for m in &mut map[at..] {
                        *m = origin;
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak | Event::End(_) => {
                push(" ", body_start + range.start, &mut shown, &mut map);
            }
            _ => {}
        }
    }
    (shown, map)
}

fn ends_with_loose(before: &str, prefix: &str) -> bool {
    squash(before).ends_with(&squash(prefix)) || before.ends_with(prefix)
}

fn starts_with_loose(after: &str, suffix: &str) -> bool {
    squash(after).starts_with(&squash(suffix)) || after.starts_with(suffix)
}

/// Among several places, the one whose surroundings share the longest context
/// with the anchor's; `None` on a tie.
fn best_by_context(text: &str, hits: &[(usize, usize)], anchor: &Anchor) -> Option<(usize, usize)> {
    let score = |&(s, e): &(usize, usize)| {
        common_suffix(&text[..s], &anchor.prefix) + common_prefix(&text[e..], &anchor.suffix)
    };
    let best = hits.iter().map(score).max()?;
    let top: Vec<&(usize, usize)> = hits.iter().filter(|h| score(h) == best).collect();
    (top.len() == 1 && best > 0).then(|| *top[0])
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

fn common_suffix(a: &str, b: &str) -> usize {
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// What stands between the anchor's prefix and suffix in `text`, where both are
/// there once, in that order, at most a paragraph apart.
fn between_context(text: &str, anchor: &Anchor) -> Option<String> {
    if anchor.prefix.trim().is_empty() || anchor.suffix.trim().is_empty() {
        return None;
    }
    let mut found = text.match_indices(&anchor.prefix);
    let (p, _) = found.next()?;
    if found.next().is_some() {
        return None;
    }
    let from = p + anchor.prefix.len();
    let gap = text[from..].find(&anchor.suffix)?;
    let now = &text[from..from + gap];
    (now.len() <= anchor.exact.len() * 4 + 200).then(|| now.to_owned())
}

/// A place in the text, for a refusal.
fn candidate(text: &str, start: usize, end: usize) -> Candidate {
    let line = text[..start].matches('\n').count() + 1;
    let a = at(text, start, end);
    let context = format!("{}[{}]{}", a.prefix, a.exact, a.suffix)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let prefix = a
        .prefix
        .split_whitespace()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join(" ");
    Candidate {
        line,
        context,
        prefix,
    }
}

/// The lines sharing most words with `quote`, best first (at most three), for a
/// quote that is not in the text.
fn near_lines(text: &str, quote: &str) -> Vec<Candidate> {
    let words: Vec<String> = quote
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, usize, &str)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let lower = line.to_lowercase();
            let score = words.iter().filter(|w| lower.contains(w.as_str())).count();
            (score * 2 > words.len()).then_some((score, i + 1, line))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
        .into_iter()
        .take(3)
        .map(|(_, line, text)| {
            let shown: String = text.chars().take(120).collect();
            Candidate {
                line,
                context: shown.trim().to_owned(),
                prefix: String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const R1: &str = "---\ntitle: T\nwriter: w\n---\nTrastuzumab is **given every three weeks** for a year.\n\nHeart checks are needed. Heart checks are needed.\n";

    #[test]
    fn a_quote_is_found_in_the_source_or_in_what_the_page_shows() {
        let a = find(R1, "given every three weeks", None, None).expect("found");
        assert_eq!(&R1[a.start..a.end], "given every three weeks");
        assert!(a.prefix.ends_with("is **"), "{a:?}");
        let shown = find(R1, "is given every three weeks for", None, None).expect("found");
        assert_eq!(
            &R1[shown.start..shown.end],
            "is **given every three weeks** for"
        );
    }

    #[test]
    fn repeated_words_need_context_and_missing_words_get_candidates() {
        let Err(Miss::Ambiguous(places)) = find(R1, "Heart checks", None, None) else {
            panic!("ambiguous");
        };
        assert_eq!(places.len(), 2);
        let a = find(R1, "Heart checks", Some("needed. "), None).expect("told apart");
        assert!(a.start > R1.find("Heart").unwrap_or_default());
        let Err(Miss::NotFound(near)) = find(R1, "Heart scans are needed", None, None) else {
            panic!("not found");
        };
        assert_eq!(near.len(), 1);
        assert_eq!(near[0].line, 7);
    }

    #[test]
    fn anchors_follow_the_text_across_revisions() {
        let a = find(R1, "for a year", None, None).expect("found");
        assert!(matches!(relocate(&a, R1), Place::Anchored { .. }));
        let r2 = R1.replace("---\nTrastuzumab", "---\nIntro.\n\nTrastuzumab");
        assert!(matches!(relocate(&a, &r2), Place::Moved { .. }));
        let r3 = r2.replace("for a year", "for twelve months");
        match relocate(&a, &r3) {
            Place::Outdated { now } => assert_eq!(now.as_deref(), Some("for twelve months")),
            other => panic!("{other:?}"),
        }
    }
}
