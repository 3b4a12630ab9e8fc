//! The server gate: `medreview hook install --server GIT_DIR` and the pre-receive hook
//! it installs, tried through real servers on loopback (`git daemon`, and lighttpd
//! running `git http-backend` with basic auth, gitolite over sshd) by people who push
//! with plain git.
//! A refused push must change nothing on the server, and the pusher must see why,
//! with the rule's code.

#[path = "common/http.rs"]
pub(crate) mod http;
#[path = "common/ssh.rs"]
mod ssh;

mod attacks;
mod authenticated;
mod gate_checkpoint;
mod scale;
mod wedges;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::OnceLock;

use assert_cmd::Command;
use chrono::DateTime;
use medreview_core::ids::Id;
use medreview_core::record::entry::{self, Action, Entry, EntryId};

use crate::common::team::{self as fixture, ANA, DAVID, Member, Person, SUZANNE, Team};
use crate::common::{NEXT_DAY, Run, SIGNOFFS, SLUG, TestEnv};
use http::{GitDaemon, WebServer};

/// The editor who set the workspace up: the roster's admin (a writer, not a reviewer).
const EVE: Person = Person {
    id: "eve-editor",
    name: "Test Runner",
    email: "runner@example.org",
};

/// When the doctors sign off in most tests.
const T0900: &str = NEXT_DAY;
/// A few minutes later: a withdrawal.
const T0903: &str = "2025-03-04T09:03:00-05:00";
/// The server's clock in most tests: five minutes after the sign-offs.
const SERVER_NOW: &str = "2025-03-04T09:05:00-05:00";

/// The starting remote of these tests: an audited roster (eve-editor, who runs the
/// setup as runner@example.org, is its admin and may record for others), writer suzanne-example, reviewers
/// ana-example and david-okafor, and her2-treatment r1 submitted by suzanne herself.
/// Built once, as the bytes of a git bundle.
fn audited_bundle() -> &'static [u8] {
    static BUNDLE: OnceLock<Vec<u8>> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let env = TestEnv::new();
        env.ok(&[
            "writer",
            "add",
            EVE.id,
            "--name",
            "Eve Editor",
            "--email",
            EVE.email,
        ]);
        // The editor may record a doctor's emailed decision for them.
        let config = env.read("medreview.yaml").replace(
            "require_signatures: false",
            "require_signatures: false\n  proxies: [admins]",
        );
        env.write("medreview.yaml", &config);
        env.git(&["commit", "-q", "-m", "review settings", "medreview.yaml"]);
        env.ok(&["admin", "add", EVE.id]);
        env.seed();
        env.git(&["config", "user.name", SUZANNE.name]);
        env.git(&["config", "user.email", SUZANNE.email]);
        env.ok(&["submit", SLUG, "-m", "First draft."]);
        let check = env.ok(&["check"]);
        assert!(check.stderr.contains("no problems"), "{}", check.stderr);
        let file = env.outside("audited.bundle");
        let file_arg = file.to_str().expect("utf-8 path");
        env.git(&["bundle", "create", "-q", file_arg, "--all"]);
        fs::read(&file).expect("read the bundle")
    })
}

/// Runs this medreview binary in `dir` with a cleared environment.
fn medreview(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("medreview")
        .expect("the medreview binary is built")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LANG", "C")
        .env("NO_COLOR", "1")
        .env("MEDREVIEW_NOW", SERVER_NOW)
        .current_dir(dir)
        .args(crate::common::with_latest_revision(dir, args))
        .output()
        .expect("run medreview");
    Run {
        code: output.status.code().expect("medreview exited normally"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `hook install --server` on the team's remote; asserts it succeeded.
pub(crate) fn install(team: &Team) {
    install_with(team, &[]);
}

/// `hook install --server` on the team's remote with `extra` arguments; asserts it
/// succeeded and returns what it said.
pub(crate) fn install_with(team: &Team, extra: &[&str]) -> String {
    let remote = team.remote();
    let mut args = vec![
        "hook",
        "install",
        "--server",
        remote.to_str().expect("utf-8 path"),
    ];
    args.extend_from_slice(extra);
    let run = medreview(team.base(), &args);
    assert_eq!(
        run.code, 0,
        "hook install failed:\n{}{}",
        run.stdout, run.stderr
    );
    run.stderr
}

/// A gated remote (the audited fixture, the hook installed) served by `git daemon`
/// whose clock (and so the hook's) is `server_now`, with `env` added; `None` when
/// git daemon is missing (skipped).
fn gated(server_now: &str, env: &[(&str, &str)]) -> Option<(Team, GitDaemon)> {
    let team = Team::from_bundle(audited_bundle());
    install(&team);
    let mut vars = vec![("MEDREVIEW_NOW", server_now)];
    vars.extend_from_slice(env);
    let daemon = GitDaemon::start(team.base(), &vars)?;
    Some((team, daemon))
}

/// `person`'s clone of the daemon's remote, with the clock at `now`.
fn clone_over(team: &Team, daemon: &GitDaemon, person: Person, now: &str) -> Member {
    let mut member = team.clone_from(&daemon.url("remote.git"), person, person.id);
    member.set_now(now);
    member
}

/// Every ref of the remote with the object it names: what a refused push must keep.
pub(crate) fn remote_refs(team: &Team) -> String {
    let out = team.git_remote(&["for-each-ref", "--format=%(refname) %(objectname)"]);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The commit the remote's main names.
fn remote_main(team: &Team) -> String {
    let out = team.git_remote(&["rev-parse", "refs/heads/main"]);
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// `git ARGS` in the clone; (whether it succeeded, what it printed on stderr).
pub(crate) fn push(member: &Member, args: &[&str]) -> (bool, String) {
    let out = member.git_output(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `git ARGS` must be accepted by the remote.
#[track_caller]
pub(crate) fn accepted(member: &Member, args: &[&str]) {
    let (ok, stderr) = push(member, args);
    assert!(ok, "git {args:?} was refused:\n{stderr}");
    assert!(!stderr.contains("medreview: refused"), "{stderr}");
}

/// `git ARGS` must be refused with a hook line `medreview: refused <refname>: [<code>]`
/// and leave every ref of the remote as it was. Returns what the pusher saw.
#[track_caller]
pub(crate) fn refused(
    team: &Team,
    member: &Member,
    args: &[&str],
    refname: &str,
    code: &str,
) -> String {
    let before = remote_refs(team);
    let (ok, stderr) = push(member, args);
    assert!(
        !ok,
        "git {args:?} was accepted, expected [{code}]:\n{stderr}"
    );
    let line = stderr
        .lines()
        .find(|l| l.contains("medreview: refused") && l.contains(&format!("[{code}]")))
        .unwrap_or_else(|| panic!("no `medreview: refused ... [{code}]` line in:\n{stderr}"));
    assert!(
        line.contains(&format!("refused {refname}")),
        "the line does not name {refname}: {line}"
    );
    assert_eq!(
        remote_refs(team),
        before,
        "a refused push changed the remote"
    );
    stderr
}

/// The sign-offs of the seeded article in the clone's HEAD, in name order.
fn entries(member: &Member) -> Vec<(EntryId, Entry)> {
    let listing = member.git(&["ls-tree", "--name-only", "HEAD", &format!("{SIGNOFFS}/")]);
    listing
        .lines()
        .filter(|p| !p.rsplit('/').next().unwrap_or_default().starts_with('.'))
        .map(|path| {
            let name = path.rsplit('/').next().expect("a file name");
            let bytes = member.git(&["show", &format!("HEAD:{path}")]);
            entry::read(name, bytes.as_bytes(), Path::new(path)).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

/// A sign-off of the seeded article written by hand, in the shape medreview gives
/// one: after the latest entry, on the latest revision, under the same roster, dated
/// the clone's `at`. Committed with plain git by whoever the clone's identity is.
/// Returns the workspace-relative path of the file.
fn forge(member: &Member, action: Action, by: &str, at: &str, note: &str) -> String {
    forge_for(member, action, by, None, at, note)
}

/// `forge`, with `recorded_by` set: an entry claiming someone typed it in for `by`.
fn forge_for(
    member: &Member,
    action: Action,
    by: &str,
    recorded_by: Option<&str>,
    at: &str,
    note: &str,
) -> String {
    forge_with(member, action, by, at, note, |forged| {
        forged.recorded_by = recorded_by.map(|id| Id::parse("id", id).expect("a valid id"));
    })
}

/// `forge`, with `edit` applied to the entry before it is written.
fn forge_with(
    member: &Member,
    action: Action,
    by: &str,
    at: &str,
    note: &str,
    edit: impl FnOnce(&mut Entry),
) -> String {
    let all = entries(member);
    let (last_id, last) = all.last().expect("the record has an entry");
    let revision = all
        .iter()
        .rev()
        .find(|(_, e)| e.action == Action::Submitted)
        .map(|(_, e)| e.revision.clone())
        .expect("a submitted revision");
    let mut forged = Entry {
        action,
        by: Id::parse("id", by).expect("a valid id"),
        at: DateTime::parse_from_rfc3339(at).expect("an RFC 3339 time"),
        revision,
        after: vec![last_id.clone()],
        roster: last.roster.clone(),
        note: Some(note.to_owned()),
        recorded_by: None,
        clock: last.clock.clone(),
        format: None,
        viewed: None,
        meaning: None,
        name: None,
        credentials: None,
        change: None,
        schedule: None,
        signature: None,
    };
    edit(&mut forged);
    let (id, bytes) = forged.to_file();
    let rel = format!("{SIGNOFFS}/{}", id.file_name());
    member.write(&rel, std::str::from_utf8(&bytes).expect("UTF-8 entry"));
    member.git(&["add", &rel]);
    member.git(&[
        "commit",
        "-q",
        "-m",
        &format!("{} {SLUG} r1", action.verb()),
    ]);
    rel
}

/// `git push origin HEAD:main`.
const PUSH_MAIN: &[&str] = &["push", "origin", "HEAD:main"];

// --- 1. install -----------------------------------------------------------------

/// Guards the install contract: both deny settings set, an executable pre-receive
/// hook that runs this binary's `hook pre-receive`; a second install is harmless.
#[test]
fn install_sets_the_deny_settings_and_an_executable_pre_receive_hook() {
    let team = Team::from_bundle(audited_bundle());
    install(&team);
    for key in ["receive.denyNonFastForwards", "receive.denyDeletes"] {
        let out = team.git_remote(&["config", "--get", key]);
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "true", "{key}");
    }
    let hook = team.remote().join("hooks/pre-receive");
    let mode = fs::metadata(&hook)
        .expect("hooks/pre-receive exists")
        .permissions()
        .mode();
    assert!(mode & 0o111 != 0, "the hook is not executable: {mode:o}");
    let text = fs::read_to_string(&hook).expect("read the hook");
    assert!(text.contains("hook pre-receive"), "{text}");
    assert!(text.starts_with("#!"), "{text}");
    // Installing again (after an upgrade, say) leaves one working hook.
    install(&team);
    assert_eq!(fs::read_to_string(&hook).expect("read the hook"), text);
}

/// Guards the bare-repository rule: the `.git` folder of a clone (a repository with a
/// working tree) is refused with exit 1; no hook is written, no setting changed.
#[test]
fn install_refuses_the_git_folder_of_a_clone() {
    let team = Team::from_bundle(audited_bundle());
    let clone = team.clone_for(ANA);
    let dir = clone.git(&["rev-parse", "--absolute-git-dir"]);
    let git_dir = Path::new(dir.trim());
    let config_before = fs::read_to_string(git_dir.join("config")).expect("config");
    let target = git_dir.to_str().expect("utf-8");
    let run = medreview(team.base(), &["hook", "install", "--server", target]);
    assert_eq!(run.code, 1, "{target}: {}{}", run.stdout, run.stderr);
    assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
    assert!(!git_dir.join("hooks/pre-receive").exists(), "hook written");
    assert_eq!(
        fs::read_to_string(git_dir.join("config")).expect("config"),
        config_before,
        "settings changed"
    );
}

/// Guards the messages of install's refusals: a clone's working tree is said not to
/// be a bare repository (it is a repository: "not inside a git repository" and
/// "run `git init`" would mislead), and a missing folder is named.
#[test]
fn install_refusals_say_what_is_wrong() {
    let team = Team::from_bundle(audited_bundle());
    let clone = team.clone_for(ANA);
    let dir = clone.git(&["rev-parse", "--show-toplevel"]);
    let run = medreview(team.base(), &["hook", "install", "--server", dir.trim()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
    assert!(run.stderr.contains("bare"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("not inside a git repository"),
        "{}",
        run.stderr
    );
    let missing = team.base().join("no-such.git");
    let run = medreview(
        team.base(),
        &[
            "hook",
            "install",
            "--server",
            missing.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.starts_with("Error: "), "{}", run.stderr);
    assert!(run.stderr.contains("no-such.git"), "{}", run.stderr);
    assert!(!missing.exists(), "install created the missing folder");
}

// --- 2. history rules over git daemon -------------------------------------------

/// Guards the ordinary path: `medreview approve` and a plain `git push` go through
/// the gate.
#[test]
fn an_approval_pushed_with_plain_git_is_accepted() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    accepted(&ana, PUSH_MAIN);
    assert_eq!(remote_main(&team), ana.git(&["rev-parse", "HEAD"]).trim());
    // A fresh clone sees the approval, and the record verifies.
    let suzanne = clone_over(&team, &daemon, SUZANNE, SERVER_NOW);
    assert_eq!(suzanne.status()["state"], "approved");
}

/// Guards against dropping a withdrawal by force-pushing main, refused by the hook
/// itself even when the server's `receive.denyNonFastForwards` was turned off.
#[test]
fn a_force_push_that_drops_a_withdrawal_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let mut ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    accepted(&ana, PUSH_MAIN);
    ana.set_now(T0903);
    ana.ok(&["withdraw", SLUG, "-m", "New guidance; needs an update."]);
    accepted(&ana, PUSH_MAIN);
    ana.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let force = &["push", "--force", "origin", "HEAD:main"];
    let said = refused(&team, &ana, force, "refs/heads/main", "non-fast-forward");
    assert!(
        said.contains("remote: "),
        "the pusher sees the hook: {said}"
    );
    team.git_remote(&["config", "receive.denyNonFastForwards", "false"]);
    refused(&team, &ana, force, "refs/heads/main", "non-fast-forward");
    assert!(
        entries(&clone_over(&team, &daemon, SUZANNE, SERVER_NOW))
            .iter()
            .any(|(_, e)| e.action == Action::Withdrawn),
        "the withdrawal is still on the server"
    );
}

/// Gives the server a publication tag and a checkpoint on main; returns the tag's ref.
fn tag_and_checkpoint(team: &Team) -> &'static str {
    team.git_remote(&[
        "-c",
        "user.name=Eve Editor",
        "-c",
        "user.email=runner@example.org",
        "tag",
        "-a",
        "-m",
        "Published.",
        "published/20250304T140000Z",
        "main",
    ]);
    team.git_remote(&["update-ref", "refs/medreview/checked", "main"]);
    "refs/tags/published/20250304T140000Z"
}

/// Guards deletions: main, a publication tag and medreview's checkpoint ref cannot
/// be deleted, with or without the server's `receive.denyDeletes`.
#[test]
fn deleting_main_a_publication_tag_or_a_medreview_ref_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let tag = tag_and_checkpoint(&team);
    let ana = clone_over(&team, &daemon, ANA, T0900);
    for deny in [true, false] {
        if !deny {
            team.git_remote(&["config", "receive.denyDeletes", "false"]);
            team.git_remote(&["config", "receive.denyNonFastForwards", "false"]);
        }
        for refname in ["refs/heads/main", tag, "refs/medreview/checked"] {
            let delete = format!(":{refname}");
            refused(
                &team,
                &ana,
                &["push", "origin", &delete],
                refname,
                "ref-deleted",
            );
        }
    }
}

/// Guards publication tags and medreview's refs against being moved: a published
/// tag never changes, the checkpoint is moved by the gate alone, and one bad ref
/// refuses the whole push (main does not move either).
#[test]
fn moving_a_publication_tag_or_the_checkpoint_back_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let tag = tag_and_checkpoint(&team);
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let moved = format!("+HEAD:{tag}");
    refused(&team, &ana, &["push", "origin", &moved], tag, "tag-moved");
    // One good ref and one bad one: the whole push is refused.
    refused(
        &team,
        &ana,
        &["push", "origin", "HEAD:main", &moved],
        tag,
        "tag-moved",
    );
    // The checkpoint is the gate's alone: no pusher moves it, forward or back
    // (regression: a pusher moved it off main and every clone's sync refused).
    accepted(&ana, &["push", "origin", "HEAD:main"]);
    ana.git(&["commit", "-q", "--allow-empty", "-m", "not on main"]);
    refused(
        &team,
        &ana,
        &["push", "origin", "HEAD:refs/medreview/checked"],
        "refs/medreview/checked",
        "medreview-ref",
    );
    refused(
        &team,
        &ana,
        &["push", "origin", "+HEAD~2:refs/medreview/checked"],
        "refs/medreview/checked",
        "medreview-ref",
    );
    // A new publication tag must be annotated and a publisher's (issue 23): a
    // doctor's lightweight tag is refused.
    refused(
        &team,
        &ana,
        &[
            "push",
            "origin",
            "HEAD:refs/tags/published/20250304T150000Z",
        ],
        "refs/tags/published/20250304T150000Z",
        "tag-invalid",
    );
}

// --- 3. forged entries ------------------------------------------------------------

/// Guards against an approval written by hand for a doctor who never approved: the
/// writer commits it, so its committer is not its signer.
#[test]
fn an_approval_forged_for_a_doctor_by_someone_else_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let suzanne = clone_over(&team, &daemon, SUZANNE, T0900);
    forge(&suzanne, Action::Approved, ANA.id, T0900, "Accurate.");
    let said = refused(
        &team,
        &suzanne,
        PUSH_MAIN,
        "refs/heads/main",
        "committer-mismatch",
    );
    assert!(said.contains(ANA.id), "{said}");
}

/// Guards "checks the commits new to main", not "new to the repository": with the
/// gate limited to main (`medreview.branch`), a forgery parked on another branch
/// (not checked) cannot then be fast-forwarded into main. Without that setting
/// every branch is gated and the parking push itself is refused.
#[test]
fn a_forgery_parked_on_another_branch_cannot_then_reach_main() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let suzanne = clone_over(&team, &daemon, SUZANNE, T0900);
    forge(&suzanne, Action::Approved, ANA.id, T0900, "Accurate.");
    refused(
        &team,
        &suzanne,
        &["push", "origin", "HEAD:refs/heads/parked"],
        "refs/heads/parked",
        "committer-mismatch",
    );
    let set = team.git_remote(&["config", "medreview.branch", "main"]);
    assert!(set.status.success(), "{set:?}");
    accepted(&suzanne, &["push", "origin", "HEAD:refs/heads/parked"]);
    refused(
        &team,
        &suzanne,
        PUSH_MAIN,
        "refs/heads/main",
        "committer-mismatch",
    );
}

/// Guards the append-only rule on the server: an entry edited after it was pushed.
#[test]
fn an_entry_edited_after_it_was_recorded_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    accepted(&ana, PUSH_MAIN);
    let (id, _) = entries(&ana).pop().expect("the approval");
    let rel = format!("{SIGNOFFS}/{}", id.file_name());
    ana.write(
        &rel,
        &ana.read(&rel)
            .replace("Accurate.", "Accurate; also covers pregnancy."),
    );
    ana.git(&["commit", "-q", "-am", "fix the note"]);
    refused(&team, &ana, PUSH_MAIN, "refs/heads/main", "entry-edited");
}

/// Guards entry names: a file whose name carries a digest that is not its content's
/// is refused (entry-invalid or entry-damaged).
#[test]
fn an_entry_whose_name_has_the_wrong_digest_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let (id, _) = entries(&ana).pop().expect("the approval");
    let name = id.file_name();
    let digest = &name[name.len() - ".yaml".len() - entry::DIGEST_LEN..name.len() - 5];
    let wrong = name.replace(digest, "0123456789ab");
    ana.git(&[
        "mv",
        &format!("{SIGNOFFS}/{name}"),
        &format!("{SIGNOFFS}/{wrong}"),
    ]);
    ana.git(&["commit", "-q", "--amend", "--no-edit"]);
    let before = remote_refs(&team);
    let (ok, said) = push(&ana, PUSH_MAIN);
    assert!(!ok, "accepted:\n{said}");
    assert!(
        said.contains("[entry-invalid]") || said.contains("[entry-damaged]"),
        "{said}"
    );
    assert!(said.contains(&wrong), "the message names the file: {said}");
    assert_eq!(remote_refs(&team), before);
}

/// Guards separation of duties on the server: an approval by a roster member who is
/// not in reviewers/ (the editor), committed by that member.
#[test]
fn an_approval_by_someone_not_in_reviewers_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let eve = clone_over(&team, &daemon, EVE, T0900);
    forge(&eve, Action::Approved, EVE.id, T0900, "Looks fine to me.");
    refused(&team, &eve, PUSH_MAIN, "refs/heads/main", "signer-role");
}

/// Guards "the writer of a revision can never approve it": a reviewer submits a
/// revision and pushes their own approval of it, forged past the command line.
#[test]
fn an_approval_by_the_revisions_own_writer_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let david = clone_over(&team, &daemon, DAVID, T0900);
    david.submit_edit("A line David wrote himself.", "Added a line.");
    forge(&david, Action::Approved, DAVID.id, T0900, "Good.");
    refused(
        &team,
        &david,
        PUSH_MAIN,
        "refs/heads/main",
        "approval-policy",
    );
}

/// Guards what a signature means on the server (issue 24): an approval whose meaning
/// medreview.yaml does not list, or that prints a name the roster does not have,
/// is refused like any approval that breaks the policy.
#[test]
fn an_approval_of_an_unlisted_meaning_or_another_printed_name_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    forge_with(&ana, Action::Approved, ANA.id, T0900, "Legal.", |e| {
        e.meaning = Some("legal".into());
    });
    refused(&team, &ana, PUSH_MAIN, "refs/heads/main", "approval-policy");
    ana.git(&["reset", "-q", "--hard", "HEAD~1"]);
    forge_with(&ana, Action::Approved, ANA.id, T0900, "Fine.", |e| {
        e.meaning = Some("medical-accuracy".into());
        e.name = Some("Dr Famous".into());
    });
    refused(&team, &ana, PUSH_MAIN, "refs/heads/main", "approval-policy");
}

// --- 4. the server's clock ------------------------------------------------------------

/// Guards the server clock: an approval dated six hours before the server's clock is
/// refused with `server-time`; `medreview.clockTolerance` (minutes) widens the window.
#[test]
fn a_backdated_entry_is_refused_by_the_servers_clock() {
    let Some((team, daemon)) = gated("2025-03-04T15:00:00-05:00", &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    refused(&team, &ana, PUSH_MAIN, "refs/heads/main", "server-time");
    team.git_remote(&["config", "medreview.clockTolerance", "420"]);
    accepted(&ana, PUSH_MAIN);
}

/// Guards the default tolerance (30 minutes) in both directions: 20 minutes behind
/// the server is accepted, 45 minutes ahead of it is refused.
#[test]
fn the_default_tolerance_is_thirty_minutes_either_way() {
    let Some((team, daemon)) = gated("2025-03-04T09:20:00-05:00", &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    accepted(&ana, PUSH_MAIN);
    drop(daemon);
    let Some((team, daemon)) = gated("2025-03-04T08:15:00-05:00", &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    refused(&team, &ana, PUSH_MAIN, "refs/heads/main", "server-time");
}

// --- 5. the pusher ------------------------------------------------------------------

/// Guards `medreview.pusherVariable`: when the named variable says who pushes, an
/// entry signed by someone else is refused; git daemon sets no REMOTE_USER, so by
/// default there is no pusher check (the accepted pushes above).
#[test]
fn a_configured_pusher_variable_names_the_pusher() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[("FORGE_USER", DAVID.id)]) else {
        return;
    };
    team.git_remote(&["config", "medreview.pusherVariable", "FORGE_USER"]);
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let said = refused(&team, &ana, PUSH_MAIN, "refs/heads/main", "pusher-mismatch");
    assert!(said.contains(DAVID.id) && said.contains(ANA.id), "{said}");
}

const PASSWORDS: [(&str, &str); 6] = [
    ("suzanne-example", "pw-suzanne"),
    ("ana-example", "pw-ana"),
    ("eve-editor", "pw-eve"),
    ("ana@example.org", "pw-ana-mail"),
    ("david-okafor", "pw-david"),
    ("mallory", "pw-mallory"),
];

/// A gated remote served over HTTP with basic auth for `PASSWORDS`.
fn gated_http() -> Option<(Team, WebServer)> {
    let team = Team::from_bundle(audited_bundle());
    install(&team);
    team.git_remote(&["config", "http.receivepack", "true"]);
    let server = WebServer::start(team.base(), &PASSWORDS, &[("MEDREVIEW_NOW", SERVER_NOW)])?;
    Some((team, server))
}

fn password(user: &str) -> &'static str {
    PASSWORDS
        .iter()
        .find(|(u, _)| *u == user)
        .map(|(_, p)| *p)
        .expect("a known user")
}

/// Guards the HTTP path: a doctor pushing her own approval as herself (by roster id
/// or by her roster email) is accepted; nobody pushes without credentials.
#[test]
fn over_http_the_signer_pushing_her_own_approval_is_accepted() {
    let Some((team, server)) = gated_http() else {
        return;
    };
    let url = server.url(ANA.id, password(ANA.id), "remote.git");
    let mut ana = team.clone_from(&url, ANA, "ana-http");
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let anonymous = url.replace("ana-example:pw-ana@", "");
    let (ok, said) = push(&ana, &["push", &anonymous, "HEAD:main"]);
    assert!(!ok, "an anonymous push was accepted:\n{said}");
    accepted(&ana, PUSH_MAIN);
    assert_eq!(remote_main(&team), ana.git(&["rev-parse", "HEAD"]).trim());
    ana.set_now(T0903);
    ana.ok(&["withdraw", SLUG, "-m", "New guidance."]);
    let by_email = server.url(ANA.email, password(ANA.email), "remote.git");
    accepted(&ana, &["push", &by_email, "HEAD:main"]);
    assert_eq!(remote_main(&team), ana.git(&["rev-parse", "HEAD"]).trim());
    // The writer pushes her new revision as herself.
    let url = server.url(SUZANNE.id, password(SUZANNE.id), "remote.git");
    let mut suzanne = team.clone_from(&url, SUZANNE, "suzanne-http");
    suzanne.set_now(T0903);
    suzanne.submit_edit("A line for r2.", "Second draft.");
    accepted(&suzanne, PUSH_MAIN);
}

/// Guards the pusher check: an approval by ana-example pushed with someone else's
/// credentials (another doctor, or a user not on the roster) is refused with
/// `pusher-mismatch` and changes nothing.
#[test]
fn over_http_a_pusher_who_is_not_the_signer_is_refused() {
    let Some((team, server)) = gated_http() else {
        return;
    };
    let url = server.url(ANA.id, password(ANA.id), "remote.git");
    let mut ana = team.clone_from(&url, ANA, "ana-http");
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    for user in [DAVID.id, "mallory"] {
        let other = server.url(user, password(user), "remote.git");
        let said = refused(
            &team,
            &ana,
            &["push", &other, "HEAD:main"],
            "refs/heads/main",
            "pusher-mismatch",
        );
        assert!(said.contains(user), "the message names the pusher: {said}");
    }
    accepted(&ana, PUSH_MAIN);
}
