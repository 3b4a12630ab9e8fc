use std::process::ExitCode;

fn main() -> ExitCode {
    medreview::cli::main()
}
