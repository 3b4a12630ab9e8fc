//! Adversarial tests of the page features: footnotes on published pages, `preview`
//! and its "Not approved" banner, the rendered HTML redline, and the pager with JSON
//! output. Each test names the attack it tries. Tests marked `#[ignore = "BUG: ..."]`
//! are attacks that succeed today: they assert what should happen.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use medreview_site::render::markdown_to_html;

use crate::common::{ARTICLE, NEXT_DAY, SLUG, TestEnv, json};
use crate::pages::{FRONT, approved_with, published_page};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Every `id="..."` value in `html`.
fn ids(html: &str) -> Vec<String> {
    html.match_indices(" id=\"")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('"').expect("closing quote")].to_owned()
        })
        .collect()
}

/// Fails when an id occurs twice.
fn assert_unique_ids(html: &str) {
    let mut all = ids(html);
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "duplicate ids in:\n{html}");
}

/// The banner of a preview, if any.
fn has_banner(html: &str) -> bool {
    html.contains("<div class=\"preview-banner\"")
}

/// The JSON-LD of a page, parsed.
fn json_ld(html: &str) -> serde_json::Value {
    let open = "<script type=\"application/ld+json\">";
    let start = html.find(open).expect("JSON-LD") + open.len();
    let end = start + html[start..].find("</script>").expect("end of JSON-LD");
    json(&html[start..end])
}

/// The HTML redline of the body `old` (r1) against `new` (r2): the part after the
/// "Text" heading.
fn redline(old: &str, new: &str) -> String {
    redline_in(TestEnv::seeded(), old, new)
}

/// `redline` in a workspace whose editorial check only warns about images without
/// alt text (`submit` refuses them by default).
fn redline_without_alt_text(old: &str, new: &str) -> String {
    let env = TestEnv::seeded();
    let config = env.read("medreview.yaml");
    env.write(
        "medreview.yaml",
        &format!("{config}editorial:\n  severity:\n    alt-text: warning\n"),
    );
    env.git(&["commit", "-qam", "images without alt text only warn"]);
    redline_in(env, old, new)
}

fn redline_in(env: TestEnv, old: &str, new: &str) -> String {
    env.write(ARTICLE, &format!("{FRONT}{old}"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "One."]);
    env.write(ARTICLE, &format!("{FRONT}{new}"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Two."]);
    let run = env.ok(&["diff", SLUG, "r1", "r2", "--format", "html"]);
    let at = run.stdout.find("<h2>Text</h2>").expect("the text part");
    run.stdout[at..].to_owned()
}

/// Whether the redline says the text did not change.
fn says_unchanged(redline: &str) -> bool {
    redline.contains("No change to the text.")
}

/// A workspace whose template is `template` (committed), with the article's body
/// `body` submitted but not approved.
fn submitted_with_template(template: &str, body: &str) -> TestEnv {
    let env = TestEnv::seeded();
    env.write("templates/article.html", template);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-qm", "our own template"]);
    env.write(ARTICLE, &format!("{FRONT}{body}"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    env
}

/// A custom template that knows nothing of previews.
const PLAIN_TEMPLATE: &str = "<!DOCTYPE html>\n<html><head><title>{{ article.title }}</title></head>\n<body>\n<h1>{{ article.title }}</h1>\n{{ review_block }}\n{{ body_html }}\n</body></html>\n";

// ---------------------------------------------------------------------------
// 1. Footnotes on published pages
// ---------------------------------------------------------------------------

/// Attack: HTML and script through footnote labels, note bodies and undefined labels.
#[test]
fn footnote_labels_and_note_bodies_cannot_inject_markup() {
    let html = markdown_to_html(
        "Dose[^\"><img src=x onerror=alert(1)>] and[^<script>] see[^nope].\n\n\
         [^\"><img src=x onerror=alert(1)>]: <script>alert(2)</script> [x](javascript:alert(3)) <a id=\"fn-1\" onclick=\"alert(4)\">y</a>\n\
         [^<script>]: <style>.preview-banner{display:none}</style> <img src=x onerror=alert(5)>\n",
    );
    // (The label's words may appear inside a generated id, never as markup.)
    for bad in [
        "<script",
        " onerror",
        " onclick",
        "javascript:alert(3)\"",
        "href=\"javascript",
        "<style",
    ] {
        assert!(!html.contains(bad), "{bad} in:\n{html}");
    }
    // The undefined label stays text, escaped.
    assert!(html.contains("[^nope]"), "{html}");
    // Only generated ids, each made of lowercase letters, digits and hyphens.
    for id in ids(&html) {
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{id} in:\n{html}"
        );
        assert!(id.starts_with("fn-") || id.starts_with("fnref-"), "{id}");
    }
    assert_unique_ids(&html);
}

/// Attack: labels of RTL overrides, zero-width characters and other scripts, which
/// clean to nothing or to the same id.
#[test]
fn unicode_rtl_and_zero_width_labels_get_distinct_ascii_ids() {
    let html = markdown_to_html(
        "a[^\u{202E}nci] b[^nci] c[^n\u{200B}ci] d[^\u{0627}\u{0644}] e[^\u{200B}] f[^\u{0441}\u{0430}]\n\n\
         [^\u{202E}nci]: one\n[^nci]: two\n[^n\u{200B}ci]: three\n[^\u{0627}\u{0644}]: four\n[^\u{200B}]: five\n[^\u{0441}\u{0430}]: six\n",
    );
    assert_unique_ids(&html);
    for id in ids(&html) {
        assert!(id.is_ascii(), "{id}");
        assert!(!id.contains('\u{202E}') && !id.contains('\u{200B}'), "{id}");
    }
    assert_eq!(html.matches("<li id=\"fn-").count(), 6, "{html}");
    assert_eq!(html.matches("class=\"footnote-ref\"").count(), 6, "{html}");
}

/// Attack: forge the post-sanitizer placeholders with the private-use characters
/// typed as character references (`&#xE000;`), which the Markdown parser decodes but
/// `Marker::for_source` never sees in the source. The forged placeholder is filled
/// with real footnote markup: a second `id="fnref-nci"`, and markup with quotes
/// inside a `title` attribute that breaks out of it.
#[test]
fn a_placeholder_forged_with_character_references_is_not_filled() {
    let html = markdown_to_html(
        "Dose.[^nci] Forged &#xE000;R0&#xE001; and [link](https://a.org \"&#xE000;B0&#xE001;\").\n\n[^nci]: Note.\n",
    );
    assert_eq!(
        html.matches("class=\"footnote-ref\"").count(),
        1,
        "one reference was written, one is shown:\n{html}"
    );
    assert_unique_ids(&html);
    assert!(
        !html.contains("title=\"<a href="),
        "the title attribute is broken open:\n{html}"
    );
}

/// Attack: a label whose id is the id of another note's second reference (`a` cited
/// twice makes `fnref-a-2`; a note labelled `a-2` cited once makes `fnref-a-2` too), so
/// the second note's back-link jumps to the first note's citation.
#[test]
fn reference_ids_never_collide_with_another_labels_ids() {
    let html = markdown_to_html(
        "One[^a] two[^a] three[^a-2].\n\n[^a]: First note.\n[^a-2]: Second note.\n",
    );
    assert_unique_ids(&html);
}

/// Attack: notes that cite each other and themselves (recursion), and a definition
/// given twice.
#[test]
fn recursive_and_self_citing_notes_terminate_with_unique_ids() {
    let html = markdown_to_html(
        "Start[^a].\n\n[^a]: See[^b] and[^a].\n[^b]: See[^a] and[^b] and[^c].\n[^c]: Loop[^a].\n[^a]: A second definition, dropped.\n",
    );
    assert_unique_ids(&html);
    assert_eq!(html.matches("<li id=\"fn-").count(), 3, "{html}");
    assert!(!html.contains("A second definition"), "{html}");
    assert!(
        !html.contains('\u{E000}') && !html.contains('\u{E001}'),
        "{html}"
    );
}

/// Attack: footnotes inside a heading, a table cell, a link's text, emphasis and a
/// block quote; every placeholder must be filled and none left behind.
#[test]
fn footnotes_inside_headings_tables_and_links_are_filled() {
    let html = markdown_to_html(
        "## Heading[^h]\n\n| drug | dose[^t] |\n|---|---|\n| A | 10 mg[^t] |\n\n[a link[^l]](https://a.org) *em[^h]*\n\n> quoted[^l]\n\n[^h]: heading note\n[^t]: table note\n[^l]: link note\n",
    );
    assert!(
        !html.contains('\u{E000}') && !html.contains('\u{E001}'),
        "{html}"
    );
    assert_eq!(html.matches("class=\"footnote-ref\"").count(), 6, "{html}");
    assert_unique_ids(&html);
    assert!(
        html.contains("<h2>Heading<sup class=\"footnote-ref\">"),
        "{html}"
    );
}

/// Attack (resources): a few thousand footnotes, a plausible article, render quickly.
#[test]
fn a_few_thousand_footnotes_render_quickly() {
    let n = 2_000;
    let refs: Vec<String> = (0..n).map(|i| format!("t[^n{i}]")).collect();
    let defs: Vec<String> = (0..n).map(|i| format!("[^n{i}]: note {i}")).collect();
    let source = format!("{}\n\n{}\n", refs.join(" "), defs.join("\n"));
    let started = Instant::now();
    let html = markdown_to_html(&source);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(html.matches("<li id=\"fn-").count(), n);
}

/// Attack (resources): an article at the 1 MiB limit made of ~60,000 footnotes. The
/// footnote code is quadratic (`order.contains`, `used.contains`, `refs_of` per note
/// in `render/footnotes.rs`): about 70 s for one page even with optimisations, so a
/// submitted revision stalls `preview`, `diff --format html` and `publish`.
#[test]
fn an_article_at_the_size_limit_made_of_footnotes_renders_in_bounded_time() {
    fn label(mut i: usize) -> String {
        let digits = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut out = Vec::new();
        loop {
            out.push(digits[i % 36]);
            i /= 36;
            if i == 0 {
                break;
            }
        }
        out.reverse();
        String::from_utf8(out).expect("ascii")
    }
    let n = 60_000;
    let refs: Vec<String> = (0..n).map(|i| format!("[^{}]", label(i))).collect();
    let defs: Vec<String> = (0..n).map(|i| format!("[^{}]: x", label(i))).collect();
    let source = format!("{}\n\n{}\n", refs.join(" "), defs.join("\n"));
    assert!(source.len() <= medreview_core::article::MAX_ARTICLE_BYTES);
    let started = Instant::now();
    let html = markdown_to_html(&source);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(html.matches("<li id=\"fn-").count(), n);
}

/// Attack: the writer's own `id`s imitating or colliding with the generated ones, on
/// the page publish writes.
#[test]
fn writer_ids_cannot_collide_with_footnote_ids_on_the_published_page() {
    let env = approved_with(
        "<span id=\"fn-nci\">fake note</span> <a id=\"fnref-nci\" href=\"#fn-nci\">1</a> Text.[^nci]\n\n[^nci]: Real note.\n",
    );
    let page = published_page(&env, &env.outside("site"), &[]);
    assert_unique_ids(&page);
    assert_eq!(page.matches("id=\"fn-nci\"").count(), 1, "{page}");
    assert_eq!(page.matches("id=\"fnref-nci\"").count(), 1, "{page}");
}

// ---------------------------------------------------------------------------
// 2. preview: an unapproved text must never look approved
// ---------------------------------------------------------------------------

/// Attack: with a custom template that does not show `preview`, the banner is put in
/// only when the page lacks the text `class="preview-banner"`. The writer types that
/// text in the body (the sanitizer writes `"` in text unescaped), and the preview of
/// an unapproved revision has no banner, while stderr says it has one.
#[test]
fn writer_text_naming_the_banner_class_cannot_suppress_the_banner() {
    let env = submitted_with_template(
        PLAIN_TEMPLATE,
        "Take 100 mg daily. `class=\"preview-banner\"`\n",
    );
    let run = env.ok(&["preview", SLUG]);
    assert!(
        run.stderr.contains("carries a \"Not approved\" banner"),
        "{}",
        run.stderr
    );
    assert!(has_banner(&run.stdout), "no banner:\n{}", run.stdout);
}

/// Attack: a custom template derived from the default keeps the banner's CSS rule but
/// dropped the `{% if preview %}` element; the banner is still put in.
#[test]
fn a_template_with_only_the_banner_css_still_gets_the_banner() {
    let template = PLAIN_TEMPLATE.replace(
        "</title>",
        "</title><style>.preview-banner { color: red; }</style>",
    );
    let env = submitted_with_template(&template, "Take 100 mg daily.\n");
    let run = env.ok(&["preview", SLUG]);
    assert!(has_banner(&run.stdout), "{}", run.stdout);
    assert!(
        run.stdout.contains("Not medically reviewed"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("Medically reviewed by"),
        "{}",
        run.stdout
    );
}

/// Attack: front-matter fields and body text of an unapproved revision that try to put
/// a reviewer in the byline or the JSON-LD.
#[test]
fn front_matter_and_body_cannot_put_a_reviewer_on_an_unapproved_preview() {
    let env = TestEnv::seeded();
    env.write(
        ARTICLE,
        "---\ntitle: \"</title><div class=preview-banner hidden>\"\nwriter: suzanne-example\nreviewer: ana-example\nsummary: '\"reviewedBy\": {\"name\": \"Ana Example\"}'\n---\n<script type=\"application/ld+json\">{\"reviewedBy\": \"Ana\"}</script>\n<div class=\"byline\">Medically reviewed by Ana Example</div>\n",
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    let run = env.ok(&["preview", SLUG]);
    assert!(has_banner(&run.stdout), "{}", run.stdout);
    let ld = json_ld(&run.stdout);
    assert!(ld.get("reviewedBy").is_none(), "{ld}");
    assert!(ld.get("lastReviewed").is_none(), "{ld}");
    assert_eq!(
        run.stdout.matches("application/ld+json").count(),
        1,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("<span class=\"part unreviewed\">Not medically reviewed</span>"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("<div class=\"byline\">"),
        "{}",
        run.stdout
    );
}

/// Attack: a sign-off file in the working tree that no commit holds (hand-made, or an
/// approval commit undone with `git reset`). publish reads sign-offs from HEAD and
/// publishes nothing, yet `preview` reads them from the working tree and shows the page
/// approved: no banner, "Medically reviewed by Ana Example, M.D.", `reviewedBy`, and
/// "Approved: this is the page publish writes."
#[test]
fn an_uncommitted_approval_file_does_not_make_a_preview_look_approved() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    env.set_now(NEXT_DAY);
    env.git(&["config", "user.email", "ana@example.org"]);
    env.ok(&["approve", SLUG, "--revision", "r1", "--as", "ana-example"]);
    env.git(&["config", "user.email", "runner@example.org"]);
    // The approval's commit is undone; its file stays in the working tree.
    env.git(&["reset", "-q", "HEAD~1"]);
    let site = env.outside("site");
    let publish = env.ok(&["publish", "--out", site.to_str().expect("utf-8")]);
    assert!(
        publish.stderr.contains("Skipped her2-treatment"),
        "{}",
        publish.stderr
    );
    let run = env.ok(&["preview", SLUG, "r1"]);
    assert!(
        !run.stderr.contains("this is the page publish writes"),
        "{}",
        run.stderr
    );
    assert!(has_banner(&run.stdout), "{}", run.stdout);
    assert!(
        !run.stdout.contains("Medically reviewed by"),
        "{}",
        run.stdout
    );
}

/// Attack: REV values that are ids of other objects (a commit, a tree, a blob that is
/// not a revision), git revision syntax, paths and odd numbers: all refused, no page.
#[test]
fn rev_values_naming_other_objects_or_paths_are_refused() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    let commit = env.head();
    let tree = env.git(&["rev-parse", "HEAD^{tree}"]).trim().to_owned();
    let blob = env
        .git(&["rev-parse", "HEAD:medreview.yaml"])
        .trim()
        .to_owned();
    let signoff = env.signoff_path(SLUG, "submitted");
    let signoff_blob = env.hash_object(&signoff);
    for rev in [
        commit.as_str(),
        &commit[..8],
        tree.as_str(),
        blob.as_str(),
        signoff_blob.as_str(),
        "HEAD",
        "HEAD:articles/her2-treatment/article.md",
        "../../medreview.yaml",
        "/etc/passwd",
        "r0",
        "r-1",
        "r99999999999999999999999",
        "R1",
        "working/",
        "",
    ] {
        let run = env.fails(&["preview", SLUG, rev]);
        assert_eq!(run.stdout, "", "a page for {rev:?}");
    }
}

/// Attack: the working tree holds the approved text with CRLF line endings (other bytes,
/// the same revision once git normalises them): the preview is of the approved
/// revision, read from git, byte for byte the published page.
#[test]
fn working_text_equal_to_the_approved_revision_but_crlf_previews_as_published() {
    let env = approved_with("First text.\n\nSecond paragraph.\n");
    let page = published_page(&env, &env.outside("site"), &[]);
    let crlf = env.read(ARTICLE).replace('\n', "\r\n");
    env.write(ARTICLE, &crlf);
    let run = env.ok(&["preview", SLUG, "working"]);
    assert_eq!(run.stdout, page);
    // And an edit that only adds a zero-width space is another text: banner.
    env.write(
        ARTICLE,
        &format!("{FRONT}First text.\u{200B}\n\nSecond paragraph.\n"),
    );
    let run = env.ok(&["preview", SLUG, "working"]);
    assert!(has_banner(&run.stdout), "{}", run.stdout);
    assert!(
        !run.stdout.contains("Medically reviewed by"),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------
// 3. The rendered HTML redline: no change may look unchanged
// ---------------------------------------------------------------------------

/// Attack: swap an image that has no alt text (a dosing chart, say). The image's blocks
/// have no text runs, so the redline says "No change to the text."
#[test]
fn a_changed_image_without_alt_text_is_shown() {
    let out = redline_without_alt_text(
        "The dosing chart:\n\n![](https://cdn.example.org/dose-10mg.png)\n",
        "The dosing chart:\n\n![](https://cdn.example.org/dose-100mg.png)\n",
    );
    assert!(!says_unchanged(&out), "{out}");
    assert!(out.contains("dose-100mg.png"), "{out}");
}

/// Attack: a linked image without alt text (a logo or a button) whose link now points
/// elsewhere: the page's link changed, the redline says "No change to the text."
#[test]
fn a_changed_link_around_an_image_without_alt_text_is_shown() {
    let out = redline_without_alt_text(
        "Read the label: [![](https://a.org/logo.png)](https://www.fda.gov/label)\n",
        "Read the label: [![](https://a.org/logo.png)](https://evil.example/label)\n",
    );
    assert!(!says_unchanged(&out), "{out}");
    assert!(out.contains("evil.example"), "{out}");
}

/// Attack: change only the image inside a link (`[![logo](a.png)](url)`): the run is
/// marked changed, but both sides print the same `[image: logo]` and the link's address
/// (the image's address is overwritten by the link's in `runs_html`), so the deleted
/// and inserted text read the same.
#[test]
fn an_image_src_change_inside_a_link_shows_the_new_address() {
    let out = redline(
        "See [![logo](https://a.org/logo.png)](https://nci.gov).\n",
        "See [![logo](https://evil.example/logo.png)](https://nci.gov).\n",
    );
    assert!(out.contains("evil.example/logo.png"), "{out}");
}

/// Attack: renumber a list (`1.` → `5.`): the page shows `<ol start="5">`, the redline
/// "No change to the text."
#[test]
fn a_changed_list_start_number_is_shown() {
    let out = redline(
        "Steps:\n\n1. Take one tablet.\n2. Wait an hour.\n",
        "Steps:\n\n3. Take one tablet.\n4. Wait an hour.\n",
    );
    assert!(!says_unchanged(&out), "{out}");
}

/// Attack: change only a link's title (the tooltip the page shows): invisible.
#[test]
fn a_changed_link_title_is_shown() {
    let out = redline(
        "See [NCI](https://www.cancer.gov \"Official NCI page\").\n",
        "See [NCI](https://www.cancer.gov \"Sponsored: buy our supplement\").\n",
    );
    assert!(!says_unchanged(&out), "{out}");
    assert!(out.contains("Sponsored"), "{out}");
}

/// Attack: a footnote whose text is followed by a table. `Walker::cells_reset` on the
/// table's head and rows clears the note's block, so only the table's last row is
/// compared: "Take 10 mg" → "Take 100 mg" in the note shows "No change to the text."
#[test]
fn a_changed_note_text_before_a_table_in_the_note_is_shown() {
    let out = redline(
        "Dose.[^1]\n\n[^1]: Take 10 mg daily.\n\n    | a | b |\n    |---|---|\n    | c | d |\n",
        "Dose.[^1]\n\n[^1]: Take 100 mg daily.\n\n    | a | b |\n    |---|---|\n    | c | d |\n",
    );
    assert!(!says_unchanged(&out), "{out}");
    assert!(out.contains("<ins>100</ins>"), "{out}");
}

/// Attack: a homoglyph in a link's address (Cyrillic `а` in `cаncer.gov`). The redline
/// marks the link changed but prints both addresses as the same-looking text; the page
/// itself writes the address percent-encoded (`c%D0%B0ncer.gov`).
#[test]
fn a_homoglyph_link_address_is_shown_distinguishably() {
    let out = redline(
        "Read [the NCI page](https://www.cancer.gov/x).\n",
        "Read [the NCI page](https://www.c\u{0430}ncer.gov/x).\n",
    );
    let href = out
        .split("<span class=\"href\">")
        .nth(2)
        .and_then(|s| s.split("</span>").next())
        .unwrap_or_else(|| panic!("the new address is shown: {out}"));
    assert!(href.is_ascii(), "the new address reads {href:?}:\n{out}");
}

/// Attacks that are caught: raw HTML faking `<ins>`/`<del>`, CSS, script in the body
/// and front matter, a changed link address, a change in an HTML comment, in a table
/// cell, in a footnote, a zero-width insertion, and a moved paragraph.
#[test]
fn changes_that_the_redline_shows() {
    // Raw HTML and CSS are shown as their source, never as markup.
    let out = redline(
        "Take 10 mg.\n",
        "<del>Take 10 mg.</del><ins>Take 10 mg.</ins> Take 100 mg.\n\n<style>ins,del{display:none}</style>\n\n<script>alert(1)</script>\n",
    );
    for bad in ["<style", "<script", "<del>Take 10 mg.</del><ins>"] {
        assert!(!out.contains(bad), "{bad} in:\n{out}");
    }
    assert!(out.contains("&lt;style&gt;"), "{out}");
    // A link address, an HTML comment, a table cell, a note.
    for (old, new, shown) in [
        (
            "See [NCI](https://www.cancer.gov/a).\n",
            "See [NCI](https://evil.example/a).\n",
            "evil.example",
        ),
        (
            "Take 10 mg <!-- ok --> daily.\n",
            "Take 10 mg <!-- changed --> daily.\n",
            "changed",
        ),
        (
            "| drug | dose |\n|---|---|\n| A | 10 mg |\n",
            "| drug | dose |\n|---|---|\n| A | 100 mg |\n",
            "<ins>100</ins>",
        ),
        (
            "Dose.[^1]\n\n[^1]: Take 10 mg.\n",
            "Dose.[^1]\n\n[^1]: Take 100 mg.\n",
            "<ins>100</ins>",
        ),
        (
            "Take 10 mg.\n",
            "Take 10\u{200B} mg.\n",
            "<ins>\u{200B}</ins>",
        ),
        // A raw HTML table is compared as one whole (marked, though not localised).
        (
            "<table>\n<tr><td>A</td><td>10 mg</td></tr>\n</table>\n",
            "<table>\n<tr><td>A</td><td>100 mg</td></tr>\n</table>\n",
            "<ins><code>&lt;table&gt;\n&lt;tr&gt;&lt;td&gt;A&lt;/td&gt;&lt;td&gt;100 mg",
        ),
        (
            "First.\n\nSecond paragraph here.\n",
            "Second paragraph here.\n\nFirst.\n",
            "moved",
        ),
    ] {
        let out = redline(old, new);
        assert!(out.contains(shown), "{shown:?} not in:\n{out}");
    }
    // Script through the title and front matter of the redline page.
    let env = TestEnv::seeded();
    env.write(ARTICLE, &format!("{FRONT}Text.\n"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "One."]);
    env.write(
        ARTICLE,
        "---\ntitle: \"</title><script>alert(1)</script>\"\nwriter: suzanne-example\nsummary: \"<img src=x onerror=alert(1)>\"\n---\nText [x](javascript:alert(1)).\n",
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Two."]);
    let run = env.ok(&["diff", SLUG, "r1", "r2", "--format", "html"]);
    for bad in ["<script>alert", "<img src=x", "href=\"javascript"] {
        assert!(!run.stdout.contains(bad), "{bad} in:\n{}", run.stdout);
    }
}

// ---------------------------------------------------------------------------
// 4. Pager, colour and JSON
// ---------------------------------------------------------------------------

/// Attack: a command run with `--json` that fails must print `{"error": ...}` on stdout
/// (docs/json.md, "Problems have one shape everywhere"). `inbox --json`, `writer list --json`
/// and `reviewer list --json` print nothing on stdout: `Command::json` in
/// `src/cli/mod.rs` does not list them.
#[test]
fn every_json_command_prints_its_error_as_json() {
    let env = TestEnv::bare();
    for args in [
        &["inbox", "--json"][..],
        &["writer", "list", "--json"],
        &["reviewer", "list", "--json"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 1, "{args:?}");
        assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
        let doc = json(&run.stdout);
        assert_eq!(doc["error"]["code"], "not-a-workspace", "{args:?}: {doc}");
    }
}

/// The JSON commands that do print their errors as JSON, for comparison.
#[test]
fn status_log_and_diff_json_errors_are_json() {
    let env = TestEnv::bare();
    for args in [
        &["status", "--json"][..],
        &["log", SLUG, "--json"],
        &["diff", SLUG, "--json"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 1, "{args:?}");
        assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
        assert_eq!(
            json(&run.stdout)["error"]["code"],
            "not-a-workspace",
            "{args:?}"
        );
    }
}

/// Output that is not a terminal never goes through the pager, JSON or not, and an
/// error still reaches stderr (the pager is the user's own `MEDREVIEW_PAGER`).
#[test]
fn output_that_is_not_a_terminal_is_never_paged() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
    env.set_now(NEXT_DAY);
    env.write(ARTICLE, &format!("{FRONT}Edited.\n"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Two."]);
    let marker = env.outside("pager-ran");
    let pager = format!("touch '{}'; cat > /dev/null", marker.display());
    let vars = [
        ("MEDREVIEW_PAGER", pager.as_str()),
        ("PAGER", pager.as_str()),
    ];
    for args in [
        &["log", SLUG][..],
        &["log", SLUG, "--json"],
        &["diff", SLUG, "r1", "r2"],
        &["diff", SLUG, "r1", "r2", "--json"],
        &["diff", SLUG, "r1", "r2", "--format", "html"],
        &["diff", SLUG, "r1", "r2", "--color", "always"],
    ] {
        let run = env.run_with(&vars, args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(!run.stdout.is_empty(), "{args:?}");
        if args.contains(&"--json") {
            json(&run.stdout);
        }
        assert!(!marker.exists(), "{args:?} went through the pager");
    }
    let run = env.run_with(&vars, &["log", "no-such-article"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("Error: there is no article"),
        "{}",
        run.stderr
    );
    assert!(!marker.exists());
}

/// Runs medreview with `args` on a tmux terminal with `MEDREVIEW_PAGER` set to a
/// command that records that it ran; returns (exit code, whether the pager ran,
/// stderr).
fn on_terminal_with_pager(tmux: &Path, env: &TestEnv, args: &[&str]) -> (String, bool, String) {
    let dir = (0..)
        .map(|n| env.outside(&format!("attack-pane-{n}")))
        .find(|d| !d.exists())
        .expect("a free folder");
    fs::create_dir_all(&dir).expect("pane folder");
    let ran = dir.join("pager-ran");
    let code = dir.join("code");
    let err = dir.join("stderr");
    let script = dir.join("run.sh");
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
    fs::write(
        &script,
        format!(
            "cd '{root}'\nunset LESS LV GIT_PAGER PAGER NO_COLOR\n\
             export PATH='{path}' HOME='{home}' GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 LANG=C MEDREVIEW_NOW='{NEXT_DAY}'\n\
             export MEDREVIEW_PAGER=\"touch '{ran}'; cat > /dev/null\"\n\
             '{bin}' {args} 2> '{err}' > /dev/tty\n\
             echo $? > '{code}.tmp' && mv '{code}.tmp' '{code}'\nsleep 5\n",
            root = env.root().display(),
            home = env.outside("home").display(),
            ran = ran.display(),
            bin = env!("CARGO_BIN_EXE_medreview"),
            args = args.join(" "),
            err = err.display(),
            code = code.display(),
        ),
    )
    .expect("script");
    let socket = dir.join("tmux.sock");
    let tmux_cmd = |tmux_args: &[&str]| {
        Command::new(tmux)
            .env_clear()
            .env("PATH", &path)
            .env("TERM", "xterm")
            .arg("-S")
            .arg(&socket)
            .arg("-f")
            .arg("/dev/null")
            .args(tmux_args)
            .output()
            .expect("run tmux")
    };
    let started = tmux_cmd(&[
        "new-session",
        "-d",
        "-x",
        "120",
        "-y",
        "40",
        &format!("sh '{}'", script.display()),
    ]);
    assert!(started.status.success(), "tmux new-session failed");
    let deadline = Instant::now() + Duration::from_secs(15);
    while !code.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux_cmd(&["kill-server"]);
    let code = fs::read_to_string(&code).expect("the command ended within 15 s");
    (
        code.trim().to_owned(),
        ran.exists(),
        fs::read_to_string(&err).unwrap_or_default(),
    )
}

/// On a terminal, JSON and the HTML redline are never paged; text `log` is (the control).
#[test]
fn on_a_terminal_json_and_html_are_not_paged() {
    let Some(tmux) = crate::common::tty::tmux() else {
        return;
    };
    let env = TestEnv::approved();
    for (args, paged) in [
        (&["log", SLUG][..], true),
        (&["log", SLUG, "--json"], false),
        (&["diff", SLUG, "--json"], false),
        (&["diff", SLUG, "--format", "html"], false),
        (&["status", "--json"], false),
    ] {
        let (code, ran, stderr) = on_terminal_with_pager(&tmux, &env, args);
        assert_eq!(code, "0", "{args:?}: {stderr}");
        assert_eq!(ran, paged, "{args:?} paged: {ran}");
    }
    // An error while the pager runs is still printed, after it.
    let (code, _, stderr) = on_terminal_with_pager(&tmux, &env, &["log", "no-such-article"]);
    assert_eq!(code, "1");
    assert!(stderr.starts_with("Error: there is no article"), "{stderr}");
}
