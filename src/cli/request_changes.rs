//! `medreview request-changes`: a medical reviewer sends the latest revision back.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, OutputFlags, SignerArgs, SyncFlags, sign_off};
use medreview_core::error::{Code, Error, Result};
use medreview_core::record::entry::Action;
use medreview_core::roster::Role;
use medreview_workflow as workflow;
use medreview_workflow::comments::NewComment;

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
    /// Words to comment on, recorded as a thread in the same commit (repeat for more)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    quote: Vec<String>,
    /// What to say on each --quote, in the same order (default: the -m note)
    #[arg(
        long,
        value_name = "NOTE",
        allow_hyphen_values = true,
        requires = "quote"
    )]
    say: Vec<String>,
    /// Wording to put in place of the one --quote
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        requires = "quote"
    )]
    suggest: Option<String>,
    /// Do not ask before the page on the site changes (it is still said)
    #[arg(long)]
    yes: bool,
}

/// The threads `request-changes` records with its decision.
fn threads(args: &RequestChangesArgs, note: &str) -> Result<Vec<NewComment>> {
    if !args.say.is_empty() && args.say.len() != args.quote.len() {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            format!(
                "{} --quote but {} --say; each quote takes its own note, in the same order",
                args.quote.len(),
                args.say.len()
            ),
            "give one --say per --quote, or none (each thread then carries the -m note)",
        ));
    }
    if args.suggest.is_some() && args.quote.len() != 1 {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            "--suggest needs exactly one --quote to replace",
            "suggest wording for one quote per command, or use `medreview comment SLUG --quote TEXT --suggest TEXT`",
        ));
    }
    Ok(args
        .quote
        .iter()
        .enumerate()
        .map(|(i, quote)| NewComment {
            quote: Some(quote.clone()),
            note: Some(args.say.get(i).cloned().unwrap_or_else(|| note.to_owned())),
            suggest: args.suggest.clone(),
            ..NewComment::default()
        })
        .collect())
}

/// Runs `request-changes`.
pub fn cmd_request_changes(ctx: &mut Ctx<'_>, args: RequestChangesArgs) -> Result<ExitCode> {
    let note = super::required_note(args.note.clone())?;
    let comments = threads(&args, &note)?;
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync, &args.output),
        Role::Reviewer,
        Some(note),
        "Sent back",
        |ws, req| {
            let ask = |change: &workflow::LiveChange| super::confirm_live_change(change, args.yes);
            let mut req = req.clone();
            req.comments = comments;
            req.confirm_live = Some(&ask);
            workflow::decide(ws, &req, Action::ChangesRequested, args.revision.as_deref())
        },
    )
}
