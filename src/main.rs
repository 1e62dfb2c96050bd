//! The passeur binary: parse the command line, run, print the error chain once, exit.

use std::process::ExitCode;

use clap::Parser;

use passeur::cli::Cli;
use passeur::Status;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match passeur::run(cli) {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::Partial) => ExitCode::from(1),
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("passeur: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

/// A reader that closes the pipe early (`passeur … | head`) is not an error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
