//! The gate behind a server that authenticates the pusher (issue 23): gitolite over
//! a private sshd, where the pusher is the gitolite user whose key opened the
//! connection (`GL_USER`, named by `medreview.pusherVariable`, set from
//! gitolite.conf). Git's own identity is whatever the pusher's git says; only the
//! key is proof, so an entry or a publication tag in someone else's name is
//! refused. (Over `git http-backend` with basic auth, the same refusals are in
//! `server.rs` and `attacks.rs`: `over_http_*`.) And where the server names no
//! pusher at all (`git daemon`), a publication tag counts only when a publisher's
//! roster key signed it.

use std::fs;
use std::sync::OnceLock;

use super::fixture::{ANA, DAVID, Member, Person, Team};
use super::http::GitDaemon;
use super::ssh::Gitolite;
use super::{
    EVE, PUSH_MAIN, SERVER_NOW, T0900, accepted, audited_bundle, clone_over, entries, install,
    push, refused, remote_main, remote_refs,
};
use crate::common::{SLUG, fixture, public_key};

/// When eve-editor set up publishing: after the audited fixture, before the sign-offs.
const SETUP: &str = "2025-03-03T12:00:00-05:00";

/// The gitolite users, named as on the roster (gitolite's user is the pusher).
const USERS: [&str; 3] = [ANA.id, DAVID.id, EVE.id];

/// The audited remote, plus what publishing and signing need: eve-editor (the
/// admin) is a publisher with her key on the roster, and ana-example's key is on
/// the roster. Built once, as the bytes of a git bundle.
fn publishing_bundle() -> &'static [u8] {
    static BUNDLE: OnceLock<Vec<u8>> = OnceLock::new();
    BUNDLE.get_or_init(|| {
        let team = Team::from_bundle(audited_bundle());
        let mut eve = team.clone_for(EVE);
        eve.set_now(SETUP);
        let eve_key = public_key("eve_ed25519");
        let ana_key = public_key("ana_ed25519");
        eve.ok(&["writer", "edit", EVE.id, "--public-key", &eve_key]);
        eve.ok(&["reviewer", "edit", ANA.id, "--public-key", &ana_key]);
        let key = fixture("eve_ed25519");
        eve.ok(&[
            "publisher",
            "add",
            EVE.id,
            "--key",
            key.to_str().expect("utf-8"),
        ]);
        eve.check_clean();
        eve.git(&["push", "-q", "origin", "HEAD:main"]);
        let file = team.base().join("publishing.bundle");
        let file_arg = file.to_str().expect("utf-8 path");
        team.git_remote(&["bundle", "create", "-q", file_arg, "--all"]);
        fs::read(&file).expect("read the bundle")
    })
}

/// The publishing remote, gated (the hook installed), served by gitolite to
/// `USERS`; gitolite.conf sets `medreview.pusherVariable = GL_USER`. `None` when
/// gitolite or sshd is missing (skipped).
fn gitolite_gated() -> Option<(Team, Gitolite)> {
    let team = Team::from_bundle(publishing_bundle());
    install(&team);
    let server = Gitolite::start(
        team.base(),
        "remote",
        &USERS,
        &["config medreview.pusherVariable = GL_USER"],
        &[("MEDREVIEW_NOW", SERVER_NOW)],
    )?;
    let set = team.git_remote(&["config", "medreview.pusherVariable"]);
    assert_eq!(String::from_utf8_lossy(&set.stdout).trim(), "GL_USER");
    Some((team, server))
}

/// A clone whose git identity is `person`'s, reaching gitolite with the key of
/// gitolite user `key`, with the clock at `now`.
fn clone_through(
    team: &Team,
    server: &Gitolite,
    person: Person,
    key: &str,
    folder: &str,
    now: &str,
) -> Member {
    let remote = team.remote();
    let mut member = team.clone_from(remote.to_str().expect("utf-8"), person, folder);
    member.git(&["config", "core.sshCommand", &server.ssh_command(key)]);
    member.git(&["remote", "set-url", "origin", &server.url("remote")]);
    // Reading through gitolite works before anything is pushed.
    member.git(&["fetch", "-q", "origin"]);
    member.set_now(now);
    member
}

/// An annotated tag `published/<stamp>` on HEAD, made with `config` (`-c` pairs);
/// returns its ref.
fn tag(member: &Member, config: &[&str], stamp: &str, sign: bool) -> String {
    let name = format!("published/{stamp}");
    let mut args: Vec<&str> = config.iter().flat_map(|c| ["-c", *c]).collect();
    args.extend([
        "tag",
        if sign { "-s" } else { "-a" },
        "-m",
        "Published.",
        &name,
    ]);
    member.git(&args);
    format!("refs/tags/{name}")
}

/// The `-c` settings that make git sign a tag with SSH key `key` (a fixture).
fn ssh_signing(key: &str) -> [String; 2] {
    let path = fixture(key);
    [
        "gpg.format=ssh".to_owned(),
        format!("user.signingKey={}", path.display()),
    ]
}

/// Guards the accepted path through gitolite: ana, with her own key, pushes her own
/// approval signed with her roster key; main moves to her commit and the gate's
/// post-receive hook moves the checkpoint with it.
#[test]
fn through_gitolite_a_doctor_pushing_her_own_signed_approval_is_accepted() {
    let Some((team, server)) = gitolite_gated() else {
        return;
    };
    let ana = clone_through(&team, &server, ANA, ANA.id, "ana", T0900);
    let key = fixture("ana_ed25519");
    ana.ok(&[
        "approve",
        SLUG,
        "-m",
        "Accurate.",
        "--key",
        key.to_str().expect("utf-8"),
    ]);
    let (_, approval) = entries(&ana).pop().expect("the approval");
    assert!(approval.signature.is_some(), "the approval is not signed");
    let (ok, said) = push(&ana, PUSH_MAIN);
    assert!(ok, "refused:\n{said}");
    assert!(said.contains("medreview: 1 commit verified"), "{said}");
    assert_eq!(remote_main(&team), ana.head());
    let checked = team.git_remote(&["rev-parse", "refs/medreview/checked"]);
    assert_eq!(String::from_utf8_lossy(&checked.stdout).trim(), ana.head());
}

/// Guards the pusher check through gitolite (issue 23 item 8): david-okafor, who
/// may push, sets his git identity to ana's and records an approval in her name
/// (committer and signer agree, so only the pusher gives it away). Pushed with his
/// key it is refused with `pusher-mismatch` and the server's main does not move;
/// the very same commit pushed with ana's key is accepted.
#[test]
fn through_gitolite_an_approval_in_another_doctors_name_is_refused() {
    let Some((team, server)) = gitolite_gated() else {
        return;
    };
    let main = remote_main(&team);
    let forger = clone_through(&team, &server, ANA, DAVID.id, "david-as-ana", T0900);
    forger.ok(&["approve", SLUG, "-m", "Accurate."]);
    let (_, approval) = entries(&forger).pop().expect("the approval");
    assert_eq!(approval.by.as_str(), ANA.id);
    let said = refused(
        &team,
        &forger,
        PUSH_MAIN,
        "refs/heads/main",
        "pusher-mismatch",
    );
    assert!(
        said.contains(&format!(
            "the entry is by {}, but {} pushed it",
            ANA.id, DAVID.id
        )),
        "{said}"
    );
    assert_eq!(remote_main(&team), main, "the server's main moved");
    forger.git(&["config", "core.sshCommand", &server.ssh_command(ANA.id)]);
    accepted(&forger, PUSH_MAIN);
    assert_eq!(remote_main(&team), forger.head());
}

/// Guards publication tags through gitolite: a doctor's annotated tag whose tagger
/// she set to the publisher's name and email, pushed with her own key, is refused
/// (`tag-publisher`, naming her); the publisher's own tag, pushed with her key, is
/// accepted.
#[test]
fn through_gitolite_a_publication_tag_pushed_by_a_non_publisher_is_refused() {
    let Some((team, server)) = gitolite_gated() else {
        return;
    };
    let ana = clone_through(&team, &server, ANA, ANA.id, "ana", T0900);
    let as_eve = ["user.name=Eve Editor", "user.email=runner@example.org"];
    let forged = tag(&ana, &as_eve, "20250304T140500Z", false);
    let said = refused(
        &team,
        &ana,
        &["push", "origin", &forged],
        &forged,
        "tag-publisher",
    );
    assert!(
        said.contains(&format!("{} pushed it", ANA.id)),
        "the message names the pusher: {said}"
    );
    let eve = clone_through(&team, &server, EVE, EVE.id, "eve", T0900);
    let own = tag(&eve, &[], "20250304T140600Z", false);
    accepted(&eve, &["push", "origin", &own]);
    let remote = team.git_remote(&["rev-parse", &own]);
    assert_eq!(
        String::from_utf8_lossy(&remote.stdout).trim(),
        eve.git(&["rev-parse", &own]).trim()
    );
}

/// Regression (issue 23, gate leftover): on a server that names no pusher (`git
/// daemon`), the gate took the tag's tagger email as the publisher, and anyone can
/// set that. Now an unsigned tag in the publisher's name is refused with a message
/// naming `medreview.pusherVariable`; so is a tag signed by a non-publisher's roster
/// key, and a publisher's signed tag whose message was altered; the publisher's
/// tag signed with her roster key (`git tag -s`, `gpg.format=ssh`) is accepted.
#[test]
fn without_a_pusher_a_publication_tag_needs_a_publishers_signature() {
    if crate::common::ssh_keygen().is_none() {
        return;
    }
    let team = Team::from_bundle(publishing_bundle());
    install(&team);
    let Some(daemon) = GitDaemon::start(team.base(), &[("MEDREVIEW_NOW", SERVER_NOW)]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    let as_eve = ["user.name=Eve Editor", "user.email=runner@example.org"];
    let forged = tag(&ana, &as_eve, "20250304T140500Z", false);
    let said = refused(
        &team,
        &ana,
        &["push", "origin", &forged],
        &forged,
        "tag-publisher",
    );
    assert!(said.contains("medreview.pusherVariable"), "{said}");
    assert!(said.contains("not signed"), "{said}");

    let [format, key] = ssh_signing("ana_ed25519");
    let by_ana = tag(
        &ana,
        &[format.as_str(), key.as_str()],
        "20250304T140600Z",
        true,
    );
    let said = refused(
        &team,
        &ana,
        &["push", "origin", &by_ana],
        &by_ana,
        "tag-publisher",
    );
    assert!(said.contains("no publisher's roster key"), "{said}");

    let eve = clone_over(&team, &daemon, EVE, T0900);
    let [format, key] = ssh_signing("eve_ed25519");
    let signed = tag(
        &eve,
        &[format.as_str(), key.as_str()],
        "20250304T140700Z",
        true,
    );
    // The same signature on an altered message: a tag object made by hand.
    let object = eve.git(&["cat-file", "tag", &signed]);
    assert!(object.contains("-----BEGIN SSH SIGNATURE-----"), "{object}");
    let altered_text = object.replace("Published.", "Published, all of it.");
    let scratch = eve.dir().join(".git/altered-tag");
    fs::write(&scratch, altered_text).expect("write the altered tag");
    let scratch_arg = scratch.to_str().expect("utf-8");
    let altered_id = eve.git(&["hash-object", "-t", "tag", "-w", scratch_arg]);
    let altered = "refs/tags/published/20250304T140800Z";
    eve.git(&["update-ref", altered, altered_id.trim()]);
    let before = remote_refs(&team);
    let said = refused(
        &team,
        &eve,
        &["push", "origin", altered],
        altered,
        "tag-publisher",
    );
    assert!(said.contains("no publisher's roster key"), "{said}");
    assert_eq!(remote_refs(&team), before);
    accepted(&eve, &["push", "origin", &signed]);
    let remote = team.git_remote(&["cat-file", "tag", &signed]);
    assert_eq!(String::from_utf8_lossy(&remote.stdout), object);
}
