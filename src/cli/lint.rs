//! `medreview lint`: the editorial rules over the articles' working text.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::{Ctx, print_json, say, slug_arg};
use medreview_core::check::Problem;
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_lint::{Counts, Linter, Output, Severity};

/// Arguments of `lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// The articles to lint (all of them when none is named)
    slugs: Vec<String>,
    /// Print JSON (shape documented in docs/json.md)
    #[arg(long)]
    pub(super) json: bool,
    /// Run only the rules at error and warning level, as submit, approve and check --lint do
    #[arg(long)]
    gates: bool,
}

/// `lint --json`.
#[derive(Serialize)]
struct LintJson {
    /// One line per article.
    articles: Vec<ArticleCounts>,
    /// Every finding, in the one problem shape (with `column` and `severity`).
    problems: Vec<Problem>,
    /// The totals.
    #[serde(flatten)]
    total: Counts,
}

/// The counts of one article.
#[derive(Serialize)]
pub(super) struct ArticleCounts {
    pub(super) slug: Id,
    pub(super) file: String,
    #[serde(flatten)]
    pub(super) counts: Counts,
    /// The reading grade and what it was counted over (`null` when `reading-grade`
    /// is off or the article has no graded words).
    pub(super) reading_grade: Option<medreview_lint::Reading>,
}

/// The problems and counts of linted articles; an article that could not be
/// read is one `article-unreadable` error.
pub(super) fn collect(
    outputs: Vec<Output>,
    root: &std::path::Path,
) -> (Vec<ArticleCounts>, Vec<Problem>, Counts) {
    let mut articles = Vec::new();
    let mut problems = Vec::new();
    let mut total = Counts::default();
    for out in outputs {
        let counts = match &out.findings {
            Ok(found) => {
                problems.extend(found.iter().map(|f| f.problem(&out.file)));
                Counts::of(found)
            }
            Err(e) => {
                let mut p = Problem::from_error(super::UNREADABLE, e).relative_to(root);
                p.severity = Some(Severity::Error.as_str());
                if p.file.is_none() {
                    p.file = Some(out.file.clone());
                }
                problems.push(p);
                Counts {
                    errors: 1,
                    ..Counts::default()
                }
            }
        };
        total.add(counts);
        articles.push(ArticleCounts {
            slug: out.slug,
            file: out.file,
            counts,
            reading_grade: out.reading,
        });
    }
    (articles, problems, total)
}

/// `file:line:column: severity: message [code]`, as compilers and Vale print it.
pub(super) fn line(p: &Problem) -> String {
    let place = match (&p.file, p.line, p.column) {
        (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}: "),
        (Some(f), Some(l), None) => format!("{f}:{l}: "),
        (Some(f), None, _) => format!("{f}: "),
        _ => String::new(),
    };
    format!(
        "{place}{}: {} [{}]",
        p.severity.unwrap_or("error"),
        p.message,
        p.code
    )
}

/// Runs `lint`.
pub fn cmd_lint(ctx: &mut Ctx<'_>, args: LintArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let linter = Linter::for_workspace(&ws)?;
    let linter = if args.gates {
        linter.without_info()
    } else {
        linter
    };
    if let Some(notice) = linter.spelling_notice()? {
        say(ctx.err, &format!("note: {notice}"))?;
    }
    let named = if args.slugs.is_empty() {
        None
    } else {
        let mut slugs = Vec::new();
        for s in &args.slugs {
            let slug = slug_arg(s)?;
            if !ws
                .path(&medreview_core::workspace::Workspace::article_rel(&slug))
                .is_file()
            {
                return Err(Error::new(
                    Code::UnknownArticle,
                    format!("there is no article `{slug}`"),
                ));
            }
            slugs.push(slug);
        }
        Some(slugs)
    };
    let whole = named.is_none();
    let (inputs, unlisted) = medreview_lint::working_inputs(&ws, named)?;
    if inputs.len() > 1 {
        ws.git.memo.bulk();
    }
    let outputs = linter.lint_all(inputs, ws.root(), &ws.git.memo, !args.json);
    ws.git.memo.save(whole);
    let linted = outputs.len();
    let (articles, mut problems, mut total) = collect(outputs, ws.root());
    for e in &unlisted {
        let mut p = Problem::from_error(super::UNREADABLE, e).relative_to(ws.root());
        p.severity = Some(Severity::Error.as_str());
        problems.push(p);
        total.errors += 1;
    }
    if args.json {
        print_json(
            ctx.out,
            &LintJson {
                articles,
                problems,
                total,
            },
        )?;
    } else {
        for p in &problems {
            say(ctx.out, &line(p))?;
        }
        say(
            ctx.err,
            &format!(
                "Linted {}: {}.",
                medreview_core::plural::plural(linted, "article", "articles"),
                total.describe()
            ),
        )?;
    }
    Ok(if total.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
