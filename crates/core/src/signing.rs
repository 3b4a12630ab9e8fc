//! SSH signatures over sign-offs (the SSHSIG format `ssh-keygen -Y sign` makes).
//! ssh-key types stay inside this module.
//!
//! A signature covers the entry's canonical text (see [`canonical_text`]) in the
//! namespace [`NAMESPACE`], hashed with SHA-512. It verifies against the
//! `public_key` of the person in the roster; a signature made by any other key,
//! over any other text, or in another namespace does not verify.
//!
//! Signing runs `ssh-keygen -Y sign` as git does for `gpg.format=ssh` (see
//! [`SigningKey`]), so passphrases, ssh-agent and hardware keys work; verifying
//! never leaves this process.
//!
//! A signature made with a passkey in a browser (see [`passkey`]) is an SSHSIG
//! too, with a `webauthn-sk-ecdsa-sha2-nistp256@openssh.com` signature; it is
//! verified here like any other, plus the passkey rules.

mod key;
pub mod passkey;
mod program;

use ssh_key::{HashAlg, PublicKey, SshSig};

pub use key::{DEFAULT_PROGRAM, Signer, SigningKey};

use crate::clock;
use crate::ids::Id;
use crate::ledger::entry::Entry;

/// The SSHSIG namespace of medreview sign-offs (`ssh-keygen -Y sign -n medreview-signoff`).
pub const NAMESPACE: &str = "medreview-signoff";

/// The SSHSIG namespace of roster entries, so a signature over one kind of entry
/// can never be passed off as the other.
pub const ROSTER_NAMESPACE: &str = "medreview-roster";

/// The namespace the server gate signs its checkpoint in (see
/// `record::history::gate`), so no other signature can pass for one.
pub const GATE_NAMESPACE: &str = "medreview-gate-checkpoint";

/// The namespace a publisher signs a publication's manifest in
/// (`.well-known/medreview/manifest.json`, see `medreview verify`).
pub const PUBLICATION_NAMESPACE: &str = "medreview-publication";

/// The exact text a signature covers (version 2): eleven lines, each `field: value`
/// and a newline. `after` and `roster` are JSON arrays of entry ids in the entry's
/// order; `note`, `recorded_by` and `clock` JSON strings, or `null` when absent.
/// Every field of the entry but the signature is covered. An entry that says what
/// its signer last viewed (`viewed`, a diff or a preview) is signed over version 3:
/// the first line says `v3` and a twelfth line `viewed: {"how":"diff","revision":
/// "…","from":"…"}` (a JSON object with exactly those keys in that order, `from`
/// `null` for a preview) follows `clock`. An approval or a re-review that says
/// what it means and who signed it (`meaning`, `name`, `credentials`) is signed
/// over version 4: the first line says `v4`, the twelfth line is `viewed:` as in
/// version 3 or `viewed: null`, and three more lines follow it, `meaning:`,
/// `name:` and `credentials:`, each a JSON string or `null`:
///
/// ```text
/// medreview sign-off v4
/// article: her2-treatment
/// ...(revision to clock, as in version 2)
/// viewed: null
/// meaning: "medical-accuracy"
/// name: "Ana Example"
/// credentials: "M.D."
/// ```
///
/// A submission that says what it changes for readers (`change`) or a schedule
/// entry (`schedule`) is signed over version 5: the version 4 lines, then
/// `change:` (a JSON string or `null`) and `schedule:` (`{"not_before":…,
/// "not_after":…}`, each an RFC 3339 JSON string or `null`; or `null`).
///
/// ```text
/// medreview sign-off v2
/// article: her2-treatment
/// revision: 8c1f0e2d...(40 hex)
/// action: approved
/// by: ana-example
/// at: 2025-03-05T09:00:00-05:00
/// after: ["20250304T140000Z-submitted-suzanne-example-1a2b3c4d5e6f"]
/// roster: ["20250301T120000Z-roster-rosa-editor-0f1e2d3c4b5a"]
/// note: "Accurate."
/// recorded_by: null
/// clock: null
/// ```
///
/// An entry `medreview migrate` carried over from format 1 (`format: 1`) keeps its
/// format-1 signature, which covers the version 1 text: the first seven fields
/// (`medreview sign-off v1`, article, revision, action, by, at, note).
///
/// ```
/// use medreview_core::{ids::Id, record::entry::{Action, Entry}, signing};
/// use medreview_store::revision::RevId;
///
/// let entry = Entry {
///     action: Action::Approved,
///     by: Id::parse("id", "ana-example").unwrap(),
///     at: chrono::DateTime::parse_from_rfc3339("2025-03-05T09:00:00-05:00").unwrap(),
///     revision: RevId::parse(&"8c".repeat(20)).unwrap(),
///     after: Vec::new(),
///     roster: Vec::new(),
///     note: Some("Accurate.".into()),
///     recorded_by: None,
///     clock: None,
///     format: None,
///     viewed: None,
///     meaning: None,
///     name: None,
///     credentials: None,
///     change: None,
///     schedule: None,
///     signature: None,
/// };
/// let slug = Id::parse("slug", "her2-treatment").unwrap();
/// let text = signing::canonical_text(&slug, &entry);
/// assert!(text.starts_with("medreview sign-off v2\n"));
/// assert!(text.ends_with("after: []\nroster: []\nnote: \"Accurate.\"\nrecorded_by: null\nclock: null\n"));
/// ```
pub fn canonical_text(slug: &Id, entry: &Entry) -> String {
    let json = |value: serde_json::Value| value.to_string();
    let note = entry
        .note
        .as_ref()
        .map_or("null".into(), |n| json(n.clone().into()));
    let head = format!(
        "article: {slug}\nrevision: {}\naction: {}\nby: {}\nat: {}\n",
        entry.revision,
        entry.action,
        entry.by,
        clock::rfc3339(&entry.at)
    );
    if entry.is_migrated() {
        return format!("medreview sign-off v1\n{head}note: {note}\n");
    }
    let ids = |list: &[crate::ledger::entry::EntryId]| {
        json(
            list.iter()
                .map(|id| serde_json::Value::String(id.to_string()))
                .collect(),
        )
    };
    let text_or_null = |value: Option<String>| value.map_or("null".into(), |v| json(v.into()));
    let tail = format!(
        "after: {}\nroster: {}\nnote: {note}\nrecorded_by: {}\nclock: {}\n",
        ids(&entry.after),
        ids(&entry.roster),
        text_or_null(entry.recorded_by.as_ref().map(ToString::to_string)),
        text_or_null(entry.clock.clone()),
    );
    let viewed = entry.viewed.as_ref().map(|viewed| {
        format!(
            "{{\"how\":{},\"revision\":{},\"from\":{}}}",
            json(viewed.how.as_str().into()),
            json(viewed.revision.to_string().into()),
            text_or_null(viewed.from.as_ref().map(ToString::to_string)),
        )
    });
    let says_meaning =
        entry.meaning.is_some() || entry.name.is_some() || entry.credentials.is_some();
    let says_more = entry.change.is_some() || entry.schedule.is_some();
    match viewed {
        // Version 5 added what a submission changes for readers and when a page
        // may be on the site; entries without them keep the text of their time.
        _ if says_more => format!(
            "medreview sign-off v5\n{head}{tail}viewed: {}\nmeaning: {}\nname: {}\ncredentials: {}\nchange: {}\nschedule: {}\n",
            viewed.unwrap_or_else(|| "null".to_owned()),
            text_or_null(entry.meaning.clone()),
            text_or_null(entry.name.clone()),
            text_or_null(entry.credentials.clone()),
            text_or_null(entry.change.map(|c| c.as_str().to_owned())),
            entry
                .schedule
                .map_or_else(|| "null".to_owned(), |s| s.canonical_json()),
        ),
        // Version 4 added what a signature means and who signed it; an entry
        // without them keeps the text of its time (version 2 without `viewed`,
        // version 3 with it), so every signature made before still verifies.
        _ if says_meaning => format!(
            "medreview sign-off v4\n{head}{tail}viewed: {}\nmeaning: {}\nname: {}\ncredentials: {}\n",
            viewed.unwrap_or_else(|| "null".to_owned()),
            text_or_null(entry.meaning.clone()),
            text_or_null(entry.name.clone()),
            text_or_null(entry.credentials.clone()),
        ),
        None => format!("medreview sign-off v2\n{head}{tail}"),
        Some(viewed) => format!("medreview sign-off v3\n{head}{tail}viewed: {viewed}\n"),
    }
}

/// Checks the signature of `entry`; `Err` says why it does not verify.
pub fn verify(
    slug: &Id,
    entry: &Entry,
    public_key: Option<&str>,
) -> std::result::Result<(), String> {
    verify_text(
        NAMESPACE,
        &canonical_text(slug, entry),
        &entry.by,
        entry.signature.as_deref(),
        public_key,
    )
}

/// The SSHSIG namespace git signs tags and commits in (`git tag -s` with
/// `gpg.format=ssh`).
pub const GIT_NAMESPACE: &str = "git";

/// Whether the tag object `object` ends in an SSH signature block (`git tag -s`
/// with `gpg.format=ssh`), valid or not.
pub fn has_git_signature(object: &[u8]) -> bool {
    std::str::from_utf8(object).is_ok_and(|text| split_git_signature(text).is_some())
}

/// Checks the SSH signature git appends to a signed tag object (`git tag -s` with
/// `gpg.format=ssh`) as made by `by`, whose roster key is `public_key`. `object` is
/// the tag object's bytes; git signs everything before the signature's first line.
pub fn verify_git_tag(
    object: &[u8],
    by: &Id,
    public_key: Option<&str>,
) -> std::result::Result<(), String> {
    let text = std::str::from_utf8(object).map_err(|_| "the tag is not UTF-8".to_owned())?;
    let (payload, signature) =
        split_git_signature(text).ok_or_else(|| "it is not signed with an SSH key".to_owned())?;
    verify_text(GIT_NAMESPACE, payload, by, Some(signature), public_key)
}

/// A signed git object's text split into what was signed and the SSH signature
/// block after it. Like git, the last block that starts a line counts.
fn split_git_signature(text: &str) -> Option<(&str, &str)> {
    const BEGIN: &str = "-----BEGIN SSH SIGNATURE-----";
    let start = text
        .rmatch_indices(BEGIN)
        .map(|(at, _)| at)
        .find(|&at| at == 0 || text[..at].ends_with('\n'))?;
    Some(text.split_at(start))
}

/// Checks `signature` over `text` in `namespace` by `by`, whose roster key is
/// `public_key`; `Err` says why it does not verify.
pub fn verify_text(
    namespace: &str,
    text: &str,
    by: &Id,
    signature: Option<&str>,
    public_key: Option<&str>,
) -> std::result::Result<(), String> {
    let Some(pem) = signature else {
        return Err("it is not signed".into());
    };
    let Some(public_key) = public_key else {
        return Err(format!(
            "{by} has no public_key in the roster to verify it with"
        ));
    };
    let key = PublicKey::from_openssh(public_key.trim())
        .map_err(|e| format!("{by}'s public_key does not parse: {e}"))?;
    // ssh-key does not read passkey (WebAuthn) signatures; those are verified
    // by the passkey module, and every other signature as before.
    if let Some(webauthn) = passkey::WebauthnSshSig::parse(pem.trim())? {
        return webauthn
            .verify(&key, namespace, text)
            .map_err(|failure| match failure {
                passkey::SigFailure::Parse(why) => format!("the signature does not parse: {why}"),
                passkey::SigFailure::Key => format!("it was made with a key that is not {by}'s"),
                passkey::SigFailure::Namespace => {
                    format!("it was made for another namespace than {namespace}")
                }
                passkey::SigFailure::Mismatch => {
                    "it does not match the entry (the entry or the signature was altered)".into()
                }
                passkey::SigFailure::Rule(why) => format!("it is a passkey signature, but {why}"),
            });
    }
    let signature =
        SshSig::from_pem(pem.trim()).map_err(|e| format!("the signature does not parse: {e}"))?;
    key.verify(namespace, text.as_bytes(), &signature)
        .map_err(|e| match e {
            ssh_key::Error::PublicKey => format!("it was made with a key that is not {by}'s"),
            ssh_key::Error::Namespace => {
                format!("it was made for another namespace than {namespace}")
            }
            _ => "it does not match the entry (the entry or the signature was altered)".into(),
        })
}

/// The SHA-256 fingerprint of an OpenSSH public key (comment aside), if it parses.
pub fn key_fingerprint(text: &str) -> Option<String> {
    PublicKey::from_openssh(text.trim())
        .ok()
        .map(|k| k.fingerprint(HashAlg::Sha256).to_string())
}

/// The OpenSSH public key an SSHSIG `signature` says it was made with (not yet
/// checked: [`verify_text`] checks it), as a line, if the signature parses.
pub fn signature_key(signature: &str) -> Option<String> {
    let sig = SshSig::from_pem(signature.trim()).ok()?;
    PublicKey::from(sig.public_key().clone()).to_openssh().ok()
}

/// Whether two OpenSSH public key lines are the same key (comments aside).
pub fn same_key(a: &str, b: &str) -> bool {
    match (
        PublicKey::from_openssh(a.trim()),
        PublicKey::from_openssh(b.trim()),
    ) {
        (Ok(a), Ok(b)) => a.key_data() == b.key_data(),
        _ => false,
    }
}

/// Whether `text` is an OpenSSH public key; `Err` says why not.
pub fn check_public_key(text: &str) -> std::result::Result<(), String> {
    PublicKey::from_openssh(text.trim())
        .map(|_| ())
        .map_err(|e| e.to_string())
}
