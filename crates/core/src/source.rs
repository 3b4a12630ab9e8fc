//! Where workspace files are read from: the working tree (for the commands that
//! edit it) or a commit (for publishing, so the output is a function of the commit).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Code, Error, Result};
use medreview_store::gitstore::{EntryKind, GitStore, Snapshot};

/// Refuses a workspace path any part of which is a symbolic link, so nothing outside
/// the workspace is ever read into a commit or a page, or written by medreview.
pub(crate) fn refuse_symlinks(root: &Path, rel: &str) -> Result<()> {
    let mut path = root.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        path.push(part);
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::with_hint(
                Code::WrongFileType,
                format!(
                    "{} is a symbolic link; medreview does not follow links out of the workspace",
                    path.display()
                ),
                "replace the link with the real folder or file",
            ));
        }
    }
    Ok(())
}

/// Decodes UTF-8 text, or refuses naming the file and the line of the first bad byte.
pub fn decode_utf8(bytes: Vec<u8>, shown: &Path, what: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        let line = err.as_bytes()[..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        Error::new(
            Code::NotUtf8,
            format!(
                "{}:{line}: {what} is not valid UTF-8 (byte {offset})",
                shown.display()
            ),
        )
    })
}

/// A read-only view of a workspace's files, by workspace-relative path with `/`.
pub trait Source {
    /// The bytes of a regular file, or `None` if there is none (symbolic links are not followed).
    fn read(&self, rel: &str) -> Result<Option<Vec<u8>>>;
    /// The entries of a folder (empty if there is none).
    fn list(&self, rel: &str) -> Result<Vec<(String, EntryKind)>>;
    /// How to name `rel` in messages.
    fn shown(&self, rel: &str) -> PathBuf;
    /// The size of a regular file, without reading it.
    fn size(&self, rel: &str) -> Result<Option<u64>>;
    /// What `rel` is, if it exists (links are not followed).
    fn kind(&self, rel: &str) -> Option<EntryKind>;
    /// The tree id of folder `rel`, where it is known without reading the folder.
    fn folder_id(&self, _rel: &str) -> Option<medreview_store::revision::RevId> {
        None
    }

    /// Where the history behind this source is read (see [`Lineage`]); `None`
    /// before the first commit.
    fn lineage(&self, _git: &medreview_store::gitstore::GitStore) -> Option<Lineage> {
        None
    }

    /// Reads `name`, a regular file that `list(dir)` returned, refusing one over
    /// `max` bytes before reading it: `Err(size)`.
    fn read_listed(
        &self,
        dir: &str,
        name: &str,
        max: u64,
    ) -> Result<std::result::Result<Vec<u8>, u64>> {
        let rel = format!("{dir}/{name}");
        match self.size(&rel)? {
            Some(size) if size > max => Ok(Err(size)),
            _ => Ok(Ok(self.read(&rel)?.unwrap_or_default())),
        }
    }

    /// Reads a UTF-8 text file, naming the file and line of the first bad byte.
    fn read_text(&self, rel: &str) -> Result<Option<String>> {
        let Some(bytes) = self.read(rel)? else {
            return Ok(None);
        };
        decode_utf8(bytes, &self.shown(rel), "the file").map(Some)
    }
}

/// The commit a source is (for the working tree: the commit HEAD points at), and
/// the workspace's folder inside the repository, so what the source lacks can be
/// looked for in the history behind it.
#[derive(Debug, Clone)]
pub struct Lineage {
    /// The commit id.
    pub commit: String,
    /// The workspace root inside the repository (`""` or `sub/dir/`).
    pub prefix: String,
    /// Whether the source is the working tree, not the commit itself.
    pub work_tree: bool,
}

/// The working tree under a workspace root.
pub(crate) struct WorkTree<'a>(pub &'a Path);

impl Source for WorkTree<'_> {
    fn lineage(&self, git: &medreview_store::gitstore::GitStore) -> Option<Lineage> {
        Some(Lineage {
            commit: git.head_commit()?,
            prefix: crate::workspace::repo_prefix(git.workdir(), self.0).ok()?,
            work_tree: true,
        })
    }

    fn read(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        refuse_symlinks(self.0, rel)?;
        let path = self.0.join(rel);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => fs::read(&path)
                .map(Some)
                .map_err(|e| Error::io("read", &path, e)),
            Ok(_) => Ok(None),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(Error::io("read", &path, err)),
        }
    }

    fn list(&self, rel: &str) -> Result<Vec<(String, EntryKind)>> {
        refuse_symlinks(self.0, rel)?;
        let dir = self.0.join(rel);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(Error::io("read folder", &dir, err)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read folder", &dir, e))?;
            let file_type = entry
                .file_type()
                .map_err(|e| Error::io("read", &entry.path(), e))?;
            out.push((
                entry.file_name().to_string_lossy().into_owned(),
                kind_of(file_type),
            ));
        }
        Ok(out)
    }

    fn shown(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn size(&self, rel: &str) -> Result<Option<u64>> {
        refuse_symlinks(self.0, rel)?;
        Ok(fs::symlink_metadata(self.0.join(rel))
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len()))
    }

    fn kind(&self, rel: &str) -> Option<EntryKind> {
        let file_type = fs::symlink_metadata(self.0.join(rel)).ok()?.file_type();
        Some(kind_of(file_type))
    }

    // `list(dir)` refused links on the way to `dir`, so only the file itself is
    // looked at: one `lstat`, not one per folder of its path.
    fn read_listed(
        &self,
        dir: &str,
        name: &str,
        max: u64,
    ) -> Result<std::result::Result<Vec<u8>, u64>> {
        let path = self.0.join(dir).join(name);
        let meta = fs::symlink_metadata(&path).map_err(|e| Error::io("read", &path, e))?;
        if !meta.is_file() {
            return Ok(Ok(Vec::new()));
        }
        if meta.len() > max {
            return Ok(Err(meta.len()));
        }
        fs::read(&path)
            .map(Ok)
            .map_err(|e| Error::io("read", &path, e))
    }
}

/// What a file system entry is, links not followed.
fn kind_of(file_type: fs::FileType) -> EntryKind {
    if file_type.is_symlink() {
        EntryKind::Symlink
    } else if file_type.is_dir() {
        EntryKind::Dir
    } else if file_type.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    }
}

/// A workspace as recorded in one commit.
pub struct Committed<'a> {
    /// The commit's files.
    pub snapshot: Snapshot<'a>,
    /// The workspace root inside the repository (`""` or `sub/dir/`).
    pub prefix: String,
    /// The workspace root on disk, for messages.
    pub root: PathBuf,
}

impl Source for Committed<'_> {
    fn lineage(&self, _git: &medreview_store::gitstore::GitStore) -> Option<Lineage> {
        Some(Lineage {
            commit: self.snapshot.commit_id().to_owned(),
            prefix: self.prefix.clone(),
            work_tree: false,
        })
    }

    fn read(&self, rel: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.snapshot.read(&format!("{}{rel}", self.prefix))?)
    }

    fn list(&self, rel: &str) -> Result<Vec<(String, EntryKind)>> {
        let path = format!("{}{rel}", self.prefix);
        Ok(self.snapshot.list(path.trim_end_matches('/'))?)
    }

    fn size(&self, rel: &str) -> Result<Option<u64>> {
        Ok(self.snapshot.size(&format!("{}{rel}", self.prefix))?)
    }

    fn kind(&self, rel: &str) -> Option<EntryKind> {
        self.snapshot.kind(&format!("{}{rel}", self.prefix))
    }

    fn folder_id(&self, rel: &str) -> Option<medreview_store::revision::RevId> {
        self.snapshot.folder_id(&format!("{}{rel}", self.prefix))
    }

    fn read_listed(
        &self,
        dir: &str,
        name: &str,
        max: u64,
    ) -> Result<std::result::Result<Vec<u8>, u64>> {
        let path = format!("{}{dir}/{name}", self.prefix);
        Ok(self.snapshot.read_at_most(&path, max)?)
    }

    fn shown(&self, rel: &str) -> PathBuf {
        let short = &self.snapshot.commit_id()[..7];
        PathBuf::from(format!(
            "{} (commit {short})",
            self.root.join(rel).display()
        ))
    }
}

/// The fewest items worth another thread (which opens its own handle on the
/// repository, about a millisecond).
const ITEMS_A_THREAD: usize = 16;

impl Committed<'_> {
    /// `job` run on each of `items`, on every core, in the order of `items`. This
    /// thread reads through `self` and `git`; each other thread through its own
    /// handle on the repository, at the same commit (git2's handles are not shared
    /// between threads), so every thread reads the same objects. A thread that
    /// cannot open its handle leaves its share to the others.
    pub fn on_every_core<I, R>(
        &self,
        git: &GitStore,
        items: Vec<I>,
        job: impl Fn(&Committed<'_>, &GitStore, I) -> R + Sync,
    ) -> Vec<R>
    where
        I: Send,
        R: Send,
    {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(items.len() / ITEMS_A_THREAD)
            .max(1);
        // Opened here, since a handle may move to another thread but not be shared.
        let handles: Vec<GitStore> = (1..threads).filter_map(|_| git.reopen().ok()).collect();
        // Each item is taken once, by whichever thread comes to it first.
        let items: Vec<std::sync::Mutex<Option<I>>> = items
            .into_iter()
            .map(|item| std::sync::Mutex::new(Some(item)))
            .collect();
        let next = AtomicUsize::new(0);
        let work = |src: &Committed<'_>, git: &GitStore| -> Vec<(usize, R)> {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(slot) = items.get(i) else {
                    return done;
                };
                let item = slot
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                if let Some(item) = item {
                    done.push((i, job(src, git, item)));
                }
            }
        };
        let (commit, prefix, root) = (self.snapshot.commit_id(), &self.prefix, &self.root);
        let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
            let helpers: Vec<_> = handles
                .into_iter()
                .map(|store| {
                    let work = &work;
                    scope.spawn(move || {
                        let Ok(snapshot) = store.snapshot(commit) else {
                            return Vec::new();
                        };
                        let src = Committed {
                            snapshot,
                            prefix: prefix.clone(),
                            root: root.clone(),
                        };
                        work(&src, &store)
                    })
                })
                .collect();
            let mut done = work(self, git);
            for helper in helpers {
                match helper.join() {
                    Ok(theirs) => done.extend(theirs),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            done
        });
        done.sort_unstable_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, r)| r).collect()
    }
}
