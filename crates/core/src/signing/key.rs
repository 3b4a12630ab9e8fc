//! The key a sign-off is signed with, found and used the way git uses it for
//! `gpg.format=ssh`: a private key file, a `.pub` file whose private half is in
//! ssh-agent (or next to it), or a `key::ssh-ed25519 AAAA...` literal held by the
//! agent. The program (`ssh-keygen`, or git's `gpg.ssh.program`) signs; this module
//! verifies what it made against the roster before anyone may use it.

use std::path::{Path, PathBuf};

use ssh_key::{HashAlg, PrivateKey, PublicKey, SshSig};

use super::program;
use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::ledger::entry::Entry;

/// The program git runs for SSH signatures unless `gpg.ssh.program` says otherwise.
pub const DEFAULT_PROGRAM: &str = "ssh-keygen";

/// Where `--key` and git config name the key from, in messages.
const FROM_FLAG: &str = "--key";
const FROM_MEDREVIEW: &str = "git config medreview.signingKey";
const FROM_GIT: &str = "git config user.signingKey";

/// A signing key: what `ssh-keygen -f` is given, where it was named, and the program.
pub struct SigningKey {
    key: KeyRef,
    origin: &'static str,
    program: String,
}

enum KeyRef {
    /// A private key file, or a `.pub` file (ssh-keygen then asks the agent).
    File(PathBuf),
    /// The public key line of a `key::` literal; only ssh-agent can sign with it.
    Literal(String),
    /// A passkey in the signer's browser (the review desk), in two steps: see
    /// [`SigningKey::passkey_ask`] and [`SigningKey::passkey_signed`].
    Passkey(Passkey),
}

/// The two steps of a passkey signature. The desk runs a command once to learn the
/// exact text it would record (`asked`), the browser signs that text, and the desk
/// runs the command again with the signature: it is used only if the command would
/// record exactly the text that was signed.
struct Passkey {
    /// What the first run asked to be signed: the namespace and the text.
    asked: std::sync::Mutex<Option<(String, String)>>,
    /// The signature the browser made: namespace, text and the SSHSIG PEM.
    signed: Option<(String, String, String)>,
}

/// Where a passkey signature comes from, in messages.
const FROM_PASSKEY: &str = "a passkey in the browser";

/// The person a signature must be theirs: their id, the roster file holding their
/// key, and that key.
pub struct Signer<'a> {
    /// The person the entry is by.
    pub id: &'a Id,
    /// Their `public_key` in the roster, if any.
    pub public_key: Option<&'a str>,
    /// Their roster file (`reviewers/ana-example.yaml`), named in messages.
    pub roster_file: Option<String>,
    /// Who records the entry for them, when that is someone else.
    pub recorded_by: Option<&'a Id>,
}

impl Signer<'_> {
    fn file(&self) -> String {
        self.roster_file
            .clone()
            .unwrap_or_else(|| format!("{}'s roster file", self.id))
    }

    /// `medreview reviewer edit ID` or `medreview writer edit ID`, for hints.
    fn edit_command(&self) -> String {
        let role = match &self.roster_file {
            Some(f) if f.starts_with("writers/") => "writer",
            _ => "reviewer",
        };
        format!("medreview {role} edit {}", self.id)
    }
}

impl SigningKey {
    /// The key file at `path` (a private key or a `.pub` file), signed with by
    /// `ssh-keygen`; refuses a file that cannot be read.
    pub fn load(path: &Path) -> Result<SigningKey> {
        Self::file(path.to_path_buf(), FROM_FLAG)
    }

    fn file(path: PathBuf, origin: &'static str) -> Result<SigningKey> {
        if let Err(e) = std::fs::File::open(&path) {
            return Err(Error::new(
                Code::UnreadableSigningKey,
                format!(
                    "cannot read the signing key {} ({origin}): {e}",
                    path.display()
                ),
            ));
        }
        Ok(SigningKey {
            key: KeyRef::File(path),
            origin,
            program: DEFAULT_PROGRAM.to_owned(),
        })
    }

    /// The first step of a passkey signature: the command stops where it would sign
    /// and [`SigningKey::asked`] says what it would have signed.
    pub fn passkey_ask() -> SigningKey {
        SigningKey {
            key: KeyRef::Passkey(Passkey {
                asked: std::sync::Mutex::new(None),
                signed: None,
            }),
            origin: FROM_PASSKEY,
            program: String::new(),
        }
    }

    /// The second step: `pem` is the passkey's signature over `text` in `namespace`
    /// (see [`super::passkey::to_sshsig`]); the command records it only if it would
    /// sign exactly that text, and only once it verifies against the roster key.
    pub fn passkey_signed(namespace: &str, text: &str, pem: &str) -> SigningKey {
        SigningKey {
            key: KeyRef::Passkey(Passkey {
                asked: std::sync::Mutex::new(None),
                signed: Some((namespace.to_owned(), text.to_owned(), pem.to_owned())),
            }),
            origin: FROM_PASSKEY,
            program: String::new(),
        }
    }

    /// What a [`SigningKey::passkey_ask`] key was asked to sign: the namespace and
    /// the text, once the command reached the point of signing.
    pub fn asked(&self) -> Option<(String, String)> {
        match &self.key {
            KeyRef::Passkey(p) => p.asked.lock().ok().and_then(|a| a.clone()),
            _ => None,
        }
    }

    /// A key as `--key` or git config names it: `key::` (or git's older `ssh-`)
    /// literal, else a path, with `~/` meaning the home folder.
    fn parse(spec: &str, origin: &'static str) -> Result<SigningKey> {
        match literal(spec) {
            Some(line) => {
                PublicKey::from_openssh(line).map_err(|e| {
                    Error::with_hint(
                        Code::InvalidPublicKey,
                        format!("the key:: literal in {origin} is not an OpenSSH public key: {e}"),
                        "write it as key::ssh-ed25519 AAAA... (the line of the .pub file)",
                    )
                })?;
                Ok(SigningKey {
                    key: KeyRef::Literal(line.to_owned()),
                    origin,
                    program: DEFAULT_PROGRAM.to_owned(),
                })
            }
            None => Self::file(expand_home(spec), origin),
        }
    }

    /// The key to sign with: `explicit` (`--key`), else `medreview.signingKey`, else
    /// git's `user.signingKey` when it names an SSH key (gpg.format=ssh, a `key::`
    /// literal, or an existing OpenSSH key file; a GPG key id is not a path). `config`
    /// reads git config; `gpg.ssh.program` picks the program.
    pub fn find(
        explicit: Option<&Path>,
        config: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<SigningKey>> {
        let key = if let Some(path) = explicit {
            match path.to_str().filter(|s| s.starts_with("key::")) {
                Some(spec) => Self::parse(spec, FROM_FLAG)?,
                None => Self::file(path.to_path_buf(), FROM_FLAG)?,
            }
        } else if let Some(spec) = config("medreview.signingKey") {
            Self::parse(spec.trim(), FROM_MEDREVIEW)?
        } else if let Some(spec) = config("user.signingKey") {
            let spec = spec.trim();
            let ssh = config("gpg.format").is_some_and(|f| f.trim().eq_ignore_ascii_case("ssh"));
            if !ssh && literal(spec).is_none() && !is_openssh_key_file(&expand_home(spec)) {
                return Ok(None);
            }
            Self::parse(spec, FROM_GIT)?
        } else {
            return Ok(None);
        };
        Ok(Some(SigningKey {
            program: config("gpg.ssh.program").unwrap_or_else(|| DEFAULT_PROGRAM.to_owned()),
            ..key
        }))
    }

    /// Why the entry goes unsigned, when it does: a key found only in git's
    /// `user.signingKey` (not chosen for medreview with `--key` or
    /// `medreview.signingKey`) signs only for a person with a key on file, so git's
    /// commit-signing setup never blocks a sign-off. `None`: sign.
    /// The same holds when someone records the entry for another person: git's key
    /// is the recorder's own.
    pub fn skip_reason(&self, signer: &Signer<'_>) -> Option<String> {
        if self.origin != FROM_GIT {
            return None;
        }
        if let Some(recorder) = signer.recorded_by {
            return Some(format!(
                "not signed: {recorder} records this for {}, and the key in {} is {recorder}'s own",
                signer.id, self.origin
            ));
        }
        signer.public_key.is_none().then(|| {
            format!(
                "not signed: {} has no public_key in {}, so the key in {} was not used; {}",
                signer.id,
                signer.file(),
                self.origin,
                self.record_key_hint(signer, self.known_public().as_ref())
            )
        })
    }

    /// The key as messages name it: its file or literal, and where it was named.
    pub fn describe(&self) -> String {
        match &self.key {
            KeyRef::File(path) => format!("{} ({})", path.display(), self.origin),
            KeyRef::Literal(_) => format!("the key:: literal in {}", self.origin),
            KeyRef::Passkey(_) => FROM_PASSKEY.to_owned(),
        }
    }

    /// Where the private key comes from, for the message naming the key used.
    fn source(&self) -> String {
        match &self.key {
            KeyRef::Literal(_) => format!("ssh-agent, for {}", self.describe()),
            KeyRef::File(path) if self.agent_only(path) => {
                format!("ssh-agent, for {}", self.describe())
            }
            KeyRef::File(_) | KeyRef::Passkey(_) => self.describe(),
        }
    }

    /// A `.pub` file with no private key beside it: only the agent can sign.
    fn agent_only(&self, path: &Path) -> bool {
        read_public(path).is_some() && !private_beside(path).is_some_and(|p| p.is_file())
    }

    /// The public half as an OpenSSH line, when it can be read without the
    /// private key (see `known_public`).
    pub fn public_key_line(&self) -> Option<String> {
        self.known_public().and_then(|k| k.to_openssh().ok())
    }

    /// The public half, when it can be read without the private key (the literal, the
    /// `.pub` file, the clear part of an OpenSSH private key file, or the `.pub` beside it).
    fn known_public(&self) -> Option<PublicKey> {
        match &self.key {
            KeyRef::Literal(line) => PublicKey::from_openssh(line).ok(),
            KeyRef::Passkey(_) => None,
            KeyRef::File(path) => read_public(path)
                .or_else(|| {
                    let text = std::fs::read_to_string(path).ok()?;
                    PrivateKey::from_openssh(text.trim())
                        .ok()
                        .map(|k| k.public_key().clone())
                })
                .or_else(|| {
                    let mut pub_path = path.clone().into_os_string();
                    pub_path.push(".pub");
                    read_public(Path::new(&pub_path))
                }),
        }
    }

    /// Signs `entry` of article `slug` as `who`, whose roster public key is `public_key`.
    /// Returns the PEM text of the signature.
    pub fn sign(
        &self,
        slug: &Id,
        entry: &Entry,
        who: &Id,
        public_key: Option<&str>,
    ) -> Result<String> {
        self.sign_text(
            super::NAMESPACE,
            &super::canonical_text(slug, entry),
            who,
            public_key,
        )
    }

    /// Signs `text` in `namespace` as `who`, whose roster public key is `public_key`.
    pub(crate) fn sign_text(
        &self,
        namespace: &str,
        text: &str,
        who: &Id,
        public_key: Option<&str>,
    ) -> Result<String> {
        let signer = Signer {
            id: who,
            public_key,
            roster_file: None,
            recorded_by: None,
        };
        self.sign_as(namespace, text, &signer)
    }

    /// Signs `text` in `namespace` for `signer` through the signing program, then
    /// verifies the signature here against their roster key: a key that is not theirs
    /// is refused (before signing when its public half is known, else after), and so
    /// is a signature that does not verify. Returns the PEM text.
    pub fn sign_as(&self, namespace: &str, text: &str, signer: &Signer<'_>) -> Result<String> {
        let known = self.known_public();
        let Some(line) = signer.public_key else {
            return Err(self.no_key_on_file(signer, known.as_ref()));
        };
        let expected = PublicKey::from_openssh(line.trim()).map_err(|e| {
            Error::with_hint(
                Code::InvalidPublicKey,
                format!(
                    "{}'s public_key in {} is not an OpenSSH public key: {e}",
                    signer.id,
                    signer.file()
                ),
                "paste the single line of their .pub file (ssh-ed25519 AAAA... comment)",
            )
        })?;
        if let KeyRef::Passkey(passkey) = &self.key {
            return passkey.sign(namespace, text, signer, line);
        }
        if let Some(known) = &known
            && known.key_data() != expected.key_data()
        {
            return Err(self.mismatch(
                signer,
                known,
                &format!("from {}", self.source()),
                &expected,
            ));
        }
        let pem = self.run_program(namespace, text)?;
        let sig = SshSig::from_pem(pem.trim()).map_err(|e| {
            Error::new(
                Code::SigningFailed,
                format!(
                    "{} wrote a signature that does not parse: {e}",
                    self.program
                ),
            )
        })?;
        if sig.public_key() != expected.key_data() {
            let used = PublicKey::from(sig.public_key().clone());
            let via = format!(
                "that {} signed with, given {}",
                self.program,
                self.describe()
            );
            return Err(self.mismatch(signer, &used, &via, &expected));
        }
        expected
            .verify(namespace, text.as_bytes(), &sig)
            .map_err(|e| {
                Error::new(
                    Code::SigningFailed,
                    format!("the signature {} made does not verify: {e}", self.program),
                )
            })?;
        // Stored as this crate writes it, never as the program's bytes.
        sig.to_pem(ssh_key::LineEnding::LF)
            .map_err(|e| Error::internal(format!("cannot encode the signature: {e}")))
    }

    fn run_program(&self, namespace: &str, text: &str) -> Result<String> {
        let shown = self.describe();
        match &self.key {
            KeyRef::File(path) => {
                if self.agent_only(path) {
                    program::require_agent(&shown)?;
                }
                program::sign(&program::Run {
                    program: &self.program,
                    key_file: path,
                    agent: false,
                    namespace,
                    text,
                    shown: &shown,
                })
            }
            KeyRef::Passkey(_) => Err(Error::internal(
                "a passkey signs in the browser, not with a signing program",
            )),
            KeyRef::Literal(line) => {
                // As git does: the literal in a private temp file, `-U` for the agent.
                program::require_agent(&shown)?;
                let dir = tempfile::Builder::new()
                    .prefix("medreview-key-")
                    .tempdir()
                    .map_err(|e| Error::io("create a temp folder in", &std::env::temp_dir(), e))?;
                let file = dir.path().join("signing_key.pub");
                program::write_private(&file, format!("{line}\n").as_bytes())?;
                program::sign(&program::Run {
                    program: &self.program,
                    key_file: &file,
                    agent: true,
                    namespace,
                    text,
                    shown: &shown,
                })
            }
        }
    }

    fn no_key_on_file(&self, signer: &Signer<'_>, known: Option<&PublicKey>) -> Error {
        Error::with_hint(
            Code::NoPublicKey,
            format!(
                "{} has no public_key in {}, so a signature by them could not be verified",
                signer.id,
                signer.file()
            ),
            self.record_key_hint(signer, known),
        )
    }

    fn record_key_hint(&self, signer: &Signer<'_>, known: Option<&PublicKey>) -> String {
        let line = known.and_then(|k| k.to_openssh().ok()).map_or_else(
            || "ssh-ed25519 AAAA... (the line of the key's .pub file)".to_owned(),
            // The key's type and data; its comment is no one's business.
            |l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "),
        );
        format!(
            "an admin records the key's public line in {}: `{} --public-key \"{line}\"`",
            signer.file(),
            signer.edit_command()
        )
    }

    /// `via` says where the key `used` came from.
    fn mismatch(
        &self,
        signer: &Signer<'_>,
        used: &PublicKey,
        via: &str,
        expected: &PublicKey,
    ) -> Error {
        Error::with_hint(
            Code::WrongSigningKey,
            format!(
                "the key {} {via} is not {}'s: {} has public_key {}",
                used.fingerprint(HashAlg::Sha256),
                signer.id,
                signer.file(),
                expected.fingerprint(HashAlg::Sha256),
            ),
            format!(
                "sign with the key whose public line is in {} (--key FILE, or git config medreview.signingKey FILE), or act as the person this key belongs to",
                signer.file()
            ),
        )
    }
}

impl Passkey {
    /// The first step remembers the text and stops the command; the second checks
    /// that the text is the one signed and that the signature verifies.
    fn sign(
        &self,
        namespace: &str,
        text: &str,
        signer: &Signer<'_>,
        public_key: &str,
    ) -> Result<String> {
        let Some((signed_namespace, signed_text, pem)) = &self.signed else {
            if let Ok(mut asked) = self.asked.lock() {
                *asked = Some((namespace.to_owned(), text.to_owned()));
            }
            return Err(Error::new(
                Code::SigningFailed,
                "the entry is signed with a passkey in the browser (first step)",
            ));
        };
        if signed_namespace != namespace || signed_text != text {
            return Err(Error::with_hint(
                Code::SigningFailed,
                format!(
                    "what {} signed is no longer what would be recorded: the record changed while the passkey was signing",
                    signer.id
                ),
                "look at the page again (it shows the record as it now stands) and sign once more",
            ));
        }
        super::verify_text(namespace, text, signer.id, Some(pem), Some(public_key)).map_err(
            |why| {
                Error::with_hint(
                    Code::SigningFailed,
                    format!(
                        "the passkey signature of {} does not verify: {why}",
                        signer.id
                    ),
                    format!(
                        "sign with the passkey whose public line is in {}",
                        signer.file()
                    ),
                )
            },
        )?;
        Ok(pem.clone())
    }
}

/// The public key line of a `key::` literal (or of git's older bare `ssh-...` form).
fn literal(spec: &str) -> Option<&str> {
    spec.strip_prefix("key::")
        .or_else(|| spec.starts_with("ssh-").then_some(spec))
        .map(str::trim)
}

/// `~/x` to `$HOME/x`, as git does for key paths in its config.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn read_public(path: &Path) -> Option<PublicKey> {
    let text = std::fs::read_to_string(path).ok()?;
    PublicKey::from_openssh(text.trim()).ok()
}

/// `id_ed25519` for `id_ed25519.pub`.
fn private_beside(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?.strip_suffix(".pub")?;
    Some(path.with_file_name(name))
}

/// Whether `path` holds an OpenSSH public or private key (so git's `user.signingKey`
/// names a file, not a GPG key id).
fn is_openssh_key_file(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| {
        let text = text.trim();
        PublicKey::from_openssh(text).is_ok() || PrivateKey::from_openssh(text).is_ok()
    })
}

#[cfg(test)]
mod tests;
