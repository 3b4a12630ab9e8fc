//! `medreview recertify`: the periodic re-review of an approved, unchanged revision.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, OutputFlags, SignerArgs, SyncFlags, sign_off};
use medreview_core::error::Result;
use medreview_core::roster::Role;
use medreview_workflow as workflow;

/// Arguments of `recertify`.
#[derive(Debug, Args)]
pub struct RecertifyArgs {
    /// The article's slug
    slug: String,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    sync: SyncFlags,
    #[command(flatten)]
    pub(super) output: OutputFlags,
    /// A note for the record (what you checked, e.g. "Guidelines unchanged since 2024")
    #[arg(
        short = 'm',
        long = "message",
        value_name = "NOTE",
        allow_hyphen_values = true
    )]
    note: Option<String>,
    /// What your re-review vouches for, from review.meanings (default: medical-accuracy when listed)
    #[arg(long, value_name = "MEANING")]
    meaning: Option<String>,
}

/// Runs `recertify`.
pub fn cmd_recertify(ctx: &mut Ctx<'_>, args: RecertifyArgs) -> Result<ExitCode> {
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync, &args.output),
        Role::Reviewer,
        args.note,
        "Re-reviewed",
        |ws, req| {
            let req = workflow::Request {
                meaning: args.meaning.clone(),
                ..req.clone()
            };
            workflow::recertify(ws, &req)
        },
    )
}
