//! What `sync` must refuse — changing nothing local and pushing nothing: an
//! incoming record that does not verify, a rewritten remote, local commits that
//! would need a text merge, incoming changes over local edits; and what it must
//! carry besides the branch (publication tags), and where it finds the remote.

use std::fs;

use super::{R2_LINE, T0900, T0930, T1000, T1100, state, sync, sync_ok, team};
use crate::common::team::{ANA, DAVID, Member, Person, SUZANNE, Team};
use crate::common::{ARTICLE, SIGNOFFS, SLUG};

/// An editor on the roster who may publish.
const ROSA: Person = Person {
    id: "rosa-editor",
    name: "Rosa Editor",
    email: "rosa@example.org",
};

/// Runs `sync` and asserts it was refused (exit 1, an `Error:`) without changing
/// the clone's branch, refs, index or working tree, or the remote's main. Returns
/// everything it printed.
pub(super) fn refused(team: &Team, member: &Member) -> String {
    stopped(team, member, 1)
}

/// [`refused`], with the exit code `code` (3: the machine or the network).
fn stopped(team: &Team, member: &Member, code: i32) -> String {
    let before = member.snapshot();
    let remote = team.remote_head();
    let run = member.run(&["sync"]);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, code, "sync should be refused:\n{said}");
    assert!(run.stderr.contains("Error:"), "{said}");
    assert_eq!(
        member.snapshot(),
        before,
        "a refused sync changed the clone:\n{said}"
    );
    assert_eq!(team.remote_head(), remote, "a refused sync pushed:\n{said}");
    assert!(
        !member.dir().join(".git/medreview.lock").exists(),
        "lock left behind"
    );
    said
}

/// The seeded article's submission entry file, workspace-relative.
pub(super) fn submission_file(member: &Member) -> String {
    let name = fs::read_dir(member.dir().join(SIGNOFFS))
        .expect("sign-offs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .find(|n| n.contains("-submitted-"))
        .expect("a submission");
    format!("{SIGNOFFS}/{name}")
}

/// Regression: an entry edited in place and pushed by plain git to a remote with no
/// hook must not be integrated by sync: it refuses, names the check code, and the
/// doctor's clone (with its own unpushed approval) stays as it was.
#[test]
fn sync_refuses_an_incoming_record_that_does_not_verify() {
    let (team, _, mut ana, _) = team(1);
    let forger = team.clone_from(team.remote().to_str().expect("utf-8"), SUZANNE, "forger");
    let file = submission_file(&forger);
    let text = forger.read(&file);
    let forged = text.replace("First draft.", "Final draft, approved by phone.");
    assert_ne!(text, forged);
    forger.write(&file, &forged);
    forger.git(&["commit", "-q", "-am", "Fix a typo"]);
    forger.push();
    assert!(
        forger.check_codes().iter().any(|c| c == "entry-edited"),
        "check sees the forgery"
    );

    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let said = refused(&team, &ana);
    assert!(
        said.contains("entry-edited"),
        "the problem's code is listed:\n{said}"
    );
    assert!(said.contains(&file) || said.contains(SLUG), "{said}");
}

/// The same forgery with nothing local to replay: the fast-forward is verified too.
#[test]
fn sync_refuses_to_fast_forward_onto_a_forged_record() {
    let (team, _, ana, _) = team(1);
    let forger = team.clone_from(team.remote().to_str().expect("utf-8"), SUZANNE, "forger");
    let file = submission_file(&forger);
    forger.write(
        &file,
        &forger.read(&file).replace("suzanne-example", "ana-example"),
    );
    forger.git(&["commit", "-q", "-am", "Tidy"]);
    forger.push();
    let codes = forger.check_codes();
    assert!(!codes.is_empty());
    let said = refused(&team, &ana);
    assert!(
        codes.iter().any(|c| said.contains(c.as_str())),
        "one of check's codes {codes:?} is listed:\n{said}"
    );
}

/// A remote `main` moved back to `commit` (a force-push, no hook).
fn force_push(team: &Team, commit: &str) {
    team.git_remote(&["update-ref", "refs/heads/main", commit]);
}

/// Regression: a force-push that drops a withdrawal was invisible to every clone;
/// sync in a clone that had synced the withdrawal refuses with `remote-rewritten`,
/// and keeps refusing (it does not forget what it had fetched).
#[test]
fn sync_refuses_a_remote_rewritten_to_drop_a_withdrawal() {
    let (team, _, mut ana, david) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    sync_ok(&ana);
    let approved = team.remote_head();
    ana.set_now(T1000);
    ana.ok(&["withdraw", SLUG, "-m", "The dosing in point 1 is outdated."]);
    sync_ok(&ana);
    let doc = sync_ok(&david);
    assert_eq!(doc["integration"], "fast-forward", "{doc:#}");
    assert_eq!(state(&david).0, "withdrawn");

    force_push(&team, &approved);
    let said = refused(&team, &david);
    assert!(said.contains("remote-rewritten"), "{said}");
    let said = refused(&team, &david);
    assert!(said.contains("remote-rewritten"), "refused again:\n{said}");
    assert_eq!(state(&david).0, "withdrawn");
}

/// The same with a clone that only `git fetch`ed the withdrawal (its branch is
/// behind, the remote-tracking ref holds it): the rewrite is still caught.
#[test]
fn sync_refuses_a_rewritten_remote_seen_only_by_git_fetch() {
    let (team, _, mut ana, david) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    let approved = team.remote_head();
    ana.set_now(T1000);
    ana.ok(&["withdraw", SLUG, "-m", "The dosing in point 1 is outdated."]);
    ana.push();
    david.git(&["fetch", "-q", "origin"]);

    force_push(&team, &approved);
    let said = refused(&team, &david);
    assert!(said.contains("remote-rewritten"), "{said}");
}

/// Regression: replay never merges text: a local edit (not a submission) of an
/// article.md the remote also changed is refused, naming the file and `git pull`.
#[test]
fn sync_refuses_to_replay_a_local_edit_of_a_file_the_remote_changed() {
    let team = Team::new();
    let url = team.remote().to_str().expect("utf-8").to_owned();
    let mut desk = team.clone_from(&url, SUZANNE, "suzanne-desk");
    let mut laptop = team.clone_from(&url, SUZANNE, "suzanne-laptop");
    desk.set_now(T0900);
    desk.submit_edit(R2_LINE, "Adds a question.");
    desk.push();
    laptop.set_now(T0930);
    let edited = format!("{}Bring a list of your medicines.\n", laptop.read(ARTICLE));
    laptop.write(ARTICLE, &edited);
    laptop.git(&["commit", "-q", "-m", "A tip, not submitted yet", ARTICLE]);
    let said = refused(&team, &laptop);
    assert!(said.contains(ARTICLE), "the file is named:\n{said}");
    assert!(said.contains("git pull"), "how to proceed:\n{said}");
}

/// Regression (issue 22): a local submission of an article.md the remote also
/// changed is set aside (its commit could only carry the remote's text, so its entry
/// would name a revision no commit holds); the writer is told how to submit again.
#[test]
fn a_local_submission_of_a_text_the_remote_changed_is_set_aside() {
    let team = Team::new();
    let url = team.remote().to_str().expect("utf-8").to_owned();
    let mut desk = team.clone_from(&url, SUZANNE, "suzanne-desk");
    let mut laptop = team.clone_from(&url, SUZANNE, "suzanne-laptop");
    desk.set_now(T0900);
    desk.submit_edit(R2_LINE, "Adds a question.");
    desk.push();
    laptop.set_now(T0930);
    laptop.submit_edit("Bring a list of your medicines.", "Adds a tip.");
    let run = laptop.run(&["sync"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("Not pushed: submitted"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("git show"), "{}", run.stderr);
    assert!(run.stderr.contains("medreview submit"), "{}", run.stderr);
    assert_eq!(laptop.head(), team.remote_head());
    laptop.check_clean();
}

/// Uncommitted edits (a tracked file and an untracked one) survive a fast-forward
/// that does not touch them.
#[test]
fn uncommitted_edits_survive_a_fast_forward() {
    let (team, _, mut ana, mut david) = team(1);
    david.set_now(T0900);
    david.ok(&["approve", SLUG, "-m", "Accurate."]);
    david.push();

    ana.set_now(T1000);
    let edited = format!("{}An edit not yet submitted.\n", ana.read(ARTICLE));
    ana.write(ARTICLE, &edited);
    ana.write("notes/ana.txt", "Ask about point 2.\n");
    let doc = sync_ok(&ana);
    assert_eq!(doc["integration"], "fast-forward", "{doc:#}");
    assert_eq!(doc["fetched"], 1, "{doc:#}");
    assert_eq!(ana.head(), team.remote_head());
    assert_eq!(ana.read(ARTICLE), edited, "the tracked edit is kept");
    assert_eq!(ana.read("notes/ana.txt"), "Ask about point 2.\n");
    assert_eq!(state(&ana).0, "approved");
}

/// Regression: an incoming change to a file with local edits must refuse before
/// changing anything (no half-applied fast-forward, the edit intact).
#[test]
fn an_incoming_change_to_a_locally_edited_file_refuses() {
    let (team, mut suzanne, ana, _) = team(1);
    suzanne.set_now(T0900);
    suzanne.submit_edit(R2_LINE, "Adds a question.");
    suzanne.push();
    let edited = format!("{}An edit of ana's own.\n", ana.read(ARTICLE));
    ana.write(ARTICLE, &edited);
    let said = refused(&team, &ana);
    assert!(said.contains(ARTICLE), "the file is named:\n{said}");
    assert_eq!(ana.read(ARTICLE), edited);
}

/// An incoming file at a path where the clone has an untracked file of its own:
/// refused before changing anything, the local file intact.
#[test]
fn an_incoming_file_over_an_untracked_local_file_refuses() {
    let (team, suzanne, ana, _) = team(1);
    suzanne.write("notes/plan.txt", "The writer's plan.\n");
    suzanne.git(&["add", "notes/plan.txt"]);
    suzanne.git(&["commit", "-q", "-m", "A plan"]);
    suzanne.push();
    ana.write("notes/plan.txt", "Ana's own plan.\n");
    refused(&team, &ana);
    assert_eq!(ana.read("notes/plan.txt"), "Ana's own plan.\n");
}

/// A local commit touching other files than the remote's replays; the clone's
/// uncommitted edit of a file neither side committed survives the replay.
#[test]
fn a_replay_keeps_uncommitted_edits() {
    let (team, _, mut ana, mut david) = team(1);
    david.set_now(T0900);
    david.ok(&["approve", SLUG, "-m", "Accurate."]);
    david.push();
    ana.set_now(T1000);
    ana.ok(&["approve", SLUG, "-m", "Agree."]);
    let edited = format!("{}Not yet submitted.\n", ana.read(ARTICLE));
    ana.write(ARTICLE, &edited);
    let doc = sync_ok(&ana);
    assert_eq!(doc["integration"], "replayed", "{doc:#}");
    assert_eq!(team.remote_head(), ana.head());
    assert_eq!(ana.read(ARTICLE), edited);
}

/// Regression: the publication tag stayed local unless pushed with
/// `--follow-tags`; sync pushes `published/*` tags.
#[test]
fn publication_tags_are_pushed_by_sync() {
    let (team, mut suzanne, mut ana, _) = team(1);
    suzanne.ok(&[
        "writer", "add", ROSA.id, "--name", ROSA.name, "--email", ROSA.email,
    ]);
    suzanne.commit_config(
        &|text| text.replace("publishers: []", "publishers:\n- rosa-editor"),
        "Rosa publishes",
    );
    suzanne.set_now(T0900);
    sync_ok(&suzanne);
    ana.set_now(T0930);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    sync_ok(&ana);

    let mut rosa = team.clone_from(team.remote().to_str().expect("utf-8"), ROSA, ROSA.id);
    rosa.set_now(T1100);
    let out = team.base().join("site");
    rosa.ok(&[
        "publish",
        "--out",
        out.to_str().expect("utf-8"),
        "--as",
        ROSA.id,
    ]);
    let tags = rosa.git(&["tag", "--list", "published/*"]);
    let tag = tags.trim();
    assert!(tag.starts_with("published/"), "{tags}");
    rosa.check_clean();
    let checkpoint = rosa.rev("refs/medreview/checked");
    let head = team.remote_head();
    sync_ok(&rosa);
    assert_eq!(team.remote_head(), head, "the branch did not move");
    let remote_tags = team.git_remote(&["tag", "--list", "published/*"]);
    assert_eq!(String::from_utf8_lossy(&remote_tags.stdout).trim(), tag);
    let local = rosa.rev(&format!("refs/tags/{tag}"));
    let remote = team.git_remote(&["rev-parse", &format!("refs/tags/{tag}")]);
    assert_eq!(
        local.as_deref(),
        Some(String::from_utf8_lossy(&remote.stdout).trim()),
        "the annotated tag itself was pushed"
    );
    // The checkpoint is never pushed: a server's is the gate's alone (issue 22).
    let _ = checkpoint;
    let pushed = team.git_remote(&["for-each-ref", "refs/medreview/"]);
    assert_eq!(String::from_utf8_lossy(&pushed.stdout).trim(), "");
}

/// No remote configured: exit 1 with a hint naming `git remote add origin`.
#[test]
fn sync_without_a_remote_says_how_to_add_one() {
    let team = Team::new();
    let ana = team.clone_for(ANA);
    ana.git(&["remote", "remove", "origin"]);
    let before = ana.snapshot();
    let run = ana.run(&["sync"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("git remote add origin"),
        "{}",
        run.stderr
    );
    assert_eq!(ana.snapshot(), before);
}

/// git config `medreview.remote` (per clone) overrides `sync.remote` in
/// medreview.yaml, and the JSON names the remote used.
#[test]
fn git_config_medreview_remote_overrides_sync_remote() {
    let team = Team::new();
    let suzanne = team.clone_for(SUZANNE);
    suzanne.commit_config(
        &|text| format!("{text}sync:\n  remote: nowhere\n"),
        "Sync with a remote named nowhere",
    );
    suzanne.push();
    let mut david = team.clone_for(DAVID);
    david.git(&["remote", "rename", "origin", "upstream"]);
    david.git(&["config", "medreview.remote", "upstream"]);
    david.set_now(T0900);
    david.ok(&["approve", SLUG, "-m", "Accurate."]);
    let (run, doc) = sync(&david);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(doc["remote"], "upstream", "{doc:#}");
    assert_eq!(doc["pushed"], true, "{doc:#}");
    assert_eq!(team.remote_head(), david.head());
}

/// A remote that cannot be reached: sync fails (exit 1) and changes nothing.
#[test]
fn sync_with_an_unreachable_remote_changes_nothing() {
    let team = Team::new();
    let mut ana = team.clone_for(ANA);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let dead = format!(
        "git://127.0.0.1:{}/remote.git",
        crate::common::team::free_port()
    );
    ana.git(&["remote", "set-url", "origin", &dead]);
    let said = stopped(&team, &ana, 3);
    assert!(said.ends_with("Code: git-command-failed\n"), "{said}");
}

/// A push the server's hook refuses: sync exits 1, shows the hook's messages, and
/// sets the refused sign-off aside (kept under refs/medreview/dropped/), so it does
/// not push the same commit again and the doctor can record again at once.
#[test]
fn a_push_refused_by_the_server_hook_shows_its_messages() {
    let team = Team::new();
    let hook = team.remote().join("hooks/pre-receive");
    fs::write(
        &hook,
        "#!/bin/sh\necho 'medreview: refused refs/heads/main: [server-time] the entry is dated 3 days before the server clock' >&2\nexit 1\n",
    )
    .expect("write the hook");
    let mut perms = fs::metadata(&hook).expect("hook").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    fs::set_permissions(&hook, perms).expect("chmod the hook");
    let mut ana = team.clone_for(ANA);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let approval = ana.head();
    let run = ana.run(&["sync"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("[server-time]") && run.stderr.contains("clock is off"),
        "the hook's message is shown:\n{}",
        run.stderr
    );
    assert_eq!(ana.head(), team.remote_head(), "set aside");
    assert_eq!(state(&ana), ("in-review".to_owned(), None));
    let kept = ana.git(&[
        "for-each-ref",
        "--format=%(objectname)",
        "refs/medreview/dropped/",
    ]);
    assert_eq!(kept.trim(), approval, "the approval is kept");
}

/// `publish --as` (which also records a tag) is refused behind the remote too, and
/// records no tag.
#[test]
fn publish_as_behind_the_remote_is_refused_and_tags_nothing() {
    let (team, suzanne, mut ana, _) = team(1);
    suzanne.ok(&[
        "writer", "add", ROSA.id, "--name", ROSA.name, "--email", ROSA.email,
    ]);
    suzanne.commit_config(
        &|text| text.replace("publishers: []", "publishers:\n- rosa-editor"),
        "Rosa publishes",
    );
    suzanne.push();
    ana.pull_merge();
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate.", "--sync"]);
    let mut rosa = team.clone_from(team.remote().to_str().expect("utf-8"), ROSA, ROSA.id);
    ana.set_now(T1000);
    ana.ok(&["withdraw", SLUG, "-m", "Outdated.", "--sync"]);
    rosa.git(&["fetch", "-q"]);
    rosa.set_now(T1100);
    let out = team.base().join("site");
    let run = rosa.run(&[
        "publish",
        "--out",
        out.to_str().expect("utf-8"),
        "--as",
        ROSA.id,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--offline"), "{}", run.stderr);
    assert_eq!(rosa.git(&["tag", "--list"]), "", "no tag recorded");
    assert!(!out.exists());
}
