//! The gate's checkpoint: a verification that travels (issue 28).
//!
//! The server gate verifies every commit pushed to the team's branch. After a push,
//! a gate with a key (`git config medreview.gateKey` in the server's repository)
//! walks the branch's history from its own memo-backed checkpoint, exactly as
//! `check` does, and when the whole history is clean it signs a statement naming
//! the commit it verified. The statement is an annotated tag object at
//! [`GATE_REF`], pointing at that commit; `sync` fetches it into
//! `refs/medreview/remotes/<remote>/gate`, and a CI clone fetches it before it
//! publishes.
//!
//! A clone honours the statement only when every one of these holds (see
//! [`find`]); otherwise it says why and verifies the whole history:
//!
//! - the clone trusts the key: it is pinned outside the repository
//!   (`MEDREVIEW_TRUST_GATE`, `git config medreview.trustGate`), so nothing a
//!   pusher, a mirror or the clone's own refs hold can make a key trusted;
//! - the key is in `sync.gate_keys` of the record's `medreview.yaml` as the roster's
//!   record holds it (an admin recorded it), so removing it revokes every
//!   statement it ever signed;
//! - the signature verifies over the statement's exact text, in the gate's own
//!   namespace;
//! - the statement names the tag's own target, this workspace's folder, and the
//!   rules this build verifies by ([`RULES`]);
//! - HEAD contains the commit. A commit id is a hash of the whole history behind
//!   it, so this history up to that commit is, byte for byte, the history the gate
//!   verified: a statement copied from another repository or from before a rewrite
//!   names a commit HEAD does not contain, and is not honoured.
//!
//! Every commit after the statement's commit is walked as usual. Without a pin
//! nothing here is read, and verification stays complete.

use crate::clock;
use crate::error::{Code, Error, Result};
use crate::signing;
use medreview_store::gitstore::{GitStore, Identity};

/// The server's ref holding the gate's signed statement (an annotated tag object).
pub const GATE_REF: &str = "refs/medreview/gate";

/// The rules a history is verified by. A gate's statement made by other rules is
/// not honoured: raise this whenever a change to the history walk could find a
/// problem an older walk passed.
pub const RULES: u32 = 1;

/// The environment variable a CI job pins the gate's key in: one or more OpenSSH
/// public key lines or `SHA256:` fingerprints, one a line (a key's comment may hold
/// a comma).
pub const TRUST_VAR: &str = "MEDREVIEW_TRUST_GATE";

/// The git config setting a clone pins the gate's key in (same values).
pub const TRUST_CONFIG: &str = "medreview.trustGate";

/// The first line of every statement.
const HEADER: &str = "medreview gate checkpoint v1";

/// Where `sync` and a CI clone keep remote `remote`'s statement.
pub fn remote_ref(remote: &str) -> String {
    format!("refs/medreview/remotes/{remote}/gate")
}

/// What the gate signs: the commit whose whole history it verified, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The rules it verified by ([`RULES`]).
    pub rules: u32,
    /// The workspace's folder in the repository (`.` at the top).
    pub workspace: String,
    /// The commit.
    pub commit: String,
    /// The SHA-256 fingerprint of the key that signs.
    pub key: String,
    /// When the gate verified it (RFC 3339, its clock): said, never trusted.
    pub verified_at: String,
}

impl Statement {
    /// The exact text the signature covers.
    pub fn text(&self) -> String {
        format!(
            "{HEADER}\nrules: {}\nworkspace: {}\ncommit: {}\nkey: {}\nverified-at: {}\n",
            self.rules, self.workspace, self.commit, self.key, self.verified_at
        )
    }

    /// Reads the text [`Statement::text`] writes, and nothing else.
    fn parse(text: &str) -> Option<Statement> {
        let mut lines = text.strip_suffix('\n')?.split('\n');
        if lines.next()? != HEADER {
            return None;
        }
        let mut field = |name: &str| {
            lines
                .next()?
                .strip_prefix(name)?
                .strip_prefix(": ")
                .map(str::to_owned)
        };
        let statement = Statement {
            rules: field("rules")?.parse().ok()?,
            workspace: field("workspace")?,
            commit: field("commit")?,
            key: field("key")?,
            verified_at: field("verified-at")?,
        };
        (lines.next().is_none() && statement.text() == text).then_some(statement)
    }
}

/// How the workspace folder `root` (`""` at the top) is named in a statement.
pub fn workspace_name(root: &str) -> String {
    if root.is_empty() {
        ".".into()
    } else {
        root.to_owned()
    }
}

/// A statement this clone honours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trusted {
    /// The statement.
    pub statement: Statement,
    /// The ref it was read from.
    pub from: String,
}

/// The keys this clone trusts the gate's statements from, as fingerprints: the
/// pins in [`TRUST_VAR`] and [`TRUST_CONFIG`]. A value that is neither a key nor a
/// fingerprint is an error naming where it was set.
pub fn pins(git: &GitStore) -> Result<Vec<String>> {
    let mut pins = Vec::new();
    let sources = [
        (
            std::env::var(TRUST_VAR).ok(),
            format!("the environment variable {TRUST_VAR}"),
        ),
        (
            git.config_string(TRUST_CONFIG),
            format!("git config {TRUST_CONFIG}"),
        ),
    ];
    for (value, source) in sources {
        let Some(value) = value else { continue };
        for item in value.lines().map(str::trim) {
            if item.is_empty() {
                continue;
            }
            let fingerprint = if item.starts_with("SHA256:") && !item.contains(' ') {
                Some(item.to_owned())
            } else {
                signing::key_fingerprint(item)
            };
            match fingerprint {
                Some(f) => pins.push(f),
                None => {
                    return Err(Error::with_hint(
                        Code::InvalidSetting,
                        format!(
                            "{source} holds {item:?}, which is neither an OpenSSH public key nor a SHA256: fingerprint"
                        ),
                        "set it to the gate key's public line (ssh-ed25519 AAAA...), as `medreview hook install --server --gate-key` printed it, or unset it to verify the whole history",
                    ));
                }
            }
        }
    }
    pins.sort();
    pins.dedup();
    Ok(pins)
}

/// What the gate signs with: its key file, checked, and the public line.
pub struct GateKey {
    key: signing::SigningKey,
    line: String,
}

impl GateKey {
    /// The key at `path` (`git config medreview.gateKey` on the server). Refuses a
    /// file that cannot be read or whose public half cannot be known.
    pub fn load(path: &std::path::Path) -> Result<GateKey> {
        let key = signing::SigningKey::load(path)?;
        let Some(line) = key.public_key_line() else {
            return Err(Error::with_hint(
                Code::UnreadableSigningKey,
                format!(
                    "the gate key {} has no public half beside it, so the checkpoints it signs could not be checked",
                    path.display()
                ),
                "keep its .pub file next to it (ssh-keygen -y -f KEY > KEY.pub)",
            ));
        };
        Ok(GateKey { key, line })
    }

    /// The public key, as an OpenSSH line.
    pub fn public_line(&self) -> &str {
        &self.line
    }

    /// The key's SHA-256 fingerprint.
    pub fn fingerprint(&self) -> String {
        signing::key_fingerprint(&self.line).unwrap_or_default()
    }
}

/// Signs a statement that the whole history of `commit` verified, with workspace
/// folder `root`, and points [`GATE_REF`] at it, only forward: when two pushes
/// finish together, the statement of the older commit never replaces the newer's.
/// Returns the statement.
pub fn sign(git: &GitStore, key: &GateKey, root: &str, commit: &str) -> Result<Statement> {
    let now = clock::now()?;
    let statement = Statement {
        rules: RULES,
        workspace: workspace_name(root),
        commit: commit.to_owned(),
        key: key.fingerprint(),
        verified_at: clock::rfc3339(&now),
    };
    let text = statement.text();
    let gate = crate::ids::Id::parse("gate", "gate")
        .map_err(|e| Error::internal(format!("the gate's id: {e}")))?;
    let signature = key.key.sign_as(
        signing::GATE_NAMESPACE,
        &text,
        &signing::Signer {
            id: &gate,
            public_key: Some(&key.line),
            roster_file: Some("git config medreview.gateKey".into()),
            recorded_by: None,
        },
    )?;
    let tagger = Identity {
        name: "medreview gate".into(),
        email: "gate@medreview.invalid".into(),
    };
    let message = format!("{text}\n{}", signature.trim_end());
    let id = git.tag_object("medreview-gate", commit, &tagger, now, &message)?;
    let newer = git
        .ref_target(GATE_REF)
        .and_then(|old| git.peel_to_commit(&old))
        .is_some_and(|old| old != commit && git.is_ancestor(commit, &old));
    if !newer {
        git.set_ref_to_object(GATE_REF, &id, "medreview gate: history verified")?;
    }
    Ok(statement)
}

/// The statement at `refname`, checked against everything but the pins and the
/// record's keys: `Err` says why it cannot be honoured; `Ok(None)`: it is genuine
/// but ahead of HEAD (a clone that fetched and has not merged yet), so of no use
/// now and nothing to warn about.
fn read(
    git: &GitStore,
    refname: &str,
    root: &str,
    head: &str,
) -> std::result::Result<Option<(Statement, String)>, String> {
    let id = git
        .ref_target(refname)
        .ok_or_else(|| "the ref is gone".to_owned())?;
    let bytes = git
        .tag_bytes(&id)
        .ok_or_else(|| "it is not a signed statement (not an annotated tag)".to_owned())?;
    let object = String::from_utf8(bytes).map_err(|_| "it is not UTF-8".to_owned())?;
    let (header, message) = object
        .split_once("\n\n")
        .ok_or_else(|| "it is not a tag object".to_owned())?;
    let target = header
        .lines()
        .find_map(|l| l.strip_prefix("object "))
        .unwrap_or_default();
    // The message is the statement's text, a blank line, and the signature.
    let (text, rest) = message
        .split_once("\n-----BEGIN SSH SIGNATURE-----")
        .ok_or_else(|| "it is not signed".to_owned())?;
    let signature = format!("-----BEGIN SSH SIGNATURE-----{rest}");
    let statement =
        Statement::parse(text).ok_or_else(|| "its text is not a gate statement".to_owned())?;
    let key = signing::signature_key(&signature)
        .ok_or_else(|| "its signature does not parse".to_owned())?;
    if signing::key_fingerprint(&key).as_deref() != Some(statement.key.as_str()) {
        return Err("it names one key and is signed by another".into());
    }
    let gate = crate::ids::Id::parse("gate", "gate").map_err(|e| e.to_string())?;
    signing::verify_text(
        signing::GATE_NAMESPACE,
        text,
        &gate,
        Some(&signature),
        Some(&key),
    )
    .map_err(|why| format!("its signature does not verify: {why}"))?;
    if statement.commit != target {
        return Err(format!(
            "it names commit {} but is attached to {}",
            short(&statement.commit),
            short(target)
        ));
    }
    if statement.rules != RULES {
        return Err(format!(
            "the gate verified by rules {}, and this medreview verifies by rules {RULES}; upgrade whichever is older",
            statement.rules
        ));
    }
    if statement.workspace != workspace_name(root) {
        return Err(format!(
            "it is for the workspace {}, and this one is {}",
            statement.workspace,
            workspace_name(root)
        ));
    }
    if statement.commit != head
        && git.has_commit(&statement.commit)
        && git.is_ancestor(head, &statement.commit)
    {
        return Ok(None);
    }
    if !git.has_commit(&statement.commit) || !git.is_ancestor(&statement.commit, head) {
        return Err(format!(
            "it names commit {}, which the history of HEAD does not contain (this branch has not merged it yet, or it comes from another repository or from before a rewrite)",
            short(&statement.commit)
        ));
    }
    Ok(Some((statement, key)))
}

/// The gate statement to start the walk of `head` from, when the clone pins a key
/// (`pins`, fingerprints) that the record's `gate_keys` also lists: the nearest to
/// `head` of those that hold (see the module's rules). Each statement found and not
/// honoured comes back with why, to be said.
pub fn find(
    git: &GitStore,
    root: &str,
    head: &str,
    pins: &[String],
    gate_keys: &[String],
) -> (Option<Trusted>, Vec<String>) {
    let mut refused = Vec::new();
    let mut best: Option<Trusted> = None;
    if pins.is_empty() {
        return (None, refused);
    }
    let mut refs: Vec<String> = git
        .refs_under("refs/medreview/remotes/")
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| name.ends_with("/gate"))
        .collect();
    if git.ref_target(GATE_REF).is_some() {
        refs.push(GATE_REF.to_owned());
    }
    for refname in refs {
        let checked = read(git, &refname, root, head).and_then(|read| {
            let Some((statement, key)) = read else {
                return Ok(None);
            };
            if !pins.contains(&statement.key) {
                return Err(format!(
                    "it is signed by {}, a key this clone does not trust ({TRUST_VAR}, git config {TRUST_CONFIG})",
                    statement.key
                ));
            }
            if !gate_keys.iter().any(|k| signing::same_key(k, &key)) {
                return Err(format!(
                    "its key {} is not in sync.gate_keys of the record's medreview.yaml (never added by an admin, or revoked)",
                    statement.key
                ));
            }
            Ok(Some(statement))
        });
        match checked {
            Ok(None) => {}
            Ok(Some(statement)) => {
                let nearer = best
                    .as_ref()
                    .is_none_or(|b| git.is_ancestor(&b.statement.commit, &statement.commit));
                if nearer {
                    best = Some(Trusted {
                        statement,
                        from: refname,
                    });
                }
            }
            Err(why) => refused.push(format!(
                "the gate's checkpoint {refname} was not trusted: {why}"
            )),
        }
    }
    (best, refused)
}

fn short(id: &str) -> &str {
    &id[..id.len().min(10)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> Statement {
        Statement {
            rules: RULES,
            workspace: ".".into(),
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            key: "SHA256:abc".into(),
            verified_at: "2025-03-04T09:00:00-05:00".into(),
        }
    }

    #[test]
    fn a_statement_reads_back_as_written() {
        let s = statement();
        assert_eq!(Statement::parse(&s.text()), Some(s));
    }

    #[test]
    fn any_other_text_is_not_a_statement() {
        let text = statement().text();
        for altered in [
            text.replace("rules: 1", "rules: 01"),
            text.replace("workspace: .", "workspace:."),
            format!("{text}extra: 1\n"),
            text.trim_end().to_owned(),
            text.replace(
                "medreview gate checkpoint v1",
                "medreview gate checkpoint v2",
            ),
            text.replace('\n', "\r\n"),
        ] {
            assert_eq!(Statement::parse(&altered), None, "{altered:?}");
        }
    }

    #[test]
    fn the_workspace_at_the_top_is_named_dot() {
        assert_eq!(workspace_name(""), ".");
        assert_eq!(workspace_name("site/health"), "site/health");
    }
}
