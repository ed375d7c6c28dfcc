use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = briefbot::cli::Cli::parse();
    briefbot::logging::init();
    match briefbot::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
