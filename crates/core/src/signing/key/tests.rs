//! Which key git config names, and when a key found only in git's config is not used.

use super::*;

const ED25519: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMjsJuzdWgnvFxpnxcut2cSnHlgy79hUJ1kMvMfmhNGG";

fn id(s: &str) -> Id {
    Id::parse("id", s).expect("valid id")
}

fn found(pairs: &[(&str, &str)]) -> Option<SigningKey> {
    let config = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    };
    SigningKey::find(None, &config).expect("a key or none")
}

#[test]
fn a_gpg_key_id_in_user_signing_key_is_not_a_path() {
    assert!(found(&[("user.signingKey", "3AA5C34371567BD2")]).is_none());
    // With gpg.format=ssh it names a file, and a missing one is refused.
    let config = |name: &str| match name {
        "user.signingKey" => Some("3AA5C34371567BD2".to_owned()),
        "gpg.format" => Some("ssh".to_owned()),
        _ => None,
    };
    let Err(err) = SigningKey::find(None, &config) else {
        panic!("a missing key file was accepted");
    };
    assert!(
        err.to_string()
            .contains("cannot read the signing key 3AA5C34371567BD2 (git config user.signingKey)"),
        "{err}"
    );
}

#[test]
fn key_literals_and_the_order_of_sources() {
    let literal = format!("key::{ED25519} ana");
    let key = found(&[("user.signingKey", &literal)]).expect("a literal");
    assert_eq!(
        key.describe(),
        "the key:: literal in git config user.signingKey"
    );
    assert_eq!(key.program, DEFAULT_PROGRAM);
    // git's older form: a bare public key line.
    let key = found(&[
        ("user.signingKey", ED25519),
        ("gpg.ssh.program", "/opt/ssh-keygen"),
    ])
    .expect("a literal");
    assert_eq!(key.program, "/opt/ssh-keygen");
    let key = found(&[
        ("user.signingKey", "/nonexistent"),
        ("medreview.signingKey", &literal),
    ])
    .expect("medreview's key");
    assert_eq!(
        key.describe(),
        "the key:: literal in git config medreview.signingKey"
    );
}

#[test]
fn a_key_from_git_config_is_not_used_for_someone_else() {
    let literal = format!("key::{ED25519}");
    let git = found(&[("user.signingKey", &literal)]).expect("a literal");
    let chosen = found(&[("medreview.signingKey", &literal)]).expect("a literal");
    let (ana, rosa) = (id("ana-example"), id("rosa-editor"));
    let signer = |public_key, recorded_by| Signer {
        id: &ana,
        public_key,
        roster_file: Some("reviewers/ana-example.yaml".into()),
        recorded_by,
    };
    let own = signer(Some(ED25519), None);
    assert_eq!(git.skip_reason(&own), None);
    let proxy = signer(Some(ED25519), Some(&rosa));
    assert_eq!(
        git.skip_reason(&proxy).as_deref(),
        Some(
            "not signed: rosa-editor records this for ana-example, and the key in git config user.signingKey is rosa-editor's own"
        )
    );
    assert!(git.skip_reason(&signer(None, None)).is_some());
    // A key chosen for medreview is always used (and refused when it is not theirs).
    assert_eq!(chosen.skip_reason(&proxy), None);
    assert_eq!(chosen.skip_reason(&signer(None, None)), None);
}
