//! The rules on sentences: `unsourced-claim`, `near-duplicate` and `reading-grade`.

use std::collections::{HashMap, HashSet};

use super::Found;
use super::prose::{Block, BlockKind};
use super::readability;

/// Two sentences are near duplicates when the Jaccard similarity of their sets of
/// three-word shingles (lower-case words, punctuation removed) is at least this.
/// A pull-quote that restates a body sentence with one or two words changed scores
/// 0.6 to 0.9; two different sentences about the same subject rarely pass 0.3.
pub(crate) const NEAR_DUPLICATE_THRESHOLD: f64 = 0.6;

/// Sentences shorter than this many words are not compared ("Call 911.").
pub(crate) const NEAR_DUPLICATE_MIN_WORDS: usize = 6;

/// The most sentences indexed under one shingle.
const SHINGLE_INDEX_LIMIT: usize = 64;

/// A paragraph is judged on its own reading grade only with at least this many words.
pub(crate) const PARAGRAPH_MIN_WORDS: usize = 20;

/// The hardest paragraphs named when the body is above the target.
pub(crate) const HARDEST_PARAGRAPHS: usize = 3;

/// A sentence of a block: its byte range in the block's text.
pub struct Sentence<'a> {
    /// The block it is in.
    pub block: &'a Block,
    /// Where it starts in the block's text.
    pub start: usize,
    /// Its text.
    pub text: &'a str,
}

/// The sentences of `block`: split after `.`, `!` or `?` followed by a space, where
/// the `.` is not a decimal point.
pub fn sentences(block: &Block) -> Vec<Sentence<'_>> {
    let text = block.text.as_str();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let next = bytes.get(i + 1).copied();
        let ends = match next {
            None => true,
            Some(b) => b.is_ascii_whitespace() || b == b'"' || b == b')',
        };
        if ends {
            push_sentence(&mut out, block, start, i + 1);
            start = i + 1;
        }
    }
    push_sentence(&mut out, block, start, text.len());
    out
}

fn push_sentence<'a>(out: &mut Vec<Sentence<'a>>, block: &'a Block, start: usize, end: usize) {
    let piece = &block.text[start..end];
    let trimmed = piece.trim_start();
    let start = start + (piece.len() - trimmed.len());
    let trimmed = trimmed.trim_end();
    if trimmed.chars().any(char::is_alphanumeric) {
        out.push(Sentence {
            block,
            start,
            text: trimmed,
        });
    }
}

/// Characters a reader does not see (zero-width spaces and joiners, direction
/// marks, the soft hyphen, the byte-order mark): left out before comparing words, so
/// they cannot hide a statistic, a colon or a repeated sentence.
pub fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}')
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            let visible: String = w
                .chars()
                .filter(|&c| !invisible(c))
                .map(|c| match c {
                    // Full-width and small percent signs read as `%`.
                    '％' | '﹪' | '٪' => '%',
                    c => c,
                })
                .collect();
            visible
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '%')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "million",
    "half", "a",
];

fn is_digits(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_numeric)
        && word.chars().all(|c| c.is_numeric() || c == ',' || c == '.')
}

/// Fractions that, after a number or "a", state a proportion ("a third of").
const FRACTIONS: &[&str] = &[
    "half", "third", "thirds", "quarter", "quarters", "fourth", "fourths", "fifth", "fifths",
    "tenth", "tenths",
];

fn is_number(word: &str) -> bool {
    is_digits(word) || (NUMBER_WORDS.contains(&word) && word != "a")
}

const DOSE_UNITS: &[&str] = &[
    "mg",
    "mcg",
    "µg",
    "μg",
    "g",
    "kg",
    "ml",
    "l",
    "iu",
    "unit",
    "units",
    "mmol",
    "mg/dl",
    "mg/kg",
    "mmol/l",
    "milligrams",
    "micrograms",
    "milliliters",
    "millilitres",
];

/// What kind of statistic the words hold, if any.
pub fn statistic(text: &str) -> Option<&'static str> {
    let w = words(text);
    let at = |i: usize| w.get(i).map_or("", String::as_str);
    for i in 0..w.len() {
        let word = at(i);
        if word.ends_with('%') && word.chars().any(char::is_numeric) {
            return Some("a percentage");
        }
        // "a third of", "one-third of", "half of all".
        let fraction = word
            .split_once('-')
            .filter(|(n, _)| is_number(n))
            .map_or(word, |(_, f)| f);
        if FRACTIONS.contains(&fraction)
            && at(i + 1) == "of"
            && (fraction != word
                || (i > 0 && (is_number(at(i - 1)) || at(i - 1) == "a"))
                || word == "half")
            && !(word == "half" && matches!(at(i + 2), "an" | "a"))
        {
            return Some("a proportion (\"a third of\")");
        }
        if word == "twice" && at(i + 1) == "as" {
            return Some("a ratio (\"twice as\")");
        }
        if matches!(
            word,
            "double"
                | "doubles"
                | "doubled"
                | "triple"
                | "triples"
                | "tripled"
                | "halves"
                | "halved"
        ) && matches!(at(i + 1), "the" | "your" | "their" | "a")
            && matches!(
                at(i + 2),
                "risk" | "chance" | "odds" | "rate" | "likelihood"
            )
        {
            return Some("a ratio (\"doubles the risk\")");
        }
        if is_number(word) {
            match at(i + 1) {
                "percent" | "percentage" => return Some("a percentage"),
                "per" if at(i + 2) == "cent" => return Some("a percentage"),
                "times" => return Some("a ratio (\"N times\")"),
                "in" | "out"
                    if {
                        let mut j = i + 2;
                        if at(i + 1) == "out" {
                            if at(j) != "of" {
                                continue;
                            }
                            j += 1;
                        }
                        if at(j) == "every" {
                            j += 1;
                        }
                        is_number(at(j))
                    } =>
                {
                    return Some("a proportion (\"1 in N\")");
                }
                unit if is_digits(word) && DOSE_UNITS.contains(&unit) => {
                    return Some("a dose");
                }
                _ => {}
            }
        }
        if let Some(number) = word.strip_suffix("-fold")
            && is_number(number)
        {
            return Some("a ratio (\"N-fold\")");
        }
        if word == "per"
            && (is_digits(at(i + 1)) || matches!(at(i + 1), "hundred" | "thousand" | "million"))
        {
            return Some("a rate (\"per N\")");
        }
        // A dose written together: "500mg".
        let digits = word.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        if digits.len() < word.len() && DOSE_UNITS.contains(&digits) && !digits.is_empty() {
            return Some("a dose");
        }
    }
    None
}

/// The names by which a paragraph can cite a front-matter source: its title, and
/// what its title puts in parentheses ("(National Cancer Institute)").
pub(crate) fn source_names(sources: &[medreview_core::article::Source]) -> Vec<String> {
    let mut names = Vec::new();
    for source in sources {
        let title = source.title.trim().to_lowercase();
        let mut rest = title.as_str();
        while let Some(open) = rest.find('(') {
            let Some(close) = rest[open..].find(')') else {
                break;
            };
            let inner = rest[open + 1..open + close].trim();
            if inner.len() >= 3 {
                names.push(inner.to_owned());
            }
            rest = &rest[open + close + 1..];
        }
        if title.len() >= 3 {
            names.push(title);
        }
    }
    names
}

/// `unsourced-claim`: a statistic in a block that cites nothing.
pub(crate) fn unsourced_claims(blocks: &[Block], names: &[String], out: &mut Vec<Found>) {
    for block in blocks {
        if matches!(block.kind, BlockKind::Heading(_) | BlockKind::Note) || block.cited {
            continue;
        }
        let lower = block.text.to_lowercase();
        if names.iter().any(|n| lower.contains(n.as_str())) {
            continue;
        }
        for sentence in sentences(block) {
            if let Some(kind) = statistic(sentence.text) {
                out.push(Found::new(
                    "unsourced-claim",
                    block.source(sentence.start),
                    format!(
                        "this sentence states {kind} but its paragraph cites nothing: add a footnote (`[^1]`) or a link to the source, or name a source from the front matter"
                    ),
                ));
            }
        }
    }
}

/// The three-word shingles of `text` two ways: as written (`w:`), and by the
/// English stems (Snowball) of its content words (`s:`), so a restatement that
/// changes a word's form ("turn off" and "turning off") or drops an article
/// still shares them. Two sentences are as alike as the closer of the two.
fn shingles(text: &str) -> HashSet<String> {
    thread_local! {
        static STEMMER: rust_stemmers::Stemmer =
            rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    }
    let written = words(text);
    let stems: Vec<String> = STEMMER.with(|stemmer| {
        written
            .iter()
            .filter(|w| !FUNCTION_WORDS.contains(&w.as_str()))
            .map(|w| {
                // Snowball gives "interfer" for interfere and "interf" for
                // interfering: the first six letters of a stem are its root here.
                stemmer.stem(w).chars().take(STEM_LETTERS).collect()
            })
            .collect()
    });
    written
        .windows(3)
        .map(|s| format!("w:{}", s.join(" ")))
        .chain(stems.windows(3).map(|s| format!("s:{}", s.join(" "))))
        .collect()
}

/// How many of `shingles` are as written, and how many by stems.
fn kinds(shingles: &HashSet<String>) -> (usize, usize) {
    let written = shingles.iter().filter(|s| s.starts_with("w:")).count();
    (written, shingles.len() - written)
}

/// How many letters of a word's stem are compared.
const STEM_LETTERS: usize = 6;

/// Words a restatement adds, drops or swaps without changing what it says
/// (articles, pronouns, prepositions, auxiliaries). Negations are not among
/// them: "do not take it with food" never repeats "take it with food".
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as",
    "into", "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that",
    "these", "those", "they", "them", "their", "he", "she", "his", "her", "we", "our", "you",
    "your", "i", "my", "do", "does", "did", "so", "can", "will", "would", "may", "might", "should",
    "could", "has", "have", "had", "which", "who", "whom", "there", "here",
];

/// Whether `sentence` announces a list (it ends with a colon): two of them that
/// share their frame ("Kinase inhibitors used to treat it include:" and "ADCs used
/// to treat it include:") are parallel structure, not a repeat.
fn announces_a_list(sentence: &str) -> bool {
    sentence.trim_end().ends_with(':')
}

/// `near-duplicate`: a sentence that says nearly word for word what an earlier one says.
pub(crate) fn near_duplicates(
    blocks: &[Block],
    out: &mut Vec<Found>,
    place: impl Fn(usize) -> String,
) {
    struct Seen {
        /// How many shingles are as written, and how many by stems.
        kinds: (usize, usize),
        at: usize,
        text: String,
        announces: bool,
    }
    let mut seen: Vec<Seen> = Vec::new();
    // shingle → the sentences that have it, so each sentence is compared only with
    // those sharing a shingle.
    let mut index: HashMap<String, Vec<usize>> = HashMap::new();
    for block in blocks {
        if matches!(block.kind, BlockKind::Heading(_) | BlockKind::Cell) {
            continue;
        }
        for sentence in sentences(block) {
            if words(sentence.text).len() < NEAR_DUPLICATE_MIN_WORDS {
                continue;
            }
            let mine = shingles(sentence.text);
            let my_kinds = kinds(&mine);
            let announces = announces_a_list(sentence.text);
            let mut shared: HashMap<usize, (usize, usize)> = HashMap::new();
            for s in &mine {
                for &other in index.get(s).into_iter().flatten() {
                    // Parallel list introductions are never each other's repeat.
                    if announces && seen[other].announces {
                        continue;
                    }
                    let common = shared.entry(other).or_default();
                    if s.starts_with("w:") {
                        common.0 += 1;
                    } else {
                        common.1 += 1;
                    }
                }
            }
            let jaccard =
                |common: usize, a: usize, b: usize| common as f64 / (a + b - common).max(1) as f64;
            let best = shared
                .into_iter()
                .map(|(other, (written, stemmed))| {
                    let theirs = seen[other].kinds;
                    let sim = jaccard(written, my_kinds.0, theirs.0)
                        .max(jaccard(stemmed, my_kinds.1, theirs.1));
                    (other, sim)
                })
                .filter(|&(_, sim)| sim >= NEAR_DUPLICATE_THRESHOLD)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            let at = block.source(sentence.start);
            if let Some((other, sim)) = best {
                let earlier = &seen[other];
                out.push(Found::new(
                    "near-duplicate",
                    at,
                    format!(
                        "this sentence repeats the one at {} nearly word for word ({:.0}% alike: \"{}\"); keep one",
                        place(earlier.at),
                        sim * 100.0,
                        clip(&earlier.text, 60)
                    ),
                ));
            }
            // A repeat is matched against what it repeats, not indexed itself, and a
            // shingle shared by many sentences ("one of the") stops being indexed:
            // the cost stays linear on a text of one sentence pasted a thousand times.
            let id = seen.len();
            if best.is_none() {
                for s in &mine {
                    let list = index.entry(s.clone()).or_default();
                    if list.len() < SHINGLE_INDEX_LIMIT {
                        list.push(id);
                    }
                }
            }
            seen.push(Seen {
                kinds: my_kinds,
                at,
                text: sentence.text.to_owned(),
                announces,
            });
        }
    }
}

/// `text` cut to about `max` characters at a word boundary, with "…" when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// `reading-grade`: when `reading` (the article's grade) is above its target, a
/// finding that states it and what it was counted over, at the first graded block,
/// then the hardest paragraphs and list items (graded alone, as the article is).
/// `summary_line` is the front matter's `summary:` line, where the finding is when
/// only the summary is graded.
pub fn reading_grade(
    reading: &readability::Reading,
    blocks: &[Block],
    summary_line: usize,
    out: &mut Vec<Found>,
) {
    if !reading.above_target() {
        return;
    }
    let message = format!(
        "{}. It is above the target: use shorter sentences and everyday words",
        reading.describe()
    );
    match blocks.iter().find(|b| readability::is_graded(b)) {
        Some(first) => out.push(Found::new("reading-grade", first.start, message)),
        // Only the summary is graded: the finding is on the front matter's line.
        None => out.push(Found::on_line("reading-grade", summary_line, message)),
    }
    let target = reading.target;
    let mut hardest: Vec<(f64, &Block)> = blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Paragraph | BlockKind::Item))
        .filter_map(|b| {
            let counts = readability::count(&readability::block_text(b));
            (counts.words >= PARAGRAPH_MIN_WORDS)
                .then(|| counts.grade())
                .flatten()
                .filter(|&g| g > target)
                .map(|g| (g, b))
        })
        .collect();
    hardest.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.start.cmp(&b.1.start)));
    for (g, block) in hardest.into_iter().take(HARDEST_PARAGRAPHS) {
        out.push(Found::new(
            "reading-grade",
            block.start,
            format!(
                "one of the hardest paragraphs, at grade {g:.1}: \"{}\"",
                clip(&block.text, 50)
            ),
        ));
    }
}

#[cfg(test)]
mod stem_tests {
    use super::*;

    #[test]
    fn a_restatement_that_changes_word_forms_shares_its_stemmed_shingles() {
        let stemmed = |text: &str| -> HashSet<String> {
            shingles(text)
                .into_iter()
                .filter(|s| s.starts_with("s:"))
                .collect()
        };
        let a = stemmed(
            "Targeted therapies turn off or interfere with signals that tell cancer cells to grow and divide.",
        );
        let b = stemmed(
            "They do this by turning off or interfering with signals that tell cancer cells to grow and divide.",
        );
        let common = a.intersection(&b).count();
        let union = a.union(&b).count();
        assert!(
            common as f64 / union as f64 >= NEAR_DUPLICATE_THRESHOLD,
            "{common}/{union}: {a:?} {b:?}"
        );
    }
}
