//! `medreview submit`: send the article's current text to medical review.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, OutputFlags, SignerArgs, SyncFlags, sign_off};
use medreview_core::error::Result;
use medreview_core::record::entry::Change;
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
    /// What kind of change this is, for readers: a correction or an update is listed on the page with the note (-m, then public); a minor one keeps the page's "Updated on" date
    #[arg(long, value_enum, value_name = "KIND")]
    change: Option<ChangeArg>,
    /// A note for the reviewer (with --change correction or update: the public note readers see)
    #[arg(
        short = 'm',
        long = "message",
        value_name = "NOTE",
        allow_hyphen_values = true
    )]
    note: Option<String>,
}

/// `--change`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ChangeArg {
    /// Corrects an error readers may have relied on: listed on the page and in its JSON-LD
    Correction,
    /// Brings the page up to date: listed on the page
    Update,
    /// Wording only: the meaning is unchanged, the page keeps its "Updated on" date
    Minor,
}

/// Runs `submit`.
pub fn cmd_submit(ctx: &mut Ctx<'_>, args: SubmitArgs) -> Result<ExitCode> {
    let change = args.change.map(|c| match c {
        ChangeArg::Correction => Change::Correction,
        ChangeArg::Update => Change::Update,
        ChangeArg::Minor => Change::Minor,
    });
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync, &args.output),
        Role::Writer,
        args.note,
        "Submitted",
        |ws, req| workflow::submit(ws, req, change),
    )
}
