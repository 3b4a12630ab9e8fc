//! `medreview check`: for CI and git hooks; lists every problem and exits 1 if any.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, print_json, say};
use medreview_core::check;
use medreview_core::error::Result;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print JSON (shape documented in docs/json.md)
    #[arg(long)]
    pub(super) json: bool,
    /// Also run the editorial rules (`medreview lint`) at error and warning level;
    /// errors fail the check
    #[arg(long)]
    lint: bool,
}

/// `check --json`: the report, and with `--lint` the counts of each article.
#[derive(serde::Serialize)]
struct CheckJson<'a> {
    #[serde(flatten)]
    report: &'a check::Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    lint: Option<Vec<super::lint::ArticleCounts>>,
}

/// Runs `check`.
pub fn cmd_check(ctx: &mut Ctx<'_>, args: CheckArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    medreview_remote::gate::fetch_checkpoint(&ws);
    let mut report = check::run(&ws, !args.json)?;
    // Pages are rendered in medreview-site, above the record: the templates a
    // publish would refuse are vetted here.
    report
        .problems
        .extend(medreview_site::publish::template_problems(&ws)?);
    let lint = if args.lint {
        let linter = medreview_lint::Linter::for_workspace(&ws)?.without_info();
        let (inputs, _) = medreview_lint::working_inputs(&ws, None)?;
        ws.git.memo.bulk();
        let outputs = linter.lint_all(inputs, ws.root(), &ws.git.memo, !args.json);
        let (articles, problems, _) = super::lint::collect(outputs, ws.root());
        report.problems.extend(problems);
        Some(articles)
    } else {
        None
    };
    ws.git.memo.save(true);
    let failed = report
        .problems
        .iter()
        .any(|p| matches!(p.severity, None | Some("error")));
    if args.json {
        print_json(
            ctx.out,
            &CheckJson {
                report: &report,
                lint,
            },
        )?;
    } else {
        for p in report.problems.iter().filter(|p| p.severity.is_none()) {
            let place = match (&p.file, p.line) {
                (Some(file), Some(line)) => format!("{file}:{line}: "),
                (Some(file), None) if p.commit.is_none() => format!("{file}: "),
                (Some(file), None) => format!("{file}: "),
                _ => String::new(),
            };
            say(ctx.out, &format!("{place}{} [{}]", p.message, p.code))?;
        }
        for p in report.problems.iter().filter(|p| p.severity.is_some()) {
            say(ctx.out, &super::lint::line(p))?;
        }
        for p in &report.repaired {
            say(ctx.out, &super::repaired_line(p))?;
        }
        for note in &report.notes {
            say(ctx.err, &format!("Note: {note}"))?;
        }
        for w in &report.warnings {
            let place = w
                .file
                .as_deref()
                .map(|f| format!("{f}: "))
                .unwrap_or_default();
            say(
                ctx.err,
                &format!("Warning: {place}{} [{}]", w.message, w.code),
            )?;
        }
        let record_problems = report
            .problems
            .iter()
            .filter(|p| p.severity.is_none())
            .count();
        say(
            ctx.err,
            &format!(
                "Checked {}, {} and {}{} ({} verified): {}.",
                medreview_core::plural::plural(report.articles, "article", "articles"),
                medreview_core::plural::plural(report.entries, "sign-off", "sign-offs"),
                medreview_core::plural::plural(report.commits, "commit", "commits"),
                match (&report.checkpoint, &report.checkpoint_signed_by) {
                    (Some(cp), Some(key)) => format!(
                        " since the checkpoint {} (resting on the gate's signed checkpoint, key {key})",
                        &cp[..10]
                    ),
                    (Some(cp), None) => format!(" since the checkpoint {}", &cp[..10]),
                    (None, _) => String::new(),
                },
                medreview_core::plural::plural(
                    report.entries_verified,
                    "new sign-off",
                    "new sign-offs"
                ),
                match record_problems {
                    0 => "no problems".to_owned(),
                    n => medreview_core::plural::plural(n, "problem", "problems"),
                }
            ),
        )?;
        if record_problems > 0 {
            say(
                ctx.err,
                "Run `medreview repair` to see the recorded fix for each problem.",
            )?;
        }
        if let Some(articles) = &lint {
            let mut total = medreview_lint::Counts::default();
            for a in articles {
                total.add(a.counts);
            }
            say(
                ctx.err,
                &format!(
                    "Editorial check of {}: {}.",
                    medreview_core::plural::plural(articles.len(), "article", "articles"),
                    total.describe()
                ),
            )?;
        }
    }
    Ok(if !failed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
