//! `medreview hook`: the server gate.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{Ctx, say};
use medreview_core::error::Result;

/// `hook` subcommands.
#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Install the pre-receive hook in the team's bare repository
    Install {
        /// The server's bare repository
        #[arg(long, value_name = "GIT_DIR")]
        server: PathBuf,
    },
    /// Run as git's pre-receive hook (git calls this; reads the pushed refs on stdin)
    #[command(hide = true)]
    PreReceive,
    /// Run as git's post-receive hook: move the server's checkpoint to what was verified
    #[command(hide = true)]
    PostReceive,
}

/// Runs `hook`.
pub fn cmd_hook(ctx: &mut Ctx<'_>, cmd: HookCommand) -> Result<ExitCode> {
    match cmd {
        HookCommand::Install { server } => {
            let dir = if server.is_absolute() {
                server
            } else {
                ctx.start.join(server)
            };
            let installed = medreview_remote::hook::install(&dir)?;
            say(
                ctx.err,
                &format!(
                    "Installed the server gate: {} (receive.denyNonFastForwards and receive.denyDeletes are set).",
                    installed.hook.display()
                ),
            )?;
            say(
                ctx.err,
                "Settings (git config in that repository): medreview.branch, medreview.root, medreview.clockTolerance (minutes), medreview.pusherVariable.",
            )?;
            Ok(ExitCode::SUCCESS)
        }
        HookCommand::PostReceive => {
            let stdin = std::io::stdin();
            medreview_remote::hook::post_receive(&mut stdin.lock())?;
            Ok(ExitCode::SUCCESS)
        }
        HookCommand::PreReceive => {
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            let ok = medreview_remote::hook::pre_receive(&mut input, ctx.err)?;
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
