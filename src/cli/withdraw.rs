//! `medreview withdraw`: a medical reviewer takes an article out of publication.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, OutputFlags, SignerArgs, SyncFlags, sign_off};
use medreview_core::error::Result;
use medreview_core::roster::Role;
use medreview_workflow as workflow;

/// Arguments of `withdraw`.
#[derive(Debug, Args)]
pub struct WithdrawArgs {
    /// The article's slug
    slug: String,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    sync: SyncFlags,
    #[command(flatten)]
    pub(super) output: OutputFlags,
    /// Why the article comes down
    #[arg(
        short = 'm',
        long = "message",
        value_name = "NOTE",
        allow_hyphen_values = true
    )]
    note: String,
    /// Do not ask before the page leaves the site (it is still said)
    #[arg(long)]
    yes: bool,
}

/// Runs `withdraw`.
pub fn cmd_withdraw(ctx: &mut Ctx<'_>, args: WithdrawArgs) -> Result<ExitCode> {
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync, &args.output),
        Role::Reviewer,
        Some(super::required_note(args.note)?),
        "Withdrew",
        |ws, req| {
            let ask = |change: &workflow::LiveChange| super::confirm_live_change(change, args.yes);
            let req = workflow::Request {
                confirm_live: Some(&ask),
                ..req.clone()
            };
            workflow::withdraw(ws, &req)
        },
    )
}
