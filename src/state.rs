//! The output folder as the run state: what is on disk says what is done.
//!
//! `OUT/.passeur/` holds a lock and `state.sqlite`. For each article the state records the
//! hash of its text, the fingerprint of everything its translation depends on (model,
//! options, the glossary entries and approved translations it uses), its English file and
//! its aligned rows; and a cache of translated model inputs, so that a sentence seen in an
//! earlier chunk or run is not translated again. A chunk's articles are committed in one
//! SQLite transaction after their English files are on disk, so `kill -9` at any moment
//! loses at most the chunk in flight; the next run skips what is recorded, does the rest,
//! removes what is no longer among the inputs, and renders `aligned.jsonl` and the review
//! formats from the state.
//!
//! SQLite rather than files of our own: transactions make a chunk all-or-nothing, lookups
//! are indexed, memory stays small whatever the batch, and the state can be inspected
//! with any SQLite client.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use thiserror::Error;

/// The state folder's name in an output folder.
pub const STATE_DIR: &str = ".passeur";

/// The layout of `state.sqlite` (SQLite's `user_version`). 2 indexes file names by their
/// case-insensitive key; 3 keeps each article's source (to render its English file again
/// after a review) and the history of reviewed segments. Each is made from the one before
/// (and from a state from before versions were kept, 0, that has today's tables) by adding
/// what it lacks; a newer version, or an older layout, is refused with the command that
/// rebuilds it, never read as if it were this one.
const SCHEMA_VERSION: i64 = 3;

/// What to do with a state that cannot be used (damaged, or of another version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// Refuse, naming the command that recovers.
    Refuse,
    /// Move it aside and start a new one (`translate --force`: everything is translated
    /// again anyway).
    Rebuild,
}

#[derive(Debug, Error)]
pub enum StateError {
    #[error("{path}: cannot use it as the output folder: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: another passeur run is writing to this output folder; \
         try again when it has finished"
    )]
    Locked { path: String },
    #[error(
        "{path}: not an output folder of `passeur translate` (it has no {STATE_DIR}/state.sqlite)"
    )]
    NotAnOutputFolder { path: String },
    #[error("{path}: run state: {source}")]
    Database {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    /// The state cannot be used as it is: damaged, or from another version of passeur.
    /// `translate --force` rebuilds it from the inputs.
    #[error(
        "{path}: the run state {why}; the same `passeur translate` command with --force \
         rebuilds it from the inputs (the damaged state is kept aside)"
    )]
    Unusable { path: String, why: String },
}

impl StateError {
    /// Worth retrying later (a scheduler's EX_TEMPFAIL): the folder is busy, not broken.
    pub fn is_temporary(&self) -> bool {
        matches!(self, StateError::Locked { .. })
    }
}

/// Opens `state.sqlite`, creating its tables in a new one, and checks its version: a
/// damaged file, a state of an older layout or one a newer passeur wrote is
/// [`StateError::Unusable`].
fn connect(path: &Path) -> Result<Connection, StateError> {
    let unusable = |why: String| StateError::Unusable {
        path: path.display().to_string(),
        why,
    };
    let db_error = |source: rusqlite::Error| match source.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) => {
            unusable(format!("is damaged ({source})"))
        }
        _ => StateError::Database {
            path: path.display().to_string(),
            source,
        },
    };
    let db = Connection::open(path).map_err(db_error)?;
    // File names as a case-insensitive, normalising volume sees them, for the index that
    // finds a name taken under another case (deterministic, so SQLite may index it).
    db.create_scalar_function(
        "file_key",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8
            | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |context| Ok(crate::files::file_key(&context.get::<String>(0)?)),
    )
    .map_err(db_error)?;
    register_fold(&db).map_err(db_error)?;
    // The editor reads while a run writes: wait for the writer's transaction, not fail.
    db.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(db_error)?;
    let version: i64 = db
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db_error)?;
    let tables: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .map_err(db_error)?;
    if version > SCHEMA_VERSION {
        return Err(unusable(format!(
            "was written by a newer passeur (layout {version}; this one reads {SCHEMA_VERSION})"
        )));
    }
    if version == 0 && tables > 0 {
        // Before versions were kept: today's layout if its articles have run and position.
        let has = |column: &str| {
            db.query_row(
                "SELECT COUNT(*) FROM pragma_table_info('articles') WHERE name = ?1",
                [column],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
        };
        if !(has("run").map_err(db_error)? && has("position").map_err(db_error)?) {
            return Err(unusable(
                "is of an older layout than this passeur reads".into(),
            ));
        }
    }
    db.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         CREATE TABLE IF NOT EXISTS articles (
             id TEXT PRIMARY KEY,
             content_hash TEXT NOT NULL,
             fingerprint TEXT NOT NULL,
             file TEXT NOT NULL,
             run INTEGER NOT NULL,
             position INTEGER NOT NULL
         );
         CREATE INDEX IF NOT EXISTS articles_file ON articles (file);
         CREATE INDEX IF NOT EXISTS articles_file_key ON articles (file_key(file));
         CREATE TABLE IF NOT EXISTS rows (
             article TEXT NOT NULL,
             seq INTEGER NOT NULL,
             json TEXT NOT NULL,
             PRIMARY KEY (article, seq)
         );
         CREATE INDEX IF NOT EXISTS rows_source ON rows (json_extract(json, '$.source'));
         CREATE TABLE IF NOT EXISTS sources (article TEXT PRIMARY KEY, json TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS history (
             article TEXT NOT NULL,
             paragraph INTEGER NOT NULL,
             idx INTEGER NOT NULL,
             revision INTEGER NOT NULL,
             at INTEGER NOT NULL,
             state TEXT NOT NULL,
             source TEXT NOT NULL,
             target TEXT NOT NULL,
             machine TEXT,
             PRIMARY KEY (article, paragraph, idx, revision)
         );
         CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, json TEXT NOT NULL);
         CREATE TABLE IF NOT EXISTS staged_rows (
             article TEXT NOT NULL,
             seq INTEGER NOT NULL,
             json TEXT NOT NULL,
             PRIMARY KEY (article, seq)
         );
         CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         PRAGMA user_version = {SCHEMA_VERSION};"
    ))
    .map_err(db_error)?;
    Ok(db)
}

/// `fold(text)` for SQL: text in Unicode lower case, for searches that ignore case
/// (SQLite's own `lower()` and `LIKE` fold ASCII only, so `État` would not find `état`).
pub fn register_fold(db: &Connection) -> rusqlite::Result<()> {
    db.create_scalar_function(
        "fold",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8
            | rusqlite::functions::FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            Ok(context
                .get::<Option<String>>(0)?
                .map(|text| text.to_lowercase()))
        },
    )
}

/// Moves an unusable state (and its journal) aside to `state.sqlite.unusable-N`, never
/// deleting what someone may want to inspect.
fn set_aside(path: &Path) -> std::io::Result<()> {
    let aside = (1..)
        .map(|n| path.with_extension(format!("sqlite.unusable-{n}")))
        .find(|p| !p.exists())
        .expect("a free name");
    std::fs::rename(path, &aside)?;
    // Its journal goes with it: left beside a new state, SQLite would replay it there.
    for journal in ["wal", "shm"] {
        let file = path.with_extension(format!("sqlite-{journal}"));
        if file.exists() {
            std::fs::rename(&file, format!("{}-{journal}", aside.display()))?;
        }
    }
    Ok(())
}

/// What the state remembers of a finished article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub content_hash: String,
    pub fingerprint: String,
    /// Its English file, relative to the output folder.
    pub file: String,
}

/// A finished article, ready to be committed.
#[derive(Debug, Clone)]
pub struct Finished {
    pub id: String,
    pub position: usize,
    pub record: Record,
    /// Its rows, each one line of `aligned.jsonl`.
    pub rows: Vec<String>,
    /// Its rows were staged part by part ([`OutputFolder::stage`]) instead: a long
    /// article's rows are not held in memory until its commit.
    pub staged: bool,
    /// The article as read (JSON of [`crate::read::Article`]), to render its English file
    /// again when a reviewer changes a sentence.
    pub source: String,
}

/// Translated model inputs into the cache, in a transaction of the caller's.
fn insert_cache(tx: &rusqlite::Transaction, cache: &[(String, String)]) -> rusqlite::Result<()> {
    let mut insert =
        tx.prepare_cached("INSERT OR REPLACE INTO cache (key, json) VALUES (?1, ?2)")?;
    for (key, json) in cache {
        insert.execute([key, json])?;
    }
    Ok(())
}

/// One saved state of a reviewed segment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Revision {
    pub paragraph: usize,
    pub index: usize,
    pub revision: u64,
    pub at: u64,
    pub state: String,
    pub source: String,
    pub target: String,
    /// The machine translation it replaced, if it changed it.
    pub machine: Option<String>,
}

/// Saving a segment failed: someone saved it since the edit began.
#[derive(Debug, Error)]
pub enum SaveError {
    #[error("the segment was saved by someone else meanwhile (revision {current})")]
    Conflict {
        current: u64,
        /// The segment as it is now (its row's JSON).
        row: String,
    },
    #[error("no such segment")]
    NotFound,
    /// The change cannot be made (its row is unreadable).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    State(#[from] StateError),
}

/// An output folder, locked for this run.
pub struct OutputFolder {
    dir: PathBuf,
    db: Connection,
    /// This run's number: every article of the inputs is stamped with it.
    run: i64,
    /// Articles kept, not yet stamped: written in batches, one transaction each, since a
    /// transaction per article would cost a disk sync per article.
    kept: Vec<(String, usize)>,
    // Held for the lifetime of the run; the OS releases it if the process dies. None for
    // the editor's view, which takes it for each change.
    _lock: Option<FolderLock>,
}

/// The folder's lock: one writer at a time (`translate`, `merge`, `review`, the editor's
/// changes). An advisory lock on `.passeur/lock`, released by the OS if the process dies.
pub struct FolderLock {
    _file: File,
}

impl FolderLock {
    /// Takes the lock, failing at once with [`StateError::Locked`] if another holds it.
    pub fn take(dir: &Path) -> Result<FolderLock, StateError> {
        let folder_error = |source| StateError::Folder {
            path: dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir.join(STATE_DIR)).map_err(folder_error)?;
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(STATE_DIR).join("lock"))
            .map_err(folder_error)?;
        match lock.try_lock() {
            Ok(()) => Ok(FolderLock { _file: lock }),
            Err(std::fs::TryLockError::WouldBlock) => Err(StateError::Locked {
                path: dir.display().to_string(),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(folder_error(e)),
        }
    }
}

impl OutputFolder {
    /// Creates the folder if needed, takes its lock (failing at once if another run holds
    /// it), removes temporary files a dead run left, and opens the state.
    pub fn open(dir: &Path) -> Result<OutputFolder, StateError> {
        OutputFolder::open_or(dir, Unusable::Refuse)
    }

    /// [`OutputFolder::open`], saying what to do with a state that cannot be used.
    pub fn open_or(dir: &Path, unusable: Unusable) -> Result<OutputFolder, StateError> {
        let folder_error = |source| StateError::Folder {
            path: dir.display().to_string(),
            source,
        };
        let lock = FolderLock::take(dir)?;
        remove_temporary_files(dir);
        let db_path = dir.join(STATE_DIR).join("state.sqlite");
        let db_error = |source| StateError::Database {
            path: db_path.display().to_string(),
            source,
        };
        let db = match (connect(&db_path), unusable) {
            (Err(StateError::Unusable { .. }), Unusable::Rebuild) => {
                set_aside(&db_path).map_err(folder_error)?;
                connect(&db_path)?
            }
            (result, _) => result?,
        };
        let run: i64 = db
            .query_row("SELECT COALESCE(MAX(run), 0) + 1 FROM articles", [], |r| {
                r.get(0)
            })
            .map_err(db_error)?;
        // Rows staged by a run that was killed before its article's commit.
        db.execute("DELETE FROM staged_rows", [])
            .map_err(db_error)?;
        Ok(OutputFolder {
            dir: dir.to_path_buf(),
            db,
            run,
            kept: Vec::new(),
            _lock: Some(lock),
        })
    }

    /// The state of a folder as its last run left it, without its lock, for the editor:
    /// it reads while a run may write (SQLite's journal gives it a consistent view), and
    /// takes a [`FolderLock`] for each change it makes. Fails if the folder has no state.
    pub fn open_unlocked(dir: &Path) -> Result<OutputFolder, StateError> {
        let db_path = dir.join(STATE_DIR).join("state.sqlite");
        if !db_path.is_file() {
            return Err(StateError::NotAnOutputFolder {
                path: dir.display().to_string(),
            });
        }
        let db = connect(&db_path)?;
        let run: i64 = db
            .query_row("SELECT COALESCE(MAX(run), 0) FROM articles", [], |r| {
                r.get(0)
            })
            .map_err(|source| StateError::Database {
                path: db_path.display().to_string(),
                source,
            })?;
        Ok(OutputFolder {
            dir: dir.to_path_buf(),
            db,
            run,
            kept: Vec::new(),
            _lock: None,
        })
    }

    /// This folder's run number (for an unlocked view, the last run's).
    pub fn run(&self) -> i64 {
        self.run
    }

    /// An unlocked view follows the folder to its last run (after a `translate` ended).
    pub fn follow_last_run(&mut self) -> Result<(), StateError> {
        self.run = self
            .db
            .query_row("SELECT COALESCE(MAX(run), 0) FROM articles", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Changes to the state by other connections since this one opened: SQLite's
    /// `data_version`, which moves whenever another connection commits.
    pub fn data_version(&self) -> Result<i64, StateError> {
        self.db
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(|e| self.error(e))
    }

    /// Every saved revision of an article's segments (for `merge`, which carries a
    /// reviewer's history into the merged folder).
    pub fn revisions_of(&self, id: &str) -> Result<Vec<Revision>, StateError> {
        self.revisions("WHERE article = ?1 ORDER BY paragraph, idx, revision", [id])
    }

    /// The history rows a condition (after `FROM history h`) selects.
    fn revisions(
        &self,
        condition: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Revision>, StateError> {
        let sql = format!(
            "SELECT paragraph, idx, revision, at, state, source, target, machine
             FROM history h {condition}"
        );
        let mut query = self.db.prepare_cached(&sql).map_err(|e| self.error(e))?;
        let rows = query
            .query_map(params, revision_of_row)
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    /// Records revisions of an article's segments as they were saved elsewhere.
    pub fn add_revisions(&mut self, id: &str, revisions: &[Revision]) -> Result<(), StateError> {
        let tx = self.db.transaction().map_err(|e| StateError::Database {
            path: self.dir.join(STATE_DIR).display().to_string(),
            source: e,
        })?;
        let result = (|| {
            for r in revisions {
                insert_revision(&tx, id, r)?;
            }
            Ok(())
        })();
        result.and_then(|()| tx.commit()).map_err(|e| self.error(e))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The folder as its last run left it, for commands that render or review it without
    /// translating (`review`): its rows are the last run's articles, not a new run's.
    pub fn as_last_run(mut self) -> OutputFolder {
        self.run -= 1;
        self
    }

    fn error(&self, source: rusqlite::Error) -> StateError {
        StateError::Database {
            path: self.dir.join(STATE_DIR).display().to_string(),
            source,
        }
    }

    /// What the state has of an article, if anything.
    pub fn record(&self, id: &str) -> Result<Option<Record>, StateError> {
        self.db
            .query_row(
                "SELECT content_hash, fingerprint, file FROM articles WHERE id = ?1",
                [id],
                |r| {
                    Ok(Record {
                        content_hash: r.get(0)?,
                        fingerprint: r.get(1)?,
                        file: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Stores the rows of a part of a long article (`(article, seq, json)`), to be made its
    /// rows by its commit ([`Finished::staged`]), and the part's translations for the cache:
    /// one transaction, so that memory does not hold a long article's rows, and a rerun
    /// after a crash finds the part's translations.
    pub fn stage(
        &mut self,
        rows: &[(String, usize, String)],
        cache: &[(String, String)],
    ) -> Result<(), StateError> {
        let tx = self.db.transaction().map_err(|e| StateError::Database {
            path: self.dir.join(STATE_DIR).display().to_string(),
            source: e,
        })?;
        let result = (|| {
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO staged_rows (article, seq, json) VALUES (?1, ?2, ?3)",
            )?;
            for (article, seq, json) in rows {
                insert.execute(params![article, *seq as i64, json])?;
            }
            insert_cache(&tx, cache)
        })();
        result.and_then(|()| tx.commit()).map_err(|e| self.error(e))
    }

    /// The run that last wrote an article, if the state has it.
    pub fn run_of(&self, id: &str) -> Result<Option<i64>, StateError> {
        self.db
            .query_row("SELECT run FROM articles WHERE id = ?1", [id], |r| r.get(0))
            .optional()
            .map_err(|e| self.error(e))
    }

    /// A `--force` run begins: the first of an interrupted series of them, recorded until
    /// one completes, so that the same command run again resumes it ([`Self::forced_since`]).
    /// A run without `--force` gives the series up (it keeps what the state holds).
    pub fn begin_forcing(&self, force: bool) -> Result<Option<i64>, StateError> {
        let pending = self.forced_since()?;
        match (force, pending) {
            (true, Some(first)) => Ok(Some(first)),
            (true, None) => {
                self.set_meta("forcing_since", &self.run.to_string())?;
                Ok(None)
            }
            (false, _) => {
                self.set_meta("forcing_since", "")?;
                Ok(None)
            }
        }
    }

    /// The first run of a `--force` series not completed yet: every article written by it
    /// or a later run was forced already.
    pub fn forced_since(&self) -> Result<Option<i64>, StateError> {
        Ok(self.meta("forcing_since")?.and_then(|r| r.parse().ok()))
    }

    /// Keeps a recorded article as it is, at its place among this run's inputs.
    pub fn keep(&mut self, id: &str, position: usize) -> Result<(), StateError> {
        self.kept.push((id.to_string(), position));
        if self.kept.len() >= 4096 {
            self.stamp_kept()?;
        }
        Ok(())
    }

    /// Stamps the kept articles with this run, in one transaction (before the state is
    /// read back: [`Self::for_each_row`] sees only stamped articles).
    pub fn stamp_kept(&mut self) -> Result<(), StateError> {
        if self.kept.is_empty() {
            return Ok(());
        }
        let run = self.run;
        let kept = std::mem::take(&mut self.kept);
        let tx = self.db.transaction().map_err(|e| StateError::Database {
            path: self.dir.join(STATE_DIR).display().to_string(),
            source: e,
        })?;
        let result = (|| {
            let mut update =
                tx.prepare_cached("UPDATE articles SET run = ?1, position = ?2 WHERE id = ?3")?;
            for (id, position) in &kept {
                update.execute(params![run, *position as i64, id])?;
            }
            drop(update);
            tx.commit()
        })();
        result.map_err(|e| self.error(e))
    }

    /// True when another article of the state already has this English file.
    pub fn file_taken(&self, key: &str, id: &str) -> Result<bool, StateError> {
        self.db
            .query_row(
                "SELECT 1 FROM articles WHERE file_key(file) = ?1 AND id != ?2",
                [key, id],
                |_| Ok(()),
            )
            .optional()
            .map(|found| found.is_some())
            .map_err(|e| self.error(e))
    }

    /// A cached translation (JSON) of a model input.
    pub fn cached(&self, key: &str) -> Result<Option<String>, StateError> {
        self.db
            .query_row("SELECT json FROM cache WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Records a chunk's finished articles and new cache entries, all or nothing.
    pub fn commit(
        &mut self,
        finished: &[Finished],
        cache: &[(String, String)],
    ) -> Result<(), StateError> {
        self.stamp_kept()?;
        let run = self.run;
        let tx = self.db.transaction().map_err(|e| StateError::Database {
            path: self.dir.join(STATE_DIR).display().to_string(),
            source: e,
        })?;
        let result = (|| {
            for article in finished {
                tx.execute("DELETE FROM rows WHERE article = ?1", [&article.id])?;
                tx.execute(
                    "INSERT OR REPLACE INTO articles (id, content_hash, fingerprint, file, run, position)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        article.id,
                        article.record.content_hash,
                        article.record.fingerprint,
                        article.record.file,
                        run,
                        article.position as i64
                    ],
                )?;
                if article.staged {
                    tx.execute(
                        "INSERT INTO rows (article, seq, json)
                         SELECT article, seq, json FROM staged_rows WHERE article = ?1",
                        [&article.id],
                    )?;
                    tx.execute("DELETE FROM staged_rows WHERE article = ?1", [&article.id])?;
                }
                let mut insert =
                    tx.prepare_cached("INSERT INTO rows (article, seq, json) VALUES (?1, ?2, ?3)")?;
                for (seq, json) in article.rows.iter().enumerate() {
                    insert.execute(params![article.id, seq as i64, json])?;
                }
                tx.execute(
                    "INSERT OR REPLACE INTO sources (article, json) VALUES (?1, ?2)",
                    params![article.id, article.source],
                )?;
            }
            insert_cache(&tx, cache)
        })();
        result.and_then(|()| tx.commit()).map_err(|e| self.error(e))
    }

    /// The articles of earlier runs that this run's inputs no longer have: id and file.
    pub fn stale(&mut self) -> Result<Vec<(String, String)>, StateError> {
        self.stamp_kept()?;
        let mut query = self
            .db
            .prepare("SELECT id, file FROM articles WHERE run != ?1 ORDER BY id")
            .map_err(|e| self.error(e))?;
        let rows = query
            .query_map([self.run], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    /// Forgets articles (after their files were removed).
    pub fn forget(&mut self, ids: &[String]) -> Result<(), StateError> {
        let tx = self.db.transaction().map_err(|e| StateError::Database {
            path: self.dir.join(STATE_DIR).display().to_string(),
            source: e,
        })?;
        let result = (|| {
            for id in ids {
                for table in ["rows", "sources", "history"] {
                    tx.execute(&format!("DELETE FROM {table} WHERE article = ?1"), [id])?;
                }
                tx.execute("DELETE FROM articles WHERE id = ?1", [id])?;
            }
            Ok(())
        })();
        result.and_then(|()| tx.commit()).map_err(|e| self.error(e))
    }

    /// Calls `each` with every row of this run's articles, in input order (each row is one
    /// line of `aligned.jsonl`), one at a time.
    pub fn for_each_row(
        &self,
        each: impl FnMut(&str) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>, StateError> {
        self.for_each_json(
            "SELECT rows.json FROM rows JOIN articles ON rows.article = articles.id
             WHERE articles.run = ?1 ORDER BY articles.position, rows.seq",
            [self.run],
            each,
        )
    }

    /// Calls `each` with every row staged for an article so far, in order (see
    /// [`Self::stage`]).
    pub fn for_each_staged(
        &self,
        id: &str,
        each: impl FnMut(&str) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>, StateError> {
        self.for_each_json(
            "SELECT json FROM staged_rows WHERE article = ?1 ORDER BY seq",
            [id],
            each,
        )
    }

    /// Calls `each` with the JSON text of every row `sql` selects, streaming: the first
    /// error of `each` ends the walk and is given back.
    fn for_each_json(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        mut each: impl FnMut(&str) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>, StateError> {
        let mut query = self.db.prepare(sql).map_err(|e| self.error(e))?;
        let mut rows = query.query(params).map_err(|e| self.error(e))?;
        while let Some(row) = rows.next().map_err(|e| self.error(e))? {
            let json: String = row.get(0).map_err(|e| self.error(e))?;
            if let Err(e) = each(&json) {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }

    /// Marks the folder as being written by a run (incomplete until [`Self::end_run`]),
    /// and records which shard of a batch it holds and the run's fingerprint, for merge.
    pub fn begin_run(&self, shard: Option<&str>, fingerprint: &str) -> Result<(), StateError> {
        self.set_meta("complete", "false")?;
        self.set_meta("shard", shard.unwrap_or(""))?;
        self.set_meta("run_fingerprint", fingerprint)
    }

    /// Marks the folder complete: every input article is in it (a `--force` series ends).
    pub fn end_run(&self) -> Result<(), StateError> {
        self.set_meta("forcing_since", "")?;
        self.set_meta("complete", "true")
    }

    /// This run's articles in input order: id, its record and its position, from
    /// `after` on, at most `limit` of them (for reading a folder in pages).
    pub fn articles_page(
        &self,
        after: Option<usize>,
        limit: usize,
    ) -> Result<Vec<(String, Record, usize)>, StateError> {
        let mut query = self
            .db
            .prepare_cached(
                "SELECT id, content_hash, fingerprint, file, position FROM articles
                 WHERE position > ?1 ORDER BY position LIMIT ?2",
            )
            .map_err(|e| self.error(e))?;
        let rows = query
            .query_map(params![after.map_or(-1, |p| p as i64), limit as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Record {
                        content_hash: r.get(1)?,
                        fingerprint: r.get(2)?,
                        file: r.get(3)?,
                    },
                    r.get::<_, i64>(4)? as usize,
                ))
            })
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    /// The rows of one article, each one line of `aligned.jsonl`.
    pub fn rows_of(&self, id: &str) -> Result<Vec<String>, StateError> {
        let mut query = self
            .db
            .prepare_cached("SELECT json FROM rows WHERE article = ?1 ORDER BY seq")
            .map_err(|e| self.error(e))?;
        let rows = query
            .query_map([id], |r| r.get(0))
            .map_err(|e| self.error(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.error(e))
    }

    /// The article as read (JSON), if the state has it (states before layout 3 do not).
    pub fn source_of(&self, id: &str) -> Result<Option<String>, StateError> {
        self.db
            .query_row("SELECT json FROM sources WHERE article = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))
    }

    /// The last saved revision of each reviewed segment of an article.
    pub fn reviewed_of(&self, id: &str) -> Result<Vec<Revision>, StateError> {
        self.revisions(
            "WHERE article = ?1 AND revision = (
                 SELECT MAX(revision) FROM history
                 WHERE article = h.article AND paragraph = h.paragraph AND idx = h.idx)
             ORDER BY paragraph, idx",
            [id],
        )
    }

    /// Every saved revision of one segment, oldest first.
    pub fn history_of(
        &self,
        id: &str,
        paragraph: usize,
        index: usize,
    ) -> Result<Vec<Revision>, StateError> {
        self.revisions(
            "WHERE article = ?1 AND paragraph = ?2 AND idx = ?3 ORDER BY revision",
            params![id, paragraph as i64, index as i64],
        )
    }

    /// Replaces each segment's row with `change(row)` and records the revision, all in one
    /// transaction; a segment whose revision is no longer the `base` its change started
    /// from is left as it is, and its result says so ([`SaveError::Conflict`]). Returns,
    /// per segment, its new row's JSON.
    pub fn save_segments(
        &mut self,
        segments: &[SegmentAt],
        change: &mut RowChange,
    ) -> Result<Vec<Result<String, SaveError>>, StateError> {
        let path = self.dir.join(STATE_DIR).display().to_string();
        let error = |source| StateError::Database {
            path: path.clone(),
            source,
        };
        let tx = self.db.transaction().map_err(error)?;
        let mut results = Vec::with_capacity(segments.len());
        for at in segments {
            match save_one(&tx, at, change) {
                // The state itself failed: nothing is saved (the transaction rolls back).
                Err(SaveError::State(StateError::Database { source, .. })) => {
                    return Err(error(source))
                }
                result => results.push(result),
            }
        }
        tx.commit().map_err(error)?;
        Ok(results)
    }

    /// A segment's row, by where it is: its `seq` in its article and its JSON.
    pub fn segment_row(
        &self,
        article: &str,
        paragraph: usize,
        index: usize,
    ) -> Result<Option<(i64, String)>, StateError> {
        find_row(&self.db, article, paragraph, index).map_err(|e| self.error(e))
    }

    /// The connection, for the editor's read-only queries (filters, pages, counts).
    pub fn connection(&self) -> &Connection {
        &self.db
    }

    /// A value remembered from the last run (such as the review formats it wrote).
    pub fn meta(&self, key: &str) -> Result<Option<String>, StateError> {
        self.db
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.error(e))
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StateError> {
        self.db
            .execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                [key, value],
            )
            .map(|_| ())
            .map_err(|e| self.error(e))
    }
}

/// A change to a segment's row: its JSON in, the new JSON and the revision to record out
/// (or why the row cannot be changed).
pub type RowChange<'a> = dyn FnMut(&str) -> Result<(String, Revision), String> + 'a;

/// A segment to save: where it is, and the revision the change started from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentAt {
    pub article: String,
    pub paragraph: usize,
    pub index: usize,
    pub base: u64,
}

/// A segment's row: its `seq` in its article and its JSON.
fn find_row(
    db: &Connection,
    article: &str,
    paragraph: usize,
    index: usize,
) -> rusqlite::Result<Option<(i64, String)>> {
    db.prepare_cached(
        "SELECT seq, json FROM rows WHERE article = ?1
         AND json_extract(json, '$.paragraph') = ?2 AND json_extract(json, '$.index') = ?3",
    )?
    .query_row(params![article, paragraph as i64, index as i64], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
}

/// One segment of [`OutputFolder::save_segments`], inside its transaction.
fn save_one(
    tx: &rusqlite::Transaction,
    at: &SegmentAt,
    change: &mut RowChange,
) -> Result<String, SaveError> {
    let db = |source| {
        SaveError::State(StateError::Database {
            path: String::new(),
            source,
        })
    };
    let found = find_row(tx, &at.article, at.paragraph, at.index).map_err(db)?;
    let Some((seq, json)) = found else {
        return Err(SaveError::NotFound);
    };
    let current = serde_json::from_str::<serde_json::Value>(&json)
        .ok()
        .and_then(|v| v.pointer("/review/revision").and_then(|r| r.as_u64()))
        .unwrap_or(0);
    if current != at.base {
        return Err(SaveError::Conflict { current, row: json });
    }
    let (new_json, revision) = change(&json).map_err(SaveError::Invalid)?;
    tx.execute(
        "UPDATE rows SET json = ?1 WHERE article = ?2 AND seq = ?3",
        params![new_json, at.article, seq],
    )
    .map_err(db)?;
    insert_revision(tx, &at.article, &revision).map_err(db)?;
    Ok(new_json)
}

fn insert_revision(
    tx: &rusqlite::Transaction,
    article: &str,
    r: &Revision,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT OR REPLACE INTO history
         (article, paragraph, idx, revision, at, state, source, target, machine)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            article,
            r.paragraph as i64,
            r.index as i64,
            r.revision as i64,
            r.at as i64,
            r.state,
            r.source,
            r.target,
            r.machine
        ],
    )
    .map(|_| ())
}

fn revision_of_row(r: &rusqlite::Row) -> rusqlite::Result<Revision> {
    Ok(Revision {
        paragraph: r.get::<_, i64>(0)? as usize,
        index: r.get::<_, i64>(1)? as usize,
        revision: r.get::<_, i64>(2)? as u64,
        at: r.get::<_, i64>(3)? as u64,
        state: r.get(4)?,
        source: r.get(5)?,
        target: r.get(6)?,
        machine: r.get(7)?,
    })
}

/// Removes the temporary files (`.passeur-*.tmp`) that a run killed while writing left in
/// the output folder. Only called under the lock, so no live run owns them.
fn remove_temporary_files(dir: &Path) {
    let temporary = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name.starts_with(".passeur-") && name.ends_with(".tmp")
        });
    for entry in temporary {
        let _ = std::fs::remove_file(entry.path());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: an older state gave a raw `no such column: run`, a newer one was
    /// accepted silently, and a damaged one named no recovery.
    #[test]
    fn a_state_of_another_version_or_damaged_is_refused_or_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join(STATE_DIR).join("state.sqlite");
        drop(OutputFolder::open(dir.path()).unwrap());
        let version = |v: i64| {
            Connection::open(&db_path)
                .unwrap()
                .execute_batch(&format!("PRAGMA user_version = {v}"))
                .unwrap()
        };
        let refused = |expected: &str| {
            let error = OutputFolder::open(dir.path())
                .err()
                .expect("refused")
                .to_string();
            assert!(
                error.contains(expected) && error.contains("with --force"),
                "{error}"
            );
        };
        version(7);
        refused("newer passeur (layout 7");
        version(0);
        drop(OutputFolder::open(dir.path()).expect("an unversioned state of today's layout"));
        let old = Connection::open(&db_path).unwrap();
        old.execute_batch(
            "PRAGMA user_version = 0; DROP TABLE articles; CREATE TABLE articles (id TEXT);",
        )
        .unwrap();
        drop(old);
        refused("older layout");
        std::fs::write(
            &db_path,
            b"not a database, just bytes that are long enough to look like a header and more",
        )
        .unwrap();
        let _ = std::fs::remove_file(db_path.with_extension("sqlite-wal"));
        refused("is damaged");
        let folder = OutputFolder::open_or(dir.path(), Unusable::Rebuild).unwrap();
        assert!(folder.meta("complete").unwrap().is_none(), "a new state");
        assert!(dir
            .path()
            .join(STATE_DIR)
            .join("state.sqlite.unusable-1")
            .is_file());
    }

    /// A long article's rows, staged part by part, become its rows at its commit; rows a
    /// killed run staged are gone when the folder is opened again.
    #[test]
    fn staged_rows_become_the_rows_at_commit_or_go_with_a_killed_run() {
        let dir = tempfile::tempdir().unwrap();
        let mut folder = OutputFolder::open(dir.path()).unwrap();
        let part = |seqs: std::ops::Range<usize>| -> Vec<(String, usize, String)> {
            seqs.map(|i| ("long.txt".to_string(), i, format!("{{\"n\":{i}}}")))
                .collect()
        };
        folder
            .stage(&part(0..2), &[("k1".into(), "{}".into())])
            .unwrap();
        folder.stage(&part(2..3), &[]).unwrap();
        let mut long = finished("long.txt", 0, &[]);
        long.staged = true;
        folder.commit(&[long], &[]).unwrap();
        assert_eq!(
            folder.rows_of("long.txt").unwrap(),
            ["{\"n\":0}", "{\"n\":1}", "{\"n\":2}"]
        );
        assert!(folder.cached("k1").unwrap().is_some());
        folder.stage(&part(0..1), &[]).unwrap();
        drop(folder); // killed before the commit
        let folder = OutputFolder::open(dir.path()).unwrap();
        let staged: i64 = folder
            .connection()
            .query_row("SELECT COUNT(*) FROM staged_rows", [], |r| r.get(0))
            .unwrap();
        assert_eq!(staged, 0);
    }

    fn finished(id: &str, position: usize, rows: &[&str]) -> Finished {
        Finished {
            staged: false,
            id: id.into(),
            position,
            record: Record {
                content_hash: format!("h-{id}"),
                fingerprint: "f".into(),
                file: format!("{id}.en.txt"),
            },
            rows: rows.iter().map(|r| r.to_string()).collect(),
            source: "{}".into(),
        }
    }

    fn all_rows(folder: &OutputFolder) -> Vec<String> {
        let mut rows = Vec::new();
        folder
            .for_each_row(|r| {
                rows.push(r.to_string());
                Ok(())
            })
            .unwrap()
            .unwrap();
        rows
    }

    #[test]
    fn a_second_run_on_the_same_folder_is_refused_while_the_first_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutputFolder::open(dir.path()).unwrap();
        let error = OutputFolder::open(dir.path()).err().unwrap();
        assert!(error.is_temporary(), "{error}");
        drop(first);
        OutputFolder::open(dir.path()).unwrap();
    }

    #[test]
    fn rows_come_back_in_input_order_and_stale_articles_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let mut folder = OutputFolder::open(dir.path()).unwrap();
        folder
            .commit(
                &[
                    finished("b", 1, &[r#""b1""#]),
                    finished("a", 0, &[r#""a1""#, r#""a2""#]),
                ],
                &[("k".into(), "{}".into())],
            )
            .unwrap();
        assert_eq!(all_rows(&folder), [r#""a1""#, r#""a2""#, r#""b1""#]);
        assert_eq!(folder.cached("k").unwrap().as_deref(), Some("{}"));
        drop(folder);

        // The next run keeps b only.
        let mut folder = OutputFolder::open(dir.path()).unwrap();
        assert_eq!(folder.record("a").unwrap().unwrap().file, "a.en.txt");
        folder.keep("b", 0).unwrap();
        assert_eq!(
            folder.stale().unwrap(),
            [("a".to_string(), "a.en.txt".to_string())]
        );
        assert_eq!(all_rows(&folder), [r#""b1""#]);
        assert!(folder.file_taken("b.en.txt", "x").unwrap());
        assert!(!folder.file_taken("b.en.txt", "b").unwrap());
    }

    #[test]
    fn temporary_files_of_a_dead_run_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/.passeur-x1.tmp"), "half").unwrap();
        std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
        OutputFolder::open(dir.path()).unwrap();
        assert!(!dir.path().join("sub/.passeur-x1.tmp").exists());
        assert!(dir.path().join("keep.txt").exists());
    }
}
