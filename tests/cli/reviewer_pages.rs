//! Issue 26, item 5: reviewer pages. The roster's `verified`, `disclosures` and
//! `same_as` fields, set by `reviewer add|edit` and judged by the roster's record;
//! `reviewers/<id>.html` for each reviewer behind a published page, linked from
//! the byline, with JSON-LD `hasCredential` and `sameAs`; a reader in Chromium
//! follows the byline to the page.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::browser::Browser;
use crate::common::{SLUG, TITLE, TestEnv};
use crate::governance::{as_person, audited};

/// The state board's lookup page the tests verify licenses at.
const BOARD: &str = "https://www.op.nysed.gov/verification-search?q=123456";
/// Ana Example's ORCID profile.
const ORCID: &str = "https://orcid.org/0000-0002-1825-0097";
/// When the admin checks the license.
const VERIFIED_AT: &str = "2025-03-05T11:00:00-05:00";

/// `audited`, then the admin records Ana's verified license, disclosures and profile.
fn verified() -> TestEnv {
    let mut env = audited();
    env.set_now(VERIFIED_AT);
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--verified-source",
        BOARD,
        "--disclosure",
        "Consulting fees from Acme Oncology (2024)",
        "--disclosure",
        "Research grant from the National Cancer Institute",
        "--same-as",
        ORCID,
    ]);
    env
}

/// Publishes HTML into `out` (outside the repository) and gives its path.
fn publish(env: &TestEnv, name: &str) -> PathBuf {
    let out = env.outside(name);
    env.ok(&["publish", "--out", out.to_str().expect("UTF-8 path")]);
    out
}

/// The JSON-LD of a published page.
fn json_ld(page: &str) -> serde_json::Value {
    let start = page
        .find("<script type=\"application/ld+json\">")
        .expect("a JSON-LD script")
        + "<script type=\"application/ld+json\">".len();
    let end = start + page[start..].find("</script>").expect("its end");
    serde_json::from_str(&page[start..end]).expect("the JSON-LD parses")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn reviewer_edit_records_the_verification_disclosures_and_profiles() {
    let env = verified();
    let file = env.read("reviewers/ana-example.yaml");
    assert!(
        file.contains(&format!(
            "verified:\n  by: rosa-editor\n  on: 2025-03-05\n  source: {BOARD}\n"
        )),
        "{file}"
    );
    assert!(
        file.contains("disclosures:\n- Consulting fees from Acme Oncology (2024)\n- Research grant from the National Cancer Institute\n"),
        "{file}"
    );
    assert!(file.contains(&format!("same_as:\n- {ORCID}\n")), "{file}");
    assert!(env.message("HEAD").starts_with("edit reviewer ana-example"));
    // Declaring no conflicts is different from saying nothing.
    env.ok(&["reviewer", "edit", "ana-example", "--no-disclosures"]);
    assert!(
        env.read("reviewers/ana-example.yaml")
            .contains("disclosures: []\n")
    );
    // A file without the fields (david-okafor's) stays valid.
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn addresses_must_be_web_addresses_and_texts_one_bounded_line() {
    let env = audited();
    let bad: [(&[&str], &str); 4] = [
        (
            &["--same-as", "javascript:alert(1)"],
            "--same-as cannot be used (same_as[0]): it is not an http:// or https:// address",
        ),
        (
            &["--verified-source", "file:///etc/passwd"],
            "--verified-source cannot be used (verified.source): it looks like an address but is not an http:// or https:// one",
        ),
        (
            &["--disclosure", "Acme\nPharma"],
            "--disclosure cannot be used (disclosures[0]): it contains the control character '\\n'",
        ),
        (
            &["--disclosure", &"x".repeat(501)],
            "--disclosure cannot be used (disclosures[0]): it is 501 characters long; the most is 500",
        ),
    ];
    for (flags, message) in bad {
        let mut args = vec!["reviewer", "edit", "ana-example"];
        args.extend_from_slice(flags);
        let run = env.fails_as_usage(&args);
        assert!(run.stderr.contains(message), "{flags:?}:\n{}", run.stderr);
        assert!(run.stderr.contains("Hint: give each"), "{}", run.stderr);
    }
}

#[test]
fn only_an_admin_verifies_a_license() {
    let env = audited();
    // Suzanne is a writer, not an admin: her roster change does not count.
    as_person(&env, "suzanne@example.org");
    let refused = env.refuse(&[
        "reviewer",
        "edit",
        "ana-example",
        "--verified-source",
        BOARD,
    ]);
    assert!(
        refused.contains("suzanne-example was not an admin"),
        "{refused}"
    );
    as_person(&env, "runner@example.org");
    // An admin recording a hand-made verification in someone else's name: the
    // roster's record refuses it, naming the rule.
    let text = env.read("reviewers/ana-example.yaml");
    env.write(
        "reviewers/ana-example.yaml",
        &format!("{text}verified:\n  by: suzanne-example\n  on: 2025-03-05\n  source: {BOARD}\n"),
    );
    let refused = env.refuse(&[
        "admin",
        "record",
        "reviewers/ana-example.yaml",
        "-m",
        "Verified.",
    ]);
    assert!(
        refused.contains("its license verification names suzanne-example, who is not an admin (admins: rosa-editor)"),
        "{refused}"
    );
    assert!(refused.contains("Code: would-not-count"), "{refused}");
    // Committed by hand, it is refused as every hand edit is: check is red and
    // publish refuses until an admin records it or it is put back.
    env.git(&["commit", "-qam", "hand edit"]);
    let check = env.run(&["check"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(
        check.stdout.contains("[roster-unrecorded]"),
        "{}",
        check.stdout
    );
    let out = env.outside("site");
    env.fails(&["publish", "--out", out.to_str().expect("UTF-8 path")]);
    // `repair` offers to put it back, never to adopt what would not count.
    let plan = env.run(&["repair"]);
    assert!(
        plan.stdout
            .contains("Fix: put back the recorded bytes of reviewers/ana-example.yaml"),
        "{}",
        plan.stdout
    );
    assert!(
        !plan
            .stdout
            .contains("an admin records reviewers/ana-example.yaml"),
        "{}",
        plan.stdout
    );
    env.ok(&["repair", "--yes"]);
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(
        !env.read("reviewers/ana-example.yaml")
            .contains("suzanne-example")
    );
}

#[test]
fn before_the_roster_has_an_admin_no_one_can_verify_a_license() {
    let env = TestEnv::seeded();
    let refused = env.refuse(&[
        "reviewer",
        "edit",
        "ana-example",
        "--verified-source",
        BOARD,
        "--as",
        "ana-example",
    ]);
    assert!(
        refused.contains(
            "its license verification names ana-example, who is not an admin (admins: none)"
        ),
        "{refused}"
    );
    assert!(
        refused.contains("`medreview admin add ID` makes one"),
        "{refused}"
    );
}

#[test]
fn a_hand_edited_verification_with_an_impossible_date_names_the_file_and_line() {
    let env = audited();
    let text = env.read("reviewers/ana-example.yaml");
    env.write(
        "reviewers/ana-example.yaml",
        &format!("{text}verified:\n  by: rosa-editor\n  on: 2025-02-30\n  source: {BOARD}\n"),
    );
    let check = env.run(&["check"]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    let line = text.lines().count() + 3;
    assert!(
        check
            .stdout
            .contains(&format!("reviewers/ana-example.yaml:{line}")),
        "{}",
        check.stdout
    );
}

#[test]
fn publish_writes_a_page_for_each_reviewer_behind_a_published_page() {
    let env = verified();
    let out = publish(&env, "site");
    // David reviewed nothing published: no page.
    assert!(!out.join("reviewers/david-okafor.html").exists());
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&out.join("manifest.json"))).expect("manifest");
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f.as_str())
        .filter(|f| !f.starts_with(".well-known/"))
        .collect();
    assert_eq!(
        files,
        [
            "her2-treatment.html",
            "index.html",
            "manifest.json",
            "reviewers/ana-example.html"
        ]
    );
    let page = read(&out.join("reviewers/ana-example.html"));
    let start = page
        .find("<article class=\"reviewer-profile\"")
        .expect("profile");
    let end = page.find("</article>").expect("its end") + "</article>".len();
    let profile = &page[start..end];
    insta::assert_snapshot!(profile, @r#"
    <article class="reviewer-profile" data-medreview="reviewer-profile">
    <h1>Ana Example, M.D.</h1>
    <p class="role">Medical reviewer</p>
    <dl class="facts">
    <dt>Credentials</dt><dd>M.D.</dd>
    <dt>Specialties</dt><dd>oncology</dd>
    <dt>License</dt><dd>NY, number 12345, valid through <time datetime="2027-06-30">June 30, 2027</time></dd>
    <dt>License verified</dt><dd><span class="verified" data-medreview="license-verified">On <time datetime="2025-03-05">March 5, 2025</time> by Rosa Editor, at <a href="https://www.op.nysed.gov/verification-search?q=123456" rel="noopener">https://www.op.nysed.gov/verification-search?q=123456</a></span></dd>
    </dl>
    <section class="disclosures">
    <h2>Disclosures</h2>
    <ul>
    <li>Consulting fees from Acme Oncology (2024)</li>
    <li>Research grant from the National Cancer Institute</li>
    </ul>
    </section>
    <section class="bio">
    <h2>About</h2>
    <p>Board-certified medical oncologist.</p>
    </section>
    <section class="reviewed-articles">
    <h2>Articles reviewed</h2>
    <ul>
    <li><a href="../her2-treatment.html">Six Things to Know About HER2-Positive Breast Cancer Treatment</a> <span class="meta">Medical review, <time datetime="2025-03-04">March 4, 2025</time></span></li>
    </ul>
    </section>
    <section class="profiles">
    <h2>Elsewhere</h2>
    <ul>
    <li><a href="https://orcid.org/0000-0002-1825-0097" rel="noopener">https://orcid.org/0000-0002-1825-0097</a></li>
    </ul>
    </section>
    </article>
    "#);
    assert!(
        page.contains("<title>Ana Example | Example Health</title>"),
        "{page}"
    );
    assert!(
        page.contains("<a href=\"../index.html\">Example Health</a>"),
        "{page}"
    );
    // The JSON-LD: a profile page about a Person with credentials and profiles.
    let ld = json_ld(&page);
    assert_eq!(ld["@type"], "ProfilePage");
    let person = &ld["mainEntity"];
    assert_eq!(person["@type"], "Person");
    assert_eq!(person["name"], "Ana Example");
    assert_eq!(person["sameAs"], serde_json::json!([ORCID]));
    assert_eq!(person["knowsAbout"], serde_json::json!(["oncology"]));
    assert_eq!(
        person["hasCredential"],
        serde_json::json!([
            { "@type": "EducationalOccupationalCredential", "name": "M.D." },
            {
                "@type": "EducationalOccupationalCredential",
                "credentialCategory": "license",
                "name": "Medical license",
                "identifier": "12345",
                "validIn": { "@type": "AdministrativeArea", "name": "NY" },
                "expires": "2027-06-30",
                "recognizedBy": { "@type": "Organization", "url": BOARD },
            }
        ])
    );
    // The article's byline and bio link the page; its JSON-LD names it and the profiles.
    let article = read(&out.join(format!("{SLUG}.html")));
    assert!(
        article.contains("Medically reviewed by <a class=\"reviewer-link\" href=\"reviewers/ana-example.html\">Ana Example, M.D.</a>"),
        "{article}"
    );
    let reviewed_by = &json_ld(&article)["reviewedBy"][0]["reviewedBy"];
    assert_eq!(reviewed_by["url"], "reviewers/ana-example.html");
    assert_eq!(reviewed_by["sameAs"], serde_json::json!([ORCID]));
    let index = read(&out.join("index.html"));
    assert!(
        index.contains("href=\"reviewers/ana-example.html\""),
        "{index}"
    );
    // The same commit gives the same bytes.
    let again = publish(&env, "again");
    assert_eq!(page, read(&again.join("reviewers/ana-example.html")));
}

#[test]
fn with_a_base_url_the_json_ld_names_the_reviewer_page_in_full() {
    let env = verified();
    env.ok(&["config", "set", "base_url", "https://health.example.org"]);
    let out = publish(&env, "site");
    let article = read(&out.join(format!("{SLUG}.html")));
    assert_eq!(
        json_ld(&article)["reviewedBy"][0]["reviewedBy"]["url"],
        "https://health.example.org/reviewers/ana-example.html"
    );
    let page = read(&out.join("reviewers/ana-example.html"));
    assert!(
        page.contains("<link rel=\"canonical\" href=\"https:&#x2f;&#x2f;health.example.org&#x2f;reviewers&#x2f;ana-example.html\">"),
        "{page}"
    );
    assert_eq!(
        json_ld(&page)["url"],
        "https://health.example.org/reviewers/ana-example.html"
    );
}

#[test]
fn a_reviewer_without_a_verification_or_disclosures_is_shown_as_such() {
    let env = audited();
    let out = publish(&env, "site");
    let page = read(&out.join("reviewers/ana-example.html"));
    assert!(
        page.contains("<span class=\"unverified\">Not verified by the publisher yet</span>"),
        "{page}"
    );
    assert!(page.contains("<p>No disclosures on file.</p>"), "{page}");
    env.ok(&["reviewer", "edit", "ana-example", "--no-disclosures"]);
    let out = publish(&env, "site2");
    let page = read(&out.join("reviewers/ana-example.html"));
    assert!(page.contains("<p>None declared.</p>"), "{page}");
}

#[test]
fn a_changed_disclosure_rewrites_the_reviewer_page_when_publishing_into_the_same_folder() {
    let mut env = verified();
    let out = publish(&env, "site");
    let article = read(&out.join(format!("{SLUG}.html")));
    env.set_now("2025-03-06T09:00:00-05:00");
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--disclosure",
        "Speaker fees from Beta Pharma (2025)",
    ]);
    publish(&env, "site");
    let page = read(&out.join("reviewers/ana-example.html"));
    assert!(
        page.contains("Speaker fees from Beta Pharma (2025)"),
        "{page}"
    );
    assert!(!page.contains("Acme Oncology"), "{page}");
    // The article page does not show disclosures: its bytes are the same.
    assert_eq!(article, read(&out.join(format!("{SLUG}.html"))));
    // A new profile address reaches the article's JSON-LD.
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--same-as",
        "https://npiregistry.cms.hhs.gov/provider-view/1234567890",
    ]);
    publish(&env, "site");
    let article = read(&out.join(format!("{SLUG}.html")));
    assert_eq!(
        json_ld(&article)["reviewedBy"][0]["reviewedBy"]["sameAs"],
        serde_json::json!(["https://npiregistry.cms.hhs.gov/provider-view/1234567890"])
    );
}

#[test]
fn hostile_profile_text_is_escaped_everywhere() {
    let env = audited();
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--disclosure",
        "<script>alert(1)</script> & \"Acme\" <img src=x onerror=alert(2)>",
        "--bio",
        "</script><script>alert(3)</script>",
        "--verified-source",
        "Board <b>lookup</b> & \"registry\"",
    ]);
    let out = publish(&env, "site");
    let page = read(&out.join("reviewers/ana-example.html"));
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert!(
        page.contains("<li>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Acme&quot; &lt;img src=x onerror=alert(2)&gt;</li>"),
        "{page}"
    );
    assert!(
        page.contains("at Board &lt;b&gt;lookup&lt;/b&gt; &amp; &quot;registry&quot;</span>"),
        "{page}"
    );
    // The bio inside the JSON-LD cannot close its script.
    let ld = json_ld(&page);
    assert_eq!(
        ld["mainEntity"]["description"],
        "</script><script>alert(3)</script>"
    );
    let article = read(&out.join(format!("{SLUG}.html")));
    assert_eq!(article.matches("<script").count(), 1, "{article}");
}

#[test]
fn a_workspace_template_places_the_profile_and_may_not_make_its_own_claims() {
    let env = verified();
    let ours = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ reviewer.name }}</title></head>\n<body><nav><a href=\"{{ root }}index.html\">Home</a></nav>\n{{ reviewer_block }}\n<footer>Our doctors</footer></body></html>\n";
    env.write("templates/reviewer.html", ours);
    env.ok(&[
        "admin",
        "record",
        "templates/reviewer.html",
        "-m",
        "Our reviewer page.",
    ]);
    let out = publish(&env, "site");
    let page = read(&out.join("reviewers/ana-example.html"));
    assert!(page.contains("<footer>Our doctors</footer>"), "{page}");
    assert!(
        page.contains("data-medreview=\"license-verified\""),
        "{page}"
    );
    // A template that leaves the profile out, or says "verified by" itself, is refused.
    let tricks = [
        ours.replace("{{ reviewer_block }}", ""),
        ours.replace("Our doctors", "License verified by our team"),
    ];
    for trick in tricks {
        env.write("templates/reviewer.html", &trick);
        env.ok(&["admin", "record", "templates/reviewer.html", "-m", "Try."]);
        let out = env.outside("refused");
        let run = env.fails(&["publish", "--out", out.to_str().expect("UTF-8 path")]);
        assert!(
            run.stderr.contains("templates/reviewer.html"),
            "{}",
            run.stderr
        );
        assert!(!out.exists());
        let check = env.run(&["check"]);
        assert_eq!(check.code, 1, "{}", check.stdout);
        assert!(
            check.stdout.contains("templates/reviewer.html"),
            "{}",
            check.stdout
        );
    }
}

#[test]
fn the_markdown_export_has_a_page_per_reviewer_and_names_it_in_the_front_matter() {
    let env = verified();
    let out = env.outside("content");
    env.ok(&[
        "publish",
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--format",
        "markdown",
    ]);
    let article = read(&out.join(format!("{SLUG}.md")));
    assert!(
        article.contains("\"page\": \"reviewers/ana-example.md\""),
        "{article}"
    );
    let page = read(&out.join("reviewers/ana-example.md"));
    let json = page
        .strip_prefix("---\n")
        .and_then(|p| p.strip_suffix("---\n"))
        .expect("front matter only");
    let front: serde_json::Value = serde_json::from_str(json).expect("JSON front matter");
    assert_eq!(front["title"], "Ana Example");
    assert_eq!(front["verified"]["by_name"], "Rosa Editor");
    assert_eq!(front["verified"]["on"], "2025-03-05");
    assert_eq!(front["extra"]["same_as"], serde_json::json!([ORCID]));
    assert_eq!(
        front["disclosures"][1],
        "Research grant from the National Cancer Institute"
    );
    assert_eq!(front["reviewed"][0]["page"], format!("{SLUG}.md"));
    assert_eq!(front["reviewed"][0]["title"], TITLE);
    assert!(!out.join("reviewers/david-okafor.md").exists());
}

/// A reader of the published site, opened from its folder, clicks the doctor's
/// name in the byline and reads when and where the license was checked and the
/// disclosures.
#[test]
fn a_reader_follows_the_byline_to_the_reviewer_page_in_chromium() {
    let env = verified();
    let out = publish(&env, "site");
    let Some(browser) = Browser::launch() else {
        return;
    };
    let page = browser.page();
    page.goto(&format!(
        "file://{}",
        out.join(format!("{SLUG}.html")).display()
    ));
    page.wait_for("document.readyState === 'complete'", "the article page");
    page.click(".byline a.reviewer-link");
    page.wait_for(
        "location.pathname.endsWith('/reviewers/ana-example.html') && document.readyState === 'complete' && !!document.querySelector('.reviewer-profile')",
        "the reviewer page",
    );
    let verified = page.text("[data-medreview=license-verified]");
    assert_eq!(
        verified,
        format!("On March 5, 2025 by Rosa Editor, at {BOARD}")
    );
    let disclosures = page.text(".disclosures");
    assert!(
        disclosures.contains("Consulting fees from Acme Oncology (2024)")
            && disclosures.contains("Research grant from the National Cancer Institute"),
        "{disclosures}"
    );
    // Back to the article from the list of what they reviewed.
    page.click(".reviewed-articles a");
    page.wait_for(
        &format!("location.pathname.endsWith('/{SLUG}.html') && document.readyState === 'complete' && !!document.querySelector('.byline')"),
        "the article again",
    );
    assert_eq!(page.text("h1"), TITLE);
    let shot = env.outside("reviewer-page.png");
    page.screenshot(&shot);
    assert!(fs::metadata(&shot).map(|m| m.len() > 0).unwrap_or(false));
}

#[test]
fn reviewer_list_says_who_verified_each_license_and_whether_disclosures_are_on_file() {
    let env = verified();
    env.ok(&["reviewer", "edit", "david-okafor", "--no-disclosures"]);
    let json = crate::common::json(&env.ok(&["reviewer", "list", "--json"]).stdout);
    let ana = &json["reviewers"][0];
    assert_eq!(ana["verified_by"], "rosa-editor");
    assert_eq!(ana["verified_on"], "2025-03-05");
    assert_eq!(ana["disclosures"].as_array().map(Vec::len), Some(2));
    let david = &json["reviewers"][1];
    assert_eq!(david["verified_by"], serde_json::Value::Null);
    assert_eq!(david["disclosures"], serde_json::json!([]));
}
