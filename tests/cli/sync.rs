//! `medreview sync`, `--sync` / `sync.auto`, `status`'s ahead/behind and `publish`'s
//! refusal when behind the remote: a bare remote (on disk, or behind a `git daemon`)
//! and one clone per person. sync must land every decision that is still valid,
//! drop (never push) the stale ones, and refuse — changing nothing — whatever it
//! cannot integrate safely.

mod hostile;
mod publications;
mod refusals;

use std::fs;
use std::thread;

use serde_json::{Value, json as value};

use crate::common::team::{
    ANA, DAVID, Daemon, Member, R2_LINE, SUZANNE, T0900, T0930, T1000, T1100, T1200, Team,
    git_daemon_available, team,
};
use crate::common::{ARTICLE, Run, SIGNOFFS, SLUG, json};

/// `sync --json`: the run and its document (stdout must be JSON whatever the exit
/// code, when sync got as far as integrating).
fn sync(member: &Member) -> (Run, Value) {
    let run = member.run(&["sync", "--json"]);
    let doc = serde_json::from_str(&run.stdout).unwrap_or_else(|err| {
        panic!(
            "{}: sync --json printed no JSON ({err}), exit {}:\nstdout:\n{}\nstderr:\n{}",
            member.person.id, run.code, run.stdout, run.stderr
        )
    });
    (run, doc)
}

/// `sync --json` exits 0 and drops nothing; returns the document.
fn sync_ok(member: &Member) -> Value {
    let (run, doc) = sync(member);
    assert_eq!(
        run.code, 0,
        "{}: sync failed:\n{}\n{}",
        member.person.id, run.stdout, run.stderr
    );
    assert_eq!(doc["dropped"], value!([]), "{doc:#}");
    assert_eq!(doc["remote"], "origin", "{doc:#}");
    assert_eq!(doc["branch"], "main", "{doc:#}");
    doc
}

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
    let mut by: Vec<String> = member.status()["publishable"]["approved_by"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().expect("id").to_owned())
                .collect()
        })
        .unwrap_or_default();
    by.sort();
    by
}

/// The (action, by) of every entry in the record, in the log's order.
fn actions(member: &Member) -> Vec<(String, String)> {
    member.log()["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().expect("action").to_owned(),
                e["by"].as_str().expect("by").to_owned(),
            )
        })
        .collect()
}

/// The sign-off file names of the seeded article in a clone's working tree.
fn signoff_files(member: &Member) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(member.dir().join(SIGNOFFS))
        .expect("read the sign-offs folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The medreview refs under `prefix` in a clone: (name, commit).
fn refs_under(member: &Member, prefix: &str) -> Vec<(String, String)> {
    member
        .git(&["for-each-ref", "--format=%(refname) %(objectname)", prefix])
        .lines()
        .map(|l| {
            let (name, id) = l.split_once(' ').expect("a ref line");
            (name.to_owned(), id.to_owned())
        })
        .collect()
}

/// A fresh clone of the remote (by `url`) has a clean `check`; returns it.
fn fresh_clone(team: &Team, url: &str, folder: &str) -> Member {
    let fresh = team.clone_from(url, SUZANNE, folder);
    fresh.check_clean();
    fresh
}

/// The remote's main has no merge commit: sync replays, it never merges.
fn assert_linear(team: &Team) {
    let merges = team.git_remote(&["rev-list", "--merges", "refs/heads/main"]);
    assert!(
        merges.stdout.is_empty(),
        "sync made a merge commit on the remote: {}",
        String::from_utf8_lossy(&merges.stdout)
    );
}

/// Regression: two doctors running `sync` at the same moment over the network must
/// both land (the loser of the race replays onto the winner's push and pushes again
/// with a lease); neither approval is lost or merged as text, and the record on the
/// remote verifies.
#[test]
fn two_doctors_racing_through_sync_over_git_daemon_both_land() {
    if !git_daemon_available() {
        return;
    }
    let (team, _suzanne, _, _) = team(2);
    let daemon = Daemon::start(team.base());
    let url = daemon.url("remote.git");
    let mut ana = team.clone_from(&url, ANA, "ana-over-git");
    let mut david = team.clone_from(&url, DAVID, "david-over-git");
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    david.set_now(T0930);
    david.ok(&["approve", SLUG, "-m", "Agree with the dosing section."]);
    let before = team.remote_head();

    let (first, second) = thread::scope(|s| {
        let a = s.spawn(|| sync(&ana));
        let d = s.spawn(|| sync(&david));
        (
            a.join().expect("ana's sync"),
            d.join().expect("david's sync"),
        )
    });
    for (who, (run, doc)) in [("ana", &first), ("david", &second)] {
        assert_eq!(run.code, 0, "{who}: {}\n{}", run.stdout, run.stderr);
        assert_eq!(doc["dropped"], value!([]), "{who}: {doc:#}");
        assert_eq!(doc["pushed"], true, "{who}: {doc:#}");
        let attempts = doc["attempts"].as_u64().expect("attempts");
        assert!((1..=5).contains(&attempts), "{who}: {doc:#}");
    }
    // Whoever lost the race replayed its commit; the other pushed straight away.
    let replayed: u64 = [&first.1, &second.1]
        .iter()
        .map(|d| d["replayed"].as_u64().expect("replayed"))
        .sum();
    assert!(replayed <= 1, "{:#} {:#}", first.1, second.1);

    assert_ne!(team.remote_head(), before);
    let count = team.git_remote(&["rev-list", "--count", &format!("{before}..refs/heads/main")]);
    assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "2");
    assert_linear(&team);
    let fresh = fresh_clone(&team, &url, "fresh");
    assert_eq!(state(&fresh), ("approved".to_owned(), Some(1)));
    assert_eq!(approved_by(&fresh), [ANA.id, DAVID.id]);
    // Each doctor's branch is one of the remote's commits (the last to push is the tip).
    let tip = team.remote_head();
    assert!(ana.head() == tip || david.head() == tip);
    drop(daemon);
}

/// Regression: a doctor whose clone is hours behind approves r1 after the writer
/// pushed r2; sync must not push that approval (it would be made without seeing r2),
/// must say so, and must keep the doctor's old branch under refs/medreview/dropped.
#[test]
fn an_approval_of_a_superseded_revision_is_dropped_not_pushed() {
    let (team, mut suzanne, mut ana, _) = team(1);
    let r1 = ana
        .git(&["rev-parse", &format!("HEAD:{ARTICLE}")])
        .trim()
        .to_owned();
    suzanne.set_now(T0900);
    suzanne.submit_edit(R2_LINE, "Adds a question for the care team.");
    suzanne.push();
    let remote = team.remote_head();

    ana.set_now(T1000);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    assert_dropped(&team, &ana, remote, &r1, "approved");
    assert_eq!(state(&ana), ("in-review".to_owned(), None));
    assert_eq!(ana.read(ARTICLE), suzanne.read(ARTICLE), "r2 arrived");

    // Having seen r2, her new approval is pushed.
    ana.set_now(T1100);
    ana.ok(&["approve", SLUG, "-m", "r2 is accurate too."]);
    let doc = sync_ok(&ana);
    assert_eq!(doc["integration"], "pushed-only", "{doc:#}");
    assert_eq!(team.remote_head(), ana.head());
    assert_eq!(state(&ana), ("approved".to_owned(), Some(2)));
}

/// Regression: of two unpushed decisions only the stale one is dropped; the other
/// (on another article) is replayed and pushed, and sync still exits 1.
#[test]
fn only_the_stale_decision_is_dropped_the_rest_is_pushed() {
    let (team, mut suzanne, _, mut david) = team(1);
    suzanne.set_now(T0900);
    second_article(&suzanne);
    david.pull_merge();
    let r1 = david
        .git(&["rev-parse", &format!("HEAD:{ARTICLE}")])
        .trim()
        .to_owned();
    suzanne.set_now(T0930);
    suzanne.submit_edit(R2_LINE, "Adds a question.");
    suzanne.push();
    let remote = team.remote_head();

    david.set_now(T1000);
    david.ok(&["approve", SLUG, "-m", "Stale: made on r1."]);
    let stale = david.head();
    david.set_now(T1100);
    david.ok(&["approve", "lupus-basics", "-m", "Clear."]);
    let old_tip = david.head();
    let (run, doc) = sync(&david);
    assert_eq!(run.code, 1, "{doc:#}\n{}", run.stderr);
    let dropped = doc["dropped"].as_array().expect("dropped");
    assert_eq!(dropped.len(), 1, "{doc:#}");
    assert_eq!(dropped[0]["slug"], SLUG, "{doc:#}");
    assert_eq!(dropped[0]["revision"], r1.as_str(), "{doc:#}");
    assert_eq!(
        dropped[0]["commit"],
        stale.as_str(),
        "the commit that held it: {doc:#}"
    );
    assert_eq!(doc["pushed"], true, "the rest is still pushed: {doc:#}");
    assert_eq!(team.remote_head(), david.head());
    assert_eq!(
        david.rev("HEAD~1"),
        Some(remote),
        "one commit on top of the remote"
    );
    let kept = refs_under(&david, "refs/medreview/dropped/");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].1, old_tip);
    assert_eq!(
        david.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
    let lupus = json(&david.ok(&["status", "lupus-basics", "--json"]).stdout);
    assert_eq!(lupus["articles"][0]["state"], "approved", "{lupus:#}");
    assert_eq!(state(&david), ("in-review".to_owned(), None));
    let url = team.remote().to_str().expect("utf-8").to_owned();
    fresh_clone(&team, &url, "fresh");
}

/// Regression: a withdrawal made without seeing a newer submission is still pushed
/// (a doctor asked for the page to come down; r1 stays publishable while r2 is in
/// review, so dropping the withdrawal would keep r1 online).
#[test]
fn a_withdrawal_not_seeing_a_newer_submission_is_pushed_not_dropped() {
    let (team, mut suzanne, mut ana, _) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    suzanne.pull_merge();
    suzanne.set_now(T0930);
    suzanne.submit_edit(R2_LINE, "Adds a question.");
    suzanne.push();
    assert_eq!(state(&suzanne), ("in-review".to_owned(), Some(1)));

    ana.set_now(T1000);
    ana.ok(&["withdraw", SLUG, "-m", "The dosing in point 1 is outdated."]);
    let doc = sync_ok(&ana);
    assert_eq!(doc["integration"], "replayed", "{doc:#}");
    assert_eq!(team.remote_head(), ana.head());
    assert_eq!(state(&ana).1, None, "nothing is publishable");
    suzanne.pull_merge();
    assert_eq!(state(&suzanne).1, None);
    assert!(actions(&suzanne).contains(&("withdrawn".to_owned(), ANA.id.to_owned())));
}

/// The opposite pair: a local request for changes on a revision another doctor
/// approved meanwhile is dropped too (a different decision on the same revision).
#[test]
fn a_request_for_changes_conflicting_with_a_pushed_approval_is_dropped() {
    let (team, _, mut ana, mut david) = team(1);
    let r1 = ana
        .git(&["rev-parse", &format!("HEAD:{ARTICLE}")])
        .trim()
        .to_owned();
    david.set_now(T0900);
    david.ok(&["approve", SLUG, "-m", "Fine by me."]);
    david.push();
    let remote = team.remote_head();

    ana.set_now(T1000);
    ana.ok(&["request-changes", SLUG, "-m", "Point 2 needs a source."]);
    assert_dropped(&team, &ana, remote, &r1, "changes-requested");
    assert_eq!(state(&ana), ("approved".to_owned(), Some(1)));
}

/// Regression: an approval made without seeing a withdrawal already on the remote
/// is dropped, so the withdrawal is never cancelled by a stale clone.
#[test]
fn an_approval_not_seeing_a_pushed_withdrawal_is_dropped() {
    let (team, _, mut ana, mut david) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    david.pull_merge();
    let r1 = david
        .git(&["rev-parse", &format!("HEAD:{ARTICLE}")])
        .trim()
        .to_owned();
    ana.set_now(T1000);
    ana.ok(&["withdraw", SLUG, "-m", "The dosing in point 1 is outdated."]);
    ana.push();
    let remote = team.remote_head();

    david.set_now(T1100);
    david.ok(&["approve", SLUG, "-m", "Looks right to me."]);
    assert_dropped(&team, &david, remote, &r1, "approved");
    assert_eq!(state(&david).0, "withdrawn");
}

/// Regression: a local approval of a revision another doctor sent back meanwhile
/// (a different decision on the same revision) is dropped, not pushed as a conflict.
#[test]
fn an_approval_conflicting_with_a_pushed_request_for_changes_is_dropped() {
    let (team, _, mut ana, mut david) = team(1);
    let r1 = ana
        .git(&["rev-parse", &format!("HEAD:{ARTICLE}")])
        .trim()
        .to_owned();
    ana.set_now(T0900);
    ana.ok(&["request-changes", SLUG, "-m", "Point 2 needs a source."]);
    ana.push();
    let remote = team.remote_head();

    david.set_now(T1000);
    david.ok(&["approve", SLUG, "-m", "Fine by me."]);
    assert_dropped(&team, &david, remote, &r1, "approved");
    assert_eq!(state(&david).0, "changes-requested");
}

/// `member` has one unpushed decision (`action` on revision `revision`) the remote
/// (at `remote`) makes stale: sync exits 1, reports it, pushes nothing, keeps the old
/// tip under refs/medreview/dropped/ and leaves the branch equal to the remote.
fn assert_dropped(team: &Team, member: &Member, remote: String, revision: &str, action: &str) {
    let old_tip = member.head();
    let before_files = signoff_files(member);
    let (run, doc) = sync(member);
    assert_eq!(
        run.code, 1,
        "a dropped decision exits 1:\n{doc:#}\n{}",
        run.stderr
    );
    assert_eq!(team.remote_head(), remote, "nothing was pushed");
    let dropped = doc["dropped"].as_array().expect("dropped");
    assert_eq!(dropped.len(), 1, "{doc:#}");
    let d = &dropped[0];
    assert_eq!(d["slug"], SLUG, "{doc:#}");
    assert_eq!(d["action"], action, "{doc:#}");
    assert_eq!(d["by"], member.person.id, "{doc:#}");
    assert_eq!(d["revision"], revision, "{doc:#}");
    assert_eq!(d["commit"], old_tip.as_str(), "{doc:#}");
    assert!(
        d["reason"].as_str().is_some_and(|r| !r.trim().is_empty()),
        "{doc:#}"
    );
    assert!(
        run.stderr.contains(SLUG) || run.stdout.contains(SLUG),
        "the drop is reported"
    );

    assert_eq!(member.head(), remote, "the local branch equals the remote");
    assert_eq!(
        member.git(&["status", "--porcelain", "--untracked-files=all"]),
        "",
        "no stray entry file in the working tree"
    );
    let after_files = signoff_files(member);
    let ours: Vec<&String> = before_files
        .iter()
        .filter(|n| n.contains(&format!("-{}-", member.person.id)) && !after_files.contains(n))
        .collect();
    assert_eq!(
        ours.len(),
        1,
        "the dropped entry's file is gone: {after_files:?}"
    );
    let kept = refs_under(member, "refs/medreview/dropped/");
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].1, old_tip, "the old tip is kept");
    member.check_clean();
    // Nothing left to do: a second sync is up to date and exits 0.
    let again = sync_ok(member);
    assert_eq!(again["integration"], "up-to-date", "{again:#}");
    assert_eq!(team.remote_head(), remote);
}

/// Two doctors approving the same revision in clones that had not seen each other:
/// sync replays the second onto the first and both count.
#[test]
fn a_local_approval_is_replayed_onto_another_doctors_approval_of_the_same_revision() {
    let (team, _, mut ana, mut david) = team(2);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let doc = sync_ok(&ana);
    assert_eq!(doc["integration"], "pushed-only", "{doc:#}");
    assert_eq!(doc["pushed"], true, "{doc:#}");
    assert_eq!(team.remote_head(), ana.head());

    david.set_now(T0930);
    david.ok(&["approve", SLUG, "-m", "Agree."]);
    let doc = sync_ok(&david);
    assert_eq!(doc["integration"], "replayed", "{doc:#}");
    assert_eq!(doc["replayed"], 1, "{doc:#}");
    assert_eq!(doc["fetched"], 1, "{doc:#}");
    assert_eq!(doc["pushed"], true, "{doc:#}");
    assert_eq!(team.remote_head(), david.head());
    assert_eq!(david.head_parents(), 1, "replayed, not merged");
    assert_eq!(state(&david), ("approved".to_owned(), Some(1)));
    assert_eq!(approved_by(&david), [ANA.id, DAVID.id]);

    let doc = sync_ok(&ana);
    assert_eq!(doc["integration"], "fast-forward", "{doc:#}");
    assert_eq!(ana.head(), team.remote_head());
    let url = team.remote().to_str().expect("utf-8").to_owned();
    let fresh = fresh_clone(&team, &url, "fresh");
    assert_eq!(approved_by(&fresh), [ANA.id, DAVID.id]);
}

/// A second article: the writer writes and submits `lupus-basics` (reviewer
/// david-okafor) and pushes it.
fn second_article(suzanne: &Member) {
    suzanne.ok(&[
        "new",
        "lupus-basics",
        "--title",
        "Lupus Basics",
        "--writer",
        SUZANNE.id,
        "--reviewer",
        DAVID.id,
        "--topic",
        "rheumatology",
    ]);
    suzanne.write(
        "articles/lupus-basics/article.md",
        "---\ntitle: Lupus Basics\nwriter: suzanne-example\nreviewer: david-okafor\n\
         topic: rheumatology\nsummary: What lupus is.\n---\nLupus is an autoimmune disease.\n",
    );
    suzanne.ok(&["submit", "lupus-basics", "-m", "First draft."]);
    if !suzanne
        .git(&["status", "--porcelain", "--untracked-files=all"])
        .is_empty()
    {
        suzanne.git(&["add", "-A"]);
        suzanne.git(&["commit", "-q", "-m", "The new article's files"]);
    }
    suzanne.push();
}

/// Decisions on two different articles made in two clones both land.
#[test]
fn a_local_approval_is_replayed_onto_a_decision_on_another_article() {
    let (team, mut suzanne, mut ana, mut david) = team(1);
    suzanne.set_now(T0900);
    second_article(&suzanne);
    david.pull_merge();
    david.set_now(T0930);
    david.ok(&["approve", "lupus-basics", "-m", "Clear."]);
    sync_ok(&david);

    ana.set_now(T1000);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let doc = sync_ok(&ana);
    assert_eq!(doc["integration"], "replayed", "{doc:#}");
    assert_eq!(doc["replayed"], 1, "{doc:#}");
    assert_eq!(team.remote_head(), ana.head());
    assert_eq!(state(&ana), ("approved".to_owned(), Some(1)));
    let lupus = json(&ana.ok(&["status", "lupus-basics", "--json"]).stdout);
    assert_eq!(lupus["articles"][0]["state"], "approved", "{lupus:#}");
    ana.check_clean();
    assert_linear(&team);
}

/// Regression: `publish` exported the local checkout while the remote (as of the
/// last fetch) already held a withdrawal; it must refuse, name the count and the way
/// out, and write nothing. `status` shows the same ahead/behind counts.
#[test]
fn publish_refuses_when_behind_the_last_fetch_and_status_says_so() {
    let (team, mut suzanne, mut ana, _) = team(1);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.push();
    suzanne.pull_merge();
    let status = json(&suzanne.ok(&["status", "--json"]).stdout);
    assert_eq!(
        status["remote"],
        value!({"name": "origin", "branch": "main", "ahead": 0, "behind": 0}),
        "{status:#}"
    );
    ana.set_now(T1000);
    ana.ok(&["withdraw", SLUG, "-m", "The dosing in point 1 is outdated."]);
    ana.push();

    // Not fetched yet: status knows nothing of the withdrawal (no network).
    let status = json(&suzanne.ok(&["status", "--json"]).stdout);
    assert_eq!(status["remote"]["behind"], 0, "{status:#}");

    suzanne.git(&["fetch", "-q", "origin"]);
    suzanne.set_now(T1100);
    let out = team.base().join("site");
    let out_arg = out.to_str().expect("utf-8");
    let run = suzanne.run(&["publish", "--out", out_arg]);
    assert_eq!(run.code, 1, "publish behind the remote: {}", run.stderr);
    assert!(
        run.stderr.contains('1') && run.stderr.contains("behind"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("medreview sync"), "{}", run.stderr);
    assert!(run.stderr.contains("--offline"), "{}", run.stderr);
    assert!(!out.exists(), "a refused publish writes nothing");

    let text = suzanne.ok(&["status"]);
    let line = text
        .stdout
        .lines()
        .chain(text.stderr.lines())
        .find(|l| l.contains("origin/main"))
        .unwrap_or_else(|| panic!("no remote line:\n{}{}", text.stdout, text.stderr))
        .to_owned();
    assert!(
        line.contains("1 behind") && line.contains("0 ahead"),
        "{line}"
    );

    // A local commit on top: 1 behind, 1 ahead.
    suzanne.submit_edit(R2_LINE, "Adds a question.");
    let status = json(&suzanne.ok(&["status", "--json"]).stdout);
    assert_eq!(
        status["remote"],
        value!({"name": "origin", "branch": "main", "ahead": 1, "behind": 1}),
        "{status:#}"
    );
    let run = suzanne.run(&["publish", "--out", out_arg]);
    assert_eq!(run.code, 1, "diverged is behind too: {}", run.stderr);
    assert!(!out.exists());

    suzanne.ok(&["publish", "--out", out_arg, "--offline"]);
    assert!(
        out.join("manifest.json").is_file(),
        "--offline publishes anyway"
    );
}

/// Without a remote-tracking ref `status --json` has `"remote": null`, the text
/// says nothing about ahead/behind, and publish is not refused.
#[test]
fn status_without_a_remote_tracking_ref_has_a_null_remote() {
    let team = Team::new();
    let mut ana = team.clone_for(ANA);
    ana.git(&["remote", "remove", "origin"]);
    let status = json(&ana.ok(&["status", "--json"]).stdout);
    assert!(status.get("remote").is_some(), "{status:#}");
    assert_eq!(status["remote"], Value::Null, "{status:#}");
    let text = ana.ok(&["status"]);
    assert!(!text.stdout.contains("behind") && !text.stderr.contains("behind"));
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    let out = team.base().join("site");
    ana.ok(&["publish", "--out", out.to_str().expect("utf-8")]);
}

/// `approve --sync` pushes; `sync.auto: true` makes a plain approve push and
/// `--no-sync` turns it off.
#[test]
fn sync_flag_and_sync_auto_push_and_no_sync_does_not() {
    let (team, _, mut ana, _) = team(2);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate.", "--sync"]);
    assert_eq!(team.remote_head(), ana.head(), "--sync pushed");

    let team = Team::new();
    let suzanne = team.clone_for(SUZANNE);
    suzanne.commit_config(
        &|text| format!("{text}sync:\n  remote: origin\n  auto: true\n"),
        "Sync every sign-off",
    );
    suzanne.push();
    let mut ana = team.clone_for(ANA);
    let mut david = team.clone_for(DAVID);
    ana.set_now(T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    assert_eq!(team.remote_head(), ana.head(), "sync.auto pushed");

    let remote = team.remote_head();
    let david_before = david.head();
    david.set_now(T0930);
    david.ok(&["approve", SLUG, "-m", "Agree.", "--no-sync"]);
    assert_eq!(team.remote_head(), remote, "--no-sync did not push");
    // Recorded locally, on his own old view: --no-sync did not fetch either.
    assert_eq!(david.rev("HEAD~1").as_ref(), Some(&david_before));
    assert_eq!(david.rev("refs/remotes/origin/main"), Some(david_before));
}

/// Regression: `--sync` in a clone that has diverged from the remote must refuse
/// before recording anything (no commit, no file), pointing at `medreview sync`.
#[test]
fn sync_flag_when_diverged_refuses_before_recording() {
    let (team, suzanne, mut ana, _) = team(1);
    ana.git(&["commit", "-q", "--allow-empty", "-m", "A local note"]);
    suzanne.commit_config(
        &|text| text.replace("interval_months: 12", "interval_months: 24"),
        "Review every two years",
    );
    suzanne.push();
    let remote = team.remote_head();
    let before = ana.snapshot();
    ana.set_now(T0900);
    let run = ana.run(&["approve", SLUG, "-m", "Accurate.", "--sync"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("medreview sync"), "{}", run.stderr);
    assert_eq!(ana.snapshot(), before, "nothing was recorded");
    assert_eq!(team.remote_head(), remote);
}

/// `--sync` when the remote cannot be reached for the push after the sign-off was
/// committed: exit 0, a warning to run `medreview sync`, the sign-off kept locally.
#[test]
fn sync_flag_with_an_unreachable_push_keeps_the_signoff_and_warns() {
    let team = Team::new();
    let mut ana = team.clone_for(ANA);
    let dead = format!(
        "git://127.0.0.1:{}/remote.git",
        crate::common::team::free_port()
    );
    ana.git(&["config", "remote.origin.pushurl", &dead]);
    let remote = team.remote_head();
    let before = ana.head();
    ana.set_now(T0900);
    let run = ana.run(&["approve", SLUG, "-m", "Accurate.", "--sync"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("medreview sync"), "{}", run.stderr);
    assert_eq!(team.remote_head(), remote, "nothing reached the remote");
    assert_ne!(ana.head(), before, "the sign-off is committed locally");
    assert_eq!(ana.git(&["status", "--porcelain"]), "");
    assert_eq!(state(&ana), ("approved".to_owned(), Some(1)));
    assert_eq!(
        actions(&ana).last(),
        Some(&("approved".to_owned(), ANA.id.to_owned()))
    );
}

/// Later: a request for changes made at T1200 on a fast-forwarded clone lands.
#[test]
fn sync_flag_fast_forwards_first_then_records_on_top() {
    let (team, mut suzanne, mut ana, _) = team(1);
    suzanne.set_now(T0900);
    suzanne.submit_edit(R2_LINE, "Adds a question.");
    suzanne.push();
    ana.set_now(T1200);
    ana.ok(&[
        "request-changes",
        SLUG,
        "-m",
        "Point 2 needs a source.",
        "--sync",
    ]);
    assert_eq!(team.remote_head(), ana.head());
    assert_eq!(ana.head_parents(), 1);
    assert_eq!(state(&ana).0, "changes-requested");
    let log = ana.log();
    let last = log["entries"].as_array().expect("entries").last().cloned();
    assert_eq!(
        last.map(|e| e["revision_number"].clone()),
        Some(value!(2)),
        "the decision is on r2, seen after the fast-forward"
    );
}
