//! Rendering an output folder's deliverables from its state: `aligned.jsonl` and the
//! review formats, streamed one article at a time. `translate`, `merge` and `review` call
//! it alike, so that what a folder holds is always a function of its state.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use crate::align::AlignedSegment;
use crate::check::{Check, Severity};
use crate::files::AtomicFile;
use crate::glossary::TermStatus;
use crate::report::{Counts, Failure, Stage};
use crate::state::OutputFolder;
use crate::write;

/// Rows of one article handed to the writers at once, at most: a long article goes in
/// parts, so that rendering's memory does not grow with an article.
const PART_ROWS: usize = 2000;

/// `aligned.jsonl` and the review formats, from the state, a part of an article in memory
/// at a time; review files of formats no longer asked for are removed. Returns the counts the
/// rows tell.
pub fn deliverables(
    folder: &OutputFolder,
    formats: &[write::Format],
    failures: &mut Vec<Failure>,
    notes: &mut Vec<String>,
) -> Result<Counts> {
    // First pass: the totals a writer's head needs, and the run's counts.
    let mut totals = write::Totals::default();
    let mut counts = Counts::default();
    let mut bad_row = None;
    let mut consistency = crate::review::ConsistencyCount::default();
    folder.for_each_row(|json| {
        match serde_json::from_str::<AlignedSegment>(json) {
            Ok(row) => {
                totals.add(&row);
                counts += &count_row(&row);
                consistency.add(&row);
            }
            Err(e) => bad_row = Some(e),
        }
        Ok(())
    })??;
    if let Some(e) = bad_row {
        anyhow::bail!(
            "{}: unreadable row in the run state: {e}",
            folder.dir().display()
        );
    }
    counts.term_hit_rate = counts.hit_rate();
    (counts.inconsistent_sources, counts.inconsistent_targets) = consistency.counts();
    // The `inconsistent` flags are the batch's, known only now: the deliverables carry
    // them (added as rows are written), the rows in the state do not.
    let (inconsistent, newly_flagged) = consistency.flag_totals();
    if inconsistent > 0 {
        *totals
            .by_check
            .entry(Check::Inconsistent.name())
            .or_default() += inconsistent;
        totals.flagged += newly_flagged;
        counts.segments_flagged += newly_flagged;
    }

    let wanted = wanted_formats(formats);
    // For the editor, which renders them again after each change.
    let names: Vec<&str> = wanted.iter().map(|f| f.writer().file_name()).collect();
    folder.set_meta("formats", &names.join(" "))?;
    for format in write::Format::ALL.iter().filter(|f| !wanted.contains(f)) {
        let path = folder.dir().join(format.writer().file_name());
        if let Err(e) = std::fs::remove_file(&path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                failures.push(Failure::new(
                    Stage::Write,
                    path.display().to_string(),
                    None,
                    e,
                ));
            }
        }
    }
    // A big batch's report is an index and pages; a small one's, one page.
    let paged = wanted.contains(&write::Format::Html) && totals.rows > write::PAGE_ROWS;
    let mut pages = match paged {
        true => Some(write::PagedHtml::new(folder.dir(), &totals)?),
        false => {
            write::remove_pages(folder.dir(), 1);
            None
        }
    };
    let writers: Vec<Box<dyn write::Writer + Send + Sync>> = wanted
        .iter()
        .filter(|f| !(paged && **f == write::Format::Html))
        .map(|f| f.writer())
        .collect();
    let mut files = Vec::new();
    for writer in &writers {
        if let Some(aside) = write::set_aside_edits(folder.dir(), writer.file_name())? {
            notes.push(edited_note(writer.file_name(), &aside));
        }
        let mut file = AtomicFile::create(&folder.dir().join(writer.file_name()))?;
        file.write_all(writer.head(&totals).as_bytes())?;
        files.push(file);
    }
    // Second pass: each article's rows to every writer, a part at a time (a long article
    // is never whole in memory).
    let mut part: Vec<AlignedSegment> = Vec::new();
    let mut started = false;
    let mut flush =
        |part: &mut Vec<AlignedSegment>, started: &mut bool, last: bool| -> std::io::Result<()> {
            if part.is_empty() {
                return Ok(());
            }
            for (writer, file) in writers.iter().zip(files.iter_mut()) {
                if !*started {
                    file.write_all(writer.article_start(&part[0]).as_bytes())?;
                }
                file.write_all(writer.rows(part).as_bytes())?;
                if last {
                    file.write_all(writer.article_end().as_bytes())?;
                }
            }
            if let Some(pages) = pages.as_mut() {
                pages
                    .article_part(part, !*started, last)
                    .map_err(|e| e.source)?;
            }
            *started = !last;
            part.clear();
            Ok(())
        };
    folder.for_each_row(|json| {
        let mut row: AlignedSegment = serde_json::from_str(json).map_err(std::io::Error::other)?;
        row.flags.extend(consistency.flag(&row));
        if part.last().is_some_and(|last| last.article != row.article) {
            flush(&mut part, &mut started, true)?;
        } else if part.len() >= PART_ROWS {
            flush(&mut part, &mut started, false)?;
        }
        part.push(row);
        Ok(())
    })??;
    flush(&mut part, &mut started, true)?;
    for (writer, mut file) in writers.iter().zip(files) {
        file.write_all(writer.tail().as_bytes())?;
        let digest = file.digest();
        match file.commit() {
            Ok(()) => write::record_written(folder.dir(), writer.file_name(), &digest)?,
            Err(e) => failures.push(Failure::write(&e)),
        }
    }
    if let Some(pages) = pages {
        if let Err(e) = pages.finish() {
            failures.push(Failure::write(&e));
        }
    }
    Ok(counts)
}

/// The formats the folder's last rendering wrote (all of them for a folder from before
/// this was recorded).
pub fn folder_formats(folder: &OutputFolder) -> Result<Vec<write::Format>> {
    Ok(match folder.meta("formats")? {
        Some(names) => write::Format::ALL
            .into_iter()
            .filter(|f| names.split(' ').any(|n| n == f.writer().file_name()))
            .collect(),
        None => write::Format::ALL.to_vec(),
    })
}

/// `aligned.jsonl` and the review formats asked for.
pub fn wanted_formats(formats: &[write::Format]) -> Vec<write::Format> {
    std::iter::once(write::Format::Jsonl)
        .chain(
            formats
                .iter()
                .copied()
                .filter(|f| *f != write::Format::Jsonl),
        )
        .collect()
}

/// The counts one row tells.
fn count_row(row: &AlignedSegment) -> Counts {
    let terms = |keep: fn(TermStatus) -> bool| row.terms.iter().filter(|t| keep(t.status)).count();
    Counts {
        segments: 1,
        // A person's translation: its flags are kept as notes, not counted.
        segments_flagged: usize::from(row.is_flagged()),
        segments_failed: usize::from(row.flags.iter().any(|f| f.severity == Severity::Error)),
        segments_from_memory: usize::from(row.memory),
        term_matches: row.terms.len(),
        terms_ok: terms(|s| s == TermStatus::Ok),
        terms_normalised: terms(|s| s == TermStatus::Normalised),
        terms_repaired: terms(TermStatus::is_repaired),
        terms_missing: terms(|s| s == TermStatus::Missing),
        segments_with_codes: usize::from(!row.codes.is_empty()),
        segments_codes_projected: usize::from(row.flags.iter().any(|f| f.check == Check::XmlTags)),
        ..Counts::default()
    }
}

/// What to tell a user whose edited review file was moved aside.
pub fn edited_note(name: &str, aside: &Path) -> String {
    format!(
        "{name} had edits passeur did not write (a reviewer's?); kept as {}: import the \
         approved rows with `passeur review import {}`",
        aside.display(),
        aside.display()
    )
}
