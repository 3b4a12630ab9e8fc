//! medreview's view of the git repository: blobs by id, files at HEAD, and commits
//! that hold exactly the files a command changed. git2 types stay inside this module.
//! This file holds the store itself (`GitStore`), its error (`GitError`) and the
//! identity git records; the pieces live beside it: `objects` (blobs and
//! `Snapshot`, the files of one commit), `commit` (commits and tags), `lock` (the
//! repository lock and recovery), `journal`, `work_ids`, `branches` and `walk`.

use std::io;
use std::path::{Path, PathBuf};

use git2::Repository;

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

/// The repository a workspace lives in.
pub struct GitStore {
    repo: Repository,
    workdir: PathBuf,
    /// git's index, read once, for the ids of unchanged working-tree files.
    index: std::cell::OnceCell<Option<statcache::StatCache>>,
    /// Whether commits name their author as committer too, whatever git config
    /// says: the review desk records for many people from one clone.
    as_author: std::cell::Cell<bool>,
    /// Whether it was opened by [`GitStore::open_from_env`] (a hook, whose pushed
    /// objects are in git's quarantine): a second handle must be opened so too.
    from_env: bool,
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
            as_author: Default::default(),
            from_env: false,
        })
    }

    /// The root of the working tree.
    pub fn workdir(&self) -> &Path {
        &self.workdir
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

    /// Makes every commit from now on name its author as committer: the review
    /// desk records each entry as the person who signed it, never as the host.
    pub fn commit_as_author(&self) {
        self.as_author.set(true);
    }

    /// The committer identity from git config, when both name and email are set.
    pub fn configured_identity(&self) -> Option<Identity> {
        Some(Identity {
            name: self.config_string("user.name")?,
            email: self.config_string("user.email")?,
        })
    }
}

mod branches;
mod commit;
pub mod journal;
mod lock;
mod objects;
mod statcache;
mod walk;
mod work_ids;
pub use branches::{CommitInfo, PathChange};
pub use commit::{CommitRequest, write_atomically};
pub use lock::RepoLock;
pub use objects::{EntryKind, Snapshot};
pub use walk::{CommitChanges, FileChange, Walk};
