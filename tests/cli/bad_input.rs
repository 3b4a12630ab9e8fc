//! Refused input and surroundings: bad names, bad article files, links, and a
//! repository medreview cannot record in. Each refusal exits 1, names the file (and line
//! where known), prints a `Hint:` and changes nothing.

use std::fs;

use crate::common::{ARTICLE, HER2_ARTICLE, NEXT_DAY, SLUG, TestEnv};
use crate::refusals::{assert_mentions, submitted};

#[test]
fn invalid_slugs_and_ids_are_refused_with_the_rule_they_break() {
    let env = TestEnv::seeded();
    let long = "a".repeat(81);
    let cases: [(&str, &str); 5] = [
        ("..", "it contains '.'; only a-z, 0-9 and '-' are allowed"),
        ("a/b", "it contains '/'; only a-z, 0-9 and '-' are allowed"),
        ("Her2", "it contains the capital letter 'H'"),
        (&long, "it is 81 characters long; the limit is 80"),
        ("a--b", "it contains a doubled hyphen"),
    ];
    for (name, rule) in cases {
        for (args, what) in [
            (
                vec!["new", name, "--title", "T", "--writer", "suzanne-example"],
                "slug",
            ),
            (vec!["submit", name, "--as", "suzanne-example"], "slug"),
            (vec!["approve", name, "--as", "ana-example"], "slug"),
            (vec!["log", name], "slug"),
            (vec!["writer", "add", name, "--name", "N"], "writer id"),
            (
                vec![
                    "reviewer",
                    "add",
                    name,
                    "--name",
                    "N",
                    "--credentials",
                    "M.D.",
                ],
                "reviewer id",
            ),
        ] {
            let err = env.refuse(&args);
            assert_mentions(
                &err,
                &[
                    &format!("{what} {name:?} is not valid: {rule}"),
                    "Hint: use lowercase ASCII letters and digits in words joined by single hyphens",
                ],
            );
        }
    }
    // Nothing was created anywhere, not even an empty folder.
    assert!(!env.root().join("articles/a").exists());
    assert!(!env.root().join("a").exists());
}

#[test]
fn bad_front_matter_is_refused_naming_the_file_and_line() {
    let env = TestEnv::seeded();
    let front = "title: T\nwriter: suzanne-example\n";
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            format!("---\n{front}summary: a: b\ntopic: x\n---\nBody.\n"),
            vec![
                "article.md:4: mapping values are not allowed",
                "Hint: quote the summary: summary: \"a: b\"",
            ],
        ),
        (
            "---\nwriter: suzanne-example\n---\nBody.\n".into(),
            vec!["article.md:2: missing field `title`"],
        ),
        (
            "---\ntitle: T\n---\nBody.\n".into(),
            vec!["article.md:2: missing field `writer`"],
        ),
        (
            "---\ntitle: T\nwriter: marcus-lee\n---\nBody.\n".into(),
            vec![
                "article.md: writer marcus-lee is not in writers/",
                "Hint: fix the `writer:` field, or add them with `medreview writer add marcus-lee",
            ],
        ),
        (
            format!("---\n{front}reviewer: zoe-smith\n---\nBody.\n"),
            vec!["article.md: reviewer zoe-smith is not in reviewers/"],
        ),
        (
            "---\ntitle: \"  \"\nwriter: suzanne-example\n---\nBody.\n".into(),
            vec!["article.md: the title is empty", "Hint: write the headline"],
        ),
        (
            format!("---\n{front}titel: typo\n---\nBody.\n"),
            vec!["article.md:", "unknown field `titel`"],
        ),
        (
            format!(
                "---\n{front}sources:\n  - title: S\n    url: javascript:alert(1)\n---\nBody.\n"
            ),
            vec![
                "article.md: source \"S\" has the address \"javascript:alert(1)\"",
                "https://",
            ],
        ),
        (
            "Body without front matter.\n".into(),
            vec!["article.md:1: the article does not start with YAML front matter"],
        ),
        (
            format!("---\n{front}Body.\n"),
            vec!["article.md:1: the front matter has no closing `---` line"],
        ),
        (
            format!("---\n{front}---\n\n  \n"),
            vec![
                "article.md: the article has no body text",
                "Hint: write the article below the front matter",
            ],
        ),
    ];
    for (text, wants) in cases {
        env.write(ARTICLE, &text);
        let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
        let shown = env.redact(&err);
        assert!(
            shown.contains("[REPO]/articles/her2-treatment/article.md"),
            "the message names the file: {shown}"
        );
        assert_mentions(&err, &wants);
    }
}

#[test]
fn a_non_utf8_article_is_refused_with_its_line() {
    let env = TestEnv::seeded();
    env.write_bytes(
        ARTICLE,
        b"---\ntitle: T\nwriter: suzanne-example\n---\nCaf\xe9 au lait.\n",
    );
    let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
    assert_mentions(
        &err,
        &[
            "article.md:5: the article is not valid UTF-8 (byte 44)",
            "Hint: save the file as UTF-8",
        ],
    );
}

#[test]
fn an_article_over_one_mebibyte_is_refused() {
    let env = TestEnv::seeded();
    let mut text = HER2_ARTICLE.to_owned();
    while text.len() <= 1024 * 1024 {
        text.push_str("A paragraph pasted again and again from a PDF.\n");
    }
    env.write(ARTICLE, &text);
    let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
    assert_mentions(
        &err,
        &[
            &format!(
                "article.md: the article is {} bytes; the limit is 1048576",
                text.len()
            ),
            "Hint: split it into several articles",
        ],
    );
}

#[test]
fn outside_a_git_repository_nothing_is_created() {
    let env = TestEnv::bare();
    let plain = env.outside("plain");
    fs::create_dir_all(&plain).expect("create plain folder");
    let run = env.run_in(&plain, &["init", "--publication", "Example Health"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_mentions(
        &run.stderr,
        &[
            &format!("Error: {} is not inside a git repository", plain.display()),
            "Hint: run `git init` in the workspace folder",
        ],
    );
    assert_eq!(
        fs::read_dir(&plain).expect("list").count(),
        0,
        "init wrote files"
    );

    // A workspace folder copied out of its repository is refused the same way.
    fs::write(
        plain.join("medreview.yaml"),
        "publication: Example Health\n",
    )
    .expect("write");
    for args in [
        &["status"][..],
        &["writer", "add", "sam-lee", "--name", "Sam Lee"],
        &["new", "flu", "--title", "Flu", "--writer", "sam-lee"],
    ] {
        let run = env.run_in(&plain, args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert_mentions(
            &run.stderr,
            &["is not inside a git repository", "Hint: run `git init`"],
        );
    }
    let mut names: Vec<String> = fs::read_dir(&plain)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["medreview.yaml"]);
}

#[test]
fn a_detached_head_or_a_locked_index_refuses_sign_offs() {
    let mut env = submitted();
    env.set_now(NEXT_DAY);
    env.git(&["checkout", "-q", "--detach"]);
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(&err, &["HEAD is detached", "Hint: check out a branch"]);
    env.git(&["checkout", "-q", "main"]);

    fs::write(env.root().join(".git/index.lock"), "").expect("write lock");
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(
        &err,
        &[
            "the repository is locked: ",
            "index.lock exists",
            "Hint: another git",
        ],
    );
    fs::remove_file(env.root().join(".git/index.lock")).expect("remove lock");
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
}

#[cfg(unix)]
#[test]
fn symbolic_links_in_articles_are_never_followed() {
    use std::os::unix::fs::symlink;

    let env = TestEnv::seeded();
    let secret = env.outside("secret.md");
    fs::write(&secret, HER2_ARTICLE).expect("write outside file");
    fs::create_dir_all(env.root().join("articles/linked")).expect("create folder");
    symlink(&secret, env.root().join("articles/linked/article.md")).expect("symlink file");
    let err = env.refuse(&["submit", "linked", "--as", "suzanne-example"]);
    assert!(
        err.contains("articles/linked/article.md is a symbolic link"),
        "{err}"
    );

    symlink(env.outside(""), env.root().join("articles/elsewhere")).expect("symlink folder");
    let err = env.refuse(&["submit", "elsewhere", "--as", "suzanne-example"]);
    assert!(err.contains("is a symbolic link"), "{err}");
    let run = env.run(&["status"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("articles/elsewhere is a symbolic link; articles must be real folders"),
        "{}",
        run.stderr
    );
}
