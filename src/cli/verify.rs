//! `medreview verify`: check a published site against its reviewers' signatures,
//! with no access to the repository.

use std::process::ExitCode;

use clap::Args;

use super::{Ctx, print_json, say};
use medreview_core::error::Result;
use medreview_site::verify;

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The published folder, or the site's address (http:// or https://, read with curl)
    #[arg(value_name = "DIR|URL")]
    site: String,
    /// Require the manifest to be signed with this publisher key (an OpenSSH public key line, or a .pub file)
    #[arg(long, value_name = "KEY|FILE")]
    trust_key: Option<String>,
    /// Print what was checked as JSON (shape documented in docs/json.md)
    #[arg(long)]
    pub(super) json: bool,
}

/// Runs `verify`: exit 0 when everything verifies, 1 when something does not.
pub fn cmd_verify(ctx: &mut Ctx<'_>, args: VerifyArgs) -> Result<ExitCode> {
    let trust = args
        .trust_key
        .as_deref()
        .map(|value| verify::trust_key(value, &ctx.start))
        .transpose()?;
    let site = verify::fetch::open(&args.site, &ctx.start)?;
    let report = verify::verify(&*site, trust.as_deref())?;
    let code = if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    if args.json {
        return print_json(ctx.out, &report).map(|()| code);
    }
    for page in &report.pages {
        let line = if page.problems.is_empty() {
            format!(
                "OK    {}\tr{} {}\treviewed by {}",
                page.path,
                page.revision_number,
                &page.revision[..7.min(page.revision.len())],
                page.reviewed_by.join(" and ")
            )
        } else {
            format!(
                "FAIL  {}\tr{} {}\t{}",
                page.path,
                page.revision_number,
                &page.revision[..7.min(page.revision.len())],
                page.problems.join("; ")
            )
        };
        say(ctx.out, &line)?;
    }
    for problem in &report.problems {
        say(ctx.out, &format!("FAIL  {problem}"))?;
    }
    let mark = if report.signature.verified {
        "OK  "
    } else {
        "FAIL"
    };
    say(ctx.out, &format!("{mark}  {}", report.signature.message))?;
    let failed = report
        .pages
        .iter()
        .filter(|p| !p.problems.is_empty())
        .count();
    let summary = if report.ok() {
        format!(
            "Verified {} of {} (commit {}).",
            medreview_core::plural::plural(report.pages.len(), "page", "pages"),
            report.publication,
            &report.commit[..10.min(report.commit.len())]
        )
    } else {
        format!(
            "Not verified: {} of {} failed{}. Do not trust what does not verify; tell the publisher.",
            failed,
            medreview_core::plural::plural(report.pages.len(), "page", "pages"),
            if report.signature.verified && report.problems.is_empty() {
                String::new()
            } else {
                ", and the publication itself does not check out".to_owned()
            }
        )
    };
    say(ctx.err, &summary)?;
    Ok(code)
}
