//! The reading grade: which text is graded, and its Flesch–Kincaid grade counted
//! the way Python's `textstat` 0.7.3 counts it (the figure editors compare with).
//!
//! # What is graded
//!
//! The grade is of what a patient reads as running prose, one block at a time:
//!
//! - the **summary** (the front matter's `summary:`, shown under the title and in
//!   listings: the first sentences a reader meets);
//! - **paragraphs**, also those in a block quote (**quotes**: pull-quotes and
//!   call-outs are read like the paragraphs around them), with the words of their
//!   links and inline code;
//! - **list items**, each one sentence of its own: a bullet such as "Fatigue" or
//!   "Trastuzumab, given by IV" is a separate thought to a reader even without a
//!   period.
//!
//! Not graded, because a reader does not read them as sentences: **headings** (labels
//! to scan, with no terminal punctuation, so a sentence counter would glue each to
//! the sentence after it), **tables** (cells of labels and figures, looked up rather
//! than read in order), **footnotes** (citations: titles, publishers, years), **image
//! descriptions** (alt text, read out by screen readers in place of the picture),
//! **code blocks** and raw HTML.
//!
//! Each graded block ends a sentence: a block whose text does not end with `.`, `!`
//! or `?` (before closing quotes and brackets) is given a period, and the blocks are
//! joined one a line ([`graded_text`]). That text is what `textstat` is fed in the
//! cross-check, so anyone can reproduce the figure.
//!
//! # How it is counted
//!
//! As textstat 0.7.3 counts: words are whitespace-separated after removing
//! punctuation (`[^\w\s]`, so "HER2-positive" is one word); sentences are the runs
//! `\b[^.!?]+[.!?]*`, those of two words or fewer ignored (a list item "Fatigue."
//! adds its word and syllables but not a sentence); syllables are a word's
//! hyphenation points plus one, from the TeX en-US patterns (the `hyphenation`
//! crate; `textstat` uses pyphen's patterns of the same origin). The Rust `textstat`
//! crate guesses syllables from vowel groups instead, which reads 1.3 to 1.6 grades
//! higher than Python's on the sample articles, so it is not used.
//!
//! Grade = 0.39 × words/sentences + 11.8 × syllables/words − 15.59.

use std::sync::LazyLock;

use hyphenation::{Hyphenator, Language, Load, Standard};
use serde::{Deserialize, Serialize};

use super::prose::{Block, BlockKind};

static ENGLISH: LazyLock<Option<Standard>> = LazyLock::new(|| {
    let mut dict = Standard::from_embedded(Language::EnglishUS).ok()?;
    // pyphen's defaults: at least two letters before and after a break.
    dict.minima = (2, 2);
    Some(dict)
});

thread_local! {
    /// Syllables by word, as counted before on this thread.
    static KNOWN: std::cell::RefCell<std::collections::HashMap<String, usize>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// The most words [`KNOWN`] holds before it starts again (a few MiB).
const KNOWN_LIMIT: usize = 100_000;

/// Counts of a text.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    /// Words.
    pub words: usize,
    /// Sentences (at least 1 for any text).
    pub sentences: usize,
    /// Syllables.
    pub syllables: usize,
}

impl Counts {
    /// The Flesch–Kincaid grade, rounded to one decimal as `textstat` rounds it;
    /// `None` for a text with no words.
    pub fn grade(&self) -> Option<f64> {
        if self.words == 0 {
            return None;
        }
        // textstat rounds the average sentence length and the average syllables
        // per word to one decimal first.
        let asl = round1(self.words as f64 / self.sentences.max(1) as f64);
        let spw = round1(self.syllables as f64 / self.words as f64);
        Some(round1(0.39 * asl + 11.8 * spw - 15.59))
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0 + 0.5f64.copysign(x)).trunc() / 10.0
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The text with punctuation removed (`[^\w\s]`).
fn without_punctuation(text: &str) -> String {
    text.chars()
        .filter(|&c| is_word_char(c) || c.is_whitespace())
        .collect()
}

fn word_count(text: &str) -> usize {
    without_punctuation(text).split_whitespace().count()
}

/// Words whose syllables pyphen's dictionary (LibreOffice's `hyph_en_US`, which
/// textstat 0.7.3 uses) counts differently from the TeX en-US patterns, with
/// pyphen's count: common words of patient material on which the sample articles
/// were more than half a grade apart (pyphen leaves "medicine" and "surgery"
/// unbroken). Sorted, for a binary search.
const PYPHEN_COUNTS: &[(&str, usize)] = &[
    ("cholesterol", 2),
    ("emergencies", 3),
    ("emergency", 3),
    ("ever", 2),
    ("every", 2),
    ("everybody", 3),
    ("everyday", 3),
    ("everyone", 3),
    ("everything", 3),
    ("everywhere", 3),
    ("medical", 3),
    ("medically", 4),
    ("medication", 4),
    ("medications", 4),
    ("medicine", 1),
    ("medicines", 1),
    ("method", 1),
    ("methods", 2),
    ("multidisciplinary", 5),
    ("prefers", 1),
    ("surgeries", 2),
    ("surgery", 1),
];

/// The syllables of one lower-case word, as pyphen counts them.
fn syllables_of(word: &str) -> usize {
    if let Ok(i) = PYPHEN_COUNTS.binary_search_by_key(&word, |&(w, _)| w) {
        return PYPHEN_COUNTS[i].1;
    }
    match ENGLISH.as_ref() {
        Some(dict) => dict.hyphenate(word).breaks.len() + 1,
        None => 1,
    }
}

/// Counts `text`.
pub fn count(text: &str) -> Counts {
    let clean = without_punctuation(&text.to_lowercase());
    let mut words = 0;
    let mut syllables = 0;
    // Words repeat, across articles too: each is hyphenated once per thread.
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        if known.len() > KNOWN_LIMIT {
            known.clear();
        }
        for word in clean.split_whitespace() {
            words += 1;
            syllables += match known.get(word) {
                Some(&n) => n,
                None => {
                    let n = syllables_of(word);
                    known.insert(word.to_owned(), n);
                    n
                }
            };
        }
    });
    Counts {
        words,
        sentences: sentence_count(text),
        syllables,
    }
}

/// `textstat`'s sentence count: pieces between runs of `.`, `!` and `?` that hold
/// a word character, less those of two words or fewer; at least 1.
fn sentence_count(text: &str) -> usize {
    let mut pieces = 0usize;
    let mut short = 0usize;
    for piece in text.split(['.', '!', '?']) {
        let Some(start) = piece.find(is_word_char) else {
            continue;
        };
        pieces += 1;
        if word_count(&piece[start..]) <= 2 {
            short += 1;
        }
    }
    pieces.saturating_sub(short).max(1)
}

/// What kind of text a block is for the reading grade: its name in the plural, as
/// messages and JSON list it, and whether it is graded.
fn kind_of(block: &Block) -> (&'static str, bool) {
    match block.kind {
        BlockKind::Paragraph if block.quoted => ("quotes", true),
        BlockKind::Paragraph => ("paragraphs", true),
        BlockKind::Item => ("list items", true),
        BlockKind::Heading(_) => ("headings", false),
        BlockKind::Cell => ("tables", false),
        BlockKind::Note => ("footnotes", false),
        BlockKind::Code => ("code blocks", false),
    }
}

/// Whether `block` is graded (see the module's documentation).
pub fn is_graded(block: &Block) -> bool {
    kind_of(block).1
}

/// Adds `text` to `out` as one graded block: trimmed, given a period when it does
/// not end a sentence, on a line of its own.
fn push_block(out: &mut String, text: &str) {
    let t = text.trim();
    if t.is_empty() {
        return;
    }
    out.push_str(t);
    let closing = |c: char| matches!(c, '"' | '\'' | ')' | ']' | '”' | '’' | '»');
    if !t.trim_end_matches(closing).ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out.push('\n');
}

/// The text that is graded, as it is counted and as `textstat` is fed it: the
/// summary (when there is one) and each graded block, one a line, each ending a
/// sentence.
pub fn graded_text(summary: Option<&str>, blocks: &[Block]) -> String {
    let mut out = String::new();
    if let Some(summary) = summary {
        push_block(&mut out, summary);
    }
    for block in blocks.iter().filter(|b| is_graded(b)) {
        push_block(&mut out, &block.text);
    }
    out
}

/// The text of one block as it would be graded alone.
pub(crate) fn block_text(block: &Block) -> String {
    let mut out = String::new();
    push_block(&mut out, &block.text);
    out
}

/// An article's reading grade and what it was counted over: the one description
/// `lint`, `lint --json`, `preview` and the HTML redline show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    /// The Flesch–Kincaid grade, to one decimal.
    pub grade: f64,
    /// The grade the workspace aims at or below (`editorial.reading_grade`).
    pub target: f64,
    /// Words counted.
    pub words: usize,
    /// Sentences counted.
    pub sentences: usize,
    /// Syllables counted.
    pub syllables: usize,
    /// The kinds of text graded that the article has, in a fixed order: `summary`,
    /// `paragraphs`, `list items`, `quotes`.
    pub graded: Vec<String>,
    /// The kinds of text the article has that are not graded: `headings`, `tables`,
    /// `footnotes`, `image descriptions`, `code blocks`.
    pub not_graded: Vec<String>,
}

/// The order kinds are listed in.
const KIND_ORDER: &[&str] = &[
    "summary",
    "paragraphs",
    "list items",
    "quotes",
    "headings",
    "tables",
    "footnotes",
    "image descriptions",
    "code blocks",
];

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Reading {
    /// The reading of an article whose front matter has `summary` and whose body
    /// has `blocks` (with `images` images), against `target`; `None` when nothing
    /// graded has a word.
    pub fn of(
        summary: Option<&str>,
        blocks: &[Block],
        images: usize,
        target: f64,
    ) -> Option<Reading> {
        let summary = summary.filter(|s| !s.trim().is_empty());
        let counts = count(&graded_text(summary, blocks));
        let grade = counts.grade()?;
        let mut graded = Vec::new();
        let mut not_graded = Vec::new();
        if summary.is_some() {
            graded.push("summary");
        }
        if images > 0 {
            not_graded.push("image descriptions");
        }
        for block in blocks {
            let (name, is) = kind_of(block);
            let list = if is { &mut graded } else { &mut not_graded };
            if !list.contains(&name) {
                list.push(name);
            }
        }
        let order = |names: Vec<&str>| -> Vec<String> {
            let mut names = names;
            names.sort_by_key(|n| KIND_ORDER.iter().position(|k| k == n));
            names.into_iter().map(str::to_owned).collect()
        };
        Some(Reading {
            grade,
            target,
            words: counts.words,
            sentences: counts.sentences,
            syllables: counts.syllables,
            graded: order(graded),
            not_graded: order(not_graded),
        })
    }

    /// Whether the grade is above the target.
    pub fn above_target(&self) -> bool {
        self.grade > self.target
    }

    /// What was graded, in words: "over 812 words in 41 sentences of the summary,
    /// paragraphs and list items; headings and tables are not graded".
    pub fn counted_over(&self) -> String {
        use medreview_core::plural::plural;
        let graded: Vec<String> = self
            .graded
            .iter()
            .map(|k| {
                if k == "summary" {
                    "the summary".to_owned()
                } else {
                    k.clone()
                }
            })
            .collect();
        let mut text = format!(
            "over {} in {} of {}",
            plural(self.words, "word", "words"),
            plural(self.sentences, "sentence", "sentences"),
            and_list(&graded)
        );
        if !self.not_graded.is_empty() {
            text.push_str(&format!("; {} are not graded", and_list(&self.not_graded)));
        }
        text
    }

    /// The one line that states the grade: "reading grade 9.4 (Flesch–Kincaid, target
    /// 8) over 812 words in 41 sentences of …; headings are not graded".
    pub fn describe(&self) -> String {
        format!(
            "reading grade {:.1} (Flesch–Kincaid, target {}) {}",
            self.grade,
            self.target,
            self.counted_over()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_like_textstat() {
        let c = count("The cat sat on the mat. Dogs run fast today!");
        assert_eq!((c.words, c.sentences), (10, 2));
        assert_eq!(
            count("Hi. Go. This sentence has words.").sentences,
            1,
            "pieces of two words or fewer are not sentences"
        );
        assert_eq!(count("HER2-positive cancer").words, 2);
    }

    #[test]
    fn pyphens_exceptions_are_sorted_and_counted() {
        assert!(PYPHEN_COUNTS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(count("medicines every surgery").syllables, 1 + 2 + 1);
    }

    #[test]
    fn each_graded_block_ends_a_sentence_once() {
        let mut out = String::new();
        for text in [
            "Fatigue",
            "  He said \"stop.\" ",
            "Is it (really?)",
            "Include:",
            "Done!",
        ] {
            push_block(&mut out, text);
        }
        assert_eq!(
            out,
            "Fatigue.\nHe said \"stop.\"\nIs it (really?)\nInclude:.\nDone!\n"
        );
    }

    #[test]
    fn headings_tables_notes_and_code_are_not_graded() {
        let body = "## Heading\n\nA paragraph here.\n\n- an item\n\n> A quote here.\n\n| a | b |\n|---|---|\n| c | d |\n\n```\ncode here\n```\n\nNoted.[^1]\n\n[^1]: A note.\n";
        let blocks = super::super::prose::read(body).blocks;
        assert_eq!(
            graded_text(Some("The summary"), &blocks),
            "The summary.\nA paragraph here.\nan item.\nA quote here.\nNoted.\n"
        );
        let r = Reading::of(None, &blocks, 0, 8.0).expect("a reading");
        assert_eq!(r.graded, ["paragraphs", "list items", "quotes"]);
        assert_eq!(
            r.not_graded,
            ["headings", "tables", "footnotes", "code blocks"]
        );
    }

    #[test]
    fn grade_of_empty_text_is_none() {
        assert_eq!(count("").grade(), None);
        assert_eq!(count("...").grade(), None);
    }
}
