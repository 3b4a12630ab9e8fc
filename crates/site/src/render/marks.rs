//! Marks on a rendered body: places in the Markdown (byte offsets, as lint findings
//! give them) wrapped in markup medreview writes itself.
//!
//! Each place is put into the parser's events as a pair of placeholders no writer
//! can type (128 random bits per page, as for footnotes); the events go through the
//! very rendering and sanitizer pages use, and the markup replaces the placeholders
//! afterwards, only where both survived, outside any tag, around balanced HTML. A
//! writer's own `<mark class=…>` loses its class to the sanitizer like any other.

use pulldown_cmark::Parser;

use super::blocks::{self, Block, Run};

mod fill;
mod place;

use fill::{Nonce, with_placeholders};
use place::{Events, Pos, spans};

/// How much of the text at a place a mark covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The word there.
    Word,
    /// The sentence around it.
    Sentence,
    /// The block (paragraph, heading, list item, cell) holding it.
    Block,
    /// Exactly the text up to this byte offset of the body (a comment's quoted
    /// words); placed only where both ends are in the page's text.
    Until(usize),
}

/// One place to mark, with the markup around it (already safe HTML).
pub(crate) struct Pin {
    /// A byte offset in the body.
    pub at: usize,
    /// How much to cover.
    pub scope: Scope,
    /// Markup before the covered text.
    pub open: String,
    /// Markup after it.
    pub close: String,
}

/// `markdown` as [`super::markdown_to_html`] renders it, with each pin's markup
/// around its place; and which pins were placed (the others are in the text nowhere).
pub(crate) fn markdown_to_html_marked(markdown: &str, pins: &[Pin]) -> (String, Vec<bool>) {
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
pub(crate) fn block_of_places(markdown: &str, places: &[(usize, Scope)]) -> Vec<Option<usize>> {
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

#[cfg(test)]
mod tests {
    use super::fill::{balanced, in_tag};
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
    fn a_range_is_marked_exactly_or_not_at_all() {
        let md = "One two three. Four **five six** seven.\n";
        let at = |w: &str| md.find(w).expect("word");
        let pins = [
            pin(at("two"), Scope::Until(at("three") + 5), 1),
            pin(at("five"), Scope::Until(at("six") + 3), 2),
        ];
        let (html, placed) = markdown_to_html_marked(md, &pins);
        assert_eq!(placed, vec![true, true], "{html}");
        insta::assert_snapshot!(html, @r#"<p>One <mark class="m" title="1">two three</mark>. Four <strong><mark class="m" title="2">five six</mark></strong> seven.</p>"#);
        // This one would cut the bold text: left out, not broken.
        let cut = [pin(at("Four"), Scope::Until(at("six")), 3)];
        let (html, placed) = markdown_to_html_marked(md, &cut);
        assert_eq!(placed, vec![false], "{html}");
        assert_eq!(html, super::super::markdown_to_html(md));
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
