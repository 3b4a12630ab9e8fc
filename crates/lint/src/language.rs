//! `spelling` and `grammar`, by harper-core over the rendered prose. harper's types
//! stay in this module.
//!
//! Cost: loading harper's dictionary and rules takes about 0.7 s once per process
//! (only when one of the two rules is on and an article is not in the memo); each
//! article then costs about 5 ms for spelling and 40 ms for grammar per 1,000 words.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use harper_core::linting::LintGroup;
use harper_core::spell::FstDictionary;
use harper_core::{Dialect, Document, TokenKind};

use super::Found;
use super::prose::Block;

/// harper rules left out: what medreview's own rules judge better (`LongSentences`:
/// `reading-grade`), and spelling, which medreview does with the workspace's words.
const LEFT_OUT: &[&str] = &["SpellCheck", "LongSentences"];

struct Harper {
    dictionary: Arc<FstDictionary>,
    /// Rule sets ready to use, one per thread that asked (building one costs ~0.2 s).
    groups: Mutex<Vec<LintGroup>>,
}

static HARPER: LazyLock<Harper> = LazyLock::new(|| Harper {
    dictionary: FstDictionary::curated(),
    groups: Mutex::new(Vec::new()),
});

/// What to check and which words are known.
pub struct Options<'a> {
    /// Find unknown words.
    pub spelling: bool,
    /// Run harper's grammar rules.
    pub grammar: bool,
    /// The workspace's words, lower-case.
    pub allowed: &'a BTreeSet<String>,
    /// harper rules turned off by name.
    pub rules_off: &'a [String],
}

/// The prose as one harper document: blocks separated by blank lines, with where
/// each block starts (in characters) in it.
fn document(blocks: &[Block]) -> (Vec<char>, Vec<(usize, usize)>) {
    let mut chars = Vec::new();
    let mut starts = Vec::with_capacity(blocks.len());
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            chars.extend(['\n', '\n']);
        }
        starts.push((chars.len(), i));
        chars.extend(block.text.chars());
    }
    (chars, starts)
}

/// The body offset of character `at` of the document.
fn source(blocks: &[Block], starts: &[(usize, usize)], chars: &[char], at: usize) -> usize {
    let i = starts.partition_point(|s| s.0 <= at).saturating_sub(1);
    let Some(&(first, block)) = starts.get(i) else {
        return 0;
    };
    let within: usize = chars[first..at.min(chars.len())]
        .iter()
        .map(|c| c.len_utf8())
        .sum();
    blocks[block].source(within)
}

fn allowed(word: &str, allowed: &BTreeSet<String>) -> bool {
    let lower = word.to_lowercase();
    allowed.contains(&lower)
        || lower
            .strip_suffix("'s")
            .or_else(|| lower.strip_suffix("’s"))
            .or_else(|| lower.strip_suffix('s'))
            .is_some_and(|stem| allowed.contains(stem))
}

/// Whether a word is outside spelling's reach: it has a digit, or is an
/// abbreviation in capitals (`HER2`, `CPAP`).
fn not_a_dictionary_word(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
        || (word.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && word.chars().all(|c| !c.is_alphabetic() || c.is_uppercase()))
}

/// Spelling and grammar findings of the prose.
pub fn check(blocks: &[Block], options: &Options<'_>) -> Vec<Found> {
    if !(options.spelling || options.grammar) || blocks.is_empty() {
        return Vec::new();
    }
    let harper = &*HARPER;
    let (chars, starts) = document(blocks);
    let doc = Document::new_plain_english_curated_chars(&chars);
    let mut found = Vec::new();
    if options.spelling {
        let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
        let mut order = Vec::new();
        for token in doc.get_tokens() {
            if !matches!(token.kind, TokenKind::Word(None)) {
                continue;
            }
            let word: String = chars[token.span.start..token.span.end].iter().collect();
            if not_a_dictionary_word(&word) || allowed(&word, options.allowed) {
                continue;
            }
            let key = word.to_lowercase();
            match seen.get_mut(&key) {
                Some(entry) => entry.1 += 1,
                None => {
                    seen.insert(key.clone(), (token.span.start, 1));
                    order.push((key, word));
                }
            }
        }
        for (key, word) in order {
            let (at, times) = seen[&key];
            let more = if times > 1 {
                format!(" ({times} times)")
            } else {
                String::new()
            };
            found.push(Found::new(
                "spelling",
                source(blocks, &starts, &chars, at),
                format!(
                    "`{word}` is not in the dictionary{more}; fix it, or add it to dictionary.txt if it is right"
                ),
            ));
        }
    }
    if options.grammar {
        let mut group = harper
            .groups
            .lock()
            .ok()
            .and_then(|mut g| g.pop())
            .unwrap_or_else(|| {
                LintGroup::new_curated(harper.dictionary.clone(), Dialect::American)
            });
        let defaults = group.config.clone();
        for rule in LEFT_OUT
            .iter()
            .copied()
            .chain(options.rules_off.iter().map(String::as_str))
        {
            group.config.set_rule_enabled(rule, false);
        }
        let organized = group.organized_lints(&doc);
        for (rule, lints) in organized {
            for lint in lints {
                let text: String = chars[lint.span.start..lint.span.end.min(chars.len())]
                    .iter()
                    .collect();
                if allowed(text.trim(), options.allowed) {
                    continue;
                }
                let message = lint.message.trim_end_matches('.');
                found.push(Found::new(
                    "grammar",
                    source(blocks, &starts, &chars, lint.span.start),
                    format!("{message} (harper: {rule})"),
                ));
            }
        }
        // Put the rule set back for the next article, with its own settings again.
        group.config = defaults;
        if let Ok(mut groups) = harper.groups.lock() {
            groups.push(group);
        }
    }
    found
}
