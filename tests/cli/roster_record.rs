//! Issue 23 item 7: `status` judges as `check` and `publish` do, through one rule.
//!
//! The bugs: (a) deleting `roster/` in a commit (or making it a symbolic link, or a
//! submodule entry) dropped `status` to the unaudited roster, which then counted an
//! approval signed with the attacker's key as the doctor's; (b) two concurrent
//! roster changes to one doctor's file took her out of today's roster, so her
//! retirement stopped applying and `status` counted her approval. Each test asserts
//! that status, check and publish agree, and that status names the next step.

use std::path::Path;

use medreview_core::ids::Id;
use medreview_core::record::entry::{Action, Entry, EntryId};
use medreview_core::signing::SigningKey;
use medreview_store::revision::RevId;
use serde_json::Value;

use crate::common::{ARTICLE, NEXT_DAY, Run, SLUG, START, TestEnv, fixture, json, public_key};
use crate::roster::{ANA, ROSA, Team, assert_not_published, audited, be, commit_as, submit};

const SUZANNE: &str = "suzanne@example.org";
const ANA_FILE: &str = "reviewers/ana-example.yaml";

fn id(text: &str) -> Id {
    Id::parse("id", text).expect("id")
}

/// `status SLUG --json`: the run and the article's summary.
fn status(env: &TestEnv) -> (Run, Value) {
    let run = env.run(&["status", SLUG, "--json"]);
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    let summary = json(&run.stdout)["articles"][0].clone();
    (run, summary)
}

/// Asserts status counts no approval and offers nothing to publish.
fn assert_status_not_approved(env: &TestEnv) {
    let (_, summary) = status(env);
    assert!(
        !matches!(
            summary["state"].as_str(),
            Some("approved" | "re-review-due")
        ),
        "status counted the approval:\n{summary:#}"
    );
    assert!(
        summary["publishable"].is_null(),
        "status offers something to publish:\n{summary:#}"
    );
}

/// `check --json`'s codes, asserting it failed.
fn check_codes(env: &TestEnv) -> Vec<String> {
    let run = env.run(&["check", "--json"]);
    assert_eq!(run.code, 1, "check passed:\n{}{}", run.stdout, run.stderr);
    json(&run.stdout)["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["code"].as_str().expect("code").to_owned())
        .collect()
}

/// The audited team with Ana's key on file, the article submitted by Suzanne.
fn team_with_keys() -> TestEnv {
    let ana = public_key("ana_ed25519");
    let env = audited(Team {
        keys: &[(ANA_FILE, &ana)],
        ..Team::default()
    });
    submit(&env, None);
    env
}

/// Suzanne puts her own key in Ana's file (in the working tree).
fn swap_anas_key(env: &TestEnv) {
    let file = env
        .read(ANA_FILE)
        .replace(&public_key("ana_ed25519"), &public_key("suzanne_ed25519"));
    env.write(ANA_FILE, &file);
}

/// An approval in Ana's name signed with Suzanne's key, naming no roster (what a
/// sign-off under an unaudited roster names), committed as Ana.
fn forge_anas_approval(env: &TestEnv) -> String {
    let (last, _) = env.entries(SLUG).pop().expect("the submission");
    let mut forged = Entry {
        action: Action::Approved,
        by: id("ana-example"),
        at: chrono::DateTime::parse_from_rfc3339(NEXT_DAY).expect("time"),
        revision: RevId::parse(&env.hash_object(ARTICLE)).expect("revision"),
        after: vec![EntryId::parse(&last).expect("entry id")],
        roster: Vec::new(),
        note: Some("Accurate.".into()),
        recorded_by: None,
        clock: None,
        format: None,
        viewed: None,
        meaning: None,
        name: None,
        credentials: None,
        change: None,
        schedule: None,
        signature: None,
    };
    let key = SigningKey::load(&fixture("suzanne_ed25519")).expect("key");
    let slug = Id::parse("slug", SLUG).expect("slug");
    forged.signature = Some(
        key.sign(
            &slug,
            &forged,
            &id("ana-example"),
            Some(&public_key("suzanne_ed25519")),
        )
        .expect("sign"),
    );
    let file = env.write_entry(SLUG, &forged);
    be(env, ANA);
    env.git(&["add", "articles"]);
    env.git(&["commit", "-q", "-m", "approve her2-treatment r1"]);
    file
}

/// What every damaged-roster test asserts: status does not count the forgery and
/// names the next step, check fails naming `roster-damaged`, publish puts nothing up,
/// and the log says why the approval does not count.
fn assert_damaged_everywhere(env: &TestEnv, forged: &str) {
    assert_status_not_approved(env);
    let (run, _) = status(env);
    assert_eq!(run.code, 1, "status must fail on a damaged roster: {run:?}");
    for step in ["medreview check", "medreview repair"] {
        assert!(run.stderr.contains(step), "{}", run.stderr);
    }
    let plain = env.run(&["status"]);
    assert!(
        plain.stderr.contains("roster") && plain.stderr.contains("damaged"),
        "{}",
        plain.stderr
    );
    assert!(check_codes(env).contains(&"roster-damaged".to_owned()));
    assert_not_published(env);
    let log = env.run(&["log", SLUG, "--json"]);
    let entry_id = Path::new(forged)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("an entry file");
    let entries = json(&log.stdout)["entries"].clone();
    let why = entries
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["id"] == entry_id)
        .expect("the forged entry")["does_not_count"]
        .as_str()
        .unwrap_or_else(|| panic!("the forgery counts in the log:\n{entries:#}"))
        .to_owned();
    assert!(why.contains("roster"), "{why}");
}

#[test]
fn roster_deleted_in_a_commit_is_damage_and_counts_no_forged_approval() {
    if crate::common::ssh_keygen().is_none() {
        return;
    }
    let mut env = team_with_keys();
    swap_anas_key(&env);
    env.git(&["rm", "-r", "-q", "roster"]);
    commit_as(&env, SUZANNE, "tidy up", START);
    env.set_now(NEXT_DAY);
    let forged = forge_anas_approval(&env);
    assert_damaged_everywhere(&env, &forged);
    // A sign-off command refuses rather than record under a damaged roster.
    be(&env, "david@example.org");
    let err = env.refuse(&["approve", SLUG, "--as", "david-okafor", "-m", "Fine."]);
    assert!(err.contains("damaged"), "{err}");
    // And a roster command does not start a new, unaudited record.
    be(&env, ROSA);
    let err = env.refuse(&["writer", "add", "kim-lee", "--name", "Kim Lee"]);
    assert!(err.contains("damaged"), "{err}");

    // The next step status names puts the record back.
    be(&env, ROSA);
    let repair = env.run(&["repair", "--yes"]);
    assert!(
        repair
            .stderr
            .contains("put back the recorded bytes of roster/"),
        "{repair:?}"
    );
    let (run, _) = status(&env);
    assert!(!run.stderr.contains("damaged"), "{}", run.stderr);
    assert_status_not_approved(&env);
}

#[test]
fn roster_replaced_by_a_symbolic_link_is_damage() {
    if crate::common::ssh_keygen().is_none() {
        return;
    }
    let mut env = team_with_keys();
    swap_anas_key(&env);
    env.git(&["rm", "-r", "-q", "roster"]);
    std::os::unix::fs::symlink("writers", env.root().join("roster")).expect("symlink");
    commit_as(&env, SUZANNE, "roster lives with the writers", START);
    env.set_now(NEXT_DAY);
    let forged = forge_anas_approval(&env);
    assert_damaged_everywhere(&env, &forged);
}

#[test]
fn roster_committed_as_a_submodule_entry_is_damage() {
    if crate::common::ssh_keygen().is_none() {
        return;
    }
    let mut env = team_with_keys();
    swap_anas_key(&env);
    let head = env.head();
    env.git(&["rm", "-r", "-q", "--cached", "roster"]);
    env.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{head},roster"),
    ]);
    env.git(&["add", ANA_FILE]);
    be(&env, SUZANNE);
    env.git(&["commit", "-q", "-m", "roster as a submodule"]);
    assert_eq!(
        env.git(&["ls-tree", "HEAD", "roster"])
            .split_whitespace()
            .next(),
        Some("160000")
    );
    env.set_now(NEXT_DAY);
    let forged = forge_anas_approval(&env);
    assert_damaged_everywhere(&env, &forged);
}

#[test]
fn roster_deleted_only_in_the_working_tree_judges_by_the_committed_record() {
    if crate::common::ssh_keygen().is_none() {
        return;
    }
    let mut env = team_with_keys();
    // The key swap and the deletion stay in the working tree; the forgery is committed.
    swap_anas_key(&env);
    std::fs::remove_dir_all(env.root().join("roster")).expect("remove roster/");
    env.set_now(NEXT_DAY);
    let forged = forge_anas_approval(&env);
    assert_status_not_approved(&env);
    let (run, _) = status(&env);
    assert!(
        run.stderr.contains("roster/") && run.stderr.contains("git checkout -- "),
        "{}",
        run.stderr
    );
    let codes = check_codes(&env);
    assert!(codes.contains(&"uncommitted".to_owned()), "{codes:?}");
    assert!(codes.contains(&"signature".to_owned()), "{codes:?}");
    assert_not_published(&env);
    let log = env.run(&["log", SLUG, "--json"]);
    assert!(
        log.stdout.contains("signature does not verify"),
        "{forged}: {}",
        log.stdout
    );
    // A roster command run on the working tree does not start an unaudited record.
    be(&env, ROSA);
    let err = env.refuse(&["writer", "add", "kim-lee", "--name", "Kim Lee"]);
    assert!(err.contains("git checkout -- roster"), "{err}");
}

// ----- (b) two roster changes to one file at once ------------------------------------

/// The step status names for a conflicted file, and the command itself.
const RECORD_AGAIN: &str = "medreview admin record reviewers/ana-example.yaml";

/// Runs git in `dir`, whatever the outcome (a merge may stop on a conflict).
fn git_may_fail(env: &TestEnv, dir: &Path, args: &[&str]) {
    let _ = std::process::Command::new("git")
        .env_clear()
        .envs(env.env_vars())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run git");
}

/// Merges `branch` into the checkout at `dir`; Ana's file, where both sides changed
/// it, takes `anas_file`; the merge is committed.
fn merge_taking(env: &TestEnv, dir: &Path, branch: &str, anas_file: &str) {
    git_may_fail(env, dir, &["merge", "-q", "--no-ff", "--no-commit", branch]);
    assert!(
        dir.join(".git/MERGE_HEAD").exists(),
        "nothing to merge from {branch}"
    );
    std::fs::write(dir.join(ANA_FILE), anas_file).expect("write ana's file");
    env.git_in(dir, &["add", "-A"]);
    env.git_in(dir, &["commit", "-q", "--no-edit"]);
}

/// Asserts the approval does not count anywhere while Ana's file is in conflict, and
/// that status names the command that resolves it.
fn assert_conflict_fails_closed(env: &TestEnv) {
    assert_status_not_approved(env);
    let plain = env.run(&["status"]);
    assert!(plain.stderr.contains(RECORD_AGAIN), "{}", plain.stderr);
    let log = env.run(&["log", SLUG, "--json"]);
    assert!(
        log.stdout.contains("reviewers/ana-example.yaml"),
        "the log does not say why: {}",
        log.stdout
    );
    assert!(check_codes(env).contains(&"roster-conflict".to_owned()));
    assert_not_published(env);
}

/// Resolves the conflict with the command status names, and asserts the retirement
/// applies again and the conflict is gone.
fn record_again_and_assert_retired(env: &TestEnv) {
    be(env, ROSA);
    env.ok(&[
        "admin",
        "record",
        ANA_FILE,
        "-m",
        "Retired, and oncology as her specialty",
    ]);
    let plain = env.run(&["status"]);
    assert!(!plain.stderr.contains(RECORD_AGAIN), "{}", plain.stderr);
    assert_status_not_approved(env);
    let log = env.run(&["log", SLUG, "--json"]);
    assert!(
        log.stdout.contains("retired on 2025-03-03"),
        "{}",
        log.stdout
    );
    let run = env.run(&["check", "--json"]);
    let codes: Vec<String> = json(&run.stdout)["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["code"].as_str().expect("code").to_owned())
        .collect();
    assert!(!codes.contains(&"roster-conflict".to_owned()), "{codes:?}");
    assert_not_published(env);
}

/// Ana's file with both admins' changes: retired, and the new specialty.
fn both_changes(retired: &str, edited: &str) -> String {
    let retired_line = retired
        .lines()
        .find(|l| l.starts_with("retired:"))
        .expect("a retired line");
    format!("{edited}{retired_line}\n")
}

#[test]
fn a_retirement_in_a_conflicted_roster_file_still_stops_her_approval() {
    let mut env = audited(Team::default());
    submit(&env, None);
    let submitted = env.head();
    // Ana's clone had not fetched anything since the submission.
    env.git(&["branch", "ana", &submitted]);
    // One admin retires her; at the same time, another edits her file.
    be(&env, ROSA);
    env.ok(&["reviewer", "retire", "ana-example"]);
    let retired = env.read(ANA_FILE);
    env.git(&["checkout", "-q", "-b", "other-admin", &submitted]);
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--specialty",
        "Medical oncology",
    ]);
    let edited = env.read(ANA_FILE);
    env.git(&["checkout", "-q", "ana"]);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    env.git(&["checkout", "-q", "main"]);
    let root = env.root().to_path_buf();
    merge_taking(&env, &root, "other-admin", &both_changes(&retired, &edited));
    merge_taking(&env, &root, "ana", &both_changes(&retired, &edited));
    assert_conflict_fails_closed(&env);
    record_again_and_assert_retired(&env);
}

#[test]
fn a_conflict_made_in_two_clones_and_merged_fails_closed() {
    let mut env = audited(Team::default());
    submit(&env, None);
    let clone = |name: &str, email: &str| {
        let dir = env.outside(name);
        env.git(&[
            "clone",
            "-q",
            env.root().to_str().expect("utf-8"),
            dir.to_str().expect("utf-8"),
        ]);
        env.git_in(&dir, &["config", "user.name", name]);
        env.git_in(&dir, &["config", "user.email", email]);
        dir
    };
    let ana = clone("ana-clone", ANA);
    let admin = clone("admin-clone", ROSA);
    // In the shared repository an admin retires Ana; in her clone another edits her file.
    be(&env, ROSA);
    env.ok(&["reviewer", "retire", "ana-example"]);
    let retired = env.read(ANA_FILE);
    env.run_in(
        &admin,
        &[
            "reviewer",
            "edit",
            "ana-example",
            "--specialty",
            "Medical oncology",
        ],
    );
    let edited = std::fs::read_to_string(admin.join(ANA_FILE)).expect("read");
    // Ana approves in her clone, which has neither change.
    env.set_now(NEXT_DAY);
    let approve = env.run_in(&ana, &["approve", SLUG, "-m", "Accurate."]);
    assert_eq!(approve.code, 0, "{approve:?}");
    let root = env.root().to_path_buf();
    env.git(&["fetch", "-q", admin.to_str().expect("utf-8"), "main:admin"]);
    env.git(&["fetch", "-q", ana.to_str().expect("utf-8"), "main:ana"]);
    merge_taking(&env, &root, "admin", &both_changes(&retired, &edited));
    merge_taking(&env, &root, "ana", &both_changes(&retired, &edited));
    assert_conflict_fails_closed(&env);
    record_again_and_assert_retired(&env);
}
