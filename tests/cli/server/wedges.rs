//! "Nobody is ever wedged" (issue 22): clocks, rebased submissions, refusals of the
//! gate, routine drops, a writer who had not synced and the server's refs, each
//! tried by a team on a real `git daemon` with the gate installed. Every scenario
//! ends with `sync`, `check` and `publish` green in every clone, and nothing in the
//! record lost.

use std::path::PathBuf;

use serde_json::Value;

use super::fixture::{ANA, DAVID, Daemon, Member, Person, R2_LINE, SUZANNE, Team};
use super::http::GitDaemon;
use super::{EVE, SERVER_NOW, T0900, audited_bundle, clone_over, gated, install, remote_main};
use crate::common::{ARTICLE, Run, SLUG, json};

/// A gated remote served by `git daemon` on the machine's real clock (the server's
/// clock is the real one; clones are set off it with `Member::set_skew`).
fn gated_real_clock() -> Option<(Team, GitDaemon)> {
    let team = Team::from_bundle(audited_bundle());
    install(&team);
    let daemon = GitDaemon::start(team.base(), &[])?;
    Some((team, daemon))
}

/// `person`'s clone of the daemon's remote in folder `folder`, on the real clock
/// off by `skew` seconds.
fn clone_skewed(
    team: &Team,
    daemon: &GitDaemon,
    person: Person,
    folder: &str,
    skew: i64,
) -> Member {
    let mut member = team.clone_from(&daemon.url("remote.git"), person, folder);
    member.set_skew(skew);
    member
}

/// The doctors' licenses renewed by the admin (so sign-offs on the real clock
/// count whenever this runs), shared.
fn renew_licenses(eve: &Member) {
    for id in [ANA.id, DAVID.id] {
        eve.ok(&["reviewer", "edit", id, "--license-expires", "2099-12-31"]);
    }
    eve.ok(&["sync"]);
}

/// Where `member` publishes (outside the clone).
fn site(team: &Team, member: &Member) -> PathBuf {
    team.base().join(format!(
        "site-{}",
        member
            .dir()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("x")
    ))
}

/// `sync`, `check` and `publish` all succeed in the clone, and sync set nothing aside.
#[track_caller]
fn green(team: &Team, member: &Member) {
    let sync = member.run(&["sync", "--json"]);
    assert_eq!(
        sync.code, 0,
        "{}: sync is not green:\n{}{}",
        member.person.id, sync.stdout, sync.stderr
    );
    assert_eq!(json(&sync.stdout)["dropped"], serde_json::json!([]));
    let check = member.run(&["check"]);
    assert_eq!(
        check.code, 0,
        "{}: check is not green:\n{}{}",
        member.person.id, check.stdout, check.stderr
    );
    let out = site(team, member);
    let out = out.to_str().expect("utf-8 path");
    let publish = member.run(&["publish", "--out", out]);
    assert_eq!(
        publish.code, 0,
        "{}: publish is not green:\n{}{}",
        member.person.id, publish.stdout, publish.stderr
    );
}

/// `sync --json`: the run and its document.
fn sync_json(member: &Member) -> (Run, Value) {
    let run = member.run(&["sync", "--json"]);
    let doc = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: no JSON ({e}):\n{}\n{}",
            member.person.id, run.stdout, run.stderr
        )
    });
    (run, doc)
}

/// Why sync set the first thing aside, from its JSON.
fn reason(doc: &Value) -> String {
    doc["dropped"][0]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The (action, by) of every entry on the remote's main, sorted.
fn remote_record(member: &Member) -> Vec<(String, String)> {
    member.ok(&["sync"]);
    let mut all: Vec<(String, String)> = member.log()["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["by"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    all.sort();
    all
}

/// Whether `run` reads as a network hiccup (a refusal must never).
fn says_network(run: &Run) -> bool {
    run.stderr.contains("when the remote can be reached")
}

/// Regression (issue 22, 1 and 3): one person's clock ahead or behind by ten
/// minutes, two hours or a day never stops another person's sync, check or
/// publish. The fast doctor's approval is accepted within the gate's tolerance and
/// the next person's commit after it stays valid; beyond it the gate refuses it,
/// sync sets it aside and says her clock is off, and she records again at once. The
/// slow doctor still syncs (the others' fresh entries are "in the future" for him:
/// a warning) and is told the same.
#[test]
fn clocks_ten_minutes_two_hours_or_a_day_off_wedge_nobody() {
    for offset in [600_i64, 2 * 3600, 24 * 3600] {
        let Some((team, daemon)) = gated_real_clock() else {
            return;
        };
        let eve = clone_skewed(&team, &daemon, EVE, EVE.id, 0);
        renew_licenses(&eve);
        let mut ana = clone_skewed(&team, &daemon, ANA, ANA.id, offset);
        let suzanne = clone_skewed(&team, &daemon, SUZANNE, SUZANNE.id, 0);
        let mut david = clone_skewed(&team, &daemon, DAVID, DAVID.id, -offset);
        let within = offset <= 30 * 60;

        // Ana, her clock ahead, approves r1 and shares it.
        let run = ana.run(&["approve", SLUG, "-m", "Accurate.", "--sync"]);
        if within {
            assert_eq!(run.code, 0, "{offset}: {}", run.stderr);
        } else {
            assert_eq!(run.code, 1, "{offset}: {}", run.stderr);
            assert!(run.stderr.contains("[server-time]"), "{}", run.stderr);
            assert!(run.stderr.contains("clock is off"), "{}", run.stderr);
            assert!(!says_network(&run), "{}", run.stderr);
            assert_eq!(
                ana.head(),
                remote_main(&team),
                "set aside, not left to push again"
            );
            // She can record again at once, her clock set right.
            ana.set_skew(0);
            ana.ok(&["approve", SLUG, "-m", "Accurate.", "--sync"]);
        }

        // Suzanne, clock right, writes r2 after it with plain git: the rebased
        // commit may be dated before its fast parent, which is a warning only.
        suzanne.ok(&["sync"]);
        suzanne.submit_edit(R2_LINE, "Duration of therapy.");
        suzanne.sync(true);
        suzanne.ok(&["sync"]);

        // David, his clock behind, syncs (the others' entries are in his future)
        // and approves r2.
        let run = david.run(&["sync"]);
        assert_eq!(
            run.code, 0,
            "{offset}: the slow clone must sync: {}",
            run.stderr
        );
        if !within {
            assert!(run.stderr.contains("in-the-future"), "{}", run.stderr);
        }
        let run = david.run(&["approve", SLUG, "-m", "Fine.", "--sync"]);
        if within {
            assert_eq!(run.code, 0, "{offset}: {}", run.stderr);
        } else {
            assert_eq!(run.code, 1, "{offset}: {}", run.stderr);
            assert!(run.stderr.contains("clock is off"), "{}", run.stderr);
            assert!(!says_network(&run), "{}", run.stderr);
            david.set_skew(0);
            david.ok(&["approve", SLUG, "-m", "Fine.", "--sync"]);
        }

        for member in [&eve, &ana, &suzanne, &david] {
            green(&team, member);
        }
        let status = david.status();
        assert_eq!(status["state"], "approved", "{offset}: {status:#}");
        let record = remote_record(&eve);
        for (action, by) in [
            ("approved", ANA.id),
            ("approved", DAVID.id),
            ("submitted", SUZANNE.id),
        ] {
            assert!(
                record.contains(&(action.to_owned(), by.to_owned())),
                "{offset}: {record:?}"
            );
        }
    }
}

/// Regression (issue 22, 2 and 7): two copies submit different texts. sync sets the
/// later one aside (never a rebased submission naming a text no commit carries),
/// keeps her text and says how to submit it again, which works. Following the plain
/// git route instead (`git pull --rebase`, settle the article), her own `check`
/// reports what the gate refuses (`revision-not-carried`), sync sets it aside, and
/// she submits again.
#[test]
fn a_submission_whose_text_was_superseded_is_set_aside_and_submitted_again() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let office = clone_over(&team, &daemon, SUZANNE, T0900);
    let mut laptop = team.clone_from(&daemon.url("remote.git"), SUZANNE, "suzanne-laptop");
    laptop.set_now(T0900);
    let mut tablet = team.clone_from(&daemon.url("remote.git"), SUZANNE, "suzanne-tablet");
    tablet.set_now(T0900);

    office.submit_edit("A line from the office.", "Office edit.");
    office.ok(&["sync"]);

    // sync's own route.
    laptop.submit_edit("A line from the laptop.", "Laptop edit.");
    let (run, doc) = sync_json(&laptop);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(doc["dropped"][0]["action"], "submitted", "{doc:#}");
    assert!(reason(&doc).contains("git show"), "{doc:#}");
    assert_eq!(laptop.head(), remote_main(&team));
    let kept = doc["dropped"][0]["commit"]
        .as_str()
        .expect("commit")
        .to_owned();
    let hers = laptop.git(&["show", &format!("{kept}:{ARTICLE}")]);
    assert!(hers.contains("A line from the laptop."));
    let mut merged = laptop.read(ARTICLE);
    merged.push_str("A line from the laptop.\n");
    laptop.write(ARTICLE, &merged);
    laptop.ok(&["submit", SLUG, "-m", "Laptop edit, on top of the office's."]);
    laptop.ok(&["sync"]);

    // The plain git route: rebase, settle the article by hand.
    tablet.submit_edit("A line from the tablet.", "Tablet edit.");
    let out = tablet.git_output(&["pull", "--rebase"]);
    assert!(!out.status.success(), "the article conflicts");
    let mut settled = tablet.git(&["show", &format!("origin/main:{ARTICLE}")]);
    settled.push_str("A line from the tablet.\n");
    tablet.write(ARTICLE, &settled);
    tablet.git(&["add", ARTICLE]);
    let out = tablet.git_output(&["-c", "core.editor=true", "rebase", "--continue"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        tablet
            .check_codes()
            .contains(&"revision-not-carried".to_owned()),
        "her own check agrees with the gate"
    );
    let (run, doc) = sync_json(&tablet);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(reason(&doc).contains("revision-not-carried"), "{doc:#}");
    assert!(!says_network(&run), "{}", run.stderr);
    assert_eq!(doc["dropped"][0]["action"], "submitted", "{doc:#}");
    assert_eq!(tablet.head(), remote_main(&team));
    tablet.check_clean();
    tablet.write(ARTICLE, &settled);
    tablet.ok(&["submit", SLUG, "-m", "Tablet edit, again."]);
    tablet.ok(&["sync"]);

    for member in [&office, &laptop, &tablet] {
        green(&team, member);
    }
}

/// Regression (issue 22, 4): the doctor ran `check` (moving its checkpoint), then
/// sync dropped her approval because r2 had landed. Her `check` reported
/// `history-rewritten` and her publish refused; now sync moves the checkpoint into
/// HEAD's history and says what it dropped.
#[test]
fn a_routine_drop_keeps_the_doctors_check_green() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    let suzanne = clone_over(&team, &daemon, SUZANNE, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate."]);
    ana.check_clean();
    suzanne.submit_edit(R2_LINE, "Duration of therapy.");
    suzanne.ok(&["sync"]);

    let (run, doc) = sync_json(&ana);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(doc["dropped"][0]["action"], "approved", "{doc:#}");
    assert!(reason(&doc).contains("newer revision"), "{doc:#}");
    ana.check_clean();
    ana.ok(&["approve", SLUG, "-m", "Accurate, with the new line."]);
    for member in [&ana, &suzanne] {
        green(&team, member);
    }
    assert_eq!(ana.status()["state"], "approved");
}

/// Regression (issue 22, 5): r1 approved and published; the writer, last synced
/// before the approval, submits r2 and syncs. Shared, her submission (which did not
/// see the approval) would stop the approval from counting and take the page down;
/// sync sets it aside before pushing, says so, leaves her text in the article, and
/// her submission made again keeps r1 published while r2 is in review.
#[test]
fn a_writer_who_had_not_synced_never_takes_a_live_page_down() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let suzanne = clone_over(&team, &daemon, SUZANNE, T0900);
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate.", "--sync"]);
    green(&team, &ana);
    let page = site(&team, &ana).join(format!("{SLUG}.html"));
    let listed = |m: &Member| {
        std::fs::read_dir(site(&team, m))
            .map(|d| d.count())
            .unwrap_or_default()
    };
    assert!(listed(&ana) > 0, "{}", page.display());

    suzanne.submit_edit(R2_LINE, "Duration of therapy.");
    let (run, doc) = sync_json(&suzanne);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(doc["dropped"][0]["action"], "submitted", "{doc:#}");
    assert!(reason(&doc).contains("out of publication"), "{doc:#}");
    assert!(reason(&doc).contains("medreview submit"), "{doc:#}");
    assert!(
        suzanne.read(ARTICLE).contains(R2_LINE),
        "her text is left to submit"
    );
    suzanne.ok(&["submit", SLUG, "-m", "Duration of therapy."]);
    suzanne.ok(&["sync"]);

    for member in [&ana, &suzanne] {
        green(&team, member);
        let status = member.status();
        assert_eq!(status["state"], "in-review", "{status:#}");
        assert_eq!(status["publishable"]["revision"]["number"], 1, "{status:#}");
    }
}

/// Regression (issue 22, 6): the server's `refs/medreview/checked` is moved by the
/// gate alone, to what it verified; on a server without the gate, a checkpoint
/// moved off main is not trusted (a warning), and every clone still syncs.
#[test]
fn the_servers_checkpoint_is_the_gates_and_an_untrusted_one_wedges_nobody() {
    let Some((team, daemon)) = gated(SERVER_NOW, &[]) else {
        return;
    };
    let ana = clone_over(&team, &daemon, ANA, T0900);
    ana.ok(&["approve", SLUG, "-m", "Accurate.", "--sync"]);
    let checked = team.git_remote(&["rev-parse", "refs/medreview/checked"]);
    assert_eq!(
        String::from_utf8_lossy(&checked.stdout).trim(),
        remote_main(&team),
        "the gate moved it to what it verified"
    );

    // Without the gate, someone moves the server's checkpoint off main.
    let team = Team::new();
    let daemon = Daemon::start(team.base());
    let url = daemon.url("remote.git");
    let writer = team.clone_from(&url, SUZANNE, "suzanne");
    let doctor = team.clone_from(&url, ANA, "ana");
    writer.ok(&["sync"]);
    writer.git(&["commit", "-q", "--allow-empty", "-m", "off main"]);
    writer.git(&["push", "-q", "origin", "HEAD:refs/medreview/checked"]);
    writer.git(&["reset", "-q", "--hard", "origin/main"]);
    let run = doctor.run(&["sync"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("was not trusted"), "{}", run.stderr);
    doctor.ok(&["approve", SLUG, "-m", "Accurate.", "--sync"]);
    for member in [&writer, &doctor] {
        green(&team, member);
    }
}
