//! `medreview preview`: the page of any revision as patients would see it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{Ctx, say, slug_arg};
use medreview_core::clock;
use medreview_core::error::{Code, Error, Result};
use medreview_core::record::ArticleRecord;
use medreview_core::record::entry::ViewKind;
use medreview_site::diff::lint_marks::LintLevel;
use medreview_site::diff::{self, Side, comment_marks};
use medreview_site::publish::preview::committed_preview;

/// Arguments of `preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The article's slug
    slug: String,
    /// The revision: r<N>, a revision id prefix, or `working` (default: the working tree if it has unsubmitted edits, else the latest revision)
    rev: Option<String>,
    /// Write the page to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Leave review comments out of the margin
    #[arg(long)]
    no_comments: bool,
    /// Which lint findings to mark and list, by their severity in the workspace's settings
    #[arg(long, value_enum, value_name = "WHICH", default_value = "warnings")]
    lint: LintShown,
}

/// `--lint` of `preview` and `diff --format html`: which findings the page shows.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum LintShown {
    /// No lint: no panel, no marks
    None,
    /// Errors only
    Errors,
    /// Errors and warnings (rules at `info` do not run)
    Warnings,
    /// Every finding, infos (spelling, grammar) too
    All,
}

impl From<LintShown> for LintLevel {
    fn from(shown: LintShown) -> LintLevel {
        match shown {
            LintShown::None => LintLevel::None,
            LintShown::Errors => LintLevel::Errors,
            LintShown::Warnings => LintLevel::Warnings,
            LintShown::All => LintLevel::All,
        }
    }
}

/// Runs `preview`.
pub fn cmd_preview(ctx: &mut Ctx<'_>, args: PreviewArgs) -> Result<ExitCode> {
    let slug = slug_arg(&args.slug)?;
    let ws = ctx.workspace()?;
    let people = ws.people()?;
    let record = ArticleRecord::load(&ws, &slug)?;
    let side = match &args.rev {
        Some(name) => diff::side(&record, name)?,
        None => match diff::default_to(&record) {
            Side::Working if record.working.is_none() => Side::Nothing,
            side => side,
        },
    };
    // `working` whose text was submitted is that revision, approved or not.
    let side = match side {
        Side::Working => record
            .ledger
            .revisions()
            .into_iter()
            .find(|r| Some(&r.id) == record.working_id.as_ref())
            .map_or(Side::Working, Side::Revision),
        other => other,
    };
    if let Side::Nothing = side {
        return Err(Error::with_hint(
            Code::MissingArticleFile,
            format!("{slug} has no text to preview"),
            format!("write {} first", record.article_path.display()),
        ));
    }
    let now = clock::now()?;
    let preview = committed_preview(
        &ws,
        &*people,
        record,
        &side,
        now,
        !args.no_comments,
        args.lint.into(),
    )?;
    let what = match (&args.rev, &side) {
        (None, Side::Working) => "in the working tree (it has unsubmitted edits)".to_owned(),
        (None, Side::Revision(r)) => {
            format!("{}, the latest submitted revision", r.label_with_id())
        }
        (_, Side::Revision(r)) => r.label_with_id(),
        _ => "in the working tree".to_owned(),
    };
    say(ctx.err, &format!("Preview of {slug} {what}"))?;
    match &preview.banner {
        None if preview.state.is_empty() => {
            say(ctx.err, "Approved: this is the page publish writes.")?
        }
        None => say(
            ctx.err,
            &format!(
                "Approved ({}): this is the page publish writes.",
                preview.state
            ),
        )?,
        Some(_) => say(
            ctx.err,
            &format!(
                "Not approved: {}. {} The page carries a \"Not approved\" banner and names no reviewer.",
                preview.state, preview.published
            ),
        )?,
    }
    let counts = medreview_lint::Counts::of(&preview.findings);
    let found = match (preview.findings.is_empty(), preview.lint) {
        (false, _) => counts.describe(),
        (true, LintLevel::Errors) => "no errors".to_owned(),
        (true, LintLevel::Warnings) => "no errors or warnings".to_owned(),
        (true, _) => "no findings".to_owned(),
    };
    let hidden = match preview.lint {
        LintLevel::Errors => " (`--lint warnings` adds warnings, `--lint all` infos too)",
        LintLevel::Warnings => " (`--lint all` adds infos: spelling, grammar)",
        _ => "",
    };
    if preview.lint == LintLevel::None {
        // Asked for no lint: nothing to say.
    } else if preview.marked {
        say(
            ctx.err,
            &format!(
                "Lint: {found}{}{hidden}.",
                if preview.findings.is_empty() {
                    ""
                } else {
                    ", marked on the page and listed under the banner"
                }
            ),
        )?;
    } else if !preview.findings.is_empty() {
        say(
            ctx.err,
            &format!(
                "Lint: {found}, not marked on this page, which is the published one; `medreview lint {slug}` lists the findings."
            ),
        )?;
    }
    if !preview.comments.is_empty() {
        let open = preview.comments.iter().filter(|n| n.thread.open).count();
        let outdated = preview
            .comments
            .iter()
            .filter(|n| n.place.range().is_none())
            .count();
        let counts = format!(
            "{} open, {} resolved{}",
            medreview_core::plural::plural(open, "comment thread", "comment threads"),
            preview.comments.len() - open,
            if outdated > 0 {
                format!(" ({outdated} no longer anchored)")
            } else {
                String::new()
            }
        );
        let said = if preview.comments.len() >= comment_marks::MAX_SHOWN {
            format!(
                "Comments: the first {counts}, in the margin; `medreview comments {slug}` lists them all."
            )
        } else if preview.comments_shown {
            format!("Comments: {counts}, in the margin.")
        } else {
            format!(
                "Comments: {counts}, not shown on this page, which is the published one; `medreview comments {slug}` lists them."
            )
        };
        say(ctx.err, &said)?;
    }
    if let Some(path) = super::write_out(ctx, args.out.as_deref(), preview.html.as_bytes())? {
        say(ctx.err, &format!("Wrote {}", path.display()))?;
    }
    // What the reviewer read: their next sign-off on the article says so.
    if let Side::Revision(revision) = &side {
        medreview_core::viewed::remember(&ws, &slug, ViewKind::Preview, &revision.id, None);
    }
    Ok(ExitCode::SUCCESS)
}
