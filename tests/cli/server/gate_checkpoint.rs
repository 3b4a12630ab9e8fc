//! The gate's signed checkpoint (issue 28): a clone that pins the gate's key starts
//! its history walk from the commit the gate signed; every forged, stale or
//! replayed statement is said and set aside, and the walk is complete again.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use medreview_core::record::entry::Action;
use serde_json::Value;

use super::{EVE, audited_bundle, forge, install_with};
use crate::common::team::{Member, SUZANNE, T0900, Team};

/// The gate's key and the team whose server signs with it.
struct Gated {
    team: Team,
    /// The gate key's private file.
    key: PathBuf,
    /// Its public line.
    line: String,
    /// Its SHA256 fingerprint.
    fingerprint: String,
    /// The admin's clone, which recorded the key in `sync.gate_keys`.
    eve: Member,
}

fn keygen() -> Option<PathBuf> {
    crate::common::tty::program(
        &["/usr/bin/ssh-keygen", "/usr/local/bin/ssh-keygen"],
        "ssh-keygen",
        "openssh-client",
    )
}

/// A new ed25519 key at `dir/name`: (private file, public line, fingerprint).
fn new_key(keygen: &Path, dir: &Path, name: &str) -> (PathBuf, String, String) {
    fs::create_dir_all(dir).expect("create the key folder");
    let key = dir.join(name);
    let out = Process::new(keygen)
        .env_clear()
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .expect("run ssh-keygen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = fs::read_to_string(key.with_extension("pub"))
        .expect("read the public key")
        .trim()
        .to_owned();
    let out = Process::new(keygen)
        .env_clear()
        .arg("-lf")
        .arg(key.with_extension("pub"))
        .output()
        .expect("run ssh-keygen -l");
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    let fingerprint = listed
        .split_whitespace()
        .nth(1)
        .expect("a fingerprint")
        .to_owned();
    (key, line, fingerprint)
}

/// `ssh-keygen -Y sign` of `text` with `key` in `namespace`: the PEM signature.
fn sign(keygen: &Path, key: &Path, namespace: &str, text: &str) -> String {
    // A file of its own each time: ssh-keygen keeps an existing .sig (it asks,
    // and without a terminal says no) and still exits 0.
    static SIGNED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SIGNED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = key.with_extension(format!("msg-{namespace}-{n}"));
    fs::write(&file, text).expect("write the text to sign");
    let out = Process::new(keygen)
        .env_clear()
        .args(["-Y", "sign", "-n", namespace, "-f"])
        .arg(key)
        .arg(&file)
        .output()
        .expect("run ssh-keygen -Y sign");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut sig = file.into_os_string();
    sig.push(".sig");
    fs::read_to_string(sig).expect("read the signature")
}

/// The statement's text, as the gate writes it.
fn statement(commit: &str, fingerprint: &str, rules: u32, workspace: &str) -> String {
    format!(
        "medreview gate checkpoint v1\nrules: {rules}\nworkspace: {workspace}\ncommit: {commit}\nkey: {fingerprint}\nverified-at: 2025-03-04T09:00:00-05:00\n"
    )
}

/// Writes an annotated tag object on `target` whose message is `text` and the
/// signature `pem` (as the gate lays it out), and points `refname` at it.
fn plant(member: &Member, refname: &str, target: &str, text: &str, pem: &str) {
    let object = format!(
        "object {target}\ntype commit\ntag medreview-gate\ntagger medreview gate <gate@medreview.invalid> 1741096800 -0500\n\n{text}\n{pem}"
    );
    let file = member.dir().join("../planted-tag");
    fs::write(&file, object).expect("write the tag");
    let id = member.git(&[
        "hash-object",
        "-t",
        "tag",
        "-w",
        file.to_str().expect("utf-8 path"),
    ]);
    member.git(&["update-ref", refname, id.trim()]);
}

/// The team of `audited_bundle` behind the gate with a key, recorded by the admin
/// in `sync.gate_keys` and pushed; `None` when ssh-keygen is missing (skipped).
fn gated() -> Option<(Gated, PathBuf)> {
    let keygen = keygen()?;
    let team = Team::from_bundle(audited_bundle());
    let (key, line, fingerprint) = new_key(&keygen, &team.base().join("gate-keys"), "gate");
    let said = install_with(&team, &["--gate-key", key.to_str().expect("utf-8 path")]);
    assert!(said.contains(&format!("Gate key: {line}")), "{said}");
    assert!(said.contains("The gate signed its checkpoint"), "{said}");
    let mut eve = team.clone_for(EVE);
    eve.set_now(T0900);
    eve.ok(&["config", "set", "sync.gate_keys", &format!("[\"{line}\"]")]);
    eve.push();
    Some((
        Gated {
            team,
            key,
            line,
            fingerprint,
            eve,
        },
        keygen,
    ))
}

/// `check --json` in `member`'s clone.
fn check(member: &Member) -> (Value, String) {
    let run = member.run(&["check", "--json"]);
    let json = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("check --json: {e}\n{}\n{}", run.stdout, run.stderr));
    (json, run.stderr)
}

/// A fresh `git clone` of the team's remote, pinning `pin` (none: `None`).
fn fresh_clone(g: &Gated, folder: &str, pin: Option<&str>) -> Member {
    let url = g.team.remote().to_str().expect("utf-8 path").to_owned();
    let mut member = g.team.clone_from(&url, SUZANNE, folder);
    member.set_now(T0900);
    if let Some(pin) = pin {
        member.git(&["config", "medreview.trustGate", pin]);
    }
    member
}

/// Commits in the remote's main.
fn all_commits(g: &Gated) -> u64 {
    let out = g
        .team
        .git_remote(&["rev-list", "--count", "refs/heads/main"]);
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a count")
}

/// Guards issue 28's travelling verification: a fresh clone that pins the gate's
/// key fetches its statement and walks nothing the gate verified; `publish` works
/// from it; a clone without the pin walks the whole history, as before; and a
/// commit made after the statement is still walked, so a forged approval in it is
/// found.
#[test]
fn a_clone_that_trusts_the_gate_starts_from_its_signed_checkpoint() {
    let Some((g, _)) = gated() else { return };
    let tip = g.team.remote_head();
    assert_eq!(
        g.team
            .git_remote(&["cat-file", "-t", "refs/medreview/gate"])
            .stdout,
        b"tag\n",
        "the gate's statement is an annotated tag object"
    );

    let ci = fresh_clone(&g, "ci", Some(&g.line));
    let (json, stderr) = check(&ci);
    assert_eq!(json["problems"], Value::Array(vec![]), "{json}");
    assert_eq!(
        json["checkpoint"],
        Value::from(tip.clone()),
        "{json}\n{stderr}"
    );
    assert_eq!(
        json["checkpoint_signed_by"],
        Value::from(g.fingerprint.clone())
    );
    assert_eq!(
        json["commits"], 0,
        "nothing the gate verified is walked again"
    );
    let run = fresh_clone(&g, "ci-terminal", Some(&g.line)).ok(&["check"]);
    assert!(
        run.stderr
            .contains("resting on the gate's signed checkpoint"),
        "{}",
        run.stderr
    );

    // The environment variable pins it too, by fingerprint, for a CI job.
    let job = fresh_clone(&g, "job", None);
    let out = assert_cmd::Command::cargo_bin("medreview")
        .expect("the binary")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", job.home())
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("MEDREVIEW_NOW", T0900)
        .env("MEDREVIEW_TRUST_GATE", &g.fingerprint)
        .current_dir(job.dir())
        .args(["publish", "--out", "../job-site"])
        .output()
        .expect("run medreview publish");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(job.dir().join("../job-site/index.html").is_file());
    assert_eq!(
        job.rev("refs/medreview/checked").as_deref(),
        Some(tip.as_str()),
        "publish keeps what it verified on top of the gate's statement"
    );

    // A clone behind the statement (fetched, not merged yet) cannot use it, and
    // that is nothing to warn about.
    let behind = fresh_clone(&g, "behind", Some(&g.line));
    behind.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let (json, stderr) = check(&behind);
    assert_eq!(json["commits"], all_commits(&g) - 1, "{json}");
    assert!(!stderr.contains("was not trusted"), "{stderr}");

    // Without a pin nothing of the gate is read: the whole history is walked.
    let plain = fresh_clone(&g, "plain", None);
    let (json, _) = check(&plain);
    assert_eq!(json["commits"], all_commits(&g), "{json}");
    assert_eq!(json["checkpoint_signed_by"], Value::Null);
    assert!(plain.rev("refs/medreview/remotes/origin/gate").is_none());

    // A forged approval committed after the statement is still walked and found.
    let file = forge(&ci, Action::Approved, "ana-example", T0900, "Looks fine.");
    let (json, _) = check(&ci);
    assert_eq!(json["commits"], 1, "only the new commit is walked: {json}");
    let problems = json["problems"].as_array().expect("problems");
    assert!(
        problems
            .iter()
            .any(|p| p["file"].as_str().is_some_and(|f| f.ends_with(&file))),
        "the forged approval after the checkpoint was not found: {json}"
    );

    // What a clone verified on top of the statement rests on the pin: unpinned,
    // its checkpoint is no longer honoured and the whole history is walked.
    ci.git(&["reset", "-q", "--hard", "HEAD~1"]);
    assert_eq!(check(&ci).0["commits"], 0);
    ci.git(&["config", "--unset", "medreview.trustGate"]);
    let (json, stderr) = check(&ci);
    assert_eq!(json["commits"], all_commits(&g), "{json}\n{stderr}");
    assert!(
        json["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("no longer trusts")),
        "{json}"
    );
}

/// Guards the forgeries: a statement signed by a key the clone does not pin, by a
/// pinned key the record does not list, with its text altered, attached to another
/// commit, or signed in another namespace is said ("was not trusted") and the
/// whole history is walked; and nobody can push the gate's ref.
#[test]
fn forged_gate_checkpoints_are_refused_and_the_whole_history_is_walked() {
    let Some((g, keygen)) = gated() else { return };
    let tip = g.team.remote_head();
    // The server's own statement gone, so only what is planted here is read.
    g.team
        .git_remote(&["update-ref", "-d", "refs/medreview/gate"]);
    let (mallory, mallory_line, mallory_fp) =
        new_key(&keygen, &g.team.base().join("mallory-keys"), "mallory");
    let full = all_commits(&g);
    let genuine_text = statement(&tip, &g.fingerprint, 1, ".");
    let genuine_sig = sign(&keygen, &g.key, "medreview-gate-checkpoint", &genuine_text);
    let parent = g.eve.git(&["rev-parse", "HEAD~1"]).trim().to_owned();

    let cases: Vec<(&str, String, String, String, &str)> = vec![
        (
            "a key the clone does not pin",
            statement(&tip, &mallory_fp, 1, "."),
            sign(
                &keygen,
                &mallory,
                "medreview-gate-checkpoint",
                &statement(&tip, &mallory_fp, 1, "."),
            ),
            g.line.clone(),
            "a key this clone does not trust",
        ),
        (
            "a pinned key the record does not list",
            statement(&tip, &mallory_fp, 1, "."),
            sign(
                &keygen,
                &mallory,
                "medreview-gate-checkpoint",
                &statement(&tip, &mallory_fp, 1, "."),
            ),
            mallory_line.clone(),
            "is not in sync.gate_keys",
        ),
        (
            "its text altered after signing",
            genuine_text.replace("rules: 1", "rules: 1 "),
            genuine_sig.clone(),
            g.line.clone(),
            "is not a gate statement",
        ),
        (
            "another commit's statement",
            statement(&parent, &g.fingerprint, 1, "."),
            genuine_sig.clone(),
            g.line.clone(),
            "does not verify",
        ),
        (
            "another namespace",
            genuine_text.clone(),
            sign(&keygen, &g.key, "medreview-signoff", &genuine_text),
            g.line.clone(),
            "does not verify",
        ),
    ];
    for (i, (what, text, pem, pin, said)) in cases.into_iter().enumerate() {
        let clone = fresh_clone(&g, &format!("forged-{i}"), Some(&pin));
        plant(
            &clone,
            "refs/medreview/remotes/origin/gate",
            &tip,
            &text,
            &pem,
        );
        let (json, stderr) = check(&clone);
        assert_eq!(json["commits"], full, "{what}: {json}\n{stderr}");
        assert_eq!(json["checkpoint_signed_by"], Value::Null, "{what}");
        assert!(
            stderr.contains("was not trusted") && stderr.contains(said),
            "{what}: expected {said:?} in:\n{stderr}"
        );
    }

    // The genuine statement attached to another commit than it names.
    let clone = fresh_clone(&g, "reattached", Some(&g.line));
    plant(
        &clone,
        "refs/medreview/remotes/origin/gate",
        &parent,
        &genuine_text,
        &genuine_sig,
    );
    let (json, stderr) = check(&clone);
    assert_eq!(json["commits"], full, "{json}");
    assert!(stderr.contains("but is attached to"), "{stderr}");

    // Pushing the gate's ref is refused like any ref under refs/medreview/.
    let out = clone.git_output(&["push", "origin", "HEAD:refs/medreview/gate"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("[medreview-ref]"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Guards stale and replayed statements: an older statement is honoured and the
/// commits after it walked; once an admin removes the key from `sync.gate_keys`
/// no statement by it counts; and a statement from another repository signed by
/// the same gate key names a commit this history does not contain.
#[test]
fn stale_revoked_and_replayed_gate_checkpoints() {
    let Some((g, _)) = gated() else { return };
    let signed_at = g.team.remote_head();
    // The server stops signing (its key unset); the team goes on pushing.
    g.team
        .git_remote(&["config", "--unset", "medreview.gateKey"]);
    let writer = fresh_clone(&g, "writer", None);
    writer.submit_edit("One more sentence for the second pass.", "Second pass.");
    writer.push();
    let stale = fresh_clone(&g, "stale", Some(&g.line));
    let (json, stderr) = check(&stale);
    assert_eq!(
        json["checkpoint"],
        Value::from(signed_at.clone()),
        "{json}\n{stderr}"
    );
    let walked = json["commits"].as_u64().expect("commits");
    assert!(
        walked >= 1 && walked < all_commits(&g),
        "only the commits after the stale statement: {json}"
    );
    assert_eq!(json["problems"], Value::Array(vec![]), "{json}");

    // Revoked: the admin removes the key from the record; the server signs again.
    let key = g.key.to_str().expect("utf-8 path").to_owned();
    g.team.git_remote(&["config", "medreview.gateKey", &key]);
    let eve = &g.eve;
    eve.git(&["pull", "-q"]);
    eve.ok(&["config", "set", "sync.gate_keys", "[]"]);
    eve.push();
    let revoked = fresh_clone(&g, "revoked", Some(&g.line));
    let (json, stderr) = check(&revoked);
    assert_eq!(json["checkpoint_signed_by"], Value::Null, "{json}");
    assert!(stderr.contains("is not in sync.gate_keys"), "{stderr}");

    // Replayed from another repository behind the same gate key.
    let other = Team::new();
    let said = install_with(&other, &["--gate-key", &key]);
    assert!(said.contains("The gate signed its checkpoint"), "{said}");
    let fresh = fresh_clone(&g, "replayed", Some(&g.line));
    // The gate keys listed again, so only the replay is at stake.
    eve.ok(&[
        "config",
        "set",
        "sync.gate_keys",
        &format!("[\"{}\"]", g.line),
    ]);
    eve.push();
    fresh.git(&["pull", "-q"]);
    let other_url = other.remote().to_str().expect("utf-8 path").to_owned();
    fresh.git(&[
        "fetch",
        "-q",
        &other_url,
        "+refs/medreview/gate:refs/medreview/remotes/mirror/gate",
    ]);
    g.team
        .git_remote(&["update-ref", "-d", "refs/medreview/gate"]);
    let (json, stderr) = check(&fresh);
    assert_eq!(json["checkpoint_signed_by"], Value::Null, "{json}");
    assert!(
        stderr.contains("which the history of HEAD does not contain"),
        "{stderr}"
    );
}

/// Guards the gate's own walk: a history that already holds a forged approval
/// when the gate is installed is never signed, and the installer is told why.
#[test]
fn the_gate_signs_no_checkpoint_for_a_history_with_problems() {
    let Some(keygen) = keygen() else { return };
    let team = Team::from_bundle(audited_bundle());
    let url = team.remote().to_str().expect("utf-8 path").to_owned();
    let mut writer = team.clone_from(&url, SUZANNE, "writer");
    writer.set_now(T0900);
    forge(&writer, Action::Approved, "ana-example", T0900, "Fine.");
    writer.push();
    let (key, _, _) = new_key(&keygen, &team.base().join("gate-keys"), "gate");
    let said = install_with(&team, &["--gate-key", key.to_str().expect("utf-8 path")]);
    assert!(said.contains("The gate signed no checkpoint"), "{said}");
    let refs = team.git_remote(&["for-each-ref", "refs/medreview/"]);
    assert!(
        !String::from_utf8_lossy(&refs.stdout).contains("refs/medreview/gate"),
        "nothing was signed"
    );
}

/// Guards the review's findings on the clone's side: a remote name taken from an
/// unverified `medreview.yaml` never reaches git as an option (it ran a command
/// before), and removing the key from `sync.gate_keys` also revokes a clone's own
/// checkpoint built on the statement.
#[test]
fn an_unverified_remote_name_runs_nothing_and_revocation_reaches_built_checkpoints() {
    let Some((g, _)) = gated() else { return };
    let ci = fresh_clone(&g, "ci", Some(&g.line));
    let (json, _) = check(&ci);
    assert_eq!(json["commits"], 0, "{json}");

    // Revoked after the clone built on the statement: the next walk is complete.
    g.eve.ok(&["config", "set", "sync.gate_keys", "[]"]);
    g.eve.push();
    ci.git(&["pull", "-q"]);
    let (json, _) = check(&ci);
    assert_eq!(json["commits"], all_commits(&g), "{json}");
    assert_eq!(json["checkpoint_signed_by"], Value::Null, "{json}");

    // A hand-edited sync.remote that is an option in disguise.
    let job = fresh_clone(&g, "job", Some(&g.line));
    let marker = g.team.base().join("pwned");
    let config = job.read("medreview.yaml");
    job.write(
        "medreview.yaml",
        &config.replace(
            "sync:\n",
            &format!(
                "sync:\n  remote: '--upload-pack=touch {} #'\n",
                marker.display()
            ),
        ),
    );
    let run = job.run(&["check"]);
    assert!(!marker.exists(), "a command ran: {}", run.stderr);
    assert!(run.stderr.contains("no git remote named"), "{}", run.stderr);
}

/// Guards the review's findings on the server's side: a gate whose
/// `medreview.root` names a folder without a workspace signs nothing (it once
/// signed a folder it never walked), and a gate waiting for a branch nobody
/// pushes is refused at install, before anything is written.
#[test]
fn the_gate_signs_only_a_workspace_it_walked_on_a_branch_that_exists() {
    let Some(keygen) = keygen() else { return };
    let team = Team::from_bundle(audited_bundle());
    let (key, _, _) = new_key(&keygen, &team.base().join("gate-keys"), "gate");
    let key = key.to_str().expect("utf-8 path").to_owned();
    team.git_remote(&["config", "medreview.root", "elsewhere"]);
    let said = install_with(&team, &["--gate-key", &key]);
    assert!(
        said.contains("no medreview.yaml in the folder elsewhere"),
        "{said}"
    );
    let refs = team.git_remote(&["for-each-ref", "refs/medreview/"]);
    assert!(!String::from_utf8_lossy(&refs.stdout).contains("refs/medreview/gate"));

    let other = Team::from_bundle(audited_bundle());
    other.git_remote(&["symbolic-ref", "HEAD", "refs/heads/master"]);
    let hooks = other.remote().join("hooks/pre-receive");
    let run = super::medreview(
        other.base(),
        &[
            "hook",
            "install",
            "--server",
            other.remote().to_str().expect("utf-8 path"),
            "--gate-key",
            &key,
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("medreview.branch main"),
        "{}",
        run.stderr
    );
    assert!(!hooks.exists(), "a refused install wrote the hook");
}
