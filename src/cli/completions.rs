//! `medreview completions SHELL`: a completion script for the shell, from clap's own
//! description of the command line.

use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::{Cli, Ctx};
use medreview_core::error::{Error, Result};

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    shell: Shell,
}

/// Runs `completions`.
pub fn cmd_completions(ctx: &mut Ctx<'_>, args: CompletionsArgs) -> Result<ExitCode> {
    // Into memory first: clap_complete panics on a write error, and a closed pipe
    // must end quietly.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "medreview", &mut script);
    ctx.out
        .write_all(&script)
        .map_err(|e| Error::io("write", std::path::Path::new("<stdout>"), e))?;
    Ok(ExitCode::SUCCESS)
}
