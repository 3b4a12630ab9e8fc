//! `medreview sync`: share the record with the team's remote.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, print_json, say};
use medreview_core::error::Result;
use medreview_remote::sync::SyncReport;

/// Arguments of `sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Print JSON (shape documented in docs/json.md)
    #[arg(long)]
    pub(super) json: bool,
}

/// Runs `sync`.
pub fn cmd_sync(ctx: &mut Ctx<'_>, args: SyncArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let report = medreview_remote::sync::sync(&ws, ctx.err)?;
    if args.json {
        print_json(ctx.out, &report)?;
    } else {
        print_report(ctx, &report)?;
    }
    Ok(if report.dropped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What sync did, in words, on stderr; dropped decisions loudly.
pub(crate) fn print_report(ctx: &mut Ctx<'_>, r: &SyncReport) -> Result<()> {
    let there = format!("{}/{}", r.remote, r.branch);
    if r.fetched > 0 {
        say(
            ctx.err,
            &format!(
                "Received {} from {there}; they verify.",
                medreview_core::plural::plural(r.fetched, "commit", "commits")
            ),
        )?;
    }
    let line = match r.integration {
        "fast-forward" => format!("Brought this clone up to {there}."),
        "replayed" => format!(
            "Replayed {} onto {there}.",
            medreview_core::plural::plural(r.replayed, "commit of yours", "commits of yours")
        ),
        "pushed-only" => format!("Pushed your commits to {there}."),
        _ => format!("Up to date with {there}."),
    };
    say(ctx.err, &line)?;
    if r.integration == "replayed" && r.pushed {
        say(ctx.err, &format!("Pushed to {there}."))?;
    }
    for d in &r.dropped {
        let what = if d.action == "commit" {
            format!(
                "your commit {} ({})",
                &d.commit[..d.commit.len().min(10)],
                d.by
            )
        } else {
            format!(
                "{} {} by {} (revision {})",
                d.action,
                d.slug,
                d.by,
                &d.revision[..d.revision.len().min(7)]
            )
        };
        say(ctx.err, &format!("Not pushed: {what}: {}", d.reason))?;
    }
    if !r.dropped.is_empty() {
        say(
            ctx.err,
            "What was not pushed is set aside: it no longer counts in this clone, so you can record again now.",
        )?;
    }
    if let Some(kept) = &r.kept_as {
        say(
            ctx.err,
            &format!("Your earlier branch is kept as {kept} (`git log {kept}`)."),
        )?;
    }
    for w in &r.warnings {
        say(ctx.err, &format!("Warning: {w}"))?;
    }
    Ok(())
}
