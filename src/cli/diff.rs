//! `medreview diff`: what changed between two revisions, word by word.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{Ctx, say, slug_arg};
use medreview_core::error::{Code, Error, Result};
use medreview_core::record::ArticleRecord;
use medreview_core::record::entry::ViewKind;
use medreview_site::diff::{self, Side};
use medreview_site::diff::{comment_marks, redline};

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// A word-level redline for a terminal
    Text,
    /// A self-contained HTML page to open in a browser or email
    Html,
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The article's slug
    slug: String,
    /// The older side: r<N>, a revision id prefix, or `working` (default: the last approved revision)
    from: Option<String>,
    /// The newer side (default: the working tree if it has unsubmitted edits, else the latest revision)
    to: Option<String>,
    /// What to print
    #[arg(long, value_enum, default_value = "text")]
    format: DiffFormat,
    /// Write to FILE instead of standard output
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print the comparison as JSON (what was compared, the counts, and every change)
    #[arg(long, conflicts_with_all = ["format", "out"])]
    pub(super) json: bool,
    /// Leave review comments out of the margin
    #[arg(long)]
    no_comments: bool,
    /// With --format html: which lint findings to mark and list, by their severity in the workspace's settings
    #[arg(long, value_enum, value_name = "WHICH", default_value = "warnings")]
    lint: super::preview::LintShown,
}

/// `diff --json`: what was compared, why, and the changes.
#[derive(serde::Serialize)]
struct DiffJson<'a> {
    slug: &'a str,
    title: &'a str,
    from: SideJson<'a>,
    to: SideJson<'a>,
    /// Why the older side is what it is, when it was chosen by default.
    base: Option<&'a str>,
    /// The reviewer's own note on the decision the comparison starts from.
    base_note: Option<&'a str>,
    words_added: usize,
    words_removed: usize,
    fields: &'a [medreview_site::diff::text::FieldChange],
    blocks: &'a [medreview_site::diff::text::Block],
}

/// One side in `diff --json`.
#[derive(serde::Serialize)]
struct SideJson<'a> {
    label: &'a str,
    /// `r2`, or null for the working tree or nothing.
    number: Option<String>,
    /// The revision id (the blob id), or null.
    revision: Option<String>,
    detail: &'a str,
}

fn side_json<'a>(side: &Side, info: &'a medreview_site::diff::redline::SideInfo) -> SideJson<'a> {
    let revision = match side {
        Side::Revision(r) => Some(r),
        _ => None,
    };
    SideJson {
        label: &info.label,
        number: revision.map(|r| r.label()),
        revision: revision.map(|r| r.id.to_string()),
        detail: &info.detail,
    }
}

impl DiffArgs {
    /// Whether the output is text for standard output, which a pager may show.
    pub(crate) fn pages(&self) -> bool {
        matches!(self.format, DiffFormat::Text) && self.out.is_none() && !self.json
    }
}

/// Runs `diff`.
pub fn cmd_diff(ctx: &mut Ctx<'_>, args: DiffArgs) -> Result<ExitCode> {
    let slug = slug_arg(&args.slug)?;
    let ws = ctx.workspace()?;
    let people = ws.people()?;
    let roster = people.current().roster.clone();
    let record = ArticleRecord::load(&ws, &slug)?;
    let me = medreview_core::roster::identity::me(
        &roster,
        ws.git.config_string("user.email").as_deref(),
    );
    let base = match &args.from {
        Some(name) => diff::Base {
            side: diff::side(&record, name)?,
            why: String::new(),
            note: None,
            mine: false,
        },
        None => diff::default_base(&ws, &*people, &record, me.as_ref()),
    };
    let from = base.side.clone();
    let to = match &args.to {
        Some(name) => diff::side(&record, name)?,
        None => diff::default_to(&record),
    };
    if matches!((&from, &to), (Side::Nothing, Side::Working)) && record.working.is_none() {
        return Err(Error::new(
            Code::MissingArticleFile,
            format!("{slug} has no text yet"),
        ));
    }
    let comparison = diff::compare(&ws, &roster, &record, &from, &to)?;
    if let Side::Revision(shown) = &to {
        let older = match &from {
            Side::Revision(r) => Some(&r.id),
            _ => None,
        };
        medreview_core::viewed::remember(&ws, &slug, ViewKind::Diff, &shown.id, older);
    }
    if args.json {
        let json = DiffJson {
            slug: &comparison.header.slug,
            title: &comparison.header.title,
            from: side_json(&from, &comparison.header.from),
            to: side_json(&to, &comparison.header.to),
            base: (!base.why.is_empty()).then_some(base.why.as_str()),
            base_note: base.note.as_deref(),
            words_added: comparison.redline.words_added,
            words_removed: comparison.redline.words_removed,
            fields: &comparison.redline.fields,
            blocks: &comparison.redline.blocks,
        };
        super::print_json(ctx.out, &json)?;
        return Ok(ExitCode::SUCCESS);
    }
    // The header names the older side; what it cannot say is that it is your own
    // last decision, and what you asked for then.
    if base.mine {
        say(ctx.err, &format!("Since {}", base.why))?;
        if let Some(note) = &base.note {
            say(ctx.err, &format!("Your note then: {}", note.trim()))?;
        }
    }
    // The review comments on the newer side's words.
    let notes = if args.no_comments {
        Vec::new()
    } else {
        comment_marks::notes(&ws, &record, &*people, &to)?
    };
    if notes.len() >= comment_marks::MAX_SHOWN {
        say(
            ctx.err,
            &format!(
                "Comments: the first {} threads are in the margin; `medreview comments {}` lists them all.",
                comment_marks::MAX_SHOWN,
                record.slug
            ),
        )?;
    }
    let output = match args.format {
        DiffFormat::Html => {
            diff::html_page(&ws, &record, &comparison, &to, &notes, args.lint.into())?
        }
        DiffFormat::Text => {
            let new_text = if notes.is_empty() {
                Vec::new()
            } else {
                diff::bytes(&ws, &record, &to)?
            };
            let colour = match args.out {
                // A file is no terminal: coloured only with `--color always`.
                Some(_) => super::color::enabled(ctx.color, false),
                None => ctx.colour(),
            };
            let margin = comment_marks::text_margin(&notes, &new_text, colour, slug.as_str());
            redline::text_with_margin(&comparison.header, &comparison.redline, colour, &margin)
        }
    };
    if let Some(path) = super::write_out(ctx, args.out.as_deref(), output.as_bytes())? {
        say(
            ctx.err,
            &format!(
                "Wrote {} ({})",
                path.display(),
                redline::summary(&comparison.redline).trim_end_matches('.')
            ),
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
