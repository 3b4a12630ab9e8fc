//! An article's record: the immutable sign-off files under
//! `articles/<slug>/signoffs/`, the entry graph they form, the rules that judge
//! it, and how commands load it (from the working tree or from a commit).
//!
//! - [`entry`]: one sign-off, its file, name and digest;
//! - [`graph`]: the entries linked by `after:`, in one topological order;
//! - [`evaluate`]: the state machine (the same function judges for every command);
//! - [`legacy`]: format 1 (`signoffs.yaml`) as it was, for `migrate` and `check`.

pub mod evaluate;
pub mod history;
pub mod legacy;
pub mod migrate;

use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

use crate::article::{Article, normalize_eol};
use crate::error::{Code, Error, Result};
use crate::ids::Id;
use crate::roster::people::People;
use crate::source::{Source, WorkTree};
use crate::workspace::Workspace;
use medreview_store::gitstore::{EntryKind, GitStore};
use medreview_store::revision::RevId;

use self::evaluate::Status;
use crate::ledger::graph::Ledger;
use crate::ledger::read_folder;

// The entry files and their graph live in `crate::ledger`, below the roster;
// their old paths stay for the other crates.
pub use crate::ledger::{MAX_ENTRY_BYTES, entry, graph};
pub use crate::workspace::{ensure_folder_committed, ensure_folder_committed_in};

/// Refuses an article still holding a format-1 ledger: every command says to migrate.
pub(crate) fn refuse_format_1(src: &dyn Source, slug: &Id) -> Result<()> {
    let rel = Workspace::legacy_ledger_rel(slug);
    if src.read(&rel)?.is_some() {
        return Err(Error::new(
            Code::NeedsMigration,
            format!(
                "{} is a format-1 ledger; this medreview keeps one file per sign-off (format 2)",
                src.shown(&rel).display()
            ),
        ));
    }
    Ok(())
}

/// Reads every sign-off file of `slug` from `src` and builds the graph. Files that
/// cannot be part of the record are listed in the ledger's `damage`.
/// Files `voids` names with their exact bytes are set aside as voided.
pub fn load_ledger(
    src: &dyn Source,
    slug: &Id,
    voids: &crate::ledger::voids::Voids,
) -> Result<Ledger> {
    load_ledger_with(src, slug, None, None, voids)
}

/// [`load_ledger`], with what `memo` kept for the sign-off folder whose tree id is
/// `folder` (see [`crate::memo`]): an intact folder read once is not read again.
pub fn load_ledger_with(
    src: &dyn Source,
    slug: &Id,
    memo: Option<&crate::memo::Memo>,
    folder: Option<RevId>,
    voids: &crate::ledger::voids::Voids,
) -> Result<Ledger> {
    refuse_format_1(src, slug)?;
    let dir = Workspace::signoffs_rel(slug);
    if let Some(kind) = src.kind(&dir)
        && kind != EntryKind::Dir
    {
        let what = if kind == EntryKind::Symlink {
            "is a symbolic link; medreview does not follow links out of the workspace"
        } else {
            "is not a folder; an article's sign-offs are files in a real folder"
        };
        return Err(Error::with_hint(
            Code::WrongFileType,
            format!("{} {what}", src.shown(&dir).display()),
            "put the real folder back, restored from git (`git checkout -- FOLDER`); links and files are never followed in its place",
        ));
    }
    let file_of = |id: &entry::EntryId| format!("{dir}/{}", id.file_name());
    // Voided sign-offs that read as entries stay in the graph (they never counted,
    // and later entries may name them); they are listed as voided.
    let voided_here = |read: &[(entry::EntryId, entry::Entry)]| -> Vec<String> {
        read.iter()
            .map(|(id, _)| file_of(id))
            .filter(|f| voids.contains_key(f))
            .collect()
    };
    if let (Some(memo), Some(folder)) = (memo, &folder)
        && let Some(read) = memo.ledger(folder.as_str())
    {
        let voided = voided_here(&read);
        let mut ledger = Ledger::build(read, Vec::new(), &file_of);
        ledger.voided = voided;
        return Ok(ledger);
    }
    let (read, mut damage) = read_folder(src, &dir)?;
    let mut voided = crate::ledger::voids::honoured(src, &mut damage, voids);
    if let (Some(memo), Some(folder), true) =
        (memo, &folder, damage.is_empty() && voided.is_empty())
    {
        memo.keep_ledger(folder.as_str(), &read);
    }
    voided.extend(voided_here(&read));
    let mut ledger = Ledger::build(read, damage, &file_of);
    ledger.voided = voided;
    Ok(ledger)
}

impl Ledger {
    /// Refuses a record holding damaged files: fail closed, since a damaged
    /// withdrawal must never read as an approval.
    pub fn require_intact(&self, slug: &Id) -> Result<()> {
        let Some(first) = self.damage.first() else {
            return Ok(());
        };
        let more = match self.damage.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        Err(Error::new(
            Code::DamagedRecord,
            format!("the record of {slug} is damaged: {first}{more}"),
        ))
    }
}

/// An article's files and record.
pub struct ArticleRecord {
    /// The slug.
    pub slug: Id,
    /// The record (empty when the article was never submitted).
    pub ledger: Ledger,
    /// `article.md` in the working tree, line endings normalized; `None` if the file is missing.
    pub working: Option<Vec<u8>>,
    /// The revision id of `working`.
    pub working_id: Option<RevId>,
    /// The path of `article.md`.
    pub article_path: PathBuf,
    /// The path of the `signoffs/` folder.
    pub signoffs_path: PathBuf,
}

impl ArticleRecord {
    /// Loads the record of `slug`, refusing a slug with no article folder or a
    /// damaged record.
    pub fn load(ws: &Workspace, slug: &Id) -> Result<ArticleRecord> {
        let record = ArticleRecord::load_lenient(ws, slug)?;
        record.ledger.require_intact(slug)?;
        Ok(record)
    }

    /// Loads the record of `slug`, keeping damaged files in `ledger.damage` (for `check`).
    pub fn load_lenient(ws: &Workspace, slug: &Id) -> Result<ArticleRecord> {
        crate::source::refuse_symlinks(ws.root(), &Workspace::article_rel(slug))?;
        let dir = ws.path(&format!("articles/{slug}"));
        let meta = fs::symlink_metadata(&dir).map_err(|_| {
            let slugs: Vec<Id> = ws
                .article_slugs()
                .map(|all| all.into_iter().flatten().collect())
                .unwrap_or_default();
            Error::with_hint(
                Code::UnknownArticle,
                format!("there is no article {slug} (no folder {})", dir.display()),
                crate::roster::hints::hint_with(
                    slug.as_str(),
                    slugs.iter().map(Id::as_str),
                    format!("create it with `medreview new {slug} --title TITLE --writer ID`, or run `medreview status` to list articles"),
                ),
            )
        })?;
        if !meta.is_dir() {
            return Err(Error::with_hint(
                Code::WrongFileType,
                format!(
                    "{} is not a folder (symbolic links are not followed)",
                    dir.display()
                ),
                "make the article folder a real folder inside the workspace",
            ));
        }
        let article_path = ws.path(&Workspace::article_rel(slug));
        let signoffs_path = ws.path(&Workspace::signoffs_rel(slug));
        let working = match fs::symlink_metadata(&article_path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::with_hint(
                    Code::WrongFileType,
                    format!("{} is a symbolic link", article_path.display()),
                    "replace it with the article file itself",
                ));
            }
            Ok(meta) => {
                // Refuse an oversized file before reading it, so no command (diff
                // included) spends time or memory on it.
                crate::article::check_size(meta.len(), &article_path)?;
                Some(normalize_eol(
                    &fs::read(&article_path)
                        .map_err(|err| Error::io("read", &article_path, err))?,
                ))
            }
            Err(_) => None,
        };
        let signoffs = Workspace::signoffs_rel(slug);
        // Only a command reading every article uses the memo (and git's index).
        let folder = ws
            .git
            .memo
            .active()
            .then(|| {
                ws.git.work_folder_id(
                    &format!("{}{signoffs}", ws.prefix()),
                    MAX_ENTRY_BYTES as u64,
                )
            })
            .flatten();
        let voids = ws.voids()?;
        let mut ledger = load_ledger_with(
            &WorkTree(ws.root()),
            slug,
            Some(&ws.git.memo),
            folder,
            &voids,
        )?;
        ledger.unsound = ws.unsound(slug.as_str());
        ledger.refused = ws.refused_in(slug.as_str());
        let working_id = working.as_deref().map(GitStore::blob_id);
        Ok(ArticleRecord {
            slug: slug.clone(),
            ledger,
            working,
            working_id,
            article_path,
            signoffs_path,
        })
    }

    /// Refuses when the working-tree sign-offs differ from the committed ones: a new
    /// sign-off names the committed heads it saw, so an entry that is not committed
    /// (a hand-made file, or one removed by hand) must never be carried into it.
    pub fn ensure_ledger_committed(&self, ws: &Workspace) -> Result<()> {
        ensure_folder_committed(ws, &Workspace::signoffs_rel(&self.slug))
    }

    /// [`ArticleRecord::ensure_ledger_committed`] against a snapshot of HEAD read once.
    /// Entries read whole were checked against the digest in their names when the
    /// record was loaded, so a name that HEAD holds with a blob id starting with that
    /// digest is that very file; only damaged files are compared byte for byte.
    pub(crate) fn ensure_ledger_committed_in(
        &self,
        ws: &Workspace,
        head: Option<&medreview_store::gitstore::Snapshot<'_>>,
    ) -> Result<()> {
        let dir = Workspace::signoffs_rel(&self.slug);
        if !self.ledger.damage.is_empty() {
            return ensure_folder_committed_in(ws, head, &dir);
        }
        let committed = head
            .map(|h| h.list_ids(&ws.repo_path(&dir)))
            .unwrap_or_default();
        let committed: Vec<_> = committed
            .iter()
            .filter(|(name, _, _)| !name.starts_with('.'))
            .collect();
        let same = committed.len() == self.ledger.ids.len()
            && self.ledger.ids.iter().all(|id| {
                let name = id.file_name();
                committed.iter().any(|(n, kind, blob)| {
                    *n == name
                        && *kind == EntryKind::File
                        && blob.as_str().starts_with(&id.parts().digest)
                })
            });
        if same {
            return Ok(());
        }
        // Say exactly what differs.
        ensure_folder_committed_in(ws, head, &dir)
    }

    /// The derived status at `now`.
    pub fn status(
        &self,
        ws: &Workspace,
        people: &dyn People,
        now: DateTime<FixedOffset>,
    ) -> Status {
        evaluate::evaluate(&self.slug, &self.ledger, people, &ws.policy(people), now)
    }

    /// Whether the working tree holds text that was never submitted as the latest revision.
    pub fn has_unsubmitted_edits(&self) -> bool {
        self.working_id != self.ledger.latest_submitted()
    }

    /// The working-tree article, parsed.
    pub fn working_article(&self) -> Result<Article> {
        let bytes = self.working.as_deref().ok_or_else(|| {
            Error::new(
                Code::MissingArticleFile,
                format!("{} is missing", self.article_path.display()),
            )
        })?;
        Article::parse(bytes, &self.article_path)
    }

    /// The article text of revision `id`, read from git's object database.
    pub fn revision_article(&self, ws: &Workspace, id: &RevId) -> Result<Article> {
        let bytes = crate::article::read_revision(&ws.git, id, &self.signoffs_path)?;
        Article::parse(
            &bytes,
            &self
                .article_path
                .with_file_name(format!("article.md@{}", id.short())),
        )
    }
}
