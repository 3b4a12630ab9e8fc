//! Issue 11 for publish: runaway templates and the output folder (manifest `files`,
//! the user's files, leftovers of an interrupted run).

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use super::{approved, assert_no_raw_git_text, leftovers, medreview, tree, wait_at_most};
use crate::common::{Run, SLUG, TestEnv, json};

// ---------------------------------------------------------------------------------
// 4. Templates
// ---------------------------------------------------------------------------------

/// Commits `text` as `templates/<name>` with plain git.
fn commit_template(env: &TestEnv, name: &str, text: &str) {
    env.write(&format!("templates/{name}"), text);
    env.git(&["commit", "-q", "-am", "template change"]);
}

/// Runs `publish --out site` with a time bound; returns the run and how long it took.
fn publish_bounded(env: &TestEnv, site: &Path, limit: Duration) -> (Run, Duration) {
    let started = Instant::now();
    let child = medreview(
        env,
        env.root(),
        &["publish", "--out", site.to_str().expect("utf-8")],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn publish");
    let mut child = child;
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let readers = std::thread::spawn(move || {
        let (mut o, mut e) = (String::new(), String::new());
        let _ = out.read_to_string(&mut o);
        let _ = err.read_to_string(&mut e);
        (o, e)
    });
    let status = wait_at_most(&mut child, limit);
    let took = started.elapsed();
    let (stdout, stderr) = readers.join().expect("readers");
    let status = status.unwrap_or_else(|| panic!("publish ran past {limit:?}; killed"));
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    };
    (run, took)
}

/// A committed template with runaway nested loops (with and without output, in the
/// article and in the index template), or one that writes more than 16 MiB for a
/// page: publish exits 1 within 20 s naming the template, and the previous output is
/// left exactly as it was.
#[test]
fn runaway_templates_are_stopped_naming_the_template() {
    let nested_x =
        "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}";
    let nested_silent =
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}";
    let huge = "{% for i in range(40) %}{{ \"x\" * 500000 }}{% endfor %}";
    let recursive = "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}";
    let cases = [
        ("article.html", nested_x),
        ("article.html", nested_silent),
        ("index.html", nested_x),
        ("article.html", huge),
        ("index.html", huge),
        ("article.html", recursive),
    ];
    for (name, text) in cases {
        let env = approved();
        let site = env.outside("site");
        env.ok(&["publish", "--out", site.to_str().expect("utf-8")]);
        let before = tree(&site);
        commit_template(&env, name, text);
        let (run, took) = publish_bounded(&env, &site, Duration::from_secs(20));
        assert_eq!(run.code, 1, "{name} {text}: {run:?}");
        assert!(took < Duration::from_secs(20), "{name}: took {took:?}");
        assert!(
            run.stderr.contains(&format!("templates/{name}")),
            "{name} {text}: the error does not name the template:\n{}",
            run.stderr
        );
        assert_no_raw_git_text(&run.stderr);
        assert!(tree(&site) == before, "{name}: the previous output changed");
        assert_eq!(leftovers(&env.outside("")), Vec::<String>::new());
    }
}

/// The near miss: a template with a modest loop, and one that writes an 8 MiB page
/// (half the limit), publish as usual.
#[test]
fn templates_with_modest_loops_and_large_pages_still_publish() {
    let env = approved();
    let original = env.read("templates/article.html");
    let modest = original.replace(
        "</main>",
        "{% for i in range(2000) %}<span>{{ i }}</span>{% endfor %}</main>",
    );
    assert_ne!(modest, original, "the template has no </main>");
    commit_template(&env, "article.html", &modest);
    let site = env.outside("site");
    let (run, _) = publish_bounded(&env, &site, Duration::from_secs(20));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = fs::read_to_string(site.join(format!("{SLUG}.html"))).expect("page");
    assert!(page.contains("<span>1999</span>"));

    let large = original.replace("</main>", "{{ \"x\" * 8388608 }}</main>");
    commit_template(&env, "article.html", &large);
    let (run, _) = publish_bounded(&env, &site, Duration::from_secs(20));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let len = fs::metadata(site.join(format!("{SLUG}.html")))
        .expect("page")
        .len();
    assert!(len > 8 << 20, "{len}");
}

// ---------------------------------------------------------------------------------
// 5. The publish output folder
// ---------------------------------------------------------------------------------

/// The `files` list of `DIR/manifest.json`.
fn manifest_files(site: &Path) -> Vec<String> {
    let manifest = json(&fs::read_to_string(site.join("manifest.json")).expect("manifest"));
    manifest["files"]
        .as_array()
        .unwrap_or_else(|| panic!("manifest.json has no files list:\n{manifest}"))
        .iter()
        .map(|f| f.as_str().expect("a file name").to_owned())
        .collect()
}

/// Asserts `files` is sorted and names exactly the files medreview wrote to `site`
/// (manifest.json itself may or may not be listed), given the user's `theirs`.
fn assert_manifest_lists_what_was_written(site: &Path, theirs: &[&str]) {
    let files = manifest_files(site);
    let mut sorted = files.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(files, sorted, "manifest files are not sorted and unique");
    let mut written: Vec<String> = tree(site)
        .into_keys()
        .filter(|f| !theirs.contains(&f.as_str()))
        .collect();
    let mut listed = files.clone();
    if !listed.contains(&"manifest.json".to_owned()) {
        written.retain(|f| f != "manifest.json");
    }
    written.sort();
    listed.sort();
    assert_eq!(
        listed, written,
        "manifest files differ from the files written"
    );
}

/// manifest.json's `files` is the sorted list of the files publish wrote, for
/// HTML and Markdown.
#[test]
fn the_manifest_lists_every_file_written_sorted() {
    let env = approved();
    for format in ["html", "markdown"] {
        let site = env.outside(&format!("site-{format}"));
        env.ok(&[
            "publish",
            "--out",
            site.to_str().expect("utf-8"),
            "--format",
            format,
        ]);
        assert_manifest_lists_what_was_written(&site, &[]);
        let page = if format == "html" {
            format!("{SLUG}.html")
        } else {
            format!("{SLUG}.md")
        };
        assert!(manifest_files(&site).contains(&page), "{page}");
    }
}

/// HTML: files the user added to the output folder (`notes.txt`, `assets/logo.svg`)
/// survive later publishes unchanged and are not claimed in `files` (so they survive
/// the publish after that too). Near miss: a file medreview wrote and the user
/// edited is rewritten, and a page no longer published (withdrawn) is removed.
#[test]
fn html_publish_keeps_the_users_files_and_replaces_its_own() {
    let env = approved();
    let site = env.outside("site");
    let site_arg = site.to_str().expect("utf-8");
    env.ok(&["publish", "--out", site_arg]);
    let index = fs::read(site.join("index.html")).expect("index");
    let notes = b"my notes\n".to_vec();
    let logo = b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec();
    fs::write(site.join("notes.txt"), &notes).expect("write notes");
    fs::create_dir_all(site.join("assets")).expect("assets");
    fs::write(site.join("assets/logo.svg"), &logo).expect("write logo");
    fs::write(site.join("index.html"), "edited by hand").expect("edit index");
    let theirs = ["notes.txt", "assets/logo.svg"];

    env.ok(&["publish", "--out", site_arg]);
    assert_eq!(fs::read(site.join("notes.txt")).expect("notes"), notes);
    assert_eq!(fs::read(site.join("assets/logo.svg")).expect("logo"), logo);
    assert_eq!(fs::read(site.join("index.html")).expect("index"), index);
    assert_manifest_lists_what_was_written(&site, &theirs);
    for file in theirs {
        assert!(
            !manifest_files(&site).contains(&file.to_owned()),
            "{file} claimed"
        );
    }

    env.ok(&[
        "withdraw",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Out of date.",
    ]);
    env.ok(&["publish", "--out", site_arg]);
    assert_eq!(fs::read(site.join("notes.txt")).expect("notes"), notes);
    assert_eq!(fs::read(site.join("assets/logo.svg")).expect("logo"), logo);
    assert!(
        !site.join(format!("{SLUG}.html")).exists(),
        "the withdrawn page is still there"
    );
    assert_manifest_lists_what_was_written(&site, &theirs);
    assert_eq!(leftovers(&env.outside("")), Vec::<String>::new());
}

/// Markdown into a content folder holding medreview's previous output plus the
/// user's `_index.md` and `about.md`: refused, both named, nothing changed (issue
/// 11, item 8). Near miss: the same folder without them publishes.
#[test]
fn markdown_publish_refuses_files_it_did_not_write_naming_each() {
    let env = approved();
    let content = env.outside("hugo/content/articles");
    let arg = content.to_str().expect("utf-8");
    env.ok(&["publish", "--format", "markdown", "--out", arg]);
    env.ok(&["publish", "--format", "markdown", "--out", arg]);
    fs::write(content.join("_index.md"), "---\ntitle: Articles\n---\n").expect("_index");
    fs::write(content.join("about.md"), "About us.\n").expect("about");
    fs::create_dir_all(content.join("images")).expect("images");
    fs::write(content.join("images/chart.png"), b"\x89PNG").expect("image");
    let before = tree(&content);
    let run = env.fails(&["publish", "--format", "markdown", "--out", arg]);
    for name in ["_index.md", "about.md", "images/chart.png"] {
        assert!(
            run.stderr.contains(name),
            "{name} not named:\n{}",
            run.stderr
        );
    }
    assert!(tree(&content) == before, "the content folder changed");
    assert_eq!(
        leftovers(&env.outside("hugo/content")),
        Vec::<String>::new()
    );

    fs::remove_dir_all(content.join("images")).expect("rm");
    fs::remove_file(content.join("_index.md")).expect("rm");
    fs::remove_file(content.join("about.md")).expect("rm");
    env.ok(&["publish", "--format", "markdown", "--out", arg]);
    assert!(content.join(format!("{SLUG}.md")).is_file());
}

/// An interrupted publish left the previous output aside as
/// `.medreview-publish-<name>-<x>.old` with `DIR` missing, plus a half-written
/// staging folder: the next publish restores the previous output first (so the
/// user's file in it survives), publishes, and leaves no `.medreview-publish-*`.
/// Near miss: with `DIR` present, stale leftovers are removed and not merged in.
#[test]
fn the_next_publish_recovers_an_interrupted_ones_leftovers() {
    let env = approved();
    let parent = env.outside("www");
    let site = parent.join("site");
    let arg = site.to_str().expect("utf-8");
    env.ok(&["publish", "--out", arg]);
    fs::write(site.join("notes.txt"), "keep me\n").expect("notes");
    fs::rename(&site, parent.join(".medreview-publish-site-a1B2c3.old")).expect("move aside");
    fs::create_dir_all(parent.join(".medreview-publish-site-d4E5f6")).expect("staging");
    fs::write(
        parent.join(".medreview-publish-site-d4E5f6/index.html"),
        "half",
    )
    .expect("half-written");
    env.ok(&["publish", "--out", arg]);
    assert_eq!(leftovers(&parent), Vec::<String>::new());
    assert_eq!(
        fs::read_to_string(site.join("notes.txt")).expect("notes restored"),
        "keep me\n"
    );
    assert!(site.join(format!("{SLUG}.html")).is_file());
    assert_ne!(
        fs::read_to_string(site.join("index.html")).expect("index"),
        "half"
    );
    assert_manifest_lists_what_was_written(&site, &["notes.txt"]);

    // DIR present: leftovers are stale copies, removed without being merged in.
    let stale = parent.join(".medreview-publish-site-g7H8i9.old");
    Process::new("cp")
        .arg("-a")
        .arg(&site)
        .arg(&stale)
        .status()
        .expect("cp");
    fs::write(stale.join("stale.txt"), "old").expect("stale file");
    env.ok(&["publish", "--out", arg]);
    assert_eq!(leftovers(&parent), Vec::<String>::new());
    assert!(
        !site.join("stale.txt").exists(),
        "a stale leftover was merged in"
    );
    assert!(site.join("notes.txt").is_file());

    // DIR missing and only a half-written staging folder left (a first publish was
    // interrupted): removed, never taken for an output.
    fs::remove_dir_all(&site).expect("rm site");
    let half = parent.join(".medreview-publish-site-j1K2l3");
    fs::create_dir_all(&half).expect("staging");
    fs::write(half.join("index.html"), "half").expect("half-written");
    env.ok(&["publish", "--out", arg]);
    assert_eq!(leftovers(&parent), Vec::<String>::new());
    assert_ne!(
        fs::read_to_string(site.join("index.html")).expect("index"),
        "half"
    );
    assert_manifest_lists_what_was_written(&site, &[]);
}

/// A user's symlinked folder in the HTML output (`assets -> ../shared-assets`) is
/// kept as the link it is: the files behind it are neither copied, moved nor removed
/// when the previous output is thrown away.
#[test]
fn a_symlinked_user_folder_in_the_output_is_kept_and_its_target_untouched() {
    let env = approved();
    let site = env.outside("site");
    let arg = site.to_str().expect("utf-8");
    env.ok(&["publish", "--out", arg]);
    let shared = env.outside("shared-assets");
    fs::create_dir_all(&shared).expect("shared");
    fs::write(shared.join("logo.svg"), "<svg/>").expect("logo");
    std::os::unix::fs::symlink("../shared-assets", site.join("assets")).expect("symlink");
    env.ok(&["publish", "--out", arg]);
    env.ok(&["publish", "--out", arg]);
    let meta = fs::symlink_metadata(site.join("assets")).expect("assets kept");
    assert!(meta.file_type().is_symlink(), "assets is no longer a link");
    assert_eq!(
        fs::read_to_string(shared.join("logo.svg")).expect("the link's target survives"),
        "<svg/>"
    );
    assert!(
        !manifest_files(&site)
            .iter()
            .any(|f| f.starts_with("assets"))
    );
}

/// Leftovers are matched to their own output folder only: an interrupted publish of
/// `www/site-2` (its previous output aside as `.medreview-publish-site-2-<x>.old`,
/// `site-2` missing) is neither restored as `www/site` nor deleted by a publish into
/// `www/site`; the next publish into `site-2` restores it.
#[test]
fn leftovers_of_a_sibling_output_folder_are_left_alone() {
    let env = approved();
    let parent = env.outside("www");
    let site = parent.join("site");
    let site2 = parent.join("site-2");
    env.ok(&["publish", "--out", site2.to_str().expect("utf-8")]);
    fs::write(site2.join("notes.txt"), "site-2 only\n").expect("notes");
    let aside = parent.join(".medreview-publish-site-2-a1B2c3.old");
    fs::rename(&site2, &aside).expect("move aside");

    // `site` missing: a first publish into it.
    env.ok(&["publish", "--out", site.to_str().expect("utf-8")]);
    assert!(
        !site.join("notes.txt").exists(),
        "site-2's old output was restored as site"
    );
    assert!(
        aside.join("notes.txt").is_file(),
        "site-2's old output is gone"
    );
    // `site` present: a second publish into it.
    env.ok(&["publish", "--out", site.to_str().expect("utf-8")]);
    assert!(
        aside.join("notes.txt").is_file(),
        "site-2's old output is gone"
    );

    env.ok(&["publish", "--out", site2.to_str().expect("utf-8")]);
    assert_eq!(
        fs::read_to_string(site2.join("notes.txt")).expect("restored"),
        "site-2 only\n"
    );
    assert_eq!(leftovers(&parent), Vec::<String>::new());
}

/// A file the user put in the HTML output folder under the name a page later takes
/// (`second.html`, before the article `second` was approved) is not overwritten
/// silently: HTML keeps files the manifest does not list, so publish refuses, naming
/// it, and changes nothing.
#[test]
fn a_user_file_in_the_way_of_a_new_page_is_not_overwritten() {
    let mut env = approved();
    let site = env.outside("site");
    let arg = site.to_str().expect("utf-8");
    env.ok(&[
        "new",
        "second",
        "--title",
        "A Second Article",
        "--writer",
        "suzanne-example",
        "--reviewer",
        "ana-example",
    ]);
    env.write(
        "articles/second/article.md",
        "---\ntitle: A Second Article\nwriter: suzanne-example\nreviewer: ana-example\n---\nBody text.\n",
    );
    env.ok(&[
        "submit",
        "second",
        "--as",
        "suzanne-example",
        "-m",
        "Draft.",
    ]);
    env.ok(&["publish", "--out", arg]);
    assert!(!site.join("second.html").exists());
    fs::write(site.join("second.html"), "the user's own page\n").expect("user file");
    env.set_now("2025-03-11T09:00:00-05:00");
    env.ok(&["approve", "second", "--as", "ana-example", "-m", "Fine."]);
    let before = tree(&site);
    let run = env.run(&["publish", "--out", arg]);
    assert!(
        fs::read_to_string(site.join("second.html")).expect("second.html")
            == "the user's own page\n",
        "publish overwrote the user's file (exit {}):\n{}",
        run.code,
        run.stderr
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("second.html"), "{}", run.stderr);
    assert!(tree(&site) == before, "the output changed");
}

/// Issue 11's own scenario: a Hugo content folder that holds only the user's
/// `_index.md` and `about.md` (no medreview output yet). Markdown publish into it is
/// refused, naming each file, and nothing changes.
#[test]
fn markdown_publish_into_a_users_content_folder_names_each_file() {
    let env = approved();
    let content = env.outside("hugo/content/articles");
    fs::create_dir_all(&content).expect("content folder");
    fs::write(content.join("_index.md"), "---\ntitle: Articles\n---\n").expect("_index");
    fs::write(content.join("about.md"), "About us.\n").expect("about");
    let before = tree(&content);
    let run = env.fails(&[
        "publish",
        "--format",
        "markdown",
        "--out",
        content.to_str().expect("utf-8"),
    ]);
    assert!(tree(&content) == before, "the content folder changed");
    for name in ["_index.md", "about.md"] {
        assert!(
            run.stderr.contains(name),
            "{name} not named:\n{}",
            run.stderr
        );
    }
    assert_eq!(
        leftovers(&env.outside("hugo/content")),
        Vec::<String>::new()
    );
}

/// `index.html` is medreview's only in HTML output: a user's `index.html` in a
/// Markdown content folder is a file the previous manifest does not list, so the
/// next Markdown publish refuses naming it, and does not delete it.
#[test]
fn a_users_index_html_in_markdown_output_is_not_deleted() {
    let env = approved();
    let content = env.outside("content");
    let arg = content.to_str().expect("utf-8");
    env.ok(&["publish", "--format", "markdown", "--out", arg]);
    assert!(!manifest_files(&content).contains(&"index.html".to_owned()));
    fs::write(
        content.join("index.html"),
        "<p>the user's landing page</p>\n",
    )
    .expect("write");
    let before = tree(&content);
    let run = env.run(&["publish", "--format", "markdown", "--out", arg]);
    assert!(
        content.join("index.html").is_file(),
        "publish deleted the user's index.html (exit {}):\n{}",
        run.code,
        run.stderr
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("index.html"), "{}", run.stderr);
    assert!(tree(&content) == before, "the content folder changed");
}

/// A user's file whose name is not UTF-8 (`caf\xe9.txt`, Latin-1) in an HTML output
/// folder is kept like any other, byte for byte under its own name; publish does not
/// fail on it (it would then fail on every later run).
#[test]
fn a_users_file_with_a_non_utf8_name_is_kept() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let env = approved();
    let site = env.outside("site");
    let arg = site.to_str().expect("utf-8");
    env.ok(&["publish", "--out", arg]);
    let name = OsStr::from_bytes(b"caf\xe9.txt");
    fs::write(site.join(name), "latin-1 name\n").expect("write");
    let run = env.run(&["publish", "--out", arg]);
    assert_eq!(
        fs::read_to_string(site.join(name)).expect("the file is kept under its own name"),
        "latin-1 name\n"
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(leftovers(&env.outside("")), Vec::<String>::new());
}
