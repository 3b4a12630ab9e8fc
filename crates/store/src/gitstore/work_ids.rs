//! The ids working-tree files and folders would have if they were committed as
//! they are, taken from git's index when a file's stat data matches (as `git
//! status` assumes) and read and hashed otherwise, so an unchanged article is
//! recognised without reading it.

use std::io;

use git2::{ObjectType, Oid};

use super::{GitStore, statcache};
use crate::revision::RevId;

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
