//! Review comments on a preview: the words marked through the same placeholders
//! as lint findings, and each thread's note put before the block holding them.

use super::{Note, apart_html, aside_html, body_of, mark_open};
use crate::render::marks::{Pin, Scope};

/// A preview's body with lint findings and comment threads marked: the HTML, the
/// lint findings' places, and the section of threads shown apart.
pub(crate) fn preview_body(
    body: &str,
    text: &str,
    findings: &[medreview_lint::Finding],
    notes: &[Note],
) -> (String, Vec<crate::diff::lint_marks::Place>, String) {
    use crate::diff::lint_marks::preview_body_with;
    let (plain, lint_places) = crate::diff::lint_marks::preview_body(body, findings);
    if notes.is_empty() {
        return (plain, lint_places, String::new());
    }
    let start = body_of(text)
        .filter(|(b, _)| *b == body)
        .map(|(_, start)| start);
    // Each thread's words in the body, if they are there.
    let ranges: Vec<Option<(usize, usize)>> = notes
        .iter()
        .map(|n| {
            let (s, e) = n.place.range()?;
            let start = start?;
            Some((s.checked_sub(start)?, e.checked_sub(start)?))
        })
        .collect();
    let pins = |scopes: &[Option<Scope>]| -> Vec<Pin> {
        notes
            .iter()
            .zip(&ranges)
            .zip(scopes)
            .filter_map(|((n, r), scope)| {
                Some(Pin {
                    at: r.as_ref()?.0,
                    scope: (*scope)?,
                    open: mark_open(&n.thread),
                    close: "</mark>".to_owned(),
                })
            })
            .collect()
    };
    // The words exactly; where that would break the page's markup (or a lint
    // mark), the word they start with; else the block holding them.
    let mut scopes: Vec<Option<Scope>> = ranges
        .iter()
        .map(|r| r.map(|(_, end)| Scope::Until(end)))
        .collect();
    let mut result = None;
    for fallback in [Some(Scope::Word), Some(Scope::Block), None] {
        let (html, places, placed) = preview_body_with(body, findings, pins(&scopes));
        let pinned: Vec<usize> = (0..notes.len()).filter(|&i| scopes[i].is_some()).collect();
        let lint_kept = places == lint_places;
        let all = placed.iter().all(|&p| p);
        if lint_kept {
            result = Some((html, placed.clone(), pinned.clone()));
        }
        if lint_kept && all {
            break;
        }
        // Try the next scope for every thread not placed (and for all, when a
        // thread's mark pushed a lint mark out).
        let Some(next) = fallback else { break };
        for (k, &i) in pinned.iter().enumerate() {
            if !lint_kept || !placed.get(k).copied().unwrap_or(false) {
                scopes[i] = Some(next);
            }
        }
    }
    let (html, placed, pinned) = result.unwrap_or((plain, Vec::new(), Vec::new()));
    let mut asides: Vec<(usize, String)> = Vec::new();
    let mut apart: Vec<&Note> = Vec::new();
    for (i, note) in notes.iter().enumerate() {
        if note.place.range().is_none() {
            continue;
        }
        let at = pinned
            .iter()
            .position(|&p| p == i)
            .filter(|&k| placed.get(k) == Some(&true))
            .and_then(|_| html.find(&mark_open(&note.thread)))
            .and_then(|at| block_start(&html, at));
        match at {
            Some(at) => asides.push((at, aside_html(note))),
            None => apart.push(note),
        }
    }
    let outdated: Vec<&Note> = notes.iter().filter(|n| n.place.range().is_none()).collect();
    (
        insert_all(&html, asides),
        lint_places,
        apart_html(&outdated, &apart),
    )
}

/// `html` with each `(at, markup)` put in at byte `at`, in order where they share a place.
fn insert_all(html: &str, mut inserts: Vec<(usize, String)>) -> String {
    inserts.sort_by_key(|(at, _)| *at);
    let mut out = String::with_capacity(html.len() + inserts.len() * 400);
    let mut from = 0;
    for (at, markup) in inserts {
        out.push_str(&html[from..at]);
        out.push_str(&markup);
        from = at;
    }
    out.push_str(&html[from..]);
    out
}

/// Where a margin note goes for a mark at byte `at` of sanitized `html`: before
/// the paragraph, heading or code block holding it, or first inside the list
/// item, cell or quote holding it (where a note may stand).
fn block_start(html: &str, at: usize) -> Option<usize> {
    const BEFORE: &[&str] = &["p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"];
    const INSIDE: &[&str] = &["li", "td", "th", "blockquote", "dd", "dt"];
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr",
    ];
    // Open elements: name, where the start tag starts and ends.
    let mut open: Vec<(String, usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(lt) = html[i..at].find('<') {
        let start = i + lt;
        let mut quoted = false;
        let end = html[start..].char_indices().find_map(|(k, c)| match c {
            '"' => {
                quoted = !quoted;
                None
            }
            '>' if !quoted => Some(start + k + 1),
            _ => None,
        })?;
        let inner = &html[start + 1..end - 1];
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if inner.starts_with('/') {
            if let Some(k) = open.iter().rposition(|(n, _, _)| *n == name) {
                open.truncate(k);
            }
        } else if !VOID.contains(&name.as_str()) && !inner.ends_with('/') {
            open.push((name, start, end));
        }
        i = end;
        if i >= at {
            break;
        }
    }
    open.iter().rev().find_map(|(name, start, end)| {
        if BEFORE.contains(&name.as_str()) {
            Some(*start)
        } else if INSIDE.contains(&name.as_str()) {
            Some(*end)
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_goes_before_its_paragraph_or_first_in_its_item() {
        let html = "<h2>T</h2>\n<p>One <mark>x</mark></p>\n<ul>\n<li>a <em><mark>b</mark></em></li>\n</ul>\n";
        let p = html.find("<mark>").expect("mark");
        assert_eq!(block_start(html, p), html.find("<p>"));
        let li = html.rfind("<mark>").expect("mark");
        assert_eq!(block_start(html, li), html.find("<li>").map(|i| i + 4));
    }
}
