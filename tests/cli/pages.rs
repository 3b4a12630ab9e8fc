//! Published pages: footnotes that work (ids kept, back-links, a notes list, proved
//! in Chromium), and bylines and headings that say what the record says.

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use crate::common::{ARTICLE, NEXT_DAY, SLUG, TestEnv};

/// The seeded article's front matter.
pub const FRONT: &str = "---\ntitle: Six Things to Know About HER2-Positive Breast Cancer Treatment\nwriter: suzanne-example\nreviewer: ana-example\ntopic: oncology\nsources:\n  - title: Breast Cancer Treatment (PDQ)\n    url: https://www.cancer.gov/types/breast/patient/breast-treatment-pdq\n---\n";

/// A body citing two sources inline, one of them twice.
pub const FOOTNOTED: &str = "Trastuzumab attaches to the HER2 protein.[^nci] It can weaken the heart,[^fda] so your team checks it.\n\n## What to ask\n\nAsk how often your heart is checked.[^nci]\n\n[^nci]: National Cancer Institute, *Breast Cancer Treatment (PDQ)*.\n[^fda]: [FDA label for trastuzumab](https://www.accessdata.fda.gov/label.pdf).\n";

/// A workspace whose article (with `body`) was submitted and approved by ana-example.
pub fn approved_with(body: &str) -> TestEnv {
    let mut env = TestEnv::seeded();
    env.write(ARTICLE, &format!("{FRONT}{body}"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    env.set_now(NEXT_DAY);
    env.ok(&[
        "approve",
        SLUG,
        "--revision",
        "r1",
        "--as",
        "ana-example",
        "-m",
        "Accurate.",
    ]);
    env
}

/// Publishes into `out` and returns the article page.
pub fn published_page(env: &TestEnv, out: &Path, extra: &[&str]) -> String {
    let out_arg = out.to_str().expect("utf-8 path");
    let mut args = vec!["publish", "--out", out_arg];
    args.extend_from_slice(extra);
    env.ok(&args);
    fs::read_to_string(out.join(format!("{SLUG}.html"))).expect("the article page")
}

/// The `<div class="body">` part of a page.
fn body_of(html: &str) -> &str {
    let start = html.find("<div class=\"body\">").expect("body");
    let end = start + html[start..].find("\n</div>\n").expect("body end");
    &html[start..end]
}

/// Regression (issue 13 item 7): `[^1]` linked to `#1`, whose target the sanitizer
/// stripped, and the note's number sat alone on its own line.
#[test]
fn footnotes_on_a_published_page_link_both_ways() {
    let env = approved_with(FOOTNOTED);
    let html = published_page(&env, &env.outside("site"), &[]);
    insta::assert_snapshot!(body_of(&html), @r##"
    <div class="body">
    <!-- medreview:body -->
    <p>Trastuzumab attaches to the HER2 protein.<sup class="footnote-ref"><a href="#fn-nci" id="fnref-nci" role="doc-noteref">1</a></sup> It can weaken the heart,<sup class="footnote-ref"><a href="#fn-fda" id="fnref-fda" role="doc-noteref">2</a></sup> so your team checks it.</p>
    <h2>What to ask</h2>
    <p>Ask how often your heart is checked.<sup class="footnote-ref"><a href="#fn-nci" id="fnref-nci--2" role="doc-noteref">1</a></sup></p>
    <section class="footnotes" role="doc-endnotes">
    <h2 class="footnotes-title">Notes</h2>
    <ol>
    <li id="fn-nci">
    <p>National Cancer Institute, <em>Breast Cancer Treatment (PDQ)</em>. <a href="#fnref-nci" class="footnote-back" role="doc-backlink" aria-label="Back to reference 1">↩</a> <a href="#fnref-nci--2" class="footnote-back" role="doc-backlink" aria-label="Back to reference 1 (2)">↩<sup>2</sup></a></p>
    </li>
    <li id="fn-fda">
    <p><a href="https://www.accessdata.fda.gov/label.pdf" rel="noopener noreferrer">FDA label for trastuzumab</a>. <a href="#fnref-fda" class="footnote-back" role="doc-backlink" aria-label="Back to reference 2">↩</a></p>
    </li>
    </ol>
    </section>

    <!-- /medreview:body -->
    "##);
}

#[test]
fn a_writers_own_ids_never_reach_the_page() {
    let env = approved_with(
        "Cited.[^nci] and <a id=\"fnref-nci\" href=\"#fn-nci\">x</a>\n\n<div id=\"fn-nci\">Forged target</div>\n\n[^nci]: Real note.\n",
    );
    let html = published_page(&env, &env.outside("site"), &[]);
    let body = body_of(&html);
    assert_eq!(body.matches("id=\"fn-nci\"").count(), 1, "{body}");
    assert_eq!(body.matches("id=\"fnref-nci\"").count(), 1, "{body}");
    assert!(body.contains("<li id=\"fn-nci\">"), "{body}");
}

#[test]
fn markdown_export_keeps_markdown_footnotes() {
    let env = approved_with(FOOTNOTED);
    let out = env.outside("content");
    env.ok(&[
        "publish",
        "--out",
        out.to_str().expect("utf-8"),
        "--format",
        "markdown",
    ]);
    let md = fs::read_to_string(out.join(format!("{SLUG}.md"))).expect("markdown page");
    assert!(md.contains("protein.[^nci] It"), "{md}");
    assert!(md.contains("\n[^nci]: National Cancer Institute"), "{md}");
    assert!(!md.contains("fnref"), "{md}");
}

/// Regression (issue 13 item 9): the index byline dropped credentials, and the
/// people section said "reviewers" for one reviewer.
#[test]
fn bylines_carry_credentials_and_headings_count_reviewers() {
    let env = approved_with("Text.\n");
    let out = env.outside("site");
    let page = published_page(&env, &out, &[]);
    assert!(
        page.contains("<h2>About the reviewer and writer</h2>"),
        "{page}"
    );
    let index = fs::read_to_string(out.join("index.html")).expect("index");
    assert!(
        index.contains("Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a> &middot; Updated on"),
        "{index}"
    );
    // Two approvals that count: plural, and both named with their credentials.
    let mut env = env;
    env.write(
        "medreview.yaml",
        &env.read("medreview.yaml")
            .replace("required_approvals: 1", "required_approvals: 2"),
    );
    env.git(&["commit", "-qam", "two approvals"]);
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&[
        "approve",
        SLUG,
        "--revision",
        "r1",
        "--as",
        "david-okafor",
        "-m",
        "Agreed.",
    ]);
    let out = env.outside("site2");
    let page = published_page(&env, &out, &[]);
    assert!(
        page.contains("<h2>About the reviewers and writer</h2>"),
        "{page}"
    );
    let index = fs::read_to_string(out.join("index.html")).expect("index");
    assert!(
        index.contains(
            "Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a> and <a class=\"reviewer-link\" href=\"reviewers/david-okafor.html\">David Okafor, M.D., Ph.D.</a> &middot;"
        ),
        "{index}"
    );
}

pub use crate::common::browser::chromium;

/// Runs headless Chromium on `page` with `extra` arguments; returns stdout.
pub fn run_chromium(chromium: &Path, env: &TestEnv, page: &Path, extra: &[String]) -> String {
    let output = Process::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=800,1000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            env.outside("chromium-profile").display()
        ))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .env("HOME", env.outside("home"))
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The published page in a real browser: every in-page link has its target, and
/// following a footnote reference (a real click, the browser's own fragment
/// navigation) lands on the note, whose back-link lands on the reference. A copy of
/// the page gets a test script that records what happened; the page itself is
/// unchanged.
#[test]
fn footnote_links_are_followed_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let env = approved_with(FOOTNOTED);
    let out = env.outside("site");
    let html = published_page(&env, &out, &[]);
    const PROBE: &str = r##"<script>
const out = [];
for (const a of document.querySelectorAll('a[href^="#"]')) {
  const id = decodeURIComponent(a.getAttribute('href').slice(1));
  out.push((document.getElementById(id) ? 'ok ' : 'MISSING ') + id);
}
const ref = document.querySelector('sup.footnote-ref a');
ref.click();
const target = document.querySelector(':target');
out.push('after click: ' + location.hash + ' lands on ' + (target ? target.tagName + '#' + target.id : 'nothing'));
target.querySelector('a.footnote-back').click();
const back = document.querySelector(':target');
out.push('after back: ' + location.hash + ' lands on ' + (back ? back.tagName + '#' + back.id : 'nothing'));
const pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = out.join('\n');
document.body.appendChild(pre);
</script>
</body>"##;
    let probe = out.join("probe.html");
    fs::write(&probe, html.replace("</body>", PROBE)).expect("write the probe copy");
    let dom = run_chromium(
        &chromium,
        &env,
        &probe,
        &["--dump-dom".into(), "--virtual-time-budget=2000".into()],
    );
    let start = dom.find("<pre id=\"probe\">").expect("the probe ran") + 16;
    let end = start + dom[start..].find("</pre>").expect("probe end");
    insta::assert_snapshot!(&dom[start..end], @"
    ok fn-nci
    ok fn-fda
    ok fn-nci
    ok fnref-nci
    ok fnref-nci--2
    ok fnref-fda
    after click: #fn-nci lands on LI#fn-nci
    after back: #fnref-nci lands on A#fnref-nci
    ");
}
