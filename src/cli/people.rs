//! `medreview writer add` and `medreview reviewer add`: roster changes, each one commit.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{Ctx, say};
use crate::clock;
use crate::error::{Error, Result};
use crate::ids::Id;
use crate::roster::{License, Reviewer, Role, Writer};
use crate::yaml;

/// `writer` subcommands.
#[derive(Debug, Subcommand)]
pub enum WriterCommand {
    /// Add a writer to writers/
    Add(WriterAddArgs),
}

/// `reviewer` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReviewerCommand {
    /// Add a medical reviewer to reviewers/
    Add(ReviewerAddArgs),
}

/// Fields every person has.
#[derive(Debug, Args)]
pub struct PersonArgs {
    /// The person's id: lowercase words joined by hyphens (e.g. suzanne-example)
    id: String,
    /// Full name as printed in bylines
    #[arg(long)]
    name: String,
    /// Email address (lets --as default from git's user.email)
    #[arg(long, value_name = "E")]
    email: Option<String>,
    /// A short bio for the foot of each page
    #[arg(long, value_name = "TEXT")]
    bio: Option<String>,
    /// OpenSSH public key that verifies this person's signed sign-offs
    #[arg(long, value_name = "KEY")]
    public_key: Option<String>,
}

/// Arguments of `writer add`.
#[derive(Debug, Args)]
pub struct WriterAddArgs {
    #[command(flatten)]
    person: PersonArgs,
}

/// Arguments of `reviewer add`.
#[derive(Debug, Args)]
pub struct ReviewerAddArgs {
    #[command(flatten)]
    person: PersonArgs,
    /// Credentials printed after the name (e.g. "M.D.")
    #[arg(long, value_name = "CRED")]
    credentials: String,
    /// A medical specialty (repeat for several)
    #[arg(long = "specialty", value_name = "S")]
    specialties: Vec<String>,
    /// License number
    #[arg(long, value_name = "N")]
    license_number: Option<String>,
    /// License region (state, province or country)
    #[arg(long, value_name = "R")]
    license_region: Option<String>,
    /// Last day the license is valid (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    license_expires: Option<String>,
}

/// Runs `writer ...`.
pub fn cmd_writer(ctx: &mut Ctx<'_>, command: WriterCommand) -> Result<ExitCode> {
    let WriterCommand::Add(args) = command;
    let p = args.person;
    let writer = Writer {
        name: required_text("--name", p.name)?,
        email: p.email,
        bio: p.bio,
        public_key: p.public_key,
    };
    add_person(ctx, Role::Writer, &p.id, &writer)
}

/// Runs `reviewer ...`.
pub fn cmd_reviewer(ctx: &mut Ctx<'_>, command: ReviewerCommand) -> Result<ExitCode> {
    let ReviewerCommand::Add(args) = command;
    let p = args.person;
    let expires = match args.license_expires.as_deref() {
        Some(text) => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            Error::refused_with_hint(
                format!("--license-expires {text:?} is not a date"),
                "write it as YYYY-MM-DD, e.g. 2027-06-30",
            )
        })?),
        None => None,
    };
    let has_license =
        args.license_number.is_some() || args.license_region.is_some() || expires.is_some();
    let license = has_license.then_some(License {
        number: args.license_number,
        region: args.license_region,
        expires,
    });
    let reviewer = Reviewer {
        name: required_text("--name", p.name)?,
        credentials: required_text("--credentials", args.credentials)?,
        specialties: args.specialties,
        license,
        email: p.email,
        bio: p.bio,
        public_key: p.public_key,
    };
    add_person(ctx, Role::Reviewer, &p.id, &reviewer)
}

fn required_text(flag: &str, value: String) -> Result<String> {
    if value.trim().is_empty() {
        return Err(Error::refused_with_hint(
            format!("{flag} is empty"),
            format!("give {flag} a value, as it should appear on published pages"),
        ));
    }
    Ok(value)
}

/// Writes `<folder>/<id>.yaml` and commits it.
fn add_person<T: serde::Serialize>(
    ctx: &mut Ctx<'_>,
    role: Role,
    id: &str,
    person: &T,
) -> Result<ExitCode> {
    let id = Id::parse(&format!("{} id", role.noun()), id)?;
    let ws = ctx.workspace()?;
    let now = clock::now()?;
    let _lock = ws.git.lock()?;
    let rel = role.file_rel(&id);
    let path = ws.path(&rel);
    if path.exists() {
        return Err(Error::refused_with_hint(
            format!("{} already exists", path.display()),
            format!("edit {rel} to change their details"),
        ));
    }
    let message = format!(
        "add {} {id}\n\nMedreview-Action: add-{}\nMedreview-Person: {id}\n",
        role.noun(),
        role.noun()
    );
    let commit = ws.commit(
        vec![(rel.clone(), yaml::to_string(person).into_bytes())],
        &message,
        None,
        now,
    )?;
    say(
        ctx.err,
        &format!(
            "Added {} {id} in {rel} (commit {}).",
            role.noun(),
            &commit[..10]
        ),
    )?;
    Ok(ExitCode::SUCCESS)
}
