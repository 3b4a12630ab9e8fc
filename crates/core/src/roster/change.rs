//! Changing the roster: every change to `writers/`, `reviewers/` or
//! `medreview.yaml` is one commit holding the new files and an admin's roster
//! entry that names their blob ids (see [`crate::roster::log`]).
//!
//! Before the roster has an admin, changes are plain commits, as they always were.
//! The first `admin add` records the *genesis*: every roster file as committed,
//! with `medreview.yaml` naming the first admin, who must be the person running it.

use chrono::{DateTime, FixedOffset};

use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::ledger::graph::Dag;
use crate::roster::log::{ROSTER_DIR, RosterEntry, RosterLog, roster_files};
use crate::signing::SigningKey;
use crate::source::{Source, WorkTree};
use crate::workspace::{CONFIG_FILE, Workspace};
use medreview_store::gitstore::GitStore;

/// One change to make.
pub struct Change {
    /// Each changed file (workspace-relative) and its new bytes.
    pub files: Vec<(String, Vec<u8>)>,
    /// The commit subject and the entry's note (`add reviewer ana-example`).
    pub what: String,
    /// Trailer lines for the commit message (`Medreview-Action: add-reviewer\n`).
    pub trailers: String,
    /// The admin making it (`None` before the roster has an admin).
    pub by: Option<Id>,
    /// When.
    pub now: DateTime<FixedOffset>,
    /// The key to sign the roster entry with.
    pub key: Option<SigningKey>,
    /// Entry files the change voids, with their exact bytes.
    pub voids: std::collections::BTreeMap<String, medreview_store::revision::RevId>,
    /// Whether it is a key reset by admins, recorded even while it waits for more.
    pub reset: bool,
}

/// What a recorded change did.
pub struct Changed {
    /// The commit.
    pub commit: String,
    /// Whether it was recorded in the roster's record (false: the roster is not
    /// audited yet).
    pub audited: bool,
    /// For a key reset that waits for more admins: what it waits for.
    pub waiting: Option<String>,
}

/// Records `change` in one commit.
pub fn record(ws: &Workspace, change: Change) -> Result<Changed> {
    let _lock = ws.git.lock()?;
    crate::workspace::ensure_folder_committed(ws, ROSTER_DIR)?;
    let src = WorkTree(ws.root());
    let log = RosterLog::load(&src, &ws.git)?;
    if let Some(damage) = log.damage().first() {
        return Err(Error::with_hint(
            Code::DamagedRecord,
            format!("the roster's record is damaged: {damage}"),
            "restore roster/ from git (`git checkout -- roster`); `medreview check` lists every problem",
        ));
    }
    let genesis = log.is_empty() && names_an_admin(&change)?;
    let by = match (&change.by, log.is_empty() && !genesis) {
        (Some(by), false) => by.clone(),
        _ => {
            let message = format!("{}\n\n{}", change.what, change.trailers);
            let commit = ws.commit(change.files, &message, None, change.now)?;
            return Ok(Changed {
                commit,
                audited: false,
                waiting: None,
            });
        }
    };
    let mut files = change.files;
    if genesis {
        // The genesis names every roster file, so the whole roster is on record.
        for rel in committed_roster_files(ws, &src)? {
            if !files.iter().any(|(path, _)| path == &rel) {
                let bytes = src.read(&rel)?.unwrap_or_default();
                files.push((rel, bytes));
            }
        }
    }
    let mut entry = RosterEntry {
        by: by.clone(),
        at: change.now,
        after: log.heads(),
        files: files
            .iter()
            .map(|(path, bytes)| (path.clone(), GitStore::blob_id(bytes)))
            .collect(),
        note: Some(change.what.clone()),
        voids: change.voids.clone(),
        signature: None,
    };
    let before = log.current();
    if let Some(key) = &change.key {
        let signer = if genesis {
            None
        } else {
            before.roster.public_key_of(&by).map(str::to_owned)
        };
        // The genesis is signed with the key its own files give its author.
        let signer = signer.or_else(|| genesis_key(&files, &by));
        let signer = crate::signing::Signer {
            id: &by,
            public_key: signer.as_deref(),
            roster_file: before
                .roster
                .file_of(&by)
                .or_else(|| genesis_file(&files, &by)),
            recorded_by: None,
        };
        if key.skip_reason(&signer).is_none() {
            entry.signature = Some(key.sign_as(
                crate::signing::ROSTER_NAMESPACE,
                &entry.canonical_text(),
                &signer,
            )?);
        }
    }
    let (id, bytes) = entry.to_file();
    // The same rules that judge the record judge this change before it is made.
    let blobs = files.clone();
    let mut read: Vec<_> = log
        .entries()
        .map(|(id, e, _)| (id.clone(), e.clone()))
        .collect();
    read.push((id.clone(), entry.clone()));
    let dag = Dag::build_with(read, Vec::new(), &|id| id.to_string(), &|_, _| None);
    let git = &ws.git;
    let judged = RosterLog::from_dag(
        dag,
        Box::new(move |blob| {
            blobs
                .iter()
                .find(|(_, b)| &GitStore::blob_id(b) == blob)
                .map(|(_, b)| b.clone())
                .or_else(|| git.read_blob(blob).ok())
        }),
    );
    let why = judged
        .entries()
        .find(|(e, _, _)| **e == id)
        .and_then(|(_, _, why)| why.map(str::to_owned));
    let waiting = judged.is_waiting(&id).then(|| why.clone()).flatten();
    match (&waiting, change.reset) {
        (Some(_), true) => {}
        (Some(_), false) => return Err(identity_refusal(&judged, &id)),
        (None, _) => crate::roster::log::require_valid(why.as_deref())?,
    }
    files.push((format!("{ROSTER_DIR}/{}", id.file_name()), bytes));
    let message = format!(
        "{}\n\n{}Medreview-By: {by}\nMedreview-Entry: {id}\n",
        change.what, change.trailers
    );
    // Before the genesis the record holds no one: the author's name and email
    // come from the files the genesis records.
    let author = if genesis {
        crate::roster::Roster::load_from(&src)?.identity(&by)
    } else {
        before.roster.identity(&by)
    };
    let commit = ws.commit(files, &message, Some(&author), change.now)?;
    Ok(Changed {
        commit,
        audited: true,
        waiting,
    })
}

/// The refusal of an edit that changes someone's key (or email) without their
/// signature: the person changes their own, or admins reset a lost one.
fn identity_refusal(judged: &RosterLog<'_>, id: &crate::ledger::entry::EntryId) -> Error {
    let people = judged.identity_changed(id);
    let person = people
        .first()
        .map(|(p, _)| p.as_str())
        .unwrap_or("the person");
    let role = people.first().map_or("reviewer", |(_, role)| role.noun());
    Error::with_hint(
        Code::WouldNotCount,
        format!(
            "this changes {person}'s key or email without {person}'s signature, and a person's identity is theirs: an admin cannot replace it alone"
        ),
        format!(
            "{person} changes it themselves: `medreview {role} edit {person} --public-key NEW` run as {person}, signed with their current key; if they lost it, admins reset it: `medreview {role} reset-key {person} --public-key NEW` (more than one admin where the roster has them)"
        ),
    )
}

/// Whether the change's `medreview.yaml` names at least one admin.
fn names_an_admin(change: &Change) -> Result<bool> {
    let Some((_, bytes)) = change.files.iter().find(|(p, _)| p == CONFIG_FILE) else {
        return Ok(false);
    };
    let config = crate::workspace::Config::parse(
        &String::from_utf8_lossy(bytes),
        std::path::Path::new(CONFIG_FILE),
    )?;
    Ok(!config.admins.is_empty())
}

/// The public key the genesis's own files give `by`.
fn genesis_key(files: &[(String, Vec<u8>)], by: &Id) -> Option<String> {
    files.iter().find_map(|(path, bytes)| {
        let stem = path.rsplit('/').next()?.strip_suffix(".yaml")?;
        if stem != by.as_str() || path == CONFIG_FILE {
            return None;
        }
        let text = String::from_utf8_lossy(bytes);
        text.lines()
            .find_map(|l| l.strip_prefix("public_key:"))
            .map(|k| k.trim().trim_matches('"').to_owned())
    })
}

/// The roster file among `files` that holds `by` (the genesis names them all).
fn genesis_file(files: &[(String, Vec<u8>)], by: &Id) -> Option<String> {
    files
        .iter()
        .map(|(path, _)| path)
        .find(|path| {
            path.rsplit('/')
                .next()
                .and_then(|n| n.strip_suffix(".yaml"))
                == Some(by.as_str())
                && path.as_str() != CONFIG_FILE
        })
        .cloned()
}

/// Every roster file of the workspace, refusing one that is not committed as it is.
fn committed_roster_files(ws: &Workspace, src: &dyn Source) -> Result<Vec<String>> {
    let head = ws.git.head_snapshot().ok();
    let files = roster_files(src)?;
    for rel in &files {
        let committed = head
            .as_ref()
            .map(|h| h.read(&ws.repo_path(rel)))
            .transpose()?
            .flatten();
        if committed != src.read(rel)? {
            return Err(Error::with_hint(
                Code::UncommittedChanges,
                format!(
                    "{} has changes that are not committed",
                    src.shown(rel).display()
                ),
                "the roster's first entry records the roster as committed: commit or restore it first",
            ));
        }
    }
    Ok(files)
}
