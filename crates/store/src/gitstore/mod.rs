//! medreview's view of the git repository: blobs by id, files at HEAD, and commits
//! that hold exactly the files a command changed. git2 types stay inside this module.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{DateTime, FixedOffset};
use git2::{ErrorCode, FileMode, ObjectType, Oid, Repository, Signature, Time};

use crate::revision::RevId;

/// How long a command waits for another medreview command in the same repository to finish.
const LOCK_WAIT: Duration = Duration::from_secs(15);

/// A failure reading or writing the git repository.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The folder is not inside any git repository.
    #[error("{} is not inside a git repository", path.display())]
    NotARepository {
        /// The folder that was searched from.
        path: PathBuf,
    },
    /// The repository has no working tree.
    #[error("the git repository at {} is bare; medreview needs a working tree", path.display())]
    Bare {
        /// The repository.
        path: PathBuf,
    },
    /// A repository that should be bare (a server's) has a working tree.
    #[error("{} is not a bare repository (a server's repository has no working tree)", path.display())]
    NotBare {
        /// The repository.
        path: PathBuf,
    },
    /// A revision named in a ledger is not in the object database.
    #[error("revision {id} is not in the repository's object database")]
    MissingBlob {
        /// The blob id.
        id: String,
    },
    /// The branch has no commit yet.
    #[error("the branch {branch} has no commit yet, so there is nothing committed to read")]
    NoCommit {
        /// The branch.
        branch: String,
    },
    /// HEAD does not point at a branch.
    #[error("HEAD is detached, so a sign-off has no branch to be recorded on")]
    DetachedHead,
    /// Another process holds a lock.
    #[error("the repository is locked: {} exists", path.display())]
    Locked {
        /// The lock file.
        path: PathBuf,
    },
    /// The index holds unresolved merge conflicts.
    #[error("the git index has unresolved merge conflicts")]
    Conflicts,
    /// The branch moved between reading and committing.
    #[error("the branch {branch} moved while medreview was committing")]
    Raced {
        /// The branch.
        branch: String,
    },
    /// A working-tree file could not be written.
    // The reason is in the message, and deliberately not a `source` too: the
    // presenter prints every source as `Caused by:`, which printed it twice.
    #[error("cannot write {}: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        cause: io::Error,
    },
    /// git itself refused.
    // git's message only: git2's Display adds `class=` and `code=`, which mean
    // nothing to a reader, so the error is not a `source` either.
    #[error("git could not {context}: {}", cause.message())]
    Git {
        /// What was being done.
        context: String,
        /// git's reason.
        cause: git2::Error,
    },
}

impl GitError {
    /// A hint that names this failure's own file or folder, when there is one; the
    /// error's code (in medreview-core) supplies the general hint otherwise.
    pub fn hint(&self) -> Option<String> {
        match self {
            GitError::Bare { path } => Some(format!(
                "a bare repository is a server's copy; clone it to work in it: `git clone {} work`",
                path.display()
            )),
            GitError::Locked { path } => Some(format!(
                "another git or medreview command is running; if none is, remove {}",
                path.display()
            )),
            _ => None,
        }
    }
}

/// Attaches what was being done to a git2 error.
trait Context<T> {
    fn context(self, what: &str) -> Result<T, GitError>;
}

impl<T> Context<T> for Result<T, git2::Error> {
    fn context(self, what: &str) -> Result<T, GitError> {
        self.map_err(|source| GitError::Git {
            context: what.to_owned(),
            cause: source,
        })
    }
}

/// A person as git records them.
#[derive(Debug, Clone)]
pub struct Identity {
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
}

/// One commit to make: the files to put in it (repository-relative paths with `/`).
pub struct CommitRequest<'a> {
    /// Files and their new contents. Nothing else in the tree changes.
    pub files: Vec<(String, Vec<u8>)>,
    /// Files to remove.
    pub removed: Vec<String>,
    /// The full commit message.
    pub message: &'a str,
    /// Who did it.
    pub author: &'a Identity,
    /// When; also the commit time, so the ledger and the commit agree.
    pub time: DateTime<FixedOffset>,
}

/// The repository a workspace lives in.
pub struct GitStore {
    repo: Repository,
    workdir: PathBuf,
    /// git's index, read once, for the ids of unchanged working-tree files.
    index: std::cell::OnceCell<Option<statcache::StatCache>>,
}

impl GitStore {
    /// Finds the repository that contains `start`.
    pub fn discover(start: &Path) -> Result<GitStore, GitError> {
        // git itself re-hashes an object only in `git fsck`; libgit2 by default
        // re-hashes every object it reads (SHA-1 with collision detection), which
        // was half of `check`'s time on a large history. Objects named by id are
        // still looked up by that id, and `check` verifies entry digests itself.
        git2::opts::strict_hash_verification(false);
        let repo = Repository::discover(start).map_err(|_| GitError::NotARepository {
            path: start.to_path_buf(),
        })?;
        let Some(workdir) = repo.workdir() else {
            return Err(GitError::Bare {
                path: repo.path().to_path_buf(),
            });
        };
        let workdir = workdir.canonicalize().map_err(|source| GitError::Io {
            path: workdir.to_path_buf(),
            cause: source,
        })?;
        Ok(GitStore {
            repo,
            workdir,
            index: Default::default(),
        })
    }

    /// The root of the working tree.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The blob id git gives `bytes` (what `git hash-object` prints).
    pub fn blob_id(bytes: &[u8]) -> RevId {
        match Oid::hash_object(ObjectType::Blob, bytes) {
            Ok(oid) => RevId::from_oid_bytes(oid.as_bytes()),
            // Hashing a byte slice in memory has no failure mode in libgit2.
            Err(err) => panic!("hashing a blob in memory failed: {err}"), // invariant
        }
    }

    /// Reads a blob from the object database by id.
    pub fn read_blob(&self, id: &RevId) -> Result<Vec<u8>, GitError> {
        let missing = || GitError::MissingBlob { id: id.to_string() };
        let oid = Oid::from_str(id.as_str()).map_err(|_| missing())?;
        let blob = self.repo.find_blob(oid).map_err(|_| missing())?;
        Ok(blob.content().to_vec())
    }

    /// The size of a blob, read from its header (the content is not loaded).
    pub fn blob_size(&self, id: &RevId) -> Option<usize> {
        let oid = Oid::from_str(id.as_str()).ok()?;
        let (size, _) = self.repo.odb().ok()?.read_header(oid).ok()?;
        Some(size)
    }

    /// Whether the object database holds the blob.
    pub fn has_blob(&self, id: &RevId) -> bool {
        // The header says whether it is there and a blob, without reading it.
        Oid::from_str(id.as_str())
            .ok()
            .and_then(|oid| self.repo.odb().ok()?.read_header(oid).ok())
            .is_some_and(|(_, kind)| kind == ObjectType::Blob)
    }

    /// This clone's own medreview state (`.git/medreview`): never committed or shared.
    pub fn local_state_dir(&self) -> PathBuf {
        self.repo.path().join("medreview")
    }

    /// The value of a git config key (`user.email`), when set and not blank.
    pub fn config_string(&self, key: &str) -> Option<String> {
        self.repo
            .config()
            .ok()?
            .get_string(key)
            .ok()
            .filter(|s| !s.trim().is_empty())
    }

    /// The committer identity from git config, when both name and email are set.
    pub fn configured_identity(&self) -> Option<Identity> {
        Some(Identity {
            name: self.config_string("user.name")?,
            email: self.config_string("user.email")?,
        })
    }

    /// Recovers what a killed medreview process left half done, if it left anything
    /// (any command does this first, so none reads a half-written state).
    pub fn recover_if_abandoned(&self) {
        let path = self.repo.path().join("medreview.lock");
        let gone = |(pid, host): (u32, String)| host == journal::host() && journal::is_dead(pid);
        let lock_left = fs::read_to_string(&path)
            .ok()
            .and_then(|t| journal::lock_owner(&t))
            .is_some_and(gone);
        // A journal outlives its command when working-tree files could not be written.
        let journal_left = fs::read_to_string(self.repo.path().join(journal::JOURNAL))
            .map(|t| journal::Journal::parse(&t))
            .is_ok_and(|j| gone((j.pid, j.host)));
        if !lock_left && !journal_left {
            return;
        }
        let recovered = self.lock().and_then(|_held| self.recover());
        match recovered {
            Ok(Some(note)) => medreview_output::notice(note),
            Ok(None) => {}
            Err(err) => medreview_output::notice(format!(
                "medreview: could not recover what an interrupted command left: {err}"
            )),
        }
    }

    /// Takes the repository-wide medreview lock, waiting briefly for another command.
    /// A lock left by a medreview process on this host that is no longer running is
    /// recovered (its interrupted commit finished or undone) and taken over.
    pub fn lock(&self) -> Result<RepoLock, GitError> {
        let path = self.repo.path().join("medreview.lock");
        let started = Instant::now();
        loop {
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    // Who holds it, so a lock left by a killed process is recognised.
                    let _ = write!(
                        file,
                        "pid={}\nhost={}\n",
                        std::process::id(),
                        journal::host()
                    );
                    return Ok(RepoLock { path });
                }
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                    let owner = fs::read_to_string(&path)
                        .ok()
                        .and_then(|t| journal::lock_owner(&t));
                    if let Some((pid, host)) = owner.clone()
                        && host == journal::host()
                        && journal::is_dead(pid)
                    {
                        match self.recover()? {
                            Some(note) => medreview_output::notice(note),
                            None => medreview_output::notice(format!(
                                "medreview: recovered from an interrupted command (pid {pid}): nothing was half done; its lock was removed"
                            )),
                        }
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    // Killed between creating the lock and writing who holds it.
                    let empty_and_old = owner.is_none()
                        && fs::metadata(&path).is_ok_and(|m| {
                            m.len() == 0
                                && m.modified()
                                    .ok()
                                    .and_then(|t| t.elapsed().ok())
                                    .is_some_and(|age| age > Duration::from_secs(5))
                        });
                    if empty_and_old {
                        medreview_output::notice(
                            "medreview: removed an empty lock left by an interrupted command",
                        );
                        let _ = fs::remove_file(&path);
                        continue;
                    }
                    if started.elapsed() > LOCK_WAIT {
                        return Err(GitError::Locked { path });
                    }
                    thread::sleep(Duration::from_millis(25));
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

    /// Commits exactly `request.files` on top of the current branch, updates the
    /// index for those paths only, and writes them to the working tree. Whatever else
    /// is staged or modified stays as it was.
    ///
    /// The order is git's: the index lock is taken before anything is visible (a
    /// lock held by another git process is waited for briefly, then refused before
    /// anything is committed); objects are written, then the index, then the branch
    /// is moved; working-tree files come last, and a failure there is a warning, for
    /// the commit has landed. A journal lets the next command finish or undo a commit
    /// interrupted by a kill (see [`journal`]).
    pub fn commit(&self, request: &CommitRequest<'_>) -> Result<String, GitError> {
        let repo = &self.repo;
        let head = repo.find_reference("HEAD").context("read HEAD")?;
        let branch = head
            .symbolic_target()
            .context("read HEAD")?
            .ok_or(GitError::DetachedHead)?
            .to_owned();
        let old_id = repo.refname_to_id(&branch).ok().map(|o| o.to_string());
        let mut record = journal::Journal {
            pid: std::process::id(),
            host: journal::host(),
            branch: branch.clone(),
            old: old_id,
            ..Default::default()
        };
        self.write_journal(&record)?;
        let result = self.commit_locked(request, &branch, &mut record);
        if result.is_err() {
            self.clear_journal();
        }
        result
    }

    fn commit_locked(
        &self,
        request: &CommitRequest<'_>,
        branch: &str,
        record: &mut journal::Journal,
    ) -> Result<String, GitError> {
        let repo = &self.repo;
        let mut lock = self.lock_index()?;
        // The new index starts as a copy of the current one, beside it; it is moved
        // into place through the lock this command holds.
        let tmp = repo.path().join("medreview-index.tmp");
        let current = repo.path().join("index");
        // A missing index is an empty one; an index that cannot be read is an error,
        // never an empty index (that would commit the new files and drop the rest).
        let old_index = match fs::read(&current) {
            Ok(bytes) => Some(bytes),
            Err(err) if err.kind() == io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(GitError::Io {
                    path: current.clone(),
                    cause: source,
                });
            }
        };
        match &old_index {
            Some(bytes) => fs::write(&tmp, bytes),
            None => fs::remove_file(&tmp).or(Ok(())),
        }
        .map_err(|source| GitError::Io {
            path: tmp.clone(),
            cause: source,
        })?;
        let mut next = git2::Index::open(&tmp).context("read the index")?;
        if next.has_conflicts() {
            let _ = fs::remove_file(&tmp);
            return Err(GitError::Conflicts);
        }
        let parent = match repo.refname_to_id(branch) {
            Ok(oid) => Some(repo.find_commit(oid).context("read the branch's commit")?),
            Err(err) if err.code() == ErrorCode::NotFound => None,
            Err(err) => return Err(err).context("read the branch"),
        };
        if parent.as_ref().map(|p| p.id().to_string()) != record.old {
            return Err(GitError::Raced {
                branch: branch.to_owned(),
            });
        }
        let base_tree = match &parent {
            Some(commit) => commit.tree().context("read the branch's tree")?,
            None => {
                let empty = repo
                    .treebuilder(None)
                    .and_then(|b| b.write())
                    .context("write an empty tree")?;
                repo.find_tree(empty).context("read an empty tree")?
            }
        };
        let mut update = git2::build::TreeUpdateBuilder::new();
        let mut blobs = Vec::new();
        for (path, bytes) in &request.files {
            let oid = repo.blob(bytes).context("write a blob")?;
            update.upsert(path.as_str(), oid, FileMode::Blob);
            blobs.push((path, oid, bytes.len()));
        }
        for path in &request.removed {
            update.remove(path.as_str());
        }
        let tree_oid = update
            .create_updated(repo, &base_tree)
            .context("build the commit's tree")?;
        let tree = repo.find_tree(tree_oid).context("read the new tree")?;
        let time = Time::new(
            request.time.timestamp(),
            request.time.offset().local_minus_utc() / 60,
        );
        let author = Signature::new(&request.author.name, &request.author.email, &time)
            .context("make the author signature")?;
        let committer = match self.configured_identity() {
            Some(id) => Signature::new(&id.name, &id.email, &time)
                .context("make the committer signature")?,
            None => author.clone(),
        };
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let commit_oid = repo
            .commit(None, &author, &committer, request.message, &tree, &parents)
            .context("create the commit")?;

        for (path, oid, len) in &blobs {
            next.add(&git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: u32::try_from(*len).unwrap_or(u32::MAX),
                id: *oid,
                flags: u16::try_from(path.len()).unwrap_or(0xfff).min(0xfff),
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            })
            .context("update the index")?;
        }
        for path in &request.removed {
            // A path that was never in the index has nothing to remove.
            let _ = next.remove_path(Path::new(path));
        }
        next.write().context("write the index")?;
        record.new = Some(commit_oid.to_string());
        record.files = request.files.iter().map(|(p, _)| p.clone()).collect();
        record.removed = request.removed.clone();
        self.write_journal(record)?;
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| GitError::Io {
                path,
                cause: source,
            }
        };
        fs::rename(&tmp, lock.path()).map_err(io(lock.path()))?;
        fs::rename(lock.path(), &current).map_err(io(&current))?;
        lock.done();

        let log_message = format!("medreview: {}", first_line(request.message));
        let moved = match &parent {
            Some(p) => repo.reference_matching(branch, commit_oid, true, p.id(), &log_message),
            None => repo.reference(branch, commit_oid, false, &log_message),
        };
        if moved.is_err() {
            // Put the index back as it was; the new commit is an unreferenced object.
            if let Some(bytes) = old_index
                && let Ok(mut again) = self.lock_index()
                && fs::write(again.path(), &bytes).is_ok()
                && fs::rename(again.path(), &current).is_ok()
            {
                again.done();
            }
            return Err(GitError::Raced {
                branch: branch.to_owned(),
            });
        }

        // The commit has landed: from here on nothing is an error. A file that cannot
        // be written keeps the journal, so the next medreview command writes it.
        let mut unwritten = false;
        for (path, bytes) in &request.files {
            let full = self.workdir.join(path);
            if fs::read(&full).ok().as_deref() == Some(bytes.as_slice()) {
                continue;
            }
            if let Err(e) = write_atomically(&full, bytes) {
                unwritten = true;
                medreview_output::notice(format!(
                    "Warning: committed, but could not write {} to the working tree ({e}); the next medreview command writes it (or `git checkout -- {path}`)",
                    full.display()
                ));
            }
        }
        for path in &request.removed {
            let full = self.workdir.join(path);
            if full.exists()
                && let Err(e) = fs::remove_file(&full)
            {
                medreview_output::notice(format!(
                    "Warning: committed, but could not remove {} ({e})",
                    full.display()
                ));
            }
        }
        // No second index write for the new files' stat data: it cost more than the
        // whole commit (60 ms at 1,000 articles), and git fills it in itself the next
        // time `git status` looks (the entries say only that their stat is unknown).
        if !unwritten {
            self.clear_journal();
        }
        Ok(commit_oid.to_string())
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so a reader
/// sees the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    // Regression: NamedTempFile's default mode 0600 made every file medreview wrote
    // private; 0644 (less the umask) is what any editor would create.
    let mut builder = tempfile::Builder::new();
    builder.prefix(".medreview-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or_default()
}

/// Held while a command reads and extends the record; released on drop.
pub struct RepoLock {
    path: PathBuf,
}

impl Drop for RepoLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// What a tree entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link.
    Symlink,
    /// A submodule or anything else.
    Other,
}

/// The files of one commit, read from the object database (never the working tree).
pub struct Snapshot<'r> {
    repo: &'r Repository,
    tree: git2::Tree<'r>,
    commit: String,
    /// Folders already looked up, by repository-relative path. libgit2 caches no
    /// tree over 4 KiB, so without this every lookup under a large `articles/`
    /// would read and parse that tree again.
    dirs: std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<git2::Tree<'r>>>>,
}

impl GitStore {
    /// The commit HEAD points at, as a snapshot to read files from.
    pub fn head_snapshot(&self) -> Result<Snapshot<'_>, GitError> {
        let commit = match self.repo.head().and_then(|h| h.peel_to_commit()) {
            Ok(commit) => commit,
            Err(err) if matches!(err.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => {
                return Err(GitError::NoCommit {
                    branch: self
                        .head_branch()
                        .unwrap_or_else(|_| "HEAD".into())
                        .trim_start_matches("refs/heads/")
                        .to_owned(),
                });
            }
            Err(err) => return Err(err).context("read the commit HEAD points at"),
        };
        Ok(Snapshot {
            repo: &self.repo,
            tree: commit.tree().context("read HEAD's tree")?,
            commit: commit.id().to_string(),
            dirs: Default::default(),
        })
    }

    /// Creates the annotated tag `name` on `commit`; refuses if the tag exists.
    pub fn tag(
        &self,
        name: &str,
        commit: &str,
        tagger: &Identity,
        time: DateTime<FixedOffset>,
        message: &str,
    ) -> Result<(), GitError> {
        let oid = Oid::from_str(commit).context("parse a commit id")?;
        let object = self
            .repo
            .find_object(oid, Some(ObjectType::Commit))
            .context("find the commit to tag")?;
        let time = Time::new(time.timestamp(), time.offset().local_minus_utc() / 60);
        let signature = Signature::new(&tagger.name, &tagger.email, &time)
            .context("make the tagger signature")?;
        self.repo
            .tag(name, &object, &signature, message, false)
            .context("create the tag")?;
        Ok(())
    }
}

impl GitStore {
    /// Deletes tag `name` (undoing a publication whose output could not be written).
    pub fn delete_tag(&self, name: &str) -> Result<(), GitError> {
        self.repo.tag_delete(name).context("delete the tag")
    }
}

impl<'r> Snapshot<'r> {
    /// The commit id.
    pub fn commit_id(&self) -> &str {
        &self.commit
    }

    /// The folder at `path` (repository-relative, "" for the top), if there is one.
    fn dir(&self, path: &str) -> Option<std::rc::Rc<git2::Tree<'r>>> {
        if let Some(tree) = self.dirs.borrow().get(path) {
            return Some(tree.clone());
        }
        let tree = match path.rsplit_once('/') {
            _ if path.is_empty() => self.tree.clone(),
            Some((parent, name)) => self.subdir(&*self.dir(parent)?, name)?,
            None => self.subdir(&self.tree, path)?,
        };
        let tree = std::rc::Rc::new(tree);
        self.dirs.borrow_mut().insert(path.to_owned(), tree.clone());
        Some(tree)
    }

    fn subdir(&self, parent: &git2::Tree<'_>, name: &str) -> Option<git2::Tree<'r>> {
        let entry = parent.get_name(name)?;
        if entry_kind(&entry) != EntryKind::Dir {
            return None;
        }
        self.repo.find_tree(entry.id()).ok()
    }

    /// The id and kind of the entry at `path`, if it is there.
    fn entry(&self, path: &str) -> Option<(Oid, EntryKind)> {
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path));
        let dir = self.dir(parent)?;
        let entry = dir.get_name(name)?;
        Some((entry.id(), entry_kind(&entry)))
    }

    /// The bytes of the file at `path` (repository-relative), if it is a regular file.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let Some((id, EntryKind::File)) = self.entry(path) else {
            return Ok(None);
        };
        let blob = self.repo.find_blob(id).context("read a blob")?;
        Ok(Some(blob.content().to_vec()))
    }

    /// What the path is in this commit, if it is there.
    pub fn kind(&self, path: &str) -> Option<EntryKind> {
        self.entry(path).map(|(_, kind)| kind)
    }

    /// The size of the regular file at `path`, from the blob's header.
    pub fn size(&self, path: &str) -> Result<Option<u64>, GitError> {
        let Some((id, EntryKind::File)) = self.entry(path) else {
            return Ok(None);
        };
        let odb = self.repo.odb().context("open the object database")?;
        let (size, _) = odb.read_header(id).context("read a blob header")?;
        Ok(Some(size as u64))
    }

    /// The entries of the folder at `path` (repository-relative; "" for the top).
    pub fn list(&self, path: &str) -> Result<Vec<(String, EntryKind)>, GitError> {
        Ok(self
            .list_ids(path)
            .into_iter()
            .map(|(name, kind, _)| (name, kind))
            .collect())
    }

    /// The entries of the folder at `path`, with the id of each.
    pub fn list_ids(&self, path: &str) -> Vec<(String, EntryKind, RevId)> {
        let Some(tree) = self.dir(path) else {
            return Vec::new();
        };
        tree.iter()
            .map(|e| {
                (
                    String::from_utf8_lossy(e.name_bytes()).into_owned(),
                    entry_kind(&e),
                    RevId::from_oid_bytes(e.id().as_bytes()),
                )
            })
            .collect()
    }
}

fn entry_kind(entry: &git2::TreeEntry<'_>) -> EntryKind {
    match (entry.kind(), entry.filemode()) {
        (Some(ObjectType::Tree), _) => EntryKind::Dir,
        (Some(ObjectType::Blob), 0o120000) => EntryKind::Symlink,
        (Some(ObjectType::Blob), _) => EntryKind::File,
        _ => EntryKind::Other,
    }
}

mod branches;
pub mod journal;
mod statcache;
mod walk;
pub use branches::{CommitInfo, PathChange};
pub use walk::{CommitChanges, FileChange, Walk};

impl GitStore {
    /// git's index and its modification time, read once.
    fn index(&self) -> Option<&statcache::StatCache> {
        // Its own copy: the repository's shared index object is the one commits
        // and recovery read and write.
        self.index
            .get_or_init(|| statcache::StatCache::read(&self.repo.path().join("index")))
            .as_ref()
    }

    /// The tree id the working-tree folder `rel` (repository-relative) would have if
    /// it were committed as it is, when it holds only regular files of at most `max`
    /// bytes (`None` otherwise). A file whose stat data matches git's index entry and
    /// is not racily clean (changed in the same instant the index was written) has
    /// the index's blob id, as `git status` assumes; any other file is read and
    /// hashed.
    pub fn work_folder_id(&self, rel: &str, max: u64) -> Option<RevId> {
        let dir = self.workdir.join(rel);
        // Never through a link: the slow path reports it.
        if !std::fs::symlink_metadata(&dir).ok()?.is_dir() {
            return None;
        }
        let index = self.index();
        let mut files: Vec<(Vec<u8>, u32, Oid)> = Vec::new();
        for entry in std::fs::read_dir(&dir).ok()? {
            let entry = entry.ok()?;
            let meta = entry.metadata().ok()?;
            if !meta.file_type().is_file() {
                return None;
            }
            let name = entry.file_name().into_string().ok()?;
            let path = format!("{rel}/{name}");
            let (mode, id) = self.file_id(&path, &meta, index, max)?;
            files.push((name.into_bytes(), mode, id));
        }
        files.sort();
        let mut tree = Vec::with_capacity(files.len() * 100);
        for (name, mode, id) in &files {
            tree.extend_from_slice(format!("{mode:o} ").as_bytes());
            tree.extend_from_slice(name);
            tree.push(0);
            tree.extend_from_slice(id.as_bytes());
        }
        let id = Oid::hash_object(ObjectType::Tree, &tree).ok()?;
        Some(RevId::from_oid_bytes(id.as_bytes()))
    }
}

impl GitStore {
    /// The mode and blob id of the working-tree file `path` (repository-relative),
    /// from git's index when its stat data matches, else read and hashed (`None`
    /// for a file over `max` bytes).
    fn file_id(
        &self,
        path: &str,
        meta: &std::fs::Metadata,
        index: Option<&statcache::StatCache>,
        max: u64,
    ) -> Option<(u32, Oid)> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let mode = if meta.permissions().mode() & 0o111 != 0 {
            0o100755
        } else {
            0o100644
        };
        let indexed = index.and_then(|index| {
            let e = index.get(path)?;
            let same = e.size == meta.len() as u32
                && i64::from(e.mtime.0) == meta.mtime()
                && e.mtime.1 == meta.mtime_nsec() as u32
                && i64::from(e.ctime.0) == meta.ctime()
                && e.ctime.1 == meta.ctime_nsec() as u32
                && e.ino == meta.ino() as u32
                && e.uid == meta.uid()
                && e.gid == meta.gid()
                && e.mode == mode;
            // Racily clean: changed in the instant the index was written.
            let racy = (i64::from(e.mtime.0), e.mtime.1) >= index.written;
            (same && !racy).then_some(e.id)
        });
        let id = match indexed {
            Some(id) => id,
            None => {
                if meta.len() > max {
                    return None;
                }
                let bytes = std::fs::read(self.workdir.join(path)).ok()?;
                Oid::hash_object(ObjectType::Blob, &bytes).ok()?
            }
        };
        Some((mode, id))
    }

    /// The blob id the working-tree file `rel` (repository-relative) would have if
    /// committed: `Some(None)` when there is no such file, `None` when it is not a
    /// regular file or is over `max` bytes.
    pub fn work_file_id(&self, rel: &str, max: u64) -> Option<Option<RevId>> {
        let meta = match std::fs::symlink_metadata(self.workdir.join(rel)) {
            Ok(meta) => meta,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Some(None),
            Err(_) => return None,
        };
        if !meta.file_type().is_file() {
            return None;
        }
        let (_, id) = self.file_id(rel, &meta, self.index(), max)?;
        Some(Some(RevId::from_oid_bytes(id.as_bytes())))
    }
}

impl Snapshot<'_> {
    /// The blob id of the regular file at `path`, if there is one.
    pub fn file_id(&self, path: &str) -> Option<RevId> {
        match self.entry(path)? {
            (id, EntryKind::File) => Some(RevId::from_oid_bytes(id.as_bytes())),
            _ => None,
        }
    }

    /// The tree id of the folder at `path`, if there is one.
    pub fn folder_id(&self, path: &str) -> Option<RevId> {
        match self.entry(path)? {
            (id, EntryKind::Dir) => Some(RevId::from_oid_bytes(id.as_bytes())),
            _ => None,
        }
    }
}
