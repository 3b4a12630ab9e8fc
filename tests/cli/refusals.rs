//! Refused operations: each exits 1 (2 for a usage error), names the problem (and the
//! file and line where known), prints a `Hint:` and its `Code:`, and leaves HEAD, the
//! index and the working tree untouched. `codes` reaches every code in one table.

use crate::common::{ARTICLE, HER2_ARTICLE, NEXT_DAY, SLUG, TestEnv};

mod codes;

/// Asserts `text` contains every one of `parts`.
#[track_caller]
pub fn assert_mentions(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "expected {part:?} in:\n{text}");
    }
}

/// A seeded workspace whose article was submitted at the start.
pub fn submitted() -> TestEnv {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env
}

#[test]
fn the_writer_of_a_revision_cannot_approve_it_even_as_a_reviewer() {
    let mut env = TestEnv::seeded();
    // Suzanne is also on the reviewer roster (a nurse who reviews other people's work).
    env.ok(&[
        "reviewer",
        "add",
        "suzanne-example",
        "--name",
        "Suzanne Example",
        "--credentials",
        "R.N.",
    ]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    let err = env.refuse(&["approve", SLUG, "--as", "suzanne-example"]);
    assert_mentions(
        &err,
        &[
            "suzanne-example wrote r1 of her2-treatment",
            "the writer of a revision cannot review it",
            "Hint: ask another medical reviewer",
        ],
    );
}

#[test]
fn the_writer_named_in_the_front_matter_cannot_approve_a_revision_someone_else_submitted() {
    let mut env = TestEnv::seeded();
    env.write(
        ARTICLE,
        &HER2_ARTICLE.replace("writer: suzanne-example", "writer: david-okafor"),
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    let err = env.refuse(&["approve", SLUG, "--as", "david-okafor"]);
    assert_mentions(&err, &["david-okafor wrote r1 of her2-treatment"]);
}

#[test]
fn a_writer_who_is_not_a_reviewer_cannot_sign_off() {
    let env = TestEnv::approved();
    env.ok(&["writer", "add", "marcus-lee", "--name", "Marcus Lee"]);
    for args in [
        &["approve", SLUG, "--as", "marcus-lee"][..],
        &["approve", SLUG, "--as", "suzanne-example"],
        &["request-changes", SLUG, "--as", "marcus-lee", "-m", "No."],
        &[
            "withdraw",
            SLUG,
            "--as",
            "suzanne-example",
            "-m",
            "Pull it.",
        ],
    ] {
        let err = env.refuse(args);
        let who = args[3];
        // Regression (issue 13): the hint told the writer to add herself as a
        // reviewer; it names who can sign off instead.
        assert_mentions(
            &err,
            &[
                &format!("{who} is a writer, and writers cannot "),
                "only a medical reviewer in reviewers/ can",
                "Hint: ask ana-example, the reviewer her2-treatment asks for",
            ],
        );
        assert!(!err.contains("reviewer add"), "{err}");
    }
}

#[test]
fn unknown_people_in_as_are_refused() {
    let env = submitted();
    let err = env.refuse(&["submit", SLUG, "--as", "nobody-here"]);
    assert_mentions(
        &err,
        &[
            "nobody-here is not in writers/ or reviewers/",
            "Hint: add them with `medreview writer add nobody-here --name NAME`",
        ],
    );
    for args in [
        &["approve", SLUG, "--as", "nobody-here"][..],
        &["request-changes", SLUG, "--as", "nobody-here", "-m", "x"],
    ] {
        let err = env.refuse(args);
        assert_mentions(
            &err,
            &[
                "nobody-here is not in reviewers/",
                "medreview reviewer add nobody-here",
            ],
        );
    }
    let err = env.refuse(&["approve", SLUG, "--as", "Ana"]);
    assert_mentions(
        &err,
        &["person id (--as) \"Ana\" is not valid: it contains the capital letter 'A'"],
    );
}

#[test]
fn as_defaults_only_to_an_email_on_the_roster() {
    let env = submitted();
    let err = env.refuse(&["approve", SLUG]);
    assert_mentions(
        &err,
        &[
            "no one in the roster has the email runner@example.org",
            "Hint: pass --as ID, or set `git config user.email`",
            "reviewers/",
        ],
    );
    // A writer's email finds the writer, who then may not approve.
    env.git(&["config", "user.email", "suzanne@example.org"]);
    let err = env.refuse(&["approve", SLUG]);
    assert_mentions(&err, &["suzanne-example is a writer"]);
    env.git(&["config", "--unset", "user.email"]);
    let err = env.refuse(&["approve", SLUG]);
    assert_mentions(&err, &["--as is missing and git has no user.email"]);
}

#[test]
fn submitting_unchanged_text_is_refused() {
    let env = submitted();
    let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
    let r1 = env.hash_object(ARTICLE);
    assert_mentions(
        &err,
        &[
            "nothing changed: ",
            &format!("article.md is r1 {} as submitted on 2025-03-03", &r1[..7]),
            "Hint: edit the article, then submit it again",
        ],
    );
}

#[test]
fn a_decision_on_anything_but_the_latest_revision_is_refused() {
    let mut env = submitted();
    let r1 = env.hash_object(ARTICLE);
    env.append(ARTICLE, "\nAn update.\n");
    env.set_now(NEXT_DAY);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let r2 = env.hash_object(ARTICLE);
    for rev in ["r1", &r1[..6]] {
        let err = env.refuse(&["approve", SLUG, "--as", "ana-example", "--revision", rev]);
        assert_mentions(
            &err,
            &[
                &format!(
                    "r1 {} is not the latest submitted revision of her2-treatment; r2 {} is",
                    &r1[..7],
                    &r2[..7]
                ),
                "Hint: read r2",
            ],
        );
    }
    let err = env.refuse(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "x",
        "--revision",
        "r1",
    ]);
    assert_mentions(&err, &["is not the latest submitted revision"]);
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example", "--revision", "r3"]);
    assert_mentions(
        &err,
        &["there is no revision r3", "Hint: revisions: r1 ", ", r2 "],
    );
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example", "--revision", "xyz"]);
    assert_mentions(&err, &["\"xyz\" does not name a revision"]);
}

#[test]
fn sign_offs_need_something_to_sign_off() {
    let env = TestEnv::seeded();
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(
        &err,
        &[
            "her2-treatment has no submitted revision yet",
            "Hint: the writer submits it first",
        ],
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let err = env.refuse(&["withdraw", SLUG, "--as", "ana-example", "-m", "Stop."]);
    assert_mentions(
        &err,
        &[
            "her2-treatment has no approved revision, so there is nothing to withdraw (it is in-review)",
            "Hint: use `medreview request-changes`",
        ],
    );
    let err = env.refuse(&["approve", "no-such-article", "--as", "ana-example"]);
    assert_mentions(
        &err,
        &[
            "there is no article no-such-article",
            "Hint: create it with `medreview new no-such-article",
        ],
    );
}

#[test]
fn an_approval_after_the_license_expired_is_refused() {
    let mut env = submitted();
    env.set_now("2027-07-01T09:00:00-04:00");
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(
        &err,
        &[
            "ana-example's license expired on 2027-06-30",
            "Hint: update license.expires in reviewers/ana-example.yaml",
        ],
    );
    // The last valid day still counts.
    env.set_now("2027-06-30T17:00:00-04:00");
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
}

#[test]
/// Regression: a machine whose clock ran fast blocked everyone else's sign-offs
/// (a withdrawal must never wait for another machine's clock): now a warning.
fn a_clock_earlier_than_the_last_sign_off_is_recorded_with_a_warning() {
    let mut env = submitted();
    env.set_now("2025-03-03T10:11:59-05:00");
    let run = env.ok(&["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(
        &run.stderr,
        &[
            "Warning: the clock (2025-03-03T10:11:59-05:00) is earlier than the latest sign-off of her2-treatment (2025-03-03T10:12:00-05:00)",
            "Approved her2-treatment r1",
        ],
    );
    env.set_now("not a time");
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example"]);
    assert_mentions(
        &err,
        &[
            "MEDREVIEW_NOW=\"not a time\" is not an RFC 3339 time",
            "Hint: set it like MEDREVIEW_NOW=",
        ],
    );
}

#[test]
fn roster_and_new_refuse_duplicates_and_unknown_people() {
    let env = TestEnv::seeded();
    let err = env.refuse(&["writer", "add", "suzanne-example", "--name", "Someone Else"]);
    assert_mentions(
        &err,
        &[
            "writers/suzanne-example.yaml already exists",
            "Hint: edit writers/suzanne-example.yaml",
        ],
    );
    // A malformed date is a usage error: exit 2.
    let run = env.fails_as_usage(&[
        "reviewer",
        "add",
        "zoe-smith",
        "--name",
        "Zoe Smith",
        "--credentials",
        "M.D.",
        "--license-expires",
        "30/06/2027",
    ]);
    assert_mentions(
        &run.stderr,
        &[
            "--license-expires \"30/06/2027\" is not a date",
            "Hint: write it as YYYY-MM-DD",
        ],
    );
    let err = env.refuse(&[
        "new",
        SLUG,
        "--title",
        "Again",
        "--writer",
        "suzanne-example",
    ]);
    assert_mentions(
        &err,
        &[
            "article her2-treatment already exists",
            "Hint: pick another slug",
        ],
    );
    let err = env.refuse(&[
        "new",
        "statins",
        "--title",
        "Statins",
        "--writer",
        "marcus-lee",
    ]);
    assert_mentions(&err, &["writer marcus-lee is not in writers/"]);
    let err = env.refuse(&[
        "new",
        "statins",
        "--title",
        "Statins",
        "--writer",
        "suzanne-example",
        "--reviewer",
        "zoe-smith",
    ]);
    assert_mentions(&err, &["reviewer zoe-smith is not in reviewers/"]);
    assert!(!env.root().join("articles/statins").exists());
}

#[test]
fn a_second_init_and_a_missing_workspace_are_refused() {
    let env = TestEnv::new();
    let err = env.refuse(&["init", "--publication", "Other"]);
    assert_mentions(
        &err,
        &[
            "already holds a workspace (medreview.yaml exists)",
            "Hint: an admin changes its settings with `medreview config set KEY VALUE`",
        ],
    );
    assert!(
        env.read("medreview.yaml")
            .contains("publication: Example Health\n")
    );

    let bare = TestEnv::bare();
    let err = bare.refuse(&["status"]);
    assert_mentions(
        &err,
        &[
            "no medreview.yaml in ",
            "Hint: run `medreview init` to create a workspace",
        ],
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let env = TestEnv::seeded();
    for args in [
        &["reviewer", "add", "zoe-smith", "--name", "Zoe Smith"][..],
        &["request-changes", SLUG, "--as", "ana-example"],
        &["withdraw", SLUG, "--as", "ana-example"],
        &["approve"],
        &["publish-everything"],
    ] {
        let head = env.head();
        let run = env.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("Usage: medreview"), "{}", run.stderr);
        assert_eq!(env.head(), head);
    }
}

#[test]
fn refusals_whose_message_is_the_fix_still_change_nothing() {
    let mut env = submitted();
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
    let run = env.fails(&["approve", SLUG, "--as", "ana-example"]);
    assert!(
        run.stderr
            .contains("ana-example has already approved r1 of her2-treatment"),
        "{}",
        run.stderr
    );
    // An empty note, title or name is a usage error: exit 2.
    let root = env.root().to_path_buf();
    for args in [
        &["request-changes", SLUG, "--as", "david-okafor", "-m", "  "][..],
        &["withdraw", SLUG, "--as", "david-okafor", "-m", ""],
    ] {
        let run = env.stops_in(&root, &[], args, false, 2);
        assert!(
            run.stderr.contains("-m NOTE is empty") && run.stderr.contains("Hint:"),
            "{}",
            run.stderr
        );
    }
    let run = env.stops_in(
        &root,
        &[],
        &[
            "new",
            "statins",
            "--title",
            " ",
            "--writer",
            "suzanne-example",
        ],
        false,
        2,
    );
    assert!(run.stderr.contains("--title is empty"), "{}", run.stderr);
    let run = env.fails_as_usage(&["writer", "add", "sam-lee", "--name", ""]);
    assert!(run.stderr.contains("--name is empty"), "{}", run.stderr);
}

/// Regression: `sync` on a machine where the `git` program cannot be run said
/// "there is no git remote origin" and told the user to add one; it is the machine
/// (exit 3, `missing-program`), and the hint is to install git.
#[test]
fn sync_without_the_git_program_says_so_not_that_the_remote_is_missing() {
    let env = TestEnv::approved();
    env.git(&["remote", "add", "origin", "../team.git"]);
    let empty = env.outside("no-programs");
    std::fs::create_dir_all(&empty).expect("an empty folder for PATH");
    let root = env.root().to_path_buf();
    let path = [("PATH", empty.to_str().expect("utf-8"))];
    // Exit 3 (the machine), and the repository exactly as before.
    let run = env.stops_in(&root, &path, &["sync"], false, 3);
    assert!(
        run.stderr.contains("cannot run git") && run.stderr.contains("install git"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with("Code: missing-program\n"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("there is no git remote"),
        "{}",
        run.stderr
    );
}
