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
    // clap_mangen puts `after_help` (the exit codes) under a section it calls EXTRA,
    // and offers no way to name it; man pages call it EXIT STATUS.
    let page = String::from_utf8_lossy(&page).replacen(".SH EXTRA\n", ".SH \"EXIT STATUS\"\n", 1);
    ctx.out
        .write_all(page.as_bytes())
        .map_err(|e| Error::io("write", Path::new("<stdout>"), e))?;
    Ok(ExitCode::SUCCESS)
}
