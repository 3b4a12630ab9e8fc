//! The commit graph for `sync` and the server gate: branches, ancestry, the commits
//! one tip has that others lack, and replaying a commit onto another base by path
//! (never by merging text).

use std::path::Path;

use git2::{Oid, Repository};

use super::{Context, GitError, GitStore, Snapshot};

/// One file a commit changed against its first parent, with its mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathChange {
    /// The repository-relative path.
    pub path: String,
    /// Blob id and mode in the parent (`None`: added).
    pub old: Option<(String, u32)>,
    /// Blob id and mode in the commit (`None`: removed).
    pub new: Option<(String, u32)>,
}

/// What `sync` needs to know of one commit.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    /// The commit id.
    pub id: String,
    /// Its parents' ids.
    pub parents: Vec<String>,
    /// The first line of its message.
    pub subject: String,
}

impl GitStore {
    /// Opens the repository a server-side hook runs in: `GIT_DIR` and the quarantine
    /// object directories git sets for `pre-receive` are honoured, and a bare
    /// repository is expected.
    pub fn open_from_env() -> Result<GitStore, GitError> {
        git2::opts::strict_hash_verification(false);
        let repo = Repository::open_from_env().map_err(|_| GitError::NotARepository {
            path: std::env::current_dir().unwrap_or_default(),
        })?;
        let workdir = repo.path().to_path_buf();
        Ok(GitStore {
            repo,
            workdir,
            index: Default::default(),
            as_author: Default::default(),
            from_env: true,
        })
    }

    /// Opens the bare repository at `dir`, refusing one with a working tree.
    pub fn open_bare(dir: &Path) -> Result<GitStore, GitError> {
        let not_bare = || GitError::NotBare {
            path: dir.to_path_buf(),
        };
        let repo = Repository::open_bare(dir).map_err(|_| not_bare())?;
        // A clone's `.git` opens as bare too; its config says otherwise.
        let bare = repo
            .config()
            .and_then(|c| c.get_bool("core.bare"))
            .unwrap_or(true);
        if !repo.is_bare() || !bare {
            return Err(GitError::NotBare {
                path: dir.to_path_buf(),
            });
        }
        let workdir = repo.path().to_path_buf();
        Ok(GitStore {
            repo,
            workdir,
            index: Default::default(),
            as_author: Default::default(),
            from_env: false,
        })
    }

    /// The repository's git folder (`.git`, or the bare repository itself).
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// Sets a git config value in the repository's own config.
    pub fn set_config(&self, key: &str, value: &str) -> Result<(), GitError> {
        self.repo
            .config()
            .and_then(|c| c.open_level(git2::ConfigLevel::Local))
            .and_then(|mut c| c.set_str(key, value))
            .context("write the repository's git config")
    }

    /// The branch HEAD names (`refs/heads/main`), whether or not it has a commit yet.
    pub fn head_branch(&self) -> Result<String, GitError> {
        let head = self.repo.find_reference("HEAD").context("read HEAD")?;
        head.symbolic_target()
            .context("read HEAD")?
            .map(str::to_owned)
            .ok_or(GitError::DetachedHead)
    }

    /// The commit HEAD points at, if any.
    pub fn head_commit(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        head.peel_to_commit().ok().map(|c| c.id().to_string())
    }

    /// The files of `commit`.
    pub fn snapshot(&self, commit: &str) -> Result<Snapshot<'_>, GitError> {
        let oid = Oid::from_str(commit).context("parse a commit id")?;
        let commit = self.repo.find_commit(oid).context("read a commit")?;
        Ok(Snapshot {
            repo: &self.repo,
            tree: commit.tree().context("read a commit's tree")?,
            commit: commit.id().to_string(),
            dirs: Default::default(),
        })
    }

    /// Whether `id` names a commit in the object database.
    pub fn has_commit(&self, id: &str) -> bool {
        Oid::from_str(id).is_ok_and(|oid| self.repo.find_commit(oid).is_ok())
    }

    /// What kind of object `id` is (`"commit"`, `"tag"`, ...), if it is here.
    pub fn object_kind(&self, id: &str) -> Option<&'static str> {
        let oid = Oid::from_str(id).ok()?;
        let (_, kind) = self.repo.odb().ok()?.read_header(oid).ok()?;
        Some(kind.str())
    }

    /// The bytes of the annotated tag object `id` (header, message and any signature
    /// git appended to it), if it is one.
    pub fn tag_bytes(&self, id: &str) -> Option<Vec<u8>> {
        let oid = Oid::from_str(id).ok()?;
        let odb = self.repo.odb().ok()?;
        let object = odb.read(oid).ok()?;
        (object.kind() == git2::ObjectType::Tag).then(|| object.data().to_vec())
    }

    /// The commit an object peels to (a tag's target), if it is one.
    pub fn peel_to_commit(&self, id: &str) -> Option<String> {
        let oid = Oid::from_str(id).ok()?;
        let object = self.repo.find_object(oid, None).ok()?;
        object.peel_to_commit().ok().map(|c| c.id().to_string())
    }

    /// Whether `ancestor` is `of` or one of its ancestors.
    pub fn is_ancestor(&self, ancestor: &str, of: &str) -> bool {
        let (Ok(a), Ok(b)) = (Oid::from_str(ancestor), Oid::from_str(of)) else {
            return false;
        };
        a == b || self.repo.graph_descendant_of(b, a).unwrap_or(false)
    }

    /// A commit's committer time and the latest time (author or committer) of its
    /// parents, when it has parents.
    pub fn commit_times(
        &self,
        id: &str,
    ) -> Option<(
        chrono::DateTime<chrono::FixedOffset>,
        chrono::DateTime<chrono::FixedOffset>,
    )> {
        let commit = self.repo.find_commit(Oid::from_str(id).ok()?).ok()?;
        let seconds = |t: git2::Time| chrono::DateTime::from_timestamp(t.seconds(), 0);
        let own = seconds(commit.committer().when())?.fixed_offset();
        let parent = commit
            .parents()
            .flat_map(|p| [p.committer().when(), p.author().when()])
            .filter_map(seconds)
            .max()?
            .fixed_offset();
        Some((own, parent))
    }

    /// The best common ancestor of two commits, if they share history.
    pub fn merge_base(&self, a: &str, b: &str) -> Option<String> {
        let (a, b) = (Oid::from_str(a).ok()?, Oid::from_str(b).ok()?);
        self.repo.merge_base(a, b).ok().map(|o| o.to_string())
    }

    /// The newest commit reachable from `tip` (`tip` itself included) whose tree holds
    /// something at `path` other than a folder of hidden files only (`.gitkeep`): a
    /// folder with a visible entry, a file, a link or a submodule. The walk stops at
    /// the first one, so its cost is the commits since then (the whole history when
    /// there is none).
    /// `known`, when given, is a commit whose whole history holds nothing there: it
    /// and its ancestors are not walked.
    pub fn history_holds(
        &self,
        tip: &str,
        path: &str,
        known: Option<&str>,
    ) -> Result<Option<String>, GitError> {
        let mut walk = self.repo.revwalk().context("walk the history")?;
        walk.push(Oid::from_str(tip).context("parse a commit id")?)
            .context("walk the history")?;
        if let Some(oid) = known.and_then(|k| Oid::from_str(k).ok())
            && self.repo.find_commit(oid).is_ok()
        {
            walk.hide(oid).context("walk the history")?;
        }
        // Folders of hidden files only, by id: each is listed once.
        let mut hidden_only = std::collections::HashSet::new();
        for oid in walk {
            let oid = oid.context("walk the history")?;
            let tree = self
                .repo
                .find_commit(oid)
                .and_then(|c| c.tree())
                .context("read a commit's tree")?;
            let Ok(entry) = tree.get_path(Path::new(path)) else {
                continue;
            };
            if entry.kind() == Some(git2::ObjectType::Tree) {
                if hidden_only.contains(&entry.id()) {
                    continue;
                }
                let folder = self.repo.find_tree(entry.id()).context("read a folder")?;
                if folder.iter().all(|e| e.name_bytes().starts_with(b".")) {
                    hidden_only.insert(entry.id());
                    continue;
                }
            }
            return Ok(Some(oid.to_string()));
        }
        Ok(None)
    }

    /// How many commits `local` has that `upstream` lacks, and the other way round.
    pub fn ahead_behind(&self, local: &str, upstream: &str) -> Option<(usize, usize)> {
        let (a, b) = (Oid::from_str(local).ok()?, Oid::from_str(upstream).ok()?);
        self.repo.graph_ahead_behind(a, b).ok()
    }

    /// The commits reachable from `tip` and from none of `hide`, oldest first
    /// (parents before children).
    pub fn commits_between(&self, tip: &str, hide: &[String]) -> Result<Vec<CommitInfo>, GitError> {
        let mut walk = self.repo.revwalk().context("walk the history")?;
        walk.push(Oid::from_str(tip).context("parse a commit id")?)
            .context("walk the history")?;
        for h in hide {
            if let Ok(oid) = Oid::from_str(h)
                && self.repo.find_commit(oid).is_ok()
            {
                walk.hide(oid).context("walk the history")?;
            }
        }
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
            .context("sort the history")?;
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.context("walk the history")?;
            let commit = self.repo.find_commit(oid).context("read a commit")?;
            out.push(CommitInfo {
                id: oid.to_string(),
                parents: commit.parent_ids().map(|p| p.to_string()).collect(),
                subject: commit
                    .summary()
                    .ok()
                    .flatten()
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        Ok(out)
    }

    /// The files `commit` changed against `parent` (the empty tree when `None`).
    pub fn path_changes(
        &self,
        parent: Option<&str>,
        commit: &str,
    ) -> Result<Vec<PathChange>, GitError> {
        let tree_of = |id: &str| -> Result<git2::Tree<'_>, GitError> {
            let oid = Oid::from_str(id).context("parse a commit id")?;
            self.repo
                .find_commit(oid)
                .and_then(|c| c.tree())
                .context("read a commit's tree")
        };
        let new = tree_of(commit)?;
        let old = parent.map(tree_of).transpose()?;
        let diff = self
            .repo
            .diff_tree_to_tree(old.as_ref(), Some(&new), None)
            .context("compare two commits")?;
        let mut out = Vec::new();
        for delta in diff.deltas() {
            let side = |f: git2::DiffFile<'_>| {
                (!f.id().is_zero()).then(|| (f.id().to_string(), u32::from(f.mode())))
            };
            let path = delta
                .new_file()
                .path()
                .or(delta.old_file().path())
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            out.push(PathChange {
                path,
                old: side(delta.old_file()),
                new: side(delta.new_file()),
            });
        }
        Ok(out)
    }

    /// The blob id and mode at `path` in `commit`, if a file is there.
    pub fn file_at(&self, commit: &str, path: &str) -> Option<(String, u32)> {
        let oid = Oid::from_str(commit).ok()?;
        let tree = self.repo.find_commit(oid).ok()?.tree().ok()?;
        let entry = tree.get_path(Path::new(path)).ok()?;
        (entry.kind() == Some(git2::ObjectType::Blob))
            .then(|| (entry.id().to_string(), entry.filemode() as u32))
    }

    /// Makes a commit on top of `base` that applies `changes` (path by path), with
    /// `original`'s author, committer identity and message; the committer time is
    /// `now`, as `git rebase` does, but never before `base`'s own times: a parent
    /// dated ahead by a colleague's fast clock must not make the replayed commit
    /// look set back (regression: the next person to sync after a fast clock was
    /// refused `commit-time-order`). Returns the new commit's id; nothing is moved.
    pub fn replay(
        &self,
        original: &str,
        base: &str,
        changes: &[PathChange],
        now: chrono::DateTime<chrono::FixedOffset>,
    ) -> Result<String, GitError> {
        let repo = &self.repo;
        let orig = repo
            .find_commit(Oid::from_str(original).context("parse a commit id")?)
            .context("read a commit")?;
        let parent = repo
            .find_commit(Oid::from_str(base).context("parse a commit id")?)
            .context("read a commit")?;
        let mut update = git2::build::TreeUpdateBuilder::new();
        for change in changes {
            match &change.new {
                Some((id, mode)) => {
                    let mode = match mode {
                        0o100755 => git2::FileMode::BlobExecutable,
                        0o120000 => git2::FileMode::Link,
                        _ => git2::FileMode::Blob,
                    };
                    update.upsert(
                        change.path.as_str(),
                        Oid::from_str(id).context("parse a blob id")?,
                        mode,
                    );
                }
                None => {
                    update.remove(change.path.as_str());
                }
            }
        }
        let base_tree = parent.tree().context("read a commit's tree")?;
        let tree_oid = update
            .create_updated(repo, &base_tree)
            .context("build the replayed commit's tree")?;
        let tree = repo.find_tree(tree_oid).context("read a tree")?;
        let c = orig.committer();
        let floor = parent
            .committer()
            .when()
            .seconds()
            .max(parent.author().when().seconds());
        let time = git2::Time::new(
            now.timestamp().max(floor),
            now.offset().local_minus_utc() / 60,
        );
        let committer = git2::Signature::new(
            c.name().unwrap_or("medreview"),
            c.email().unwrap_or_default(),
            &time,
        )
        .context("make the committer signature")?;
        let oid = repo
            .commit(
                None,
                &orig.author(),
                &committer,
                orig.message().unwrap_or_default(),
                &tree,
                &[&parent],
            )
            .context("create the replayed commit")?;
        Ok(oid.to_string())
    }

    /// Whether two commits have the same tree.
    pub fn same_tree(&self, a: &str, b: &str) -> bool {
        let tree = |id: &str| {
            Oid::from_str(id)
                .ok()
                .and_then(|oid| self.repo.find_commit(oid).ok())
                .map(|c| c.tree_id())
        };
        tree(a).is_some() && tree(a) == tree(b)
    }

    /// Every ref under `prefix` (`refs/tags/published/`) with the object it names.
    pub fn refs_under(&self, prefix: &str) -> Vec<(String, String)> {
        let Ok(refs) = self.repo.references_glob(&format!("{prefix}*")) else {
            return Vec::new();
        };
        refs.flatten()
            .filter_map(|r| Some((r.name().ok()?.to_owned(), r.target()?.to_string())))
            .collect()
    }

    /// The time of the newest reflog entry of `name` (when a fetch last moved it).
    pub fn ref_updated_at(&self, name: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        let log = self.repo.reflog(name).ok()?;
        let entry = log.get(0)?;
        let when = entry.committer().when();
        let offset = chrono::FixedOffset::east_opt(when.offset_minutes() * 60)?;
        chrono::DateTime::from_timestamp(when.seconds(), 0).map(|t| t.with_timezone(&offset))
    }
}
