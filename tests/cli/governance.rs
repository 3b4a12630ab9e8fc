//! Issue 22: every change to a governed file through a command that records it,
//! and every red state with a recorded way back (`repair`), never a history rewrite.

use crate::common::{SLUG, TestEnv};

/// The seeded workspace, audited: rosa-editor (the runner, runner@example.org) is
/// its first admin; r1 submitted by suzanne-example and approved by ana-example,
/// each as themselves.
pub(crate) fn audited() -> TestEnv {
    let mut env = TestEnv::seeded();
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
    as_person(&env, "suzanne@example.org");
    env.ok(&["submit", SLUG, "-m", "First draft."]);
    env.set_now(crate::common::NEXT_DAY);
    as_person(&env, "ana@example.org");
    env.ok(&["approve", SLUG, "--revision", "r1", "-m", "Accurate."]);
    as_person(&env, "runner@example.org");
    env
}

/// Makes git's `user.email` (who acts) `email`.
pub(crate) fn as_person(env: &TestEnv, email: &str) {
    env.git(&["config", "user.email", email]);
}

/// Commits every change in the working tree by plain git.
fn commit_all(env: &TestEnv, message: &str) {
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", message]);
}

/// Runs a command that reports problems (`check`, `repair`): exit 1, and returns it.
fn red(env: &TestEnv, args: &[&str]) -> crate::common::Run {
    let run = env.run(args);
    assert_eq!(run.code, 1, "{args:?}:\n{}\n{}", run.stdout, run.stderr);
    run
}

/// `check`, `publish` and `repair` all green.
fn green(env: &TestEnv) {
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "check: {}{}", check.stdout, check.stderr);
    env.ok(&["publish", "--out", "../site"]);
    env.ok(&["repair"]);
}

#[test]
fn init_makes_the_person_running_it_the_first_admin() {
    let env = TestEnv::bare();
    let run = env.ok(&["init", "--publication", "Example Health"]);
    assert!(
        run.stderr.contains("you are its first admin (test-runner"),
        "{}",
        run.stderr
    );
    assert!(
        env.read("writers/test-runner.yaml")
            .contains("runner@example.org")
    );
    let whoami = env.ok(&["whoami"]);
    assert!(whoami.stdout.contains("admin"), "{}", whoami.stdout);
    assert_eq!(
        env.ok(&["config", "get", "admins"]).stdout.trim(),
        "[test-runner]"
    );
    // The roster is audited from the first commit: no one records as someone else.
    env.ok(&[
        "writer",
        "add",
        "sam-lee",
        "--name",
        "Sam Lee",
        "--email",
        "sam@example.org",
    ]);
    let err = env.refuse(&[
        "writer", "add", "kim-lee", "--name", "Kim", "--as", "sam-lee",
    ]);
    assert!(
        err.contains("proxy-not-allowed") || err.contains("never for someone else"),
        "{err}"
    );
    env.ok(&["check"]);
}

#[test]
fn init_without_a_git_email_is_refused_and_changes_nothing() {
    let env = TestEnv::bare();
    env.git(&["config", "--unset", "user.email"]);
    let err = env.refuse(&["init", "--publication", "Example Health"]);
    assert!(err.contains("git config user.email"), "{err}");
    assert!(!env.root().join("medreview.yaml").exists());
}

#[test]
fn config_set_get_and_unset_are_recorded_and_checked() {
    let env = audited();
    let run = env.ok(&["config", "set", "review.required_approvals", "2"]);
    assert!(
        run.stderr.contains("recorded in the roster's record"),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.ok(&["config", "get", "review.required_approvals"])
            .stdout
            .trim(),
        "2"
    );
    env.ok(&["config", "set", "base_url", "https://health.example.org"]);
    env.ok(&["config", "unset", "base_url"]);
    let err = env.refuse(&["config", "get", "base_url"]);
    assert!(err.contains("not-set"), "{err}");
    // A value medreview cannot use, or a key it does not read, changes nothing.
    let head = env.git(&["rev-parse", "HEAD"]);
    for args in [
        ["config", "set", "review.required_approvals", "0"],
        ["config", "set", "review.no_such_setting", "1"],
        ["config", "set", "admins", "[suzanne-example]"],
    ] {
        let run = env.run(&args);
        assert_ne!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_eq!(env.git(&["rev-parse", "HEAD"]), head);
    }
    // Only an admin changes settings.
    as_person(&env, "suzanne@example.org");
    let err = env.refuse(&["config", "set", "review.interval_months", "6"]);
    assert!(err.contains("not an admin"), "{err}");
    as_person(&env, "runner@example.org");
    green(&env);
}

#[test]
fn publisher_add_lets_publish_as_record_and_admin_remove_keeps_one_admin() {
    let env = audited();
    let err = env.refuse(&["publish", "--out", "../site", "--as", "rosa-editor"]);
    assert!(err.contains("medreview publisher add rosa-editor"), "{err}");
    env.ok(&["publisher", "add", "rosa-editor"]);
    env.ok(&["publish", "--out", "../site", "--as", "rosa-editor"]);
    let err = env.refuse(&["admin", "remove", "rosa-editor"]);
    assert!(err.contains("last-admin"), "{err}");
    env.ok(&["admin", "add", "david-okafor"]);
    env.ok(&["admin", "remove", "rosa-editor"]);
    // No longer an admin: the roster is out of rosa's hands.
    let err = env.refuse(&["publisher", "remove", "rosa-editor"]);
    assert!(err.contains("not an admin"), "{err}");
    green(&env);
}

#[test]
fn admin_record_records_a_hand_edited_template_and_refuses_other_files() {
    let env = audited();
    let template = env.read("templates/article.html");
    env.write(
        "templates/article.html",
        &format!("{template}<!-- house footer -->\n"),
    );
    let err = env.fails_as_usage(&[
        "admin",
        "record",
        "articles/her2-treatment/article.md",
        "-m",
        "x",
    ]);
    assert!(err.stderr.contains("not a governed file"), "{}", err.stderr);
    env.ok(&[
        "admin",
        "record",
        "templates/article.html",
        "-m",
        "House footer",
    ]);
    let err = env.refuse(&["admin", "record", "templates/article.html", "-m", "again"]);
    assert!(err.contains("nothing-to-do"), "{err}");
    green(&env);
}

#[test]
fn a_committed_hand_edit_of_medreview_yaml_is_adopted_by_repair() {
    let env = audited();
    let text = env.read("medreview.yaml");
    env.write(
        "medreview.yaml",
        &text.replace("interval_months: 12", "interval_months: 6"),
    );
    commit_all(&env, "Shorter review interval, by hand");
    let check = red(&env, &["check"]);
    assert!(
        check.stdout.contains("roster-unrecorded"),
        "{}",
        check.stdout
    );
    let err = env.refuse(&["publish", "--out", "../site"]);
    assert!(err.contains("medreview repair"), "{err}");
    let plan = red(&env, &["repair"]);
    assert!(
        plan.stdout
            .contains("Fix (an admin): an admin records medreview.yaml"),
        "{}",
        plan.stdout
    );
    env.ok(&["repair", "--yes"]);
    assert_eq!(
        env.ok(&["config", "get", "review.interval_months"])
            .stdout
            .trim(),
        "6"
    );
    green(&env);
}

#[test]
fn a_hand_edit_is_put_back_by_someone_who_is_not_an_admin() {
    let env = audited();
    let recorded = env.read("templates/index.html");
    env.write(
        "templates/index.html",
        "<p>Medically reviewed by Dr Nobody</p>\n",
    );
    as_person(&env, "suzanne@example.org");
    commit_all(&env, "A writer's template");
    let plan = red(&env, &["repair"]);
    assert!(
        plan.stdout.contains("Or (anyone): put back"),
        "{}",
        plan.stdout
    );
    env.ok(&["repair", "--yes"]);
    assert_eq!(env.read("templates/index.html"), recorded);
    green(&env);
}

#[test]
fn git_revert_of_a_hand_edit_is_accepted_as_the_repair() {
    let env = audited();
    let text = env.read("reviewers/ana-example.yaml");
    env.write(
        "reviewers/ana-example.yaml",
        &text.replace("Ana Example", "Ana Exemplar"),
    );
    commit_all(&env, "Rename by hand");
    red(&env, &["check"]);
    env.git(&["revert", "--no-edit", "HEAD"]);
    let check = env.ok(&["check"]);
    assert!(check.stdout.contains("repaired"), "{}", check.stdout);
    green(&env);
}

#[test]
fn an_edited_sign_off_reverted_byte_for_byte_is_repaired_not_red_for_good() {
    let env = audited();
    let file = env.signoff_path(SLUG, "approved");
    let original = env.read(&file);
    env.write(
        &file,
        &original.replace("Accurate.", "Accurate. Take double doses."),
    );
    commit_all(&env, "Edit the approval");
    let check = red(&env, &["check"]);
    assert!(check.stdout.contains("entry-edited"), "{}", check.stdout);
    // What a protected branch allows: a revert, not a rewrite.
    env.git(&["revert", "--no-edit", "HEAD"]);
    assert_eq!(env.read(&file), original);
    let check = env.ok(&["check"]);
    assert!(
        check.stdout.contains("[entry-edited, repaired]"),
        "{}",
        check.stdout
    );
    green(&env);
}

#[test]
fn a_removed_sign_off_is_put_back_by_repair() {
    let env = audited();
    let file = env.signoff_path(SLUG, "approved");
    let original = env.read(&file);
    env.git(&["rm", "-q", &file]);
    env.git(&["commit", "-q", "-m", "Drop the approval"]);
    let plan = red(&env, &["repair"]);
    assert!(
        plan.stdout.contains("put back the recorded bytes"),
        "{}",
        plan.stdout
    );
    as_person(&env, "suzanne@example.org");
    env.ok(&["repair", "--yes"]);
    assert_eq!(env.read(&file), original);
    green(&env);
}

#[test]
fn junk_in_signoffs_is_voided_by_an_admin_and_listed_for_good() {
    let env = audited();
    let junk =
        format!("articles/{SLUG}/signoffs/20250305T120000Z-approved-ana-example-0123456789ab.yaml");
    env.write(&junk, "action: approved\nby: ana-example\n");
    commit_all(&env, "Junk");
    red(&env, &["check"]);
    env.refuse(&["publish", "--out", "../site"]);
    let run = env.ok(&["repair", "--yes"]);
    assert!(run.stderr.contains("Fixed: voided"), "{}", run.stderr);
    assert!(env.root().join(&junk).exists(), "a voided file stays");
    let check = env.ok(&["check"]);
    assert!(
        check.stdout.contains("[voided, repaired]"),
        "{}",
        check.stdout
    );
    let log = env.ok(&["log", SLUG]);
    assert!(log.stdout.contains("voided: "), "{}", log.stdout);
    let json = env.ok(&["log", SLUG, "--json"]);
    assert!(json.stdout.contains("\"voided\""), "{}", json.stdout);
    green(&env);
    // Once more, a second run: still listed, still green.
    let check = env.ok(&["check"]);
    assert!(
        check.stdout.contains("[voided, repaired]"),
        "{}",
        check.stdout
    );
}

#[test]
fn junk_is_removed_by_someone_who_is_not_an_admin() {
    let env = audited();
    let junk = format!("articles/{SLUG}/signoffs/notes.yaml");
    env.write(&junk, "just notes\n");
    as_person(&env, "suzanne@example.org");
    commit_all(&env, "Notes");
    red(&env, &["check"]);
    env.ok(&["repair", "--yes"]);
    assert!(!env.root().join(&junk).exists());
    green(&env);
}

#[test]
fn unsigned_sign_offs_where_signatures_are_required_are_voided_by_an_admin() {
    let env = audited();
    let key = crate::common::fixture("suzanne_ed25519");
    let key = key.to_str().unwrap();
    let public = crate::common::public_key("suzanne_ed25519");
    env.ok(&["writer", "edit", "rosa-editor", "--public-key", &public]);
    env.ok(&[
        "config",
        "set",
        "review.require_signatures",
        "true",
        "--key",
        key,
    ]);
    // The sign-offs recorded unsigned no longer count, and check says so.
    let check = red(&env, &["check"]);
    assert!(check.stdout.contains("[signature]"), "{}", check.stdout);
    // The admin's voids must be signed too: without the key, nothing is recorded.
    let head = env.git(&["rev-parse", "HEAD"]);
    let run = env.run(&["repair", "--yes"]);
    assert_ne!(run.code, 0, "{}", run.stderr);
    assert_eq!(env.git(&["rev-parse", "HEAD"]), head);
    let run = env.run(&["repair", "--yes", "--key", key]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let check = env.ok(&["check"]);
    assert!(
        check.stdout.contains("[voided, repaired]"),
        "{}",
        check.stdout
    );
    assert!(!check.stdout.contains("[signature]"), "{}", check.stdout);
}

/// An admin's void of an approval is honoured even when it counted: it can only
/// keep a page off the site (issue 23: the way back from `recorded-after-end`),
/// and it is listed for good. A void never takes out what keeps a page off.
#[test]
fn a_void_of_an_approval_that_counts_takes_it_out_visibly() {
    let env = audited();
    let file = env.signoff_path(SLUG, "approved");
    let blob = env.git(&["hash-object", &file]);
    // An admin who tries to take a valid approval out by hand-writing a void.
    let run = env.run(&["repair", "--yes"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let entry = medreview_core::roster::log::RosterEntry {
        by: medreview_core::ids::Id::parse("id", "rosa-editor").unwrap(),
        at: chrono::DateTime::parse_from_rfc3339(crate::common::NEXT_DAY).unwrap(),
        after: crate::roster::roster_heads(&env),
        files: Default::default(),
        voids: [(
            file.clone(),
            medreview_store::revision::RevId::parse(blob.trim()).unwrap(),
        )]
        .into_iter()
        .collect(),
        note: Some("take it out".into()),
        signature: None,
    };
    let (id, bytes) = entry.to_file();
    env.write(
        &format!("roster/{}", id.file_name()),
        std::str::from_utf8(&bytes).unwrap(),
    );
    commit_all(&env, "void the approval");
    let check = env.run(&["check"]);
    assert!(!check.stdout.contains("void-refused"), "{}", check.stdout);
    assert!(
        check.stdout.contains("voided by rosa-editor"),
        "{}",
        check.stdout
    );
    let status = env.ok(&["status", SLUG]);
    assert!(status.stdout.contains("in-review"), "{}", status.stdout);
}

#[test]
fn a_second_genesis_does_not_count_and_is_voided_by_repair() {
    let env = audited();
    // The team has built on its genesis (as it does from its first roster change).
    env.ok(&["publisher", "add", "rosa-editor"]);
    // Suzanne starts a roster of her own beside the team's, by hand, naming a
    // medreview.yaml in which she is the admin.
    let config = env
        .read("medreview.yaml")
        .replace("admins: [rosa-editor]", "admins: [suzanne-example]");
    let fake = env.outside("fake.yaml");
    std::fs::write(&fake, &config).unwrap();
    let blob = env.git(&["hash-object", "-w", fake.to_str().unwrap()]);
    let genesis = medreview_core::roster::log::RosterEntry {
        by: medreview_core::ids::Id::parse("id", "suzanne-example").unwrap(),
        at: chrono::DateTime::parse_from_rfc3339(crate::common::NEXT_DAY).unwrap(),
        after: Vec::new(),
        files: [(
            "medreview.yaml".to_owned(),
            medreview_store::revision::RevId::parse(blob.trim()).unwrap(),
        )]
        .into_iter()
        .collect(),
        voids: Default::default(),
        note: Some("I am the admin now".into()),
        signature: None,
    };
    let (id, bytes) = genesis.to_file();
    env.write(
        &format!("roster/{}", id.file_name()),
        std::str::from_utf8(&bytes).unwrap(),
    );
    as_person(&env, "suzanne@example.org");
    commit_all(&env, "A roster of my own");
    // It does not count: rosa is still the admin, suzanne is not.
    let err = env.refuse(&["config", "set", "review.interval_months", "6"]);
    assert!(err.contains("not an admin"), "{err}");
    let check = red(&env, &["check"]);
    assert!(
        check.stdout.contains("roster-second-genesis"),
        "{}",
        check.stdout
    );
    env.refuse(&["publish", "--out", "../site"]);
    as_person(&env, "runner@example.org");
    let run = env.ok(&["repair", "--yes"]);
    assert!(
        run.stderr.contains("Fixed: voided roster/"),
        "{}",
        run.stderr
    );
    let check = env.ok(&["check"]);
    assert!(
        check.stdout.contains("[voided, repaired]"),
        "{}",
        check.stdout
    );
    green(&env);
}

/// The forge case, over a real remote with plain git and no gate (a protected
/// branch allows new commits, never a rewrite): junk and an edited sign-off land,
/// every clone goes red, and the recorded fixes — a removal of what never read as
/// an entry, a revert byte for byte — bring every clone back to green, through
/// `git pull` (merge or rebase) and `medreview sync`.
#[test]
fn on_a_forge_junk_and_an_edit_are_repaired_with_new_commits_in_every_clone() {
    use crate::common::team::{ANA, SUZANNE, Team};
    let team = Team::new();
    let mut ana = team.clone_for(ANA);
    let suzanne = team.clone_for(SUZANNE);
    ana.set_now(crate::common::NEXT_DAY);
    ana.ok(&["approve", SLUG, "--revision", "r1", "-m", "Accurate."]);
    ana.ok(&["sync"]);
    suzanne.pull_rebase();
    // Junk, and an edit of the doctor's approval, pushed with plain git.
    let junk = format!("articles/{SLUG}/signoffs/notes.yaml");
    suzanne.write(&junk, "remember to add the dosing table\n");
    let approval = suzanne
        .git(&["ls-files", &format!("articles/{SLUG}/signoffs")])
        .lines()
        .find(|l| l.contains("-approved-"))
        .expect("the approval")
        .to_owned();
    let original = suzanne.read(&approval);
    suzanne.write(
        &approval,
        &original.replace("Accurate.", "Accurate; double the dose."),
    );
    suzanne.git(&["add", "-A"]);
    suzanne.git(&["commit", "-q", "-m", "tidy the record"]);
    suzanne.push();
    ana.pull_merge();
    for member in [&ana, &suzanne] {
        let codes = member.check_codes();
        assert!(codes.contains(&"entry-edited".to_owned()), "{codes:?}");
        let run = member.run(&["publish", "--out", "../site-x"]);
        assert_ne!(run.code, 0, "publish must refuse: {}", run.stderr);
    }
    // The edit is reverted by plain git, byte for byte; the junk goes by repair.
    suzanne.git(&["revert", "--no-edit", "HEAD"]);
    assert_eq!(suzanne.read(&approval), original);
    let run = suzanne.run(&["repair", "--yes"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    suzanne.ok(&["sync"]);
    ana.pull_rebase();
    for member in [&ana, &suzanne] {
        member.check_clean();
        member.ok(&["sync"]);
        member.ok(&["publish", "--out", "../site-ok"]);
        let status = member.status();
        assert_eq!(status["state"], "approved", "{status:#}");
    }
}
