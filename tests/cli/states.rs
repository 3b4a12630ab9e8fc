//! Every review state, as `status SLUG`, `status SLUG --json` and the table show it.

use serde_json::{Value, json};

use crate::common::FIXED;
use crate::common::{ARTICLE, NEXT_DAY, SLUG, START, TestEnv};

/// The `--json` summary of the seeded article.
fn summary(env: &TestEnv) -> Value {
    let status = crate::common::json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["problems"], json!([]));
    assert_eq!(status["articles"].as_array().map(Vec::len), Some(1));
    status["articles"][0].clone()
}

/// The detail view of the seeded article.
fn detail(env: &TestEnv) -> String {
    env.ok(&["status", SLUG]).stdout
}

#[test]
fn a_written_but_unsubmitted_article_is_a_draft() {
    let env = TestEnv::seeded();
    let s = summary(&env);
    assert_eq!(s["state"], "draft");
    assert_eq!(s["latest"], Value::Null);
    assert_eq!(s["publishable"], Value::Null);
    assert_eq!(s["last"], Value::Null);
    assert_eq!(s["unsubmitted_edits"], true);
    let text = detail(&env);
    assert!(text.contains("  state:        draft\n"), "{text}");
    assert!(text.contains("  latest:       never submitted\n"), "{text}");
    assert!(text.contains("  publishable:  nothing\n"), "{text}");
}

#[test]
fn a_submitted_revision_is_in_review() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let s = summary(&env);
    assert_eq!(s["state"], "in-review");
    assert_eq!(
        s["latest"],
        json!({
            "number": 1,
            "id": env.hash_object(ARTICLE),
            "submitted_by": "suzanne-example",
            "submitted_at": START,
            "change": {"words_added": 114, "words_removed": 0},
        })
    );
    assert_eq!(s["publishable"], Value::Null);
    assert_eq!(
        s["last"],
        json!({"action": "submitted", "by": "suzanne-example", "at": START, "clock": "MEDREVIEW_NOW"})
    );
    assert_eq!(s["unsubmitted_edits"], false);
    let text = detail(&env);
    assert!(
        text.contains("  working tree: same as the latest revision\n"),
        "{text}"
    );
}

#[test]
fn a_revision_sent_back_is_changes_requested() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Add sources.",
    ]);
    let s = summary(&env);
    assert_eq!(s["state"], "changes-requested");
    assert_eq!(s["publishable"], Value::Null);
    assert_eq!(s["last"]["action"], "changes-requested");
    assert_eq!(s["last"]["by"], "ana-example");
}

#[test]
fn an_approved_revision_is_publishable_until_its_re_review_date() {
    let env = TestEnv::approved();
    let revision = env.hash_object(ARTICLE);
    let s = summary(&env);
    assert_eq!(s["state"], "approved");
    assert_eq!(s["publishable"]["revision"]["number"], 1);
    assert_eq!(s["publishable"]["revision"]["id"], revision.as_str());
    assert_eq!(s["publishable"]["approved_by"], json!(["ana-example"]));
    assert_eq!(s["publishable"]["reviewed_at"], NEXT_DAY);
    assert_eq!(s["publishable"]["due_at"], "2026-03-04T09:00:00-05:00");
    let text = detail(&env);
    assert_eq!(
        text,
        format!(
            "her2-treatment: Six Things to Know About HER2-Positive Breast Cancer Treatment\n\
             \x20 state:        approved\n\
             \x20 reviewer:     ana-example\n\
             \x20 latest:       r1 {short} submitted by suzanne-example on 2025-03-03 10:12 -05:00 (+114 -0 words)\n\
             \x20 publishable:  r1 {short} approved by ana-example on 2025-03-04 09:00 -05:00\n\
             \x20 re-review by: 2026-03-04\n\
             \x20 working tree: same as the latest revision\n",
            short = &revision[..7]
        )
    );
}

#[test]
fn an_approval_older_than_the_interval_is_re_review_due_but_still_publishable() {
    let mut env = TestEnv::approved();
    // Thirteen months after the approval.
    env.set_now("2026-04-04T09:00:00-04:00");
    let s = summary(&env);
    assert_eq!(s["state"], "re-review-due");
    assert_eq!(s["publishable"]["revision"]["number"], 1);
    assert!(detail(&env).contains("  state:        re-review-due\n"));
    let table = env.ok(&["status"]).stdout;
    assert!(table.contains("her2-treatment  re-review-due "), "{table}");
}

#[test]
fn re_review_falls_due_exactly_twelve_months_after_the_approval() {
    let mut env = TestEnv::approved();
    env.set_now("2026-03-04T09:00:00-05:00");
    assert_eq!(summary(&env)["state"], "approved");
    // The same instant written in UTC, one minute later.
    env.set_now("2026-03-04T14:01:00Z");
    assert_eq!(summary(&env)["state"], "re-review-due");
}

#[test]
fn a_withdrawn_article_has_nothing_publishable_even_after_a_new_submission() {
    let mut env = TestEnv::approved();
    env.set_now("2025-03-05T09:00:00-05:00");
    let run = env.ok(&[
        "withdraw",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Guidance changed.",
    ]);
    assert!(
        run.stderr.contains("her2-treatment is now withdrawn"),
        "{}",
        run.stderr
    );
    let s = summary(&env);
    assert_eq!(s["state"], "withdrawn");
    assert_eq!(s["publishable"], Value::Null);
    assert_eq!(s["last"]["action"], "withdrawn");
    assert!(detail(&env).contains("  publishable:  nothing\n"));

    env.append(ARTICLE, "\nUpdated for the new guidance.\n");
    env.set_now("2025-03-06T09:00:00-05:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let s = summary(&env);
    assert_eq!(s["state"], "in-review");
    assert_eq!(s["latest"]["number"], 2);
    assert_eq!(
        s["publishable"],
        Value::Null,
        "the withdrawn approval stays withdrawn"
    );
}

#[test]
fn the_approved_revision_stays_publishable_while_a_new_one_is_in_review() {
    let mut env = TestEnv::approved();
    let r1 = env.hash_object(ARTICLE);
    env.append(ARTICLE, "\n## 3. Side effects are usually manageable\n");
    env.set_now("2025-04-01T09:00:00-04:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let r2 = env.hash_object(ARTICLE);

    let s = summary(&env);
    assert_eq!(s["state"], "in-review");
    assert_eq!(s["latest"]["id"], r2.as_str());
    assert_eq!(s["publishable"]["revision"]["id"], r1.as_str());
    assert_eq!(s["publishable"]["revision"]["number"], 1);

    env.set_now("2025-04-02T09:00:00-04:00");
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Name the side effects.",
    ]);
    let s = summary(&env);
    assert_eq!(s["state"], "changes-requested");
    assert_eq!(s["publishable"]["revision"]["id"], r1.as_str());

    env.append(
        ARTICLE,
        "Diarrhoea and heart effects are the most common.\n",
    );
    env.set_now("2025-04-03T09:00:00-04:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.ok(&["approve", SLUG, "--as", "david-okafor"]);
    let s = summary(&env);
    assert_eq!(s["state"], "approved");
    assert_eq!(s["publishable"]["revision"]["number"], 3);
    assert_eq!(s["publishable"]["approved_by"], json!(["david-okafor"]));
    assert_eq!(s["publishable"]["due_at"], "2026-04-03T09:00:00-04:00");
}

#[test]
fn edits_not_yet_submitted_are_shown_and_do_not_change_the_state() {
    let env = TestEnv::approved();
    env.append(ARTICLE, "\nA sentence the doctor has not seen.\n");
    let s = summary(&env);
    assert_eq!(s["state"], "approved");
    assert_eq!(s["unsubmitted_edits"], true);
    assert_eq!(s["publishable"]["revision"]["number"], 1);
    assert!(detail(&env).contains("  working tree: edits not yet submitted\n"));
    let table = env.ok(&["status"]).stdout;
    assert!(table.contains("her2-treatment  approved* "), "{table}");
    assert!(
        table.ends_with("* the working tree has edits not yet submitted\n"),
        "{table}"
    );
    let r1 = env.git(&["rev-parse", &format!("HEAD:{ARTICLE}")]);
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.ends_with(&format!(
            "now: approved; publishable: r1 {}\nthe working tree has edits not yet submitted\n{FIXED}",
            &r1[..7]
        )),
        "{log}"
    );
}

#[test]
fn approving_with_unsubmitted_edits_warns_and_approves_the_submitted_revision() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let r1 = env.hash_object(ARTICLE);
    env.append(ARTICLE, "\nA late addition.\n");
    env.set_now(NEXT_DAY);
    let run = env.ok(&["approve", SLUG, "--as", "ana-example"]);
    assert!(
        run.stderr
            .contains("Warning: the working tree has edits to ")
            && run
                .stderr
                .contains(&format!("this sign-off is for r1 {} only", &r1[..7])),
        "{}",
        run.stderr
    );
    assert!(
        env.message("HEAD")
            .contains(&format!("Medreview-Revision: {r1}\n"))
    );
    assert!(
        env.read(ARTICLE).ends_with("A late addition.\n"),
        "the edit is kept"
    );
    assert_eq!(env.porcelain(), " M articles/her2-treatment/article.md\n");
    let s = summary(&env);
    assert_eq!(s["state"], "approved");
    assert_eq!(s["unsubmitted_edits"], true);
}

#[test]
fn two_required_approvals_need_two_distinct_reviewers() {
    let mut env = TestEnv::seeded();
    let config = env
        .read("medreview.yaml")
        .replace("required_approvals: 1", "required_approvals: 2");
    env.write("medreview.yaml", &config);
    env.git(&["commit", "-q", "-am", "Require two approvals"]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    let run = env.ok(&["approve", SLUG, "--as", "ana-example"]);
    assert!(
        run.stderr.contains("her2-treatment is now in-review"),
        "{}",
        run.stderr
    );
    assert_eq!(summary(&env)["state"], "in-review");
    env.ok(&["approve", SLUG, "--as", "david-okafor"]);
    let s = summary(&env);
    assert_eq!(s["state"], "approved");
    assert_eq!(
        s["publishable"]["approved_by"],
        json!(["ana-example", "david-okafor"])
    );
}
