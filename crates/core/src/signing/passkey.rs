//! Passkeys (WebAuthn, P-256 with ES256) as SSH signatures. p256, sha2 and
//! ssh-key types stay inside this module.
//!
//! A passkey's public key is kept in the roster as an OpenSSH
//! `sk-ecdsa-sha2-nistp256@openssh.com` key whose application string is the
//! WebAuthn relying party id (`localhost`, `desk.example.org`). To sign an entry
//! the browser is asked for an assertion whose challenge is [`challenge`], the
//! data `ssh-keygen -Y sign` would sign; [`to_sshsig`] turns that assertion into
//! an armored SSHSIG with a `webauthn-sk-ecdsa-sha2-nistp256@openssh.com`
//! signature (PROTOCOL.u2f), which `ssh-keygen -Y verify` and this crate's one
//! verification path (`verify_text`, behind `check`, `publish` and the server
//! gate) both accept. Nothing the desk that relays the
//! assertion says is trusted: the signature covers the relying party, the
//! origin, the flags and the challenge, and every one of them is checked here.
//!
//! Beyond what OpenSSH checks, a passkey signature must say the signer was
//! present and verified (the UP and UV flags), and the page that asked for it
//! must be the relying party or one of its subdomains, over `https` (or `http`
//! on `localhost`).

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256, Sha512};
use ssh_key::PublicKey;
use ssh_key::public::{KeyData, SkEcdsaSha2NistP256};

#[cfg(test)]
mod tests;

/// The SSH signature algorithm of a passkey signature (PROTOCOL.u2f).
pub const WEBAUTHN_ALGORITHM: &str = "webauthn-sk-ecdsa-sha2-nistp256@openssh.com";

/// The OpenSSH key type a passkey's public key is kept as.
pub const KEY_ALGORITHM: &str = "sk-ecdsa-sha2-nistp256@openssh.com";

/// The authenticator data flag saying the user was present (touched it).
const FLAG_UP: u8 = 0x01;
/// The authenticator data flag saying the user was verified (PIN or biometric).
const FLAG_UV: u8 = 0x04;
/// The flag saying attested credential data follows (set only at registration).
const FLAG_AT: u8 = 0x40;
/// The flag saying extension data follows.
const FLAG_ED: u8 = 0x80;

/// The armor of an SSH signature.
const PEM_BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
/// The last line of an SSH signature.
const PEM_END: &str = "-----END SSH SIGNATURE-----";

/// The data a passkey signs for `text` in `namespace`: the SSHSIG signed data
/// (`"SSHSIG"`, the namespace, an empty reserved field, `sha512` and the SHA-512
/// of the text), which is the WebAuthn challenge to ask the browser for.
pub fn challenge(namespace: &str, text: &str) -> Vec<u8> {
    signed_data(namespace, "sha512", text.as_bytes())
}

/// What a browser returns for `navigator.credentials.get` (an
/// `AuthenticatorAssertionResponse`), as raw bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assertion {
    /// The authenticator data: RP id hash, flags, counter, extensions.
    pub authenticator_data: Vec<u8>,
    /// The client data JSON the browser wrote (type, challenge, origin).
    pub client_data_json: Vec<u8>,
    /// The ASN.1 DER ECDSA signature, as browsers return it.
    pub signature: Vec<u8>,
}

/// What a verified assertion says besides that it verifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssertionInfo {
    /// The origin of the page that asked for the assertion.
    pub origin: String,
    /// The authenticator's signature counter.
    pub counter: u32,
}

/// A passkey as registered (`navigator.credentials.create`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    /// The OpenSSH `sk-ecdsa-sha2-nistp256@openssh.com` public key line, whose
    /// application is the relying party id.
    pub public_key: String,
    /// The credential id, to name in `allowCredentials` when signing.
    pub credential_id: Vec<u8>,
}

/// Why an assertion is refused, so callers can word the common cases their way.
#[derive(Debug)]
enum Refusal {
    /// The assertion answers another challenge (another text, namespace or sign-in).
    Challenge,
    /// The ECDSA signature does not verify with the key.
    Signature,
    /// Any other rule is broken; the sentence says which.
    Rule(String),
}

impl Refusal {
    /// The refusal as a sentence for someone who holds a bare assertion.
    fn sentence(self) -> String {
        match self {
            Refusal::Challenge => "the passkey signed another challenge than the one asked for (another entry, or a stale or replayed request)".into(),
            Refusal::Signature => "the passkey's signature does not verify with this public key (the assertion was altered or made by another passkey)".into(),
            Refusal::Rule(why) => why,
        }
    }
}

/// Checks `a` as a passkey assertion over `challenge` by the passkey whose
/// OpenSSH public key is `public_key`: the relying party, the flags (present
/// and verified), the client data (type, challenge, origin) and the signature.
pub fn verify_assertion(
    public_key: &str,
    challenge: &[u8],
    a: &Assertion,
) -> Result<AssertionInfo, String> {
    let key = PasskeyKey::parse(public_key)?;
    let signature = Signature::from_der(&a.signature)
        .map_err(|_| "the passkey's signature is not an ASN.1 DER ECDSA signature".to_owned())?;
    verify_parts(
        &key,
        challenge,
        &a.authenticator_data,
        &a.client_data_json,
        &signature,
    )
    .map_err(Refusal::sentence)
}

/// Verifies `a` over `text` in `namespace` and returns the armored SSH
/// signature (`-----BEGIN SSH SIGNATURE-----`) `ssh-keygen -Y verify` accepts.
pub fn to_sshsig(
    public_key: &str,
    namespace: &str,
    text: &str,
    a: &Assertion,
) -> Result<String, String> {
    if namespace.is_empty() {
        return Err("an SSH signature needs a namespace".into());
    }
    let info = verify_assertion(public_key, &challenge(namespace, text), a)?;
    let key = PasskeyKey::parse(public_key)?;
    let signature = Signature::from_der(&a.signature)
        .map_err(|_| "the passkey's signature is not an ASN.1 DER ECDSA signature".to_owned())?;
    assemble(&key, namespace, a, &signature, &info.origin)
}

/// The armored SSHSIG for an assertion by `key` in `namespace`, unchecked.
fn assemble(
    key: &PasskeyKey,
    namespace: &str,
    a: &Assertion,
    signature: &Signature,
    origin: &str,
) -> Result<String, String> {
    let auth = AuthData::parse(&a.authenticator_data).map_err(Refusal::sentence)?;
    let (r, s) = signature.split_bytes();
    let mut ecdsa = Vec::new();
    put_mpint(&mut ecdsa, &r);
    put_mpint(&mut ecdsa, &s);
    let mut inner = Vec::new();
    put_string(&mut inner, WEBAUTHN_ALGORITHM.as_bytes());
    put_string(&mut inner, &ecdsa);
    inner.push(auth.flags);
    inner.extend_from_slice(&auth.counter.to_be_bytes());
    put_string(&mut inner, origin.as_bytes());
    put_string(&mut inner, &a.client_data_json);
    put_string(&mut inner, auth.rest);

    let mut blob = b"SSHSIG".to_vec();
    blob.extend_from_slice(&1u32.to_be_bytes());
    put_string(&mut blob, &key.blob);
    put_string(&mut blob, namespace.as_bytes());
    put_string(&mut blob, b"");
    put_string(&mut blob, b"sha512");
    put_string(&mut blob, &inner);
    Ok(armor(&blob))
}

/// Checks a registration (`navigator.credentials.create` with ES256) for
/// `rp_id` and `expected_challenge` and returns the passkey's OpenSSH public
/// key line (commented `comment`) and credential id. `spki_der` is what the
/// browser's `AuthenticatorAttestationResponse.getPublicKey()` returns; it
/// must be the key in the authenticator data.
pub fn public_key_from_registration(
    spki_der: &[u8],
    authenticator_data: &[u8],
    client_data_json: &[u8],
    expected_challenge: &[u8],
    rp_id: &str,
    comment: &str,
) -> Result<Registration, String> {
    check_client_data(
        client_data_json,
        "webauthn.create",
        expected_challenge,
        rp_id,
    )
    .map_err(Refusal::sentence)?;
    let auth = AuthData::parse(authenticator_data).map_err(Refusal::sentence)?;
    check_rp_and_flags(&auth, rp_id).map_err(Refusal::sentence)?;
    if auth.flags & FLAG_AT == 0 {
        return Err(
            "the registration's authenticator data holds no credential (the AT flag is unset)"
                .into(),
        );
    }
    // Attested credential data: AAGUID (16 bytes), credential id length (u16 big
    // endian), credential id, then the credential's COSE public key.
    let attested = auth.rest;
    let truncated = || "the registration's credential data is cut short".to_owned();
    let id_len = attested
        .get(16..18)
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        .ok_or_else(truncated)?;
    let credential_id = attested.get(18..18 + id_len).ok_or_else(truncated)?;
    if credential_id.is_empty() {
        return Err("the registration's credential id is empty".into());
    }
    let cose = &attested[18 + id_len..];
    let (x, y) = cose_p256_coordinates(cose)?;

    let key = VerifyingKey::from_public_key_der(spki_der).map_err(|_| {
        "the registration's public key is not a P-256 key (the passkey must use ES256)".to_owned()
    })?;
    let point = key.to_encoded_point(false);
    if point.x().map(|c| c.as_slice()) != Some(x) || point.y().map(|c| c.as_slice()) != Some(y) {
        return Err(
            "the registration's public key is not the key in its authenticator data".into(),
        );
    }
    let key_data = KeyData::SkEcdsaSha2NistP256(SkEcdsaSha2NistP256::new(point, rp_id));
    let public_key = PublicKey::new(key_data, comment)
        .to_openssh()
        .map_err(|e| format!("the passkey's public key cannot be written as OpenSSH: {e}"))?;
    Ok(Registration {
        public_key,
        credential_id: credential_id.to_vec(),
    })
}

/// `bytes` as unpadded base64url, as WebAuthn writes challenges and ids.
pub fn base64url_encode(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// The bytes of unpadded base64url `text`; padding, whitespace or any other
/// character is refused.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, String> {
    Base64UrlUnpadded::decode_vec(text)
        .map_err(|_| "it is not unpadded base64url (A-Z, a-z, 0-9, - and _)".to_owned())
}

/// A passkey's public key: the key to verify with, the relying party id, and
/// the OpenSSH encoding (the SSHSIG public key field).
struct PasskeyKey {
    /// The P-256 key.
    verifying: VerifyingKey,
    /// The application string, the relying party id.
    application: String,
    /// The OpenSSH public key blob.
    blob: Vec<u8>,
}

impl PasskeyKey {
    /// Parses an OpenSSH public key line that must be a passkey's.
    fn parse(public_key: &str) -> Result<Self, String> {
        let key = PublicKey::from_openssh(public_key.trim())
            .map_err(|e| format!("the public key does not parse: {e}"))?;
        Self::from_key(&key)
    }

    /// The passkey in `key`, which must be an `sk-ecdsa-sha2-nistp256@openssh.com` key.
    fn from_key(key: &PublicKey) -> Result<Self, String> {
        let KeyData::SkEcdsaSha2NistP256(sk) = key.key_data() else {
            return Err(format!(
                "the public key is {}, not a passkey ({KEY_ALGORITHM})",
                key.algorithm()
            ));
        };
        let verifying = VerifyingKey::from_encoded_point(sk.ec_point())
            .map_err(|_| "the passkey's public key is not a point on P-256".to_owned())?;
        let blob = key
            .to_bytes()
            .map_err(|e| format!("the public key cannot be encoded: {e}"))?;
        Ok(Self {
            verifying,
            application: sk.application().to_owned(),
            blob,
        })
    }
}

/// Authenticator data split into its fixed fields and the rest (attested
/// credential data and extensions).
struct AuthData<'a> {
    /// The SHA-256 of the relying party id.
    rp_id_hash: &'a [u8],
    /// The flags byte.
    flags: u8,
    /// The signature counter.
    counter: u32,
    /// Whatever follows the counter.
    rest: &'a [u8],
}

impl<'a> AuthData<'a> {
    /// Splits `bytes`, which must hold at least the 37 fixed bytes.
    fn parse(bytes: &'a [u8]) -> Result<Self, Refusal> {
        if bytes.len() < 37 {
            return Err(Refusal::Rule(format!(
                "the authenticator data is {} bytes, shorter than the 37 every passkey sends",
                bytes.len()
            )));
        }
        Ok(Self {
            rp_id_hash: &bytes[..32],
            flags: bytes[32],
            counter: u32::from_be_bytes([bytes[33], bytes[34], bytes[35], bytes[36]]),
            rest: &bytes[37..],
        })
    }
}

/// Checks the relying party hash and the present and verified flags.
fn check_rp_and_flags(auth: &AuthData<'_>, rp_id: &str) -> Result<(), Refusal> {
    if auth.rp_id_hash != Sha256::digest(rp_id.as_bytes()).as_slice() {
        return Err(Refusal::Rule(format!(
            "the passkey answered for another site than {rp_id} (the relying party id hash differs)"
        )));
    }
    if auth.flags & FLAG_UP == 0 {
        return Err(Refusal::Rule(
            "the passkey does not say the signer was present (the user presence flag is unset)"
                .into(),
        ));
    }
    if auth.flags & FLAG_UV == 0 {
        return Err(Refusal::Rule(
            "the passkey did not verify the signer with a PIN or biometric (the user verification flag is unset); ask for userVerification \"required\"".into(),
        ));
    }
    Ok(())
}

/// Checks an assertion's parts (authenticator data, client data, signature)
/// against `key` and `challenge`; the one rule set for sign-in and entries.
fn verify_parts(
    key: &PasskeyKey,
    challenge: &[u8],
    authenticator_data: &[u8],
    client_data_json: &[u8],
    signature: &Signature,
) -> Result<AssertionInfo, Refusal> {
    let auth = AuthData::parse(authenticator_data)?;
    check_rp_and_flags(&auth, &key.application)?;
    if auth.flags & FLAG_AT != 0 {
        return Err(Refusal::Rule(
            "the assertion carries credential data, as only a registration does (the AT flag is set)".into(),
        ));
    }
    // Without attested credential data, what follows the counter is the
    // extensions, present exactly when the ED flag says so (as OpenSSH checks).
    if (auth.flags & FLAG_ED != 0) == auth.rest.is_empty() {
        return Err(Refusal::Rule(
            "the authenticator data's extensions do not agree with its ED flag".into(),
        ));
    }
    let origin = check_client_data(
        client_data_json,
        "webauthn.get",
        challenge,
        &key.application,
    )?;
    let mut signed = authenticator_data.to_vec();
    signed.extend_from_slice(&Sha256::digest(client_data_json));
    key.verifying
        .verify(&signed, signature)
        .map_err(|_| Refusal::Signature)?;
    Ok(AssertionInfo {
        origin,
        counter: auth.counter,
    })
}

/// Checks client data JSON of `kind` (`webauthn.get` or `webauthn.create`)
/// answers `challenge` and comes from a page of `rp_id`; returns the origin.
/// The JSON must start exactly as browsers write it and OpenSSH expects:
/// `{"type":"…","challenge":"…","origin":"…"` followed by `,` or `}`.
fn check_client_data(
    json: &[u8],
    kind: &str,
    challenge: &[u8],
    rp_id: &str,
) -> Result<String, Refusal> {
    let text = std::str::from_utf8(json)
        .map_err(|_| Refusal::Rule("the client data is not UTF-8".into()))?;
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| Refusal::Rule("the client data is not JSON".into()))?;
    let field = |name: &str| value.get(name).and_then(serde_json::Value::as_str);
    if field("type") != Some(kind) {
        return Err(Refusal::Rule(format!(
            "the client data is of type {}, not {kind}",
            field("type").unwrap_or("(none)")
        )));
    }
    let prefix = format!(
        "{{\"type\":\"{kind}\",\"challenge\":\"{}\",\"origin\":\"",
        base64url_encode(challenge)
    );
    let Some(rest) = text.strip_prefix(&prefix) else {
        return Err(match field("challenge") {
            Some(c) if c != base64url_encode(challenge) => Refusal::Challenge,
            _ => Refusal::Rule(
                "the client data does not start with type, challenge and origin as browsers write it".into(),
            ),
        });
    };
    let end = rest
        .find('"')
        .ok_or_else(|| Refusal::Rule("the client data's origin is not a plain string".into()))?;
    let origin = &rest[..end];
    // The origin must be the very value the JSON holds (no escapes, no second
    // `origin` key), and the preamble must end where a JSON member ends.
    if field("origin") != Some(origin)
        || field("challenge") != Some(base64url_encode(challenge).as_str())
        || !matches!(rest.as_bytes().get(end + 1), Some(b',' | b'}'))
    {
        return Err(Refusal::Rule(
            "the client data's type, challenge and origin are not written as browsers write them"
                .into(),
        ));
    }
    if value.get("crossOrigin") == Some(&serde_json::Value::Bool(true)) {
        return Err(Refusal::Rule(format!(
            "the passkey was used in a frame embedded in another site than {origin}"
        )));
    }
    check_origin(origin, rp_id)?;
    Ok(origin.to_owned())
}

/// Checks `origin` is a page of `rp_id`: its host is `rp_id` or a subdomain of
/// it, over `https`, or over `http` only on `localhost`.
fn check_origin(origin: &str, rp_id: &str) -> Result<(), Refusal> {
    let refuse = |why: &str| {
        Err(Refusal::Rule(format!(
            "the passkey was used on {origin}, {why}"
        )))
    };
    let (scheme, authority) = match origin.split_once("://") {
        Some(parts) => parts,
        None => return refuse("which is not a web origin"),
    };
    let host = match authority.rsplit_once(':') {
        Some((host, port))
            if !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            host
        }
        Some(_) => return refuse("which is not a web origin"),
        None => authority,
    };
    let host_ok = !rp_id.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && (host == rp_id
            || host
                .strip_suffix(rp_id)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')));
    if !host_ok {
        return refuse(&format!("which is not {rp_id} or a subdomain of it"));
    }
    match scheme {
        "https" => Ok(()),
        "http" if host == "localhost" => Ok(()),
        _ => refuse("which is not https (plain http is allowed only on localhost)"),
    }
}

/// Finds the x and y coordinates (keys -2 and -3, 32-byte byte strings) in a
/// COSE EC2 key as authenticators write it (canonical CBOR).
fn cose_p256_coordinates(cose: &[u8]) -> Result<(&[u8], &[u8]), String> {
    const X: [u8; 3] = [0x21, 0x58, 0x20];
    const Y: [u8; 3] = [0x22, 0x58, 0x20];
    let not_p256 = || {
        "the registration's credential key is not an ES256 P-256 COSE key (the passkey must use ES256)"
            .to_owned()
    };
    if !matches!(cose.first(), Some(0xa0..=0xb7)) {
        return Err(not_p256());
    }
    let find = |marker: &[u8; 3], from: usize| -> Option<usize> {
        cose.get(from..)?
            .windows(3)
            .position(|w| w == marker)
            .map(|at| from + at + 3)
    };
    let x_at = find(&X, 0).ok_or_else(not_p256)?;
    let x = cose.get(x_at..x_at + 32).ok_or_else(not_p256)?;
    let y_at = find(&Y, x_at + 32).ok_or_else(not_p256)?;
    let y = cose.get(y_at..y_at + 32).ok_or_else(not_p256)?;
    Ok((x, y))
}

/// The SSHSIG signed data for `message`, hashed with `hash` (`sha512` or
/// `sha256`). The reserved field is empty, as OpenSSH always signs and
/// verifies it.
fn signed_data(namespace: &str, hash: &str, message: &[u8]) -> Vec<u8> {
    let digest = if hash == "sha256" {
        Sha256::digest(message).to_vec()
    } else {
        Sha512::digest(message).to_vec()
    };
    let mut out = b"SSHSIG".to_vec();
    put_string(&mut out, namespace.as_bytes());
    put_string(&mut out, b"");
    put_string(&mut out, hash.as_bytes());
    put_string(&mut out, &digest);
    out
}

/// Appends an SSH wire string: u32 big-endian length, then the bytes.
fn put_string(out: &mut Vec<u8>, bytes: &[u8]) {
    // Every string here is far below 4 GiB; the length is saturated rather than
    // wrapped should one ever not be.
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
}

/// Appends an unsigned big-endian integer as an SSH mpint.
fn put_mpint(out: &mut Vec<u8>, unsigned: &[u8]) {
    let start = unsigned
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(unsigned.len());
    let mut bytes = Vec::with_capacity(unsigned.len() + 1);
    if unsigned.get(start).is_some_and(|&b| b & 0x80 != 0) {
        bytes.push(0);
    }
    bytes.extend_from_slice(&unsigned[start..]);
    put_string(out, &bytes);
}

/// Armors an SSHSIG blob as `ssh-keygen -Y sign` does: base64 in lines of 70.
fn armor(blob: &[u8]) -> String {
    let encoded = Base64::encode_string(blob);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 70 + 64);
    out.push_str(PEM_BEGIN);
    out.push('\n');
    for line in encoded.as_bytes().chunks(70) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(PEM_END);
    out.push('\n');
    out
}

/// Reads SSH wire data front to back.
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    /// The next `n` bytes.
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("it is cut short".into());
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    /// The next byte.
    fn byte(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    /// The next u32, big endian.
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The next string (u32 length, then the bytes).
    fn string(&mut self) -> Result<&'a [u8], String> {
        let len = usize::try_from(self.u32()?).map_err(|_| "it is too long".to_owned())?;
        self.take(len)
    }

    /// The next string, which must be UTF-8.
    fn text(&mut self) -> Result<&'a str, String> {
        std::str::from_utf8(self.string()?).map_err(|_| "a text field is not UTF-8".to_owned())
    }

    /// Fails unless everything was read.
    fn done(&self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err("it has trailing data".into())
        }
    }
}

/// The unsigned value of an SSH mpint as a 32-byte P-256 scalar.
fn mpint_scalar(mpint: &[u8]) -> Result<[u8; 32], String> {
    if mpint.first().is_some_and(|&b| b & 0x80 != 0) {
        return Err("an ECDSA value is negative".into());
    }
    let start = mpint.iter().position(|&b| b != 0).unwrap_or(mpint.len());
    let digits = &mpint[start..];
    if digits.len() > 32
        || (start > 1)
        || (start == 1 && digits.first().is_some_and(|&b| b & 0x80 == 0))
    {
        return Err("an ECDSA value is not a P-256 scalar written as OpenSSH writes it".into());
    }
    let mut out = [0u8; 32];
    out[32 - digits.len()..].copy_from_slice(digits);
    Ok(out)
}

/// An SSHSIG whose signature is a passkey's (`webauthn-sk-ecdsa-…`), split into
/// its fields.
pub(crate) struct WebauthnSshSig {
    /// The signer's public key blob.
    public_key: Vec<u8>,
    /// The namespace.
    namespace: String,
    /// The hash algorithm name.
    hash: String,
    /// The ECDSA signature.
    signature: Signature,
    /// The authenticator flags.
    flags: u8,
    /// The signature counter.
    counter: u32,
    /// The origin OpenSSH reads from the signature.
    origin: String,
    /// The client data JSON.
    client_data_json: Vec<u8>,
    /// The authenticator data extensions.
    extensions: Vec<u8>,
}

impl WebauthnSshSig {
    /// Reads `pem` if it is an SSH signature made with a passkey. `Ok(None)`
    /// when it is anything else (another algorithm, or not readable as far as
    /// the signature algorithm), which the caller verifies as before; `Err`
    /// says why a passkey signature does not parse.
    pub(crate) fn parse(pem: &str) -> Result<Option<Self>, String> {
        let Some(blob) = unarmor(pem) else {
            return Ok(None);
        };
        let mut wire = Wire(&blob);
        let head = (|| -> Result<_, String> {
            if wire.take(6)? != b"SSHSIG" {
                return Err("it is not an SSHSIG".into());
            }
            let version = wire.u32()?;
            let public_key = wire.string()?.to_vec();
            let namespace = wire.text()?.to_owned();
            let reserved = wire.string()?;
            let hash = wire.text()?.to_owned();
            let inner = wire.string()?;
            Ok((version, public_key, namespace, reserved, hash, inner))
        })();
        let Ok((version, public_key, namespace, reserved, hash, inner)) = head else {
            return Ok(None);
        };
        let mut inner = Wire(inner);
        if inner.string().ok() != Some(WEBAUTHN_ALGORITHM.as_bytes()) {
            return Ok(None);
        }
        let rest = (|| -> Result<Self, String> {
            wire.done()?;
            if version != 1 {
                return Err(format!("it is SSHSIG version {version}, not 1"));
            }
            if !reserved.is_empty() {
                return Err("its reserved field is not empty".into());
            }
            if hash != "sha512" && hash != "sha256" {
                return Err(format!(
                    "its hash algorithm {hash} is neither sha512 nor sha256"
                ));
            }
            let mut ecdsa = Wire(inner.string()?);
            let r = mpint_scalar(ecdsa.string()?)?;
            let s = mpint_scalar(ecdsa.string()?)?;
            ecdsa.done()?;
            let signature = Signature::from_scalars(r, s)
                .map_err(|_| "its ECDSA signature is out of range".to_owned())?;
            let flags = inner.byte()?;
            let counter = inner.u32()?;
            let origin = inner.text()?.to_owned();
            let client_data_json = inner.string()?.to_vec();
            let extensions = inner.string()?.to_vec();
            inner.done()?;
            Ok(Self {
                public_key,
                namespace,
                hash,
                signature,
                flags,
                counter,
                origin,
                client_data_json,
                extensions,
            })
        })();
        rest.map(Some)
            .map_err(|why| format!("the passkey signature does not parse: {why}"))
    }

    /// Checks this signature over `text` in `namespace` by `key` (the roster
    /// key), in the order ssh-key checks: the key, the namespace, then the rest.
    pub(crate) fn verify(
        &self,
        key: &PublicKey,
        namespace: &str,
        text: &str,
    ) -> Result<(), SigFailure> {
        let signer = PublicKey::from_bytes(&self.public_key)
            .map_err(|e| SigFailure::Parse(format!("its public key does not parse: {e}")))?;
        if signer.key_data() != key.key_data() {
            return Err(SigFailure::Key);
        }
        if self.namespace != namespace {
            return Err(SigFailure::Namespace);
        }
        let passkey = PasskeyKey::from_key(key).map_err(SigFailure::Rule)?;
        // OpenSSH refuses an origin with a quote, and reads the one in the
        // client data at the same place; both must be the same.
        if self.origin.contains('"') {
            return Err(SigFailure::Rule(
                "its origin holds a quote, which OpenSSH refuses".into(),
            ));
        }
        let mut authenticator_data = Sha256::digest(passkey.application.as_bytes()).to_vec();
        authenticator_data.push(self.flags);
        authenticator_data.extend_from_slice(&self.counter.to_be_bytes());
        authenticator_data.extend_from_slice(&self.extensions);
        let challenge = signed_data(namespace, &self.hash, text.as_bytes());
        let info = verify_parts(
            &passkey,
            &challenge,
            &authenticator_data,
            &self.client_data_json,
            &self.signature,
        )
        .map_err(|refusal| match refusal {
            Refusal::Challenge | Refusal::Signature => SigFailure::Mismatch,
            Refusal::Rule(why) => SigFailure::Rule(why),
        })?;
        if info.origin != self.origin {
            return Err(SigFailure::Rule(format!(
                "its origin {} is not the one its client data names ({})",
                self.origin, info.origin
            )));
        }
        Ok(())
    }
}

/// Why a passkey SSH signature does not verify, for `verify_text` to word.
#[derive(Debug)]
pub(crate) enum SigFailure {
    /// It does not parse; the sentence says why.
    Parse(String),
    /// It was made with another key than the roster's.
    Key,
    /// It was made for another namespace.
    Namespace,
    /// It covers other text (or was altered).
    Mismatch,
    /// A passkey rule is broken; the sentence says which.
    Rule(String),
}

/// The bytes inside an `SSH SIGNATURE` armor, if `pem` is one.
fn unarmor(pem: &str) -> Option<Vec<u8>> {
    let body = pem.trim().strip_prefix(PEM_BEGIN)?.strip_suffix(PEM_END)?;
    let joined: String = body.lines().map(str::trim).collect();
    Base64::decode_vec(&joined).ok()
}
