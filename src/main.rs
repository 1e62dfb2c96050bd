//! The passeur binary: parse the command line, run, print the error chain once, exit.

use std::process::ExitCode;

use clap::Parser;

use passeur::cli::Cli;
use passeur::Status;

fn main() -> ExitCode {
    // The engine's process settings (glibc malloc's among them), before any thread starts:
    // malloc's single arena is only single if no thread has made its own yet.
    passeur::translate::backend::prepare();
    let cli = Cli::parse();
    match passeur::run(cli) {
        Ok(Status::Success) => ExitCode::SUCCESS,
        Ok(Status::Partial) => ExitCode::from(1),
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("passeur: error: {error:#}");
            if is_temporary(&error) {
                // EX_TEMPFAIL: a scheduler (Slurm, Kubernetes) may retry later.
                ExitCode::from(75)
            } else {
                ExitCode::from(2)
            }
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

/// A failure worth retrying as it is (the output folder is busy, or its disk was full).
fn is_temporary(error: &anyhow::Error) -> bool {
    // The disk-full context is found by downcasting the error itself (anyhow's contexts
    // are not in the chain as their own type).
    error.downcast_ref::<passeur::files::DiskFull>().is_some()
        || error.chain().any(|cause| {
            cause
                .downcast_ref::<passeur::state::StateError>()
                .is_some_and(passeur::state::StateError::is_temporary)
        })
}
