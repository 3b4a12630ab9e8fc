//! SSH-signed sign-offs: made here and verified by ssh-keygen, made by ssh-keygen and
//! verified here, refused with the wrong key, and never counted when altered.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use chrono::DateTime;
use medreview::ids::Id;
use medreview::ledger::{Action, Entry};
use medreview::revision::RevId;
use medreview::signing::{self, SigningKey};
use proptest::prelude::*;

use crate::common::{LEDGER, NEXT_DAY, SLUG, START, TestEnv, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cli/fixtures")
        .join(name)
}

fn public_key(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("{name}.pub")))
        .expect("fixture public key")
        .trim()
        .to_owned()
}

/// The seeded workspace, with public keys on file for ana-example and suzanne-example.
fn with_keys() -> TestEnv {
    let env = TestEnv::seeded();
    env.append(
        "reviewers/ana-example.yaml",
        &format!("public_key: {}\n", public_key("ana_ed25519")),
    );
    env.append(
        "writers/suzanne-example.yaml",
        &format!("public_key: {}\n", public_key("suzanne_ed25519")),
    );
    env.git(&["commit", "-q", "-am", "public keys"]);
    env
}

fn key_arg(name: &str) -> String {
    fixture(name).to_str().expect("utf-8 path").to_owned()
}

fn ssh_keygen() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/ssh-keygen");
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
        "ssh-keygen is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed"
    );
    eprintln!("skipped: ssh-keygen is not installed (apt-get install openssh-client)");
    None
}

fn ledger_entries(env: &TestEnv) -> Vec<serde_json::Value> {
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    log["entries"].as_array().expect("entries").clone()
}

#[test]
fn signed_sign_offs_verify_here_and_with_ssh_keygen() {
    let mut env = with_keys();
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "--key",
        &key_arg("suzanne_ed25519"),
        "-m",
        "First draft.\nTwo lines: \"quoted\".",
    ]);
    env.set_now(NEXT_DAY);
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--key",
        &key_arg("ana_ed25519"),
        "-m",
        "Accurate.",
    ]);
    let entries = ledger_entries(&env);
    assert!(entries.iter().all(|e| e["signed"] == true), "{entries:?}");
    assert!(
        entries.iter().all(|e| e["does_not_count"].is_null()),
        "{entries:?}"
    );
    let log = env.ok(&["log", SLUG]).stdout;
    assert!(
        log.contains("approved by Ana Example (ana-example), signed"),
        "{log}"
    );
    env.ok(&["check"]);

    let Some(keygen) = ssh_keygen() else { return };
    let ledger: Vec<Entry> = serde_yaml_ledger(&env.read(LEDGER));
    let slug = Id::parse("slug", SLUG).expect("slug");
    let dir = env.outside("verify");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("allowed_signers"),
        format!(
            "ana-example {}\nsuzanne-example {}\n",
            public_key("ana_ed25519"),
            public_key("suzanne_ed25519")
        ),
    )
    .expect("allowed signers");
    for (entry, who) in ledger.iter().zip(["suzanne-example", "ana-example"]) {
        std::fs::write(dir.join("entry.txt"), signing::canonical_text(&slug, entry))
            .expect("canonical text");
        std::fs::write(
            dir.join("entry.sig"),
            entry.signature.as_deref().expect("signed"),
        )
        .expect("signature");
        let out = Process::new(&keygen)
            .args([
                "-Y",
                "verify",
                "-f",
                "allowed_signers",
                "-I",
                who,
                "-n",
                signing::NAMESPACE,
                "-s",
                "entry.sig",
            ])
            .stdin(std::fs::File::open(dir.join("entry.txt")).expect("open"))
            .current_dir(&dir)
            .output()
            .expect("run ssh-keygen");
        assert!(
            out.status.success(),
            "ssh-keygen -Y verify failed for {who}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Parses ledger text with the library, as `check` does.
fn serde_yaml_ledger(text: &str) -> Vec<Entry> {
    medreview::ledger::Ledger::parse(text, Path::new(LEDGER))
        .expect("ledger parses")
        .entries
}

#[test]
fn a_signature_made_by_ssh_keygen_verifies_here() {
    let Some(keygen) = ssh_keygen() else { return };
    let mut env = with_keys();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let revision = env.hash_object(crate::common::ARTICLE);
    // Write the approval by hand, signed by ssh-keygen over the documented canonical text.
    let entry = Entry {
        action: Action::Approved,
        by: Id::parse("id", "ana-example").expect("id"),
        at: DateTime::parse_from_rfc3339(NEXT_DAY).expect("time"),
        revision: RevId::parse(&revision).expect("rev"),
        note: Some("Checked with ssh-keygen.".into()),
        signature: None,
    };
    let slug = Id::parse("slug", SLUG).expect("slug");
    let dir = env.outside("sign");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("entry.txt"),
        signing::canonical_text(&slug, &entry),
    )
    .expect("text");
    std::fs::copy(fixture("ana_ed25519"), dir.join("key")).expect("copy key");
    let mut perms = std::fs::metadata(dir.join("key"))
        .expect("meta")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(dir.join("key"), perms).expect("chmod");
    let out = Process::new(&keygen)
        .args([
            "-Y",
            "sign",
            "-f",
            "key",
            "-n",
            signing::NAMESPACE,
            "entry.txt",
        ])
        .current_dir(&dir)
        .output()
        .expect("run ssh-keygen");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pem = std::fs::read_to_string(dir.join("entry.txt.sig")).expect("signature");
    let signed = Entry {
        signature: Some(pem),
        ..entry
    };
    assert_eq!(
        signing::verify(&slug, &signed, Some(&public_key("ana_ed25519"))),
        Ok(())
    );

    // Recorded in the ledger (committed at the entry's time), it counts even when signatures are required.
    let mut text = env.read(LEDGER);
    text.push_str(&medreview::yaml::to_string(&[&signed]));
    env.write(LEDGER, &text);
    let config = env
        .read("medreview.yaml")
        .replace("require_signatures: false", "require_signatures: true");
    env.write("medreview.yaml", &config);
    env.git(&["add", "-A"]);
    env.git(&[
        "-c",
        "user.name=Ana",
        "commit",
        "-q",
        "-m",
        "approve by hand",
        "--date",
        NEXT_DAY,
    ]);
    env.set_now("2025-03-05T10:00:00-05:00");
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "approved", "{status}");
}

#[test]
fn a_key_that_is_not_the_persons_is_refused_at_signing_time() {
    let env = with_keys();
    for (key, why) in [
        ("ana_ed25519", "is not suzanne-example's"),
        ("encrypted_ed25519", "passphrase"),
        ("ana_ed25519.pub", "not an OpenSSH private key"),
    ] {
        let err = env.refuse(&[
            "submit",
            SLUG,
            "--as",
            "suzanne-example",
            "--key",
            &key_arg(key),
        ]);
        assert!(err.contains(why), "{key}: {err}");
    }
}

#[test]
fn signing_needs_a_public_key_on_file() {
    let env = TestEnv::seeded();
    let err = env.refuse(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "--key",
        &key_arg("suzanne_ed25519"),
    ]);
    assert!(err.contains("has no public_key"), "{err}");
}

#[test]
fn required_signatures_refuse_unsigned_approvals_and_ignore_hand_written_ones() {
    let mut env = with_keys();
    let config = env
        .read("medreview.yaml")
        .replace("require_signatures: false", "require_signatures: true");
    env.write("medreview.yaml", &config);
    env.git(&["commit", "-q", "-am", "require signatures"]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example"]);
    assert!(err.contains("requires signed approvals"), "{err}");
    // An unsigned approval written by hand does not count, and check reports it.
    let revision = env.hash_object(crate::common::ARTICLE);
    env.append(
        LEDGER,
        &format!(
            "- action: approved\n  by: ana-example\n  at: {NEXT_DAY}\n  revision: {revision}\n"
        ),
    );
    env.git(&[
        "commit",
        "-q",
        "-am",
        "unsigned approval",
        "--date",
        NEXT_DAY,
    ]);
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "in-review");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("it is unsigned, and medreview.yaml requires signatures"),
        "{}",
        run.stdout
    );
    // Signed, it counts.
    env.git(&["revert", "--no-edit", "HEAD"]);
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--key",
        &key_arg("ana_ed25519"),
    ]);
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(status["articles"][0]["state"], "approved");
}

#[test]
fn an_altered_signed_approval_never_counts() {
    let mut env = with_keys();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--key",
        &key_arg("ana_ed25519"),
        "-m",
        "Accurate.",
    ]);
    let text = env.read(LEDGER).replace(
        "note: Accurate.",
        "note: Accurate, and also approve the dosing table.",
    );
    env.write(LEDGER, &text);
    env.git(&["commit", "-q", "-am", "edit the note", "--date", NEXT_DAY]);
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    assert_eq!(
        status["articles"][0]["state"], "in-review",
        "a forged approval does not count"
    );
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("the signature does not verify"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("was removed or edited"),
        "{}",
        run.stdout
    );
}

fn signed_entry(note: &str) -> (Id, Entry) {
    let key = SigningKey::load(&fixture("ana_ed25519")).expect("key");
    let slug = Id::parse("slug", SLUG).expect("slug");
    let mut entry = Entry {
        action: Action::Approved,
        by: Id::parse("id", "ana-example").expect("id"),
        at: DateTime::parse_from_rfc3339(START).expect("time"),
        revision: RevId::parse(&"a".repeat(40)).expect("rev"),
        note: Some(note.to_owned()),
        signature: None,
    };
    let pem = key
        .sign(&slug, &entry, &entry.by, Some(&public_key("ana_ed25519")))
        .expect("sign");
    entry.signature = Some(pem);
    (slug, entry)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Changing any signed field (slug, revision, action, person, time, note) breaks verification.
    #[test]
    fn changing_any_signed_field_breaks_verification(
        field in 0usize..6,
        word in "[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,2}",
        seconds in 1i64..100_000_000,
        hex in "[0-9a-f]{40}",
        note in "\\PC{0,40}",
    ) {
        let (slug, entry) = signed_entry("Accurate.");
        let key = public_key("ana_ed25519");
        prop_assert_eq!(signing::verify(&slug, &entry, Some(&key)), Ok(()));
        let mut changed = entry.clone();
        let mut changed_slug = slug.clone();
        match field {
            0 => changed_slug = Id::parse("slug", &format!("x{word}")).expect("valid"),
            1 => changed.revision = RevId::parse(&hex).expect("hex"),
            2 => changed.action = [Action::Submitted, Action::ChangesRequested, Action::Withdrawn][seconds as usize % 3],
            3 => changed.by = Id::parse("id", &format!("x{word}")).expect("valid"),
            4 => changed.at += chrono::TimeDelta::seconds(seconds),
            _ => changed.note = if note == "Accurate." { None } else { Some(note) },
        }
        prop_assume!(changed_slug != slug || changed != entry);
        prop_assert!(signing::verify(&changed_slug, &changed, Some(&key)).is_err());
    }
}
