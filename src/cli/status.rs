//! `medreview status`: the review state of every article, or of one.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::{Ctx, print_json, say, slug_arg};
use medreview_core::clock;
use medreview_core::error::Result;
use medreview_core::ids::Id;
use medreview_site::report::ArticleSummary;

/// Arguments of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Show one article in detail
    slug: Option<String>,
    /// Print JSON (shape documented in docs/json.md)
    #[arg(long)]
    pub(super) json: bool,
    /// List only articles whose published approval is due for re-review
    #[arg(long, conflicts_with = "mine")]
    due: bool,
    /// Show what waits on you instead, as `medreview inbox` does
    #[arg(long, conflicts_with = "slug")]
    mine: bool,
    /// With --mine: whose inbox (default: the roster member with git's user.email)
    #[arg(long = "as", value_name = "ID", requires = "mine")]
    as_id: Option<String>,
}

/// An article in `status --json`: its summary and its editorial counts.
#[derive(Serialize)]
struct StatusArticle {
    #[serde(flatten)]
    summary: ArticleSummary,
    /// The editorial check of the working text at error and warning level (what
    /// `submit` judges); `null` when the text or the word list cannot be read.
    lint: Option<LintCounts>,
}

/// Errors and warnings of the editorial check.
#[derive(Serialize)]
struct LintCounts {
    errors: usize,
    warnings: usize,
}

/// Each article with its editorial counts, from the memo where it knows them (for
/// `--json`, so no progress bar).
fn with_lint(
    ws: &medreview_core::workspace::Workspace,
    articles: Vec<ArticleSummary>,
) -> Result<Vec<StatusArticle>> {
    // A settings or word list that cannot be read leaves the counts out (`null`);
    // `lint` and the sign-off commands say what is wrong with it.
    let Ok(linter) = medreview_lint::Linter::for_workspace(ws).map(|l| l.without_info()) else {
        return Ok(articles
            .into_iter()
            .map(|summary| StatusArticle {
                summary,
                lint: None,
            })
            .collect());
    };
    let mut slugs = Vec::new();
    for a in &articles {
        slugs.push(slug_arg(&a.slug)?);
    }
    let whole = slugs.len() > 1;
    let (inputs, _) = medreview_lint::working_inputs(ws, Some(slugs))?;
    if whole {
        ws.git.memo.bulk();
    }
    let outputs = linter.lint_all(inputs, ws.root(), &ws.git.memo, false);
    ws.git.memo.save(false);
    Ok(articles
        .into_iter()
        .zip(outputs)
        .map(|(summary, out)| StatusArticle {
            summary,
            lint: out.findings.ok().map(|f| {
                let c = medreview_lint::Counts::of(&f);
                LintCounts {
                    errors: c.errors,
                    warnings: c.warnings,
                }
            }),
        })
        .collect())
}

/// The `--json` document.
#[derive(Serialize)]
struct StatusJson {
    articles: Vec<StatusArticle>,
    /// Articles that could not be read, in the one problem shape (`check --json`'s).
    problems: Vec<medreview_core::check::Problem>,
    /// The branch against the remote's last fetched state; `null` without one.
    remote: Option<medreview_core::upstream::Standing>,
}

/// Runs `status`.
pub fn cmd_status(ctx: &mut Ctx<'_>, args: StatusArgs) -> Result<ExitCode> {
    if args.mine {
        let inbox = super::inbox::InboxArgs {
            json: args.json,
            as_id: args.as_id,
        };
        return super::inbox::cmd_inbox(ctx, inbox);
    }
    let ws = ctx.workspace()?;
    // Nothing committed: every record would read as missing; say it once.
    ws.git.head_snapshot()?;
    let now = clock::now()?;
    let single = args.slug.is_some();
    // The people every summary is judged by, read here too so status can say what
    // keeps them from judging (a damaged roster, a file in conflict).
    let people = ws.committed_people()?;
    // What `check` finds in the history, `status` says too, and an article whose
    // history has a problem counts no approval (one rule: `record::history`).
    // Incremental from the checkpoint, which a clean walk moves.
    let history: Vec<medreview_core::check::Problem> =
        medreview_core::record::history::judge_history(&ws, !args.json)?
            .into_iter()
            .map(medreview_core::check::Problem::from)
            .collect();
    let (mut articles, problems) = match &args.slug {
        // One article: read directly (the memo pays off only when every article is read).
        Some(slug) => {
            let slug = slug_arg(slug)?;
            let summary = medreview_site::report::summary(&ws, &*people, &slug, None, now)?;
            (vec![summary], Vec::new())
        }
        None => medreview_site::report::all_summaries(&ws, now, !args.json)?,
    };
    if args.due {
        articles.retain(|a| a.publishable.as_ref().is_some_and(|p| p.due_at <= now));
    }
    let remote = medreview_core::upstream::standing(&ws);
    super::warn_uncommitted(ctx, &ws)?;
    let damaged = super::warn_roster(ctx, &*people)?;
    // History problems are said, and in `--json` `problems`, but are not a failure
    // of status itself (the states shown already count no approval they touch).
    let damaged_or_history = damaged.is_some();
    if args.json {
        let failed = !problems.is_empty() || damaged_or_history;
        print_json(
            ctx.out,
            &StatusJson {
                articles: with_lint(&ws, articles)?,
                problems: damaged
                    .into_iter()
                    .chain(problems.iter().map(|e| {
                        medreview_core::check::Problem::from_error(super::UNREADABLE, e)
                            .relative_to(ws.root())
                    }))
                    .chain(history)
                    .collect(),
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
        say(ctx.err, &format!("Error: {p}"))?;
        if let Some(hint) = &p.hint() {
            say(ctx.err, &format!("Hint: {hint}"))?;
        }
    }
    if !history.is_empty() {
        for p in &history {
            let file = p
                .file
                .as_deref()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            say(ctx.err, &format!("Error: {file}{} [{}]", p.message, p.code))?;
        }
        say(
            ctx.err,
            "Hint: the record's history has problems `medreview check` reports, and publish refuses until they are put right: `medreview repair` lists the recorded fix for each, `medreview repair --yes` makes them",
        )?;
    }
    Ok(exit_code(!problems.is_empty() || damaged_or_history))
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
    let reviewer_width = articles
        .iter()
        .filter_map(|a| a.reviewer.as_ref().map(|r| r.as_str().len()))
        .max()
        .unwrap_or(0)
        .max("REVIEWER".len());
    say(
        ctx.out,
        &format!(
            "{:<width$}  {:<18} {:<11} {:<10} {:<12} {:<reviewer_width$}  LAST SIGN-OFF",
            "ARTICLE", "STATE", "LATEST", "CHANGE", "PUBLISHABLE", "REVIEWER"
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
        let reviewer = a.reviewer.as_ref().map_or("-", |r| r.as_str());
        say(
            ctx.out,
            &format!(
                "{:<width$}  {state:<18} {latest:<11} {change:<10} {publishable:<12} {reviewer:<reviewer_width$}  {last}",
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
    let reviewer = a
        .reviewer
        .as_ref()
        .map_or("none assigned".to_owned(), |r| r.to_string());
    say(ctx.out, &format!("  reviewer:     {reviewer}"))?;
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
    // What the latest revision still lacks, where review rules apply or some of
    // what it needs is there (the simple case in review says it by its state).
    let partly = a.needs.iter().any(|n| n.rule.is_some() || !n.by.is_empty());
    if let Some(missing) = a.missing.as_deref().filter(|_| partly) {
        say(ctx.out, &format!("  review:       {missing}"))?;
    }
    if let Some(r) = &a.open_request {
        say(
            ctx.out,
            &format!(
                "  sent back:    r{} by {} on {}",
                r.revision,
                r.by,
                clock::short(&r.at)
            ),
        )?;
        if let Some(note) = r.note.as_deref().filter(|n| !n.trim().is_empty()) {
            let note = note.trim().replace('\n', "\n                ");
            say(ctx.out, &format!("  note:         {note}"))?;
        }
    }
    let t = &a.threads;
    if t.open + t.resolved > 0 {
        let waiting = if t.awaiting_writer > 0 {
            format!(", {} waiting on {}", t.awaiting_writer, a.writer)
        } else {
            String::new()
        };
        say(
            ctx.out,
            &format!(
                "  comments:     {} open{waiting}, {} resolved (`medreview comments {}`)",
                medreview_core::plural::plural(t.open, "thread", "threads"),
                t.resolved,
                a.slug
            ),
        )?;
    }
    if let Some(s) = &a.schedule {
        let when = match (s.not_before, s.not_after) {
            (Some(from), Some(until)) => format!(
                "on the site from {} until {}",
                clock::short(&from),
                clock::short(&until)
            ),
            (Some(from), None) => format!("on the site from {}", clock::short(&from)),
            (None, Some(until)) => format!("on the site until {}", clock::short(&until)),
            (None, None) => "cleared: on the site whenever it is publishable".to_owned(),
        };
        say(ctx.out, &format!("  schedule:     {when}"))?;
    }
    match &a.publishable {
        Some(p) => {
            let who = approvers(p);
            say(
                ctx.out,
                &format!(
                    "  publishable:  {} approved by {} on {}",
                    p.revision.label(),
                    who,
                    clock::short(&p.approved_at)
                ),
            )?;
            if let Some(last) = p.recertified_by.last() {
                say(
                    ctx.out,
                    &format!(
                        "  re-reviewed:  by {last} on {}",
                        clock::short(&p.reviewed_at)
                    ),
                )?;
            }
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

/// Who approved, with the meaning of each approval that is not a medical review:
/// `ana-example, fred-example (fact-check)`.
fn approvers(p: &medreview_site::report::PublishableInfo) -> String {
    if p.approvals.is_empty() {
        let who: Vec<&str> = p.approved_by.iter().map(Id::as_str).collect();
        return who.join(", ");
    }
    let who: Vec<String> = p
        .approvals
        .iter()
        .map(|a| match a.is_medical() {
            true => a.by.to_string(),
            false => format!("{} ({})", a.by, a.meaning),
        })
        .collect();
    who.join(", ")
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
