//! Attacks on the editorial gates: getting a text with a defect a machine can find
//! past `submit`, past `approve`, or past `check --lint`. Each test names the attack.

use super::recertify_and_views::{audited, be};
use crate::common::{ARTICLE, SLUG, TestEnv, json};

const SUZANNE: &str = "suzanne@example.org";
const ANA: &str = "ana@example.org";
const ROSA: &str = "rosa@example.org";

const FRONT: &str = "---
title: Six Things to Know About HER2-Positive Breast Cancer Treatment
writer: suzanne-example
reviewer: ana-example
sources:
  - title: Breast Cancer Treatment (PDQ)
    url: https://www.cancer.gov/types/breast/patient/breast-treatment-pdq
---
";

/// The defect of the issue: the drugs a sentence announces were lost.
const LOST_LIST: &str =
    "Anti-HER2 monoclonal antibodies that can recognize and attack the HER2 protein include:

## Side effects

Tell your care team about any new symptom.
";

const FIXED: &str =
    "Anti-HER2 monoclonal antibodies that can recognize and attack the HER2 protein include:

- trastuzumab
- pertuzumab

## Side effects

Tell your care team about any new symptom.
";

fn set_severity(env: &TestEnv, code: &str, severity: &str) {
    let config = env.read("medreview.yaml");
    let config = match config.find("\neditorial:") {
        Some(at) => config[..at + 1].to_owned(),
        None => config,
    };
    env.write(
        "medreview.yaml",
        &format!("{config}editorial:\n  severity:\n    {code}: {severity}\n"),
    );
}

/// Attack: submit the page whose list of drugs was lost. Refused, naming the place,
/// and nothing is recorded.
#[test]
fn submit_refuses_the_announced_list_that_never_came() {
    let env = TestEnv::seeded();
    env.write(ARTICLE, &format!("{FRONT}{LOST_LIST}"));
    let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
    insta::assert_snapshot!(err, @"
    Error: cannot submit her2-treatment: the editorial check found 1 error:
      articles/her2-treatment/article.md:9:87: error: this announces a list (it ends with a colon), but no list follows; add the list, or end the sentence with a period [empty-list]
    Hint: fix them and submit again; `medreview lint her2-treatment` lists every finding, and an admin sets how much each rule counts with `medreview config set editorial.severity.RULE LEVEL`
    Code: editorial-errors
    ");
    assert!(env.signoffs(SLUG).is_empty());
    // Fixed, it goes through.
    env.write(ARTICLE, &format!("{FRONT}{FIXED}"));
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
}

/// Attack: hide the colon (a zero-width space after it, or a full-width colon), or
/// fill the list with items that show nothing.
#[test]
fn invisible_characters_do_not_hide_an_empty_list() {
    for body in [
        "The drugs include:\u{200b}\n\n## Next\n\nText.\n",
        "The drugs include\u{ff1a}\n\n## Next\n\nText.\n",
        "The drugs include:\n\n- \u{a0}\n- <span></span>\n\n## Next\n\nText.\n",
    ] {
        let env = TestEnv::seeded();
        env.write(ARTICLE, &format!("{FRONT}{body}"));
        let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
        assert!(err.contains("[empty-list]"), "{body:?}:\n{err}");
    }
}

/// Attack: the writer submits while the rule only warns, then the reviewer is asked
/// to approve after it became an error. `approve` judges the revision itself, not the
/// working tree (which the writer has since fixed, unsubmitted).
#[test]
fn approve_refuses_a_revision_with_errors_whatever_the_working_tree_says() {
    let env = TestEnv::seeded();
    set_severity(&env, "empty-list", "warning");
    env.git(&["commit", "-qam", "empty lists only warn"]);
    env.write(ARTICLE, &format!("{FRONT}{LOST_LIST}"));
    let run = env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    assert!(
        run.stderr.contains("warning: this announces a list"),
        "{}",
        run.stderr
    );
    set_severity(&env, "empty-list", "error");
    env.git(&["commit", "-qam", "empty lists are errors again"]);
    env.write(ARTICLE, &format!("{FRONT}{FIXED}"));
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example", "--revision", "r1"]);
    assert!(
        err.starts_with(
            "Error: cannot approve r1 of her2-treatment: the editorial check found 1 error:"
        ),
        "{err}"
    );
    assert!(err.contains("request-changes"), "{err}");
    // Sending it back is still possible.
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "--revision",
        "r1",
        "-m",
        "The list of antibodies is missing.",
    ]);
}

/// Attack: in an audited workspace, the writer commits `empty-list: off` to
/// medreview.yaml, then submits the defect. The settings are the recorded ones, so
/// the writer's own commit changes nothing, and `check` reports it.
#[test]
fn a_writers_commit_cannot_turn_a_rule_off() {
    let env = audited(&[]);
    be(&env, SUZANNE);
    set_severity(&env, "empty-list", "off");
    env.git(&["commit", "-qam", "no more empty-list"]);
    env.write(ARTICLE, &format!("{FRONT}{LOST_LIST}"));
    let err = env.refuse(&["submit", SLUG, "--as", "suzanne-example"]);
    assert!(err.contains("[empty-list]"), "{err}");
    let lint = env.run(&["lint", SLUG]);
    assert_eq!(lint.code, 1, "{}", lint.stdout);
    let check = env.run(&["check", "--lint", "--json"]);
    assert_eq!(check.code, 1);
    let report = json(&check.stdout);
    let codes: Vec<&str> = report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(|p| p["code"].as_str())
        .collect();
    assert!(codes.contains(&"empty-list"), "{codes:?}");
    assert!(codes.contains(&"roster-unrecorded"), "{codes:?}");
    let _ = (ANA, ROSA);
}

/// `check --lint` fails on an error in any article's working text and counts each
/// article; `status --json` carries the same counts.
#[test]
fn check_lint_and_status_count_the_findings() {
    let env = TestEnv::seeded();
    env.write(
        ARTICLE,
        &format!("{FRONT}{LOST_LIST}\nAbout 20 percent of people have it.\n"),
    );
    let check = env.run(&["check", "--lint"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check.stdout.contains(":9:87: error: this announces a list"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("[unsourced-claim]"),
        "{}",
        check.stdout
    );
    assert!(
        check
            .stderr
            .contains("Editorial check of 1 article: 1 error, 1 warning."),
        "{}",
        check.stderr
    );
    let report = json(&env.run(&["check", "--lint", "--json"]).stdout);
    assert_eq!(report["lint"][0]["slug"], SLUG);
    assert_eq!(report["lint"][0]["errors"], 1);
    let status = json(&env.ok(&["status", "--json"]).stdout);
    assert_eq!(
        status["articles"][0]["lint"],
        serde_json::json!({"errors": 1, "warnings": 1})
    );
    // Without --lint, check is the record's check only.
    env.ok(&["check"]);
}

/// Attack: a statistic "cited" by a link to nowhere (`#`), or hidden with a
/// zero-width space inside the number, is still unsourced.
#[test]
fn a_link_to_nowhere_is_no_citation() {
    let env = TestEnv::seeded();
    env.write(
        ARTICLE,
        &format!("{FRONT}About 20 percent of people [have it](#top).\n\nAbout 2\u{200b}0 percent of people nap.\n\nAbout 20 percent of people [snore](https://www.cdc.gov/sleep).\n"),
    );
    let out = json(&env.run(&["lint", SLUG, "--json"]).stdout);
    let lines: Vec<u64> = out["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(|p| p["code"] == "unsourced-claim")
        .filter_map(|p| p["line"].as_u64())
        .collect();
    assert_eq!(lines, vec![9, 11]);
}
