//! Property tests of the library API: slug and id validation (`Id::parse`), the rule
//! every path medreview builds depends on.

use std::path::{Component, Path};

use medreview_core::ids::{Id, MAX_LEN};
use proptest::prelude::*;

/// Names Windows reserves for devices, which the rules refuse even though they match
/// the pattern.
const DEVICE_NAMES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The specification, written independently of the code: `[a-z0-9]+(-[a-z0-9]+)*`,
/// 1 to 80 characters, not a Windows device name.
fn follows_the_rules(name: &str) -> bool {
    let word = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    (1..=MAX_LEN).contains(&name.len())
        && name.split('-').all(word)
        && !DEVICE_NAMES.contains(&name)
}

/// Lowercase words joined by single hyphens, up to 80 characters, never a device name.
fn valid_id() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z0-9]{1,12}", 1..=12)
        .prop_map(|words| words.join("-"))
        .prop_map(|name| {
            // Cut at 80 without leaving a trailing hyphen.
            let mut cut = name[..name.len().min(MAX_LEN)].to_owned();
            while cut.ends_with('-') {
                cut.pop();
            }
            cut
        })
        .prop_filter("not a device name", |name| {
            !DEVICE_NAMES.contains(&name.as_str())
        })
}

/// Valid names of 76 to 84 characters: the length limit from both sides.
fn around_the_length_limit() -> impl Strategy<Value = String> {
    (valid_id(), MAX_LEN - 4..=MAX_LEN + 4).prop_map(|(name, len)| {
        let mut long = name;
        while long.len() < len {
            long.push_str("-x9");
        }
        long.truncate(len);
        if long.ends_with('-') {
            long.pop();
            long.push('z');
        }
        long
    })
}

/// A valid name with one small edit: a character from `[a-z0-9-]`, a capital or a
/// path character inserted, replaced or removed anywhere.
fn one_edit_away() -> impl Strategy<Value = String> {
    let chars = vec![
        'a', 'z', '0', '9', '-', '-', 'A', '.', '/', '\\', '_', ' ', '\0',
    ];
    (
        valid_id(),
        0..3usize,
        any::<prop::sample::Index>(),
        prop::sample::select(chars),
    )
        .prop_map(|(name, edit, at, c)| {
            let mut chars: Vec<char> = name.chars().collect();
            match edit {
                0 => chars.insert(at.index(chars.len() + 1), c),
                1 => {
                    let i = at.index(chars.len());
                    chars[i] = c;
                }
                _ => {
                    chars.remove(at.index(chars.len()));
                }
            }
            chars.into_iter().collect()
        })
}

/// One character outside `[a-z0-9-]`: ASCII punctuation, capitals, controls (NUL,
/// tab, newline), path separators, and non-ASCII letters and marks.
fn forbidden_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(vec![
            '/', '\\', '.', '\0', ' ', '\t', '\n', '_', ':', '*', '?', '"', '<', '>', '|', '%',
            '~', '+'
        ]),
        prop::char::range('A', 'Z'),
        any::<char>().prop_filter("outside [a-z0-9-]", |c| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
        }),
    ]
}

/// Asserts what an accepted id must be: no separator, dot or NUL, and one plain path
/// component that is the name itself.
fn assert_safe_as_a_path(id: &Id) -> Result<(), TestCaseError> {
    let name = id.as_str();
    for bad in ['/', '\\', '.', '\0'] {
        prop_assert!(!name.contains(bad), "{name:?} contains {bad:?}");
    }
    let components: Vec<Component<'_>> = Path::new(name).components().collect();
    prop_assert_eq!(components, vec![Component::Normal(name.as_ref())]);
    Ok(())
}

proptest! {
    #[test]
    fn every_name_matching_the_pattern_is_accepted(name in valid_id()) {
        let id = Id::parse("slug", &name);
        prop_assert!(id.is_ok(), "{name:?}: {id:?}");
        let id = id.expect("accepted");
        prop_assert_eq!(id.as_str(), name.as_str());
        assert_safe_as_a_path(&id)?;
    }

    #[test]
    fn a_forbidden_character_anywhere_is_refused_by_name(
        name in valid_id(),
        c in forbidden_char(),
        at in any::<prop::sample::Index>(),
    ) {
        let mut chars: Vec<char> = name.chars().collect();
        chars.insert(at.index(chars.len() + 1), c);
        let bad: String = chars.into_iter().collect();
        let err = Id::parse("slug", &bad).expect_err("a forbidden character");
        // The longest names are refused for their length first; the rest name the character.
        if bad.len() <= MAX_LEN {
            let named = if c.is_ascii_uppercase() {
                format!("it contains the capital letter {c:?}")
            } else {
                format!("it contains {c:?}; only a-z, 0-9 and '-' are allowed")
            };
            prop_assert_eq!(err.rule, named);
        }
    }

    #[test]
    fn leading_trailing_and_doubled_hyphens_are_refused(name in valid_id(), at in any::<prop::sample::Index>()) {
        let words: Vec<&str> = name.split('-').collect();
        let doubled = if words.len() > 1 {
            let i = 1 + at.index(words.len() - 1);
            format!("{}--{}", words[..i].join("-"), words[i..].join("-"))
        } else {
            format!("{name}--{name}")
        };
        for bad in [format!("-{name}"), format!("{name}-"), doubled] {
            let err = Id::parse("slug", &bad).expect_err(&bad);
            let hyphen = err.rule.contains("hyphen") || err.rule.contains("characters long");
            prop_assert!(hyphen, "{bad:?}: {}", err.rule);
        }
    }

    #[test]
    fn names_longer_than_80_are_refused_with_their_length(extra in 1usize..200, name in valid_id()) {
        let long: String = name.chars().cycle().filter(|c| *c != '-').take(MAX_LEN + extra).collect();
        let err = Id::parse("slug", &long).expect_err("too long");
        prop_assert_eq!(
            err.rule,
            format!("it is {} characters long; the limit is {MAX_LEN}", long.len())
        );
    }

    /// Any string (names at the length limit, one edit away from valid, short strings over
    /// the allowed and some forbidden characters, arbitrary Unicode) is
    /// accepted exactly when it follows the rules, and what is accepted is path-safe.
    #[test]
    fn any_string_is_accepted_exactly_when_it_follows_the_rules(
        name in prop_oneof![
            around_the_length_limit(),
            one_edit_away(),
            "[a-z0-9-]{0,12}",
            "[a-zA-Z0-9._/\\\\-]{0,20}",
            any::<String>(),
        ]
    ) {
        match Id::parse("slug", &name) {
            Ok(id) => {
                prop_assert!(follows_the_rules(&name), "{name:?} was accepted");
                assert_safe_as_a_path(&id)?;
            }
            Err(err) => {
                prop_assert!(!follows_the_rules(&name), "{name:?} was refused: {}", err.rule);
                prop_assert!(err.to_string().contains(&err.rule));
            }
        }
    }
}

#[test]
fn windows_device_names_are_refused_in_any_case() {
    for name in DEVICE_NAMES {
        let err = Id::parse("slug", name).expect_err(name);
        assert_eq!(
            err.rule,
            format!("{name:?} is a reserved device name on Windows")
        );
        let upper = name.to_ascii_uppercase();
        assert!(Id::parse("slug", &upper).is_err(), "{upper}");
        // A device name as one word of a longer name is an ordinary name.
        for ok in [format!("{name}-x"), format!("x-{name}"), format!("{name}0")] {
            assert!(Id::parse("slug", &ok).is_ok(), "{ok}");
        }
    }
}

#[test]
fn the_longest_name_is_accepted_and_one_more_character_is_not() {
    let longest = format!("{}-{}", "a".repeat(40), "b".repeat(39));
    assert_eq!(longest.len(), MAX_LEN);
    assert!(Id::parse("slug", &longest).is_ok());
    assert!(Id::parse("slug", &format!("{longest}c")).is_err());
}

/// The length rule counts bytes and runs first, so a short non-ASCII name is reported
/// as too long (41 characters "82 characters long") instead of naming the character.
#[test]
/// Regression: a 41-character non-ASCII name is refused as "82 characters long"
fn a_short_non_ascii_name_is_refused_for_its_character_not_its_length() {
    let name = "\u{e9}".repeat(41);
    let err = Id::parse("writer id", &name).expect_err("non-ASCII");
    assert_eq!(
        err.rule,
        "it contains '\u{e9}'; only a-z, 0-9 and '-' are allowed"
    );
}
