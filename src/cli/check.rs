//! `medreview check`: for CI and git hooks; lists every problem and exits 1 if any.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, print_json, say};
use crate::check;
use crate::error::Result;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print JSON (shape documented in README.md)
    #[arg(long)]
    pub(super) json: bool,
}

/// Runs `check`.
pub fn cmd_check(ctx: &mut Ctx<'_>, args: CheckArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let report = check::run(&ws, !args.json)?;
    ws.git.memo.save(true);
    if args.json {
        print_json(ctx.out, &report)?;
    } else {
        for p in &report.problems {
            let place = match (&p.file, p.line) {
                (Some(file), Some(line)) => format!("{file}:{line}: "),
                (Some(file), None) if p.commit.is_none() => format!("{file}: "),
                (Some(file), None) => format!("{file}: "),
                _ => String::new(),
            };
            say(ctx.out, &format!("{place}{} [{}]", p.message, p.code))?;
        }
        for note in &report.notes {
            say(ctx.err, &format!("Note: {note}"))?;
        }
        say(
            ctx.err,
            &format!(
                "Checked {} articles, {} sign-offs and {} commits{} ({} new sign-offs verified): {}.",
                report.articles,
                report.entries,
                report.commits,
                match &report.checkpoint {
                    Some(cp) => format!(" since the checkpoint {}", &cp[..10]),
                    None => String::new(),
                },
                report.entries_verified,
                match report.problems.len() {
                    0 => "no problems".to_owned(),
                    1 => "1 problem".to_owned(),
                    n => format!("{n} problems"),
                }
            ),
        )?;
    }
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
