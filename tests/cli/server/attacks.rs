//! Ways around the gate someone who knows git might try: dropping a withdrawal in an
//! ordinary (fast-forward) commit, changing the roster or the policy by hand,
//! smuggling a forgery in through a merge, creating main on an empty server, a
//! backdated roster change, a broken server setting, and entries recorded by one
//! person for another pushed by a third.

use std::fs;

use medreview_core::record::entry::Action;

use super::fixture::{ANA, SUZANNE, Team};
use super::http::GitDaemon;
use super::{
    EVE, PUSH_MAIN, SERVER_NOW, T0900, T0903, accepted, audited_bundle, clone_over, entries, forge,
    gated, gated_http, password, push, refused, remote_refs,
};
use crate::common::{SIGNOFFS, SLUG};

/// Guards the append-only rule without a force-push: a new commit on top of main
/// that deletes the withdrawal file is refused with `entry-removed`.
#[test]
fn a_commit_that_removes_a_withdrawal_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let mut ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.set_now(T0903);
    ana.ok(&["withdraw", SLUG, "-m", "New guidance."]);
    accepted(&ana, PUSH_MAIN);
    let suzanne = clone_over(&team, &daemon, SUZANNE, SERVER_NOW);
    let (id, withdrawal) = entries(&suzanne).pop().expect("the withdrawal");
    assert_eq!(withdrawal.action, Action::Withdrawn);
    suzanne.git(&["rm", "-q", &format!("{SIGNOFFS}/{}", id.file_name())]);
    suzanne.git(&["commit", "-q", "-m", "tidy up"]);
    refused(
        &team,
        &suzanne,
        PUSH_MAIN,
        "refs/heads/main",
        "entry-removed",
    );
}

/// Guards the roster record on the server: a writer who extends a doctor's license
/// or makes herself an admin with plain git (no admin's roster entry) is refused.
#[test]
fn roster_and_policy_changes_without_a_roster_entry_are_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let suzanne = clone_over(&team, &daemon, SUZANNE, SERVER_NOW);
    let edits = [
        ("reviewers/ana-example.yaml", "2027-06-30", "2031-06-30"),
        (
            "medreview.yaml",
            "admins: [eve-editor]",
            "admins: [eve-editor, suzanne-example]",
        ),
    ];
    for (file, from, to) in edits {
        let text = suzanne.read(file);
        assert!(text.contains(from), "{file}:\n{text}");
        suzanne.write(file, &text.replace(from, to));
        suzanne.git(&["commit", "-q", "-m", "small fix", file]);
        refused(
            &team,
            &suzanne,
            PUSH_MAIN,
            "refs/heads/main",
            "roster-unrecorded",
        );
        suzanne.git(&["reset", "-q", "--hard", "origin/main"]);
    }
}

/// Guards merges: a forged approval on a side branch brought into main by a merge
/// commit, and one added by the merge commit itself (an "evil merge"), are both
/// checked and refused.
#[test]
fn a_forgery_brought_in_by_a_merge_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let suzanne = clone_over(&team, &daemon, SUZANNE, T0900);
    suzanne.git(&["switch", "-q", "-c", "side"]);
    forge(&suzanne, Action::Approved, ANA.id, T0900, "Accurate.");
    suzanne.git(&["switch", "-q", "main"]);
    suzanne.submit_edit("A line for r2.", "Second draft.");
    suzanne.git(&["merge", "-q", "--no-edit", "side"]);
    assert_eq!(suzanne.head_parents(), 2);
    refused(
        &team,
        &suzanne,
        PUSH_MAIN,
        "refs/heads/main",
        "committer-mismatch",
    );

    // The evil merge: both parents are honest, the merge commit adds the forgery.
    suzanne.git(&["reset", "-q", "--hard", "origin/main"]);
    suzanne.git(&["switch", "-q", "-C", "side", "origin/main"]);
    suzanne.write("articles/side-note.md", "A note on a side branch.\n");
    suzanne.git(&["add", "articles/side-note.md"]);
    suzanne.git(&["commit", "-q", "-m", "a side note"]);
    suzanne.git(&["switch", "-q", "main"]);
    suzanne.submit_edit("A line for r2.", "Second draft.");
    // Make the forgery in a throwaway commit, then put its file in the merge.
    let rel = forge(&suzanne, Action::Approved, ANA.id, T0900, "Accurate.");
    let bytes = suzanne.read(&rel);
    suzanne.git(&["reset", "-q", "--hard", "HEAD~1"]);
    suzanne.git(&["merge", "-q", "--no-commit", "side"]);
    suzanne.write(&rel, &bytes);
    suzanne.git(&["add", &rel]);
    suzanne.git(&["commit", "-q", "--no-edit"]);
    assert_eq!(suzanne.head_parents(), 2);
    refused(
        &team,
        &suzanne,
        PUSH_MAIN,
        "refs/heads/main",
        "committer-mismatch",
    );
}

/// Guards the push that creates main on a new, empty gated server: it brings the
/// whole record, so check's rules apply to all of it; a forgery anywhere in it is
/// refused, the honest record is accepted.
#[test]
fn creating_main_on_an_empty_gated_server_checks_the_whole_record() {
    let team = Team::from_bundle(audited_bundle());
    team.git_remote(&["init", "-q", "--bare", "-b", "main", "../empty.git"]);
    let empty = team.base().join("empty.git");
    let run = super::medreview(
        team.base(),
        &[
            "hook",
            "install",
            "--server",
            empty.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let Some(daemon) = GitDaemon::start(team.base(), &[("MEDREVIEW_NOW", SERVER_NOW)]) else {
        return;
    };
    let suzanne = clone_over(&team, &daemon, SUZANNE, T0900);
    let url = daemon.url("empty.git");
    forge(&suzanne, Action::Approved, ANA.id, T0900, "Accurate.");
    let (ok, said) = push(&suzanne, &["push", &url, "HEAD:refs/heads/main"]);
    assert!(!ok, "the forged record was accepted:\n{said}");
    assert!(said.contains("[committer-mismatch]"), "{said}");
    let refs = fs::read_dir(empty.join("refs/heads"))
        .expect("refs/heads")
        .count();
    assert_eq!(refs, 0, "a refused push created a branch");
    accepted(&suzanne, &["push", &url, "HEAD~1:refs/heads/main"]);
}

/// Guards the server clock for roster entries too: an admin's change dated six
/// hours before the server's clock is refused with `server-time`.
#[test]
fn a_backdated_roster_change_is_refused_by_the_servers_clock() {
    let Some((team, daemon)) = gated("2025-03-04T15:00:00-05:00", &[]) else {
        return;
    };
    let eve = clone_over(&team, &daemon, EVE, T0900);
    eve.ok(&[
        "writer",
        "add",
        "rosa-writer",
        "--name",
        "Rosa Writer",
        "--email",
        "rosa@example.org",
    ]);
    refused(&team, &eve, PUSH_MAIN, "refs/heads/main", "server-time");
}

/// Guards failing closed: a server setting the hook cannot read refuses every push
/// to main rather than letting it through unchecked.
#[test]
fn an_unreadable_clock_tolerance_refuses_the_push() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    team.git_remote(&["config", "medreview.clockTolerance", "half an hour"]);
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let before = remote_refs(&team);
    let (ok, said) = push(&ana, PUSH_MAIN);
    assert!(!ok, "accepted with a broken setting:\n{said}");
    assert!(said.contains("medreview.clockTolerance"), "{said}");
    assert_eq!(remote_refs(&team), before);
}

/// Guards `recorded_by` over HTTP: the editor records ana's emailed approval for her
/// (a proxy entry); the editor may push it, ana herself may not (the contract: the
/// pusher must be `recorded_by`, else `by`).
#[test]
fn over_http_a_proxy_entry_must_be_pushed_by_who_recorded_it() {
    let Some((team, server)) = gated_http() else {
        return;
    };
    let url = server.url(EVE.id, password(EVE.id), "remote.git");
    let mut eve = team.clone_from(&url, EVE, "eve-http");
    eve.set_now(T0900);
    eve.ok(&[
        "approve",
        SLUG,
        "--as",
        ANA.id,
        "-m",
        "Ana approved by email.",
    ]);
    let (_, entry) = entries(&eve).pop().expect("the approval");
    assert_eq!(entry.recorded_by.as_ref().map(|i| i.as_str()), Some(EVE.id));
    let as_ana = server.url(ANA.id, password(ANA.id), "remote.git");
    refused(
        &team,
        &eve,
        &["push", &as_ana, "HEAD:main"],
        "refs/heads/main",
        "pusher-mismatch",
    );
    accepted(&eve, PUSH_MAIN);
}

/// Guards the pusher check for roster entries: an admin's roster change pushed with
/// a doctor's credentials is refused.
#[test]
fn over_http_a_roster_change_pushed_by_someone_else_is_refused() {
    let Some((team, server)) = gated_http() else {
        return;
    };
    let url = server.url(EVE.id, password(EVE.id), "remote.git");
    let mut eve = team.clone_from(&url, EVE, "eve-http");
    eve.set_now(T0900);
    eve.ok(&[
        "writer",
        "add",
        "rosa-writer",
        "--name",
        "Rosa Writer",
        "--email",
        "rosa@example.org",
    ]);
    let as_ana = server.url(ANA.id, password(ANA.id), "remote.git");
    refused(
        &team,
        &eve,
        &["push", &as_ana, "HEAD:main"],
        "refs/heads/main",
        "pusher-mismatch",
    );
    accepted(&eve, PUSH_MAIN);
}

/// Guards the default main branch on a server made the way git makes one: `git init
/// --bare` names `master` in HEAD (no init.defaultBranch), the team pushes `main`.
/// The gate must not then leave the record's branch unchecked: a forged approval
/// pushed to the new `main` is refused.
#[test]
fn a_server_whose_head_names_another_branch_still_gates_the_record() {
    let team = Team::from_bundle(audited_bundle());
    team.git_remote(&["init", "-q", "--bare", "../plain.git"]);
    let plain = team.base().join("plain.git");
    let head = fs::read_to_string(plain.join("HEAD")).expect("HEAD");
    assert_eq!(head.trim(), "ref: refs/heads/master", "git's default");
    let run = super::medreview(
        team.base(),
        &[
            "hook",
            "install",
            "--server",
            plain.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let Some(daemon) = GitDaemon::start(team.base(), &[("MEDREVIEW_NOW", SERVER_NOW)]) else {
        return;
    };
    let suzanne = clone_over(&team, &daemon, SUZANNE, T0900);
    forge(&suzanne, Action::Approved, ANA.id, T0900, "Accurate.");
    let (ok, said) = push(
        &suzanne,
        &["push", &daemon.url("plain.git"), "HEAD:refs/heads/main"],
    );
    assert!(
        !ok && said.contains("medreview: refused"),
        "a forged record reached main unchecked (HEAD names master):\n{said}"
    );
}

/// Guards the proxy rule on the server: a writer who is not allowed to record for
/// anyone (`proxies: [admins]`, she is no admin) writes an approval "by ana-example,
/// recorded by suzanne-example" and commits it as herself. Committer and pusher
/// both match `recorded_by`, so only the proxy policy can stop it.
#[test]
fn a_proxy_entry_recorded_by_someone_the_policy_does_not_allow_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let suzanne = clone_over(&team, &daemon, SUZANNE, T0900);
    super::forge_for(
        &suzanne,
        Action::Approved,
        ANA.id,
        Some(SUZANNE.id),
        T0900,
        "Ana said yes on the phone.",
    );
    // What the clone itself makes of it (check and status read the same rules).
    let codes = suzanne.check_codes();
    let state = suzanne.status()["state"].clone();
    let before = remote_refs(&team);
    let (ok, said) = push(&suzanne, PUSH_MAIN);
    assert!(
        !ok && said.contains("medreview: refused refs/heads/main"),
        "a proxy approval by someone the policy does not allow was accepted:\n{said}\n\
         (locally: check codes {codes:?}, state {state})"
    );
    assert_eq!(remote_refs(&team), before);
    assert!(!codes.is_empty(), "check finds nothing wrong");
    assert_ne!(state, "approved");
}

/// Guards the pusher check against the same forgery over HTTP: pushed with the
/// writer's own credentials (pusher = `recorded_by`), it is still refused.
#[test]
fn over_http_a_self_declared_proxy_entry_is_refused() {
    let Some((team, server)) = gated_http() else {
        return;
    };
    let url = server.url(SUZANNE.id, password(SUZANNE.id), "remote.git");
    let mut suzanne = team.clone_from(&url, SUZANNE, "suzanne-http");
    suzanne.set_now(T0900);
    super::forge_for(
        &suzanne,
        Action::Approved,
        ANA.id,
        Some(SUZANNE.id),
        T0900,
        "Ana said yes on the phone.",
    );
    let before = remote_refs(&team);
    let (ok, said) = push(&suzanne, PUSH_MAIN);
    assert!(
        !ok && said.contains("medreview: refused refs/heads/main"),
        "accepted:\n{said}"
    );
    assert_eq!(remote_refs(&team), before);
}

/// Guards entry files that are not files: a symbolic link (to a file outside the
/// repository) and a submodule link named like sign-offs are refused, not followed.
#[test]
fn a_sign_off_that_is_a_symlink_or_a_submodule_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let (id, _) = entries(&ana).pop().expect("the approval");
    let real = format!("{SIGNOFFS}/{}", id.file_name());
    let stem = id.file_name().replace("-approved-", "-withdrawn-");
    let link = format!("{SIGNOFFS}/{stem}");
    let head = ana.git(&["rev-parse", "HEAD"]);
    // A symlink's blob is its target path; a submodule link names a commit.
    let objects = [
        ("120000", symlink_blob(&ana, "/etc/passwd")),
        ("160000", head.trim().to_owned()),
    ];
    for (mode, object) in objects {
        ana.git(&[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("{mode},{object},{link}"),
        ]);
        ana.git(&["commit", "-q", "-m", "withdraw her2-treatment"]);
        let before = remote_refs(&team);
        let (ok, said) = push(&ana, PUSH_MAIN);
        assert!(
            !ok && said.contains("medreview: refused refs/heads/main"),
            "a {mode} entry was accepted:\n{said}"
        );
        assert_eq!(remote_refs(&team), before);
        ana.git(&["reset", "-q", "--hard", "HEAD~1"]);
        assert!(ana.read(&real).contains("Accurate."));
    }
}

/// Writes a blob holding `target` (what git stores for a symlink) and returns its id.
fn symlink_blob(member: &super::Member, target: &str) -> String {
    let dir = member.git(&["rev-parse", "--show-toplevel"]);
    let scratch = std::path::Path::new(dir.trim()).join(".git/link-target");
    fs::write(&scratch, target).expect("write the link target");
    let id = member.git(&["hash-object", "-w", scratch.to_str().expect("utf-8")]);
    fs::remove_file(&scratch).expect("remove scratch");
    id.trim().to_owned()
}

/// Guards publication tags (issue 23): only an annotated tag, on a commit of main,
/// pushed by a publisher (or, where the server names no pusher, signed by one: see
/// `authenticated.rs`) is accepted.
#[test]
fn a_publication_tag_from_a_non_publisher_or_off_main_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    // Lightweight: no tagger, nothing says who published.
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
    // Annotated by a doctor, who is not a publisher.
    ana.git(&[
        "tag",
        "-a",
        "-m",
        "Published.",
        "published/20250304T151000Z",
    ]);
    let said = refused(
        &team,
        &ana,
        &["push", "origin", "refs/tags/published/20250304T151000Z"],
        "refs/tags/published/20250304T151000Z",
        "tag-publisher",
    );
    assert!(said.contains("publishers"), "{said}");
    // On a commit main does not hold.
    ana.git(&["commit", "-q", "--allow-empty", "-m", "not on main"]);
    ana.git(&[
        "tag",
        "-a",
        "-m",
        "Published.",
        "published/20250304T152000Z",
    ]);
    refused(
        &team,
        &ana,
        &["push", "origin", "refs/tags/published/20250304T152000Z"],
        "refs/tags/published/20250304T152000Z",
        "tag-off-branch",
    );
}

/// Guards against replace refs (issue 23): `git replace` makes git read another
/// commit in place of one of the record's, so no `refs/replace/*` push is accepted.
#[test]
fn a_replace_ref_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    let head = ana.head();
    ana.git(&["commit", "-q", "--allow-empty", "-m", "a stand-in"]);
    let stand_in = ana.head();
    ana.git(&["replace", &head, &stand_in]);
    let refname = format!("refs/replace/{head}");
    refused(
        &team,
        &ana,
        &["push", "origin", &refname],
        &refname,
        "replace-ref",
    );
}

/// Guards git attributes (issue 23): they decide how the record's files are read and
/// written, so a push that changes a `.gitattributes` inside the workspace is
/// refused unless it is what `medreview init` writes.
#[test]
fn a_push_that_changes_git_attributes_is_refused() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let suzanne = clone_over(&team, &daemon, SUZANNE, T0900);
    fs::write(
        suzanne.dir().join("articles/.gitattributes"),
        "*/signoffs/*.yaml text eol=crlf\n",
    )
    .expect("write");
    suzanne.git(&["add", "articles/.gitattributes"]);
    suzanne.git(&["commit", "-q", "-m", "line endings"]);
    let said = refused(
        &team,
        &suzanne,
        PUSH_MAIN,
        "refs/heads/main",
        "record-attributes",
    );
    assert!(said.contains("articles/.gitattributes"), "{said}");
    suzanne.git(&["reset", "-q", "--hard", "HEAD~1"]);
    let attributes = suzanne.dir().join(".gitattributes");
    let mut text = fs::read_to_string(&attributes).expect("read");
    text.push_str("articles/*/signoffs/*.yaml filter=tidy\n");
    fs::write(&attributes, text).expect("write");
    suzanne.git(&["commit", "-q", "-am", "a filter"]);
    refused(
        &team,
        &suzanne,
        PUSH_MAIN,
        "refs/heads/main",
        "record-attributes",
    );
}
