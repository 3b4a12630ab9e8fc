//! Crash safety for commits, the way git itself is safe: a journal of the one
//! commit in flight, and recovery by the next medreview command when the process
//! that wrote it is gone.
//!
//! A commit takes `.git/index.lock`, writes its objects, writes the new index
//! (through the lock), moves the branch, and only then writes working-tree files.
//! Before the index lock is taken, `.git/medreview.journal` names the process (pid,
//! host), the branch and its commit; once the new commit exists, it names that
//! commit and its files too. A kill at any point leaves either nothing visible, or
//! a journal the next command finishes (the branch and index moved together) or
//! undoes (only objects were written, which git ignores).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use git2::Oid;

use super::{Context, GitError, GitStore};

/// The journal file, in the git folder.
pub(crate) const JOURNAL: &str = "medreview.journal";

/// What a commit in flight recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Journal {
    /// The process that wrote it.
    pub pid: u32,
    /// Its host.
    pub host: String,
    /// The branch being moved (`refs/heads/main`).
    pub branch: String,
    /// The branch's commit before (`None`: unborn).
    pub old: Option<String>,
    /// The new commit, once made.
    pub new: Option<String>,
    /// Repository-relative paths written.
    pub files: Vec<String>,
    /// Repository-relative paths removed.
    pub removed: Vec<String>,
}

/// This machine's name, as the lock files record it.
pub(crate) fn host() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// Whether process `pid` on this host is gone. Only a definite answer counts: where
/// `/proc` cannot tell, the process is taken to be alive.
pub(crate) fn is_dead(pid: u32) -> bool {
    Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

impl Journal {
    fn text(&self) -> String {
        let mut t = format!(
            "pid={}\nhost={}\nbranch={}\n",
            self.pid, self.host, self.branch
        );
        if let Some(old) = &self.old {
            t.push_str(&format!("old={old}\n"));
        }
        if let Some(new) = &self.new {
            t.push_str(&format!("new={new}\n"));
        }
        for f in &self.files {
            t.push_str(&format!("file={f}\n"));
        }
        for f in &self.removed {
            t.push_str(&format!("removed={f}\n"));
        }
        t.push_str("end\n");
        t
    }

    /// Parses a journal; one cut short by a kill reads as far as it got.
    pub fn parse(text: &str) -> Journal {
        let mut j = Journal::default();
        let complete = text.lines().any(|l| l == "end");
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            match key {
                "pid" => j.pid = value.parse().unwrap_or(0),
                "host" => j.host = value.to_owned(),
                "branch" => j.branch = value.to_owned(),
                "old" => j.old = Some(value.to_owned()),
                "new" if complete => j.new = Some(value.to_owned()),
                "file" => j.files.push(value.to_owned()),
                "removed" => j.removed.push(value.to_owned()),
                _ => {}
            }
        }
        j
    }
}

/// Writes `text` to `path` through a temporary file and a rename, synced.
fn write_synced(path: &Path, text: &str) -> io::Result<()> {
    let tmp = path.with_extension("journal.tmp");
    let mut f = fs::File::create(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    fs::rename(&tmp, path)
}

/// `.git/index.lock`, held while a commit writes the index; removed on drop unless
/// it became the index.
pub(crate) struct IndexLock {
    path: PathBuf,
    held: bool,
}

impl IndexLock {
    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The lock has been renamed into place as the index.
    pub fn done(&mut self) {
        self.held = false;
    }
}

impl Drop for IndexLock {
    fn drop(&mut self) {
        if self.held {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// How long a commit waits for another git process (`git status` in an IDE) to let
/// go of the index.
pub(crate) const INDEX_WAIT: Duration = Duration::from_secs(5);

impl GitStore {
    fn journal_path(&self) -> PathBuf {
        self.repo.path().join(JOURNAL)
    }

    /// Records the commit in flight.
    pub(super) fn write_journal(&self, journal: &Journal) -> Result<(), GitError> {
        let path = self.journal_path();
        write_synced(&path, &journal.text()).map_err(|source| GitError::Io {
            path,
            cause: source,
        })
    }

    /// Forgets the commit in flight: it is done, or was undone.
    pub(super) fn clear_journal(&self) {
        let _ = fs::remove_file(self.journal_path());
    }

    /// Takes `.git/index.lock`, waiting briefly for another git process.
    pub(super) fn lock_index(&self) -> Result<IndexLock, GitError> {
        let path = self.repo.path().join("index.lock");
        let started = std::time::Instant::now();
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(IndexLock { path, held: true }),
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    if started.elapsed() > INDEX_WAIT {
                        return Err(GitError::Locked { path });
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(source) => {
                    return Err(GitError::Io {
                        path,
                        cause: source,
                    });
                }
            }
        }
    }

    /// Finishes or undoes a commit that a medreview process on this host left half
    /// done when it was killed. Returns what was done, for the user, if anything.
    pub fn recover(&self) -> Result<Option<String>, GitError> {
        let path = self.journal_path();
        let Ok(text) = fs::read_to_string(&path) else {
            return Ok(None);
        };
        let journal = Journal::parse(&text);
        if journal.host != host() || !is_dead(journal.pid) {
            return Ok(None);
        }
        let started = fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let branch_now = self
            .repo
            .refname_to_id(&journal.branch)
            .ok()
            .map(|o| o.to_string());
        let index_lock = self.repo.path().join("index.lock");
        // An index lock no newer than the journal was the dead process's.
        let ours = |p: &Path| {
            fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t <= started + Duration::from_secs(2))
        };
        let mut removed_lock = false;
        // A live git process lets go of its lock within moments; the dead one never does.
        let waited = std::time::Instant::now();
        while index_lock.exists() && waited.elapsed() < Duration::from_secs(1) {
            std::thread::sleep(Duration::from_millis(20));
        }
        if index_lock.exists() && ours(&index_lock) {
            fs::remove_file(&index_lock).map_err(|source| GitError::Io {
                path: index_lock.clone(),
                cause: source,
            })?;
            removed_lock = true;
        }
        // So was a branch lock it held while moving the branch.
        let ref_lock = self.repo.path().join(format!("{}.lock", journal.branch));
        if ref_lock.exists() && ours(&ref_lock) {
            let _ = fs::remove_file(&ref_lock);
        }
        let _ = fs::remove_file(self.repo.path().join("medreview-index.tmp"));
        let _ = fs::remove_file(self.repo.path().join("medreview-index.tmp.lock"));
        let pid = journal.pid;
        let what = match (&journal.new, &branch_now) {
            (Some(new), Some(now)) if now == new => {
                self.finish_worktree(&journal)?;
                format!(
                    "finished the commit {} it had made (its working-tree files were written)",
                    &new[..new.len().min(10)]
                )
            }
            (Some(new), now) if *now == journal.old && self.index_has(&journal, new) => {
                // The index already holds the new commit's files: move the branch to it.
                let oid = Oid::from_str(new).context("parse a commit id")?;
                let moved = match &journal.old {
                    Some(old) => self.repo.reference_matching(
                        &journal.branch,
                        oid,
                        true,
                        Oid::from_str(old).context("parse a commit id")?,
                        "medreview: finish an interrupted commit",
                    ),
                    None => self.repo.reference(
                        &journal.branch,
                        oid,
                        false,
                        "medreview: finish an interrupted commit",
                    ),
                };
                moved.context("finish the interrupted commit")?;
                self.finish_worktree(&journal)?;
                format!(
                    "finished the commit {} it had written (the branch now names it)",
                    &new[..new.len().min(10)]
                )
            }
            _ => {
                if removed_lock {
                    "undid it: nothing had been committed (its index.lock was removed)".into()
                } else {
                    "undid it: nothing had been committed".into()
                }
            }
        };
        self.clear_journal();
        let lock = self.repo.path().join("medreview.lock");
        if let Ok(text) = fs::read_to_string(&lock)
            && lock_owner(&text).is_some_and(|(p, h)| h == host() && is_dead(p))
        {
            let _ = fs::remove_file(&lock);
        }
        Ok(Some(format!(
            "medreview: recovered from an interrupted command (pid {pid}): {what}"
        )))
    }

    /// Whether the index holds the new commit's version of every file the journal names.
    fn index_has(&self, journal: &Journal, new: &str) -> bool {
        let Ok(mut index) = self.repo.index() else {
            return false;
        };
        let _ = index.read(true);
        let Some(tree) = Oid::from_str(new)
            .ok()
            .and_then(|o| self.repo.find_commit(o).ok())
            .and_then(|c| c.tree().ok())
        else {
            return false;
        };
        journal.files.iter().all(|f| {
            let want = tree.get_path(Path::new(f)).ok().map(|e| e.id());
            let have = index.get_path(Path::new(f), 0).map(|e| e.id);
            want.is_some() && want == have
        }) && journal
            .removed
            .iter()
            .all(|f| index.get_path(Path::new(f), 0).is_none())
    }

    /// Writes the working-tree files of a finished commit that are missing or still
    /// hold the old version (never over someone's edit).
    fn finish_worktree(&self, journal: &Journal) -> Result<(), GitError> {
        let Some(new) = &journal.new else {
            return Ok(());
        };
        let tree_of = |id: &str| {
            Oid::from_str(id)
                .ok()
                .and_then(|o| self.repo.find_commit(o).ok())
                .and_then(|c| c.tree().ok())
        };
        let (Some(new_tree), old_tree) = (tree_of(new), journal.old.as_deref().and_then(tree_of))
        else {
            return Ok(());
        };
        let blob_at = |tree: &git2::Tree<'_>, f: &str| -> Option<Vec<u8>> {
            let entry = tree.get_path(Path::new(f)).ok()?;
            Some(self.repo.find_blob(entry.id()).ok()?.content().to_vec())
        };
        for f in &journal.files {
            let full = self.workdir.join(f);
            let here = fs::read(&full).ok();
            let old = old_tree.as_ref().and_then(|t| blob_at(t, f));
            let Some(bytes) = blob_at(&new_tree, f) else {
                continue;
            };
            if here.is_none() || here == old {
                super::write_atomically(&full, &bytes).map_err(|source| GitError::Io {
                    path: full,
                    cause: source,
                })?;
            }
        }
        for f in &journal.removed {
            let full = self.workdir.join(f);
            let old = old_tree.as_ref().and_then(|t| blob_at(t, f));
            if fs::read(&full).ok() == old {
                let _ = fs::remove_file(&full);
            }
        }
        self.refresh_index(&journal.files);
        Ok(())
    }

    /// Puts the working-tree files' stat data into the index (best effort: it is a
    /// cache, and git refreshes it itself when it finds it stale).
    pub(super) fn refresh_index(&self, files: &[String]) {
        let Ok(mut index) = self.repo.index() else {
            return;
        };
        if index.read(true).is_err() {
            return;
        }
        for f in files {
            // Only a file that holds what the index names: never stage an edit.
            let same = fs::read(self.workdir.join(f)).ok().is_some_and(|bytes| {
                let id = Oid::hash_object(git2::ObjectType::Blob, &bytes).ok();
                id.is_some() && index.get_path(Path::new(f), 0).map(|e| e.id) == id
            });
            if same {
                let _ = index.add_path(Path::new(f));
            }
        }
        let _ = index.write();
    }
}

/// The pid and host a lock file names.
pub(crate) fn lock_owner(text: &str) -> Option<(u32, String)> {
    let mut pid = None;
    let mut host = None;
    for line in text.lines() {
        match line.split_once('=') {
            Some(("pid", v)) => pid = v.trim().parse().ok(),
            Some(("host", v)) => host = Some(v.trim().to_owned()),
            _ => {
                // The old format: the pid alone on a line.
                if pid.is_none() {
                    pid = line.trim().parse().ok();
                }
            }
        }
    }
    Some((pid?, host.unwrap_or_else(self::host)))
}
