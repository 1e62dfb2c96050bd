//! The commands: one file each, dispatched from the parsed command line. Each turns its
//! arguments into settings, calls the library, prints what the user reads and says what
//! the exit status is.

/// `println!` that returns the error instead of panicking: when the reader closes the pipe
/// (`passeur glossary check … | head -1`), the command ends and `main` exits 0 quietly, as
/// ripgrep does.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

mod glossary;
mod memory;
mod model;
mod review;
mod segment;
mod suggest;
mod translate;

use anyhow::Result;

use crate::cli::{Cli, Command, ModelCommand};

/// The exit status of a run: success, some inputs failed, or nothing could be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Success,
    /// The run finished, but some input, segment or file failed (exit code 1).
    Partial,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Status> {
    match cli.command {
        Command::Translate(args) => translate::run(args),
        Command::Segment(args) => segment::run(args),
        Command::Model(ModelCommand::Fetch(args)) => model::fetch(args),
        Command::Model(ModelCommand::Info { dir }) => model::info(dir),
        Command::Glossary(command) => glossary::run(command),
        Command::Review(args) => review::run(args),
        Command::Merge(args) => translate::merge(args),
        Command::Memory(command) => memory::run(command),
    }
}
