//! Finding a workspace, its settings, and the paths inside it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use chrono::{DateTime, FixedOffset};

use crate::ids::Id;
use crate::source::Source;
use crate::yaml;
use medreview_store::gitstore::{CommitRequest, EntryKind, GitStore, Identity};

/// The settings file that marks a workspace root.
pub const CONFIG_FILE: &str = "medreview.yaml";

/// Publication settings and review policy from `medreview.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The publication's name, shown on every page.
    pub publication: String,
    /// Where the published site lives, used for canonical links.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The review policy.
    #[serde(default)]
    pub review: ReviewPolicy,
    /// Roster ids who may record a publication.
    #[serde(default)]
    pub publishers: Vec<Id>,
    /// Roster ids who may change the roster and this file.
    #[serde(default)]
    pub admins: Vec<Id>,
    /// How `medreview sync` shares the record.
    #[serde(default, skip_serializing_if = "SyncConfig::is_default")]
    pub sync: SyncConfig,
    /// The editorial rules' settings (`medreview lint`).
    #[serde(
        default,
        skip_serializing_if = "crate::editorial::Editorial::is_default"
    )]
    pub editorial: crate::editorial::Editorial,
}

/// The `sync:` section: which remote the team shares, and whether sign-offs sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncConfig {
    /// The git remote (default `origin`; `git config medreview.remote` overrides it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// When true, `submit`, `approve`, `request-changes` and `withdraw` sync by default.
    pub auto: bool,
    /// The public keys (OpenSSH lines) the team's server gate signs its checkpoint
    /// with. A clone that trusts the gate (`MEDREVIEW_TRUST_GATE`, `git config
    /// medreview.trustGate`) starts its history walk from a checkpoint signed by one
    /// of these keys; removing a key here revokes every checkpoint it signed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gate_keys: Vec<String>,
}

impl SyncConfig {
    fn is_default(&self) -> bool {
        *self == SyncConfig::default()
    }
}

/// How many approvals a revision needs and how long one lasts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReviewPolicy {
    /// An approval older than this many months makes the article "re-review due".
    pub interval_months: u32,
    /// Distinct reviewers who must approve a revision.
    pub required_approvals: u32,
    /// When true, an unsigned sign-off does not count.
    pub require_signatures: bool,
    /// Who may record a sign-off for someone else (`admins`, `publishers`, or ids);
    /// the entry then names them in `recorded_by`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proxies: Vec<String>,
    /// How many admins must make the same key reset (a person's key set without
    /// their own earlier key) before it applies; default 2, or 1 where the roster
    /// has one admin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_reset_admins: Option<u32>,
    /// When true (the default), `approve` refuses while the approver's own comment
    /// threads on the article are open.
    #[serde(skip_serializing_if = "is_true")]
    pub block_on_unresolved: bool,
    // Meanings and review rules (issue 24) follow here.
    /// What an approval may mean (`approve --meaning`); default `[medical-accuracy]`.
    #[serde(skip_serializing_if = "is_default_meanings")]
    pub meanings: Vec<String>,
    /// What articles of a topic or slug pattern need, beyond `required_approvals`
    /// medical reviews (see [`crate::review_rules`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<crate::review_rules::ReviewRule>,
    /// What `publish` does with a page past its re-review date.
    #[serde(skip_serializing_if = "Overdue::is_warn")]
    pub overdue: Overdue,
}

/// What `publish` does with a page past its medical re-review date
/// (`review.overdue`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Overdue {
    /// Publish it, and say so (the default).
    #[default]
    Warn,
    /// Publish it with a notice to readers that its re-review is due.
    Banner,
    /// Leave it out until it is re-reviewed.
    Unpublish,
}

impl Overdue {
    fn is_warn(&self) -> bool {
        *self == Overdue::Warn
    }
}

fn is_default_meanings(meanings: &Vec<String>) -> bool {
    *meanings == crate::review_rules::default_meanings()
}

impl ReviewPolicy {
    /// The meaning `approve` records when none is given: `medical-accuracy` when
    /// it is listed, else the first listed.
    pub fn default_meaning(&self) -> &str {
        let medical = crate::ledger::entry::MEDICAL_ACCURACY;
        match self.meanings.iter().find(|m| *m == medical) {
            Some(m) => m,
            None => self.meanings.first().map_or(medical, String::as_str),
        }
    }
}

fn is_true(value: &bool) -> bool {
    *value
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        ReviewPolicy {
            interval_months: 12,
            required_approvals: 1,
            require_signatures: false,
            proxies: Vec::new(),
            key_reset_admins: None,
            block_on_unresolved: true,
            meanings: crate::review_rules::default_meanings(),
            rules: Vec::new(),
            overdue: Overdue::Warn,
        }
    }
}

impl Config {
    /// Parses and checks `medreview.yaml`.
    pub fn parse(text: &str, file: &Path) -> Result<Config> {
        let config: Config = yaml::parse(text, file, 1)?;
        if config.review.required_approvals == 0 {
            return Err(Error::with_hint(
                Code::InvalidSetting,
                format!(
                    "{}: review.required_approvals is 0, so nothing would need a doctor",
                    file.display()
                ),
                "set review.required_approvals to 1 or more",
            ));
        }
        if config.review.interval_months == 0 {
            return Err(Error::with_hint(
                Code::InvalidSetting,
                format!("{}: review.interval_months is 0", file.display()),
                "set review.interval_months to the number of months an approval lasts, e.g. 12",
            ));
        }
        if let Some(url) = &config.base_url
            && let Some(why) = base_url_problem(url)
        {
            return Err(Error::with_hint(
                Code::InvalidSetting,
                format!("{}: base_url {url:?} {why}", file.display()),
                "set it to the site's address, e.g. `medreview config set base_url https://health.example.org`",
            ));
        }
        crate::review_rules::validate(&config.review.meanings, &config.review.rules, file)?;
        config.editorial.validate(file)?;
        for key in &config.sync.gate_keys {
            if let Err(e) = crate::signing::check_public_key(key) {
                return Err(Error::with_hint(
                    Code::InvalidSetting,
                    format!(
                        "{}: sync.gate_keys holds {key:?}, which is not an OpenSSH public key ({e})",
                        file.display()
                    ),
                    "paste the single line of the gate key's .pub file (ssh-ed25519 AAAA... comment), as `medreview hook install --server` printed it",
                ));
            }
        }
        Ok(config)
    }
}

/// Why `url` cannot be the site's address (it goes into every page's canonical
/// link and JSON-LD): an `http` or `https` address with a host, and no character
/// that would need escaping in a page.
pub fn base_url_problem(url: &str) -> Option<&'static str> {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Some("is not an http or https address");
    };
    let host = rest.split(['/', ':', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return Some("has no host name");
    }
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\`{}|^".contains(c))
    {
        return Some("holds a character an address may not hold");
    }
    None
}

/// How a roster or settings file in the working tree differs from HEAD's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uncommitted {
    /// Both have it, with other content.
    Changed,
    /// Only the working tree has it.
    New,
    /// Only HEAD has it.
    Removed,
}

/// An open workspace: its root folder, settings and git repository.
pub struct Workspace {
    root: PathBuf,
    /// The settings from `medreview.yaml`.
    pub config: Config,
    /// The git repository holding the workspace, and its memo.
    pub git: crate::repo::Repo,
    /// The root relative to the repository's working tree, with `/` and a trailing `/` (empty at the top).
    prefix: String,
    /// The files admins voided, read once (see `Workspace::voids`).
    pub(crate) voids: std::cell::OnceCell<std::rc::Rc<crate::ledger::voids::Voids>>,
    /// Articles whose history has a problem, and why, once this command walked the
    /// history (see [`crate::record::history::judge_history`]).
    pub(crate) unsound: std::cell::RefCell<std::collections::BTreeMap<String, String>>,
    /// Sign-off files (workspace-relative) a problem in history refuses, and why.
    pub(crate) refused: std::cell::RefCell<std::collections::BTreeMap<String, String>>,
}

impl Workspace {
    /// Why article `slug`'s history does not support counting its approvals, if
    /// this command found a problem in it.
    pub fn unsound(&self, slug: &str) -> Option<String> {
        self.unsound.borrow().get(slug).cloned()
    }

    /// The sign-off files of article `slug` (by name) that a problem in history
    /// refuses, and why, as this command found them.
    pub fn refused_in(&self, slug: &str) -> std::collections::BTreeMap<String, String> {
        let folder = format!("articles/{slug}/signoffs/");
        self.refused
            .borrow()
            .iter()
            .filter_map(|(f, why)| Some((f.strip_prefix(&folder)?.to_owned(), why.clone())))
            .collect()
    }

    /// Walks up from `start` to the first folder holding `medreview.yaml` and opens it.
    pub fn discover(start: &Path) -> Result<Workspace> {
        let start = start
            .canonicalize()
            .map_err(|err| Error::io("open folder", start, err))?;
        // Inside a bare repository there is no working tree to find a workspace in.
        if let Err(err @ medreview_store::gitstore::GitError::Bare { .. }) =
            GitStore::discover(&start)
        {
            return Err(err.into());
        }
        let root = start
            .ancestors()
            .find(|dir| dir.join(CONFIG_FILE).is_file())
            .ok_or_else(|| {
                Error::new(
                    Code::NotAWorkspace,
                    format!(
                        "no {CONFIG_FILE} in {} or any folder above it",
                        start.display()
                    ),
                )
            })?
            .to_path_buf();
        Workspace::open(root)
    }

    /// Opens the workspace whose root is `root` (which must hold `medreview.yaml`).
    pub fn open(root: PathBuf) -> Result<Workspace> {
        let git = crate::repo::Repo::new(GitStore::discover(&root)?);
        git.recover_if_abandoned();
        let prefix = repo_prefix(git.workdir(), &root)?;
        let config_path = root.join(CONFIG_FILE);
        let text = read_text(&config_path)?;
        let config = Config::parse(&text, &config_path)?;
        Ok(Workspace {
            root,
            config,
            git,
            prefix,
            voids: Default::default(),
            unsound: Default::default(),
            refused: Default::default(),
        })
    }

    /// [`Workspace::people_key`] for [`Workspace::committed_people`]: the ids of the
    /// files HEAD holds (`None` without a commit, or when HEAD has no
    /// `medreview.yaml`, whose policy then comes from the working tree).
    pub fn committed_people_key(&self) -> Option<String> {
        let head = self.git.head_snapshot().ok()?;
        let id = |rel: &str| {
            let path = format!("{}{rel}", self.prefix);
            head.folder_id(&path)
                .or_else(|| head.file_id(&path))
                .map_or("-".to_owned(), |id| id.as_str().to_owned())
        };
        let config = head.file_id(&format!("{}{CONFIG_FILE}", self.prefix))?;
        let parts = [
            "people-1".to_owned(),
            id("writers"),
            id(crate::ledger::ROSTER_DIR),
            id("reviewers"),
            config.as_str().to_owned(),
        ];
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        Some(crate::memo::key(&parts))
    }

    /// The roster and settings files (`writers/`, `reviewers/`, `roster/`,
    /// `medreview.yaml`, workspace-relative) whose working-tree content is not what
    /// HEAD holds, and how. Advisory: what cannot be read is left out.
    pub fn uncommitted_people_files(&self) -> Vec<(String, Uncommitted)> {
        let Ok(head) = self.git.head_snapshot() else {
            return Vec::new();
        };
        let tree = crate::source::WorkTree(&self.root);
        let work_id = |rel: &str| -> Option<medreview_store::revision::RevId> {
            tree.read(rel).ok().flatten().map(|b| GitStore::blob_id(&b))
        };
        let mut found = Vec::new();
        let mut compare = |rel: String, work: Option<medreview_store::revision::RevId>| {
            let committed = head.file_id(&self.repo_path(&rel));
            let how = match (&work, &committed) {
                (Some(w), Some(c)) if w == c => return,
                (None, None) => return,
                (Some(_), Some(_)) => Uncommitted::Changed,
                (Some(_), None) => Uncommitted::New,
                (None, Some(_)) => Uncommitted::Removed,
            };
            found.push((rel, how));
        };
        compare(CONFIG_FILE.to_owned(), work_id(CONFIG_FILE));
        for folder in ["writers", "reviewers", crate::ledger::ROSTER_DIR] {
            let repo = self.repo_path(folder);
            if crate::source::refuse_symlinks(&self.root, folder).is_err() {
                continue;
            }
            // Regression: asking git's index whether the folder is committed parsed
            // the whole index (40 ms at 10,000 articles) for `status SLUG`. The people
            // files are few and small, so they are hashed; roster entries are named
            // by their own digest, so their names say whether they are committed.
            if folder == crate::ledger::ROSTER_DIR {
                let names = |list: Vec<(String, EntryKind)>| -> BTreeSet<String> {
                    list.into_iter()
                        .filter(|(name, kind)| *kind == EntryKind::File && !name.starts_with('.'))
                        .map(|(name, _)| name)
                        .collect()
                };
                let work = names(tree.list(folder).unwrap_or_default());
                let committed = names(head.list(&repo).unwrap_or_default());
                for name in work.symmetric_difference(&committed) {
                    let rel = format!("{folder}/{name}");
                    let id = work_id(&rel);
                    compare(rel, id);
                }
                continue;
            }
            let mut names: Vec<String> = tree
                .list(folder)
                .unwrap_or_default()
                .into_iter()
                .chain(head.list(&repo).unwrap_or_default())
                .filter(|(name, kind)| *kind == EntryKind::File && !name.starts_with('.'))
                .map(|(name, _)| name)
                .collect();
            names.sort();
            names.dedup();
            for name in names {
                let rel = format!("{folder}/{name}");
                let work = work_id(&rel);
                compare(rel, work);
            }
        }
        found
    }

    /// The workspace's root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The path of `rel` (a workspace-relative path with `/`) in the file system.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// A digest of every working-tree file the people and the review policy are
    /// read from (`writers/`, `reviewers/`, `roster/`, `medreview.yaml`), by id, for
    /// the memo's keys; `None` when one of them is not plain files (the slow path
    /// reads and reports them).
    pub fn people_key(&self) -> Option<String> {
        let mut parts = vec!["people-1".to_owned()];
        for folder in ["writers", crate::ledger::ROSTER_DIR, "reviewers"] {
            crate::source::refuse_symlinks(&self.root, folder).ok()?;
            let path = self.root.join(folder);
            parts.push(match std::fs::symlink_metadata(&path) {
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => "-".to_owned(),
                _ => self
                    .git
                    .work_folder_id(&format!("{}{folder}", self.prefix), 1 << 20)?
                    .as_str()
                    .to_owned(),
            });
        }
        let config = self
            .git
            .work_file_id(&format!("{}{CONFIG_FILE}", self.prefix), 1 << 20)?;
        parts.push(config.map_or("-".to_owned(), |id| id.as_str().to_owned()));
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        Some(crate::memo::key(&parts))
    }

    /// A digest of the working-tree files of article `slug` that a result about it
    /// is derived from (its text, its sign-off folder, a format-1 ledger), by id;
    /// `None` when any of them is not a plain file or folder.
    pub fn article_key(&self, slug: &Id) -> Option<String> {
        crate::source::refuse_symlinks(&self.root, &format!("articles/{slug}")).ok()?;
        // An entry folder's tree id, "-" when there is none; `None` (no key) when it
        // cannot be read cheaply.
        let folder_id = |rel: String| match std::fs::symlink_metadata(self.root.join(&rel)) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Some("-".to_owned()),
            _ => self
                .git
                .work_folder_id(
                    &format!("{}{rel}", self.prefix),
                    crate::ledger::MAX_ENTRY_BYTES as u64,
                )
                .map(|id| id.as_str().to_owned()),
        };
        let folder = folder_id(Self::signoffs_rel(slug))?;
        let comments = folder_id(Self::comments_rel(slug))?;
        let text = self.git.work_file_id(
            &format!("{}{}", self.prefix, Self::article_rel(slug)),
            crate::article::MAX_ARTICLE_BYTES as u64,
        )?;
        let legacy =
            std::fs::symlink_metadata(self.root.join(Self::legacy_ledger_rel(slug))).is_ok();
        Some(crate::memo::key(&[
            "article-2",
            slug.as_str(),
            &folder,
            &comments,
            text.as_ref().map_or("-", |t| t.as_str()),
            if legacy { "legacy" } else { "-" },
        ]))
    }

    /// The workspace root inside the repository (`""` at the top, else `sub/dir/`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The path of `rel` inside the git repository, as git names it.
    pub(crate) fn repo_path(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }

    /// `articles/<slug>/comments`, the folder of review comments, workspace-relative.
    pub fn comments_rel(slug: &Id) -> String {
        format!("articles/{slug}/comments")
    }

    /// `articles/<slug>/article.md`, workspace-relative.
    pub fn article_rel(slug: &Id) -> String {
        format!("articles/{slug}/article.md")
    }

    /// `articles/<slug>/signoffs`, the folder of sign-off files, workspace-relative.
    pub fn signoffs_rel(slug: &Id) -> String {
        format!("articles/{slug}/signoffs")
    }

    /// `articles/<slug>/signoffs.yaml`, the format-1 ledger, workspace-relative.
    pub(crate) fn legacy_ledger_rel(slug: &Id) -> String {
        format!("articles/{slug}/signoffs.yaml")
    }

    /// Commits `files` (workspace-relative paths) and nothing else; `author` defaults to
    /// git's configured identity.
    pub fn commit(
        &self,
        files: Vec<(String, Vec<u8>)>,
        message: &str,
        author: Option<&Identity>,
        time: DateTime<FixedOffset>,
    ) -> Result<String> {
        self.commit_changes(files, Vec::new(), message, author, time)
    }

    /// Commits the removal of `removed` (workspace-relative paths) and nothing else.
    pub fn remove_files(
        &self,
        removed: Vec<String>,
        message: &str,
        time: DateTime<FixedOffset>,
    ) -> Result<String> {
        self.commit_changes(Vec::new(), removed, message, None, time)
    }

    /// Commits `files` and the removal of `removed` (workspace-relative paths), and
    /// nothing else.
    pub(crate) fn commit_changes(
        &self,
        files: Vec<(String, Vec<u8>)>,
        removed: Vec<String>,
        message: &str,
        author: Option<&Identity>,
        time: DateTime<FixedOffset>,
    ) -> Result<String> {
        let fallback;
        let author = match author {
            Some(author) => author,
            None => {
                fallback = default_identity(&self.git);
                &fallback
            }
        };
        for rel in files.iter().map(|(rel, _)| rel).chain(&removed) {
            crate::source::refuse_symlinks(&self.root, rel)?;
        }
        let files = files
            .into_iter()
            .map(|(rel, bytes)| (self.repo_path(&rel), bytes))
            .collect();
        let removed = removed.iter().map(|rel| self.repo_path(rel)).collect();
        Ok(self.git.commit(&CommitRequest {
            files,
            removed,
            message,
            author,
            time,
        })?)
    }

    /// Every article slug, sorted: the folders under `articles/`. A folder whose name is
    /// not a valid slug is returned as an error in its place so listings can report it.
    pub fn article_slugs(&self) -> Result<Vec<std::result::Result<Id, Error>>> {
        crate::source::refuse_symlinks(&self.root, "articles")?;
        let dir = self.path("articles");
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(Error::io("read folder", &dir, err)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|err| Error::io("read folder", &dir, err))?;
            let file_type = entry
                .file_type()
                .map_err(|err| Error::io("read", &entry.path(), err))?;
            if file_type.is_symlink() {
                names.push(Err(Error::with_hint(
                    Code::WrongFileType,
                    format!(
                        "{} is a symbolic link; articles must be real folders",
                        entry.path().display()
                    ),
                    "replace the link with the article folder itself",
                )));
                continue;
            }
            if !file_type.is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            names.push(Id::parse_slug("article folder name", &name).map_err(Error::from));
        }
        names.sort_by(|a, b| match (a, b) {
            (Ok(a), Ok(b)) => a.cmp(b),
            (Ok(_), Err(_)) => std::cmp::Ordering::Less,
            (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
            (Err(a), Err(b)) => a.to_string().cmp(&b.to_string()),
        });
        Ok(names)
    }
}

/// git's configured identity, or a stand-in naming medreview when git has none.
pub fn default_identity(git: &GitStore) -> Identity {
    git.configured_identity().unwrap_or_else(|| Identity {
        name: "medreview".into(),
        email: "medreview@users.medreview.invalid".into(),
    })
}

/// Computes the `prefix` of `root` inside `workdir`.
pub fn repo_prefix(workdir: &Path, root: &Path) -> Result<String> {
    let rel = root.strip_prefix(workdir).map_err(|_| {
        Error::with_hint(
            Code::NotAGitRepository,
            format!(
                "{} is not inside the git working tree {}",
                root.display(),
                workdir.display()
            ),
            "keep the workspace inside the repository's working tree (check GIT_DIR and GIT_WORK_TREE if they are set)",
        )
    })?;
    let mut prefix = String::new();
    for part in rel.components() {
        prefix.push_str(&part.as_os_str().to_string_lossy());
        prefix.push('/');
    }
    Ok(prefix)
}

/// Reads a UTF-8 text file, naming it in the error.
pub fn read_text(path: &Path) -> Result<String> {
    let bytes = fs::read(path).map_err(|err| Error::io("read", path, err))?;
    crate::source::decode_utf8(bytes, path, "the file")
}

/// Refuses when the working tree's `dir` (workspace-relative) holds other entry
/// files than the last commit: an entry that is not committed must never be named
/// by a new one.
pub fn ensure_folder_committed(ws: &Workspace, dir: &str) -> Result<()> {
    ensure_folder_committed_in(ws, ws.git.head_snapshot().ok().as_ref(), dir)
}

/// [`ensure_folder_committed`] against `head`, a snapshot of HEAD a caller that
/// checks many folders reads once.
pub fn ensure_folder_committed_in(
    ws: &Workspace,
    head: Option<&medreview_store::gitstore::Snapshot<'_>>,
    dir: &str,
) -> Result<()> {
    let rel = ws.repo_path(dir);
    let mut committed: Vec<(String, medreview_store::revision::RevId)> = head
        .map(|h| h.list_ids(&rel))
        .unwrap_or_default()
        .into_iter()
        .filter(|(name, _, _)| !name.starts_with('.'))
        .map(|(name, _, id)| (name, id))
        .collect();
    committed.sort();
    let tree = crate::source::WorkTree(ws.root());
    let mut working: Vec<(String, Option<medreview_store::revision::RevId>)> = Vec::new();
    for (name, kind) in tree.list(dir)? {
        if name.starts_with('.') {
            continue;
        }
        let id = match kind {
            EntryKind::File => tree
                .read(&format!("{dir}/{name}"))?
                .map(|bytes| GitStore::blob_id(&bytes)),
            _ => None,
        };
        working.push((name, id));
    }
    working.sort();
    let shown = ws.path(dir);
    let refuse = |what: String| {
        Error::with_hint(
            Code::DamagedRecord,
            format!(
                "{}/{what}; entries are written only by medreview",
                shown.display()
            ),
            format!(
                "restore the folder with `git checkout -- {rel}` and remove files you added there, then try again"
            ),
        )
    };
    for (name, id) in &working {
        match committed.iter().find(|(n, _)| n == name) {
            None => return Err(refuse(format!("{name} is not committed"))),
            Some((_, committed)) if id.as_ref() != Some(committed) => {
                return Err(refuse(format!("{name} differs from the last commit")));
            }
            Some(_) => {}
        }
    }
    if let Some((name, _)) = committed
        .iter()
        .find(|(n, _)| !working.iter().any(|(w, _)| w == n))
    {
        return Err(refuse(format!("{name} was removed")));
    }
    Ok(())
}
