//! `medreview inbox` (and `status --mine`): what waits on me, oldest first.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::{Ctx, print_json, say};
use medreview_core::clock;
use medreview_core::error::Result;
use medreview_core::ids::Id;
use medreview_site::inbox::{Item, Kind};

/// Arguments of `inbox`.
#[derive(Debug, Args)]
pub struct InboxArgs {
    /// Print JSON (shape documented in docs/json.md)
    #[arg(long)]
    pub json: bool,
    /// Show the inbox of this roster member (default: the one with git's user.email)
    #[arg(long = "as", value_name = "ID")]
    pub as_id: Option<String>,
}

/// The `--json` document.
#[derive(Serialize)]
struct InboxJson<'a> {
    /// Whose inbox.
    me: &'a Id,
    /// Their roles.
    roles: Vec<&'static str>,
    /// What waits on them, oldest first.
    items: &'a [Item],
    /// Articles that could not be read, in the one problem shape (`check --json`'s).
    problems: Vec<medreview_core::check::Problem>,
}

/// Runs `inbox`.
pub fn cmd_inbox(ctx: &mut Ctx<'_>, args: InboxArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    ws.git.head_snapshot()?;
    let now = clock::now()?;
    let people = ws.committed_people()?;
    let state = people.current();
    let roster = &state.roster;
    let me = medreview_site::inbox::whose(
        roster,
        args.as_id.as_deref(),
        ws.git.config_string("user.email").as_deref(),
    )?;
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    let roles = medreview_core::roster::identity::roles(roster, &config, &me);
    let (articles, problems) = medreview_site::report::all_summaries(&ws, now, !args.json)?;
    let mut items = medreview_site::inbox::items(&me, roster, &articles, now);
    if roles.contains(&"publisher") {
        let published = medreview_site::publish::last_publication(&ws.git);
        items.extend(medreview_site::inbox::publisher_items(
            &me, roster, &articles, published, now,
        ));
        medreview_site::inbox::sort(&mut items);
    }
    super::warn_uncommitted(ctx, &ws)?;
    let failed = super::warn_roster(ctx, &*people)?.is_some() || !problems.is_empty();
    if args.json {
        let problems = problems
            .iter()
            .map(|e| {
                medreview_core::check::Problem::from_error(super::UNREADABLE, e)
                    .relative_to(ws.root())
            })
            .collect();
        print_json(
            ctx.out,
            &InboxJson {
                me: &me,
                roles,
                items: &items,
                problems,
            },
        )?;
    } else if items.is_empty() {
        say(ctx.err, &format!("Nothing waits on {me}."))?;
    } else {
        print_items(ctx, &items)?;
    }
    if !args.json {
        for p in &problems {
            say(ctx.err, &format!("Error: {p}"))?;
            if let Some(hint) = p.hint() {
                say(ctx.err, &format!("Hint: {hint}"))?;
            }
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One line per item: since when, the article, what waits and the commands to run.
fn print_items(ctx: &mut Ctx<'_>, items: &[Item]) -> Result<()> {
    let width = items
        .iter()
        .map(|i| i.slug.len())
        .max()
        .unwrap_or(0)
        .max("ARTICLE".len());
    say(
        ctx.out,
        &format!("{:<10}  {:<width$}  WHAT TO DO", "SINCE", "ARTICLE"),
    )?;
    for item in items {
        let since = item
            .since
            .map_or("-".to_owned(), |t| t.date_naive().to_string());
        let run: Vec<String> = item.commands.iter().map(|c| format!("`{c}`")).collect();
        let threads = if item.open_threads > 0
            && matches!(item.kind, Kind::Decide | Kind::Answered | Kind::SentBack)
        {
            format!(
                " ({} open)",
                medreview_core::plural::plural(
                    item.open_threads,
                    "comment thread",
                    "comment threads"
                )
            )
        } else {
            String::new()
        };
        say(
            ctx.out,
            &format!(
                "{since:<10}  {:<width$}  {}{threads}; run {}",
                item.slug,
                item.what,
                run.join(", then ")
            ),
        )?;
    }
    Ok(())
}
