//! The review editor's work: what `passeur review serve` does for a reviewer, below its
//! HTTP layer ([`server`]). It reads the folder's state as it is (no copy in memory, so a
//! folder of any size opens at once and the server's memory does not grow with it), and
//! each change goes where `review import` and `translate` would put it: the segment's row
//! and history in the state, the approval in the translation memory, the article's English
//! file at once, and every other deliverable soon after ([`Renderer`]).
//!
//! The folder's lock is taken for each change only: while a `translate` run holds it, the
//! editor is read-only and says so, and the run goes on as if no editor were open.

mod recheck;
pub mod server;
mod terms;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::align::{AlignedSegment, Review, ReviewState};
use crate::memory::{Approved, Memory};
use crate::state::{FolderLock, OutputFolder, Revision, SaveError, SegmentAt, StateError};
use crate::{read, render, segment, write};

pub use recheck::recheck;
pub use terms::TermsView;

/// Which segments to list: every field narrows the list; none lists them all.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Query {
    /// `needs-review`, `translated`, `approved`, `rejected`, or `todo` (needs-review and
    /// rejected: what is left to do).
    pub state: Option<String>,
    /// A QA check's name (`missing-term`, `numbers`, …), or `any` for flagged segments.
    pub check: Option<String>,
    /// A term status (`missing`, `ok`, …): segments with a term in it.
    pub term: Option<String>,
    /// `yes`: segments whose target a person changed; `no`: the others.
    pub edited: Option<String>,
    /// Text in the source or the target, case-insensitive.
    pub text: Option<String>,
    /// One article's segments.
    pub article: Option<String>,
    pub offset: usize,
    pub limit: Option<usize>,
}

/// The most segments one page lists.
pub const PAGE: usize = 200;

/// One segment as the editor shows it: its row, its name and its neighbours.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentView {
    /// `ARTICLE:PARAGRAPH:INDEX`.
    pub key: String,
    pub state: ReviewState,
    /// The revision an edit of it starts from.
    pub revision: u64,
    pub row: AlignedSegment,
    /// The sources of the sentences before and after it in its article, for context.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A page of segments.
#[derive(Debug, Serialize)]
pub struct Listing {
    /// How many segments the query matches in all.
    pub total: usize,
    pub offset: usize,
    pub segments: Vec<SegmentView>,
}

/// What the editor tells the page about the folder.
#[derive(Debug, Serialize)]
pub struct Status {
    pub folder: String,
    pub memory: String,
    /// The glossary terms are added to, if any.
    pub glossary: Option<String>,
    /// Why changes cannot be made now (a run holds the folder), if they cannot.
    pub read_only: Option<String>,
    /// Segments by review state.
    pub states: BTreeMap<String, usize>,
    pub segments: usize,
    /// Deliverables not yet rendered again since the last change.
    pub rendering: bool,
    /// Why the last rendering failed, if it did.
    pub render_error: Option<String>,
}

/// A reviewer's change to one segment.
#[derive(Debug, Clone, Deserialize)]
pub struct Edit {
    pub key: String,
    pub target: String,
    pub state: ReviewState,
    /// The revision the reviewer started from.
    pub base: u64,
}

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{0}")]
    ReadOnly(String),
    #[error(
        "this segment was changed meanwhile (now at revision {current}); its current text is shown"
    )]
    Conflict { current: u64, row: Box<SegmentView> },
    #[error("no segment {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<crate::memory::MemoryError> for EditError {
    fn from(e: crate::memory::MemoryError) -> EditError {
        EditError::Other(e.into())
    }
}

impl From<StateError> for EditError {
    fn from(e: StateError) -> EditError {
        EditError::Other(e.into())
    }
}

/// What a bulk change did.
#[derive(Debug, Serialize)]
pub struct Bulk {
    pub changed: usize,
    /// Segments changed by someone else meanwhile, left as they were.
    pub conflicts: usize,
}

/// Which state of the folder counts were made at: its run, SQLite's data_version (other
/// connections' commits) and this editor's own changes.
type StateVersion = (i64, i64, u64);

/// The editor over one output folder.
pub struct Editor {
    folder: OutputFolder,
    memory_path: PathBuf,
    /// Opened at the first change (it may not exist before).
    memory: Option<Memory>,
    renderer: Renderer,
    /// Segments by state, and the state's version they were counted at: the page asks
    /// every few seconds, and counting reads every row.
    counted: Option<(StateVersion, BTreeMap<String, usize>)>,
    /// Changes this editor made (SQLite's data_version counts only other connections').
    changes: u64,
    terms: terms::Terms,
}

/// `ARTICLE:PARAGRAPH:INDEX` read back (the article id may itself hold colons).
pub fn parse_key(key: &str) -> Option<(String, usize, usize)> {
    let (rest, index) = key.rsplit_once(':')?;
    let (article, paragraph) = rest.rsplit_once(':')?;
    Some((
        article.to_string(),
        paragraph.parse().ok()?,
        index.parse().ok()?,
    ))
}

/// The SQL that gives a row's review state, as [`AlignedSegment::state`] does.
const STATE_SQL: &str = "COALESCE(json_extract(rows.json, '$.review.state'), \
     CASE WHEN json_extract(rows.json, '$.memory') THEN 'translated' ELSE 'needs-review' END)";

impl Editor {
    /// Opens the editor over `dir`; approvals go to `memory`, or to the memory the
    /// folder's last run read (`OUT/memory.sqlite` by default).
    /// Terms the reviewer adds go to `glossary`, whose forbidden targets edits are checked
    /// against.
    pub fn open(dir: &Path, memory: Option<PathBuf>, glossary: Option<PathBuf>) -> Result<Editor> {
        let terms = terms::Terms::open(glossary)?;
        let folder = OutputFolder::open_unlocked(dir)?;
        let memory_path = match memory {
            Some(path) => path,
            None => folder
                .meta("memory")?
                .map(PathBuf::from)
                .unwrap_or_else(|| crate::memory::default_path(dir)),
        };
        let renderer = Renderer::start(dir.to_path_buf())?;
        Ok(Editor {
            folder,
            memory_path,
            memory: None,
            renderer,
            counted: None,
            changes: 0,
            terms,
        })
    }

    pub fn dir(&self) -> &Path {
        self.folder.dir()
    }

    /// Why the folder cannot be changed now, if it cannot: another command holds its lock.
    fn read_only(&self) -> Option<String> {
        // Held by this editor's own rendering: not another command's.
        let _writing = match self.renderer.writing.try_lock() {
            Err(std::sync::TryLockError::WouldBlock) => return None,
            Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
            Ok(guard) => guard,
        };
        match FolderLock::take(self.dir()) {
            Ok(_) => None,
            Err(StateError::Locked { .. }) => Some(
                "a passeur run (translate, merge or review) is writing this folder: the editor \
                 is read-only until it ends"
                    .into(),
            ),
            Err(e) => Some(e.to_string()),
        }
    }

    /// The folder's run as it is now: after a `translate` run ended, its articles (while
    /// one runs, the last run's and the ones it added).
    fn refresh(&mut self) -> Result<()> {
        if self.read_only().is_none() {
            self.folder.follow_last_run()?;
        }
        Ok(())
    }

    pub fn status(&mut self) -> Result<Status> {
        let read_only = self.read_only();
        if read_only.is_none() {
            self.folder.follow_last_run()?;
        }
        let states = self.states()?;
        let (rendering, render_error) = self.renderer.progress();
        Ok(Status {
            folder: self.dir().display().to_string(),
            memory: self.memory_path.display().to_string(),
            glossary: self.terms.glossary().map(|p| p.display().to_string()),
            read_only,
            segments: states.values().sum(),
            states,
            rendering,
            render_error,
        })
    }

    /// Segments by review state, counted again only when the state changed.
    fn states(&mut self) -> Result<BTreeMap<String, usize>> {
        let version = (self.folder.run(), self.folder.data_version()?, self.changes);
        if let Some((at, states)) = &self.counted {
            if *at == version {
                return Ok(states.clone());
            }
        }
        let mut states = BTreeMap::new();
        for state in ReviewState::ALL {
            states.insert(state.name().to_string(), 0);
        }
        let sql = format!(
            "SELECT {STATE_SQL}, COUNT(*) FROM rows JOIN articles ON rows.article = articles.id
             WHERE articles.run >= ?1 GROUP BY 1"
        );
        let mut query = self.folder.connection().prepare(&sql)?;
        let mut rows = query.query([self.folder.run()])?;
        while let Some(row) = rows.next()? {
            states.insert(row.get(0)?, row.get::<_, i64>(1)? as usize);
        }
        self.counted = Some((version, states.clone()));
        Ok(states)
    }

    /// The conditions and parameters of a query, as SQL over `rows`.
    fn filter(query: &Query) -> Result<(String, Vec<rusqlite::types::Value>), EditError> {
        use rusqlite::types::Value;
        let mut sql = String::from("articles.run >= ?1");
        let mut values: Vec<Value> = Vec::new();
        let mut add = |condition: &str, value: Option<Value>| {
            let n = values.len() + 2;
            sql += &format!(" AND {}", condition.replace("?N", &format!("?{n}")));
            if let Some(value) = value {
                values.push(value);
            }
        };
        match query.state.as_deref().filter(|s| !s.is_empty()) {
            None => {}
            Some("todo") => add(
                &format!("{STATE_SQL} IN ('needs-review', 'rejected') AND 0 = ?N"),
                Some(Value::Integer(0)),
            ),
            Some(name) => {
                let state = ReviewState::from_name(name)
                    .ok_or_else(|| EditError::Invalid(format!("no review state {name:?}")))?;
                add(
                    &format!("{STATE_SQL} = ?N"),
                    Some(Value::Text(state.name().into())),
                )
            }
        }
        match query.check.as_deref().filter(|s| !s.is_empty()) {
            None => {}
            Some("any") => add(
                &format!(
                    "json_array_length(rows.json, '$.flags') > 0 AND {STATE_SQL} \
                     NOT IN ('translated', 'approved') AND 0 = ?N"
                ),
                Some(Value::Integer(0)),
            ),
            Some(check) => add(
                "EXISTS (SELECT 1 FROM json_each(rows.json, '$.flags') \
                 WHERE json_extract(value, '$.check') = ?N)",
                Some(Value::Text(check.into())),
            ),
        }
        if let Some(term) = query.term.as_deref().filter(|s| !s.is_empty()) {
            add(
                "EXISTS (SELECT 1 FROM json_each(rows.json, '$.terms') \
                 WHERE json_extract(value, '$.status') = ?N)",
                Some(Value::Text(term.into())),
            );
        }
        match query.edited.as_deref().filter(|s| !s.is_empty()) {
            None => {}
            Some(yes_no) => add(
                "(json_extract(rows.json, '$.review.machine') IS NOT NULL) = ?N",
                Some(Value::Integer(i64::from(yes_no == "yes"))),
            ),
        }
        if let Some(text) = query.text.as_deref().filter(|s| !s.trim().is_empty()) {
            add(
                "(instr(fold(json_extract(rows.json, '$.source')), ?N) > 0 \
                 OR instr(fold(json_extract(rows.json, '$.target')), ?N) > 0)",
                Some(Value::Text(text.trim().to_lowercase())),
            );
        }
        if let Some(article) = query.article.as_deref().filter(|s| !s.is_empty()) {
            add("rows.article = ?N", Some(Value::Text(article.into())));
        }
        Ok((sql, values))
    }

    /// A page of the segments a query matches, in input order.
    pub fn list(&mut self, query: &Query) -> Result<Listing, EditError> {
        self.refresh()?;
        let (condition, values) = Editor::filter(query)?;
        let limit = query.limit.unwrap_or(PAGE).clamp(1, PAGE);
        let run = rusqlite::types::Value::Integer(self.folder.run());
        let all: Vec<&dyn rusqlite::ToSql> = std::iter::once(&run as &dyn rusqlite::ToSql)
            .chain(values.iter().map(|v| v as &dyn rusqlite::ToSql))
            .collect();
        let db = self.folder.connection();
        let from =
            format!("FROM rows JOIN articles ON rows.article = articles.id WHERE {condition}");
        let total: i64 = db
            .query_row(&format!("SELECT COUNT(*) {from}"), all.as_slice(), |r| {
                r.get(0)
            })
            .map_err(anyhow::Error::from)?;
        let sql = format!(
            "SELECT rows.article, rows.seq, rows.json {from}
             ORDER BY articles.position, rows.seq LIMIT {limit} OFFSET {}",
            query.offset
        );
        let mut statement = db.prepare(&sql).map_err(anyhow::Error::from)?;
        let found: Vec<(String, i64, String)> = statement
            .query_map(all.as_slice(), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .and_then(|rows| rows.collect())
            .map_err(anyhow::Error::from)?;
        let mut segments = Vec::with_capacity(found.len());
        for (article, seq, json) in found {
            segments.push(self.view(&article, seq, &json)?);
        }
        Ok(Listing {
            total: total as usize,
            offset: query.offset,
            segments,
        })
    }

    /// A row as the editor shows it, with its neighbours' sources.
    fn view(&self, article: &str, seq: i64, json: &str) -> Result<SegmentView> {
        let row: AlignedSegment = serde_json::from_str(json)
            .with_context(|| format!("{article}: unreadable row in the run state"))?;
        let neighbour = |seq: i64| -> Result<Option<String>> {
            let found: Option<String> = self
                .folder
                .connection()
                .prepare_cached(
                    "SELECT json_extract(json, '$.source') FROM rows WHERE article = ?1 AND seq = ?2",
                )?
                .query_row(params![article, seq], |r| r.get(0))
                .ok();
            Ok(found)
        };
        Ok(SegmentView {
            key: row.key(),
            state: row.state(),
            revision: row.review.as_ref().map_or(0, |r| r.revision),
            before: neighbour(seq - 1)?,
            after: neighbour(seq + 1)?,
            row,
        })
    }

    /// One segment, by its key.
    pub fn segment(&self, key: &str) -> Result<SegmentView, EditError> {
        let (article, paragraph, index) =
            parse_key(key).ok_or_else(|| EditError::NotFound(key.to_string()))?;
        let found = self.folder.segment_row(&article, paragraph, index)?;
        let (seq, json) = found.ok_or_else(|| EditError::NotFound(key.to_string()))?;
        Ok(self.view(&article, seq, &json)?)
    }

    /// The segment with `target` in place of its translation, checked again: its QA flags
    /// and terms as they would be if it were saved.
    pub fn check(&self, key: &str, target: &str) -> Result<AlignedSegment, EditError> {
        let view = self.segment(key)?;
        Ok(recheck(&view.row, target, self.terms.forbidden()))
    }

    /// The terms an article may need that no glossary covers.
    pub fn terms_for(&mut self, article: &str) -> Result<TermsView, EditError> {
        self.terms.for_article(&self.folder, article)
    }

    /// Adds an entry to the editor's glossary.
    pub fn add_term(
        &mut self,
        source: &str,
        target: &str,
        note: Option<&str>,
    ) -> Result<terms::Added, EditError> {
        self.terms.add(source, target, note)
    }

    /// Other segments with the same source and another target (a rendering to adopt, or a
    /// conflict to settle), at most 20.
    pub fn same_source(&self, key: &str) -> Result<Vec<SegmentView>, EditError> {
        let view = self.segment(key)?;
        let db = self.folder.connection();
        let mut query = db
            .prepare_cached(
                "SELECT rows.article, rows.seq, rows.json FROM rows
                 JOIN articles ON rows.article = articles.id
                 WHERE json_extract(rows.json, '$.source') = ?1 AND articles.run >= ?2
                 AND json_extract(rows.json, '$.target') != ?3
                 ORDER BY articles.position, rows.seq LIMIT 20",
            )
            .map_err(anyhow::Error::from)?;
        let found: Vec<(String, i64, String)> = query
            .query_map(
                params![view.row.source, self.folder.run(), view.row.target],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .and_then(|rows| rows.collect())
            .map_err(anyhow::Error::from)?;
        found
            .into_iter()
            .map(|(article, seq, json)| Ok(self.view(&article, seq, &json)?))
            .collect()
    }

    /// Every saved revision of a segment, oldest first.
    pub fn history(&self, key: &str) -> Result<Vec<Revision>, EditError> {
        let (article, paragraph, index) =
            parse_key(key).ok_or_else(|| EditError::NotFound(key.to_string()))?;
        Ok(self.folder.history_of(&article, paragraph, index)?)
    }

    /// Saves a reviewer's change: the state (row and history) and the memory durably, then
    /// the article's English file; the other deliverables follow in the background.
    pub fn save(&mut self, edit: &Edit) -> Result<SegmentView, EditError> {
        let (article, paragraph, index) =
            parse_key(&edit.key).ok_or_else(|| EditError::NotFound(edit.key.clone()))?;
        let at = SegmentAt {
            article,
            paragraph,
            index,
            base: edit.base,
        };
        let target = edit.target.trim();
        if target.is_empty() && edit.state.is_reviewed() {
            return Err(EditError::Invalid(
                "an empty translation cannot be confirmed or approved".into(),
            ));
        }
        let mut outcome = self.change(&[at], &mut |_| (target.to_string(), edit.state))?;
        match outcome.pop().expect("one segment, one result") {
            Ok(view) => Ok(view),
            Err(e) => Err(e),
        }
    }

    /// Sets the state of every segment a query matches (their targets as they are).
    pub fn bulk(&mut self, query: &Query, state: ReviewState) -> Result<Bulk, EditError> {
        let mut at = Vec::new();
        let mut offset = 0;
        loop {
            let page = self.list(&Query {
                offset,
                limit: Some(PAGE),
                ..query.clone()
            })?;
            for view in &page.segments {
                if view.state != state && !view.row.target.trim().is_empty() {
                    at.push(SegmentAt {
                        article: view.row.article.clone(),
                        paragraph: view.row.paragraph,
                        index: view.row.index,
                        base: view.revision,
                    });
                }
            }
            offset += page.segments.len();
            if page.segments.is_empty() || offset >= page.total {
                break;
            }
        }
        let outcome = self.change(&at, &mut |row| (row.target.clone(), state))?;
        let conflicts = outcome
            .iter()
            .filter(|r| matches!(r, Err(EditError::Conflict { .. })))
            .count();
        Ok(Bulk {
            changed: outcome.iter().filter(|r| r.is_ok()).count(),
            conflicts,
        })
    }

    /// Applies `decide` (each row's new target and state) to segments, under the folder's
    /// lock: state, memory, English files, then the deliverables in the background.
    fn change(
        &mut self,
        at: &[SegmentAt],
        decide: &mut dyn FnMut(&AlignedSegment) -> (String, ReviewState),
    ) -> Result<Vec<Result<SegmentView, EditError>>, EditError> {
        // After this editor's own rendering, if one is writing (the folder's lock is one
        // per process: the two must not take it at once).
        let writing = Arc::clone(&self.renderer.writing);
        let _writing = writing.lock().unwrap_or_else(|e| e.into_inner());
        let _lock = match FolderLock::take(self.dir()) {
            Ok(lock) => lock,
            Err(StateError::Locked { .. }) => {
                return Err(EditError::ReadOnly(self.read_only().unwrap_or_default()))
            }
            Err(e) => return Err(e.into()),
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut approvals: Vec<Approved> = Vec::new();
        let mut rejected: Vec<(String, String)> = Vec::new();
        let forbidden = self.terms.forbidden();
        let mut change = |json: &str| -> Result<(String, Revision), String> {
            let row: AlignedSegment = serde_json::from_str(json).map_err(|e| e.to_string())?;
            let (target, state) = decide(&row);
            let new = reviewed(&row, &target, state, now, forbidden);
            let review = new.review.as_ref().expect("a reviewed row");
            let revision = Revision {
                paragraph: new.paragraph,
                index: new.index,
                revision: review.revision,
                at: now,
                state: state.name().into(),
                source: new.source.clone(),
                target: new.target.clone(),
                machine: review.machine.clone(),
            };
            match state.is_reviewed() {
                true => approvals.push(Approved {
                    source: new.source.clone(),
                    target: new.target.clone(),
                    origin: new.key(),
                    state,
                }),
                false => rejected.push((new.source.clone(), row.target.clone())),
            }
            Ok((
                serde_json::to_string(&new).expect("rows serialise"),
                revision,
            ))
        };
        let results = self.folder.save_segments(at, &mut change)?;
        self.changes += 1;
        // The memory after the state: the state is the folder's truth (and `translate`
        // keeps a reviewer's segments from it even if the memory were lost).
        let memory = match &mut self.memory {
            Some(memory) => memory,
            none => none.insert(Memory::open(&self.memory_path)?),
        };
        memory.store(&approvals)?;
        for (source, target) in &rejected {
            memory.forget(source, target)?;
        }
        // The next `translate` renders again (its counts include the reviewer's states).
        self.folder.set_meta("rendered_from", "")?;
        let mut articles: Vec<&str> = Vec::new();
        for (at, result) in at.iter().zip(&results) {
            if result.is_ok() && !articles.contains(&at.article.as_str()) {
                articles.push(&at.article);
            }
        }
        for article in articles {
            self.render_article(article)?;
        }
        self.renderer.request();
        at.iter()
            .zip(results)
            .map(|(at, result)| match result {
                Ok(json) => {
                    let row: AlignedSegment =
                        serde_json::from_str(&json).map_err(anyhow::Error::from)?;
                    Ok(Ok(self.segment(&row.key())?))
                }
                Err(SaveError::Conflict { current, .. }) => {
                    let key = format!("{}:{}:{}", at.article, at.paragraph, at.index);
                    Ok(Err(EditError::Conflict {
                        current,
                        row: Box::new(self.segment(&key)?),
                    }))
                }
                Err(SaveError::NotFound) => Ok(Err(EditError::NotFound(format!(
                    "{}:{}:{}",
                    at.article, at.paragraph, at.index
                )))),
                Err(SaveError::Invalid(why)) => Ok(Err(EditError::Invalid(why))),
                Err(SaveError::State(e)) => Err(e.into()),
            })
            .collect()
    }

    /// Writes an article's English file again from its source and rows in the state.
    fn render_article(&self, id: &str) -> Result<()> {
        let Some(record) = self.folder.record(id)? else {
            return Ok(());
        };
        let Some(article) = self
            .folder
            .source_of(id)?
            .and_then(|json| serde_json::from_str::<read::Article>(&json).ok())
        else {
            // A folder translated before sources were kept: its English file follows at the
            // next `translate`.
            return Ok(());
        };
        let rows: Vec<AlignedSegment> = self
            .folder
            .rows_of(id)?
            .iter()
            .map(|json| serde_json::from_str(json))
            .collect::<Result<_, _>>()?;
        let paragraphs = segment::article_paragraphs(&article);
        let text = write::render_english(&article, &paragraphs, &rows);
        write::write_atomic(&self.dir().join(&record.file), text.as_bytes())?;
        Ok(())
    }

    /// Waits until the deliverables are rendered again (for tests and for a clean stop).
    pub fn wait_for_rendering(&self) {
        self.renderer.wait();
    }
}

/// `row` as a reviewer left it: `target` in `state`, checked again if it changed, with the
/// machine translation it replaced and its next revision.
fn reviewed(
    row: &AlignedSegment,
    target: &str,
    state: ReviewState,
    now: u64,
    forbidden: &crate::glossary::Forbidden,
) -> AlignedSegment {
    let mut new = match target == row.target {
        true => row.clone(),
        false => recheck(row, target, forbidden),
    };
    // The machine's own text: kept from an earlier review, or the target this replaces.
    let machine = match &row.review {
        Some(review) => review.machine.clone(),
        None if row.memory => None,
        None => Some(row.target.clone()),
    }
    .filter(|machine| machine != target);
    new.review = Some(Review {
        state,
        machine,
        revision: row.review.as_ref().map_or(0, |r| r.revision) + 1,
        at: now,
    });
    new
}

/// Renders `aligned.jsonl` and the review formats again in a thread of its own after
/// changes, under the folder's lock; changes made while it renders make it render once
/// more, not once each.
struct Renderer {
    shared: Arc<(Mutex<RenderState>, std::sync::Condvar)>,
    /// Held while this process writes into the folder (a rendering, or a change).
    writing: Arc<Mutex<()>>,
}

#[derive(Default)]
struct RenderState {
    /// A rendering is wanted (changes since the last one began).
    wanted: bool,
    running: bool,
    error: Option<String>,
}

impl Renderer {
    fn start(dir: PathBuf) -> Result<Renderer> {
        let shared: Arc<(Mutex<RenderState>, std::sync::Condvar)> = Arc::default();
        let writing: Arc<Mutex<()>> = Arc::default();
        let worker = Arc::clone(&shared);
        let worker_writing = Arc::clone(&writing);
        std::thread::Builder::new()
            .name("passeur-render".into())
            .spawn(move || loop {
                let (lock, ready) = &*worker;
                let mut state = lock.lock().expect("render state");
                while !state.wanted {
                    state = ready.wait(state).expect("render state");
                }
                state.wanted = false;
                state.running = true;
                drop(state);
                let result = render_folder(&dir, &worker_writing);
                let mut state = lock.lock().expect("render state");
                state.running = false;
                match result {
                    Ok(()) => state.error = None,
                    // The folder is busy: a run renders it when it ends; try again later.
                    Err(e) => {
                        state.error = Some(format!("{e:#}"));
                        state.wanted = true;
                        drop(state);
                        std::thread::sleep(std::time::Duration::from_secs(1));
                        continue;
                    }
                }
                ready.notify_all();
            })?;
        Ok(Renderer { shared, writing })
    }

    fn request(&self) {
        let (lock, ready) = &*self.shared;
        lock.lock().expect("render state").wanted = true;
        ready.notify_all();
    }

    /// Whether a rendering is wanted or running, and the last one's error.
    fn progress(&self) -> (bool, Option<String>) {
        let state = self.shared.0.lock().expect("render state");
        (state.wanted || state.running, state.error.clone())
    }

    fn wait(&self) {
        let (lock, ready) = &*self.shared;
        let mut state = lock.lock().expect("render state");
        while state.wanted || state.running {
            let (next, _) = ready
                .wait_timeout(state, std::time::Duration::from_millis(200))
                .expect("render state");
            state = next;
        }
    }
}

/// The folder's deliverables from its state, under its lock.
fn render_folder(dir: &Path, writing: &Mutex<()>) -> Result<()> {
    let _writing = writing.lock().unwrap_or_else(|e| e.into_inner());
    let _lock = FolderLock::take(dir)?;
    let folder = OutputFolder::open_unlocked(dir)?;
    let formats = render::folder_formats(&folder)?;
    let (mut failures, mut notes) = (Vec::new(), Vec::new());
    render::deliverables(&folder, &formats, &mut failures, &mut notes)?;
    for note in notes {
        eprintln!("passeur: note: {note}");
    }
    if let Some(failure) = failures.first() {
        anyhow::bail!("{}: {}", failure.input, failure.error);
    }
    Ok(())
}
