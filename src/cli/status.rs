//! `medreview status`: the review state of every article, or of one.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::{Ctx, print_json, say, slug_arg};
use crate::clock;
use crate::error::Result;
use crate::ids::Id;
use crate::report::ArticleSummary;

/// Arguments of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Show one article in detail
    slug: Option<String>,
    /// Print JSON (shape documented in README.md)
    #[arg(long)]
    pub(super) json: bool,
    /// List only articles whose published approval is due for re-review
    #[arg(long)]
    due: bool,
}

/// The `--json` document.
#[derive(Serialize)]
struct StatusJson {
    articles: Vec<ArticleSummary>,
    problems: Vec<Problem>,
    /// The branch against the remote's last fetched state; `null` without one.
    remote: Option<crate::sync::Standing>,
}

/// An article that could not be read.
#[derive(Serialize)]
struct Problem {
    error: String,
    /// Printed under the error on a terminal; not part of the JSON shape.
    #[serde(skip)]
    hint: Option<String>,
}

/// Runs `status`.
pub fn cmd_status(ctx: &mut Ctx<'_>, args: StatusArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    // Nothing committed: every record would read as missing; say it once.
    ws.git.head_snapshot()?;
    let people = ws.people()?;
    let now = clock::now()?;
    let slugs: Vec<Result<Id>> = match &args.slug {
        Some(slug) => vec![Ok(slug_arg(slug)?)],
        None => ws.article_slugs()?,
    };
    let single = args.slug.is_some();
    let mut articles = Vec::new();
    let mut problems = Vec::new();
    // The memo pays off only when every article is read.
    if !single {
        ws.git.memo.bulk();
    }
    let people_key = ws.git.memo.active().then(|| ws.people_key()).flatten();
    let mut bar = crate::progress::Progress::new(slugs.len() as u64, "articles", !args.json);
    for slug in slugs {
        bar.tick();
        let loaded = slug.and_then(|slug| {
            crate::report::summary(&ws, &*people, &slug, people_key.as_deref(), now)
        });
        match loaded {
            Ok(summary) => articles.push(summary),
            // With one slug named, its error is the command's error.
            Err(err) if single => return Err(err),
            Err(err) => problems.push(Problem {
                error: err.to_string(),
                hint: err.hint(),
            }),
        }
    }
    drop(bar);
    ws.git.memo.save(!single);
    if args.due {
        articles.retain(|a| a.publishable.as_ref().is_some_and(|p| p.due_at <= now));
    }
    let remote = crate::sync::standing(&ws);
    if args.json {
        let failed = !problems.is_empty();
        print_json(
            ctx.out,
            &StatusJson {
                articles,
                problems,
                remote,
            },
        )?;
        return Ok(exit_code(failed));
    } else if args.due {
        print_due(ctx, &articles)?;
    } else if single {
        for a in &articles {
            print_detail(ctx, a)?;
        }
    } else {
        print_table(ctx, &articles, problems.is_empty())?;
    }
    if let Some(r) = &remote {
        let when = r
            .fetched_at
            .map(|t| format!(" of {}", clock::short(&t)))
            .unwrap_or_default();
        let line = if r.ahead == 0 && r.behind == 0 {
            format!(
                "{}/{}: up to date (as of the last fetch{when})",
                r.name, r.branch
            )
        } else {
            format!(
                "{}/{}: {} behind, {} ahead (as of the last fetch{when}; run `medreview sync`)",
                r.name, r.branch, r.behind, r.ahead
            )
        };
        say(ctx.out, &line)?;
    }
    // Regression: `status --due` used to drop the errors of unreadable articles.
    for p in &problems {
        say(ctx.err, &format!("Error: {}", p.error))?;
        if let Some(hint) = &p.hint {
            say(ctx.err, &format!("Hint: {hint}"))?;
        }
    }
    Ok(exit_code(!problems.is_empty()))
}

/// 1 when some article could not be read, so scripts notice.
fn exit_code(failed: bool) -> ExitCode {
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_table(ctx: &mut Ctx<'_>, articles: &[ArticleSummary], none_failed: bool) -> Result<()> {
    if articles.is_empty() {
        if !none_failed {
            return Ok(());
        }
        say(
            ctx.err,
            "No articles yet. Start one with `medreview new SLUG --title TITLE --writer ID`.",
        )?;
        return Ok(());
    }
    let width = slug_width(articles);
    say(
        ctx.out,
        &format!(
            "{:<width$}  {:<18} {:<11} {:<10} {:<12} LAST SIGN-OFF",
            "ARTICLE", "STATE", "LATEST", "CHANGE", "PUBLISHABLE"
        ),
    )?;
    let mut edited = false;
    for a in articles {
        let state = if a.unsubmitted_edits {
            edited = true;
            format!("{}*", a.state)
        } else {
            a.state.to_string()
        };
        let latest = a.latest.as_ref().map_or("-".to_owned(), |r| r.label());
        let change = a
            .latest
            .as_ref()
            .and_then(|r| r.change)
            .map_or("-".to_owned(), |c| c.short());
        let publishable = a
            .publishable
            .as_ref()
            .map_or("-".to_owned(), |p| p.revision.label());
        let last = a.last.as_ref().map_or("-".to_owned(), |e| {
            format!("{} by {}, {}", e.action, e.by, e.at.date_naive())
        });
        say(
            ctx.out,
            &format!(
                "{:<width$}  {state:<18} {latest:<11} {change:<10} {publishable:<12} {last}",
                a.slug
            ),
        )?;
    }
    if edited {
        say(ctx.out, "* the working tree has edits not yet submitted")?;
    }
    for a in articles.iter().filter(|a| !a.conflicts.is_empty()) {
        say(
            ctx.err,
            &format!(
                "{} needs a decision: {}; a reviewer decides again with `medreview approve`, `request-changes` or `withdraw`, seeing both",
                a.slug,
                a.conflicts.join("; ")
            ),
        )?;
    }
    Ok(())
}

fn print_due(ctx: &mut Ctx<'_>, articles: &[ArticleSummary]) -> Result<()> {
    if articles.is_empty() {
        return say(ctx.err, "No published approval is due for re-review.");
    }
    let width = slug_width(articles);
    say(
        ctx.out,
        &format!(
            "{:<width$}  {:<18} {:<12} {:<11} APPROVED BY",
            "ARTICLE", "STATE", "PUBLISHABLE", "DUE SINCE"
        ),
    )?;
    for a in articles {
        if let Some(p) = &a.publishable {
            let who: Vec<&str> = p.approved_by.iter().map(Id::as_str).collect();
            say(
                ctx.out,
                &format!(
                    "{:<width$}  {:<18} {:<12} {:<11} {} on {}",
                    a.slug,
                    a.state.to_string(),
                    p.revision.label(),
                    p.due_at.date_naive().to_string(),
                    who.join(", "),
                    p.reviewed_at.date_naive()
                ),
            )?;
        }
    }
    Ok(())
}

fn print_detail(ctx: &mut Ctx<'_>, a: &ArticleSummary) -> Result<()> {
    say(ctx.out, &format!("{}: {}", a.slug, a.title))?;
    say(ctx.out, &format!("  state:        {}", a.state))?;
    for conflict in &a.conflicts {
        say(ctx.out, &format!("  conflict:     {conflict}"))?;
    }
    match &a.latest {
        Some(r) => say(
            ctx.out,
            &format!(
                "  latest:       {} submitted by {} on {}{}",
                r.label(),
                r.submitted_by,
                clock::short(&r.submitted_at),
                r.change
                    .map_or(String::new(), |c| format!(" ({} words)", c.short()))
            ),
        )?,
        None => say(ctx.out, "  latest:       never submitted")?,
    }
    match &a.publishable {
        Some(p) => {
            let who: Vec<&str> = p.approved_by.iter().map(Id::as_str).collect();
            say(
                ctx.out,
                &format!(
                    "  publishable:  {} approved by {} on {}",
                    p.revision.label(),
                    who.join(", "),
                    clock::short(&p.reviewed_at)
                ),
            )?;
            say(
                ctx.out,
                &format!("  re-review by: {}", p.due_at.date_naive()),
            )?;
        }
        None => say(ctx.out, "  publishable:  nothing")?,
    }
    let tree = if a.unsubmitted_edits {
        "edits not yet submitted"
    } else {
        "same as the latest revision"
    };
    say(ctx.out, &format!("  working tree: {tree}"))
}

/// The width of the ARTICLE column: the longest slug, at least the heading's.
fn slug_width(articles: &[ArticleSummary]) -> usize {
    articles
        .iter()
        .map(|a| a.slug.len())
        .max()
        .unwrap_or(0)
        .max("ARTICLE".len())
}
