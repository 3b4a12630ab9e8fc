//! The Flesch–Kincaid grade, counted the way Python's `textstat` 0.7.3 counts (the
//! figures editors compare with): words are whitespace-separated after removing
//! punctuation (`[^\w\s]`, so "HER2-positive" is one word); sentences are the runs
//! `\b[^.!?]+[.!?]*` with two or fewer words ignored; syllables are a word's
//! hyphenation points plus one, from the TeX en-US patterns (the `hyphenation`
//! crate; `textstat` uses pyphen's patterns of the same origin). The Rust `textstat`
//! crate guesses syllables from vowel groups instead, which reads 1.3 to 1.6 grades
//! higher than Python's on the sample articles, so it is not used.
//!
//! Grade = 0.39 × words/sentences + 11.8 × syllables/words − 15.59.

use std::sync::LazyLock;

use hyphenation::{Hyphenator, Language, Load, Standard};

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
    fn grade_of_empty_text_is_none() {
        assert_eq!(count("").grade(), None);
        assert_eq!(count("...").grade(), None);
    }
}
