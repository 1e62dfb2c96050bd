//! The editor's terminology: the glossary chosen at start (`review serve --glossary FILE`),
//! whose forbidden targets every edit is checked against; the entries a reviewer adds from
//! the words they select (through `glossary add`'s path, so the file keeps its layout and
//! its lock); and the terms the open article may need, which `glossary suggest` finds in the
//! folder's sources, with the English its rows used.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use serde::Serialize;

use super::EditError;
use crate::align::AlignedSegment;
use crate::glossary::suggest::{self, Candidate};
use crate::glossary::{self, edit, Entry, Forbidden, Matcher};
use crate::read::Article;
use crate::state::OutputFolder;

/// Candidates shown for one article.
const SHOWN: usize = 12;

pub(super) struct Terms {
    path: Option<PathBuf>,
    /// The glossary's entries (how many), compiled: what a candidate must not be.
    entries: usize,
    known: Matcher,
    forbidden: Forbidden,
    /// The folder's candidates, found at the first request (the sources do not change
    /// while the editor runs; the glossary does, and is applied when they are shown).
    candidates: Option<Vec<Candidate>>,
}

/// What the page shows of the terminology for one article.
#[derive(Debug, Serialize)]
pub struct TermsView {
    /// The glossary entries are added to, if the editor was given one.
    pub glossary: Option<String>,
    pub entries: usize,
    /// Terms the article uses that no glossary covers, best first.
    pub candidates: Vec<Candidate>,
}

/// An entry added to the glossary.
#[derive(Debug, Serialize)]
pub struct Added {
    pub source: String,
    pub target: String,
    pub glossary: String,
    /// Entries the glossary has now.
    pub entries: usize,
}

impl Terms {
    /// The glossary at `path` (it may not exist yet: the first added term creates it).
    pub(super) fn open(path: Option<PathBuf>) -> Result<Terms> {
        let mut terms = Terms {
            path: None,
            entries: 0,
            known: Matcher::new(Vec::new()),
            forbidden: Forbidden::new(&[]),
            candidates: None,
        };
        if let Some(path) = path {
            if glossary::Format::from_path(&path)? != glossary::Format::Json {
                bail!(
                    "{}: the editor adds terms to a JSON glossary (convert it with `passeur \
                     glossary import`)",
                    path.display()
                );
            }
            terms.path = Some(path);
            terms.reload()?;
        }
        Ok(terms)
    }

    fn reload(&mut self) -> Result<()> {
        let Some(path) = self.path.as_ref().filter(|p| p.exists()) else {
            return Ok(());
        };
        let (entries, errors) = glossary::load_glossary(path)?;
        for error in errors {
            eprintln!("passeur: error: {error}");
        }
        self.forbidden = Forbidden::new(&entries);
        self.entries = entries.len();
        self.known = Matcher::new(entries);
        Ok(())
    }

    pub(super) fn forbidden(&self) -> &Forbidden {
        &self.forbidden
    }

    pub(super) fn glossary(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Adds `source` → `target` to the glossary.
    pub(super) fn add(
        &mut self,
        source: &str,
        target: &str,
        note: Option<&str>,
    ) -> Result<Added, EditError> {
        let Some(path) = self.path.clone() else {
            return Err(EditError::Invalid(
                "no glossary to add to: start the editor with --glossary FILE.json".into(),
            ));
        };
        let (source, target) = (source.trim(), target.trim());
        if source.is_empty() || target.is_empty() {
            return Err(EditError::Invalid(
                "a term needs a source and a target: select the words in both".into(),
            ));
        }
        let entry = Entry {
            note: note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            ..Entry::new(source, target, "")
        };
        edit::add(&path, &entry).map_err(|e| match e {
            edit::EditError::Duplicate { .. } => EditError::Invalid(e.to_string()),
            other => EditError::Other(other.into()),
        })?;
        self.reload()?;
        Ok(Added {
            source: entry.source,
            target: entry.target,
            glossary: path.display().to_string(),
            entries: self.entries,
        })
    }

    /// The terms `article` may need: the folder's candidates that occur in it and that the
    /// glossary (as it is now) does not cover.
    pub(super) fn for_article(
        &mut self,
        folder: &OutputFolder,
        article: &str,
    ) -> Result<TermsView, EditError> {
        let rows: Vec<AlignedSegment> = folder
            .rows_of(article)?
            .iter()
            .map(|json| serde_json::from_str(json))
            .collect::<Result<_, _>>()
            .map_err(anyhow::Error::from)?;
        if rows.is_empty() {
            return Err(EditError::NotFound(article.to_string()));
        }
        let candidates = match &self.candidates {
            Some(found) => found,
            None => self.candidates.insert(folder_candidates(folder)?),
        };
        let text = glossary::fold(
            &rows
                .iter()
                .map(|r| r.source.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let shown = candidates
            .iter()
            .filter(|c| {
                std::iter::once(&c.source)
                    .chain(&c.variants)
                    .any(|form| text.contains(&glossary::fold(form)))
            })
            .filter(|c| {
                !self
                    .known
                    .find(&c.source)
                    .iter()
                    .any(|m| m.span == (0..c.source.len()))
            })
            .take(SHOWN)
            .cloned()
            .collect();
        Ok(TermsView {
            glossary: self.path.as_ref().map(|p| p.display().to_string()),
            entries: self.entries,
            candidates: shown,
        })
    }
}

/// `glossary suggest` over the folder's sources, the terms its rows found known, with the
/// English of its rows as renderings.
fn folder_candidates(folder: &OutputFolder) -> Result<Vec<Candidate>, EditError> {
    let mut texts: Vec<(String, String)> = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut known: HashMap<String, Entry> = HashMap::new();
    let read = folder.for_each_row(|json| {
        let row: AlignedSegment = serde_json::from_str(json)?;
        match texts.last_mut() {
            Some((id, text)) if *id == row.article => {
                text.push('\n');
                text.push_str(&row.source);
            }
            _ => texts.push((row.article.clone(), row.source.clone())),
        }
        for term in &row.terms {
            known
                .entry(term.source.to_lowercase())
                .or_insert_with(|| Entry::new(&term.source, &term.target, &term.entry));
        }
        pairs.push((row.source, row.target));
        Ok(())
    })?;
    read.map_err(anyhow::Error::from)?;
    let articles: Vec<Article> = texts
        .into_iter()
        .map(|(id, text)| Article::plain(id.clone(), id, text))
        .collect();
    let settings = suggest::Settings {
        min_count: 1,
        limit: 2000,
    };
    let mut candidates = suggest::suggest(
        &articles,
        &Matcher::new(known.into_values().collect()),
        settings,
    );
    suggest::renderings(&mut candidates, &pairs);
    Ok(candidates)
}
