//! Comparing two git trees by their raw bytes, for the history walk: a merge of
//! the two trees' sorted entries that skips the bytes both share at the start and
//! the end and any subtree whose id is unchanged, with the large trees a walk reads
//! again kept in a small cache. A property test holds it to libgit2's own diff.

use std::path::Path;

use git2::Oid;

use super::FileChange;
use crate::gitstore::{Context, GitError};
use crate::revision::RevId;

/// The files that differ between two trees; identical subtrees are skipped by id.
pub(super) fn diff(
    trees: &Trees<'_>,
    old: Option<Oid>,
    new: Option<Oid>,
) -> Result<Vec<FileChange>, GitError> {
    let mut changes = Vec::new();
    diff_into(trees, old, new, "", &mut changes)?;
    Ok(changes)
}

/// The raw trees a walk reads, the large ones kept. A commit's folder of thousands
/// of articles is its parent's with one entry changed, and the next commit reads it
/// again as its parent's; libgit2 caches no tree over 4 KiB.
pub(super) struct Trees<'r> {
    odb: git2::Odb<'r>,
    recent: std::cell::RefCell<std::collections::VecDeque<(Oid, std::rc::Rc<[u8]>)>>,
}

impl<'r> Trees<'r> {
    /// How many large trees are kept.
    const KEEP: usize = 8;
    /// Trees smaller than this are not kept (cheap to read again).
    const LARGE: usize = 4096;

    pub(super) fn new(repo: &'r git2::Repository) -> Result<Trees<'r>, GitError> {
        Ok(Trees {
            odb: repo.odb().context("open the object database")?,
            recent: Default::default(),
        })
    }

    /// The raw bytes of tree `id`.
    fn get(&self, id: Oid) -> Result<std::rc::Rc<[u8]>, GitError> {
        if let Some((_, tree)) = self.recent.borrow().iter().find(|(oid, _)| *oid == id) {
            return Ok(tree.clone());
        }
        let object = self.odb.read(id).context("read a tree")?;
        if object.kind() != git2::ObjectType::Tree {
            return Err(GitError::Git {
                context: "read a tree".into(),
                cause: git2::Error::from_str(&format!("object {id} is not a tree")),
            });
        }
        let tree: std::rc::Rc<[u8]> = object.data().into();
        if tree.len() > Self::LARGE {
            let mut recent = self.recent.borrow_mut();
            if recent.len() == Self::KEEP {
                recent.pop_back();
            }
            recent.push_front((id, tree.clone()));
        }
        Ok(tree)
    }
}

/// The id of the folder at `path` under `tree` (`""`: the tree itself).
pub(super) fn subtree_id(tree: &git2::Tree<'_>, path: &str) -> Option<Oid> {
    if path.is_empty() {
        return Some(tree.id());
    }
    let entry = tree.get_path(Path::new(path)).ok()?;
    (entry.kind() == Some(git2::ObjectType::Tree)).then(|| entry.id())
}

/// The blob id and mode of the file at `path` (`a/b/c`) under tree `root`, read
/// through the kept trees (the walk has just read the large ones).
pub(super) fn file_in(trees: &Trees<'_>, root: Option<Oid>, path: &str) -> Option<(String, u32)> {
    let mut tree = root?;
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        let data = trees.get(tree).ok()?;
        let last = parts.peek().is_none();
        let mut at = 0;
        let found = loop {
            let (entry, next) = raw_entry(&data, at)?;
            if entry.name == part.as_bytes() {
                break entry;
            }
            at = next;
        };
        let id = Oid::from_bytes(found.id).ok()?;
        if !last {
            if !found.dir {
                return None;
            }
            tree = id;
            continue;
        }
        let space = data[at..].iter().position(|b| *b == b' ')?;
        let mode = u32::from_str_radix(std::str::from_utf8(&data[at..at + space]).ok()?, 8).ok()?;
        // A blob: not a folder nor a submodule.
        return (!found.dir && mode != 0o160000).then(|| (id.to_string(), mode));
    }
    None
}

/// One entry of a raw tree: its name, id and whether it is a folder.
struct RawEntry<'a> {
    name: &'a [u8],
    id: &'a [u8],
    dir: bool,
}

/// The entry of raw tree `data` at byte `at`, and where the next one starts
/// (`None` for a malformed tree).
fn raw_entry(data: &[u8], at: usize) -> Option<(RawEntry<'_>, usize)> {
    let rest = data.get(at..)?;
    let space = rest.iter().position(|b| *b == b' ')?;
    let nul = space + 1 + rest[space + 1..].iter().position(|b| *b == 0)?;
    let id = rest.get(nul + 1..nul + 21)?;
    Some((
        RawEntry {
            name: &rest[space + 1..nul],
            id,
            dir: &rest[..space] == b"40000",
        },
        at + nul + 21,
    ))
}

/// The length of the common prefix of `a` and `b`.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 64;
    let chunks = a
        .chunks_exact(CHUNK)
        .zip(b.chunks_exact(CHUNK))
        .take_while(|(x, y)| x == y)
        .count();
    let start = chunks * CHUNK;
    start
        + a[start..]
            .iter()
            .zip(&b[start..])
            .take_while(|(x, y)| x == y)
            .count()
}

/// The length of the common suffix of `a` and `b`.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 64;
    let chunks = a
        .rchunks_exact(CHUNK)
        .zip(b.rchunks_exact(CHUNK))
        .take_while(|(x, y)| x == y)
        .count();
    let done = chunks * CHUNK;
    done + a[..a.len() - done]
        .iter()
        .rev()
        .zip(b[..b.len() - done].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Git's order of tree entries: by name, a folder compared as if its name ended
/// in `/`.
fn tree_order(a: &RawEntry<'_>, b: &RawEntry<'_>) -> std::cmp::Ordering {
    let len = a.name.len().min(b.name.len());
    match a.name[..len].cmp(&b.name[..len]) {
        std::cmp::Ordering::Equal => {}
        other => return other,
    }
    let end = |e: &RawEntry<'_>| {
        e.name
            .get(len)
            .copied()
            .unwrap_or(if e.dir { b'/' } else { 0 })
    };
    end(a).cmp(&end(b))
}

fn malformed(id: Option<Oid>) -> GitError {
    GitError::Git {
        context: "read a tree".into(),
        cause: git2::Error::from_str(&format!(
            "tree {} is malformed",
            id.map(|i| i.to_string()).unwrap_or_default()
        )),
    }
}

/// A merge of the two trees' sorted entries. The bytes both trees share at the
/// start and at the end are skipped unparsed (a commit that changed one article of
/// thousands differs in one entry), so the cost is one pass to find the first
/// differing entry, with no path built and nothing allocated for equal entries.
fn diff_into(
    trees: &Trees<'_>,
    old_id: Option<Oid>,
    new_id: Option<Oid>,
    prefix: &str,
    out: &mut Vec<FileChange>,
) -> Result<(), GitError> {
    if old_id == new_id {
        return Ok(());
    }
    let empty: std::rc::Rc<[u8]> = std::rc::Rc::from(&[][..]);
    let old = old_id
        .map(|id| trees.get(id))
        .transpose()?
        .unwrap_or_else(|| empty.clone());
    let new = new_id.map(|id| trees.get(id)).transpose()?.unwrap_or(empty);
    let (a, b) = (&*old, &*new);
    let shared_start = common_prefix(a, b);
    let shared_end = common_suffix(a, b).min(a.len() - shared_start.min(a.len()));
    // Start at the last entry boundary at or before the first differing byte, the
    // same in both trees since the bytes before it are equal.
    let mut start = 0;
    while start < shared_start {
        let (_, next) = raw_entry(a, start).ok_or_else(|| malformed(old_id))?;
        if next > shared_start {
            break;
        }
        start = next;
    }
    let (mut i, mut j) = (start, start);
    loop {
        // The rest is the same bytes in both, at entry boundaries in both.
        if a.len() - i == b.len() - j && a.len() - i <= shared_end {
            break;
        }
        let left = if i < a.len() {
            Some(raw_entry(a, i).ok_or_else(|| malformed(old_id))?)
        } else {
            None
        };
        let right = if j < b.len() {
            Some(raw_entry(b, j).ok_or_else(|| malformed(new_id))?)
        } else {
            None
        };
        let order = match (&left, &right) {
            (Some((x, _)), Some((y, _))) => tree_order(x, y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => break,
        };
        let (l, r) = match (order, left, right) {
            (std::cmp::Ordering::Equal, Some((l, li)), Some((r, rj))) => {
                i = li;
                j = rj;
                if l.id == r.id && l.dir == r.dir {
                    continue;
                }
                (Some(l), Some(r))
            }
            (std::cmp::Ordering::Less, Some((l, li)), _) => {
                i = li;
                (Some(l), None)
            }
            (_, _, Some((r, rj))) => {
                j = rj;
                (None, Some(r))
            }
            // Not reached: the order was taken from the entries present.
            _ => break,
        };
        let name = String::from_utf8_lossy(l.as_ref().or(r.as_ref()).map_or(&[][..], |e| e.name));
        let path = if prefix.is_empty() {
            name.into_owned()
        } else {
            format!("{prefix}/{name}")
        };
        let oid = |e: &Option<RawEntry<'_>>, dir: bool| -> Option<Oid> {
            e.as_ref()
                .filter(|e| e.dir == dir)
                .and_then(|e| Oid::from_bytes(e.id).ok())
        };
        let (lt, rt) = (oid(&l, true), oid(&r, true));
        if lt.is_some() || rt.is_some() {
            diff_into(trees, lt, rt, &path, out)?;
        }
        let (lb, rb) = (oid(&l, false), oid(&r, false));
        if lb.is_some() || rb.is_some() {
            out.push(FileChange {
                path,
                old: lb.map(|o| RevId::from_oid_bytes(o.as_bytes())),
                new: rb.map(|o| RevId::from_oid_bytes(o.as_bytes())),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// Writes a tree of `files` (path → content) and returns its id.
    fn write_tree(repo: &git2::Repository, files: &BTreeMap<String, String>) -> Oid {
        let mut here: BTreeMap<String, Oid> = BTreeMap::new();
        let mut below: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (path, content) in files {
            match path.split_once('/') {
                Some((dir, rest)) => {
                    below
                        .entry(dir.to_owned())
                        .or_default()
                        .insert(rest.to_owned(), content.clone());
                }
                None => {
                    here.insert(path.clone(), repo.blob(content.as_bytes()).expect("blob"));
                }
            }
        }
        let mut builder = repo.treebuilder(None).expect("builder");
        for (name, id) in here {
            builder.insert(name, id, 0o100644).expect("insert");
        }
        for (name, sub) in below {
            let id = write_tree(repo, &sub);
            builder.insert(name, id, 0o040000).expect("insert");
        }
        builder.write().expect("write")
    }

    /// What libgit2's own tree diff reports, as (path, old, new).
    fn git2_diff(
        repo: &git2::Repository,
        a: Oid,
        b: Oid,
    ) -> Vec<(String, Option<String>, Option<String>)> {
        let (ta, tb) = (
            repo.find_tree(a).expect("tree"),
            repo.find_tree(b).expect("tree"),
        );
        let diff = repo
            .diff_tree_to_tree(Some(&ta), Some(&tb), None)
            .expect("diff");
        let id = |f: git2::DiffFile<'_>| (!f.id().is_zero()).then(|| f.id().to_string());
        let mut out: Vec<_> = diff
            .deltas()
            .map(|d| {
                let path = d
                    .new_file()
                    .path()
                    .or(d.old_file().path())
                    .expect("path")
                    .to_string_lossy()
                    .into_owned();
                (path, id(d.old_file()), id(d.new_file()))
            })
            .collect();
        out.sort();
        out
    }

    fn ours(
        repo: &git2::Repository,
        a: Oid,
        b: Oid,
    ) -> Vec<(String, Option<String>, Option<String>)> {
        let trees = Trees::new(repo).expect("odb");
        let mut out: Vec<_> = diff(&trees, Some(a), Some(b))
            .expect("diff")
            .into_iter()
            .map(|c| {
                (
                    c.path,
                    c.old.map(|r| r.as_str().to_owned()),
                    c.new.map(|r| r.as_str().to_owned()),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// Names whose order depends on git's rule that a folder sorts as `name/`.
    fn name() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["a", "a.b", "a-b", "a0", "b", "ab", "a_", "z"])
            .prop_map(str::to_owned)
    }

    fn files() -> impl Strategy<Value = BTreeMap<String, String>> {
        prop::collection::btree_map(
            prop::collection::vec(name(), 1..4).prop_map(|parts| parts.join("/")),
            prop::sample::select(vec!["1", "2", "3"]).prop_map(str::to_owned),
            0..40,
        )
        .prop_map(|mut files| {
            // A path cannot be both a file and a folder.
            let paths: Vec<String> = files.keys().cloned().collect();
            for p in &paths {
                if paths.iter().any(|q| q.starts_with(&format!("{p}/"))) {
                    files.remove(p);
                }
            }
            files
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// The raw merge reports exactly what libgit2's tree diff reports.
        #[test]
        fn raw_diff_matches_libgit2(a in files(), b in files(), big in any::<bool>()) {
            let dir = tempfile::tempdir().expect("temp");
            let repo = git2::Repository::init(dir.path()).expect("init");
            let pad = |mut f: BTreeMap<String, String>| {
                // Enough shared entries that the trees are over the kept size and the
                // shared start and end are skipped.
                if big {
                    for i in 0..150 {
                        f.insert(format!("pad-{i:03}"), "p".into());
                        f.insert(format!("{i:03}-pad"), "p".into());
                    }
                }
                f
            };
            let (ta, tb) = (write_tree(&repo, &pad(a)), write_tree(&repo, &pad(b)));
            prop_assert_eq!(ours(&repo, ta, tb), git2_diff(&repo, ta, tb));
        }
    }
}
