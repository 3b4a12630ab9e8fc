//! git's index read for one purpose: the blob id and stat data of each tracked
//! file, looked up by path, so a working-tree file whose stat data still matches
//! need not be read (what `git status` does). Versions 2 and 3 of the index format
//! are parsed directly (libgit2's reader builds a hash map of every entry, a
//! quarter of a `check` at 10,000 articles); any other version is read through
//! libgit2.

use std::path::Path;

use git2::Oid;

/// The stat data and id of one index entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stat {
    pub ctime: (u32, u32),
    pub mtime: (u32, u32),
    pub ino: u32,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u32,
    pub id: Oid,
}

/// Every stage-0 entry of an index, sorted by path as git keeps them.
pub(crate) struct StatCache {
    entries: Vec<(Vec<u8>, Stat)>,
    /// When the index was written (seconds, nanoseconds): an entry changed at or
    /// after it is racily clean and not trusted.
    pub written: (i64, u32),
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

impl StatCache {
    /// Reads the index at `path`.
    pub fn read(path: &Path) -> Option<StatCache> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        let written = (meta.mtime(), meta.mtime_nsec() as u32);
        let data = std::fs::read(path).ok()?;
        let entries = match parse(&data) {
            Some(entries) => entries,
            None => through_libgit2(path)?,
        };
        Some(StatCache { entries, written })
    }

    /// The entry of `path` (repository-relative, `/`), if the index has one.
    pub fn get(&self, path: &str) -> Option<&Stat> {
        let i = self
            .entries
            .binary_search_by(|(p, _)| p.as_slice().cmp(path.as_bytes()))
            .ok()?;
        Some(&self.entries[i].1)
    }
}

/// Parses versions 2 and 3; `None` for anything else (or a damaged file).
fn parse(data: &[u8]) -> Option<Vec<(Vec<u8>, Stat)>> {
    if data.get(..4)? != b"DIRC" {
        return None;
    }
    let version = be32(data, 4)?;
    if version != 2 && version != 3 {
        return None;
    }
    let count = be32(data, 8)? as usize;
    let mut entries = Vec::with_capacity(count.min(1 << 24));
    let mut at = 12;
    for _ in 0..count {
        let word = |i: usize| be32(data, at + 4 * i);
        let id = Oid::from_bytes(data.get(at + 40..at + 60)?).ok()?;
        let flags = u16::from_be_bytes(data.get(at + 60..at + 62)?.try_into().ok()?);
        let extended = version >= 3 && flags & 0x4000 != 0;
        let path_at = at + 62 + if extended { 2 } else { 0 };
        let len = data.get(path_at..)?.iter().position(|b| *b == 0)?;
        let path = data[path_at..path_at + len].to_vec();
        let stat = Stat {
            ctime: (word(0)?, word(1)?),
            mtime: (word(2)?, word(3)?),
            ino: word(5)?,
            mode: word(6)?,
            uid: word(7)?,
            gid: word(8)?,
            size: word(9)?,
            id,
        };
        let stage = (flags >> 12) & 3;
        // Entries are padded with NULs to a multiple of 8 bytes.
        let entry_len = path_at - at + len;
        at += (entry_len + 8) & !7;
        if stage == 0 {
            entries.push((path, stat));
        }
    }
    // git keeps them sorted; a file that is not cannot be searched.
    entries
        .windows(2)
        .all(|w| w[0].0 <= w[1].0)
        .then_some(entries)
}

fn through_libgit2(path: &Path) -> Option<Vec<(Vec<u8>, Stat)>> {
    let index = git2::Index::open(path).ok()?;
    let mut entries: Vec<(Vec<u8>, Stat)> = index
        .iter()
        .filter(|e| (e.flags >> 12) & 3 == 0)
        .map(|e| {
            (
                e.path.clone(),
                Stat {
                    ctime: (e.ctime.seconds() as u32, e.ctime.nanoseconds()),
                    mtime: (e.mtime.seconds() as u32, e.mtime.nanoseconds()),
                    ino: e.ino,
                    mode: e.mode,
                    uid: e.uid,
                    gid: e.gid,
                    size: e.file_size,
                    id: e.id,
                },
            )
        })
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct parse agrees with libgit2 on an index git wrote.
    #[test]
    fn parse_matches_libgit2() {
        let dir = tempfile::tempdir().expect("temp");
        let repo = git2::Repository::init(dir.path()).expect("init");
        for (i, name) in ["a.txt", "b/c.yaml", "b/d-e.yaml", "zz", "b.x"]
            .iter()
            .enumerate()
        {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, format!("file {i} {}", "x".repeat(i * 7))).expect("write");
        }
        let mut index = repo.index().expect("index");
        index
            .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
            .expect("add");
        index.write().expect("write");
        let file = repo.path().join("index");
        let ours = parse(&std::fs::read(&file).expect("read")).expect("version 2");
        let theirs = through_libgit2(&file).expect("libgit2");
        assert_eq!(ours, theirs);
        assert_eq!(ours.len(), 5);
    }
}
