//! `medreview migrate`: convert a format-1 workspace to format 2 in one commit.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, say};
use medreview_core::clock;
use medreview_core::error::Result;
use medreview_core::record::migrate;

/// Arguments of `migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {}

/// Runs `migrate`.
pub fn cmd_migrate(ctx: &mut Ctx<'_>, _args: MigrateArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let done = migrate::migrate(&ws, clock::now()?)?;
    match &done.commit {
        Some(commit) => say(
            ctx.err,
            &format!(
                "Migrated {} of {} to format 2 (commit {}). Push it before anyone signs off again.",
                medreview_core::plural::plural(done.entries, "sign-off", "sign-offs"),
                medreview_core::plural::plural(done.articles, "article", "articles"),
                &commit[..10]
            ),
        )?,
        None => say(ctx.err, "Nothing to migrate: every article is in format 2.")?,
    }
    Ok(ExitCode::SUCCESS)
}
