//! Hints that point the right way: who can approve when a writer tries, "did you
//! mean …?" for a mistyped id or slug, and "quote the title" for a colon in one.

use crate::common::{ARTICLE, HER2_ARTICLE, SLUG, TestEnv};

/// The refusal's stderr with the repository path redacted.
fn refusal(env: &TestEnv, args: &[&str]) -> String {
    env.redact(&env.refuse(args))
}

#[test]
fn a_writer_trying_to_approve_is_told_who_can() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    insta::assert_snapshot!(refusal(&env, &["approve", SLUG, "--as", "suzanne-example"]), @"
    Error: suzanne-example is a writer, and writers cannot approve: only a medical reviewer in reviewers/ can
    Hint: ask ana-example, the reviewer her2-treatment asks for (`reviewer:` in its front matter), to run `medreview approve her2-treatment`; other reviewers on the roster: david-okafor
    Code: writer-cannot-sign-off
    ");
    insta::assert_snapshot!(
        refusal(&env, &["request-changes", SLUG, "--as", "suzanne-example", "-m", "Fix it."]),
        @"
    Error: suzanne-example is a writer, and writers cannot request changes: only a medical reviewer in reviewers/ can
    Hint: ask ana-example, the reviewer her2-treatment asks for (`reviewer:` in its front matter), to run `medreview request-changes her2-treatment`; other reviewers on the roster: david-okafor
    Code: writer-cannot-sign-off
    "
    );

    // No reviewer asked for: the roster's reviewers are named.
    env.write(
        ARTICLE,
        &HER2_ARTICLE.replace("reviewer: ana-example\n", ""),
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    insta::assert_snapshot!(refusal(&env, &["approve", SLUG, "--as", "suzanne-example"]), @"
    Error: suzanne-example is a writer, and writers cannot approve: only a medical reviewer in reviewers/ can
    Hint: ask a medical reviewer on the roster (ana-example, david-okafor) to run `medreview approve her2-treatment`; the writer names the one to ask for in the front matter's `reviewer:` field
    Code: writer-cannot-sign-off
    ");
}

#[test]
fn a_mistyped_id_gets_did_you_mean() {
    let env = TestEnv::seeded();
    let new = refusal(
        &env,
        &[
            "new",
            "flu",
            "--title",
            "Flu",
            "--writer",
            "suzanne",
            "--reviewer",
            "ana-exmple",
        ],
    );
    insta::assert_snapshot!(new, @"
    Error: [REPO]/articles/flu/article.md: writer suzanne is not in writers/
    Hint: did you mean suzanne-example? Otherwise fix the `writer:` field, or add them with `medreview writer add suzanne --name NAME`
    Code: unknown-writer
    ");
    let new = refusal(
        &env,
        &[
            "new",
            "flu",
            "--title",
            "Flu",
            "--writer",
            "suzanne-example",
            "--reviewer",
            "okafor",
        ],
    );
    insta::assert_snapshot!(new, @"
    Error: [REPO]/articles/flu/article.md: reviewer okafor is not in reviewers/
    Hint: did you mean david-okafor? Otherwise fix the `reviewer:` field, or add them with `medreview reviewer add okafor --name NAME --credentials CRED`
    Code: unknown-reviewer
    ");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    insta::assert_snapshot!(refusal(&env, &["approve", SLUG, "--as", "ana"]), @"
    Error: ana is not in reviewers/
    Hint: did you mean ana-example? Otherwise add them with `medreview reviewer add ana --name NAME --credentials CRED`
    Code: unknown-reviewer
    ");
    insta::assert_snapshot!(refusal(&env, &["submit", SLUG, "--as", "suzane-example"]), @"
    Error: suzane-example is not in writers/ or reviewers/
    Hint: did you mean suzanne-example? Otherwise add them with `medreview writer add suzane-example --name NAME`
    Code: unknown-person
    ");
    insta::assert_snapshot!(refusal(&env, &["writer", "edit", "suzane-example", "--bio", "B."]), @"
    Error: there is no writer suzane-example ([REPO]/writers/suzane-example.yaml is missing)
    Hint: did you mean suzanne-example? Otherwise add them with `medreview writer add suzane-example ...`
    Code: unknown-writer
    ");
    insta::assert_snapshot!(refusal(&env, &["reviewer", "retire", "david"]), @"
    Error: there is no reviewer david ([REPO]/reviewers/david.yaml is missing)
    Hint: did you mean david-okafor? Otherwise add them with `medreview reviewer add david ...`
    Code: unknown-reviewer
    ");
    insta::assert_snapshot!(refusal(&env, &["admin", "add", "suzanne"]), @"
    Error: suzanne is not in writers/ or reviewers/
    Hint: did you mean suzanne-example? Otherwise add them first (`medreview writer add suzanne --name NAME --email E`)
    Code: unknown-person
    ");
    insta::assert_snapshot!(refusal(&env, &["log", "her2"]), @"
    Error: there is no article her2 (no folder [REPO]/articles/her2)
    Hint: did you mean her2-treatment? Otherwise create it with `medreview new her2 --title TITLE --writer ID`, or run `medreview status` to list articles
    Code: unknown-article
    ");
    // Nothing close: no guess, the usual hint.
    insta::assert_snapshot!(refusal(&env, &["approve", SLUG, "--as", "zoe-smith"]), @"
    Error: zoe-smith is not in reviewers/
    Hint: add them with `medreview reviewer add zoe-smith --name NAME --credentials CRED`
    Code: unknown-reviewer
    ");
}

#[test]
fn a_colon_in_a_hand_edited_title_gets_the_hint_to_quote_it() {
    let env = TestEnv::seeded();
    let text = HER2_ARTICLE.replace(
        "title: Six Things to Know About HER2-Positive Breast Cancer Treatment",
        "title: Diabetes: what to know",
    );
    env.write(ARTICLE, &text);
    insta::assert_snapshot!(refusal(&env, &["submit", SLUG, "--as", "suzanne-example"]), @r#"
    Error: [REPO]/articles/her2-treatment/article.md:2: mapping values are not allowed in this context
    Hint: quote the title: title: "Diabetes: what to know"
    Code: invalid-yaml
    "#);
    // Quoted as the hint says, it is accepted.
    env.write(
        ARTICLE,
        &text.replace(
            "title: Diabetes: what to know",
            "title: \"Diabetes: what to know\"",
        ),
    );
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.starts_with("her2-treatment: Diabetes: what to know\n"),
        "{log}"
    );
}

#[test]
fn a_mistyped_as_in_an_audited_roster_gets_did_you_mean() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.ok(&[
        "writer",
        "add",
        "rosa-editor",
        "--name",
        "Rosa Editor",
        "--email",
        "runner@example.org",
    ]);
    env.ok(&["admin", "add", "rosa-editor"]);
    insta::assert_snapshot!(refusal(&env, &["approve", SLUG, "--as", "ana"]), @"
    Error: --as ana: no one on the roster has that id
    Hint: did you mean ana-example? Otherwise `medreview writer list` and `medreview reviewer list` show the ids
    Code: unknown-person
    ");
}
