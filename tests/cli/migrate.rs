//! `medreview migrate`: a format-1 workspace (one `signoffs.yaml` per article,
//! signed entries included) becomes format 2 in one commit that `check` accepts,
//! and nothing else that moves or removes entries is accepted.

use chrono::DateTime;
use medreview_core::ids::Id;
use medreview_core::record::entry::{Action, Entry};
use medreview_core::signing::SigningKey;
use medreview_store::revision::RevId;

use crate::common::{ARTICLE, NEXT_DAY, SLUG, START, TestEnv, fixture, json, ssh_keygen};

const LEGACY: &str = "articles/her2-treatment/signoffs.yaml";

/// One format-1 entry as `signoffs.yaml` held it.
struct Old {
    action: Action,
    by: &'static str,
    at: &'static str,
    note: &'static str,
    signed: bool,
}

/// A workspace whose record was written by a format-1 medreview: r1 submitted and
/// sent back, r2 submitted and approved with a signature over the version 1 text,
/// each entry committed the way format 1 committed it.
fn format_1_workspace() -> (TestEnv, Vec<Old>) {
    let env = TestEnv::seeded();
    let public = std::fs::read_to_string(fixture("ana_ed25519.pub")).expect("public key");
    env.append(
        "reviewers/ana-example.yaml",
        &format!("public_key: {}\n", public.trim()),
    );
    env.git(&["commit", "-q", "-am", "ana's key"]);
    let signing_key = SigningKey::load(&fixture("ana_ed25519")).expect("fixture key");
    let olds = vec![
        Old {
            action: Action::Submitted,
            by: "suzanne-example",
            at: START,
            note: "First draft.",
            signed: false,
        },
        Old {
            action: Action::ChangesRequested,
            by: "david-okafor",
            at: NEXT_DAY,
            note: "Cite the trial.",
            signed: false,
        },
        Old {
            action: Action::Submitted,
            by: "suzanne-example",
            at: "2025-03-05T09:00:00-05:00",
            note: "Cited.",
            signed: false,
        },
        Old {
            action: Action::Approved,
            by: "ana-example",
            at: "2025-03-06T09:00:00-05:00",
            note: "Accurate.",
            signed: true,
        },
    ];
    let mut text =
        "# Sign-off ledger, written by medreview. Append-only: do not edit by hand.\n".to_owned();
    let mut revision = String::new();
    for (i, old) in olds.iter().enumerate() {
        if old.action == Action::Submitted {
            if i > 0 {
                env.append(ARTICLE, "\nThe KATHERINE trial showed the benefit.\n");
            }
            revision = env.hash_object(ARTICLE);
        }
        let mut entry_text = format!(
            "- action: {}\n  by: {}\n  at: {}\n  revision: {revision}\n  note: {}\n",
            old.action, old.by, old.at, old.note
        );
        if old.signed {
            let entry = Entry {
                action: old.action,
                by: Id::parse("id", old.by).expect("id"),
                at: DateTime::parse_from_rfc3339(old.at).expect("time"),
                revision: RevId::parse(&revision).expect("rev"),
                after: Vec::new(),
                note: Some(old.note.to_owned()),
                recorded_by: None,
                roster: Vec::new(),
                clock: None,
                format: Some(1),
                viewed: None,
                meaning: None,
                name: None,
                credentials: None,
                change: None,
                schedule: None,
                signature: None,
            };
            let slug = Id::parse("slug", SLUG).expect("slug");
            let pem = signing_key
                .sign(&slug, &entry, &entry.by, Some(public.trim()))
                .expect("sign over the v1 text");
            entry_text.push_str("  signature: |\n");
            for line in pem.lines() {
                entry_text.push_str(&format!("    {line}\n"));
            }
        }
        text.push_str(&entry_text);
        env.write(LEGACY, &text);
        env.git(&["add", ARTICLE, LEGACY]);
        env.git(&[
            "commit",
            "-q",
            "-m",
            &format!("{} {SLUG}", old.action.verb()),
            "--date",
            old.at,
        ]);
    }
    (env, olds)
}

#[test]
fn every_command_on_a_format_1_workspace_says_to_migrate() {
    // The format-1 signatures are made by ssh-keygen.
    if ssh_keygen().is_none() {
        return;
    }
    let (env, _) = format_1_workspace();
    for args in [
        &["status", SLUG][..],
        &["log", SLUG][..],
        &["approve", SLUG, "--as", "ana-example"][..],
        &["publish", "--out", "public"][..],
    ] {
        let err = env.refuse(args);
        assert!(
            err.contains("is a format-1 ledger") && err.contains("medreview migrate"),
            "{args:?}: {err}"
        );
    }
    let run = check_fails(&env);
    assert!(run.stdout.contains("format-1 ledger"), "{}", run.stdout);
}

#[test]
fn migrate_keeps_every_entry_and_signature_in_one_commit_that_check_accepts() {
    // The format-1 signatures are made by ssh-keygen.
    if ssh_keygen().is_none() {
        return;
    }
    let (mut env, olds) = format_1_workspace();
    let before = env.commit_count();
    let run = env.ok(&["migrate"]);
    assert!(
        run.stderr
            .contains("Migrated 4 sign-offs of 1 article to format 2"),
        "{}",
        run.stderr
    );
    assert_eq!(env.commit_count(), before + 1, "one commit");
    let changed = env.changed_files("HEAD");
    assert_eq!(changed.len(), 5, "{changed:?}");
    assert!(changed.contains(&LEGACY.to_owned()));
    assert!(!env.root().join(LEGACY).exists());
    assert_eq!(env.porcelain(), "");

    // The same history, oldest first, each entry linked to the one before it.
    let entries = env.entries(SLUG);
    assert_eq!(entries.len(), 4);
    for (i, ((id, entry), old)) in entries.iter().zip(&olds).enumerate() {
        assert_eq!(entry.action, old.action);
        assert_eq!(entry.by.as_str(), old.by);
        assert_eq!(medreview_core::clock::rfc3339(&entry.at), old.at);
        assert_eq!(entry.note.as_deref(), Some(old.note));
        assert_eq!(entry.format, Some(1));
        assert_eq!(entry.signature.is_some(), old.signed);
        let expected_after: Vec<String> = entries[..i]
            .iter()
            .rev()
            .take(1)
            .map(|(p, _)| p.clone())
            .collect();
        let after: Vec<String> = entry.after.iter().map(ToString::to_string).collect();
        assert_eq!(after, expected_after, "{id}");
    }
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let last = &log["entries"][3];
    assert_eq!(last["signed"], true);
    assert_eq!(
        last["does_not_count"],
        serde_json::Value::Null,
        "the v1 signature verifies"
    );
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "approved");
    assert_eq!(
        status["articles"][0]["publishable"]["revision"]["number"],
        2
    );
    let check = env.ok(&["check"]);
    assert!(check.stderr.contains("no problems"), "{}", check.stderr);

    // Twice is harmless.
    let again = env.ok(&["migrate"]);
    assert!(
        again.stderr.contains("Nothing to migrate"),
        "{}",
        again.stderr
    );

    // And the record goes on in format 2 after the migrated entries.
    env.set_now("2025-03-07T09:00:00-05:00");
    env.ok(&[
        "withdraw",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "New guidance.",
    ]);
    let (_, withdrawal) = env.entries(SLUG).pop().expect("withdrawal");
    assert_eq!(withdrawal.format, None);
    assert_eq!(withdrawal.after.len(), 1);
    env.ok(&["check"]);
}

/// Regression (format 1 → 2): a format-1 signature does not cover `after:`, so a
/// copy of an old signed approval placed after a newer withdrawal would count.
#[test]
fn an_old_signature_cannot_be_replayed_after_a_newer_entry() {
    // The format-1 signatures are made by ssh-keygen.
    if ssh_keygen().is_none() {
        return;
    }
    let (mut env, _) = format_1_workspace();
    env.ok(&["migrate"]);
    env.set_now("2025-03-07T09:00:00-05:00");
    env.ok(&[
        "withdraw",
        SLUG,
        "--as",
        "david-okafor",
        "-m",
        "New guidance.",
    ]);
    let entries = env.entries(SLUG);
    let (_, approval) = entries
        .iter()
        .find(|(_, e)| e.action == Action::Approved)
        .expect("the migrated approval")
        .clone();
    let (withdrawal_id, _) = entries.last().expect("withdrawal").clone();
    let mut replay = approval;
    replay.after = vec![medreview_core::record::entry::EntryId::parse(&withdrawal_id).expect("id")];
    let rel = env.write_entry(SLUG, &replay);
    env.git(&["add", &rel]);
    env.git(&["commit", "-q", "-m", "approve again"]);
    let err = env.refuse(&["status", SLUG]);
    assert!(
        err.contains("the record of her2-treatment is damaged"),
        "{err}"
    );
    assert!(
        err.contains("is a migrated (format 1) entry after one"),
        "{err}"
    );
    let check = check_fails(&env);
    assert!(check.stdout.contains("[entry-damaged]"), "{}", check.stdout);
    assert!(
        check.stdout.contains("[migrated-entry-added]"),
        "{}",
        check.stdout
    );
    let publish = env.refuse(&["publish", "--out", "public"]);
    assert!(publish.contains("damaged"), "{publish}");
}

#[test]
fn check_accepts_only_the_conversion_that_keeps_every_entry() {
    // The format-1 signatures are made by ssh-keygen.
    if ssh_keygen().is_none() {
        return;
    }
    let (env, _) = format_1_workspace();
    // A "migration" by hand that drops the request for changes.
    env.ok(&["migrate"]);
    let request = env.signoff_path(SLUG, "changes-requested");
    env.git(&["reset", "-q", "--soft", "HEAD~1"]);
    env.git(&["rm", "-q", "--cached", &request]);
    std::fs::remove_file(env.root().join(&request)).expect("remove");
    env.git(&["commit", "-q", "-m", "migrate the record to format 2"]);
    let run = check_fails(&env);
    assert!(run.stdout.contains("[ledger-removed]"), "{}", run.stdout);
    assert!(
        run.stdout.contains("changes-requested by david-okafor at 2025-03-04T09:00:00-05:00 is not among the converted entries"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_format_1_ledger_edited_in_history_is_still_caught() {
    // The format-1 signatures are made by ssh-keygen.
    if ssh_keygen().is_none() {
        return;
    }
    // The instant stays the same, the offset changes: format 1 compared instants.
    let (env, _) = format_1_workspace();
    let text = env
        .read(LEGACY)
        .replace(&format!("at: {NEXT_DAY}"), "at: 2025-03-04T14:00:00+00:00");
    env.write(LEGACY, &text);
    env.git(&["commit", "-q", "-am", "tidy"]);
    let run = check_fails(&env);
    assert!(
        run.stdout.contains("was removed or edited [entry-edited]"),
        "{}",
        run.stdout
    );
}

/// `check` exits 1 and lists its problems on stdout.
fn check_fails(env: &TestEnv) -> crate::common::Run {
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    run
}
