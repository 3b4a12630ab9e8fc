//! SSH-signed sign-offs: made here and verified by ssh-keygen, made by ssh-keygen over
//! the documented canonical text and verified here, refused with the wrong key, and
//! never counted when altered.

use std::path::Path;
use std::process::{Command as Process, Output};

use chrono::DateTime;
use medreview_core::ids::Id;
use medreview_core::record::entry::{Action, Entry, EntryId};
use medreview_core::signing::{self, SigningKey};
use medreview_store::revision::RevId;
use proptest::prelude::*;

use crate::common::{
    ARTICLE, NEXT_DAY, SLUG, START, TestEnv, fixture, json, public_key, ssh_keygen,
};

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

/// Runs `ssh-keygen -Y ARGS` in `dir`, with `stdin` as its input when given.
fn keygen(keygen: &Path, dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Process::new(keygen);
    cmd.arg("-Y").args(args).current_dir(dir);
    if let Some(file) = stdin {
        cmd.stdin(std::fs::File::open(dir.join(file)).expect("open stdin file"));
    }
    cmd.output().expect("run ssh-keygen")
}

/// Signs `text` with ssh-keygen and a fixture key in `namespace`; returns the PEM.
fn keygen_sign(path: &Path, dir: &Path, key: &str, namespace: &str, text: &str) -> String {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("entry.txt"), text).expect("text");
    // ssh-keygen refuses a private key others may read.
    std::fs::copy(fixture(key), dir.join("key")).expect("copy key");
    let mut perms = std::fs::metadata(dir.join("key"))
        .expect("meta")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(dir.join("key"), perms).expect("chmod");
    let _ = std::fs::remove_file(dir.join("entry.txt.sig"));
    let out = keygen(
        path,
        dir,
        &["sign", "-f", "key", "-n", namespace, "entry.txt"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(dir.join("entry.txt.sig")).expect("signature")
}

/// The canonical text as the doc comment of `signing::canonical_text` describes it,
/// built here without the library: eleven lines, `after` and `roster` compact JSON
/// arrays of ids, `note`, `recorded_by` and `clock` JSON strings or `null`; for an
/// entry with a meaning (version 4), `viewed: null` (these entries viewed nothing)
/// and `meaning`, `name` and `credentials` JSON strings or `null`.
fn documented_text(slug: &str, entry: &Entry) -> String {
    let quoted = |s: &str| serde_json::Value::String(s.to_owned()).to_string();
    let after: Vec<String> = entry.after.iter().map(|id| quoted(id.as_str())).collect();
    let note = entry.note.as_deref().map_or("null".to_owned(), quoted);
    let roster: Vec<String> = entry.roster.iter().map(|id| quoted(id.as_str())).collect();
    let recorded_by = entry
        .recorded_by
        .as_ref()
        .map_or("null".to_owned(), |id| quoted(id.as_str()));
    let clock = entry.clock.as_deref().map_or("null".to_owned(), quoted);
    let text = format!(
        "medreview sign-off v2\narticle: {slug}\nrevision: {}\naction: {}\nby: {}\nat: {}\nafter: [{}]\nroster: [{}]\nnote: {note}\nrecorded_by: {recorded_by}\nclock: {clock}\n",
        entry.revision,
        entry.action,
        entry.by,
        entry.at.to_rfc3339(),
        after.join(","),
        roster.join(",")
    );
    if entry.meaning.is_none() && entry.name.is_none() && entry.credentials.is_none() {
        return text;
    }
    assert!(entry.viewed.is_none(), "these tests view nothing");
    let or_null = |v: &Option<String>| v.as_deref().map_or("null".to_owned(), quoted);
    format!(
        "{}viewed: null\nmeaning: {}\nname: {}\ncredentials: {}\n",
        text.replacen("v2\n", "v4\n", 1),
        or_null(&entry.meaning),
        or_null(&entry.name),
        or_null(&entry.credentials)
    )
}

fn slug() -> Id {
    Id::parse("slug", SLUG).expect("slug")
}

/// An approval by ana-example of the latest submission, at `NEXT_DAY`, unsigned.
fn approval_after(env: &TestEnv, note: &str) -> Entry {
    let (last, _) = env.entries(SLUG).pop().expect("a submission");
    Entry {
        action: Action::Approved,
        by: Id::parse("id", "ana-example").expect("id"),
        at: DateTime::parse_from_rfc3339(NEXT_DAY).expect("time"),
        revision: RevId::parse(&env.hash_object(ARTICLE)).expect("revision"),
        after: vec![EntryId::parse(&last).expect("entry id")],
        note: Some(note.into()),
        recorded_by: None,
        roster: Vec::new(),
        clock: None,
        format: None,
        viewed: None,
        meaning: None,
        name: None,
        credentials: None,
        change: None,
        schedule: None,
        signature: None,
    }
}

/// Writes `entry` with its correct name and commits it with plain git at its own time.
fn commit_entry(env: &TestEnv, entry: &Entry, message: &str) -> String {
    let file = env.write_entry(SLUG, entry);
    env.git(&["add", "-A"]);
    let at = entry.at.to_rfc3339();
    env.git(&["commit", "-q", "-m", message, "--date", &at]);
    file
}

fn require_signatures(env: &TestEnv) {
    let config = env
        .read("medreview.yaml")
        .replace("require_signatures: false", "require_signatures: true");
    env.write("medreview.yaml", &config);
}

fn state(env: &TestEnv) -> String {
    let status = json(&env.ok(&["status", SLUG, "--json"]).stdout);
    status["articles"][0]["state"]
        .as_str()
        .expect("a state")
        .to_owned()
}

#[test]
fn signed_sign_offs_verify_here_and_with_ssh_keygen() {
    // ssh-keygen makes the signatures.
    if ssh_keygen().is_none() {
        return;
    }
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
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let logged = log["entries"].as_array().expect("entries");
    assert!(logged.iter().all(|e| e["signed"] == true), "{log}");
    assert!(
        logged.iter().all(|e| e["does_not_count"].is_null()),
        "{log}"
    );
    let text = env.ok(&["log", SLUG]).stdout;
    assert!(
        text.contains("approved by Ana Example (ana-example), signed"),
        "{text}"
    );
    env.ok(&["check"]);

    // The text each signature covers, exactly as the doc comment spells it.
    let entries = env.entries(SLUG);
    let revision = env.hash_object(ARTICLE);
    let submission_id = &entries[0].0;
    let expected = [
        format!(
            "medreview sign-off v2\narticle: her2-treatment\nrevision: {revision}\naction: submitted\nby: suzanne-example\nat: {START}\nafter: []\nroster: []\nnote: \"First draft.\\nTwo lines: \\\"quoted\\\".\"\nrecorded_by: null\nclock: \"MEDREVIEW_NOW\"\n"
        ),
        format!(
            "medreview sign-off v4\narticle: her2-treatment\nrevision: {revision}\naction: approved\nby: ana-example\nat: {NEXT_DAY}\nafter: [\"{submission_id}\"]\nroster: []\nnote: \"Accurate.\"\nrecorded_by: null\nclock: \"MEDREVIEW_NOW\"\nviewed: null\nmeaning: \"medical-accuracy\"\nname: \"Ana Example\"\ncredentials: \"M.D.\"\n"
        ),
    ];
    for ((_, entry), expected) in entries.iter().zip(&expected) {
        assert_eq!(&signing::canonical_text(&slug(), entry), expected);
        assert_eq!(&documented_text(SLUG, entry), expected);
    }

    let Some(path) = ssh_keygen() else { return };
    // Verified by ssh-keygen too.
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
    for ((_, entry), who) in entries.iter().zip(["suzanne-example", "ana-example"]) {
        std::fs::write(dir.join("entry.txt"), documented_text(SLUG, entry)).expect("text");
        std::fs::write(
            dir.join("entry.sig"),
            entry.signature.as_deref().expect("signed"),
        )
        .expect("signature");
        let args = [
            "verify",
            "-f",
            "allowed_signers",
            "-I",
            who,
            "-n",
            signing::NAMESPACE,
            "-s",
            "entry.sig",
        ];
        let out = keygen(&path, &dir, &args, Some("entry.txt"));
        assert!(
            out.status.success(),
            "ssh-keygen -Y verify failed for {who}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // One changed byte in the covered text, and ssh-keygen refuses it too.
        let altered =
            documented_text(SLUG, entry).replace("recorded_by: null", "recorded_by: \"x\"");
        std::fs::write(dir.join("entry.txt"), altered).expect("text");
        let out = keygen(&path, &dir, &args, Some("entry.txt"));
        assert!(!out.status.success(), "an altered text verified for {who}");
    }
}

#[test]
fn the_canonical_text_spells_lists_people_and_notes_as_documented() {
    let two = [
        "20250303T151200Z-submitted-suzanne-example-0123456789ab",
        "20250303T151300Z-changes-requested-david-okafor-ba9876543210",
    ];
    let entry = Entry {
        action: Action::Withdrawn,
        by: Id::parse("id", "ana-example").expect("id"),
        at: DateTime::parse_from_rfc3339("2025-03-05T09:00:00+01:00").expect("time"),
        revision: RevId::parse(&"8c".repeat(20)).expect("revision"),
        after: two.iter().map(|s| EntryId::parse(s).expect("id")).collect(),
        note: Some("Dose: 5 mg/kg \u{2014} \u{201c}fine\u{201d}\tok\\".into()),
        recorded_by: Some(Id::parse("id", "managing-editor").expect("id")),
        roster: Vec::new(),
        clock: None,
        format: None,
        viewed: None,
        meaning: None,
        name: None,
        credentials: None,
        change: None,
        schedule: None,
        signature: None,
    };
    let text = signing::canonical_text(&slug(), &entry);
    assert_eq!(
        text,
        format!(
            "medreview sign-off v2\narticle: her2-treatment\nrevision: {}\naction: withdrawn\nby: ana-example\nat: 2025-03-05T09:00:00+01:00\nafter: [\"{}\",\"{}\"]\nroster: []\nnote: \"Dose: 5 mg/kg \u{2014} \u{201c}fine\u{201d}\\tok\\\\\"\nrecorded_by: \"managing-editor\"\nclock: null\n",
            "8c".repeat(20),
            two[0],
            two[1]
        )
    );
    assert_eq!(text, documented_text(SLUG, &entry));
    // A migrated entry keeps the version 1 text its format-1 signature covers.
    let migrated = Entry {
        format: Some(1),
        recorded_by: None,
        roster: Vec::new(),
        clock: None,
        ..entry
    };
    assert_eq!(
        signing::canonical_text(&slug(), &migrated),
        format!(
            "medreview sign-off v1\narticle: her2-treatment\nrevision: {}\naction: withdrawn\nby: ana-example\nat: 2025-03-05T09:00:00+01:00\nnote: \"Dose: 5 mg/kg \u{2014} \u{201c}fine\u{201d}\\tok\\\\\"\n",
            "8c".repeat(20)
        )
    );
}

#[test]
fn a_signature_made_by_ssh_keygen_verifies_here() {
    let Some(path) = ssh_keygen() else { return };
    let env = with_keys();
    env.ok(&[
        "submit",
        SLUG,
        "--as",
        "suzanne-example",
        "--key",
        &key_arg("suzanne_ed25519"),
    ]);
    // The approval written by hand, signed by ssh-keygen over the documented text.
    let entry = approval_after(&env, "Checked with ssh-keygen.");
    let text = documented_text(SLUG, &entry);
    assert_eq!(text, signing::canonical_text(&slug(), &entry));
    let pem = keygen_sign(
        &path,
        &env.outside("sign"),
        "ana_ed25519",
        signing::NAMESPACE,
        &text,
    );
    let signed = Entry {
        signature: Some(pem),
        ..entry
    };
    assert_eq!(
        signing::verify(&slug(), &signed, Some(&public_key("ana_ed25519"))),
        Ok(())
    );

    // Recorded (committed at the entry's time), it counts even when signatures are
    // required, and check finds nothing wrong with it.
    require_signatures(&env);
    commit_entry(&env, &signed, "approve by hand");
    assert_eq!(state(&env), "approved");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_signature_by_another_key_or_in_another_namespace_never_counts() {
    let Some(path) = ssh_keygen() else { return };
    let env = with_keys();
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    let entry = approval_after(&env, "Signed by the wrong key.");
    // suzanne-example's key, passed off as ana-example's.
    let key = SigningKey::load(&fixture("suzanne_ed25519")).expect("key");
    let pem = key
        .sign(
            &slug(),
            &entry,
            &entry.by,
            Some(&public_key("suzanne_ed25519")),
        )
        .expect("sign");
    let wrong_key = Entry {
        signature: Some(pem),
        ..entry.clone()
    };
    let err = signing::verify(&slug(), &wrong_key, Some(&public_key("ana_ed25519")))
        .expect_err("another key");
    assert!(err.contains("a key that is not ana-example's"), "{err}");
    // ana-example's key, but the namespace git uses for commits.
    let text = signing::canonical_text(&slug(), &entry);
    let pem = keygen_sign(&path, &env.outside("sign"), "ana_ed25519", "git", &text);
    let wrong_namespace = Entry {
        signature: Some(pem),
        ..entry
    };
    assert_eq!(
        signing::verify(&slug(), &wrong_namespace, Some(&public_key("ana_ed25519"))),
        Err(format!(
            "it was made for another namespace than {}",
            signing::NAMESPACE
        ))
    );

    // Recorded, neither counts, and check names each.
    let first = commit_entry(&env, &wrong_key, "approve with suzanne's key");
    let second = commit_entry(&env, &wrong_namespace, "approve in git's namespace");
    assert_eq!(state(&env), "in-review");
    let run = env.run(&["check", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let report = json(&run.stdout);
    for file in [&first, &second] {
        assert!(
            report["problems"]
                .as_array()
                .expect("problems")
                .iter()
                .any(|p| p["code"] == "signature" && p["file"] == file.as_str()),
            "a signature problem about {file} in {report:#}"
        );
    }
}

#[test]
fn a_key_that_is_not_the_persons_is_refused_at_signing_time() {
    let env = with_keys();
    // Each refused before signing (no passphrase asked), naming the roster file.
    for (key, why) in [
        (
            "ana_ed25519",
            "is not suzanne-example's: writers/suzanne-example.yaml",
        ),
        (
            "encrypted_ed25519",
            "is not suzanne-example's: writers/suzanne-example.yaml",
        ),
        (
            "ana_ed25519.pub",
            "is not suzanne-example's: writers/suzanne-example.yaml",
        ),
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
    // ssh-keygen makes the signatures.
    if ssh_keygen().is_none() {
        return;
    }
    let mut env = with_keys();
    require_signatures(&env);
    env.git(&["commit", "-q", "-am", "require signatures"]);
    env.ok(&["submit", SLUG, "--as", "suzanne-example"]);
    env.set_now(NEXT_DAY);
    let err = env.refuse(&["approve", SLUG, "--as", "ana-example"]);
    assert!(err.contains("requires signed approvals"), "{err}");
    // An unsigned approval written by hand does not count, and check reports it.
    let file = commit_entry(
        &env,
        &approval_after(&env, "Unsigned."),
        "unsigned approval",
    );
    assert_eq!(state(&env), "in-review");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(&format!(
            "{file}: approved by ana-example at {NEXT_DAY}: it is unsigned and the policy requires signatures [signature]"
        )),
        "{}",
        run.stdout
    );
    // Signed, it counts. (The unsigned one stays in the record, counting for
    // nothing: removing a sign-off, even by `git revert`, is a loss `check`,
    // `status` and `publish` refuse.)
    env.ok(&[
        "approve",
        SLUG,
        "--as",
        "ana-example",
        "--key",
        &key_arg("ana_ed25519"),
    ]);
    assert_eq!(state(&env), "approved");
}

#[test]
fn an_altered_signed_approval_never_counts() {
    // ssh-keygen makes the signatures.
    if ssh_keygen().is_none() {
        return;
    }
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
    let original = env.signoff_path(SLUG, "approved");
    let (_, mut entry) = env.entries(SLUG).pop().expect("the approval");
    assert!(entry.signature.is_some());
    // Reworded and saved under the name its new bytes give, so it is not damage: only
    // the signature shows the change.
    entry.note = Some("Accurate, and also approve the dosing table.".into());
    env.git(&["rm", "-q", &original]);
    let forged = commit_entry(&env, &entry, "edit the note");
    assert_eq!(state(&env), "in-review", "a forged approval does not count");
    let log = json(&env.ok(&["log", SLUG, "--json"]).stdout);
    let why = log["entries"][1]["does_not_count"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("does not match the entry"), "{log}");
    let run = env.run(&["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains(&format!(
            "{forged}: approved by ana-example at {NEXT_DAY}: its signature does not verify: it does not match the entry (the entry or the signature was altered) [signature]"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("{original}: commit "))
            && run.stdout.contains("[entry-removed]"),
        "{}",
        run.stdout
    );
}

fn signed_entry(note: &str) -> (Id, Entry) {
    let key = SigningKey::load(&fixture("ana_ed25519")).expect("key");
    let mut entry = Entry {
        action: Action::Approved,
        by: Id::parse("id", "ana-example").expect("id"),
        at: DateTime::parse_from_rfc3339(START).expect("time"),
        revision: RevId::parse(&"a".repeat(40)).expect("rev"),
        after: [
            "20250303T151200Z-submitted-suzanne-example-0123456789ab",
            "20250303T151300Z-changes-requested-david-okafor-ba9876543210",
        ]
        .iter()
        .map(|s| EntryId::parse(s).expect("id"))
        .collect(),
        note: Some(note.to_owned()),
        recorded_by: None,
        roster: Vec::new(),
        clock: None,
        format: None,
        viewed: None,
        meaning: None,
        name: None,
        credentials: None,
        change: None,
        schedule: None,
        signature: None,
    };
    let pem = key
        .sign(&slug(), &entry, &entry.by, Some(&public_key("ana_ed25519")))
        .expect("sign");
    entry.signature = Some(pem);
    (slug(), entry)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Changing any signed field (slug, revision, action, person, time, its offset,
    /// note, after, recorded_by, format) breaks verification.
    #[test]
    fn changing_any_signed_field_breaks_verification(
        field in 0usize..10,
        word in "[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,2}",
        seconds in 1i64..100_000_000,
        hex in "[0-9a-f]{40}",
        note in "\\PC{0,40}",
    ) {
        if ssh_keygen().is_none() {
            return Ok(());
        }
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
            5 => changed.note = if note == "Accurate." { None } else { Some(note) },
            6 => match seconds % 4 {
                0 => changed.after.reverse(),
                1 => { changed.after.pop(); }
                2 => changed.after.clear(),
                _ => changed.after.push(
                    EntryId::parse(&format!("20250303T151400Z-withdrawn-{word}-{}", &hex[..12])).expect("id"),
                ),
            },
            7 => changed.recorded_by = Some(Id::parse("id", &format!("x{word}")).expect("valid")),
            8 => {
                // The same instant at another offset.
                let offset = chrono::FixedOffset::east_opt(((seconds % 28) as i32 - 13) * 3600 + 1800)
                    .expect("offset");
                changed.at = changed.at.with_timezone(&offset);
            }
            _ => changed.format = Some(1),
        }
        // What the file would hold differs (the offset included), or the article does.
        prop_assume!(changed_slug != slug || changed.to_file().1 != entry.to_file().1);
        prop_assert!(signing::verify(&changed_slug, &changed, Some(&key)).is_err());
    }
}

/// Issue 25's spike: a passkey (WebAuthn) signature as medreview stores it is one
/// plain `ssh-keygen -Y verify` accepts, whichever of the two ECDSA `s` values the
/// authenticator returned; over another text it is refused.
#[test]
fn ssh_keygen_verifies_passkey_signatures_with_either_s_value() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    use medreview_core::signing::passkey;
    let Some(path) = ssh_keygen() else {
        return;
    };
    let env = TestEnv::new();
    let dir = env.outside("passkey");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let ana = crate::common::desk::SoftPasskey::new(7, "localhost", "ana-example");
    let line = ana.public_key();
    std::fs::write(
        dir.join("allowed"),
        format!(
            "ana@example.org namespaces=\"{}\" {line}\n",
            signing::NAMESPACE
        ),
    )
    .expect("allowed signers");
    let text = "medreview sign-off v2\narticle: her2-treatment\n";
    std::fs::write(dir.join("entry.txt"), text).expect("text");
    std::fs::write(
        dir.join("other.txt"),
        "medreview sign-off v2\narticle: other\n",
    )
    .expect("text");
    let challenge = passkey::challenge(signing::NAMESPACE, text);
    let json = ana.assert(
        &Base64UrlUnpadded::encode_string(&challenge),
        "http://localhost:8080",
        true,
    );
    let field = |name: &str| {
        Base64UrlUnpadded::decode_vec(json[name].as_str().expect("a field")).expect("base64url")
    };
    let mut assertion = passkey::Assertion {
        authenticator_data: field("authenticator_data"),
        client_data_json: field("client_data_json"),
        signature: field("signature"),
    };
    let verify = |sig: &str, file: &str| {
        std::fs::write(dir.join("sig"), sig).expect("sig");
        keygen(
            &path,
            &dir,
            &[
                "verify",
                "-f",
                "allowed",
                "-I",
                "ana@example.org",
                "-n",
                signing::NAMESPACE,
                "-s",
                "sig",
            ],
            Some(file),
        )
    };
    let sig = passkey::to_sshsig(&line, signing::NAMESPACE, text, &assertion).expect("signs");
    let good = verify(&sig, "entry.txt");
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(!verify(&sig, "other.txt").status.success());
    // The other s value of the same signature.
    let der = p256::ecdsa::Signature::from_der(&assertion.signature).expect("DER");
    let (r, s) = der.split_scalars();
    let flipped =
        p256::ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).expect("signature");
    assertion.signature = flipped.to_der().as_bytes().to_vec();
    let sig = passkey::to_sshsig(&line, signing::NAMESPACE, text, &assertion).expect("signs");
    let other_s = verify(&sig, "entry.txt");
    assert!(
        other_s.status.success(),
        "{}",
        String::from_utf8_lossy(&other_s.stderr)
    );
}
