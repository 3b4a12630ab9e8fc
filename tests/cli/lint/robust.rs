//! The linter on random Markdown-ish text: it never panics, and every finding is
//! placed inside the file (its line exists, its column is at most one past the
//! line's last character).

use std::collections::BTreeMap;
use std::path::Path;

use medreview_lint::{Editorial, Finding, Linter, Severity};
use proptest::prelude::*;

use super::FRONT;

/// Pieces that make the rules' edge cases: lists, colons, footnotes, images, links,
/// headings, tables, quotes, code, statistics, non-ASCII and CRLF.
const PIECES: &[&str] = &[
    "- ",
    "-",
    "* ",
    "1. ",
    "  - ",
    ":",
    " include:",
    " such as:\n",
    "[^1]",
    "[^1]: ",
    "[^x]: note",
    "![](https://e.org/a.png)",
    "![alt](http://e.org/a.png)",
    "[](https://e.org)",
    "[link](ftp://e.org)",
    "<http://e.org>",
    "[a](",
    "](",
    "# ",
    "## ",
    "#### ",
    "Heading\n---\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "|",
    "> ",
    ">",
    "```\n",
    "    code\n",
    "`",
    "**",
    "_",
    "\\",
    "&amp;",
    "<b>",
    "<!-- c -->",
    "20 percent",
    "25%",
    "1 in 8",
    "3 times",
    "500mg",
    " per 100,000",
    "type 2",
    "HER2",
    ". ",
    "! ",
    "? ",
    "...",
    " ",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\t",
    "é",
    "ünïcödé ",
    "日本語",
    "👩‍⚕️",
    "\u{0301}",
    "\u{feff}",
    "\u{a0}",
    "Trastuzumab can weaken the heart muscle, so your care team checks it.",
    "Anti-HER2 monoclonal antibodies recognize the protein",
    "word ",
    "The ",
    "recieve ",
];

fn markdownish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|p| p.concat())
}

/// The structural and sentence rules; harper's two are slow in a debug build.
fn quick() -> Editorial {
    Editorial {
        severity: BTreeMap::from([
            ("grammar".to_owned(), Severity::Off),
            ("spelling".to_owned(), Severity::Off),
        ]),
        ..Editorial::default()
    }
}

/// Lints `bytes` (it must parse) and checks every finding is inside the file.
fn lint_checked(linter: &Linter, bytes: &[u8]) -> Result<Vec<Finding>, TestCaseError> {
    let found = linter.lint(bytes, Path::new("articles/t/article.md"), None);
    let found = match found {
        Ok(found) => found,
        Err(e) => return Err(TestCaseError::fail(format!("refused: {e}"))),
    };
    let text = String::from_utf8_lossy(bytes);
    let text = text
        .strip_prefix('\u{feff}')
        .unwrap_or(&text)
        .replace("\r\n", "\n");
    let lines: Vec<&str> = text.split('\n').collect();
    let body_len =
        medreview_core::article::split_front_matter(&text).map_or(0, |(_, body)| body.len());
    for f in &found {
        prop_assert!(
            f.line >= 1 && f.line <= lines.len(),
            "line {} of {}: {f:?}",
            f.line,
            lines.len()
        );
        let chars = lines[f.line - 1].chars().count();
        prop_assert!(
            f.column >= 1 && f.column <= chars + 1,
            "column {} of a {chars}-character line {:?}: {f:?}",
            f.column,
            lines[f.line - 1]
        );
        if let Some(at) = f.offset {
            prop_assert!(
                at <= body_len,
                "offset {at} of a {body_len}-byte body: {f:?}"
            );
        }
        prop_assert!(f.severity != Severity::Off);
        prop_assert!(!f.message.is_empty());
    }
    Ok(found)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_markdown_never_panics_and_findings_are_inside_the_file(
        body in markdownish(),
        crlf in any::<bool>(),
    ) {
        let linter = Linter::new(&quick(), None);
        let mut text = format!("{FRONT}{body}");
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        lint_checked(&linter, text.as_bytes())?;
    }

    #[test]
    fn random_bytes_after_the_front_matter_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let linter = Linter::new(&quick(), None);
        let mut bytes = FRONT.as_bytes().to_vec();
        bytes.extend(&body);
        // Not UTF-8 is refused as for every command; never a panic.
        let _ = linter.lint(&bytes, Path::new("articles/t/article.md"), None);
    }
}

/// A few hostile texts with harper's spelling and grammar on.
#[test]
fn spelling_and_grammar_on_hostile_text_stay_inside_the_file() {
    let linter = Linter::new(
        &Editorial::default(),
        Some("# a comment\ntrastuzumab\n\n   \n"),
    );
    let bodies = [
        "",
        "\n\n\n",
        "ünïcödé recieve 日本語 👩‍⚕️ e\u{0301}tude.\r\n\r\n- [^1]\r\n-\r\n",
        "This is a example of the the problem: \n\n| a recieve | b |\n|---|---|\n| teh | 2 |\n",
        "> Trastuzumab can weaken the heart muscle, so your care team checks it.\n\nTrastuzumab can weaken the heart muscle, so your care team checks it.[^1]\n\n[^1]: recieve\n",
        "`recieve` **recieve** _recieve_ [recieve](https://e.org) ![recieve](https://e.org/a.png)\n",
    ];
    for body in bodies {
        let text = format!("{FRONT}{body}");
        let found =
            lint_checked(&linter, text.as_bytes()).unwrap_or_else(|e| panic!("{body:?}: {e}"));
        if body.contains("recieve") {
            assert!(
                found.iter().any(|f| f.code == "spelling"),
                "{body:?}: {found:#?}"
            );
        }
    }
}
