//! `medreview man`: the manual page, in roff, from clap's own description of the
//! command line.

use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use super::{Cli, Ctx};
use medreview_core::error::{Error, Result};

/// Runs `man`.
pub fn cmd_man(ctx: &mut Ctx<'_>) -> Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| Error::io("render", Path::new("<man page>"), e))?;
    ctx.out
        .write_all(&page)
        .map_err(|e| Error::io("write", Path::new("<stdout>"), e))?;
    Ok(ExitCode::SUCCESS)
}
