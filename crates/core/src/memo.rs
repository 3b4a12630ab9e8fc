//! What medreview derived from content it had already read, kept by git object id
//! between runs: a folder of sign-offs parsed into entries, the writer a revision
//! names, the words a revision changed against the one before it.
//!
//! Every key is the id of the content the value was derived from (a tree or blob
//! id, computed from the bytes or taken from git's index when its stat data still
//! matches the file), so a value can never be stale: changed content has another
//! id. Only results that passed every check are kept (a folder with a damaged file
//! is read again each time, so the damage is reported each time). The file is
//! `<git dir>/medreview/memo.json`; it is local (never pushed), rebuilt when it is
//! missing, unreadable or from another version of medreview, and written with a
//! rename so a crash leaves the old one or the new one. `MEDREVIEW_NO_MEMO=1`
//! turns it off; the server gate never uses it.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::ids::Id;
use crate::ledger::entry::{Entry, EntryId};

/// Says which medreview wrote a memo: another build's is dropped, since what it
/// derived may follow other rules. The version alone is not enough (a developer's
/// rebuild changes the rules without changing it), so the binary's size and
/// modification time are part of it.
pub fn build_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        use std::os::unix::fs::MetadataExt;
        let exe = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| format!("{} {}.{}", m.len(), m.mtime(), m.mtime_nsec()))
            .unwrap_or_default();
        format!("medreview-memo-1 {} {exe}", env!("CARGO_PKG_VERSION"))
    })
}

/// The memo of one repository.
pub struct Memo {
    file: Option<PathBuf>,
    state: RefCell<State>,
    /// Per-article results (what `status` shows, what `check` found), in their own
    /// file so a command that finds them all never reads the entries.
    summaries: RefCell<HashMap<String, Summaries>>,
    /// Whether this command reads many articles (only then is the memo worth
    /// loading: a command about one article reads it directly).
    bulk: std::cell::Cell<bool>,
}

#[derive(Default)]
struct Summaries {
    loaded: bool,
    stored: StoredSummaries,
    used: HashSet<String>,
    dirty: bool,
}

#[derive(Serialize, Deserialize, Default)]
struct StoredSummaries {
    version: String,
    /// A key naming every input of the result (see [`Memo::summary`]) → the result.
    results: HashMap<String, Box<serde_json::value::RawValue>>,
}

#[derive(Default)]
struct State {
    loaded: bool,
    stored: Stored,
    used: HashSet<String>,
    dirty: bool,
}

#[derive(Serialize, Deserialize, Default)]
struct Stored {
    version: String,
    /// Sign-off folder (tree id) → its entries, each read and checked against its name.
    ledgers: HashMap<String, Vec<(EntryId, Entry)>>,
    /// Revision (blob id) → the writer its front matter names.
    writers: HashMap<String, Option<Id>>,
    /// `old-new` revision ids → (words added, words removed).
    words: HashMap<String, (usize, usize)>,
}

impl Memo {
    /// A memo kept in `git_dir`, unless turned off.
    pub fn at(git_dir: &std::path::Path) -> Memo {
        let off = std::env::var_os("MEDREVIEW_NO_MEMO").is_some_and(|v| !v.is_empty() && v != "0");
        Memo {
            file: (!off).then(|| git_dir.join("medreview").join("memo.json")),
            state: RefCell::default(),
            summaries: RefCell::default(),
            bulk: std::cell::Cell::new(false),
        }
    }

    /// A memo that keeps nothing (the server gate).
    pub fn off() -> Memo {
        Memo {
            file: None,
            state: RefCell::default(),
            summaries: RefCell::default(),
            bulk: std::cell::Cell::new(false),
        }
    }

    /// Turns the memo on for a command that reads every article.
    pub fn bulk(&self) {
        self.bulk.set(true);
    }

    /// Whether the memo is in use for this command.
    pub fn active(&self) -> bool {
        self.file.is_some() && self.bulk.get()
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> Option<R> {
        if !self.bulk.get() {
            return None;
        }
        let file = self.file.as_ref()?;
        let mut state = self.state.borrow_mut();
        if !state.loaded {
            state.loaded = true;
            if let Ok(bytes) = std::fs::read(file)
                && let Ok(stored) = serde_json::from_slice::<Stored>(&bytes)
                && stored.version == build_id()
            {
                state.stored = stored;
            }
        }
        Some(f(&mut state))
    }

    /// Each kind of result has its file, so a command reads only its own.
    fn summaries_file(&self, kind: &str) -> Option<PathBuf> {
        let kind: String = kind
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        Some(self.file.as_ref()?.with_file_name(format!("{kind}.json")))
    }

    fn with_summaries<R>(&self, key: &str, f: impl FnOnce(&mut Summaries) -> R) -> Option<R> {
        let kind = kind_of(key);
        if !self.bulk.get() && !SMALL_KINDS.contains(&kind) {
            return None;
        }
        let file = self.summaries_file(kind)?;
        let mut all = self.summaries.borrow_mut();
        let state = all.entry(kind.to_owned()).or_default();
        if !state.loaded {
            state.loaded = true;
            if let Ok(bytes) = std::fs::read(file)
                && let Ok(stored) = serde_json::from_slice::<StoredSummaries>(&bytes)
                && stored.version == build_id()
            {
                state.stored = stored;
            }
        }
        Some(f(state))
    }

    /// The result kept under `key`, a digest of every input it was derived from
    /// (see [`key`]).
    pub fn summary<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.with_summaries(key, |s| {
            let value = s.stored.results.get(key)?;
            let found = serde_json::from_str(value.get()).ok();
            if found.is_some() {
                s.used.insert(key.to_owned());
            }
            found
        })
        .flatten()
    }

    /// Keeps `value` under `key`.
    pub fn keep_summary<T: Serialize>(&self, key: &str, value: &T) {
        let Ok(value) = serde_json::value::to_raw_value(value) else {
            return;
        };
        self.with_summaries(key, |s| {
            s.used.insert(key.to_owned());
            s.stored.results.insert(key.to_owned(), value);
            s.dirty = true;
        });
    }

    /// The entries of the sign-off folder with tree id `folder`, if known.
    pub fn ledger(&self, folder: &str) -> Option<Vec<(EntryId, Entry)>> {
        self.with(|s| {
            let found = s.stored.ledgers.get(folder).cloned();
            if found.is_some() {
                s.used.insert(format!("l{folder}"));
            }
            found
        })
        .flatten()
    }

    /// Keeps the entries read from the folder with tree id `folder`.
    pub(crate) fn keep_ledger(&self, folder: &str, entries: &[(EntryId, Entry)]) {
        self.with(|s| {
            s.used.insert(format!("l{folder}"));
            s.stored.ledgers.insert(folder.to_owned(), entries.to_vec());
            s.dirty = true;
        });
    }

    /// The writer revision `id` names, if known (`Some(None)`: it names none).
    pub fn writer(&self, id: &str) -> Option<Option<Id>> {
        self.with(|s| {
            let found = s.stored.writers.get(id).cloned();
            if found.is_some() {
                s.used.insert(format!("w{id}"));
            }
            found
        })
        .flatten()
    }

    /// Keeps the writer revision `id` names.
    pub(crate) fn keep_writer(&self, id: &str, writer: Option<Id>) {
        self.with(|s| {
            s.used.insert(format!("w{id}"));
            s.stored.writers.insert(id.to_owned(), writer);
            s.dirty = true;
        });
    }

    /// The words revision `new` changed against `old`, if known.
    pub fn words(&self, old: &str, new: &str) -> Option<(usize, usize)> {
        let key = format!("{old}-{new}");
        self.with(|s| {
            let found = s.stored.words.get(&key).copied();
            if found.is_some() {
                s.used.insert(format!("d{key}"));
            }
            found
        })
        .flatten()
    }

    /// Keeps the words revision `new` changed against `old`.
    pub fn keep_words(&self, old: &str, new: &str, change: (usize, usize)) {
        let key = format!("{old}-{new}");
        self.with(|s| {
            s.used.insert(format!("d{key}"));
            s.stored.words.insert(key, change);
            s.dirty = true;
        });
    }

    /// Writes the memo back if it learned something. After a run that read every
    /// article (`whole`), what it did not use is dropped, so the file stays the size
    /// of the workspace, not of its history. Failing to write only costs the next
    /// run its speed, so it is never an error.
    pub fn save(&self, whole: bool) {
        self.save_summaries(whole);
        let Some(file) = &self.file else {
            return;
        };
        let mut state = self.state.borrow_mut();
        if !state.loaded {
            return;
        }
        let State {
            stored,
            used,
            dirty,
            ..
        } = &mut *state;
        if whole {
            let before = stored.ledgers.len() + stored.writers.len() + stored.words.len();
            stored
                .ledgers
                .retain(|k, _| used.contains(&format!("l{k}")));
            stored
                .writers
                .retain(|k, _| used.contains(&format!("w{k}")));
            stored.words.retain(|k, _| used.contains(&format!("d{k}")));
            *dirty |= before != stored.ledgers.len() + stored.writers.len() + stored.words.len();
        }
        if !*dirty {
            return;
        }
        stored.version = build_id().to_owned();
        if let Ok(json) = serde_json::to_vec(&*stored)
            && write(file, &json)
        {
            *dirty = false;
        }
    }

    fn save_summaries(&self, whole: bool) {
        let mut all = self.summaries.borrow_mut();
        for (kind, state) in all.iter_mut() {
            let Some(file) = self.summaries_file(kind) else {
                return;
            };
            if !state.loaded {
                continue;
            }
            let Summaries {
                stored,
                used,
                dirty,
                ..
            } = state;
            // A kind this run used for every article drops what it did not use.
            if whole && !used.is_empty() {
                let before = stored.results.len();
                stored.results.retain(|k, _| used.contains(k));
                *dirty |= before != stored.results.len();
            }
            if !*dirty {
                continue;
            }
            stored.version = build_id().to_owned();
            if let Ok(json) = serde_json::to_vec(&*stored)
                && write(&file, &json)
            {
                *dirty = false;
            }
        }
    }
}

/// Replaces `file` with `bytes` by a rename, so a reader sees the old or the new.
fn write(file: &std::path::Path, bytes: &[u8]) -> bool {
    let Some(dir) = file.parent() else {
        return false;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return false;
    }
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("memo");
    // Unique per write, not only per process: the desk writes from many threads.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!("{name}.tmp-{}-{n}", std::process::id()));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, file).is_ok() {
        return true;
    }
    let _ = std::fs::remove_file(&tmp);
    false
}

/// A key for [`Memo::summary`]: the digest of `parts`, each of them an input (a
/// kind and version of result, a slug, tree and blob ids).
pub fn key(parts: &[&str]) -> String {
    let joined = parts.join("\n");
    let digest = medreview_store::gitstore::GitStore::blob_id(joined.as_bytes());
    format!(
        "{}:{}",
        parts.first().copied().unwrap_or(""),
        digest.as_str()
    )
}

/// Kinds of result every command may read and keep, memo in bulk or not: one small
/// file each, read only when asked (the history checkpoint this build verified,
/// the last commit whose history held no roster entry).
const SMALL_KINDS: [&str; 2] = ["checked-2", "roster-never-1"];

/// The kind of result a key names (its first part).
fn kind_of(key: &str) -> &str {
    key.rsplit_once(':').map_or("", |(kind, _)| kind)
}

impl Memo {
    /// Whether the memo is in use.
    pub fn on(&self) -> bool {
        self.file.is_some()
    }
}
