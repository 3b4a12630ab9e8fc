//! Issue 23, attacked independently: what an insider with push access tries
//! against identity chains, revoked keys, roster entries judged by where they sit
//! and time judged by history. Each class is tried in one repository by
//! fork-and-merge (and replay, `git rebase`), and through the server gate (`git
//! daemon` and `medreview hook install --server`). Every test asserts that the
//! attack fails: `status`, `check` and `publish` agree, and no page names a doctor
//! for an approval she did not give. A test marked `#[ignore = "BUG: ..."]` is an
//! attack that still succeeds; it asserts what should happen.
//!
//! The newsroom every test starts from requires signatures (so only a key proves
//! who signed): rosa-editor and david-okafor are admins, every person's key is on
//! file, and suzanne-example submitted r1 of her2-treatment.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::DateTime;
use medreview_core::ids::Id;
use medreview_core::record::entry::{self, Action, Entry, EntryId};
use medreview_core::roster::log::RosterEntry;
use medreview_core::signing::{self, Signer, SigningKey};
use medreview_store::revision::RevId;
use serde_json::Value;

use crate::common::team::{Member, Person, Team};
use crate::common::{ARTICLE, Run, SIGNOFFS, SLUG, TestEnv, fixture, json, ssh_keygen};
use crate::roster::Team as Setup;
use crate::server::http::GitDaemon;
use crate::server::{accepted, install, push, refused, remote_refs};

// ---------------------------------------------------------------------------
// People and keys
// ---------------------------------------------------------------------------

/// A person and the name of the key they sign with.
#[derive(Clone, Copy)]
struct Who {
    person: Person,
    key: &'static str,
}

/// The first admin, also the publisher.
const ROSA: Who = Who {
    person: Person {
        id: "rosa-editor",
        name: "Rosa Editor",
        email: "rosa@example.org",
    },
    key: "eve_ed25519",
};

/// A doctor and the second admin: the one who is removed.
const DAVID: Who = Who {
    person: Person {
        id: "david-okafor",
        name: "David Okafor",
        email: "david@example.org",
    },
    key: "david",
};

/// The doctor whose name the attacks want on the page.
const ANA: Who = Who {
    person: Person {
        id: "ana-example",
        name: "Ana Example",
        email: "ana@example.org",
    },
    key: "ana_ed25519",
};

/// The writer.
const SUZANNE: Who = Who {
    person: Person {
        id: "suzanne-example",
        name: "Suzanne Example",
        email: "suzanne@example.org",
    },
    key: "suzanne_ed25519",
};

/// Someone with push access, and the reviewer id an accomplice gives her.
const MALLORY: Who = Who {
    person: Person {
        id: "mallory-md",
        name: "Mallory",
        email: "mallory@example.org",
    },
    key: "mallory",
};

/// The key Ana rotates to.
const ANA_NEW: &str = "ana-new";
/// A key an admin holds and wants in Ana's file.
const LOOT: &str = "loot";

const ANA_FILE: &str = "reviewers/ana-example.yaml";

/// Key pairs made once per run with ssh-keygen: (private key bytes, public line).
fn generated() -> &'static BTreeMap<&'static str, (Vec<u8>, String)> {
    static KEYS: OnceLock<BTreeMap<&'static str, (Vec<u8>, String)>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a folder for keys");
        [DAVID.key, MALLORY.key, ANA_NEW, LOOT]
            .into_iter()
            .map(|name| {
                let path = dir.path().join(name);
                let out = Command::new("ssh-keygen")
                    .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
                    .arg(&path)
                    .output()
                    .expect("run ssh-keygen");
                assert!(out.status.success(), "{out:?}");
                let public = fs::read_to_string(path.with_extension("pub")).expect("public");
                let private = fs::read(&path).expect("private key");
                (name, (private, public.trim().to_owned()))
            })
            .collect()
    })
}

/// The public line of key `name` (generated, or a fixture).
fn public(name: &str) -> String {
    generated()
        .get(name)
        .map_or_else(|| crate::common::public_key(name), |(_, p)| p.clone())
}

/// Writes key `name`'s private half into `dir` (mode 0600, as ssh-keygen requires);
/// returns its path.
fn private(dir: &Path, name: &str) -> String {
    let bytes = generated().get(name).map_or_else(
        || fs::read(fixture(name)).expect("fixture key"),
        |(b, _)| b.clone(),
    );
    fs::create_dir_all(dir).expect("a key folder");
    let path = dir.join(format!("{name}.key"));
    fs::write(&path, bytes).expect("write the key");
    let mut perms = fs::metadata(&path).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    fs::set_permissions(&path, perms).expect("chmod");
    path.to_str().expect("utf-8 path").to_owned()
}

fn id(text: &str) -> Id {
    Id::parse("id", text).expect("an id")
}

fn time(text: &str) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("an RFC 3339 time")
}

// ---------------------------------------------------------------------------
// A clone to work in: one repository (`TestEnv`) or a team member's clone
// ---------------------------------------------------------------------------

/// Where an attacker works: a repository with branches for his old copy, or his
/// clone of the gated server.
trait Desk {
    /// Runs medreview, whatever the outcome.
    fn medreview(&self, args: &[&str]) -> Run;
    /// Runs git; asserts success.
    fn git_ok(&self, args: &[&str]) -> String;
    /// The working tree.
    fn tree(&self) -> PathBuf;
    /// A folder outside the repository (keys, sites).
    fn scratch(&self) -> PathBuf;
}

impl Desk for TestEnv {
    fn medreview(&self, args: &[&str]) -> Run {
        self.run(args)
    }
    fn git_ok(&self, args: &[&str]) -> String {
        self.git(args)
    }
    fn tree(&self) -> PathBuf {
        self.root().to_path_buf()
    }
    fn scratch(&self) -> PathBuf {
        self.outside("scratch")
    }
}

impl Desk for Member {
    fn medreview(&self, args: &[&str]) -> Run {
        self.run(args)
    }
    fn git_ok(&self, args: &[&str]) -> String {
        self.git(args)
    }
    fn tree(&self) -> PathBuf {
        self.dir().to_path_buf()
    }
    fn scratch(&self) -> PathBuf {
        self.home().join("scratch")
    }
}

/// Runs `medreview ARGS --key KEY` as `who` (git's `user.email` is theirs, as
/// anyone can set it), whatever the outcome.
fn try_as(d: &impl Desk, who: Who, args: &[&str]) -> Run {
    d.git_ok(&["config", "user.email", who.person.email]);
    let key = private(&d.scratch(), who.key);
    let mut all = args.to_vec();
    all.extend(["--key", key.as_str()]);
    d.medreview(&all)
}

/// `try_as`, asserting success.
#[track_caller]
fn as_who(d: &impl Desk, who: Who, args: &[&str]) -> Run {
    let run = try_as(d, who, args);
    assert_eq!(
        run.code, 0,
        "{}: medreview {args:?} failed:\n{}{}",
        who.person.id, run.stdout, run.stderr
    );
    run
}

/// The current branch's name.
fn branch(d: &impl Desk) -> String {
    d.git_ok(&["rev-parse", "--abbrev-ref", "HEAD"])
        .trim()
        .to_owned()
}

/// Brings `side` into the current branch: a merge, or a replay (`git rebase` of
/// `side` onto it, then a fast-forward).
fn bring_in(d: &impl Desk, side: &str, how: Bring) {
    let main = branch(d);
    match how {
        Bring::Merge => {
            d.git_ok(&["merge", "-q", "--no-edit", side]);
        }
        Bring::Rebase => {
            d.git_ok(&["rebase", "-q", &main, side]);
            d.git_ok(&["checkout", "-q", &main]);
            d.git_ok(&["merge", "-q", "--ff-only", side]);
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Bring {
    Merge,
    Rebase,
}

// ---------------------------------------------------------------------------
// What status, check and publish say
// ---------------------------------------------------------------------------

/// The article's summary from `status SLUG --json`.
fn summary(d: &impl Desk) -> Value {
    let run = d.medreview(&["status", SLUG, "--json"]);
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    json(&run.stdout)["articles"][0].clone()
}

/// `check --json`: its exit code, the codes of its problems and warnings, and the
/// report.
fn check(d: &impl Desk) -> (i32, Vec<String>, String) {
    let run = d.medreview(&["check", "--json"]);
    let report = json(&run.stdout);
    let codes = ["problems", "warnings"]
        .iter()
        .flat_map(|k| report[k].as_array().cloned().unwrap_or_default())
        .map(|p| p["code"].as_str().expect("a code").to_owned())
        .collect();
    (run.code, codes, run.stdout)
}

/// Runs `publish` into a fresh folder: the run, and the article's page if written.
fn publish(d: &impl Desk) -> (Run, Option<String>) {
    let out = d.scratch().join("site");
    let _ = fs::remove_dir_all(&out);
    let run = d.medreview(&[
        "publish",
        "--offline",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    let page = [format!("{SLUG}.html"), format!("{SLUG}/index.html")]
        .iter()
        .find_map(|p| fs::read_to_string(out.join(p)).ok());
    (run, page)
}

/// What the three commands make of the seeded article: whether `status` counts
/// an approval (or offers a revision to publish), whether `check` exits 1 naming
/// `code`, and the page `publish` wrote, if any; with a description of all three.
fn verdicts(d: &impl Desk, code: &str) -> (bool, bool, Option<String>, String) {
    let summary = summary(d);
    let status_counts = matches!(
        summary["state"].as_str(),
        Some("approved" | "re-review-due")
    ) || !summary["publishable"].is_null();
    let (exit, codes, report) = check(d);
    let check_stops = exit == 1 && codes.iter().any(|c| c == code);
    let (run, page) = publish(d);
    let byline: Vec<&str> = page
        .iter()
        .flat_map(|p| p.lines())
        .filter(|l| l.contains("reviewed by"))
        .collect();
    let said = format!(
        "status counts it: {status_counts} (state {}, publishable by {})\n\
         check stops it with [{code}]: {check_stops} (exit {exit}, codes {codes:?})\n\
         publish writes the page: {} (exit {}: {}) {byline:?}\n--- check:\n{report}",
        summary["state"],
        summary["publishable"]["approved_by"],
        page.is_some(),
        run.code,
        run.stderr.trim(),
    );
    (status_counts, check_stops, page, said)
}

/// The attack failed where it matters: `check` exits 1 naming `code`, and
/// `publish` writes no page for the article.
#[track_caller]
fn assert_refused(d: &impl Desk, code: &str) {
    let (_, check_stops, page, said) = verdicts(d, code);
    assert!(
        check_stops && page.is_none(),
        "the attack succeeds:\n{said}"
    );
}

/// The attack failed, and every command says so: `status` counts no approval and
/// offers nothing to publish, `check` exits 1 naming `code`, and `publish` writes no
/// page for the article. On failure the message gives all three verdicts, so it
/// says which command disagrees.
#[track_caller]
fn assert_stopped(d: &impl Desk, code: &str) {
    let (status_counts, check_stops, page, said) = verdicts(d, code);
    assert!(
        !status_counts && check_stops && page.is_none(),
        "the attack is not stopped everywhere:\n{said}"
    );
}

/// What `log --json` says of the seeded article's last entry by `by`: why it does
/// not count, if it does not.
fn why_not_counted(d: &impl Desk, by: &str) -> Option<String> {
    let log = json(&d.medreview(&["log", SLUG, "--json"]).stdout);
    log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .rev()
        .find(|e| e["by"] == by && e["action"] == "approved")
        .unwrap_or_else(|| panic!("no approval by {by}:\n{log:#}"))["does_not_count"]
        .as_str()
        .map(str::to_owned)
}

// ---------------------------------------------------------------------------
// Hand-made entries (plain git, no medreview command)
// ---------------------------------------------------------------------------

/// Every entry of a folder of entry files, parsed as `T`.
fn read_entries<T: entry::Named>(dir: &Path) -> Vec<(EntryId, T)> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("an entry folder")
        .map(|f| f.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|n| {
            let bytes = fs::read(dir.join(n)).expect("read an entry");
            entry::read_named::<T>(n, &bytes, Path::new(n)).expect("parse an entry")
        })
        .collect()
}

/// The roster entries nothing else names in `after:`.
fn roster_heads(d: &impl Desk) -> Vec<EntryId> {
    let all: Vec<(EntryId, RosterEntry)> = read_entries(&d.tree().join("roster"));
    let mut heads: Vec<EntryId> = all
        .iter()
        .filter(|(id, _)| !all.iter().any(|(_, e)| e.after.contains(id)))
        .map(|(id, _)| id.clone())
        .collect();
    heads.sort();
    heads
}

/// Stages everything and commits it as `email`, authored and committed at `at`.
fn commit_as(d: &impl Desk, email: &str, message: &str, at: &str) {
    d.git_ok(&["config", "user.email", email]);
    d.git_ok(&["add", "-A"]);
    d.git_ok(&["commit", "-q", "-m", message, "--date", at]);
}

/// A roster entry by `by` naming the working-tree bytes of `files`, signed with
/// `by`'s own key, written into roster/ (not committed).
fn hand_roster_entry(d: &impl Desk, by: Who, at: &str, files: &[&str]) {
    let mut entry = RosterEntry {
        by: id(by.person.id),
        at: time(at),
        after: roster_heads(d),
        files: files
            .iter()
            .map(|f| {
                let blob = d.git_ok(&["hash-object", "-w", f]);
                ((*f).to_owned(), RevId::parse(blob.trim()).expect("blob id"))
            })
            .collect(),
        voids: BTreeMap::new(),
        note: Some(format!("update {}", files.join(", "))),
        signature: None,
    };
    let key = SigningKey::load(Path::new(&private(&d.scratch(), by.key))).expect("key");
    let public = public(by.key);
    let signer = Signer {
        id: &entry.by,
        public_key: Some(&public),
        roster_file: None,
        recorded_by: None,
    };
    let pem = key
        .sign_as(signing::ROSTER_NAMESPACE, &entry.canonical_text(), &signer)
        .expect("sign the roster entry");
    entry.signature = Some(pem);
    let (entry_id, bytes) = entry.to_file();
    fs::write(d.tree().join("roster").join(entry_id.file_name()), bytes)
        .expect("write the roster entry");
}

/// An approval of the latest revision by `by`, after the record's last entry and
/// under the current roster heads, signed with key `key` (whoever holds it), and
/// committed with plain git as `by`'s email, at `at`.
fn hand_approval(d: &impl Desk, by: Who, key: &str, at: &str) {
    let all: Vec<(EntryId, Entry)> = read_entries(&d.tree().join(SIGNOFFS));
    let (last, _) = all.last().expect("a recorded entry");
    let revision = d.git_ok(&["rev-parse", &format!("HEAD:{ARTICLE}")]);
    let mut approval = Entry {
        action: Action::Approved,
        by: id(by.person.id),
        at: time(at),
        revision: RevId::parse(revision.trim()).expect("revision"),
        after: vec![last.clone()],
        roster: roster_heads(d),
        note: Some("Accurate.".into()),
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
    };
    let signing_key = SigningKey::load(Path::new(&private(&d.scratch(), key))).expect("key");
    let slug = Id::parse("slug", SLUG).expect("slug");
    approval.signature = Some(
        signing_key
            .sign(&slug, &approval, &approval.by, Some(&public(key)))
            .expect("sign"),
    );
    let (entry_id, bytes) = approval.to_file();
    fs::write(d.tree().join(SIGNOFFS).join(entry_id.file_name()), bytes)
        .expect("write the approval");
    commit_as(d, by.person.email, "approve her2-treatment r1", at);
}

// ---------------------------------------------------------------------------
// The newsroom, in one repository and on a gated server
// ---------------------------------------------------------------------------

/// Times of the day after r1 was submitted.
const T0830: &str = "2025-03-04T08:30:00-05:00";
const T0858: &str = "2025-03-04T08:58:00-05:00";
const T0900: &str = crate::common::NEXT_DAY;
const T0903: &str = "2025-03-04T09:03:00-05:00";
const T0915: &str = "2025-03-04T09:15:00-05:00";
const T0930: &str = "2025-03-04T09:30:00-05:00";
/// The gated server's clock.
const SERVER_NOW: &str = "2025-03-04T09:05:00-05:00";

/// The signed newsroom (see the top of the file), the clock at `START`; `None`
/// (skipped) without ssh-keygen.
fn newsroom() -> Option<TestEnv> {
    ssh_keygen()?;
    let keys = [
        (ANA_FILE, public(ANA.key)),
        ("writers/suzanne-example.yaml", public(SUZANNE.key)),
        ("reviewers/david-okafor.yaml", public(DAVID.key)),
    ];
    let keys: Vec<(&str, &str)> = keys.iter().map(|(f, k)| (*f, k.as_str())).collect();
    let rosa_key = fixture(ROSA.key);
    let rosa_public = public(ROSA.key);
    let env = crate::roster::audited(Setup {
        config: &[("require_signatures: false", "require_signatures: true")],
        keys: &keys,
        admin_key: Some((&rosa_key, &rosa_public)),
    });
    as_who(&env, ROSA, &["admin", "add", DAVID.person.id]);
    as_who(&env, SUZANNE, &["submit", SLUG, "-m", "First draft."]);
    let (code, _, report) = check(&env);
    assert_eq!(code, 0, "{report}");
    Some(env)
}

/// The newsroom as a git bundle, built once.
fn newsroom_bundle() -> &'static [u8] {
    static BUNDLE: OnceLock<Vec<u8>> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let env = newsroom().expect("ssh-keygen was found by the caller");
        let file = env.outside("newsroom.bundle");
        env.git(&[
            "bundle",
            "create",
            "-q",
            file.to_str().expect("utf-8"),
            "--all",
        ]);
        fs::read(&file).expect("read the bundle")
    })
}

/// The newsroom on a gated server (`hook install --server`) served by git daemon,
/// whose clock is `SERVER_NOW`; `None` (skipped) without ssh-keygen or git daemon.
fn gated() -> Option<(Team, GitDaemon)> {
    ssh_keygen()?;
    let team = Team::from_bundle(newsroom_bundle());
    install(&team);
    let daemon = GitDaemon::start(team.base(), &[("MEDREVIEW_NOW", SERVER_NOW)])?;
    Some((team, daemon))
}

/// `who`'s clone of the gated server in folder `folder`, the clock at `now`.
fn clone_of(team: &Team, daemon: &GitDaemon, who: Who, folder: &str, now: &str) -> Member {
    let mut member = team.clone_from(&daemon.url("remote.git"), who.person, folder);
    member.set_now(now);
    member
}

const PUSH_MAIN: &[&str] = &["push", "origin", "HEAD:main"];

/// Pulls (merging or rebasing) what the server holds into the clone.
fn pull(member: &Member, how: Bring) {
    match how {
        Bring::Merge => member.pull_merge(),
        Bring::Rebase => member.pull_rebase(),
    }
}

/// After a refused push: the server still counts nothing (a fresh clone of it).
fn assert_server_counts_nothing(team: &Team, daemon: &GitDaemon) {
    let fresh = clone_of(team, daemon, SUZANNE, "fresh", SERVER_NOW);
    let summary = summary(&fresh);
    assert!(
        summary["publishable"].is_null(),
        "the server holds a publishable approval:\n{summary:#}"
    );
}

// ---------------------------------------------------------------------------
// 1. A removed admin
// ---------------------------------------------------------------------------

/// On a copy forked before his removal, david-okafor (still an admin there) adds
/// an accomplice as a reviewer with the real command, and she approves. Returns the
/// branch holding it; main holds his removal.
fn removed_admin_adds_an_accomplice(env: &mut TestEnv) -> &'static str {
    env.set_now(T0900);
    env.git(&["branch", "before-removal"]);
    as_who(env, ROSA, &["admin", "remove", DAVID.person.id]);
    let main = branch(env);
    env.git(&["checkout", "-q", "before-removal"]);
    env.set_now(T0915);
    accomplice_approves(env);
    env.git(&["checkout", "-q", &main]);
    "before-removal"
}

/// david-okafor adds mallory-md as a reviewer (with her key), and she approves.
fn accomplice_approves(d: &impl Desk) {
    as_who(
        d,
        DAVID,
        &[
            "reviewer",
            "add",
            MALLORY.person.id,
            "--name",
            "Mallory Ward",
            "--credentials",
            "M.D.",
            "--specialty",
            "oncology",
            "--email",
            MALLORY.person.email,
            "--public-key",
            &public(MALLORY.key),
        ],
    );
    as_who(d, MALLORY, &["approve", SLUG, "-m", "Accurate."]);
}

/// Asserts the accomplice's approval counts nowhere and check names the removal.
#[track_caller]
fn assert_removed_admins_change_counts_nowhere(d: &impl Desk) {
    assert_stopped(d, "signer-role");
    let (_, _, report) = check(d);
    assert!(
        report.contains("took the admin role from david-okafor"),
        "{report}"
    );
    assert!(why_not_counted(d, MALLORY.person.id).is_some());
}

#[test]
fn a_removed_admins_roster_change_from_an_old_branch_counts_nowhere_when_merged() {
    let Some(mut env) = newsroom() else { return };
    let side = removed_admin_adds_an_accomplice(&mut env);
    bring_in(&env, side, Bring::Merge);
    assert_removed_admins_change_counts_nowhere(&env);
}

#[test]
fn a_removed_admins_roster_change_replayed_onto_main_counts_nowhere() {
    let Some(mut env) = newsroom() else { return };
    let side = removed_admin_adds_an_accomplice(&mut env);
    bring_in(&env, side, Bring::Rebase);
    assert_removed_admins_change_counts_nowhere(&env);
}

#[test]
fn through_the_gate_a_removed_admins_roster_change_is_refused() {
    let Some((team, daemon)) = gated() else {
        return;
    };
    let david = clone_of(&team, &daemon, DAVID, "david", T0900);
    let rosa = clone_of(&team, &daemon, ROSA, "rosa", T0900);
    as_who(&rosa, ROSA, &["admin", "remove", DAVID.person.id]);
    accepted(&rosa, PUSH_MAIN);
    accomplice_approves(&david);
    let his = david.head();
    for how in [Bring::Merge, Bring::Rebase] {
        david.git(&["reset", "-q", "--hard", &his]);
        pull(&david, how);
        refused(&team, &david, PUSH_MAIN, "refs/heads/main", "signer-role");
        // His own clone says the same as the gate.
        assert_removed_admins_change_counts_nowhere(&david);
    }
    assert_server_counts_nothing(&team, &daemon);
}

// ---------------------------------------------------------------------------
// 2. A rotated key
// ---------------------------------------------------------------------------

/// Ana rotates her own key (signing with the old one) at 09:00 on main; a thief
/// holding the old key approves as her on a branch forked before, dated `at`.
/// Returns the thief's branch.
fn thief_with_the_old_key(env: &mut TestEnv, at: &str) -> &'static str {
    env.set_now(T0900);
    env.git(&["branch", "before-rotation"]);
    rotate_anas_key(env);
    let main = branch(env);
    env.git(&["checkout", "-q", "before-rotation"]);
    env.set_now(at);
    as_who(env, ANA, &["approve", SLUG, "-m", "Accurate."]);
    env.git(&["checkout", "-q", &main]);
    "before-rotation"
}

/// `reviewer edit ana-example --public-key NEW --key OLD`, run by Ana herself.
fn rotate_anas_key(d: &impl Desk) {
    as_who(
        d,
        ANA,
        &[
            "reviewer",
            "edit",
            ANA.person.id,
            "--public-key",
            &public(ANA_NEW),
        ],
    );
}

#[test]
fn an_old_key_approval_dated_after_the_rotation_counts_nowhere_merged_or_replayed() {
    for how in [Bring::Merge, Bring::Rebase] {
        let Some(mut env) = newsroom() else { return };
        let side = thief_with_the_old_key(&mut env, T0930);
        bring_in(&env, side, how);
        assert_stopped(&env, "signature");
        let why = why_not_counted(&env, ANA.person.id).expect("does not count");
        assert!(why.contains("replaced on"), "{how:?}: {why}");
    }
}

/// The thief's old-key approval, dated before the rotation, replayed onto it.
fn old_key_backdated_and_replayed() -> Option<TestEnv> {
    let mut env = newsroom()?;
    let side = thief_with_the_old_key(&mut env, T0830);
    bring_in(&env, side, Bring::Rebase);
    Some(env)
}

#[test]
fn an_old_key_approval_backdated_before_the_rotation_and_replayed_is_refused() {
    let Some(env) = old_key_backdated_and_replayed() else {
        return;
    };
    assert_refused(&env, "recorded-after-end");
    let (_, _, report) = check(&env);
    assert!(report.contains("had been replaced"), "{report}");
}

#[test]
fn status_agrees_an_old_key_approval_backdated_and_replayed_does_not_count() {
    let Some(env) = old_key_backdated_and_replayed() else {
        return;
    };
    assert_stopped(&env, "recorded-after-end");
}

#[test]
fn through_the_gate_an_old_key_approval_is_refused_dated_after_or_backdated_and_replayed() {
    let Some((team, daemon)) = gated() else {
        return;
    };
    // The thieves' clones, made before the rotation.
    let after = clone_of(&team, &daemon, SUZANNE, "thief-after", T0903);
    let mut backdated = clone_of(&team, &daemon, SUZANNE, "thief-backdated", T0858);
    let ana = clone_of(&team, &daemon, ANA, "ana", T0900);
    rotate_anas_key(&ana);
    accepted(&ana, PUSH_MAIN);
    // Dated after the rotation, merged.
    as_who(&after, ANA, &["approve", SLUG, "-m", "Accurate."]);
    pull(&after, Bring::Merge);
    refused(&team, &after, PUSH_MAIN, "refs/heads/main", "signature");
    assert_stopped(&after, "signature");
    // Dated two minutes before it, replayed onto it.
    as_who(&backdated, ANA, &["approve", SLUG, "-m", "Accurate."]);
    backdated.set_now(T0903);
    pull(&backdated, Bring::Rebase);
    refused(
        &team,
        &backdated,
        PUSH_MAIN,
        "refs/heads/main",
        "recorded-after-end",
    );
    assert_refused(&backdated, "recorded-after-end");
    assert_server_counts_nothing(&team, &daemon);
}

// ---------------------------------------------------------------------------
// 3. An admin signing as the doctor
// ---------------------------------------------------------------------------

/// rosa-editor puts her own key (`LOOT`) in Ana's file with a roster entry she
/// writes and signs herself, commits it with plain git, then approves as Ana with
/// that key.
fn admin_swaps_anas_key_by_hand(d: &impl Desk) {
    let file = d.tree().join(ANA_FILE);
    let text = fs::read_to_string(&file).expect("ana's file");
    fs::write(&file, text.replace(&public(ANA.key), &public(LOOT))).expect("write");
    hand_roster_entry(d, ROSA, T0900, &[ANA_FILE]);
    commit_as(d, ROSA.person.email, "update ana's key", T0900);
    hand_approval(d, ANA, LOOT, T0903);
}

#[test]
fn an_admin_cannot_put_his_key_in_a_doctors_file_by_command_or_by_hand() {
    let Some(mut env) = newsroom() else { return };
    env.set_now(T0900);
    // By the command: refused, nothing committed.
    let head = env.head();
    let run = try_as(
        &env,
        ROSA,
        &[
            "reviewer",
            "edit",
            ANA.person.id,
            "--public-key",
            &public(LOOT),
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("reset-key"), "{}", run.stderr);
    assert_eq!(env.head(), head);
    // By hand, signed with her admin key: counts for nothing.
    admin_swaps_anas_key_by_hand(&env);
    assert_stopped(&env, "signature");
}

#[test]
fn one_admins_key_reset_waits_however_often_she_repeats_it() {
    let Some(mut env) = newsroom() else { return };
    env.set_now(T0900);
    let loot = public(LOOT);
    let reset = [
        "reviewer",
        "reset-key",
        ANA.person.id,
        "--public-key",
        &loot,
    ];
    for _ in 0..2 {
        as_who(&env, ROSA, &reset);
        let (code, codes, report) = check(&env);
        assert_eq!(code, 0, "{report}");
        assert!(codes.contains(&"key-reset-waiting".to_owned()), "{report}");
    }
    // The key does not apply: neither the command nor a hand-made approval signs
    // as Ana with it.
    env.set_now(T0903);
    let head = env.head();
    let mut thief = ANA;
    thief.key = LOOT;
    let run = try_as(&env, thief, &["approve", SLUG, "-m", "Accurate."]);
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(env.head(), head);
    hand_approval(&env, ANA, LOOT, T0903);
    assert_stopped(&env, "signature");
}

#[test]
fn through_the_gate_an_admin_signing_as_the_doctor_is_refused() {
    let Some((team, daemon)) = gated() else {
        return;
    };
    let rosa = clone_of(&team, &daemon, ROSA, "rosa", T0900);
    // By hand.
    admin_swaps_anas_key_by_hand(&rosa);
    refused(&team, &rosa, PUSH_MAIN, "refs/heads/main", "signature");
    // By one admin's reset, made twice: the resets are honest entries and go
    // through; the approval with her key does not.
    rosa.git(&["reset", "-q", "--hard", "origin/main"]);
    let loot = public(LOOT);
    let reset = [
        "reviewer",
        "reset-key",
        ANA.person.id,
        "--public-key",
        &loot,
    ];
    as_who(&rosa, ROSA, &reset);
    as_who(&rosa, ROSA, &reset);
    accepted(&rosa, PUSH_MAIN);
    hand_approval(&rosa, ANA, LOOT, T0903);
    refused(&team, &rosa, PUSH_MAIN, "refs/heads/main", "signature");
    assert_server_counts_nothing(&team, &daemon);
}

// ---------------------------------------------------------------------------
// 4. Backdating past a retirement or a license's end
// ---------------------------------------------------------------------------

/// On a copy forked before `end` ran on main (at `end_at`), Ana approves dated
/// `approve_at` (before it); the approval is replayed onto main.
fn backdated_past(env: &mut TestEnv, end: &[&str], end_at: &str, approve_at: &str) {
    env.git(&["branch", "offline"]);
    env.set_now(end_at);
    as_who(env, ROSA, end);
    let main = branch(env);
    env.git(&["checkout", "-q", "offline"]);
    env.set_now(approve_at);
    as_who(env, ANA, &["approve", SLUG, "-m", "Accurate."]);
    env.git(&["checkout", "-q", &main]);
    bring_in(env, "offline", Bring::Rebase);
    env.set_now(end_at);
}

#[test]
fn an_approval_backdated_before_a_retirement_and_replayed_is_refused() {
    let Some(mut env) = newsroom() else { return };
    backdated_past(
        &mut env,
        &["reviewer", "retire", ANA.person.id],
        T0900,
        T0830,
    );
    assert_stopped(&env, "recorded-after-end");
}

/// Ana's license ends on 2027-06-30; days later an admin adds a writer. Her
/// approval dated the day before the end is replayed onto that.
fn license_backdated_and_replayed() -> Option<TestEnv> {
    let mut env = newsroom()?;
    backdated_past(
        &mut env,
        &["writer", "add", "sam-lee", "--name", "Sam Lee"],
        "2027-07-02T09:00:00-04:00",
        "2027-06-29T09:00:00-04:00",
    );
    Some(env)
}

#[test]
fn an_approval_backdated_before_the_license_ended_and_replayed_is_refused() {
    let Some(env) = license_backdated_and_replayed() else {
        return;
    };
    assert_refused(&env, "recorded-after-end");
}

#[test]
fn status_agrees_an_approval_backdated_before_the_license_ended_does_not_count() {
    let Some(env) = license_backdated_and_replayed() else {
        return;
    };
    assert_stopped(&env, "recorded-after-end");
}

#[test]
fn through_the_gate_an_approval_backdated_before_a_retirement_is_refused() {
    let Some((team, daemon)) = gated() else {
        return;
    };
    let mut ana = clone_of(&team, &daemon, ANA, "ana", T0858);
    let rosa = clone_of(&team, &daemon, ROSA, "rosa", T0900);
    as_who(&rosa, ROSA, &["reviewer", "retire", ANA.person.id]);
    accepted(&rosa, PUSH_MAIN);
    as_who(&ana, ANA, &["approve", SLUG, "-m", "Accurate."]);
    ana.set_now(T0903);
    pull(&ana, Bring::Rebase);
    refused(
        &team,
        &ana,
        PUSH_MAIN,
        "refs/heads/main",
        "recorded-after-end",
    );
    assert_stopped(&ana, "recorded-after-end");
    assert_server_counts_nothing(&team, &daemon);
}

// ---------------------------------------------------------------------------
// 5. Look-alikes and templates, merged from a branch
// ---------------------------------------------------------------------------

/// Ana Example's name with a Cyrillic capital А (U+0410) and small а (U+0430).
const CYRILLIC_ANA: &str = "\u{0410}n\u{0430} Example";

#[test]

fn a_look_alike_reviewer_added_by_hand_on_a_branch_and_merged_prints_no_false_byline() {
    let Some(mut env) = newsroom() else { return };
    env.set_now(T0900);
    let main = branch(&env);
    env.git(&["checkout", "-q", "-b", "side"]);
    // An admin writes the look-alike's file and her own signed entry for it, by
    // hand (the command refuses it); the look-alike approves.
    let file = format!("reviewers/{}.yaml", MALLORY.person.id);
    fs::write(
        env.root().join(&file),
        format!(
            "name: {CYRILLIC_ANA}\ncredentials: M.D.\nspecialties:\n- oncology\nemail: {}\npublic_key: {}\n",
            MALLORY.person.email,
            public(MALLORY.key)
        ),
    )
    .expect("write");
    hand_roster_entry(&env, ROSA, T0900, &[&file]);
    commit_as(&env, ROSA.person.email, "add a reviewer", T0900);
    env.set_now(T0903);
    // The look-alike's approval is refused before it is recorded.
    let refused = try_as(&env, MALLORY, &["approve", SLUG, "-m", "Accurate."]);
    assert_eq!(refused.code, 1, "{}{}", refused.stdout, refused.stderr);
    assert!(
        refused.stderr.contains("byline looks like"),
        "{}",
        refused.stderr
    );
    env.git(&["checkout", "-q", &main]);
    bring_in(&env, "side", Bring::Merge);
    assert_stopped(&env, "shared-identity");
}

#[test]
fn a_template_with_its_own_review_line_committed_on_a_branch_and_merged_is_refused() {
    let Some(mut env) = newsroom() else { return };
    env.set_now(T0900);
    let main = branch(&env);
    env.git(&["checkout", "-q", "-b", "side"]);
    let template = env.read("templates/article.html").replace(
        "{{ review_block }}\n",
        "{{ review_block }}\n<p>Medically reviewed by Dr Nobody, M.D.</p>\n",
    );
    env.write("templates/article.html", &template);
    commit_as(&env, SUZANNE.person.email, "our own template", T0900);
    env.git(&["checkout", "-q", &main]);
    as_who(&env, ANA, &["approve", SLUG, "-m", "Accurate."]);
    bring_in(&env, "side", Bring::Merge);
    let (run, page) = publish(&env);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        page.is_none_or(|p| !p.contains("Dr Nobody")),
        "publish printed the template's review line"
    );
    let (code, _, report) = check(&env);
    assert_eq!(code, 1, "{report}");
}

// ---------------------------------------------------------------------------
// 6. Local state and publication tags
// ---------------------------------------------------------------------------

/// Ana approves, david-okafor then requests changes; the writer deletes the request
/// with plain git and moves `check`'s checkpoint past that commit by hand.
fn request_deleted_behind_a_moved_checkpoint() -> Option<TestEnv> {
    let mut env = newsroom()?;
    env.set_now(T0900);
    as_who(&env, ANA, &["approve", SLUG, "-m", "Accurate."]);
    env.set_now(T0903);
    as_who(
        &env,
        DAVID,
        &[
            "request-changes",
            SLUG,
            "-m",
            "The dosing table is out of date.",
        ],
    );
    let (code, _, report) = check(&env);
    assert_eq!(code, 0, "{report}");
    let request = env
        .signoffs(SLUG)
        .into_iter()
        .find(|n| n.contains("changes-requested"))
        .expect("the request for changes");
    env.git(&["rm", "-q", &format!("{SIGNOFFS}/{request}")]);
    commit_as(&env, SUZANNE.person.email, "tidy up", T0903);
    env.git(&["update-ref", "refs/medreview/checked", "HEAD"]);
    Some(env)
}

#[test]
fn a_checkpoint_moved_by_hand_past_a_deleted_request_for_changes_publishes_nothing() {
    let Some(env) = request_deleted_behind_a_moved_checkpoint() else {
        return;
    };
    assert_refused(&env, "entry-removed");
}

#[test]
fn status_agrees_a_deleted_request_for_changes_still_stands() {
    let Some(env) = request_deleted_behind_a_moved_checkpoint() else {
        return;
    };
    assert_stopped(&env, "entry-removed");
}

#[test]
fn through_the_gate_a_publication_tag_by_a_non_publisher_is_refused_however_dressed() {
    let Some((team, daemon)) = gated() else {
        return;
    };
    let ana = clone_of(&team, &daemon, ANA, "ana", T0900);
    as_who(&ana, ANA, &["approve", SLUG, "-m", "Accurate."]);
    accepted(&ana, PUSH_MAIN);
    let key = private(&ana.scratch(), ANA.key);
    let tagger = [
        "-c",
        "user.name=Rosa Editor",
        "-c",
        "user.email=rosa@example.org",
    ];
    // Annotated with the publisher's name as tagger; then also SSH-signed, with
    // the doctor's own roster key (she is no publisher).
    for (stamp, signed) in [("20250304T140500Z", false), ("20250304T140600Z", true)] {
        let name = format!("published/{stamp}");
        let mut args: Vec<&str> = tagger.to_vec();
        let signing = [
            "-c".to_owned(),
            "gpg.format=ssh".to_owned(),
            "-c".to_owned(),
            format!("user.signingkey={key}"),
        ];
        if signed {
            args.extend(signing.iter().map(String::as_str));
        }
        args.extend([
            "tag",
            if signed { "-s" } else { "-a" },
            "-m",
            "Published.",
            &name,
        ]);
        ana.git(&args);
        let refname = format!("refs/tags/{name}");
        refused(
            &team,
            &ana,
            &["push", "origin", &refname],
            &refname,
            "tag-publisher",
        );
    }
    let before = remote_refs(&team);
    let (ok, _) = push(&ana, PUSH_MAIN);
    assert!(ok, "main itself is up to date");
    assert_eq!(remote_refs(&team), before);
}
