//! Walking history for `check`: each commit not yet verified, compared with each of
//! its parents under one folder, and the checkpoint ref that remembers how far the
//! last clean run got.

use std::path::Path;

use chrono::{DateTime, FixedOffset, Utc};
use git2::Oid;

use super::{Context, GitError, GitStore};
use crate::revision::RevId;

/// One file that differs between a commit and one of its parents.
#[derive(Debug, Clone)]
pub struct FileChange {
    /// The path below the walked folder, with `/`.
    pub path: String,
    /// The blob in the parent (`None`: the file is new).
    pub old: Option<RevId>,
    /// The blob in the commit (`None`: the file was removed).
    pub new: Option<RevId>,
}

/// One commit and what it changed under the walked folder, against each parent.
#[derive(Debug, Clone)]
pub struct CommitChanges {
    /// The commit id.
    pub commit: String,
    /// Its subject line.
    pub subject: String,
    /// The author time (kept by rebase and cherry-pick, unlike the committer time).
    pub author_time: DateTime<FixedOffset>,
    /// Whether this is the oldest commit of a shallow clone, whose parents are not here.
    pub shallow_boundary: bool,
    /// Per parent (one list against the empty tree for a root commit).
    pub against_parents: Vec<Vec<FileChange>>,
    /// The committer's email: who ran the command that made it.
    pub committer_email: String,
    /// The latest author time among its parents.
    pub parents_time: Option<DateTime<FixedOffset>>,
    /// The committer time (set anew by rebase and replay, unlike the author time).
    pub commit_time: DateTime<FixedOffset>,
    /// The latest committer time among its parents.
    pub parents_commit_time: Option<DateTime<FixedOffset>>,
    /// Per parent: whether it holds `roster_dir` (the roster was audited then).
    pub parents_audited: Vec<bool>,
    /// The names of the files in `roster_dir` in any parent: the roster entries
    /// a sign-off made on top of them must have seen.
    pub parents_roster: Vec<String>,
}

fn time_of(when: git2::Time) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(when.offset_minutes() * 60).unwrap_or(Utc.fix());
    DateTime::from_timestamp(when.seconds(), 0)
        .unwrap_or_default()
        .with_timezone(&offset)
}

/// What a walk covered.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    /// The commit HEAD pointed at, if any.
    pub head: Option<String>,
    /// The checkpoint the walk started from, if there was one.
    pub checkpoint: Option<String>,
    /// Whether the checkpoint is no longer in the history of HEAD.
    pub rewritten: bool,
    /// Whether the repository is a shallow clone.
    pub shallow: bool,
    /// Commits walked.
    pub commits: usize,
}

impl GitStore {
    /// The commit a ref points at, if the ref exists and points at a commit.
    pub fn ref_commit(&self, name: &str) -> Option<String> {
        let oid = self.repo.refname_to_id(name).ok()?;
        self.repo.find_commit(oid).ok().map(|c| c.id().to_string())
    }

    /// Points ref `name` at `commit`.
    pub fn set_ref(&self, name: &str, commit: &str, why: &str) -> Result<(), GitError> {
        let oid = Oid::from_str(commit).context("parse a commit id")?;
        self.repo
            .reference(name, oid, true, why)
            .context("write the checkpoint ref")?;
        Ok(())
    }

    /// Whether the repository is a shallow clone (its oldest commits' parents, and the
    /// blobs only they hold, are not here).
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    /// Removes ref `name` if it exists.
    pub fn delete_ref(&self, name: &str) -> Result<(), GitError> {
        match self.repo.find_reference(name) {
            Ok(mut r) => r.delete().context("delete a ref"),
            Err(_) => Ok(()),
        }
    }

    /// Walks the commits of HEAD that `checkpoint` does not reach, oldest first, and
    /// hands each one's changes under `dir` to `visit`.
    pub fn walk_since(
        &self,
        dir: &str,
        roster_dir: &str,
        checkpoint: Option<&str>,
        visit: &mut dyn FnMut(CommitChanges) -> Result<(), crate::error::Error>,
    ) -> Result<Walk, crate::error::Error> {
        let repo = &self.repo;
        let mut walk = Walk {
            shallow: repo.is_shallow(),
            ..Walk::default()
        };
        let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) else {
            return Ok(walk);
        };
        walk.head = Some(head.id().to_string());
        let mut hide = Vec::new();
        if let Some(cp) = checkpoint.and_then(|c| Oid::from_str(c).ok())
            && repo.find_commit(cp).is_ok()
        {
            walk.checkpoint = Some(cp.to_string());
            walk.rewritten =
                cp != head.id() && !repo.graph_descendant_of(head.id(), cp).unwrap_or(false);
            hide.push(cp);
        }
        walk.commits = self.walk_commits(dir, roster_dir, head.id(), &hide, visit)?;
        Ok(walk)
    }

    /// Walks the commits reachable from `tip` and from none of `hide` (the commits a
    /// push or a fetch brings), oldest first, like [`GitStore::walk_since`].
    pub fn walk_range(
        &self,
        dir: &str,
        roster_dir: &str,
        tip: &str,
        hide: &[String],
        visit: &mut dyn FnMut(CommitChanges) -> Result<(), crate::error::Error>,
    ) -> Result<usize, crate::error::Error> {
        let tip = Oid::from_str(tip).context("parse a commit id")?;
        let hide: Vec<Oid> = hide
            .iter()
            .filter_map(|h| Oid::from_str(h).ok())
            .filter(|oid| self.repo.find_commit(*oid).is_ok())
            .collect();
        self.walk_commits(dir, roster_dir, tip, &hide, visit)
    }

    fn walk_commits(
        &self,
        dir: &str,
        roster_dir: &str,
        tip: Oid,
        hide: &[Oid],
        visit: &mut dyn FnMut(CommitChanges) -> Result<(), crate::error::Error>,
    ) -> Result<usize, crate::error::Error> {
        let repo = &self.repo;
        let mut commits = 0;
        let boundary = self.shallow_commits();
        let mut revwalk = repo.revwalk().context("walk the history")?;
        revwalk.push(tip).context("walk the history")?;
        for oid in hide {
            revwalk.hide(*oid).context("walk the history")?;
        }
        revwalk
            .set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
            .context("sort the history")?;
        for oid in revwalk {
            let oid = oid.context("walk the history")?;
            commits += 1;
            let commit = repo.find_commit(oid).context("read a commit")?;
            let tree = commit.tree().context("read a commit's tree")?;
            let now = subtree(repo, &tree, dir);
            let shallow_boundary = boundary.contains(&oid);
            let mut parents_time = None;
            let mut parents_commit_time = None;
            let mut parents_audited = Vec::new();
            let mut parents_roster = Vec::new();
            let parents: Vec<Option<git2::Tree<'_>>> = if shallow_boundary {
                Vec::new()
            } else if commit.parent_count() == 0 {
                parents_audited.push(false);
                vec![None]
            } else {
                let mut trees = Vec::new();
                for parent in commit.parents() {
                    let parent_tree = parent.tree().context("read a parent's tree")?;
                    let time = time_of(parent.author().when());
                    parents_time = parents_time.max(Some(time));
                    parents_commit_time =
                        parents_commit_time.max(Some(time_of(parent.committer().when())));
                    let roster = subtree(repo, &parent_tree, roster_dir);
                    parents_audited.push(roster.is_some());
                    for entry in roster.iter().flat_map(|t| t.iter()) {
                        parents_roster
                            .push(String::from_utf8_lossy(entry.name_bytes()).into_owned());
                    }
                    trees.push(subtree(repo, &parent_tree, dir));
                }
                trees
            };
            let mut against_parents = Vec::new();
            for parent in &parents {
                against_parents.push(diff(repo, parent.as_ref(), now.as_ref())?);
            }
            let author_time = time_of(commit.author().when());
            let committer_email = commit.committer().email().unwrap_or_default().to_owned();
            let commit_time = time_of(commit.committer().when());
            visit(CommitChanges {
                commit: oid.to_string(),
                subject: commit
                    .summary()
                    .ok()
                    .flatten()
                    .unwrap_or_default()
                    .to_owned(),
                author_time,
                shallow_boundary,
                against_parents,
                committer_email,
                parents_time,
                commit_time,
                parents_commit_time,
                parents_audited,
                parents_roster,
            })?;
        }
        Ok(commits)
    }

    /// Every file that differs under `dir` between two commits (for a rewrite: what
    /// the verified commit had that HEAD has not).
    pub fn diff_commits(
        &self,
        dir: &str,
        old: &str,
        new: &str,
    ) -> Result<Vec<FileChange>, GitError> {
        let tree_of = |id: &str| -> Result<Option<git2::Tree<'_>>, GitError> {
            let oid = Oid::from_str(id).context("parse a commit id")?;
            let commit = self.repo.find_commit(oid).context("read a commit")?;
            let tree = commit.tree().context("read a commit's tree")?;
            Ok(subtree(&self.repo, &tree, dir))
        };
        let (old, new) = (tree_of(old)?, tree_of(new)?);
        diff(&self.repo, old.as_ref(), new.as_ref())
    }

    fn shallow_commits(&self) -> Vec<Oid> {
        std::fs::read_to_string(self.repo.path().join("shallow"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| Oid::from_str(l.trim()).ok())
            .collect()
    }
}

use chrono::Offset;

fn subtree<'r>(
    repo: &'r git2::Repository,
    tree: &git2::Tree<'r>,
    path: &str,
) -> Option<git2::Tree<'r>> {
    if path.is_empty() {
        return Some(tree.clone());
    }
    let entry = tree.get_path(Path::new(path)).ok()?;
    repo.find_tree(entry.id()).ok()
}

/// The files that differ between two trees; identical subtrees are skipped by id.
/// A merge of the two sorted entry lists, so a commit that changed one file of a
/// folder of thousands costs one pass over that folder's ids, no paths built.
fn diff(
    repo: &git2::Repository,
    old: Option<&git2::Tree<'_>>,
    new: Option<&git2::Tree<'_>>,
) -> Result<Vec<FileChange>, GitError> {
    let mut changes = Vec::new();
    diff_into(repo, old, new, "", &mut changes)?;
    Ok(changes)
}

fn diff_into(
    repo: &git2::Repository,
    old: Option<&git2::Tree<'_>>,
    new: Option<&git2::Tree<'_>>,
    prefix: &str,
    out: &mut Vec<FileChange>,
) -> Result<(), GitError> {
    if old.map(git2::Tree::id) == new.map(git2::Tree::id) {
        return Ok(());
    }
    let entries = |tree: Option<&git2::Tree<'_>>| -> Vec<(Vec<u8>, Oid, bool)> {
        tree.map(|t| {
            t.iter()
                .map(|e| {
                    let dir = e.kind() == Some(git2::ObjectType::Tree);
                    (e.name_bytes().to_vec(), e.id(), dir)
                })
                .collect()
        })
        .unwrap_or_default()
    };
    let (a, b) = (entries(old), entries(new));
    // Git sorts tree entries by name with folders as if followed by '/'; compare
    // the same way so the merge walks both lists in step.
    let key = |(name, _, dir): &(Vec<u8>, Oid, bool)| {
        let mut k = name.clone();
        if *dir {
            k.push(b'/');
        }
        k
    };
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let order = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => key(x).cmp(&key(y)),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        let (left, right) = match order {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
                (a.get(i - 1), b.get(j - 1))
            }
            std::cmp::Ordering::Less => {
                i += 1;
                (a.get(i - 1), None)
            }
            std::cmp::Ordering::Greater => {
                j += 1;
                (None, b.get(j - 1))
            }
        };
        if let (Some(l), Some(r)) = (left, right)
            && l.1 == r.1
            && l.2 == r.2
        {
            continue;
        }
        let name =
            String::from_utf8_lossy(&left.or(right).map(|e| e.0.clone()).unwrap_or_default())
                .into_owned();
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let tree_of =
            |e: Option<&(Vec<u8>, Oid, bool)>| -> Result<Option<git2::Tree<'_>>, GitError> {
                match e {
                    Some((_, id, true)) => Ok(Some(repo.find_tree(*id).context("read a tree")?)),
                    _ => Ok(None),
                }
            };
        let blob_of = |e: Option<&(Vec<u8>, Oid, bool)>| match e {
            Some((_, id, false)) => Some(RevId::from_oid_bytes(id.as_bytes())),
            _ => None,
        };
        let (lt, rt) = (tree_of(left)?, tree_of(right)?);
        if lt.is_some() || rt.is_some() {
            diff_into(repo, lt.as_ref(), rt.as_ref(), &path, out)?;
        }
        let (lb, rb) = (blob_of(left), blob_of(right));
        if lb.is_some() || rb.is_some() {
            out.push(FileChange {
                path,
                old: lb,
                new: rb,
            });
        }
    }
    Ok(())
}
