//! The roster as part of the record, attacked by a team member with push access:
//! acting as someone else, approving one's own text, swapping a key, a look-alike
//! or doubled doctor, a clock set back, a deleted reviewer, a roster change by a
//! non-admin. Each attack sets up an audited workspace (an admin's genesis roster
//! entry) and asserts that the forged outcome does not happen: the article is not
//! approved, `publish` does not put it on the site (or refuses), and `check` exits
//! 1 naming the problem by its code. Also: key rotation, retirement, proxies, and
//! roster signatures that interoperate with `ssh-keygen -Y`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output};

use chrono::DateTime;
use medreview_core::ids::Id;
use medreview_core::record::entry::{self, Action, Entry, EntryId};
use medreview_core::roster::log::RosterEntry;
use medreview_core::signing::{self, SigningKey};
use medreview_store::revision::RevId;
use serde_json::Value;

use crate::common::{
    ARTICLE, HER2_ARTICLE, NEXT_DAY, Run, SLUG, START, TestEnv, fixture, json, public_key,
    ssh_keygen,
};

// ----- people -----------------------------------------------------------------

const SUZANNE: &str = "suzanne@example.org";
pub(crate) const ANA: &str = "ana@example.org";
pub(crate) const DAVID: &str = "david@example.org";
pub(crate) const ROSA: &str = "rosa@example.org";
/// Someone with push access who is not on the roster.
pub(crate) const MALLORY: &str = "mallory@example.org";

/// Tells git who is at the keyboard (what `--as` is checked against).
pub(crate) fn be(env: &TestEnv, email: &str) {
    env.git(&["config", "user.email", email]);
}

fn id(text: &str) -> Id {
    Id::parse("id", text).expect("id")
}

fn slug() -> Id {
    Id::parse("slug", SLUG).expect("slug")
}

fn time(text: &str) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("time")
}

// ----- keys and ssh-keygen -----------------------------------------------------

fn path_arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn keygen_ok(out: &Output) {
    assert!(
        out.status.success(),
        "ssh-keygen failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh ed25519 key pair in `dir`: (private key file, public key line).
fn new_key(keygen: &Path, dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let out = Process::new(keygen)
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .output()
        .expect("run ssh-keygen");
    keygen_ok(&out);
    let public = std::fs::read_to_string(path.with_extension("pub")).expect("public key");
    (path, public.trim().to_owned())
}

/// Signs `text` with plain `ssh-keygen -Y sign` in `namespace`; returns the PEM.
fn keygen_sign(keygen: &Path, dir: &Path, key: &Path, namespace: &str, text: &str) -> String {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("entry.txt"), text).expect("text");
    // ssh-keygen refuses a private key others may read.
    std::fs::copy(key, dir.join("key")).expect("copy key");
    let mut perms = std::fs::metadata(dir.join("key"))
        .expect("meta")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(dir.join("key"), perms).expect("chmod");
    let _ = std::fs::remove_file(dir.join("entry.txt.sig"));
    let out = Process::new(keygen)
        .args(["-Y", "sign", "-f", "key", "-n", namespace, "entry.txt"])
        .current_dir(dir)
        .output()
        .expect("run ssh-keygen");
    keygen_ok(&out);
    std::fs::read_to_string(dir.join("entry.txt.sig")).expect("signature")
}

/// The sign-off canonical text as `signing::canonical_text`'s doc comment describes
/// it, built here without the library: eleven lines, `after` and `roster` compact
/// JSON arrays, `note`, `recorded_by` and `clock` JSON strings or `null`.
fn documented_text(entry: &Entry) -> String {
    let quoted = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    let list = |ids: &[EntryId]| {
        ids.iter()
            .map(|i| quoted(i.as_str()))
            .collect::<Vec<_>>()
            .join(",")
    };
    let note = entry.note.as_deref().map_or("null".to_owned(), quoted);
    let recorded_by = entry
        .recorded_by
        .as_ref()
        .map_or("null".to_owned(), |i| quoted(i.as_str()));
    let clock = entry.clock.as_deref().map_or("null".to_owned(), quoted);
    format!(
        "medreview sign-off v2\narticle: {SLUG}\nrevision: {}\naction: {}\nby: {}\nat: {}\nafter: [{}]\nroster: [{}]\nnote: {note}\nrecorded_by: {recorded_by}\nclock: {clock}\n",
        entry.revision,
        entry.action,
        entry.by,
        entry.at.to_rfc3339(),
        list(&entry.after),
        list(&entry.roster),
    )
}

// ----- the audited workspace ----------------------------------------------------

/// How the team is set up before the admin records the genesis.
#[derive(Default)]
pub(crate) struct Team<'a> {
    /// Text replacements in medreview.yaml (`require_signatures: false` → `true`).
    pub(crate) config: &'a [(&'a str, &'a str)],
    /// Public keys on file (roster file, key line) before the genesis.
    pub(crate) keys: &'a [(&'a str, &'a str)],
    /// rosa-editor's key pair, when she signs roster entries.
    pub(crate) admin_key: Option<(&'a Path, &'a str)>,
}

/// The seeded workspace (writer suzanne-example, reviewers ana-example and
/// david-okafor, her2-treatment written but not submitted) plus writer rosa-editor,
/// who then runs `admin add rosa-editor` as herself: the roster is audited from here.
pub(crate) fn audited(team: Team<'_>) -> TestEnv {
    let env = TestEnv::seeded();
    let mut config = env.read("medreview.yaml");
    for (from, to) in team.config {
        assert!(config.contains(from), "{from:?} is not in:\n{config}");
        config = config.replace(from, to);
    }
    env.write("medreview.yaml", &config);
    for (rel, key) in team.keys {
        env.append(rel, &format!("public_key: {key}\n"));
    }
    let mut rosa = vec![
        "writer",
        "add",
        "rosa-editor",
        "--name",
        "Rosa Editor",
        "--email",
        ROSA,
        "--bio",
        "Managing editor.",
    ];
    if let Some((_, public)) = team.admin_key {
        rosa.extend(["--public-key", public]);
    }
    env.ok(&rosa);
    env.git(&["add", "medreview.yaml", "reviewers", "writers"]);
    env.git(&[
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "review settings and keys",
        "--date",
        START,
    ]);
    be(&env, ROSA);
    let mut admin = vec!["admin", "add", "rosa-editor"];
    if let Some((key, _)) = team.admin_key {
        admin.extend(["--key", path_arg(key)]);
    }
    let run = env.ok(&admin);
    assert!(
        run.stderr.contains("recorded in the roster's record"),
        "{}",
        run.stderr
    );
    // Regression: the genesis commit was authored by `rosa-editor@users.medreview.invalid`,
    // the record holding no one before it.
    assert_eq!(
        env.git(&["log", "-1", "--format=%ae"]).trim(),
        "rosa@example.org"
    );
    env
}

/// suzanne-example submits the article as it is in the working tree.
pub(crate) fn submit(env: &TestEnv, key: Option<&Path>) {
    be(env, SUZANNE);
    let mut args = vec!["submit", SLUG, "--as", "suzanne-example", "-m", "Draft."];
    if let Some(key) = key {
        args.extend(["--key", path_arg(key)]);
    }
    env.ok(&args);
}

/// The roster entry ids that nothing else in roster/ names in `after:`.
pub(crate) fn roster_heads(env: &TestEnv) -> Vec<EntryId> {
    let dir = env.root().join("roster");
    let mut entries = Vec::new();
    for file in std::fs::read_dir(&dir).expect("roster folder") {
        let name = file
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(dir.join(&name)).expect("read roster entry");
        let (id, entry) =
            entry::read_named::<RosterEntry>(&name, &bytes, Path::new(&name)).expect("parse");
        entries.push((id, entry));
    }
    let mut heads: Vec<EntryId> = entries
        .iter()
        .filter(|(id, _)| !entries.iter().any(|(_, e)| e.after.contains(id)))
        .map(|(id, _)| id.clone())
        .collect();
    heads.sort();
    heads
}

/// A hand-made sign-off on the article's current text, after the record's last
/// entry, naming the current roster heads, unsigned.
fn hand_entry(env: &TestEnv, action: Action, by: &str, at: &str) -> Entry {
    let (last, _) = env.entries(SLUG).pop().expect("a recorded entry");
    Entry {
        action,
        by: id(by),
        at: time(at),
        revision: RevId::parse(&env.hash_object(ARTICLE)).expect("revision"),
        after: vec![EntryId::parse(&last).expect("entry id")],
        roster: roster_heads(env),
        note: Some("Looks right to me.".into()),
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

/// A hand-made roster entry by `by` naming the working-tree content of `files`.
pub(crate) fn hand_roster_entry(env: &TestEnv, by: &str, at: &str, files: &[&str]) -> String {
    let entry = RosterEntry {
        by: id(by),
        at: time(at),
        after: roster_heads(env),
        files: files
            .iter()
            .map(|f| {
                (
                    (*f).to_owned(),
                    RevId::parse(&env.hash_object(f)).expect("blob id"),
                )
            })
            .collect::<BTreeMap<_, _>>(),
        note: Some(format!("add {}", files.join(", "))),
        voids: BTreeMap::new(),
        signature: None,
    };
    write_roster_entry(env, &entry)
}

fn write_roster_entry(env: &TestEnv, entry: &RosterEntry) -> String {
    let (entry_id, bytes) = entry.to_file();
    let rel = format!("roster/{}", entry_id.file_name());
    env.write_bytes(&rel, &bytes);
    rel
}

/// Stages everything and commits it with plain git as `email`, authored at `date`;
/// returns the commit.
pub(crate) fn commit_as(env: &TestEnv, email: &str, message: &str, date: &str) -> String {
    be(env, email);
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", message, "--date", date]);
    env.head()
}

/// Runs medreview like `TestEnv::run`, but on the system clock (no MEDREVIEW_NOW).
fn run_on_system_clock(env: &TestEnv, args: &[&str]) -> Run {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    let output = assert_cmd::Command::cargo_bin("medreview")
        .expect("the medreview binary is built")
        .env_clear()
        .env("PATH", path)
        .env("HOME", env.outside("home"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LANG", "C")
        .env("NO_COLOR", "1")
        .current_dir(env.root())
        .args(crate::common::with_latest_revision(env.root(), args))
        .output()
        .expect("run medreview");
    Run {
        code: output.status.code().expect("medreview exited normally"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

// ----- what the tools say ---------------------------------------------------------

/// The article's summary from `status SLUG --json`.
fn summary(env: &TestEnv) -> Value {
    let run = env.ok(&["status", SLUG, "--json"]);
    json(&run.stdout)["articles"][0].clone()
}

fn state(env: &TestEnv) -> String {
    summary(env)["state"].as_str().expect("state").to_owned()
}

/// Who the publishable revision's byline would name (empty: nothing publishable).
pub(crate) fn approved_by(env: &TestEnv) -> Vec<String> {
    summary(env)["publishable"]["approved_by"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().expect("id").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts the article is not approved and no byline is produced.
pub(crate) fn assert_not_approved(env: &TestEnv) {
    let summary = summary(env);
    assert!(
        !matches!(
            summary["state"].as_str(),
            Some("approved" | "re-review-due")
        ),
        "the forgery was counted:\n{summary:#}"
    );
    assert!(
        summary["publishable"].is_null(),
        "something is publishable:\n{summary:#}"
    );
}

/// `log SLUG --json`'s entries.
fn log_entries(env: &TestEnv) -> Vec<Value> {
    let run = env.ok(&["log", SLUG, "--json"]);
    json(&run.stdout)["entries"]
        .as_array()
        .expect("entries")
        .clone()
}

/// Why the log says the entry in sign-off file `file` does not count.
fn does_not_count(env: &TestEnv, file: &str) -> String {
    let entry_id = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("an entry file");
    let entries = log_entries(env);
    entries
        .iter()
        .find(|e| e["id"] == entry_id)
        .unwrap_or_else(|| panic!("no entry {entry_id} in the log"))["does_not_count"]
        .as_str()
        .unwrap_or_else(|| panic!("the entry {entry_id} counts:\n{entries:#?}"))
        .to_owned()
}

/// Runs `publish --out DIR`; returns the run and whether the article's page was written.
fn publish(env: &TestEnv) -> (Run, bool) {
    let out = env.outside("site");
    let _ = std::fs::remove_dir_all(&out);
    let run = env.run(&["publish", "--out", path_arg(&out)]);
    let page = run.code == 0 && out.join(format!("{SLUG}.html")).exists();
    (run, page)
}

/// Asserts `publish` does not put the article on the site (it may refuse).
pub(crate) fn assert_not_published(env: &TestEnv) {
    let (run, page) = publish(env);
    assert!(
        !page,
        "publish shipped the forgery:\n{}\n{}",
        run.stdout, run.stderr
    );
    assert!(run.code == 0 || run.code == 1, "{run:?}");
}

/// Asserts `publish` refuses, naming `code`.
fn assert_publish_refuses(env: &TestEnv, code: &str) {
    let (run, _) = publish(env);
    assert_eq!(run.code, 1, "publish did not refuse:\n{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("[{code}]")),
        "publish did not name [{code}]:\n{}",
        run.stderr
    );
    assert!(
        !env.outside("site").join(format!("{SLUG}.html")).exists(),
        "a refused publish wrote the page"
    );
}

/// `check --json`: the exit code and the report.
pub(crate) fn check(env: &TestEnv) -> (i32, Value) {
    let run = env.run(&["check", "--json"]);
    (run.code, json(&run.stdout))
}

fn problems<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter(|p| p["code"] == code)
        .collect()
}

/// Asserts check failed and reported `code` about `file` (in the working tree when
/// `commit` is None, else in that commit).
pub(crate) fn assert_reported<'a>(
    report: &'a Value,
    code: &str,
    file: &str,
    commit: Option<&str>,
) -> &'a Value {
    problems(report, code)
        .into_iter()
        .find(|p| {
            p["file"] == file
                && match commit {
                    None => p["commit"].is_null(),
                    Some(c) => p["commit"] == c,
                }
        })
        .unwrap_or_else(|| panic!("no {code} about {file} (commit {commit:?}) in:\n{report:#}"))
}

/// Runs `check` and asserts it exits 1 with a line ending in `[code]`, the code named.
pub(crate) fn assert_check_names(env: &TestEnv, code: &str) {
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1, "check passed:\n{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.ends_with(&format!("[{code}]"))),
        "check did not name [{code}]:\n{}",
        run.stdout
    );
}

// ----- 1. acting as someone else ----------------------------------------------------

#[test]
fn someone_not_on_the_roster_cannot_approve_as_a_reviewer_nor_commit_one_by_hand() {
    let mut env = audited(Team::default());
    submit(&env, None);
    env.set_now(NEXT_DAY);

    be(&env, MALLORY);
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example", "-m", "Fine."]);
    assert!(
        err.contains("git says you are mallory@example.org, who is not on the roster"),
        "{err}"
    );
    // A writer on the roster may not either (no proxy policy).
    be(&env, SUZANNE);
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example", "-m", "Fine."]);
    assert!(err.contains("not ana-example"), "{err}");
    assert_eq!(state(&env), "in-review");

    // By hand: the entry is well formed, but Mallory's commit says who made it.
    let forged = hand_entry(&env, Action::Approved, "ana-example", NEXT_DAY);
    let file = env.write_entry(SLUG, &forged);
    let commit = commit_as(&env, MALLORY, "approve her2-treatment r1", NEXT_DAY);

    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    let p = assert_reported(&report, "committer-mismatch", &file, Some(&commit));
    assert!(
        p["message"].as_str().expect("message").contains(MALLORY),
        "{p:#}"
    );
    assert_check_names(&env, "committer-mismatch");
    assert_publish_refuses(&env, "committer-mismatch");
}

// ----- 2. approving one's own text -----------------------------------------------

#[test]
fn a_reviewer_who_wrote_the_article_cannot_count_her_own_ssh_keygen_signed_approval() {
    let Some(keygen) = ssh_keygen() else { return };
    let keys = tempfile::tempdir().expect("a folder for keys");
    let (rosa_key, rosa_public) = new_key(&keygen, keys.path(), "rosa_ed25519");
    let (ana, suzanne) = (public_key("ana_ed25519"), public_key("suzanne_ed25519"));
    let mut env = audited(Team {
        config: &[("require_signatures: false", "require_signatures: true")],
        keys: &[
            ("reviewers/ana-example.yaml", &ana),
            ("writers/suzanne-example.yaml", &suzanne),
        ],
        admin_key: Some((&rosa_key, &rosa_public)),
    });
    // Ana wrote this one; Suzanne, a colleague, submits it for her.
    env.write(
        ARTICLE,
        &HER2_ARTICLE
            .replace("writer: suzanne-example", "writer: ana-example")
            .replace("reviewer: ana-example", "reviewer: david-okafor"),
    );
    submit(&env, Some(&fixture("suzanne_ed25519")));
    env.set_now(NEXT_DAY);

    be(&env, ANA);
    let ana_key = fixture("ana_ed25519");
    let err = env.refuse(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--key",
        path_arg(&ana_key),
        "-m",
        "Mine, and accurate.",
    ]);
    assert!(
        err.contains("the writer of a revision cannot review it"),
        "{err}"
    );

    // With plain ssh-keygen over the documented text, in an ordinary commit.
    let mut own = hand_entry(&env, Action::Approved, "ana-example", NEXT_DAY);
    let text = documented_text(&own);
    assert_eq!(text, signing::canonical_text(&slug(), &own));
    let pem = keygen_sign(
        &keygen,
        &env.outside("sign"),
        &ana_key,
        signing::NAMESPACE,
        &text,
    );
    own.signature = Some(pem);
    assert_eq!(
        signing::verify(&slug(), &own, Some(&ana)),
        Ok(()),
        "the signature itself is sound"
    );
    let file = env.write_entry(SLUG, &own);
    commit_as(&env, ANA, "approve her2-treatment r1", NEXT_DAY);

    assert_not_approved(&env);
    assert!(
        does_not_count(&env, &file).contains("ana-example wrote r1"),
        "{:#?}",
        log_entries(&env)
    );
    assert_not_published(&env);
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_reported(&report, "approval-policy", &file, None);
    assert!(
        problems(&report, "signature").is_empty(),
        "every entry is signed and sound:\n{report:#}"
    );
    assert_check_names(&env, "approval-policy");
}

// ----- 3. a swapped key ---------------------------------------------------------------

#[test]
fn a_public_key_swapped_with_plain_git_signs_nothing_for_the_reviewer() {
    // ssh-keygen makes the forged signature.
    if ssh_keygen().is_none() {
        return;
    }
    let ana = public_key("ana_ed25519");
    let mut env = audited(Team {
        keys: &[("reviewers/ana-example.yaml", &ana)],
        ..Team::default()
    });
    submit(&env, None);
    // Suzanne, who has push access, puts her own key in Ana's file.
    let mallory_key = fixture("suzanne_ed25519");
    let mallory_public = public_key("suzanne_ed25519");
    let file = env
        .read("reviewers/ana-example.yaml")
        .replace(&ana, &mallory_public);
    env.write("reviewers/ana-example.yaml", &file);
    let swap = commit_as(&env, SUZANNE, "update ana's key", START);
    env.set_now(NEXT_DAY);

    // Even passing as Ana to git, medreview signs only with the recorded key.
    be(&env, ANA);
    let err = env.refuse(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--key",
        path_arg(&mallory_key),
        "-m",
        "Fine.",
    ]);
    assert!(err.contains("is not ana-example's"), "{err}");

    // So she signs by hand, against the key she put in the file.
    let mut forged = hand_entry(&env, Action::Approved, "ana-example", NEXT_DAY);
    let key = SigningKey::load(&mallory_key).expect("key");
    forged.signature = Some(
        key.sign(&slug(), &forged, &id("ana-example"), Some(&mallory_public))
            .expect("sign"),
    );
    let approval = env.write_entry(SLUG, &forged);
    commit_as(&env, ANA, "approve her2-treatment r1", NEXT_DAY);

    assert_not_approved(&env);
    assert!(
        does_not_count(&env, &approval).contains("signature does not verify"),
        "{:#?}",
        log_entries(&env)
    );
    assert_not_published(&env);
    assert_publish_refuses(&env, "roster-unrecorded");
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_reported(
        &report,
        "roster-unrecorded",
        "reviewers/ana-example.yaml",
        None,
    );
    assert_reported(
        &report,
        "roster-unrecorded",
        "reviewers/ana-example.yaml",
        Some(&swap),
    );
    assert_reported(&report, "signature", &approval, None);
    assert_check_names(&env, "roster-unrecorded");
}

// ----- 4. a look-alike reviewer -------------------------------------------------------

const LOOKALIKE: &str = "reviewers/ana-example-md.yaml";

#[test]
fn a_look_alike_reviewer_is_refused_at_add() {
    let env = audited(Team::default());
    let own_key = public_key("encrypted_ed25519");
    for (name, credentials) in [("Ana Example", "M.D."), ("ana  example", "MD")] {
        let err = env.refuse(&[
            "reviewer",
            "add",
            "ana-example-md",
            "--name",
            name,
            "--credentials",
            credentials,
            "--email",
            MALLORY,
            "--public-key",
            &own_key,
        ]);
        assert!(
            err.contains("would share a displayed name and credentials"),
            "{err}"
        );
    }
    assert!(!env.root().join(LOOKALIKE).exists());
}

#[test]
fn a_look_alike_reviewer_committed_by_hand_judges_no_one() {
    let mut env = audited(Team::default());
    submit(&env, None);
    env.write(
        LOOKALIKE,
        &format!(
            "name: Ana Example\ncredentials: M.D.\nspecialties:\n- oncology\nemail: {MALLORY}\npublic_key: {}\n",
            public_key("encrypted_ed25519")
        ),
    );
    let added = commit_as(&env, MALLORY, "add reviewer ana-example-md", START);
    env.set_now(NEXT_DAY);

    be(&env, MALLORY);
    let err = env.refuse(&["approve", SLUG, "-m", "Fine."]);
    assert!(err.contains("no one in the roster has the email"), "{err}");
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example-md", "-m", "Fine."]);
    assert!(err.contains("who is not on the roster"), "{err}");
    let whoami = env.run(&["whoami"]);
    assert_eq!(whoami.code, 1, "{whoami:?}");
    assert!(whoami.stdout.contains("not on the roster"), "{whoami:?}");
    let listed = env.ok(&["reviewer", "list"]).stdout;
    assert!(!listed.contains("ana-example-md"), "{listed}");

    let forged = hand_entry(&env, Action::Approved, "ana-example-md", NEXT_DAY);
    let approval = env.write_entry(SLUG, &forged);
    commit_as(&env, MALLORY, "approve her2-treatment r1", NEXT_DAY);

    assert_not_approved(&env);
    assert!(
        does_not_count(&env, &approval).contains("not in reviewers/"),
        "{:#?}",
        log_entries(&env)
    );
    assert_not_published(&env);
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_reported(&report, "roster-unrecorded", LOOKALIKE, None);
    assert_reported(&report, "roster-unrecorded", LOOKALIKE, Some(&added));
    assert_reported(&report, "signer-role", &approval, None);
    assert_check_names(&env, "roster-unrecorded");
}

// ----- 5. one doctor under two ids ----------------------------------------------------

const TWIN: &str = "reviewers/ana-okafor.yaml";
const TWIN_EMAIL: &str = "ana.okafor@example.org";

fn twin_file() -> String {
    format!(
        "name: Ana Okafor\ncredentials: M.D., Ph.D.\nspecialties:\n- oncology\nemail: {TWIN_EMAIL}\npublic_key: {}\n",
        public_key("ana_ed25519")
    )
}

pub(crate) fn two_approvals_required() -> TestEnv {
    let ana = public_key("ana_ed25519");
    audited(Team {
        config: &[("required_approvals: 1", "required_approvals: 2")],
        keys: &[("reviewers/ana-example.yaml", &ana)],
        ..Team::default()
    })
}

#[test]
fn one_doctor_under_two_ids_is_refused_at_add() {
    let env = two_approvals_required();
    let err = env.refuse(&[
        "reviewer",
        "add",
        "ana-okafor",
        "--name",
        "Ana Okafor",
        "--credentials",
        "M.D., Ph.D.",
        "--email",
        TWIN_EMAIL,
        "--public-key",
        &public_key("ana_ed25519"),
    ]);
    assert!(err.contains("would share a public key"), "{err}");
}

#[test]
fn one_doctor_under_two_ids_committed_by_hand_does_not_meet_two_approvals() {
    let mut env = two_approvals_required();
    submit(&env, None);
    env.write(TWIN, &twin_file());
    let added = commit_as(&env, TWIN_EMAIL, "add reviewer ana-okafor", START);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    be(&env, TWIN_EMAIL);
    env.refuse(&["approve", SLUG, "--as", "ana-okafor", "-m", "Agreed."]);
    let twin = hand_entry(&env, Action::Approved, "ana-okafor", NEXT_DAY);
    env.write_entry(SLUG, &twin);
    commit_as(&env, TWIN_EMAIL, "approve her2-treatment r1", NEXT_DAY);

    assert_eq!(approved_by(&env), Vec::<String>::new());
    assert_not_approved(&env);
    assert_not_published(&env);
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_reported(&report, "roster-unrecorded", TWIN, None);
    assert_reported(&report, "roster-unrecorded", TWIN, Some(&added));
}

#[test]
fn one_doctor_under_two_ids_forced_onto_the_record_counts_once() {
    let mut env = two_approvals_required();
    submit(&env, None);
    // The admin records the second id by hand, past the command's refusal.
    env.write(TWIN, &twin_file());
    hand_roster_entry(&env, "rosa-editor", START, &[TWIN]);
    commit_as(&env, ROSA, "add reviewer ana-okafor", START);
    let listed = env.ok(&["reviewer", "list"]).stdout;
    assert!(
        listed.contains("ana-okafor"),
        "the record holds the twin: {listed}"
    );

    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    be(&env, TWIN_EMAIL);
    // Recorded, for it is a valid approval by a reviewer on the record; it adds no one.
    let twin = env.ok(&["approve", SLUG, "--as", "ana-okafor", "-m", "Agreed."]);
    assert!(twin.stderr.contains("is now in-review"), "{}", twin.stderr);
    assert_eq!(approved_by(&env), Vec::<String>::new());

    assert_not_approved(&env);
    assert_not_published(&env);
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    let p = assert_reported(&report, "shared-identity", TWIN, None);
    assert!(
        p["message"]
            .as_str()
            .expect("message")
            .contains("a public key"),
        "{p:#}"
    );
    assert_check_names(&env, "shared-identity");
}

// ----- 6. the clock set back ----------------------------------------------------------

/// Ana's license runs out at the end of 2025-03-04 (the admin records it).
fn license_ends_march_fourth() -> TestEnv {
    let env = audited(Team::default());
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--license-expires",
        "2025-03-04",
    ]);
    env
}

#[test]
fn an_approval_dated_before_the_submission_it_saw_under_an_expired_license_does_not_count() {
    let mut env = license_ends_march_fourth();
    env.set_now("2025-03-05T09:00:00-05:00");
    submit(&env, None);
    // Ana's license expired yesterday; she sets her clock back a day.
    let back = "2025-03-04T09:00:00-05:00";
    env.set_now(back);
    be(&env, ANA);
    let err = env.refuse(&["approve", SLUG, "-m", "Fine."]);
    assert!(err.contains("would not count"), "{err}");
    assert!(err.contains("license had expired by 2025-03-05"), "{err}");

    // By hand, with a commit dated to match.
    let forged = hand_entry(&env, Action::Approved, "ana-example", back);
    let approval = env.write_entry(SLUG, &forged);
    let commit = commit_as(&env, ANA, "approve her2-treatment r1", back);

    assert_not_approved(&env);
    assert!(
        does_not_count(&env, &approval).contains("license had expired"),
        "{:#?}",
        log_entries(&env)
    );
    assert_not_published(&env);
    // The clock set back is a warning naming the entry (issue 22: clocks never
    // fail the record for everyone); the approval itself does not count, above.
    let (code, report) = check(&env);
    assert_eq!(code, 0, "{report:#}");
    assert!(
        warnings(&report, "entry-time-order")
            .iter()
            .any(|p| p["file"] == approval.as_str()),
        "{report:#}"
    );
    // Only the author date was set back (`git commit --date`): that is what a rebase
    // or `medreview sync` leaves too, so the commit's order is not the evidence here;
    // the entry's own order is (and the server gate's clock, at push time).
    assert!(
        warnings(&report, "commit-time-order")
            .iter()
            .all(|p| p["commit"] != commit.as_str()),
        "{report:#}"
    );
}

/// The clock warnings of a `check --json` report with `code`.
fn warnings<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|p| p["code"] == code)
        .collect()
}

/// Regression: an approval backdated before a roster entry it names (here a writer
/// added after the license ran out) was judged by its own date, so it counted.
#[test]
fn an_approval_dated_before_a_roster_entry_it_names_under_an_expired_license_does_not_count() {
    let mut env = license_ends_march_fourth();
    submit(&env, None);
    // Two days after Ana's license ran out, the admin adds a writer.
    env.set_now("2025-03-06T09:00:00-05:00");
    be(&env, ROSA);
    env.ok(&[
        "writer",
        "add",
        "marcus-lee",
        "--name",
        "Marcus Lee",
        "--email",
        "marcus@example.org",
    ]);
    // Ana approves afterwards, her clock set back to the day of the submission.
    env.set_now("2025-03-03T12:00:00-05:00");
    be(&env, ANA);
    let run = env.run(&["approve", SLUG, "-m", "Fine."]);
    if run.code == 0 {
        let (_, approval) = env.entries(SLUG).pop().expect("the approval");
        assert!(
            approval
                .roster
                .iter()
                .any(|r| r.as_str().starts_with("20250306")),
            "it names the roster entry of 2025-03-06: {approval:?}"
        );
    }
    assert_not_approved(&env);
    assert_not_published(&env);
}

/// Issue 22: a sign-off committed before its parent (here a parent dated far ahead,
/// as a fast clock makes) is a warning that names the parent's clock, never a failed
/// check or a refused publish for the honest commit after it.
#[test]
fn a_sign_off_committed_before_its_parent_on_the_system_clock_is_a_commit_time_order() {
    let env = audited(Team::default());
    // So the license holds on the system clock, whenever this runs.
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--license-expires",
        "2099-12-31",
    ]);
    submit(&env, None);
    env.write("NOTES.md", "Editorial notes.\n");
    commit_as(&env, SUZANNE, "notes", "2098-01-01T00:00:00+00:00");

    be(&env, ANA);
    let run = run_on_system_clock(&env, &["approve", SLUG, "-m", "Accurate."]);
    assert_eq!(run.code, 0, "{run:?}");
    let approval = env.head();
    let (_, entry) = env.entries(SLUG).pop().expect("the approval");
    assert_eq!(entry.clock, None, "not dated by MEDREVIEW_NOW");

    let (code, report) = check(&env);
    assert_eq!(code, 0, "{report:#}");
    let warned = warnings(&report, "commit-time-order");
    assert!(
        warned.iter().any(|p| p["commit"] == approval.as_str()
            && p["message"]
                .as_str()
                .is_some_and(|m| m.contains("the parent's clock was ahead"))),
        "{report:#}"
    );
    let (run, _) = publish(&env);
    assert_eq!(run.code, 0, "publish refused:\n{}", run.stderr);
}

// ----- 7. a deleted reviewer ----------------------------------------------------------

#[test]
fn deleting_a_reviewers_file_does_not_cancel_their_request_for_changes() {
    let mut env = audited(Team::default());
    submit(&env, None);
    env.set_now(NEXT_DAY);
    be(&env, DAVID);
    env.ok(&[
        "request-changes",
        SLUG,
        "-m",
        "The dosing section is out of date.",
    ]);
    assert_eq!(state(&env), "changes-requested");

    be(&env, SUZANNE);
    env.git(&["rm", "-q", "reviewers/david-okafor.yaml"]);
    let deleted = commit_as(&env, SUZANNE, "remove david", NEXT_DAY);
    env.set_now("2025-03-05T09:00:00-05:00");
    be(&env, ANA);
    let run = env.ok(&["approve", SLUG, "-m", "Looks fine to me."]);
    assert!(
        run.stderr.contains("is now changes-requested"),
        "{}",
        run.stderr
    );

    assert_eq!(state(&env), "changes-requested");
    assert_not_approved(&env);
    assert_not_published(&env);
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_reported(
        &report,
        "roster-unrecorded",
        "reviewers/david-okafor.yaml",
        None,
    );
    assert_reported(
        &report,
        "roster-unrecorded",
        "reviewers/david-okafor.yaml",
        Some(&deleted),
    );
    assert_check_names(&env, "roster-unrecorded");
}

// ----- key rotation, retirement ------------------------------------------------------

#[test]
fn a_rotated_key_keeps_old_approvals_and_signs_the_new_ones() {
    let Some(keygen) = ssh_keygen() else { return };
    let old = fixture("ana_ed25519");
    let ana = public_key("ana_ed25519");
    let mut env = audited(Team {
        keys: &[("reviewers/ana-example.yaml", &ana)],
        ..Team::default()
    });
    let (new, new_public) = new_key(&keygen, &env.outside(""), "ana_new_ed25519");
    submit(&env, None);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "--key", path_arg(&old), "-m", "Accurate."]);

    env.set_now("2025-03-05T09:00:00-05:00");
    be(&env, ROSA);
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--public-key",
        &new_public,
    ]);
    assert_eq!(state(&env), "approved");
    assert_eq!(approved_by(&env), ["ana-example"]);
    let (code, report) = check(&env);
    assert_eq!(
        code, 0,
        "the old signature verifies by the old key:\n{report:#}"
    );

    env.write(ARTICLE, &format!("{HER2_ARTICLE}\nA new paragraph.\n"));
    env.set_now("2025-03-06T09:00:00-05:00");
    submit(&env, None);
    env.set_now("2025-03-07T09:00:00-05:00");

    // Whoever holds the old key can no longer sign for her, even naming the old roster.
    be(&env, ANA);
    let err = env.refuse(&["approve", SLUG, "--key", path_arg(&old), "-m", "Fine."]);
    assert!(err.contains("is not ana-example's"), "{err}");
    let mut stale = hand_entry(
        &env,
        Action::Approved,
        "ana-example",
        "2025-03-07T09:00:00-05:00",
    );
    stale.roster = env.entries(SLUG)[1].1.roster.clone();
    let key = SigningKey::load(&old).expect("key");
    stale.signature = Some(
        key.sign(&slug(), &stale, &id("ana-example"), Some(&ana))
            .expect("sign"),
    );
    let forged = env.write_entry(SLUG, &stale);
    commit_as(
        &env,
        ANA,
        "approve her2-treatment r2",
        "2025-03-07T09:00:00-05:00",
    );
    assert_eq!(summary(&env)["publishable"]["revision"]["number"], 1);
    // Refused twice over: it names the old roster, and its key was replaced
    // before its date (a replaced key is revoked on every branch).
    let why = does_not_count(&env, &forged);
    assert!(
        why.contains("older roster") || why.contains("replaced on"),
        "{:#?}",
        log_entries(&env)
    );

    env.set_now("2025-03-07T10:00:00-05:00");
    env.ok(&["approve", SLUG, "--key", path_arg(&new), "-m", "Fine."]);
    assert_eq!(state(&env), "approved");
    assert_eq!(summary(&env)["publishable"]["revision"]["number"], 2);
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_reported(&report, "roster-order", &forged, None);
    // Every signature verifies by the key of its roster; the forged one is signed
    // with a key replaced before its date, which signs nothing from then on.
    let signature = problems(&report, "signature");
    assert!(
        signature
            .iter()
            .all(|p| p["file"].as_str().is_some_and(|f| f.ends_with(&forged))
                && p["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("replaced on"))),
        "{report:#}"
    );
}

#[test]
fn a_retired_reviewers_old_approval_counts_and_a_new_one_does_not() {
    let mut env = audited(Team::default());
    submit(&env, None);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    env.ok(&["approve", SLUG, "-m", "Accurate."]);
    let before_retirement = env.entries(SLUG)[1].1.roster.clone();

    env.set_now("2025-03-06T09:00:00-05:00");
    be(&env, ROSA);
    env.ok(&["reviewer", "retire", "ana-example"]);
    let listed = env.ok(&["reviewer", "list"]).stdout;
    assert!(listed.contains("retired 2025-03-06"), "{listed}");
    assert_eq!(state(&env), "approved");
    assert_eq!(approved_by(&env), ["ana-example"]);
    let (code, report) = check(&env);
    assert_eq!(code, 0, "{report:#}");

    env.write(ARTICLE, &format!("{HER2_ARTICLE}\nA new paragraph.\n"));
    env.set_now("2025-03-07T09:00:00-05:00");
    submit(&env, None);
    be(&env, ANA);
    let err = env.refuse(&["approve", SLUG, "-m", "Fine."]);
    assert!(err.contains("retired on 2025-03-06"), "{err}");

    // By hand, naming the roster from before her retirement.
    let mut old_roster = hand_entry(
        &env,
        Action::Approved,
        "ana-example",
        "2025-03-07T09:00:00-05:00",
    );
    old_roster.roster = before_retirement;
    let forged = env.write_entry(SLUG, &old_roster);
    commit_as(
        &env,
        ANA,
        "approve her2-treatment r2",
        "2025-03-07T09:00:00-05:00",
    );
    assert_eq!(summary(&env)["publishable"]["revision"]["number"], 1);
    assert_eq!(state(&env), "in-review");
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_reported(&report, "roster-order", &forged, None);
}

/// Regression: a retired reviewer whose clock was set back before the retirement day
/// could still approve, although her entry names the roster entry that retired her.
#[test]
fn a_retired_reviewer_cannot_approve_by_setting_the_clock_back() {
    let mut env = audited(Team::default());
    submit(&env, None);
    env.set_now("2025-03-06T09:00:00-05:00");
    be(&env, ROSA);
    env.ok(&["reviewer", "retire", "ana-example"]);
    env.set_now(NEXT_DAY);
    be(&env, ANA);
    let run = env.run(&["approve", SLUG, "-m", "Fine."]);
    if run.code == 0 {
        let (_, approval) = env.entries(SLUG).pop().expect("the approval");
        assert!(
            approval
                .roster
                .iter()
                .any(|r| r.as_str().starts_with("20250306")),
            "it names the roster entry that retired her: {approval:?}"
        );
    }
    assert_not_approved(&env);
    assert_not_published(&env);
}

// ----- proxies ------------------------------------------------------------------------

fn with_proxies() -> TestEnv {
    audited(Team {
        config: &[(
            "require_signatures: false",
            "require_signatures: false\n  proxies: [admins]",
        )],
        ..Team::default()
    })
}

#[test]
fn an_admin_records_an_approval_for_a_reviewer_when_the_policy_allows_proxies() {
    let mut env = with_proxies();
    submit(&env, None);
    env.set_now(NEXT_DAY);
    // Suzanne is not an admin: the policy does not let her record for Ana.
    be(&env, SUZANNE);
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example", "-m", "By phone."]);
    assert!(err.contains("not ana-example"), "{err}");

    be(&env, ROSA);
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Ana, by phone.",
    ]);
    let (_, entry) = env.entries(SLUG).pop().expect("the approval");
    assert_eq!(entry.by, id("ana-example"));
    assert_eq!(entry.recorded_by, Some(id("rosa-editor")));
    assert!(
        env.read(&env.signoff_path(SLUG, "approved"))
            .contains("recorded_by: rosa-editor"),
    );
    assert_eq!(state(&env), "approved");
    assert_eq!(approved_by(&env), ["ana-example"]);
    let (code, report) = check(&env);
    assert_eq!(code, 0, "the committer is who recorded it:\n{report:#}");
}

/// Regression: `log --json` left out `recorded_by`, so a proxy's entry read as the
/// reviewer's own.
#[test]
fn log_json_shows_who_recorded_a_proxy_approval() {
    let mut env = with_proxies();
    submit(&env, None);
    env.set_now(NEXT_DAY);
    be(&env, ROSA);
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "Ana, by phone.",
    ]);
    let entries = log_entries(&env);
    let approval = entries.last().expect("the approval");
    assert_eq!(approval["recorded_by"], "rosa-editor", "{approval:#}");
}

#[test]
fn without_a_proxy_policy_an_admin_cannot_record_for_a_reviewer() {
    let mut env = audited(Team::default());
    submit(&env, None);
    env.set_now(NEXT_DAY);
    be(&env, ROSA);
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example", "-m", "By phone."]);
    assert!(
        err.contains("git says you are rosa-editor, not ana-example"),
        "{err}"
    );
    assert!(err.contains("review.proxies [admins]"), "{err}");
    assert_eq!(state(&env), "in-review");
}

// ----- roster changes by a non-admin -------------------------------------------------

const FAKE: &str = "reviewers/mallory-md.yaml";

fn fake_doctor() -> String {
    format!("name: Mallory Fake\ncredentials: M.D.\nemail: {MALLORY}\n")
}

#[test]
fn a_roster_change_by_a_non_admin_is_refused_and_one_made_by_hand_judges_no_one() {
    let mut env = audited(Team::default());
    submit(&env, None);
    be(&env, SUZANNE);
    let err = env.refuse(&[
        "reviewer",
        "add",
        "mallory-md",
        "--name",
        "Mallory Fake",
        "--credentials",
        "M.D.",
        "--email",
        MALLORY,
    ]);
    assert!(err.contains("would not count"), "{err}");
    assert!(err.contains("suzanne-example was not an admin"), "{err}");
    let err = env.refuse(&["admin", "add", "suzanne-example"]);
    assert!(err.contains("not an admin"), "{err}");
    let err = env.refuse(&["reviewer", "retire", "david-okafor"]);
    assert!(err.contains("not an admin"), "{err}");

    // By hand: the file and a roster entry in Suzanne's own name.
    env.write(FAKE, &fake_doctor());
    let entry = hand_roster_entry(&env, "suzanne-example", START, &[FAKE]);
    commit_as(&env, SUZANNE, "add reviewer mallory-md", START);
    let listed = env.ok(&["reviewer", "list"]).stdout;
    assert!(!listed.contains("mallory-md"), "{listed}");

    env.set_now(NEXT_DAY);
    be(&env, MALLORY);
    let err = env.refuse(&["approve", SLUG, "--as", "mallory-md", "-m", "Fine."]);
    assert!(err.contains("who is not on the roster"), "{err}");
    let forged = hand_entry(&env, Action::Approved, "mallory-md", NEXT_DAY);
    env.write_entry(SLUG, &forged);
    commit_as(&env, MALLORY, "approve her2-treatment r1", NEXT_DAY);

    assert_not_approved(&env);
    assert_not_published(&env);
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    let p = assert_reported(&report, "roster-entry-invalid", &entry, None);
    assert!(
        p["message"]
            .as_str()
            .expect("message")
            .contains("suzanne-example was not an admin"),
        "{p:#}"
    );
    assert_reported(&report, "roster-unrecorded", FAKE, None);
    assert_check_names(&env, "roster-entry-invalid");
}

/// Regression: a roster entry in an admin's name, committed by someone else, was
/// accepted: a fake doctor it added could approve and publish, and check was clean.
#[test]
fn a_roster_entry_forged_in_the_admins_name_is_reported_and_not_published() {
    let mut env = audited(Team::default());
    submit(&env, None);
    // Suzanne writes a roster entry "by rosa-editor" (unsigned: signatures are not
    // required) and commits it as herself.
    env.write(FAKE, &fake_doctor());
    hand_roster_entry(&env, "rosa-editor", START, &[FAKE]);
    let forged_roster = commit_as(&env, SUZANNE, "add reviewer mallory-md", START);
    env.set_now(NEXT_DAY);
    be(&env, MALLORY);
    let run = env.run(&["approve", SLUG, "--as", "mallory-md", "-m", "Fine."]);
    assert!(run.code == 0 || run.code == 1, "{run:?}");

    // As for a sign-off committed by someone else (attack 1): check names the
    // commit, and publish refuses.
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        report["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .any(|p| p["commit"] == forged_roster.as_str()),
        "nothing names the commit that forged the roster entry:\n{report:#}"
    );
    assert_not_published(&env);
}

// ----- roster signatures and ssh-keygen ----------------------------------------------

#[test]
fn roster_signatures_interoperate_with_ssh_keygen() {
    let Some(keygen) = ssh_keygen() else { return };
    let keys = tempfile::tempdir().expect("a folder for keys");
    let (rosa_key, rosa_public) = new_key(&keygen, keys.path(), "rosa_ed25519");
    let env = audited(Team {
        config: &[("require_signatures: false", "require_signatures: true")],
        admin_key: Some((&rosa_key, &rosa_public)),
        ..Team::default()
    });

    // medreview's genesis signature verifies with plain ssh-keygen.
    let genesis = roster_heads(&env).pop().expect("the genesis");
    let bytes = std::fs::read(env.root().join(format!("roster/{}", genesis.file_name())))
        .expect("genesis file");
    let (_, entry) =
        entry::read_named::<RosterEntry>(&genesis.file_name(), &bytes, Path::new("genesis"))
            .expect("parse");
    let dir = env.outside("verify");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("text"), entry.canonical_text()).expect("text");
    std::fs::write(
        dir.join("sig"),
        entry.signature.as_deref().expect("the genesis is signed"),
    )
    .expect("sig");
    std::fs::write(
        dir.join("allowed"),
        format!("rosa-editor namespaces=\"medreview-roster\" {rosa_public}\n"),
    )
    .expect("allowed signers");
    let verify = |namespace: &str| {
        Process::new(&keygen)
            .args([
                "-Y",
                "verify",
                "-f",
                "allowed",
                "-I",
                "rosa-editor",
                "-n",
                namespace,
                "-s",
                "sig",
            ])
            .current_dir(&dir)
            .stdin(std::fs::File::open(dir.join("text")).expect("text"))
            .output()
            .expect("run ssh-keygen")
    };
    keygen_ok(&verify(signing::ROSTER_NAMESPACE));
    assert!(
        !verify(signing::NAMESPACE).status.success(),
        "a roster signature is no sign-off signature"
    );

    // A roster entry signed by plain ssh-keygen counts; one signed in the sign-off
    // namespace does not.
    env.write(
        "writers/marcus-lee.yaml",
        "name: Marcus Lee\nemail: marcus@example.org\n",
    );
    let mut change = RosterEntry {
        by: id("rosa-editor"),
        at: time(START),
        after: roster_heads(&env),
        files: BTreeMap::from([(
            "writers/marcus-lee.yaml".to_owned(),
            RevId::parse(&env.hash_object("writers/marcus-lee.yaml")).expect("blob"),
        )]),
        note: Some("add writer marcus-lee".into()),
        voids: BTreeMap::new(),
        signature: None,
    };
    let mut wrong = change.clone();
    wrong.note = Some("add writer marcus-lee (wrong namespace)".into());
    wrong.signature = Some(keygen_sign(
        &keygen,
        &env.outside("sign-wrong"),
        &rosa_key,
        signing::NAMESPACE,
        &wrong.canonical_text(),
    ));
    change.signature = Some(keygen_sign(
        &keygen,
        &env.outside("sign"),
        &rosa_key,
        signing::ROSTER_NAMESPACE,
        &change.canonical_text(),
    ));
    write_roster_entry(&env, &change);
    commit_as(&env, ROSA, "add writer marcus-lee", START);
    let listed = env.ok(&["writer", "list"]).stdout;
    assert!(listed.contains("marcus-lee"), "{listed}");
    let (code, report) = check(&env);
    assert_eq!(code, 0, "{report:#}");

    let wrong_file = write_roster_entry(&env, &wrong);
    commit_as(&env, ROSA, "add writer marcus-lee again", START);
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    let p = assert_reported(&report, "roster-entry-invalid", &wrong_file, None);
    assert!(
        p["message"]
            .as_str()
            .expect("message")
            .contains("namespace"),
        "{p:#}"
    );
}

/// Regression: an approval signed with a key that was rotated out, naming the
/// roster from before the rotation, of a revision submitted before it, passed
/// every rule (it saw nothing newer) and verified against the old key.
#[test]
fn an_old_key_cannot_approve_a_revision_from_before_its_rotation_unnoticed() {
    let Some(keygen) = ssh_keygen() else { return };
    let old = fixture("ana_ed25519");
    let ana = public_key("ana_ed25519");
    let mut env = audited(Team {
        keys: &[("reviewers/ana-example.yaml", &ana)],
        ..Team::default()
    });
    let (_, new_public) = new_key(&keygen, &env.outside(""), "ana_rotated_ed25519");
    submit(&env, None);
    env.set_now("2025-03-05T09:00:00-05:00");
    be(&env, ROSA);
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--public-key",
        &new_public,
    ]);
    // The old key's holder approves r1 as if before the rotation.
    env.set_now("2025-03-06T09:00:00-05:00");
    let (submission, submitted) = env.entries(SLUG).pop().expect("the submission");
    let mut forged = hand_entry(
        &env,
        Action::Approved,
        "ana-example",
        "2025-03-06T09:00:00-05:00",
    );
    forged.after = vec![EntryId::parse(&submission).expect("id")];
    forged.roster = submitted.roster.clone();
    let key = SigningKey::load(&old).expect("key");
    forged.signature = Some(
        key.sign(&slug(), &forged, &id("ana-example"), Some(&ana))
            .expect("sign"),
    );
    let file = env.write_entry(SLUG, &forged);
    let commit = commit_as(
        &env,
        ANA,
        "approve her2-treatment r1",
        "2025-03-06T09:00:00-05:00",
    );
    let (code, report) = check(&env);
    assert_eq!(code, 1, "{report:#}");
    assert_reported(&report, "roster-stale", &file, Some(&commit));
    assert_publish_refuses(&env, "roster-stale");
}
