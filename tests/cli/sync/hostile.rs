//! A remote nobody guards (no server hook): what plain git can push into it —
//! entries forged, edited or removed in ordinary fast-forward commits, history
//! rewritten — and what a clone's tools do behind sync's back (`git fetch`), must
//! never reach a doctor's clone through `sync`, nor make it lose what it holds.

use super::refusals::{refused, submission_file};
use super::{R2_LINE, T0900, T0930, T1000, T1100, actions, refs_under, state, sync, sync_ok, team};
use crate::common::team::{ANA, Member, SUZANNE, Team};
use crate::common::{ARTICLE, SLUG};

/// A clone of the remote for the forger (the writer's identity, plain git).
fn forger(team: &Team) -> Member {
    team.clone_from(team.remote().to_str().expect("utf-8"), SUZANNE, "forger")
}

/// Regression: a withdrawal deleted in an ordinary (fast-forward) commit — no
/// force-push needed — must not reach a clone: sync refuses with check's code.
#[test]
fn sync_refuses_a_fast_forward_that_removes_a_withdrawal() {
    let (team, _, mut ana, david) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    sync_ok(&ana);
    ana.set_now(T1000);
    ana.ok(&["withdraw", SLUG, "-m", "The dosing in point 1 is outdated."]);
    sync_ok(&ana);

    let forger = forger(&team);
    let withdrawal = forger
        .git(&["show", "--name-only", "--format=", "HEAD"])
        .lines()
        .find(|l| l.contains("-withdrawn-"))
        .expect("the withdrawal's file")
        .to_owned();
    forger.git(&["rm", "-q", &withdrawal]);
    forger.git(&["commit", "-q", "-m", "Clean up"]);
    forger.push();
    assert!(forger.check_codes().iter().any(|c| c == "entry-removed"));

    let said = refused(&team, &david);
    assert!(said.contains("entry-removed"), "{said}");
    assert_eq!(state(&david).0, "in-review", "david still has nothing new");
    let said = refused(&team, &ana);
    assert!(said.contains("entry-removed"), "{said}");
    assert_eq!(state(&ana).0, "withdrawn", "ana keeps the withdrawal");
}

/// Regression: a valid-looking approval (right name, right digest: a doctor's real
/// entry file) committed and pushed by someone else is refused, not integrated.
#[test]
fn sync_refuses_a_real_entry_file_committed_by_someone_else() {
    let (team, _, ana, _) = team(1);
    // ana's approval, made in a scratch clone and never pushed by her.
    let mut scratch = team.clone_from(team.remote().to_str().expect("utf-8"), ANA, "scratch");
    scratch.set_now(T0900);
    scratch.ok(&["approve", SLUG, "-m", "Accurate."]);
    let file = scratch
        .git(&["show", "--name-only", "--format=", "HEAD"])
        .lines()
        .find(|l| l.contains("-approved-"))
        .expect("the approval's file")
        .to_owned();
    let forger = forger(&team);
    forger.write(&file, &scratch.read(&file));
    forger.git(&["add", &file]);
    forger.git(&["commit", "-q", "-m", "Ana approved by phone"]);
    forger.push();
    let codes = forger.check_codes();
    assert!(!codes.is_empty(), "check sees the forgery");

    let said = refused(&team, &ana);
    assert!(
        codes.iter().any(|c| said.contains(c.as_str())),
        "one of check's codes {codes:?} is listed:\n{said}"
    );
    assert_eq!(state(&ana).0, "in-review");
}

/// A forgery that is not the remote's tip (an unrelated commit was pushed on top
/// of it) is still refused: every incoming commit is verified, not only the last.
#[test]
fn sync_refuses_a_forgery_buried_under_an_honest_commit() {
    let (team, _, mut ana, david) = team(1);
    let forger = forger(&team);
    let file = submission_file(&forger);
    forger.write(
        &file,
        &forger.read(&file).replace("First draft.", "Final draft."),
    );
    forger.git(&["commit", "-q", "-am", "Typo"]);
    forger.push();
    // An honest commit on top (sign-off commands refuse a damaged record).
    david.pull_merge();
    david.write("notes/david.txt", "Point 2 reads well.\n");
    david.git(&["add", "notes/david.txt"]);
    david.git(&["commit", "-q", "-m", "A note"]);
    david.push();

    ana.set_now(T1000);
    ana.ok(&["approve", SLUG, "-m", "Agree."]);
    let said = refused(&team, &ana);
    assert!(said.contains("entry-edited"), "{said}");
}

/// Regression: after a force-push dropped a withdrawal, a plain `git fetch` (an
/// editor's auto-fetch) moves the remote-tracking ref; sync must then either refuse
/// or put the withdrawal back — never lose it from the clone.
#[test]
fn a_git_fetch_after_a_rewrite_never_makes_sync_drop_the_withdrawal() {
    let (team, _, mut ana, david) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    sync_ok(&ana);
    let approved = team.remote_head();
    ana.set_now(T1000);
    ana.ok(&["withdraw", SLUG, "-m", "The dosing in point 1 is outdated."]);
    sync_ok(&ana);
    sync_ok(&david);
    team.git_remote(&["update-ref", "refs/heads/main", &approved]);
    david.git(&["fetch", "-q", "origin"]);

    let run = david.run(&["sync"]);
    assert_eq!(state(&david).0, "withdrawn", "{}", run.stderr);
    if run.code == 0 {
        let tip = team.remote_head();
        assert_eq!(tip, david.head(), "{}", run.stderr);
        let fresh = team.clone_from(team.remote().to_str().expect("utf-8"), ANA, "fresh");
        assert_eq!(state(&fresh).0, "withdrawn", "the withdrawal is back");
    } else {
        assert!(run.stderr.contains("Error:"), "{}", run.stderr);
    }
}

/// Regression: with a fixed clock two drops in the same second must not overwrite
/// each other's `refs/medreview/dropped/<time>`: both old tips are kept.
#[test]
fn two_drops_at_the_same_time_keep_both_old_tips() {
    let (_team, mut suzanne, mut ana, _) = team(1);
    suzanne.set_now(T0900);
    suzanne.submit_edit(R2_LINE, "r2.");
    suzanne.push();
    ana.set_now(T1100);
    ana.ok(&["approve", SLUG, "-m", "On r1."]);
    let first = ana.head();
    let (run, _) = sync(&ana);
    assert_eq!(run.code, 1, "{}", run.stderr);

    suzanne.set_now(T0930);
    suzanne.submit_edit("Ask about side effects.", "r3.");
    suzanne.push();
    ana.ok(&["approve", SLUG, "-m", "On r2."]);
    let second = ana.head();
    let (run, _) = sync(&ana);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let mut kept: Vec<String> = refs_under(&ana, "refs/medreview/dropped/")
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    kept.sort();
    let mut expected = vec![first, second];
    expected.sort();
    assert_eq!(
        kept,
        expected,
        "both old tips are kept: {}",
        ana.git(&["for-each-ref", "refs/medreview/dropped/"])
    );
}

/// `submit --sync` and `withdraw --sync` fast-forward, record and push too.
#[test]
fn submit_and_withdraw_take_sync_too() {
    let (team, mut suzanne, mut ana, _) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate.", "--sync"]);
    suzanne.set_now(T0930);
    let text = format!("{}{R2_LINE}\n", suzanne.read(ARTICLE));
    suzanne.write(ARTICLE, &text);
    // Behind by ana's approval, but the writer's article.md edit is uncommitted and
    // the approval does not touch it: fast-forward, then submit, then push.
    suzanne.ok(&["submit", SLUG, "-m", "Adds a question.", "--sync"]);
    assert_eq!(team.remote_head(), suzanne.head());
    assert_eq!(state(&suzanne), ("in-review".to_owned(), Some(1)));

    ana.set_now(T1000);
    ana.ok(&["withdraw", SLUG, "-m", "Point 1 is outdated.", "--sync"]);
    assert_eq!(team.remote_head(), ana.head());
    assert_eq!(state(&ana).1, None);
    assert!(actions(&ana).contains(&("submitted".to_owned(), SUZANNE.id.to_owned())));
}

/// sync on a detached HEAD has no branch to sync: refused, nothing changed.
#[test]
fn sync_on_a_detached_head_is_refused() {
    let team = Team::new();
    let ana = team.clone_for(ANA);
    ana.git(&["checkout", "-q", "--detach"]);
    refused(&team, &ana);
}
