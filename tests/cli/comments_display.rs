//! Review comments shown where the doctor reads: `diff` (terminal and HTML) and
//! `preview` mark a thread's words in the newer text and put its note in the
//! margin; threads whose words changed are listed apart; notes are inert text;
//! a page without threads is the page it always was.

use crate::common::{ARTICLE, SLUG, TestEnv};
use crate::pages::{FRONT, approved_with};

/// r1: approved by ana-example.
const R1: &str = "HER2 stands for human epidermal growth factor receptor 2. It is a protein.\n\n## Treatment\n\nTrastuzumab **attaches to** the HER2 protein. Most people get surgery.\n";

/// r2: one word changed, in the last paragraph.
const R2: &str = "HER2 stands for human epidermal growth factor receptor 2. It is a protein.\n\n## Treatment\n\nTrastuzumab **attaches to** the HER2 protein. Most people have surgery.\n";

/// r3: the words of the first thread changed.
const R3: &str = "HER2 stands for a growth factor receptor. It is a protein.\n\n## Treatment\n\nTrastuzumab **attaches to** the HER2 protein. Most people have surgery.\n";

/// A hostile note: markup, Markdown and a link a page must never make live.
const HOSTILE: &str =
    "<script>alert(1)</script> **bold** [x](javascript:alert(1)) <b onmouseover=\"x\">hi</b>";

/// r1 approved, r2 submitted by the writer.
fn in_review() -> TestEnv {
    let mut env = approved_with(R1);
    env.set_now("2025-03-05T09:00:00-05:00");
    env.write(ARTICLE, &format!("{FRONT}{R2}"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Tweak."]);
    env
}

/// Records a comment by ana-example on the latest revision; returns its short id
/// (each test's notes differ).
fn comment(env: &TestEnv, quote: &str, note: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "comment",
        SLUG,
        "--quote",
        quote,
        "-m",
        note,
        "--as",
        "ana-example",
    ];
    args.extend_from_slice(extra);
    env.ok(&args);
    let json = crate::common::json(&env.ok(&["comments", SLUG, "--json"]).stdout);
    let threads = json["threads"].as_array().expect("threads");
    threads
        .iter()
        .find(|t| t["note"] == note)
        .and_then(|t| t["short"].as_str())
        .expect("the thread")
        .to_owned()
}

/// The part of `html` from `start` to the end of the first `end` after it.
fn part<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in:\n{html}"));
    let to = from + html[from..].find(end).expect("the end") + end.len();
    &html[from..to]
}

#[test]
fn a_thread_shows_in_the_terminal_redline_after_its_paragraph() {
    let env = in_review();
    let id = comment(
        &env,
        "human epidermal growth factor receptor 2",
        "Spell out once",
        &[
            "--suggest",
            "HER2 (human epidermal growth factor receptor 2)",
        ],
    );
    let other = comment(&env, "have surgery", "Say which surgery", &[]);
    env.ok(&[
        "comment",
        SLUG,
        "--reply",
        &other,
        "-m",
        "Lumpectomy or mastectomy",
        "--as",
        "suzanne-example",
    ]);
    let out = env.ok(&["diff", SLUG, "r1", "r2"]).stdout;
    let out = out.replace(&id, "ID1").replace(&other, "ID2");
    insta::assert_snapshot!(out, @r#"
    her2-treatment: r1 a86ccc3 → r2 6c8c53e
    --- r1 a86ccc3: submitted by Suzanne Example (suzanne-example) on 2025-03-03 10:12 -05:00; approved by Ana Example (ana-example) on 2025-03-04 09:00 -05:00
    +++ r2 6c8c53e: submitted by Suzanne Example (suzanne-example) on 2025-03-05 09:00 -05:00
    1 word added, 1 removed.

    Text

      ⋯ 1 unchanged paragraph ⋯

    ## Treatment

    Trastuzumab **attaches to** the HER2 protein. Most people [-get-]{+have+} surgery.
      ┃ [comment ID2] ana-example (open) on "have surgery"
      ┃   Say which surgery
      ┃   ↳ suzanne-example: Lumpectomy or mastectomy

    Comments on text not shown above

      ┃ [comment ID1] ana-example (open) on "human epidermal growth factor receptor 2"
      ┃   Spell out once
      ┃   Suggests: "HER2 (human epidermal growth factor receptor 2)"
    "#);
    // Colour only where colour is on: a magenta bar, never in plain output.
    let coloured = env
        .ok(&["diff", SLUG, "r1", "r2", "--color", "always"])
        .stdout;
    assert!(
        coloured.contains("  \x1b[35m┃\x1b[0m [comment "),
        "{coloured}"
    );
    assert!(!out.contains('\x1b'), "{out}");
    // Without comments, the redline it always was.
    let plain = env.ok(&["diff", SLUG, "r1", "r2", "--no-comments"]).stdout;
    assert!(!plain.contains("[comment"), "{plain}");
    assert!(
        plain.ends_with("Most people [-get-]{+have+} surgery.\n"),
        "{plain}"
    );
}

#[test]
fn a_thread_shows_in_the_html_redline_at_its_words_with_a_margin_note() {
    let env = in_review();
    let id = comment(&env, "have surgery", "Say which surgery", &[]);
    let html = env
        .ok(&["diff", SLUG, "r1", "r2", "--format", "html"])
        .stdout;
    let body = part(&html, "<div class=\"doc\">", "</div>").replace(&id, "ID");
    insta::assert_snapshot!(body, @r#"
    <div class="doc">
    <p class="elided">⋯ 1 unchanged part ⋯</p>
    <h2 class="context">Treatment</h2>
    <aside class="comment comment-open" data-thread="ID"><p class="comment-head"><span class="comment-id">ID</span> <span class="comment-by">ana-example</span> <span class="comment-state">open</span></p><p class="comment-note">Say which surgery</p></aside>
    <p class="changed"><mark class="comment-anchor comment-block comment-open" data-thread="ID">Trastuzumab <strong>attaches to</strong> the HER2 protein. Most people <del>get</del><ins>have</ins> surgery.</mark></p>
    </div>
    "#);
    assert!(html.contains("aside.comment {"), "the margin's style");
    let plain = env
        .ok(&[
            "diff",
            SLUG,
            "r1",
            "r2",
            "--format",
            "html",
            "--no-comments",
        ])
        .stdout;
    assert!(!plain.contains("comment"), "{plain}");
}

#[test]
fn a_preview_marks_the_words_and_puts_the_note_before_their_paragraph() {
    let env = in_review();
    let before = env.ok(&["preview", SLUG]).stdout;
    let id = comment(
        &env,
        "human epidermal growth factor receptor 2",
        "Spell out once",
        &[
            "--suggest",
            "HER2 (human epidermal growth factor receptor 2)",
        ],
    );
    let run = env.ok(&["preview", SLUG]);
    insta::assert_snapshot!(run.stderr, @r#"
    Preview of her2-treatment r2 6c8c53e, the latest submitted revision
    Not approved: in-review (submitted, waiting for a medical review). The published page shows r1. The page carries a "Not approved" banner and names no reviewer.
    Lint: no findings.
    Comments: 1 comment thread open, 0 resolved, in the margin.
    "#);
    let html = run.stdout.replace(&id, "ID");
    insta::assert_snapshot!(part(&html, "<aside class=\"comment", "</p>\n"), @r#"
    <aside class="comment comment-open" data-thread="ID"><p class="comment-head"><span class="comment-id">ID</span> <span class="comment-by">ana-example</span> <span class="comment-state">open</span></p><p class="comment-note">Spell out once</p><p class="comment-suggest">Suggests: <q>HER2 (human epidermal growth factor receptor 2)</q></p></aside>
    <p>HER2 stands for <mark class="comment-anchor comment-open" data-thread="ID">human epidermal growth factor receptor 2</mark>. It is a protein.</p>
    "#);
    // Unsubmitted edits move the words: the working tree's preview finds them.
    env.write(ARTICLE, &format!("{FRONT}A new first paragraph.\n\n{R2}"));
    let working = env
        .ok(&["preview", SLUG, "working"])
        .stdout
        .replace(&id, "ID");
    assert!(
        working.contains("<p>HER2 stands for <mark class=\"comment-anchor comment-open\" data-thread=\"ID\">human epidermal growth factor receptor 2</mark>."),
        "{working}"
    );
    env.write(ARTICLE, &format!("{FRONT}{R2}"));
    // The page with the thread hidden is byte for byte the page before it.
    let hidden = env.ok(&["preview", SLUG, "--no-comments"]).stdout;
    assert_eq!(hidden, before);
}

#[test]
fn a_quote_across_bold_text_marks_where_it_starts_and_keeps_the_markup_whole() {
    let env = in_review();
    let id = comment(&env, "Trastuzumab attaches", "Which brand?", &[]);
    let html = env.ok(&["preview", SLUG]).stdout.replace(&id, "ID");
    let mark = "<mark class=\"comment-anchor comment-open\" data-thread=\"ID\">";
    // The words run into bold text: the mark covers the word they start with.
    assert!(
        html.contains(&format!("{mark}Trastuzumab</mark>"))
            && html.contains("</mark> <strong>attaches to</strong> the HER2 protein."),
        "{html}"
    );
    assert!(html.contains("<aside class=\"comment comment-open\" data-thread=\"ID\">"));
    assert_eq!(
        html.matches("<mark").count(),
        html.matches("</mark>").count()
    );
    assert_eq!(
        html.matches("<aside").count(),
        html.matches("</aside>").count()
    );
}

#[test]
fn a_thread_whose_words_changed_is_listed_apart_with_the_old_words_and_the_new() {
    let mut env = in_review();
    let id = comment(
        &env,
        "human epidermal growth factor receptor 2",
        "Spell out once",
        &[],
    );
    env.set_now("2025-03-06T09:00:00-05:00");
    env.write(ARTICLE, &format!("{FRONT}{R3}"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Shorter."]);
    let text = env
        .ok(&["diff", SLUG, "r2", "r3"])
        .stdout
        .replace(&id, "ID");
    let apart = &text[text.find("Comments no longer").expect("the section")..];
    insta::assert_snapshot!(apart, @r#"
    Comments no longer anchored (their words changed)

      ┃ [comment ID] ana-example (open) on "human epidermal growth factor receptor 2"
      ┃   Now: "a growth factor receptor"
      ┃   Spell out once
    "#);
    let html = env
        .ok(&["diff", SLUG, "r2", "r3", "--format", "html"])
        .stdout
        .replace(&id, "ID");
    insta::assert_snapshot!(part(&html, "<section class=\"comments-apart\"", "</section>"), @r#"
    <section class="comments-apart" aria-label="Comments no longer anchored">
    <h2>Comments no longer anchored</h2>
    <p class="comments-about">The words these threads were about changed since: the words then, and what stands there now.</p>
    <aside class="comment comment-open" data-thread="ID"><p class="comment-head"><span class="comment-id">ID</span> <span class="comment-by">ana-example</span> <span class="comment-state">open</span></p><p class="comment-was">Was: <q>human epidermal growth factor receptor 2</q></p><p class="comment-now">Now: <q>a growth factor receptor</q></p><p class="comment-note">Spell out once</p></aside>
    </section>
    "#);
    assert!(!html.contains("<mark class=\"comment-anchor"), "{html}");
    let preview = env.ok(&["preview", SLUG, "r3"]);
    assert!(
        preview.stderr.contains("(1 no longer anchored)"),
        "{}",
        preview.stderr
    );
    assert!(
        preview
            .stdout
            .contains("<h2>Comments no longer anchored</h2>"),
        "{}",
        preview.stdout
    );
}

#[test]
fn notes_replies_and_suggestions_are_inert_text() {
    let env = in_review();
    let id = comment(
        &env,
        "have surgery",
        HOSTILE,
        &["--suggest", "<img src=x onerror=alert(1)>"],
    );
    env.ok(&[
        "comment",
        SLUG,
        "--reply",
        &id,
        "-m",
        "</aside><script>alert(2)</script>",
        "--as",
        "suzanne-example",
    ]);
    // The redline's sanitizer writes quotes in text as they are; both are inert.
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; **bold** [x](javascript:alert(1)) &lt;b onmouseover=";
    for html in [
        env.ok(&["preview", SLUG]).stdout,
        env.ok(&["diff", SLUG, "r1", "r2", "--format", "html"])
            .stdout,
    ] {
        assert!(html.contains(escaped), "{html}");
        assert!(
            html.contains("Suggests: <q>&lt;img src=x onerror=alert(1)&gt;</q>"),
            "{html}"
        );
        assert!(
            html.contains("&lt;/aside&gt;&lt;script&gt;alert(2)"),
            "{html}"
        );
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<strong>bold"), "{html}");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert_eq!(
            html.matches("<aside").count(),
            html.matches("</aside>").count()
        );
    }
    let text = env.ok(&["diff", SLUG, "r1", "r2"]).stdout;
    assert!(text.contains(&format!("  ┃   {HOSTILE}\n")), "{text}");
}

#[test]
fn resolved_threads_are_dimmer_and_an_approved_preview_is_the_published_page() {
    let mut env = in_review();
    let id = comment(&env, "have surgery", "Say which surgery", &[]);
    env.ok(&["resolve", SLUG, &id, "--as", "ana-example"]);
    let html = env
        .ok(&["diff", SLUG, "r1", "r2", "--format", "html"])
        .stdout;
    assert!(
        html.contains(&format!(
            "<aside class=\"comment comment-resolved\" data-thread=\"{id}\">"
        )),
        "{html}"
    );
    let text = env.ok(&["diff", SLUG, "r1", "r2"]).stdout;
    assert!(
        text.contains(&format!(
            "[comment {id}] ana-example (resolved by ana-example)"
        )),
        "{text}"
    );
    // Approved, the page is the published one: the thread is counted, not drawn.
    env.set_now("2025-03-06T09:00:00-05:00");
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Fine."]);
    let run = env.ok(&["preview", SLUG]);
    assert!(!run.stdout.contains("comment"), "{}", run.stdout);
    assert!(
        run.stderr.contains("Comments: 0 comment threads open, 1 resolved, not shown on this page, which is the published one"),
        "{}",
        run.stderr
    );
}
