//! Issue 26, item 3: corrections and updates are public. `submit --change` puts
//! the kind of change and its public note in the signed submission; pages list
//! the corrections and updates of approved revisions with their dates and carry
//! JSON-LD `correction`; a minor change keeps the "Updated on" date, and a
//! re-review moves `lastReviewed`, never `dateModified`.

use crate::common::{ARTICLE, NEXT_DAY, SLUG, TestEnv, json_ld};

const CORRECTION: &str = "We corrected the dose of trastuzumab: it is 6 mg/kg every three weeks.";

/// Submits the working text as suzanne-example, as a change of `kind` with `note`.
fn submit_change(env: &TestEnv, kind: &str, note: &str) {
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "--change",
        kind,
        "-m",
        note,
    ]);
}

/// r1 approved on March 4; r2, a correction, approved on March 6; r3, a minor
/// change, approved on March 8.
fn corrected() -> TestEnv {
    let mut env = TestEnv::approved();
    env.set_now("2025-03-05T09:00:00-05:00");
    env.append(ARTICLE, "\nThe usual dose is 6 mg/kg every three weeks.\n");
    submit_change(&env, "correction", CORRECTION);
    env.set_now("2025-03-06T09:00:00-05:00");
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Right dose."]);
    env.set_now("2025-03-07T09:00:00-05:00");
    env.append(ARTICLE, "\nAsk your care team about side effects.\n");
    submit_change(&env, "minor", "One more sentence of advice, no new facts.");
    env.set_now("2025-03-08T09:00:00-05:00");
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Fine."]);
    env
}

fn page(env: &TestEnv) -> String {
    env.ok(&["publish", "--out", "../site"]);
    read_outside(env, &format!("site/{SLUG}.html"))
}

fn read_outside(env: &TestEnv, rel: &str) -> String {
    std::fs::read_to_string(env.outside(rel)).expect("a published file")
}

#[test]
fn a_correction_is_listed_on_the_page_and_in_json_ld_and_a_minor_change_keeps_the_date() {
    let env = corrected();
    let html = page(&env);
    assert!(
        html.contains(&format!(
            "<strong>Corrected on <time datetime=\"2025-03-06\">March 6, 2025</time>:</strong> {CORRECTION}"
        )),
        "{html}"
    );
    // The minor change (r3, approved March 8) left the date at the correction's.
    assert!(
        html.contains("Updated on <time datetime=\"2025-03-06\">March 6, 2025</time>"),
        "{html}"
    );
    assert!(
        html.contains("Reviewed on <time datetime=\"2025-03-08\">March 8, 2025</time>"),
        "{html}"
    );
    let ld = json_ld(&html);
    assert_eq!(ld["dateModified"], "2025-03-06");
    assert_eq!(ld["lastReviewed"], "2025-03-08");
    assert_eq!(ld["datePublished"], "2025-03-04");
    assert_eq!(ld["correction"][0]["@type"], "CorrectionComment");
    assert_eq!(ld["correction"][0]["text"], CORRECTION);
    assert_eq!(
        ld["correction"][0]["datePublished"],
        "2025-03-06T09:00:00-05:00"
    );
    assert_eq!(ld["correction"].as_array().map(Vec::len), Some(1));
    let manifest = crate::common::json(&read_outside(&env, "site/manifest.json"));
    assert_eq!(
        manifest["articles"][0]["date_modified"],
        "2025-03-06T09:00:00-05:00"
    );
    assert_eq!(
        manifest["articles"][0]["last_reviewed"],
        "2025-03-08T09:00:00-05:00"
    );
    // The Markdown export says the same.
    env.ok(&["publish", "--format", "markdown", "--out", "../md"]);
    let md = read_outside(&env, &format!("md/{SLUG}.md"));
    assert!(
        md.contains("\"lastmod\": \"2025-03-06T09:00:00-05:00\""),
        "{md}"
    );
    assert!(md.contains("\"kind\": \"correction\""), "{md}");
    assert!(md.contains(CORRECTION), "{md}");
}

#[test]
fn a_re_review_moves_last_reviewed_and_not_date_modified() {
    let mut env = corrected();
    env.set_now("2025-09-01T09:00:00-04:00");
    env.ok(&[
        "recertify",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Still right.",
    ]);
    let html = page(&env);
    let ld = json_ld(&html);
    assert_eq!(ld["lastReviewed"], "2025-09-01");
    assert_eq!(ld["dateModified"], "2025-03-06");
    assert!(
        html.contains("Reviewed on <time datetime=\"2025-09-01\">September 1, 2025</time>"),
        "{html}"
    );
}

#[test]
fn an_update_is_listed_and_moves_the_date_newest_first() {
    let mut env = corrected();
    env.set_now("2025-04-01T09:00:00-04:00");
    env.append(ARTICLE, "\nA 2025 trial added a new option.\n");
    submit_change(&env, "update", "We added the results of a 2025 trial.");
    env.set_now("2025-04-02T09:00:00-04:00");
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Good."]);
    let html = page(&env);
    let updated = html
        .find("<strong>Updated on <time datetime=\"2025-04-02\">")
        .expect(&html);
    let corrected = html.find("<strong>Corrected on").expect(&html);
    assert!(updated < corrected, "newest first: {html}");
    assert!(
        html.contains("Updated on <time datetime=\"2025-04-02\">April 2, 2025</time></span>"),
        "{html}"
    );
    // An update is not a correction in JSON-LD.
    assert_eq!(
        json_ld(&html)["correction"].as_array().map(Vec::len),
        Some(1)
    );
}

#[test]
fn a_correction_needs_a_public_note_and_a_refusal_records_nothing() {
    let mut env = TestEnv::approved();
    env.set_now("2025-03-05T09:00:00-05:00");
    env.append(ARTICLE, "\nThe usual dose is 6 mg/kg.\n");
    let before = env.commit_count();
    let run = env.fails_as_usage(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "--change",
        "correction",
    ]);
    assert!(run.stderr.contains("a note for readers"), "{}", run.stderr);
    assert!(
        run.stderr.contains("--change correction -m"),
        "{}",
        run.stderr
    );
    assert_eq!(env.commit_count(), before);
    let run = env.run(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "--change",
        "erratum",
        "-m",
        "x",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("correction, update, minor"),
        "{}",
        run.stderr
    );
    assert_eq!(env.commit_count(), before);
}

#[test]
fn a_public_note_is_escaped_and_a_sent_back_correction_is_not_listed() {
    let mut env = TestEnv::approved();
    env.set_now("2025-03-05T09:00:00-05:00");
    env.append(ARTICLE, "\nThe usual dose is 6 mg/kg.\n");
    submit_change(
        &env,
        "correction",
        "<script>alert(1)</script> We fixed the dose.",
    );
    env.set_now(NEXT_DAY.replace("03-04", "03-06").as_str());
    env.ok(&[
        "request-changes",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Cite the dose.",
    ]);
    let html = page(&env);
    assert!(!html.contains("Corrected on"), "{html}");
    assert!(!html.contains("alert(1)"), "{html}");
    // Approved, it is listed, escaped.
    env.set_now("2025-03-07T09:00:00-05:00");
    env.ok(&["approve", SLUG, "--as", "ana-example", "-m", "Fine now."]);
    let html = page(&env);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt; We fixed the dose."),
        "{html}"
    );
    assert!(!html.contains("<script>alert(1)"), "{html}");
}

#[test]
fn log_shows_the_kind_of_change_and_check_accepts_it() {
    let env = corrected();
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.contains("change: correction; its note is shown to readers once approved"),
        "{log}"
    );
    assert!(log.contains("change: minor"), "{log}");
    let json = crate::common::json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let text = json.to_string();
    assert!(text.contains("\"change\":\"correction\""), "{text}");
    env.ok(&["check"]);
}

#[test]
fn the_reader_sees_the_correction_in_a_browser() {
    let Some(browser) = crate::common::browser::Browser::launch() else {
        return;
    };
    let env = corrected();
    env.ok(&["publish", "--out", "../site"]);
    let path = env.outside(&format!("site/{SLUG}.html"));
    browser.goto(&format!("file://{}", path.display()));
    let seen = browser.eval(
        "(() => { const l = document.querySelector('[data-medreview=changes]'); \
         const r = l.getBoundingClientRect(); \
         return { text: l.innerText, shown: r.height > 0 && r.width > 0 && getComputedStyle(l).visibility === 'visible' }; })()",
    );
    assert_eq!(seen["shown"], true, "{seen}");
    let text = seen["text"].as_str().unwrap_or_default();
    assert!(text.contains("Corrected on March 6, 2025:"), "{text}");
    assert!(text.contains(CORRECTION), "{text}");
}

/// The kind of change is inside the signed submission (canonical text v5): a
/// signed correction verifies, for `check` and `publish` alike.
#[test]
fn a_signed_correction_verifies() {
    let Some(_) = crate::common::ssh_keygen() else {
        return;
    };
    let mut env = TestEnv::approved();
    env.append(
        "writers/suzanne-example.yaml",
        &format!(
            "public_key: {}\n",
            crate::common::public_key("suzanne_ed25519")
        ),
    );
    env.git(&["commit", "-q", "-am", "a public key"]);
    env.set_now("2025-03-05T09:00:00-05:00");
    env.append(ARTICLE, "\nThe usual dose is 6 mg/kg.\n");
    let key = crate::common::fixture("suzanne_ed25519");
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "--change",
        "correction",
        "-m",
        CORRECTION,
        "--key",
        key.to_str().expect("utf-8 path"),
    ]);
    let log = crate::common::json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let text = log.to_string();
    assert!(text.contains("\"signed\":true"), "{text}");
    env.ok(&["check"]);
}

/// A public note is shown outside the article text the doctor approved: it may
/// not say who reviewed the page, in any spelling.
#[test]
fn a_public_note_that_claims_a_review_is_refused() {
    let mut env = TestEnv::approved();
    env.set_now("2025-03-05T09:00:00-05:00");
    env.append(ARTICLE, "\nThe usual dose is 6 mg/kg.\n");
    let before = env.commit_count();
    for note in [
        "Medically reviewed by Dr. Famous, M.D.",
        "Now re\u{AD}viewed by our chief of oncology.",
        "Fact-checked by the team.",
    ] {
        let run = env.fails_as_usage(&[
            "submit",
            SLUG,
            "--as",
            "suzanne-example",
            "--change",
            "update",
            "-m",
            note,
        ]);
        assert!(
            run.stderr.contains("only by medreview's review block"),
            "{}",
            run.stderr
        );
        assert_eq!(env.commit_count(), before);
    }
    // The same words are fine in a note for the reviewer alone.
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "-m",
        "Reviewed the dose with the pharmacist.",
    ]);
}
