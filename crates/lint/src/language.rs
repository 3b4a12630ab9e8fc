//! `spelling` (with the words of `spelling.rs`) and `grammar` (harper-core) over the
//! rendered prose. harper's grammar types stay in this module.
//!
//! `grammar` runs the harper rules of [`GRAMMAR_RULES`], not all of harper's ~930:
//! most of those are one rule per idiom, brand, place or product name, and each
//! rule is one more pass over the text, so running them all cost about 150 ms per
//! 1,400-word article and 1 s more the first time in a process, for findings that
//! patient pages hardly ever have. Cost now (2 cores, idle): harper's dictionary
//! and rules about 0.5 s once per process (only when `grammar` is on and an article
//! is not in the memo); then per 1,400-word article about 50 ms, nearly all of it
//! harper's part-of-speech tagging of every sentence, which its rules need.
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use harper_core::linting::LintGroup;
use harper_core::parsers::PlainEnglish;
use harper_core::spell::MutableDictionary;
use harper_core::{Dialect, Document};

use super::Found;
use super::prose::Block;
use super::spelling::{Words, words_of};

/// The harper rules `grammar` runs (less those `editorial.grammar_off` names): the
/// ones that find errors in running prose — a/an, repeated and run-together
/// words, agreement of subject and verb, words confused with one another (its/it's,
/// then/than, dose/does, regimen/regiment), capitals at sentence starts,
/// unclosed quotes, number suffixes. Left out: spelling (medreview's own, with
/// more dictionaries: `spelling.rs`), long sentences (`reading-grade` judges
/// those), matters of house style (Oxford comma, dashes, spacing) and the
/// hundreds of rules for one idiom, brand or place each.
pub const GRAMMAR_RULES: &[&str] = &[
    "AdjectiveDoubleDegree",
    "AnA",
    "BellowBelow",
    "Cant",
    "CapitalizePersonalPronouns",
    "ComprisesOf",
    "CorrectNumberSuffix",
    "CriteriaPhenomena",
    "CureFor",
    "Didnt",
    "DidPast",
    "DoesOrDose",
    "DoubleModal",
    "EllipsisLength",
    "ElsePossessive",
    "EverEvery",
    "Everyday",
    "FeelFell",
    "FindFine",
    "HavePronoun",
    "HopHope",
    "IAmAgreement",
    "IfWouldve",
    "InflectedVerbAfterTo",
    "ItsContraction",
    "ItsPossessive",
    "KnowNothingVerb",
    "LessWorse",
    "LetsConfusion",
    "MergeWords",
    "MissingTo",
    "Misspell",
    "ModalOf",
    "MoreBetter",
    "NobelNoble",
    "NoLonger",
    "NounVerbConfusion",
    "NumberSuffixCapitalization",
    "OneOfTheSingular",
    "PossessiveYour",
    "ProgressiveNeedsBe",
    "PronounContraction",
    "PronounInflectionBe",
    "PronounKnew",
    "PronounVerbAgreement",
    "QuantifierNeedsOf",
    "QuantifierNumeralConflict",
    "QuiteQuiet",
    "RedundantAlmostNearly",
    "RegimenRegiment",
    "RepeatedWords",
    "SafeToSave",
    "SaveToSafe",
    "SentenceCapitalization",
    "SimplePastToPastParticiple",
    "SingleBe",
    "SplitWords",
    "SummarySummery",
    "TakeMedicine",
    "ThatThan",
    "TheirToThere",
    "TheirToTheyre",
    "TheMy",
    "ThenThan",
    "ThereIsAgreement",
    "ThereOwn",
    "Theres",
    "ThereToTheir",
    "ThesesThese",
    "TheyreConfusions",
    "TheyreToTheir",
    "ThingThink",
    "ThoughThought",
    "ToLoseTooLoose",
    "ToTo",
    "ToTwoToo",
    "TransposedSpace",
    "UnclosedQuotes",
    "VeryUnique",
    "WaistWaste",
    "WasAloud",
    "WasComprisedOf",
    "WhomSubjectOfVerb",
    "WishCould",
    "WouldNeverHave",
    "WrongNegative",
];

struct Harper {
    /// harper's own word list with its grammatical data, as a hash map: building
    /// harper's compressed (FST) form of it costs 0.3 s more and only spelling
    /// suggestions need that.
    dictionary: Arc<MutableDictionary>,
    /// Rule sets ready to use, one per thread that asked.
    groups: Mutex<Vec<LintGroup>>,
}

static HARPER: LazyLock<Harper> = LazyLock::new(|| Harper {
    dictionary: MutableDictionary::curated(),
    groups: Mutex::new(Vec::new()),
});

/// A rule set with only [`GRAMMAR_RULES`] on.
fn rule_set(dictionary: &Arc<MutableDictionary>) -> LintGroup {
    let mut group = LintGroup::new_curated(dictionary.clone(), Dialect::American);
    let names: Vec<String> = group.iter_keys().map(str::to_owned).collect();
    for name in names {
        let on = GRAMMAR_RULES.contains(&name.as_str());
        group.config.set_rule_enabled(name, on);
    }
    group
}

/// What to check and which words are known.
pub struct Options<'a> {
    /// Find unknown words among these (`None`: `spelling` is off).
    pub spelling: Option<&'a Words>,
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
    if blocks.is_empty() {
        return Vec::new();
    }
    let mut found = Vec::new();
    if let Some(words) = options.spelling {
        spelling(blocks, words, options.allowed, &mut found);
    }
    if options.grammar {
        grammar(blocks, options, &mut found);
    }
    found
}

/// Each unknown word once, where it first appears, with how often it does.
fn spelling(blocks: &[Block], words: &Words, allowed: &BTreeSet<String>, found: &mut Vec<Found>) {
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    let mut order = Vec::new();
    for block in blocks {
        for (at, word) in words_of(&block.text) {
            if word.chars().count() < 2 || not_a_dictionary_word(word) {
                continue;
            }
            let key = word.to_lowercase();
            if let Some(entry) = seen.get_mut(&key) {
                entry.1 += 1;
                continue;
            }
            if words.knows(word, allowed) {
                continue;
            }
            seen.insert(key.clone(), (block.source(at), 1));
            order.push((key, word.to_owned()));
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
            at,
            format!(
                "`{word}` is not in the dictionary{more}; fix it, or add it to dictionary.txt if it is right"
            ),
        ));
    }
}

/// harper's grammar rules over the prose.
fn grammar(blocks: &[Block], options: &Options<'_>, found: &mut Vec<Found>) {
    let harper = &*HARPER;
    let (chars, starts) = document(blocks);
    let doc = Document::new_from_chars(
        harper_core::Lrc::from(chars.as_slice()),
        &PlainEnglish,
        &*harper.dictionary,
    );
    let mut group = harper
        .groups
        .lock()
        .ok()
        .and_then(|mut g| g.pop())
        .unwrap_or_else(|| rule_set(&harper.dictionary));
    let defaults = group.config.clone();
    for rule in options.rules_off {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_rule_is_one_of_harpers() {
        let group = LintGroup::new_curated(MutableDictionary::curated(), Dialect::American);
        let names: BTreeSet<&str> = group.iter_keys().collect();
        for rule in GRAMMAR_RULES {
            assert!(
                names.contains(rule),
                "harper has no rule `{rule}` any more: take it out of GRAMMAR_RULES or rename it"
            );
        }
    }
}
