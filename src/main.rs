//! The `medreview` command: parse the arguments, run the command, map the result to an exit code.

mod cli;
mod output;
mod pager;

use std::process::ExitCode;

fn main() -> ExitCode {
    output::Terminal::install();
    cli::main()
}
