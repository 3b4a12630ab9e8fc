//! Issue 26, item 7: `publish --format hugo` makes a Hugo site that a real Hugo
//! builds with no setup beyond its config: the layout of `templates/hugo/` places
//! medreview's review block, bios and JSON-LD; the manifest sits in
//! `data/medreview/`, outside `content/`; the user's own files in the site survive.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use crate::common::browser::Browser;
use crate::common::{SLUG, TestEnv, json};

fn hugo() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("hugo"))
        .find(|path| path.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
            "hugo is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed"
        );
        eprintln!("skipped: hugo is not installed (apt-get install hugo)");
    }
    found
}

/// Runs Hugo in `site`; panics with its output when it fails.
fn build(hugo: &Path, env: &TestEnv, site: &Path) {
    let out = Process::new(hugo)
        .arg("--quiet")
        .current_dir(site)
        .env("HOME", env.outside("home"))
        .output()
        .expect("run hugo");
    assert!(
        out.status.success(),
        "hugo failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A Hugo site of the user's: a config, a page of their own, a theme file.
fn users_site(env: &TestEnv) -> PathBuf {
    let site = env.outside("hugo-site");
    fs::create_dir_all(site.join("content")).expect("content");
    fs::create_dir_all(site.join("themes/plain")).expect("themes");
    fs::write(
        site.join("hugo.toml"),
        "baseURL = 'https://health.example.org/'\ntitle = 'Example Health'\nlanguageCode = 'en'\ndisableKinds = ['taxonomy', 'term', 'RSS', 'sitemap']\n",
    )
    .expect("config");
    fs::write(
        site.join("content/about.md"),
        "---\ntitle: About us\n---\nWho we are.\n",
    )
    .expect("own page");
    fs::write(site.join("themes/plain/theme.toml"), "name = 'plain'\n").expect("theme");
    site
}

#[test]
fn a_hugo_export_builds_with_real_hugo_and_readers_see_medreviews_review_block() {
    let Some(hugo) = hugo() else {
        return;
    };
    let env = TestEnv::approved();
    let config = env.read("medreview.yaml");
    assert!(!config.contains("base_url"), "{config}");
    env.write(
        "medreview.yaml",
        &format!("base_url: https://health.example.org\n{config}"),
    );
    env.git(&["commit", "-q", "-am", "The site's address"]);
    let site = users_site(&env);
    let out = site.to_str().expect("utf-8");
    let run = env.ok(&["publish", "--format", "hugo", "--out", out]);
    assert!(
        run.stdout.contains(&format!("content/articles/{SLUG}.md")),
        "{}",
        run.stdout
    );
    // The manifest is Hugo data, outside content/.
    assert!(!site.join("content/manifest.json").exists());
    assert!(!site.join("content/articles/manifest.json").exists());
    assert!(!site.join("manifest.json").exists());
    let manifest =
        json(&fs::read_to_string(site.join("data/medreview/manifest.json")).expect("manifest"));
    assert_eq!(manifest["generator"], "medreview");
    assert_eq!(manifest["format"], "hugo");
    assert_eq!(
        manifest["articles"][0]["path"],
        format!("content/articles/{SLUG}.md")
    );
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f.as_str().expect("a path"))
        .collect();
    assert!(
        files.contains(&"layouts/medreview/single.html"),
        "{files:?}"
    );
    assert!(!files.contains(&"hugo.toml"), "{files:?}");
    // The front matter carries what medreview rendered, escaped.
    let md = fs::read_to_string(site.join(format!("content/articles/{SLUG}.md"))).expect("page");
    assert!(md.contains("\"type\": \"medreview\""), "{md}");
    assert!(
        md.contains("\"review_block\": \"<div class=\\\"review-block\\\""),
        "{md}"
    );

    build(&hugo, &env, &site);
    let page = site.join(format!("public/articles/{SLUG}/index.html"));
    let html = fs::read_to_string(&page).expect("the built page");
    assert_eq!(
        html.matches("data-medreview=\"review-block\"").count(),
        1,
        "{html}"
    );
    let Some(browser) = Browser::launch() else {
        return;
    };
    browser.goto(&format!("file://{}", page.display()));
    let byline = browser.text("[data-medreview=review-block]");
    assert!(
        byline.contains("Medically reviewed by Ana Example, M.D."),
        "{byline}"
    );
    assert!(byline.contains("Written by Suzanne Example"), "{byline}");
    assert!(byline.contains("Updated on March 4, 2025"), "{byline}");
    assert_eq!(
        browser.eval("document.querySelector('.review-block time').getAttribute('datetime')"),
        "2025-03-04"
    );
    let bios = browser.text(".people");
    assert!(bios.contains("About the reviewer and writer"), "{bios}");
    assert!(
        bios.contains("Ana Example, M.D. (medical reviewer)"),
        "{bios}"
    );
    let ld = browser.eval(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)",
    );
    assert_eq!(ld["@type"], "MedicalWebPage", "{ld:#}");
    assert_eq!(ld["lastReviewed"], "2025-03-04", "{ld:#}");
    assert_eq!(ld["dateModified"], "2025-03-04", "{ld:#}");
    assert_eq!(
        ld["reviewedBy"][0]["reviewedBy"]["name"], "Ana Example",
        "{ld:#}"
    );
    assert_eq!(
        ld["reviewedBy"][0]["reviewedBy"]["honorificSuffix"], "M.D.",
        "{ld:#}"
    );
    assert_eq!(
        ld["url"],
        format!("https://health.example.org/articles/{SLUG}/"),
        "{ld:#}"
    );
    // The list of articles shows each one's review line.
    browser.goto(&format!(
        "file://{}",
        site.join("public/articles/index.html").display()
    ));
    let list = browser.text(".articles");
    assert!(
        list.contains("Medically reviewed by Ana Example, M.D. · Updated on March 4, 2025"),
        "{list}"
    );

    // A second publish keeps the user's files (config, own page, theme, Hugo's
    // output) and builds again.
    env.ok(&["publish", "--format", "hugo", "--out", out]);
    assert!(site.join("hugo.toml").is_file());
    assert_eq!(
        fs::read_to_string(site.join("content/about.md")).expect("own page"),
        "---\ntitle: About us\n---\nWho we are.\n"
    );
    assert!(site.join("themes/plain/theme.toml").is_file());
    assert!(
        site.join(format!("public/articles/{SLUG}/index.html"))
            .is_file(),
        "Hugo's own output is the user's, carried over"
    );
    build(&hugo, &env, &site);
    assert!(
        fs::read_to_string(&page)
            .expect("the built page")
            .contains("Medically reviewed by Ana Example, M.D.")
    );
}

#[test]
fn a_hugo_layout_that_prints_its_own_byline_is_refused_and_nothing_is_written() {
    let env = TestEnv::approved();
    let site = users_site(&env);
    let out = site.to_str().expect("utf-8");
    let single = "templates/hugo/medreview/single.html";
    env.write(
        single,
        "<h1>{{ .Title }}</h1><p>Medically reviewed by Dr. Nobody</p>{{ .Params.review_block | safeHTML }}",
    );
    env.git(&["add", "templates/hugo"]);
    env.git(&["commit", "-q", "-m", "a layout with its own byline"]);
    let run = env.fails(&["publish", "--format", "hugo", "--out", out]);
    assert!(run.stderr.contains(single), "{}", run.stderr);
    assert!(
        run.stderr.contains("prints its own review claim"),
        "{}",
        run.stderr
    );
    assert!(!site.join("data").exists(), "nothing was written");

    // A layout without the review block is refused too.
    env.write(single, "<h1>{{ .Title }}</h1>{{ .Content }}");
    env.git(&["commit", "-q", "-am", "a layout without the review block"]);
    let run = env.fails(&["publish", "--format", "hugo", "--out", out]);
    assert!(
        run.stderr.contains("does not place the review block"),
        "{}",
        run.stderr
    );
    assert!(!site.join("data").exists(), "nothing was written");

    // A layout that places it (through its own partial) is used as it is.
    env.write(
        single,
        "<h1>{{ .Title }}</h1>{{ partial \"byline.html\" . }}{{ .Content }}",
    );
    env.write(
        "templates/hugo/partials/byline.html",
        "{{ .Params.review_block | safeHTML }}",
    );
    env.git(&["add", "templates/hugo"]);
    env.git(&["commit", "-q", "-m", "the workspace's own layout"]);
    env.ok(&["publish", "--format", "hugo", "--out", out]);
    assert_eq!(
        fs::read_to_string(site.join("layouts/medreview/single.html")).expect("layout"),
        "<h1>{{ .Title }}</h1>{{ partial \"byline.html\" . }}{{ .Content }}"
    );
    assert!(site.join("layouts/partials/byline.html").is_file());
    assert!(
        !site.join("layouts/medreview/list.html").exists(),
        "the workspace's layouts only"
    );
}

#[test]
fn a_hugo_export_never_overwrites_the_users_files_nor_fills_a_folder_that_is_not_a_site() {
    let env = TestEnv::approved();
    let site = users_site(&env);
    fs::create_dir_all(site.join("layouts/medreview")).expect("layouts");
    fs::write(site.join("layouts/medreview/single.html"), "mine").expect("own layout");
    let run = env.fails(&[
        "publish",
        "--format",
        "hugo",
        "--out",
        site.to_str().expect("utf-8"),
    ]);
    assert!(
        run.stderr.contains("layouts/medreview/single.html"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did not write"), "{}", run.stderr);
    assert_eq!(
        fs::read_to_string(site.join("layouts/medreview/single.html")).expect("own layout"),
        "mine"
    );
    assert!(!site.join("data").exists());

    let other = env.outside("not-a-site");
    fs::create_dir_all(&other).expect("folder");
    fs::write(other.join("notes.txt"), "mine").expect("file");
    let run = env.fails(&[
        "publish",
        "--format",
        "hugo",
        "--out",
        other.to_str().expect("utf-8"),
    ]);
    assert!(
        run.stderr.contains("publish into a Hugo site"),
        "{}",
        run.stderr
    );
    assert_eq!(
        fs::read_to_string(other.join("notes.txt")).expect("file"),
        "mine"
    );
}
