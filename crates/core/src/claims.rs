//! Review claims: the words that say a page was reviewed, which only medreview's
//! own review block may print. Templates are vetted for them
//! (`medreview_site::render::guard`), and so are the texts writers give readers
//! outside the article (a correction's public note).

use unicode_normalization::UnicodeNormalization;

/// The phrases a page may say only inside medreview's fragments, as letters only.
pub const PHRASES: &[&str] = &[
    "reviewed",
    "reviewer",
    "medicalreview",
    "factchecked",
    "approvedby",
    "verifiedby",
    "notapproved",
];

/// The review claim `text` makes, if any: the first of [`PHRASES`] its letters
/// spell (see [`letters`]).
pub fn review_claim(text: &str) -> Option<&'static str> {
    let folded = letters(text);
    PHRASES
        .iter()
        .copied()
        .find(|phrase| folded.contains(phrase))
}

/// `text` as the phrase rule compares it: NFKC, look-alikes folded, lower case,
/// letters only.
pub fn letters(text: &str) -> String {
    // ASCII is its own NFKC, folds to itself, and has ASCII lower case: the same
    // letters without the Unicode tables (most of a page is ASCII).
    if text.is_ascii() {
        return text
            .bytes()
            .filter(u8::is_ascii_alphabetic)
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
    }
    text.nfkc()
        .flat_map(char::to_lowercase)
        .map(fold)
        .filter(|c| c.is_alphabetic())
        .collect()
}

/// A Latin letter for its common Cyrillic and Greek look-alikes (lower case).
pub fn fold(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ε' | 'ё' => 'e',
        'һ' => 'h',
        'і' | 'ι' | 'ї' => 'i',
        'ј' => 'j',
        'к' | 'κ' => 'k',
        'м' => 'm',
        'η' | 'п' => 'n',
        'о' | 'ο' | 'σ' => 'o',
        'р' | 'ρ' => 'p',
        'ԛ' => 'q',
        'г' => 'r',
        'ѕ' => 's',
        'т' | 'τ' => 't',
        'υ' | 'ц' => 'u',
        'ν' | 'ѵ' => 'v',
        'ԝ' | 'ω' | 'ш' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        'ʏ' => 'y',
        'ı' => 'i',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guards the ASCII fast path of `letters`: the same letters as the Unicode path.
    #[test]
    fn ascii_letters_are_the_unicode_letters() {
        for text in [
            "Medically <b>Re</b>viewed by Dr. X, M.D. (2025) _-_ Fact-Checked",
            "",
            "0123 !@#$%^&*() ~`\\|{}[];:'\",.<>/?",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz",
        ] {
            let slow: String = text
                .nfkc()
                .flat_map(char::to_lowercase)
                .map(fold)
                .filter(|c| c.is_alphabetic())
                .collect();
            assert_eq!(letters(text), slow, "{text}");
        }
    }

    #[test]
    fn a_claim_is_found_through_markup_case_and_look_alike_letters() {
        assert_eq!(
            review_claim("Medically Reviewed by Dr. X"),
            Some("reviewed")
        );
        assert_eq!(review_claim("re\u{AD}viewed"), Some("reviewed"));
        assert_eq!(review_claim("Rеviewed"), Some("reviewed"));
        assert_eq!(review_claim("We corrected the dose."), None);
    }
}
