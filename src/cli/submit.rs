//! `medreview submit`: send the article's current text to medical review.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, OutputFlags, SignerArgs, SyncFlags, sign_off};
use medreview_core::error::Result;
use medreview_core::roster::Role;
use medreview_workflow as workflow;

/// Arguments of `submit`.
#[derive(Debug, Args)]
pub struct SubmitArgs {
    /// The article's slug
    slug: String,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    sync: SyncFlags,
    #[command(flatten)]
    pub(super) output: OutputFlags,
    /// A note for the reviewer
    #[arg(
        short = 'm',
        long = "message",
        value_name = "NOTE",
        allow_hyphen_values = true
    )]
    note: Option<String>,
}

/// Runs `submit`.
pub fn cmd_submit(ctx: &mut Ctx<'_>, args: SubmitArgs) -> Result<ExitCode> {
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync, &args.output),
        Role::Writer,
        args.note,
        "Submitted",
        workflow::submit,
    )
}
