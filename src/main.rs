use std::io::Write;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = briefbot::cli::Cli::parse();
    briefbot::logging::init(cli.log_format);
    match briefbot::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The reader of our output stopped reading: nothing left to do.
        Err(e) if briefbot::cli::is_broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
