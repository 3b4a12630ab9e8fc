//! The roster's record: every change to `writers/`, `reviewers/` and
//! `medreview.yaml` is an admin's entry in `roster/`, naming the exact new file
//! contents by blob id. The roster in force for a sign-off is read from these
//! entries (the files by id from git's object database), never from the working
//! tree, so a roster file changed any other way judges no one.
//!
//! Roster entries form a graph like sign-offs (`after:` names the roster heads the
//! admin had seen). The first entry, the *genesis*, is the only one with nothing
//! before it and is valid when the `medreview.yaml` it names lists its author among
//! the admins; every later entry is valid when its author was an admin in the
//! roster it saw, and signed (by the key on file then) when signatures were
//! required. A file's content in a view is the one its latest valid assignment
//! names; two concurrent assignments of different contents that nothing later
//! settles are a conflict, and the file then judges no one (fail closed).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::rc::Rc;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::ledger::entry::{self, EntryId, Named, ROSTER_KIND};
use crate::ledger::graph::{Dag, Damage, Node};
use crate::roster::{Role, Roster};
use crate::signing;
use crate::source::Source;
use crate::workspace::{CONFIG_FILE, Config};
use medreview_store::gitstore::GitStore;
use medreview_store::revision::RevId;

/// The folder of roster entries, workspace-relative.
pub use crate::ledger::ROSTER_DIR;

/// The first line of every roster entry file.
pub const HEADER: &str =
    "# A roster change, written by medreview. Immutable: never edit, rename or remove this file.\n";

/// One roster change: who made it and the new contents of the files it changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterEntry {
    /// The admin who made the change.
    pub by: Id,
    /// When.
    #[serde(
        serialize_with = "crate::clock::ser",
        deserialize_with = "crate::ledger::entry::de_time"
    )]
    pub at: DateTime<FixedOffset>,
    /// The roster entries that were the heads in the admin's copy.
    #[serde(default)]
    pub after: Vec<EntryId>,
    /// Each changed file (workspace-relative) and the blob id of its new content.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, RevId>,
    /// Entry files (sign-offs or roster entries, workspace-relative) the record
    /// already refuses to count, and the exact bytes (blob id) this admin voided:
    /// they stay in the repository and are listed as voided, never as problems
    /// (see [`crate::ledger::voids`]). A file that counts is never voided.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub voids: BTreeMap<String, RevId>,
    /// What changed, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// An SSH signature over the canonical text, in the namespace `medreview-roster`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

impl Node for RosterEntry {
    fn after(&self) -> &[EntryId] {
        &self.after
    }
}

impl Named for RosterEntry {
    fn kind(&self) -> &'static str {
        ROSTER_KIND
    }
    fn by(&self) -> &Id {
        &self.by
    }
    fn at(&self) -> &DateTime<FixedOffset> {
        &self.at
    }
    fn check(&self) -> std::result::Result<(), String> {
        if let Some(path) = self.files.keys().find(|path| !is_governed_path(path)) {
            return Err(format!(
                "files: names {path:?}, which is not a governed file (medreview.yaml, writers/, reviewers/, templates/ or dictionary.txt)"
            ));
        }
        if let Some(path) = self
            .voids
            .keys()
            .find(|path| !crate::ledger::voids::is_entry_file(path))
        {
            return Err(format!(
                "voids: names {path:?}, which is not a sign-off or roster entry file"
            ));
        }
        if self.files.is_empty() && self.voids.is_empty() {
            return Err("files: names no file".into());
        }
        Ok(())
    }
}

/// The dictionary of accepted words (`medreview lint`), a governed file.
pub const DICTIONARY_FILE: &str = "dictionary.txt";

/// The folder of page templates, governed file by file.
pub const TEMPLATES_DIR: &str = "templates";

/// Every governed file `src` holds: `medreview.yaml`, then `writers/`, `reviewers/`,
/// `templates/` (every file, in subfolders too) and `dictionary.txt`.
pub(crate) fn roster_files(src: &dyn Source) -> Result<Vec<String>> {
    let mut files = vec![CONFIG_FILE.to_owned()];
    for role in [Role::Writer, Role::Reviewer] {
        for (name, _) in src.list(role.folder())? {
            let rel = format!("{}/{name}", role.folder());
            if is_roster_path(&rel) {
                files.push(rel);
            }
        }
    }
    let mut folders = vec![TEMPLATES_DIR.to_owned()];
    // Bounded: a tree has finitely many folders, each listed once.
    while let Some(dir) = folders.pop() {
        for (name, kind) in src.list(&dir)? {
            let rel = format!("{dir}/{name}");
            match kind {
                medreview_store::gitstore::EntryKind::Dir if !name.starts_with('.') => {
                    folders.push(rel)
                }
                _ if is_governed_path(&rel) => files.push(rel),
                _ => {}
            }
        }
    }
    if src.read(DICTIONARY_FILE)?.is_some() {
        files.push(DICTIONARY_FILE.to_owned());
    }
    files.sort_by(|a, b| (a != CONFIG_FILE, a).cmp(&(b != CONFIG_FILE, b)));
    Ok(files)
}

/// Every governed file in the working tree whose workspace folder is `root`.
pub fn governed_in_tree(root: &Path) -> Result<Vec<String>> {
    roster_files(&crate::source::WorkTree(root))
}

/// Whether `path` is a roster file proper: `medreview.yaml`, or a person's file in
/// `writers/` or `reviewers/`.
pub(crate) fn is_roster_path(path: &str) -> bool {
    if path == CONFIG_FILE {
        return true;
    }
    [Role::Writer, Role::Reviewer].iter().any(|role| {
        path.strip_prefix(role.folder())
            .and_then(|p| p.strip_prefix('/'))
            .and_then(|p| p.strip_suffix(".yaml"))
            .is_some_and(|id| Id::parse("id", id).is_ok())
    })
}

/// Whether `path` (workspace-relative) is a governed file: one whose every change
/// counts only with an admin's roster entry naming its new bytes. The roster files,
/// every file under `templates/` (what a page says around the review) and
/// `dictionary.txt` (what lint, and so a sign-off, accepts). Hidden files
/// (`.gitkeep`) are not governed.
pub fn is_governed_path(path: &str) -> bool {
    if is_roster_path(path) || path == DICTIONARY_FILE {
        return true;
    }
    let Some(rest) = path.strip_prefix("templates/") else {
        return false;
    };
    !rest.is_empty()
        && rest.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && !part.contains('\\')
                && !part.chars().any(char::is_control)
        })
}

impl RosterEntry {
    /// The exact text its signature covers (seven lines, each ending in a newline;
    /// an entry that voids files is version 2, with a `voids:` line after `files:`
    /// in the same form):
    ///
    /// ```text
    /// medreview roster v1
    /// by: rosa-editor
    /// at: 2025-03-05T09:00:00-05:00
    /// after: ["20250301T140000Z-roster-rosa-editor-1a2b3c4d5e6f"]
    /// files: {"reviewers/ana-example.yaml":"<40 hex>"}
    /// note: "add reviewer ana-example"
    /// recorded_by: null
    /// ```
    pub fn canonical_text(&self) -> String {
        let after: Vec<&str> = self.after.iter().map(EntryId::as_str).collect();
        let files: BTreeMap<&str, &str> = self
            .files
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let json = |v: serde_json::Value| v.to_string();
        // Version 2 adds the voids line; an entry that voids nothing keeps the
        // version 1 text, so every signature made before it still verifies.
        let (version, voids) = if self.voids.is_empty() {
            (1, String::new())
        } else {
            let voids: BTreeMap<&str, &str> = self
                .voids
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            (2, format!("voids: {}\n", json(serde_json::json!(voids))))
        };
        format!(
            "medreview roster v{version}\nby: {}\nat: {}\nafter: {}\nfiles: {}\n{voids}note: {}\nrecorded_by: null\n",
            self.by,
            crate::clock::rfc3339(&self.at),
            json(serde_json::json!(after)),
            json(serde_json::json!(files)),
            self.note
                .as_ref()
                .map_or("null".into(), |n| json(serde_json::json!(n)))
        )
    }

    /// The file's bytes and its id.
    pub fn to_file(&self) -> (EntryId, Vec<u8>) {
        entry::to_file(HEADER, self)
    }
}

/// What a view of the roster says about one file.
#[derive(Debug, Clone, PartialEq)]
enum Resolved {
    Blob(RevId),
    Absent,
    Conflict,
}

/// A key taken out of use by a roster change that counts: the person's key was
/// replaced (by themselves, or reset by admins). Nothing the old key signs dated
/// from `at` on counts, on any branch, merged or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Revocation {
    /// Whose key.
    pub person: Id,
    /// The key taken out of use (its SHA-256 fingerprint).
    pub fingerprint: String,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// The roster entry that replaced it.
    pub entry: EntryId,
}

impl Revocation {
    /// `the key ana-example replaced on 2026-03-01 (roster entry …)`.
    pub fn describe(&self) -> String {
        format!(
            "it is signed with a key {} replaced on {} (roster entry {}); a replaced key is revoked, and nothing it signs from then on counts",
            self.person,
            crate::clock::rfc3339(&self.at),
            self.entry
        )
    }
}

/// A person's key set by admins without the person's own earlier key: a recovery
/// that needs more than one admin where the roster has them (`review.key_reset_admins`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyReset {
    /// When the last admin confirmed it.
    pub at: DateTime<FixedOffset>,
    /// The admins who made it, in order of id.
    pub by: Vec<Id>,
}

impl KeyReset {
    /// `key reset on 2026-03-01 by rosa-editor, sam-admin`.
    pub fn describe(&self) -> String {
        format!("key reset on {} by {}", self.at.date_naive(), ids(&self.by))
    }
}

impl Roster {
    /// The revocation that makes `key` (the key `id` signed with) sign nothing
    /// dated `at`, if one does.
    pub fn revoked(
        &self,
        id: &Id,
        key: Option<&str>,
        at: &DateTime<FixedOffset>,
    ) -> Option<&Revocation> {
        let fingerprint = crate::signing::key_fingerprint(key?)?;
        self.revocations
            .iter()
            .find(|r| &r.person == id && r.fingerprint == fingerprint && r.at <= *at)
    }
}

/// What ended for a person with a roster change that counts, for judging the
/// entries made without seeing it.
#[derive(Debug, Clone, PartialEq)]
enum Ending {
    /// They were no longer an admin.
    Admin,
    /// Their key (this fingerprint) was replaced.
    Key(String),
}

/// A person file's key and email, and the rest of it as text.
struct Identity {
    key: Option<String>,
    email: Option<String>,
    rest: String,
}

/// One roster entry's verdict.
#[derive(Debug, Clone, Default)]
struct Verdict {
    why: Option<String>,
    /// A key reset waiting for more admins: it does not apply yet, and is not a problem.
    waiting: bool,
    /// The key resets it completes.
    reset: Vec<(Id, KeyReset)>,
}

/// The roster in force in one view, and what could not be read of it.
#[derive(Debug, Clone, Default)]
pub struct RosterState {
    /// The people and settings.
    pub roster: Roster,
    /// `medreview.yaml` as recorded, when it is.
    pub config: Option<Config>,
    /// The blob of each file as recorded.
    pub files: BTreeMap<String, RevId>,
    /// Files that cannot be used, and why.
    pub problems: Vec<String>,
    /// Files two concurrent roster changes give different contents, which nothing
    /// later settles (also in `problems`): whoever they describe judges no one and
    /// is judged by no one (see [`crate::roster::damage::conflict_of`]).
    pub conflicted: std::collections::BTreeSet<String>,
    /// Each person's identity marks, worked out once for this roster: every
    /// approval of every article judged by it asks for them.
    pub(crate) marks: RefCell<HashMap<Id, Rc<std::collections::BTreeSet<String>>>>,
    /// The pairs of people a reader could take for one another by their byline,
    /// worked out once for this roster.
    pub(crate) look_alikes: std::cell::OnceCell<Vec<(Id, Id)>>,
}

impl RosterState {
    /// The person `id`'s byline imitates, if any: a name or byline that is another
    /// person's once letters that look alike are one letter, written with such
    /// stand-in letters (a Cyrillic "Аnа Example, M.D." beside Ana Example, M.D.).
    /// A page would name the wrong doctor, so no approval of theirs counts (fail
    /// closed) until an admin tells the two apart; `check` reports
    /// `shared-identity`.
    pub(crate) fn byline_look_alike(&self, id: &Id) -> Option<&Id> {
        self.look_alikes
            .get_or_init(|| {
                self.roster
                    .shared_identities()
                    .into_iter()
                    .filter(|(_, _, how)| *how == crate::roster::Likeness::LookAlike)
                    .map(|(a, b, _)| (a, b))
                    .collect()
            })
            .iter()
            .find_map(|(a, b)| match () {
                _ if a == id => Some(b),
                _ if b == id => Some(a),
                _ => None,
            })
            // The one whose byline holds the stand-in letters is the look-alike;
            // the person it imitates keeps signing.
            .filter(|_| !crate::roster::lookalike::stand_ins(&self.roster.shown_as(id)).is_empty())
    }

    /// [`Roster::identity_marks`] of `id`, worked out once.
    pub(crate) fn identity_marks(&self, id: &Id) -> Rc<std::collections::BTreeSet<String>> {
        if let Some(marks) = self.marks.borrow().get(id) {
            return marks.clone();
        }
        let marks = Rc::new(self.roster.identity_marks(id));
        self.marks.borrow_mut().insert(id.clone(), marks.clone());
        marks
    }
}

/// Reads a file's content by blob id.
pub(crate) type Blobs<'g> = Box<dyn Fn(&RevId) -> Option<Vec<u8>> + 'g>;

/// The roster's entries and the states they define.
pub struct RosterLog<'g> {
    dag: Dag<RosterEntry>,
    /// For each entry: why it does not count, if it does not.
    invalid: Vec<Option<String>>,
    /// For each entry: whether it is a key reset waiting for more admins.
    waiting: Vec<bool>,
    /// For each entry: the key resets it completes.
    resets: Vec<Vec<(Id, KeyReset)>>,
    /// What each entry that counts ended, and for whom.
    endings: Vec<(usize, Id, Ending)>,
    /// The keys taken out of use.
    revocations: std::sync::Arc<Vec<Revocation>>,
    blobs: Blobs<'g>,
    states: RefCell<HashMap<Vec<usize>, Rc<RosterState>>>,
}

impl<'g> RosterLog<'g> {
    /// Reads `roster/` from `src`; file contents are read from `git` by id.
    pub fn load(src: &dyn Source, git: &'g GitStore) -> Result<RosterLog<'g>> {
        let (read, mut damage) = crate::ledger::read_folder::<RosterEntry>(src, ROSTER_DIR)?;
        // Junk in roster/ that a valid entry voids is set aside before the graph is
        // built; which entries are valid does not depend on junk.
        let claimed: crate::ledger::voids::Voids = read
            .iter()
            .flat_map(|(id, e)| {
                e.voids
                    .iter()
                    .map(move |(path, blob)| (path.clone(), void_of(id, e, blob)))
            })
            .collect();
        let set_aside = crate::ledger::voids::honoured(src, &mut damage, &claimed);
        let file_of = |id: &EntryId| format!("{ROSTER_DIR}/{}", id.file_name());
        let dag = Dag::build_with(read, damage, &file_of, &|_, _| None);
        let mut log = RosterLog::from_dag(dag, Box::new(move |id| git.read_blob(id).ok()));
        // A junk file stays set aside only if the entry voiding it counts.
        let valid = log.voids();
        for file in set_aside {
            if valid.contains_key(&file) {
                log.dag.voided.push(file);
            } else {
                log.dag.damage.push(crate::ledger::graph::Damage::new(
                    file,
                    "does not read as a roster entry, and the entry voiding it does not count",
                ));
            }
        }
        Ok(log)
    }

    /// The files voided by entries that count, with who voided them. A roster entry
    /// voided while it counts is not: the void is listed by `check` as refused.
    pub fn voids(&self) -> crate::ledger::voids::Voids {
        let mut voids = crate::ledger::voids::Voids::new();
        for (i, (id, entry)) in self.dag.ids.iter().zip(&self.dag.entries).enumerate() {
            if self.invalid[i].is_some() {
                continue;
            }
            for (path, blob) in &entry.voids {
                voids.insert(path.clone(), void_of(id, entry, blob));
            }
        }
        voids
    }

    /// Roster entry files that a counting void names but that count themselves: a
    /// void never takes a valid entry out.
    pub fn refused_voids(&self) -> Vec<(String, crate::ledger::voids::Void)> {
        let voids = self.voids();
        self.dag
            .ids
            .iter()
            .enumerate()
            .filter(|(i, _)| self.invalid[*i].is_none())
            .filter_map(|(_, id)| {
                let file = format!("{ROSTER_DIR}/{}", id.file_name());
                voids.get(&file).map(|v| (file, v.clone()))
            })
            .collect()
    }

    /// Whether roster entry `id` is voided (by an entry that counts) and does not
    /// count: `check` lists it as voided instead of as a problem.
    pub fn is_voided(&self, id: &EntryId) -> bool {
        let file = format!("{ROSTER_DIR}/{}", id.file_name());
        let Some(i) = self.dag.position(id) else {
            return false;
        };
        self.invalid[i].is_some() && self.voids().contains_key(&file)
    }

    /// Whether roster entry `id` is a key reset that waits for more admins.
    pub fn is_waiting(&self, id: &EntryId) -> bool {
        self.dag.position(id).is_some_and(|i| self.waiting[i])
    }

    /// Whether `blob` is what a key reset that waits for more admins names for
    /// `path`: the tree holds it while the record keeps the old file.
    pub(crate) fn waiting_for(&self, path: &str, blob: &RevId) -> bool {
        (0..self.dag.entries.len())
            .any(|i| self.waiting[i] && self.dag.entries[i].files.get(path) == Some(blob))
    }

    /// The people (and their role) whose key or email entry `id` changes.
    pub(crate) fn identity_changed(&self, id: &EntryId) -> Vec<(Id, Role)> {
        let Some(i) = self.dag.position(id) else {
            return Vec::new();
        };
        let before: Vec<usize> = (0..i).filter(|&j| self.dag.saw(i, j)).collect();
        self.identity_changes(&before, i)
            .into_iter()
            .map(|(person, path)| {
                let role = if path.starts_with("writers/") {
                    Role::Writer
                } else {
                    Role::Reviewer
                };
                (person, role)
            })
            .collect()
    }

    /// Files set aside as voided junk.
    pub fn voided_junk(&self) -> &[String] {
        &self.dag.voided
    }

    /// Judges each entry of `dag` in order; `blobs` reads file contents by id.
    ///
    /// What an entry that counts ends (an admin's role, a person's key) judges the
    /// entries made without seeing it, so the judging is repeated until what ends
    /// stays the same (a few rounds at most; bounded).
    pub(crate) fn from_dag(dag: Dag<RosterEntry>, blobs: Blobs<'g>) -> RosterLog<'g> {
        let n = dag.entries.len();
        let mut log = RosterLog {
            invalid: vec![None; n],
            waiting: vec![false; n],
            resets: vec![Vec::new(); n],
            endings: Vec::new(),
            revocations: std::sync::Arc::new(Vec::new()),
            dag,
            blobs,
            states: RefCell::new(HashMap::new()),
        };
        for _round in 0..8 {
            log.judge_all();
            let endings = log.endings_now();
            if endings == log.endings {
                break;
            }
            log.endings = endings;
        }
        log.revocations = std::sync::Arc::new(
            log.endings
                .iter()
                .filter_map(|(j, person, ending)| match ending {
                    Ending::Key(fingerprint) => Some(Revocation {
                        person: person.clone(),
                        fingerprint: fingerprint.clone(),
                        at: log.dag.entries[*j].at,
                        entry: log.dag.ids[*j].clone(),
                    }),
                    Ending::Admin => None,
                })
                .collect(),
        );
        // States seen while judging may include entries found invalid since.
        log.states.borrow_mut().clear();
        log
    }

    /// One round of judging every entry, in order.
    fn judge_all(&mut self) {
        let n = self.dag.entries.len();
        self.states.borrow_mut().clear();
        self.invalid = vec![None; n];
        self.waiting = vec![false; n];
        self.resets = vec![Vec::new(); n];
        let all_roots: Vec<usize> = (0..n)
            .filter(|&i| self.dag.entries[i].after.is_empty())
            .collect();
        // A first entry nothing was built on, beside the one the team built on, is
        // a stray second genesis: it does not count (`repair` voids it), and the
        // history rule `roster-second-genesis` reports the commit that added it.
        let stray = self.roots_apart(&all_roots);
        let roots: Vec<usize> = all_roots
            .iter()
            .copied()
            .filter(|i| !stray.contains(i))
            .collect();
        for i in 0..n {
            if stray.contains(&i) {
                self.invalid[i] = Some(
                    "it is a second first entry (genesis) of the roster, beside the one the team built on; it does not count (`medreview repair` voids it)".into(),
                );
                continue;
            }
            let verdict = if roots.len() > 1 && roots.contains(&i) {
                Verdict {
                    why: Some(format!(
                        "the roster has {} first entries; only one genesis is possible, so none counts",
                        roots.len()
                    )),
                    ..Verdict::default()
                }
            } else {
                self.judge(i)
            };
            self.invalid[i] = verdict.why;
            self.waiting[i] = verdict.waiting;
            self.resets[i] = verdict.reset;
        }
    }

    /// What each entry that counts ended: an admin's role (`admins` no longer names
    /// them), a person's key (replaced).
    fn endings_now(&self) -> Vec<(usize, Id, Ending)> {
        let mut endings = Vec::new();
        for j in 0..self.dag.entries.len() {
            if self.invalid[j].is_some() {
                continue;
            }
            let entry = &self.dag.entries[j];
            let before: Vec<usize> = (0..j).filter(|&k| self.dag.saw(j, k)).collect();
            if before.is_empty() {
                continue;
            }
            let mut after = before.clone();
            after.push(j);
            if entry.files.contains_key(CONFIG_FILE)
                && let (Some(was), Some(now)) = (self.config_in(&before), self.config_in(&after))
            {
                for admin in was.admins.iter().filter(|a| !now.admins.contains(a)) {
                    endings.push((j, admin.clone(), Ending::Admin));
                }
            }
            for path in entry.files.keys() {
                let Some(person) = person_of(path) else {
                    continue;
                };
                let (Some(was), now) = (
                    self.identity_in(&before, path),
                    self.identity_in(&after, path),
                ) else {
                    continue;
                };
                let Some(old) = was.key.as_deref().and_then(crate::signing::key_fingerprint) else {
                    continue;
                };
                let new = now
                    .and_then(|n| n.key)
                    .as_deref()
                    .and_then(crate::signing::key_fingerprint);
                if new.as_ref() != Some(&old) {
                    endings.push((j, person, Ending::Key(old)));
                }
            }
        }
        endings
    }

    /// With more than one first entry: those no real change came after while
    /// another was built on (stray second geneses, what `repair` voids).
    pub fn stray_roots(&self) -> Vec<EntryId> {
        let roots: Vec<usize> = (0..self.dag.entries.len())
            .filter(|&i| self.dag.entries[i].after.is_empty())
            .collect();
        self.roots_apart(&roots)
            .into_iter()
            .map(|i| self.dag.ids[i].clone())
            .collect()
    }

    /// The roots of `roots` nothing real was built on while another root was: a
    /// real change (not a void) came after that other root and no other root.
    fn roots_apart(&self, roots: &[usize]) -> Vec<usize> {
        if roots.len() < 2 {
            return Vec::new();
        }
        let n = self.dag.entries.len();
        let is_void_only = |i: usize| {
            self.dag.entries[i].files.is_empty() && !self.dag.entries[i].voids.is_empty()
        };
        // Once a void joins two lines, every later change sees both roots.
        let built_on = |root: usize| {
            (0..n).any(|j| {
                self.dag.saw(j, root)
                    && !is_void_only(j)
                    && !roots.iter().any(|&r| r != root && self.dag.saw(j, r))
            })
        };
        let built: Vec<usize> = roots.iter().copied().filter(|&r| built_on(r)).collect();
        if built.len() != 1 {
            return Vec::new();
        }
        roots
            .iter()
            .copied()
            .filter(|r| !built.contains(r))
            .collect()
    }

    /// Whether there is any roster entry: without one the roster is not audited yet.
    pub fn is_empty(&self) -> bool {
        self.dag.entries.is_empty() && self.dag.damage.is_empty()
    }

    /// Damaged roster entry files.
    pub fn damage(&self) -> &[Damage] {
        &self.dag.damage
    }

    /// The entries, each with why it does not count (if it does not).
    pub fn entries(&self) -> impl Iterator<Item = (&EntryId, &RosterEntry, Option<&str>)> {
        self.dag
            .ids
            .iter()
            .zip(&self.dag.entries)
            .zip(&self.invalid)
            .map(|((id, e), why)| (id, e, why.as_deref()))
    }

    /// The current heads: a new roster entry, or a new sign-off, names them.
    pub fn heads(&self) -> Vec<EntryId> {
        self.dag.heads()
    }

    /// The latest `at` of the roster entries `heads` names (what a sign-off naming
    /// them had seen).
    pub(crate) fn latest_at(&self, heads: &[EntryId]) -> Option<DateTime<FixedOffset>> {
        heads
            .iter()
            .filter_map(|h| self.dag.position(h))
            .map(|p| self.dag.entries[p].at)
            .max()
    }

    /// The latest `at` of the roster entries that count among `ids` (an entry that
    /// does not count, however it is dated, moves no one's time).
    pub(crate) fn latest_valid_at(&self, ids: &[EntryId]) -> Option<DateTime<FixedOffset>> {
        ids.iter()
            .filter_map(|h| self.dag.position(h))
            .filter(|&p| self.invalid[p].is_none())
            .map(|p| self.dag.entries[p].at)
            .max()
    }

    /// Whether entry `id` is in the log.
    pub fn contains(&self, id: &EntryId) -> bool {
        self.dag.position(id).is_some()
    }

    /// Whether every entry of the view `earlier` is in the view `later` (a sign-off
    /// must not name an older roster than the sign-offs it saw).
    pub fn includes(&self, later: &[EntryId], earlier: &[EntryId]) -> bool {
        let view = self.view(later);
        self.view(earlier).iter().all(|p| view.contains(p))
    }

    /// The files roster entry `id` changed, if it is in the log.
    pub(crate) fn files_of(&self, id: &str) -> Option<&BTreeMap<String, RevId>> {
        let i = self.dag.ids.iter().position(|x| x.as_str() == id)?;
        Some(&self.dag.entries[i].files)
    }

    /// The ids of the roster entries in the view named by `heads`.
    pub(crate) fn view_ids(&self, heads: &[EntryId]) -> std::collections::BTreeSet<String> {
        self.view(heads)
            .into_iter()
            .map(|i| self.dag.ids[i].to_string())
            .collect()
    }

    /// The positions in the view named by `heads` (their ancestors and themselves);
    /// no heads means the genesis alone, the roster before anyone named one.
    fn view(&self, heads: &[EntryId]) -> Vec<usize> {
        let n = self.dag.entries.len();
        let mut tops: Vec<usize> = heads.iter().filter_map(|h| self.dag.position(h)).collect();
        if heads.is_empty() {
            tops.extend((0..n).filter(|&i| self.dag.entries[i].after.is_empty()));
        }
        (0..n)
            .filter(|&i| tops.iter().any(|&t| t == i || self.dag.saw(t, i)))
            .collect()
    }

    /// The entries of a view that last assigned `path` (validly): one, or several
    /// made at the same time.
    fn latest_assigning(&self, view: &[usize], path: &str) -> Vec<usize> {
        let assigning: Vec<usize> = view
            .iter()
            .copied()
            .filter(|&i| self.invalid[i].is_none() && self.dag.entries[i].files.contains_key(path))
            .collect();
        assigning
            .iter()
            .copied()
            .filter(|&i| !assigning.iter().any(|&j| self.dag.saw(j, i)))
            .collect()
    }

    /// The content of `path` in a view: its latest valid assignment.
    fn resolve(&self, view: &[usize], path: &str) -> Resolved {
        let latest: Vec<&RevId> = self
            .latest_assigning(view, path)
            .into_iter()
            .map(|i| &self.dag.entries[i].files[path])
            .collect();
        match latest.split_first() {
            None => Resolved::Absent,
            Some((first, rest)) if rest.iter().all(|b| b == first) => {
                Resolved::Blob((*first).clone())
            }
            Some(_) => Resolved::Conflict,
        }
    }

    /// Entry `i`'s verdict: judged by the roster it saw, by what ended without it
    /// seeing (an admin's role, the key it is signed with), and, where it replaces
    /// someone's key, by who may do that.
    fn judge(&self, i: usize) -> Verdict {
        let entry = &self.dag.entries[i];
        let before: Vec<usize> = (0..i).filter(|&j| self.dag.saw(i, j)).collect();
        let genesis = before.is_empty();
        // The genesis is judged by the files it names itself.
        let view: Vec<usize> = if genesis { vec![i] } else { before.clone() };
        let fail = |why: String| Verdict {
            why: Some(why),
            ..Verdict::default()
        };
        let Some(config) = self.config_in(&view) else {
            return fail("medreview.yaml cannot be read in the roster it saw".into());
        };
        // The people whose key (or email, while they have a key) this entry changes.
        let changes: Vec<(Id, &String)> = if genesis {
            Vec::new()
        } else {
            self.identity_changes(&before, i)
        };
        let own = changes.len() == 1
            && changes[0].0 == entry.by
            && entry.files.len() == 1
            && entry.voids.is_empty()
            && self.only_identity_changes(&before, i, changes[0].1);
        if !own && !config.admins.contains(&entry.by) {
            return fail(format!(
                "{} was not an admin in the roster it saw (admins: {})",
                entry.by,
                ids(&config.admins)
            ));
        }
        let state = self.state_of(view);
        let key = state.roster.public_key_of(&entry.by);
        let signature = match (&entry.signature, config.review.require_signatures || own) {
            (Some(sig), _) => signing::verify_text(
                signing::ROSTER_NAMESPACE,
                &entry.canonical_text(),
                &entry.by,
                Some(sig),
                key,
            )
            .err()
            .map(|why| format!("its signature does not verify: {why}")),
            (None, true) if own => Some(format!(
                "it changes {}'s own key or email and is unsigned; a person's key changes are signed with their current key",
                entry.by
            )),
            (None, true) => Some("it is unsigned and the policy requires signatures".into()),
            (None, false) => None,
        };
        if let Some(why) = signature {
            return fail(why);
        }
        if let Some(why) = self.ended_unseen(i, key) {
            return fail(why);
        }
        if let Some(why) = self.verification_unvouched(&before, i, &config) {
            return fail(why);
        }
        if own || changes.is_empty() {
            return Verdict::default();
        }
        self.reset_verdict(i, &before, &config, &changes)
    }

    /// Why entry `i` does not count because a license verification it sets names
    /// someone who was not an admin in the roster it saw
    /// ([`crate::roster::profile::verification_problem`]).
    fn verification_unvouched(
        &self,
        before: &[usize],
        i: usize,
        config: &Config,
    ) -> Option<String> {
        let entry = &self.dag.entries[i];
        entry.files.iter().find_map(|(path, blob)| {
            let person = person_id(path, Role::Reviewer)?;
            let after = self.reviewer_with(path, blob)?;
            let was = match self.resolve(before, path) {
                Resolved::Blob(old) => self.reviewer_with(path, &old),
                _ => None,
            };
            crate::roster::profile::verification_problem(was.as_ref(), &after, &config.admins)
                .map(|why| format!("{path} ({person}): {why}"))
        })
    }

    /// The reviewer file `path` with content `blob`, when it reads as one.
    fn reviewer_with(&self, path: &str, blob: &RevId) -> Option<crate::roster::Reviewer> {
        let bytes = (self.blobs)(blob)?;
        crate::roster::parse_person(&String::from_utf8_lossy(&bytes), Path::new(path)).ok()
    }

    /// Why entry `i` does not count because of a change that counts and that it did
    /// not see: its author stopped being an admin concurrently (a removed admin
    /// writing as if before the removal), or the key it is signed with was replaced
    /// concurrently or before its date.
    fn ended_unseen(&self, i: usize, key: Option<&str>) -> Option<String> {
        let entry = &self.dag.entries[i];
        let used = key.and_then(crate::signing::key_fingerprint);
        self.endings.iter().find_map(|(j, person, ending)| {
            let j = *j;
            if person != &entry.by || j == i || self.dag.saw(i, j) || self.dag.saw(j, i) {
                return None;
            }
            let ended = &self.dag.entries[j];
            match ending {
                Ending::Admin => Some(format!(
                    "it was made without seeing roster entry {} of {}, which took the admin role from {}; a change made beside the one that ends its author's role does not count",
                    self.dag.ids[j],
                    crate::clock::rfc3339(&ended.at),
                    entry.by
                )),
                Ending::Key(old) if used.as_ref() == Some(old) => Some(format!(
                    "it is signed with the key {} replaced in roster entry {} of {}, which it did not see; a replaced key is revoked",
                    entry.by,
                    self.dag.ids[j],
                    crate::clock::rfc3339(&ended.at)
                )),
                Ending::Key(_) => None,
            }
        })
    }

    /// A key reset by an admin: it applies once `review.key_reset_admins` distinct
    /// admins (default 2, or 1 where the roster has one admin) made the same reset,
    /// each seeing the ones before; until then it waits and changes nothing.
    fn reset_verdict(
        &self,
        i: usize,
        before: &[usize],
        config: &Config,
        changes: &[(Id, &String)],
    ) -> Verdict {
        let entry = &self.dag.entries[i];
        let required = config
            .review
            .key_reset_admins
            .unwrap_or(2)
            .min(config.admins.len().max(1) as u32)
            .max(1) as usize;
        let mut confirmed = Vec::new();
        for (person, path) in changes {
            let blob = &entry.files[*path];
            let mut by: Vec<Id> = before
                .iter()
                .filter(|&&j| self.waiting[j] && self.dag.entries[j].files.get(*path) == Some(blob))
                .map(|&j| self.dag.entries[j].by.clone())
                .filter(|admin| config.admins.contains(admin))
                .chain(std::iter::once(entry.by.clone()))
                .collect();
            by.sort();
            by.dedup();
            if by.len() < required {
                return Verdict {
                    why: Some(format!(
                        "it resets {person}'s key without {person}'s signature, which needs {required} admins; {} of them made it so far ({}). Another admin confirms it with the same `medreview {} reset-key {person} --public-key …`",
                        by.len(),
                        ids(&by),
                        if path.starts_with("reviewers/") {
                            "reviewer"
                        } else {
                            "writer"
                        },
                    )),
                    waiting: true,
                    reset: Vec::new(),
                };
            }
            confirmed.push((person.clone(), KeyReset { at: entry.at, by }));
        }
        Verdict {
            why: None,
            waiting: false,
            reset: confirmed,
        }
    }

    /// The people whose key (or, while they have a key, email) entry `i` changes
    /// from the view `before`, with the file that holds them.
    fn identity_changes<'e>(&'e self, before: &[usize], i: usize) -> Vec<(Id, &'e String)> {
        let entry = &self.dag.entries[i];
        entry
            .files
            .keys()
            .filter_map(|path| {
                let person = person_of(path)?;
                let was = self.identity_in(before, path)?;
                let old = was
                    .key
                    .as_deref()
                    .and_then(crate::signing::key_fingerprint)?;
                let now = self.identity_with(path, &entry.files[path]);
                let new = now
                    .as_ref()
                    .and_then(|n| n.key.as_deref())
                    .and_then(crate::signing::key_fingerprint);
                let changed = new.as_ref() != Some(&old)
                    || now.as_ref().and_then(|n| n.email.as_ref()) != was.email.as_ref();
                changed.then_some((person, path))
            })
            .collect()
    }

    /// Whether entry `i` changes nothing of `path` but the key and email.
    fn only_identity_changes(&self, before: &[usize], i: usize, path: &str) -> bool {
        let (Some(was), Some(now)) = (
            self.identity_in(before, path),
            self.identity_with(path, &self.dag.entries[i].files[path]),
        ) else {
            return false;
        };
        was.rest == now.rest
    }

    /// The identity `path` holds in a view.
    fn identity_in(&self, view: &[usize], path: &str) -> Option<Identity> {
        match self.resolve(view, path) {
            Resolved::Blob(blob) => self.identity_with(path, &blob),
            _ => None,
        }
    }

    /// The identity in the person file `path` with content `blob`.
    fn identity_with(&self, path: &str, blob: &RevId) -> Option<Identity> {
        let bytes = (self.blobs)(blob)?;
        let text = String::from_utf8_lossy(&bytes);
        let shown = Path::new(path);
        if person_id(path, Role::Reviewer).is_some() {
            let mut r: crate::roster::Reviewer = crate::roster::parse_person(&text, shown).ok()?;
            let (key, email) = (r.public_key.take(), r.email.take());
            Some(Identity {
                key,
                email,
                rest: crate::yaml::to_string(&r),
            })
        } else {
            let mut w: crate::roster::Writer = crate::roster::parse_person(&text, shown).ok()?;
            let (key, email) = (w.public_key.take(), w.email.take());
            Some(Identity {
                key,
                email,
                rest: crate::yaml::to_string(&w),
            })
        }
    }

    /// `medreview.yaml` in a view. While the genesis is judged, the view is the
    /// genesis itself, not yet found invalid, so it names its own files.
    fn config_in(&self, view: &[usize]) -> Option<Config> {
        let Resolved::Blob(blob) = self.resolve(view, CONFIG_FILE) else {
            return None;
        };
        let bytes = (self.blobs)(&blob)?;
        Config::parse(&String::from_utf8_lossy(&bytes), Path::new(CONFIG_FILE)).ok()
    }

    /// The roster in force for a sign-off whose `roster:` names `heads`.
    pub fn state(&self, heads: &[EntryId]) -> Rc<RosterState> {
        self.state_of(self.view(heads))
    }

    /// The roster at the current heads.
    pub fn current(&self) -> Rc<RosterState> {
        self.state(&self.heads())
    }

    fn state_of(&self, view: Vec<usize>) -> Rc<RosterState> {
        if let Some(state) = self.states.borrow().get(&view) {
            return state.clone();
        }
        let mut paths: Vec<&String> = view
            .iter()
            .flat_map(|&i| self.dag.entries[i].files.keys())
            .collect();
        paths.sort();
        paths.dedup();
        let mut state = RosterState::default();
        state.roster.revocations = self.revocations.clone();
        for path in paths {
            let blob = match self.resolve(&view, path) {
                Resolved::Blob(blob) => blob,
                Resolved::Absent => continue,
                Resolved::Conflict => {
                    state.conflicted.insert(path.clone());
                    state.problems.push(format!(
                        "{path}: two roster changes made at the same time give it different contents; an admin must record it again"
                    ));
                    continue;
                }
            };
            let Some(bytes) = (self.blobs)(&blob) else {
                state.problems.push(format!(
                    "{path}: its recorded content {} is not in the repository",
                    blob.short()
                ));
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let shown = Path::new(path.as_str());
            let parsed: Result<()> = (|| {
                if path == CONFIG_FILE {
                    state.config = Some(Config::parse(&text, shown)?);
                } else if let Some(id) = person_id(path, Role::Reviewer) {
                    state
                        .roster
                        .reviewers
                        .insert(id, crate::roster::parse_person(&text, shown)?);
                } else if let Some(id) = person_id(path, Role::Writer) {
                    state
                        .roster
                        .writers
                        .insert(id, crate::roster::parse_person(&text, shown)?);
                }
                Ok(())
            })();
            if let Err(err) = parsed {
                state.problems.push(err.to_string());
                continue;
            }
            // A key that came from admins' reset is shown as such wherever it signs.
            for j in self.latest_assigning(&view, path) {
                for (person, reset) in &self.resets[j] {
                    state
                        .roster
                        .key_resets
                        .insert(person.clone(), reset.clone());
                }
            }
            state.files.insert(path.clone(), blob);
        }
        let state = Rc::new(state);
        self.states.borrow_mut().insert(view, state.clone());
        state
    }
}

/// The void entry `id` makes of the file with bytes `blob`.
fn void_of(id: &EntryId, entry: &RosterEntry, blob: &RevId) -> crate::ledger::voids::Void {
    crate::ledger::voids::Void {
        blob: blob.clone(),
        by: entry.by.clone(),
        at: entry.at,
        note: entry.note.clone(),
        entry: id.clone(),
    }
}

/// The id of the person whose file (in either role) is `path`.
fn person_of(path: &str) -> Option<Id> {
    person_id(path, Role::Reviewer).or_else(|| person_id(path, Role::Writer))
}

/// The id of the person whose file in `role` is `path` (`reviewers/ana.yaml`).
pub(crate) fn person_id(path: &str, role: Role) -> Option<Id> {
    let id = path
        .strip_prefix(role.folder())?
        .strip_prefix('/')?
        .strip_suffix(".yaml")?;
    Id::parse("id", id).ok()
}

fn ids(list: &[Id]) -> String {
    if list.is_empty() {
        return "none".into();
    }
    list.iter().map(Id::as_str).collect::<Vec<_>>().join(", ")
}

/// Refuses an entry that would not count, naming why.
pub(crate) fn require_valid(why: Option<&str>) -> Result<()> {
    match why {
        None => Ok(()),
        Some(why) => Err(Error::with_hint(
            Code::WouldNotCount,
            format!("this roster change would not count: {why}"),
            "roster changes are recorded by an admin (`medreview admin add ID` by an existing admin)",
        )),
    }
}
