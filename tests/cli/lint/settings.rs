//! The `editorial:` section of `medreview.yaml`: severities, the reading-grade
//! target, and what `lint --json` prints.

use super::{FRONT, QUIET, at, env_with, findings, lint_body, places, shown};
use crate::common::{ARTICLE, SLUG};

const SKIPPED: &str = "## Treatment\n\n#### Side effects\n\nDrink water.\n";

#[test]
fn a_warning_raised_to_error_makes_lint_exit_1() {
    let env = env_with(
        "editorial:\n  severity:\n    headings: error\n    spelling: off\n    grammar: off\n",
        &format!("{FRONT}{SKIPPED}"),
    );
    insta::assert_snapshot!(shown(&env), @"
    exit 1
    articles/her2-treatment/article.md:12:1: error: this heading skips from level 2 to level 4; use ### [headings]
    ---
    Linted 1 article: 1 error.
    ");
    let hits = findings(&env);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0].severity, "error");
    // By default it is a warning: exit 0.
    let env = env_with(QUIET, &format!("{FRONT}{SKIPPED}"));
    let run = env.run(&["lint", SLUG]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains(": warning: "), "{run:?}");
}

#[test]
fn an_error_lowered_to_info_lets_lint_exit_0() {
    let settings =
        "editorial:\n  severity:\n    alt-text: info\n    spelling: off\n    grammar: off\n";
    let body = "![](https://example.org/a.png)\n";
    let env = env_with(settings, &format!("{FRONT}{body}"));
    let hits = findings(&env);
    assert_eq!(places(&hits, "alt-text"), vec![at(body, "![")]);
    assert_eq!(hits[0].severity, "info");
    assert_eq!(env.run(&["lint", SLUG]).code, 0);
}

#[test]
fn off_removes_a_rule() {
    let body = "About 20 percent relapse.\n\n#### Skipped\n\n![](https://example.org/a.png)\n";
    let on = lint_body(QUIET, body);
    for code in ["unsourced-claim", "headings", "alt-text"] {
        assert_eq!(places(&on, code).len(), 1, "{code}: {on:#?}");
    }
    let off = lint_body(
        &format!("{QUIET}    unsourced-claim: off\n    headings: off\n    alt-text: off\n"),
        body,
    );
    assert_eq!(off, vec![], "every rule that found something is off");
}

#[test]
fn every_rule_off_finds_nothing() {
    let mut settings = "editorial:\n  severity:\n".to_owned();
    for rule in medreview_lint::RULES {
        settings.push_str(&format!("    {}: off\n", rule.code));
    }
    let article = "---\ntitle: T\nwriter: suzanne-example\ntopic: oncology\n---\n# Tïtle\n\nSigns include:\n\n-\n\n![](http://x.org/a.png) [](http://x.org) recieve 20 percent.\n";
    let env = env_with(&settings, article);
    insta::assert_snapshot!(shown(&env), @"
    exit 0
    ---
    Linted 1 article: no findings.
    ");
}

#[test]
fn an_unknown_rule_code_is_refused_naming_the_file_and_the_codes() {
    let env = env_with(
        "editorial:\n  severity:\n    spellling: off\n",
        &format!("{FRONT}Drink water.\n"),
    );
    let stderr = env.redact(&env.refuse(&["lint", SLUG]));
    insta::assert_snapshot!(stderr, @"
    Error: [REPO]/medreview.yaml: editorial.severity names the rule `spellling`, which does not exist
    Hint: the rules are: empty-list, alt-text, link, sources, unsourced-claim, near-duplicate, reading-grade, headings, spelling, grammar
    Code: invalid-setting
    ");
    for rule in medreview_lint::RULES {
        assert!(stderr.contains(rule.code), "{} not listed", rule.code);
    }
}

#[test]
fn an_unknown_severity_or_setting_is_refused_at_its_line() {
    let env = env_with(
        "editorial:\n  severity:\n    headings: fatal\n",
        &format!("{FRONT}Drink water.\n"),
    );
    insta::assert_snapshot!(env.redact(&env.refuse(&["lint", SLUG])), @"
    Error: [REPO]/medreview.yaml:18: editorial.severity.headings: unknown variant `fatal`, expected one of `error`, `warning`, `info`, `off`
    Hint: fix the YAML at that line and run the command again
    Code: invalid-yaml
    ");
    let env = env_with(
        "editorial:\n  colour: red\n",
        &format!("{FRONT}Drink water.\n"),
    );
    insta::assert_snapshot!(env.redact(&env.refuse(&["lint", SLUG])), @"
    Error: [REPO]/medreview.yaml:17: editorial: unknown field `colour`, expected one of `severity`, `reading_grade`, `allowed_words`, `grammar_off`, `dictionaries`
    Hint: fix the YAML at that line and run the command again
    Code: invalid-yaml
    ");
}

#[test]
fn the_reading_grade_target_can_be_changed() {
    // About grade 6: under the default target, over a target of 5.
    let body = "Your doctor will check your heart before treatment starts and every few months during it.\n";
    assert_eq!(places(&lint_body(QUIET, body), "reading-grade"), vec![]);
    let hits = lint_body(&format!("{QUIET}  reading_grade: 5\n"), body);
    assert_eq!(
        places(&hits, "reading-grade"),
        vec![at(body, "Your")],
        "{hits:#?}"
    );
    assert!(hits[0].message.contains("target 5)"), "{hits:#?}");
    let grade = medreview_lint::reading(&format!("{FRONT}{body}"))
        .expect("parses")
        .expect("a grade")
        .grade;
    assert!((5.0..8.0).contains(&grade), "{grade}");
    assert!(
        hits[0]
            .message
            .contains(&format!("reading grade {grade:.1} ")),
        "{hits:#?}"
    );
    // A target above the body's grade silences what the default finds.
    let harder = "Your physician will evaluate your cardiac function before treatment begins, and will continue monitoring it regularly throughout chemotherapy.\n";
    let grade = medreview_lint::reading(&format!("{FRONT}{harder}"))
        .expect("parses")
        .expect("a grade")
        .grade;
    assert!((9.0..19.0).contains(&grade), "{grade}");
    assert_eq!(places(&lint_body(QUIET, harder), "reading-grade").len(), 1);
    assert_eq!(
        places(
            &lint_body(&format!("{QUIET}  reading_grade: 20\n"), harder),
            "reading-grade"
        ),
        vec![]
    );
}

#[test]
fn an_impossible_reading_grade_target_is_refused() {
    let env = env_with(
        "editorial:\n  reading_grade: 0\n",
        &format!("{FRONT}Drink water.\n"),
    );
    insta::assert_snapshot!(env.redact(&env.refuse(&["lint", SLUG])), @"
    Error: [REPO]/medreview.yaml: editorial.reading_grade is 0
    Hint: give a school grade between 1 and 20; 8 is the usual target for patient material
    Code: invalid-setting
    ");
}

#[test]
fn lint_json_has_counts_per_article_and_problems_with_line_column_severity() {
    let body = "![](https://example.org/a.png)\n\n#### Skipped\n\nDrink water every day.\n";
    let env = env_with(QUIET, &format!("{FRONT}{body}"));
    let run = env.run(&["lint", SLUG, "--json"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!(run.stdout, @r#"
    {
      "articles": [
        {
          "slug": "her2-treatment",
          "file": "articles/her2-treatment/article.md",
          "errors": 1,
          "warnings": 1,
          "infos": 0,
          "reading_grade": {
            "grade": 3.7,
            "target": 8.0,
            "words": 4,
            "sentences": 1,
            "syllables": 6,
            "graded": [
              "paragraphs"
            ],
            "not_graded": [
              "headings",
              "image descriptions"
            ]
          }
        }
      ],
      "problems": [
        {
          "code": "alt-text",
          "file": "articles/her2-treatment/article.md",
          "line": 10,
          "commit": null,
          "message": "the image https://example.org/a.png has no alt text: describe it in the brackets, `![what it shows](https://example.org/a.png)`",
          "column": 1,
          "severity": "error"
        },
        {
          "code": "headings",
          "file": "articles/her2-treatment/article.md",
          "line": 12,
          "commit": null,
          "message": "this heading skips from level 1 to level 4; use ##",
          "column": 1,
          "severity": "warning"
        }
      ],
      "errors": 1,
      "warnings": 1,
      "infos": 0
    }
    "#);
}

/// Findings are memoized by text and settings: a second run says the same, and a
/// new word in dictionary.txt or a new severity is seen at once.
#[test]
fn the_memo_follows_dictionary_txt_and_the_settings() {
    let body = "Zentrovax is given by IV.\n\n#### Skipped\n";
    let env = env_with("", &format!("{FRONT}{body}"));
    let first = findings(&env);
    assert_eq!(places(&first, "spelling"), vec![at(body, "Zentrovax")]);
    assert_eq!(findings(&env), first, "the memoized run differs");
    env.write("dictionary.txt", "Zentrovax\n");
    let hits = findings(&env);
    assert_eq!(places(&hits, "spelling"), vec![], "{hits:#?}");
    assert_eq!(places(&hits, "headings").len(), 1);
    env.append(
        "medreview.yaml",
        "editorial:\n  severity:\n    headings: error\n",
    );
    let hits = findings(&env);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0].severity, "error");
    // And the article's own edits, of course.
    env.write(ARTICLE, &format!("{FRONT}Zentrovax is given by IV.\n"));
    assert_eq!(findings(&env), vec![]);
}

#[test]
fn lint_without_a_slug_lints_every_article_and_an_unknown_slug_is_refused() {
    let env = env_with(QUIET, &format!("{FRONT}#### Skipped\n"));
    env.write(
        "articles/second/article.md",
        &format!("{FRONT}![](https://example.org/a.png)\n"),
    );
    insta::assert_snapshot!(
        {
            let run = env.run(&["lint"]);
            format!("exit {}\n{}---\n{}", run.code, run.stdout, run.stderr)
        },
        @"
    exit 1
    articles/her2-treatment/article.md:10:1: warning: this heading skips from level 1 to level 4; use ## [headings]
    articles/second/article.md:10:1: error: the image https://example.org/a.png has no alt text: describe it in the brackets, `![what it shows](https://example.org/a.png)` [alt-text]
    ---
    Linted 2 articles: 1 error, 1 warning.
    "
    );
    insta::assert_snapshot!(env.redact(&env.refuse(&["lint", "nope"])), @"
    Error: there is no article `nope`
    Hint: `medreview status` lists the articles
    Code: unknown-article
    ");
}

/// A byte-order mark and CRLF line ends do not move a finding.
#[test]
fn a_bom_and_crlf_do_not_move_findings() {
    let body = "Text.\n\n#### Skipped ![](https://example.org/a.png)\n";
    let lf = findings(&env_with(QUIET, &format!("{FRONT}{body}")));
    let crlf = format!("\u{feff}{FRONT}{body}").replace('\n', "\r\n");
    let hits = findings(&env_with(QUIET, &crlf));
    assert_eq!(hits, lf);
    assert_eq!(places(&hits, "headings"), vec![at(body, "####")]);
    assert_eq!(places(&hits, "alt-text"), vec![at(body, "![")]);
}
