//! Attacks on the day's new features: `recertify` (the periodic re-review), the
//! `viewed:` field and canonical text v3, `approve` without `--revision`, and the
//! sign-off commands judging by HEAD's roster and settings. Each test names the
//! attack; a test marked `#[ignore = "BUG: ..."]` is an attack that succeeded.

use std::path::Path;

use chrono::DateTime;
use medreview_core::ids::Id;
use medreview_core::record::entry::{Action, Entry, EntryId, ViewKind, Viewed};
use medreview_store::revision::RevId;
use serde_json::Value;

use crate::common::{ARTICLE, NEXT_DAY, SLUG, START, TestEnv, fixture, json, public_key};

const SUZANNE: &str = "suzanne@example.org";
const ANA: &str = "ana@example.org";
const DAVID: &str = "david@example.org";
const ROSA: &str = "rosa@example.org";

/// A year and a week after the approval at `NEXT_DAY`: the re-review is due.
const A_YEAR_ON: &str = "2026-03-11T09:30:00-05:00";

pub(crate) fn be(env: &TestEnv, email: &str) {
    env.git(&["config", "user.email", email]);
}

fn id(text: &str) -> Id {
    Id::parse("id", text).expect("id")
}

fn time(text: &str) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("time")
}

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// The seeded workspace plus writer rosa-editor, who makes herself the first admin:
/// the roster is audited from here. `config` edits medreview.yaml first.
pub(crate) fn audited(config: &[(&str, &str)]) -> TestEnv {
    let env = TestEnv::seeded();
    let mut text = env.read("medreview.yaml");
    for (from, to) in config {
        assert!(text.contains(from), "{from:?} is not in:\n{text}");
        text = text.replace(from, to);
    }
    env.write("medreview.yaml", &text);
    env.ok(&[
        "writer",
        "add",
        "rosa-editor",
        "--name",
        "Rosa Editor",
        "--email",
        ROSA,
    ]);
    env.git(&["add", "medreview.yaml", "reviewers", "writers"]);
    env.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "settings",
        "--date",
        START,
    ]);
    be(&env, ROSA);
    env.ok(&["admin", "add", "rosa-editor"]);
    env
}

/// suzanne-example submits the working text.
fn submit(env: &TestEnv) {
    be(env, SUZANNE);
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."]);
}

/// ana-example's private key, readable only by its owner.
fn ana_key(env: &TestEnv) -> String {
    let path = env.outside("ana_key");
    std::fs::copy(fixture("ana_ed25519"), &path).expect("copy the key");
    let mut perms = std::fs::metadata(&path).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(&path, perms).expect("chmod");
    path_arg(&path).to_owned()
}

/// The article's summary from `status SLUG --json`.
fn summary(env: &TestEnv) -> Value {
    json(&env.ok(&["status", SLUG, "--json"]).stdout)["articles"][0].clone()
}

/// The page's review date as publish writes it (`lastReviewed`), or `None` when
/// the article is not published (or publish refuses).
fn published_review_date(env: &TestEnv) -> Option<String> {
    let out = env.outside("site");
    let _ = std::fs::remove_dir_all(&out);
    let run = env.run(&["publish", "--out", path_arg(&out)]);
    if run.code != 0 {
        return None;
    }
    let page = std::fs::read_to_string(out.join(format!("{SLUG}.html"))).ok()?;
    let at = page.find("\"lastReviewed\": \"")? + "\"lastReviewed\": \"".len();
    Some(page[at..at + 10].to_owned())
}

/// `check --json`: the codes of the problems it reports.
fn check_codes(env: &TestEnv) -> Vec<String> {
    let run = env.run(&["check", "--json"]);
    let doc = json(&run.stdout);
    let codes: Vec<String> = doc["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["code"].as_str().expect("code").to_owned())
        .collect();
    assert_eq!(run.code, i32::from(!codes.is_empty()), "{}", run.stdout);
    codes
}

/// `log SLUG --json`: why the entry `entry_id` does not count (None: it counts).
fn does_not_count(env: &TestEnv, entry_id: &str) -> Option<String> {
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let entries = log["entries"].as_array().expect("entries").clone();
    let entry = entries
        .iter()
        .find(|e| e["id"] == entry_id)
        .unwrap_or_else(|| panic!("no entry {entry_id} in {entries:#?}"));
    entry["does_not_count"].as_str().map(str::to_owned)
}

/// A hand-made entry after the record's last entry, naming the roster that entry
/// names, unsigned.
fn hand_entry(env: &TestEnv, action: Action, by: &str, at: &str, revision: &str) -> Entry {
    let (last, previous) = env.entries(SLUG).pop().expect("a recorded entry");
    Entry {
        action,
        by: id(by),
        at: time(at),
        revision: RevId::parse(revision).expect("revision"),
        after: vec![EntryId::parse(&last).expect("entry id")],
        roster: previous.roster,
        note: Some("Written by hand.".into()),
        recorded_by: None,
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

/// Stages everything and commits it with plain git as `email`, dated `date` (author
/// and committer); returns the commit.
fn commit_as(env: &TestEnv, email: &str, message: &str, date: &str) -> String {
    be(env, email);
    env.git(&["add", "-A"]);
    let output = std::process::Command::new("git")
        .env_clear()
        .envs(env.env_vars())
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_DATE", date)
        .current_dir(env.root())
        .args(["commit", "-q", "-m", message])
        .output()
        .expect("run git");
    assert!(output.status.success(), "{output:?}");
    env.head()
}

/// The last entry of `action` by `by`, in name order.
fn last_of(env: &TestEnv, action: Action, by: &str) -> Entry {
    env.entries(SLUG)
        .into_iter()
        .rev()
        .find(|(_, e)| e.action == action && e.by.as_str() == by)
        .unwrap_or_else(|| panic!("no {action} by {by}"))
        .1
}

/// Whether `check --json` reports `code` for the sign-off file of entry `entry_id`.
fn check_names(env: &TestEnv, code: &str, entry_id: &str) -> bool {
    let run = env.run(&["check", "--json"]);
    json(&run.stdout)["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .any(|p| p["code"] == code && p["file"].as_str().is_some_and(|f| f.contains(entry_id)))
}

fn entry_id_of(rel: &str) -> String {
    Path::new(rel)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("an entry file")
        .to_owned()
}

/// The latest revision's id.
fn latest_revision(env: &TestEnv) -> String {
    summary(env)["latest"]["id"]
        .as_str()
        .expect("a latest revision")
        .to_owned()
}

// ----- 1. recertify --------------------------------------------------------------

/// Attack: a reviewer retired by the admin re-reviews from a clone that had not
/// pulled the retirement, and the two histories are merged with plain `git merge`.
/// Her re-review names the roster from before her retirement, so it is judged by
/// a roster in which she was still active.
#[test]
fn a_re_review_from_a_stale_clone_by_a_retired_reviewer_renews_nothing() {
    let mut env = audited(&[]);
    submit(&env);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    env.git(&["branch", "stale"]);

    env.set_now("2025-03-06T09:00:00-05:00");
    be(&env, ROSA);
    env.ok(&["reviewer", "retire", "ana-example"]);

    // Ana's clone never fetched the retirement.
    env.git(&["checkout", "-q", "stale"]);
    env.set_now(A_YEAR_ON);
    be(&env, ANA);
    env.ok(&["recertify", SLUG, "-m", "Still accurate."]);
    let recert = env.signoff_path(SLUG, "recertified");
    env.git(&["checkout", "-q", "main"]);
    be(&env, ROSA);
    env.git(&["merge", "-q", "--no-edit", "stale"]);
    assert!(env.root().join(&recert).exists());

    // Observed: state approved, recertified_by [ana-example], reviewed_at
    // 2026-03-11; check reports only the merge's roster-unrecorded.
    let s = summary(&env);
    assert_eq!(s["state"], "re-review-due", "{s:#}");
    assert_eq!(s["publishable"]["recertified_by"], serde_json::json!([]));
    assert!(does_not_count(&env, &entry_id_of(&recert)).is_some_and(|w| w.contains("retired")));
    assert_eq!(published_review_date(&env).as_deref(), Some("2025-03-04"));
}

/// Attack: a reviewer whose license ran out sets the clock back to a day inside
/// her license (after the approval it renews) and re-reviews, in 2026.
#[test]
#[ignore = "BUG (open, by design for now): MEDREVIEW_NOW is the documented clock for importing historical reviews, so a backdated re-review is accepted; it is marked `clock: MEDREVIEW_NOW` in the entry and starred in `log`, never hidden"]
fn an_expired_reviewer_cannot_renew_the_date_by_setting_the_clock_back() {
    let mut env = audited(&[]);
    be(&env, ROSA);
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--license-expires",
        "2025-06-30",
    ]);
    submit(&env);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    // A year on, other work was committed meanwhile.
    env.set_now("2026-03-10T09:00:00-05:00");
    env.write("NOTES.md", "Editorial notes.\n");
    commit_as(&env, SUZANNE, "notes", "2026-03-10T09:00:00-05:00");
    env.set_now(A_YEAR_ON);
    be(&env, ANA);
    let err = env.refuse(&["recertify", SLUG, "-m", "Still fine."]);
    assert!(err.contains("license expired"), "{err}");

    // Observed: recorded (exit 0), state approved until 2026-06-01, the page
    // "reviewed" 2025-06-01, check clean.
    env.set_now("2025-06-01T09:00:00-04:00");
    let _ = env.run(&["recertify", SLUG, "-m", "Still fine."]);
    env.set_now(A_YEAR_ON);
    let s = summary(&env);
    let codes = check_codes(&env);
    assert!(
        s["state"] == "re-review-due" || !codes.is_empty(),
        "counted, and check is clean: {s:#}"
    );
    assert!(published_review_date(&env).as_deref() != Some("2025-06-01") || !codes.is_empty());
}

/// Attack: the same, by hand and without `MEDREVIEW_NOW`'s mark: a re-review
/// committed with author and committer dates set back below its parent commit.
#[test]
#[ignore = "BUG (open, issue 22 trade-off): clocks order nothing and one person's clock must not fail the record for everyone, so a hand-made commit dated before its parent is a warning (commit-time-order), not a refusal, on a server without the gate; the gate's own clock (server-time) refuses it at push"]
fn a_hand_made_backdated_re_review_is_a_commit_time_order_and_publish_refuses() {
    let mut env = audited(&[]);
    be(&env, ROSA);
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--license-expires",
        "2025-06-30",
    ]);
    submit(&env);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    env.write("NOTES.md", "Editorial notes.\n");
    commit_as(&env, SUZANNE, "notes", "2026-03-10T09:00:00-05:00");
    let rev = latest_revision(&env);
    let back = "2025-06-01T09:00:00-04:00";
    let forged = hand_entry(&env, Action::Recertified, "ana-example", back, &rev);
    env.write_entry(SLUG, &forged);
    commit_as(&env, ANA, "recertify her2-treatment r1", back);
    env.set_now(A_YEAR_ON);
    let codes = check_codes(&env);
    assert!(codes.contains(&"commit-time-order".to_owned()), "{codes:?}");
    assert_eq!(published_review_date(&env), None, "publish refuses");
}

/// Control for the test above: the same merge, but the admin retired another
/// reviewer meanwhile. Ordinary team work: check is clean and publish works.
#[test]
fn merging_a_re_review_made_beside_an_unrelated_roster_change_is_clean() {
    let mut env = audited(&[]);
    submit(&env);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    env.git(&["branch", "stale"]);
    env.set_now("2025-03-06T09:00:00-05:00");
    be(&env, ROSA);
    env.ok(&["reviewer", "retire", "david-okafor"]);
    env.git(&["checkout", "-q", "stale"]);
    env.set_now(A_YEAR_ON);
    be(&env, ANA);
    env.ok(&["recertify", SLUG, "-m", "Still accurate."]);
    env.git(&["checkout", "-q", "main"]);
    be(&env, ROSA);
    env.git(&["merge", "-q", "--no-edit", "stale"]);
    let codes = check_codes(&env);
    assert_eq!(codes, Vec::<String>::new());
    assert_eq!(summary(&env)["state"], "approved");
    assert_eq!(published_review_date(&env).as_deref(), Some("2026-03-11"));
}

/// Attack: the retired reviewer's stale re-review, rebased onto the retirement
/// (`git pull --rebase`).
#[test]
fn a_re_review_rebased_onto_its_signers_retirement_renews_nothing() {
    let mut env = audited(&[]);
    submit(&env);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    env.git(&["branch", "stale"]);
    env.set_now("2025-03-06T09:00:00-05:00");
    be(&env, ROSA);
    env.ok(&["reviewer", "retire", "ana-example"]);
    env.git(&["checkout", "-q", "stale"]);
    env.set_now(A_YEAR_ON);
    be(&env, ANA);
    env.ok(&["recertify", SLUG, "-m", "Still accurate."]);
    env.git(&["rebase", "-q", "main"]);
    assert_eq!(check_codes(&env), ["roster-stale"]);
    let s = summary(&env);
    assert_eq!(s["state"], "re-review-due", "{s:#}");
    assert_eq!(s["publishable"]["recertified_by"], serde_json::json!([]));
    assert_ne!(published_review_date(&env).as_deref(), Some("2026-03-11"));
}

/// Ana's public key committed in her roster file and `require_signatures: true`
/// committed (an unaudited workspace), the article submitted.
fn signed_policy() -> TestEnv {
    let env = TestEnv::seeded();
    let config = env
        .read("medreview.yaml")
        .replace("require_signatures: false", "require_signatures: true");
    env.write("medreview.yaml", &config);
    env.append(
        "reviewers/ana-example.yaml",
        &format!("public_key: {}\n", public_key("ana_ed25519")),
    );
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "signatures required", "--date", START]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env
}

/// Attack: an unsigned re-review where signatures are required, by the command
/// (refused) and by hand (committed with plain git).
#[test]
fn an_unsigned_re_review_does_not_count_where_signatures_are_required() {
    let mut env = signed_policy();
    let key = ana_key(&env);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example", "--key", &key]);
    env.set_now(A_YEAR_ON);
    let err = env.refuse(&["recertify", SLUG, "--as", "ana-example"]);
    assert!(err.contains("requires signed"), "{err}");

    let rev = latest_revision(&env);
    let forged = hand_entry(&env, Action::Recertified, "ana-example", A_YEAR_ON, &rev);
    let rel = env.write_entry(SLUG, &forged);
    commit_as(&env, ANA, "recertify her2-treatment r1", A_YEAR_ON);
    let s = summary(&env);
    assert_eq!(s["state"], "re-review-due", "{s:#}");
    assert_eq!(s["publishable"]["recertified_by"], serde_json::json!([]));
    assert!(
        does_not_count(&env, &entry_id_of(&rel)).is_some_and(|w| w.contains("unsigned")),
        "the log says why"
    );
    assert_eq!(published_review_date(&env).as_deref(), Some("2025-03-04"));
    assert!(check_names(&env, "signature", &entry_id_of(&rel)));

    // A real signature over the approval, moved onto a re-review, does not verify.
    let (_, approval) = env
        .entries(SLUG)
        .into_iter()
        .find(|(_, e)| e.action == Action::Approved)
        .expect("the approval");
    let mut moved = forged.clone();
    moved.signature = approval.signature.clone();
    moved.note = None;
    let slug = Id::parse("slug", SLUG).expect("slug");
    assert!(
        medreview_core::signing::verify(&slug, &moved, Some(&public_key("ana_ed25519"))).is_err()
    );
}

/// Attack on `viewed:` (canonical text v3): strip it from a signed entry, change
/// what it says, or add one to an entry signed without it. Each must stop
/// verifying; the entry as signed verifies.
#[test]
fn the_signature_covers_viewed_and_every_change_to_it_breaks_it() {
    let mut env = signed_policy();
    let key = ana_key(&env);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["diff", SLUG]);
    env.ok(&["approve", SLUG, "--as", "ana-example", "--key", &key]);
    let (approval_id, signed) = env.entries(SLUG).pop().expect("the approval");
    let viewed = signed
        .viewed
        .clone()
        .expect("the approval records the diff");
    assert_eq!(viewed.how, ViewKind::Diff);
    let slug = Id::parse("slug", SLUG).expect("slug");
    let ana = public_key("ana_ed25519");
    assert!(
        medreview_core::signing::canonical_text(&slug, &signed)
            .starts_with("medreview sign-off v4\n")
    );
    assert_eq!(
        medreview_core::signing::verify(&slug, &signed, Some(&ana)),
        Ok(())
    );
    assert_eq!(summary(&env)["state"], "approved");

    let mut stripped = signed.clone();
    stripped.viewed = None;
    let mut as_preview = signed.clone();
    as_preview.viewed = Some(Viewed {
        how: ViewKind::Preview,
        ..viewed.clone()
    });
    let mut other_from = signed.clone();
    other_from.viewed = Some(Viewed {
        from: Some(RevId::parse(&"e".repeat(40)).expect("rev")),
        ..viewed.clone()
    });
    let mut other_revision = signed.clone();
    other_revision.viewed = Some(Viewed {
        revision: RevId::parse(&"f".repeat(40)).expect("rev"),
        ..viewed.clone()
    });
    for (what, entry) in [
        ("stripped", &stripped),
        ("how changed", &as_preview),
        ("from changed", &other_from),
        ("revision changed", &other_revision),
    ] {
        assert!(
            medreview_core::signing::verify(&slug, entry, Some(&ana)).is_err(),
            "{what}: still verifies"
        );
    }

    // End to end: the approval file replaced by the stripped one.
    let old = format!("articles/{SLUG}/signoffs/{approval_id}.yaml");
    env.git(&["rm", "-q", &old]);
    let rel = env.write_entry(SLUG, &stripped);
    commit_as(&env, ANA, "approve her2-treatment r1", NEXT_DAY);
    let s = summary(&env);
    assert_eq!(s["state"], "in-review", "{s:#}");
    assert_eq!(published_review_date(&env), None);
    assert!(check_names(&env, "signature", &entry_id_of(&rel)));
    assert!(check_codes(&env).contains(&"entry-removed".to_owned()));
}

/// Regression: an entry signed without `viewed` says `viewed: null` in its
/// canonical text (v4, an approval with its meaning; v2 before meanings), and a
/// `viewed` added to it later breaks its signature.
#[test]
fn a_signed_entry_without_viewed_verifies_and_adding_viewed_to_it_breaks_it() {
    let mut env = signed_policy();
    let key = ana_key(&env);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "--as", "ana-example", "--key", &key]);
    let (_, signed) = env.entries(SLUG).pop().expect("the approval");
    assert_eq!(signed.viewed, None, "nothing was diffed or previewed");
    let slug = Id::parse("slug", SLUG).expect("slug");
    let ana = public_key("ana_ed25519");
    let text = medreview_core::signing::canonical_text(&slug, &signed);
    assert!(
        text.starts_with("medreview sign-off v4\n") && text.contains("\nviewed: null\n"),
        "{text}"
    );
    assert_eq!(
        medreview_core::signing::verify(&slug, &signed, Some(&ana)),
        Ok(())
    );
    assert_eq!(
        check_codes(&env),
        ["signature"],
        "only the unsigned submission"
    );
    let mut added = signed.clone();
    added.viewed = Some(Viewed {
        how: ViewKind::Preview,
        revision: signed.revision.clone(),
        from: None,
    });
    assert!(medreview_core::signing::verify(&slug, &added, Some(&ana)).is_err());
}

/// Attack: a `viewed:` with a key medreview never writes (which no signature would
/// cover), in a file named for its own digest.
#[test]
fn a_viewed_with_an_unknown_key_is_a_damaged_entry_that_counts_for_nothing() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.set_now(NEXT_DAY);
    let rev = latest_revision(&env);
    let mut entry = hand_entry(&env, Action::Approved, "ana-example", NEXT_DAY, &rev);
    entry.viewed = Some(Viewed {
        how: ViewKind::Diff,
        revision: entry.revision.clone(),
        from: None,
    });
    let (_, bytes) = entry.to_file();
    let text = String::from_utf8(bytes).expect("utf-8");
    let viewed_line = format!("  revision: {rev}\n");
    assert!(text.contains(&viewed_line), "{text}");
    let text = text.replace(
        &viewed_line,
        &format!("{viewed_line}  checked_by: david-okafor\n"),
    );
    let digest = medreview_store::gitstore::GitStore::blob_id(text.as_bytes());
    let name = format!(
        "20250304T140000Z-approved-ana-example-{}.yaml",
        &digest.as_str()[..12]
    );
    env.write(&format!("articles/{SLUG}/signoffs/{name}"), &text);
    commit_as(&env, ANA, "approve her2-treatment r1", NEXT_DAY);
    let run = env.run(&["status", SLUG, "--json"]);
    let doc = json(&run.stdout);
    assert_ne!(doc["articles"][0]["state"], "approved", "{doc:#}");
    assert_eq!(published_review_date(&env), None);
    let codes = check_codes(&env);
    assert!(!codes.is_empty(), "{codes:?}");
}

/// Attack: a view remembered in the clone for another git user.email goes into
/// the next reviewer's sign-off.
#[test]
fn a_view_remembered_for_another_email_is_not_recorded() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["diff", SLUG]);
    be(&env, DAVID);
    env.ok(&["approve", SLUG, "--as", "david-okafor"]);
    let entry = last_of(&env, Action::Approved, "david-okafor");
    assert_eq!(entry.viewed, None, "ana's diff is not david's");
    // The same person, whatever the case of their email.
    env.append(ARTICLE, "\nA new paragraph.\n");
    env.set_now("2025-03-05T09:00:00-05:00");
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Second."]);
    be(&env, "ANA@Example.org");
    env.ok(&["diff", SLUG]);
    be(&env, ANA);
    env.set_now("2025-03-06T09:00:00-05:00");
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
    let entry = last_of(&env, Action::Approved, "ana-example");
    assert_eq!(entry.viewed.map(|v| v.how), Some(ViewKind::Diff));
}

/// Attack: a managing editor records a doctor's approval (`proxies: [admins]`)
/// after diffing it herself; the doctor's entry must not claim the editor's view.
#[test]
fn a_proxy_does_not_record_her_own_view_as_the_doctors() {
    let mut env = audited(&[(
        "require_signatures: false",
        "require_signatures: false\n  proxies: [admins]",
    )]);
    submit(&env);
    env.set_now(NEXT_DAY);
    be(&env, ROSA);
    env.ok(&["diff", SLUG]);
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Ana, by phone.",
    ]);
    let (_, entry) = env.entries(SLUG).pop().expect("the approval");
    assert_eq!(entry.recorded_by, Some(id("rosa-editor")));
    assert_eq!(
        entry.viewed, None,
        "the entry says ana-example diffed it; rosa-editor did"
    );
}

/// Attack on `approve` without `--revision`: the writer submits r2 while the
/// reviewer is looking at the prompt for r1; answering yes must not approve r2
/// (never shown) nor record anything.
#[test]
fn a_revision_submitted_while_the_prompt_waits_is_not_approved() {
    let Some(tmux) = crate::common::tty::tmux() else {
        return;
    };
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.set_now(NEXT_DAY);
    let term =
        crate::common::tty::Terminal::start(&tmux, &env, &["approve", SLUG, "--as", "ana-example"]);
    let screen = term.wait_for("[y/N]");
    assert!(screen.contains("Approve r1?"), "{screen}");
    env.append(ARTICLE, "\nA new paragraph.\n");
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Second."]);
    let before = env.commit_count();
    term.send(&["y", "Enter"]);
    let (code, screen) = term.finish();
    assert_eq!(code, 1, "{screen}");
    assert!(
        screen.contains("is not the latest submitted revision"),
        "{screen}"
    );
    assert_eq!(env.commit_count(), before);
    assert_eq!(summary(&env)["state"], "in-review");
    assert!(
        env.entries(SLUG)
            .iter()
            .all(|(_, e)| e.action != Action::Approved)
    );
}

/// The merge above without any sign-off on the side branch: a plain `git merge`
/// of a branch that forked before a recorded roster change.
#[test]
fn merging_any_branch_across_a_recorded_roster_change_is_clean() {
    let mut env = audited(&[]);
    submit(&env);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    env.git(&["branch", "side"]);
    env.set_now("2025-03-06T09:00:00-05:00");
    be(&env, ROSA);
    env.ok(&["reviewer", "retire", "david-okafor"]);
    env.git(&["checkout", "-q", "side"]);
    env.write("NOTES.md", "Editorial notes.\n");
    commit_as(&env, SUZANNE, "notes", "2025-03-06T10:00:00-05:00");
    env.git(&["checkout", "-q", "main"]);
    be(&env, ROSA);
    env.git(&["merge", "-q", "--no-edit", "side"]);
    assert_eq!(check_codes(&env), Vec::<String>::new());
    assert_eq!(published_review_date(&env).as_deref(), Some("2025-03-04"));
}

/// Attack: a re-review of the approved r1, by hand, while r2 is in review: after
/// r2's submission (it saw r2), and beside it (it did not).
#[test]
fn a_re_review_of_an_old_revision_while_a_newer_one_is_in_review_renews_nothing() {
    for saw_r2 in [true, false] {
        let mut env = TestEnv::approved();
        let r1 = latest_revision(&env);
        let (approval, approval_entry) = env.entries(SLUG).pop().expect("approval");
        env.set_now("2025-03-05T09:00:00-05:00");
        env.append(ARTICLE, "\nA new paragraph.\n");
        env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "Second."]);
        let mut forged = hand_entry(&env, Action::Recertified, "david-okafor", A_YEAR_ON, &r1);
        if !saw_r2 {
            forged.after = vec![EntryId::parse(&approval).expect("id")];
            forged.roster = approval_entry.roster.clone();
        }
        let rel = env.write_entry(SLUG, &forged);
        commit_as(&env, DAVID, "recertify her2-treatment r1", A_YEAR_ON);
        env.set_now(A_YEAR_ON);
        let s = summary(&env);
        assert_eq!(s["state"], "in-review", "saw r2: {saw_r2}: {s:#}");
        assert_eq!(s["publishable"]["revision"]["number"], 1);
        assert_eq!(s["publishable"]["reviewed_at"], NEXT_DAY);
        assert_eq!(s["publishable"]["recertified_by"], serde_json::json!([]));
        assert!(does_not_count(&env, &entry_id_of(&rel)).is_some());
        assert_eq!(published_review_date(&env).as_deref(), Some("2025-03-04"));
        let due = env.ok(&["status", "--due"]).stdout;
        assert!(due.contains(SLUG), "r1's re-review is still due: {due}");
    }
}

/// Attack: `required_approvals: 2`, one approval, and a re-review by the second
/// doctor (by hand; the command refuses an article in review).
#[test]
fn a_re_review_never_makes_up_the_second_required_approval() {
    let mut env = TestEnv::seeded();
    let config = env
        .read("medreview.yaml")
        .replace("required_approvals: 1", "required_approvals: 2");
    env.write("medreview.yaml", &config);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "two doctors"]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
    env.set_now("2025-03-05T09:00:00-05:00");
    let err = env.refuse(&["recertify", SLUG, "--as", "david-okafor"]);
    assert!(err.contains("in-review"), "{err}");
    let rev = latest_revision(&env);
    let forged = hand_entry(
        &env,
        Action::Recertified,
        "david-okafor",
        "2025-03-05T09:00:00-05:00",
        &rev,
    );
    env.write_entry(SLUG, &forged);
    commit_as(&env, DAVID, "recertify", "2025-03-05T09:00:00-05:00");
    let s = summary(&env);
    assert_eq!(s["state"], "in-review", "{s:#}");
    assert!(s["publishable"].is_null());
    assert_eq!(published_review_date(&env), None);
    // A second re-review by ana herself changes nothing either.
    let forged = hand_entry(
        &env,
        Action::Recertified,
        "ana-example",
        "2025-03-05T10:00:00-05:00",
        &rev,
    );
    env.write_entry(SLUG, &forged);
    commit_as(&env, ANA, "recertify", "2025-03-05T10:00:00-05:00");
    assert!(summary(&env)["publishable"].is_null());
}

/// Attack: the submitter of a revision (a reviewer who submitted it) re-reviews it.
#[test]
fn the_submitter_of_a_revision_cannot_re_review_it() {
    let mut env = TestEnv::seeded();
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "Submitted for Suzanne.",
    ]);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
    env.set_now(A_YEAR_ON);
    let err = env.refuse(&["recertify", SLUG, "--as", "david-okafor"]);
    assert!(err.contains("cannot review it"), "{err}");
    let rev = latest_revision(&env);
    let forged = hand_entry(&env, Action::Recertified, "david-okafor", A_YEAR_ON, &rev);
    let rel = env.write_entry(SLUG, &forged);
    commit_as(&env, DAVID, "recertify", A_YEAR_ON);
    let s = summary(&env);
    assert_eq!(s["state"], "re-review-due", "{s:#}");
    assert!(does_not_count(&env, &entry_id_of(&rel)).is_some_and(|w| w.contains("wrote")));
    assert_eq!(published_review_date(&env).as_deref(), Some("2025-03-04"));
    assert!(check_names(&env, "approval-policy", &entry_id_of(&rel)));
}

// ----- 4. HEAD's roster and settings --------------------------------------------

/// Attack: an uncommitted `required_approvals` either way; approve, status and
/// publish all judge by HEAD's.
#[test]
fn an_uncommitted_required_approvals_judges_nothing() {
    // Committed 1, working tree 2.
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    let config = env.read("medreview.yaml");
    env.write(
        "medreview.yaml",
        &config.replace("required_approvals: 1", "required_approvals: 2"),
    );
    env.set_now(NEXT_DAY);
    let run = env.ok(&["approve", SLUG, "--as", "ana-example", "--json"]);
    assert_eq!(json(&run.stdout)["state"], "approved");
    assert_eq!(summary(&env)["state"], "approved");
    assert_eq!(published_review_date(&env).as_deref(), Some("2025-03-04"));

    // Committed 2, working tree 1.
    let mut env = TestEnv::seeded();
    let config = env.read("medreview.yaml");
    env.write(
        "medreview.yaml",
        &config.replace("required_approvals: 1", "required_approvals: 2"),
    );
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "two doctors"]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.write("medreview.yaml", &config);
    env.set_now(NEXT_DAY);
    let run = env.ok(&["approve", SLUG, "--as", "ana-example", "--json"]);
    assert_eq!(json(&run.stdout)["state"], "in-review");
    assert_eq!(summary(&env)["state"], "in-review");
    assert_eq!(published_review_date(&env), None);
}

/// Attack: an uncommitted license renewal lets an expired reviewer sign off.
#[test]
fn an_uncommitted_license_renewal_lets_no_expired_reviewer_sign_off() {
    let mut env = TestEnv::seeded();
    let file = "reviewers/ana-example.yaml";
    let text = env.read(file);
    env.write(file, &text.replace("2027-06-30", "2025-03-01"));
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "ana's license as on file"]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.write(file, &text);
    env.set_now(NEXT_DAY);
    let before = env.commit_count();
    let run = env.run(&["approve", SLUG, "--as", "ana-example"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("license expired"), "{}", run.stderr);
    assert!(
        run.stderr.contains("judge by the committed version"),
        "{}",
        run.stderr
    );
    assert_eq!(env.commit_count(), before);
    assert_eq!(summary(&env)["state"], "in-review");
}

/// Attack on check's agreement: the license on file at HEAD had expired when ana
/// approved (so status and publish do not count it), but the working tree's
/// uncommitted roster renews it: check must not call the record clean.
#[test]
fn check_judges_an_approval_by_the_roster_status_and_publish_use() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.set_now(NEXT_DAY);
    env.ok(&["approve", SLUG, "--as", "ana-example"]);
    let approval = env.entries(SLUG).pop().expect("approval").0;
    let file = "reviewers/ana-example.yaml";
    let text = env.read(file);
    // HEAD: the license had run out before the approval (an edit by whoever).
    env.write(file, &text.replace("2027-06-30", "2025-03-01"));
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "ana's license as on file"]);
    assert_eq!(summary(&env)["state"], "in-review");
    assert_eq!(published_review_date(&env), None);
    assert!(check_names(&env, "approval-policy", &approval));
    // The working tree renews it, uncommitted.
    env.write(file, &text);
    assert_eq!(summary(&env)["state"], "in-review");
    assert_eq!(published_review_date(&env), None);
    assert!(
        check_names(&env, "approval-policy", &approval),
        "check calls clean an approval status and publish do not count:\n{}",
        env.run(&["check"]).stderr
    );
}

/// Attack: an uncommitted `require_signatures: true`: approve, status, publish and
/// check agree on the unsigned approval.
#[test]
fn an_uncommitted_require_signatures_judges_nothing_anywhere() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    let config = env.read("medreview.yaml");
    env.write(
        "medreview.yaml",
        &config.replace("require_signatures: false", "require_signatures: true"),
    );
    env.set_now(NEXT_DAY);
    let run = env.ok(&["approve", SLUG, "--as", "ana-example", "--json"]);
    assert_eq!(json(&run.stdout)["state"], "approved");
    assert_eq!(summary(&env)["state"], "approved");
    assert_eq!(published_review_date(&env).as_deref(), Some("2025-03-04"));
    let approval = env.entries(SLUG).pop().expect("approval").0;
    assert!(
        !check_names(&env, "signature", &approval),
        "check reports as unsigned an approval status and publish count:\n{}",
        env.run(&["check"]).stderr
    );
}

/// Attack: an uncommitted `proxies: [admins]` lets the admin record for a doctor.
#[test]
fn an_uncommitted_proxy_policy_lets_no_one_record_for_a_doctor() {
    let mut env = audited(&[]);
    submit(&env);
    let config = env.read("medreview.yaml");
    env.write(
        "medreview.yaml",
        &config.replace(
            "require_signatures: false",
            "require_signatures: false\n  proxies: [admins]",
        ),
    );
    env.set_now(NEXT_DAY);
    be(&env, ROSA);
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example"]);
    assert!(err.contains("ana-example"), "{err}");
    assert_eq!(summary(&env)["state"], "in-review");
}

// ----- concurrent clones ---------------------------------------------------------

/// Attack on sync's replay: ana re-reviews r1 in a clone that has not fetched the
/// writer's r2, then runs `medreview sync`. The re-review became stale: it must
/// be dropped (never pushed) and renew nothing, anywhere.
#[test]
fn sync_drops_a_re_review_that_a_newer_revision_made_stale() {
    use crate::common::team::{R2_LINE, T1000, T1100, team};
    let (_team, mut suzanne, mut ana, _david) = team(1);
    ana.set_now(NEXT_DAY);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    suzanne.pull_merge();
    suzanne.set_now(T1000);
    suzanne.submit_edit(R2_LINE, "Second.");
    suzanne.push();

    ana.set_now(T1100);
    ana.ok(&["recertify", SLUG, "-m", "Still right."]);
    let run = ana.run(&["sync", "--json"]);
    let doc = json(&run.stdout);
    assert_eq!(run.code, 1, "a dropped decision exits 1: {run:?}");
    let dropped = doc["dropped"].as_array().expect("dropped");
    assert_eq!(dropped.len(), 1, "{doc:#}");
    assert_eq!(dropped[0]["action"], "recertified", "{doc:#}");
    let status = ana.status();
    assert_eq!(status["state"], "in-review", "{status:#}");
    assert_eq!(
        status["publishable"]["recertified_by"],
        serde_json::json!([])
    );
    suzanne.pull_merge();
    let status = suzanne.status();
    assert_eq!(
        status["publishable"]["recertified_by"],
        serde_json::json!([])
    );
    assert!(
        std::fs::read_dir(suzanne.dir().join(crate::common::SIGNOFFS))
            .expect("signoffs")
            .all(|e| !e
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .contains("recertified")),
        "the stale re-review was pushed"
    );
}

/// Attack: a re-review in one clone and a withdrawal in another, merged with git
/// (either order): the withdrawal decides, nothing is published, and there is
/// no conflict a re-review could be used to settle.
#[test]
fn a_re_review_beside_a_withdrawal_never_keeps_the_page_up() {
    use crate::common::team::{T1000, T1100, team};
    let (_team, _suzanne, mut ana, mut david) = team(1);
    ana.set_now(NEXT_DAY);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    david.pull_merge();
    david.set_now(T1000);
    david.ok(&["withdraw", SLUG, "-m", "Dosing is outdated."]);
    ana.set_now(T1100);
    ana.ok(&["recertify", SLUG, "-m", "Still right."]);
    ana.push();
    david.pull_merge();
    david.push();
    ana.pull_merge();
    for member in [&ana, &david] {
        let status = member.status();
        assert_eq!(status["state"], "withdrawn", "{status:#}");
        assert!(status["publishable"].is_null(), "{status:#}");
        let out = member.dir().join("../site-".to_owned() + member.person.id);
        let run = member.ok(&["publish", "--out", out.to_str().expect("utf-8")]);
        assert!(!out.join(format!("{SLUG}.html")).exists(), "{}", run.stderr);
    }
}

// ----- more on recertify's dates and rosters -------------------------------------

/// Attack: a re-review naming an older roster than the approval it renews (the
/// roster from before the admin shortened the doctor's license), a year on.
#[test]
fn a_re_review_naming_a_roster_older_than_what_it_saw_renews_nothing() {
    let mut env = audited(&[]);
    let genesis = {
        let mut ids: Vec<String> = std::fs::read_dir(env.root().join("roster"))
            .expect("roster")
            .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
            .collect();
        ids.sort();
        ids.pop().expect("genesis")
    };
    be(&env, ROSA);
    env.set_now("2025-03-03T11:00:00-05:00");
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--license-expires",
        "2025-06-30",
    ]);
    submit(&env);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    let rev = latest_revision(&env);
    let mut forged = hand_entry(&env, Action::Recertified, "ana-example", A_YEAR_ON, &rev);
    forged.roster = vec![EntryId::parse(genesis.trim_end_matches(".yaml")).expect("id")];
    let rel = env.write_entry(SLUG, &forged);
    commit_as(&env, ANA, "recertify her2-treatment r1", A_YEAR_ON);
    env.set_now(A_YEAR_ON);
    let s = summary(&env);
    assert_eq!(s["state"], "re-review-due", "{s:#}");
    assert!(
        does_not_count(&env, &entry_id_of(&rel)).is_some_and(|w| w.contains("older roster")),
        "{:?}",
        does_not_count(&env, &entry_id_of(&rel))
    );
    // publish refuses the history (roster-stale) or keeps the approval's date.
    let published = published_review_date(&env);
    assert!(
        published.is_none() || published.as_deref() == Some("2025-03-04"),
        "{published:?}"
    );
    assert!(check_names(&env, "roster-order", &entry_id_of(&rel)));
    assert!(check_names(&env, "roster-stale", &entry_id_of(&rel)));
}

/// Attack: a re-review dated in the future (`MEDREVIEW_NOW` set ahead) renews the
/// page to a review date that has not happened yet.
#[test]
#[ignore = "BUG (partly fixed): check, the gate and publish now refuse an entry dated a day or more after their clock (entry-in-the-future); status still counts it"]
fn a_re_review_dated_in_the_future_does_not_renew_the_page_to_that_date() {
    let mut env = TestEnv::approved();
    // Still inside her license (to 2027-06-30), nine months ahead.
    env.set_now("2026-12-01T09:00:00-05:00");
    // Observed: recorded, then on 2026-03-11 status says approved with
    // reviewed_at 2026-12-01, publish writes lastReviewed 2026-12-01, check is clean.
    let _ = env.run(&["recertify", SLUG, "--as", "ana-example", "-m", "Next time."]);
    env.set_now(A_YEAR_ON);
    let s = summary(&env);
    let published = published_review_date(&env);
    assert_ne!(
        published.as_deref(),
        Some("2026-12-01"),
        "a page reviewed in December, published in March"
    );
    assert_eq!(s["state"], "re-review-due", "{s:#}");
}

/// Attack: a re-review with a clock behind the approval it renews (accepted with
/// a warning) moves the page's review date back before the approval.
#[test]
fn a_re_review_with_a_clock_behind_the_approval_never_moves_the_review_date_back() {
    let mut env = TestEnv::approved();
    env.set_now("2025-03-03T12:00:00-05:00");
    let run = env.ok(&["recertify", SLUG, "--as", "ana-example", "-m", "Checked."]);
    assert!(
        run.stderr.contains("earlier than the latest sign-off"),
        "{}",
        run.stderr
    );
    env.set_now("2025-03-10T09:00:00-05:00");
    // Observed: reviewed_at 2025-03-03T12:00 (before approved_at), due 2026-03-03,
    // lastReviewed 2025-03-03; check says entry-time-order but publish goes ahead.
    let s = summary(&env);
    let published = published_review_date(&env);
    assert_eq!(s["publishable"]["reviewed_at"], NEXT_DAY, "{s:#}");
    // publish keeps the approval's date, or (check now says the re-review's commit
    // is dated before its parent) refuses: never the earlier date.
    assert_ne!(published.as_deref(), Some("2025-03-03"));
}

/// The retired reviewer's stale clone again, with an approval instead of a
/// re-review (the broader form of the attacks above): r1 was in review when the
/// admin retired her; she approves it in the clone that never fetched that, then
/// pulls (rebasing, or merging) and pushes.
#[test]
fn an_approval_from_a_stale_clone_by_a_retired_reviewer_does_not_count() {
    for rebase in [true, false] {
        let mut env = audited(&[]);
        submit(&env);
        env.git(&["branch", "stale"]);
        env.set_now("2025-03-06T09:00:00-05:00");
        be(&env, ROSA);
        env.ok(&["reviewer", "retire", "ana-example"]);
        env.git(&["checkout", "-q", "stale"]);
        env.set_now("2025-03-07T09:00:00-05:00");
        be(&env, ANA);
        env.ok(&["approve", SLUG, "-m", "Accurate."]);
        if rebase {
            env.git(&["rebase", "-q", "main"]);
        } else {
            env.git(&["merge", "-q", "--no-edit", "main"]);
        }
        env.git(&["checkout", "-q", "main"]);
        env.git(&["merge", "-q", "--ff-only", "stale"]);
        let s = summary(&env);
        assert!(s["publishable"].is_null(), "rebase {rebase}: {s:#}");
        assert_ne!(s["state"], "approved", "rebase {rebase}");
        assert_eq!(published_review_date(&env), None);
    }
}

/// Attack: a writer adds herself to `admins` in the working tree, uncommitted,
/// and changes a doctor's license date with the roster command.
#[test]
fn an_uncommitted_admins_edit_makes_no_one_an_admin() {
    let env = audited(&[]);
    let config = env.read("medreview.yaml");
    assert!(config.contains("admins: [rosa-editor]"), "{config}");
    env.write(
        "medreview.yaml",
        &config.replace(
            "admins: [rosa-editor]",
            "admins: [rosa-editor, suzanne-example]",
        ),
    );
    be(&env, SUZANNE);
    let before = env.commit_count();
    let run = env.run(&[
        "reviewer",
        "edit",
        "ana-example",
        "--license-expires",
        "2035-01-01",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(env.commit_count(), before);
}

/// Attack: a reviewer file that exists only in the working tree signs off.
#[test]
fn an_uncommitted_reviewer_file_cannot_sign_off() {
    let mut env = TestEnv::seeded();
    env.ok(&["submit", SLUG, "--as", "suzanne-example", "-m", "First."]);
    env.write(
        "reviewers/mallory-md.yaml",
        "name: Mallory\ncredentials: M.D.\nemail: mallory@example.org\n",
    );
    env.set_now(NEXT_DAY);
    let before = env.commit_count();
    let run = env.run(&["approve", SLUG, "--as", "mallory-md"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(env.commit_count(), before);
    assert_eq!(summary(&env)["state"], "in-review");
}

/// Attack: an uncommitted `interval_months: 1` (or 120): `status --due`, the state
/// and publish keep HEAD's interval.
#[test]
fn an_uncommitted_review_interval_moves_no_due_date() {
    let mut env = TestEnv::approved();
    let config = env.read("medreview.yaml");
    assert!(config.contains("interval_months: 12"), "{config}");
    env.set_now("2025-05-04T09:00:00-05:00");
    env.write(
        "medreview.yaml",
        &config.replace("interval_months: 12", "interval_months: 1"),
    );
    let due = env.ok(&["status", "--due"]).stdout;
    assert!(!due.contains(SLUG), "{due}");
    assert_eq!(summary(&env)["state"], "approved");
    assert_eq!(
        summary(&env)["publishable"]["due_at"],
        "2026-03-04T09:00:00-05:00"
    );
    env.set_now(A_YEAR_ON);
    env.write(
        "medreview.yaml",
        &config.replace("interval_months: 12", "interval_months: 120"),
    );
    let due = env.ok(&["status", "--due"]).stdout;
    assert!(due.contains(SLUG), "{due}");
    assert_eq!(summary(&env)["state"], "re-review-due");
}

/// Attack: a hand-made re-review dated months after the commit that adds it (the
/// commit made now, on the real history): check names it and publish does not
/// put the future date on the page.
#[test]
fn a_hand_made_re_review_dated_after_its_commit_is_refused_by_publish() {
    let mut env = TestEnv::approved();
    env.set_now(A_YEAR_ON);
    let rev = latest_revision(&env);
    let future = "2026-12-01T09:00:00-05:00";
    let forged = hand_entry(&env, Action::Recertified, "ana-example", future, &rev);
    env.write_entry(SLUG, &forged);
    commit_as(&env, ANA, "recertify her2-treatment r1", A_YEAR_ON);
    let codes = check_codes(&env);
    assert!(codes.contains(&"entry-time".to_owned()), "{codes:?}");
    assert_ne!(published_review_date(&env).as_deref(), Some("2026-12-01"));
}

/// Attack: a re-review in one clone and a request for changes on the same
/// revision in another, merged: the request stands, nothing is published.
#[test]
fn a_re_review_beside_a_request_for_changes_never_answers_it() {
    use crate::common::team::{T1000, T1100, team};
    let (_team, _suzanne, mut ana, mut david) = team(1);
    ana.set_now(NEXT_DAY);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    david.pull_merge();
    david.set_now(T1000);
    david.ok(&["request-changes", SLUG, "-m", "The dose is wrong."]);
    ana.set_now(T1100);
    ana.ok(&["recertify", SLUG, "-m", "Still right."]);
    ana.push();
    david.pull_merge();
    david.push();
    ana.pull_merge();
    for member in [&ana, &david] {
        let status = member.status();
        assert_eq!(status["state"], "changes-requested", "{status:#}");
        assert!(status["publishable"].is_null(), "{status:#}");
    }
    // Nor does a second re-review that saw the request.
    ana.set_now("2025-03-04T13:00:00-05:00");
    let run = ana.run(&["recertify", SLUG, "-m", "I disagree."]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(ana.status()["state"], "changes-requested");
}

/// The same hand-made future re-review, seen by status: status must say what
/// publish does, and publish refuses the history.
#[test]
#[ignore = "BUG (open): status counts a re-review dated after the commit that adds it (reviewed_at 2026-12-01, due 2027-12-01) while check says entry-time and publish refuses; status does not run the history checks"]
fn status_does_not_count_a_re_review_dated_after_its_commit() {
    let mut env = TestEnv::approved();
    env.set_now(A_YEAR_ON);
    let rev = latest_revision(&env);
    let future = "2026-12-01T09:00:00-05:00";
    let forged = hand_entry(&env, Action::Recertified, "ana-example", future, &rev);
    env.write_entry(SLUG, &forged);
    commit_as(&env, ANA, "recertify her2-treatment r1", A_YEAR_ON);
    assert_eq!(published_review_date(&env), None, "publish refuses");
    let s = summary(&env);
    assert_eq!(s["state"], "re-review-due", "{s:#}");
    assert_eq!(s["publishable"]["reviewed_at"], NEXT_DAY, "{s:#}");
}
