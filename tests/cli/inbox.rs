//! `inbox` and `status --mine`: what waits on a reviewer and on a writer, oldest
//! first; and `status` showing the assigned reviewer and the open request for changes.

use crate::common::{ARTICLE, Run, SLUG, TestEnv, json};

/// Exit code, stdout and stderr in one text, for snapshots.
fn shown(run: &Run) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    )
}

/// Starts article `slug` by suzanne-example, with a body, committed.
fn article(env: &TestEnv, slug: &str, title: &str, extra: &[&str], body: &str) {
    let mut args = vec!["new", slug, "--title", title, "--writer", "suzanne-example"];
    args.extend_from_slice(extra);
    env.ok(&args);
    env.append(&format!("articles/{slug}/article.md"), body);
}

/// A workspace at 2026-02-20 where ana-example (oncology) has one of each kind of
/// work, david-okafor (cardiology) has his own, and suzanne-example writes them all:
/// - her2-treatment: approved by ana on 2025-03-04, re-review due 2026-03-04,
///   with edits in the working tree not yet submitted;
/// - mammogram: ana asked for changes on r1, r2 is new;
/// - breast-screening: oncology, no reviewer assigned;
/// - chemo-side-effects: assigned to ana;
/// - statins: assigned to david, cardiology;
/// - flu-vaccine: sent back by david;
/// - sleep: a draft never submitted.
fn clinic() -> TestEnv {
    let mut env = TestEnv::approved();
    env.set_now("2025-04-01T09:00:00-04:00");
    let onc = ["--topic", "oncology"];
    article(
        &env,
        "mammogram",
        "When to Get a Mammogram",
        &["--reviewer", "ana-example", "--topic", "oncology"],
        "Talk to your doctor at 40.\n",
    );
    article(
        &env,
        "breast-screening",
        "Breast Screening Basics",
        &onc,
        "Screening finds cancer early.\n",
    );
    article(
        &env,
        "chemo-side-effects",
        "Chemotherapy Side Effects",
        &["--reviewer", "ana-example", "--topic", "oncology"],
        "Nausea can be treated.\n",
    );
    article(
        &env,
        "statins",
        "What Statins Do",
        &["--reviewer", "david-okafor", "--topic", "cardiology"],
        "They lower LDL cholesterol.\n",
    );
    article(
        &env,
        "flu-vaccine",
        "Who Should Get a Flu Shot",
        &[],
        "Almost everyone over six months.\n",
    );
    article(
        &env,
        "sleep",
        "How Sleep Affects Your Blood Pressure",
        &[],
        "Short sleep raises it.\n",
    );
    env.ok(&["submit", "mammogram", "--as", "suzanne-example"]);
    env.set_now("2025-04-02T09:00:00-04:00");
    env.ok(&[
        "request-changes",
        "mammogram",
        "--as",
        "ana-example",
        "-m",
        "Say when to start.",
    ]);
    env.set_now("2025-04-10T09:00:00-04:00");
    env.append(
        "articles/mammogram/article.md",
        "Start at 40, every two years.\n",
    );
    env.ok(&["submit", "mammogram", "--as", "suzanne-example"]);
    env.set_now("2025-05-01T09:00:00-04:00");
    env.ok(&["submit", "breast-screening", "--as", "suzanne-example"]);
    env.set_now("2025-06-01T09:00:00-04:00");
    env.ok(&["submit", "chemo-side-effects", "--as", "suzanne-example"]);
    env.set_now("2025-07-01T09:00:00-04:00");
    env.ok(&["submit", "statins", "--as", "suzanne-example"]);
    env.set_now("2025-08-01T09:00:00-04:00");
    env.ok(&["submit", "flu-vaccine", "--as", "suzanne-example"]);
    env.set_now("2025-08-02T09:00:00-04:00");
    env.ok(&[
        "request-changes",
        "flu-vaccine",
        "--as",
        "david-okafor",
        "-m",
        "Mention egg allergy.\nAnd the nasal spray.",
    ]);
    env.append(ARTICLE, "\n## 3. Side effects are usually manageable\n");
    env.set_now("2026-02-20T09:00:00-05:00");
    env
}

#[test]
fn a_reviewers_inbox_lists_assigned_specialty_answered_and_due_work_oldest_first() {
    let env = clinic();
    let run = env.run(&["inbox", "--as", "ana-example"]);
    insta::assert_snapshot!(shown(&run), @"
    exit 0
    --- stdout
    SINCE       ARTICLE             WHAT TO DO
    2025-04-10  mammogram           you asked for changes on r1; r2 is new; run `medreview diff mammogram`, then `medreview approve mammogram --revision r2`
    2025-05-01  breast-screening    r1 waits for a decision (in your specialty, oncology; no reviewer assigned); run `medreview diff breast-screening`, then `medreview approve breast-screening --revision r1`
    2025-06-01  chemo-side-effects  r1 waits for a decision (assigned to you); run `medreview diff chemo-side-effects`, then `medreview approve chemo-side-effects --revision r1`
    2026-03-04  her2-treatment      re-review of r1 due on 2026-03-04 (your approval of 2025-03-04); run `medreview diff her2-treatment`, then `medreview recertify her2-treatment -m NOTE`
    --- stderr
    ");
    // `status --mine` is the same command.
    let mine = env.run(&["status", "--mine", "--as", "ana-example"]);
    assert_eq!(shown(&mine), shown(&run));
    // Without --as: the roster member with git's user.email.
    env.git(&["config", "user.email", "ana@example.org"]);
    assert_eq!(shown(&env.run(&["inbox"])), shown(&run));
}

#[test]
fn the_other_reviewer_sees_only_his_own_work() {
    let env = clinic();
    insta::assert_snapshot!(shown(&env.run(&["inbox", "--as", "david-okafor"])), @"
    exit 0
    --- stdout
    SINCE       ARTICLE  WHAT TO DO
    2025-07-01  statins  r1 waits for a decision (assigned to you); run `medreview diff statins`, then `medreview approve statins --revision r1`
    --- stderr
    ");
}

#[test]
fn a_writers_inbox_lists_what_was_sent_back_and_what_is_not_submitted() {
    let env = clinic();
    insta::assert_snapshot!(shown(&env.run(&["inbox", "--as", "suzanne-example"])), @r#"
    exit 0
    --- stdout
    SINCE       ARTICLE         WHAT TO DO
    2025-03-03  her2-treatment  edits since r1 are not submitted; run `medreview submit her2-treatment -m NOTE`
    2025-08-02  flu-vaccine     david-okafor asked for changes on r1: "Mention egg allergy. And the nasal spray."; run `$EDITOR articles/flu-vaccine/article.md`, then `medreview submit flu-vaccine -m NOTE`
    -           sleep           a draft, never submitted; run `medreview submit sleep -m NOTE`
    --- stderr
    "#);
}

#[test]
fn inbox_json_has_a_stable_shape() {
    let env = clinic();
    let run = env.run(&["inbox", "--as", "ana-example", "--json"]);
    insta::assert_snapshot!(shown(&run), @r#"
    exit 0
    --- stdout
    {
      "me": "ana-example",
      "roles": [
        "reviewer"
      ],
      "items": [
        {
          "slug": "mammogram",
          "title": "When to Get a Mammogram",
          "kind": "answered",
          "what": "you asked for changes on r1; r2 is new",
          "revision": 2,
          "since": "2025-04-10T09:00:00-04:00",
          "commands": [
            "medreview diff mammogram",
            "medreview approve mammogram --revision r2"
          ],
          "open_threads": 0
        },
        {
          "slug": "breast-screening",
          "title": "Breast Screening Basics",
          "kind": "decide",
          "what": "r1 waits for a decision (in your specialty, oncology; no reviewer assigned)",
          "revision": 1,
          "since": "2025-05-01T09:00:00-04:00",
          "commands": [
            "medreview diff breast-screening",
            "medreview approve breast-screening --revision r1"
          ],
          "open_threads": 0
        },
        {
          "slug": "chemo-side-effects",
          "title": "Chemotherapy Side Effects",
          "kind": "decide",
          "what": "r1 waits for a decision (assigned to you)",
          "revision": 1,
          "since": "2025-06-01T09:00:00-04:00",
          "commands": [
            "medreview diff chemo-side-effects",
            "medreview approve chemo-side-effects --revision r1"
          ],
          "open_threads": 0
        },
        {
          "slug": "her2-treatment",
          "title": "Six Things to Know About HER2-Positive Breast Cancer Treatment",
          "kind": "re-review",
          "what": "re-review of r1 due on 2026-03-04 (your approval of 2025-03-04)",
          "revision": 1,
          "since": "2026-03-04T09:00:00-05:00",
          "commands": [
            "medreview diff her2-treatment",
            "medreview recertify her2-treatment -m NOTE"
          ],
          "open_threads": 0
        }
      ],
      "problems": []
    }
    --- stderr
    "#);
    let mine = env.run(&["status", "--mine", "--as", "ana-example", "--json"]);
    assert_eq!(mine.stdout, run.stdout);
}

#[test]
fn an_empty_inbox_says_so() {
    let env = TestEnv::seeded();
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "body"]);
    insta::assert_snapshot!(shown(&env.run(&["inbox", "--as", "ana-example"])), @"
    exit 0
    --- stdout
    --- stderr
    Nothing waits on ana-example.
    ");
    insta::assert_snapshot!(shown(&env.run(&["inbox", "--as", "ana-example", "--json"])), @r#"
    exit 0
    --- stdout
    {
      "me": "ana-example",
      "roles": [
        "reviewer"
      ],
      "items": [],
      "problems": []
    }
    --- stderr
    "#);
}

#[test]
fn someone_not_on_the_roster_is_told_how_to_say_who_they_are() {
    let env = clinic();
    // git's user.email is runner@example.org, who is on no roster file.
    insta::assert_snapshot!(shown(&env.run(&["inbox"])), @"
    exit 1
    --- stdout
    --- stderr
    Error: no one on the roster has the email runner@example.org (git's user.email)
    Hint: set `git config user.email` to the email in your writers/ or reviewers/ file, or pass --as ID
    Code: unknown-identity
    ");
    insta::assert_snapshot!(shown(&env.run(&["status", "--mine", "--as", "nobody"])), @"
    exit 1
    --- stdout
    --- stderr
    Error: nobody is not on the roster (writers/ or reviewers/, as committed)
    Hint: pass --as with a roster id; `medreview whoami` says who git says you are
    Code: unknown-person
    ");
    // --as belongs to --mine.
    let run = env.run(&["status", "--as", "ana-example"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn an_article_assigned_to_a_retired_reviewer_goes_to_the_specialty() {
    let env = clinic();
    env.ok(&["reviewer", "retire", "david-okafor"]);
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--specialty",
        "oncology",
        "--specialty",
        "cardiology",
    ]);
    let run = env.ok(&["inbox", "--as", "ana-example"]);
    let statins: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("statins"))
        .collect();
    insta::assert_snapshot!(statins.join("\n"), @"2025-07-01  statins             r1 waits for a decision (in your specialty, cardiology; david-okafor cannot review it); run `medreview diff statins`, then `medreview approve statins --revision r1`");
    let david = env.run(&["inbox", "--as", "david-okafor"]);
    insta::assert_snapshot!(shown(&david), @"
    exit 0
    --- stdout
    --- stderr
    Nothing waits on david-okafor.
    ");
}

#[test]
fn status_shows_the_assigned_reviewer_and_the_open_request_for_changes() {
    let env = clinic();
    insta::assert_snapshot!(shown(&env.run(&["status"])), @"
    exit 0
    --- stdout
    ARTICLE             STATE              LATEST      CHANGE     PUBLISHABLE  REVIEWER      LAST SIGN-OFF
    breast-screening    in-review          r1 ec47952  +9 -0      -            -             submitted by suzanne-example, 2025-05-01
    chemo-side-effects  in-review          r1 ecf29d2  +10 -0     -            ana-example   submitted by suzanne-example, 2025-06-01
    flu-vaccine         changes-requested  r1 a54b187  +12 -0     -            -             changes-requested by david-okafor, 2025-08-02
    her2-treatment      approved*          r1 a02ddc2  +114 -0    r1 a02ddc2   ana-example   approved by ana-example, 2025-03-04
    mammogram           in-review          r2 3b5458c  +6 -0      -            ana-example   submitted by suzanne-example, 2025-04-10
    sleep               draft*             -           -          -            -             -
    statins             in-review          r1 d82c7d3  +10 -0     -            david-okafor  submitted by suzanne-example, 2025-07-01
    * the working tree has edits not yet submitted
    --- stderr
    ");
    insta::assert_snapshot!(shown(&env.run(&["status", "flu-vaccine"])), @"
    exit 0
    --- stdout
    flu-vaccine: Who Should Get a Flu Shot
      state:        changes-requested
      reviewer:     none assigned
      latest:       r1 a54b187 submitted by suzanne-example on 2025-08-01 09:00 -04:00 (+12 -0 words)
      sent back:    r1 by david-okafor on 2025-08-02 09:00 -04:00
      note:         Mention egg allergy.
                    And the nasal spray.
      publishable:  nothing
      working tree: same as the latest revision
    --- stderr
    ");
    insta::assert_snapshot!(shown(&env.run(&["status", "statins"])), @"
    exit 0
    --- stdout
    statins: What Statins Do
      state:        in-review
      reviewer:     david-okafor
      latest:       r1 d82c7d3 submitted by suzanne-example on 2025-07-01 09:00 -04:00 (+10 -0 words)
      publishable:  nothing
      working tree: same as the latest revision
    --- stderr
    ");
    let json = crate::common::json(&env.ok(&["status", "flu-vaccine", "--json"]).stdout);
    let a = &json["articles"][0];
    assert_eq!(a["reviewer"], serde_json::Value::Null);
    assert_eq!(a["writer"], "suzanne-example");
    assert_eq!(
        a["open_request"],
        serde_json::json!({"by": "david-okafor", "revision": 1, "at": "2025-08-02T09:00:00-04:00",
                           "note": "Mention egg allergy.\nAnd the nasal spray."})
    );
    let json = crate::common::json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(json["articles"][0]["reviewer"], "ana-example");
    assert_eq!(json["articles"][0]["open_request"], serde_json::Value::Null);
}

/// Issue 26: a publisher's inbox says what was approved since the last
/// publication, which published page is overdue for re-review, and whose license
/// ends soon; publishing takes the first away.
#[test]
fn a_publisher_sees_new_approvals_overdue_re_reviews_and_ending_licenses() {
    let mut env = TestEnv::approved();
    env.ok(&[
        "writer",
        "add",
        "rosa-editor",
        "--name",
        "Rosa Editor",
        "--email",
        "runner@example.org",
    ]);
    env.ok(&["publisher", "add", "rosa-editor"]);
    let run = env.ok(&["inbox"]);
    assert!(
        run.stdout
            .contains("r1 approved on 2025-03-04 09:00 -05:00; nothing was published yet"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("`medreview publish --out public --as rosa-editor`")
    );
    assert!(!run.stdout.contains("license"), "{}", run.stdout);

    // Two years on: the page is overdue, Ana's license ends within 60 days.
    env.set_now("2027-05-15T09:00:00-04:00");
    let run = env.ok(&["inbox", "--json"]);
    let items = json(&run.stdout)["items"].clone();
    let kinds: Vec<&str> = items
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["publish", "overdue", "license"], "{items}");
    let license = &items[2];
    assert_eq!(license["slug"], "ana-example");
    assert!(
        license["what"]
            .as_str()
            .is_some_and(|w| w.contains("the license of Ana Example ends on 2027-06-30")),
        "{license}"
    );

    // Publishing records the publication: nothing new to publish.
    let out = env.outside("public");
    env.ok(&[
        "publish",
        "--out",
        out.to_str().expect("utf-8 path"),
        "--as",
        "rosa-editor",
    ]);
    let run = env.ok(&["inbox", "--json"]);
    assert!(!run.stdout.contains("\"publish\""), "{}", run.stdout);
    assert!(run.stdout.contains("\"overdue\""), "{}", run.stdout);
}
