//! `medreview config get|set|unset KEY [VALUE]`: the settings in `medreview.yaml`,
//! each change one commit with an admin's roster entry (see `roster::edit`).

use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::{Ctx, SignerArgs, say};
use medreview_core::error::{Code, Error, Result};
use medreview_core::roster::edit;

/// `config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a setting (dotted, e.g. review.required_approvals), as the record holds it
    Get(GetArgs),
    /// Change a setting: one commit with an admin's roster entry
    Set(SetArgs),
    /// Remove a setting so its default applies: one commit with an admin's roster entry
    Unset(UnsetArgs),
}

/// Arguments of `config get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The setting, e.g. review.required_approvals, base_url, sync.auto
    #[arg(value_name = "KEY")]
    setting: String,
}

/// Arguments of `config set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The setting, e.g. review.required_approvals, base_url, sync.auto
    #[arg(value_name = "KEY")]
    setting: String,
    /// Its new value, read as YAML: 2, true, [a, b] or text
    value: String,
    #[command(flatten)]
    signer: SignerArgs,
}

/// Arguments of `config unset`.
#[derive(Debug, Args)]
pub struct UnsetArgs {
    /// The setting, e.g. base_url
    #[arg(value_name = "KEY")]
    setting: String,
    #[command(flatten)]
    signer: SignerArgs,
}

/// Runs `config ...`.
pub fn cmd_config(ctx: &mut Ctx<'_>, command: ConfigCommand) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    let (proposal, signer) = match command {
        ConfigCommand::Get(args) => {
            return match edit::config_get(&ws, &args.setting)? {
                Some(value) => {
                    say(ctx.out, &value)?;
                    Ok(ExitCode::SUCCESS)
                }
                None => Err(Error::with_hint(
                    Code::NotSet,
                    format!("{} is not set in medreview.yaml", args.setting),
                    format!(
                        "its default applies; `medreview config set {} VALUE` sets it",
                        args.setting
                    ),
                )),
            };
        }
        ConfigCommand::Set(args) => (
            edit::config_set(&ws, &args.setting, Some(&args.value))?,
            args.signer,
        ),
        ConfigCommand::Unset(args) => (edit::config_set(&ws, &args.setting, None)?, args.signer),
    };
    super::people::record(ctx, &ws, proposal, &signer)
}
