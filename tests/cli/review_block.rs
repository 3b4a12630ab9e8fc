//! The review block is the tool's (issue 23, item 4): the byline, the reviewer, the
//! dates and a preview's banner come only from medreview; a template that prints a
//! review line of its own, or leaves the block out, is refused by `publish` and
//! `preview` and reported by `check`.

use crate::common::{SLUG, TestEnv};

/// The built-in article template with `extra` put after the review block.
fn template_with(env: &TestEnv, extra: &str) -> String {
    env.read("templates/article.html").replace(
        "{{ review_block }}\n",
        &format!("{{{{ review_block }}}}\n{extra}\n"),
    )
}

/// Commits `text` as the article template (by hand, as a writer could).
fn commit_template(env: &TestEnv, text: &str) {
    env.write("templates/article.html", text);
    env.git(&["commit", "-qam", "our own template"]);
}

/// The review phrases a reader sees in a page's text, outside tags.
fn review_lines(html: &str) -> Vec<String> {
    let body = &html[html.find("<body").expect("body")..];
    body.lines()
        .filter(|l| l.contains("reviewed by") && !l.contains("<h3>"))
        .map(str::to_owned)
        .collect()
}

/// The attack of issue 23: a writer commits a template printing a false review
/// line, plain, split across tags, entity-encoded, in an `alt`, by CSS or script.
#[test]
fn a_template_printing_its_own_review_line_is_refused_by_publish_preview_and_check() {
    let tricks = [
        "<p>Medically reviewed by Dr Nobody, M.D.</p>",
        "<p>Medically <b>re</b>viewed <i>by</i> Dr Nobody</p>",
        "<p>Medically &#82;eviewed by Dr Nobody</p>",
        "<img src=\"x.png\" alt=\"Reviewed by Dr Nobody\">",
        "<style>.x::after { content: \"Dr Nobody, M.D.\" }</style>",
        "<script>document.write('Reviewed by Dr Nobody')</script>",
    ];
    for trick in tricks {
        let env = TestEnv::approved();
        commit_template(&env, &template_with(&env, trick));
        let out = env.outside("site");
        let run = env.fails(&["publish", "--out", out.to_str().expect("utf-8")]);
        assert!(
            run.stderr.ends_with("Code: template-review-line\n"),
            "{trick}: {}",
            run.stderr
        );
        assert!(!out.exists(), "{trick}: nothing is written");
        let run = env.fails(&["preview", SLUG]);
        assert!(
            run.stderr.ends_with("Code: template-review-line\n"),
            "{trick}: {}",
            run.stderr
        );
        let run = env.run(&["check"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stdout
                .contains("templates/article.html: prints its own review claim"),
            "{trick}: {}",
            run.stdout
        );
        assert!(
            run.stdout.contains("[template-review-line]"),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn a_template_without_the_review_block_is_refused() {
    let env = TestEnv::approved();
    let text = env
        .read("templates/article.html")
        .replace("{{ review_block }}\n", "");
    commit_template(&env, &text);
    let out = env.outside("site");
    let run = env.fails(&["publish", "--out", out.to_str().expect("utf-8")]);
    insta::assert_snapshot!(run.stderr, @r"
    Error: templates/article.html does not place `{{ review_block }}` in the page's text: a page without medreview's review block is not a medreview page
    Hint: put `{{ review_block }}` once, as it is (no filter), where the byline goes; commit the template and record it (`medreview admin record templates/article.html -m NOTE`)
    Code: template-without-review-block
    ");
    let run = env.fails(&["preview", SLUG]);
    assert!(
        run.stderr
            .ends_with("Code: template-without-review-block\n"),
        "{}",
        run.stderr
    );
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("[template-without-review-block]"),
        "{}",
        run.stdout
    );
}

#[test]
fn the_default_template_publishes_medreviews_review_line_only() {
    let env = TestEnv::approved();
    let out = env.outside("site");
    env.ok(&["publish", "--out", out.to_str().expect("utf-8")]);
    let page = std::fs::read_to_string(out.join(format!("{SLUG}.html"))).expect("page");
    let lines = review_lines(&page);
    assert_eq!(
        lines,
        [
            "<span class=\"part reviewed\">Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a></span><span class=\"sep\">&middot;</span>"
        ],
        "{page}"
    );
    assert_eq!(page.matches("data-medreview=\"review-block\"").count(), 1);
    let index = std::fs::read_to_string(out.join("index.html")).expect("index");
    assert!(
        index.contains("<span class=\"review-line\" data-medreview=\"review-line\">Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a> &middot; Updated on"),
        "{index}"
    );
}

#[test]
fn a_preview_of_an_unapproved_revision_shows_medreviews_banner() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    let run = env.ok(&["preview", SLUG]);
    let html = run.stdout;
    assert!(
        html.contains("<div class=\"preview-banner\" role=\"alert\"><strong>Not approved</strong> &mdash; preview of r1, not medically reviewed."),
        "{html}"
    );
    assert!(
        html.contains("<span class=\"part unreviewed\">Not medically reviewed</span>"),
        "{html}"
    );
    assert!(review_lines(&html).is_empty(), "{html}");
}

/// Templates never see the review facts: a template that names the reviewer
/// itself stops at the undefined variable.
#[test]
fn templates_are_not_given_the_reviewers_or_the_review_dates() {
    for variable in [
        "reviewers",
        "reviewed.display",
        "published.iso",
        "preview.title",
    ] {
        let env = TestEnv::approved();
        commit_template(
            &env,
            &template_with(&env, &format!("<p>{{{{ {variable} }}}}</p>")),
        );
        let out = env.outside("site");
        let run = env.fails(&["publish", "--out", out.to_str().expect("utf-8")]);
        assert!(
            run.stderr.ends_with("Code: template-error\n"),
            "{variable}: {}",
            run.stderr
        );
    }
}

/// Hugo and Zola output uses no template: its review facts are medreview's front matter.
#[test]
fn markdown_output_takes_its_review_facts_from_the_record() {
    let env = TestEnv::approved();
    commit_template(&env, "<p>Medically reviewed by Dr Nobody</p>\n");
    let out = env.outside("content");
    env.ok(&[
        "publish",
        "--out",
        out.to_str().expect("utf-8"),
        "--format",
        "markdown",
    ]);
    let page = std::fs::read_to_string(out.join(format!("{SLUG}.md"))).expect("page");
    assert!(page.contains("\"name\": \"Ana Example\""), "{page}");
    assert!(!page.contains("Nobody"), "{page}");
}
