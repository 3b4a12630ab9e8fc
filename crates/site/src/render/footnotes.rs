//! Footnotes: references numbered in the order they first appear, linked to a
//! notes list at the end of the body, each note linking back to its references.
//!
//! The ids this module makes are the only ids a page keeps: the writer's text
//! (raw HTML included) goes through the strict sanitizer, which strips every
//! `id`, and the footnote markup is put in afterwards, where the sanitized text
//! holds unforgeable placeholders (see [`Marker`]).

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Tag, TagEnd};

/// The longest label-derived part of an id.
const MAX_ID: usize = 40;

/// One footnote definition.
pub struct Note<'a> {
    /// The label as the writer typed it (`1`, `nci`).
    pub label: String,
    /// The id part made from the label: lowercase ASCII letters, digits and hyphens, unique.
    pub id: String,
    /// Its number on the page: the order of its first reference (unreferenced notes last).
    pub number: usize,
    /// The note's content.
    pub events: Vec<Event<'a>>,
}

/// A body split into its text and its footnotes.
pub(crate) struct Split<'a> {
    /// The body without footnote definitions; references stay as
    /// [`Event::FootnoteReference`] for defined labels, and turn into plain text
    /// (`[^x]`) for labels no definition names.
    pub body: Vec<Event<'a>>,
    /// The notes, in page order (by number).
    pub notes: Vec<Note<'a>>,
    /// Note index (in `notes`) of each label key.
    by_key: HashMap<String, usize>,
}

impl Split<'_> {
    /// The note a reference's label names.
    pub fn note(&self, label: &str) -> Option<&Note<'_>> {
        self.by_key.get(&key(label)).map(|i| &self.notes[*i])
    }
}

/// Labels match regardless of case, as in CommonMark link references.
fn key(label: &str) -> String {
    label.to_lowercase()
}

/// Takes footnote definitions out of `events` and numbers them by first reference.
pub fn split<'a>(events: impl Iterator<Item = Event<'a>>) -> Split<'a> {
    let mut body = Vec::new();
    let mut defs: Vec<(String, Vec<Event<'a>>)> = Vec::new();
    let mut def_index: HashMap<String, usize> = HashMap::new();
    let mut current: Option<usize> = None;
    // Dropped: a second definition of a label (the first one counts).
    let mut ignored = false;
    for event in events {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let k = key(&label);
                match def_index.entry(k) {
                    std::collections::hash_map::Entry::Occupied(_) => ignored = true,
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(defs.len());
                        current = Some(defs.len());
                        defs.push((label.to_string(), Vec::new()));
                    }
                }
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                current = None;
                ignored = false;
            }
            other if ignored => drop(other),
            other => match current {
                Some(i) => defs[i].1.push(other),
                None => body.push(other),
            },
        }
    }
    // Number by first reference, body first, then inside the notes in page order.
    let mut order: Vec<usize> = Vec::new();
    let mut ordered = vec![false; defs.len()];
    let visit = |events: &mut Vec<Event<'a>>, order: &mut Vec<usize>, ordered: &mut [bool]| {
        for event in events.iter_mut() {
            if let Event::FootnoteReference(label) = event {
                match def_index.get(&key(label)) {
                    Some(&i) => {
                        if !ordered[i] {
                            ordered[i] = true;
                            order.push(i);
                        }
                    }
                    None => *event = Event::Text(format!("[^{label}]").into()),
                }
            }
        }
    };
    visit(&mut body, &mut order, &mut ordered);
    let mut next = 0;
    while next < order.len() {
        let i = order[next];
        let mut events = std::mem::take(&mut defs[i].1);
        visit(&mut events, &mut order, &mut ordered);
        defs[i].1 = events;
        next += 1;
    }
    order.extend((0..defs.len()).filter(|&i| !ordered[i]));
    let mut used: HashSet<String> = HashSet::new();
    let mut slots: Vec<Option<(String, Vec<Event<'a>>)>> = defs.into_iter().map(Some).collect();
    let mut notes = Vec::new();
    let mut by_key = HashMap::new();
    for (n, &i) in order.iter().enumerate() {
        let Some((label, events)) = slots[i].take() else {
            continue;
        };
        let id = unique_id(&label, n + 1, &used);
        used.insert(id.clone());
        by_key.insert(key(&label), notes.len());
        notes.push(Note {
            label,
            id,
            number: n + 1,
            events,
        });
    }
    Split {
        body,
        notes,
        by_key,
    }
}

/// An id part from a label: lowercase ASCII letters and digits, other runs as one
/// hyphen (so never two hyphens in a row, nor one at either end), at most
/// [`MAX_ID`] long; the note's number when nothing is left or when another label
/// already made the same id.
fn unique_id(label: &str, number: usize, used: &HashSet<String>) -> String {
    let mut id = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
        if id.len() >= MAX_ID {
            break;
        }
    }
    let id = id.trim_end_matches('-').to_owned();
    if id.is_empty() {
        return unique_number(number, used);
    }
    if used.contains(&id) {
        let suffixed = format!("{id}-{number}");
        if !used.contains(&suffixed) {
            return suffixed;
        }
        return unique_number(number, used);
    }
    id
}

fn unique_number(number: usize, used: &HashSet<String>) -> String {
    let mut id = number.to_string();
    while used.contains(&id) {
        id.push('x');
    }
    id
}

/// Placeholders for the footnote markup: text that passes through the sanitizer
/// untouched and that no writer can type, because it holds 128 bits drawn at random
/// for each page. (A marker chosen from the source alone could be forged: the parser
/// decodes character references such as `&#xE000;`, and so does the sanitizer in
/// raw HTML, after any look at the source.)
pub struct Marker {
    open: String,
}

/// What a placeholder stands for.
enum Slot {
    /// Reference number `n` (index into the reference table).
    Reference(usize),
    /// The back-links of note `n` (index into the notes).
    Back(usize),
}

impl Marker {
    /// A marker no writer of `source` can foresee.
    pub fn for_source(source: &str) -> Marker {
        use std::hash::{BuildHasher, Hasher};
        let nonce = |salt: u8| {
            // Each `RandomState` is keyed from the system's randomness.
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u8(salt);
            hasher.write(source.as_bytes());
            hasher.finish()
        };
        Marker {
            open: format!("\u{E000}{:016x}{:016x}\u{E000}", nonce(0), nonce(1)),
        }
    }

    fn text(&self, slot: &Slot) -> String {
        match slot {
            Slot::Reference(n) => format!("{}R{n}\u{E001}", self.open),
            Slot::Back(n) => format!("{}B{n}\u{E001}", self.open),
        }
    }

    /// Replaces every placeholder in `html` with `markup(slot)`.
    fn fill(&self, html: &str, markup: impl Fn(&Slot) -> Option<String>) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(at) = rest.find(&self.open) {
            out.push_str(&rest[..at]);
            let after = &rest[at + self.open.len()..];
            let parsed = after.find('\u{E001}').and_then(|end| {
                let body = &after[..end];
                let (kind, digits) = body.split_at(body.find(|c: char| c.is_ascii_digit())?);
                let n: usize = digits.parse().ok()?;
                let slot = match kind {
                    "R" => Slot::Reference(n),
                    "B" => Slot::Back(n),
                    _ => return None,
                };
                Some((markup(&slot)?, end + '\u{E001}'.len_utf8()))
            });
            match parsed {
                Some((markup, len)) => {
                    out.push_str(&markup);
                    rest = &after[len..];
                }
                None => {
                    // Not ours after all: keep one character and look further.
                    let c = rest[at..].chars().next().map_or(1, char::len_utf8);
                    out.push_str(&rest[at..at + c]);
                    rest = &rest[at + c..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// One reference on the page: the note it names and which of its references it is.
struct Reference {
    note: usize,
    nth: usize,
}

/// The id of the `nth` (1-based) reference to the note with id part `id`. A later
/// reference's number follows two hyphens, which no id part holds (see
/// [`unique_id`]), so it never names another note's reference.
fn reference_id(id: &str, nth: usize) -> String {
    if nth == 1 {
        format!("fnref-{id}")
    } else {
        format!("fnref-{id}--{nth}")
    }
}

/// Renders a split body: `to_html` turns events into sanitized HTML; the footnote
/// markup is put in after sanitizing.
pub fn render<'a>(
    split: Split<'a>,
    marker: &Marker,
    to_html: impl Fn(Vec<Event<'a>>) -> String,
) -> String {
    let Split { body, notes, .. } = split;
    let index: HashMap<String, usize> = notes
        .iter()
        .enumerate()
        .map(|(i, n)| (key(&n.label), i))
        .collect();
    let mut references: Vec<Reference> = Vec::new();
    let mut seen = vec![0usize; notes.len()];
    let mut replace = |events: Vec<Event<'a>>| -> Vec<Event<'a>> {
        events
            .into_iter()
            .map(|event| match event {
                Event::FootnoteReference(label) => match index.get(&key(&label)) {
                    Some(&note) => {
                        seen[note] += 1;
                        references.push(Reference {
                            note,
                            nth: seen[note],
                        });
                        Event::Text(marker.text(&Slot::Reference(references.len() - 1)).into())
                    }
                    None => Event::Text(format!("[^{label}]").into()),
                },
                other => other,
            })
            .collect()
    };
    let body = replace(body);
    let mut note_events = Vec::new();
    for (i, note) in notes.iter().enumerate() {
        let mut events = replace(note.events.clone());
        let back = Event::Text(format!(" {}", marker.text(&Slot::Back(i))).into());
        match events
            .iter()
            .rposition(|e| matches!(e, Event::End(TagEnd::Paragraph)))
        {
            // Inside the last paragraph, so the arrow ends the note's text.
            Some(at) if at + 1 == events.len() => events.insert(at, back),
            _ => events.push(back),
        }
        note_events.push(events);
    }
    // Each note's references, in page order.
    let mut refs_by_note: Vec<Vec<&Reference>> = vec![Vec::new(); notes.len()];
    for r in &references {
        if let Some(refs) = refs_by_note.get_mut(r.note) {
            refs.push(r);
        }
    }
    let refs_of =
        |note: usize| -> &[&Reference] { refs_by_note.get(note).map_or(&[], Vec::as_slice) };
    let markup = |slot: &Slot| -> Option<String> {
        match slot {
            Slot::Reference(n) => {
                let r = references.get(*n)?;
                let note = notes.get(r.note)?;
                Some(format!(
                    "<sup class=\"footnote-ref\"><a href=\"#fn-{id}\" id=\"{rid}\" role=\"doc-noteref\">{number}</a></sup>",
                    id = note.id,
                    rid = reference_id(&note.id, r.nth),
                    number = note.number,
                ))
            }
            Slot::Back(i) => {
                let note = notes.get(*i)?;
                let links: Vec<String> = refs_of(*i)
                    .iter()
                    .map(|r| {
                        let sup = if r.nth > 1 {
                            format!("<sup>{}</sup>", r.nth)
                        } else {
                            String::new()
                        };
                        format!(
                            "<a href=\"#{rid}\" class=\"footnote-back\" role=\"doc-backlink\" aria-label=\"Back to reference {number}{nth}\">\u{21A9}{sup}</a>",
                            rid = reference_id(&note.id, r.nth),
                            number = note.number,
                            nth = if r.nth > 1 { format!(" ({})", r.nth) } else { String::new() },
                        )
                    })
                    .collect();
                Some(links.join(" "))
            }
        }
    };
    let mut html = marker.fill(&to_html(body), markup);
    if !notes.is_empty() {
        html.push_str("<section class=\"footnotes\" role=\"doc-endnotes\">\n<h2 class=\"footnotes-title\">Notes</h2>\n<ol>\n");
        for (note, events) in notes.iter().zip(note_events) {
            let text = marker.fill(&to_html(events), markup);
            html.push_str(&format!(
                "<li id=\"fn-{}\">\n{}\n</li>\n",
                note.id,
                text.trim_end()
            ));
        }
        html.push_str("</ol>\n</section>\n");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::super::markdown_to_html;

    #[test]
    fn references_link_to_notes_that_link_back() {
        let html = markdown_to_html(
            "Trastuzumab works.[^nci] It can affect the heart.[^2] See above.[^NCI]\n\n[^nci]: National Cancer Institute.\n[^2]: [FDA label](https://www.fda.gov/x).\n",
        );
        insta::assert_snapshot!(html, @r##"
        <p>Trastuzumab works.<sup class="footnote-ref"><a href="#fn-nci" id="fnref-nci" role="doc-noteref">1</a></sup> It can affect the heart.<sup class="footnote-ref"><a href="#fn-2" id="fnref-2" role="doc-noteref">2</a></sup> See above.<sup class="footnote-ref"><a href="#fn-nci" id="fnref-nci--2" role="doc-noteref">1</a></sup></p>
        <section class="footnotes" role="doc-endnotes">
        <h2 class="footnotes-title">Notes</h2>
        <ol>
        <li id="fn-nci">
        <p>National Cancer Institute. <a href="#fnref-nci" class="footnote-back" role="doc-backlink" aria-label="Back to reference 1">↩</a> <a href="#fnref-nci--2" class="footnote-back" role="doc-backlink" aria-label="Back to reference 1 (2)">↩<sup>2</sup></a></p>
        </li>
        <li id="fn-2">
        <p><a href="https://www.fda.gov/x" rel="noopener noreferrer">FDA label</a>. <a href="#fnref-2" class="footnote-back" role="doc-backlink" aria-label="Back to reference 2">↩</a></p>
        </li>
        </ol>
        </section>
        "##);
    }

    #[test]
    fn notes_are_numbered_by_first_reference_not_by_definition() {
        let html = markdown_to_html("[^b]: Second.\n\n[^a]: First.\n\nOne[^a] two[^b].\n");
        let first = html.find("id=\"fn-a\"").expect("note a");
        let second = html.find("id=\"fn-b\"").expect("note b");
        assert!(first < second, "{html}");
        assert!(
            html.contains(r##"<a href="#fn-a" id="fnref-a" role="doc-noteref">1</a>"##),
            "{html}"
        );
        assert!(
            html.contains(r##"<a href="#fn-b" id="fnref-b" role="doc-noteref">2</a>"##),
            "{html}"
        );
    }

    #[test]
    fn writer_ids_and_classes_are_stripped_and_labels_sanitized() {
        let html = markdown_to_html(
            "<a id=\"fn-x\" class=\"footnote-ref\" href=\"#fn-x\">forged</a> text[^\"><script>alert(1)</script>]\n\n[^\"><script>alert(1)</script>]: Note.\n",
        );
        assert!(!html.contains("<script"), "{html}");
        assert_eq!(
            html.matches(" id=").count(),
            2,
            "only the generated ids: {html}"
        );
        assert!(html.contains("id=\"fn-script-alert-1-script\""), "{html}");
        assert!(
            html.contains("<a href=\"#fn-x\" rel=\"noopener noreferrer\">forged</a>"),
            "{html}"
        );
    }

    #[test]
    fn a_writer_cannot_forge_a_placeholder() {
        let source = "A \u{E000}R0\u{E001} and \u{E000}\u{E000}B0\u{E001} b[^1]\n\n[^1]: Note.\n";
        let html = markdown_to_html(source);
        assert!(
            html.contains("A \u{E000}R0\u{E001} and \u{E000}\u{E000}B0\u{E001} b<sup"),
            "{html}"
        );
        assert_eq!(html.matches("footnote-ref").count(), 1, "{html}");
    }

    #[test]
    fn undefined_references_stay_text_and_unreferenced_notes_are_kept() {
        let html = markdown_to_html("Text[^missing].\n\n[^lonely]: Never cited.\n");
        assert!(html.contains("Text[^missing]."), "{html}");
        assert!(html.contains("<li id=\"fn-lonely\">"), "{html}");
    }

    #[test]
    fn labels_that_clean_to_the_same_id_stay_unique() {
        let html =
            markdown_to_html("a[^A b] b[^a-b] c[^!!]\n\n[^A b]: one\n[^a-b]: two\n[^!!]: three\n");
        assert!(html.contains("id=\"fn-a-b\""), "{html}");
        assert!(html.contains("id=\"fn-a-b-2\""), "{html}");
        assert!(html.contains("id=\"fn-3\""), "{html}");
    }

    #[test]
    fn a_later_reference_id_never_names_another_labels_reference() {
        let html = markdown_to_html(
            "a[^x] b[^x] c[^x-2] d[^-x--2-]\n\n[^x]: one\n[^x-2]: two\n[^-x--2-]: three\n",
        );
        assert!(html.contains("id=\"fnref-x--2\""), "{html}");
        assert!(html.contains("id=\"fnref-x-2\""), "{html}");
        assert!(html.contains("id=\"fnref-x-2-3\""), "{html}");
    }
}
