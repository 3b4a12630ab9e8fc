//! `medreview approve`: a medical reviewer approves the exact revision they read.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, SignerArgs, SyncFlags, sign_off};
use crate::error::Result;
use crate::record::entry::Action;
use crate::roster::Role;
use crate::workflow;

/// Arguments of `approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The article's slug
    slug: String,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    sync: SyncFlags,
    /// The revision you read (r2, or a prefix of its id); refused unless it is the latest submitted
    #[arg(long, value_name = "REV")]
    revision: Option<String>,
    /// A note for the record
    #[arg(
        short = 'm',
        long = "message",
        value_name = "NOTE",
        allow_hyphen_values = true
    )]
    note: Option<String>,
}

/// Runs `approve`.
pub fn cmd_approve(ctx: &mut Ctx<'_>, args: ApproveArgs) -> Result<ExitCode> {
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync),
        Role::Reviewer,
        args.note,
        "Approved",
        |ws, req| workflow::decide(ws, req, Action::Approved, args.revision.as_deref()),
    )
}
