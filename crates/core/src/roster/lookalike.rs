//! Names as a reader sees them: whether two names or bylines would be taken for
//! one another, and whether one word of a name mixes scripts to pass for another.
//!
//! Two texts look alike when they agree once case, spacing and punctuation are
//! set aside and each is reduced to its Unicode skeleton (UTS #39 confusable
//! detection: "Аnа" with Cyrillic letters, "Ａｎａ" in fullwidth letters and
//! "A\u{200B}na" with a zero-width space all read as "Ana"). A word is suspicious
//! by itself when it mixes scripts beyond what UTS #39 calls moderately
//! restrictive (Latin with Cyrillic or Greek in one word); a name written wholly
//! in Cyrillic, Greek, Arabic or CJK, or with accents ("José Müller"), is not.
//!
//! Ids need none of this: they are `[a-z0-9-]` only ([`crate::ids`]), so no two
//! different ids can look alike beyond what a reader sees in plain ASCII.
//!
//! `unicode-security` and `unicode-normalization` types stay inside this module.

use std::collections::BTreeSet;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_security::{MixedScript, RestrictionLevel, RestrictionLevelDetection, skeleton};

/// What `text` reads as, once case, spacing and punctuation are set aside and
/// letters that look alike are taken as one: one mark, or two when a capital's
/// skeleton is not its small letter's (a capital I reads as a small l, so "Ian"
/// is also marked as "lan"). Two texts look alike when their marks meet.
pub(crate) fn reader_marks(text: &str) -> BTreeSet<String> {
    let folded: String = text.chars().flat_map(char::to_lowercase).collect();
    let shapes_first: String = skeleton(text).flat_map(char::to_lowercase).collect();
    [seen(&folded), seen(&shapes_first)]
        .into_iter()
        .filter(|mark| !mark.is_empty())
        .collect()
}

/// The skeleton of `text` with spacing and punctuation left out (letters, digits
/// and the accents on them stay).
fn seen(text: &str) -> String {
    skeleton(text)
        .filter(|c| c.is_alphanumeric() || is_combining_mark(*c))
        .collect()
}

/// `text` as it was compared before skeletons: case, spacing and punctuation
/// aside, each letter itself. Two texts equal here are the same text to a reader,
/// not merely look-alikes.
pub(crate) fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The letters of `text` that stand in for other letters (their skeleton is
/// another character, as Cyrillic а is Latin a's), for a message: `"а" U+0430`.
pub(crate) fn stand_ins(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for c in text.chars().filter(|c| !c.is_ascii()) {
        let itself = c.to_string();
        // A letter with an accent decomposes (é to e and U+0301) and is still itself.
        let own: String = skeleton(&itself).collect();
        let shown = format!("{c:?} U+{:04X}", u32::from(c));
        if own != itself.nfd().collect::<String>() && !found.contains(&shown) {
            found.push(shown);
        }
    }
    found
}

/// The first word of `text` whose letters mix scripts in a way UTS #39 counts
/// as less than moderately restrictive (Latin with Cyrillic, Cyrillic with
/// Greek), if any. Words are split at spaces only, so "М.D." with a Cyrillic М is
/// one word; only letters and digits are judged.
pub(crate) fn mixed_script_word(text: &str) -> Option<&str> {
    text.split_whitespace().find(|word| {
        let letters: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
        !letters.as_str().is_single_script()
            && letters.as_str().detect_restriction_level() > RestrictionLevel::ModeratelyRestrictive
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether `a` and `b` look alike to a reader, as [`crate::roster::Roster::likeness`] compares them.
    fn look_alike(a: &str, b: &str) -> bool {
        !reader_marks(a).is_disjoint(&reader_marks(b))
    }

    #[test]
    fn cyrillic_letters_that_look_latin_read_as_latin() {
        // А U+0410 and а U+0430.
        assert!(look_alike("\u{0410}n\u{0430} Example", "Ana Example"));
        assert!(look_alike(
            "\u{0410}n\u{0430} Example, M.D.",
            "ana example MD"
        ));
        // Greek Ο and Latin o in "Okafor".
        assert!(look_alike("Ana \u{039F}kafor", "Ana Okafor"));
    }

    #[test]
    fn fullwidth_letters_read_as_their_plain_letters() {
        assert!(look_alike(
            "\u{FF21}\u{FF4E}\u{FF41} Example",
            "Ana Example"
        ));
    }

    #[test]
    fn zero_width_and_invisible_characters_are_not_seen() {
        assert!(look_alike("A\u{200B}na Ex\u{200D}ample", "Ana Example"));
        assert!(look_alike("Ana\u{00AD} Example", "Ana Example"));
    }

    #[test]
    fn composed_and_decomposed_accents_are_one_letter() {
        assert!(look_alike(
            "Jos\u{00E9} M\u{00FC}ller",
            "Jose\u{0301} Mu\u{0308}ller"
        ));
        // An accent is seen: José is not Jose.
        assert!(!look_alike("Jos\u{00E9} Example", "Jose Example"));
    }

    #[test]
    fn a_capital_i_reads_as_a_small_l() {
        assert!(look_alike("Ian Smith", "lan Smith"));
        assert!(look_alike("Ian Smith", "ian smith"));
    }

    #[test]
    fn different_names_do_not_look_alike() {
        assert!(!look_alike("Ana Example", "Ana Okafor"));
        assert!(!look_alike("Иван Петров", "Ivan Petrov"));
        assert!(!look_alike("Sam Lee", "Sam Leo"));
    }

    #[test]
    fn stand_ins_name_the_letters_that_pass_for_others() {
        assert_eq!(
            stand_ins("\u{0410}n\u{0430} Example"),
            vec!["'А' U+0410", "'а' U+0430"]
        );
        assert!(stand_ins("José Müller").is_empty());
    }

    #[test]
    fn a_word_mixing_latin_with_cyrillic_or_greek_is_suspicious() {
        assert_eq!(mixed_script_word("\u{0410}na Example"), Some("\u{0410}na"));
        assert_eq!(
            mixed_script_word("M.D., Ph.\u{0414}."),
            Some("Ph.\u{0414}.")
        );
        assert_eq!(mixed_script_word("\u{041C}.D."), Some("\u{041C}.D."));
        assert_eq!(
            mixed_script_word("Ana \u{039F}kafor"),
            Some("\u{039F}kafor")
        );
    }

    #[test]
    fn honest_names_in_one_script_or_many_words_are_allowed() {
        for name in [
            "José Müller",
            "Jose\u{0301} Mu\u{0308}ller",
            "Ana Example, M.D., Ph.D.",
            "Иван Петров",
            "Γιώργος Παπαδόπουλος",
            "محمد علي",
            "山田 太郎",
            "山田たろう",
            "김민준",
            "Ana Иванова",
            "Zoë O'Brien-Ng",
            "Ana Example, MD (ΦΒΚ)",
        ] {
            assert_eq!(mixed_script_word(name), None, "{name}");
        }
    }

    #[test]
    fn latin_with_cjk_in_one_word_is_highly_restrictive_and_allowed() {
        assert_eq!(mixed_script_word("Dr.山田"), None);
    }

    fn reviewer(name: &str, credentials: &str) -> crate::roster::Reviewer {
        crate::roster::Reviewer::named(name, credentials)
    }

    fn id(text: &str) -> crate::ids::Id {
        crate::ids::Id::parse("id", text).expect("id")
    }

    #[test]
    fn the_roster_takes_a_look_alike_reviewer_for_the_real_one() {
        use crate::roster::{Likeness, Roster};
        let mut roster = Roster::default();
        roster
            .reviewers
            .insert(id("ana-example"), reviewer("Ana Example", "M.D."));
        roster.reviewers.insert(
            id("ana-example-md"),
            reviewer("\u{0410}n\u{0430} Example", "M.D."),
        );
        roster
            .reviewers
            .insert(id("ana-okafor"), reviewer("Ana Okafor", "M.D."));
        let pairs = roster.shared_identities();
        assert_eq!(
            pairs,
            vec![(id("ana-example"), id("ana-example-md"), Likeness::LookAlike)]
        );
        // One person under two ids: counted once (the marks meet).
        let (a, b) = (
            roster.identity_marks(&id("ana-example")),
            roster.identity_marks(&id("ana-example-md")),
        );
        assert!(!a.is_disjoint(&b));
        assert!(a.is_disjoint(&roster.identity_marks(&id("ana-okafor"))));
    }

    #[test]
    fn a_writer_whose_name_looks_like_a_reviewers_is_taken_for_them() {
        use crate::roster::{Likeness, Roster, Writer};
        let mut roster = Roster::default();
        roster
            .reviewers
            .insert(id("ana-example"), reviewer("Ana Example", "M.D."));
        roster.writers.insert(
            id("ana-w"),
            Writer {
                name: "\u{FF21}na Example".into(),
                email: None,
                bio: None,
                public_key: None,
            },
        );
        assert_eq!(
            roster.likeness(&id("ana-w"), &id("ana-example")),
            Some(Likeness::LookAlike)
        );
        roster.writers.get_mut(&id("ana-w")).expect("writer").name = "ana  example".into();
        assert_eq!(
            roster.likeness(&id("ana-w"), &id("ana-example")),
            Some(Likeness::SameName)
        );
    }
}
