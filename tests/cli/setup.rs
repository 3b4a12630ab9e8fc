//! `init`, `writer add`, `reviewer add` and `new`: the files they write and the one
//! commit each makes.

use std::fs;

use crate::common::{ARTICLE, SLUG, TITLE, TestEnv};

#[test]
fn init_lays_out_the_workspace_and_commits_it() {
    let env = TestEnv::bare();
    let run = env.ok(&["init", "--publication", "Example Health"]);
    assert!(
        run.stderr
            .contains("Created the workspace for \"Example Health\""),
        "{}",
        run.stderr
    );

    for dir in ["writers", "reviewers", "articles", "templates"] {
        assert!(env.root().join(dir).is_dir(), "{dir}/ is missing");
    }
    let config = env.read("medreview.yaml");
    assert!(config.contains("publication: Example Health\n"), "{config}");
    assert!(config.contains("  interval_months: 12\n"), "{config}");
    assert!(config.contains("  required_approvals: 1\n"), "{config}");
    assert!(config.contains("  require_signatures: false\n"), "{config}");

    let attributes = env.read(".gitattributes");
    assert!(
        attributes.contains("articles/*/article.md text eol=lf"),
        "{attributes}"
    );
    // Sign-off files are kept byte for byte and need no merge driver.
    assert!(
        attributes.contains("articles/*/signoffs/*.yaml -text"),
        "{attributes}"
    );
    assert!(!attributes.contains("merge="), "{attributes}");
    let article_template = env.read("templates/article.html");
    assert!(
        article_template.contains("{{") && article_template.contains("</html>"),
        "{article_template}"
    );
    assert!(env.read("templates/index.html").contains("{{"));

    // Everything is committed: the layout, then the roster's first entry making
    // the person who ran init its first admin; nothing is left over.
    assert_eq!(env.commit_count(), 2);
    assert_eq!(env.porcelain(), "");
    let files = env.changed_files("HEAD~1");
    for file in [
        ".gitattributes",
        "medreview.yaml",
        "templates/article.html",
        "templates/index.html",
        "writers/.gitkeep",
        "reviewers/.gitkeep",
        "articles/.gitkeep",
    ] {
        assert!(files.iter().any(|f| f == file), "{file} not in {files:?}");
    }
    let message = env.message("HEAD~1");
    assert!(
        message.starts_with("init medreview workspace\n"),
        "{message}"
    );
    assert!(message.contains("Medreview-Action: init"), "{message}");
    assert_eq!(
        env.git(&["log", "-1", "--format=%an <%ae> %aI", "HEAD~1"])
            .trim(),
        "Test Runner <runner@example.org> 2025-03-03T10:12:00-05:00"
    );
}

#[test]
fn init_in_a_subfolder_of_the_repository_names_the_publication_after_it() {
    let env = TestEnv::bare();
    let site = env.root().join("health-site");
    fs::create_dir_all(&site).expect("create site folder");
    env.ok_in(&site, &["init"]);

    assert!(site.join("medreview.yaml").is_file());
    assert!(
        fs::read_to_string(site.join("medreview.yaml"))
            .expect("read config")
            .contains("publication: health-site\n")
    );
    let files = env.changed_files("HEAD");
    assert!(
        files.contains(&"health-site/medreview.yaml".to_owned()),
        "{files:?}"
    );
    assert!(
        files.iter().all(|f| f.starts_with("health-site/")),
        "{files:?}"
    );
}

#[test]
fn init_keeps_a_template_the_team_already_has() {
    let env = TestEnv::bare();
    env.write("templates/article.html", "<p>our own {{ title }}</p>\n");
    env.ok(&["init", "--publication", "Example Health"]);
    assert_eq!(
        env.read("templates/article.html"),
        "<p>our own {{ title }}</p>\n"
    );
    assert!(env.read("templates/index.html").contains("{{"));
}

#[test]
/// Regression: `init DIR` and `-C DIR init` double the folder (DIR/DIR) because InitArgs::dir and the global -C share the clap id `dir`
fn init_dir_argument_and_dash_c_create_the_workspace_in_dir() {
    let env = TestEnv::bare();
    fs::create_dir_all(env.root().join("site")).expect("create site");
    // Both of these are refused with "site/site is not inside a git repository".
    env.ok(&["init", "site", "--publication", "Example Health"]);
    assert!(env.root().join("site/medreview.yaml").is_file());

    fs::create_dir_all(env.root().join("other")).expect("create other");
    env.ok(&["-C", "other", "init", "--publication", "Example Health"]);
    assert!(env.root().join("other/medreview.yaml").is_file());
    assert!(!env.root().join("other/other").exists());
}

#[test]
/// Regression: `init DIR` refuses a DIR that does not exist yet ("not inside a git repository") although it promises to create it
fn init_creates_a_missing_folder_inside_the_repository() {
    let env = TestEnv::bare();
    // An absolute path sidesteps the clap id clash above; the folder does not exist.
    let site = env.root().join("new-site");
    let site_arg = site.display().to_string();
    env.ok(&["init", &site_arg, "--publication", "Example Health"]);
    assert!(site.join("medreview.yaml").is_file());
    assert!(
        env.changed_files("HEAD")
            .contains(&"new-site/medreview.yaml".to_owned())
    );
}

#[test]
fn writer_add_writes_the_roster_file_and_commits_only_it() {
    let env = TestEnv::new();
    let before = env.head();
    let run = env.ok(&[
        "writer",
        "add",
        "suzanne-example",
        "--name",
        "Suzanne Example",
        "--email",
        "suzanne@example.org",
        "--bio",
        "Writes about health and wellness.",
    ]);
    assert!(
        run.stderr
            .contains("Added writer suzanne-example in writers/suzanne-example.yaml"),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.read("writers/suzanne-example.yaml"),
        "name: Suzanne Example\nemail: suzanne@example.org\nbio: Writes about health and wellness.\n"
    );
    assert_eq!(env.git(&["rev-parse", "HEAD~"]).trim(), before);
    assert_eq!(env.changed_files("HEAD"), ["writers/suzanne-example.yaml"]);
    let message = env.message("HEAD");
    assert!(
        message.starts_with("add writer suzanne-example\n"),
        "{message}"
    );
    assert!(
        message.contains("Medreview-Action: add-writer\n"),
        "{message}"
    );
    assert!(
        message.contains("Medreview-Person: suzanne-example\n"),
        "{message}"
    );
    assert_eq!(env.porcelain(), "");
}

#[test]
fn reviewer_add_writes_license_and_specialties_and_commits_each_reviewer() {
    let env = TestEnv::seeded();
    assert_eq!(
        env.read("reviewers/ana-example.yaml"),
        "\
name: Ana Example
credentials: M.D.
specialties:
- oncology
license:
  number: '12345'
  region: NY
  expires: 2027-06-30
email: ana@example.org
bio: Board-certified medical oncologist.
"
    );
    assert_eq!(
        env.read("reviewers/david-okafor.yaml"),
        "name: David Okafor\ncredentials: M.D., Ph.D.\nspecialties:\n- cardiology\nemail: david@example.org\n"
    );
    // One commit per roster change, in order, each holding only its file.
    let subjects = env.git(&["log", "--format=%s", "--reverse"]);
    assert_eq!(
        subjects,
        "init medreview workspace\n\
         add writer suzanne-example\n\
         add reviewer ana-example\n\
         add reviewer david-okafor\n\
         new her2-treatment\n"
    );
    assert_eq!(env.changed_files("HEAD~2"), ["reviewers/ana-example.yaml"]);
    assert_eq!(env.changed_files("HEAD~1"), ["reviewers/david-okafor.yaml"]);
    assert!(
        env.message("HEAD~1")
            .contains("Medreview-Action: add-reviewer\n")
    );
}

#[test]
fn new_writes_the_front_matter_skeleton_and_commits_only_the_article() {
    let env = TestEnv::seeded();
    assert_eq!(env.changed_files("HEAD"), [ARTICLE]);
    let committed = env.git(&["show", &format!("HEAD:{ARTICLE}")]);
    assert_eq!(
        committed,
        format!(
            "---\n\
             title: {TITLE}\n\
             writer: suzanne-example\n\
             reviewer: ana-example\n\
             topic: oncology\n\
             # summary: One or two sentences for listings and search results.\n\
             # sources:\n\
             #   - title: The source's title\n\
             #     url: https://...\n\
             ---\n\n"
        )
    );
    let message = env.message("HEAD");
    assert!(
        message.starts_with(&format!("new {SLUG}\n\n{TITLE}\n")),
        "{message}"
    );
    assert!(
        message.contains("Medreview-Article: her2-treatment\n"),
        "{message}"
    );
    // No sign-off until something is submitted.
    assert!(env.signoffs(SLUG).is_empty());
}

#[test]
fn new_title_with_yaml_syntax_round_trips() {
    let env = TestEnv::seeded();
    let title = "Statins: what \"high cholesterol\" means # and why";
    env.ok(&[
        "new",
        "statins",
        "--title",
        title,
        "--writer",
        "suzanne-example",
    ]);
    let status = crate::common::json(&env.ok(&["status", "statins", "--json"]).stdout);
    assert_eq!(status["articles"][0]["slug"], "statins");
    assert_eq!(status["articles"][0]["title"], title);
    assert_eq!(status["articles"][0]["state"], "draft");
    assert!(env.read("articles/statins/article.md").contains("title: "));
}

#[cfg(unix)]
#[test]
/// Regression: files medreview writes (medreview.yaml, writers/*.yaml, article.md, signoffs.yaml) are created mode 0600, ignoring the umask, because write_atomically persists a tempfile::NamedTempFile
fn files_it_writes_respect_the_umask_like_any_other_file() {
    use std::os::unix::fs::PermissionsExt;

    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    // A file written the ordinary way in the same process tree shows what the umask allows.
    env.write("plain.txt", "x\n");
    let mode = |rel: &str| {
        fs::metadata(env.root().join(rel))
            .expect("stat")
            .permissions()
            .mode()
            & 0o777
    };
    let expected = mode("plain.txt");
    for rel in [
        "medreview.yaml",
        ".gitattributes",
        "writers/suzanne-example.yaml",
        "reviewers/ana-example.yaml",
        &env.signoff_path(SLUG, "submitted"),
    ] {
        assert_eq!(format!("{:o}", mode(rel)), format!("{expected:o}"), "{rel}");
    }
}

/// Issue 26: `init --base-url` sets the site's address, so pages carry their
/// canonical link and JSON-LD url; an address that is not one is refused by `init`
/// and by `config set`, before anything is written.
#[test]
fn init_takes_the_site_address_and_refuses_one_that_is_not_an_address() {
    let env = TestEnv::bare();
    let run = env.fails_as_usage(&["init", "--no-admin", "--base-url", "javascript:alert(1)"]);
    assert!(
        run.stderr
            .contains("--base-url \"javascript:alert(1)\" is not an http or https address"),
        "{}",
        run.stderr
    );
    assert!(!env.root().join("medreview.yaml").exists());
    env.ok(&[
        "init",
        "--no-admin",
        "--publication",
        "Example Health",
        "--base-url",
        "https://health.example.org/",
    ]);
    assert!(
        env.read("medreview.yaml")
            .contains("base_url: https://health.example.org\n"),
        "{}",
        env.read("medreview.yaml")
    );
    env.seed();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Accurate."]);
    let out = env.outside("public");
    env.ok(&["publish", "--out", out.to_str().expect("utf-8 path")]);
    let page = fs::read_to_string(out.join(format!("{SLUG}.html")))
        .or_else(|_| fs::read_to_string(out.join(format!("{SLUG}/index.html"))))
        .expect("the page");
    assert!(
        page.contains(
            "<link rel=\"canonical\" href=\"https:&#x2f;&#x2f;health.example.org&#x2f;her2-treatment.html\">"
        ),
        "{page}"
    );
    let refused = env.fails(&[
        "config",
        "set",
        "base_url",
        "https://health.example.org/\"><script>",
    ]);
    assert!(
        refused
            .stderr
            .contains("holds a character an address may not hold"),
        "{}",
        refused.stderr
    );
}
