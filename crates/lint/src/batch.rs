//! Linting many articles at once (on every core, through the memo), and the gate
//! the sign-off commands put in front of a doctor.

use std::path::Path;

use super::{Counts, Finding, Linted, Linter, Reading, Severity};
use medreview_core::error::{Code, Error, Result};

/// One article to lint: its slug and the text of its `article.md`.
pub struct Input {
    /// The slug.
    pub slug: medreview_core::ids::Id,
    /// The file, workspace-relative.
    pub file: String,
    /// Its bytes, or why they could not be read.
    pub bytes: Result<Vec<u8>>,
}

/// What linting one article gave.
pub struct Output {
    /// The slug.
    pub slug: medreview_core::ids::Id,
    /// The file, workspace-relative.
    pub file: String,
    /// The findings, or why the article could not be linted.
    pub findings: Result<Vec<Finding>>,
    /// Its reading grade, unless `reading-grade` is off, nothing graded has a word
    /// or the article could not be linted.
    pub reading: Option<Reading>,
}

impl Linter {
    /// Lints every input: what the memo knows is taken from it, the rest is linted
    /// on every core and kept in the memo. `root` is the workspace folder (errors
    /// name files under it). `progress`: show a bar through the articles linted
    /// afresh (drawn only on a terminal, once the run has taken a second).
    pub fn lint_all(
        &self,
        inputs: Vec<Input>,
        root: &Path,
        memo: &medreview_core::memo::Memo,
        progress: bool,
    ) -> Vec<Output> {
        use rayon::prelude::*;
        let keyed: Vec<(Input, Option<String>, Option<Linted>)> = inputs
            .into_iter()
            .map(|input| {
                let key = input.bytes.as_ref().ok().map(|b| self.memo_key(b));
                let known = key.as_ref().and_then(|k| memo.summary::<Linted>(k));
                (input, key, known)
            })
            .collect();
        let afresh = keyed.iter().filter(|k| k.2.is_none()).count();
        let bar = medreview_output::SharedProgress::new(afresh as u64, "articles linted", progress);
        type Done = (
            medreview_core::ids::Id,
            String,
            Result<Linted>,
            Option<String>,
            bool,
        );
        let done: Vec<Done> = keyed
            .into_par_iter()
            .map(|(input, key, known)| {
                let fresh = known.is_none();
                let linted = match (known, input.bytes) {
                    (Some(found), _) => Ok(found),
                    (None, Ok(bytes)) => self.lint_graded(&bytes, &root.join(&input.file), None),
                    (None, Err(e)) => Err(e),
                };
                if fresh {
                    bar.tick();
                }
                (input.slug, input.file, linted, key, fresh)
            })
            .collect();
        done.into_iter()
            .map(|(slug, file, linted, key, fresh)| {
                if fresh && let (Some(key), Ok(linted)) = (key, &linted) {
                    memo.keep_summary(&key, linted);
                }
                let (findings, reading) = match linted {
                    Ok(l) => (Ok(l.findings), l.reading),
                    Err(e) => (Err(e), None),
                };
                Output {
                    slug,
                    file,
                    findings,
                    reading,
                }
            })
            .collect()
    }

    pub(super) fn memo_key(&self, bytes: &[u8]) -> String {
        let blob = medreview_store::gitstore::GitStore::blob_id(bytes);
        medreview_core::memo::key(&[super::MEMO_KIND, &self.key, blob.as_str()])
    }
}

/// The working-tree text of each article in `slugs` (every article when `None`),
/// with the slugs that could not be listed as errors.
pub fn working_inputs(
    ws: &medreview_core::workspace::Workspace,
    slugs: Option<Vec<medreview_core::ids::Id>>,
) -> Result<(Vec<Input>, Vec<Error>)> {
    let mut errors = Vec::new();
    let slugs = match slugs {
        Some(s) => s,
        None => ws
            .article_slugs()?
            .into_iter()
            .filter_map(|s| s.map_err(|e| errors.push(e)).ok())
            .collect(),
    };
    let inputs = slugs
        .into_iter()
        .map(|slug| {
            let file = medreview_core::workspace::Workspace::article_rel(&slug);
            let path = ws.path(&file);
            let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e));
            Input { slug, file, bytes }
        })
        .collect();
    Ok((inputs, errors))
}

/// The most findings a sign-off command lists one by one; `lint` lists them all.
pub const LISTED: usize = 10;

/// The editorial check at a sign-off: refuses when `findings` (of the text in `file`, workspace-
/// relative) has errors, listing each; otherwise the lines to warn with.
/// `refusal` says what was refused ("cannot submit"), `fix` how to go on.
pub fn refuse_errors(
    findings: &[Finding],
    file: &str,
    refusal: &str,
    fix: &str,
) -> Result<Vec<String>> {
    let errors: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    let place = |f: &Finding| {
        format!(
            "{file}:{}:{}: {}: {} [{}]",
            f.line,
            f.column,
            f.severity.as_str(),
            f.message,
            f.code
        )
    };
    if !errors.is_empty() {
        let mut text = format!(
            "{refusal}: the editorial check found {}:",
            medreview_core::plural::plural(errors.len(), "error", "errors")
        );
        for f in errors.iter().take(LISTED) {
            text.push_str("\n  ");
            text.push_str(&place(f));
        }
        if errors.len() > LISTED {
            text.push_str(&format!("\n  … and {} more", errors.len() - LISTED));
        }
        return Err(Error::with_hint(
            Code::EditorialErrors,
            text,
            fix.to_owned(),
        ));
    }
    let warnings: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    let mut lines: Vec<String> = warnings.iter().take(LISTED).map(|f| place(f)).collect();
    let counts = Counts::of(findings);
    let unlisted = Counts {
        warnings: warnings.len().saturating_sub(LISTED),
        ..counts
    };
    if unlisted.warnings > 0 || unlisted.infos > 0 {
        lines.push(format!(
            "the editorial check also found {}; `medreview lint` lists every finding",
            Counts {
                errors: 0,
                ..unlisted
            }
            .describe()
        ));
    }
    Ok(lines)
}
