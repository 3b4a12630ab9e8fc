//! `medreview approve`: a medical reviewer approves the exact revision they read.
//! Without `--revision`, it shows the latest revision and asks on a terminal, and
//! refuses elsewhere: after a `git pull` the latest may not be what was read.

use std::io::{BufRead, IsTerminal};
use std::process::ExitCode;

use clap::Args;

use super::{Ctx, OutputFlags, SignerArgs, SyncFlags, say, sign_off, slug_arg};
use medreview_core::error::{Code, Error, Result};
use medreview_core::record::ArticleRecord;
use medreview_core::record::entry::Action;
use medreview_core::roster::Role;
use medreview_site::diff::{self, Side};
use medreview_workflow as workflow;

/// Arguments of `approve`.
#[derive(Debug, Args)]
pub struct ApproveArgs {
    /// The article's slug
    slug: String,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    sync: SyncFlags,
    #[command(flatten)]
    pub(super) output: OutputFlags,
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
    /// What your approval vouches for, from review.meanings (default: medical-accuracy when listed)
    #[arg(long, value_name = "MEANING")]
    meaning: Option<String>,
}

/// Runs `approve`.
pub fn cmd_approve(ctx: &mut Ctx<'_>, args: ApproveArgs) -> Result<ExitCode> {
    let revision = match &args.revision {
        Some(revision) => revision.clone(),
        None => match confirm_latest(ctx, &args)? {
            Some(revision) => revision,
            None => {
                say(ctx.err, "Not approved; nothing was recorded.")?;
                return Ok(ExitCode::from(1));
            }
        },
    };
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync, &args.output),
        Role::Reviewer,
        args.note,
        "Approved",
        |ws, req| {
            let req = workflow::Request {
                meaning: args.meaning.clone(),
                ..req.clone()
            };
            workflow::decide(ws, &req, Action::Approved, Some(&revision))
        },
    )
}

/// Shows the latest revision and asks whether to approve it: its full id when the
/// answer is yes, `None` when it is not. Refused without a terminal to ask on.
fn confirm_latest(ctx: &mut Ctx<'_>, args: &ApproveArgs) -> Result<Option<String>> {
    let slug = slug_arg(&args.slug)?;
    let ws = ctx.workspace()?;
    let people = ws.people()?;
    let roster = people.current().roster.clone();
    let record = ArticleRecord::load(&ws, &slug)?;
    let Some(latest) = record.ledger.latest_revision() else {
        return Err(Error::with_hint(
            Code::NoSubmittedRevision,
            format!("{slug} has no submitted revision yet"),
            format!("the writer submits it first: `medreview submit {slug} --as WRITER`"),
        ));
    };
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Error::with_hint(
            Code::ConfirmNeedsTerminal,
            format!(
                "approve without --revision asks for confirmation, and there is no terminal to ask on (the latest revision of {slug} is {})",
                latest.label()
            ),
            format!(
                "name the revision you read: `medreview approve {slug} --revision {}`",
                latest.label()
            ),
        ));
    }
    let me = match &args.signer.as_id {
        Some(id) => Some(medreview_core::ids::Id::parse("id", id)?),
        None => medreview_core::roster::identity::me(
            &roster,
            ws.git.config_string("user.email").as_deref(),
        ),
    };
    let base = diff::default_base(&ws, &*people, &record, me.as_ref());
    let to = Side::Revision(latest.clone());
    let changes = diff::compare(&ws, &roster, &record, &base.side, &to)?;
    let writer = record.revision_article(&ws, &latest.id)?.front.writer;
    let name = |id: &medreview_core::ids::Id| {
        roster
            .name_of(id)
            .map_or_else(|| id.to_string(), |n| format!("{n} ({id})"))
    };
    say(
        ctx.err,
        &format!("About to approve {slug} {}", latest.label_with_id()),
    )?;
    let when = medreview_core::clock::short(&latest.submitted_at);
    let who = if writer == latest.submitted_by {
        format!("  written and submitted by {} on {when}", name(&writer))
    } else {
        format!(
            "  written by {}; submitted by {} on {when}",
            name(&writer),
            name(&latest.submitted_by)
        )
    };
    say(ctx.err, &who)?;
    say(
        ctx.err,
        &format!(
            "  since {}: {}",
            base.why,
            medreview_site::diff::redline::summary(&changes.redline)
        ),
    )?;
    let viewed = medreview_core::viewed::recall(&ws, &slug);
    let seen = match &viewed {
        Some(v) if v.revision == latest.id => {
            format!(
                "  you last read it here with `medreview {}`",
                v.how.as_str()
            )
        }
        _ => format!(
            "  Warning: you have not read {} here (`medreview diff {slug}` or `medreview preview {slug}`)",
            latest.label()
        ),
    };
    say(ctx.err, &seen)?;
    // The editorial check, as approve judges it: errors refuse before asking.
    let lint = medreview_workflow::revision_lint_gate(&ws, &record, &latest, &slug)?;
    let lint = lint.first().map_or("no findings", String::as_str);
    say(ctx.err, &format!("  editorial check: {lint}"))?;
    write!(ctx.err, "Approve {}? [y/N] ", latest.label())
        .and_then(|()| ctx.err.flush())
        .map_err(|e| Error::io("write", std::path::Path::new("<stderr>"), e))?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::io("read", std::path::Path::new("<stdin>"), e))?;
    let yes = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
    Ok(yes.then(|| latest.id.to_string()))
}
