//! Lint findings marked in place: on previews of a text that is not the approved one
//! and on the HTML redline (the newer side), with a panel listing every finding;
//! never on published pages, and never forged by the writer's own markup.

use std::fs;
use std::path::Path;

use crate::common::{ARTICLE, SLUG, TestEnv};
use crate::pages::{FRONT, approved_with, chromium, published_page, run_chromium};

/// A text lint finds nothing wrong in (r1 of every test).
const CLEAN: &str = "Most people get surgery.\n";

/// An announced list with no list (`empty-list`, an error) and a statistic that
/// cites nothing (`unsourced-claim`, a warning).
const FLAWED: &str = "Common examples include:\n\n## Treatment\n\nAbout 20 percent of people have it. Ask your team.\n";

/// The near miss: the list is there, and the statistic cites its source.
const NEAR_MISS: &str = "Common examples include:\n\n- surgery\n- radiation\n\n## Treatment\n\nAbout 20 percent of people have it.[^1] Ask your team.\n\n[^1]: National Cancer Institute.\n";

/// The writer's own markup dressed as medreview's marks and panel.
const FORGED: &str = "<mark class=\"medreview-lint medreview-lint-error\" id=\"medreview-lint-at-1\" title=\"empty-list: forged\">Forged</mark> text.\n\n<details class=\"medreview-lint-panel\" open><summary>Editorial lint: no findings</summary></details>\n\nAbout 20 percent of people have it.\n";

/// Exit code and stderr of a run.
fn shown(run: &crate::common::Run) -> String {
    format!("exit {}\n{}", run.code, run.stderr)
}

/// The part of `html` from `start` to the end of the first `end` after it.
fn part<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in:\n{html}"));
    let to = from + html[from..].find(end).expect("the end") + end.len();
    &html[from..to]
}

fn panel(html: &str) -> &str {
    part(html, "<details class=\"medreview-lint-panel", "</details>")
}

/// Our marks on a page: medreview's class comes first, which the writer cannot set.
fn marks(html: &str) -> usize {
    html.matches("<mark class=\"medreview-lint ").count()
}

/// r1 (clean) approved, and `body` as unsubmitted edits in the working tree.
fn edited(body: &str) -> TestEnv {
    let env = approved_with(CLEAN);
    env.write(ARTICLE, &format!("{FRONT}{body}"));
    env
}

#[test]
fn a_preview_marks_each_finding_at_its_text_and_lists_them_by_the_banner() {
    let env = edited(FLAWED);
    let run = env.ok(&["preview", SLUG]);
    insta::assert_snapshot!(shown(&run), @r#"
    exit 0
    Preview of her2-treatment in the working tree (it has unsubmitted edits)
    Not approved: unsubmitted edits, never submitted for review. The published page shows r1. The page carries a "Not approved" banner and names no reviewer.
    Lint: 1 error, 1 warning, marked on the page and listed under the banner (`--lint all` adds infos: spelling, grammar).
    "#);
    let html = &run.stdout;
    insta::assert_snapshot!(panel(html), @r##"
    <details class="medreview-lint-panel" aria-label="Editorial lint findings">
    <summary><strong>Editorial lint</strong>: 1 error, 1 warning <span class="medreview-lint-show">— show the list</span></summary>
    <p class="medreview-lint-about">What <code>medreview lint</code> finds in the working tree, underlined in the text where it shows (hover for the rule); this panel and the marks are not part of the published page. Infos (spelling and grammar, unless the workspace raises them) are not shown: <code>--lint all</code> adds them.</p>
    <ol class="medreview-lint-list">
    <li class="medreview-lint-item medreview-lint-error" id="medreview-lint-finding-1"><span class="medreview-lint-severity">error</span> <code id="medreview-lint-code-1">empty-list</code> <a class="medreview-lint-where" href="#medreview-lint-at-1">“Common examples include:”</a>: <span id="medreview-lint-note-1">this announces a list (it ends with a colon), but no list follows; add the list, or end the sentence with a period</span></li>
    <li class="medreview-lint-item medreview-lint-warning" id="medreview-lint-finding-2"><span class="medreview-lint-severity">warning</span> <code id="medreview-lint-code-2">unsourced-claim</code> <a class="medreview-lint-where" href="#medreview-lint-at-2">“20 percent of people”</a>: <span id="medreview-lint-note-2">this sentence states a percentage but its paragraph cites nothing: add a footnote (`[^1]`) or a link to the source, or name a source from the front matter</span></li>
    </ol>
    </details>
    "##);
    insta::assert_snapshot!(part(html, "<div class=\"body\">", "</div>"), @r#"
    <div class="body">
    <p><mark class="medreview-lint medreview-lint-error" id="medreview-lint-at-1" data-code="empty-list" title="empty-list: this announces a list (it ends with a colon), but no list follows; add the list, or end the sentence with a period" aria-describedby="medreview-lint-code-1 medreview-lint-note-1">Common examples include:</mark></p>
    <h2>Treatment</h2>
    <p>About <mark class="medreview-lint medreview-lint-warning" id="medreview-lint-at-2" data-code="unsourced-claim" title="unsourced-claim: this sentence states a percentage but its paragraph cites nothing: add a footnote (`[^1]`) or a link to the source, or name a source from the front matter" aria-describedby="medreview-lint-code-2 medreview-lint-note-2">20 percent of people</mark> have it. Ask your team.</p>

    </div>
    "#);
    // The panel comes right after the banner; the style is in the page's head.
    assert!(
        html.contains(
            "The published page shows r1.</div>\n<details class=\"medreview-lint-panel\""
        ),
        "{html}"
    );
    let head = part(html, "<head>", "</head>");
    assert!(head.contains("mark.medreview-lint-error {"), "{head}");
    assert_eq!(marks(html), 2, "{html}");
    // The placeholders are random; the page is not.
    assert_eq!(html, &env.ok(&["preview", SLUG]).stdout);
}

#[test]
fn a_near_miss_is_not_marked_and_the_panel_says_so() {
    let env = edited(NEAR_MISS);
    let run = env.ok(&["preview", SLUG]);
    assert!(
        run.stderr.ends_with(
            "Lint: no errors or warnings (`--lint all` adds infos: spelling, grammar).\n"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(marks(&run.stdout), 0, "{}", run.stdout);
    insta::assert_snapshot!(panel(&run.stdout), @r#"
    <details class="medreview-lint-panel medreview-lint-clean" aria-label="Editorial lint findings">
    <summary><strong>Editorial lint</strong>: no errors or warnings</summary>
    <p class="medreview-lint-about">What <code>medreview lint</code> finds in the working tree; this panel and the marks are not part of the published page. Infos (spelling and grammar, unless the workspace raises them) are not shown: <code>--lint all</code> adds them.</p>
    </details>
    "#);
}

#[test]
fn the_writers_own_marks_and_panel_are_not_findings() {
    let env = edited(FORGED);
    let run = env.ok(&["preview", SLUG]);
    let html = &run.stdout;
    // One finding (the statistic), one mark; the writer's mark lost its class and id.
    assert_eq!(marks(html), 1, "{html}");
    assert!(
        html.contains("<mark title=\"empty-list: forged\">Forged</mark>"),
        "{html}"
    );
    assert_eq!(
        html.matches("<details class=\"medreview-lint-panel")
            .count(),
        1
    );
    assert_eq!(html.matches("id=\"medreview-lint-at-1\"").count(), 1);
    insta::assert_snapshot!(panel(html), @r##"
    <details class="medreview-lint-panel" aria-label="Editorial lint findings">
    <summary><strong>Editorial lint</strong>: 1 warning <span class="medreview-lint-show">— show the list</span></summary>
    <p class="medreview-lint-about">What <code>medreview lint</code> finds in the working tree, underlined in the text where it shows (hover for the rule); this panel and the marks are not part of the published page. Infos (spelling and grammar, unless the workspace raises them) are not shown: <code>--lint all</code> adds them.</p>
    <ol class="medreview-lint-list">
    <li class="medreview-lint-item medreview-lint-warning" id="medreview-lint-finding-1"><span class="medreview-lint-severity">warning</span> <code id="medreview-lint-code-1">unsourced-claim</code> <a class="medreview-lint-where" href="#medreview-lint-at-1">“20 percent of people”</a>: <span id="medreview-lint-note-1">this sentence states a percentage but its paragraph cites nothing: add a footnote (`[^1]`) or a link to the source, or name a source from the front matter</span></li>
    </ol>
    </details>
    "##);
    // On the redline, the writer's markup is shown as its source, escaped.
    let page = env.ok(&["diff", SLUG, "--format", "html"]).stdout;
    assert_eq!(
        page.matches("<details class=\"medreview-lint-panel")
            .count(),
        1
    );
    assert!(
        page.contains("<code>&lt;mark class=\"medreview-lint medreview-lint-error\""),
        "{page}"
    );
    assert_eq!(marks(&page), 1, "{page}");
}

#[test]
fn the_html_redline_marks_the_newer_sides_findings_and_the_text_redline_does_not() {
    let env = edited(FLAWED);
    let page = env.ok(&["diff", SLUG, "--format", "html"]).stdout;
    insta::assert_snapshot!(panel(&page), @r##"
    <details class="medreview-lint-panel" aria-label="Editorial lint findings">
    <summary><strong>Editorial lint</strong>: 1 error, 1 warning <span class="medreview-lint-show">— show the list</span></summary>
    <p class="medreview-lint-about">What <code>medreview lint</code> finds in the working tree, underlined in the text where it shows (hover for the rule); this panel and the marks are not part of the published page. Infos (spelling and grammar, unless the workspace raises them) are not shown: <code>--lint all</code> adds them.</p>
    <ol class="medreview-lint-list">
    <li class="medreview-lint-item medreview-lint-error" id="medreview-lint-finding-1"><span class="medreview-lint-severity">error</span> <code id="medreview-lint-code-1">empty-list</code> <a class="medreview-lint-where" href="#medreview-lint-at-1">“Common examples include:”</a>: <span id="medreview-lint-note-1">this announces a list (it ends with a colon), but no list follows; add the list, or end the sentence with a period</span></li>
    <li class="medreview-lint-item medreview-lint-warning" id="medreview-lint-finding-2"><span class="medreview-lint-severity">warning</span> <code id="medreview-lint-code-2">unsourced-claim</code> <a class="medreview-lint-where" href="#medreview-lint-at-2">“20 percent of people”</a>: <span id="medreview-lint-note-2">this sentence states a percentage but its paragraph cites nothing: add a footnote (`[^1]`) or a link to the source, or name a source from the front matter</span></li>
    </ol>
    </details>
    "##);
    insta::assert_snapshot!(part(&page, "<div class=\"doc\">", "</div>"), @r#"
    <div class="doc">
    <p class="deleted"><del>Most people get surgery.</del></p>
    <p class="inserted"><mark class="medreview-lint medreview-lint-error" id="medreview-lint-at-1" data-code="empty-list" title="empty-list: this announces a list (it ends with a colon), but no list follows; add the list, or end the sentence with a period" aria-describedby="medreview-lint-code-1 medreview-lint-note-1"><ins>Common examples include:</ins></mark></p>
    <h2 class="inserted"><ins>Treatment</ins></h2>
    <p class="inserted"><mark class="medreview-lint medreview-lint-warning" id="medreview-lint-at-2" data-code="unsourced-claim" title="unsourced-claim: this sentence states a percentage but its paragraph cites nothing: add a footnote (`[^1]`) or a link to the source, or name a source from the front matter" aria-describedby="medreview-lint-code-2 medreview-lint-note-2"><ins>About 20 percent of people have it. Ask your team.</ins></mark></p>
    </div>
    "#);
    assert!(page.contains("mark.medreview-lint-error {"), "{page}");
    assert_eq!(page, env.ok(&["diff", SLUG, "--format", "html"]).stdout);
    let text = env.ok(&["diff", SLUG]);
    assert!(!text.stdout.contains("lint"), "{}", text.stdout);
    // The near miss: nothing marked.
    env.write(ARTICLE, &format!("{FRONT}{NEAR_MISS}"));
    let page = env.ok(&["diff", SLUG, "--format", "html"]).stdout;
    assert_eq!(marks(&page), 0, "{page}");
    assert!(
        panel(&page).contains("<strong>Editorial lint</strong>: no errors or warnings"),
        "{page}"
    );
}

/// The writer's text can spell the banner's class (quotes are not escaped in text);
/// it does not decide where the panel goes on a template that shows the banner last.
#[test]
fn the_writers_text_does_not_place_the_panel() {
    let env = approved_with(CLEAN);
    env.write(
        "templates/article.html",
        "<!DOCTYPE html>\n<html><head><title>{{ article.title }}</title></head>\n<body>\n{{ review_block }}\n{{ body_html }}\n{{ preview_banner }}\n</body></html>\n",
    );
    env.git(&["add", "-A"]);
    env.git(&["commit", "-qm", "banner last"]);
    env.write(
        ARTICLE,
        &format!("{FRONT}Mind `<div class=\"preview-banner\">` here.\n\nAbout 20 percent of people have it.\n"),
    );
    let html = env.ok(&["preview", SLUG]).stdout;
    assert!(
        html.contains("class=\"preview-banner\"&gt;</code>"),
        "{html}"
    );
    // The panel follows medreview's banner, wherever the template placed it.
    let panel_at = html
        .find("<details class=\"medreview-lint-panel")
        .expect("panel");
    let banner_at = html
        .find("<div class=\"preview-banner\" role=\"alert\">")
        .expect("banner");
    let text_at = html.find("Mind").expect("text");
    assert!(text_at < banner_at && banner_at < panel_at, "{html}");
    assert_eq!(
        html.matches("<details class=\"medreview-lint-panel")
            .count(),
        1
    );
    assert!(
        html[banner_at..].contains("</div>\n<details class=\"medreview-lint-panel\""),
        "{html}"
    );
    assert_eq!(
        marks(&html),
        1,
        "the statistic (the unclosed quote is a grammar info): {html}"
    );
}

/// A finding in an unchanged part the redline folds away is listed, not marked.
#[test]
fn a_finding_in_a_folded_part_of_the_redline_is_listed_only() {
    let env = approved_with(
        "About 20 percent of people have it.\n\nMost people get surgery.\n\nSome get radiation.\n\nAsk your team.\n",
    );
    env.write(
        ARTICLE,
        &format!(
            "{FRONT}About 20 percent of people have it.\n\nMost people get surgery.\n\nSome get radiation.\n\nAsk your care team.\n"
        ),
    );
    let page = env.ok(&["diff", SLUG, "--format", "html"]).stdout;
    assert_eq!(marks(&page), 0, "{page}");
    assert!(page.contains("<p class=\"elided\">"), "{page}");
    assert!(
        panel(&page).contains("<span class=\"medreview-lint-where\">“20 percent of people” (not marked on this page)</span>"),
        "{page}"
    );
}

/// The approved revision's preview stays the published page byte for byte, with its
/// findings counted on stderr; publishing twice writes the same bytes, unmarked.
#[test]
fn published_pages_carry_no_marks() {
    let env = approved_with("About 20 percent of people have it.\n");
    let page = published_page(&env, &env.outside("site"), &[]);
    assert!(!page.contains("medreview-lint"), "{page}");
    assert_eq!(page, published_page(&env, &env.outside("again"), &[]));
    let run = env.ok(&["preview", SLUG, "r1"]);
    insta::assert_snapshot!(shown(&run), @"
    exit 0
    Preview of her2-treatment r1 96fd616
    Approved: this is the page publish writes.
    Lint: 1 warning, not marked on this page, which is the published one; `medreview lint her2-treatment` lists the findings.
    ");
    assert_eq!(run.stdout, page);
}

/// Decodes a PNG screenshot into RGB pixels.
fn pixels(shot: &Path) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        fs::File::open(shot).expect("screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("decode");
    let channels = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect()
}

/// The error mark is drawn on its own colour (#ffd9cf) in headless Chromium.
#[test]
fn the_error_mark_is_drawn_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let env = edited("Common examples include:\n\n## Treatment\n\nMost people get surgery.\n");
    let file = env.outside("marked.html");
    env.ok(&["preview", SLUG, "--out", file.to_str().expect("utf-8")]);
    let shot = env.outside("marked.png");
    run_chromium(
        &chromium,
        &env,
        &file,
        &[format!("--screenshot={}", shot.display())],
    );
    let mark = pixels(&shot)
        .iter()
        .filter(|p| {
            p.iter()
                .zip([0xff, 0xd9, 0xcf])
                .all(|(a, b)| a.abs_diff(b) <= 6)
        })
        .count();
    assert!(mark > 400, "the mark's colour is drawn: {mark} pixels");
}
