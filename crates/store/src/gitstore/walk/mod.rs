//! Walking history for `check`: each commit not yet verified, compared with each of
//! its parents under one folder, and the checkpoint ref that remembers how far the
//! last clean run got.
//! The tree comparison each step uses is in `tree_diff`.

use chrono::{DateTime, FixedOffset, Offset, Utc};
use git2::{Oid, Repository};

use super::{Context, GitError, GitStore};
use crate::revision::RevId;

mod tree_diff;
use tree_diff::{Trees, diff, file_in, subtree_id};

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
    /// The same, parent by parent (a merge brings one parent's entries onto the
    /// other's roster).
    pub parents_rosters: Vec<Vec<String>>,
    /// For each article folder (`articles/<slug>`) in which the commit added or
    /// changed a file under `signoffs/`: the blob id and mode of the folder's
    /// `article.md` in the commit (`None`: it has none), read while the walk holds
    /// the commit's trees, so the checks need not read them again.
    pub articles_text: Vec<(String, Option<(String, u32)>)>,
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
    pub fn walk_since<E: From<GitError>>(
        &self,
        dir: &str,
        roster_dir: &str,
        checkpoint: Option<&str>,
        visit: &mut dyn FnMut(CommitChanges) -> Result<(), E>,
    ) -> Result<Walk, E> {
        self.walk_to(None, dir, roster_dir, checkpoint, visit)
    }

    /// [`GitStore::walk_since`] with `tip` (a commit id) in place of HEAD when it is
    /// given: what the server, whose HEAD may name another branch, verifies.
    pub fn walk_to<E: From<GitError>>(
        &self,
        tip: Option<&str>,
        dir: &str,
        roster_dir: &str,
        checkpoint: Option<&str>,
        visit: &mut dyn FnMut(CommitChanges) -> Result<(), E>,
    ) -> Result<Walk, E> {
        let repo = &self.repo;
        let mut walk = Walk {
            shallow: repo.is_shallow(),
            ..Walk::default()
        };
        let head = match tip {
            Some(tip) => Oid::from_str(tip)
                .and_then(|oid| repo.find_commit(oid))
                .context("find the commit to verify")?,
            None => match repo.head().and_then(|h| h.peel_to_commit()) {
                Ok(head) => head,
                Err(_) => return Ok(walk),
            },
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
    pub fn walk_range<E: From<GitError>>(
        &self,
        dir: &str,
        roster_dir: &str,
        tip: &str,
        hide: &[String],
        visit: &mut dyn FnMut(CommitChanges) -> Result<(), E>,
    ) -> Result<usize, E> {
        let tip = Oid::from_str(tip).context("parse a commit id")?;
        let hide: Vec<Oid> = hide
            .iter()
            .filter_map(|h| Oid::from_str(h).ok())
            .filter(|oid| self.repo.find_commit(*oid).is_ok())
            .collect();
        self.walk_commits(dir, roster_dir, tip, &hide, visit)
    }

    fn walk_commits<E: From<GitError>>(
        &self,
        dir: &str,
        roster_dir: &str,
        tip: Oid,
        hide: &[Oid],
        visit: &mut dyn FnMut(CommitChanges) -> Result<(), E>,
    ) -> Result<usize, E> {
        // One pass, on this thread: a second thread reading the trees ahead (its own
        // handle, its own caches) measured no faster on 2 shared cores and used a
        // quarter more memory (issue 28, docs/numbers.md).
        let boundary = self.shallow_commits();
        let mut commits = 0;
        let mut failed = None;
        changes_since(
            &self.repo,
            dir,
            roster_dir,
            tip,
            hide,
            &boundary,
            &mut |changes| {
                commits += 1;
                match visit(changes) {
                    Ok(()) => true,
                    Err(e) => {
                        failed = Some(e);
                        false
                    }
                }
            },
        )?;
        match failed {
            Some(e) => Err(e),
            None => Ok(commits),
        }
    }

    /// Every file that differs under `dir` between two commits (for a rewrite: what
    /// the verified commit had that HEAD has not).
    pub fn diff_commits(
        &self,
        dir: &str,
        old: &str,
        new: &str,
    ) -> Result<Vec<FileChange>, GitError> {
        let trees = Trees::new(&self.repo)?;
        let tree_of = |id: &str| -> Result<Option<Oid>, GitError> {
            let oid = Oid::from_str(id).context("parse a commit id")?;
            let commit = self.repo.find_commit(oid).context("read a commit")?;
            let tree = commit.tree().context("read a commit's tree")?;
            Ok(subtree_id(&tree, dir))
        };
        let (old, new) = (tree_of(old)?, tree_of(new)?);
        diff(&trees, old, new)
    }

    fn shallow_commits(&self) -> Vec<Oid> {
        std::fs::read_to_string(self.repo.path().join("shallow"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| Oid::from_str(l.trim()).ok())
            .collect()
    }
}

/// Hands each commit reachable from `tip` and from none of `hide`, oldest first,
/// with its changes under `dir`, to `each`, until `each` says stop.
fn changes_since(
    repo: &Repository,
    dir: &str,
    roster_dir: &str,
    tip: Oid,
    hide: &[Oid],
    boundary: &[Oid],
    each: &mut dyn FnMut(CommitChanges) -> bool,
) -> Result<(), GitError> {
    let trees = Trees::new(repo)?;
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
        if !each(changes_of(repo, &trees, dir, roster_dir, oid, boundary)?) {
            break;
        }
    }
    Ok(())
}

/// Commit `oid` and what it changed under `dir` against each parent.
fn changes_of(
    repo: &Repository,
    trees: &Trees<'_>,
    dir: &str,
    roster_dir: &str,
    oid: Oid,
    boundary: &[Oid],
) -> Result<CommitChanges, GitError> {
    let commit = repo.find_commit(oid).context("read a commit")?;
    let tree = commit.tree().context("read a commit's tree")?;
    let now = subtree_id(&tree, dir);
    let shallow_boundary = boundary.contains(&oid);
    let mut parents_time = None;
    let mut parents_commit_time = None;
    let mut parents_audited = Vec::new();
    let mut parents_roster = Vec::new();
    let mut parents_rosters = Vec::new();
    let parents: Vec<Option<Oid>> = if shallow_boundary {
        Vec::new()
    } else if commit.parent_count() == 0 {
        parents_audited.push(false);
        vec![None]
    } else {
        let mut parent_trees = Vec::new();
        for parent in commit.parents() {
            let parent_tree = parent.tree().context("read a parent's tree")?;
            let time = time_of(parent.author().when());
            parents_time = parents_time.max(Some(time));
            parents_commit_time = parents_commit_time.max(Some(time_of(parent.committer().when())));
            let roster =
                subtree_id(&parent_tree, roster_dir).and_then(|id| repo.find_tree(id).ok());
            parents_audited.push(roster.is_some());
            let names: Vec<String> = roster
                .iter()
                .flat_map(|t| t.iter())
                .map(|entry| String::from_utf8_lossy(entry.name_bytes()).into_owned())
                .collect();
            parents_roster.extend(names.iter().cloned());
            parents_rosters.push(names);
            parent_trees.push(subtree_id(&parent_tree, dir));
        }
        parent_trees
    };
    let mut against_parents = Vec::new();
    for parent in &parents {
        against_parents.push(diff(trees, *parent, now)?);
    }
    let mut articles_text: Vec<(String, Option<(String, u32)>)> = Vec::new();
    for change in against_parents.iter().flatten() {
        let Some((slug, rest)) = change
            .path
            .strip_prefix("articles/")
            .and_then(|p| p.split_once('/'))
        else {
            continue;
        };
        let folder = format!("articles/{slug}");
        if change.new.is_some()
            && rest.starts_with("signoffs/")
            && !articles_text.iter().any(|(f, _)| *f == folder)
        {
            let text = file_in(trees, now, &format!("{folder}/article.md"));
            articles_text.push((folder, text));
        }
    }
    Ok(CommitChanges {
        commit: oid.to_string(),
        subject: commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_owned(),
        author_time: time_of(commit.author().when()),
        shallow_boundary,
        against_parents,
        committer_email: commit.committer().email().unwrap_or_default().to_owned(),
        parents_time,
        commit_time: time_of(commit.committer().when()),
        parents_commit_time,
        parents_audited,
        parents_roster,
        parents_rosters,
        articles_text,
    })
}
