//! The translation memory: approved human translations, reused instead of the model.
//!
//! `passeur review import` stores the sentences a reviewer approved; the next `translate`
//! into the same output folder takes an approved translation for an identical source
//! sentence instead of the model's, and marks it `memory` in `aligned.jsonl`.
//!
//! Stored in SQLite (`memory.sqlite` in the output folder) rather than a JSON file: imports
//! are transactions, so an interrupted import leaves the memory as it was; lookups are
//! indexed; and reviewers and other tools can query it with any SQLite client. One memory
//! can serve every batch of a team: `--memory FILE` or `PASSEUR_MEMORY` names it
//! ([`default_path`]); `passeur memory` lists, searches, and exchanges it as TMX ([`tmx`]).

pub mod tmx;

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use thiserror::Error;

use crate::align::ReviewState;

/// The memory's file name in an output folder.
pub const MEMORY_FILE: &str = "memory.sqlite";

#[derive(Debug, Error)]
#[error("{path}: translation memory: {source}")]
pub struct MemoryError {
    pub path: String,
    #[source]
    pub source: rusqlite::Error,
}

/// An approved translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    pub source: String,
    pub target: String,
    /// Where it was approved: the reviewed file and unit, or the editor's segment.
    pub origin: String,
    /// Confirmed (translated) or approved.
    pub state: ReviewState,
}

/// The memory used when no `--memory` names one: `PASSEUR_MEMORY` (one memory for every
/// batch, a team's shared file or a per-user one such as
/// `~/.local/share/passeur/memory.sqlite`), else the output folder's own `memory.sqlite`.
pub fn default_path(out_dir: &Path) -> PathBuf {
    match std::env::var_os("PASSEUR_MEMORY").filter(|v| !v.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => out_dir.join(MEMORY_FILE),
    }
}

/// One stored translation, as `passeur memory list` and the TMX export show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub approved: Approved,
    /// When it was stored (seconds since 1970).
    pub at: u64,
}

/// What the memory holds for a source sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub target: String,
    pub state: ReviewState,
    /// When it was stored (seconds since 1970).
    pub at: u64,
}

/// A translation memory file.
pub struct Memory {
    connection: Connection,
    path: PathBuf,
}

impl Memory {
    /// Opens (creating if needed) the memory at `path`.
    pub fn open(path: &Path) -> Result<Memory, MemoryError> {
        let error = |source| MemoryError {
            path: path.display().to_string(),
            source,
        };
        let connection = Connection::open(path).map_err(error)?;
        crate::state::register_fold(&connection).map_err(error)?;
        // An editor saving while a `translate` reads it: wait, do not fail.
        connection
            .busy_timeout(std::time::Duration::from_secs(10))
            .map_err(error)?;
        connection
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS approved (
                    source TEXT PRIMARY KEY,
                    target TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    approved_at INTEGER NOT NULL
                );",
            )
            .map_err(error)?;
        // Memories from before review states were kept: their rows are approvals.
        let has_state: bool = connection
            .query_row(
                "SELECT COUNT(*) FROM pragma_table_info('approved') WHERE name = 'state'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
            .map_err(error)?;
        if !has_state {
            connection
                .execute_batch(
                    "ALTER TABLE approved ADD COLUMN state TEXT NOT NULL DEFAULT 'approved'",
                )
                .map_err(error)?;
        }
        Ok(Memory {
            connection,
            path: path.to_path_buf(),
        })
    }

    /// Opens the memory at `path` if the file exists.
    pub fn open_existing(path: &Path) -> Result<Option<Memory>, MemoryError> {
        if path.is_file() {
            Memory::open(path).map(Some)
        } else {
            Ok(None)
        }
    }

    fn error(&self, source: rusqlite::Error) -> MemoryError {
        MemoryError {
            path: self.path.display().to_string(),
            source,
        }
    }

    /// Stores approved translations in one transaction; a later approval of the same
    /// source replaces an earlier one. Returns how many were stored.
    pub fn store(&mut self, approved: &[Approved]) -> Result<usize, MemoryError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let path = self.path.display().to_string();
        let error = |source| MemoryError {
            path: path.clone(),
            source,
        };
        let transaction = self.connection.transaction().map_err(error)?;
        for a in approved {
            transaction
                .execute(
                    "INSERT INTO approved (source, target, origin, approved_at, state)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(source) DO UPDATE SET target = excluded.target,
                         origin = excluded.origin, approved_at = excluded.approved_at,
                         state = excluded.state",
                    params![a.source, a.target, a.origin, now, a.state.name()],
                )
                .map_err(error)?;
        }
        transaction.commit().map_err(error)?;
        Ok(approved.len())
    }

    /// The approved translation of this source sentence, if any: stored as it is, or with
    /// its runs of spaces as one (how an XLIFF reader reads text whose spacing is not
    /// significant, and how `review import` stores it).
    pub fn lookup(&self, source: &str) -> Result<Option<Found>, MemoryError> {
        if let Some(found) = self.lookup_exact(source)? {
            return Ok(Some(found));
        }
        let collapsed = collapse_spaces(source);
        if collapsed != source {
            return self.lookup_exact(&collapsed);
        }
        Ok(None)
    }

    /// The approved translation of exactly this source sentence, if any.
    fn lookup_exact(&self, source: &str) -> Result<Option<Found>, MemoryError> {
        self.connection
            .query_row(
                "SELECT target, state, approved_at FROM approved WHERE source = ?1",
                params![source],
                |row| {
                    Ok(Found {
                        target: row.get(0)?,
                        state: ReviewState::from_name(&row.get::<_, String>(1)?)
                            .filter(|s| s.is_reviewed())
                            .unwrap_or(ReviewState::Approved),
                        at: row.get::<_, i64>(2)?.max(0) as u64,
                    })
                },
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Forgets the translation of `source` if it is `target` (a reviewer rejected it).
    pub fn forget(&mut self, source: &str, target: &str) -> Result<(), MemoryError> {
        self.connection
            .execute(
                "DELETE FROM approved WHERE source = ?1 AND target = ?2",
                params![source, target],
            )
            .map(|_| ())
            .map_err(|e| self.error(e))
    }

    /// The stored translations in source order, those whose source or target holds `text`
    /// (case-insensitive) when it is given; at most `limit`, from `offset` on.
    pub fn list(
        &self,
        text: Option<&str>,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Stored>, MemoryError> {
        let folded = text.map(str::to_lowercase);
        let mut query = self
            .connection
            .prepare(
                "SELECT source, target, origin, state, approved_at FROM approved
                 WHERE ?1 IS NULL OR instr(fold(source), ?1) > 0 OR instr(fold(target), ?1) > 0
                 ORDER BY source LIMIT ?2 OFFSET ?3",
            )
            .map_err(|e| self.error(e))?;
        let rows = query
            .query_map(params![folded, limit as i64, offset as i64], |row| {
                Ok(Stored {
                    approved: Approved {
                        source: row.get(0)?,
                        target: row.get(1)?,
                        origin: row.get(2)?,
                        state: ReviewState::from_name(&row.get::<_, String>(3)?)
                            .filter(|s| s.is_reviewed())
                            .unwrap_or(ReviewState::Approved),
                    },
                    at: row.get::<_, i64>(4)?.max(0) as u64,
                })
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    /// How many approved translations the memory holds.
    pub fn count(&self) -> Result<usize, MemoryError> {
        self.connection
            .query_row("SELECT COUNT(*) FROM approved", [], |row| {
                row.get::<_, i64>(0)
            })
            .map(|n| n as usize)
            .map_err(|e| self.error(e))
    }
}

/// Runs of ASCII whitespace as one space, trimmed (a no-break space is a character, kept).
pub fn collapse_spaces(text: &str) -> String {
    text.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_replaces_and_finds_exact_sources() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(MEMORY_FILE);
        let mut memory = Memory::open(&path).unwrap();
        let approved = |target: &str| Approved {
            source: "L'OTAN se réunit.".into(),
            target: target.into(),
            origin: "a.xlf#p0-s0".into(),
            state: ReviewState::Approved,
        };
        memory.store(&[approved("NATO meets.")]).unwrap();
        memory.store(&[approved("NATO is meeting.")]).unwrap();
        assert_eq!(memory.count().unwrap(), 1);
        let memory = Memory::open_existing(&path).unwrap().unwrap();
        assert_eq!(
            memory
                .lookup("L'OTAN se réunit.")
                .unwrap()
                .map(|f| f.target)
                .as_deref(),
            Some("NATO is meeting.")
        );
        assert_eq!(memory.lookup("L'OTAN se réunit").unwrap(), None);
        assert!(Memory::open_existing(&dir.path().join("none.sqlite"))
            .unwrap()
            .is_none());
    }
}
