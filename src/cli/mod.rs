//! The command line: argument parsing, one module per command, and the error presenter.

mod approve;
mod check;
pub mod color;
mod comments;
mod completions;
mod config;
mod diff;
mod hook;
mod inbox;
mod init;
mod lint;
mod log;
mod man;
mod migrate;
mod new;
mod people;
mod people_list;
mod preview;
mod publish;
mod recertify;
mod repair;
mod request_changes;
mod schedule;
mod serve;
mod status;
mod submit;
mod sync;
mod verify;
mod withdraw;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use self::color::ColorChoice;

use medreview_core::error::{Code, Error, Result};
use medreview_core::ids::Id;
use medreview_core::roster::Role;
use medreview_core::signing::SigningKey;
use medreview_core::workspace::Workspace;
use medreview_workflow::Recorded;

/// What `medreview --help` and the manual page say about exit codes.
const EXIT_CODES: &str = "\
Exit codes: 0 done; 1 refused, or problems found (check, lint); 2 a usage error;
3 the machine (git or ssh-keygen missing, a file that cannot be read or written);
4 a bug in medreview (please report it). Every error ends with its code, which
docs/errors.md explains.";

/// Medical review sign-offs for health publishers, recorded in git.
#[derive(Debug, Parser)]
#[command(
    name = "medreview",
    version,
    about,
    max_term_width = 100,
    after_help = EXIT_CODES
)]
pub struct Cli {
    /// Run as if started in DIR
    #[arg(short = 'C', id = "start-dir", value_name = "DIR", global = true)]
    start_dir: Option<PathBuf>,
    /// When to colour output
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value = "auto",
        global = true
    )]
    color: ColorChoice,
    /// Never send long output (log, diff) through a pager
    #[arg(long, global = true)]
    no_pager: bool,
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
    /// Manage who may change the roster and settings; record hand-edited governed files
    #[command(subcommand)]
    Admin(people::AdminCommand),
    /// Manage who may record a publication (`publish --as ID`)
    #[command(subcommand)]
    Publisher(people::PublisherCommand),
    /// Read or change a setting in medreview.yaml, recorded by an admin
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// List what blocks publishing or sync and the recorded fix for each; --yes applies them
    Repair(repair::RepairArgs),
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
    /// Comment on words of a revision (a new thread), suggest wording, or reply
    Comment(comments::CommentArgs),
    /// List an article's comment threads and where their words stand now
    Comments(comments::CommentsArgs),
    /// Mark a comment thread you opened as settled
    Resolve(comments::SettleArgs),
    /// Open a settled comment thread again
    Reopen(comments::SettleArgs),
    /// Put a thread's suggested wording into the working tree's article (no commit)
    Apply(comments::ApplyArgs),
    /// Take an article out of publication
    Withdraw(withdraw::WithdrawArgs),
    /// Record the periodic re-review of the approved revision, unchanged: renews its review date
    Recertify(recertify::RecertifyArgs),
    /// Set when an article may be on the site: not before a time, not after another (publishers)
    Schedule(schedule::ScheduleArgs),
    /// Export pages built only from approved revisions
    Publish(publish::PublishArgs),
    /// Check every file, reference, signature and the append-only history (for CI and hooks)
    Check(check::CheckArgs),
    /// Check a published site (folder or address) against its reviewers' signatures, without the repository
    Verify(verify::VerifyArgs),
    /// Show what changed between two revisions, word by word
    Diff(diff::DiffArgs),
    /// Show the review state of every article, or of one
    Status(status::StatusArgs),
    /// Show what waits on you, oldest first
    Inbox(inbox::InboxArgs),
    /// Show every revision and sign-off of an article
    Log(log::LogArgs),
    /// Render the page of any revision as publish would, marked when not approved
    Preview(preview::PreviewArgs),
    /// Find what a reader would see is wrong: empty lists, unsourced statistics, hard prose, spelling
    Lint(lint::LintArgs),
    /// Convert a format-1 record (signoffs.yaml) to one file per sign-off, in one commit
    Migrate(migrate::MigrateArgs),
    /// Share the record with the team's remote: fetch, verify, replay your sign-offs, push
    Sync(sync::SyncArgs),
    /// Serve the review desk: doctors review and sign in a browser, with passkeys
    Serve(serve::ServeArgs),
    /// Install the server gate that refuses pushes which would break the record
    #[command(subcommand)]
    Hook(hook::HookCommand),
    /// Print a shell completion script (e.g. `source <(medreview completions bash)`)
    Completions(completions::CompletionsArgs),
    /// Print the manual page in roff (e.g. `medreview man | man -l -`)
    Man,
}

impl Command {
    /// Whether the command's output is long text that a pager should show on a terminal.
    fn pages(&self) -> bool {
        match self {
            Command::Log(args) => args.pages(),
            Command::Diff(args) => args.pages(),
            _ => false,
        }
    }

    /// Whether the command was asked for JSON: its errors are then JSON on stdout too.
    fn json(&self) -> bool {
        match self {
            Command::Submit(a) => a.output.json,
            Command::Approve(a) => a.output.json,
            Command::RequestChanges(a) => a.output.json,
            Command::Withdraw(a) => a.output.json,
            Command::Schedule(a) => a.output.json,
            Command::Comment(a) => a.output.json,
            Command::Comments(a) => a.json,
            Command::Resolve(a) | Command::Reopen(a) => a.output.json,
            Command::Recertify(a) => a.output.json,
            Command::Publish(a) => a.json,
            Command::Check(a) => a.json,
            Command::Verify(a) => a.json,
            Command::Diff(a) => a.json,
            Command::Status(a) => a.json,
            Command::Log(a) => a.json,
            Command::Sync(a) => a.json,
            Command::Inbox(a) => a.json,
            Command::Lint(a) => a.json,
            Command::Writer(people::WriterCommand::List(a)) => a.json,
            Command::Reviewer(people::ReviewerCommand::List(a)) => a.json,
            _ => false,
        }
    }
}

/// What every command gets: where it runs and where it writes.
pub struct Ctx<'a> {
    /// The folder the command starts from (`-C DIR` or the current folder).
    pub start: PathBuf,
    /// Data output.
    pub out: &'a mut dyn Write,
    /// Status messages and hints.
    pub err: &'a mut dyn Write,
    /// `--color`.
    pub color: ColorChoice,
    /// Whether standard output is a terminal (even when a pager shows it).
    pub terminal: bool,
}

impl Ctx<'_> {
    /// Opens the workspace that contains the start folder.
    pub fn workspace(&self) -> Result<Workspace> {
        Workspace::discover(&self.start)
    }

    /// Whether to colour what goes to standard output.
    pub fn colour(&self) -> bool {
        color::enabled(self.color, self.terminal)
    }
}

/// Parses the command line, runs the command and maps the outcome to an exit code:
/// 0 success, then by the error's kind (see [`EXIT_CODES`]); clap exits with 2 itself.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.command.json();
    // Not locked for the whole run: progress bars and notices drawn from the
    // threads of a parallel run write to standard error too (a held lock would
    // leave them waiting for ever).
    let mut stderr = io::stderr();
    let paging = !cli.no_pager && cli.command.pages() && io::stdout().is_terminal();
    let mut pager = paging.then(crate::pager::Pager::start).flatten();
    let result = match pager.as_mut() {
        Some(pager) => run(cli, pager, &mut stderr),
        None => run(cli, &mut io::stdout().lock(), &mut stderr),
    };
    // The pager owns the terminal until it exits: wait for it before any error is shown.
    let (finished, interrupted) = pager.map_or((Ok(()), false), crate::pager::Pager::finish);
    if interrupted {
        // Ctrl-C while paging: 128 + SIGINT, as a shell reports it.
        return ExitCode::from(130);
    }
    let finished = finished.map_err(|e| Error::io("write", Path::new("<pager>"), e));
    match result.and_then(|code| finished.map(|()| code)) {
        Ok(code) => code,
        // The reader went away (`| head`): end quietly, as git does (128 + SIGPIPE).
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::BrokenPipe => {
            ExitCode::from(141)
        }
        Err(err) => {
            present(&err, &mut stderr);
            if json {
                // The same problem shape as `check --json` and `status --json`.
                let problem = medreview_core::check::Problem::from_error(err.code().as_str(), &err);
                let _ = print_json(&mut io::stdout().lock(), &ErrorJson { error: &problem });
            }
            ExitCode::from(err.kind().exit_code())
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
    let mut ctx = Ctx {
        start,
        out,
        err,
        color: cli.color,
        terminal: io::stdout().is_terminal(),
    };
    match cli.command {
        Command::Init(args) => init::cmd_init(&mut ctx, args),
        Command::Writer(args) => people::cmd_writer(&mut ctx, args),
        Command::Reviewer(args) => people::cmd_reviewer(&mut ctx, args),
        Command::Admin(args) => people::cmd_admin(&mut ctx, args),
        Command::Publisher(args) => people::cmd_publisher(&mut ctx, args),
        Command::Config(args) => config::cmd_config(&mut ctx, args),
        Command::Repair(args) => repair::cmd_repair(&mut ctx, args),
        Command::Whoami => people::cmd_whoami(&mut ctx),
        Command::New(args) => new::cmd_new(&mut ctx, args),
        Command::Submit(args) => submit::cmd_submit(&mut ctx, args),
        Command::Approve(args) => approve::cmd_approve(&mut ctx, args),
        Command::RequestChanges(args) => request_changes::cmd_request_changes(&mut ctx, args),
        Command::Withdraw(args) => withdraw::cmd_withdraw(&mut ctx, args),
        Command::Schedule(args) => schedule::cmd_schedule(&mut ctx, args),
        Command::Comment(args) => comments::cmd_comment(&mut ctx, args),
        Command::Comments(args) => comments::cmd_comments(&mut ctx, args),
        Command::Resolve(args) => comments::cmd_settle(
            &mut ctx,
            args,
            medreview_core::comments::entry::CommentAction::Resolved,
        ),
        Command::Reopen(args) => comments::cmd_settle(
            &mut ctx,
            args,
            medreview_core::comments::entry::CommentAction::Reopened,
        ),
        Command::Apply(args) => comments::cmd_apply(&mut ctx, args),
        Command::Recertify(args) => recertify::cmd_recertify(&mut ctx, args),
        Command::Publish(args) => publish::cmd_publish(&mut ctx, args),
        Command::Check(args) => check::cmd_check(&mut ctx, args),
        Command::Verify(args) => verify::cmd_verify(&mut ctx, args),
        Command::Lint(args) => lint::cmd_lint(&mut ctx, args),
        Command::Diff(args) => diff::cmd_diff(&mut ctx, args),
        Command::Status(args) => status::cmd_status(&mut ctx, args),
        Command::Inbox(args) => inbox::cmd_inbox(&mut ctx, args),
        Command::Log(args) => log::cmd_log(&mut ctx, args),
        Command::Preview(args) => preview::cmd_preview(&mut ctx, args),
        Command::Migrate(args) => migrate::cmd_migrate(&mut ctx, args),
        Command::Sync(args) => sync::cmd_sync(&mut ctx, args),
        Command::Serve(args) => serve::cmd_serve(&mut ctx, args),
        Command::Hook(args) => hook::cmd_hook(&mut ctx, args),
        Command::Completions(args) => completions::cmd_completions(&mut ctx, args),
        Command::Man => man::cmd_man(&mut ctx),
    }
}

/// An error, printed on stdout when the command was asked for `--json`.
#[derive(serde::Serialize)]
struct ErrorJson<'a> {
    error: &'a medreview_core::check::Problem,
}

/// Prints an error as `Error:`, `Caused by:` and `Hint:` lines, then the `Code:`
/// that `docs/errors.md` explains. The one place an error meets the user.
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
    let _ = writeln!(out, "Code: {}", err.code());
}

/// A problem put right or voided, as `check` and `repair` list it.
pub(crate) fn repaired_line(p: &medreview_core::check::Problem) -> String {
    format!("{}{} [{}, repaired]", p.place(), p.message, p.code)
}

/// Says what a decision changes on the site (`r2 is on the site now; after this
/// request for changes the site shows r1 instead`) and, on a terminal and without
/// `--yes`, asks first: whether to go ahead. Without a terminal it goes ahead,
/// having said it.
pub(crate) fn confirm_live_change(change: &medreview_workflow::LiveChange, yes: bool) -> bool {
    use std::io::BufRead;
    let mut err = std::io::stderr();
    let _ = writeln!(err, "Note: {}.", change.describe());
    if yes || !(std::io::stdin().is_terminal() && err.is_terminal()) {
        return true;
    }
    let _ = write!(err, "Go ahead? [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
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
    // A comment names its thread: the handle replies, resolve and reopen take.
    let thread = recorded
        .thread
        .as_ref()
        .map(|short| format!(", thread {short}"))
        .unwrap_or_default();
    say(
        ctx.err,
        &format!(
            "{what} {slug} {}{thread} (commit {}); {slug} is now {}",
            recorded.revision.label_with_id(),
            &recorded.commit[..recorded.commit.len().min(10)],
            recorded.state
        ),
    )
}

/// What a sign-off command prints with `--json`.
#[derive(serde::Serialize)]
struct RecordedJson<'a> {
    /// The entry's action (`approved`, `recertified`, `comment`, ...).
    action: &'a str,
    slug: &'a str,
    /// `r2`.
    revision: String,
    /// The revision id (the blob id of article.md).
    revision_id: String,
    /// The entry's id (its file name without `.yaml`).
    entry: &'a str,
    /// For a comment entry, its thread's short id.
    #[serde(skip_serializing_if = "Option::is_none")]
    thread: Option<&'a str>,
    /// The commit that holds it.
    commit: &'a str,
    /// The article's state afterwards.
    state: medreview_core::record::evaluate::State,
    warnings: &'a [String],
    /// Whether the sign-off was shared (`--sync`), and what went wrong if it was not.
    synced: bool,
    sync_error: Option<String>,
}

/// `--json` for the commands that record a sign-off.
#[derive(Debug, clap::Args)]
pub struct OutputFlags {
    /// Print what was recorded as JSON on standard output (shape documented in docs/json.md)
    #[arg(long)]
    pub json: bool,
}

/// The one line that says what to do after a sign-off that was not shared yet.
const NEXT_SHARE: &str =
    "Next: share it with the team: `medreview sync` (or `git push`), or pass --sync next time";

/// Writes `bytes` to `--out FILE` (atomically; relative to the start folder) and
/// returns where, or to standard output without one.
pub(crate) fn write_out(
    ctx: &mut Ctx<'_>,
    out: Option<&Path>,
    bytes: &[u8],
) -> Result<Option<PathBuf>> {
    let Some(path) = out else {
        ctx.out
            .write_all(bytes)
            .map_err(|e| Error::io("write", Path::new("<stdout>"), e))?;
        return Ok(None);
    };
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        ctx.start.join(path)
    };
    medreview_store::gitstore::write_atomically(&path, bytes)
        .map_err(|e| Error::io("write", &path, e))?;
    Ok(Some(path))
}

/// Serializes `value` as pretty JSON followed by a newline.
pub(crate) fn print_json<T: serde::Serialize>(out: &mut dyn Write, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::internal(format!("cannot write JSON: {e}")))?;
    say(out, &text)
}

/// Refuses an empty `-m` where a note is required.
pub(crate) fn required_note(note: String) -> Result<String> {
    if note.trim().is_empty() {
        return Err(Error::with_hint(
            Code::InvalidArgument,
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
    /// Sign with this key: a private key, a .pub file (ssh-agent) or key::LITERAL (default: git config medreview.signingKey, else user.signingKey)
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

/// The signing key: `--key`, else `git config medreview.signingKey`, else git's
/// `user.signingKey` when it names an SSH key (see [`SigningKey::find`]).
pub(crate) fn load_key(ws: &Workspace, signer: &SignerArgs) -> Result<Option<SigningKey>> {
    SigningKey::find(signer.key.as_deref(), &|name| ws.git.config_string(name))
}

/// The shared body of the sign-off commands: open the workspace, work out who is
/// acting, record the sign-off with `act`, and report it.
pub(crate) fn sign_off(
    ctx: &mut Ctx<'_>,
    slug: &str,
    (signer, sync, output): (&SignerArgs, &SyncFlags, &OutputFlags),
    role: Role,
    note: Option<String>,
    done: &str,
    act: impl FnOnce(&Workspace, &medreview_workflow::Request<'_>) -> Result<Recorded>,
) -> Result<ExitCode> {
    let slug = slug_arg(slug)?;
    let ws = ctx.workspace()?;
    let people = ws.people()?;
    let state = people.current();
    let config = state.config.clone().unwrap_or_else(|| ws.config.clone());
    let acting = medreview_core::roster::identity::acting(
        &state.roster,
        &config,
        people.audited(),
        signer.as_id.as_deref(),
        ws.git.config_string("user.email").as_deref(),
        role,
    )?;
    drop(people);
    warn_uncommitted(ctx, &ws)?;
    let key = load_key(&ws, signer)?;
    let syncing = sync.wanted(&ws);
    if syncing {
        medreview_remote::sync::prepare(&ws, ctx.err)?;
    }
    let request = medreview_workflow::Request {
        slug: &slug,
        by: &acting.by,
        recorded_by: acting.recorded_by.as_ref(),
        note,
        now: medreview_core::clock::now()?,
        key: key.as_ref(),
        // What this reviewer last diffed or previewed here goes into the entry.
        // Only the signer's own view: someone recording for them read nothing here.
        viewed: (role == Role::Reviewer && acting.recorded_by.is_none())
            .then(|| medreview_core::viewed::recall(&ws, &slug))
            .flatten(),
        comments: Vec::new(),
        meaning: None,
        confirm_live: None,
    };
    let recorded = act(&ws, &request)?;
    report_recorded(ctx, done, &slug, &recorded)?;
    // The sign-off is committed: from here on a failure is a warning, never an error,
    // unless sync had to drop this very decision.
    let mut code = ExitCode::SUCCESS;
    let mut synced = false;
    let mut sync_error = None;
    if syncing {
        match medreview_remote::sync::sync(&ws, ctx.err) {
            Ok(report) => {
                sync::print_report(ctx, &report)?;
                if report.dropped.iter().any(|d| recorded.commit == d.commit) {
                    code = ExitCode::from(1);
                } else {
                    synced = true;
                }
            }
            Err(err) => {
                // The network or the machine: the sign-off waits here for the next
                // sync. A refusal (the server's gate, a colleague's sign-off, a
                // conflict) is said as one, with its own next step and exit code,
                // never as a network hiccup.
                let environment = err.kind() == medreview_core::error::Kind::Environment;
                say(ctx.err, &format!("Recorded here, but not shared: {err}"))?;
                if environment {
                    say(
                        ctx.err,
                        "Hint: run `medreview sync` when the remote can be reached; the sign-off is recorded in this clone",
                    )?;
                } else {
                    if let Some(hint) = err.hint() {
                        say(ctx.err, &format!("Hint: {hint}"))?;
                    }
                    code = ExitCode::from(err.kind().exit_code());
                }
                sync_error = Some(err.to_string());
            }
        }
    }
    if !synced && code == ExitCode::SUCCESS {
        say(ctx.err, NEXT_SHARE)?;
    }
    if output.json {
        print_json(
            ctx.out,
            &RecordedJson {
                action: recorded.action,
                slug: slug.as_str(),
                revision: recorded.revision.label(),
                revision_id: recorded.revision.id.to_string(),
                entry: &recorded.entry,
                thread: recorded.thread.as_deref(),
                commit: &recorded.commit,
                state: recorded.state,
                warnings: &recorded.warnings,
                synced,
                sync_error,
            },
        )?;
    }
    Ok(code)
}

/// The stable code of a problem that kept an article from being read.
pub(super) const UNREADABLE: &str = "article-unreadable";

/// Warns on stderr about roster and settings files whose working-tree content is
/// not committed: `status`, `inbox` and `publish` judge by HEAD's, so such an edit
/// (a `public_key` added by hand, a policy change) changes nothing until committed.
/// Says on stderr what keeps the roster from judging, with the step that fixes it:
/// a damaged record (an error; returned as a `roster-damaged` problem for `--json`
/// and the exit code) and each file in conflict (a warning). The verdicts
/// themselves come from [`medreview_core::roster::people::People::unsettled`].
pub(super) fn warn_roster(
    ctx: &mut Ctx<'_>,
    people: &dyn medreview_core::roster::people::People,
) -> Result<Option<medreview_core::check::Problem>> {
    if let Some((why, hint)) = people.damage() {
        say(ctx.err, &format!("Error: {why}"))?;
        say(ctx.err, &format!("Hint: {hint}"))?;
        return Ok(Some(medreview_core::check::Problem::at(
            "roster-damaged",
            medreview_core::roster::log::ROSTER_DIR,
            None,
            format!("{why} ({hint})"),
        )));
    }
    for (_, line) in medreview_core::roster::damage::conflicts(&people.current()) {
        say(ctx.err, &format!("Warning: {line}"))?;
    }
    Ok(None)
}

pub(super) fn warn_uncommitted(
    ctx: &mut Ctx<'_>,
    ws: &medreview_core::workspace::Workspace,
) -> Result<()> {
    use medreview_core::workspace::Uncommitted;
    let files = ws.uncommitted_people_files();
    for (rel, how) in &files {
        let line = match how {
            Uncommitted::Changed => format!(
                "{rel} has uncommitted changes; status, publish and sign-offs judge by the committed version"
            ),
            Uncommitted::New => {
                format!(
                    "{rel} is not committed; status, publish and sign-offs judge as if it were not there"
                )
            }
            Uncommitted::Removed => format!(
                "{rel} is removed but the removal is not committed; status, publish and sign-offs still judge by it"
            ),
        };
        say(ctx.err, &format!("Warning: {line}"))?;
    }
    if !files.is_empty() {
        say(
            ctx.err,
            "Hint: record a roster change with `medreview writer edit` or `medreview reviewer edit` (or commit it with git), a settings change with `git commit`; `git checkout -- FILE` drops it",
        )?;
    }
    Ok(())
}
