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
    /// A Hugo site: content/articles/, layouts/ from templates/hugo/, data/medreview/manifest.json
    Hugo,
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
    /// Publish as of this time (RFC 3339 with offset; default: now): schedules and re-review dates are judged at it, and the same commit at the same time publishes the same files
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    at: Option<String>,
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
    /// Publishable articles their schedule keeps off the site at this time.
    off_schedule: Vec<OffSchedule<'a>>,
}

/// A publishable article its schedule keeps off the site.
#[derive(serde::Serialize)]
struct OffSchedule<'a> {
    slug: &'a Id,
    /// When it may go up (RFC 3339), if the schedule says.
    not_before: Option<String>,
    /// When it comes down (RFC 3339), if the schedule says.
    not_after: Option<String>,
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
    let now = match &args.at {
        Some(at) => clock::parse_arg("--at", at)?,
        None => clock::now()?,
    };
    let format = match args.format {
        FormatArg::Html => Format::Html,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Hugo => Format::Hugo,
    };
    let publisher = args
        .as_id
        .as_deref()
        .map(|id| Id::parse("publisher id (--as)", id))
        .transpose()?;
    let out = publish::resolve_out(&ctx.start, &args.out);
    if !args.offline {
        medreview_remote::gate::fetch_checkpoint(&ws);
    }
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
                off_schedule: export
                    .off_schedule
                    .iter()
                    .map(|(slug, s)| OffSchedule {
                        slug,
                        not_before: s.not_before.as_ref().map(clock::rfc3339),
                        not_after: s.not_after.as_ref().map(clock::rfc3339),
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
    for (slug, schedule) in &export.off_schedule {
        let why = match (schedule.not_before, schedule.not_after) {
            (Some(from), _) if now < from => format!(
                "scheduled to go up at {}; a publish at or after that time puts it on the site",
                clock::rfc3339(&from)
            ),
            (_, Some(until)) => format!(
                "its schedule took it off the site at {}; a publisher changes that with `medreview schedule {slug} --clear`",
                clock::rfc3339(&until)
            ),
            _ => "its schedule keeps it off the site now".to_owned(),
        };
        say(ctx.err, &format!("Left out {slug}: {why}."))?;
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
