//! The command line: argument parsing, one module per command, and the error presenter.

mod approve;
mod check;
mod diff;
mod hook;
mod inbox;
mod init;
mod log;
mod migrate;
mod new;
mod people;
mod publish;
mod request_changes;
mod status;
mod submit;
mod sync;
mod withdraw;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::{Error, Result};
use crate::ids::Id;
use crate::roster::Role;
use crate::signing::SigningKey;
use crate::workflow::Recorded;
use crate::workspace::Workspace;

/// Medical review sign-offs for health publishers, recorded in git.
#[derive(Debug, Parser)]
#[command(name = "medreview", version, about, max_term_width = 100)]
pub struct Cli {
    /// Run as if started in DIR
    #[arg(short = 'C', id = "start-dir", value_name = "DIR", global = true)]
    start_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a workspace in DIR (default: the current folder) and commit it
    Init(init::InitArgs),
    /// Manage writers
    #[command(subcommand)]
    Writer(people::WriterCommand),
    /// Manage medical reviewers
    #[command(subcommand)]
    Reviewer(people::ReviewerCommand),
    /// Manage who may change the roster
    #[command(subcommand)]
    Admin(people::AdminCommand),
    /// Show who git says you are, and your roles
    Whoami,
    /// Start a new article
    New(new::NewArgs),
    /// Submit the article's current text for medical review
    Submit(submit::SubmitArgs),
    /// Approve the latest submitted revision
    Approve(approve::ApproveArgs),
    /// Send the latest submitted revision back to the writer
    RequestChanges(request_changes::RequestChangesArgs),
    /// Take an article out of publication
    Withdraw(withdraw::WithdrawArgs),
    /// Export pages built only from approved revisions
    Publish(publish::PublishArgs),
    /// Check every file, reference, signature and the append-only history (for CI and hooks)
    Check(check::CheckArgs),
    /// Show what changed between two revisions, word by word
    Diff(diff::DiffArgs),
    /// Show the review state of every article, or of one
    Status(status::StatusArgs),
    /// Show what waits on you, oldest first
    Inbox(inbox::InboxArgs),
    /// Show every revision and sign-off of an article
    Log(log::LogArgs),
    /// Convert a format-1 record (signoffs.yaml) to one file per sign-off, in one commit
    Migrate(migrate::MigrateArgs),
    /// Share the record with the team's remote: fetch, verify, replay your sign-offs, push
    Sync(sync::SyncArgs),
    /// Install the server gate that refuses pushes which would break the record
    #[command(subcommand)]
    Hook(hook::HookCommand),
}

/// What every command gets: where it runs and where it writes.
pub struct Ctx<'a> {
    /// The folder the command starts from (`-C DIR` or the current folder).
    pub start: PathBuf,
    /// Data output.
    pub out: &'a mut dyn Write,
    /// Status messages and hints.
    pub err: &'a mut dyn Write,
}

impl Ctx<'_> {
    /// Opens the workspace that contains the start folder.
    pub fn workspace(&self) -> Result<Workspace> {
        Workspace::discover(&self.start)
    }
}

/// Parses the command line, runs the command and maps the outcome to an exit code:
/// 0 success, 1 refused or failed check, 2 usage error (clap exits with 2 itself).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr().lock();
    match run(cli, &mut stdout, &mut stderr) {
        Ok(code) => code,
        // The reader went away (`| head`): end quietly, as git does (128 + SIGPIPE).
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::from(141)
        }
        Err(err) => {
            present(&err, &mut stderr);
            ExitCode::from(1)
        }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<ExitCode> {
    let start = match cli.start_dir {
        Some(dir) => dir,
        None => std::env::current_dir()
            .map_err(|e| Error::io("read current folder", Path::new("."), e))?,
    };
    let mut ctx = Ctx { start, out, err };
    match cli.command {
        Command::Init(args) => init::cmd_init(&mut ctx, args),
        Command::Writer(args) => people::cmd_writer(&mut ctx, args),
        Command::Reviewer(args) => people::cmd_reviewer(&mut ctx, args),
        Command::Admin(args) => people::cmd_admin(&mut ctx, args),
        Command::Whoami => people::cmd_whoami(&mut ctx),
        Command::New(args) => new::cmd_new(&mut ctx, args),
        Command::Submit(args) => submit::cmd_submit(&mut ctx, args),
        Command::Approve(args) => approve::cmd_approve(&mut ctx, args),
        Command::RequestChanges(args) => request_changes::cmd_request_changes(&mut ctx, args),
        Command::Withdraw(args) => withdraw::cmd_withdraw(&mut ctx, args),
        Command::Publish(args) => publish::cmd_publish(&mut ctx, args),
        Command::Check(args) => check::cmd_check(&mut ctx, args),
        Command::Diff(args) => diff::cmd_diff(&mut ctx, args),
        Command::Status(args) => status::cmd_status(&mut ctx, args),
        Command::Inbox(args) => inbox::cmd_inbox(&mut ctx, args),
        Command::Log(args) => log::cmd_log(&mut ctx, args),
        Command::Migrate(args) => migrate::cmd_migrate(&mut ctx, args),
        Command::Sync(args) => sync::cmd_sync(&mut ctx, args),
        Command::Hook(args) => hook::cmd_hook(&mut ctx, args),
    }
}

/// Prints an error as `Error:`, `Caused by:` and `Hint:` lines.
fn present(err: &Error, out: &mut dyn Write) {
    let _ = writeln!(out, "Error: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let _ = writeln!(out, "Caused by: {cause}");
        source = cause.source();
    }
    if let Some(hint) = err.hint() {
        let _ = writeln!(out, "Hint: {hint}");
    }
}

/// Writes a line to a stream, turning a closed pipe into an error instead of a panic.
pub(crate) fn say(out: &mut dyn Write, line: &str) -> Result<()> {
    writeln!(out, "{line}").map_err(|e| Error::io("write", Path::new("<output>"), e))
}

/// Parses a slug argument.
pub(crate) fn slug_arg(slug: &str) -> Result<Id> {
    Ok(Id::parse_slug("slug", slug)?)
}

/// Prints what a sign-off recorded, and its warnings, on stderr.
pub(crate) fn report_recorded(
    ctx: &mut Ctx<'_>,
    what: &str,
    slug: &Id,
    recorded: &Recorded,
) -> Result<()> {
    for warning in &recorded.warnings {
        say(ctx.err, &format!("Warning: {warning}"))?;
    }
    say(
        ctx.err,
        &format!(
            "{what} {slug} {} (commit {}); {slug} is now {}",
            recorded.revision.label_with_id(),
            &recorded.commit[..recorded.commit.len().min(10)],
            recorded.state
        ),
    )
}

/// Serializes `value` as pretty JSON followed by a newline.
pub(crate) fn print_json<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::refused(format!("cannot write JSON: {e}")))?;
    say(out, &text)
}

/// Refuses an empty `-m` where a note is required.
pub(crate) fn required_note(note: String) -> Result<String> {
    if note.trim().is_empty() {
        return Err(Error::refused_with_hint(
            "-m NOTE is empty",
            "say why in -m, for the writer and the record",
        ));
    }
    Ok(note)
}

/// Who signs off, and with which key: options shared by the sign-off commands.
#[derive(Debug, clap::Args)]
pub struct SignerArgs {
    /// The person acting (default: the roster member with git's user.email)
    #[arg(long = "as", value_name = "ID")]
    pub as_id: Option<String>,
    /// Sign the entry with this OpenSSH private key (default: git config medreview.signingKey)
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// `--sync` and `--no-sync`, shared by the sign-off commands.
#[derive(Debug, clap::Args)]
pub struct SyncFlags {
    /// Fetch first (fast-forwarding when behind), then push the sign-off (`sync.auto: true` makes it the default)
    #[arg(long, overrides_with = "no_sync")]
    pub sync: bool,
    /// Record here only, even when `sync.auto` is true
    #[arg(long = "no-sync")]
    pub no_sync: bool,
}

impl SyncFlags {
    /// Whether to sync: the flags, else `sync.auto`.
    fn wanted(&self, ws: &Workspace) -> bool {
        if self.no_sync {
            false
        } else {
            self.sync || ws.config.sync.auto
        }
    }
}

/// The signing key: `--key`, else `git config medreview.signingKey`.
pub(crate) fn load_key(ws: &Workspace, signer: &SignerArgs) -> Result<Option<SigningKey>> {
    let key_path = signer.key.clone().or_else(|| {
        ws.git
            .config_string("medreview.signingKey")
            .map(|p| expand_home(&p))
    });
    key_path.as_deref().map(SigningKey::load).transpose()
}

/// `~/x` to `$HOME/x`, for key paths from git config.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The shared body of the sign-off commands: open the workspace, work out who is
/// acting, record the sign-off with `act`, and report it.
pub(crate) fn sign_off(
    ctx: &mut Ctx<'_>,
    slug: &str,
    (signer, sync): (&SignerArgs, &SyncFlags),
    role: Role,
    note: Option<String>,
    done: &str,
    act: impl FnOnce(&Workspace, &crate::workflow::Request<'_>) -> Result<Recorded>,
) -> Result<ExitCode> {
    let slug = slug_arg(slug)?;
    let ws = ctx.workspace()?;
    let people = ws.people()?;
    let state = people.current();
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    let acting = crate::roster::identity::acting(
        &state.roster,
        &config,
        people.audited(),
        signer.as_id.as_deref(),
        ws.git.config_string("user.email").as_deref(),
        role,
    )?;
    drop(people);
    let key = load_key(&ws, signer)?;
    let syncing = sync.wanted(&ws);
    if syncing {
        crate::sync::prepare(&ws, ctx.err)?;
    }
    let request = crate::workflow::Request {
        slug: &slug,
        by: &acting.by,
        recorded_by: acting.recorded_by.as_ref(),
        note,
        now: crate::clock::now()?,
        key: key.as_ref(),
    };
    let recorded = act(&ws, &request)?;
    report_recorded(ctx, done, &slug, &recorded)?;
    if !syncing {
        return Ok(ExitCode::SUCCESS);
    }
    // The sign-off is committed: from here on a failure is a warning, never an error,
    // unless sync had to drop this very decision.
    match crate::sync::sync(&ws, ctx.err) {
        Ok(report) => {
            sync::print_report(ctx, &report)?;
            if report.dropped.iter().any(|d| recorded.commit == d.commit) {
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            say(
                ctx.err,
                &format!("Warning: recorded here, but not shared: {err}"),
            )?;
            say(
                ctx.err,
                "Hint: run `medreview sync` when the remote can be reached; the sign-off is safe in this clone",
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
