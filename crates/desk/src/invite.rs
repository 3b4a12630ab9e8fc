//! Invitations to make a passkey: an admin runs `medreview serve --invite ID` in
//! the desk's clone and sends the link to the person; the link lets its holder
//! make one passkey, whose public key then enters the roster the way every key
//! does (an admin's roster entry for a first key, the person's own signed change
//! otherwise). An invitation grants nothing by itself.
//!
//! Invitations live in the clone's `.git/medreview/desk/invitations.json`, each
//! by the hash of its token, for seven days, used once. The file is the desk
//! host's local state, never part of the record.

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, TimeDelta};
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::workspace::Workspace;
use serde::{Deserialize, Serialize};

/// How long an invitation may be used.
const VALID_DAYS: i64 = 7;

/// An invitation made by [`invite`].
#[derive(Debug)]
pub struct Invitation {
    /// The link to send (origin and path).
    pub url: String,
    /// Who it is for.
    pub person: Id,
    /// Until when it may be used.
    pub expires: DateTime<FixedOffset>,
}

/// One invitation as kept on disk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Kept {
    pub person: String,
    /// The SHA-256 of the token, hex.
    pub token_hash: String,
    pub made_by: String,
    pub expires: String,
    pub used: bool,
}

/// Makes an invitation for `person` at `origin`. The acting admin is git's
/// `user.email`; the person must be a writer or reviewer on the committed roster.
pub fn invite(
    ws: &Workspace,
    person: &Id,
    origin: &str,
    now: DateTime<FixedOffset>,
) -> Result<Invitation> {
    let (origin, _) = crate::parse_origin(origin)?;
    let people = ws.committed_people()?;
    let state = people.current();
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    let email = ws.git.config_string("user.email");
    let admin = medreview_core::roster::identity::me(&state.roster, email.as_deref())
        .filter(|me| config.admins.contains(me))
        .ok_or_else(|| {
            Error::with_hint(
                Code::ProxyNotAllowed,
                "only an admin invites people to make a passkey",
                "run it as an admin (git's user.email must be the email in an admin's roster file)",
            )
        })?;
    if !state.roster.contains(person) {
        return Err(Error::with_hint(
            Code::UnknownPerson,
            format!("{person} is not on the roster (writers/ or reviewers/, as committed)"),
            "add them first: `medreview reviewer add ID ...` or `medreview writer add ID ...`",
        ));
    }
    let token = crate::session::random_token();
    let expires = now + TimeDelta::days(VALID_DAYS);
    let path = file(ws);
    let mut kept = load(&path)?;
    kept.retain(|k| !k.used && !expired(k, now));
    kept.push(Kept {
        person: person.to_string(),
        token_hash: hash(&token),
        made_by: admin.to_string(),
        expires: medreview_core::clock::rfc3339(&expires),
        used: false,
    });
    save(&path, &kept)?;
    Ok(Invitation {
        url: format!("{origin}/enroll/{token}"),
        person: person.clone(),
        expires,
    })
}

/// The live invitation whose token is `token`.
pub(crate) fn find(git_dir: &Path, token: &str, now: DateTime<FixedOffset>) -> Option<Kept> {
    let hash = hash(token);
    load(&path_in(git_dir))
        .ok()?
        .into_iter()
        .find(|k| crate::session::same_secret(&k.token_hash, &hash) && !k.used && !expired(k, now))
}

/// Marks the invitation `token` used; false when it was not live.
pub(crate) fn use_up(git_dir: &Path, token: &str, now: DateTime<FixedOffset>) -> Result<bool> {
    let path = path_in(git_dir);
    let mut kept = load(&path)?;
    let hash = hash(token);
    let Some(found) = kept
        .iter_mut()
        .find(|k| k.token_hash == hash && !k.used && !expired(k, now))
    else {
        return Ok(false);
    };
    found.used = true;
    save(&path, &kept)?;
    Ok(true)
}

fn expired(kept: &Kept, now: DateTime<FixedOffset>) -> bool {
    DateTime::parse_from_rfc3339(&kept.expires).map_or(true, |t| t <= now)
}

fn file(ws: &Workspace) -> PathBuf {
    path_in(ws.git.git_dir())
}

/// The invitations file of the clone whose git folder is `git_dir`.
fn path_in(git_dir: &Path) -> PathBuf {
    git_dir.join("medreview/desk/invitations.json")
}

fn load(path: &Path) -> Result<Vec<Kept>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Error::with_hint(
                Code::InvalidSetting,
                format!("{} cannot be read: {e}", path.display()),
                "remove the file; invitations in it must then be made again",
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

/// Writes the file whole or not at all (a temporary file renamed into place).
fn save(path: &Path, kept: &[Kept]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let bytes = serde_json::to_vec_pretty(kept)
        .map_err(|e| Error::internal(format!("cannot write the invitations: {e}")))?;
    let temp = path.with_extension("json.tmp");
    std::fs::write(&temp, bytes).map_err(|e| Error::io("write", &temp, e))?;
    std::fs::rename(&temp, path).map_err(|e| Error::io("replace", path, e))
}

/// The SHA-256 of a token, hex: the file never holds a token that works.
fn hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
