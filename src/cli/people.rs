//! `medreview writer|reviewer|admin ...` and `whoami`: the roster, each change one
//! commit holding an admin's roster entry (see `roster::change`).

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::{Ctx, SignerArgs, load_key, say};
use medreview_core::clock;
use medreview_core::error::{Error, Result};
use medreview_core::ids::Id;
use medreview_core::roster::change::{self, Change};
use medreview_core::roster::identity;
use medreview_core::roster::{License, Reviewer, Role, Roster, Writer};
use medreview_core::workspace::{CONFIG_FILE, Workspace};
use medreview_core::yaml;

/// `writer` subcommands.
#[derive(Debug, Subcommand)]
pub enum WriterCommand {
    /// Add a writer to writers/
    Add(WriterAddArgs),
    /// Change a writer's details (only the fields given)
    Edit(WriterEditArgs),
    /// List the writers
    List(super::people_list::ListArgs),
}

/// `reviewer` subcommands.
#[derive(Debug, Subcommand)]
pub enum ReviewerCommand {
    /// Add a medical reviewer to reviewers/
    Add(ReviewerAddArgs),
    /// Change a reviewer's details (only the fields given), e.g. a renewed license or a new key
    Edit(ReviewerEditArgs),
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

/// Arguments of `reviewer retire`.
#[derive(Debug, Args)]
pub struct RetireArgs {
    /// The reviewer's id
    id: String,
    #[command(flatten)]
    signer: SignerArgs,
}

/// Arguments of `admin add`.
#[derive(Debug, Args)]
pub struct AdminAddArgs {
    /// The roster id of the new admin
    id: String,
    #[command(flatten)]
    signer: SignerArgs,
}

/// Runs `writer ...`.
pub fn cmd_writer(ctx: &mut Ctx<'_>, command: WriterCommand) -> Result<ExitCode> {
    let (p, name, adding) = match command {
        WriterCommand::Add(args) => (args.person, Some(args.name), true),
        WriterCommand::Edit(args) => (args.person, args.name, false),
        WriterCommand::List(args) => {
            return super::people_list::cmd_list(ctx, Role::Writer, &args);
        }
    };
    let ws = ctx.workspace()?;
    let id = Id::parse("writer id", &p.id)?;
    let mut writer = match existing::<Writer>(&ws, Role::Writer, &id, adding)? {
        Some(writer) => writer,
        None => Writer {
            name: String::new(),
            email: None,
            bio: None,
            public_key: None,
        },
    };
    if let Some(name) = name {
        writer.name = required_text("--name", name)?;
    }
    set(&mut writer.email, checked_email(p.email.clone())?);
    set(&mut writer.bio, p.bio.clone());
    set(&mut writer.public_key, p.public_key.clone());
    check_key(writer.public_key.as_deref())?;
    save(ctx, &ws, Role::Writer, &id, &writer, &p.signer, adding)
}

/// Runs `reviewer ...`.
pub fn cmd_reviewer(ctx: &mut Ctx<'_>, command: ReviewerCommand) -> Result<ExitCode> {
    let (p, name, credentials, fields, adding) = match command {
        ReviewerCommand::Add(a) => (a.person, Some(a.name), Some(a.credentials), a.fields, true),
        ReviewerCommand::Edit(a) => (a.person, a.name, a.credentials, a.fields, false),
        ReviewerCommand::Retire(args) => return retire(ctx, args),
        ReviewerCommand::List(args) => {
            return super::people_list::cmd_list(ctx, Role::Reviewer, &args);
        }
    };
    let ws = ctx.workspace()?;
    let id = Id::parse("reviewer id", &p.id)?;
    let expires = match fields.license_expires.as_deref() {
        Some(text) => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            Error::refused_with_hint(
                format!("--license-expires {text:?} is not a date"),
                "write it as YYYY-MM-DD, e.g. 2027-06-30",
            )
        })?),
        None => None,
    };
    let mut reviewer = match existing::<Reviewer>(&ws, Role::Reviewer, &id, adding)? {
        Some(reviewer) => reviewer,
        None => Reviewer {
            name: String::new(),
            credentials: String::new(),
            specialties: Vec::new(),
            license: None,
            email: None,
            bio: None,
            public_key: None,
            retired: None,
        },
    };
    if let Some(name) = name {
        reviewer.name = required_text("--name", name)?;
    }
    if let Some(credentials) = credentials {
        reviewer.credentials = required_text("--credentials", credentials)?;
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
    set(&mut reviewer.email, checked_email(p.email.clone())?);
    set(&mut reviewer.bio, p.bio.clone());
    set(&mut reviewer.public_key, p.public_key.clone());
    check_key(reviewer.public_key.as_deref())?;
    save(ctx, &ws, Role::Reviewer, &id, &reviewer, &p.signer, adding)
}

/// Runs `admin add`.
pub fn cmd_admin(ctx: &mut Ctx<'_>, command: AdminCommand) -> Result<ExitCode> {
    let AdminCommand::Add(args) = command;
    let ws = ctx.workspace()?;
    let id = Id::parse("admin id", &args.id)?;
    let roster = ws.people()?.current().roster.clone();
    if !roster.contains(&id) {
        return Err(Error::refused_with_hint(
            format!("{id} is not in writers/ or reviewers/"),
            roster.hint_for(
                None,
                id.as_str(),
                format!("add them first (`medreview writer add {id} --name NAME --email E`)"),
            ),
        ));
    }
    let mut config = ws.config.clone();
    if config.admins.contains(&id) {
        return Err(Error::refused_with_hint(
            format!("{id} is already an admin"),
            "nothing to do",
        ));
    }
    config.admins.push(id.clone());
    let text = std::fs::read_to_string(ws.path(CONFIG_FILE))
        .map_err(|e| Error::io("read", &ws.path(CONFIG_FILE), e))?;
    let text = change::with_admins(&text, &config.admins);
    let what = format!("admin add {id}");
    let trailers = format!("Medreview-Action: admin-add\nMedreview-Person: {id}\n");
    let done = format!("Made {id} an admin");
    let change = (
        vec![(CONFIG_FILE.into(), text.into_bytes())],
        what,
        trailers,
    );
    record(ctx, &ws, change, &args.signer, &done, Some(&id))
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
    let mut reviewer = existing::<Reviewer>(&ws, Role::Reviewer, &id, false)?
        .ok_or_else(|| Error::refused(format!("there is no reviewer {id}")))?;
    if let Some(day) = reviewer.retired {
        return Err(Error::refused_with_hint(
            format!("{id} retired on {day} already"),
            "nothing to do",
        ));
    }
    reviewer.retired = Some(clock::now()?.date_naive());
    let what = format!("retire reviewer {id}");
    let trailers = format!("Medreview-Action: retire-reviewer\nMedreview-Person: {id}\n");
    let done = format!("Retired reviewer {id}");
    let text = yaml::to_string(&reviewer);
    let change = (
        vec![(Role::Reviewer.file_rel(&id), text.into_bytes())],
        what,
        trailers,
    );
    record(ctx, &ws, change, &args.signer, &done, None)
}

/// The person's file as it is (for `edit`), refusing a missing one, or `None` for
/// `add`, refusing one that exists.
fn existing<T: serde::de::DeserializeOwned>(
    ws: &Workspace,
    role: Role,
    id: &Id,
    adding: bool,
) -> Result<Option<T>> {
    let rel = role.file_rel(id);
    let path = ws.path(&rel);
    match (path.exists(), adding) {
        (true, true) => Err(Error::refused_with_hint(
            format!("{} already exists", path.display()),
            format!(
                "edit {} with `medreview {} edit {id} ...` to change their details",
                role.file_rel(id),
                role.noun()
            ),
        )),
        (false, false) => Err(Error::refused_with_hint(
            format!(
                "there is no {} {id} ({} is missing)",
                role.noun(),
                path.display()
            ),
            {
                // Leniently: the folder may hold the broken file an edit is about to repair.
                let (known, _) = medreview_core::roster::Roster::load_lenient(
                    &medreview_core::source::WorkTree(ws.root()),
                )?;
                known.hint_for(
                    Some(role),
                    id.as_str(),
                    format!("add them with `medreview {} add {id} ...`", role.noun()),
                )
            },
        )),
        (false, true) => Ok(None),
        (true, false) => {
            let text = medreview_core::workspace::read_text(&path)?;
            Ok(Some(yaml::parse(&text, &path, 1)?))
        }
    }
}

fn set<T>(field: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *field = value;
    }
}

fn required_text(flag: &str, value: String) -> Result<String> {
    if value.trim().is_empty() {
        return Err(Error::refused_with_hint(
            format!("{flag} is empty"),
            format!("give {flag} a value, as it should appear on published pages"),
        ));
    }
    if let Some(why) = medreview_core::roster::name_problem(&value) {
        return Err(Error::refused_with_hint(
            format!("{flag} {value:?} cannot be used: {why}"),
            format!("give {flag} as one line of plain text, e.g. \"Dr. Ana Example\""),
        ));
    }
    Ok(value)
}

/// Refuses an email git could not record.
fn checked_email(email: Option<String>) -> Result<Option<String>> {
    if let Some(e) = &email
        && let Some(why) = medreview_core::roster::email_problem(e)
    {
        return Err(Error::refused_with_hint(
            format!("--email {e:?} cannot be used: {why}"),
            "give the address git's user.email holds, e.g. --email ana@example.org",
        ));
    }
    Ok(email)
}

fn check_key(key: Option<&str>) -> Result<()> {
    match key.map(medreview_core::signing::check_public_key) {
        Some(Err(why)) => Err(Error::refused_with_hint(
            format!("--public-key is not an OpenSSH public key: {why}"),
            "paste the single line of the .pub file (ssh-ed25519 AAAA... comment)",
        )),
        _ => Ok(()),
    }
}

/// Writes the person's file as part of a roster change, refusing one that would
/// make them look like someone else on the roster.
fn save<T: serde::Serialize>(
    ctx: &mut Ctx<'_>,
    ws: &Workspace,
    role: Role,
    id: &Id,
    person: &T,
    signer: &SignerArgs,
    adding: bool,
) -> Result<ExitCode> {
    let verb = if adding { "add" } else { "edit" };
    let what = format!("{verb} {} {id}", role.noun());
    let trailers = format!(
        "Medreview-Action: {verb}-{}\nMedreview-Person: {id}\n",
        role.noun()
    );
    let text = yaml::to_string(person);
    // Leniently: the file being edited may be the unreadable one this edit repairs.
    let mut roster: Roster = medreview_core::roster::people::load_lenient(
        &medreview_core::source::WorkTree(ws.root()),
        &ws.git,
    )?
    .current()
    .roster
    .clone();
    let parsed = text.as_str();
    let shown = ws.path(&role.file_rel(id));
    match role {
        Role::Writer => {
            roster
                .writers
                .insert(id.clone(), yaml::parse(parsed, &shown, 1)?);
        }
        Role::Reviewer => {
            roster
                .reviewers
                .insert(id.clone(), yaml::parse(parsed, &shown, 1)?);
        }
    }
    if let Some((a, b, what)) = roster
        .shared_identities()
        .into_iter()
        .find(|(a, b, _)| a == id || b == id)
    {
        return Err(Error::refused_with_hint(
            format!("{a} and {b} would share {what}: the roster would show one person twice"),
            "give each person their own key and a byline that tells them apart, or edit the existing entry",
        ));
    }
    let done = if adding {
        format!("Added {} {id} in {}", role.noun(), role.file_rel(id))
    } else {
        format!("Changed {} {id} in {}", role.noun(), role.file_rel(id))
    };
    let change = (vec![(role.file_rel(id), text.into_bytes())], what, trailers);
    record(ctx, ws, change, signer, &done, None)
}

/// Records a roster change as the acting admin (or, before there is one, as
/// `bootstrap`, the first admin being made).
fn record(
    ctx: &mut Ctx<'_>,
    ws: &Workspace,
    (files, what, trailers): (Vec<(String, Vec<u8>)>, String, String),
    signer: &SignerArgs,
    done: &str,
    bootstrap: Option<&Id>,
) -> Result<ExitCode> {
    // Leniently, as in `save`: a change may repair an unreadable roster file.
    let people = medreview_core::roster::people::load_lenient(
        &medreview_core::source::WorkTree(ws.root()),
        &ws.git,
    )?;
    let state = people.current();
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    let email = ws.git.config_string("user.email");
    let by = match (people.audited(), bootstrap) {
        // Not audited yet: a plain commit, as roster changes always were.
        (false, None) => None,
        // The first admin starts the record, and must be who runs it.
        (false, Some(first)) => {
            let me = identity::acting(
                &state.roster,
                &config,
                true,
                signer.as_id.as_deref(),
                email.as_deref(),
                Role::Writer,
            )?;
            if &me.by != first || me.recorded_by.is_some() {
                return Err(Error::refused_with_hint(
                    format!(
                        "the first admin starts the roster's record, so {first} must run `admin add {first}` themselves"
                    ),
                    format!(
                        "run it as {first} (git's user.email must be the email in their roster file)"
                    ),
                ));
            }
            Some(me.by)
        }
        (true, _) => {
            let acting = identity::acting(
                &state.roster,
                &config,
                true,
                signer.as_id.as_deref(),
                email.as_deref(),
                Role::Writer,
            )?;
            if acting.recorded_by.is_some() {
                return Err(Error::refused_with_hint(
                    "roster changes are recorded by an admin in person, never for someone else",
                    "run the command as yourself",
                ));
            }
            Some(acting.by)
        }
    };
    let key = load_key(ws, signer)?;
    let changed = change::record(
        ws,
        Change {
            files,
            what,
            trailers,
            by,
            now: clock::now()?,
            key,
        },
    )?;
    let how = if changed.audited {
        "recorded in the roster's record"
    } else {
        "not audited: the roster has no admin yet (`medreview admin add ID`)"
    };
    say(
        ctx.err,
        &format!("{done} (commit {}; {how}).", &changed.commit[..10]),
    )?;
    Ok(ExitCode::SUCCESS)
}
