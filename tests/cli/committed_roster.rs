//! Issue 13 item 10: `status` judges by the roster and settings HEAD holds, as
//! `publish` does, and warns when the working tree's differ. The bug: a doctor added
//! `public_key` to reviewers/ana-example.yaml without committing; `status` said
//! approved while `publish` (reading HEAD) skipped the article.

use crate::common::{ARTICLE, NEXT_DAY, Run, SLUG, TestEnv, fixture, public_key, ssh_keygen};

/// Exit code, stdout and stderr in one text, for snapshots (commit ids hidden).
fn shown(env: &TestEnv, run: &Run) -> String {
    // `(commit 1a2b3c4d5e)` moves with the clock of the test's commits.
    let hide = |s: &str| {
        let s = env.redact(s);
        match s.find("(commit ") {
            Some(at) if s.len() >= at + 18 => format!("{}[COMMIT]{}", &s[..at + 8], &s[at + 18..]),
            _ => s,
        }
    };
    let lines = |s: &str| s.lines().map(hide).map(|l| l + "\n").collect::<String>();
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        run.code,
        lines(&run.stdout),
        lines(&run.stderr)
    )
}

/// ana-example's private key, readable only by its owner (as ssh-keygen requires).
fn ana_key(env: &TestEnv) -> String {
    let path = env.outside("ana_key");
    std::fs::copy(fixture("ana_ed25519"), &path).expect("copy the key");
    let mut perms = std::fs::metadata(&path).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(&path, perms).expect("chmod");
    path.to_str().expect("utf-8 path").to_owned()
}

/// The state `status --json` gives the seeded article.
fn state(env: &TestEnv) -> String {
    let status = crate::common::json(&env.ok(&["status", "--json"]).stdout);
    status["articles"][0]["state"]
        .as_str()
        .expect("a state")
        .to_owned()
}

/// What `publish` says about the seeded article: published or skipped.
fn published(env: &TestEnv) -> bool {
    let out = env.outside("site");
    let _ = std::fs::remove_dir_all(&out);
    let run = env.ok(&["publish", "--out", out.to_str().expect("utf-8")]);
    out.join(format!("{SLUG}/index.html")).exists() || run.stderr.contains("Published 1 article")
}

#[test]
fn an_uncommitted_public_key_counts_for_neither_status_nor_publish() {
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = TestEnv::seeded();
    let config = env
        .read("medreview.yaml")
        .replace("require_signatures: false", "require_signatures: true");
    env.write("medreview.yaml", &config);
    env.git(&["add", "-A"]);
    env.git(&[
        "commit",
        "-q",
        "-m",
        "require signatures; the article's body",
    ]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    // The doctor adds her key by hand and does not commit it.
    env.append(
        "reviewers/ana-example.yaml",
        &format!("public_key: {}\n", public_key("ana_ed25519")),
    );
    env.set_now(NEXT_DAY);
    let key = ana_key(&env);
    // `approve` judges by the committed roster too, so it refuses what status and
    // publish would not count, and says why.
    let approve = [
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--revision",
        "r1",
        "--key",
        &key,
        "-m",
        "Accurate.",
    ];
    let before = env.commit_count();
    let refused = env.run(&approve);
    assert_eq!(refused.code, 1);
    assert_eq!(env.commit_count(), before, "nothing recorded");
    assert!(
        refused.stderr.starts_with(
            "Warning: reviewers/ana-example.yaml has uncommitted changes; status, publish and sign-offs judge by the committed version"
        ) && refused.stderr.contains("has no public_key in reviewers/ana-example.yaml"),
        "{}",
        refused.stderr
    );
    insta::assert_snapshot!(shown(&env, &env.run(&["status"])), @"
    exit 0
    --- stdout
    ARTICLE         STATE              LATEST      CHANGE     PUBLISHABLE  REVIEWER     LAST SIGN-OFF
    her2-treatment  in-review          r1 a02ddc2  +114 -0    -            ana-example  submitted by suzanne-example, 2025-03-03
    --- stderr
    Warning: reviewers/ana-example.yaml has uncommitted changes; status, publish and sign-offs judge by the committed version
    Hint: record a roster change with `medreview writer edit` or `medreview reviewer edit` (or commit it with git), a settings change with `git commit`; `git checkout -- FILE` drops it
    ");
    assert_eq!(state(&env), "in-review");
    assert!(!published(&env), "publish skips it, as status says");

    // Committed, the key verifies the approval for both.
    env.git(&[
        "commit",
        "-q",
        "-m",
        "ana's key",
        "reviewers/ana-example.yaml",
    ]);
    let run = env.run(&["status"]);
    assert_eq!(run.stderr, "", "nothing left to warn about");
    env.ok(&approve);
    assert_eq!(state(&env), "approved");
    assert!(published(&env));
}

#[test]
fn an_uncommitted_policy_change_counts_for_neither_status_nor_publish() {
    let env = TestEnv::approved();
    env.ok(&[
        "reviewer",
        "edit",
        "david-okafor",
        "--specialty",
        "oncology",
    ]);
    let config = env.read("medreview.yaml");
    env.write(
        "medreview.yaml",
        &config.replace("required_approvals: 1", "required_approvals: 2"),
    );
    insta::assert_snapshot!(shown(&env, &env.run(&["status", SLUG])), @"
    exit 0
    --- stdout
    her2-treatment: Six Things to Know About HER2-Positive Breast Cancer Treatment
      state:        approved
      reviewer:     ana-example
      latest:       r1 a02ddc2 submitted by suzanne-example on 2025-03-03 10:12 -05:00 (+114 -0 words)
      publishable:  r1 a02ddc2 approved by ana-example on 2025-03-04 09:00 -05:00
      re-review by: 2026-03-04
      working tree: same as the latest revision
    --- stderr
    Warning: medreview.yaml has uncommitted changes; status, publish and sign-offs judge by the committed version
    Hint: record a roster change with `medreview writer edit` or `medreview reviewer edit` (or commit it with git), a settings change with `git commit`; `git checkout -- FILE` drops it
    ");
    assert_eq!(state(&env), "approved");
    assert!(published(&env));
    // The inbox warns too, and judges the same way.
    let inbox = env.run(&["inbox", "--as", "david-okafor"]);
    insta::assert_snapshot!(shown(&env, &inbox), @"
    exit 0
    --- stdout
    --- stderr
    Warning: medreview.yaml has uncommitted changes; status, publish and sign-offs judge by the committed version
    Hint: record a roster change with `medreview writer edit` or `medreview reviewer edit` (or commit it with git), a settings change with `git commit`; `git checkout -- FILE` drops it
    Nothing waits on david-okafor.
    ");

    env.git(&["commit", "-q", "-m", "two approvals", "medreview.yaml"]);
    assert_eq!(state(&env), "in-review");
    assert!(!published(&env));
    let inbox = env.ok(&["inbox", "--as", "david-okafor"]);
    assert!(inbox.stdout.contains(SLUG), "{}", inbox.stdout);
}

#[test]
fn new_and_removed_roster_files_are_named_too() {
    let env = TestEnv::approved();
    env.write("writers/new-writer.yaml", "name: New Writer\n");
    std::fs::remove_file(env.root().join("reviewers/david-okafor.yaml")).expect("remove");
    let run = env.run(&["status", "--json"]);
    insta::assert_snapshot!(run.stderr, @"
    Warning: writers/new-writer.yaml is not committed; status, publish and sign-offs judge as if it were not there
    Warning: reviewers/david-okafor.yaml is removed but the removal is not committed; status, publish and sign-offs still judge by it
    Hint: record a roster change with `medreview writer edit` or `medreview reviewer edit` (or commit it with git), a settings change with `git commit`; `git checkout -- FILE` drops it
    ");
    // Article text edits are not roster edits: they show as unsubmitted edits.
    env.git(&["checkout", "-q", "--", "reviewers"]);
    std::fs::remove_file(env.root().join("writers/new-writer.yaml")).expect("remove");
    env.append(ARTICLE, "\nMore.\n");
    let run = env.run(&["status"]);
    assert_eq!(run.stderr, "");
    assert!(run.stdout.contains("approved*"), "{}", run.stdout);
}
