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
                "Checked {}, {} and {}{} ({} verified): {}.",
                crate::plural::plural(report.articles, "article", "articles"),
                crate::plural::plural(report.entries, "sign-off", "sign-offs"),
                crate::plural::plural(report.commits, "commit", "commits"),
                match &report.checkpoint {
                    Some(cp) => format!(" since the checkpoint {}", &cp[..10]),
                    None => String::new(),
                },
                crate::plural::plural(report.entries_verified, "new sign-off", "new sign-offs"),
                match report.problems.len() {
                    0 => "no problems".to_owned(),
                    n => crate::plural::plural(n, "problem", "problems"),
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
