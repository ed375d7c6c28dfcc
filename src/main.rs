//! The `briefbot` command: parse the command line, set up logging, run the
//! subcommand. The subcommands (`cli`) and the benchmark harness (`bench`)
//! belong to the binary, not to the library: nothing else runs them.

mod bench;
mod cli;

use std::io::Write;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    briefbot::logging::init(cli.log_format);
    match cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The reader of our output stopped reading: nothing left to do.
        Err(e) if cli::is_broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
