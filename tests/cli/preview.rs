//! `medreview preview`: the page of any revision through the real templates, marked
//! when it is not the approved text; and the pixels of previews and HTML redlines.

use std::fs;
use std::path::Path;

use crate::common::{ARTICLE, SLUG, TestEnv};
use crate::pages::{FOOTNOTED, FRONT, approved_with, chromium, published_page, run_chromium};

/// Exit code and stderr of a run, for one snapshot.
fn shown(run: &crate::common::Run) -> String {
    format!("exit {}\n{}", run.code, run.stderr)
}

fn banner(html: &str) -> Option<&str> {
    let start = html.find("<div class=\"preview-banner\"")?;
    let end = start + html[start..].find("</div>")?;
    Some(&html[start..end + 6])
}

fn byline(html: &str) -> &str {
    let start = html.find("<p class=\"byline\">").expect("byline");
    let end = start + html[start..].find("</p>").expect("byline end");
    &html[start..end + 4]
}

#[test]
fn a_submitted_revision_in_review_is_shown_with_a_banner_and_no_reviewer() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    let run = env.ok(&["preview", SLUG]);
    insta::assert_snapshot!(shown(&run), @r#"
    exit 0
    Preview of her2-treatment r1 a02ddc2, the latest submitted revision
    Not approved: in-review (submitted, waiting for a medical review). Nothing of this article is published. The page carries a "Not approved" banner and names no reviewer.
    Lint: no findings.
    "#);
    insta::assert_snapshot!(banner(&run.stdout).expect("a banner"), @r#"<div class="preview-banner" role="alert"><strong>Not approved</strong> &mdash; preview of r1, not medically reviewed. State: in-review (submitted, waiting for a medical review). Nothing of this article is published.</div>"#);
    insta::assert_snapshot!(byline(&run.stdout), @r#"
    <p class="byline">
    <span class="part unreviewed">Not medically reviewed</span><span class="sep">&middot;</span>
    <span class="part">Written by Suzanne Example</span><span class="sep">&middot;</span>
    <span class="part">Updated on <time datetime="2025-03-03">March 3, 2025</time></span>
    </p>
    "#);
    assert!(
        !run.stdout.contains("Medically reviewed by"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("reviewedBy"), "{}", run.stdout);
    assert!(
        run.stdout.contains("<h2>About the writer</h2>"),
        "{}",
        run.stdout
    );
}

/// The approved, publishable revision previews as exactly the page publish writes.
#[test]
fn the_approved_revision_previews_byte_for_byte_as_published() {
    let env = approved_with(FOOTNOTED);
    let page = published_page(&env, &env.outside("site"), &[]);
    let run = env.ok(&["preview", SLUG, "r1"]);
    insta::assert_snapshot!(shown(&run), @"
    exit 0
    Preview of her2-treatment r1 5ac9627
    Approved: this is the page publish writes.
    ");
    assert_eq!(run.stdout, page);
    assert!(banner(&run.stdout).is_none());
}

#[test]
fn unsubmitted_edits_are_previewed_by_default_and_older_revisions_on_request() {
    let env = approved_with("First text.\n");
    env.write(ARTICLE, &format!("{FRONT}Edited text, not submitted.\n"));
    let run = env.ok(&["preview", SLUG]);
    insta::assert_snapshot!(shown(&run), @r#"
    exit 0
    Preview of her2-treatment in the working tree (it has unsubmitted edits)
    Not approved: unsubmitted edits, never submitted for review. The published page shows r1. The page carries a "Not approved" banner and names no reviewer.
    Lint: no findings.
    "#);
    assert!(
        run.stdout.contains("Edited text, not submitted."),
        "{}",
        run.stdout
    );
    assert!(
        banner(&run.stdout)
            .expect("a banner")
            .contains("preview of the working tree"),
        "{}",
        run.stdout
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Second."]);
    // r1 is still the published page; r2 waits; both can be previewed.
    let run = env.ok(&["preview", SLUG, "r1"]);
    insta::assert_snapshot!(run.stderr, @"
    Preview of her2-treatment r1 dc4015d
    Approved (r2 is newer and not yet approved): this is the page publish writes.
    ");
    assert!(
        run.stdout
            .contains("Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a>")
    );
    env.ok(&[
        "request-changes",
        SLUG,
        "--revision",
        "r2",
        "--as",
        "ana-example",
        "-m",
        "Cite a source.",
    ]);
    let run = env.ok(&["preview", SLUG, "r2"]);
    insta::assert_snapshot!(run.stderr, @r#"
    Preview of her2-treatment r2 5aabf50
    Not approved: changes-requested (a reviewer requested changes). The published page shows r1. The page carries a "Not approved" banner and names no reviewer.
    Lint: no findings.
    "#);
    assert!(!run.stdout.contains("Medically reviewed by"));
}

#[test]
fn out_writes_the_page_to_a_file_and_bad_revisions_are_refused() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    let file = env.outside("preview.html");
    let run = env.ok(&["preview", SLUG, "--out", file.to_str().expect("utf-8")]);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.ends_with(&format!("Wrote {}\n", file.display())),
        "{}",
        run.stderr
    );
    let html = fs::read_to_string(&file).expect("written");
    assert!(html.starts_with("<!DOCTYPE html>") && banner(&html).is_some());
    let run = env.fails(&["preview", SLUG, "r9"]);
    insta::assert_snapshot!(shown(&run), @"
    exit 1
    Error: there is no revision r9
    Hint: revisions: r1 a02ddc2; or `working` for the working tree
    Code: unknown-revision
    ");
}

/// A custom template that knows nothing of previews still gets the banner, right after `<body>`.
#[test]
fn a_custom_template_without_the_banner_gets_it_injected() {
    let env = TestEnv::seeded();
    env.write(
        "templates/article.html",
        "<!DOCTYPE html>\n<html><head><title>{{ article.title }}</title></head>\n<body class=\"site\">\n<h1>{{ article.title }}</h1>\n{{ review_block }}\n{{ body_html }}\n</body></html>\n",
    );
    env.git(&["add", "-A"]);
    env.git(&["commit", "-qm", "our own template"]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    let run = env.ok(&["preview", SLUG]);
    assert!(
        run.stdout
            .contains("<body class=\"site\">\n<div class=\"preview-banner\" role=\"alert\" style="),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("<strong>Not approved</strong> &mdash; preview of r1")
    );
}

/// Decodes a PNG screenshot into RGB pixels.
fn pixels(shot: &Path) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        fs::File::open(shot).expect("screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("decode");
    assert_eq!((info.width, info.height), (800, 1000));
    let channels = info.color_type.samples();
    buf[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect()
}

/// How many pixels are within 6 of `rgb` on every channel.
fn count(pixels: &[[u8; 3]], rgb: [u8; 3]) -> usize {
    pixels
        .iter()
        .filter(|p| p.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 6))
        .count()
}

fn screenshot(chromium: &Path, env: &TestEnv, page: &Path, name: &str) -> Vec<[u8; 3]> {
    let shot = env.outside(name);
    run_chromium(
        chromium,
        env,
        page,
        &[format!("--screenshot={}", shot.display())],
    );
    pixels(&shot)
}

/// The preview's banner is drawn across the top in its red (#b42318); the published
/// page has none of it.
#[test]
fn the_preview_banner_is_drawn_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    let file = env.outside("preview.html");
    env.ok(&["preview", SLUG, "--out", file.to_str().expect("utf-8")]);
    let pixels = screenshot(&chromium, &env, &file, "preview.png");
    let red = count(&pixels, [0xb4, 0x23, 0x18]);
    assert!(red > 800 * 30, "the banner's red is drawn: {red} pixels");
    let top_row_red = pixels[800 * 5..800 * 6]
        .iter()
        .filter(|p| p[0] > 150 && p[1] < 60)
        .count();
    assert!(top_row_red > 700, "the banner spans the top: {top_row_red}");
}

/// The HTML redline, drawn: a struck deletion on its pink (#fde8e7) and an insertion
/// on its green (#e3f6ea), inside a heading and a list item.
#[test]
fn the_html_redline_marks_are_drawn_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let mut env = TestEnv::seeded();
    env.write(
        ARTICLE,
        &format!(
            "{FRONT}## Targeted therapy today\n\n- Trastuzumab every three weeks\n- Pertuzumab\n"
        ),
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "One."]);
    env.set_now("2025-03-04T10:00:00-05:00");
    env.write(
        ARTICLE,
        &format!("{FRONT}## Targeted therapy now\n\n- Trastuzumab every four weeks\n- Pertuzumab\n- Neratinib\n"),
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Two."]);
    let file = env.outside("redline.html");
    env.ok(&[
        "diff",
        SLUG,
        "r1",
        "r2",
        "--format",
        "html",
        "--out",
        file.to_str().expect("utf-8"),
    ]);
    let html = fs::read_to_string(&file).expect("redline");
    assert!(
        html.contains("<h2 class=\"changed\">Targeted therapy <del>today</del><ins>now</ins></h2>"),
        "{html}"
    );
    let pixels = screenshot(&chromium, &env, &file, "redline.png");
    let del = count(&pixels, [0xfd, 0xe8, 0xe7]);
    let ins = count(&pixels, [0xe3, 0xf6, 0xea]);
    let del_ink = count(&pixels, [0xb4, 0x23, 0x18]);
    let ins_ink = count(&pixels, [0x11, 0x6b, 0x3a]);
    assert!(del > 300, "deletions are drawn on pink: {del}");
    assert!(ins > 300, "insertions are drawn on green: {ins}");
    assert!(
        del_ink > 20 && ins_ink > 20,
        "marked text is coloured: {del_ink} {ins_ink}"
    );
}

/// `working` names the working tree's text; when that text was submitted, the
/// preview is of that revision and says so, approved or not.
#[test]
fn working_text_that_was_submitted_previews_as_its_revision() {
    let env = approved_with("First text.\n");
    let run = env.ok(&["preview", SLUG, "working"]);
    assert!(
        run.stderr.contains("Preview of her2-treatment r1 "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("Approved: this is the page publish writes."),
        "{}",
        run.stderr
    );
    assert!(banner(&run.stdout).is_none());
}
