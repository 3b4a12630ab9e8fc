//! The review conversation: `comment`, `comments`, `resolve`, `reopen` and `apply`.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::{Ctx, OutputFlags, SignerArgs, SyncFlags, print_json, say, sign_off, slug_arg};
use medreview_core::comments::anchor::Place;
use medreview_core::comments::entry::CommentAction;
use medreview_core::comments::{Conversation, Located, Locator, revision_reader};
use medreview_core::error::Result;
use medreview_core::record::ArticleRecord;
use medreview_core::roster::Role;
use medreview_workflow as workflow;
use medreview_workflow::comments::{NewComment, one_line};

/// Arguments of `comment`.
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// The article's slug
    slug: String,
    /// The exact words the comment is about (as the article or its preview shows them)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    quote: Option<String>,
    /// Words right before the quote, where the quoted words stand more than once
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        requires = "quote"
    )]
    prefix: Option<String>,
    /// Words right after the quote, where the quoted words stand more than once
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        requires = "quote"
    )]
    suffix: Option<String>,
    /// What you say
    #[arg(
        short = 'm',
        long = "message",
        value_name = "NOTE",
        allow_hyphen_values = true
    )]
    note: Option<String>,
    /// Wording to put in place of the quote (the writer applies it with `medreview apply`)
    #[arg(
        long,
        value_name = "TEXT",
        allow_hyphen_values = true,
        requires = "quote"
    )]
    suggest: Option<String>,
    /// Reply to a thread (its id, or the first digits `medreview comments` shows)
    #[arg(long, value_name = "ID", conflicts_with = "quote")]
    reply: Option<String>,
    /// The revision the words are in (default: the latest submitted)
    #[arg(long, value_name = "REV")]
    revision: Option<String>,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    sync: SyncFlags,
    #[command(flatten)]
    pub(super) output: OutputFlags,
}

/// Runs `comment`.
pub fn cmd_comment(ctx: &mut Ctx<'_>, args: CommentArgs) -> Result<ExitCode> {
    let new = NewComment {
        quote: args.quote,
        prefix: args.prefix,
        suffix: args.suffix,
        note: args.note,
        suggest: args.suggest,
        reply: args.reply,
    };
    let done = if new.reply.is_some() {
        "Replied on"
    } else {
        "Commented on"
    };
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync, &args.output),
        Role::Writer,
        None,
        done,
        |ws, req| workflow::comments::comment(ws, req, args.revision.as_deref(), &new),
    )
}

/// Arguments of `resolve` and `reopen`.
#[derive(Debug, Args)]
pub struct SettleArgs {
    /// The article's slug
    slug: String,
    /// The thread (its id, or the first digits `medreview comments` shows)
    thread: String,
    /// A note for the record
    #[arg(
        short = 'm',
        long = "message",
        value_name = "NOTE",
        allow_hyphen_values = true
    )]
    note: Option<String>,
    #[command(flatten)]
    signer: SignerArgs,
    #[command(flatten)]
    sync: SyncFlags,
    #[command(flatten)]
    pub(super) output: OutputFlags,
}

/// Runs `resolve` or `reopen`.
pub fn cmd_settle(ctx: &mut Ctx<'_>, args: SettleArgs, action: CommentAction) -> Result<ExitCode> {
    let done = match action {
        CommentAction::Resolved => "Resolved a thread on",
        _ => "Reopened a thread on",
    };
    sign_off(
        ctx,
        &args.slug,
        (&args.signer, &args.sync, &args.output),
        Role::Writer,
        args.note,
        done,
        |ws, req| workflow::comments::settle(ws, req, &args.thread, action),
    )
}

/// Arguments of `apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The article's slug
    slug: String,
    /// The thread whose suggestion to apply
    thread: String,
}

/// Runs `apply`: puts a thread's suggested wording into the working tree's article.
pub fn cmd_apply(ctx: &mut Ctx<'_>, args: ApplyArgs) -> Result<ExitCode> {
    let slug = slug_arg(&args.slug)?;
    let ws = ctx.workspace()?;
    let applied = workflow::comments::apply(&ws, &slug, &args.thread)?;
    say(
        ctx.err,
        &format!(
            "Applied thread {}'s suggestion to articles/{slug}/article.md, line {}: \"{}\" → \"{}\"",
            applied.thread,
            applied.line,
            one_line(&applied.before, 60),
            one_line(&applied.after, 60)
        ),
    )?;
    say(
        ctx.err,
        &format!(
            "Next: read it, then submit it for review: `medreview submit {slug}`; the reviewer resolves the thread"
        ),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `comments`.
#[derive(Debug, Args)]
pub struct CommentsArgs {
    /// The article's slug
    slug: String,
    /// Only the threads still open
    #[arg(long)]
    open: bool,
    /// Print the threads as JSON (shape documented in docs/json.md)
    #[arg(long)]
    pub(super) json: bool,
}

/// One thread, as `comments --json` prints it.
#[derive(Serialize)]
struct ThreadJson {
    id: String,
    short: String,
    by: String,
    at: String,
    /// The revision it was made on (`r1`).
    revision: String,
    quote: medreview_core::comments::anchor::Anchor,
    /// `anchored`, `moved` or `outdated`, in the latest revision.
    place: &'static str,
    /// The line of the words in the latest revision, unless outdated.
    line: Option<usize>,
    /// For an outdated thread, what stands where the words were, if known.
    now: Option<String>,
    note: Option<String>,
    suggest: Option<String>,
    open: bool,
    resolved_by: Option<String>,
    resolved_at: Option<String>,
    replies: Vec<ReplyJson>,
}

#[derive(Serialize)]
struct ReplyJson {
    id: String,
    by: String,
    at: String,
    note: String,
}

#[derive(Serialize)]
struct RefusedJson {
    file: String,
    why: String,
}

#[derive(Serialize)]
struct CommentsJson {
    slug: String,
    /// The latest submitted revision, where threads are placed.
    revision: Option<String>,
    open: usize,
    resolved: usize,
    threads: Vec<ThreadJson>,
    /// Comment files that do not count, and why.
    refused: Vec<RefusedJson>,
}

/// Runs `comments`.
pub fn cmd_comments(ctx: &mut Ctx<'_>, args: CommentsArgs) -> Result<ExitCode> {
    let slug = slug_arg(&args.slug)?;
    let ws = ctx.workspace()?;
    let people = ws.people()?;
    let record = ArticleRecord::load(&ws, &slug)?;
    let conversation = Conversation::of_record(&ws, &record, &*people)?;
    let threads = conversation.threads();
    let revisions = record.ledger.revisions();
    let latest = record.ledger.latest_revision();
    let read = revision_reader(&ws, &record);
    let mut locator = Locator::new(&revisions, &read);
    let latest_text: std::rc::Rc<str> = latest
        .as_ref()
        .and_then(|r| locator.text(&r.id))
        .unwrap_or_else(|| std::rc::Rc::from(""));
    let label = |id: &medreview_store::revision::RevId| {
        revisions
            .iter()
            .find(|r| &r.id == id)
            .map_or_else(|| id.short().to_owned(), |r| r.label())
    };
    let open = threads.iter().filter(|t| t.open).count();
    let resolved = threads.len() - open;
    let mut refused: Vec<RefusedJson> = conversation
        .refused_files(&slug)
        .into_iter()
        .map(|(file, why)| RefusedJson { file, why })
        .collect();
    refused.extend(conversation.damage().iter().map(|d| RefusedJson {
        file: d.file.clone(),
        why: d.message.clone(),
    }));
    let mut shown: Vec<ThreadJson> = Vec::new();
    for thread in threads.iter().filter(|t| t.open || !args.open) {
        let located: Option<Located> = latest.as_ref().and_then(|l| locator.locate(thread, &l.id));
        let place = located.as_ref().map(|l| l.place.clone());
        let line = place.as_ref().and_then(Place::range).map(|(start, _)| {
            latest_text[..start.min(latest_text.len())]
                .matches('\n')
                .count()
                + 1
        });
        let now = match &place {
            Some(Place::Outdated { now }) => now.clone(),
            _ => None,
        };
        shown.push(ThreadJson {
            id: thread.id.to_string(),
            short: thread.short.clone(),
            by: thread.by.to_string(),
            at: medreview_core::clock::rfc3339(&thread.at),
            revision: label(&thread.revision),
            quote: thread.anchor.clone(),
            place: place.as_ref().map_or("outdated", Place::as_str),
            line,
            now,
            note: thread.note.clone(),
            suggest: thread.suggest.clone(),
            open: thread.open,
            resolved_by: thread.resolved.as_ref().map(|(by, _)| by.to_string()),
            resolved_at: thread
                .resolved
                .as_ref()
                .map(|(_, at)| medreview_core::clock::rfc3339(at)),
            replies: thread
                .replies
                .iter()
                .map(|r| ReplyJson {
                    id: r.id.to_string(),
                    by: r.by.to_string(),
                    at: medreview_core::clock::rfc3339(&r.at),
                    note: r.note.clone(),
                })
                .collect(),
        });
    }
    let report = CommentsJson {
        slug: slug.to_string(),
        revision: latest.as_ref().map(|r| r.label()),
        open,
        resolved,
        threads: shown,
        refused,
    };
    if args.json {
        print_json(ctx.out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    print_threads(ctx, &report)?;
    Ok(ExitCode::SUCCESS)
}

fn print_threads(ctx: &mut Ctx<'_>, report: &CommentsJson) -> Result<()> {
    let latest = report.revision.as_deref().unwrap_or("no revision");
    say(
        ctx.out,
        &format!(
            "{}: {} open, {} resolved (placed in {latest}, the latest revision)",
            report.slug,
            medreview_core::plural::plural(report.open, "thread", "threads"),
            report.resolved
        ),
    )?;
    for t in &report.threads {
        let state = if t.open {
            "open".to_owned()
        } else {
            format!(
                "resolved by {}",
                t.resolved_by.as_deref().unwrap_or("its author")
            )
        };
        let place = match (t.place, t.line) {
            ("outdated", _) => format!("outdated in {latest}"),
            (place, Some(line)) => format!("{place}, line {line} of {latest}"),
            (place, None) => place.to_owned(),
        };
        say(ctx.out, "")?;
        say(
            ctx.out,
            &format!(
                "{}  {state} · {} · {} · on {} · {place}",
                t.short,
                t.by,
                &t.at[..10.min(t.at.len())],
                t.revision
            ),
        )?;
        say(ctx.out, &format!("  \"{}\"", one_line(&t.quote.exact, 100)))?;
        if t.place == "outdated" {
            match &t.now {
                Some(now) => say(
                    ctx.out,
                    &format!(
                        "  The quoted words changed; now: \"{}\"",
                        one_line(now, 100)
                    ),
                )?,
                None => say(
                    ctx.out,
                    "  The quoted words are gone from the latest revision.",
                )?,
            }
        }
        if let Some(note) = &t.note {
            for line in note.lines() {
                say(ctx.out, &format!("  {line}"))?;
            }
        }
        if let Some(suggest) = &t.suggest {
            say(
                ctx.out,
                &format!("  Suggests: \"{}\"", one_line(suggest, 100)),
            )?;
        }
        for r in &t.replies {
            say(
                ctx.out,
                &format!(
                    "  ↳ {} ({}): {}",
                    r.by,
                    &r.at[..10.min(r.at.len())],
                    one_line(&r.note, 200)
                ),
            )?;
        }
    }
    for r in &report.refused {
        say(
            ctx.err,
            &format!("Warning: {} does not count: {}", r.file, r.why),
        )?;
    }
    if report.open > 0 {
        say(
            ctx.err,
            &format!(
                "Next: reply with `medreview comment {} --reply ID -m NOTE`; the author of a thread resolves it with `medreview resolve {} ID`",
                report.slug, report.slug
            ),
        )?;
    }
    Ok(())
}
