//! Making commits and tags: `commit` writes exactly the files a command changed
//! on top of the current branch (objects, then the index, then the branch, under
//! the commit journal), then writes those files to the working tree; tags mark
//! publications. `write_atomically` is the one way medreview writes a file.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use git2::{ErrorCode, FileMode, ObjectType, Oid, Signature, Time};

use super::{Context, GitError, GitStore, Identity, journal};

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

impl GitStore {
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
        let configured = if self.as_author.get() {
            None
        } else {
            self.configured_identity()
        };
        let committer = match configured {
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

impl GitStore {
    /// Creates the annotated tag `name` on `commit`; refuses if the tag exists.
    pub fn tag(
        &self,
        name: &str,
        commit: &str,
        tagger: &Identity,
        time: DateTime<FixedOffset>,
        message: &str,
    ) -> Result<(), GitError> {
        let (object, signature) = self.tag_parts(commit, tagger, time)?;
        self.repo
            .tag(name, &object, &signature, message, false)
            .context("create the tag")?;
        Ok(())
    }

    /// The commit to tag and the tagger's signature, for [`GitStore::tag`] and
    /// [`GitStore::tag_object`].
    fn tag_parts(
        &self,
        commit: &str,
        tagger: &Identity,
        time: DateTime<FixedOffset>,
    ) -> Result<(git2::Object<'_>, Signature<'static>), GitError> {
        let oid = Oid::from_str(commit).context("parse a commit id")?;
        let object = self
            .repo
            .find_object(oid, Some(ObjectType::Commit))
            .context("find the commit to tag")?;
        let time = Time::new(time.timestamp(), time.offset().local_minus_utc() / 60);
        let signature = Signature::new(&tagger.name, &tagger.email, &time)
            .context("make the tagger signature")?;
        Ok((object, signature))
    }
}

impl GitStore {
    /// Writes an annotated tag object named `name` on `commit` without a ref under
    /// `refs/tags/` (the caller points its own ref at it), and returns its id.
    pub fn tag_object(
        &self,
        name: &str,
        commit: &str,
        tagger: &Identity,
        time: DateTime<FixedOffset>,
        message: &str,
    ) -> Result<String, GitError> {
        let (object, signature) = self.tag_parts(commit, tagger, time)?;
        let id = self
            .repo
            .tag_annotation_create(name, &object, &signature, message)
            .context("create the tag")?;
        Ok(id.to_string())
    }

    /// Points ref `name` at the object `id` (any kind), replacing what it named.
    pub fn set_ref_to_object(&self, name: &str, id: &str, why: &str) -> Result<(), GitError> {
        let oid = Oid::from_str(id).context("parse an object id")?;
        self.repo
            .reference(name, oid, true, why)
            .context("write a ref")?;
        Ok(())
    }

    /// The object ref `name` names (not peeled), if the ref exists.
    pub fn ref_target(&self, name: &str) -> Option<String> {
        self.repo.refname_to_id(name).ok().map(|id| id.to_string())
    }

    /// Deletes tag `name` (undoing a publication whose output could not be written).
    pub fn delete_tag(&self, name: &str) -> Result<(), GitError> {
        self.repo.tag_delete(name).context("delete the tag")
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
