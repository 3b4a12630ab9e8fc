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
        /// A key file the gate signs its checkpoint with, so clones that trust it
        /// (MEDREVIEW_TRUST_GATE) need not walk the whole history
        #[arg(long, value_name = "KEY")]
        gate_key: Option<PathBuf>,
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
        HookCommand::Install { server, gate_key } => {
            let dir = if server.is_absolute() {
                server
            } else {
                ctx.start.join(server)
            };
            let gate_key = gate_key.map(|k| {
                if k.is_absolute() {
                    k
                } else {
                    ctx.start.join(k)
                }
            });
            let installed = medreview_remote::hook::install(&dir, gate_key.as_deref())?;
            say(
                ctx.err,
                &format!(
                    "Installed the server gate: {} (receive.denyNonFastForwards and receive.denyDeletes are set).",
                    installed.hook.display()
                ),
            )?;
            say(
                ctx.err,
                "Settings (git config in that repository): medreview.branch, medreview.root, medreview.clockTolerance (minutes), medreview.pusherVariable, medreview.gateKey.",
            )?;
            if let Some((line, signed)) = &installed.gate {
                say(
                    ctx.err,
                    &format!(
                        "Gate key: {line}\n{}\nNext: an admin records the key in a clone, `medreview config set sync.gate_keys '[\"{line}\"]'`, and pushes it; a CI job trusts it with MEDREVIEW_TRUST_GATE='{line}' (a clone: `git config medreview.trustGate '{line}'`). See docs/gate-checkpoint.md.",
                        medreview_remote::hook::describe(signed)
                    ),
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        HookCommand::PostReceive => {
            let stdin = std::io::stdin();
            medreview_remote::hook::post_receive(&mut stdin.lock(), ctx.err)?;
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
