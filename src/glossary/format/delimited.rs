//! TSV (`.tsv`, `.txt`, `.tab`) and CSV (`.csv`): source, target and an optional note per
//! row, the format DeepL, Google and OmegaT accept; a `source,target` header row is skipped.

use super::{Format, RawEntries, RawEntry};
use crate::glossary::{Entry, GlossaryError};

pub(super) fn parse(name: &str, text: &str, delimiter: u8) -> Result<RawEntries, GlossaryError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .quoting(delimiter == b',')
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| GlossaryError::Syntax {
            path: name.into(),
            line: e.position().map_or(0, |p| p.line() as usize),
            column: 1,
            message: e.to_string(),
        })?;
        let line = record.position().map_or(index + 1, |p| p.line() as usize);
        let field = |i: usize| record.get(i).unwrap_or("").to_string();
        if index == 0
            && field(0).eq_ignore_ascii_case("source")
            && field(1).eq_ignore_ascii_case("target")
        {
            continue;
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let entry = if record.len() < 2 {
            Err(format!(
                "expected source and target, found {} column",
                record.len()
            ))
        } else {
            Ok(RawEntry {
                source: field(0),
                target: field(1),
                note: record.get(2).map(str::to_string),
                ..RawEntry::default()
            })
        };
        out.push((line, entry));
    }
    Ok(out)
}

/// Writes the term entries (patterns are not terms: TSV and CSV have no place for them).
pub(super) fn write(entries: &[Entry], format: Format) -> String {
    let delimiter = if format == Format::Tsv { b'\t' } else { b',' };
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .quote_style(if format == Format::Tsv {
            csv::QuoteStyle::Never
        } else {
            csv::QuoteStyle::Necessary
        })
        .from_writer(Vec::new());
    // Patterns are not terms; TSV and CSV have no place for them.
    for e in entries.iter().filter(|e| e.pattern.is_none()) {
        let clean = |s: &str| {
            if format == Format::Tsv {
                s.replace(['\t', '\n'], " ")
            } else {
                s.to_string()
            }
        };
        let mut row = vec![clean(&e.source), clean(&e.target)];
        if let Some(note) = &e.note {
            row.push(clean(note));
        }
        writer.write_record(&row).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("UTF-8 in, UTF-8 out")
}
