//! The template guard: a page's review claims are medreview's alone.
//!
//! A page is rendered with each fragment medreview makes (the review block, the
//! preview banner, the body, the JSON-LD...) replaced by a slot token no template
//! or writer can guess (a digest of the page's inputs under keys drawn at random
//! for each run, which no template or text can know). This module reads that
//! page as a browser's tokenizer does (html5ever: entities decoded, comments,
//! attributes, raw text elements told apart) and refuses it when
//!
//! - a required slot (the review block) is not placed exactly once, or a slot
//!   sits anywhere but in text (an attribute, a comment, a `<style>`);
//! - it runs script: a `<script>` other than the JSON-LD slot alone, an `on…`
//!   event attribute or a `javascript:` address;
//! - its CSS generates text with letters (`content: "Reviewed"`, escapes decoded);
//! - any text outside the slots says a review phrase: text nodes joined across
//!   tags, each attribute value and each comment, after NFKC, a fold of common
//!   Latin look-alikes (Cyrillic, Greek), lower case and dropping everything but
//!   letters (so `Medically <b>re</b>&#118;iewed by` and `re­viewed` are caught).
//!
//! Text the writer typed and the doctor approved (the title, the summary...) may
//! say "reviewed": a phrase found wholly inside one of the `excused` texts is not
//! the template's. Not caught, and said in `templates/README.md`: images of text,
//! external style sheets and fonts, words with look-alike letters outside the
//! fold, and claims that avoid every phrase. Templates are governed files, so
//! each of those needs an admin's recorded change.
//!
//! html5ever's types stay inside this module.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use medreview_core::claims::{PHRASES, letters};

use medreview_core::error::{Code, Error, Result};

/// Attributes no reader sees as text (`style` is vetted as CSS).
const NOT_TEXT: &[&str] = &[
    "class",
    "id",
    "style",
    "href",
    "src",
    "srcset",
    "rel",
    "type",
    "lang",
    "charset",
    "http-equiv",
    "name",
    "for",
    "role",
    "width",
    "height",
    "datetime",
    "media",
    "sizes",
    "loading",
    "target",
    "crossorigin",
    "integrity",
    "property",
];

/// One fragment medreview makes, as the page holds it while it is vetted.
struct Slot {
    /// The template variable (`review_block`).
    name: &'static str,
    /// How often the page may hold it.
    placement: Placement,
    /// The HTML it stands for.
    html: String,
}

/// How often a slot may appear.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Exactly once: the review block.
    Once,
    /// Once or not at all.
    AtMostOnce,
    /// Any number of times.
    Any,
}

/// The fragments of one page, each stood for by a token `{prefix}{index}z`, where
/// the prefix is a digest of every fragment and of `inputs` (the page's other
/// values) under this run's random keys: no text on the page can spell a token it
/// would have to contain.
pub(crate) struct Slots {
    prefix: String,
    inputs: Vec<String>,
    slots: Vec<Slot>,
}

impl Slots {
    /// No slots yet; `inputs` are the page's other values (what the writer typed).
    pub(crate) fn new(inputs: &[&str]) -> Slots {
        Slots {
            prefix: String::new(),
            inputs: inputs.iter().map(|s| (*s).to_owned()).collect(),
            slots: Vec::new(),
        }
    }

    /// Adds a fragment; [`Slots::seal`] gives the tokens.
    pub(crate) fn add(&mut self, name: &'static str, placement: Placement, html: String) {
        self.slots.push(Slot {
            name,
            placement,
            html,
        });
    }

    /// Fixes the token prefix and gives each slot's name and token, in order added.
    pub(crate) fn seal(&mut self) -> Vec<(&'static str, String)> {
        use std::hash::{BuildHasher, Hash, Hasher};
        // SipHash under two keys from the operating system's randomness, drawn once
        // a run: 128 bits no one writing a template or an article can compute, at a
        // fraction of the cost of SHA-1 over every page's body.
        static KEYS: std::sync::LazyLock<[std::collections::hash_map::RandomState; 2]> =
            std::sync::LazyLock::new(|| {
                [
                    std::collections::hash_map::RandomState::new(),
                    std::collections::hash_map::RandomState::new(),
                ]
            });
        let parts = std::iter::once("slots-2")
            .chain(self.slots.iter().map(|s| s.html.as_str()))
            .chain(self.inputs.iter().map(String::as_str));
        let mut hashers: Vec<_> = KEYS.iter().map(BuildHasher::build_hasher).collect();
        for part in parts {
            for hasher in &mut hashers {
                part.hash(hasher);
            }
        }
        let digest: String = hashers
            .iter()
            .map(|h| format!("{:016x}", h.finish()))
            .collect();
        self.prefix = format!("mrslot{digest}n");
        self.slots
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name, format!("{}{i}z", self.prefix)))
            .collect()
    }

    /// The slots found in `text`, by index, with the text between them.
    fn split<'t>(&self, text: &'t str) -> Vec<(&'t str, Option<usize>)> {
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find(&self.prefix) {
            let after = &rest[at + self.prefix.len()..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            let index = after[..digits]
                .parse::<usize>()
                .ok()
                .filter(|&i| i < self.slots.len() && after[digits..].starts_with('z'));
            match index {
                Some(i) => {
                    out.push((&rest[..at], Some(i)));
                    rest = &after[digits + 1..];
                }
                None => {
                    let end = at + self.prefix.len();
                    out.push((&rest[..end], None));
                    rest = &rest[end..];
                }
            }
        }
        out.push((rest, None));
        out
    }

    /// The page with each token replaced by its fragment.
    pub(crate) fn fill(&self, page: &str) -> String {
        let mut out = String::with_capacity(
            page.len() + self.slots.iter().map(|s| s.html.len()).sum::<usize>(),
        );
        for (text, slot) in self.split(page) {
            out.push_str(text);
            if let Some(i) = slot {
                out.push_str(&self.slots[i].html);
            }
        }
        out
    }

    /// Vets `page` (rendered by `template` with the tokens); `excused` are texts the
    /// writer typed that the template may show. Gives how often each slot sits in text.
    pub(crate) fn vet(&self, template: &str, page: &str, excused: &[&str]) -> Result<Vec<usize>> {
        let read = read(page, self);
        for (slot, count) in self.slots.iter().zip(&read.slot_counts) {
            let placed_wrong = read.misplaced.contains(&slot.name);
            let bad = match slot.placement {
                Placement::Once => *count != 1,
                Placement::AtMostOnce => *count > 1,
                Placement::Any => false,
            };
            if slot.placement == Placement::Once && (*count == 0 || placed_wrong) {
                return Err(Error::with_hint(
                    Code::TemplateWithoutReviewBlock,
                    format!(
                        "{template} does not place `{{{{ {} }}}}` in the page's text: a page without medreview's review block is not a medreview page",
                        slot.name
                    ),
                    format!(
                        "put `{{{{ {} }}}}` once, as it is (no filter), where the byline goes; commit the template and record it (`medreview admin record {template} -m NOTE`)",
                        slot.name
                    ),
                ));
            }
            if bad || placed_wrong {
                return Err(Error::with_hint(
                    Code::TemplateWithoutReviewBlock,
                    format!(
                        "{template} places `{{{{ {} }}}}` {}",
                        slot.name,
                        if placed_wrong {
                            "inside an attribute, a comment or a raw text element".to_owned()
                        } else {
                            format!("{count} times")
                        }
                    ),
                    format!(
                        "put `{{{{ {} }}}}` once, as it is, in the page's text",
                        slot.name
                    ),
                ));
            }
        }
        if let Some(what) = read.script {
            return Err(refused(template, &what));
        }
        let excused: Vec<String> = excused
            .iter()
            .map(|text| letters(text))
            .filter(|text| !text.is_empty())
            .collect();
        let texts = std::iter::once(("text", &read.text))
            .chain(read.others.iter().map(|(what, text)| (what.as_str(), text)));
        for (what, text) in texts {
            let folded = letters(text);
            if let Some(phrase) = phrase_in(&folded, &excused) {
                return Err(refused(
                    template,
                    &format!("its {what} says \"{phrase}\" outside medreview's review block"),
                ));
            }
        }
        Ok(read.slot_counts)
    }
}

/// The refusal of a template that prints, or could print, its own review line.
fn refused(template: &str, what: &str) -> Error {
    Error::with_hint(
        Code::TemplateReviewLine,
        format!("{template} prints its own review claim: {what}"),
        "only `{{ review_block }}` (and `{{ preview_banner }}` on previews) may say who reviewed a page and when; remove the text, commit the template and record it (`medreview admin record PATH -m NOTE`)",
    )
}

/// The first phrase in `folded` that no excused text wholly holds.
///
/// An excused text can hold a phrase only if it spells that phrase itself, so
/// only those texts are looked for in `folded`, and only for a phrase `folded`
/// says. The index page has four excused texts an article; looking for each of
/// them in the whole page was most of the time publish spent on it.
fn phrase_in(folded: &str, excused: &[String]) -> Option<&'static str> {
    PHRASES.iter().copied().find(|phrase| {
        let mut found = folded.match_indices(phrase).peekable();
        if found.peek().is_none() {
            return false;
        }
        let spans: Vec<(usize, usize)> = excused
            .iter()
            .filter(|text| text.contains(phrase))
            .flat_map(|text| {
                folded
                    .match_indices(text.as_str())
                    .map(|(at, m)| (at, at + m.len()))
            })
            .collect();
        found.any(|(at, m)| {
            let end = at + m.len();
            !spans.iter().any(|&(s, e)| s <= at && end <= e)
        })
    })
}

/// What the tokenizer found on a page.
#[derive(Default)]
struct Read {
    /// The text nodes (and `<title>`, `<textarea>` text) joined, slots removed.
    text: String,
    /// Attribute values and comments, each with what it is.
    others: Vec<(String, String)>,
    /// How often each slot sits in text.
    slot_counts: Vec<usize>,
    /// Slots found where they are not text.
    misplaced: Vec<&'static str>,
    /// The first thing that runs script or generates text from CSS.
    script: Option<String>,
}

/// The tokenizer's sink.
struct Sink<'a> {
    slots: &'a Slots,
    read: RefCell<Read>,
    /// The raw text element being read (`style`, `script`, ...), and its text so far;
    /// a script's name is `script` for JSON-LD and `script!` for any other.
    raw: RefCell<Option<(String, String)>>,
}

impl Sink<'_> {
    /// Counts and removes slot tokens from a text, or notes them misplaced.
    fn strip_slots(&self, text: &str, in_text: bool) -> String {
        let mut out = String::with_capacity(text.len());
        let mut read = self.read.borrow_mut();
        for (part, slot) in self.slots.split(text) {
            out.push_str(part);
            if let Some(i) = slot {
                if in_text {
                    read.slot_counts[i] += 1;
                } else {
                    read.misplaced.push(self.slots.slots[i].name);
                }
            }
        }
        out
    }

    fn note_script(&self, what: String) {
        let mut read = self.read.borrow_mut();
        if read.script.is_none() {
            read.script = Some(what);
        }
    }

    /// Vets the CSS of a `<style>` element or a `style` attribute.
    fn vet_css(&self, css: &str) {
        if let Some(value) = css_generated_text(css) {
            self.note_script(format!("its CSS generates the text {value:?}"));
        }
    }

    /// The end of a raw text element.
    fn end_raw(&self, name: &str, text: String) {
        match name {
            "style" => {
                let text = self.strip_slots(&text, false);
                self.vet_css(&text);
            }
            "script!" => self.note_script("it has a <script> element".to_owned()),
            "script" => {
                // Only the JSON-LD slot may sit in a script, alone.
                let parts = self.slots.split(text.trim());
                let alone = match parts.as_slice() {
                    [("", Some(i)), ("", None)] if self.slots.slots[*i].name == "jsonld" => {
                        Some(*i)
                    }
                    _ => None,
                };
                match alone {
                    Some(i) => self.read.borrow_mut().slot_counts[i] += 1,
                    None => self.note_script("it has a <script> element".to_owned()),
                }
            }
            _ => {
                let text = self.strip_slots(&text, false);
                self.read.borrow_mut().text.push_str(&text);
            }
        }
    }
}

impl TokenSink for Sink<'_> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let raw = self.raw.borrow_mut().take();
        if let Some((name, mut text)) = raw {
            match token {
                Token::CharacterTokens(t) => {
                    text.push_str(&t);
                    *self.raw.borrow_mut() = Some((name, text));
                    return TokenSinkResult::Continue;
                }
                Token::NullCharacterToken => {
                    *self.raw.borrow_mut() = Some((name, text));
                    return TokenSinkResult::Continue;
                }
                other => {
                    self.end_raw(&name, text);
                    return self.process_token(other, _line);
                }
            }
        }
        match token {
            Token::CharacterTokens(t) => {
                let text = self.strip_slots(&t, true);
                self.read.borrow_mut().text.push_str(&text);
            }
            Token::CommentToken(t) => {
                let text = self.strip_slots(&t, false);
                self.read
                    .borrow_mut()
                    .others
                    .push(("comment".to_owned(), text));
            }
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                for attr in &tag.attrs {
                    let attr_name = attr.name.local.to_string();
                    let value = self.strip_slots(&attr.value, false);
                    if attr_name.starts_with("on") {
                        self.note_script(format!("<{name}> has an event attribute {attr_name}"));
                    }
                    let squeezed: String = value
                        .chars()
                        .filter(|c| !c.is_whitespace() && !c.is_control())
                        .collect::<String>()
                        .to_ascii_lowercase();
                    if squeezed.contains("javascript:") || squeezed.contains("vbscript:") {
                        self.note_script(format!("<{name} {attr_name}> runs script"));
                    }
                    if attr_name == "style" {
                        self.vet_css(&value);
                    }
                    if NOT_TEXT.contains(&attr_name.as_str()) {
                        continue;
                    }
                    self.read
                        .borrow_mut()
                        .others
                        .push((format!("<{name} {attr_name}> attribute"), value));
                }
                if tag.kind == TagKind::StartTag && !tag.self_closing {
                    let kind = match name.as_str() {
                        "title" | "textarea" => Some(RawKind::Rcdata),
                        "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                            Some(RawKind::Rawtext)
                        }
                        "script" => Some(RawKind::ScriptData),
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        let json_ld = tag.attrs.iter().any(|a| {
                            &*a.name.local == "type"
                                && a.value.trim().eq_ignore_ascii_case("application/ld+json")
                        });
                        let name = if name == "script" && !json_ld {
                            "script!".to_owned()
                        } else {
                            name
                        };
                        *self.raw.borrow_mut() = Some((name, String::new()));
                        return TokenSinkResult::RawData(kind);
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn end(&self) {
        let raw = self.raw.borrow_mut().take();
        if let Some((name, text)) = raw {
            self.end_raw(&name, text);
        }
    }
}

/// Reads `page` as a browser's tokenizer does.
fn read(page: &str, slots: &Slots) -> Read {
    let sink = Sink {
        slots,
        read: RefCell::new(Read {
            slot_counts: vec![0; slots.slots.len()],
            ..Read::default()
        }),
        raw: RefCell::new(None),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(page));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.read.into_inner()
}

/// The first text with a letter that CSS `content` would generate, escapes decoded.
fn css_generated_text(css: &str) -> Option<String> {
    let decoded = css_unescape(&strip_css_comments(css)).to_ascii_lowercase();
    let mut rest = decoded.as_str();
    while let Some(at) = rest.find("content") {
        let after = rest[at + "content".len()..].trim_start();
        rest = &rest[at + "content".len()..];
        let Some(value) = after.strip_prefix(':') else {
            continue;
        };
        let value: String = value
            .chars()
            .take_while(|&c| c != ';' && c != '}')
            .collect();
        if value.contains("attr(") || has_quoted_letter(&value) {
            return Some(value.trim().to_owned());
        }
    }
    None
}

/// Whether a CSS value holds a quoted string with a letter in it.
fn has_quoted_letter(value: &str) -> bool {
    let mut quote = None;
    for c in value.chars() {
        match quote {
            None if c == '"' || c == '\'' => quote = Some(c),
            Some(q) if c == q => quote = None,
            Some(_) if c.is_alphabetic() => return true,
            _ => {}
        }
    }
    false
}

/// CSS without its comments.
fn strip_css_comments(css: &str) -> String {
    let mut out = String::new();
    let mut rest = css;
    while let Some(at) = rest.find("/*") {
        out.push_str(&rest[..at]);
        rest = match rest[at + 2..].find("*/") {
            Some(end) => &rest[at + 2 + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// CSS with its escapes (`\52 `, `\"`) decoded.
fn css_unescape(css: &str) -> String {
    if !css.contains('\\') {
        return css.to_owned();
    }
    let mut out = String::new();
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut hex = String::new();
        while hex.len() < 6
            && let Some(&h) = chars.peek()
            && h.is_ascii_hexdigit()
        {
            hex.push(h);
            chars.next();
        }
        if hex.is_empty() {
            if let Some(next) = chars.next() {
                out.push(next);
            }
            continue;
        }
        if chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let code = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(page: &str) -> std::result::Result<(), String> {
        let mut slots = Slots::new(&["input"]);
        slots.add(
            "review_block",
            Placement::Once,
            "<p>Medically reviewed by A</p>".into(),
        );
        slots.add("jsonld", Placement::AtMostOnce, "{}".into());
        let tokens = slots.seal();
        let page = page
            .replace("SLOTreview", &tokens[0].1)
            .replace("SLOTjsonld", &tokens[1].1);
        slots
            .vet("t.html", &page, &["A title reviewed by a writer"])
            .map(|_| ())
            .map_err(|e| format!("{} {e}", e.code()))
    }

    #[test]
    fn the_block_once_and_nothing_else_passes() {
        let ok = "<html><head><title>A title reviewed by a writer</title><style>.b::before { content: \"\\2713\"; }</style><script type=\"application/ld+json\">SLOTjsonld</script></head><body><h1>A title reviewed by a writer</h1>SLOTreview<p class=\"reviewed\">Written for you.</p></body></html>";
        assert_eq!(check(ok), Ok(()));
    }

    #[test]
    fn fill_puts_each_fragment_in_its_place() {
        let mut slots = Slots::new(&[]);
        slots.add("review_block", Placement::Once, "<p>R</p>".into());
        let tokens = slots.seal();
        let page = format!("<h1>T</h1>{}<p>x</p>", tokens[0].1);
        assert_eq!(slots.fill(&page), "<h1>T</h1><p>R</p><p>x</p>");
    }

    #[test]
    fn a_missing_or_misplaced_block_is_refused() {
        for page in [
            "<p>no block</p>",
            "SLOTreview SLOTreview",
            "<div title=\"SLOTreview\">x</div>",
            "<!-- SLOTreview -->",
        ] {
            let err = check(page).expect_err(page);
            assert!(err.starts_with("template-without-review-block"), "{err}");
        }
    }

    #[test]
    fn review_lines_in_any_disguise_are_refused() {
        for trick in [
            "<p>Medically reviewed by Dr Nobody</p>",
            "<p>Medically <b>re</b>viewed by Dr Nobody</p>",
            "<p>Medically &#82;eviewed by</p>",
            "<p>Medically &#x72;&#x65;viewed</p>",
            "<p>Medically re&shy;viewed</p>",
            "<p>Medically r\u{435}viewed</p>",
            "<p>\u{ff32}\u{ff25}\u{ff36}\u{ff29}\u{ff25}\u{ff37}\u{ff25}\u{ff24}</p>",
            "<img alt=\"Reviewed by Dr Nobody\">",
            "<!-- reviewed by Dr Nobody -->",
            "<span>Fact-checked</span>",
            "<title>Reviewed by Dr Nobody</title>",
        ] {
            let err = check(&format!("SLOTreview{trick}")).expect_err(trick);
            assert!(err.starts_with("template-review-line"), "{trick}: {err}");
        }
    }

    #[test]
    fn script_and_generated_text_are_refused() {
        for trick in [
            "<script>document.write('x')</script>",
            "<script type=\"application/ld+json\">{\"name\": 1}</script>",
            "<script type=\"text/javascript\">SLOTjsonld</script>",
            "<body onload=\"x()\">",
            "<a href=\"java\nscript:x()\">a</a>",
            "<style>p::before { content: \"Dr Nobody, M.D.\" }</style>",
            "<style>p::after { content: \"\\52 eviewed\" }</style>",
            "<p style=\"--x: 1; content: 'Nobody'\">x</p>",
            "<style>p::after { content: attr(data-x) }</style>",
        ] {
            let err = check(&format!("SLOTreview{trick}")).expect_err(trick);
            assert!(err.starts_with("template-review-line"), "{trick}: {err}");
        }
    }

    #[test]
    fn writer_text_excuses_only_what_it_holds() {
        assert_eq!(
            check("SLOTreview<h1>A title reviewed by a writer</h1>"),
            Ok(())
        );
        assert!(
            check("SLOTreview<h1>A title reviewed by a writer</h1><p>Reviewed by Dr Nobody</p>")
                .is_err()
        );
    }

    /// Guards the faster phrase search: a phrase is excused only by one text that
    /// holds all of it, never by two texts that each hold a part, however many
    /// texts there are.
    #[test]
    fn a_phrase_split_across_excused_texts_is_not_excused() {
        let excused: Vec<String> = [
            "Revie",
            "wed by",
            "Medically",
            "A title reviewed by a writer",
        ]
        .iter()
        .map(|t| letters(t))
        .collect();
        assert_eq!(
            phrase_in(&letters("Medically Reviewed by"), &excused),
            Some("reviewed")
        );
        assert_eq!(
            phrase_in(&letters("<h1>A title reviewed by a writer</h1>"), &excused),
            None
        );
        assert_eq!(phrase_in(&letters("Nothing to see"), &excused), None);
    }
}
