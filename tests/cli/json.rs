//! `--json` on the commands that record, compare, publish and check: stable shapes,
//! and one problem shape for errors everywhere.

use crate::common::{NEXT_DAY, SLUG, TestEnv, json};

#[test]
fn a_sign_off_prints_what_it_recorded() {
    let env = TestEnv::seeded();
    let run = env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "-m",
        "First.",
        "--json",
    ]);
    let mut out = json(&run.stdout);
    for volatile in ["commit", "entry", "revision_id"] {
        assert!(
            out[volatile].as_str().is_some_and(|s| s.len() >= 12),
            "{volatile}: {out}"
        );
        out[volatile] = "[id]".into();
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&out).expect("json"), @r#"
    {
      "action": "submitted",
      "commit": "[id]",
      "entry": "[id]",
      "revision": "r1",
      "revision_id": "[id]",
      "slug": "her2-treatment",
      "state": "in-review",
      "sync_error": null,
      "synced": false,
      "warnings": []
    }
    "#);
    assert_eq!(
        json(&env.ok(&["status", "--json"]).stdout)["articles"][0]["state"],
        "in-review"
    );
}

#[test]
fn a_refusal_with_json_prints_the_problem_on_stdout() {
    let env = TestEnv::seeded();
    let run = env.run(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--revision",
        "r1",
        "--json",
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r#"
    {
      "error": {
        "code": "no-submitted-revision",
        "file": null,
        "line": null,
        "commit": null,
        "message": "her2-treatment has no submitted revision yet (the writer submits it first: `medreview submit her2-treatment --as WRITER`)"
      }
    }
    "#);
    // The same five keys as a problem `check --json` lists.
    env.write(
        &format!("{}/notes.txt", crate::common::SIGNOFFS),
        "hand-made\n",
    );
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "notes"]);
    let check = env.run(&["check", "--json"]);
    assert_eq!(check.code, 1);
    let problem = &json(&check.stdout)["problems"][0];
    let keys: Vec<&String> = problem.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["code", "commit", "file", "line", "message"]);
}

#[test]
fn publish_json_lists_the_pages_and_what_was_left_out() {
    let mut env = TestEnv::approved();
    env.set_now(NEXT_DAY);
    env.ok(&[
        "new",
        "flu-shot",
        "--title",
        "The Flu Shot",
        "--writer",
        "suzanne-example",
    ]);
    let out = env.outside("public");
    let run = env.ok(&["publish", "--out", out.to_str().expect("utf-8"), "--json"]);
    let doc = json(&run.stdout);
    assert_eq!(doc["articles"][0]["slug"], SLUG);
    assert_eq!(doc["articles"][0]["revision_number"], 1);
    assert_eq!(doc["skipped"][0]["slug"], "flu-shot");
    assert_eq!(doc["skipped"][0]["state"], "draft");
    assert!(doc["tag"].is_null());
    assert_eq!(doc["commit"].as_str().map(str::len), Some(40));
}
