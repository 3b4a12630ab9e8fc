//! Issue 23, items 1–3: a doctor's signature is hers alone. Her key changes are
//! signed with her own key; admins reset a lost one only together, visibly; a
//! replaced key signs nothing after; a removed admin's roster changes made as if
//! before his removal count for nothing; and an approval recorded after its
//! signer's license ended is refused in every clone, however it is dated.

use crate::common::{SLUG, TestEnv, fixture, public_key, ssh_keygen};

/// A private fixture key, readable only by its owner (as ssh-keygen requires).
fn private_key(env: &TestEnv, name: &str) -> String {
    let path = env.outside(name);
    std::fs::copy(fixture(name), &path).expect("copy the key");
    let mut perms = std::fs::metadata(&path).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(&path, perms).expect("chmod");
    path.to_str().expect("utf-8 path").to_owned()
}

/// Makes git's `user.email` (who acts) `email`.
fn as_person(env: &TestEnv, email: &str) {
    env.git(&["config", "user.email", email]);
}

/// The seeded workspace, audited with rosa-editor (the runner) as its first admin,
/// ana-example's own key enrolled, and r1 submitted by suzanne-example.
fn audited(env: &mut TestEnv) {
    env.ok(&[
        "writer",
        "add",
        "rosa-editor",
        "--name",
        "Rosa Editor",
        "--email",
        "runner@example.org",
    ]);
    env.ok(&["admin", "add", "rosa-editor"]);
    // Her first key: an admin enrols it (there is no earlier key to sign with).
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--public-key",
        &public_key("ana_ed25519"),
    ]);
    as_person(env, "suzanne@example.org");
    env.ok(&["submit", SLUG, "-m", "First draft."]);
    as_person(env, "runner@example.org");
}

/// The state `status --json` gives the seeded article.
fn state(env: &TestEnv) -> String {
    let status = crate::common::json(&env.ok(&["status", "--json"]).stdout);
    status["articles"][0]["state"]
        .as_str()
        .expect("a state")
        .to_owned()
}

/// Whether `publish` puts the seeded article on the site.
fn published(env: &TestEnv) -> bool {
    let out = env.outside("site");
    let _ = std::fs::remove_dir_all(&out);
    let run = env.run(&["publish", "--out", out.to_str().expect("utf-8")]);
    run.code == 0 && out.join(format!("{SLUG}.html")).exists()
}

#[test]
fn an_admin_cannot_replace_a_doctors_key_alone_and_a_reset_takes_two_admins() {
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = TestEnv::seeded();
    audited(&mut env);
    env.ok(&["admin", "add", "david-okafor"]);
    let thief = public_key("suzanne_ed25519");
    // The admin swaps in his own key: refused, and nothing is committed.
    let head = env.head();
    let err = env.refuse(&["reviewer", "edit", "ana-example", "--public-key", &thief]);
    assert!(err.contains("without ana-example's signature"), "{err}");
    assert!(err.contains("reset-key"), "{err}");
    assert_eq!(env.head(), head);
    // A reset by one admin is recorded, visibly, and waits for a second one.
    let run = env.ok(&[
        "reviewer",
        "reset-key",
        "ana-example",
        "--public-key",
        &thief,
    ]);
    assert!(run.stderr.contains("does not apply yet"), "{}", run.stderr);
    let check = env.run(&["check", "--json"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("key-reset-waiting"),
        "{}",
        check.stdout
    );
    // Until then the new key signs nothing as her.
    env.set_now(crate::common::NEXT_DAY);
    as_person(&env, "ana@example.org");
    let key = private_key(&env, "suzanne_ed25519");
    let err = env.refuse(&["approve", SLUG, "-m", "ok", "--key", &key]);
    assert!(!err.is_empty());
    assert_eq!(state(&env), "in-review");
    // A second admin makes the same reset: it applies, and says who made it.
    as_person(&env, "david@example.org");
    let run = env.ok(&[
        "reviewer",
        "reset-key",
        "ana-example",
        "--public-key",
        &thief,
    ]);
    assert!(run.stderr.contains("Reset the key"), "{}", run.stderr);
    as_person(&env, "ana@example.org");
    env.ok(&["approve", SLUG, "-m", "ok", "--key", &key]);
    assert_eq!(state(&env), "approved");
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.contains("key reset on") && log.contains("david-okafor, rosa-editor"),
        "{log}"
    );
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn a_doctor_rotates_her_own_key_and_the_old_one_signs_nothing_after_on_any_branch() {
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = TestEnv::seeded();
    audited(&mut env);
    let main = env
        .git(&["rev-parse", "--abbrev-ref", "HEAD"])
        .trim()
        .to_owned();
    // A branch forked before the rotation, where the thief will work.
    env.git(&["branch", "before-rotation"]);
    // The doctor rotates her own key, signing the change with her current key;
    // she is no admin, and needs none.
    as_person(&env, "ana@example.org");
    let old = private_key(&env, "ana_ed25519");
    env.ok(&[
        "reviewer",
        "edit",
        "ana-example",
        "--public-key",
        &public_key("suzanne_ed25519"),
        "--key",
        &old,
    ]);
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    // The thief, with the old key, approves on the old branch, dated after the
    // rotation, and merges it in.
    env.set_now(crate::common::NEXT_DAY);
    env.git(&["checkout", "-q", "before-rotation"]);
    env.ok(&["approve", SLUG, "-m", "ok", "--key", &old]);
    env.git(&["checkout", "-q", &main]);
    env.git(&["merge", "-q", "--no-edit", "before-rotation"]);
    assert_eq!(state(&env), "in-review");
    let check = env.run(&["check"]);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("replaced on"), "{}", check.stdout);
    assert!(!published(&env));
}

/// The roster entry id the last commit added.
fn last_roster_entry(env: &TestEnv) -> String {
    env.changed_files(&env.head())
        .into_iter()
        .find_map(|f| {
            f.strip_prefix("roster/")
                .and_then(|n| n.strip_suffix(".yaml"))
                .map(str::to_owned)
        })
        .expect("a roster entry")
}

#[test]
fn a_removed_admin_writing_as_if_before_his_removal_changes_nothing() {
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = TestEnv::seeded();
    audited(&mut env);
    env.ok(&["admin", "add", "david-okafor"]);
    let before_removal = last_roster_entry(&env);
    env.ok(&["admin", "remove", "david-okafor"]);
    // David, removed, writes a roster entry claiming to come after the roster as
    // it was before his removal, putting his own key and email in ana's file.
    let ana = env.read("reviewers/ana-example.yaml");
    let forged = ana
        .replace(&public_key("ana_ed25519"), &public_key("suzanne_ed25519"))
        .replace("ana@example.org", "david@example.org");
    env.write("reviewers/ana-example.yaml", &forged);
    let blob = env.git(&["hash-object", "-w", "reviewers/ana-example.yaml"]);
    let entry = medreview_core::roster::log::RosterEntry {
        by: medreview_core::ids::Id::parse("id", "david-okafor").expect("id"),
        at: chrono::DateTime::parse_from_rfc3339("2025-03-05T09:00:00-05:00").expect("time"),
        after: vec![medreview_core::ledger::entry::EntryId::parse(&before_removal).expect("id")],
        files: [(
            "reviewers/ana-example.yaml".to_owned(),
            medreview_store::revision::RevId::parse(blob.trim()).expect("blob"),
        )]
        .into_iter()
        .collect(),
        voids: Default::default(),
        note: Some("update ana's key".into()),
        signature: None,
    };
    let (id, bytes) = entry.to_file();
    env.write_bytes(&format!("roster/{}", id.file_name()), &bytes);
    as_person(&env, "david@example.org");
    env.git(&["add", "-A"]);
    env.git(&["commit", "-q", "-m", "update ana's key"]);
    // It counts nowhere: check names it, and ana's key stays hers.
    let check = env.run(&["check"]);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(
        check
            .stdout
            .contains("took the admin role from david-okafor"),
        "{}",
        check.stdout
    );
    env.set_now(crate::common::NEXT_DAY);
    let thief = private_key(&env, "suzanne_ed25519");
    let run = env.run(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "-m",
        "ok",
        "--key",
        &thief,
    ]);
    assert_ne!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(state(&env), "in-review");
    assert!(!published(&env));
}

/// The seeded article, approved by ana on a branch forked before her license ended
/// (2027-06-30), dated the day before the end, brought onto main by `bring` after
/// an admin added a writer there, days after the end.
fn approved_offline_and_brought_in_after_the_end(bring: &[&str]) -> TestEnv {
    let mut env = TestEnv::seeded();
    audited(&mut env);
    let main = env
        .git(&["rev-parse", "--abbrev-ref", "HEAD"])
        .trim()
        .to_owned();
    env.git(&["branch", "offline"]);
    env.set_now("2027-07-02T09:00:00-04:00");
    env.ok(&["writer", "add", "sam-lee", "--name", "Sam Lee"]);
    env.git(&["checkout", "-q", "offline"]);
    env.set_now("2027-06-29T09:00:00-04:00");
    as_person(&env, "ana@example.org");
    env.ok(&["approve", SLUG, "-m", "ok"]);
    let approval = env.head();
    env.git(&["checkout", "-q", &main]);
    let mut args: Vec<&str> = bring.to_vec();
    args.push(&approval);
    env.git(&args);
    as_person(&env, "runner@example.org");
    env.set_now("2027-07-03T09:00:00-04:00");
    env
}

#[test]
fn an_approval_recorded_after_the_license_ended_is_refused_however_it_is_dated() {
    // Replayed onto main (what a rebase or `sync` does).
    refused_then_voided(&approved_offline_and_brought_in_after_the_end(&[
        "cherry-pick",
    ]));
    // Before the end, merged as it was made, it is ordinary work: counted.
    let mut env = TestEnv::seeded();
    audited(&mut env);
    env.set_now("2027-06-29T09:00:00-04:00");
    as_person(&env, "ana@example.org");
    env.ok(&["approve", SLUG, "-m", "ok"]);
    as_person(&env, "runner@example.org");
    env.set_now("2027-07-02T09:00:00-04:00");
    env.ok(&["writer", "add", "sam-lee", "--name", "Sam Lee"]);
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn an_approval_merged_in_after_the_license_ended_is_refused_however_it_is_dated() {
    // Made on a branch forked before the end, merged after it: judged on main's
    // roster, as a replay is.
    refused_then_voided(&approved_offline_and_brought_in_after_the_end(&[
        "merge",
        "-q",
        "--no-edit",
    ]));
}

/// `check`, `status` and `publish` refuse the approval recorded after the end;
/// an admin's `repair --yes` voids it, and all three are green again, the
/// article unapproved.
fn refused_then_voided(env: &TestEnv) {
    let check = env.run(&["check"]);
    assert_eq!(check.code, 1, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("recorded-after-end") && check.stdout.contains("license had expired"),
        "{}",
        check.stdout
    );
    let status = env.run(&["status"]);
    assert!(
        status.stderr.contains("recorded-after-end"),
        "{}",
        status.stderr
    );
    assert!(!published(env));
    let repair = env.run(&["repair", "--yes"]);
    assert_eq!(repair.code, 0, "{}{}", repair.stdout, repair.stderr);
    let check = env.run(&["check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        check.stdout.contains("voided by rosa-editor"),
        "{}",
        check.stdout
    );
    assert_eq!(state(env), "in-review");
    env.ok(&[
        "publish",
        "--out",
        env.outside("site2").to_str().expect("utf-8"),
    ]);
}
