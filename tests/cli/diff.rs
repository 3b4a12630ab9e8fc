//! `medreview diff`: word-level redlines a doctor can trust, in a terminal and as HTML.

use std::time::Instant;

use crate::common::{ARTICLE, SLUG, TestEnv};

const FRONT: &str = "---\ntitle: Six Things to Know About HER2-Positive Breast Cancer Treatment\nwriter: suzanne-example\nreviewer: ana-example\ntopic: oncology\nsources:\n  - title: Breast Cancer Treatment (PDQ)\n    url: https://www.cancer.gov/types/breast/patient/breast-treatment-pdq\n---\n";

/// A workspace whose article was submitted once per body, as r1, r2, ...
fn revisions(bodies: &[&str]) -> TestEnv {
    revisions_of(
        &bodies
            .iter()
            .map(|b| format!("{FRONT}{b}"))
            .collect::<Vec<_>>(),
    )
}

/// Like `revisions`, with whole article texts.
fn revisions_of(texts: &[String]) -> TestEnv {
    let mut env = TestEnv::seeded();
    for (i, text) in texts.iter().enumerate() {
        env.set_now(&format!("2025-03-{:02}T10:00:00-05:00", 3 + i));
        env.write(ARTICLE, text);
        env.ok(&[
            "submit",
            SLUG,
            "--as",
            "suzanne-example",
            "-m",
            &format!("Revision {}.", i + 1),
        ]);
    }
    env
}

fn diff(env: &TestEnv, args: &[&str]) -> String {
    let mut all = vec!["diff", SLUG];
    all.extend_from_slice(args);
    let run = env.ok(&all);
    // Revision ids depend only on the text; keep snapshots readable anyway.
    run.stdout
}

fn paragraph(words: usize, seed: &str) -> String {
    (0..words)
        .map(|i| format!("{seed}{}", i % 97))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn one_word_change_in_a_long_paragraph() {
    let long = "Trastuzumab is given every three weeks for about a year, and most people have few side effects from it, although a small number develop heart problems that need regular checks with an echocardiogram or a MUGA scan during the whole course of treatment.";
    let env = revisions(&[
        &format!("{long}\n"),
        &format!("{}\n", long.replace("three weeks", "four weeks")),
    ]);
    insta::assert_snapshot!(diff(&env, &["r1", "r2"]), @"
    her2-treatment: r1 c21b372 → r2 441f741
    --- r1 c21b372: submitted by Suzanne Example (suzanne-example) on 2025-03-03 10:00 -05:00
    +++ r2 441f741: submitted by Suzanne Example (suzanne-example) on 2025-03-04 10:00 -05:00
    1 word added, 1 removed.

    Text

    Trastuzumab is given every [-three-]{+four+} weeks for about a year, and most people have few side effects from it, although a small number develop heart problems that need regular checks with an echocardiogram or a MUGA scan during the whole course of treatment.
    ");
    insta::assert_snapshot!(
        "one_word_change_html",
        diff(&env, &["r1", "r2", "--format", "html"])
    );
}

#[test]
fn an_added_list() {
    let env = revisions(&[
        "Call your care team if you have a fever.\n\nMost side effects are mild.\n",
        "Call your care team if you have a fever.\n\n- shortness of breath\n- swelling in your legs\n\nMost side effects are mild.\n",
    ]);
    insta::assert_snapshot!(diff(&env, &["r1", "r2"]), @"
    her2-treatment: r1 a7c81c8 → r2 8062710
    --- r1 a7c81c8: submitted by Suzanne Example (suzanne-example) on 2025-03-03 10:00 -05:00
    +++ r2 8062710: submitted by Suzanne Example (suzanne-example) on 2025-03-04 10:00 -05:00
    9 words added, 0 removed.

    Text

    Call your care team if you have a fever.

    {+- shortness of breath+}
    {+- swelling in your legs+}

    Most side effects are mild.
    ");
}

#[test]
fn a_moved_paragraph() {
    let env = revisions(&[
        "## Surgery\n\nSurgery removes the tumor.\n\n## Radiation\n\nRadiation treats the area.\n\nAsk about clinical trials.\n",
        "Ask about clinical trials.\n\n## Surgery\n\nSurgery removes the tumor.\n\n## Radiation\n\nRadiation treats the area.\n",
    ]);
    let out = diff(&env, &["r1", "r2"]);
    assert_eq!(out.matches("(moved)").count(), 2, "{out}");
    insta::assert_snapshot!(out, @"
    her2-treatment: r1 5cfcd40 → r2 ceabac8
    --- r1 5cfcd40: submitted by Suzanne Example (suzanne-example) on 2025-03-03 10:00 -05:00
    +++ r2 ceabac8: submitted by Suzanne Example (suzanne-example) on 2025-03-04 10:00 -05:00
    4 words added, 4 removed.

    Text

    (moved)
    {+Ask about clinical trials.+}

    ## Surgery

      ⋯ 2 unchanged paragraphs ⋯

    Radiation treats the area.

    (moved)
    [-Ask about clinical trials.-]
    ");
}

#[test]
fn a_front_matter_change_is_shown_field_by_field() {
    let r2 = FRONT
        .replace("title: Six Things", "title: Seven Things")
        .replace("topic: oncology\n", "")
        + "Body.\n";
    let r2 = r2.replace(
        "    url: https://www.cancer.gov/types/breast/patient/breast-treatment-pdq\n",
        "    url: https://www.cancer.gov/types/breast/patient/breast-treatment-pdq\n  - title: Targeted Therapy\n    url: https://www.cancer.gov/about-cancer/treatment/types/targeted-therapies\n",
    );
    let env = revisions_of(&[format!("{FRONT}Body.\n"), r2]);
    let out = diff(&env, &["r1", "r2"]);
    assert!(out.contains("  title: [-Six Things to Know About HER2-Positive Breast Cancer Treatment-] → {+Seven Things to Know About HER2-Positive Breast Cancer Treatment+}\n"), "{out}");
    assert!(out.contains("  topic: [-oncology-] → (removed)\n"), "{out}");
    assert!(out.contains("  sources added: {+Targeted Therapy — https://www.cancer.gov/about-cancer/treatment/types/targeted-therapies+}\n"), "{out}");
    assert!(!out.contains("\nText\n"), "the body did not change: {out}");
    insta::assert_snapshot!(
        "front_matter_change_html",
        diff(&env, &["r1", "r2", "--format", "html"])
    );
}

#[test]
fn crlf_and_lf_texts_are_the_same() {
    let env = revisions(&["First line.\n\nSecond paragraph.\n"]);
    env.write(
        ARTICLE,
        &format!("{FRONT}First line.\n\nSecond paragraph.\n").replace('\n', "\r\n"),
    );
    let out = diff(&env, &["r1", "working"]);
    insta::assert_snapshot!(out, @"
    her2-treatment: r1 b082646 → working tree
    --- r1 b082646: submitted by Suzanne Example (suzanne-example) on 2025-03-03 10:00 -05:00
    +++ working tree: the file as it is now, not submitted
    No changes.
    ");
}

#[test]
fn non_ascii_text() {
    let env = revisions(&[
        "Le café est prêt — mais pas encore chaud.\n\n我喜欢吃苹果。\n",
        "Le thé est prêt — et déjà chaud.\n\n我喜欢吃香蕉。\n",
    ]);
    insta::assert_snapshot!(diff(&env, &["r1", "r2"]), @"
    her2-treatment: r1 84ce172 → r2 8bc66b6
    --- r1 84ce172: submitted by Suzanne Example (suzanne-example) on 2025-03-03 10:00 -05:00
    +++ r2 8bc66b6: submitted by Suzanne Example (suzanne-example) on 2025-03-04 10:00 -05:00
    4 words added, 5 removed.

    Text

    Le [-café-]{+thé+} est prêt — [-mais pas encore-]{+et déjà+} chaud.

    我喜欢吃[-苹果-]{+香蕉+}。
    ");
    let html = diff(&env, &["r1", "r2", "--format", "html"]);
    assert!(html.contains("<del>café</del><ins>thé</ins>"), "{html}");
    assert!(html.contains("香蕉"), "{html}");
}

#[test]
fn an_emptied_article_shows_everything_deleted() {
    let env = revisions(&["Only paragraph.\n"]);
    env.write(ARTICLE, "");
    let out = diff(&env, &["r1", "working"]);
    insta::assert_snapshot!(out, @"
    her2-treatment: r1 9fcdffa → working tree
    --- r1 9fcdffa: submitted by Suzanne Example (suzanne-example) on 2025-03-03 10:00 -05:00
    +++ working tree: the file as it is now, not submitted
    0 words added, 20 removed.

    Front matter
      title: [-Six Things to Know About HER2-Positive Breast Cancer Treatment-] → (removed)
      writer: [-suzanne-example-] → (removed)
      reviewer: [-ana-example-] → (removed)
      topic: [-oncology-] → (removed)
      sources removed: [-Breast Cancer Treatment (PDQ) — https://www.cancer.gov/types/breast/patient/breast-treatment-pdq-]

    Text

    [-Only paragraph.-]
    ");
}

#[test]
fn identical_revisions_have_no_changes() {
    let env = revisions(&["Only paragraph.\n"]);
    let run = env.ok(&["diff", SLUG, "r1", "r1"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout, @"
    her2-treatment: r1 9fcdffa → r1 9fcdffa
    --- r1 9fcdffa: submitted by Suzanne Example (suzanne-example) on 2025-03-03 10:00 -05:00
    +++ r1 9fcdffa: submitted by Suzanne Example (suzanne-example) on 2025-03-03 10:00 -05:00
    No changes.
    ");
}

#[test]
fn default_range_is_last_approved_to_latest_or_working_tree() {
    let mut env = revisions(&["Alpha paragraph.\n"]);
    let out = diff(&env, &[]);
    assert!(
        out.starts_with("her2-treatment: nothing → r1 "),
        "no approval yet: the first revision in full: {out}"
    );
    env.set_now("2025-03-10T10:00:00-05:00");
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
    env.write(ARTICLE, &format!("{FRONT}Beta paragraph.\n"));
    env.set_now("2025-03-11T10:00:00-05:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let out = diff(&env, &[]);
    assert!(out.starts_with("her2-treatment: r1 "), "{out}");
    assert!(
        out.contains("approved by Ana Example (ana-example) on 2025-03-10 10:00 -05:00"),
        "{out}"
    );
    assert!(out.contains("{+Beta+}"), "{out}");
    env.write(ARTICLE, &format!("{FRONT}Gamma paragraph.\n"));
    let out = diff(&env, &[]);
    assert!(
        out.contains("→ working tree"),
        "unsubmitted edits are the default newer side: {out}"
    );
    assert!(out.contains("[-Alpha-]{+Gamma+}"), "{out}");
}

#[test]
fn unknown_or_ambiguous_revision_names_list_what_exists() {
    let env = revisions(&["One.\n", "Two.\n"]);
    let err = env.refuse(&["diff", SLUG, "r7"]);
    assert!(err.contains("there is no revision r7"), "{err}");
    assert!(err.contains("revisions: r1 "), "{err}");
    assert!(err.contains("`working`"), "{err}");
    let err = env.refuse(&["diff", SLUG, "zz"]);
    assert!(err.contains("does not name a revision"), "{err}");
}

#[test]
fn html_is_written_to_a_file_with_out() {
    let env = revisions(&["One.\n", "Two.\n"]);
    let file = env.outside("redline.html");
    let run = env.ok(&[
        "diff",
        SLUG,
        "r1",
        "r2",
        "--format",
        "html",
        "--out",
        file.to_str().expect("utf-8"),
    ]);
    assert!(run.stdout.is_empty());
    let html = std::fs::read_to_string(&file).expect("written");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<del>One</del><ins>Two</ins>"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("<link"),
        "self-contained: no external assets"
    );
}

#[test]
fn hostile_text_is_escaped_in_the_html_redline() {
    let env = revisions(&["Safe.\n", "<script>alert(1)</script> Safe.\n"]);
    let html = diff(&env, &["r1", "r2", "--format", "html"]);
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
}

#[test]
fn a_small_change_in_a_2000_word_article_gives_a_small_diff_quickly() {
    let paras: Vec<String> = (0..20).map(|i| paragraph(100, &format!("w{i}x"))).collect();
    let mut edited = paras.clone();
    edited[10] = edited[10].replacen("w10x5 ", "changed ", 1);
    let env = revisions(&[
        &format!("{}\n", paras.join("\n\n")),
        &format!("{}\n", edited.join("\n\n")),
    ]);
    let started = Instant::now();
    let out = diff(&env, &["r1", "r2"]);
    let elapsed = started.elapsed();
    assert!(out.contains("[-w10x5-]{+changed+}"), "{out}");
    assert!(out.contains("1 word added, 1 removed."), "{out}");
    assert!(
        out.len() < 3_000,
        "a one-word change printed {} bytes",
        out.len()
    );
    assert!(out.contains("⋯ 9 unchanged paragraphs ⋯"), "{out}");
    // Generous bound for a debug build on a loaded machine; the release figure is
    // measured by `cargo bench --bench diff`.
    assert!(elapsed.as_millis() < 2_000, "diff took {elapsed:?}");
}

#[test]
fn status_and_log_summarize_each_revision_change() {
    let env = revisions(&["One two three.\n", "One two four five.\n"]);
    let status = env.ok(&["status"]).stdout;
    assert!(status.contains("+2 -1"), "{status}");
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(log.contains("(2 words added, 1 removed since r1)"), "{log}");
}

/// The rendered part of an HTML redline: `<div class="doc">…</div>`.
fn rendered_doc(env: &TestEnv) -> String {
    let html = diff(env, &["r1", "r2", "--format", "html"]);
    let start = html.find("<div class=\"doc\">").expect("a rendered body") + 18;
    let end = html.rfind("</div>\n</main>").expect("its end");
    html[start..end].to_owned()
}

/// Issue 13 item 3: the HTML redline compares the text as the page renders it.
#[test]
fn html_redline_shows_a_changed_heading_as_a_heading() {
    let env = revisions(&[
        "## Surgery comes first\n\nText.\n",
        "### Surgery comes second\n\nText.\n",
    ]);
    insta::assert_snapshot!(rendered_doc(&env), @r#"
    <h3 class="changed"><span class="label">was a level 2 heading</span> <mark class="medreview-lint medreview-lint-warning" title="headings: this heading skips from level 1 to level 3; use ##">Surgery comes <del>first</del><ins>second</ins></mark><sup class="medreview-lint-ref">1</sup></h3>
    <p class="context">Text.</p>
    "#);
}

#[test]
fn html_redline_shows_a_changed_link_address() {
    let env = revisions(&[
        "Read more at the [National Cancer Institute](https://www.cancer.gov/types/breast).\n",
        "Read more at the [National Cancer Institute](https://www.cancer.gov/types/breast/her2).\n",
    ]);
    insta::assert_snapshot!(rendered_doc(&env), @r#"<p class="changed">Read more at the <del><a href="https://www.cancer.gov/types/breast" rel="noopener noreferrer">National Cancer Institute</a> <span class="href">https://www.cancer.gov/types/breast</span></del><ins><a href="https://www.cancer.gov/types/breast/her2" rel="noopener noreferrer">National Cancer Institute</a> <span class="href">https://www.cancer.gov/types/breast/her2</span></ins>.</p>"#);
}

#[test]
fn html_redline_shows_list_items_added_and_removed_in_a_list() {
    let env = revisions(&[
        "Drugs:\n\n- Trastuzumab (Herceptin)\n- Lapatinib\n- Pertuzumab (Perjeta)\n",
        "Drugs:\n\n- Trastuzumab (Herceptin)\n- Pertuzumab (Perjeta)\n- Trastuzumab deruxtecan (Enhertu)\n",
    ]);
    insta::assert_snapshot!(rendered_doc(&env), @r#"
    <p class="elided">⋯ 1 unchanged part ⋯</p>
    <ul>
    <li class="context">Trastuzumab (Herceptin)</li>
    <li class="deleted"><del>Lapatinib</del></li>
    <li class="context">Pertuzumab (Perjeta)</li>
    <li class="inserted"><ins>Trastuzumab deruxtecan (Enhertu)</ins></li>
    </ul>
    "#);
}

#[test]
fn html_redline_shows_footnotes_as_the_page_numbers_them() {
    let env = revisions(&[
        "Trastuzumab can affect the heart.[^1]\n\n[^1]: FDA label, 2020.\n",
        "Trastuzumab can affect the heart.[^1] Ask about checks.[^2]\n\n[^1]: FDA label, 2024.\n[^2]: [ASCO guideline](https://www.asco.org/her2).\n",
    ]);
    insta::assert_snapshot!(rendered_doc(&env), @r#"
    <p class="changed">Trastuzumab can affect the heart.<sup class="noteref">1</sup> <ins>Ask about checks.<sup class="noteref">2</sup></ins></p>
    <div class="notes">
    <h2 class="notes-title">Notes</h2>
    <p class="note changed"><sup>1</sup> FDA label, <del>2020</del><ins>2024</ins>.</p>
    <p class="note inserted"><sup>2</sup> <ins><a href="https://www.asco.org/her2" rel="noopener noreferrer">ASCO guideline</a> <span class="href">https://www.asco.org/her2</span>.</ins></p>
    </div>
    "#);
}

#[test]
fn html_redline_escapes_raw_html_and_never_links_to_scripts() {
    let env = revisions(&[
        "Safe text.\n",
        "Safe text <ins>not a real insertion</ins>.\n\n[click](javascript:alert(1))\n",
    ]);
    let doc = rendered_doc(&env);
    assert!(!doc.contains("<ins>not a real"), "{doc}");
    assert!(doc.contains("&lt;ins&gt;"), "{doc}");
    assert!(!doc.contains("href=\"javascript"), "{doc}");
}
