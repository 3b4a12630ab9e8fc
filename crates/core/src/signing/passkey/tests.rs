//! Passkey signatures from a software authenticator that writes authenticator
//! data and client data as Chromium does: what verifies, what does not, and
//! that they verify here (plain `ssh-keygen -Y verify` is run on them by the CLI
//! tests).

use super::*;
use crate::ids::Id;
use crate::ledger::entry::{Action, Entry, EntryId};
use medreview_store::revision::RevId;
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer;
use p256::pkcs8::EncodePublicKey;

const RP: &str = "desk.example.org";
const ORIGIN: &str = "https://desk.example.org";

/// The software authenticator's key, from fixed bytes.
fn signing_key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32].into()).expect("a valid P-256 scalar")
}

/// The roster line of `key`'s passkey for `rp_id`.
fn key_line(key: &SigningKey, rp_id: &str) -> String {
    let point = key.verifying_key().to_encoded_point(false);
    let data = KeyData::SkEcdsaSha2NistP256(SkEcdsaSha2NistP256::new(point, rp_id));
    PublicKey::new(data, "ana@example.org")
        .to_openssh()
        .expect("an OpenSSH line")
}

/// Authenticator data for an assertion: RP id hash, flags, counter.
fn auth_data(rp_id: &str, flags: u8, counter: u32) -> Vec<u8> {
    let mut out = Sha256::digest(rp_id.as_bytes()).to_vec();
    out.push(flags);
    out.extend_from_slice(&counter.to_be_bytes());
    out
}

/// Client data JSON as Chromium writes it.
fn client_data(kind: &str, challenge: &[u8], origin: &str) -> Vec<u8> {
    format!(
        r#"{{"type":"{kind}","challenge":"{}","origin":"{origin}","crossOrigin":false}}"#,
        base64url_encode(challenge)
    )
    .into_bytes()
}

/// Signs authenticator data and client data as an authenticator does.
fn sign(key: &SigningKey, authenticator_data: Vec<u8>, client_data_json: Vec<u8>) -> Assertion {
    let mut message = authenticator_data.clone();
    message.extend_from_slice(&Sha256::digest(&client_data_json));
    let signature: Signature = key.sign(&message);
    Assertion {
        authenticator_data,
        client_data_json,
        signature: signature.to_der().as_bytes().to_vec(),
    }
}

/// A good assertion over `challenge` for `RP` from `ORIGIN`, present and verified.
fn good(key: &SigningKey, challenge: &[u8]) -> Assertion {
    sign(
        key,
        auth_data(RP, FLAG_UP | FLAG_UV, 7),
        client_data("webauthn.get", challenge, ORIGIN),
    )
}

fn id(s: &str) -> Id {
    Id::parse("id", s).expect("valid id")
}

/// A realistic approval of `revision` by ana-example, as the ledger signs it.
fn approval_text(revision: &str) -> String {
    let entry = Entry {
        action: Action::Approved,
        by: id("ana-example"),
        at: chrono::DateTime::parse_from_rfc3339("2025-03-05T09:00:00-05:00").expect("a time"),
        revision: RevId::parse(&revision.repeat(20)).expect("a revision"),
        after: vec![
            EntryId::parse("20250304T140000Z-submitted-suzanne-example-1a2b3c4d5e6f")
                .expect("an entry id"),
        ],
        roster: Vec::new(),
        note: Some("Accurate; dosing matches the 2024 guideline.".into()),
        recorded_by: None,
        clock: None,
        format: None,
        viewed: None,
        meaning: Some("medical-accuracy".into()),
        name: Some("Ana Example".into()),
        credentials: Some("M.D.".into()),
        change: None,
        schedule: None,
        signature: None,
    };
    crate::signing::canonical_text(&id("her2-treatment"), &entry)
}

/// An approval signed with a passkey: the roster key, the text and the SSHSIG.
fn signed_approval() -> (String, String, String) {
    let key = signing_key(0x11);
    let line = key_line(&key, RP);
    let text = approval_text("8c");
    let a = good(&key, &challenge(crate::signing::NAMESPACE, &text));
    let sig = to_sshsig(&line, crate::signing::NAMESPACE, &text, &a).expect("it verifies");
    (line, text, sig)
}

fn verify_entry(text: &str, sig: &str, line: &str) -> Result<(), String> {
    crate::signing::verify_text(
        crate::signing::NAMESPACE,
        text,
        &id("ana-example"),
        Some(sig),
        Some(line),
    )
}

#[test]
fn the_challenge_is_the_sshsig_signed_data() {
    let text = approval_text("8c");
    let ours = challenge("medreview-signoff", &text);
    let ssh_key = ssh_key::SshSig::signed_data(
        "medreview-signoff",
        ssh_key::HashAlg::Sha512,
        text.as_bytes(),
    )
    .expect("signed data");
    assert_eq!(ours, ssh_key);
    assert!(
        ours.starts_with(b"SSHSIG\0\0\0\x11medreview-signoff\0\0\0\0\0\0\0\x06sha512\0\0\0\x40")
    );
}

#[test]
fn a_passkey_approval_verifies_through_verify_text() {
    let (line, text, sig) = signed_approval();
    assert!(sig.starts_with("-----BEGIN SSH SIGNATURE-----\n"), "{sig}");
    assert!(sig.ends_with("\n-----END SSH SIGNATURE-----\n"), "{sig}");
    let lines: Vec<&str> = sig.lines().collect();
    assert!(
        lines[1..lines.len() - 2].iter().all(|l| l.len() == 70),
        "{sig}"
    );
    verify_entry(&text, &sig, &line).expect("the passkey approval verifies");
}

#[test]
fn ssh_key_alone_does_not_read_a_passkey_signature() {
    // This is why verify_text reads passkey signatures itself: ssh-key 0.6 takes
    // the algorithm as `Other` but leaves the WebAuthn fields unread.
    let (_, _, sig) = signed_approval();
    let parsed = ssh_key::SshSig::from_pem(sig.trim());
    assert!(format!("{parsed:?}").contains("TrailingData"), "{parsed:?}");
}

#[test]
fn an_approval_of_r1_does_not_verify_for_r2() {
    let (line, _, sig) = signed_approval();
    let err = verify_entry(&approval_text("9d"), &sig, &line).expect_err("another revision");
    assert!(err.contains("does not match the entry"), "{err}");
}

#[test]
fn another_namespace_does_not_verify() {
    let (line, text, sig) = signed_approval();
    let err = crate::signing::verify_text(
        crate::signing::ROSTER_NAMESPACE,
        &text,
        &id("ana-example"),
        Some(&sig),
        Some(&line),
    )
    .expect_err("another namespace");
    assert!(
        err.contains("another namespace than medreview-roster"),
        "{err}"
    );

    // An assertion asked for the roster namespace is no sign-off signature either.
    let key = signing_key(0x11);
    let a = good(&key, &challenge(crate::signing::ROSTER_NAMESPACE, &text));
    let err = to_sshsig(&line, crate::signing::NAMESPACE, &text, &a).expect_err("namespace");
    assert!(err.contains("another challenge"), "{err}");
}

#[test]
fn a_key_that_is_not_the_roster_key_does_not_verify() {
    let (_, text, sig) = signed_approval();
    let other = key_line(&signing_key(0x22), RP);
    let err = verify_entry(&text, &sig, &other).expect_err("another key");
    assert!(err.contains("not ana-example's"), "{err}");
    // The same key for another relying party is another key too.
    let elsewhere = key_line(&signing_key(0x11), "other.example.org");
    let err = verify_entry(&text, &sig, &elsewhere).expect_err("another rp");
    assert!(err.contains("not ana-example's"), "{err}");
    let ed25519 =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMjsJuzdWgnvFxpnxcut2cSnHlgy79hUJ1kMvMfmhNGG";
    let err = verify_entry(&text, &sig, ed25519).expect_err("an ed25519 key");
    assert!(err.contains("not ana-example's"), "{err}");
    // An assertion by another passkey does not turn into a signature.
    let a = good(
        &signing_key(0x22),
        &challenge(crate::signing::NAMESPACE, &text),
    );
    let err = to_sshsig(
        &key_line(&signing_key(0x11), RP),
        crate::signing::NAMESPACE,
        &text,
        &a,
    )
    .expect_err("another passkey");
    assert!(
        err.contains("does not verify with this public key"),
        "{err}"
    );
}

/// An SSHSIG built from `a` without checking it, as a forger would.
fn unchecked_sshsig(line: &str, a: &Assertion, origin: &str) -> String {
    let key = PasskeyKey::parse(line).expect("a passkey");
    let signature = Signature::from_der(&a.signature).expect("DER");
    assemble(&key, crate::signing::NAMESPACE, a, &signature, origin).expect("an SSHSIG")
}

#[test]
fn a_signature_without_user_verification_is_refused() {
    let key = signing_key(0x11);
    let line = key_line(&key, RP);
    let text = approval_text("8c");
    let c = challenge(crate::signing::NAMESPACE, &text);
    let a = sign(
        &key,
        auth_data(RP, FLAG_UP, 7),
        client_data("webauthn.get", &c, ORIGIN),
    );
    let err = to_sshsig(&line, crate::signing::NAMESPACE, &text, &a).expect_err("no UV");
    assert!(err.contains("user verification flag is unset"), "{err}");
    let sig = unchecked_sshsig(&line, &a, ORIGIN);
    let err = verify_entry(&text, &sig, &line).expect_err("no UV");
    assert!(err.contains("it is a passkey signature, but"), "{err}");
    assert!(err.contains("user verification flag is unset"), "{err}");

    let a = sign(
        &key,
        auth_data(RP, FLAG_UV, 7),
        client_data("webauthn.get", &c, ORIGIN),
    );
    let err = verify_assertion(&line, &c, &a).expect_err("no UP");
    assert!(err.contains("user presence flag is unset"), "{err}");
}

#[test]
fn another_relying_party_hash_is_refused() {
    let key = signing_key(0x11);
    let line = key_line(&key, RP);
    let text = approval_text("8c");
    let c = challenge(crate::signing::NAMESPACE, &text);
    let a = sign(
        &key,
        auth_data("evil.example", FLAG_UP | FLAG_UV, 7),
        client_data("webauthn.get", &c, ORIGIN),
    );
    let err = verify_assertion(&line, &c, &a).expect_err("another rp");
    assert!(err.contains("another site than desk.example.org"), "{err}");
    // In an SSHSIG the hash is the key's application's by construction, so the
    // signature over the other hash no longer verifies.
    let sig = unchecked_sshsig(&line, &a, ORIGIN);
    let err = verify_entry(&text, &sig, &line).expect_err("another rp");
    assert!(err.contains("does not match the entry"), "{err}");
}

#[test]
fn the_origin_must_be_the_relying_party_over_https() {
    let check = |rp: &str, origin: &str| {
        let key = signing_key(0x11);
        let line = key_line(&key, rp);
        let text = approval_text("8c");
        let c = challenge(crate::signing::NAMESPACE, &text);
        let a = sign(
            &key,
            auth_data(rp, FLAG_UP | FLAG_UV, 1),
            client_data("webauthn.get", &c, origin),
        );
        let direct = verify_assertion(&line, &c, &a).map(|info| info.origin);
        let through_sshsig = verify_entry(&text, &unchecked_sshsig(&line, &a, origin), &line);
        assert_eq!(
            direct.is_ok(),
            through_sshsig.is_ok(),
            "{direct:?} {through_sshsig:?}"
        );
        direct
    };
    assert_eq!(
        check(RP, "https://desk.example.org").as_deref(),
        Ok("https://desk.example.org")
    );
    assert!(check(RP, "https://desk.example.org:8443").is_ok());
    assert!(check("example.org", "https://desk.example.org").is_ok());
    assert!(check("localhost", "http://localhost:8080").is_ok());
    assert!(check("localhost", "https://localhost").is_ok());
    for (rp, origin) in [
        (RP, "https://evil.example"),
        (RP, "http://desk.example.org"),
        (RP, "https://evildesk.example.org"),
        (RP, "https://desk.example.org.evil.example"),
        (RP, "https://desk.example.org:"),
        (RP, "https://ana@desk.example.org"),
        (RP, "desk.example.org"),
        ("localhost", "http://localhost.evil.example"),
        ("example.org", "http://desk.example.org"),
    ] {
        let err = check(rp, origin).expect_err(origin);
        assert!(err.contains(origin), "{err}");
    }
}

#[test]
fn client_data_of_another_type_is_refused() {
    let key = signing_key(0x11);
    let line = key_line(&key, RP);
    let text = approval_text("8c");
    let c = challenge(crate::signing::NAMESPACE, &text);
    let a = sign(
        &key,
        auth_data(RP, FLAG_UP | FLAG_UV, 7),
        client_data("webauthn.create", &c, ORIGIN),
    );
    let err = verify_assertion(&line, &c, &a).expect_err("create");
    assert!(err.contains("not webauthn.get"), "{err}");
    let err = verify_entry(&text, &unchecked_sshsig(&line, &a, ORIGIN), &line).expect_err("create");
    assert!(err.contains("not webauthn.get"), "{err}");

    // Client data in another order than browsers write is refused too.
    let reordered = format!(
        r#"{{"challenge":"{}","type":"webauthn.get","origin":"{ORIGIN}"}}"#,
        base64url_encode(&c)
    );
    let a = sign(
        &key,
        auth_data(RP, FLAG_UP | FLAG_UV, 7),
        reordered.into_bytes(),
    );
    let err = verify_assertion(&line, &c, &a).expect_err("reordered");
    assert!(err.contains("as browsers write it"), "{err}");
    // And so is a frame embedded in another site.
    let framed = format!(
        r#"{{"type":"webauthn.get","challenge":"{}","origin":"{ORIGIN}","crossOrigin":true}}"#,
        base64url_encode(&c)
    );
    let a = sign(
        &key,
        auth_data(RP, FLAG_UP | FLAG_UV, 7),
        framed.into_bytes(),
    );
    assert!(verify_assertion(&line, &c, &a).is_err());
}

#[test]
fn a_tampered_counter_or_flag_does_not_verify() {
    let key = signing_key(0x11);
    let line = key_line(&key, RP);
    let text = approval_text("8c");
    let c = challenge(crate::signing::NAMESPACE, &text);
    let mut a = good(&key, &c);
    assert_eq!(verify_assertion(&line, &c, &a).map(|i| i.counter), Ok(7));
    a.authenticator_data[36] = 8;
    let err = verify_assertion(&line, &c, &a).expect_err("counter");
    assert!(err.contains("does not verify"), "{err}");
    let err =
        verify_entry(&text, &unchecked_sshsig(&line, &a, ORIGIN), &line).expect_err("counter");
    assert!(err.contains("does not match the entry"), "{err}");

    let mut a = good(&key, &c);
    a.authenticator_data[32] |= 0x08;
    let err = verify_entry(&text, &unchecked_sshsig(&line, &a, ORIGIN), &line).expect_err("flags");
    assert!(err.contains("does not match the entry"), "{err}");
}

#[test]
fn an_sshsig_whose_origin_differs_from_its_client_data_is_refused() {
    let key = signing_key(0x11);
    let line = key_line(&key, RP);
    let text = approval_text("8c");
    let a = good(&key, &challenge(crate::signing::NAMESPACE, &text));
    let sig = unchecked_sshsig(&line, &a, "https://other.desk.example.org");
    let err = verify_entry(&text, &sig, &line).expect_err("origin");
    assert!(
        err.contains("is not the one its client data names"),
        "{err}"
    );
}

#[test]
fn a_cut_passkey_signature_does_not_parse() {
    let (line, text, sig) = signed_approval();
    let blob = unarmor(&sig).expect("armored");
    let cut = armor(&blob[..blob.len() - 3]);
    let err = verify_entry(&text, &cut, &line).expect_err("cut");
    assert!(err.contains("does not parse"), "{err}");
}

/// Both ECDSA `s` values verify, as authenticators may return either, and so does
/// authenticator data with extensions (here credProtect); extensions without the
/// ED flag do not. (Plain `ssh-keygen -Y verify` agrees on each: the CLI tests
/// run it, in `signatures.rs` and the desk's end-to-end test.)
#[test]
fn either_s_value_and_flagged_extensions_verify() {
    let (line, text, _) = signed_approval();
    let key = signing_key(0x11);
    let c = challenge(crate::signing::NAMESPACE, &text);
    let mut a = good(&key, &c);
    let der = Signature::from_der(&a.signature).expect("DER");
    let (r, s) = der.split_scalars();
    let flipped = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).expect("a signature");
    a.signature = flipped.to_der().as_bytes().to_vec();
    let sig = to_sshsig(&line, crate::signing::NAMESPACE, &text, &a).expect("the other s");
    verify_entry(&text, &sig, &line).expect("the other s verifies");

    let mut data = auth_data(RP, FLAG_UP | FLAG_UV | FLAG_ED, 9);
    let cred_protect = b"\xa1\x6bcredProtect\x02";
    data.extend_from_slice(cred_protect);
    let a = sign(&key, data, client_data("webauthn.get", &c, ORIGIN));
    let sig = to_sshsig(&line, crate::signing::NAMESPACE, &text, &a).expect("extensions");
    verify_entry(&text, &sig, &line).expect("extensions verify");
    // Extensions without the ED flag are refused.
    let mut data = auth_data(RP, FLAG_UP | FLAG_UV, 9);
    data.extend_from_slice(cred_protect);
    let a = sign(&key, data, client_data("webauthn.get", &c, ORIGIN));
    let err = verify_assertion(&line, &c, &a).expect_err("no ED flag");
    assert!(err.contains("ED flag"), "{err}");
    let sig = unchecked_sshsig(&line, &a, ORIGIN);
    assert!(verify_entry(&text, &sig, &line).is_err());
}

/// Authenticator data for a registration with credential `id` and the COSE key of `key`.
fn registration_auth_data(rp_id: &str, flags: u8, id: &[u8], key: &SigningKey) -> Vec<u8> {
    let point = key.verifying_key().to_encoded_point(false);
    let mut out = auth_data(rp_id, flags, 0);
    out.extend_from_slice(&[0xAA; 16]);
    out.extend_from_slice(&u16::try_from(id.len()).expect("short").to_be_bytes());
    out.extend_from_slice(id);
    // {1: 2, 3: -7, -1: 1, -2: x, -3: y} in canonical CBOR.
    out.extend_from_slice(&[0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]);
    out.extend_from_slice(point.x().expect("x"));
    out.extend_from_slice(&[0x22, 0x58, 0x20]);
    out.extend_from_slice(point.y().expect("y"));
    out
}

#[test]
fn a_registration_gives_the_roster_line_and_credential_id() {
    let key = signing_key(0x11);
    let spki = p256::PublicKey::from(key.verifying_key())
        .to_public_key_der()
        .expect("SPKI")
        .as_bytes()
        .to_vec();
    let c = b"a random registration challenge".to_vec();
    let flags = FLAG_UP | FLAG_UV | FLAG_AT;
    let auth = registration_auth_data(RP, flags, b"credential-1", &key);
    let cdj = client_data("webauthn.create", &c, ORIGIN);
    let reg = public_key_from_registration(&spki, &auth, &cdj, &c, RP, "ana@example.org")
        .expect("a registration");
    assert_eq!(reg.credential_id, b"credential-1");
    assert_eq!(reg.public_key, key_line(&key, RP));
    assert!(
        reg.public_key
            .starts_with("sk-ecdsa-sha2-nistp256@openssh.com AAAA")
    );
    assert!(reg.public_key.ends_with(" ana@example.org"));

    // The key signs entries that verify against the line it gave.
    let text = approval_text("8c");
    let a = good(&key, &challenge(crate::signing::NAMESPACE, &text));
    let sig = to_sshsig(&reg.public_key, crate::signing::NAMESPACE, &text, &a).expect("signs");
    verify_entry(&text, &sig, &reg.public_key).expect("verifies");

    let refused = |spki: &[u8], auth: &[u8], cdj: &[u8], rp: &str| {
        public_key_from_registration(spki, auth, cdj, &c, rp, "ana@example.org")
            .expect_err("refused")
    };
    let other_spki = p256::PublicKey::from(signing_key(0x22).verifying_key())
        .to_public_key_der()
        .expect("SPKI")
        .as_bytes()
        .to_vec();
    let err = refused(&other_spki, &auth, &cdj, RP);
    assert!(
        err.contains("not the key in its authenticator data"),
        "{err}"
    );
    let err = refused(&spki, &auth, &client_data("webauthn.get", &c, ORIGIN), RP);
    assert!(err.contains("not webauthn.create"), "{err}");
    let err = refused(
        &spki,
        &auth,
        &client_data("webauthn.create", b"old", ORIGIN),
        RP,
    );
    assert!(err.contains("another challenge"), "{err}");
    let err = refused(
        &spki,
        &auth,
        &client_data("webauthn.create", &c, "https://evil.example"),
        RP,
    );
    assert!(err.contains("https://evil.example"), "{err}");
    let err = refused(
        &spki,
        &registration_auth_data(RP, FLAG_UP | FLAG_AT, b"c", &key),
        &cdj,
        RP,
    );
    assert!(err.contains("user verification"), "{err}");
    let err = refused(
        &spki,
        &registration_auth_data(RP, FLAG_UP | FLAG_UV, b"c", &key),
        &cdj,
        RP,
    );
    assert!(err.contains("AT flag"), "{err}");
    let err = refused(
        &spki,
        &registration_auth_data("evil.example", flags, b"c", &key),
        &cdj,
        RP,
    );
    assert!(err.contains("another site"), "{err}");
    let err = refused(&spki, &auth[..auth.len() - 10], &cdj, RP);
    assert!(err.contains("ES256"), "{err}");
    let err = refused(b"not der", &auth, &cdj, RP);
    assert!(err.contains("not a P-256 key"), "{err}");
}

#[test]
fn base64url_is_unpadded_and_strict() {
    assert_eq!(base64url_encode(b"\xfb\xff"), "-_8");
    assert_eq!(base64url_decode("-_8"), Ok(b"\xfb\xff".to_vec()));
    for bad in ["-_8=", "+/8", "-_ 8", "-_9"] {
        assert!(base64url_decode(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_roster_takes_a_passkey_key() {
    let line = key_line(&signing_key(0x11), RP);
    crate::signing::check_public_key(&line).expect("an OpenSSH key");
    crate::roster::edit::check_key(Some(&line)).expect("--public-key takes it");
    let fingerprint = crate::signing::key_fingerprint(&line).expect("a fingerprint");
    assert!(fingerprint.starts_with("SHA256:"), "{fingerprint}");
    assert_ne!(
        Some(fingerprint),
        crate::signing::key_fingerprint(&key_line(&signing_key(0x11), "localhost"))
    );
}
