//! `medreview check`: every file, reference, signature and the append-only history.

use crate::common::{ARTICLE, LEDGER, NEXT_DAY, SLUG, TestEnv, json};

#[test]
fn a_clean_workspace_passes_and_reports_what_it_checked() {
    let env = TestEnv::approved();
    let run = env.ok(&["check"]);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.contains("Checked 1 articles, 2 sign-offs and"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("no problems"), "{}", run.stderr);
    let report = json(&env.ok(&["check", "--json"]).stdout);
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["articles"], 1);
    assert_eq!(report["entries"], 2);
    assert_eq!(report["ledger_changes"], 2);
    assert!(
        report["commits"].as_u64().is_some_and(|n| n >= 6),
        "{report}"
    );
}

#[test]
fn an_edited_or_removed_entry_is_reported_with_the_commit() {
    let mut env = TestEnv::approved();
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Check the dosing.",
    ]);
    let text = env.read(LEDGER).replace(
        "note: Accurate and clear.",
        "note: Accurate, clear, approved twice.",
    );
    env.write(LEDGER, &text);
    env.git(&[
        "commit",
        "-q",
        "-am",
        "reword an approval",
        "--date",
        NEXT_DAY,
    ]);
    let edit = env.head();
    // Remove the request for changes.
    let text = env.read(LEDGER);
    let cut = text.find("- action: changes-requested").expect("entry");
    env.write(LEDGER, &text[..cut]);
    env.git(&[
        "commit",
        "-q",
        "-am",
        "drop the objection",
        "--date",
        "2025-03-05T09:00:00-05:00",
    ]);
    let removal = env.head();
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(&format!("commit {} (reword an approval): entry 2 (approved by ana-example at {NEXT_DAY}) was removed or edited", &edit[..10])),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "commit {} (drop the objection): entry 3 (changes-requested by david-okafor",
            &removal[..10]
        )),
        "{}",
        run.stdout
    );
    let report = json(&env.run(&["check", "--json"]).stdout);
    let commits: Vec<&str> = report["problems"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|p| p["commit"].as_str())
        .collect();
    assert!(
        commits.contains(&edit.as_str()) && commits.contains(&removal.as_str()),
        "{report}"
    );
}

#[test]
fn an_entry_whose_time_disagrees_with_its_commit_is_reported() {
    let env = TestEnv::approved();
    let revision = env.hash_object(ARTICLE);
    env.append(LEDGER, &format!("- action: changes-requested\n  by: david-okafor\n  at: 2025-03-04T12:00:00-05:00\n  revision: {revision}\n  note: Backdated.\n"));
    env.git(&[
        "commit",
        "-q",
        "-am",
        "backdated objection",
        "--date",
        "2025-06-01T12:00:00-04:00",
    ]);
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("the entry changes-requested by david-okafor says 2025-03-04T12:00:00-05:00 but the commit that recorded it is dated 2025-06-01T12:00:00-04:00"),
        "{}",
        run.stdout
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
    env.append(LEDGER, "- action: approved\n  by: ana-example\n  at: 2025-03-04T10:00:00-05:00\n  revision: 0123456789012345678901234567890123456789\n");
    env.git(&["add", "-A"]);
    env.git(&[
        "commit",
        "-q",
        "-m",
        "three problems",
        "--date",
        "2025-03-04T10:00:00-05:00",
    ]);
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = &run.stdout;
    assert!(out.contains("reviewers/broken.yaml:"), "{out}");
    assert!(
        out.contains("writer nobody-here is not in writers/"),
        "{out}"
    );
    assert!(
        out.contains("revision 0123456789012345678901234567890123456789 is not in the repository"),
        "{out}"
    );
    assert!(out.contains("was never submitted"), "{out}");
    assert!(run.stderr.contains("problems."), "{}", run.stderr);
}

#[test]
fn an_approval_against_policy_is_reported() {
    let env = TestEnv::approved();
    let revision = env.hash_object(ARTICLE);
    // The writer approving their own revision, written by hand.
    env.append(LEDGER, &format!("- action: approved\n  by: suzanne-example\n  at: 2025-03-04T10:00:00-05:00\n  revision: {revision}\n"));
    env.git(&[
        "commit",
        "-q",
        "-am",
        "self approval",
        "--date",
        "2025-03-04T10:00:00-05:00",
    ]);
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("approved by suzanne-example at 2025-03-04T10:00:00-05:00: suzanne-example is not in reviewers/"), "{}", run.stdout);
}

#[test]
fn union_merges_of_ledgers_pass() {
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
    env.git(&["merge", "-q", "--no-edit", "other"]);
    let ledger = env.read(LEDGER);
    assert!(
        ledger.contains("From the other branch.") && ledger.contains("From main."),
        "{ledger}"
    );
    let run = env.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn uncommitted_hand_edits_to_a_ledger_are_reported() {
    let env = TestEnv::approved();
    let text = env.read(LEDGER);
    let cut = text.find("- action: approved").expect("approval");
    env.write(LEDGER, &text[..cut]);
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("has changes that are not committed"),
        "{}",
        run.stdout
    );
}
