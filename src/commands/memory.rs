//! `passeur memory`: list, search, export and import the translation memory.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Result};

use super::Status;
use crate::cli::{MemoryArg, MemoryCommand};
use crate::memory::{self, Memory};

pub(crate) fn run(command: MemoryCommand) -> Result<Status> {
    match command {
        MemoryCommand::List {
            memory,
            search,
            limit,
        } => {
            let tm = open_existing(&memory)?;
            let mut out = std::io::stdout().lock();
            for stored in tm.list(search.as_deref(), 0, limit)? {
                let a = &stored.approved;
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    a.source,
                    a.target,
                    a.state.name(),
                    a.origin
                )?;
            }
        }
        MemoryCommand::Export { memory, file } => {
            let tm = open_existing(&memory)?;
            let stored = tm.list(None, 0, usize::MAX >> 1)?;
            crate::files::write_atomic(&file, memory::tmx::write(&stored).as_bytes())?;
            eprintln!(
                "passeur: wrote {} translation(s) of {} to {}",
                stored.len(),
                path_of(&memory)?.display(),
                file.display()
            );
        }
        MemoryCommand::Import { memory, file } => {
            let approved = memory::tmx::read(&file)?;
            let path = path_of(&memory)?;
            if !path.is_file() {
                eprintln!(
                    "passeur: note: created the translation memory {}",
                    path.display()
                );
            }
            let mut tm = Memory::open(&path)?;
            let stored = tm.store(&approved)?;
            say!(
                "stored {stored} translation(s) from {} in {} ({} in all)",
                file.display(),
                path.display(),
                tm.count()?
            )?;
        }
    }
    Ok(Status::Success)
}

/// The memory file named: the file itself, an output folder's memory.sqlite, or
/// `PASSEUR_MEMORY`.
fn path_of(arg: &MemoryArg) -> Result<PathBuf> {
    let path = match &arg.memory {
        Some(path) if path.is_dir() => path.join(memory::MEMORY_FILE),
        Some(path) => path.clone(),
        None => match std::env::var_os("PASSEUR_MEMORY").filter(|v| !v.is_empty()) {
            Some(path) => PathBuf::from(path),
            None => {
                bail!("name the memory: --memory FILE (or an output folder), or set PASSEUR_MEMORY")
            }
        },
    };
    Ok(path)
}

fn open_existing(arg: &MemoryArg) -> Result<Memory> {
    let path = path_of(arg)?;
    match Memory::open_existing(&path)? {
        Some(memory) => Ok(memory),
        None => bail!(
            "{}: no such translation memory (`passeur memory import FILE.tmx`, `passeur review import` \
             and the editor create one)",
            path.display()
        ),
    }
}
