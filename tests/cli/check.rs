//! `medreview check`: every file, reference, signature and the append-only history,
//! the checkpoint that makes a second run cheap, rewrites and shallow clones.

use chrono::DateTime;
use medreview_core::ids::Id;
use medreview_core::record::entry::{Action, Entry, EntryId};
use medreview_store::revision::RevId;
use serde_json::Value;

use crate::common::{ARTICLE, NEXT_DAY, SIGNOFFS, SLUG, TestEnv, json};

/// The checkpoint ref `check` moves after a clean walk.
const CHECKED: &str = "refs/medreview/checked";

/// Stages everything and commits it with plain git, authored at `date`; returns the commit.
fn commit_all(env: &TestEnv, message: &str, date: &str) -> String {
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", message, "--date", date]);
    env.head()
}

/// `check --json`, whatever its exit code, with the code.
fn check_json(env: &TestEnv) -> (i32, Value) {
    let run = env.run(&["check", "--json"]);
    (run.code, json(&run.stdout))
}

/// The codes of a report's problems, in order.
fn codes(report: &Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .expect("problems is a list")
        .iter()
        .map(|p| p["code"].as_str().expect("code").to_owned())
        .collect()
}

/// The one problem with `code` about `file`.
fn problem<'a>(report: &'a Value, code: &str, file: &str) -> &'a Value {
    let found: Vec<&Value> = report["problems"]
        .as_array()
        .expect("problems is a list")
        .iter()
        .filter(|p| p["code"] == code && p["file"] == file)
        .collect();
    assert_eq!(found.len(), 1, "one {code} about {file} in {report:#}");
    found[0]
}

/// What the checkpoint ref names, if it exists.
fn checkpoint(env: &TestEnv, dir: &std::path::Path) -> Option<String> {
    let refs = env.git_in(dir, &["for-each-ref", "--format=%(objectname)", CHECKED]);
    refs.lines().next().map(str::to_owned)
}

/// David asks for changes on the seeded article, the next day: one new sign-off.
fn request_changes_next_day(env: &mut TestEnv) {
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Check the dosing.",
    ]);
}

/// A hand-made entry on the seeded article, after the record's last entry.
fn hand_entry(env: &TestEnv, action: Action, by: &str, at: &str, revision: &str) -> Entry {
    let last = env.entries(SLUG).pop().expect("a recorded entry").0;
    Entry {
        action,
        by: Id::parse("id", by).expect("id"),
        at: DateTime::parse_from_rfc3339(at).expect("time"),
        revision: RevId::parse(revision).expect("revision"),
        after: vec![EntryId::parse(&last).expect("entry id")],
        note: Some("Written by hand.".into()),
        recorded_by: None,
        roster: Vec::new(),
        clock: None,
        format: None,
        viewed: None,
        meaning: None,
        name: None,
        credentials: None,
        change: None,
        schedule: None,
        signature: None,
    }
}

#[test]
fn a_clean_workspace_passes_and_reports_what_it_checked() {
    let env = TestEnv::approved();
    let (code, report) = check_json(&env);
    assert_eq!(code, 0, "{report:#}");
    let mut keys: Vec<&str> = report
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "articles",
            "checkpoint",
            "checkpoint_moved",
            "checkpoint_signed_by",
            "commits",
            "entries",
            "entries_verified",
            "notes",
            "problems",
            "repaired",
            "warnings"
        ]
    );
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["warnings"], serde_json::json!([]));
    assert_eq!(report["notes"], serde_json::json!([]));
    assert_eq!(report["articles"], 1);
    assert_eq!(report["entries"], 2);
    assert_eq!(report["entries_verified"], 2);
    assert_eq!(report["commits"], env.commit_count(), "{report}");
    assert_eq!(report["checkpoint"], Value::Null);
    assert_eq!(report["checkpoint_moved"], true);
    assert_eq!(checkpoint(&env, env.root()), Some(env.head()));

    // The second run starts from the checkpoint and has nothing new to walk.
    let run = env.ok(&["check"]);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!(
            "Checked 1 article, 2 sign-offs and 0 commits since the checkpoint {} (0 new sign-offs verified): no problems.\n",
            &env.head()[..10]
        )
    );
}

#[test]
fn a_second_check_walks_only_the_new_commits() {
    let mut env = TestEnv::approved();
    env.ok(&["check"]);
    let verified = env.head();
    request_changes_next_day(&mut env);
    let (code, report) = check_json(&env);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["commits"], 1, "{report}");
    assert_eq!(report["entries_verified"], 1, "{report}");
    assert_eq!(report["entries"], 3, "{report}");
    assert_eq!(report["checkpoint"], verified.as_str(), "{report}");
    assert_eq!(report["checkpoint_moved"], true, "{report}");
    assert_eq!(checkpoint(&env, env.root()), Some(env.head()));
}

/// Issue 28: a clone where only `publish` runs (a CI job) keeps a checkpoint too, so
/// its next publish walks only the new commits; a history `publish` refuses never
/// moves it.
#[test]
fn publish_moves_the_checkpoint_after_a_clean_walk_and_never_past_a_problem() {
    let mut env = TestEnv::approved();
    assert_eq!(checkpoint(&env, env.root()), None, "nobody has checked yet");
    let out = env.outside("public");
    let out = out.to_str().expect("utf-8");
    env.ok(&["publish", "--out", out]);
    let published = env.head();
    assert_eq!(checkpoint(&env, env.root()), Some(published.clone()));
    // The memo remembers that this build's walk put it there: check honours it.
    request_changes_next_day(&mut env);
    let (code, report) = check_json(&env);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["commits"], 1, "{report}");
    assert_eq!(report["checkpoint"], published.as_str(), "{report}");
    // A sign-off removed with plain git: publish refuses, and the checkpoint stays.
    let verified = env.head();
    let objection = env.signoff_path(SLUG, "changes-requested");
    std::fs::remove_file(env.root().join(&objection)).expect("remove the objection");
    commit_all(&env, "drop the objection", "2025-03-05T10:00:00-05:00");
    let run = env.fails(&["publish", "--out", out]);
    assert!(run.stderr.contains("entry-removed"), "{}", run.stderr);
    assert_eq!(checkpoint(&env, env.root()), Some(verified));
}

/// Regression: a damaged sign-off file that was committed was also reported as
/// `uncommitted` ("... was removed"), though the folder was exactly as committed.
#[test]
fn an_entry_edited_in_place_is_reported_with_the_commit() {
    let env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    let text = env.read(&approval).replace(
        "note: Accurate and clear.",
        "note: Accurate, clear, approved twice.",
    );
    env.write(&approval, &text);
    let edit = commit_all(&env, "reword an approval", NEXT_DAY);
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "{approval}: commit {} (reword an approval): a sign-off file was changed after it was recorded; the record is append-only [entry-edited]",
            &edit[..10]
        )),
        "{}",
        run.stdout
    );
    let (_, report) = check_json(&env);
    let edited = problem(&report, "entry-edited", &approval);
    assert_eq!(edited["commit"], edit.as_str());
    assert_eq!(edited["line"], Value::Null);
    let mut keys: Vec<&String> = edited.as_object().expect("an object").keys().collect();
    keys.sort_unstable();
    assert_eq!(keys, ["code", "commit", "file", "line", "message"]);
    // The working tree shows the same edit: the file no longer matches its name.
    let damaged = problem(&report, "entry-damaged", &approval);
    assert_eq!(damaged["commit"], Value::Null);
    assert!(
        damaged["message"]
            .as_str()
            .is_some_and(|m| m.contains("does not match the digest in its name")),
        "{damaged}"
    );
    assert_eq!(codes(&report), ["entry-damaged", "entry-edited"]);
    // Every command that judges the record refuses it.
    let err = env.refuse(&["status", SLUG]);
    assert!(
        err.contains("the record of her2-treatment is damaged"),
        "{err}"
    );
}

#[test]
fn a_renamed_entry_is_reported_as_removed_and_invalid() {
    let env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    // One day earlier in the name; the content is untouched.
    let renamed = approval.replace("20250304T", "20250303T");
    env.git(&["mv", &approval, &renamed]);
    let commit = commit_all(&env, "backdate the approval's name", NEXT_DAY);
    let (code, report) = check_json(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        problem(&report, "entry-removed", &approval)["commit"],
        commit.as_str()
    );
    let invalid = problem(&report, "entry-invalid", &renamed);
    assert_eq!(invalid["commit"], commit.as_str());
    assert!(
        invalid["message"]
            .as_str()
            .is_some_and(|m| m.contains("is named approved by ana-example at 20250303T140000Z")),
        "{invalid}"
    );
    problem(&report, "entry-damaged", &renamed);
}

#[test]
fn a_removed_entry_is_reported_although_the_record_still_reads() {
    let mut env = TestEnv::approved();
    request_changes_next_day(&mut env);
    let objection = env.signoff_path(SLUG, "changes-requested");
    env.git(&["rm", "-q", &objection]);
    let removal = commit_all(&env, "drop the objection", "2025-03-05T09:00:00-05:00");
    // What is left reads cleanly, but the history shows the loss, and `status`
    // judges as `check` does (issue 23): no approval counts, and it says why.
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "in-review", "{status}");
    assert_eq!(status["problems"][0]["code"], "entry-removed", "{status}");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "{objection}: commit {} (drop the objection): a sign-off file was removed; the record is append-only [entry-removed]",
            &removal[..10]
        )),
        "{}",
        run.stdout
    );
    let (_, report) = check_json(&env);
    assert_eq!(codes(&report), ["entry-removed"]);
    assert_eq!(report["checkpoint_moved"], false);
    assert_eq!(
        checkpoint(&env, env.root()),
        None,
        "a problem never moves the checkpoint"
    );
}

#[test]
fn a_truncated_entry_is_damage_before_and_after_it_is_committed() {
    let env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    let text = env.read(&approval);
    env.write(&approval, &text[..text.len() / 2]);
    let (code, report) = check_json(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        codes(&report),
        ["entry-damaged", "uncommitted"],
        "{report:#}"
    );
    problem(&report, "entry-damaged", &approval);
    let name = approval.rsplit('/').next().expect("a name");
    let uncommitted = problem(&report, "uncommitted", SIGNOFFS);
    assert!(
        uncommitted["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("{name} differs from the last commit"))),
        "{uncommitted}"
    );
    let truncation = commit_all(&env, "truncate", NEXT_DAY);
    let (code, report) = check_json(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        problem(&report, "entry-edited", &approval)["commit"],
        truncation.as_str()
    );
    problem(&report, "entry-damaged", &approval);
    assert_eq!(
        codes(&report),
        ["entry-damaged", "entry-edited"],
        "{report:#}"
    );
}

#[test]
fn an_entry_whose_time_disagrees_with_its_commit_is_reported() {
    let env = TestEnv::approved();
    let revision = env.hash_object(ARTICLE);
    let entry = hand_entry(
        &env,
        Action::ChangesRequested,
        "david-okafor",
        "2025-03-04T12:00:00-05:00",
        &revision,
    );
    let file = env.write_entry(SLUG, &entry);
    let commit = commit_all(&env, "backdated objection", "2025-06-01T12:00:00-04:00");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!("{file}: commit {} (backdated objection): the entry changes-requested by david-okafor says 2025-03-04T12:00:00-05:00 but the commit that recorded it is dated 2025-06-01T12:00:00-04:00 [entry-time]", &commit[..10])),
        "{}",
        run.stdout
    );
    let (_, report) = check_json(&env);
    assert_eq!(codes(&report), ["entry-time"]);
}

/// Issue 22: a clock off is a warning, named on the entry, never a failed check
/// (one person's clock must not make the record unverifiable for everyone).
#[test]
fn an_entry_dated_before_one_its_signer_saw_is_recorded_with_a_warning_and_reported() {
    let mut env = TestEnv::approved();
    // Before the approval (NEXT_DAY) that the reviewer's copy already holds.
    env.set_now("2025-03-03T12:00:00-05:00");
    let run = env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "A slow clock.",
    ]);
    assert!(
        run.stderr.contains("the clock (2025-03-03T12:00:00-05:00) is earlier than the latest sign-off of her2-treatment (2025-03-04T09:00:00-05:00)"),
        "{}",
        run.stderr
    );
    let objection = env.signoff_path(SLUG, "changes-requested");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("Warning: {objection}: changes-requested by david-okafor at 2025-03-03T12:00:00-05:00: it is dated before the approved by ana-example at 2025-03-04T09:00:00-05:00 that its signer had already seen; one of the two clocks is wrong (a warning: `after:` links order the record, not clocks) [entry-time-order]")),
        "{}",
        run.stderr
    );
    let (code, report) = check_json(&env);
    assert_eq!(code, 0, "{report:#}");
    assert!(codes(&report).is_empty(), "{report:#}");
    assert_eq!(
        report["warnings"][0]["code"], "entry-time-order",
        "{report:#}"
    );
}

#[test]
fn an_offset_rewritten_to_the_same_instant_is_an_edit() {
    let env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    // 09:00 at -05:00 is 14:00 UTC: the same instant, so the name's time still agrees.
    let text = env.read(&approval);
    let rewritten = text.replace(
        "at: 2025-03-04T09:00:00-05:00",
        "at: 2025-03-04T14:00:00+00:00",
    );
    assert_ne!(text, rewritten, "the approval holds its time as written");
    env.write(&approval, &rewritten);
    let (_, report) = check_json(&env);
    assert_eq!(
        codes(&report),
        ["entry-damaged", "uncommitted"],
        "{report:#}"
    );
    let commit = commit_all(&env, "normalise the offset", NEXT_DAY);
    let (code, report) = check_json(&env);
    assert_eq!(code, 1);
    assert_eq!(
        problem(&report, "entry-edited", &approval)["commit"],
        commit.as_str()
    );
    assert_eq!(
        codes(&report),
        ["entry-damaged", "entry-edited"],
        "{report:#}"
    );

    // Renamed to the name the new bytes would have, the working tree reads cleanly,
    // and the history still shows the approval as it was recorded is gone.
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let (_, mut entry) = env.entries(SLUG).pop().expect("the approval");
    entry.at = DateTime::parse_from_rfc3339("2025-03-04T14:00:00+00:00").expect("time");
    env.git(&["rm", "-q", &approval]);
    let renamed = env.write_entry(SLUG, &entry);
    assert_ne!(renamed, approval);
    let commit = commit_all(&env, "normalise the offset", NEXT_DAY);
    let (_, report) = check_json(&env);
    assert_eq!(codes(&report), ["entry-removed"], "{report:#}");
    assert_eq!(
        problem(&report, "entry-removed", &approval)["commit"],
        commit.as_str()
    );
}

#[test]
fn every_problem_is_listed_not_only_the_first() {
    let env = TestEnv::approved();
    env.write("reviewers/broken.yaml", "name: [unclosed\n");
    env.write(
        "articles/second/article.md",
        "---\ntitle: Second\nwriter: nobody-here\n---\nBody.\n",
    );
    let entry = hand_entry(
        &env,
        Action::Approved,
        "ana-example",
        "2025-03-04T10:00:00-05:00",
        "0123456789012345678901234567890123456789",
    );
    let file = env.write_entry(SLUG, &entry);
    commit_all(&env, "three problems", "2025-03-04T10:00:00-05:00");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("reviewers/broken.yaml:"), "{out}");
    assert!(
        out.contains("writer nobody-here is not in writers/"),
        "{out}"
    );
    assert!(
        out.contains(&format!("{file}: approved by ana-example at 2025-03-04T10:00:00-05:00: revision 0123456789012345678901234567890123456789 is not in the repository [revision-missing]")),
        "{out}"
    );
    assert!(
        out.contains("was never submitted [revision-not-submitted]"),
        "{out}"
    );
    assert!(run.stderr.contains("problems."), "{}", run.stderr);
    let (_, report) = check_json(&env);
    let codes = codes(&report);
    for code in [
        "roster-file",
        "article",
        "revision-missing",
        "revision-not-submitted",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} in {codes:?}");
    }
}

#[test]
fn an_approval_by_someone_who_is_not_a_reviewer_is_reported() {
    let env = TestEnv::approved();
    let revision = env.hash_object(ARTICLE);
    // The writer approving their own revision, written by hand.
    let entry = hand_entry(
        &env,
        Action::Approved,
        "suzanne-example",
        "2025-03-04T10:00:00-05:00",
        &revision,
    );
    let file = env.write_entry(SLUG, &entry);
    commit_all(&env, "self approval", "2025-03-04T10:00:00-05:00");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(&format!("{file}: approved by suzanne-example at 2025-03-04T10:00:00-05:00: suzanne-example is not in reviewers/ [signer-role]")),
        "{}",
        run.stdout
    );
}

#[test]
fn an_approval_by_the_revisions_writer_is_reported() {
    let mut env = TestEnv::approved();
    // A reviewer may submit a revision, and then never approve it.
    env.append(ARTICLE, "\nA line the reviewer added.\n");
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&["submit", SLUG, "--as", "ana-example"]);
    let revision = env.hash_object(ARTICLE);
    let entry = hand_entry(
        &env,
        Action::Approved,
        "ana-example",
        "2025-03-05T10:00:00-05:00",
        &revision,
    );
    let file = env.write_entry(SLUG, &entry);
    commit_all(&env, "approve my own edit", "2025-03-05T10:00:00-05:00");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(&format!("{file}: approved by ana-example at 2025-03-05T10:00:00-05:00: the approval does not count: ana-example wrote r2 and cannot approve it [approval-policy]")),
        "{}",
        run.stdout
    );
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "in-review", "{status}");
}

#[test]
fn concurrent_sign_offs_on_two_branches_merge_and_pass() {
    let mut env = TestEnv::approved();
    env.git(&["switch", "-q", "-c", "other"]);
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "From the other branch.",
    ]);
    env.git(&["switch", "-q", "main"]);
    env.set_now("2025-03-05T10:00:00-05:00");
    env.ok(&["withdraw", SLUG, "--as", "ana-example", "-m", "From main."]);
    env.ok(&["check"]);
    env.git(&["merge", "-q", "--no-edit", "other"]);
    let record = env.record_text(SLUG);
    assert!(
        record.contains("From the other branch.") && record.contains("From main."),
        "{record}"
    );
    assert_eq!(env.signoffs(SLUG).len(), 4);
    let (code, report) = check_json(&env);
    assert_eq!(code, 0, "{report:#}");
    // The merge and the other branch's commit; the merge adds nothing new of its own.
    assert_eq!(report["commits"], 2, "{report}");
    assert_eq!(report["entries_verified"], 1, "{report}");
}

#[test]
fn uncommitted_hand_edits_to_the_record_are_reported() {
    let env = TestEnv::approved();
    let approval = env.signoff_path(SLUG, "approved");
    std::fs::remove_file(env.root().join(&approval)).expect("remove");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    let name = approval.rsplit('/').next().expect("a name");
    assert!(
        run.stdout.contains(&format!(
            "{name} was removed; entries are written only by medreview [uncommitted]"
        )),
        "{}",
        run.stdout
    );
    env.git(&["checkout", "--", SIGNOFFS]);
    let entry = hand_entry(
        &env,
        Action::Withdrawn,
        "david-okafor",
        "2025-03-05T10:00:00-05:00",
        &env.hash_object(ARTICLE),
    );
    let added = env.write_entry(SLUG, &entry);
    let name = added.rsplit('/').next().expect("a name");
    let (_, report) = check_json(&env);
    assert_eq!(codes(&report), ["uncommitted"], "{report:#}");
    assert!(
        report["problems"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("{name} is not committed"))),
        "{report:#}"
    );
}

#[test]
fn a_rewrite_that_drops_a_verified_sign_off_is_reported_until_dealt_with() {
    let mut env = TestEnv::approved();
    env.set_now("2025-03-05T10:00:00-05:00");
    env.ok(&["withdraw", SLUG, "--as", "ana-example", "-m", "Outdated."]);
    let withdrawal = env.signoff_path(SLUG, "withdrawn");
    env.ok(&["check"]);
    let verified = env.head();
    // Dropping the withdrawal would put the approval back in force; the history
    // shows the loss, and `status` judges as `check` does (issue 23).
    env.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "in-review", "{status}");
    assert!(status["articles"][0]["publishable"].is_null(), "{status}");
    for _ in 0..2 {
        let run = env.run(&["check"]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            run.stdout.contains(&format!(
                "history was rewritten: commit {} that `medreview check` verified is no longer in the history of HEAD",
                &verified[..10]
            )),
            "{}",
            run.stdout
        );
        let (code, report) = check_json(&env);
        assert_eq!(code, 1);
        assert_eq!(
            codes(&report),
            ["history-rewritten", "verified-entry-gone"],
            "{report:#}"
        );
        assert_eq!(report["problems"][0]["commit"], verified.as_str());
        let gone = problem(&report, "verified-entry-gone", &withdrawal);
        assert!(
            gone["message"]
                .as_str()
                .is_some_and(|m| m.ends_with("is missing in HEAD")),
            "{gone}"
        );
        assert_eq!(report["checkpoint_moved"], false);
        assert_eq!(checkpoint(&env, env.root()), Some(verified.clone()));
    }
    // Once the rewrite is reviewed, deleting the checkpoint starts over.
    env.git(&["update-ref", "-d", CHECKED]);
    env.ok(&["check"]);
    assert_eq!(checkpoint(&env, env.root()), Some(env.head()));
}

/// Regression: in a shallow clone every sign-off on a revision submitted before its
/// oldest commit was reported as `revision-missing`, so CI on a shallow checkout failed.
#[test]
fn a_shallow_clone_checks_what_it_has_and_leaves_the_checkpoint_alone() {
    let mut env = TestEnv::approved();
    request_changes_next_day(&mut env);
    env.append(ARTICLE, "\nDosing is set by your care team.\n");
    env.set_now("2025-03-05T10:00:00-05:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now("2025-03-05T11:00:00-05:00");
    env.ok(&["approve", SLUG, "--as", "david-okafor", "-m", "Fine now."]);
    // The clone holds the last two commits, so not r1's text.
    let clone = env.outside("clone");
    let url = format!("file://{}", env.root().display());
    let clone_arg = clone.to_str().expect("utf-8 path");
    env.git(&["clone", "-q", "--depth", "2", &url, clone_arg]);
    env.git_in(&clone, &["config", "user.name", "Test Runner"]);
    env.git_in(&clone, &["config", "user.email", "runner@example.org"]);
    let run = env.run_in(&clone, &["check"]);
    assert_eq!(run.stdout, "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Note: this is a shallow clone: the 2 commits here were checked"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("no problems"), "{}", run.stderr);
    let run = env.ok_in(&clone, &["check", "--json"]);
    let report = json(&run.stdout);
    assert_eq!(report["problems"], serde_json::json!([]), "{report:#}");
    assert!(
        report["notes"][0]
            .as_str()
            .is_some_and(|n| n.starts_with("this is a shallow clone")),
        "{report:#}"
    );
    assert_eq!(report["entries"], 5, "{report}");
    assert_eq!(report["commits"], 2, "{report}");
    // The oldest commit's parents are not here, so only the newest one's sign-off is proved.
    assert_eq!(report["entries_verified"], 1, "{report}");
    assert_eq!(report["checkpoint_moved"], false, "{report}");
    assert_eq!(checkpoint(&env, &clone), None);
}

/// Guards the checkpoint (issue 23): `refs/medreview/checked` moved by hand past a
/// commit that deleted a request for changes is not honoured (this build never
/// verified it), so `publish` walks the whole history and refuses, and `check`
/// says why it walked from the root.
#[test]
fn a_hand_moved_checkpoint_does_not_hide_a_removed_request_for_changes() {
    let mut env = TestEnv::approved();
    env.ok(&["check"]);
    env.set_now("2025-03-05T09:00:00-05:00");
    let before = env.signoffs(SLUG);
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Check the dosing.",
    ]);
    let request = env
        .signoffs(SLUG)
        .into_iter()
        .find(|n| !before.contains(n))
        .expect("the request for changes");
    env.git(&["rm", "-q", &format!("{SIGNOFFS}/{request}")]);
    commit_all(&env, "tidy up", "2025-03-05T09:10:00-05:00");
    env.git(&["commit", "-q", "--allow-empty", "-m", "later"]);
    env.git(&["update-ref", "refs/medreview/checked", "HEAD"]);
    let out = env.outside("site");
    let run = env.run(&["publish", "--out", out.to_str().expect("utf-8")]);
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("entry-removed"), "{}", run.stderr);
    assert!(!out.join(format!("{SLUG}.html")).exists());
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("entry-removed"), "{}", run.stdout);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("did not verify"), "{said}");
}
