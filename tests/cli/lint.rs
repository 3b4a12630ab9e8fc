//! `medreview lint`: every editorial rule on a small text that hits it and on a near
//! miss that must not, placed at the right line and column of the file (front matter
//! included); the `editorial:` settings. The textstat cross-check and the
//! robustness properties are in the submodules.

mod robust;
mod settings;
mod textstat;

use crate::common::{ARTICLE, SLUG, TestEnv, json};

/// Front matter of a test article: 9 lines, so line n of the body is line n + 9 of
/// the file.
pub const FRONT: &str = "---\ntitle: Test article\nwriter: suzanne-example\nreviewer: ana-example\ntopic: oncology\nsources:\n  - title: Breast Cancer (National Cancer Institute)\n    url: https://www.cancer.gov/types/breast\n---\n";

/// The file line of the body's first line.
pub const BODY_LINE: usize = 10;

/// Settings with harper's two rules off: only the rules under test, and fast.
pub const QUIET: &str = "editorial:\n  severity:\n    spelling: off\n    grammar: off\n";

/// One finding as `lint --json` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub code: String,
    pub severity: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A workspace whose `medreview.yaml` ends with `settings` and whose article is
/// `article` (front matter and body).
pub fn env_with(settings: &str, article: &str) -> TestEnv {
    let env = TestEnv::new();
    if !settings.is_empty() {
        env.append("medreview.yaml", settings);
    }
    env.write(ARTICLE, article);
    env
}

/// The findings of `lint --json SLUG` (exit 0 or 1, as errors say).
pub fn findings(env: &TestEnv) -> Vec<Hit> {
    let run = env.run(&["lint", SLUG, "--json"]);
    let v = json(&run.stdout);
    let errors = v["errors"].as_u64().expect("errors count");
    assert_eq!(
        run.code,
        i32::from(errors > 0),
        "exit code and error count disagree:\n{}{}",
        run.stdout,
        run.stderr
    );
    let problems = v["problems"].as_array().expect("problems");
    problems
        .iter()
        .map(|p| {
            assert_eq!(p["file"], ARTICLE, "{p}");
            Hit {
                code: p["code"].as_str().expect("code").to_owned(),
                severity: p["severity"].as_str().expect("severity").to_owned(),
                line: p["line"].as_u64().expect("line") as usize,
                column: p["column"].as_u64().expect("column") as usize,
                message: p["message"].as_str().expect("message").to_owned(),
            }
        })
        .collect()
}

/// The findings of `body` under `FRONT` and `settings`.
pub fn lint_body(settings: &str, body: &str) -> Vec<Hit> {
    findings(&env_with(settings, &format!("{FRONT}{body}")))
}

/// The places (line, column) of the findings of `code`.
pub fn places(hits: &[Hit], code: &str) -> Vec<(usize, usize)> {
    hits.iter()
        .filter(|h| h.code == code)
        .map(|h| (h.line, h.column))
        .collect()
}

/// The file line and column (1-based, in characters) where the first `needle` of
/// `body` starts, the body following `FRONT`.
pub fn at(body: &str, needle: &str) -> (usize, usize) {
    let i = body
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {body:?}"));
    let before = &body[..i];
    let line = before.matches('\n').count() + BODY_LINE;
    let start = before.rfind('\n').map_or(0, |n| n + 1);
    (line, before[start..].chars().count() + 1)
}

/// `lint SLUG` as a user sees it: exit code, stdout and stderr.
fn shown(env: &TestEnv) -> String {
    let run = env.run(&["lint", SLUG]);
    format!(
        "exit {}\n{}---\n{}",
        run.code,
        run.stdout,
        env.redact(&run.stderr)
    )
}

/// Asserts that none of `bodies` has a finding of `code`.
fn no_finding(code: &str, bodies: &[&str]) {
    for body in bodies {
        let hits = lint_body(QUIET, body);
        assert_eq!(places(&hits, code), vec![], "{code} in {body:?}: {hits:#?}");
    }
}

/// Asserts that each body has exactly one finding of `code`, where `needle` starts.
fn one_finding(code: &str, cases: &[(&str, &str)]) {
    for (body, needle) in cases {
        let hits = lint_body(QUIET, body);
        assert_eq!(
            places(&hits, code),
            vec![at(body, needle)],
            "{code} in {body:?}: {hits:#?}"
        );
    }
}

/// The defects of the published HER2 page the issue names, as a writer sees them.
#[test]
fn the_issues_her2_page_shows_every_defect_in_place() {
    let body = "\
Anti-HER2 monoclonal antibodies that can recognize and attack the HER2 protein include:

## Kinase inhibitors

Kinase inhibitors used to treat HER2-positive breast cancer include:

Approximately 20 percent of people with breast cancer have a tumor that makes too much HER2.

> Approximately 20 percent of people with breast cancer have a tumor that makes a lot of HER2.
";
    let env = env_with(QUIET, &format!("{FRONT}{body}"));
    insta::assert_snapshot!(shown(&env), @r#"
    exit 1
    articles/her2-treatment/article.md:10:1: warning: reading grade 9.7 (Flesch–Kincaid, target 8) over 54 words in 4 sentences of paragraphs and quotes; headings are not graded. It is above the target: use shorter sentences and everyday words [reading-grade]
    articles/her2-treatment/article.md:10:87: error: this announces a list (it ends with a colon), but no list follows; add the list, or end the sentence with a period [empty-list]
    articles/her2-treatment/article.md:14:68: error: this announces a list (it ends with a colon), but no list follows; add the list, or end the sentence with a period [empty-list]
    articles/her2-treatment/article.md:16:1: warning: this sentence states a percentage but its paragraph cites nothing: add a footnote (`[^1]`) or a link to the source, or name a source from the front matter [unsourced-claim]
    articles/her2-treatment/article.md:18:3: warning: this sentence states a percentage but its paragraph cites nothing: add a footnote (`[^1]`) or a link to the source, or name a source from the front matter [unsourced-claim]
    articles/her2-treatment/article.md:18:3: warning: this sentence repeats the one at line 16:1 nearly word for word (61% alike: "Approximately 20 percent of people with breast cancer have…"); keep one [near-duplicate]
    ---
    Linted 1 article: 2 errors, 4 warnings.
    "#);
}

#[test]
fn a_clean_article_has_no_findings_and_exits_0() {
    // No Hunspell dictionaries: the same output whether or not the machine has
    // them (without them, `lint` would add a note saying how to install them).
    let env = env_with(
        "editorial:\n  dictionaries: []\n",
        &format!("{FRONT}Drink water every day. Walk with a friend after lunch.\n"),
    );
    insta::assert_snapshot!(shown(&env), @"
    exit 0
    ---
    Linted 1 article: no findings.
    ");
}

#[test]
fn empty_list_is_an_announcement_with_no_list_at_its_colon() {
    one_finding(
        "empty-list",
        &[
            ("Signs include:\n\nSee a doctor.\n", ":\n"),
            ("Some text.\n\nSigns include:\n\n## Next\n\nMore.\n", ":\n"),
            ("The drugs are:\n", ":\n"),
            ("Such as:   \n\n---\n\nText.\n", ":"),
            ("- Symptoms include:\n\nText after the list.\n", ":\n"),
            ("Ünïcödé drugs such as:\n\nText.\n", ":\n"),
            ("Drugs are:\r\n\r\nText.\r\n", ":\r"),
        ],
    );
}

#[test]
fn empty_list_is_also_an_empty_list_item() {
    one_finding(
        "empty-list",
        &[
            ("- First\n-\n- Third\n", "-\n-"),
            ("Steps:\n\n1. One\n2.\n", "2."),
            ("- First\n\n-\n\n- Third\n", "-\n\n-"),
        ],
    );
}

#[test]
fn empty_list_near_misses_colon_mid_sentence_and_lists_tables_quotes_after_one() {
    no_finding(
        "empty-list",
        &[
            "Note: the colon here is mid-sentence.\n",
            "The time is 10:30 and the ratio is 2:1 today.\n",
            "Examples include:\n\n- trastuzumab\n- pertuzumab\n",
            "Examples include:\n- trastuzumab\n- pertuzumab\n",
            "The two main tests are:\n\n1. IHC\n2. FISH\n",
            "The results are:\n\n| Test | Result |\n|---|---|\n| IHC | 3+ |\n",
            "As the guide says:\n\n> Ask about your heart.\n",
            "Type this:\n\n    medreview lint\n",
            "- Drugs such as:\n  - trastuzumab\n  - pertuzumab\n",
            "## Treatments include:\n\nSurgery and medicine.\n",
            "Treatment includes:[^1]\n\n- surgery\n\n[^1]: National Cancer Institute.\n",
            "Read the note.[^1]\n\n[^1]: It says:\n\nMore text here.\n",
            "- An item with text\n- ![A scan](https://example.org/a.png)\n- `code`\n",
        ],
    );
}

#[test]
fn alt_text_is_an_image_without_a_description() {
    let body = "An image: ![](https://example.org/a.png) and ![ ](https://example.org/b.png).\n\n![](https://example.org/c.png)\n";
    let hits = lint_body(QUIET, body);
    assert_eq!(
        places(&hits, "alt-text"),
        vec![
            at(body, "![]("),
            at(body, "![ ]("),
            at(body, "![](https://example.org/c")
        ],
        "{hits:#?}"
    );
    assert_eq!(hits[0].severity, "error");
    assert!(
        hits[0].message.contains("https://example.org/a.png"),
        "{hits:#?}"
    );
    no_finding(
        "alt-text",
        &[
            "![A scan of the breast](https://example.org/c.png)\n",
            "![*Scan* of the breast](https://example.org/c.png)\n",
            "[![The logo of the institute](https://example.org/l.png)](https://example.org)\n",
            "Text with `![](not-an-image)` in code.\n",
        ],
    );
}

#[test]
fn link_is_a_non_https_address_or_a_link_without_text() {
    let body = "See [NCI](http://www.cancer.gov) or [](https://www.cancer.gov).\n\nOr <http://example.org> or [the file](ftp://example.org/f).\n\n![A scan](http://example.org/a.png)\n";
    let hits = lint_body(QUIET, body);
    assert_eq!(
        places(&hits, "link"),
        vec![
            at(body, "[NCI]"),
            at(body, "[]("),
            at(body, "<http"),
            at(body, "[the file]"),
            at(body, "![A scan]"),
        ],
        "{hits:#?}"
    );
    assert!(hits.iter().all(|h| h.severity == "warning"), "{hits:#?}");
    no_finding(
        "link",
        &[
            "See [NCI](https://www.cancer.gov), [mail us](mailto:help@example.org), [call](tel:+15555550100).\n",
            "See [the other page](/other-page) and [the top](#top).\n",
            "See [**NCI**](https://www.cancer.gov) and [![The NCI logo](https://example.org/l.png)](https://www.cancer.gov).\n",
            "An address in code: `http://example.org` is not a link.\n",
        ],
    );
}

#[test]
fn link_in_the_front_matter_is_a_source_that_is_not_https() {
    let front = FRONT.replace(
        "  - title: Breast Cancer",
        "  - title: Old page\n    url: http://www.cancer.gov/old\n  - title: Breast Cancer",
    );
    let hits = findings(&env_with(QUIET, &format!("{front}Drink water.\n")));
    assert_eq!(places(&hits, "link"), vec![(8, 1)], "{hits:#?}");
    assert!(
        hits[0].message.contains("\"Old page\"")
            && hits[0].message.contains("http://www.cancer.gov/old"),
        "{hits:#?}"
    );
    // https sources are fine.
    assert_eq!(places(&lint_body(QUIET, "Drink water.\n"), "link"), vec![]);
}

#[test]
fn link_names_the_line_of_each_non_https_source() {
    let front = FRONT.replace(
        "  - title: Breast Cancer",
        "  - title: Page two\n    url: http://example.org/page2\n  - title: Page\n    url: http://example.org/page\n  - title: Breast Cancer",
    );
    let hits = findings(&env_with(QUIET, &format!("{front}Drink water.\n")));
    assert_eq!(places(&hits, "link"), vec![(8, 1), (10, 1)], "{hits:#?}");
}

#[test]
fn sources_is_an_article_without_sources() {
    let bare = "---\ntitle: Test article\nwriter: suzanne-example\nreviewer: ana-example\ntopic: oncology\n---\nDrink water.\n";
    let hits = findings(&env_with(QUIET, bare));
    assert_eq!(places(&hits, "sources"), vec![(1, 1)], "{hits:#?}");
    assert_eq!(hits[0].severity, "warning");
    let empty = bare.replace("topic: oncology\n", "topic: oncology\nsources: []\n");
    assert_eq!(
        places(&findings(&env_with(QUIET, &empty)), "sources"),
        vec![(1, 1)]
    );
    no_finding("sources", &["Drink water.\n"]);
}

#[test]
fn unsourced_claim_is_a_statistic_in_a_paragraph_that_cites_nothing() {
    let claims = [
        "Approximately 20 percent of people with breast cancer relapse.",
        "About 20% relapse within five years.",
        "About 20 per cent relapse.",
        "It is three times more common in older women.",
        "About 1 in 8 women get breast cancer.",
        "About 15 to 20 out of every 100 breast cancers are HER2-positive.",
        "The rate is 12 per 100,000 people.",
        "Take 500 mg a day.",
        "Take 500mg a day.",
        "The dose is 2.5 mg/kg a week.",
        "The risk is two-fold.",
    ];
    for claim in claims {
        let body = format!("Most people do well after treatment. {claim}\n");
        let hits = lint_body(QUIET, &body);
        assert_eq!(
            places(&hits, "unsourced-claim"),
            vec![at(&body, claim)],
            "{claim}: {hits:#?}"
        );
    }
}

#[test]
fn unsourced_claim_near_misses_numbers_that_are_not_statistics_and_cited_ones() {
    no_finding(
        "unsourced-claim",
        &[
            "People with type 2 diabetes should know these six things.\n",
            "HER2 is a protein. Stage 3 cancer is treated with surgery. In 2020 a new drug came.\n",
            "Call 911 now. Take your medicine many times a day if you need it. It is one in a million.\n",
            // Cited: a footnote, a link, a front-matter source by name.
            "About 20 percent of breast cancers are HER2-positive.[^1]\n\n[^1]: National Cancer Institute.\n",
            "About 20 percent of breast cancers are HER2-positive, as the [NCI](https://www.cancer.gov) says.\n",
            "About 20 percent of breast cancers are HER2-positive (National Cancer Institute).\n",
            "About 20 percent of breast cancers are HER2-positive, says the national cancer institute.\n",
            // A footnote is the citation, not a claim.
            "It is common.[^1]\n\n[^1]: National Cancer Institute, 2023: 25% of all cases.\n",
            // A link or footnote that opens a tight list item cites it.
            "- [The NCI](https://www.cancer.gov) says 20 percent of cancers are HER2-positive.\n- [^1] says 3 times more.\n\n[^1]: A study.\n",
            // Headings are not sentences that need a source.
            "## 1 in 8 women\n\nMany women get it.\n",
        ],
    );
    // Naming a source that is not in the front matter does not cite it.
    let body = "About 20 percent of breast cancers are HER2-positive (MedlinePlus).\n";
    assert_eq!(
        places(&lint_body(QUIET, body), "unsourced-claim"),
        vec![at(body, "About")]
    );
}

#[test]
fn near_duplicate_is_a_pull_quote_restating_a_body_sentence() {
    let body = "\
Trastuzumab can weaken the heart muscle, so your care team checks your heart often.

> Trastuzumab can weaken the heart muscle, so your team checks your heart often.
";
    let hits = lint_body(QUIET, body);
    assert_eq!(
        places(&hits, "near-duplicate"),
        vec![at(
            body,
            "Trastuzumab can weaken the heart muscle, so your team"
        )],
        "{hits:#?}"
    );
    // Both places are named: the finding at the quote, the message at the body sentence.
    let (line, column) = at(body, "Trastuzumab");
    assert!(
        hits[0].message.contains(&format!("line {line}:{column}")),
        "{hits:#?}"
    );
    insta::assert_snapshot!(hits[0].message, @r#"this sentence repeats the one at line 10:1 nearly word for word (64% alike: "Trastuzumab can weaken the heart muscle, so your care team…"); keep one"#);
}

#[test]
fn near_duplicate_near_misses_different_sentences_on_one_subject_and_short_ones() {
    no_finding(
        "near-duplicate",
        &[
            "Trastuzumab can weaken the heart muscle in some people who take it. Your care team checks your heart with a scan before and during treatment.\n\n> Your heart is checked with a scan because trastuzumab can weaken it.\n",
            "Call your doctor. Call your doctor.\n",
            "## Your heart is checked with a scan before treatment\n\nYour heart is checked with a scan before treatment starts.\n",
        ],
    );
}

#[test]
fn reading_grade_is_a_body_above_the_target_with_its_hardest_paragraph() {
    let hard = "Anti-HER2 monoclonal antibodies that can recognize and attack the HER2 protein are administered intravenously in combination with chemotherapy regimens, and cardiotoxicity necessitates echocardiographic monitoring throughout the treatment duration.";
    let body = format!("## Treatment\n\n{hard}\n\nAsk your team.\n");
    let hits = lint_body(QUIET, &body);
    let start = at(&body, "Anti");
    assert_eq!(
        places(&hits, "reading-grade"),
        vec![start, start],
        "{hits:#?}"
    );
    let messages: Vec<&str> = hits.iter().map(|h| h.message.as_str()).collect();
    insta::assert_debug_snapshot!(messages, @r#"
    [
        "reading grade 18.8 (Flesch–Kincaid, target 8) over 31 words in 2 sentences of paragraphs; headings are not graded. It is above the target: use shorter sentences and everyday words",
        "one of the hardest paragraphs, at grade 24.8: \"Anti-HER2 monoclonal antibodies that can…\"",
    ]
    "#);
    no_finding(
        "reading-grade",
        &[
            "Eat well. Sleep at night. Walk each day with a friend. Drink water when you are thirsty.\n",
        ],
    );
}

#[test]
fn headings_is_a_skipped_level_or_a_level_one_heading() {
    one_finding(
        "headings",
        &[
            (
                "## Treatment\n\nText.\n\n#### Side effects\n\nText.\n",
                "####",
            ),
            ("Text.\n\n# A second title\n", "# A"),
            ("### First heading\n\nText.\n", "###"),
            ("## A\n\n### B\n\n## C\n\n#### D\n", "####"),
        ],
    );
    no_finding(
        "headings",
        &[
            "## Treatment\n\nText.\n\n### Side effects\n\nText.\n\n## Follow-up\n\n### Visits\n",
            "## A\n\n### B\n\n#### C\n\n## D\n",
            "Setext heading\n--------------\n\nText.\n",
            "```\n# not a heading\n```\n",
        ],
    );
}

#[test]
fn spelling_is_a_word_no_dictionary_knows() {
    let body = "You will recieve a letter about Zentrovax. Zentrovax is given by IV.\n";
    let hits = findings(&env_with("", &format!("{FRONT}{body}")));
    assert_eq!(
        places(&hits, "spelling"),
        vec![at(body, "recieve"), at(body, "Zentrovax")],
        "{hits:#?}"
    );
    assert!(
        hits.iter().any(|h| h
            .message
            .contains("`Zentrovax` is not in the dictionary (2 times)")),
        "{hits:#?}"
    );
}

#[test]
fn spelling_near_misses_dictionary_txt_allowed_words_and_abbreviations() {
    let body = "Plimzera and plimzeras. Qorvimab and Tesnuvo. HER2, CPAP and T-DM1 are fine. Zentrovax and Brindolix.\n";
    let env = env_with(
        "editorial:\n  allowed_words: [Qorvimab, ' tesnuvo ']\n",
        &format!("{FRONT}{body}"),
    );
    env.write(
        "dictionary.txt",
        "# Drug names (a comment line)\nplimzera   # Brindolix is only in this comment\n\n  zentrovax\n",
    );
    let hits = findings(&env);
    assert_eq!(
        places(&hits, "spelling"),
        vec![at(body, "Brindolix")],
        "{hits:#?}"
    );
}

#[test]
fn grammar_is_harpers_rules_and_grammar_off_leaves_one_out() {
    let settings = "editorial:\n  severity:\n    spelling: off\n";
    let body = "This is a example of the problem.\n";
    let hits = lint_body(settings, body);
    let grammar: Vec<&Hit> = hits.iter().filter(|h| h.code == "grammar").collect();
    assert_eq!(grammar.len(), 1, "{hits:#?}");
    assert_eq!((grammar[0].line, grammar[0].column), at(body, "a example"));
    assert_eq!(grammar[0].severity, "info");
    insta::assert_snapshot!(grammar[0].message, @"Incorrect indefinite article (harper: AnA)");
    let rule = grammar[0]
        .message
        .rsplit_once("(harper: ")
        .and_then(|(_, r)| r.strip_suffix(')'))
        .expect("the harper rule is named");
    let off = format!("{settings}  grammar_off: [{rule}]\n");
    assert_eq!(places(&lint_body(&off, body), "grammar"), vec![]);
    assert_eq!(
        places(
            &lint_body(settings, "This is an example of the problem.\n"),
            "grammar"
        ),
        vec![]
    );
}

/// Issue 27: near-duplicates are found by the words' stems, and parallel list
/// introductions are not duplicates. Recall and precision on labelled pairs (a
/// body sentence, then a pull-quote): each pair is linted alone.
#[test]
fn near_duplicates_by_stems_recall_and_precision_on_labelled_pairs() {
    // (body sentence, later sentence, a repeat?)
    let pairs: &[(&str, &str, bool)] = &[
        (
            "Targeted therapies turn off or interfere with signals that tell cancer cells to grow and divide.",
            "They do this by turning off or interfering with signals that tell cancer cells to grow and divide.",
            true,
        ),
        (
            "Trastuzumab can weaken the heart muscle, so your care team checks your heart often.",
            "Trastuzumab can weaken the heart muscle, so your team checks your heart often.",
            true,
        ),
        (
            "Doctors test the tumor for the HER2 protein before they choose a treatment.",
            "Doctors tested the tumors for HER2 proteins before choosing the treatments.",
            true,
        ),
        (
            "Most people finish radiation therapy within five to seven weeks of starting it.",
            "Most people finished their radiation therapy within five to seven weeks of starting.",
            true,
        ),
        (
            "Hormone therapy lowers the chance that the cancer comes back after surgery.",
            "Hormone therapies lower the chances that cancers come back after surgeries.",
            true,
        ),
        (
            "Ask your care team which side effects to report right away and which can wait.",
            "Asking your care team which side effects to report right away, and which can wait, matters.",
            true,
        ),
        (
            "Kinase inhibitors used to treat HER2-positive breast cancer include:",
            "ADCs used to treat HER2-positive breast cancer include:",
            false,
        ),
        (
            "Monoclonal antibodies used to treat HER2-positive breast cancer include:",
            "Vaccines being studied to treat HER2-positive breast cancer include:",
            false,
        ),
        (
            "Trastuzumab is given by IV every three weeks for a year.",
            "Pertuzumab is often given together with trastuzumab before surgery.",
            false,
        ),
        (
            "Your heart is checked with an echocardiogram before treatment starts.",
            "Your blood counts are checked before each dose of chemotherapy.",
            false,
        ),
        (
            "HER2-positive cancers tend to grow faster than other types of breast cancer.",
            "HER2-positive cancers respond well to treatments that target the HER2 protein.",
            false,
        ),
        (
            "Side effects of trastuzumab are usually mild and include chills and fever.",
            "Side effects of chemotherapy can be harder and include hair loss and nausea.",
            false,
        ),
    ];
    let (mut found_dup, mut missed_dup, mut false_alarm) = (0, 0, 0);
    for (first, second, repeat) in pairs {
        let body = format!("{first}\n\n> {second}\n");
        let found = !places(&lint_body(QUIET, &body), "near-duplicate").is_empty();
        match (found, *repeat) {
            (true, true) => found_dup += 1,
            (false, true) => missed_dup += 1,
            (true, false) => false_alarm += 1,
            (false, false) => {}
        }
        if found != *repeat {
            eprintln!("near-duplicate: {found} for {first:?} / {second:?}");
        }
    }
    let recall = found_dup as f64 / (found_dup + missed_dup) as f64;
    let precision = found_dup as f64 / (found_dup + false_alarm).max(1) as f64;
    eprintln!("near-duplicate recall {recall:.2}, precision {precision:.2}");
    assert!(recall >= 0.8, "recall {recall:.2}");
    assert!(precision >= 0.99, "precision {precision:.2}");
}
