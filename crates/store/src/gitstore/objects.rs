//! Reading the object database: blobs by id, and `Snapshot`, the files of one
//! commit read from its tree (never the working tree), with the folders it has
//! looked up cached, since libgit2 caches no large tree.

use git2::{ErrorCode, ObjectType, Oid, Repository};

use super::{Context, GitError, GitStore};
use crate::revision::RevId;

impl GitStore {
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
    pub(super) repo: &'r Repository,
    pub(super) tree: git2::Tree<'r>,
    pub(super) commit: String,
    /// Folders already looked up, by repository-relative path. libgit2 caches no
    /// tree over 4 KiB, so without this every lookup under a large `articles/`
    /// would read and parse that tree again.
    pub(super) dirs:
        std::cell::RefCell<std::collections::HashMap<String, std::rc::Rc<git2::Tree<'r>>>>,
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
}

impl GitStore {
    /// A second handle on the same repository, for another thread: git2's handles
    /// are not shared between threads, and each keeps its own object cache.
    pub fn reopen(&self) -> Result<GitStore, GitError> {
        Ok(GitStore {
            repo: self.open_handle()?,
            workdir: self.workdir.clone(),
            index: Default::default(),
            as_author: Default::default(),
            from_env: self.from_env,
        })
    }

    /// A second libgit2 handle on the repository, opened as this one was (in a
    /// hook, from git's environment, so it sees the quarantined objects of a push).
    pub(crate) fn open_handle(&self) -> Result<Repository, GitError> {
        let repo = if self.from_env {
            Repository::open_from_env()
        } else {
            Repository::open(self.repo.path())
        };
        repo.ok()
            .filter(|r| r.path() == self.repo.path())
            .ok_or_else(|| GitError::NotARepository {
                path: self.repo.path().to_path_buf(),
            })
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

    /// The bytes of the regular file at `path`, or `Err(size)` when it is over
    /// `max` bytes (said by the blob's header, before a byte is read); empty when
    /// there is no regular file there. One lookup for [`Snapshot::size`] then
    /// [`Snapshot::read`].
    pub fn read_at_most(&self, path: &str, max: u64) -> Result<Result<Vec<u8>, u64>, GitError> {
        let Some((id, EntryKind::File)) = self.entry(path) else {
            return Ok(Ok(Vec::new()));
        };
        let odb = self.repo.odb().context("open the object database")?;
        let (size, _) = odb.read_header(id).context("read a blob header")?;
        if size as u64 > max {
            return Ok(Err(size as u64));
        }
        let blob = self.repo.find_blob(id).context("read a blob")?;
        Ok(Ok(blob.content().to_vec()))
    }

    /// The entries of the folder at `path` (repository-relative; "" for the top).
    pub fn list(&self, path: &str) -> Result<Vec<(String, EntryKind)>, GitError> {
        let Some(tree) = self.dir(path) else {
            return Ok(Vec::new());
        };
        Ok(tree
            .iter()
            .map(|e| {
                (
                    String::from_utf8_lossy(e.name_bytes()).into_owned(),
                    entry_kind(&e),
                )
            })
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
