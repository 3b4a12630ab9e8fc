//! `medreview publish`: export pages built only from approved revisions.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{Ctx, print_json, say};
use medreview_core::clock;
use medreview_core::error::Result;
use medreview_core::ids::Id;
use medreview_site::publish::{self, Format};

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// HTML pages, an index page and manifest.json
    Html,
    /// Front matter + Markdown for Hugo or Zola, and manifest.json
    Markdown,
}

/// Arguments of `publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The folder to write (replaced whole; created if missing)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// What to write
    #[arg(long, value_enum, default_value = "html")]
    format: FormatArg,
    /// Also record the publication as a git tag, made by this publisher (an id in medreview.yaml's publishers)
    #[arg(long = "as", value_name = "PUBLISHER")]
    as_id: Option<String>,
    /// Sign the publication's manifest (/.well-known/medreview/) with this SSH key, the publisher's key in the roster (needs --as)
    #[arg(long, value_name = "KEYFILE")]
    key: Option<PathBuf>,
    /// Publish even though this clone is behind the remote's last fetched state
    #[arg(long)]
    offline: bool,
    /// Print what was published as JSON (shape documented in docs/json.md)
    #[arg(long)]
    pub(super) json: bool,
}

/// `publish --json`.
#[derive(serde::Serialize)]
struct PublishJson<'a> {
    /// The folder written.
    out: String,
    /// The commit the pages were built from.
    commit: &'a str,
    /// The publication tag, when `--as` recorded one.
    tag: Option<&'a str>,
    /// The pages, as manifest.json lists them.
    articles: &'a [publish::ManifestArticle],
    /// Articles left out, and their state.
    skipped: Vec<Skipped<'a>>,
}

/// An article `publish` left out.
#[derive(serde::Serialize)]
struct Skipped<'a> {
    slug: &'a Id,
    state: medreview_core::record::evaluate::State,
}

/// Runs `publish`.
pub fn cmd_publish(ctx: &mut Ctx<'_>, args: PublishArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let now = clock::now()?;
    let format = match args.format {
        FormatArg::Html => Format::Html,
        FormatArg::Markdown => Format::Markdown,
    };
    let publisher = args
        .as_id
        .as_deref()
        .map(|id| Id::parse("publisher id (--as)", id))
        .transpose()?;
    let out = publish::resolve_out(&ctx.start, &args.out);
    let publish::Published {
        export,
        tag,
        tag_reused,
    } = publish::run(
        &ws,
        publish::Request {
            format,
            out: out.clone(),
            publisher,
            offline: args.offline,
            now,
            key: args.key,
        },
    )?;
    if args.json {
        return print_json(
            ctx.out,
            &PublishJson {
                out: out.display().to_string(),
                commit: &export.manifest.commit,
                tag: tag.as_deref(),
                articles: &export.manifest.articles,
                skipped: export
                    .skipped
                    .iter()
                    .map(|(slug, state)| Skipped {
                        slug,
                        state: *state,
                    })
                    .collect(),
            },
        )
        .map(|()| ExitCode::SUCCESS);
    }
    for a in &export.manifest.articles {
        say(
            ctx.out,
            &format!(
                "{}\tr{}\t{}\t{}",
                a.slug,
                a.revision_number,
                &a.revision.as_str()[..7],
                a.path
            ),
        )?;
    }
    let count = export.manifest.articles.len();
    say(
        ctx.err,
        &format!(
            "Published {} from commit {} into {}.",
            medreview_core::plural::plural(count, "article", "articles"),
            &export.manifest.commit[..10],
            out.display()
        ),
    )?;
    for (slug, due) in &export.overdue {
        say(
            ctx.err,
            &format!(
                "Warning: {slug} is published past its medical re-review date ({}); its reviewer renews it with `medreview recertify {slug}` after reading it again, or withdraws it.",
                due.date_naive()
            ),
        )?;
    }
    for (slug, state) in &export.skipped {
        let why = match state {
            medreview_core::record::evaluate::State::ReReviewDue => {
                "past its medical re-review date (review.overdue: unpublish); `medreview recertify SLUG` by its reviewer puts it back".replace("SLUG", slug.as_str())
            }
            _ => format!("{state}, no approved revision"),
        };
        say(ctx.err, &format!("Skipped {slug}: {why}."))?;
    }
    match tag {
        Some(name) if tag_reused => say(
            ctx.err,
            &format!(
                "This commit was published before, as tag {name}; that record stands (no second tag)."
            ),
        )?,
        Some(name) => say(ctx.err, &format!("Recorded the publication as tag {name}."))?,
        None => {}
    }
    Ok(ExitCode::SUCCESS)
}
