//! `medreview diff`: what changed between two revisions, word by word.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{Ctx, say, slug_arg};
use crate::comparison::{self, Side};
use crate::error::{Error, Result};
use crate::gitstore::write_atomically;
use crate::record::ArticleRecord;
use crate::redline;

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
}

/// Runs `diff`.
pub fn cmd_diff(ctx: &mut Ctx<'_>, args: DiffArgs) -> Result<ExitCode> {
    let slug = slug_arg(&args.slug)?;
    let ws = ctx.workspace()?;
    let people = ws.people()?;
    let roster = people.current().roster.clone();
    let record = ArticleRecord::load(&ws, &slug)?;
    let from = match &args.from {
        Some(name) => comparison::side(&record, name)?,
        None => comparison::default_from(&ws, &*people, &record),
    };
    let to = match &args.to {
        Some(name) => comparison::side(&record, name)?,
        None => comparison::default_to(&record),
    };
    if matches!((&from, &to), (Side::Nothing, Side::Working)) && record.working.is_none() {
        return Err(Error::refused(format!("{slug} has no text yet")));
    }
    let comparison = comparison::compare(&ws, &roster, &record, &from, &to)?;
    let output = match args.format {
        DiffFormat::Html => redline::html(
            &comparison.header,
            &comparison.redline,
            &comparison.rendered,
        )?,
        DiffFormat::Text => {
            let colour = args.out.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            redline::text(&comparison.header, &comparison.redline, colour)
        }
    };
    match &args.out {
        Some(path) => {
            let path = if path.is_absolute() {
                path.clone()
            } else {
                ctx.start.join(path)
            };
            write_atomically(&path, output.as_bytes()).map_err(|e| Error::io("write", &path, e))?;
            say(
                ctx.err,
                &format!(
                    "Wrote {} ({})",
                    path.display(),
                    redline::summary(&comparison.redline).trim_end_matches('.')
                ),
            )?;
        }
        None => ctx
            .out
            .write_all(output.as_bytes())
            .map_err(|e| Error::io("write", std::path::Path::new("<stdout>"), e))?,
    }
    Ok(ExitCode::SUCCESS)
}
