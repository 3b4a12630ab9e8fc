//! One article's record as commands see it: the ledger, the working-tree text and
//! the derived status. State comes from the current tree and the ledger only; no
//! command walks git history for it.

use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

use crate::article::{Article, normalize_eol};
use crate::error::{Error, Result};
use crate::gitstore::GitStore;
use crate::ids::Id;
use crate::ledger::Ledger;
use crate::revision::RevId;
use crate::roster::Roster;
use crate::state::{self, Status};
use crate::workspace::{Workspace, read_text};

/// An article's files and ledger.
pub struct ArticleRecord {
    /// The slug.
    pub slug: Id,
    /// The ledger (empty when the article was never submitted).
    pub ledger: Ledger,
    /// `article.md` in the working tree, line endings normalized; `None` if the file is missing.
    pub working: Option<Vec<u8>>,
    /// The revision id of `working`.
    pub working_id: Option<RevId>,
    /// The path of `article.md`.
    pub article_path: PathBuf,
    /// The path of `signoffs.yaml`.
    pub ledger_path: PathBuf,
}

impl ArticleRecord {
    /// Loads the record of `slug`, refusing a slug with no article folder.
    pub fn load(ws: &Workspace, slug: &Id) -> Result<ArticleRecord> {
        crate::source::refuse_symlinks(ws.root(), &Workspace::article_rel(slug))?;
        crate::source::refuse_symlinks(ws.root(), &Workspace::ledger_rel(slug))?;
        let dir = ws.path(&format!("articles/{slug}"));
        let meta = fs::symlink_metadata(&dir).map_err(|_| {
            Error::refused_with_hint(
                format!("there is no article {slug} (no folder {})", dir.display()),
                format!("create it with `medreview new {slug} --title TITLE --writer ID`, or run `medreview status` to list articles"),
            )
        })?;
        if !meta.is_dir() {
            return Err(Error::refused_with_hint(
                format!(
                    "{} is not a folder (symbolic links are not followed)",
                    dir.display()
                ),
                "make the article folder a real folder inside the workspace",
            ));
        }
        let article_path = ws.path(&Workspace::article_rel(slug));
        let ledger_path = ws.path(&Workspace::ledger_rel(slug));
        let working = match fs::symlink_metadata(&article_path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(Error::refused_with_hint(
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
        let ledger = if ledger_path.exists() {
            Ledger::parse(&read_text(&ledger_path)?, &ledger_path)?
        } else {
            Ledger::default()
        };
        let working_id = working.as_deref().map(GitStore::blob_id);
        Ok(ArticleRecord {
            slug: slug.clone(),
            ledger,
            working,
            working_id,
            article_path,
            ledger_path,
        })
    }

    /// Refuses when the working-tree ledger differs from the committed one: sign-offs
    /// extend the committed record, so a hand edit (or a removed entry) must never be
    /// carried into a new commit.
    pub fn ensure_ledger_committed(&self, ws: &Workspace) -> Result<()> {
        let rel = Workspace::ledger_rel(&self.slug);
        let committed = match ws.git.head_snapshot() {
            Ok(snapshot) => snapshot.read(&ws.repo_path(&rel))?.unwrap_or_default(),
            // No commit yet, so no committed ledger either.
            Err(_) => Vec::new(),
        };
        if committed != self.ledger.text().as_bytes() {
            return Err(Error::refused_with_hint(
                format!(
                    "{} has changes that are not committed; the ledger is written only by medreview",
                    self.ledger_path.display()
                ),
                format!(
                    "restore it with `git checkout -- {}` (or commit a merge that resolves it), then sign off again",
                    ws.repo_path(&rel)
                ),
            ));
        }
        Ok(())
    }

    /// The derived status at `now`.
    pub fn status(&self, ws: &Workspace, roster: &Roster, now: DateTime<FixedOffset>) -> Status {
        state::evaluate(&self.slug, &self.ledger, roster, &ws.config.review, now)
    }

    /// Whether the working tree holds text that was never submitted as the latest revision.
    pub fn has_unsubmitted_edits(&self) -> bool {
        self.working_id.as_ref() != self.ledger.latest_submitted()
    }

    /// The working-tree article, parsed.
    pub fn working_article(&self) -> Result<Article> {
        let bytes = self.working.as_deref().ok_or_else(|| {
            Error::refused_with_hint(
                format!("{} is missing", self.article_path.display()),
                "restore it with `git checkout -- <path>` or write it again",
            )
        })?;
        Article::parse(bytes, &self.article_path)
    }

    /// The article text of revision `id`, read from git's object database.
    pub fn revision_article(&self, ws: &Workspace, id: &RevId) -> Result<Article> {
        let bytes = ws.git.read_revision(id, &self.ledger_path)?;
        Article::parse(
            &bytes,
            &self
                .article_path
                .with_file_name(format!("article.md@{}", id.short())),
        )
    }
}
