//! `medreview writer|reviewer|admin ...` and `whoami`: the roster, each change one
//! commit holding an admin's roster entry (see `roster::change`).

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{Ctx, SignerArgs, load_key, say};
use medreview_core::clock;
use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::roster::edit::{self, Proposal};
use medreview_core::roster::identity;
use medreview_core::roster::profile::Verification;
use medreview_core::roster::{License, Reviewer, Role, Writer};
use medreview_core::workspace::Workspace;

/// `writer` subcommands.
#[derive(Debug, Subcommand)]
pub enum WriterCommand {
    /// Add a writer to writers/
    Add(WriterAddArgs),
    /// Change a writer's details (only the fields given); their own key or email is theirs to change
    Edit(WriterEditArgs),
    /// Reset a lost key as an admin: applies once enough admins made the same reset
    ResetKey(ResetKeyArgs),
    /// List the writers
    List(super::people_list::ListArgs),
}

/// `reviewer` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReviewerCommand {
    /// Add a medical reviewer to reviewers/
    Add(ReviewerAddArgs),
    /// Change a reviewer's details (only the fields given), e.g. a renewed license; their own key or email is theirs to change
    Edit(ReviewerEditArgs),
    /// Reset a lost key as an admin: applies once enough admins made the same reset
    ResetKey(ResetKeyArgs),
    /// Retire a reviewer: no new decision of theirs counts; their past ones keep their meaning
    Retire(RetireArgs),
    /// List the reviewers
    List(super::people_list::ListArgs),
}

/// `admin` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Make a roster member an admin (the first one starts the audited roster)
    Add(AdminAddArgs),
    /// Take the admin role from someone (never the last admin)
    Remove(AdminAddArgs),
    /// Record governed files edited by hand (a template, dictionary.txt) exactly as they are now
    Record(AdminRecordArgs),
}

/// `publisher` subcommands.
#[derive(Debug, Subcommand)]
pub enum PublisherCommand {
    /// Let a roster member record publications (`publish --as ID`)
    Add(AdminAddArgs),
    /// Take the publisher role from someone
    Remove(AdminAddArgs),
}

/// Arguments of `admin record`.
#[derive(Debug, Args)]
pub struct AdminRecordArgs {
    /// The governed files to record, from the workspace folder (templates/article.html, dictionary.txt, ...)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// What changed and why, for the record
    #[arg(short = 'm', long = "message", value_name = "NOTE", required = true)]
    message: String,
    #[command(flatten)]
    signer: SignerArgs,
}

/// Fields every person has, besides the name.
#[derive(Debug, Args)]
pub struct PersonArgs {
    /// The person's id: lowercase words joined by hyphens (e.g. suzanne-example)
    id: String,
    /// Email address (what git's user.email must be for them to act)
    #[arg(long, value_name = "E")]
    email: Option<String>,
    /// A short bio for the foot of each page
    #[arg(long, value_name = "TEXT")]
    bio: Option<String>,
    /// OpenSSH public key that verifies this person's signed sign-offs
    #[arg(long, value_name = "KEY")]
    public_key: Option<String>,
    #[command(flatten)]
    signer: SignerArgs,
}

/// Arguments of `writer add`.
#[derive(Debug, Args)]
pub struct WriterAddArgs {
    #[command(flatten)]
    person: PersonArgs,
    /// Full name as printed in bylines
    #[arg(long)]
    name: String,
}

/// Arguments of `writer edit`.
#[derive(Debug, Args)]
pub struct WriterEditArgs {
    #[command(flatten)]
    person: PersonArgs,
    /// Full name as printed in bylines
    #[arg(long)]
    name: Option<String>,
}

/// A reviewer's own fields.
#[derive(Debug, Args)]
pub struct ReviewerFields {
    /// A medical specialty (repeat for several; replaces the list)
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
    #[command(flatten)]
    profile: ProfileArgs,
}

/// What a reviewer's page says beyond the byline.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// Record that you, an admin, checked the license today at SOURCE (the board's lookup page address, or a short text)
    #[arg(long, value_name = "SOURCE")]
    verified_source: Option<String>,
    /// A conflict of interest, shown on the reviewer's page (repeat for several; replaces the list)
    #[arg(
        long = "disclosure",
        value_name = "TEXT",
        conflicts_with = "no_disclosures"
    )]
    disclosures: Vec<String>,
    /// Declare that the reviewer has no conflicts of interest (the page says "None declared")
    #[arg(long)]
    no_disclosures: bool,
    /// A profile page elsewhere: the licensing board, ORCID, the NPI registry (repeat for several; replaces the list)
    #[arg(long = "same-as", value_name = "URL", conflicts_with = "no_same_as")]
    same_as: Vec<String>,
    /// Remove every profile address
    #[arg(long)]
    no_same_as: bool,
}

/// Arguments of `reviewer add`.
#[derive(Debug, Args)]
pub struct ReviewerAddArgs {
    #[command(flatten)]
    person: PersonArgs,
    /// Full name as printed in bylines
    #[arg(long)]
    name: String,
    /// Credentials printed after the name (e.g. "M.D.")
    #[arg(long, value_name = "CRED")]
    credentials: String,
    #[command(flatten)]
    fields: ReviewerFields,
}

/// Arguments of `reviewer edit`.
#[derive(Debug, Args)]
pub struct ReviewerEditArgs {
    #[command(flatten)]
    person: PersonArgs,
    /// Full name as printed in bylines
    #[arg(long)]
    name: Option<String>,
    /// Credentials printed after the name (e.g. "M.D.")
    #[arg(long, value_name = "CRED")]
    credentials: Option<String>,
    #[command(flatten)]
    fields: ReviewerFields,
}

/// Arguments of `writer|reviewer reset-key`.
#[derive(Debug, Args)]
pub struct ResetKeyArgs {
    /// The person's id
    id: String,
    /// The person's new OpenSSH public key (every admin making the reset gives the same)
    #[arg(long, value_name = "KEY", required = true)]
    public_key: String,
    #[command(flatten)]
    signer: SignerArgs,
}

/// Runs `writer|reviewer reset-key`.
fn reset_key(ctx: &mut Ctx<'_>, role: Role, args: ResetKeyArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let id = Id::parse("person id", &args.id)?;
    let proposal = edit::reset_key(&ws, role, &id, &args.public_key)?;
    record(ctx, &ws, proposal, &args.signer)
}

/// Arguments of `reviewer retire`.
#[derive(Debug, Args)]
pub struct RetireArgs {
    /// The reviewer's id
    id: String,
    #[command(flatten)]
    signer: SignerArgs,
}

/// Arguments of `admin add|remove` and `publisher add|remove`.
#[derive(Debug, Args)]
pub struct AdminAddArgs {
    /// The person's roster id
    id: String,
    #[command(flatten)]
    signer: SignerArgs,
}

/// Runs `writer ...`.
pub fn cmd_writer(ctx: &mut Ctx<'_>, command: WriterCommand) -> Result<ExitCode> {
    let (p, name, adding) = match command {
        WriterCommand::Add(args) => (args.person, Some(args.name), true),
        WriterCommand::Edit(args) => (args.person, args.name, false),
        WriterCommand::ResetKey(args) => return reset_key(ctx, Role::Writer, args),
        WriterCommand::List(args) => {
            return super::people_list::cmd_list(ctx, Role::Writer, &args);
        }
    };
    let ws = ctx.workspace()?;
    let id = Id::parse("writer id", &p.id)?;
    let mut writer = match edit::existing::<Writer>(&ws, Role::Writer, &id, adding)? {
        Some(writer) => writer,
        None => Writer {
            name: String::new(),
            email: None,
            bio: None,
            public_key: None,
        },
    };
    if let Some(name) = name {
        writer.name = edit::required_text("--name", name)?;
    }
    set(&mut writer.email, edit::checked_email(p.email.clone())?);
    set(&mut writer.bio, p.bio.clone());
    set(&mut writer.public_key, p.public_key.clone());
    edit::check_key(writer.public_key.as_deref())?;
    let proposal = edit::person(&ws, Role::Writer, &id, &writer, adding)?;
    record(ctx, &ws, proposal, &p.signer)
}

/// Runs `reviewer ...`.
pub fn cmd_reviewer(ctx: &mut Ctx<'_>, command: ReviewerCommand) -> Result<ExitCode> {
    let (p, name, credentials, fields, adding) = match command {
        ReviewerCommand::Add(a) => (a.person, Some(a.name), Some(a.credentials), a.fields, true),
        ReviewerCommand::Edit(a) => (a.person, a.name, a.credentials, a.fields, false),
        ReviewerCommand::Retire(args) => return retire(ctx, args),
        ReviewerCommand::ResetKey(args) => return reset_key(ctx, Role::Reviewer, args),
        ReviewerCommand::List(args) => {
            return super::people_list::cmd_list(ctx, Role::Reviewer, &args);
        }
    };
    let ws = ctx.workspace()?;
    let id = Id::parse("reviewer id", &p.id)?;
    let expires = match fields.license_expires.as_deref() {
        Some(text) => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            Error::with_hint(
                Code::InvalidArgument,
                format!("--license-expires {text:?} is not a date"),
                "write it as YYYY-MM-DD, e.g. 2027-06-30",
            )
        })?),
        None => None,
    };
    let mut reviewer = match edit::existing::<Reviewer>(&ws, Role::Reviewer, &id, adding)? {
        Some(reviewer) => reviewer,
        None => Reviewer::named("", ""),
    };
    if let Some(name) = name {
        reviewer.name = edit::required_text("--name", name)?;
    }
    if let Some(credentials) = credentials {
        reviewer.credentials = edit::required_text("--credentials", credentials)?;
    }
    if !fields.specialties.is_empty() {
        reviewer.specialties = fields.specialties;
    }
    if fields.license_number.is_some() || fields.license_region.is_some() || expires.is_some() {
        let license = reviewer.license.get_or_insert_with(License::default);
        set(&mut license.number, fields.license_number);
        set(&mut license.region, fields.license_region);
        set(&mut license.expires, expires);
    }
    set(&mut reviewer.email, edit::checked_email(p.email.clone())?);
    set(&mut reviewer.bio, p.bio.clone());
    set(&mut reviewer.public_key, p.public_key.clone());
    edit::check_key(reviewer.public_key.as_deref())?;
    profile(
        &ws,
        &mut reviewer,
        fields.profile,
        p.signer.as_id.as_deref(),
    )?;
    let proposal = edit::person(&ws, Role::Reviewer, &id, &reviewer, adding)?;
    record(ctx, &ws, proposal, &p.signer)
}

/// Runs `admin add|remove|record`.
pub fn cmd_admin(ctx: &mut Ctx<'_>, command: AdminCommand) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let (proposal, signer) = match command {
        AdminCommand::Add(args) => {
            let id = Id::parse("admin id", &args.id)?;
            (edit::admin_add(&ws, &id)?, args.signer)
        }
        AdminCommand::Remove(args) => {
            let id = Id::parse("admin id", &args.id)?;
            (
                edit::role_change(&ws, edit::ListRole::Admin, &id, false)?,
                args.signer,
            )
        }
        AdminCommand::Record(args) => {
            let paths = args
                .paths
                .iter()
                .map(|p| workspace_relative(ctx, &ws, p))
                .collect::<Result<Vec<_>>>()?;
            (edit::record_files(&ws, &paths, &args.message)?, args.signer)
        }
    };
    record(ctx, &ws, proposal, &signer)
}

/// Runs `publisher add|remove`.
pub fn cmd_publisher(ctx: &mut Ctx<'_>, command: PublisherCommand) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let (args, add) = match command {
        PublisherCommand::Add(args) => (args, true),
        PublisherCommand::Remove(args) => (args, false),
    };
    let id = Id::parse("publisher id", &args.id)?;
    let proposal = edit::role_change(&ws, edit::ListRole::Publisher, &id, add)?;
    record(ctx, &ws, proposal, &args.signer)
}

/// `path` as given on the command line (from the current folder), made relative to
/// the workspace folder with `/` between parts.
pub(super) fn workspace_relative(ctx: &Ctx<'_>, ws: &Workspace, path: &str) -> Result<String> {
    let given = std::path::Path::new(path);
    let start = ctx
        .start
        .canonicalize()
        .unwrap_or_else(|_| ctx.start.clone());
    let joined = start.join(given);
    let mut parts: Vec<String> = Vec::new();
    for part in joined.components() {
        match part {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::CurDir => {}
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    let normal: std::path::PathBuf = parts.iter().collect();
    let root = ws.root();
    let rel = normal
        .strip_prefix(root)
        .ok()
        .or_else(|| std::path::Path::new(path).strip_prefix(root).ok())
        .map(|r| {
            r.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        });
    rel.filter(|r| !r.is_empty()).ok_or_else(|| {
        Error::with_hint(
            Code::InvalidArgument,
            format!("{path} is not inside the workspace {}", root.display()),
            "name a file inside the workspace, e.g. templates/article.html",
        )
    })
}

/// Runs `whoami`.
pub fn cmd_whoami(ctx: &mut Ctx<'_>) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let people = ws.people()?;
    let state = people.current();
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    let email = ws.git.config_string("user.email");
    let Some(me) = identity::me(&state.roster, email.as_deref()) else {
        say(
            ctx.out,
            &format!(
                "{}: not on the roster",
                email.as_deref().unwrap_or("git has no user.email")
            ),
        )?;
        return Ok(ExitCode::from(1));
    };
    let roles = identity::roles(&state.roster, &config, &me);
    let name = state.roster.name_of(&me).unwrap_or_default().to_owned();
    say(
        ctx.out,
        &format!(
            "{me} ({name}, {}): {}",
            email.unwrap_or_default(),
            roles.join(", ")
        ),
    )?;
    if !people.audited() {
        say(
            ctx.err,
            "The roster is not audited yet: anyone can record as anyone. Run `medreview admin add ID` to start its record.",
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn retire(ctx: &mut Ctx<'_>, args: RetireArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let id = Id::parse("reviewer id", &args.id)?;
    let proposal = edit::retire(&ws, &id, clock::now()?.date_naive())?;
    record(ctx, &ws, proposal, &args.signer)
}

/// Sets the profile fields given: a license verification by the person running
/// the command (an admin) on today's date, the disclosures, the profile addresses.
fn profile(
    ws: &Workspace,
    reviewer: &mut Reviewer,
    args: ProfileArgs,
    as_id: Option<&str>,
) -> Result<()> {
    if let Some(source) = args.verified_source {
        reviewer.verified = Some(Verification {
            by: edit::acting_id(ws, as_id)?,
            on: clock::now()?.date_naive(),
            source: source.trim().to_owned(),
        });
    }
    if args.no_disclosures {
        reviewer.disclosures = Some(Vec::new());
    } else if !args.disclosures.is_empty() {
        reviewer.disclosures = Some(
            args.disclosures
                .into_iter()
                .map(|d| d.trim().to_owned())
                .collect(),
        );
    }
    if args.no_same_as {
        reviewer.same_as.clear();
    } else if !args.same_as.is_empty() {
        reviewer.same_as = args
            .same_as
            .into_iter()
            .map(|u| u.trim().to_owned())
            .collect();
    }
    edit::check_profile(reviewer)
}

fn set<T>(field: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *field = value;
    }
}

/// Records `proposal` as the acting admin and says what was done.
pub(super) fn record(
    ctx: &mut Ctx<'_>,
    ws: &Workspace,
    proposal: Proposal,
    signer: &SignerArgs,
) -> Result<ExitCode> {
    let recorded = edit::record(
        ws,
        proposal,
        signer.as_id.as_deref(),
        || load_key(ws, signer),
        clock::now()?,
    )?;
    let how = if recorded.audited {
        "recorded in the roster's record"
    } else {
        "not audited: the roster has no admin yet (`medreview admin add ID`)"
    };
    say(
        ctx.err,
        &format!(
            "{} (commit {}; {how}).",
            recorded.done,
            &recorded.commit[..10]
        ),
    )?;
    Ok(ExitCode::SUCCESS)
}
