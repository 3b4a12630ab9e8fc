//! `medreview request-changes`: a medical reviewer sends the latest revision back.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, OutputFlags, SignerArgs, SyncFlags, sign_off};
use medreview_core::error::Result;
use medreview_core::record::entry::Action;
use medreview_core::roster::Role;
use medreview_workflow as workflow;

/// Arguments of `request-changes`.
#[derive(Debug, Args)]
pub struct RequestChangesArgs {
    /// The article's slug
    slug: String,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    sync: SyncFlags,
    #[command(flatten)]
    pub(super) output: OutputFlags,
    /// What must change
    #[arg(
        short = 'm',
        long = "message",
        value_name = "NOTE",
        allow_hyphen_values = true
    )]
    note: String,
    /// The revision you read (r2, or a prefix of its id); refused unless it is the latest submitted
    #[arg(long, value_name = "REV")]
    revision: Option<String>,
}

/// Runs `request-changes`.
pub fn cmd_request_changes(ctx: &mut Ctx<'_>, args: RequestChangesArgs) -> Result<ExitCode> {
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync, &args.output),
        Role::Reviewer,
        Some(super::required_note(args.note)?),
        "Sent back",
        |ws, req| workflow::decide(ws, req, Action::ChangesRequested, args.revision.as_deref()),
    )
}
