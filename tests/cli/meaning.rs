//! What a signature means and who must give it (issue 24, items 5 and 6): each
//! approval signs its meaning with the printed name and credentials of its time,
//! shown in the log, the redline, the manifest and the page's JSON-LD; and review
//! rules by topic, judged in one place so status, inbox, publish and check agree.

use crate::common::{ARTICLE, NEXT_DAY, SLUG, TestEnv, fixture, json, public_key, ssh_keygen};

/// The oncology rule of issue 24: one medical-accuracy approval by an oncologist
/// and one fact-check, as `config set` takes it (YAML flow style).
const ONCOLOGY_RULE: &str = "[{topic: oncology, require: [{meaning: medical-accuracy, specialty: oncology}, {meaning: fact-check}]}]";

/// The seeded workspace, with fact-check among the meanings (set by `config
/// set`, a list) and a fact-checker and a second oncologist on the roster.
fn with_meanings() -> TestEnv {
    let env = TestEnv::seeded();
    env.ok(&[
        "config",
        "set",
        "review.meanings",
        "[medical-accuracy, fact-check]",
    ]);
    env.ok(&[
        "reviewer",
        "add",
        "fred-checker",
        "--name",
        "Fred Checker",
        "--credentials",
        "M.A.",
        "--email",
        "fred@example.org",
    ]);
    env.ok(&[
        "reviewer",
        "add",
        "olga-onc",
        "--name",
        "Olga Onc",
        "--credentials",
        "M.D.",
        "--specialty",
        "oncology",
        "--email",
        "olga@example.org",
    ]);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "article"]);
    env
}

/// `with_meanings`, her2-treatment (topic oncology) submitted, then approved by
/// ana-example and fact-checked by fred-checker.
fn approved_and_checked() -> TestEnv {
    let mut env = with_meanings();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example", "--revision", "r1"]);
    env.set_now("2025-03-04T10:30:00-05:00");
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "fred-checker",
        "--revision",
        "r1",
        "--meaning",
        "fact-check",
    ]);
    env
}

fn state(env: &TestEnv) -> String {
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    status["articles"][0]["state"]
        .as_str()
        .expect("a state")
        .to_owned()
}

/// Publishes into a fresh folder; returns the manifest and the page (if written).
fn publish(env: &TestEnv, name: &str) -> (serde_json::Value, Option<String>) {
    let out = env.outside(name);
    env.ok(&["publish", "--out", out.to_str().expect("utf-8")]);
    let manifest = json(&std::fs::read_to_string(out.join("manifest.json")).expect("manifest"));
    let page = std::fs::read_to_string(out.join(format!("{SLUG}.html"))).ok();
    (manifest, page)
}

/// The JSON-LD document of a published page.
fn json_ld(page: &str) -> serde_json::Value {
    let start = page
        .find("<script type=\"application/ld+json\">")
        .expect("a JSON-LD script")
        + "<script type=\"application/ld+json\">".len();
    let end = start + page[start..].find("</script>").expect("its end");
    json(&page[start..end])
}

#[test]
fn an_approvals_meaning_name_and_credentials_are_recorded_and_shown_everywhere() {
    let env = approved_and_checked();
    assert_eq!(state(&env), "approved");
    // The entry file carries them.
    let approval = env.read(&env.signoff_path(SLUG, "approved-ana-example"));
    assert!(
        approval.contains("meaning: medical-accuracy\nname: Ana Example\ncredentials: M.D.\n"),
        "{approval}"
    );
    // log, text: the meaning and the name it printed, under each approval.
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.contains(
            "2025-03-04 09:00 -05:00*  r1 a02ddc2  approved by Ana Example (ana-example)\n    meaning: medical-accuracy (signed as Ana Example, M.D.)\n"
        ),
        "{log}"
    );
    assert!(
        log.contains("2025-03-04 10:30 -05:00*  r1 a02ddc2  approved by Fred Checker (fred-checker)\n    meaning: fact-check (signed as Fred Checker, M.A.)\n"),
        "{log}"
    );
    // log --json.
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let entries = log["entries"].as_array().expect("entries");
    let shown: Vec<(String, String, String, String)> = entries
        .iter()
        .filter(|e| e["action"] == "approved")
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (s("meaning"), s("name"), s("credentials"), s("at"))
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                "medical-accuracy".into(),
                "Ana Example".into(),
                "M.D.".into(),
                NEXT_DAY.into()
            ),
            (
                "fact-check".into(),
                "Fred Checker".into(),
                "M.A.".into(),
                "2025-03-04T10:30:00-05:00".into()
            )
        ]
    );
    assert!(entries[0].get("meaning").is_none(), "not on a submission");
    // status --json: each approval with its meaning.
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    let approvals = &status["articles"][0]["publishable"]["approvals"];
    assert_eq!(approvals[1]["meaning"], "fact-check", "{status}");
    assert_eq!(approvals[1]["credentials"], "M.A.", "{status}");
    // The HTML redline names each signature with its meaning, name and time.
    let html = env
        .ok(&["diff", SLUG, "r1", "r1", "--format", "html"])
        .stdout;
    assert!(
        html.contains("Signed: approved for medical-accuracy by Ana Example, M.D. (ana-example) on 2025-03-04 09:00 -05:00"),
        "{html}"
    );
    assert!(
        html.contains("Signed: approved for fact-check by Fred Checker, M.A. (fred-checker) on 2025-03-04 10:30 -05:00"),
        "{html}"
    );
    // manifest.json and the page.
    let (manifest, page) = publish(&env, "site");
    let article = &manifest["articles"][0];
    assert_eq!(article["reviewers"], serde_json::json!(["ana-example"]));
    assert_eq!(
        article["approvals"],
        serde_json::json!([
            {"by": "ana-example", "action": "approved", "meaning": "medical-accuracy",
             "name": "Ana Example", "credentials": "M.D.", "at": NEXT_DAY},
            {"by": "fred-checker", "action": "approved", "meaning": "fact-check",
             "name": "Fred Checker", "credentials": "M.A.", "at": "2025-03-04T10:30:00-05:00"}
        ])
    );
    let page = page.expect("published");
    // The byline names medical reviewers only; the fact-check has its own line.
    assert!(
        page.contains("Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a></span>"),
        "{page}"
    );
    assert!(
        page.contains(
            "<span class=\"part other-review\">Fact checked by <a class=\"reviewer-link\" href=\"reviewers/fred-checker.html\">Fred Checker, M.A.</a></span>"
        ),
        "{page}"
    );
    assert!(!page.contains("Medically reviewed by Fred"), "{page}");
    // JSON-LD: schema.org's Role in place of reviewedBy's Person, one per approval.
    let ld = json_ld(&page);
    assert_eq!(
        ld["reviewedBy"],
        serde_json::json!([
            {"@type": "Role", "roleName": "medical-accuracy", "startDate": NEXT_DAY,
             "reviewedBy": {"@type": "Person", "name": "Ana Example", "honorificSuffix": "M.D.", "knowsAbout": ["oncology"], "url": "reviewers/ana-example.html"}},
            {"@type": "Role", "roleName": "fact-check", "startDate": "2025-03-04T10:30:00-05:00",
             "reviewedBy": {"@type": "Person", "name": "Fred Checker", "honorificSuffix": "M.A.", "knowsAbout": [], "url": "reviewers/fred-checker.html"}}
        ])
    );
    assert_eq!(ld["lastReviewed"], "2025-03-04");
    // The fact-checker has a page too, which calls them a reviewer, not a medical one.
    let fred = std::fs::read_to_string(env.outside("site").join("reviewers/fred-checker.html"))
        .expect("fred-checker's page");
    assert!(fred.contains("<p class=\"role\">Reviewer</p>"), "{fred}");
    assert!(fred.contains("<span class=\"meta\">Fact check, "), "{fred}");
}

#[test]
fn a_signed_meaning_verifies_and_a_changed_one_does_not() {
    // ssh-keygen makes the signatures.
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = with_meanings();
    env.append(
        "reviewers/fred-checker.yaml",
        &format!("public_key: {}\n", public_key("ana_ed25519")),
    );
    env.git(&["commit", "-q", "-am", "a key"]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example", "--revision", "r1"]);
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "fred-checker",
        "--revision",
        "r1",
        "--meaning",
        "fact-check",
        "--key",
        fixture("ana_ed25519").to_str().expect("utf-8"),
    ]);
    let run = env.run(&["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let original = env.signoff_path(SLUG, "approved-fred-checker");
    let (_, mut entry) = env
        .entries(SLUG)
        .into_iter()
        .find(|(_, e)| e.by.as_str() == "fred-checker")
        .expect("the fact-check");
    assert!(entry.signature.is_some());
    assert_eq!(entry.meaning.as_deref(), Some("fact-check"));
    // The fact-check made into a medical review, saved under the name its new bytes
    // give: only the signature shows the change.
    entry.meaning = Some("medical-accuracy".into());
    env.git(&["rm", "-q", &original]);
    let forged = env.write_entry(SLUG, &entry);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "a medical review, now"]);
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let why = log["entries"][2]["does_not_count"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("does not match the entry"), "{log}");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(&format!(
            "{forged}: approved by fred-checker at {NEXT_DAY}: its signature does not verify"
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn an_unlisted_meaning_is_refused_and_one_written_by_hand_never_counts() {
    let mut env = with_meanings();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    let stderr = env.refuse(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--revision",
        "r1",
        "--meaning",
        "legal",
    ]);
    insta::assert_snapshot!(stderr, @r#"
    Error: an approval meaning legal would not count: review.meanings in medreview.yaml lists medical-accuracy, fact-check
    Hint: choose one of them with `--meaning medical-accuracy`; an admin adds a meaning with `medreview config set review.meanings "[medical-accuracy, fact-check, legal]"`
    Code: would-not-count
    "#);
    // Written by hand, it does not count, and says why.
    let (last, _) = env.entries(SLUG).pop().expect("the submission");
    let mut entry = env.entries(SLUG).pop().expect("the submission").1;
    entry.action = medreview_core::record::entry::Action::Approved;
    entry.by = medreview_core::ids::Id::parse("id", "ana-example").expect("id");
    entry.at = chrono::DateTime::parse_from_rfc3339(NEXT_DAY).expect("time");
    entry.after = vec![medreview_core::record::entry::EntryId::parse(&last).expect("id")];
    entry.meaning = Some("legal".into());
    env.write_entry(SLUG, &entry);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "a legal approval"]);
    assert_eq!(state(&env), "in-review");
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.contains("(does not count: it means legal, which review.meanings in medreview.yaml does not list (it lists medical-accuracy, fact-check))"),
        "{log}"
    );
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("the approval does not count: it means legal")
            && run.stdout.contains("[approval-policy]"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_rule_the_wrong_specialty_does_not_satisfy_holds_the_page_until_an_oncologist_and_a_fact_checker_approve()
 {
    let mut env = with_meanings();
    env.ok(&["config", "set", "review.rules", ONCOLOGY_RULE]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    // David is a cardiologist.
    env.ok(&["approve", SLUG, "--as", "david-okafor", "--revision", "r1"]);
    assert_eq!(state(&env), "in-review");
    let status = env.ok(&["status", SLUG]).stdout;
    assert!(
        status.contains("  review:       needs one medical-accuracy approval by a reviewer in oncology and one fact-check approval; has medical-accuracy by david-okafor\n"),
        "{status}"
    );
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    let article = &status["articles"][0];
    assert_eq!(
        article["missing"],
        "needs one medical-accuracy approval by a reviewer in oncology and one fact-check approval; has medical-accuracy by david-okafor"
    );
    assert_eq!(
        article["needs"],
        serde_json::json!([
            {"meaning": "medical-accuracy", "count": 1, "by": ["david-okafor"]},
            {"rule": "topic oncology", "meaning": "medical-accuracy", "specialty": "oncology", "count": 1, "by": []},
            {"rule": "topic oncology", "meaning": "fact-check", "count": 1, "by": []}
        ])
    );
    // publish leaves it out; check agrees the record is sound and nothing is publishable.
    let (manifest, page) = publish(&env, "site1");
    assert_eq!(manifest["articles"], serde_json::json!([]));
    assert!(page.is_none());
    let run = env.run(&["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // The inbox routes what is missing to who can give it: Olga, an oncologist
    // not assigned to it, and anyone for the fact-check.
    let inbox = env.ok(&["inbox", "--as", "olga-onc"]).stdout;
    assert!(
        inbox.contains("r1 waits for a decision (needs one medical-accuracy approval by a reviewer in oncology: ana-example, olga-onc); run `medreview diff her2-treatment`, then `medreview approve her2-treatment --revision r1`"),
        "{inbox}"
    );
    let inbox = env.ok(&["inbox", "--as", "fred-checker"]).stdout;
    assert!(
        inbox.contains("(needs one fact-check approval: ana-example, david-okafor, fred-checker, olga-onc); run `medreview diff her2-treatment`, then `medreview approve her2-treatment --revision r1 --meaning fact-check`"),
        "{inbox}"
    );
    // The writer is never routed to.
    let inbox = env.ok(&["inbox", "--as", "suzanne-example"]).stdout;
    assert!(!inbox.contains("waits for a decision"), "{inbox}");
    // The oncologist approves: the fact-check is still missing.
    env.ok(&["approve", SLUG, "--as", "olga-onc", "--revision", "r1"]);
    assert_eq!(state(&env), "in-review");
    let status = env.ok(&["status", SLUG]).stdout;
    assert!(
        status.contains("  review:       needs one fact-check approval; has medical-accuracy by david-okafor, medical-accuracy by olga-onc\n"),
        "{status}"
    );
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "fred-checker",
        "--revision",
        "r1",
        "--meaning",
        "fact-check",
    ]);
    assert_eq!(state(&env), "approved");
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["missing"], serde_json::Value::Null);
    let (manifest, page) = publish(&env, "site2");
    assert_eq!(manifest["articles"][0]["slug"], SLUG);
    let page = page.expect("published");
    assert!(
        page.contains("Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/david-okafor.html\">David Okafor, M.D., Ph.D.</a> and <a class=\"reviewer-link\" href=\"reviewers/olga-onc.html\">Olga Onc, M.D.</a></span>"),
        "{page}"
    );
    let run = env.run(&["check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn the_writer_moving_the_article_off_oncology_still_needs_the_oncologist() {
    let mut env = approved_and_checked();
    env.ok(&["config", "set", "review.rules", ONCOLOGY_RULE]);
    assert_eq!(state(&env), "approved", "ana is an oncologist");
    // The writer says r2 is about general health.
    let text = env
        .read(ARTICLE)
        .replace("topic: oncology", "topic: general health");
    assert_ne!(text, env.read(ARTICLE));
    env.write(ARTICLE, &format!("{text}\nOne more sentence for r2.\n"));
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.ok(&["approve", SLUG, "--as", "david-okafor", "--revision", "r2"]);
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "fred-checker",
        "--revision",
        "r2",
        "--meaning",
        "fact-check",
    ]);
    assert_eq!(state(&env), "in-review");
    let status = env.ok(&["status", SLUG]).stdout;
    assert!(
        status.contains("  review:       needs one medical-accuracy approval by a reviewer in oncology; has medical-accuracy by david-okafor, fact-check by fred-checker\n"),
        "{status}"
    );
    // r1 stays on the site.
    let (manifest, _) = publish(&env, "site1");
    assert_eq!(manifest["articles"][0]["revision_number"], 1);
    env.ok(&["approve", SLUG, "--as", "ana-example", "--revision", "r2"]);
    assert_eq!(state(&env), "approved");
    let (manifest, _) = publish(&env, "site2");
    assert_eq!(manifest["articles"][0]["revision_number"], 2);
}

#[test]
fn bad_rules_are_refused_naming_the_file_and_the_fix() {
    let env = with_meanings();
    let stderr = env.refuse(&[
        "config",
        "set",
        "review.rules",
        "[{topic: oncology, require: [{meaning: legal}]}]",
    ]);
    assert!(
        stderr.contains("medreview.yaml") && stderr.contains(
            "review.rules[1] (topic oncology) requires the meaning legal, which review.meanings does not list (medical-accuracy, fact-check)"
        ),
        "{stderr}"
    );
    assert!(stderr.ends_with("Code: invalid-setting\n"), "{stderr}");
    let stderr = env.refuse(&[
        "config",
        "set",
        "review.rules",
        "[{slug: \"breast-*\", require: [{meaning: fact-check, count: 0}]}]",
    ]);
    assert!(
        stderr.contains("requires 0 fact-check approvals"),
        "{stderr}"
    );
    let stderr = env.refuse(&["config", "set", "review.meanings", "[fact-check]"]);
    assert!(
        stderr.contains("review.meanings does not list medical-accuracy"),
        "{stderr}"
    );
}

#[test]
fn a_re_review_carries_its_meaning_into_the_log_and_the_manifest() {
    let mut env = approved_and_checked();
    env.set_now("2026-02-20T09:00:00-05:00");
    env.ok(&[
        "recertify",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Still accurate.",
    ]);
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.contains("recertified by Ana Example (ana-example)\n    meaning: medical-accuracy (signed as Ana Example, M.D.)\n"),
        "{log}"
    );
    // A meaning medreview.yaml does not list is refused here too.
    let stderr = env.refuse(&[
        "recertify",
        SLUG,
        "--as",
        "david-okafor",
        "--meaning",
        "legal",
    ]);
    assert!(stderr.ends_with("Code: would-not-count\n"), "{stderr}");
    let (manifest, _) = publish(&env, "site");
    let actions: Vec<(&str, &str, &str)> = manifest["articles"][0]["approvals"]
        .as_array()
        .expect("approvals")
        .iter()
        .map(|a| {
            (
                a["action"].as_str().unwrap_or_default(),
                a["by"].as_str().unwrap_or_default(),
                a["meaning"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("approved", "ana-example", "medical-accuracy"),
            ("approved", "fred-checker", "fact-check"),
            ("recertified", "ana-example", "medical-accuracy")
        ]
    );
}
