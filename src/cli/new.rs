//! `medreview new`: start an article from front matter and an empty body.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, say, slug_arg};
use medreview_core::article::{Article, FrontMatter};
use medreview_core::clock;
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::roster::Roster;
use medreview_core::workspace::Workspace;

/// Arguments of `new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The article's slug: lowercase words joined by hyphens (e.g. her2-treatment)
    slug: String,
    /// The headline
    #[arg(long)]
    title: String,
    /// The writer's roster id
    #[arg(long, value_name = "ID")]
    writer: String,
    /// The medical reviewer to ask for
    #[arg(long, value_name = "ID")]
    reviewer: Option<String>,
    /// A topic, usually a specialty (e.g. oncology)
    #[arg(long, value_name = "T")]
    topic: Option<String>,
}

/// Runs `new`.
pub fn cmd_new(ctx: &mut Ctx<'_>, args: NewArgs) -> Result<ExitCode> {
    let slug = slug_arg(&args.slug)?;
    let writer = Id::parse("writer id", &args.writer)?;
    let reviewer = args
        .reviewer
        .as_deref()
        .map(|r| Id::parse("reviewer id", r))
        .transpose()?;
    if args.title.trim().is_empty() {
        return Err(Error::with_hint(
            Code::InvalidArgument,
            "--title is empty",
            "give the headline, e.g. --title \"Who Should Get the Flu Vaccine\"",
        ));
    }
    let ws = ctx.workspace()?;
    let now = clock::now()?;
    let _lock = ws.git.lock()?;
    let dir = ws.path(&format!("articles/{slug}"));
    if std::fs::symlink_metadata(&dir).is_ok() {
        return Err(Error::with_hint(
            Code::AlreadyExists,
            format!("article {slug} already exists ({})", dir.display()),
            "pick another slug, or edit the existing article",
        ));
    }
    let front = FrontMatter {
        title: args.title,
        writer,
        reviewer,
        topic: args.topic,
        summary: None,
        sources: Vec::new(),
    };
    let text = Article::skeleton(&front);
    let rel = Workspace::article_rel(&slug);
    let article = Article::parse(text.as_bytes(), &ws.path(&rel))?;
    article.check_people(&Roster::load(&ws)?, &ws.path(&rel))?;
    let message = format!(
        "new {slug}\n\n{}\n\nMedreview-Action: new\nMedreview-Article: {slug}\n",
        front.title
    );
    let commit = ws.commit(vec![(rel.clone(), text.into_bytes())], &message, None, now)?;
    say(
        ctx.err,
        &format!(
            "Created {rel} (commit {}).\nNext: write the article in {rel}, then `medreview submit {slug}`.",
            &commit[..10]
        ),
    )?;
    Ok(ExitCode::SUCCESS)
}
