//! `status` (table, detail, `--json`) and `log` (text, `--json`) over realistic histories.

use serde_json::{Value, json};

use crate::common::FIXED;
use crate::common::{ARTICLE, NEXT_DAY, SLUG, START, TestEnv, json};

/// A workspace with one article in each state (at 2025-03-20):
/// her2-treatment approved at r1 with r2 in review, flu-vaccine sent back,
/// knee-pain approved, statins withdrawn, sleep-and-blood-pressure a draft.
fn newsroom() -> TestEnv {
    let mut env = TestEnv::approved();
    let article = |env: &TestEnv, slug: &str, title: &str, body: &str| {
        env.ok(&["new", slug, "--title", title, "--writer", "suzanne-example"]);
        env.append(&format!("articles/{slug}/article.md"), body);
    };
    env.set_now("2025-03-05T09:00:00-05:00");
    article(
        &env,
        "flu-vaccine",
        "Who Should Get a Flu Shot",
        "Almost everyone over six months.\n",
    );
    article(
        &env,
        "knee-pain",
        "Knee Pain After Running",
        "Rest, ice and a slower return.\n",
    );
    article(
        &env,
        "statins",
        "What Statins Do",
        "They lower LDL cholesterol.\n",
    );
    article(
        &env,
        "sleep-and-blood-pressure",
        "How Sleep Affects Your Blood Pressure",
        "Short sleep raises it.\n",
    );
    for slug in ["flu-vaccine", "knee-pain", "statins"] {
        env.ok(&["submit", slug, "--as", "suzanne-example"]);
    }
    env.set_now("2025-03-10T11:30:00-04:00");
    env.ok(&[
        "request-changes",
        "flu-vaccine",
        "--as",
        "david-okafor",
        "-m",
        "Mention egg allergy.",
    ]);
    env.ok(&["approve", "knee-pain", "--as", "david-okafor"]);
    env.ok(&["approve", "statins", "--as", "ana-example"]);
    env.set_now("2025-03-12T08:00:00-04:00");
    env.ok(&[
        "withdraw",
        "statins",
        "--as",
        "david-okafor",
        "-m",
        "New trial results.",
    ]);
    env.append(ARTICLE, "\n## 3. Side effects are usually manageable\n");
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "-m",
        "Added side effects.",
    ]);
    env.set_now("2025-03-20T12:00:00-04:00");
    env
}

#[test]
fn the_status_table_shows_every_state_and_what_is_publishable() {
    let mut env = newsroom();
    let run = env.ok(&["status"]);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!(run.stdout, @"
    ARTICLE                   STATE              LATEST      CHANGE     PUBLISHABLE  REVIEWER     LAST SIGN-OFF
    flu-vaccine               changes-requested  r1 a54b187  +12 -0     -            -            changes-requested by david-okafor, 2025-03-10
    her2-treatment            in-review          r2 76319c7  +7 -0      r1 a02ddc2   ana-example  submitted by suzanne-example, 2025-03-12
    knee-pain                 approved           r1 5a0c788  +11 -0     r1 5a0c788   -            approved by david-okafor, 2025-03-10
    sleep-and-blood-pressure  draft*             -           -          -            -            -
    statins                   withdrawn          r1 62a1b2b  +8 -0      -            -            withdrawn by david-okafor, 2025-03-12
    * the working tree has edits not yet submitted
    ");

    // Thirteen months later the approvals are due for re-review; the rest is unchanged.
    env.set_now("2026-04-20T12:00:00-04:00");
    insta::assert_snapshot!(env.ok(&["status"]).stdout, @"
    ARTICLE                   STATE              LATEST      CHANGE     PUBLISHABLE  REVIEWER     LAST SIGN-OFF
    flu-vaccine               changes-requested  r1 a54b187  +12 -0     -            -            changes-requested by david-okafor, 2025-03-10
    her2-treatment            in-review          r2 76319c7  +7 -0      r1 a02ddc2   ana-example  submitted by suzanne-example, 2025-03-12
    knee-pain                 re-review-due      r1 5a0c788  +11 -0     r1 5a0c788   -            approved by david-okafor, 2025-03-10
    sleep-and-blood-pressure  draft*             -           -          -            -            -
    statins                   withdrawn          r1 62a1b2b  +8 -0      -            -            withdrawn by david-okafor, 2025-03-12
    * the working tree has edits not yet submitted
    ");
}

#[test]
fn status_json_lists_every_article_with_a_stable_shape() {
    let env = newsroom();
    let status = json(&env.ok(&["status", "--json"]).stdout);
    let articles = status["articles"].as_array().expect("articles");
    let slugs: Vec<&str> = articles.iter().filter_map(|a| a["slug"].as_str()).collect();
    assert_eq!(
        slugs,
        [
            "flu-vaccine",
            "her2-treatment",
            "knee-pain",
            "sleep-and-blood-pressure",
            "statins"
        ]
    );
    let states: Vec<&str> = articles
        .iter()
        .filter_map(|a| a["state"].as_str())
        .collect();
    assert_eq!(
        states,
        [
            "changes-requested",
            "in-review",
            "approved",
            "draft",
            "withdrawn"
        ]
    );
    assert_eq!(status["problems"], json!([]));

    let her2 = &articles[1];
    let r2 = env.hash_object(ARTICLE);
    let first_submit = env.git(&["rev-parse", ":/^submit her2-treatment r1"]);
    let r1 = env.git(&["rev-parse", &format!("{}:{ARTICLE}", first_submit.trim())]);
    let approval = env
        .entries(SLUG)
        .into_iter()
        .map(|(id, _)| id)
        .find(|id| id.contains("-approved-"))
        .expect("the approval");
    assert_eq!(
        her2,
        &json!({
            "slug": "her2-treatment",
            "title": "Six Things to Know About HER2-Positive Breast Cancer Treatment",
            "state": "in-review",
            "unsubmitted_edits": false,
            "latest": {
                "number": 2,
                "id": r2,
                "submitted_by": "suzanne-example",
                "submitted_at": "2025-03-12T08:00:00-04:00",
                "change": {"words_added": 7, "words_removed": 0},
            },
            "publishable": {
                "revision": {
                    "number": 1,
                    "id": r1.trim(),
                    "submitted_by": "suzanne-example",
                    "submitted_at": START,
                    "change": null,
                },
                "approved_by": ["ana-example"],
                "recertified_by": [],
                "approved_at": NEXT_DAY,
                "reviewed_at": NEXT_DAY,
                "due_at": "2026-03-04T09:00:00-05:00",
                "approvals": [
                    {"by": "ana-example", "at": NEXT_DAY, "recorded_by": null,
                     "meaning": "medical-accuracy", "name": "Ana Example", "credentials": "M.D.",
                     "entry": approval, "public_key": null},
                ],
            },
            "last": {"action": "submitted", "by": "suzanne-example", "at": "2025-03-12T08:00:00-04:00", "clock": "MEDREVIEW_NOW"},
            "conflicts": [],
            "writer": "suzanne-example",
            "reviewer": "ana-example",
            "topic": "oncology",
            "open_request": null,
            "decisions": [
                {"by": "ana-example", "action": "approved", "revision": 1, "at": NEXT_DAY},
            ],
            "threads": {"open": 0, "resolved": 0, "awaiting_writer": 0, "by_author": []},
            "needs": [{"meaning": "medical-accuracy", "count": 1, "by": []}],
            "missing": "needs one medical-accuracy approval",
            "lint": {"errors": 0, "warnings": 0},
        })
    );
}

#[test]
fn status_of_an_empty_workspace_says_how_to_start() {
    let env = TestEnv::new();
    let run = env.ok(&["status"]);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr
            .contains("No articles yet. Start one with `medreview new SLUG"),
        "{}",
        run.stderr
    );
    let status = json(&env.ok(&["status", "--json"]).stdout);
    // No remote-tracking ref: `remote` is null.
    assert_eq!(
        status,
        json!({"articles": [], "problems": [], "remote": null})
    );
}

#[test]
fn status_lists_the_readable_articles_and_reports_the_rest_with_exit_1() {
    let env = TestEnv::seeded();
    std::fs::create_dir_all(env.root().join("articles/Old_Draft")).expect("create folder");
    let run = env.run(&["status"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("her2-treatment  draft*"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("Error: article folder name \"Old_Draft\" is not valid: it contains the capital letter 'O'"),
        "{}",
        run.stderr
    );
    let run = env.run(&["status", "--json"]);
    assert_eq!(run.code, 1);
    let status = json(&run.stdout);
    assert_eq!(status["articles"][0]["slug"], SLUG);
    assert!(
        status["problems"][0]["message"]
            .as_str()
            .is_some_and(|e| e.contains("\"Old_Draft\"")),
        "{status}"
    );
}

#[test]
fn status_of_one_unknown_article_is_refused() {
    let env = TestEnv::seeded();
    let err = env.refuse(&["status", "flu-vaccine"]);
    assert!(err.contains("there is no article flu-vaccine"), "{err}");
    let err = env.refuse(&["log", "flu-vaccine"]);
    assert!(err.contains("there is no article flu-vaccine"), "{err}");
}

#[test]
fn log_lists_every_sign_off_with_names_notes_and_revisions() {
    let mut env = TestEnv::seeded();
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "-m",
        "First draft.",
    ]);
    env.set_now(NEXT_DAY);
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Two things:\n- name the trial\n- say how long treatment lasts",
    ]);
    env.append(
        ARTICLE,
        "\nTreatment usually lasts a year (KATHERINE trial).\n",
    );
    env.set_now("2025-03-05T14:30:00-05:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now("2025-03-06T08:15:00-05:00");
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Thanks, accurate now.",
    ]);
    env.append(ARTICLE, "\nAn edit nobody has reviewed.\n");

    // The multi-line note is stored as YAML the record can read back.
    let request = env.read(&env.signoff_path(SLUG, "changes-requested"));
    assert!(
        request.contains(
            "note: |-\n  Two things:\n  - name the trial\n  - say how long treatment lasts\n"
        ),
        "{request}"
    );
    let run = env.ok(&["log", SLUG]);
    insta::assert_snapshot!(run.stdout, @"
    her2-treatment: Six Things to Know About HER2-Positive Breast Cancer Treatment
    2025-03-03 10:12 -05:00*  r1 a02ddc2  submitted by Suzanne Example (suzanne-example)
        (114 words)
        First draft.
    2025-03-04 09:00 -05:00*  r1 a02ddc2  changes-requested by Ana Example (ana-example)
        Two things:
        - name the trial
        - say how long treatment lasts
    2025-03-05 14:30 -05:00*  r2 b831253  submitted by Suzanne Example (suzanne-example)
        (7 words added, 0 removed since r1)
    2025-03-06 08:15 -05:00*  r2 b831253  approved by Ana Example (ana-example)
        meaning: medical-accuracy (signed as Ana Example, M.D.)
        Thanks, accurate now.
    now: approved; publishable: r2 b831253
    the working tree has edits not yet submitted
    * time set by MEDREVIEW_NOW, not the system clock (an import, a demo or a backdated entry)
    ");
}

#[test]
fn log_of_a_draft_says_it_was_never_submitted() {
    let env = TestEnv::seeded();
    let log = env.ok(&["log", SLUG]).stdout;
    assert_eq!(
        log,
        "her2-treatment: Six Things to Know About HER2-Positive Breast Cancer Treatment\n  \
         never submitted (draft)\n\
         now: draft; nothing publishable\n\
         the working tree has edits not yet submitted\n"
    );
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    assert_eq!(log["state"], "draft");
    assert_eq!(log["revisions"], json!([]));
    assert_eq!(log["entries"], json!([]));
}

#[test]
fn log_json_lists_revisions_and_entries() {
    let mut env = TestEnv::approved();
    let r1 = env.hash_object(ARTICLE);
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&[
        "withdraw",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Superseded.",
    ]);
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    assert_eq!(log["slug"], SLUG);
    assert_eq!(log["state"], "withdrawn");
    assert_eq!(log["publishable"], Value::Null);
    assert_eq!(
        log["revisions"],
        json!([{"number": 1, "id": r1, "submitted_by": "suzanne-example", "submitted_at": START, "change": {"words_added": 114, "words_removed": 0}}])
    );
    let ids: Vec<String> = env.entries(SLUG).into_iter().map(|(id, _)| id).collect();
    let entry = |i: usize, action: &str, by: &str, at: &str, note: &str, why: Value| {
        let after: Vec<&String> = ids[..i].iter().rev().take(1).collect();
        let mut entry = json!({
            "id": ids[i], "after": after,
            "action": action, "by": by, "at": at, "revision": r1, "revision_number": 1,
            "note": note, "signed": false, "recorded_by": null, "clock": "MEDREVIEW_NOW",
            "does_not_count": why,
        });
        // What an approval means, and the printed name it signed.
        if action == "approved" {
            entry["meaning"] = json!("medical-accuracy");
            entry["name"] = json!("Ana Example");
            entry["credentials"] = json!("M.D.");
        }
        entry
    };
    assert_eq!(
        log["entries"],
        json!([
            entry(
                0,
                "submitted",
                "suzanne-example",
                START,
                "First draft.",
                Value::Null
            ),
            entry(
                1,
                "approved",
                "ana-example",
                NEXT_DAY,
                "Accurate and clear.",
                json!("it was withdrawn afterwards (withdrawn by david-okafor)")
            ),
            entry(
                2,
                "withdrawn",
                "david-okafor",
                "2025-03-05T09:00:00-05:00",
                "Superseded.",
                Value::Null
            ),
        ])
    );
}

#[test]
fn log_explains_an_approval_that_no_longer_counts() {
    let env = TestEnv::approved();
    // The license on file is corrected: it had lapsed before the approval was given.
    let reviewer = env
        .read("reviewers/ana-example.yaml")
        .replace("expires: 2027-06-30", "expires: 2025-02-28");
    env.write("reviewers/ana-example.yaml", &reviewer);
    env.git(&["commit", "-q", "-am", "Correct Ana's license expiry"]);

    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "in-review");
    assert_eq!(status["articles"][0]["publishable"], Value::Null);
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.contains(
            "approved by Ana Example (ana-example)\n    \
             meaning: medical-accuracy (signed as Ana Example, M.D.)\n    \
             (does not count: ana-example's license expired on 2025-02-28, before this approval)\n"
        ),
        "{log}"
    );
    assert!(
        log.ends_with(&format!("now: in-review; nothing publishable\n{FIXED}")),
        "{log}"
    );
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    assert_eq!(
        log["entries"][1]["does_not_count"],
        "ana-example's license expired on 2025-02-28, before this approval"
    );
}

#[test]
fn notes_are_recorded_exactly_as_written() {
    let mut env = TestEnv::seeded();
    let notes = [
        "yes",
        "null",
        "~",
        "2025-03-03",
        "#not a comment",
        "  leading spaces",
        "tab\tinside",
        "quote \" and ' marks: and a colon",
        "Café, naïve, 🙂",
        "line one\n  indented line two\n",
    ];
    for (i, note) in notes.iter().enumerate() {
        env.append(ARTICLE, &format!("\nEdit {i}.\n"));
        env.set_now(&format!("2025-03-{:02}T09:00:00-05:00", i + 3));
        env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", note]);
    }
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let recorded: Vec<&str> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["note"].as_str())
        .collect();
    assert_eq!(recorded, notes);
}

#[test]
/// Regression: `status` says "No articles yet" when every article folder fails to load, though it reports them as errors right after
fn status_does_not_claim_there_are_no_articles_when_some_cannot_be_read() {
    let env = TestEnv::new();
    env.write("articles/flu-vaccine/article.md", "no front matter here\n");
    let run = env.run(&["status"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "flu-vaccine/article.md:1: the article does not start with YAML front matter"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("No articles yet"), "{}", run.stderr);
}

#[test]
fn status_falls_back_to_the_submitted_title_when_the_working_text_is_broken() {
    let env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.write(ARTICLE, "---\ntitle: [unfinished\n");
    let status = json(&env.ok(&["status", "--json"]).stdout);
    assert_eq!(
        status["articles"][0]["title"],
        "Six Things to Know About HER2-Positive Breast Cancer Treatment"
    );
    assert_eq!(status["articles"][0]["state"], "in-review");
    assert_eq!(status["articles"][0]["unsubmitted_edits"], true);
}

#[test]
fn status_due_lists_overdue_approvals_and_still_reports_unreadable_articles() {
    let mut env = TestEnv::approved();
    assert!(
        env.ok(&["status", "--due"]).stdout.is_empty(),
        "nothing is due yet"
    );
    env.set_now("2026-04-01T09:00:00-04:00");
    env.write("articles/broken/article.md", "no front matter\n");
    let run = env.run(&["status", "--due"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("her2-treatment  re-review-due"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("2026-03-04"),
        "the due date: {}",
        run.stdout
    );
    // Regression: `status --due` used to drop the errors of unreadable articles.
    assert!(run.stderr.contains("broken/article.md:1"), "{}", run.stderr);
}
