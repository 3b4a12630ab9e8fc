//! `medreview schedule`: a publisher sets when an article may be on the site.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, OutputFlags, SignerArgs, SyncFlags, sign_off};
use medreview_core::clock;
use medreview_core::error::{Code, Error, Result};
use medreview_core::record::entry::Schedule;
use medreview_core::roster::Role;
use medreview_workflow as workflow;

/// Arguments of `schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// The article's slug
    slug: String,
    /// The page goes up no earlier than this time (RFC 3339 with offset, e.g. 2026-12-08T09:00-05:00)
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    not_before: Option<String>,
    /// The page leaves the site at this time
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    not_after: Option<String>,
    /// Remove the schedule: the page is on the site whenever it is publishable
    #[arg(long, conflicts_with_all = ["not_before", "not_after"])]
    clear: bool,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    sync: SyncFlags,
    #[command(flatten)]
    pub(super) output: OutputFlags,
    /// Why (kept in the record)
    #[arg(
        short = 'm',
        long = "message",
        value_name = "NOTE",
        allow_hyphen_values = true
    )]
    note: Option<String>,
}

/// Runs `schedule`.
pub fn cmd_schedule(ctx: &mut Ctx<'_>, args: ScheduleArgs) -> Result<ExitCode> {
    let schedule = Schedule {
        not_before: args
            .not_before
            .as_deref()
            .map(|t| clock::parse_arg("--not-before", t))
            .transpose()?,
        not_after: args
            .not_after
            .as_deref()
            .map(|t| clock::parse_arg("--not-after", t))
            .transpose()?,
    };
    if schedule.not_before.is_none() && schedule.not_after.is_none() && !args.clear {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            "schedule needs a time: --not-before, --not-after or both (or --clear)",
            format!(
                "for example `medreview schedule {} --not-before 2026-12-08T09:00-05:00`",
                args.slug
            ),
        ));
    }
    if let (Some(from), Some(until)) = (schedule.not_before, schedule.not_after)
        && until <= from
    {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            format!(
                "--not-after {} is not later than --not-before {}",
                clock::rfc3339(&until),
                clock::rfc3339(&from)
            ),
            "give a --not-after later than --not-before",
        ));
    }
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync, &args.output),
        Role::Writer,
        args.note,
        "Scheduled",
        |ws, req| workflow::schedule(ws, req, schedule),
    )
}
