//! `medreview migrate`: format 1 (`signoffs.yaml`) to format 2 (one file per
//! sign-off) in one commit.
//!
//! Each article's format-1 entries become files linked in the order format 1
//! judged them (by time, ties in file order), each marked `format: 1` and keeping
//! its signature, which covers the version 1 canonical text: every entry and every
//! signature stays verifiable, `log` shows the same history, and `check` accepts
//! exactly this conversion (see [`crate::record::history`]).

use chrono::{DateTime, FixedOffset};

use crate::error::{Code, Error, Result};
use crate::record::entry::{Entry, EntryId};
use crate::record::legacy;
use crate::source::{Source, WorkTree};
use crate::workspace::Workspace;

/// What a migration did.
#[derive(Debug, Clone, Default)]
pub struct Migrated {
    /// The commit, when there was anything to convert.
    pub commit: Option<String>,
    /// Articles converted.
    pub articles: usize,
    /// Sign-offs carried over.
    pub entries: usize,
}

/// The format-2 files for one format-1 ledger: `(file name, bytes)` in chain order.
pub fn convert(text: &str, shown: &std::path::Path) -> Result<Vec<(EntryId, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut previous: Option<EntryId> = None;
    for old in legacy::in_time_order(legacy::parse(text, shown)?) {
        let entry = Entry {
            action: old.action,
            by: old.by,
            at: old.at,
            revision: old.revision,
            after: previous.iter().cloned().collect(),
            note: old.note,
            recorded_by: None,
            roster: Vec::new(),
            clock: None,
            format: Some(1),
            viewed: None,
            meaning: None,
            name: None,
            credentials: None,
            change: None,
            schedule: None,
            signature: old.signature,
        };
        let (id, bytes) = entry.to_file();
        previous = Some(id.clone());
        files.push((id, bytes));
    }
    Ok(files)
}

/// Converts every format-1 ledger of the workspace in one commit.
pub fn migrate(ws: &Workspace, now: DateTime<FixedOffset>) -> Result<Migrated> {
    let _lock = ws.git.lock()?;
    let src = WorkTree(ws.root());
    let head = ws.git.head_snapshot().ok();
    let mut files = Vec::new();
    let mut removed = Vec::new();
    let mut done = Migrated::default();
    for slug in ws.article_slugs()? {
        let slug = slug?;
        let rel = Workspace::legacy_ledger_rel(&slug);
        let Some(text) = src.read_text(&rel)? else {
            continue;
        };
        let committed = head
            .as_ref()
            .map(|h| h.read(&ws.repo_path(&rel)))
            .transpose()?
            .flatten();
        if committed.as_deref() != Some(text.as_bytes()) {
            return Err(Error::with_hint(
                Code::UncommittedChanges,
                format!(
                    "{} has changes that are not committed",
                    src.shown(&rel).display()
                ),
                format!(
                    "migrate converts the committed record: restore it with `git checkout -- {}` first",
                    ws.repo_path(&rel)
                ),
            ));
        }
        let dir = Workspace::signoffs_rel(&slug);
        if !src.list(&dir)?.is_empty() {
            return Err(Error::with_hint(
                Code::DamagedRecord,
                format!(
                    "{} holds both a format-1 ledger and a {} folder",
                    slug,
                    src.shown(&dir).display()
                ),
                "a migration was interrupted or mixed by hand; restore the article folder from the last commit (`git checkout -- FOLDER`) and remove untracked files there",
            ));
        }
        let converted = convert(&text, &src.shown(&rel))?;
        done.articles += 1;
        done.entries += converted.len();
        for (id, bytes) in converted {
            files.push((format!("{dir}/{}", id.file_name()), bytes));
        }
        removed.push(rel);
    }
    if removed.is_empty() {
        return Ok(done);
    }
    let message = format!(
        "migrate the record to format 2\n\n{} of {}, one file each; every entry and signature carried over unchanged.\n\nMedreview-Action: migrate\nMedreview-Format: 2\n",
        crate::plural::plural(done.entries, "sign-off", "sign-offs"),
        crate::plural::plural(done.articles, "article", "articles")
    );
    done.commit = Some(ws.commit_changes(files, removed, &message, None, now)?);
    Ok(done)
}
