//! `medreview publish`: only approved revisions, read from git's object database.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use crate::common::{ARTICLE, HER2_ARTICLE, NEXT_DAY, SLUG, TestEnv, json};

/// Every file under `dir`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("read output folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, fs::read(&path).expect("read output file"));
            }
        }
    }
    files
}

fn publish(env: &TestEnv, out: &Path, extra: &[&str]) -> crate::common::Run {
    let out = out.to_str().expect("utf-8 path");
    let mut args = vec!["publish", "--out", out];
    args.extend_from_slice(extra);
    env.ok(&args)
}

fn page(out: &Path) -> String {
    fs::read_to_string(out.join(format!("{SLUG}.html"))).expect("the article page")
}

/// The JSON-LD object of a page.
fn json_ld(html: &str) -> serde_json::Value {
    let start = html
        .find(r#"<script type="application/ld+json">"#)
        .expect("JSON-LD script")
        + 35;
    let end = start + html[start..].find("</script>").expect("script end");
    json(&html[start..end])
}

/// Commits an edit of the article with plain git, bypassing medreview.
fn commit_edit_with_git(env: &TestEnv, marker: &str) {
    env.append(ARTICLE, &format!("\n{marker}\n"));
    env.git(&["commit", "-q", "-am", "edit after approval"]);
}

#[test]
fn publishes_the_approved_revision_not_later_commits_or_working_tree_edits() {
    let env = TestEnv::approved();
    let approved = env.hash_object(ARTICLE);
    commit_edit_with_git(&env, "COMMITTED-AFTER-APPROVAL");
    env.append(ARTICLE, "\nUNCOMMITTED-IN-WORKING-TREE\n");
    let out = env.outside("site");
    publish(&env, &out, &[]);
    let html = page(&out);
    assert!(
        html.contains("Trastuzumab (Herceptin)"),
        "the approved body is published"
    );
    assert!(
        !html.contains("COMMITTED-AFTER-APPROVAL"),
        "a later commit reached the page"
    );
    assert!(
        !html.contains("UNCOMMITTED-IN-WORKING-TREE"),
        "a working-tree edit reached the page"
    );
    let manifest = json(&fs::read_to_string(out.join("manifest.json")).expect("manifest"));
    assert_eq!(manifest["articles"][0]["revision"], approved.as_str());
    assert_eq!(manifest["articles"][0]["revision_number"], 1);
}

#[test]
fn byline_and_json_ld_come_from_the_record() {
    let env = TestEnv::approved();
    let out = env.outside("site");
    let run = publish(&env, &out, &[]);
    assert!(
        run.stdout.starts_with("her2-treatment\tr1\t"),
        "{}",
        run.stdout
    );
    let html = page(&out);
    assert!(
        html.contains("Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a>"),
        "{html}"
    );
    assert!(html.contains("Written by Suzanne Example"), "{html}");
    assert!(
        html.contains(r#"Updated on <time datetime="2025-03-04">March 4, 2025</time>"#),
        "{html}"
    );
    assert!(
        html.contains("Breast Cancer Treatment (PDQ)"),
        "sources are listed"
    );
    let ld = json_ld(&html);
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "MedicalWebPage");
    assert_eq!(
        ld["name"],
        "Six Things to Know About HER2-Positive Breast Cancer Treatment"
    );
    assert_eq!(ld["author"]["name"], "Suzanne Example");
    // schema.org's Role in place of the Person: what the review meant, and when.
    assert_eq!(ld["reviewedBy"][0]["@type"], "Role");
    assert_eq!(ld["reviewedBy"][0]["roleName"], "medical-accuracy");
    let person = &ld["reviewedBy"][0]["reviewedBy"];
    assert_eq!(person["@type"], "Person");
    assert_eq!(person["name"], "Ana Example");
    assert_eq!(person["honorificSuffix"], "M.D.");
    assert_eq!(ld["lastReviewed"], "2025-03-04");
    assert_eq!(ld["datePublished"], "2025-03-04");
    assert_eq!(ld["dateModified"], "2025-03-04");
    let index = fs::read_to_string(out.join("index.html")).expect("index");
    assert!(
        index.contains(r#"<a href="her2-treatment.html">Six Things to Know"#),
        "{index}"
    );
    assert!(
        index.contains("Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a>"),
        "{index}"
    );
}

#[test]
fn a_withdrawn_article_is_not_published() {
    let mut env = TestEnv::approved();
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&[
        "withdraw",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Dosing guidance changed.",
    ]);
    let out = env.outside("site");
    let run = publish(&env, &out, &[]);
    assert!(!out.join(format!("{SLUG}.html")).exists());
    let manifest = json(&fs::read_to_string(out.join("manifest.json")).expect("manifest"));
    assert_eq!(manifest["articles"].as_array().map(Vec::len), Some(0));
    assert!(
        run.stderr.contains("Skipped her2-treatment: withdrawn"),
        "{}",
        run.stderr
    );
}

/// Regression guard for keeping the user's files (issue 11): a page medreview wrote
/// for an article that is since withdrawn is its own to remove, and is removed.
#[test]
fn a_page_withdrawn_since_the_last_publish_is_removed_from_the_folder() {
    let mut env = TestEnv::approved();
    let out = env.outside("site");
    publish(&env, &out, &[]);
    assert!(out.join(format!("{SLUG}.html")).exists());
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&[
        "withdraw",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Dosing guidance changed.",
    ]);
    publish(&env, &out, &[]);
    assert!(
        !out.join(format!("{SLUG}.html")).exists(),
        "the withdrawn page is gone"
    );
}

#[test]
fn unapproved_articles_are_skipped_and_listed() {
    let env = TestEnv::seeded();
    let out = env.outside("site");
    let run = publish(&env, &out, &[]);
    assert!(
        run.stderr.contains("Published 0 articles"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Skipped her2-treatment: draft"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_newer_approved_revision_replaces_the_older_and_the_older_stays_while_in_review() {
    let mut env = TestEnv::approved();
    env.write(
        ARTICLE,
        &HER2_ARTICLE.replace(
            "Treatment has improved a great deal",
            "Treatment keeps improving",
        ),
    );
    env.set_now("2025-04-01T10:00:00-04:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Update."]);
    let out = env.outside("site");
    publish(&env, &out, &[]);
    assert!(
        page(&out).contains("Treatment has improved a great deal"),
        "r1 stays up while r2 is in review"
    );
    env.set_now("2025-04-02T10:00:00-04:00");
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--revision",
        "r2",
        "-m",
        "Fine.",
    ]);
    publish(&env, &out, &[]);
    let html = page(&out);
    assert!(html.contains("Treatment keeps improving"), "r2 replaces r1");
    assert!(
        html.contains("April 2, 2025"),
        "the byline date is r2's approval"
    );
    let ld = json_ld(&html);
    assert_eq!(ld["datePublished"], "2025-03-04", "first publication stays");
    assert_eq!(ld["dateModified"], "2025-04-02");
    let manifest = json(&fs::read_to_string(out.join("manifest.json")).expect("manifest"));
    assert_eq!(manifest["articles"][0]["revision_number"], 2);
}

#[test]
fn hostile_titles_and_bodies_are_escaped_and_sanitized() {
    let mut env = TestEnv::seeded();
    let hostile = HER2_ARTICLE
        .replace(
            "title: Six Things to Know About HER2-Positive Breast Cancer Treatment",
            "title: '<script>alert(\"title\")</script> & </script> \"quoted\"'",
        )
        .replace(
            "summary: How HER2-positive",
            "summary: </script><script>alert(2)</script> How HER2-positive",
        )
        + "\n<script>alert('body')</script>\n\n[click](javascript:alert(3)) <img src=x onerror=alert(4)>\n\n<iframe src=https://evil.example></iframe>\n";
    env.write(ARTICLE, &hostile);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
    let out = env.outside("site");
    publish(&env, &out, &[]);
    let html = page(&out);
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the JSON-LD script tag: {html}"
    );
    assert!(!html.contains("javascript:"), "{html}");
    assert!(!html.contains("onerror"), "{html}");
    assert!(!html.contains("<iframe"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert("),
        "the title is escaped: {html}"
    );
    let ld = json_ld(&html);
    assert_eq!(
        ld["name"], "<script>alert(\"title\")</script> & </script> \"quoted\"",
        "JSON-LD keeps the text"
    );
    let index = fs::read_to_string(out.join("index.html")).expect("index");
    assert!(!index.contains("<script"), "{index}");
}

#[test]
fn a_failed_publish_leaves_the_previous_output_untouched() {
    let env = TestEnv::approved();
    let out = env.outside("site");
    publish(&env, &out, &[]);
    let before = tree(&out);
    env.write(
        "templates/article.html",
        "<h1>{{ article.title }}</h1>\n<p>{{ article.no_such_field }}</p>\n",
    );
    env.git(&["commit", "-q", "-am", "broken template"]);
    let run = env.run(&["publish", "--out", out.to_str().expect("utf-8")]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("templates/article.html:2:"),
        "names the template and line: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("article.no_such_field"),
        "names the variable: {}",
        run.stderr
    );
    assert_eq!(tree(&out), before, "the previous output is untouched");
    let beside: Vec<_> = fs::read_dir(out.parent().expect("parent"))
        .expect("read parent")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".medreview"))
        .collect();
    assert!(
        beside.is_empty(),
        "no staging folder left behind: {beside:?}"
    );
}

#[test]
fn publish_replaces_its_own_output_whole_and_refuses_other_folders() {
    let env = TestEnv::approved();
    let out = env.outside("site");
    publish(&env, &out, &[]);
    fs::write(out.join("notes.html"), "mine").expect("write a file of the user's");
    publish(&env, &out, &[]);
    // Regression (issue 11): the folder was replaced whole, deleting files the user
    // had put there; only what the manifest lists is medreview's to replace.
    assert_eq!(
        fs::read_to_string(out.join("notes.html")).expect("kept"),
        "mine",
        "a file medreview did not write is kept"
    );

    let foreign = env.outside("documents");
    fs::create_dir_all(&foreign).expect("mkdir");
    fs::write(foreign.join("thesis.txt"), "precious").expect("write");
    let run = env.run(&["publish", "--out", foreign.to_str().expect("utf-8")]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("did not write"), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(foreign.join("thesis.txt")).expect("kept"),
        "precious"
    );

    let run = env.run(&["publish", "--out", "."]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("would replace the workspace"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_same_commit_publishes_byte_identical_output() {
    let mut env = TestEnv::approved();
    let first = env.outside("one");
    let second = env.outside("two");
    publish(&env, &first, &[]);
    env.set_now("2031-01-01T00:00:00+09:00");
    publish(&env, &second, &[]);
    assert_eq!(tree(&first), tree(&second));
    let first_md = env.outside("md-one");
    let second_md = env.outside("md-two");
    publish(&env, &first_md, &["--format", "markdown"]);
    publish(&env, &second_md, &["--format", "markdown"]);
    assert_eq!(tree(&first_md), tree(&second_md));
}

#[test]
fn publish_as_a_publisher_records_an_annotated_tag() {
    let mut env = TestEnv::approved();
    env.ok(&[
        "writer",
        "add",
        "rosa-editor",
        "--name",
        "Rosa Editor",
        "--email",
        "rosa@example.org",
    ]);
    let out = env.outside("site");
    let run = env.run(&[
        "publish",
        "--out",
        out.to_str().expect("utf-8"),
        "--as",
        "rosa-editor",
    ]);
    assert_eq!(run.code, 1, "not yet a publisher: {}", run.stderr);
    assert!(run.stderr.contains("publishers"), "{}", run.stderr);
    assert!(env.git(&["tag", "--list"]).is_empty());
    assert!(!out.exists(), "a refused publish writes nothing");

    let config = env
        .read("medreview.yaml")
        .replace("publishers: []", "publishers:\n- rosa-editor");
    env.write("medreview.yaml", &config);
    env.git(&["commit", "-q", "-am", "rosa publishes"]);
    env.set_now("2025-03-06T12:00:00-05:00");
    let run = publish(&env, &out, &["--as", "rosa-editor"]);
    let name = format!("published/20250306T170000Z-{}", &env.head()[..12]);
    assert!(run.stderr.contains(&name), "{}", run.stderr);
    let tag = env.git(&["cat-file", "-p", &name]);
    assert!(tag.contains(&format!("object {}", env.head())), "{tag}");
    assert!(
        tag.contains("tagger Rosa Editor <rosa@example.org> 1741280400 -0500"),
        "{tag}"
    );
    let revision = env.hash_object(ARTICLE);
    assert!(
        tag.contains(&format!("her2-treatment r1 {revision}")),
        "{tag}"
    );
}

#[test]
fn default_article_page_snapshot() {
    let env = TestEnv::approved();
    let out = env.outside("site");
    publish(&env, &out, &[]);
    insta::assert_snapshot!("default_article_page", page(&out));
}

/// The markdown export is content a real Hugo builds, with the review facts readable by a theme.
#[test]
fn markdown_export_builds_with_real_hugo() {
    let Some(hugo) = find_program("hugo") else {
        return skip("hugo");
    };
    let env = TestEnv::approved();
    let site = env.outside("hugo-site");
    publish(&env, &site.join("content"), &["--format", "markdown"]);
    let md =
        fs::read_to_string(site.join("content").join(format!("{SLUG}.md"))).expect("markdown page");
    assert!(md.starts_with("---\n{\n  \"title\": \"Six Things"), "{md}");
    fs::write(site.join("hugo.toml"), "baseURL = 'https://health.example.org/'\ntitle = 'Example Health'\ndisableKinds = ['taxonomy', 'term', 'RSS', 'sitemap']\n").expect("config");
    fs::create_dir_all(site.join("layouts/_default")).expect("layouts");
    fs::write(
        site.join("layouts/_default/single.html"),
        "<h1>{{ .Title }}</h1><p class=\"review\">{{ range .Params.medically_reviewed_by }}Medically reviewed by {{ .name }}, {{ .credentials }}{{ end }} on {{ .Params.last_reviewed }}; updated {{ .Lastmod.Format \"2006-01-02\" }}</p>{{ .Content }}",
    )
    .expect("single layout");
    fs::write(
        site.join("layouts/_default/list.html"),
        "{{ range .Pages }}{{ .Title }}\n{{ end }}",
    )
    .expect("list layout");
    let status = Process::new(hugo)
        .arg("--quiet")
        .current_dir(&site)
        .env("HOME", env.outside("home"))
        .status()
        .expect("run hugo");
    assert!(
        status.success(),
        "hugo failed to build the exported content"
    );
    let built =
        fs::read_to_string(site.join("public").join(SLUG).join("index.html")).expect("hugo page");
    assert!(
        built.contains("Medically reviewed by Ana Example, M.D. on 2025-03-04"),
        "{built}"
    );
    assert!(built.contains("updated 2025-03-04"), "{built}");
    assert!(built.contains("Trastuzumab (Herceptin)"), "{built}");
}

/// One screenshot of the default page in headless Chromium, checked to be a real, non-blank page.
#[test]
fn default_page_renders_in_headless_chromium() {
    let Some(chromium) = find_program("chromium") else {
        return skip("chromium");
    };
    let env = TestEnv::approved();
    let out = env.outside("site");
    publish(&env, &out, &[]);
    let shot = env.outside("page.png");
    let status = Process::new(chromium)
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
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!(
            "file://{}",
            out.join(format!("{SLUG}.html")).display()
        ))
        .env("HOME", env.outside("home"))
        .output()
        .expect("run chromium");
    assert!(
        status.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        fs::File::open(&shot).expect("screenshot"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut pixels).expect("decode");
    assert_eq!((info.width, info.height), (800, 1000));
    let channels = info.color_type.samples();
    let pixels = &pixels[..info.buffer_size()];
    let dark = pixels
        .chunks(channels)
        .filter(|p| p[..3].iter().all(|c| *c < 100))
        .count();
    let accent = pixels
        .chunks(channels)
        .filter(|p| p[0] < 40 && p[1] > 90 && p[2] > 90 && p[1] < 130)
        .count();
    let total = pixels.len() / channels;
    assert!(
        dark > total / 200,
        "the page has text: {dark} dark pixels of {total}"
    );
    assert!(
        accent > 50,
        "the accent colour (site name, check mark) is drawn: {accent}"
    );
}

fn find_program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// Skips a test whose program is missing, so `cargo test` passes on a bare machine;
/// CI sets MEDREVIEW_REQUIRE_TOOLS=1 (after installing them) so they can never be skipped there.
fn skip(program: &str) {
    assert!(
        std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
        "{program} is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed"
    );
    eprintln!("skipped: {program} is not installed (apt-get install {program})");
}

#[test]
fn a_second_publish_reuses_unchanged_pages_and_rewrites_only_what_changed() {
    use std::os::unix::fs::MetadataExt;
    let mut env = TestEnv::approved();
    let out = env.outside("site");
    publish(&env, &out, &[]);
    let first = tree(&out);
    let page_file = out.join(format!("{SLUG}.html"));
    let ino = fs::metadata(&page_file).expect("page").ino();
    let manifest = json(&fs::read_to_string(out.join("manifest.json")).expect("manifest"));
    assert!(
        manifest["articles"][0]["fingerprint"]
            .as_str()
            .is_some_and(|f| !f.is_empty()),
        "the manifest records each page's fingerprint: {manifest}"
    );

    // Nothing changed: the page is the same file, the output the same bytes.
    publish(&env, &out, &[]);
    assert_eq!(tree(&out), first, "the same commit, the same bytes");
    assert_eq!(
        fs::metadata(&page_file).expect("page").ino(),
        ino,
        "not rewritten"
    );

    // A page changed by hand in the output is written again, never kept.
    fs::write(&page_file, "<p>defaced</p>").expect("deface");
    publish(&env, &out, &[]);
    assert_eq!(tree(&out), first, "the defaced page is replaced");

    // Serial and parallel rendering write the same bytes.
    let serial = env.outside("serial");
    let run = env.run_with(
        &[("RAYON_NUM_THREADS", "1")],
        &["publish", "--out", serial.to_str().expect("utf-8")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(tree(&serial), first, "one thread, the same bytes");

    // A new approved revision: its page changes, and the output is exactly a fresh
    // publish of that commit.
    env.write(
        ARTICLE,
        &HER2_ARTICLE.replace(
            "Treatment has improved a great deal",
            "Treatment keeps improving",
        ),
    );
    env.set_now("2025-04-01T10:00:00-04:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Update."]);
    env.set_now("2025-04-02T10:00:00-04:00");
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Fine."]);
    publish(&env, &out, &[]);
    let fresh = env.outside("fresh");
    publish(&env, &fresh, &[]);
    assert_eq!(
        tree(&out),
        tree(&fresh),
        "incremental equals a fresh publish"
    );
    assert!(page(&out).contains("Treatment keeps improving"));
    let _ = NEXT_DAY;
}

/// Issue 26: publishing the same commit again (a cron job every hour) reuses the
/// publication's tag instead of recording a second one; a new commit gets its own.
#[test]
fn publishing_the_same_commit_again_reuses_its_publication_tag() {
    let mut env = TestEnv::approved();
    env.ok(&[
        "writer",
        "add",
        "rosa-editor",
        "--name",
        "Rosa Editor",
        "--email",
        "rosa@example.org",
    ]);
    env.ok(&["publisher", "add", "rosa-editor"]);
    let out = env.outside("site");
    env.set_now("2025-03-06T12:00:00-05:00");
    let first = publish(&env, &out, &["--as", "rosa-editor"]);
    let name = format!("published/20250306T170000Z-{}", &env.head()[..12]);
    assert!(
        first
            .stderr
            .contains(&format!("Recorded the publication as tag {name}.")),
        "{}",
        first.stderr
    );
    env.set_now("2025-03-06T13:00:00-05:00");
    let again = publish(&env, &out, &["--as", "rosa-editor"]);
    assert!(
        again.stderr.contains(&format!(
            "This commit was published before, as tag {name}; that record stands (no second tag)."
        )),
        "{}",
        again.stderr
    );
    assert_eq!(env.git(&["tag", "--list"]).trim(), name);
    // A new commit is a new publication.
    env.ok(&["publisher", "add", "ana-example"]);
    env.set_now("2025-03-06T14:00:00-05:00");
    publish(&env, &out, &["--as", "rosa-editor"]);
    assert_eq!(
        env.git(&["tag", "--list"]).lines().count(),
        2,
        "{}",
        env.git(&["tag", "--list"])
    );
}

/// Issue 26: `publish` never puts up a page past its re-review date without a
/// word: it says which, since when, and what renews it; `review.overdue: banner`
/// tells readers too, `unpublish` leaves the page out.
#[test]
fn publish_says_which_pages_are_past_their_re_review_date() {
    let mut env = TestEnv::approved();
    let out = env.outside("site");
    let run = publish(&env, &out, &[]);
    assert!(!run.stderr.contains("re-review date"), "{}", run.stderr);
    env.set_now("2026-03-11T09:30:00-05:00");
    let run = publish(&env, &out, &[]);
    assert!(
        run.stderr.contains(
            "Warning: her2-treatment is published past its medical re-review date (2026-03-04); its reviewer renews it with `medreview recertify her2-treatment`"
        ),
        "{}",
        run.stderr
    );
    assert!(out.join(format!("{SLUG}.html")).is_file());
    assert!(!page(&out).contains("due for medical re-review"));

    // banner: readers are told, in the review block medreview draws.
    env.ok(&["config", "set", "review.overdue", "banner"]);
    publish(&env, &out, &[]);
    assert!(
        page(&out).contains(
            "<p class=\"overdue-notice\" role=\"note\"><strong>This page is due for medical re-review</strong> (since March 4, 2026).</p>"
        ),
        "{}",
        page(&out)
    );
    // Where the reader sees it: drawn, above the byline.
    if let Some(browser) = crate::common::browser::Browser::launch() {
        browser.goto(&format!(
            "file://{}",
            out.join(format!("{SLUG}.html")).display()
        ));
        let seen = browser.eval(
            "(() => { const n = document.querySelector('.overdue-notice'); \
             const b = document.querySelector('.byline'); const r = n.getBoundingClientRect(); \
             return { text: n.innerText, shown: r.height > 0 && r.width > 0, \
             above: r.bottom <= b.getBoundingClientRect().top }; })()",
        );
        assert_eq!(seen["shown"], true, "{seen}");
        assert_eq!(seen["above"], true, "{seen}");
        assert!(
            seen["text"]
                .as_str()
                .is_some_and(|t| t.contains("This page is due for medical re-review")),
            "{seen}"
        );
    }

    // unpublish: the page leaves the site until it is re-reviewed.
    env.ok(&["config", "set", "review.overdue", "unpublish"]);
    let run = publish(&env, &out, &[]);
    assert!(
        run.stderr.contains(
            "Skipped her2-treatment: past its medical re-review date (review.overdue: unpublish)"
        ),
        "{}",
        run.stderr
    );
    assert!(!out.join(format!("{SLUG}.html")).exists());
    let refused = env.fails(&["config", "set", "review.overdue", "hide"]);
    assert!(refused.stderr.contains("overdue"), "{}", refused.stderr);
}
