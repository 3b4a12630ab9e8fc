//! The format-2 record the way a team uses it: a bare remote, a writer's clone and two
//! doctors' clones, synced with plain `git pull` (merge or rebase), `git push`, a
//! forge's server-side `git merge-tree`, and a `git daemon` over the network.
//! Concurrent sign-offs must merge cleanly and be judged by what each signer had
//! seen, the same way in every clone.

use crate::common::team as fixture;

mod race;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use serde_json::Value;

use crate::common::{SLUG, json};
use fixture::{
    ANA, DAVID, Daemon, Member, R2_LINE, SUZANNE, T0900, T0930, T1000, T1030, T1100, T1200, Team,
    git_daemon_available, team,
};

/// The state and the publishable revision's number, from `status --json`.
fn state(member: &Member) -> (String, Option<u64>) {
    let status = member.status();
    (
        status["state"].as_str().expect("a state").to_owned(),
        status["publishable"]["revision"]["number"].as_u64(),
    )
}

/// Who the publishable revision's counting approvals are by, sorted.
fn approved_by(member: &Member) -> Vec<String> {
    let status = member.status();
    let mut by: Vec<String> = status["publishable"]["approved_by"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().expect("an id").to_owned())
                .collect()
        })
        .unwrap_or_default();
    by.sort();
    by
}

/// The log's approvals as (by, revision number, why it does not count).
fn approvals(member: &Member) -> Vec<(String, u64, Option<String>)> {
    entries(&member.log())
        .iter()
        .filter(|e| e["action"] == "approved")
        .map(|e| {
            (
                e["by"].as_str().expect("by").to_owned(),
                e["revision_number"].as_u64().expect("a revision number"),
                e["does_not_count"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn entries(log: &Value) -> Vec<Value> {
    entries_ref(log).clone()
}

fn entries_ref(log: &Value) -> &Vec<Value> {
    log["entries"].as_array().expect("entries")
}

/// After a merge: the state and publishable revision are as expected and `check`
/// finds nothing wrong.
fn assert_settled(member: &Member, expected_state: &str, publishable: Option<u64>) {
    assert_eq!(
        state(member),
        (expected_state.to_owned(), publishable),
        "{}: {:#}",
        member.person.id,
        member.status()
    );
    member.check_clean();
}

/// Every clone pulls (merging) and reports exactly the same status and log.
fn assert_same_everywhere(members: &[&Member]) {
    for member in members {
        member.pull_merge();
    }
    let first = members[0];
    let (status, log) = (first.status(), first.log());
    for member in &members[1..] {
        assert_eq!(member.status(), status, "{} differs", member.person.id);
        assert_eq!(member.log(), log, "{} differs", member.person.id);
        member.check_clean();
    }
}

/// Runs `publish --out` in markdown; returns the page of the seeded article, if any,
/// and the revision numbers the manifest lists.
fn publish(member: &Member, out: &Path) -> (Option<String>, Vec<u64>) {
    member.ok(&[
        "publish",
        "--out",
        out.to_str().expect("utf-8 path"),
        "--format",
        "markdown",
    ]);
    let manifest = json(&fs::read_to_string(out.join("manifest.json")).expect("manifest"));
    let numbers = manifest["articles"]
        .as_array()
        .expect("articles")
        .iter()
        .map(|a| a["revision_number"].as_u64().expect("a revision number"))
        .collect();
    (
        fs::read_to_string(out.join(format!("{SLUG}.md"))).ok(),
        numbers,
    )
}

/// Two doctors approve r1 at the same time in their own clones; `required_approvals: 2`.
fn concurrent_approvals(rebase: bool) {
    let (_team, suzanne, mut ana, mut david) = team(2);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    assert_settled(&ana, "in-review", None);
    ana.push();

    david.set_now(T0930);
    david.ok(&["approve", SLUG, "-m", "Agree with the dosing section."]);
    assert!(
        !david.try_push(),
        "the remote moved on; the push must be rejected"
    );
    if rebase {
        david.pull_rebase();
        assert_eq!(david.head_parents(), 1, "a rebase makes no merge commit");
    } else {
        david.pull_merge();
        assert_eq!(david.head_parents(), 2, "a merge commit joins the two");
    }
    assert_settled(&david, "approved", Some(1));
    assert_eq!(approved_by(&david), [ANA.id, DAVID.id]);
    assert!(
        approvals(&david).iter().all(|(_, _, why)| why.is_none()),
        "{:?}",
        approvals(&david)
    );
    david.push();
    assert_same_everywhere(&[&suzanne, &ana, &david]);
}

#[test]
fn concurrent_approvals_merged_by_git_pull_both_count() {
    concurrent_approvals(false);
}

#[test]
fn concurrent_approvals_rebased_by_git_pull_rebase_both_count() {
    concurrent_approvals(true);
}

/// Regression: `check` moves its checkpoint to the doctor's unpushed commit; a
/// `git pull --rebase` then replaces that commit, which is the ordinary way to
/// catch up and must not read as rewritten history.
#[test]
fn check_before_pull_rebase_is_still_clean_after_it() {
    let (_team, _suzanne, mut ana, mut david) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    david.set_now(T0930);
    david.ok(&["approve", SLUG, "-m", "Agree."]);
    // A pre-push hook, or a careful doctor, checks before pushing.
    david.check_clean();
    assert!(!david.try_push());
    david.pull_rebase();
    assert_settled(&david, "approved", Some(1));
}

fn ssh_keygen_available() -> bool {
    find_program("ssh-keygen").is_some() || skip("ssh-keygen", "openssh-client")
}

/// Makes an ed25519 key without a passphrase in `member`'s `~/.ssh` and tells git
/// (and so medreview) to sign with it; returns the public key line.
fn make_key(member: &Member) -> String {
    let ssh = member.home().join(".ssh");
    fs::create_dir_all(&ssh).expect("create ~/.ssh");
    let key = ssh.join("id_ed25519");
    let output = Process::new("ssh-keygen")
        .env_clear()
        .env("HOME", member.home())
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            member.person.email,
            "-f",
        ])
        .arg(&key)
        .output()
        .expect("run ssh-keygen");
    assert!(
        output.status.success(),
        "ssh-keygen failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    member.git(&["config", "medreview.signingKey", "~/.ssh/id_ed25519"]);
    fs::read_to_string(ssh.join("id_ed25519.pub"))
        .expect("read the public key")
        .trim()
        .to_owned()
}

#[test]
fn concurrent_signed_approvals_both_verify_after_the_merge() {
    if !ssh_keygen_available() {
        return;
    }
    let (_team, suzanne, mut ana, mut david) = team(2);
    // Each doctor makes a key; the writer puts both public keys on the roster.
    for (member, file) in [
        (&ana, "reviewers/ana-example.yaml"),
        (&david, "reviewers/david-okafor.yaml"),
    ] {
        let public = make_key(member);
        let text = suzanne.read(file);
        suzanne.write(file, &format!("{text}public_key: {public}\n"));
    }
    suzanne.git(&["commit", "-q", "-am", "Public keys of the doctors"]);
    suzanne.push();
    ana.pull_merge();
    david.pull_merge();

    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    david.set_now(T0930);
    david.ok(&["approve", SLUG, "-m", "Agree."]);
    david.pull_merge();
    assert_settled(&david, "approved", Some(1));
    assert_eq!(approved_by(&david), [ANA.id, DAVID.id]);
    let log = david.log();
    let signed: Vec<&Value> = entries_ref(&log)
        .iter()
        .filter(|e| e["action"] == "approved")
        .collect();
    assert_eq!(signed.len(), 2, "{log:#}");
    for e in signed {
        assert_eq!(e["signed"], true, "{e}");
        assert!(e["does_not_count"].is_null(), "{e}");
    }
    david.push();
    assert_same_everywhere(&[&suzanne, &ana, &david]);
}

/// The writer submits r2 while a doctor, not having pulled it, approves r1. When
/// `approved_before`, david had approved r1 already, so r1 was publishable.
fn submission_concurrent_with_approval(approved_before: bool) {
    let (_team, mut suzanne, mut ana, mut david) = team(1);
    let publishable_before = if approved_before {
        david.set_now(T0900);
        david.ok(&["approve", SLUG, "-m", "Fine."]);
        david.push();
        suzanne.pull_merge();
        ana.pull_merge();
        Some(1)
    } else {
        None
    };
    suzanne.set_now(T1000);
    suzanne.submit_edit(R2_LINE, "Added a question to ask.");
    suzanne.push();

    ana.set_now(T1030);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.pull_merge();
    assert_settled(&ana, "in-review", publishable_before);
    let ana_r1 = approvals(&ana)
        .into_iter()
        .find(|(by, _, _)| by == ANA.id)
        .expect("ana's approval is in the log");
    assert_eq!(ana_r1.1, 1);
    let why = ana_r1.2.expect("ana's approval of r1 does not count");
    assert!(why.contains("r2"), "{why}");
    ana.push();
    assert_same_everywhere(&[&suzanne, &ana, &david]);

    // Having pulled r2, ana reads and approves it.
    ana.set_now(T1100);
    ana.ok(&["approve", SLUG, "-m", "The new question is good."]);
    ana.push();
    assert_settled(&ana, "approved", Some(2));
    assert_same_everywhere(&[&suzanne, &ana, &david]);
}

#[test]
fn submission_concurrent_with_approval_of_r1_leaves_nothing_publishable() {
    submission_concurrent_with_approval(false);
}

#[test]
fn submission_concurrent_with_approval_of_r1_keeps_what_was_publishable() {
    submission_concurrent_with_approval(true);
}

#[test]
fn stale_approval_of_r1_does_not_roll_back_an_approved_r2() {
    let (team, mut suzanne, mut ana, mut david) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    david.pull_merge();
    suzanne.pull_merge();
    suzanne.set_now(T1000);
    suzanne.submit_edit(R2_LINE, "Added a question to ask.");
    suzanne.push();
    ana.pull_merge();
    ana.set_now(T1030);
    ana.ok(&["approve", SLUG, "-m", "Still accurate."]);
    ana.push();

    // david has not pulled since r1 was approved, and approves r1 too.
    david.set_now(T1100);
    david.ok(&["approve", SLUG, "-m", "Agree with ana."]);
    david.pull_merge();
    assert_settled(&david, "approved", Some(2));
    assert_eq!(approved_by(&david), [ANA.id]);
    let stale = approvals(&david)
        .into_iter()
        .find(|(by, _, _)| by == DAVID.id)
        .expect("david's approval is in the log");
    assert_eq!(stale.1, 1);
    assert!(
        stale.2.as_deref().is_some_and(|why| why.contains("r2")),
        "{stale:?}"
    );
    david.push();
    assert_same_everywhere(&[&suzanne, &ana, &david]);
    let (page, numbers) = publish(&suzanne, &team.base().join("site"));
    assert_eq!(numbers, [2]);
    let page = page.expect("the article is published");
    assert!(page.contains(R2_LINE), "r2's text is published:\n{page}");
}

/// ana approved r1; suzanne submitted r2. david, having pulled r2, approves it while
/// ana, not having pulled it, withdraws r1. Returns the team after the merge.
fn withdrawal_concurrent_with_approval() -> (Team, Member, Member, Member) {
    let (team, mut suzanne, mut ana, mut david) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    suzanne.pull_merge();
    suzanne.set_now(T1000);
    suzanne.submit_edit(R2_LINE, "Added a question to ask.");
    suzanne.push();

    david.pull_merge();
    david.set_now(T1030);
    david.ok(&["approve", SLUG, "-m", "r2 is accurate."]);
    david.push();
    ana.set_now(T1030);
    ana.ok(&["withdraw", SLUG, "-m", "The dosing in point 1 is outdated."]);
    ana.pull_merge();
    assert_settled(&ana, "needs-decision", None);
    let conflicts = ana.status()["conflicts"].clone();
    assert_eq!(conflicts.as_array().map(Vec::len), Some(1), "{conflicts}");
    let david_r2 = approvals(&ana)
        .into_iter()
        .find(|(by, _, _)| by == DAVID.id)
        .expect("david's approval is in the log");
    assert!(
        david_r2
            .2
            .as_deref()
            .is_some_and(|why| why.contains("withdrawn by ana-example")),
        "{david_r2:?}"
    );
    ana.push();
    assert_same_everywhere(&[&suzanne, &ana, &david]);
    let (page, numbers) = publish(&suzanne, &team.base().join("site-conflict"));
    assert_eq!((page, numbers), (None, Vec::new()), "nothing is published");
    (team, suzanne, ana, david)
}

#[test]
fn withdrawal_concurrent_with_approval_needs_a_decision_that_approves() {
    let (team, suzanne, ana, mut david) = withdrawal_concurrent_with_approval();
    // david pulled both, reads ana's note, and approves r2 again, having seen it.
    david.set_now(T1200);
    david.ok(&["approve", SLUG, "-m", "Point 1 was fixed in r2."]);
    david.push();
    assert_settled(&david, "approved", Some(2));
    assert_eq!(approved_by(&david), [DAVID.id]);
    assert_same_everywhere(&[&suzanne, &ana, &david]);
    let (page, numbers) = publish(&suzanne, &team.base().join("site"));
    assert_eq!(numbers, [2]);
    assert!(page.expect("published").contains(R2_LINE));
}

#[test]
fn withdrawal_concurrent_with_approval_needs_a_decision_that_withdraws() {
    let (team, suzanne, mut ana, david) = withdrawal_concurrent_with_approval();
    // ana pulled both, reads r2, and withdraws again, having seen david's approval.
    ana.set_now(T1200);
    ana.ok(&["withdraw", SLUG, "-m", "r2 still has the old dosing."]);
    ana.push();
    assert_settled(&ana, "withdrawn", None);
    assert_same_everywhere(&[&suzanne, &ana, &david]);
    let (page, numbers) = publish(&suzanne, &team.base().join("site"));
    assert_eq!((page, numbers), (None, Vec::new()));
}

/// david approves r1 and then withdraws it; ana, not having pulled either, requests
/// changes at `request_at`. david's approval is cancelled by his own withdrawal, so
/// it would not count whatever ana did: there is nothing to decide.
fn approval_withdrawn_by_its_signer_and_a_concurrent_request(request_at: &str) {
    let (_team, suzanne, mut ana, mut david) = team(1);
    david.set_now(T0900);
    david.ok(&["approve", SLUG, "-m", "Accurate."]);
    david.set_now(T1000);
    david.ok(&["withdraw", SLUG, "-m", "I approved too fast."]);
    david.push();
    ana.set_now(request_at);
    ana.ok(&["request-changes", SLUG, "-m", "Point 1 needs a source."]);
    ana.pull_merge();
    assert_settled(&ana, "withdrawn", None);
    assert_eq!(ana.status()["conflicts"], Value::Array(Vec::new()));
    ana.push();
    assert_same_everywhere(&[&suzanne, &ana, &david]);
}

/// Regression: a conflict was judged by the first entry in graph order that blocks
/// an approval, so when ana's request for changes sorted before david's withdrawal
/// of his own approval (an earlier clock) the article needed a decision, and when
/// it sorted after, it was withdrawn: the same graph, two states, by wall clock.
#[test]
fn a_request_concurrent_with_a_withdrawn_approval_is_no_conflict_when_it_is_earlier() {
    approval_withdrawn_by_its_signer_and_a_concurrent_request(T0930);
}

#[test]
fn a_request_concurrent_with_a_withdrawn_approval_is_no_conflict_when_it_is_later() {
    approval_withdrawn_by_its_signer_and_a_concurrent_request(T1030);
}

#[test]
fn a_withdrawal_after_an_approval_from_a_fast_clock_is_recorded() {
    let (_team, suzanne, mut ana, mut david) = team(1);
    // ana's laptop runs a year fast.
    ana.set_now("2026-03-04T09:00:00-05:00");
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    david.set_now("2025-03-05T09:00:00-05:00");
    david.pull_merge();
    let run = david.ok(&["withdraw", SLUG, "-m", "The dosing is outdated."]);
    assert!(
        run.stderr.contains("Warning: the clock"),
        "a warning, not a refusal:\n{}",
        run.stderr
    );
    david.push();
    assert_eq!(state(&david), ("withdrawn".to_owned(), None));
    // A clock off is a warning naming the entry, never a failed check (issue 22).
    assert!(david.check_codes().is_empty());
    let check = david.run(&["check"]);
    let withdrawal = entries(&david.log())
        .iter()
        .find(|e| e["action"] == "withdrawn")
        .map(|e| e["id"].as_str().expect("an id").to_owned())
        .expect("the withdrawal is recorded");
    assert!(
        check.stderr.contains(&withdrawal) && check.stderr.contains("[entry-time-order]"),
        "{}",
        check.stderr
    );
    for member in [&suzanne, &ana] {
        member.pull_merge();
        assert_eq!(state(member), ("withdrawn".to_owned(), None));
        assert!(member.check_codes().is_empty());
    }
}

#[test]
fn a_forge_merges_two_sign_off_branches_server_side() {
    let (team, suzanne, mut ana, mut david) = team(2);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.git(&["push", "-q", "origin", "HEAD:refs/heads/ana-approval"]);
    david.set_now(T0930);
    david.ok(&["approve", SLUG, "-m", "Agree."]);
    david.git(&["push", "-q", "origin", "HEAD:refs/heads/david-approval"]);

    let merged = team.git_remote(&[
        "merge-tree",
        "--write-tree",
        "ana-approval",
        "david-approval",
    ]);
    let tree = String::from_utf8_lossy(&merged.stdout)
        .lines()
        .next()
        .expect("the merged tree")
        .to_owned();
    // The forge records the merge and moves main, as its merge button does.
    let commit = team.git_remote(&[
        "-c",
        "user.name=Forge",
        "-c",
        "user.email=forge@example.org",
        "commit-tree",
        &tree,
        "-p",
        "ana-approval",
        "-p",
        "david-approval",
        "-m",
        "Merge branch david-approval",
    ]);
    let commit = String::from_utf8_lossy(&commit.stdout).trim().to_owned();
    team.git_remote(&["update-ref", "refs/heads/main", &commit]);
    suzanne.pull_merge();
    assert_settled(&suzanne, "approved", Some(1));
    assert_eq!(approved_by(&suzanne), [ANA.id, DAVID.id]);
    assert_same_everywhere(&[&suzanne, &ana, &david]);
}

#[test]
fn a_team_syncing_over_git_daemon() {
    if !git_daemon_available() {
        return;
    }
    let team = Team::new();
    let daemon = Daemon::start(team.base());
    let url = daemon.url("remote.git");
    let mut ana = team.clone_from(&url, ANA, "ana-over-git");
    let mut david = team.clone_from(&url, DAVID, "david-over-git");
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    david.set_now(T0930);
    david.ok(&["approve", SLUG, "-m", "Agree."]);
    david.sync(true);
    assert_settled(&david, "approved", Some(1));
    assert_eq!(approved_by(&david), [ANA.id, DAVID.id]);
    let suzanne = team.clone_from(&url, SUZANNE, "suzanne-over-git");
    assert_same_everywhere(&[&suzanne, &ana, &david]);
    drop(daemon);
}

fn find_program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// Skips a test whose program is missing, so `cargo test` passes on a bare machine;
/// CI sets MEDREVIEW_REQUIRE_TOOLS=1 (after installing them) so they can never be
/// skipped there. Returns false, for `available() || skip(..)`.
fn skip(program: &str, package: &str) -> bool {
    assert!(
        std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
        "{program} is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed"
    );
    eprintln!("skipped: {program} is not installed (apt-get install {package})");
    false
}
